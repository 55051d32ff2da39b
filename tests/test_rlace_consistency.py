"""Tests of the R-LACE solver study (benchmarks/erasure/rlace_consistency.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.erasure import FAMILY
from benchmarks.erasure import rlace_consistency as rc

# Small enough for ~2 s: 2 data seeds x 2 method seeds x 2 solvers on 3000 rows in d = 6.
TINY = {"generators": ("two_class_gaussian",), "data_seeds": (0, 1), "method_seeds": 2,
        "n_fit": 3000, "n_probe": 1000, "n_features": 6,
        "sgd": {"n_steps": 400, "evaluate_every": 100, "lr_projection": 0.05,
                "lr_predictor": 0.05}}


@pytest.fixture(scope="module")
def doc():
    return rc.run(TINY)


def test_study_is_registered_in_the_erasure_family():
    assert "benchmarks.erasure.rlace_consistency" in FAMILY.studies


def test_largest_angle_of_known_subspaces():
    e = np.eye(4)
    assert rc.largest_angle_deg(e[:, :1], e[:, :1]) == pytest.approx(0.0, abs=1e-6)
    assert rc.largest_angle_deg(e[:, :1], e[:, 1:2]) == pytest.approx(90.0)
    tilted = (e[:, 0] + e[:, 1])[:, None] / np.sqrt(2)
    assert rc.largest_angle_deg(e[:, :1], tilted) == pytest.approx(45.0)


def test_pair_stats_of_known_subspaces():
    e = np.eye(3)
    bases = {"a": e[:, :1], "b": e[:, :1], "c": e[:, 1:2]}
    p = rc.pair_stats(bases, [("a", "b"), ("a", "c")])
    assert p["n"] == 2
    assert p["consistency"] == {"mean": pytest.approx(0.5), "min": pytest.approx(0.0)}
    assert p["angle_deg"]["max"] == pytest.approx(90.0)
    assert rc.pair_stats(bases, [])["n"] == 0


def test_document_holds_every_fit_and_is_json(doc):
    g = doc["generators"]["two_class_gaussian"]
    assert len(g["rows"]) == 2 * 2 * 2  # solvers x data seeds x method seeds
    assert {r["solver"] for r in g["rows"]} == set(rc.SOLVERS)
    json.dumps(doc)
    # pairs on the same data: one per data seed with two method seeds
    for solver in rc.SOLVERS:
        assert g["solvers"][solver]["same_data"]["n"] == 2
    assert g["between"]["n"] == 4


def test_fast_solver_is_deterministic_across_method_seeds_sgd_is_not(doc):
    # Two classes, rank 1: the fast solver's start is the class-mean direction, whatever the
    # method seed; SGD starts from a random P and stops near, not at, the same subspace.
    g = doc["generators"]["two_class_gaussian"]
    fast, sgd = g["solvers"]["fast"], g["solvers"]["sgd"]
    assert fast["same_data"]["consistency"]["min"] > 1 - 1e-9
    assert fast["accuracy_spread"]["max"] == 0.0
    assert sgd["same_data"]["consistency"]["min"] < 1 - 1e-6
    # both solvers find the planted direction and agree with each other
    assert fast["truth_consistency"]["min"] > 0.95 and sgd["truth_consistency"]["min"] > 0.9
    assert g["between"]["consistency"]["min"] > 0.9
    assert fast["same_result"]


def test_time_ratio_is_read_from_the_recorded_fit_times(doc):
    # The measured times depend on the machine, so no bar on them here (the study reports
    # them); what is tested is that the document's ratio and extrapolation are made from them.
    g = doc["generators"]["two_class_gaussian"]
    fast, sgd = g["solvers"]["fast"], g["solvers"]["sgd"]
    assert fast["fit_s"]["value"] > 0 and sgd["fit_s"]["value"] > 0
    assert g["time_ratio"] == pytest.approx(sgd["fit_s"]["value"] / fast["fit_s"]["value"])
    assert g["sgd_reference_extrapolated_s"] == pytest.approx(
        sgd["s_per_iter"] * rc.REFERENCE_STEPS)


def test_numbers_do_not_depend_on_the_run(doc):
    again = rc.run(TINY, seeds=[0])
    first = [r for r in doc["generators"]["two_class_gaussian"]["rows"] if r["data_seed"] == 0]
    second = again["generators"]["two_class_gaussian"]["rows"]
    for a, b in zip(first, second, strict=True):
        for key in ("balanced_accuracy", "truth_consistency", "n_iter"):
            assert a[key] == b[key]


def test_findings_state_the_numbers(doc):
    rows = rc.findings(doc)
    terms = [t for t, _, _ in rows]
    assert any(t.startswith("time per fit") for t in terms)
    assert any(t.startswith("the claim") for t in terms)
    g = doc["generators"]["two_class_gaussian"]
    text = " ".join(s for _, s, _ in rows)
    assert f"{g['time_ratio']:.0f}x" in text
    assert f"{g['solvers']['sgd']['same_data']['consistency']['min']:.4f}" in text


def test_figures_are_written(doc, tmp_path):
    figs = rc.figures(doc, tmp_path)
    assert len(figs) == 1
    assert (tmp_path / "rlace_consistency_two_class_gaussian.png").stat().st_size > 1000


@pytest.mark.parametrize("kwargs, name", [
    (dict(profile="nope"), "profile"), (dict(profile={"n_fit": 3}), "profile"),
    (dict(profile=TINY, seeds=[]), "seeds"), (dict(profile=TINY, seeds=[-1]), "seeds"),
    (dict(profile=TINY, jobs=0), "jobs"),
    (dict(profile={**TINY, "method_seeds": 1}), "method_seeds"),
    (dict(profile={**TINY, "generators": ("xor",)}), "generators"),
])
def test_bad_arguments_raise_naming_them(kwargs, name):
    with pytest.raises(ValueError, match=name):
        rc.run(**kwargs)


def test_build_solver_refuses_unknown_solver():
    with pytest.raises(ValueError, match="solver"):
        rc.build_solver("adam", 1, np.random.SeedSequence(0), TINY)
