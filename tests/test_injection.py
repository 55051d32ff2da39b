"""Erasure that injects information: the generator built for it
(generators/injection_concept.py) and the injection reading
(metrics/injection.py: injection_reading, the rule of the erasure family's
does_not_inject check and of the nonlinear-probes study)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from benchmarks.erasure import nonlinear_probes as st
from benchmarks.erasure.checks import does_not_inject
from benchmarks.erasure.family import (
    _injection_metrics,
    aggregate_erasure,
    erasure_methods,
    score_erasure_seed,
)
from benchmarks.profiles import get_profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec
from generators.injection_concept import (
    _bayes_after_matching,
    _bayes_of_mixtures,
    make_injection_concept,
)
from methods.erasure.mean_matching import MeanMatchingEraser
from methods.erasure.qleace import QuadraticLeaceEraser
from metrics.injection import injection_reading
from metrics.probes import PROBE_KINDS

# --- the generator ------------------------------------------------------------------------


def test_generator_is_pure_and_splits_share_structure():
    a = make_injection_concept(500, 8, random_state=3, split=1)
    b = make_injection_concept(500, 8, random_state=3, split=1)
    c = make_injection_concept(500, 8, random_state=3, split=2)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    np.testing.assert_array_equal(a.ground_truth["concept_directions"],
                                  c.ground_truth["concept_directions"])
    assert not np.array_equal(a.X, c.X)
    u = a.ground_truth["concept_directions"][:, 0]
    assert np.linalg.norm(u) == pytest.approx(1.0, abs=1e-12)


def test_class_means_and_bayes_before_match_the_samples():
    data = make_injection_concept(200000, 4, imbalance=0.2, random_state=0)
    truth = data.ground_truth
    # Sample class means: each coordinate has sd <= 1 over 1e5 rows, so +-0.02 is > 6 se.
    for k in (0, 1):
        np.testing.assert_allclose(data.X[data.y == k].mean(axis=0), truth["class_means"][k],
                                   atol=0.02)
    # The Bayes rule "class 0 iff u.(x - m) > 0": its balanced accuracy on 2e5 rows is
    # within 0.005 (> 4 se) of the stated value 0.7.
    u = truth["concept_directions"][:, 0]
    offset = truth["class_means"].mean(axis=0)
    pred = np.where((data.X - offset) @ u > 0, 0, 1)
    acc = np.mean([np.mean(pred[data.y == k] == k) for k in (0, 1)])
    assert truth["bayes_accuracy"] == pytest.approx(0.7, abs=1e-12)
    assert acc == pytest.approx(truth["bayes_accuracy"], abs=0.005)


def test_oracle_leace_interleaves_the_clusters_and_qleace_does_the_same():
    # After translating each class by its own mean, the clusters sit at s(1 - 2a), -s(1 + 2a)
    # (class 0) and s(1 + 2a), -s(1 - 2a) (class 1): the nearest-cluster rule is ~perfect.
    data = make_injection_concept(100000, 4, imbalance=0.2, noise=0.1, random_state=1)
    truth = data.ground_truth
    u = truth["concept_directions"][:, 0]
    erased = MeanMatchingEraser().fit(data.X, data.y).transform(data.X, data.y)
    t = (erased - data.X.mean(axis=0)) @ u
    centres = {0: np.array([0.6, -1.4]), 1: np.array([1.4, -0.6])}
    dist = np.stack([np.abs(t[:, None] - centres[k][None, :]).min(axis=1) for k in (0, 1)])
    acc = np.mean([np.mean(dist.argmin(axis=0)[data.y == k] == k) for k in (0, 1)])
    assert truth["bayes_accuracy_after_oracle_leace"] > 0.9999
    assert acc > 0.999
    # Equal class covariances: QLEACE's maps are the identity up to sampling error (the
    # relative error of a covariance from 5e4 rows, ~sqrt(2 / 5e4) = 0.006, times ~4).
    q = QuadraticLeaceEraser().fit(data.X, data.y)
    for A in q.maps_:
        np.testing.assert_allclose(A, np.eye(4), atol=0.03)


# The trapezoid rule on 20001 points: max(f_0, f_1) has a kink where the densities cross,
# which costs O(h^2 f') ~ 1e-8 at the spacing h ~ 1e-3 used here; 1e-6 is the test's bound.
QUAD_TOL = 1e-6


def test_bayes_quadrature_matches_closed_forms():
    # Two single Gaussians at +-m: balanced Bayes Phi(m / sigma).
    assert _bayes_of_mixtures([1.0], [1.0], [-1.0], [1.0], 0.5) == pytest.approx(
        norm.cdf(2.0), abs=QUAD_TOL)
    # Identical mixtures: 1/2.
    assert _bayes_of_mixtures([1.0, -1.0], [0.3, 0.7], [1.0, -1.0], [0.3, 0.7],
                              0.4) == pytest.approx(0.5, abs=QUAD_TOL)
    # The generator's before-value is the same quadrature at zero shift.
    a, s, sigma = 0.2, 1.0, 0.3
    before = _bayes_of_mixtures([s, -s], [0.5 + a, 0.5 - a], [s, -s], [0.5 - a, 0.5 + a],
                                sigma)
    truth = make_injection_concept(10, 2, imbalance=a, noise=sigma).ground_truth
    assert truth["bayes_accuracy"] == pytest.approx(before, abs=QUAD_TOL)
    assert truth["injection"] == pytest.approx(
        truth["bayes_accuracy_after_oracle_leace"] - truth["bayes_accuracy"])


@pytest.mark.parametrize("a, r", [(0.05, 25.0), (0.45, 60.0), (0.49, 300.0), (0.1, 5.0)])
def test_after_bayes_closed_forms_agree_with_quadrature(a, r):
    # Each branch of `_bayes_after_matching` (independent pairs, isolated outer clusters,
    # quadrature) against the quadrature of all four clusters.
    quad = _bayes_of_mixtures([r * (1 - 2 * a), -r * (1 + 2 * a)], [0.5 + a, 0.5 - a],
                              [r * (1 + 2 * a), -r * (1 - 2 * a)], [0.5 - a, 0.5 + a], 1.0)
    assert _bayes_after_matching(a, r) == pytest.approx(quad, abs=QUAD_TOL)


def test_heavy_noise_blurs_instead_of_injecting():
    # s = sigma, a = 0.25: the per-class shifts (4 a s = sigma) blur more than they separate.
    truth = make_injection_concept(10, 2, imbalance=0.25, spread=1.0, noise=1.0).ground_truth
    assert truth["bayes_accuracy"] == pytest.approx(0.75 * norm.cdf(1) + 0.25 * norm.cdf(-1))
    assert truth["bayes_accuracy_after_oracle_leace"] == pytest.approx(0.567, abs=1e-3)
    assert truth["injection"] < 0


def test_after_bayes_is_exact_at_extreme_ratios():
    # r = 1e12, a = 1e-12: the pairs are 4 sigma wide with equal weights: Phi(2).
    assert _bayes_after_matching(1e-12, 1e12) == pytest.approx(norm.cdf(2.0), abs=1e-12)
    assert _bayes_after_matching(0.25, 1e12) == 1.0
    assert _bayes_after_matching(1e-9, 1e-9) == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize("kwargs, name", [
    ({"imbalance": 0.0}, "imbalance"), ({"imbalance": 0.5}, "imbalance"),
    ({"noise": 0.0}, "noise"), ({"spread": -1.0}, "spread"), ({"n_samples": 1}, "n_samples"),
    ({"n_features": 0}, "n_features")])
def test_generator_refuses_bad_arguments(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        make_injection_concept(**kwargs)


# --- the reading ----------------------------------------------------------------------------


def test_reading_fires_on_a_large_consistent_rise():
    r = injection_reading([0.70, 0.72, 0.69], [0.99, 0.98, 0.99], 500)
    assert r["fires"] and r["comparison"]["verdict"] == "above"
    assert r["rise"] == pytest.approx((0.29 + 0.26 + 0.30) / 3, abs=1e-12)
    assert r["per_seed"] == [True, True, True] and r["rate"]["value"] == 1.0


def test_reading_is_silent_when_nothing_changes_or_accuracy_falls():
    same = injection_reading([0.7, 0.8, 0.75], [0.7, 0.8, 0.75], 500)
    assert not same["fires"] and same["comparison"]["verdict"] == "within noise"
    assert same["rate"]["value"] == 0.0
    fall = injection_reading([0.9, 0.92, 0.91], [0.5, 0.52, 0.49], 500)
    assert not fall["fires"] and fall["comparison"]["verdict"] == "below"


def test_reading_needs_the_rise_beyond_the_sampling_interval_too():
    # A rise of 0.01 on every seed is called by the paired t (tiny spread) but is far inside
    # the sampling interval of two accuracies on 500 rows (99.9%: +-0.10): no injection.
    r = injection_reading([0.50, 0.51, 0.52], [0.51, 0.5201, 0.5299], 500)
    assert r["comparison"]["verdict"] == "above"
    assert r["split_interval"] == pytest.approx(
        norm.ppf(0.9995) * np.sqrt(2 * 0.25 / 500), rel=0.01)
    assert not r["fires"]
    # One seed's large rise among flat ones: beyond its own interval, not over seeds.
    lone = injection_reading([0.6, 0.6, 0.6], [0.95, 0.6, 0.6], 500)
    assert lone["per_seed"] == [True, False, False] and not lone["fires"]


@pytest.mark.parametrize("before, after, n, name", [
    ([0.5, 0.6], [0.5], 100, "before and after"), ([0.5, 1.2], [0.5, 0.5], 100, "before"),
    ([0.5, 0.5], [0.5, -0.1], 100, "after"), ([0.5, 0.5], [0.5, 0.5], 0, "n_test"),
    ([0.5, 0.5], [0.5, 0.5], 10.5, "n_test")])
def test_reading_refuses_bad_input(before, after, n, name):
    with pytest.raises(ValueError, match=name):
        injection_reading(before, after, n)


# --- the reading on fitted erasers ----------------------------------------------------------


@pytest.fixture(scope="module")
def injection_doc():
    prof = {"generators": ("injection_concept", "two_class_gaussian"), "n_probe": 400,
            "n_fit": 20000, "n_features": 6, "seeds": (0, 1, 2)}
    return st.run(prof)


def test_reading_fires_for_per_class_maps_only(injection_doc):
    fired = {(r["generator"], r["eraser"]) for r in injection_doc["injection"] if r["fires"]}
    # On the generator built for it: oracle LEACE (mean matching) and QLEACE inject; LEACE
    # and the oracle projection remove u and everything with it.
    assert ("injection_concept", "oracle_leace") in fired
    assert ("injection_concept", "qleace") in fired
    assert ("injection_concept", "leace") not in fired
    assert ("injection_concept", "oracle") not in fired
    # On a mean shift with shared covariance no eraser leaves anything to read.
    assert not {e for g, e in fired if g == "two_class_gaussian"}
    svm = next(r for r in injection_doc["injection"] if r["generator"] == "injection_concept"
               and r["eraser"] == "oracle_leace" and r["probe"] == "rbf_svm")
    assert svm["fires"] and svm["rate"]["value"] == 1.0 and svm["rise"] > 0.2


# --- the family's does_not_inject check -----------------------------------------------------


def _seed_result(before: float, after: float, n: int = 500) -> dict:
    """One seed of an erasure cell as the check reads it: every probe at ``before`` on the
    raw data and ``after`` on the erased data."""
    return {"probes_before": {p: before for p in PROBE_KINDS},
            "probes": {p: {"balanced_accuracy": after, "chance": 0.5, "n_test": n}
                       for p in PROBE_KINDS}}


def test_check_fails_exactly_when_a_probe_reading_fires():
    rises = _injection_metrics([_seed_result(b, a) for b, a in
                                ((0.70, 0.99), (0.72, 0.98), (0.69, 0.99))])
    assert does_not_inject(rises).passed is False
    reading = injection_reading([0.70, 0.72, 0.69], [0.99, 0.98, 0.99], 500)
    assert rises["injection_margin"]["value"] == pytest.approx(min(
        reading["comparison"]["difference"]["low"],
        reading["rise"] - reading["split_interval"]), abs=1e-12)
    assert rises["injection_mlp"]["value"] == pytest.approx(reading["rise"], abs=1e-12)
    flat = _injection_metrics([_seed_result(b, b) for b in (0.7, 0.8, 0.75)])
    assert does_not_inject(flat).passed is True and flat["injection_margin"]["value"] < 0
    # Records scored before the check (no probes_before), and a single seed: not applicable.
    old = [{k: v for k, v in _seed_result(0.7, 0.99).items() if k != "probes_before"}] * 3
    for results in (old, [_seed_result(0.7, 0.99)]):
        check = does_not_inject({**_injection_metrics(results)})
        assert check.passed and check.rule.startswith("not applicable")


@pytest.mark.parametrize("eraser, fires", [("mean_matching", True), ("leace", False)])
def test_check_fires_on_the_injection_generator_for_oracle_leace_only(eraser, fires):
    # The grid's own scoring, at the quick profile (n_fit 20000), on the generator built for
    # injection with 1000-row probe splits: oracle LEACE (mean matching) leaves the MLP
    # reading more than before (measured +0.29 at 2000 rows, 3 of 3 seeds); LEACE removes u.
    prof = get_profile("quick")
    method = next(m for m in erasure_methods(prof) if m.name == eraser)
    gen = GeneratorSpec("injection_concept", "erasure", make_injection_concept,
                        {"n_samples": 1000, "n_features": 8})
    results = [score_erasure_seed(method, gen, SeedStreams(gen.name, s), prof)
               for s in range(3)]
    assert does_not_inject(aggregate_erasure(results)).passed is (not fires)
