"""Tests of `methods.sparse.random_atoms.RandomAtoms`: unit atoms, coding rules, errors."""

import numpy as np
import pytest

from methods.sparse.random_atoms import RandomAtoms

# float64 pseudo-inverse of a well-conditioned 12 x 8 matrix.
LSTSQ_ATOL = 1e-10


def _data(n=200, d=8, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d)) + 3.0


@pytest.mark.parametrize("encoding", ["lstsq", "relu"])
def test_random_atoms_rows_unit_norm_and_shapes(encoding):
    X = _data()
    ra = RandomAtoms(12, encoding=encoding, random_state=0).fit(X)
    assert ra.components_.shape == (12, 8)
    np.testing.assert_allclose(np.linalg.norm(ra.components_, axis=1), 1.0, atol=1e-12)
    codes = ra.transform(X)
    assert codes.shape == (200, 12)
    assert ra.inverse_transform(codes).shape == X.shape
    if encoding == "relu":
        assert codes.min() >= 0


def test_random_atoms_lstsq_reconstructs_exactly_when_overcomplete():
    # With m >= d random atoms span R^d, so least-squares codes reconstruct every point:
    # a perfect explained variance that says nothing about features.
    X = _data()
    ra = RandomAtoms(12, random_state=0).fit(X)
    np.testing.assert_allclose(ra.inverse_transform(ra.transform(X)), X, atol=LSTSQ_ATOL)


def test_random_atoms_lstsq_projects_when_undercomplete():
    X = _data()
    ra = RandomAtoms(3, random_state=0).fit(X)
    X_hat = ra.inverse_transform(ra.transform(X))
    # The residual is orthogonal to every atom (least squares normal equations).
    np.testing.assert_allclose((X - X_hat) @ ra.components_.T, 0.0, atol=LSTSQ_ATOL)


def test_random_atoms_depend_only_on_random_state():
    a = RandomAtoms(5, random_state=1).fit(_data(seed=0))
    b = RandomAtoms(5, random_state=1).fit(_data(seed=1))
    c = RandomAtoms(5, random_state=2).fit(_data(seed=0))
    np.testing.assert_array_equal(a.components_, b.components_)
    assert not np.array_equal(a.components_, c.components_)


def test_random_atoms_rejects_bad_input():
    X = _data()
    with pytest.raises(ValueError, match="n_components must be an integer >= 1"):
        RandomAtoms(0).fit(X)
    with pytest.raises(ValueError, match="encoding must be one of"):
        RandomAtoms(3, encoding="omp").fit(X)
    bad = X.copy()
    bad[5, 2] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or inf"):
        RandomAtoms(3).fit(bad)
