"""Tests of the wrong-L0 study (benchmarks/sparse/wrong_l0.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.sparse import wrong_l0 as wl
from benchmarks.study_cli import study_figures

# A sweep small enough to run in a few seconds: 4 pairs in d = 8, 3 knobs, 2 seeds.
TINY = {
    "generators": {
        "correlated_pairs": {"n_features": 8, "n_groups": 4, "group_size": 2,
                             "firing_probability": 0.4, "correlation": 0.6},
        "hierarchical": {"n_features": 8, "n_roots": 2, "branching": 3, "depth": 2,
                         "mean_active_roots": 1.0},
    },
    "n_train": 1024, "n_heldout": 512, "seeds": (0, 1),
    "multiples": (0.5, 1.0, 2.0), "relu_l1": (0.01, 0.3),
    "budget": {name: {"n_steps": 40, "batch_size": 128, "learning_rate": 1e-2}
               for name in wl.ARCHITECTURES},
}


@pytest.fixture(scope="module")
def tiny_doc():
    return wl.run(TINY, architectures=["batchtopk", "relu"])


def test_quick_profile_is_configured_as_documented():
    prof = wl.PROFILES["quick"]
    assert wl.true_l0("correlated_pairs", prof["generators"]["correlated_pairs"]) == \
        pytest.approx(2 * 0.3 * (1 - 0.85**8) / 0.15)  # 2.91: 8 pairs, rates 0.3 x 0.85^g
    assert wl.true_l0("hierarchical", prof["generators"]["hierarchical"]) == \
        pytest.approx(1.5 * (1 + 3 * 0.25))  # 2.625
    assert min(prof["multiples"]) == 0.25 and max(prof["multiples"]) == 4.0
    assert {0.9, 1.0, 1.1} <= set(prof["multiples"])  # a pick within 20% is reachable
    assert prof["seeds"] == (0, 1, 2)
    assert wl.proxy_ns(16) == [4, 2, 6]


def test_knobs_round_dedupe_and_clip():
    prof = dict(TINY, multiples=(0.25, 0.5, 1.0, 4.0))
    topk = wl.knobs_for(wl.ARCHITECTURES["topk"], prof, 1.5, 4)
    # 0.375 -> 1 (clipped), 0.75 -> 1 (dropped), 1.5 -> 2, 6 -> 4 (clipped to m).
    assert [k["knob"] for k in topk] == [1.0, 2.0, 4.0]
    assert [k["multiple"] for k in topk] == [0.25, 1.0, 4.0]
    btk = wl.knobs_for(wl.ARCHITECTURES["batchtopk"], prof, 1.5, 4)
    assert [k["knob"] for k in btk] == [0.375, 0.75, 1.5, 4.0]
    relu = wl.knobs_for(wl.ARCHITECTURES["relu"], TINY, 1.5, 4)
    assert [k["knob"] for k in relu] == [0.3, 0.01] and relu[0]["multiple"] is None


def test_document_shape_and_json(tiny_doc):
    doc = tiny_doc
    assert doc["study"] == "wrong_l0" and doc["seeds"] == [0, 1]
    assert doc["generators"] == ["correlated_pairs", "hierarchical"]
    assert len(doc["rows"]) == 2 * 2 * (3 + 2)  # generators x seeds x knobs
    for r in doc["rows"]:
        assert 0 <= r["mcc"] <= 1 and 0 <= r["f1"] <= 1 and r["l0"] >= 0
        assert r["mixing"] is None or 0 <= r["mixing"] <= 1 + 1e-12
        assert set(r["s_n"]) == {"2", "1", "3"}  # 0.25, 0.125, 0.375 of m = 8
    picks = [p for p in doc["picks"] if p["headline"]]
    assert len(picks) == 4 and all(p["n"] == 2 for p in picks)
    for p in doc["picks"]:
        assert p["within"] == (abs(p["pick_l0"] / p["true_l0"] - 1) <= 0.2)
        assert p["seeds_within"] == sum(s["within"] for s in p["per_seed"])
        assert 0 <= p["spread"] <= 2
        assert (p["true_vs_pick"] is None) == (p["true_knob_index"] == p["pick_index"])
    for c in doc["comparisons"]:
        assert c["verdict"] in ("above", "below", "within noise") and c["paired"]
    json.dumps(doc, allow_nan=False)


def test_pick_is_the_minimum_of_the_seed_mean_curve(tiny_doc):
    doc = tiny_doc
    for p in doc["picks"]:
        entries = sorted((s for s in doc["summary"] if (s["generator"], s["architecture"])
                          == (p["generator"], p["architecture"])),
                         key=lambda s: s["knob_index"])
        curve = [s["s_n"][str(p["n"])]["value"] for s in entries]
        assert p["pick_index"] == int(np.argmin(curve))
        assert p["pick_l0"] == entries[p["pick_index"]]["l0"]["value"]


def test_reproducible_and_workers_agree(tiny_doc):
    again = wl.run(TINY, architectures=["batchtopk"], generators=["correlated_pairs"],
                   jobs=2)
    first = [r for r in tiny_doc["rows"] if (r["generator"], r["architecture"])
             == ("correlated_pairs", "batchtopk")]
    assert [(r["l0"], r["mcc"], r["s_n"]) for r in again["rows"]] == \
        [(r["l0"], r["mcc"], r["s_n"]) for r in first]


def test_findings_tables_and_figure(tiny_doc, tmp_path):
    found = wl.findings(tiny_doc)
    terms = [t for t, _, _ in found]
    assert any(t.startswith("The n-th decoder projection's pick on correlated_pairs")
               for t in terms)
    assert terms[-1].startswith("Published (Chanin & Garriga-Alonso 2025")
    assert "within" in found[0][1] and "2508.16560" in terms[-1]
    (caption, head, rows), = wl.tables(tiny_doc)
    assert "within 20%" in head and len(rows) == 4
    assert not any("{" in s or "{" in note for _, s, note in found)  # no unformatted field
    figs = study_figures(wl, tiny_doc, tmp_path)
    assert len(figs) == 1 and (tmp_path / "wrong_l0.png").stat().st_size > 1000


@pytest.mark.parametrize("kwargs, name", [
    ({"profile": "huge"}, "profile"), ({"seeds": []}, "seeds"), ({"seeds": [-1]}, "seeds"),
    ({"jobs": 0}, "jobs"), ({"architectures": ["nope"]}, "architectures"),
    ({"generators": ["nope"]}, "generators"), ({"architectures": []}, "architectures"),
])
def test_run_errors_name_the_argument(kwargs, name):
    args = dict(profile=TINY) | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        wl.run(**args)


def test_full_profile_is_the_papers_toy_size():
    prof = wl.PROFILES["full"]
    g = prof["generators"]["correlated_pairs"]
    assert g["n_groups"] * g["group_size"] == 50 and g["n_features"] == 100
    # 25 pairs at 0.4 x 0.95^g: true L0 11.56, the paper's toy has about 11.
    assert wl.true_l0("correlated_pairs", g) == pytest.approx(2 * 0.4 * (1 - 0.95**25) / 0.05)
    assert max(prof["multiples"]) * wl.true_l0("correlated_pairs", g) <= 50  # k <= width
    assert len(prof["seeds"]) == 5
