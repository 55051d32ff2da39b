"""Tests of the amortisation-gap study (benchmarks/sparse/amortisation.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.sparse import amortisation as am
from benchmarks.sparse.matched_l0 import ARCHITECTURES
from benchmarks.study_cli import study_figures

# A problem small enough to fit in ~0.05 s a fit: 16 planted features in d = 8, 4 trees of
# 1 + 3 features in d = 8, 16 latents, 60 steps.
TINY = {
    "generators": {"planted_sparse": {"n_features": 8, "n_atoms": 16, "mean_active": 2.0},
                   "hierarchical_features": {"n_features": 8, "n_roots": 4, "branching": 3,
                                             "depth": 2, "mean_active_roots": 1.5}},
    "architectures": ("topk", "relu"),
    "multiples": (1.0, 2.0), "n_train": 1024, "n_heldout": 256, "m": 16, "seeds": (0, 1, 2),
    "budget": {name: {"n_steps": 60, "batch_size": 128, "learning_rate": 1e-2}
               for name in ARCHITECTURES},
    "knobs": {"relu": {"planted_sparse": {1.0: 0.3, 2.0: 0.1},
                       "hierarchical_features": {1.0: 0.3, 2.0: 0.1}}},
}


def _est(value, low, high, n=3):
    return {"value": value, "low": low, "high": high, "n": n, "confidence": 0.95}


@pytest.fixture(scope="module")
def tiny_doc():
    return am.run(TINY, generators=["planted_sparse"])


def test_document_has_its_shape(tiny_doc):
    doc = tiny_doc
    assert doc["study"] == "amortisation" and doc["profile"] == "custom"
    assert doc["seeds"] == [0, 1, 2] and doc["generators"] == ["planted_sparse"]
    assert doc["architectures"] == ["topk", "relu"] and doc["true_l0"] == {"planted_sparse": 2.0}
    # 2 architectures x 2 targets x 3 seeds rows; 4 summary cases.
    assert len(doc["rows"]) == 12 and len(doc["summary"]) == 4
    for r in doc["rows"]:
        for coder in am.CODERS:
            assert 0 <= r[f"{coder}_f1"] <= 1 and -1 <= r[f"{coder}_mcc"] <= 1
            assert r[f"{coder}_fvu"] < 1.5 and r[f"{coder}_l0"] >= 0
        # OMP runs at the encoder's own per-row L0: the mean L0s agree (OMP may stop early
        # on a zero residual, never above).
        assert r["omp_l0"] <= r["encoder_l0"] + 1e-12
        assert r["lasso_alpha"] > 0 and r["lasso_solves"] >= 1
    topk = [r for r in doc["rows"] if r["architecture"] == "topk"]
    assert {r["knob"] for r in topk} == {2.0, 4.0}  # k = round(target): targets 2 and 4
    relu = [r for r in doc["rows"] if r["architecture"] == "relu"]
    assert {r["knob"] for r in relu} == {0.3, 0.1} and all(r["calibration"] is None
                                                           for r in relu)
    json.dumps(doc, allow_nan=False)


def test_gaps_are_the_paired_differences_of_the_rows(tiny_doc):
    doc = tiny_doc
    s = doc["summary"][0]
    rows = sorted((r for r in doc["rows"] if (r["architecture"], r["target_multiple"])
                   == (s["architecture"], s["target_multiple"])), key=lambda r: r["seed"])
    f1 = [r["omp_f1"] - r["encoder_f1"] for r in rows]
    fvu = [r["encoder_fvu"] - r["lasso_fvu"] for r in rows]
    assert s["gap"]["omp"]["f1"]["difference"]["value"] == pytest.approx(np.mean(f1))
    assert s["gap"]["lasso"]["fvu"]["difference"]["value"] == pytest.approx(np.mean(fvu))
    assert s["gap"]["omp"]["f1"]["paired"] is True
    assert s["encoder_mcc"]["n"] == 3
    counts = doc["verdicts"]["omp"]["f1"]
    assert sum(counts.values()) == len(doc["summary"])


def test_oracle_rows_and_the_dictionary_share(tiny_doc):
    doc = tiny_doc
    assert [(o["generator"], o["seed"]) for o in doc["oracle"]] == \
        [("planted_sparse", s) for s in (0, 1, 2)]
    for o in doc["oracle"]:
        # OMP on the true features at each row's true L0: 16 random directions in d = 8 are
        # coherent (OMP picks a wrong atom on some rows), so well above chance, not perfect.
        assert o["f1"] > 0.6 and o["mcc"] > 0.6 and o["fvu"] < 0.2
    for s in doc["summary"]:
        if s["target_multiple"] != 1.0:
            assert s["dictionary"] is None
            continue
        rows = sorted((r for r in doc["rows"] if (r["architecture"], r["target_multiple"])
                       == (s["architecture"], 1.0)), key=lambda r: r["seed"])
        lost = [o["f1"] - r["omp_f1"] for o, r in zip(doc["oracle"], rows, strict=True)]
        enc = [r["omp_f1"] - r["encoder_f1"] for r in rows]
        d = s["dictionary"]["f1"]
        assert d["dictionary_gap"]["difference"]["value"] == pytest.approx(np.mean(lost))
        assert d["dictionary_vs_encoder"]["difference"]["value"] == \
            pytest.approx(np.mean(lost) - np.mean(enc))


def test_oracle_row_on_exact_sparse_data_is_perfect():
    # 4 orthogonal-ish features in d = 8 with 1 active: OMP at the true L0 is exact.
    prof = dict(TINY, generators={"planted_sparse": {"n_features": 8, "n_atoms": 4,
                                                     "mean_active": 1.0}})
    o = am.oracle_row("planted_sparse", 0, prof)
    assert o["mcc"] > 0.99 and o["fvu"] < 1e-6


def test_document_is_reproducible_and_the_same_with_workers(tiny_doc):
    again = am.run(TINY, seeds=[1], generators=["planted_sparse"], architectures=["topk"],
                   jobs=2)
    first = [r for r in tiny_doc["rows"] if r["architecture"] == "topk" and r["seed"] == 1]
    for a, b in zip(again["rows"], first, strict=True):
        for key in ("encoder_f1", "omp_mcc", "lasso_fvu", "lasso_alpha", "knob"):
            assert a[key] == b[key], key


def test_penalised_architectures_without_a_knob_table_are_calibrated():
    prof = dict(TINY, knobs={}, multiples=(1.0,))
    rows = am.run_task("hierarchical_features", "relu", 0, prof)
    cal = rows[0]["calibration"]
    assert cal is not None and cal["runs"] >= 1 and cal["knob"] == rows[0]["knob"]
    assert rows[0]["target_l0"] == pytest.approx(2.625)  # 1.5 roots x (1 + 0.75)


def test_findings_tables_and_figures_read_the_document(tiny_doc, tmp_path):
    found = am.findings(tiny_doc)
    terms = [t for t, _, _ in found]
    # The per-architecture gaps are the tables' (not repeated as findings).
    assert terms == ["Dictionary or encoder on planted sparse features",
                     "The amortisation gap over every case", "The amortisation gap by L0"]
    assert "the dictionary loses more" in found[0][1] or "within noise" in found[0][1] \
        or "the encoder loses more" in found[0][1]
    assert "O'Neill" in found[-2][1]
    (caption, head, rows), = am.tables(tiny_doc)
    assert len(rows) == 4 and all(len(r) == len(head) for r in rows)
    gaps = " ".join(map(str, rows[0][head.index("F1 gap OMP"):]))
    assert any(w in gaps for w in ("the encoder loses", "within noise", "the encoder gains"))
    figs = study_figures(am, tiny_doc, tmp_path)
    assert len(figs) == 1
    assert (tmp_path / "amortisation_gap.png").stat().st_size > 1000


def test_gap_words_follow_the_verdict():
    above = {"difference": _est(0.05, 0.02, 0.08), "verdict": "above"}
    inside = {"difference": _est(0.01, -0.02, 0.04), "verdict": "within noise"}
    assert am._gap_words(above) == "+0.050 [+0.020, +0.080] (the encoder loses)"
    assert am._gap_words(inside).endswith("(within noise)")


def test_quick_profile_targets_and_knobs():
    prof = am.PROFILES["quick"]
    assert am.true_l0(prof, "planted_sparse") == 5.0
    assert am.true_l0(prof, "hierarchical_features") == 3.5
    assert set(prof["knobs"]["relu"]) == set(prof["generators"])
    for table in prof["knobs"]["relu"].values():
        assert set(table) == set(prof["multiples"])
        # The penalty falls as the target L0 rises.
        assert table[0.5] > table[1.0] > table[2.0]
    assert len(prof["seeds"]) >= 3


def test_full_profile_is_configured():
    prof = am.PROFILES["full"]
    assert set(prof["architectures"]) == set(ARCHITECTURES) and len(prof["seeds"]) == 10
    assert prof["knobs"] == {} and set(prof["budget"]) >= set(prof["architectures"])
    assert am.true_l0(prof, "hierarchical_features") == 7.0  # 4 roots x (1 + 0.75)


@pytest.mark.parametrize("kwargs, name", [
    ({"profile": "huge"}, "profile"), ({"seeds": []}, "seeds"), ({"seeds": [-1]}, "seeds"),
    ({"jobs": 0}, "jobs"), ({"generators": ["uniform_cube"]}, "generators"),
    ({"architectures": ["gated"]}, "architectures"), ({"architectures": []}, "architectures"),
])
def test_run_errors_name_the_argument(kwargs, name):
    args = dict(profile=dict(TINY, budget={k: TINY["budget"][k] for k in ("topk", "relu")}))
    args |= kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        am.run(**args)
