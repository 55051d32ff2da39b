"""Tests of `methods.sparse.topk_sae.TopKSAE`: gradients, sparsity, AuxK, recovery, errors."""

import numpy as np
import pytest

from generators.planted_sparse import make_planted_sparse
from methods.sparse.sae_training import augment_with_ones, run_training
from methods.sparse.topk_sae import TopKSAE, _TopKSAEModel
from metrics.dictionary_similarity import dead_latents, live_uniqueness, mmcs, recovery_rate

# Central differences with step 1e-6 in float64 have error ~1e-9.
GRAD_ATOL = 1e-6
# Decoder rows are renormalised in float32 after every step.
NORM_ATOL = 1e-5
# Quality bar of the suite on planted sparse features.
MMCS_MIN, RECOVERY_MIN, UNIQUENESS_MIN = 0.9, 0.8, 0.8
# Small planted setting (measured: MMCS 0.978, recovery 0.92, live uniqueness 0.94, about 3 s).
SMALL = dict(n_features=32, n_atoms=48)
SMALL_SAE = dict(n_components=48, k=5, learning_rate=3e-3, batch_size=1024, n_steps=1500)


def _model(rng, m, d, B, b_enc, aux_coeff, dead=()):
    W_dec = rng.standard_normal((m, d))
    W_dec /= np.linalg.norm(W_dec, axis=1, keepdims=True)
    model = _TopKSAEModel(W_dec, 0.2 * rng.standard_normal((m, d)), b_enc,
                          0.1 * rng.standard_normal(d), B, 3, 2, aux_coeff, 10, 1.7, np.float64)
    model.since_fired[list(dead)] = 100
    return model


def _check_grad(model, X_aug, coords, h=1e-6):
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
    np.testing.assert_allclose(model.grad[coords], num, atol=GRAD_ATOL)


def test_topk_sae_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    m, d, B = 9, 5, 6
    model = _model(rng, m, d, B, 0.3 * rng.standard_normal(m), aux_coeff=0.0)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    _check_grad(model, X_aug, np.arange(model.theta.size))


def test_topk_sae_auxk_gradients_match_finite_differences():
    # AuxK treats the residual as a constant, so finite differences of the total loss
    # equal its gradient only on parameters the main top-k never uses: the dead latents'
    # rows, kept out of the top-k by a lower encoder bias (5 > k = 3 live latents at +5).
    rng = np.random.default_rng(1)
    m, d, B, dead = 9, 5, 6, [1, 4, 6, 7]
    b_enc = np.full(m, 5.0)
    b_enc[dead] = 1.0
    model = _model(rng, m, d, B, b_enc, aux_coeff=0.5, dead=dead)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    enc_rows, dec_rows = np.zeros((m, d + 1), bool), np.zeros((m, d), bool)
    enc_rows[dead] = dec_rows[dead] = True
    coords = np.flatnonzero(np.concatenate([enc_rows.ravel(), dec_rows.ravel(),
                                            np.zeros(d, bool)]))
    _check_grad(model, X_aug, coords)
    assert np.abs(model.grad[coords]).max() > 1e-3, "AuxK should reach the dead latents"


def test_topk_sae_auxk_revives_dead_latents():
    # Samples are one axis e_i (i < 16) times U[0.5, 1.5). Latents 0-7 start on e_0..e_7
    # with encoder bias +2, so with k = 1 one of them always wins the top-1 and latents
    # 8-15 (random directions, bias 0) never fire: without AuxK they get no gradient and
    # stay dead; AuxK trains them on the residual until they win for axes 8-15.
    rng = np.random.default_rng(0)
    d, n = 16, 8192
    X = np.zeros((n, d))
    X[np.arange(n), rng.integers(0, d, n)] = rng.uniform(0.5, 1.5, n)
    X_aug = augment_with_ones(X, np.float64)
    W = np.eye(d)
    W[8:] = rng.standard_normal((8, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    b_enc = np.where(np.arange(d) < 8, 2.0, 0.0)
    results = {}
    for aux_coeff in (0.0, 1 / 32):
        model = _TopKSAEModel(W, W, b_enc, np.zeros(d), 256, 1, 8, aux_coeff, 1024, 1.0,
                              np.float64)
        loss = run_training(model, X_aug, 300, 1e-2, np.random.default_rng(1))
        results[aux_coeff] = (model.dead().size, loss[-20:].mean())
    assert results[0.0][0] >= 6, results
    assert results[1 / 32][0] == 0, results
    assert results[1 / 32][1] < 0.2 * results[0.0][1], results


@pytest.fixture(scope="module")
def small_data():
    train = make_planted_sparse(50_000, **SMALL, random_state=0)
    test = make_planted_sparse(10_000, **SMALL, random_state=0, split=1)
    return train, test


@pytest.fixture(scope="module")
def small_fit(small_data):
    return TopKSAE(**SMALL_SAE, random_state=0).fit(small_data[0].X)


def test_topk_sae_recovers_small_planted_features(small_data, small_fit):
    F = small_data[1].ground_truth["features"]
    A = small_fit.components_
    alive = ~dead_latents(small_fit.transform(small_data[1].X))
    assert mmcs(A, F) >= MMCS_MIN
    assert recovery_rate(A, F) >= RECOVERY_MIN
    assert live_uniqueness(A, F, alive=alive) >= UNIQUENESS_MIN


def test_topk_sae_codes_have_at_most_k_nonzeros(small_data, small_fit):
    codes = small_fit.transform(small_data[1].X)
    nnz = (codes != 0).sum(axis=1)
    assert nnz.max() <= SMALL_SAE["k"]
    assert codes.min() >= 0
    assert nnz.mean() > SMALL_SAE["k"] - 1, "a trained TopK SAE should use its k latents"


def test_topk_sae_decoder_rows_stay_unit_norm(small_fit):
    np.testing.assert_allclose(np.linalg.norm(small_fit.components_, axis=1), 1.0,
                               atol=NORM_ATOL)


def test_topk_sae_loss_decreases(small_fit):
    curve = small_fit.loss_curve_
    assert curve.shape == (small_fit.n_steps_,)
    # Normalised MSE: about 1 at the start (mean predictor scale), far lower after training.
    assert curve[-50:].mean() < 0.3 * curve[:50].mean()


def test_topk_sae_reconstruction(small_data, small_fit):
    X = small_data[1].X
    X_hat = small_fit.inverse_transform(small_fit.transform(X))
    r2 = 1 - ((X - X_hat) ** 2).sum() / ((X - X.mean(0)) ** 2).sum()
    assert r2 > 0.8


def test_topk_sae_same_random_state_same_output():
    X = make_planted_sparse(2_000, n_features=16, n_atoms=24, random_state=1).X
    kw = dict(k=3, batch_size=256, n_steps=30)
    a = TopKSAE(24, **kw, random_state=3).fit(X)
    b = TopKSAE(24, **kw, random_state=3).fit(X)
    c = TopKSAE(24, **kw, random_state=4).fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)
    assert not np.array_equal(a.components_, c.components_)


def test_topk_sae_batch_clipped_to_n_samples():
    X = np.random.default_rng(0).standard_normal((10, 4))
    sae = TopKSAE(3, k=1, n_steps=5, random_state=0).fit(X)
    assert sae.batch_size_ == 10


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "n_components"),
        (dict(k=0), "k must be an int"),
        (dict(k=5), "k must be <= n_components=2"),
        (dict(k_aux=0), "k_aux"),
        (dict(aux_coeff=-1.0), "aux_coeff"),
        (dict(dead_after=0), "dead_after"),
        (dict(batch_size=0), "batch_size"),
        (dict(n_steps=0), "n_steps"),
        (dict(learning_rate=-1e-3), "learning_rate"),
    ],
)
def test_topk_sae_rejects_bad_hyperparameters(params, match):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=match):
        TopKSAE(**{"n_components": 2, "k": 1, "n_steps": 2, **params}).fit(X)


def test_topk_sae_rejects_bad_input():
    X = np.random.default_rng(0).standard_normal((20, 3))
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        TopKSAE(2, k=1, n_steps=2).fit(bad)
    sae = TopKSAE(2, k=1, n_steps=2, random_state=0).fit(X)
    bad = np.zeros((5, 3))
    bad[1, 2] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        sae.transform(bad)


def test_topk_sae_transform_matches_definition(small_data, small_fit):
    # 10000 rows: more than one transform chunk (4096 rows).
    X, s = small_data[1].X, small_fit
    P = (X - s.decoder_bias_) @ s.encoder_weights_.T + s.encoder_bias_
    kth = np.sort(P, axis=1)[:, -SMALL_SAE["k"]][:, None]
    expected = np.where(P >= kth, np.maximum(P, 0.0), 0.0)
    np.testing.assert_allclose(s.transform(X), expected, rtol=1e-12, atol=1e-12)
