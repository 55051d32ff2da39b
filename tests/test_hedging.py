"""Tests of the feature-hedging study (benchmarks/sparse/hedging.py)."""

from __future__ import annotations

import json

import pytest

from benchmarks.sparse import hedging as hd
from benchmarks.study_cli import study_figures

TINY = {
    "generator": {"n_features": 8, "n_groups": 4, "group_size": 2, "firing_probability": 0.3},
    "correlations": (0.0, 0.9), "widths": (0.5, 1.0, 2.0), "architectures": ("batchtopk",),
    "n_train": 1024, "n_heldout": 512, "seeds": (0, 1),
    "budget": {"batchtopk": {"n_steps": 60, "batch_size": 128, "learning_rate": 1e-2}},
}


@pytest.fixture(scope="module")
def tiny_doc():
    return hd.run(TINY)


def test_quick_profile_spans_half_to_twice_the_feature_count():
    prof = hd.PROFILES["quick"]
    assert prof["widths"][0] == 0.5 and prof["widths"][-1] == 2.0
    assert 0.0 in prof["correlations"] and prof["seeds"] == (0, 1, 2)
    assert prof["generator"]["n_groups"] * prof["generator"]["group_size"] == 16


def test_document_shape_and_json(tiny_doc):
    doc = tiny_doc
    assert doc["study"] == "hedging" and doc["n_features"] == 8
    assert len(doc["rows"]) == 2 * 2 * 3  # correlations x seeds x widths
    assert sorted({r["m"] for r in doc["rows"]}) == [4, 8, 16]
    for r in doc["rows"]:
        assert r["mixing"] is None or 0 <= r["mixing"] <= 1 + 1e-12
        assert r["hedging"] is None or 0 <= r["hedging"] <= 1 + 1e-12
    kinds = {c["kind"] for c in doc["comparisons"]}
    assert kinds == {"width", "correlation"}
    json.dumps(doc, allow_nan=False)


def test_correlations_draw_their_own_data(tiny_doc):
    by = {(r["correlation"], r["seed"]): r for r in tiny_doc["rows"] if r["width_index"] == 0}
    assert by[(0.9, 0)]["realised_partner_correlation"] > 0.7
    assert abs(by[(0.0, 0)]["realised_partner_correlation"]) < 0.2
    assert hd.stream_name(0.6) == "hedging_rho0.6"


def test_reproducible(tiny_doc):
    again = hd.run(dict(TINY, correlations=(0.9,)), seeds=[1])
    first = [r for r in tiny_doc["rows"] if (r["correlation"], r["seed"]) == (0.9, 1)]
    assert [(r["mixing"], r["mcc"]) for r in again["rows"]] == \
        [(r["mixing"], r["mcc"]) for r in first]


def test_findings_tables_and_figure(tiny_doc, tmp_path):
    found = hd.findings(tiny_doc)
    terms = [t for t, _, _ in found]
    assert "Mixing against width, batchtopk, partner correlation 0.9" in terms
    assert terms[-1].startswith("Published (Chanin, Dulka & Garriga-Alonso 2025")
    assert "within noise" in " ".join(s for _, s, _ in found) or \
        "above" in " ".join(s for _, s, _ in found)
    (_, head, rows), = hd.tables(tiny_doc)
    assert len(rows) == 6 and head[0] == "architecture"
    assert not any("{" in s or "{" in note for _, s, note in found)  # no unformatted field
    figs = study_figures(hd, tiny_doc, tmp_path)
    assert len(figs) == 1 and (tmp_path / "hedging.png").stat().st_size > 1000


@pytest.mark.parametrize("kwargs, name", [
    ({"seeds": []}, "seeds"), ({"jobs": 0}, "jobs"), ({"profile": "huge"}, "profile"),
    ({"profile": dict(TINY, architectures=("nope",))}, "architectures"),
])
def test_run_errors_name_the_argument(kwargs, name):
    args = dict(profile=TINY) | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        hd.run(**args)
