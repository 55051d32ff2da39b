"""Tests of the utility study (benchmarks/erasure/utility.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.erasure import utility as ut
from benchmarks.erasure.family import erasure_methods
from benchmarks.profiles import PROFILES as GRID_PROFILES
from benchmarks.study_cli import study_figures

# Small enough for a second per task: d = 6, 4000 fit rows, 600 probe rows, two settings.
TINY = {"grid_profile": "quick", "n_samples": 600, "n_fit": 4000, "n_features": 6,
        "correlations": (0.0, 0.8), "angles": (60.0,), "seeds": (0, 1, 2)}


@pytest.fixture(scope="module")
def doc():
    return ut.run(TINY, jobs=1)


def test_utility_runs_every_eraser_of_the_family_list_and_splince(doc):
    family = [m.name for m in erasure_methods(GRID_PROFILES["quick"])]
    assert doc["erasers"] == family and ut.SPLINCE in family
    n = len(TINY["correlations"]) * len(TINY["seeds"]) * len(doc["erasers"])
    assert len(doc["rows"]) == n
    assert len(doc["summary"]) == n // len(TINY["seeds"])


def test_utility_document_is_json_and_reproducible(doc):
    again = ut.run(TINY, seeds=[0], jobs=1)
    json.dumps(doc)
    first = [r for r in doc["rows"] if r["seed"] == 0]
    for a, b in zip(first, again["rows"], strict=True):
        for key in ut.SCORES:
            assert a[key] == b[key], (a["eraser"], key)


def _rows(doc, eraser, rho):
    return [r for r in doc["rows"] if r["eraser"] == eraser and r["label_correlation"] == rho]


def test_utility_splince_keeps_the_target_covariance_on_fit_rows(doc):
    for rho in TINY["correlations"]:
        for r in _rows(doc, ut.SPLINCE, rho):
            assert abs(r["target_cov_kept_fit"] - 1.0) <= 1e-10, r  # float64 rounding
    # LEACE loses it when the labels correlate (negative control)
    assert max(r["target_cov_kept_fit"] for r in _rows(doc, "leace", 0.8)) < 0.5


def test_utility_identity_keeps_everything_and_erases_nothing(doc):
    for r in _rows(doc, "identity", 0.8):
        assert r["target_accuracy"] == r["target_accuracy_before"]
        assert r["target_cov_kept"] == 1.0 and r["distortion"] == 0.0
        assert r["concept_leakage"] > 0.3  # the concept is readable before erasure


def test_utility_guarded_erasers_leave_no_linear_concept(doc):
    for eraser in ("leace", ut.SPLINCE, "oracle"):
        leak = np.mean([r["concept_leakage"] for r in _rows(doc, eraser, 0.8)])
        assert abs(leak) < 0.05, (eraser, leak)  # 600 test rows: SE of accuracy ~0.02


def test_utility_comparisons_are_paired_verdicts(doc):
    cs = [c for c in doc["comparisons"] if c["a"] == ut.SPLINCE and c["b"] == "leace"]
    assert {c["metric"] for c in cs} == set(ut.SCORES)
    for c in cs + [c for c in doc["comparisons"] if c["b"] == "before"]:
        assert c["test"] == "paired t" and c["verdict"] in ("above", "below", "within noise")
    kept = next(c for c in cs if c["metric"] == "target_cov_kept_fit"
                and c["label_correlation"] == 0.8)
    assert kept["verdict"] == "above"


def test_utility_findings_tables_and_figure_read_the_document(doc, tmp_path):
    found = ut.findings(doc)
    assert len(found) == 2 * len(TINY["correlations"]) + 1
    assert found[-1][0].startswith("SPLINCE's claim")
    terms = " ".join(t for t, _, _ in found)
    assert "SPLINCE against LEACE, rho = 0.8" in terms
    for _, sentence, note in found[:-1]:
        assert "[" in sentence and "95%" in note
    tables = ut.tables(doc)
    assert len(tables) == 2 and len(tables[0][2]) == len(doc["erasers"])
    figs = study_figures(ut, doc, tmp_path)
    assert len(figs) == 1 and (tmp_path / "utility_target_accuracy.png").stat().st_size > 0


def test_utility_jobs_do_not_change_numbers(doc):
    two = ut.run(TINY, seeds=[1], jobs=2)
    one = [r for r in doc["rows"] if r["seed"] == 1]
    assert [r["target_accuracy"] for r in one] == [r["target_accuracy"] for r in two["rows"]]


@pytest.mark.parametrize("profile, match", [("medium", "profile"), ({"n_fit": 3}, "profile")])
def test_utility_refuses_bad_profiles(profile, match):
    with pytest.raises(ValueError, match=match):
        ut.run(profile)


def test_utility_refuses_bad_seeds_and_jobs():
    with pytest.raises(ValueError, match="seeds"):
        ut.run(TINY, seeds=[])
    with pytest.raises(ValueError, match="jobs"):
        ut.run(TINY, jobs=0)
