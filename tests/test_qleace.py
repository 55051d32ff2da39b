"""Tests for methods.erasure.qleace against closed forms: matched first and second moments.

Each assertion is a number a wrong eraser would miss: a map that matched only the means
(mean matching) leaves the class covariances apart; a wrong barycentre weight moves the
hand-computed 1-D outputs; a map that is not the identity on matched classes moves rows.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.xor_concept import make_xor_concept
from methods.erasure.mean_matching import MeanMatchingEraser
from methods.erasure.qleace import QuadraticLeaceEraser, barycentre_covariance, ot_map

# Class means and covariances of the erased fit data agree to rounding: means of ~1000
# rows of size ~5 carry ~1e-14; covariances ~cond * d * eps of size ~5. Measured at most
# 1.5e-14 (6-d, 2-4 classes). The bar of the brief, 1e-8, is six decades above that and
# far below any real moment difference (O(0.1-1) here).
MOMENT_ATOL = 1e-8
# Hand-computed outputs: a few float operations on numbers of size ~10.
HAND_ATOL = 1e-12


def _classes(k: int, n: int = 1200, d: int = 6, seed: int = 0):
    """Gaussian classes with different means and different (diagonal x rotation) covariances,
    unbalanced frequencies."""
    rng = np.random.default_rng(seed)
    y = rng.choice(k, size=n, p=np.arange(1, k + 1) / np.arange(1, k + 1).sum())
    rot = np.linalg.qr(rng.standard_normal((d, d)))[0]
    scales = 0.3 + 2.0 * rng.random((k, d))
    X = (rng.standard_normal((n, d)) * scales[y]) @ rot.T + 2.0 * rng.standard_normal((k, d))[y]
    return X, y


def _moments(X, y):
    classes = np.unique(y)
    means = np.stack([X[y == c].mean(axis=0) for c in classes])
    covs = np.stack([np.cov(X[y == c].T) for c in classes])
    return means, covs


@pytest.mark.parametrize("k", [2, 3, 4])
def test_class_means_and_covariances_are_equal_after_erasure(k):
    X, y = _classes(k)
    eraser = QuadraticLeaceEraser().fit(X, y)
    out = eraser.transform(X, y)
    means, covs = _moments(out, y)
    before_means, before_covs = _moments(X, y)
    # Before: the moments differ by O(1); after: equal to rounding, and equal to the stored
    # common mean (the overall mean) and the barycentre covariance.
    assert np.abs(before_covs - before_covs[0]).max() > 0.5
    assert np.abs(before_means - before_means[0]).max() > 0.5
    np.testing.assert_allclose(means, np.broadcast_to(X.mean(axis=0), means.shape),
                               rtol=0, atol=MOMENT_ATOL)
    np.testing.assert_allclose(covs, np.broadcast_to(eraser.covariance_, covs.shape),
                               rtol=0, atol=MOMENT_ATOL)
    assert eraser.rank_ == X.shape[1]
    assert (eraser.barycentre_iterations_ == 0) == (k == 2)


def test_mean_matching_leaves_the_covariances_apart():
    # The control that makes the test above mean something: matching means only.
    X, y = _classes(3)
    _, covs = _moments(MeanMatchingEraser().fit(X, y).transform(X, y), y)
    assert np.abs(covs - covs[0]).max() > 0.5


def test_identity_when_the_classes_already_match():
    # Every class is the same rows (shuffled): equal means and covariances in-sample, so the
    # barycentre is that covariance, every map is I and every row stays where it is.
    rng = np.random.default_rng(3)
    base = rng.standard_normal((200, 5)) @ rng.standard_normal((5, 5)) + 3.0
    X = np.vstack([base[rng.permutation(200)] for _ in range(3)])
    y = np.repeat([0, 1, 2], 200)
    eraser = QuadraticLeaceEraser().fit(X, y)
    np.testing.assert_allclose(eraser.maps_, np.broadcast_to(np.eye(5), (3, 5, 5)),
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(eraser.transform(X, y), X, rtol=0, atol=1e-10)
    assert eraser.rank_ == 0


def test_hand_computed_one_dimensional_case():
    # Class 0: {-1, 1} (mean 0, Bessel variance 2); class 1: {4, 6, 8} (mean 6, variance 4).
    # Weights 2/5, 3/5. In 1-D the barycentre's standard deviation is the weighted mean of
    # the standard deviations, s = 0.4 sqrt(2) + 0.6 * 2; the map of class k is s / s_k and
    # the common mean is the overall mean (0 * 2 + 6 * 3) / 5 = 3.6.
    X = np.array([[-1.0], [1.0], [4.0], [6.0], [8.0]])
    y = np.array([0, 0, 1, 1, 1])
    s = 0.4 * np.sqrt(2.0) + 1.2
    expected = np.array([3.6 - s / np.sqrt(2), 3.6 + s / np.sqrt(2), 3.6 - s, 3.6, 3.6 + s])
    eraser = QuadraticLeaceEraser().fit(X, y)
    np.testing.assert_allclose(eraser.transform(X, y)[:, 0], expected, rtol=0, atol=HAND_ATOL)
    np.testing.assert_allclose(eraser.covariance_, [[s * s]], rtol=0, atol=HAND_ATOL)
    np.testing.assert_allclose(eraser.maps_[:, 0, 0], [s / np.sqrt(2), s / 2], rtol=0,
                               atol=HAND_ATOL)


def test_hand_computed_three_classes_by_fixed_point():
    # Three 1-D classes: the fixed point must reach the closed form s = sum_k p_k s_k.
    X = np.array([[0.0], [2.0], [10.0], [13.0], [16.0], [-5.0], [-5.5], [-6.0], [-6.5]])
    y = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    sds = np.array([np.sqrt(2.0), 3.0, np.sqrt(np.var([-5, -5.5, -6, -6.5], ddof=1))])
    s = np.array([2, 3, 4]) @ sds / 9
    eraser = QuadraticLeaceEraser().fit(X, y)
    np.testing.assert_allclose(eraser.covariance_, [[s * s]], rtol=1e-12, atol=0)
    out = eraser.transform(X, y)[:, 0]
    means = np.array([1.0, 13.0, -5.75])
    np.testing.assert_allclose(out, X.mean() + (X[:, 0] - means[y]) * s / sds[y], rtol=0,
                               atol=HAND_ATOL)


@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 5))
def test_ot_map_is_symmetric_psd_and_pushes_source_to_target(seed, d):
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((2, d, d + 2))
    S, T = A @ A.T, B @ B.T
    M = ot_map(S, T)
    np.testing.assert_allclose(M, M.T, rtol=0, atol=1e-9 * np.abs(M).max())
    assert np.linalg.eigvalsh(M).min() > -1e-9 * np.abs(M).max()
    np.testing.assert_allclose(M @ S @ M, T, rtol=0, atol=1e-8 * np.abs(T).max())


def test_barycentre_of_commuting_covariances_is_the_squared_mean_root():
    # Diagonal covariances commute: the barycentre is (sum_k p_k S_k^{1/2})^2, for two
    # classes (closed form) and for four (fixed point).
    rng = np.random.default_rng(5)
    for k in (2, 4):
        diag = rng.random((k, 3)) * 4 + 0.1
        w = rng.random(k)
        w /= w.sum()
        bary, _ = barycentre_covariance(np.stack([np.diag(v) for v in diag]), w)
        np.testing.assert_allclose(bary, np.diag((w @ np.sqrt(diag)) ** 2), rtol=1e-12,
                                   atol=1e-14)


def test_generators_moments_after_erasure():
    # On the suite's own 4-class and XOR data the fit-data moments match too.
    for ds in (make_multiclass_gaussian(4000, 8, n_classes=4, random_state=1),
               make_xor_concept(4000, 8, random_state=1)):
        out = QuadraticLeaceEraser().fit(ds.X, ds.y).transform(ds.X, ds.y)
        means, covs = _moments(out, ds.y)
        assert np.abs(means - means[0]).max() < MOMENT_ATOL
        assert np.abs(covs - covs[0]).max() < MOMENT_ATOL


def test_xor_classes_keep_different_fourth_moments():
    # What QLEACE cannot do: each XOR class is two clusters along its own diagonal; after
    # the maps the classes share mean and covariance but along u_1 + u_2 class 1 is still
    # bimodal (two tight clusters) and class 0 unimodal: their kurtoses stay apart.
    ds = make_xor_concept(8000, 4, noise=0.3, random_state=2)
    out = QuadraticLeaceEraser().fit(ds.X, ds.y).transform(ds.X, ds.y)
    u = ds.ground_truth["concept_directions"].sum(axis=1) / np.sqrt(2)
    t = (out - out.mean(axis=0)) @ u

    def kurtosis(v):
        return float(np.mean(v**4) / np.mean(v**2) ** 2)

    assert kurtosis(t[ds.y == 1]) < 1.5 < 2.5 < kurtosis(t[ds.y == 0])


def test_transform_needs_known_labels_and_clone_refits_the_same():
    X, y = _classes(3, n=300)
    eraser = QuadraticLeaceEraser().fit(X, y)
    with pytest.raises(ValueError, match="requires y"):
        eraser.transform(X)
    with pytest.raises(ValueError, match="not seen in fit"):
        eraser.transform(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match=r"y must have shape \(300,\)"):
        eraser.transform(X, y[:-1])
    with pytest.raises(ValueError, match="barycentre_max_iter"):
        QuadraticLeaceEraser(barycentre_max_iter=0).fit(X, y)
    with pytest.raises(ValueError, match="barycentre_tol"):
        QuadraticLeaceEraser(barycentre_tol=-1.0).fit(X, y)
    np.testing.assert_array_equal(clone(eraser).fit_transform(X, y), eraser.transform(X, y))
    names = np.array(["a", "b", "c"])[y]
    np.testing.assert_array_equal(QuadraticLeaceEraser().fit(X, names).transform(X, names),
                                  eraser.transform(X, y))


def test_xor_bayes_accuracy_after_erasure_stays_far_above_chance():
    # The optimal classifier of the erased XOR classes (each a two-Gaussian mixture pushed
    # through its class map, known in closed form) still reads the concept: measured 0.839
    # (2-d, noise 0.3; 0.999 before erasure). QDA cannot (matched covariances) and the
    # quick grid's MLP reads 0.586: what is left is there, the probe is weak.
    from scipy.stats import multivariate_normal

    fit = make_xor_concept(100_000, 2, random_state=0, split=0)
    test = make_xor_concept(50_000, 2, random_state=0, split=1)
    eraser = QuadraticLeaceEraser().fit(fit.X, fit.y)
    Z = eraser.transform(test.X, test.y)
    U = fit.ground_truth["concept_directions"]
    density = []
    for c, signs in ((0, [(1, -1), (-1, 1)]), (1, [(1, 1), (-1, -1)])):
        A = eraser.maps_[c]
        density.append(sum(
            0.5 * multivariate_normal(eraser.mean_ + A @ (a * U[:, 0] + b * U[:, 1]
                                                          - eraser.class_means_[c]),
                                      0.09 * A @ A).pdf(Z)
            for a, b in signs))
    pred = (density[1] > density[0]).astype(int)
    bayes = 0.5 * ((pred[test.y == 0] == 0).mean() + (pred[test.y == 1] == 1).mean())
    # Balanced accuracy on 50000 rows: se 0.0016; 0.02 is over ten of them.
    assert abs(bayes - 0.839) < 0.02, bayes
