"""Tests of `methods.sparse.batchtopk_sae.BatchTopKSAE`: gradients, batch sparsity, the
inference threshold, recovery, errors."""

import numpy as np
import pytest

from methods.sparse.batchtopk_sae import THRESHOLD_RATE, BatchTopKSAE, _BatchTopKModel
from methods.sparse.sae_training import ExponentialAverage, augment_with_ones, batch_topk
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

# Measured budget: see BatchTopKSAE's Notes (quick budget of TopKSAE, 1000 steps).
QUICK_BATCHTOPK = dict(QUICK_BUDGET, k=5, n_steps=1000)


def _model(rng, m, d, B, k, prefixes, b_enc=None):
    b_enc = 0.3 * rng.standard_normal(m) if b_enc is None else b_enc
    return _BatchTopKModel(unit_rows(rng, m, d), 0.5 * rng.standard_normal((m, d)), b_enc,
                           0.1 * rng.standard_normal(d), B, k, prefixes, np.float64)


@pytest.mark.parametrize("prefixes", [(9,), (2, 5, 9)])
def test_batchtopk_gradients_match_finite_differences(prefixes):
    # The selection is piecewise constant: away from ties at the cut (random data, gap far
    # above h) finite differences see a fixed set of kept entries.
    rng = np.random.default_rng(0)
    m, d, B, k = 9, 5, 6, 2
    model = _model(rng, m, d, B, k, prefixes)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    loss = batch_loss(model, X_aug)
    num = finite_differences(loss, model.theta, np.arange(model.theta.size))
    loss()
    P = np.sort(model.P.ravel())[::-1]
    assert P[k * B] > 0 and P[k * B - 1] - P[k * B] > 1e-4, "want a clear cut"
    np.testing.assert_allclose(model.grad, num, atol=GRAD_ATOL)


def test_batchtopk_training_codes_have_exactly_k_B_nonzeros():
    rng = np.random.default_rng(1)
    m, d, B, k = 40, 8, 32, 3
    model = _model(rng, m, d, B, k, (m,), b_enc=np.full(m, 0.5))
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    model.load_batch(X_aug, np.arange(B))
    rows, cols, z = model.codes()
    assert (model.P > 0).sum() > k * B
    assert z.size == k * B and np.all(z > 0)
    assert np.unique(rows * m + cols).size == k * B
    # they are the k B largest entries of the batch
    assert z.min() >= np.sort(model.P.ravel())[-k * B]
    # rows differ in their counts: the budget is shared across the batch
    assert np.bincount(rows, minlength=B).std() > 0


def test_batch_topk_keeps_only_positive_entries():
    P = np.array([[-1.0, 2.0, -3.0], [0.0, -0.5, 1.0]])
    rows, cols, flat = batch_topk(P, 4)
    assert list(zip(rows, cols, strict=True)) == [(0, 1), (1, 2)]
    np.testing.assert_array_equal(flat, [1, 5])


def test_exponential_average():
    avg = ExponentialAverage(0.1)
    avg.update(None)
    assert avg.value is None
    avg.update(2.0)
    avg.update(None)
    avg.update(1.0)
    assert avg.value == pytest.approx(0.9 * 2.0 + 0.1 * 1.0)


def test_batchtopk_threshold_is_running_average_of_batch_minima():
    rng = np.random.default_rng(2)
    m, d, B, k = 12, 6, 16, 2
    model = _model(rng, m, d, B, k, (m,))
    X_aug = augment_with_ones(rng.standard_normal((64, d)), np.float64)
    expected = None
    for start in range(0, 64, B):
        model.load_batch(X_aug, np.arange(start, start + B))
        model.loss_and_grad()
        s = np.sort(model.P.ravel())[-k * B]
        expected = s if expected is None else (1 - THRESHOLD_RATE) * expected + \
            THRESHOLD_RATE * s
        model.after_step()
    assert model.threshold.value == pytest.approx(expected, rel=1e-12)


@pytest.fixture(scope="module")
def quick():
    train, heldout = quick_planted(0)
    return BatchTopKSAE(**QUICK_BATCHTOPK, random_state=0).fit(train.X), heldout


def test_batchtopk_recovers_quick_planted_features(quick):
    est, heldout = quick
    s = scores(est, heldout)
    assert s["mcc"] >= MCC_MIN, s
    # the inference threshold gives about k active latents per sample
    assert abs(s["l0"] - QUICK_BATCHTOPK["k"]) < 0.75, s
    assert s["fvu"] < 0.2, s


def test_batchtopk_fitted_state(quick):
    est, heldout = quick
    np.testing.assert_allclose(np.linalg.norm(est.components_, axis=1), 1.0, atol=NORM_ATOL)
    assert isinstance(est.threshold_, float) and est.threshold_ > 0
    curve = est.loss_curve_
    assert curve.shape == (est.n_steps_,) and est.loss_ == curve[-1]
    assert curve[-50:].mean() < 0.3 * curve[:50].mean()
    X = heldout.X[:100]
    P = (X - est.decoder_bias_) @ est.encoder_weights_.T + est.encoder_bias_
    np.testing.assert_allclose(est.transform(X), np.where(P > est.threshold_, P, 0.0),
                               rtol=1e-12, atol=1e-12)


def test_batchtopk_same_random_state_same_output():
    X = quick_planted(1)[0].X[:2000]
    kw = dict(k=3, batch_size=256, n_steps=30)
    a = BatchTopKSAE(24, **kw, random_state=3).fit(X)
    b = BatchTopKSAE(24, **kw, random_state=3).fit(X)
    c = BatchTopKSAE(24, **kw, random_state=4).fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.threshold_ == b.threshold_
    assert not np.array_equal(a.components_, c.components_)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "n_components"),
        (dict(k=0), "k must be > 0"),
        (dict(k="2"), "k must be a"),
        (dict(k=5), "k must be <= n_components=2"),
        (dict(batch_size=0), "batch_size"),
        (dict(n_steps=0), "n_steps"),
        (dict(learning_rate=-1e-3), "learning_rate"),
        (dict(dtype="int8"), "dtype"),
    ],
)
def test_batchtopk_rejects_bad_hyperparameters(params, match):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=match):
        BatchTopKSAE(**{"n_components": 2, "k": 1, "n_steps": 2, **params}).fit(X)


def test_batchtopk_fractional_k_keeps_round_k_b_codes_per_batch():
    """k = 2.5 with B = 200 keeps 500 codes per training batch: mean training L0 2.5."""
    from methods.sparse.batchtopk_sae import _BatchTopKModel, keep_count

    assert keep_count(2.5, 200) == 500 and keep_count(0.001, 200) == 1
    rng = np.random.default_rng(0)
    W = rng.standard_normal((16, 8))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    model = _BatchTopKModel(W, W, np.zeros(16), np.zeros(8), 200, 2.5, (16,), np.float64)
    X_aug = np.hstack([rng.standard_normal((200, 8)), np.ones((200, 1))])
    model.load_batch(X_aug, np.arange(200))
    rows, cols, z = model.codes()
    assert z.size == 500 and np.all(z > 0)
