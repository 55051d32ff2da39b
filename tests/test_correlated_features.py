"""Tests of the correlated-features generator (generators/correlated_features.py)."""

from __future__ import annotations

import numpy as np
import pytest

from generators.correlated_features import (
    make_correlated_features,
    pair_correlation,
    realised_correlation,
)

N = 200_000  # rows for the statistical checks (a split costs ~0.1 s)


def _z(n):
    """Tolerance in sigmas: 5 standard errors keeps a false alarm below 1e-6 per check."""
    return 5.0 / np.sqrt(n)


@pytest.fixture(scope="module")
def big():
    return make_correlated_features(N, n_features=16, n_groups=4, group_size=3,
                                    firing_probability=0.3, decay=0.8, correlation=0.5,
                                    random_state=7)


def test_marginal_rates_are_exact(big):
    g = big.ground_truth
    fire = g["codes"].toarray() > 0
    p = g["firing_rates"]
    se = np.sqrt(p * (1 - p) / N)
    assert np.all(np.abs(fire.mean(axis=0) - p) <= 5 * se)
    np.testing.assert_allclose(p[:3], 0.3)  # one group, equal rates
    np.testing.assert_allclose(p[3:6], 0.3 * 0.8)
    assert g["expected_l0"] == pytest.approx(p.sum())
    assert g["true_l0"] == pytest.approx(p.sum(), abs=0.02)


def test_partner_correlation_is_the_parameter_for_equal_rates(big):
    g = big.ground_truth
    R = g["realised_correlation"]
    # Phi's standard error at these rates is about 1/sqrt(N).
    assert np.all(np.abs(R[g["partners"]] - 0.5) <= _z(N))
    assert g["mean_partner_correlation"] == pytest.approx(0.5)
    across = ~g["partners"] & ~np.eye(12, dtype=bool)
    assert np.all(np.abs(R[across]) <= _z(N))


def test_unequal_rates_follow_the_closed_form():
    d = make_correlated_features(N, n_features=4, n_groups=2, group_size=2,
                                 firing_probability=0.4, within_ratio=0.25, correlation=0.8,
                                 random_state=3)
    g = d.ground_truth
    p = g["firing_rates"]
    np.testing.assert_allclose(p[:2], [0.4, 0.1])
    # s^2 (min - p p) / sqrt(p q p q) = 0.8 (0.1 - 0.04) / sqrt(0.24 * 0.09) = 0.3266.
    expected = 0.8 * (0.1 - 0.04) / np.sqrt(0.24 * 0.09)
    assert g["expected_correlation"][0, 1] == pytest.approx(expected)
    assert abs(g["realised_correlation"][0, 1] - expected) <= _z(N)


def test_full_correlation_makes_equal_rate_partners_fire_together():
    g = make_correlated_features(5000, n_groups=2, group_size=2, correlation=1.0,
                                 random_state=1).ground_truth
    fire = g["codes"].toarray() > 0
    assert np.array_equal(fire[:, 0], fire[:, 1]) and np.array_equal(fire[:, 2], fire[:, 3])


def test_zero_correlation_is_independent():
    g = make_correlated_features(N, n_groups=2, group_size=2, correlation=0.0,
                                 random_state=2).ground_truth
    assert np.all(np.abs(g["realised_correlation"][g["partners"]]) <= _z(N))
    assert np.all(g["expected_correlation"][g["partners"]] == 0.0)


def test_data_is_codes_times_orthonormal_features():
    d = make_correlated_features(300, n_features=12, n_groups=5, group_size=2,
                                 random_state=4)
    g = d.ground_truth
    F = g["features"]
    np.testing.assert_allclose(F @ F.T, np.eye(10), atol=1e-12)
    np.testing.assert_allclose(d.X, g["codes"] @ F, atol=1e-12)
    assert np.all(g["codes"].data > 0)
    assert g["partners"].sum() == 10 and not g["partners"].diagonal().any()
    assert np.array_equal(g["group"], np.repeat(np.arange(5), 2))


def test_superposition_when_not_orthogonal():
    g = make_correlated_features(100, n_features=4, n_groups=4, group_size=2,
                                 orthogonal=False, random_state=5).ground_truth
    F = g["features"]
    assert F.shape == (8, 4)
    np.testing.assert_allclose(np.linalg.norm(F, axis=1), 1.0)


def test_structure_shared_across_splits_samples_differ_and_reproducible():
    a = make_correlated_features(500, random_state=9, split=0)
    b = make_correlated_features(500, random_state=9, split=1)
    c = make_correlated_features(500, random_state=9, split=0)
    np.testing.assert_array_equal(a.ground_truth["features"], b.ground_truth["features"])
    assert not np.array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.X, c.X)


def test_pair_and_realised_correlation_helpers():
    p = np.array([0.5, 0.5, 0.2])
    C = pair_correlation(p, 0.36, np.array([0, 0, 1]))
    assert C[0, 1] == pytest.approx(0.36) and C[0, 2] == 0 and np.all(np.diag(C) == 1)
    fire = np.array([[1, 1, 0], [0, 0, 0], [1, 1, 0], [0, 0, 0]], dtype=bool)
    R = realised_correlation(fire)
    assert R[0, 1] == pytest.approx(1.0) and R[0, 2] == 0.0  # constant column -> 0


@pytest.mark.parametrize("kwargs, name", [
    ({"n_samples": 0}, "n_samples"), ({"correlation": 1.5}, "correlation"),
    ({"firing_probability": 0.0}, "firing_probability"), ({"decay": 0.0}, "decay"),
    ({"within_ratio": 2.0}, "within_ratio"), ({"group_size": 0}, "group_size"),
    ({"magnitude_std": -1.0}, "magnitude_std"), ({"orthogonal": 1}, "orthogonal"),
    ({"n_features": 4, "n_groups": 3}, "orthogonal"), ({"n_groups": 2.0}, "n_groups"),
])
def test_errors_name_the_argument(kwargs, name):
    args = dict(n_samples=10) | kwargs
    with pytest.raises((ValueError, TypeError), match=name):
        make_correlated_features(**args)
