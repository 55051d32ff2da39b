"""Tests for metrics.probes: every probe learns what it can see and reports its chance."""

import numpy as np
import pytest

from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.two_class_gaussian import make_two_class_gaussian
from generators.xor_concept import make_xor_concept
from metrics.probes import PROBE_KINDS, ProbeScore, make_probe, score_probe

N, D = 2000, 16
# Held-out balanced accuracy on 2000 rows: standard error <= 0.011 (at chance); the
# probes' own estimation error on 2000 training rows in 16 dims adds about as much.
# 0.04 is about 3.5 of the combined errors.
ACCURACY_TOL = 0.04


def splits(make, n=N, **kwargs):
    return [make(n, D, random_state=0, split=s, **kwargs) for s in (0, 1)]


def score(name, train, test, seed=3):
    return score_probe(name, train.X, train.y, test.X, test.y, np.random.SeedSequence(seed))


@pytest.fixture(scope="module")
def gaussian():
    return splits(make_two_class_gaussian)


@pytest.mark.parametrize("name", list(PROBE_KINDS))
def test_probe_reaches_bayes_accuracy_on_gaussian(gaussian, name):
    train, test = gaussian
    result = score(name, train, test)
    bayes = train.ground_truth["bayes_accuracy"]  # Phi(1) = 0.841
    assert result.chance == 0.5 and result.n_test == N
    assert abs(result.balanced_accuracy - bayes) <= ACCURACY_TOL, result
    assert result.leakage == pytest.approx(result.balanced_accuracy - 0.5)


def test_probes_on_xor_linear_blind_nonlinear_sees():
    train, test = splits(make_xor_concept)
    bayes = train.ground_truth["bayes_accuracy"]  # 0.9991 at noise 0.3
    linear_best = train.ground_truth["best_linear_accuracy"]  # 0.75: one cluster cut off
    assert abs(score("logistic", train, test).balanced_accuracy - 0.5) <= ACCURACY_TOL
    assert abs(score("zero_one", train, test).balanced_accuracy - linear_best) <= ACCURACY_TOL
    for name in ("mlp", "qda"):
        assert score(name, train, test).balanced_accuracy >= bayes - ACCURACY_TOL, name


def test_probe_chance_levels_multiclass():
    train, test = splits(make_multiclass_gaussian, n=500)
    assert score("logistic", train, test).chance == 0.25  # 1 / K
    assert score("zero_one", train, test).chance == 0.5  # one-vs-rest


def test_probe_is_deterministic_given_seed(gaussian):
    train, test = gaussian
    assert score("mlp", train, test, seed=5) == score("mlp", train, test, seed=5)


def test_make_probe_rejects_unknown_name():
    with pytest.raises(ValueError, match="probe name must be one of"):
        make_probe("svm", np.random.SeedSequence(0))


def test_probe_score_leakage_is_accuracy_minus_chance():
    assert ProbeScore("x", 0.8, 0.25, 10).leakage == pytest.approx(0.55)
