"""Tests for generators.concept_and_target: purity, splits, every ground-truth claim measured."""

import numpy as np
import pytest

from generators.concept_and_target import make_concept_and_target

# Large samples for the statistical claims (each test well under a second).
N_BIG = 200_000
# Accept a measured statistic within this many standard errors of its claimed value
# (two-sided p = 6e-7 for a correct generator).
N_SE = 5.0
# Quantities exact by construction, up to float64 rounding of O(10) numbers.
EXACT_RTOL = 1e-12


def test_concept_and_target_bit_identical_for_equal_arguments():
    a, b = (make_concept_and_target(300, 8, random_state=3, split=1) for _ in range(2))
    assert a.X.tobytes() == b.X.tobytes() and a.y.tobytes() == b.y.tobytes()
    assert a.X.dtype == np.float64 and a.X.shape == (300, 8) and a.y.shape == (300,)
    for key, value in a.ground_truth.items():
        assert np.array_equal(np.asarray(value), np.asarray(b.ground_truth[key])), key
    assert a.params == b.params


def test_concept_and_target_splits_share_structure_not_samples():
    train, test = (make_concept_and_target(300, 8, random_state=3, split=s) for s in (0, 1))
    assert not np.array_equal(train.X, test.X)
    assert not np.array_equal(train.ground_truth["target_labels"],
                              test.ground_truth["target_labels"])
    for key in ("concept_directions", "target_directions", "covariance",
                "cross_covariance_concept", "cross_covariance_target"):
        assert np.array_equal(train.ground_truth[key], test.ground_truth[key]), key
    other = make_concept_and_target(300, 8, random_state=4).ground_truth["concept_directions"]
    assert not np.array_equal(train.ground_truth["concept_directions"], other)


@pytest.mark.parametrize("rho", [-0.4, 0.0, 0.8])
def test_concept_and_target_label_correlation_and_balance(rho):
    ds = make_concept_and_target(N_BIG, 4, label_correlation=rho, random_state=1)
    z, y = ds.y, ds.ground_truth["target_labels"]
    se = np.sqrt((1 - rho**2) / N_BIG) * 1.1  # delta-method SE of a correlation, with margin
    assert abs(np.corrcoef(z, y)[0, 1] - rho) <= N_SE * se
    for labels in (z, y):
        assert abs(labels.mean() - 0.5) <= N_SE * 0.5 / np.sqrt(N_BIG)


def test_concept_and_target_geometry_is_exact():
    """Mahalanobis lengths, the whitened angle and the unit directions, by construction."""
    ds = make_concept_and_target(10, 8, concept_separation=1.5, target_separation=3.0,
                                 angle=70.0, random_state=5)
    t = ds.ground_truth
    inv = np.linalg.inv(t["noise_covariance"])
    dz, dy = t["concept_mechanism"], t["target_mechanism"]
    assert np.isclose(np.sqrt(dz @ inv @ dz), 1.5, rtol=EXACT_RTOL)
    assert np.isclose(np.sqrt(dy @ inv @ dy), 3.0, rtol=EXACT_RTOL)
    cos = (dz @ inv @ dy) / (1.5 * 3.0)
    assert np.isclose(np.degrees(np.arccos(cos)), 70.0, rtol=1e-9)
    for key in ("concept_directions", "target_directions"):
        assert np.isclose(np.linalg.norm(t[key]), 1.0, rtol=EXACT_RTOL)
    u, v = t["concept_directions"][:, 0], t["target_directions"][:, 0]
    assert np.isclose(np.degrees(np.arccos(u @ v)), t["angle_deg"], rtol=1e-9)


def test_concept_and_target_covariances_match_closed_forms():
    ds = make_concept_and_target(N_BIG, 6, label_correlation=0.6, random_state=2)
    t = ds.ground_truth
    Xc = ds.X - ds.X.mean(axis=0)
    for labels, key in ((ds.y, "cross_covariance_concept"),
                        (t["target_labels"], "cross_covariance_target")):
        measured = Xc.T @ (labels - labels.mean()) / N_BIG
        # SE of a cross-covariance coordinate: sqrt(Var(x_j) Var(label) / n), Var = 1/4
        se = np.sqrt(np.diag(t["covariance"]) * 0.25 / N_BIG)
        assert np.all(np.abs(measured - t[key]) <= N_SE * se), key
    S = Xc.T @ Xc / N_BIG
    diag = np.diag(t["covariance"])
    se = np.sqrt((np.outer(diag, diag) + t["covariance"] ** 2) / N_BIG)  # Gaussian-like
    assert np.all(np.abs(S - t["covariance"]) <= N_SE * 1.5 * se)


def test_concept_direction_is_the_class_mean_difference():
    """What a linear eraser must remove is E[x|z=1] - E[x|z=0] = D_z + rho D_y (not D_z):
    projecting the planted concept direction out leaves equal class means (to sampling)."""
    ds = make_concept_and_target(N_BIG, 6, label_correlation=0.7, random_state=4)
    t = ds.ground_truth
    gap = ds.X[ds.y == 1].mean(axis=0) - ds.X[ds.y == 0].mean(axis=0)
    expected = t["concept_mechanism"] + 0.7 * t["target_mechanism"]
    se = np.sqrt(np.diag(t["covariance"]) * 4 / N_BIG)
    assert np.all(np.abs(gap - expected) <= N_SE * se)
    u = t["concept_directions"][:, 0]
    assert np.isclose(abs(u @ expected) / np.linalg.norm(expected), 1.0, rtol=EXACT_RTOL)


@pytest.mark.parametrize("kwargs, match", [
    ({"label_correlation": 1.0}, "label_correlation"),
    ({"label_correlation": -1.5}, "label_correlation"),
    ({"angle": 0.0}, "angle"),
    ({"angle": 180.0}, "angle"),
    ({"concept_separation": 0.0}, "concept_separation"),
    ({"target_separation": -1.0}, "target_separation"),
    ({"n_samples": 1}, "n_samples"),
    ({"n_features": 1}, "n_features"),
    ({"condition": 0.5}, "condition"),
])
def test_concept_and_target_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_concept_and_target(**kwargs)
