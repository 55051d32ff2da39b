"""Tests of `methods.sparse.gated_sae.GatedSAE`: gradients (with the frozen auxiliary
decoder), the gate = magnitude closed form, recovery, errors."""

import numpy as np
import pytest

from methods.sparse.gated_sae import GatedSAE, _GatedSAEModel
from methods.sparse.relu_sae import _ReluSAEModel
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

QUICK_GATED = dict(QUICK_BUDGET, l1_coeff=0.6)


def _model(rng, m, d, B, lam):
    return _GatedSAEModel(unit_rows(rng, m, d), 0.5 * rng.standard_normal((m, d)),
                          0.2 * rng.standard_normal(m), 0.1 * rng.standard_normal(d),
                          0.3 * rng.standard_normal(m), 0.2 * rng.standard_normal(m), B, lam,
                          np.float64)


def test_gated_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    m, d, B, lam = 8, 5, 7, 0.3
    model = _model(rng, m, d, B, lam)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    X = X_aug[:, :d]
    size = m * (d + 1)
    enc = np.arange(size)
    dec = np.arange(size, size + m * d)
    b_dec = np.arange(size + m * d, size + m * d + d)
    extra = np.arange(size + m * d + d, model.theta.size)
    loss = batch_loss(model, X_aug)
    # Gate and magnitude parameters: the total loss, auxiliary term included.
    num = finite_differences(loss, model.theta, np.concatenate([enc, extra]))
    loss()
    assert model.gate.any() and not model.gate.all() and (model.C > 0).any()
    np.testing.assert_allclose(model.grad[np.concatenate([enc, extra])], num, atol=GRAD_ATOL)
    # Decoder rows: the auxiliary term's decoder is frozen, so only the rest moves them.
    num = finite_differences(lambda: loss() - model.aux_loss, model.theta, dec)
    loss()
    np.testing.assert_allclose(model.grad[dec], num, atol=GRAD_ATOL)
    # b_dec: everything, except the auxiliary decoder's copy of b_dec (held at its value).
    frozen_b, frozen_W = model.b_dec.copy(), model.dec.copy()

    def frozen_aux_loss():
        total = loss()
        A = np.maximum((X - model.b_dec) @ model.enc[:, :d].T + model.enc[:, d], 0.0)
        aux = ((X - A @ frozen_W - frozen_b) ** 2).sum() / B
        return total - model.aux_loss + aux

    num = finite_differences(frozen_aux_loss, model.theta, b_dec)
    loss()
    np.testing.assert_allclose(model.grad[b_dec], num, atol=GRAD_ATOL)


def test_gated_with_gate_equal_to_magnitude_is_relu_sae():
    # r_mag = 0 and b_mag = b_gate: c = ReLU(pi_gate), the auxiliary reconstruction equals
    # the main one, so L = 2 x (ReLU SAE loss with l1_coeff = lambda / 2).
    rng = np.random.default_rng(3)
    m, d, B, lam = 8, 5, 9, 0.4
    W_dec, W_enc = unit_rows(rng, m, d), rng.standard_normal((m, d))
    b_enc, b_dec = 0.3 * rng.standard_normal(m), 0.1 * rng.standard_normal(d)
    gated = _GatedSAEModel(W_dec, W_enc, b_enc, b_dec, np.zeros(m), b_enc, B, lam,
                           np.float64)
    relu = _ReluSAEModel(W_dec, W_enc, b_enc, b_dec, B, lam / 2, np.float64)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    for model in (gated, relu):
        model.load_batch(X_aug, np.arange(B))
    assert gated.loss_and_grad() == pytest.approx(2 * relu.loss_and_grad(), rel=1e-12)
    np.testing.assert_allclose(gated.C, relu.C, rtol=1e-12, atol=1e-15)
    assert gated.aux_loss == pytest.approx(gated.loss_and_grad() / 2 - lam / 2 *
                                           relu.C.sum() / B, rel=1e-12)


@pytest.fixture(scope="module")
def quick():
    train, heldout = quick_planted(0)
    return GatedSAE(**QUICK_GATED, random_state=0).fit(train.X), heldout


def test_gated_recovers_quick_planted_features(quick):
    est, heldout = quick
    s = scores(est, heldout)
    assert s["mcc"] >= MCC_MIN, s
    assert 2 < s["l0"] < 6 and s["fvu"] < 0.2, s


def test_gated_fitted_state(quick):
    est, heldout = quick
    np.testing.assert_allclose(np.linalg.norm(est.components_, axis=1), 1.0, atol=NORM_ATOL)
    assert est.magnitude_log_scale_.shape == est.magnitude_bias_.shape == (64,)
    curve = est.loss_curve_
    assert curve.shape == (est.n_steps_,) and est.loss_ == curve[-1]
    X = heldout.X[:100]
    H = (X - est.decoder_bias_) @ est.encoder_weights_.T
    gate = H + est.encoder_bias_ > 0
    mag = np.maximum(H * np.exp(est.magnitude_log_scale_) + est.magnitude_bias_, 0.0)
    np.testing.assert_allclose(est.transform(X), gate * mag, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "n_components"),
        (dict(l1_coeff=-1.0), "l1_coeff"),
        (dict(batch_size=0), "batch_size"),
        (dict(n_steps=0), "n_steps"),
        (dict(learning_rate=0.0), "learning_rate"),
        (dict(dtype="float16"), "dtype"),
    ],
)
def test_gated_rejects_bad_hyperparameters(params, match):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=match):
        GatedSAE(**{"n_components": 2, "n_steps": 2, **params}).fit(X)
