"""Reconstruction metrics: explained variance pinned at 0 (mean) and 1 (perfect)."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from metrics.reconstruction import explained_variance, reconstruct, shrinkage

# Sums of a few hundred float64 squares: rounding is ~1e-14 relative; 1e-12 leaves room.
EXACT = 1e-12


@pytest.fixture
def X():
    # Anisotropic with a non-zero mean: a wrong R^2 that forgets to centre, or averages
    # per-coordinate ratios, gives a different number here.
    rng = np.random.default_rng(0)
    return rng.standard_normal((200, 5)) * np.array([5.0, 2.0, 1.0, 0.5, 0.1]) + 3.0


def test_explained_variance_of_perfect_reconstruction_is_one(X):
    assert explained_variance(X, X.copy()) == pytest.approx(1.0, abs=EXACT)


def test_explained_variance_of_mean_predictor_is_zero(X):
    mean_pred = np.broadcast_to(X.mean(axis=0), X.shape)
    assert explained_variance(X, mean_pred) == pytest.approx(0.0, abs=EXACT)


def test_explained_variance_of_zero_predictor_is_negative(X):
    # Predicting 0 for data with mean 3 is worse than predicting the mean.
    assert explained_variance(X, np.zeros_like(X)) < 0


def test_explained_variance_pools_coordinates(X):
    # Keeping only the first coordinate explains that coordinate's share of the total
    # variance (~25 / 30.26), not 1/5 of the coordinates.
    X_hat = np.broadcast_to(X.mean(axis=0), X.shape).copy()
    X_hat[:, 0] = X[:, 0]
    var = X.var(axis=0)
    assert explained_variance(X, X_hat) == pytest.approx(var[0] / var.sum(), abs=EXACT)


def test_explained_variance_matches_pca_ratio(X):
    # PCA with k components explains exactly the sum of its explained_variance_ratio_.
    pca = PCA(n_components=2).fit(X)
    X_hat = pca.inverse_transform(pca.transform(X))
    assert explained_variance(X, X_hat) == pytest.approx(
        pca.explained_variance_ratio_.sum(), abs=1e-10)
    X_lin = reconstruct(pca.transform(X), pca.components_, mean=pca.mean_)
    np.testing.assert_allclose(X_lin, X_hat, atol=1e-10)


def test_shrinkage_of_scaled_reconstruction(X):
    assert shrinkage(X, X) == pytest.approx(1.0, abs=EXACT)
    assert shrinkage(X, 0.7 * X) == pytest.approx(0.7, abs=EXACT)
    # Zero rows of X are skipped, whatever their reconstruction.
    X0 = X.copy()
    X0[:10] = 0.0
    X_hat = 0.5 * X0
    X_hat[:10] = 1.0
    assert shrinkage(X0, X_hat) == pytest.approx(0.5, abs=EXACT)


def test_shrinkage_skips_rows_at_or_below_the_fields_norm_floor(X):
    # SynthSAEBench skips rows with ||x|| <= 1e-6 (absolute): a row of norm 1e-7 whose
    # reconstruction is 1 (ratio 1e7) would swamp the mean; min_norm=0 keeps it.
    X1 = X.copy()
    X1[0] = 0.0
    X1[0, 0] = 1e-7
    X_hat = 0.5 * X1
    X_hat[0] = 1.0
    assert shrinkage(X1, X_hat) == pytest.approx(0.5, abs=EXACT)
    kept = shrinkage(X1, X_hat, min_norm=0.0)
    assert kept == pytest.approx((0.5 * (len(X) - 1) + np.sqrt(5) * 1e7) / len(X), rel=1e-12)
    # Data of scale 1e-8 has no row above the default floor: refused, unless min_norm=0.
    with pytest.raises(ValueError, match="no row of X"):
        shrinkage(1e-8 * X, 0.7e-8 * X)
    assert shrinkage(1e-8 * X, 0.7e-8 * X, min_norm=0) == pytest.approx(0.7, abs=EXACT)


@pytest.mark.parametrize("call, match", [
    (lambda: explained_variance(np.ones((3, 2)), np.ones((3, 2))), "zero variance"),
    (lambda: explained_variance(np.eye(3), np.eye(2)), "X_hat has shape"),
    (lambda: explained_variance(np.eye(3), np.full((3, 3), np.inf)), "X_hat contains"),
    (lambda: shrinkage(np.zeros((3, 2)), np.ones((3, 2))), "no row of X"),
    (lambda: shrinkage(np.ones((3, 2)), np.ones((3, 2)), min_norm=-1.0), "min_norm"),
    (lambda: reconstruct(np.ones((3, 2)), np.ones((3, 4))), "do not match"),
])
def test_reconstruction_metrics_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
