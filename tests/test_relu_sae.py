"""Tests of `methods.sparse.relu_sae.ReluSAE`: gradients, constraints, recovery, errors."""

import numpy as np
import pytest

from generators.planted_sparse import make_planted_sparse
from methods.sparse.relu_sae import ReluSAE, _ReluSAEModel
from methods.sparse.sae_training import augment_with_ones
from metrics.dictionary_similarity import dead_latents, live_uniqueness, mmcs, recovery_rate

# Central differences with step 1e-6 in float64 have error ~h^2 f''' + eps f / h ~ 1e-9.
GRAD_ATOL = 1e-6
# Decoder rows are renormalised in float32 after every step.
NORM_ATOL = 1e-5
# Quality bar of the suite on planted sparse features.
MMCS_MIN, RECOVERY_MIN, UNIQUENESS_MIN = 0.9, 0.8, 0.8
# Small planted setting (measured: MMCS 0.999, recovery 1.0, live uniqueness 1.0, about 3 s).
SMALL = dict(n_features=32, n_atoms=48)
SMALL_SAE = dict(n_components=48, l1_coeff=0.3, learning_rate=3e-3, batch_size=1024,
                 n_steps=1500)


def _finite_difference_grad(model, X_aug, coords, h=1e-6):
    idx = np.arange(X_aug.shape[0])

    def loss():
        model.load_batch(X_aug, idx)
        return model.loss_and_grad()

    num = np.empty(coords.size)
    for j, i in enumerate(coords):
        old = model.theta[i]
        model.theta[i] = old + h
        up = loss()
        model.theta[i] = old - h
        down = loss()
        model.theta[i] = old
        num[j] = (up - down) / (2 * h)
    loss()
    return num


def test_relu_sae_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    m, d, B = 7, 5, 6
    W_dec = rng.standard_normal((m, d))
    W_dec /= np.linalg.norm(W_dec, axis=1, keepdims=True)
    model = _ReluSAEModel(W_dec, rng.standard_normal((m, d)), 0.3 * rng.standard_normal(m),
                          0.1 * rng.standard_normal(d), B, 0.2, np.float64)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    # Every parameter except the decoder's constant column of ones (not a parameter).
    free = np.ones(model.theta.size, bool)
    free[m * (d + 1) : 2 * m * (d + 1)].reshape(m, d + 1)[:, d] = False
    coords = np.flatnonzero(free)
    num = _finite_difference_grad(model, X_aug, coords)
    assert model.C.max() > 0 and (model.C == 0).any(), "want both active and inactive codes"
    np.testing.assert_allclose(model.grad[coords], num, atol=GRAD_ATOL)
    assert np.all(model.grad[~free] == 0)


@pytest.fixture(scope="module")
def small_data():
    train = make_planted_sparse(50_000, **SMALL, random_state=0)
    test = make_planted_sparse(10_000, **SMALL, random_state=0, split=1)
    return train, test


@pytest.fixture(scope="module")
def small_fit(small_data):
    return ReluSAE(**SMALL_SAE, random_state=0).fit(small_data[0].X)


def test_relu_sae_recovers_small_planted_features(small_data, small_fit):
    F = small_data[1].ground_truth["features"]
    A = small_fit.components_
    alive = ~dead_latents(small_fit.transform(small_data[1].X))
    assert mmcs(A, F) >= MMCS_MIN
    assert recovery_rate(A, F) >= RECOVERY_MIN
    assert live_uniqueness(A, F, alive=alive) >= UNIQUENESS_MIN


def test_relu_sae_decoder_rows_stay_unit_norm(small_fit):
    norms = np.linalg.norm(small_fit.components_, axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=NORM_ATOL)


def test_relu_sae_loss_decreases(small_fit):
    curve = small_fit.loss_curve_
    assert curve.shape == (SMALL_SAE["n_steps"],) == (small_fit.n_steps_,)
    assert small_fit.loss_ == curve[-1]
    # Averages over 50 steps, so minibatch noise does not decide.
    assert curve[-50:].mean() < 0.7 * curve[:50].mean()


def test_relu_sae_shapes_and_reconstruction(small_data, small_fit):
    X = small_data[1].X
    codes = small_fit.transform(X)
    assert codes.shape == (X.shape[0], 48) and codes.min() >= 0
    X_hat = small_fit.inverse_transform(codes)
    assert X_hat.shape == X.shape
    # A good SAE explains most of the variance on held-out data.
    r2 = 1 - ((X - X_hat) ** 2).sum() / ((X - X.mean(0)) ** 2).sum()
    assert r2 > 0.8


def test_relu_sae_same_random_state_same_output():
    X = make_planted_sparse(2_000, n_features=16, n_atoms=24, random_state=1).X
    a = ReluSAE(24, batch_size=256, n_steps=30, random_state=3).fit(X)
    b = ReluSAE(24, batch_size=256, n_steps=30, random_state=3).fit(X)
    c = ReluSAE(24, batch_size=256, n_steps=30, random_state=4).fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert not np.array_equal(a.components_, c.components_)


def test_relu_sae_batch_clipped_to_n_samples():
    X = np.random.default_rng(0).standard_normal((10, 4))
    sae = ReluSAE(3, batch_size=4096, n_steps=5, random_state=0).fit(X)
    assert sae.batch_size_ == 10


def test_relu_sae_float64_training():
    X = np.random.default_rng(0).standard_normal((64, 4))
    sae = ReluSAE(3, batch_size=32, n_steps=5, dtype="float64", random_state=0).fit(X)
    assert sae.components_.dtype == np.float64 and np.all(np.isfinite(sae.loss_curve_))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "n_components"),
        (dict(n_components=2.5), "n_components"),
        (dict(batch_size=0), "batch_size"),
        (dict(n_steps=0), "n_steps"),
        (dict(l1_coeff=-1.0), "l1_coeff"),
        (dict(learning_rate=0.0), "learning_rate"),
        (dict(dtype="int32"), "dtype"),
    ],
)
def test_relu_sae_rejects_bad_hyperparameters(params, match):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=match):
        ReluSAE(**{"n_components": 2, "n_steps": 2, **params}).fit(X)


def test_relu_sae_rejects_bad_input():
    X = np.random.default_rng(0).standard_normal((20, 3))
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        ReluSAE(2, n_steps=2).fit(bad)
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        ReluSAE(2, n_steps=2).fit(bad)
    with pytest.raises(ValueError, match="X must be 2-D"):
        ReluSAE(2, n_steps=2).fit(X[:, 0])
