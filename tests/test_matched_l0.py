"""Tests of the matched-L0 architecture study (benchmarks/sparse/matched_l0.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given

from benchmarks.sparse import matched_l0 as ml
from benchmarks.study_cli import study_figures
from generators.hierarchical_features import make_hierarchical_features
from methods.sparse.relu_sae import ReluSAE
from metrics.dictionary_similarity import mean_l0
from tests.bad_inputs import bad_reals, bad_scalars

# A problem small enough to fit in ~0.05 s: 4 roots x (1 + 3) = 16 features in d = 8.
TINY = {
    "generator": {"n_features": 8, "n_roots": 4, "branching": 3, "depth": 2,
                  "mean_active_roots": 1.5},
    "n_train": 1024, "n_heldout": 512, "m": 16, "seeds": (0,),
    "budget": {name: {"n_steps": 60, "batch_size": 128, "learning_rate": 1e-2}
               for name in ml.ARCHITECTURES},
}


def _est(value, low, high, n=3):
    return {"value": value, "low": low, "high": high, "n": n, "confidence": 0.95}


# --- knobs and calibration ------------------------------------------------------------------


@pytest.mark.parametrize("target, k", [(1.75, 2), (3.5, 4), (2.5, 2), (7.0, 7), (0.3, 1),
                                       (np.float64(5.2), 5)])
def test_k_family_knob_is_rounded_target(target, k):
    assert ml.k_for_target(target) == k


def test_quick_targets_are_the_expected_l0_multiples_and_k_maps_them():
    expected, targets = ml.targets_for(ml.PROFILES["quick"])
    # 2 active roots on average, each with 3 children firing at 0.25: 2 (1 + 0.75) = 3.5.
    assert expected == 3.5
    assert targets == [1.75, 3.5, 7.0]
    assert [ml.k_for_target(t) for t in targets] == [2, 4, 7]


@given(bad_scalars())
def test_k_for_target_refuses_bad_targets(case):
    _, value = case
    with pytest.raises((ValueError, TypeError), match="target"):
        ml.k_for_target(value)


def test_calibration_finds_a_monotone_target_and_reuses_history():
    calls = []

    def l0_of(knob, j):  # L0 = 10 knob^-0.7: falls as the penalty grows
        calls.append((knob, j))
        return 10.0 * knob**-0.7

    history = []
    a = ml.calibrate_knob(l0_of, 3.0, start=0.1, history=history)
    assert a["within_tolerance"] and abs(a["l0"] / 3.0 - 1) <= ml.TOLERANCE
    assert a["runs"] == len(history) <= ml.MAX_RUNS
    assert [j for _, j in calls] == list(range(len(calls)))  # stream index = fit index
    n_before = len(history)
    b = ml.calibrate_knob(l0_of, 6.0, start=0.1, history=history)
    assert b["within_tolerance"] and abs(b["l0"] / 6.0 - 1) <= ml.TOLERANCE
    # The bracket from the first search makes the second one short: log-log is exact here.
    assert b["runs"] <= 2 and len(history) == n_before + b["runs"]


def test_calibration_handles_noise_that_inverts_the_bracket():
    # Knobs 1 and 2 give L0 5 and 7 (noise): the bracket is inverted, so the search takes
    # the geometric mean of the two knobs next.
    history = [(1.0, 5.0), (2.0, 7.0)]
    assert ml._next_knob(history, 6.0, 1.0, 3.0) == pytest.approx(math.sqrt(2.0))


def test_calibration_reports_failure_when_the_target_is_unreachable():
    r = ml.calibrate_knob(lambda knob, j: 2.0, 10.0, start=1.0, max_runs=4)
    assert not r["within_tolerance"] and r["runs"] == 4 and r["l0"] == 2.0


def test_calibration_reaches_target_on_a_tiny_sae_problem():
    train = make_hierarchical_features(1024, **TINY["generator"], random_state=3, split=0)
    test = make_hierarchical_features(512, **TINY["generator"], random_state=3, split=1)

    def l0_of(knob, j):
        est = ReluSAE(16, l1_coeff=knob, n_steps=150, batch_size=128, learning_rate=1e-2,
                      random_state=j).fit(train.X)
        return mean_l0(est.transform(test.X))

    target = 2.0
    r = ml.calibrate_knob(l0_of, target, start=0.1)
    assert r["within_tolerance"], r
    assert abs(r["l0"] / target - 1) <= ml.TOLERANCE
    assert 0.0 < r["knob"] and 1 <= r["runs"] <= ml.MAX_RUNS


@pytest.mark.parametrize("kwargs, name", [
    ({"target": 0.0}, "target"), ({"target": float("nan")}, "target"),
    ({"start": -1.0}, "start"), ({"tolerance": 1.5}, "tolerance"),
    ({"max_runs": 0}, "max_runs"), ({"max_runs": 2.0}, "max_runs"),
    ({"factor": 1.0}, "factor"),
])
def test_calibration_errors_name_the_argument(kwargs, name):
    args = dict(target=2.0, start=0.1) | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        ml.calibrate_knob(lambda k, j: 1.0, **args)


@given(bad_reals())
def test_calibration_refuses_non_real_targets(case):
    _, value = case
    with pytest.raises((ValueError, TypeError), match="target"):
        ml.calibrate_knob(lambda k, j: 1.0, value, start=0.1)


# --- ordering -------------------------------------------------------------------------------


def test_ordering_sorts_best_first_and_separates_disjoint_intervals():
    o = ml.order_architectures({"a": _est(0.8, 0.7, 0.9), "b": _est(0.95, 0.93, 0.97),
                                "c": _est(0.5, 0.4, 0.6)}, higher_is_better=True)
    assert [x["architecture"] for x in o["order"]] == ["b", "a", "c"]
    assert [x["rank"] for x in o["order"]] == [1, 2, 3]
    assert o["top"] == "b" and o["second"] == "a" and o["separated"] is True


def test_ordering_lower_is_better_and_overlap_is_not_separated():
    o = ml.order_architectures({"a": _est(0.10, 0.05, 0.15), "b": _est(0.12, 0.10, 0.20)},
                               higher_is_better=False)
    assert o["top"] == "a" and o["separated"] is False
    # Touching intervals count as overlapping.
    t = ml.order_architectures({"a": _est(0.1, 0.0, 0.2), "b": _est(0.3, 0.2, 0.4)}, False)
    assert t["top"] == "a" and t["separated"] is False


def test_ordering_ties_share_a_rank_and_are_not_separated():
    o = ml.order_architectures({"z": _est(0.9, 0.9, 0.9), "a": _est(0.9, 0.9, 0.9),
                                "m": _est(0.5, 0.5, 0.5)}, True)
    assert [x["architecture"] for x in o["order"]] == ["a", "z", "m"]  # ties by name
    assert [x["rank"] for x in o["order"]] == [1, 1, 3]
    assert o["separated"] is False


def test_ordering_single_seed_and_missing_metrics():
    o = ml.order_architectures({"a": _est(0.9, 0.9, 0.9, n=1), "b": _est(0.1, 0.1, 0.1, n=1),
                                "c": None}, True)
    assert o["separated"] is None and o["missing"] == ["c"]
    assert ml.order_architectures({"a": _est(1, 0, 2)}, True)["separated"] is None


@pytest.mark.parametrize("estimates, higher, name", [
    ([_est(1, 0, 2)], True, "estimates"),
    ({"a": {"value": 1.0}}, True, "estimates"),
    ({"a": _est(float("nan"), 0, 1)}, True, "estimates"),
    ({"a": _est(1, 0, 2)}, "yes", "higher_is_better"),
])
def test_ordering_errors_name_the_argument(estimates, higher, name):
    with pytest.raises(ValueError, match=name):
        ml.order_architectures(estimates, higher)


def test_claim_status_cases():
    def status(values, higher=True):
        return ml.claim_status(ml.order_architectures(values, higher))

    m_top = {"matryoshka": _est(0.9, 0.85, 0.95), "topk": _est(0.7, 0.65, 0.75)}
    assert status(m_top) == "holds"
    assert status({"matryoshka": _est(0.9, 0.8, 1.0), "topk": _est(0.85, 0.8, 0.9)}) \
        == "top, not separated"
    assert status({"matryoshka": _est(0.8, 0.7, 0.9), "topk": _est(0.85, 0.8, 0.9)}) \
        == "not separated from the top"
    assert status({"matryoshka": _est(0.5, 0.45, 0.55), "topk": _est(0.85, 0.8, 0.9)}) \
        == "does not hold"
    # Lower is better (absorption): the smaller value is the top.
    assert status({"matryoshka": _est(0.5, 0.45, 0.55), "topk": _est(0.85, 0.8, 0.9)},
                  higher=False) == "holds"
    assert status({"topk": _est(0.85, 0.8, 0.9)}) == "not measured"


# --- the document ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_doc():
    return ml.run(TINY, seeds=[0], architectures=["topk", "jumprelu"], multiples=(1.0,))


def test_document_has_its_shape(tiny_doc):
    doc = tiny_doc
    assert doc["study"] == "matched_l0" and doc["seeds"] == [0]
    assert doc["architectures"] == ["topk", "jumprelu"] and doc["targets"] == [2.625]
    assert len(doc["rows"]) == 2 and len(doc["summary"]) == 2
    assert len(doc["ordering"]) == len(ml.ORDERED)
    rows = {r["architecture"]: r for r in doc["rows"]}
    assert rows["topk"]["knob"] == 3 and rows["topk"]["calibration"] is None
    cal = rows["jumprelu"]["calibration"]
    assert cal["runs"] >= 1 and cal["target"] == 2.625 and cal["knob"] == rows["jumprelu"]["knob"]
    for r in doc["rows"]:
        assert 0 < r["l0"] <= 16 and 0 <= r["mcc"] <= 1 and 0 <= r["f1"] <= 1
        assert r["l0_ratio"] == pytest.approx(r["l0"] / 2.625)
        assert 0 <= r["dead_fraction"] <= 1 and r["fvu"] < 1
    for s in doc["summary"]:
        assert s["mcc"]["n"] == 1 and s["mcc"]["low"] == s["mcc"]["value"]
    for o in doc["ordering"]:
        assert {x["architecture"] for x in o["order"]} | set(o["missing"]) == {"topk",
                                                                                "jumprelu"}
        assert o["separated"] is None or (o["separated"] is False and len(o["order"]) == 2)
    json.dumps(doc, allow_nan=False)  # JSON-able, no NaN


def test_document_is_reproducible(tiny_doc):
    again = ml.run(TINY, seeds=[0], architectures=["topk"], multiples=(1.0,))
    first = next(r for r in tiny_doc["rows"] if r["architecture"] == "topk")
    assert again["rows"][0]["mcc"] == first["mcc"] and again["rows"][0]["l0"] == first["l0"]


def test_workers_give_the_same_numbers(tiny_doc):
    # One task (spawning a worker costs seconds): the same numbers as in this process.
    doc = ml.run(TINY, seeds=[0], architectures=["jumprelu"], multiples=(1.0,), jobs=2)
    for a, b in zip(doc["rows"], tiny_doc["rows"][1:], strict=True):
        assert (a["architecture"], a["knob"], a["mcc"], a["l0"]) == \
            (b["architecture"], b["knob"], b["mcc"], b["l0"])


def test_findings_and_figures_from_the_document(tiny_doc, tmp_path):
    found = ml.findings(tiny_doc)
    terms = [t for t, _, _ in found]
    assert "MCC at 1x the true L0 (2.62)" in terms
    assert found[-1][0].startswith("Matryoshka at matched L0")
    assert "not measured" in found[-1][1] or "rank" in found[-1][1]
    mcc = next(s for t, s, _ in found if t.startswith("MCC"))
    assert "topk" in mcc and "jumprelu" in mcc and "not assessable" in mcc
    figs = study_figures(ml, tiny_doc, tmp_path)
    assert len(figs) == 3
    for caption, path in figs:
        assert caption and (tmp_path / path.split("/")[-1]).stat().st_size > 1000


@pytest.mark.parametrize("kwargs, name", [
    ({"profile": "huge"}, "profile"), ({"seeds": []}, "seeds"), ({"seeds": [-1]}, "seeds"),
    ({"jobs": 0}, "jobs"), ({"architectures": ["relu", "nope"]}, "architectures"),
    ({"architectures": []}, "architectures"), ({"multiples": (0.0,)}, "multiples"),
    ({"multiples": ()}, "multiples"), ({"multiples": (1.0, 1.0)}, "multiples"),
])
def test_run_errors_name_the_argument(kwargs, name):
    args = dict(profile=TINY) | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        ml.run(**args)


def test_full_profile_is_configured():
    prof = ml.PROFILES["full"]
    expected, targets = ml.targets_for(prof)
    # 20 active roots of 4096, each with 3 children at 0.25: 20 (1 + 0.75) = 35.
    assert expected == 35.0 and targets == [17.5, 35.0, 70.0]
    assert [ml.k_for_target(t) for t in targets] == [18, 35, 70]
    assert prof["m"] == 4096 * 4 and prof["generator"]["n_features"] == 768
    assert set(prof["budget"]) == set(ml.ARCHITECTURES)


def test_scored_and_calibration_streams_are_distinct():
    scored = {ml.scored_stream(x) for x in ml.TARGET_MULTIPLES}
    assert scored == {500, 1000, 2000}
    assert min(scored) >= 0 and max(scored) < ml.CALIBRATION_STREAM


# --- the paired comparison over shared seeds (metrics.noise_floor) --------------------------


def test_ordering_paired_calls_what_overlapping_intervals_miss():
    # Seed-to-seed spread of the data (0.70..0.90) makes the intervals overlap; b is above
    # a by 0.02-0.04 on every seed: paired over the shared seeds, the top is separated.
    a = {0: 0.70, 1: 0.80, 2: 0.90}
    b = {s: v + d for (s, v), d in zip(a.items(), (0.02, 0.04, 0.03), strict=True)}
    est = {"a": _est(0.80, 0.55, 1.05), "b": _est(0.83, 0.58, 1.08)}
    assert ml.order_architectures(est, True)["separated"] is False
    o = ml.order_architectures(est, True, per_seed={"a": a, "b": b})
    assert o["paired"] and o["top"] == "b" and o["separated"] is True
    vs = o["order"][1]["vs_top"]
    assert vs["verdict"] == "above" and vs["n_shared"] == 3
    assert vs["difference"]["value"] == pytest.approx(0.03)
    assert o["order"][0]["vs_next"] == vs


def test_ordering_paired_within_noise_is_not_separated():
    # Disjoint-looking intervals, but the per-seed differences change sign: within noise.
    a = {0: 0.80, 1: 0.90, 2: 0.85}
    b = {0: 0.86, 1: 0.84, 2: 0.95}
    est = {"a": _est(0.85, 0.84, 0.86), "b": _est(0.883, 0.87, 0.90)}
    assert ml.order_architectures(est, True)["separated"] is True
    o = ml.order_architectures(est, True, per_seed={"a": a, "b": b})
    assert o["separated"] is False and o["order"][1]["vs_top"]["verdict"] == "within noise"
    # Lower is better: a is the top, still within noise.
    low = ml.order_architectures(est, False, per_seed={"a": a, "b": b})
    assert low["top"] == "a" and low["separated"] is False


def test_ordering_paired_needs_two_shared_seeds():
    o = ml.order_architectures({"a": _est(0.9, 0.8, 1.0), "b": _est(0.5, 0.4, 0.6)}, True,
                               per_seed={"a": {0: 0.9, 1: 0.9}, "b": {1: 0.5, 2: 0.5}})
    assert o["separated"] is None and o["order"][1]["vs_top"] is None


def test_claim_status_paired():
    seeds = {"matryoshka": {0: 0.70, 1: 0.80, 2: 0.90},
             "topk": {0: 0.72, 1: 0.83, 2: 0.93}}  # topk above on every seed
    est = {"matryoshka": _est(0.80, 0.55, 1.05), "topk": _est(0.827, 0.57, 1.08)}
    assert ml.claim_status(ml.order_architectures(est, True)) == "not separated from the top"
    assert ml.claim_status(ml.order_architectures(est, True, seeds)) == "does not hold"
    assert ml.claim_status(ml.order_architectures(est, False, seeds)) == "holds"


def test_findings_join_neighbours_by_the_paired_verdict():
    rows = [{"architecture": n, "seed": s, "target_multiple": 1.0, "mcc": v, "l0": 3.5}
            for n, vals in (("a", (0.70, 0.80, 0.90)), ("b", (0.72, 0.84, 0.93)),
                            ("c", (0.73, 0.82, 0.96))) for s, v in enumerate(vals)]
    summary = [{"architecture": n, "target_multiple": 1.0, "target_l0": 3.5,
                **{m: ml.seed_interval([r[m] for r in rows if r["architecture"] == n])
                   for m in ("mcc", "l0")},
                **{m: None for m in ml.ORDERED if m != "mcc"}} for n in "abc"]
    doc = {"summary": summary, "ordering": ml.orderings(summary, rows), "seeds": [0, 1, 2],
           "architectures": ["a", "b", "c"]}
    mcc = next(s for t, s, _ in ml.findings(doc) if t.startswith("MCC"))
    # c 0.837 vs b 0.830: differences +0.01, -0.02, +0.03 (within noise); b vs a: called.
    assert mcc.startswith("c 0.84") and " ≈ b 0.83" in mcc and " > a 0.80" in mcc
    assert "paired over the shared seeds: +0.007 [" in mcc and "within noise" in mcc
