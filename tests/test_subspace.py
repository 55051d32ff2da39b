"""Tests for metrics.subspace: distortion, the removed subspace, subspace consistency."""

import numpy as np
import pytest

from metrics.subspace import distortion, removed_subspace, subspace_consistency

# Ratios and cosines of float64 quantities on small matrices: rounding only.
ATOL = 1e-12


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((500, 8)) * np.arange(1, 9) + 3.0


def orthonormal(rng, d, r):
    q, _ = np.linalg.qr(rng.standard_normal((d, r)))
    return q


def test_distortion_identity_zero_mean_predictor_one(data):
    assert distortion(data, data.copy()) == 0.0
    mean_predictor = np.broadcast_to(data.mean(axis=0), data.shape)
    assert distortion(data, mean_predictor) == pytest.approx(1.0, abs=ATOL)


def test_distortion_of_projection_is_removed_variance_share(data):
    # Removing coordinate j around the mean moves each row by its centred j-th entry.
    erased = data.copy()
    erased[:, 7] = data[:, 7].mean()
    var = data.var(axis=0)
    assert distortion(data, erased) == pytest.approx(var[7] / var.sum(), abs=ATOL)


def test_distortion_rejects_constant_data():
    with pytest.raises(ValueError, match="zero variance"):
        distortion(np.ones((5, 2)), np.zeros((5, 2)))


def test_removed_subspace_of_rank_two_projection(data):
    Q = orthonormal(np.random.default_rng(1), 8, 2)
    erased = data - ((data - data.mean(axis=0)) @ Q) @ Q.T
    basis = removed_subspace(data, erased)
    assert basis.shape == (8, 2)
    assert np.abs(basis.T @ basis - np.eye(2)).max() <= ATOL
    assert subspace_consistency(basis, Q) == pytest.approx(1.0, abs=ATOL)


def test_removed_subspace_of_identity_and_rounding_is_empty(data):
    assert removed_subspace(data, data.copy()).shape == (8, 0)
    # A displacement at rounding level (1e-15 relative) is not a removed direction.
    noise = 1e-15 * np.random.default_rng(2).standard_normal(data.shape)
    assert removed_subspace(data, data + noise).shape == (8, 0)


def test_subspace_consistency_cases():
    rng = np.random.default_rng(3)
    A = orthonormal(rng, 6, 2)
    rotated = A @ np.array([[0.6, -0.8], [0.8, 0.6]])  # same span, other basis
    complement = np.linalg.svd(A, full_matrices=True)[0][:, 2:4]
    empty = np.zeros((6, 0))
    assert subspace_consistency(A, rotated) == pytest.approx(1.0, abs=ATOL)
    assert subspace_consistency(A, complement) == pytest.approx(0.0, abs=ATOL)
    assert subspace_consistency(empty, empty) == 1.0
    assert subspace_consistency(A, empty) == 0.0 and subspace_consistency(empty, A) == 0.0
    # Rank mismatch: span(e1) inside span(e1, e2) has one angle 0 and one missing: 1/2.
    e = np.eye(6)
    assert subspace_consistency(e[:, :2], e[:, :1]) == pytest.approx(0.5, abs=ATOL)
    theta = 0.3
    tilted = (np.cos(theta) * e[:, 0] + np.sin(theta) * e[:, 1])[:, None]
    assert subspace_consistency(e[:, :1], tilted) == pytest.approx(np.cos(theta) ** 2, abs=ATOL)
