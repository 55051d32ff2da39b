"""Tests for the erasure generators: purity, splits, and every ground-truth claim measured."""

import numpy as np
import pytest
from scipy.stats import norm

from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.outlier_equal_means import make_outlier_equal_means
from generators.two_class_gaussian import make_two_class_gaussian
from generators.weak_concept import make_weak_concept
from generators.xor_concept import make_xor_concept

GENERATORS = {
    "two_class_gaussian": make_two_class_gaussian,
    "outlier_equal_means": make_outlier_equal_means,
    "xor_concept": make_xor_concept,
    "multiclass_gaussian": make_multiclass_gaussian,
    "weak_concept": make_weak_concept,
}
# Large samples for the statistical claims; each test below takes well under a second.
N_BIG = 200_000
# Accept a measured statistic within this many standard errors of its claimed value
# (two-sided p = 6e-7 for a correct generator).
N_SE = 5.0
# Quantities that are exact by construction, up to float64 rounding of O(10) data.
EXACT_RTOL = 1e-12


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generator_bit_identical_for_equal_arguments(name):
    a, b = (GENERATORS[name](300, 8, random_state=3, split=1) for _ in range(2))
    assert a.X.tobytes() == b.X.tobytes() and a.y.tobytes() == b.y.tobytes()
    assert a.X.dtype == np.float64 and a.X.shape == (300, 8) and a.y.shape == (300,)
    for key, value in a.ground_truth.items():
        assert np.array_equal(np.asarray(value), np.asarray(b.ground_truth[key])), key
    assert a.params == b.params


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generator_splits_differ_but_share_ground_truth(name):
    train, test = (GENERATORS[name](300, 8, random_state=3, split=s) for s in (0, 1))
    assert not np.array_equal(train.X, test.X)
    dirs = train.ground_truth["concept_directions"]
    assert np.array_equal(dirs, test.ground_truth["concept_directions"])
    other = GENERATORS[name](300, 8, random_state=4).ground_truth["concept_directions"]
    assert not np.array_equal(dirs, other)  # another dataset seed: another structure
    assert np.abs(dirs.T @ dirs - np.eye(dirs.shape[1])).max() <= EXACT_RTOL


def _axis(ds):
    """Concept-axis coordinate (x - m) . u of the outlier set."""
    u = ds.ground_truth["concept_directions"][:, 0]
    return (ds.X - ds.ground_truth["class_means"][0]) @ u


def _threshold_at_zero(ds):
    """Balanced accuracy of 'class 0 where the axis coordinate is > 0'."""
    pred0 = _axis(ds) > 0
    return 0.5 * (pred0[ds.y == 0].mean() + (~pred0[ds.y == 1]).mean())


@pytest.mark.parametrize("axis_noise", [0.0, 0.3])
def test_outlier_set_class_means_exactly_equal(axis_noise):
    ds = make_outlier_equal_means(2000, 16, axis_noise=axis_noise, random_state=0)
    means = [ds.X[ds.y == c].mean(axis=0) for c in (0, 1)]
    scale = np.abs(ds.X).max()
    # Measured gap 5.8e-15 on data of size 8 (relative 7e-16).
    assert np.abs(means[0] - means[1]).max() <= EXACT_RTOL * scale
    assert np.abs(means[0] - ds.ground_truth["class_means"][0]).max() <= EXACT_RTOL * scale


def test_outlier_set_medians_on_axis():
    ds = make_outlier_equal_means(2000, 16, random_state=0)
    t = _axis(ds)
    medians = (np.median(t[ds.y == 0]), np.median(t[ds.y == 1]))
    assert medians == pytest.approx(ds.ground_truth["class_medians_on_axis"], abs=1e-12)
    assert ds.ground_truth["class_medians_on_axis"] == (1.0, -1.0)
    # The far side sits at -(n_c - k) / k = -9 for a 10% fraction.
    assert np.sort(np.unique(np.round(t[ds.y == 0], 9))).tolist() == [-9.0, 1.0]


def test_outlier_set_threshold_rule_is_documented_best_linear_accuracy():
    exact = make_outlier_equal_means(N_BIG, 16, random_state=0)
    assert exact.ground_truth["best_linear_accuracy"] == pytest.approx(0.9)
    # Without axis noise the rule is right on exactly the inliers: 90% of each class.
    assert _threshold_at_zero(exact) == pytest.approx(0.9, abs=EXACT_RTOL)


def test_outlier_set_axis_noise_accuracy_formula():
    ds = make_outlier_equal_means(N_BIG, 16, axis_noise=0.5, random_state=0)
    claimed = ds.ground_truth["best_linear_accuracy"]
    assert claimed == pytest.approx(0.9 * norm.cdf(2.0) + 0.1 * norm.cdf(-18.0))
    se = np.sqrt(claimed * (1 - claimed) / N_BIG)  # balanced over two equal halves
    measured = _threshold_at_zero(ds)  # measured 0.87952 vs 0.87952
    assert abs(measured - claimed) <= N_SE * se


def _mahalanobis(a, b, cov):
    d = a - b
    return float(np.sqrt(d @ np.linalg.solve(cov, d)))


def test_two_class_gaussian_mahalanobis_separation():
    separation = 2.0
    ds = make_two_class_gaussian(N_BIG, 16, separation=separation, random_state=0)
    truth = ds.ground_truth
    cov = truth["covariance"]
    # Population means are at exactly `separation` by construction.
    assert _mahalanobis(*truth["class_means"][::-1], cov) == pytest.approx(separation, rel=1e-12)
    # Sample means: whitened mean difference has noise N(0, (1/n0 + 1/n1) I), so the
    # distance has standard error sqrt(1/n0 + 1/n1) = 0.0045 (bias d(1/n0+1/n1)/2 delta
    # = 8e-5, negligible). Measured 1.9945.
    n1 = ds.y.sum()
    se = np.sqrt(1 / n1 + 1 / (N_BIG - n1))
    sample = _mahalanobis(ds.X[ds.y == 1].mean(axis=0), ds.X[ds.y == 0].mean(axis=0), cov)
    assert abs(sample - separation) <= N_SE * se
    assert truth["bayes_accuracy"] == pytest.approx(norm.cdf(1.0))
    # The planted direction is the mean difference.
    diff = truth["class_means"][1] - truth["class_means"][0]
    assert truth["concept_directions"][:, 0] @ diff == pytest.approx(np.linalg.norm(diff))


def test_two_class_gaussian_covariance_condition():
    cov = make_two_class_gaussian(100, 16, condition=100.0, random_state=0).ground_truth[
        "covariance"]
    lam = np.linalg.eigvalsh(cov)
    assert lam[-1] / lam[0] == pytest.approx(100.0, rel=1e-9)


@pytest.mark.parametrize("noise", [0.3, 0.6])
def test_xor_bayes_accuracy_formula(noise):
    ds = make_xor_concept(N_BIG, 16, noise=noise, random_state=0)
    claimed = ds.ground_truth["bayes_accuracy"]
    p = norm.cdf(1 / noise)
    assert claimed == pytest.approx(p**2 + (1 - p) ** 2)
    coords = ds.X @ ds.ground_truth["concept_directions"]
    measured = np.mean((coords[:, 0] * coords[:, 1] > 0) == ds.y)  # 0.90905 vs 0.90899 at 0.6
    assert abs(measured - claimed) <= N_SE * np.sqrt(claimed * (1 - claimed) / N_BIG)
    # Equal class means in the population: the sample gap is sampling noise only.
    gap = ds.X[ds.y == 1].mean(axis=0) - ds.X[ds.y == 0].mean(axis=0)
    assert np.abs(gap).max() <= N_SE * np.sqrt(1 + noise**2) * np.sqrt(4 / N_BIG)


def test_weak_concept_is_the_two_class_gaussian_turned_down():
    weak = make_weak_concept(N_BIG, 16, separation=0.02, random_state=0)
    same = make_two_class_gaussian(N_BIG, 16, separation=0.02, random_state=0)
    assert weak.name == "weak_concept"
    np.testing.assert_array_equal(weak.X, same.X)
    np.testing.assert_array_equal(weak.y, same.y)
    truth = weak.ground_truth
    gap, cov = truth["mean_gap"], truth["covariance"]
    assert _mahalanobis(gap, 0 * gap, cov) == pytest.approx(0.02, rel=1e-12)
    assert truth["mahalanobis_gap"] == 0.02
    assert truth["euclidean_gap"] == pytest.approx(np.linalg.norm(gap), rel=1e-12)
    assert truth["bayes_accuracy"] == pytest.approx(norm.cdf(0.01)) == pytest.approx(0.50399,
                                                                                       abs=1e-5)
    assert truth["sampling_gap"] == pytest.approx(np.sqrt(4 * 16 / N_BIG))
    # Whitened, the sample gap is the planted one plus estimation noise N(0, (1/n0 + 1/n1) I)
    # (se 0.0045 at N_BIG): along the planted direction it reads 0.02 + noise (measured
    # 0.0144); its full norm sqrt(0.02^2 + 16 se^2) = 0.027 is mostly noise (measured 0.0224).
    n1 = weak.y.sum()
    se = np.sqrt(1 / n1 + 1 / (N_BIG - n1))
    lam, vecs = np.linalg.eigh(cov)
    whiten = (vecs / np.sqrt(lam)) @ vecs.T
    sample = whiten @ (weak.X[weak.y == 1].mean(axis=0) - weak.X[weak.y == 0].mean(axis=0))
    planted = whiten @ gap / np.linalg.norm(whiten @ gap)
    assert abs(sample @ planted - 0.02) <= N_SE * se
    assert abs(np.linalg.norm(sample) - np.sqrt(0.02**2 + 16 * se**2)) <= N_SE * se


def test_multiclass_pairwise_mahalanobis():
    separation, k = 2.0, 4
    ds = make_multiclass_gaussian(N_BIG, 16, n_classes=k, separation=separation,
                                  random_state=0)
    truth = ds.ground_truth
    cov, means = truth["covariance"], truth["class_means"]
    assert truth["pairwise_mahalanobis"] == separation and truth["n_classes"] == k
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    for i, j in pairs:
        assert _mahalanobis(means[i], means[j], cov) == pytest.approx(separation, rel=1e-12)
    sample = np.stack([ds.X[ds.y == c].mean(axis=0) for c in range(k)])
    counts = np.bincount(ds.y, minlength=k)
    for i, j in pairs:  # measured 1.989-2.013
        se = np.sqrt(1 / counts[i] + 1 / counts[j])
        assert abs(_mahalanobis(sample[i], sample[j], cov) - separation) <= N_SE * se, (i, j)
    # concept_directions: an orthonormal basis of the span of the centred class means.
    dirs = truth["concept_directions"]
    centred = means - means.mean(axis=0)
    assert dirs.shape == (16, k - 1)
    assert np.abs(centred - centred @ dirs @ dirs.T).max() <= EXACT_RTOL * np.abs(means).max()


@pytest.mark.parametrize("make, kwargs, match", [
    (make_two_class_gaussian, dict(n_samples=1), "n_samples must be an integer >= 2"),
    (make_two_class_gaussian, dict(n_features=1), "n_features must be an integer >= 2"),
    (make_two_class_gaussian, dict(separation=0.0), "separation must be > 0"),
    (make_two_class_gaussian, dict(separation=float("nan")), "separation must be finite"),
    (make_two_class_gaussian, dict(n_samples=2.5), "n_samples must be an int, got float"),
    (make_two_class_gaussian, dict(n_samples=True), "n_samples must be an int, got bool"),
    (make_outlier_equal_means, dict(n_samples=3), "n_samples must be an integer >= 4"),
    (make_outlier_equal_means, dict(outlier_fraction=0.5), r"outlier_fraction must be in"),
    (make_outlier_equal_means, dict(outlier_fraction=0.0), r"outlier_fraction must be in"),
    (make_outlier_equal_means, dict(noise=-1.0), "noise must be >= 0"),
    (make_outlier_equal_means, dict(axis_noise=-0.1), "axis_noise must be >= 0"),
    (make_xor_concept, dict(noise=0.0), "noise must be > 0"),
    (make_weak_concept, dict(separation=0.0), "separation must be > 0"),
    (make_weak_concept, dict(n_features=1), "n_features must be an integer >= 2"),
    (make_xor_concept, dict(n_features=1), "n_features must be an integer >= 2"),
    (make_multiclass_gaussian, dict(n_classes=1), "n_classes must be an integer >= 2"),
    (make_multiclass_gaussian, dict(n_classes=5, n_features=4),
     "n_features must be an integer >= 5"),
    (make_multiclass_gaussian, dict(separation=-1.0), "separation must be > 0"),
])
def test_generator_rejects_bad_arguments(make, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make(**kwargs)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generator_rejects_bad_random_state(name):
    with pytest.raises(ValueError, match="non-negative"):
        GENERATORS[name](100, 8, random_state=-1)
    with pytest.raises(TypeError, match="random_state"):
        GENERATORS[name](100, 8, random_state=0.5)
