"""Tests of `methods.sparse.kmeans_atoms.KMeansAtoms`: one-hot codes, centres, errors."""

import numpy as np
import pytest

from methods.sparse.kmeans_atoms import KMeansAtoms


def _blobs(n_per=100, seed=0):
    rng = np.random.default_rng(seed)
    centres = 10.0 * np.eye(4, 6)
    X = np.repeat(centres, n_per, axis=0) + 0.1 * rng.standard_normal((4 * n_per, 6))
    return X, centres


@pytest.mark.parametrize("batch_size", [None, 64])
def test_kmeans_atoms_codes_are_one_hot_and_components_are_centres(batch_size):
    X, centres = _blobs()
    km = KMeansAtoms(4, batch_size=batch_size, random_state=0).fit(X)
    codes = km.transform(X)
    assert codes.shape == (X.shape[0], 4)
    assert set(np.unique(codes)) == {0.0, 1.0}
    np.testing.assert_array_equal(codes.sum(axis=1), 1.0)
    # components_ are the centres: the mean of the samples coded to each of them (Lloyd's
    # fixed point; mini-batch k-means is only close to it).
    labels = codes.argmax(axis=1)
    means = np.stack([X[labels == j].mean(axis=0) for j in range(4)])
    np.testing.assert_allclose(km.components_, means, atol=1e-9 if batch_size is None else 0.05)
    # ... and they match the planted centres up to order (noise 0.1 / sqrt(100) per axis).
    order = np.argmax(km.components_ @ centres.T, axis=1)
    assert sorted(order) == [0, 1, 2, 3]
    np.testing.assert_allclose(km.components_, centres[order], atol=0.05)


def test_kmeans_atoms_inverse_transform_gives_nearest_centre():
    X, _ = _blobs()
    km = KMeansAtoms(4, random_state=0).fit(X)
    X_hat = km.inverse_transform(km.transform(X))
    d2 = ((X[:, None, :] - km.components_[None]) ** 2).sum(-1)
    np.testing.assert_allclose(X_hat, km.components_[d2.argmin(axis=1)])
    assert km.inertia_ == pytest.approx(((X - X_hat) ** 2).sum(), rel=1e-6)


def test_kmeans_atoms_same_random_state_same_output():
    X = np.random.default_rng(1).standard_normal((300, 5))
    a = KMeansAtoms(7, random_state=2).fit(X)
    b = KMeansAtoms(7, random_state=2).fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)


def test_kmeans_atoms_rejects_bad_input():
    X, _ = _blobs(10)
    with pytest.raises(ValueError, match="n_components must be an integer >= 1"):
        KMeansAtoms(0).fit(X)
    with pytest.raises(ValueError, match="n_components=41 exceeds the number of samples 40"):
        KMeansAtoms(41).fit(X)
    with pytest.raises(ValueError, match="batch_size"):
        KMeansAtoms(2, batch_size=0).fit(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        KMeansAtoms(2).fit(bad)
