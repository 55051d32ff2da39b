"""CCS: its objective, its optimiser, the control it must pass and the data it cannot solve."""

import numpy as np
import pytest
from scipy.optimize import check_grad, minimize

from floor.contrast_pairs import PairNormalizer, ccs_objective
from generators.onehot_facts import make_onehot_facts
from generators.single_truth import make_single_truth
from methods.truth.ccs import CCS
from methods.truth.pairs import stack_pairs
from metrics.ccs_loss import ccs_loss, min_ccs_loss_along
from metrics.direction_count import count_distinct_directions
from metrics.labels_needed import labels_needed
from metrics.truth_accuracy import pair_accuracy, random_truthlike_summary, sign_agnostic_accuracy

# Finite-difference gradient error at step sqrt(eps) on O(1) losses is about 1e-7.
GRAD_TOL = 1e-6
# Bar: every sign pattern's CCS loss is within this of the truth's (at the same norm).
EQUAL_LOSS_TOL = 1e-6
# Norm at which directions are compared on +-one-hot facts: the loss of a sign pattern at
# norm a is about exp(-a (1 - |m|) / sqrt(d)) squared, m <= 0.4 the side-mean offset, so
# a = 100 at d = 64 gives losses near 1e-9, far below EQUAL_LOSS_TOL.
COMPARE_NORM = 100.0


def _small_pairs(seed=0, n=40, d=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, d))


def _X(ds):
    return stack_pairs(ds.X_pos, ds.X_neg)


def test_ccs_objective_matches_definition():
    Xp, Xn = _small_pairs()
    w = np.array([0.3, -0.2, 0.5, 0.1, -0.4, 0.05])
    pp = 1 / (1 + np.exp(-(Xp @ w[:-1] + w[-1])))
    pn = 1 / (1 + np.exp(-(Xn @ w[:-1] + w[-1])))
    expected = np.mean((pp - (1 - pn)) ** 2) + np.mean(np.minimum(pp, pn) ** 2)
    loss, _ = ccs_objective(w[:, None], Xp, Xn)
    assert loss[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_ccs_objective_gradient(l2):
    Xp, Xn = _small_pairs(1)
    for w in np.random.default_rng(2).normal(size=(5, 6)):
        err = check_grad(lambda v: ccs_objective(v[:, None], Xp, Xn, l2)[0][0],
                         lambda v: ccs_objective(v[:, None], Xp, Xn, l2)[1][:, 0], w)
        assert err < GRAD_TOL


def test_constant_probe_loss():
    # A probe at 0.5 everywhere: consistency 0, confidence 0.25.
    Xp, Xn = _small_pairs()
    assert ccs_objective(np.zeros((6, 1)), Xp, Xn)[0][0] == pytest.approx(0.25)


def test_ccs_lbfgs_reaches_local_minima_as_good_as_scipy():
    """Each restart ends at a local minimum (scipy cannot polish it), as low as scipy's."""
    ds = make_single_truth(300, n_features=10, noise=1.5, random_state=0)
    m = CCS(n_restarts=3, random_state=0).fit(_X(ds))
    Zp, Zn = m.normalizer_.transform(ds.X_pos, ds.X_neg)

    def fun(v):
        loss, grad = ccs_objective(v[:, None], Zp, Zn)
        return loss[0], grad[:, 0]

    tight = {"gtol": 1e-9, "ftol": 1e-15, "maxiter": 5000}
    bound = 1 / np.sqrt(Zp.shape[1])
    scipy_best = np.inf
    for r, child in enumerate(np.random.default_rng(0).spawn(3)):
        polished = minimize(fun, m.restart_coefs_[r], jac=True, method="L-BFGS-B",
                            options=tight)
        # The optimiser stops when its gradient is below tol = 1e-6; a quadratic model
        # then leaves at most about tol^2 / curvature (1e-9 here) to gain.
        assert m.losses_[r] - polished.fun < 1e-9
        w0 = child.uniform(-bound, bound, Zp.shape[1] + 1)
        res = minimize(fun, w0, jac=True, method="L-BFGS-B", options=tight)
        scipy_best = min(scipy_best, res.fun)
    # The min term makes the loss piecewise smooth with many near-equal local minima (here
    # within 2e-6 of each other), so the same start may end in a neighbouring one.
    assert m.loss_ <= scipy_best + 1e-5


def test_ccs_restarts_are_independent():
    ds = make_onehot_facts(200, n_facts=16, noise=0.05, random_state=1)
    one = CCS(n_restarts=1, random_state=4).fit(_X(ds))
    many = CCS(n_restarts=5, random_state=4).fit(_X(ds))
    # Restart 0 draws from the same child stream; only BLAS rounding may differ.
    np.testing.assert_allclose(many.restart_coefs_[0], one.restart_coefs_[0], rtol=1e-6,
                               atol=1e-8)


def test_ccs_records_every_restart():
    ds = make_onehot_facts(200, n_facts=16, random_state=0)
    m = CCS(n_restarts=4, random_state=0).fit(_X(ds))
    assert m.losses_.shape == (4,) and m.n_iter_.shape == (4,)
    assert m.restart_directions_.shape == m.init_directions_.shape == (4, 16)
    assert m.restart_coefs_.shape == (4, 17)
    assert m.loss_ == m.losses_.min() == m.losses_[m.best_restart_]
    np.testing.assert_array_equal(m.direction_, m.restart_directions_[m.best_restart_])
    np.testing.assert_allclose(np.linalg.norm(m.restart_directions_, axis=1), 1.0)
    p = m.predict_proba(_X(ds))[:, 1]
    np.testing.assert_allclose(m.restart_predict_proba(_X(ds))[m.best_restart_], p)


@pytest.mark.parametrize("kwargs", [{}, {"solver": "adam", "max_iter": 300},
                                    {"normalize": "std"}, {"l2": 0.01},
                                    {"predict_normalization": "batch"}])
def test_ccs_finds_the_single_truth(kwargs):
    """Positive control: with one consistent direction, CCS must find it."""
    tr = make_single_truth(400, n_features=32, random_state=2)
    te = make_single_truth(400, n_features=32, random_state=2, split=1)
    m = CCS(n_restarts=3, random_state=0, **kwargs).fit(_X(tr))
    acc = sign_agnostic_accuracy(m.predict_proba(_X(te))[:, 1], te.y)
    assert acc >= 0.9
    assert abs(m.direction_ @ tr.ground_truth["true_direction"]) > 0.95


def test_every_sign_pattern_is_as_good_as_the_truth():
    """Farquhar et al. Thm 1 on +-one-hot facts, d = 64, no noise."""
    ds = make_onehot_facts(640, n_facts=64, noise=0.0, random_state=0)
    u = ds.ground_truth["true_direction"]
    true_loss = ccs_loss(COMPARE_NORM * u, ds.X_pos, ds.X_neg)
    rng = np.random.default_rng(0)
    patterns = rng.choice([-1.0, 1.0], size=(20, 64)) / 8.0
    losses = [ccs_loss(COMPARE_NORM * c, ds.X_pos, ds.X_neg) for c in patterns]
    assert true_loss < EQUAL_LOSS_TOL
    assert np.max(np.abs(np.array(losses) - true_loss)) < EQUAL_LOSS_TOL
    best_true = min_ccs_loss_along(u, ds.X_pos, ds.X_neg, max_norm=COMPARE_NORM)[0]
    best_random = [min_ccs_loss_along(c, ds.X_pos, ds.X_neg, max_norm=COMPARE_NORM)[0]
                   for c in patterns[:5]]
    assert np.max(np.abs(np.array(best_random) - best_true)) < EQUAL_LOSS_TOL


def test_ccs_on_onehot_facts_finds_arbitrary_truthlike_directions():
    """Every restart reaches a perfect loss, each at a different sign pattern."""
    ds = make_onehot_facts(640, n_facts=64, noise=0.0, random_state=0)
    te = make_onehot_facts(640, n_facts=64, noise=0.0, random_state=0, split=1)
    m = CCS(random_state=0).fit(_X(ds))
    assert np.all(m.losses_ < 1e-4)
    assert count_distinct_directions(m.restart_directions_) == 10
    acc = sign_agnostic_accuracy(m.predict_proba(_X(te))[:, 1], te.y)
    ref = random_truthlike_summary(te.ground_truth["fact_counts"])
    # Within 4 sd of a random truth-like direction's sign-agnostic score (0.550 +- 0.038).
    assert abs(acc - ref["sign_agnostic_mean"]) < 4 * ref["sign_agnostic_std"]


def test_pair_normalizer_per_side():
    Xp, Xn = _small_pairs()
    Zp, Zn = PairNormalizer("std").fit_transform(Xp + 3, Xn - 2)
    np.testing.assert_allclose(Zp.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(Zn.std(0), 1)
    with pytest.raises(ValueError, match="normalize"):
        PairNormalizer("zscore").fit(Xp, Xn)


@pytest.mark.parametrize("make, expected", [(make_single_truth, {0.0, 1.0}),
                                            (make_onehot_facts, {np.inf})])
def test_labels_needed_to_pick_among_ccs_restarts(make, expected):
    """Control: at most one label (the sign). One-hot facts: no restart is the truth."""
    tr, lab, te = (make(640, random_state=1, split=s) for s in (0, 2, 1))
    m = CCS(random_state=1).fit(_X(tr))
    order = np.argsort(m.losses_)
    acc = np.array([pair_accuracy(p, te.y) for p in m.restart_predict_proba(_X(te))])
    P = m.restart_predict_proba(_X(lab))
    assert labels_needed(P[order], lab.y, acc[order]) in expected
