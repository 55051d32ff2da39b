"""Tests for floor.geometric_median: Weiszfeld's algorithm against known answers."""

import numpy as np
import pytest
from scipy.stats import ortho_group

from floor.geometric_median import geometric_median

# Weiszfeld stops when a step is below 1e-10 times the mean absolute deviation (~45 here):
# answers are good to ~1e-8; measured rotation error 1e-8.
ATOL = 1e-6


@pytest.fixture(scope="module")
def contaminated():
    """55% inliers N(0, I_3) and 45% outliers around (100, 100, 100)."""
    rng = np.random.default_rng(0)
    inliers = rng.standard_normal((110, 3))
    outlier_noise = rng.standard_normal((90, 3))
    return inliers, outlier_noise


def test_geometric_median_of_symmetric_points_is_centre():
    c = np.array([1.0, 2.0, 3.0])
    offsets = np.vstack([2 * np.eye(3), -2 * np.eye(3), np.ones((1, 3)), -np.ones((1, 3))])
    assert np.abs(geometric_median(c + offsets) - c).max() <= ATOL


def test_geometric_median_one_dimension_is_median():
    x = np.array([[0.0], [1.0], [2.0], [10.0], [1000.0]])
    assert geometric_median(x)[0] == pytest.approx(2.0, abs=ATOL)


def test_geometric_median_first_order_condition(contaminated):
    inliers, noise = contaminated
    X = np.vstack([inliers, 100 + noise])
    m = geometric_median(X)
    unit = (m - X) / np.linalg.norm(X - m, axis=1)[:, None]
    # The subgradient sum of unit vectors vanishes at the minimiser (measured 1e-7 of n=200).
    assert np.linalg.norm(unit.sum(axis=0)) <= 1e-5


@pytest.mark.parametrize("far", [100.0, 1e4, 1e6])
def test_geometric_median_resists_45_percent_outliers(contaminated, far):
    inliers, noise = contaminated
    X = np.vstack([inliers, far + noise])
    gm, cm, mean = geometric_median(X), np.median(X, axis=0), X.mean(axis=0)
    # Breakdown point 1/2: both medians stay in the inlier cloud (measured |gm| = 2.24,
    # |cm| = 2.22 at every distance), the mean follows the outliers (0.45 * far * sqrt 3).
    assert np.linalg.norm(gm) < 3.0 and np.linalg.norm(cm) < 3.0
    assert np.linalg.norm(mean) > 0.4 * far
    reference = geometric_median(np.vstack([inliers, 100 + noise]))
    # Receding outliers barely move it: only their directions matter, whose spread at
    # distance 100 is ~1/100 rad (measured shift 1.4e-3 from far = 100 to 1e6).
    assert np.abs(gm - reference).max() <= 0.01


def test_geometric_median_rotation_equivariant_unlike_coordinate_median(contaminated):
    inliers, noise = contaminated
    X = np.vstack([inliers, 100 + noise])
    R = ortho_group.rvs(3, random_state=1)
    gm, cm = geometric_median(X), np.median(X, axis=0)
    assert np.abs(geometric_median(X @ R.T) - gm @ R.T).max() <= ATOL
    assert np.abs(np.median(X @ R.T, axis=0) - cm @ R.T).max() > 0.1  # measured 0.66


def test_geometric_median_rejects_bad_shape():
    with pytest.raises(ValueError, match="2-D with at least one row"):
        geometric_median(np.ones(3))
    with pytest.raises(ValueError, match="2-D with at least one row"):
        geometric_median(np.ones((0, 3)))
