"""Tests of `methods.sparse.jumprelu_sae.JumpReluSAE`: exact and pseudo-gradients, recovery,
errors."""

import numpy as np
import pytest

from methods.sparse.jumprelu_sae import JumpReluSAE, _JumpReluSAEModel
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

QUICK_JUMPRELU = dict(QUICK_BUDGET)


def _model(rng, m, d, B, l0_coeff, eps):
    return _JumpReluSAEModel(unit_rows(rng, m, d), 0.5 * rng.standard_normal((m, d)),
                             0.2 * rng.standard_normal(m), 0.1 * rng.standard_normal(d),
                             np.log(rng.uniform(0.1, 0.5, m)), B, l0_coeff, eps, np.float64)


def test_jumprelu_smooth_gradients_match_finite_differences():
    # Away from the jumps (|P - theta| > 1e-3 >> h) the reconstruction is smooth in the
    # encoder and decoder parameters and the L0 term is constant in them.
    rng = np.random.default_rng(0)
    m, d, B = 8, 5, 7
    model = _model(rng, m, d, B, 0.3, 0.05)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    loss = batch_loss(model, X_aug)
    smooth = np.arange(model.theta.size - m)
    num = finite_differences(loss, model.theta, smooth)
    loss()
    theta = np.exp(model.extra)
    assert np.abs(model.P - theta).min() > 1e-3
    assert model.active.any() and not model.active.all()
    np.testing.assert_allclose(model.grad[smooth], num, atol=GRAD_ATOL)


def test_jumprelu_threshold_pseudo_gradient_is_the_stated_formula():
    rng = np.random.default_rng(1)
    m, d, B, lam, eps = 8, 5, 30, 0.3, 0.4
    model = _model(rng, m, d, B, lam, eps)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    model.load_batch(X_aug, np.arange(B))
    loss = model.loss_and_grad()
    xc = X_aug[:, :d] - model.b_dec
    P = xc @ model.enc[:, :d].T + model.enc[:, d]
    theta = np.exp(model.extra)
    c = P * (P > theta)
    e = c @ model.dec - xc
    assert loss == pytest.approx((e**2).sum() / B + lam * (P > theta).sum() / B)
    K = np.abs((P - theta) / eps) < 0.5
    assert K.sum() >= 5, "want entries inside the kernel window"
    dL_dc = 2 * e @ model.dec.T / B
    g_theta = (dL_dc * -(theta / eps) * K).sum(0) + lam / B * (-(1 / eps) * K).sum(0)
    np.testing.assert_allclose(model.g_extra, g_theta * theta, rtol=1e-10, atol=1e-12)


@pytest.fixture(scope="module")
def quick():
    train, heldout = quick_planted(0)
    return JumpReluSAE(**QUICK_JUMPRELU, random_state=0).fit(train.X), heldout


def test_jumprelu_recovers_quick_planted_features(quick):
    est, heldout = quick
    s = scores(est, heldout)
    assert s["mcc"] >= MCC_MIN, s
    assert 2 < s["l0"] < 6 and s["fvu"] < 0.2, s


def test_jumprelu_fitted_state(quick):
    est, heldout = quick
    np.testing.assert_allclose(np.linalg.norm(est.components_, axis=1), 1.0, atol=NORM_ATOL)
    assert est.threshold_.shape == (64,) and np.all(est.threshold_ > 0)
    # thresholds moved from their start (the pseudo-gradient trains them)
    assert np.abs(est.threshold_ - est.initial_threshold).max() > 0.05
    curve = est.loss_curve_
    assert curve.shape == (est.n_steps_,) and est.loss_ == curve[-1]
    X = heldout.X[:100]
    P = (X - est.decoder_bias_) @ est.encoder_weights_.T + est.encoder_bias_
    np.testing.assert_allclose(est.transform(X), np.where(P > est.threshold_, P, 0.0),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "n_components"),
        (dict(l0_coeff=-1.0), "l0_coeff"),
        (dict(bandwidth=0.0), "bandwidth"),
        (dict(initial_threshold=-0.1), "initial_threshold"),
        (dict(batch_size=0), "batch_size"),
        (dict(n_steps=0), "n_steps"),
        (dict(learning_rate=0.0), "learning_rate"),
        (dict(dtype="int32"), "dtype"),
    ],
)
def test_jumprelu_rejects_bad_hyperparameters(params, match):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=match):
        JumpReluSAE(**{"n_components": 2, "n_steps": 2, **params}).fit(X)
