"""Tests of `methods.sparse.matching_pursuit_sae`: the pursuit's closed forms, the
gradient through the unrolled steps, the stop rules, recovery, errors. The equality with
SAELens's own matching-pursuit SAE is in tests/adapters/test_saelens_matching_pursuit.py."""

import numpy as np
import pytest

from methods.sparse.matching_pursuit_sae import (
    MatchingPursuitSAE,
    _MatchingPursuitModel,
    matching_pursuit,
)
from methods.sparse.sae_training import augment_with_ones
from tests.sae_helpers import (
    GRAD_ATOL,
    MCC_MIN,
    NORM_ATOL,
    QUICK_BUDGET,
    batch_loss,
    finite_differences,
    quick_planted,
    scores,
    unit_rows,
)

# float64 pursuit: each step's correlations r . w_i carry rounding of a few ulps of |x|.
PURSUIT_ATOL = 1e-12


def _pursue(X, W, k, threshold=0.0, stop_on_duplicate=True, history=False):
    n, m = X.shape[0], W.shape[0]
    codes, S = np.empty((n, m)), np.empty((n, m))
    hist = None
    if history:
        hist = np.empty((k + 1,) + X.shape)
        hist[0] = X
    r, steps = matching_pursuit(X.copy(), W, k, threshold, stop_on_duplicate, codes, S, hist)
    return codes, r, steps, hist


def _fitted(W, b_dec, **params):
    """A MatchingPursuitSAE with the given atoms and bias (fitted briefly, then set)."""
    m, d = W.shape
    rng = np.random.default_rng(0)
    est = MatchingPursuitSAE(m, n_steps=1, batch_size=4, **params).fit(
        rng.standard_normal((8, d)))
    est.components_, est.decoder_bias_ = W.copy(), b_dec.copy()
    return est


@pytest.mark.parametrize("k", [1, 3, 8])
def test_orthonormal_codes_are_the_k_largest_positive_projections(k):
    # With orthonormal atoms a step removes one projection and leaves the others as they
    # were, so k steps keep the k largest positive projections p = (x - b_dec) W^T
    # (fewer where fewer are positive; codes are nonnegative, as in SAELens).
    rng = np.random.default_rng(0)
    d = 8
    W = np.linalg.qr(rng.standard_normal((d, d)))[0].T
    X = rng.standard_normal((500, d))
    est = _fitted(W, np.zeros(d), k=k, residual_threshold=0.0)
    P = X @ W.T
    expected = np.zeros_like(P)
    top = np.argsort(-P, axis=1)[:, :k]
    vals = np.take_along_axis(P, top, axis=1)
    np.put_along_axis(expected, top, np.maximum(vals, 0.0), axis=1)
    assert np.any((P > 0).sum(axis=1) < k) or k == 1, "want rows with fewer positives"
    np.testing.assert_allclose(est.transform(X), expected, atol=PURSUIT_ATOL)


def test_pursuit_removes_exactly_v_squared_per_step():
    # ||r - v w||^2 = ||r||^2 - v^2 for a unit atom w and v = r . w: the error never grows.
    rng = np.random.default_rng(1)
    W = unit_rows(rng, 20, 6)
    X = rng.standard_normal((50, 6))
    codes, _, steps, hist = _pursue(X, W, 6, stop_on_duplicate=False, history=True)
    sq = np.einsum("tnd,tnd->tn", hist[: len(steps) + 1], hist[: len(steps) + 1])
    for t, (_, v, _) in enumerate(steps):
        np.testing.assert_allclose(sq[t] - sq[t + 1], v**2, atol=PURSUIT_ATOL)
    assert np.all(codes >= 0) and np.all((codes > 0).sum(axis=1) <= 6)


def test_without_stop_rules_pursuit_converges_to_the_exact_coefficients():
    # x = 0.7 w1 + 0.4 w2 with atoms 120 degrees apart: after each step the residual is
    # orthogonal to the atom just used and positively correlated with the other, so the
    # pursuit alternates and the residual shrinks by cos^2(120) = 1/4 per step: 200 steps
    # reach the coefficients to rounding. The duplicate-support rule stops at the first
    # re-selection (step 3): both atoms, a residual left.
    w1, w2 = np.array([1.0, 0.0]), np.array([-0.5, np.sqrt(3) / 2])
    W = np.stack([w1, w2])
    x = (0.7 * w1 + 0.4 * w2)[None]
    codes, r, _, _ = _pursue(x, W, 200, stop_on_duplicate=False)
    np.testing.assert_allclose(codes, [[0.7, 0.4]], atol=PURSUIT_ATOL)
    codes, r, steps, _ = _pursue(x, W, 200, stop_on_duplicate=True)
    assert len(steps) == 3 and np.all(codes > 0)
    assert np.linalg.norm(r) > 0.01
    # The residual rule stops a row as soon as its residual is below the threshold.
    _, r, steps, _ = _pursue(x, W, 200, threshold=0.05, stop_on_duplicate=False)
    assert np.linalg.norm(r) < 0.05
    _, r_prev, _, _ = _pursue(x, W, len(steps) - 1, stop_on_duplicate=False)
    assert np.linalg.norm(r_prev) >= 0.05


def test_nonnegative_pursuit_cannot_undo_an_overshoot():
    # Atoms 60 degrees apart, x = 0.7 w1 + 0.4 w2 = (0.9, 0.2 sqrt 3): step 1 takes all of
    # x . w1 = 0.9 on w1, step 2 takes 0.3 on w2, and the residual (-0.15, 0.05 sqrt 3) has
    # no positive correlation left: codes (0.9, 0.3), not (0.7, 0.4). Codes are
    # nonnegative (SAELens's definition), so the pursuit cannot take w1 back.
    W = np.array([[1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    x = np.array([[0.9, 0.2 * np.sqrt(3)]])
    codes, r, _, _ = _pursue(x, W, 200, stop_on_duplicate=False)
    np.testing.assert_allclose(codes, [[0.9, 0.3]], atol=PURSUIT_ATOL)
    np.testing.assert_allclose(r, [[-0.15, 0.05 * np.sqrt(3)]], atol=PURSUIT_ATOL)


def test_stopped_rows_are_left_alone():
    # A row with no positive correlation stops at once (its support did not grow) and
    # keeps its input as residual, while the other rows go on.
    W = np.eye(3)
    X = np.array([[-1.0, -2.0, -0.5], [3.0, 2.0, 1.0]])
    codes, r, steps, _ = _pursue(X, W, 3)
    np.testing.assert_array_equal(codes[0], 0.0)
    np.testing.assert_array_equal(r[0], X[0])
    np.testing.assert_allclose(codes[1], X[1], atol=PURSUIT_ATOL)
    assert [bool(g[0]) for _, _, g in steps] == [False, False, False]


@pytest.mark.parametrize("stop_on_duplicate,threshold", [(True, 0.0), (False, 0.0),
                                                         (True, 0.5)])
def test_mp_gradients_match_finite_differences(stop_on_duplicate, threshold):
    # The selections and stops are piecewise constant in theta: on random data the
    # correlation gaps and residual norms are far from h, so finite differences see fixed
    # selections, and the gradient through the unrolled steps is exact.
    rng = np.random.default_rng(0)
    m, d, B, k = 9, 5, 6, 3
    model = _MatchingPursuitModel(unit_rows(rng, m, d), 0.1 * rng.standard_normal(d), B, k,
                                  threshold, stop_on_duplicate, np.float64)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    loss = batch_loss(model, X_aug)
    num = finite_differences(loss, model.theta, np.arange(model.theta.size))
    loss()
    assert np.abs(num).max() > 0.1, "a vacuous gradient proves nothing"
    np.testing.assert_allclose(model.grad, num, atol=GRAD_ATOL)


def test_mp_loss_is_the_squared_residual():
    rng = np.random.default_rng(2)
    model = _MatchingPursuitModel(unit_rows(rng, 7, 4), rng.standard_normal(4), 5, 2,
                                  0.0, True, np.float64)
    X = rng.standard_normal((5, 4))
    model.load_batch(augment_with_ones(X, np.float64), np.arange(5))
    loss = model.loss_and_grad()
    x_hat = model.codes @ model.dec + model.b_dec
    assert loss == pytest.approx(np.sum((X - x_hat) ** 2) / 5, rel=1e-12)


def test_mp_sae_recovers_planted_features():
    # Measured (quick budget 500 x 256, lr 1e-2, k = 5; seeds 0, 1, 2): MCC 0.969 / 0.971
    # / 0.967, recovery 0.94-0.95, L0 4.7, FVU 0.070.
    train, heldout = quick_planted(0)
    est = MatchingPursuitSAE(k=5, random_state=0, **QUICK_BUDGET).fit(train.X)
    s = scores(est, heldout)
    assert s["mcc"] > MCC_MIN and s["fvu"] < 0.1
    codes = est.transform(heldout.X)
    assert codes.min() >= 0 and (codes > 0).sum(axis=1).max() <= 5
    np.testing.assert_allclose(np.linalg.norm(est.components_, axis=1), 1.0, atol=NORM_ATOL)
    assert est.loss_curve_[-50:].mean() < 0.25 * est.loss_curve_[:10].mean()


@pytest.mark.parametrize("param,value", [("k", 0), ("k", 2.5), ("residual_threshold", -1.0),
                                         ("stop_on_duplicate_support", "yes"),
                                         ("n_components", 0)])
def test_mp_sae_rejects_bad_parameters(param, value):
    X = np.random.default_rng(0).standard_normal((10, 3))
    with pytest.raises((ValueError, TypeError), match=param):
        MatchingPursuitSAE(4, n_steps=2, **{param: value}).fit(X)
