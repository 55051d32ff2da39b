"""Tests for methods.erasure.leace: the theorems LEACE implements, checked on the fit data.

Belrose et al. (2023): Thm 3.1 (equal class-conditional means = linear guardedness for
every convex loss) and Thm 4.3 (the least-squares optimal affine eraser, for every PSD
norm). Each assertion is a number that a wrong eraser would miss.
"""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.svm import LinearSVC

from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.outlier_equal_means import make_outlier_equal_means
from generators.two_class_gaussian import make_two_class_gaussian
from generators.xor_concept import make_xor_concept
from methods.erasure.leace import LeaceEraser
from methods.erasure.mean_projection import MeanProjectionEraser

N, D = 2000, 16
GENERATORS = {
    "two_class_gaussian": make_two_class_gaussian,
    "outlier_equal_means": make_outlier_equal_means,
    "xor_concept": make_xor_concept,
    "multiclass_gaussian": make_multiclass_gaussian,
}
# Class means of the erased fit data agree to rounding: the mean of n = 2000 float64 rows
# of size ~10 carries ~sqrt(n) * eps * 10 ~ 1e-13 of error; measured at most 6e-15
# (outlier_equal_means, multiclass_gaussian). 1e-10 leaves three decades of headroom and is
# still five decades below any real concept in these data.
MEAN_ATOL = 1e-10
# Idempotence and affine identities: the same rounding argument on a d = 16 update.
AFFINE_ATOL = 1e-10
# Unregularised logistic regression and a linear SVM on erased data: the exact optimum is
# w = 0 (the gradient at w = 0 is p(1-p)(mu_1 - mu_0) = 0), so |w| is solver and rounding
# error. The reference package (EleutherAI concept-erasure tests/test_leace.py) bounds it by
# 2e-9 on 128-d data; measured here: 7e-13 (logistic), 3e-13 (SVM).
COEF_ATOL = 2e-9
# Before erasure the same probes must learn: the reference package's positive-control bound.
COEF_LEARNS = 0.05
# The reference package drops singular values of W S_xz below an absolute 0.01.
REFERENCE_SVD_TOL = 0.01


def class_mean_gap(X, y):
    """Largest |class mean - overall mean| coordinate over classes."""
    mu = X.mean(axis=0)
    return max(np.abs(X[y == c].mean(axis=0) - mu).max() for c in np.unique(y))


@pytest.fixture(scope="module", params=list(GENERATORS))
def fitted(request):
    ds = GENERATORS[request.param](N, D, random_state=0)
    eraser = LeaceEraser().fit(ds.X, ds.y)
    return request.param, ds, eraser, eraser.transform(ds.X)


@pytest.fixture(scope="module")
def gaussian():
    ds = make_two_class_gaussian(N, D, random_state=0)
    return ds, LeaceEraser().fit(ds.X, ds.y)


def test_leace_class_means_equal_on_fit_data(fitted):
    name, ds, _, X_erased = fitted
    gap = class_mean_gap(X_erased, ds.y)
    assert gap <= MEAN_ATOL, f"{name}: class-mean gap {gap:.3g} after LEACE"


def test_leace_is_idempotent(fitted):
    _, _, eraser, X_erased = fitted
    assert np.abs(eraser.transform(X_erased) - X_erased).max() <= AFFINE_ATOL


def test_leace_update_rank_at_most_k_minus_one(fitted):
    name, ds, eraser, X_erased = fitted
    k = np.unique(ds.y).size
    rank = np.linalg.matrix_rank(ds.X - X_erased, tol=1e-8 * np.abs(ds.X).max())
    assert eraser.rank_ <= k - 1 and rank == eraser.rank_
    # projection_ is the map kept, I - P: its rank is d minus the rank of the update.
    assert np.linalg.matrix_rank(eraser.projection_) == ds.X.shape[1] - eraser.rank_
    if name in ("two_class_gaussian", "multiclass_gaussian"):
        assert eraser.rank_ == k - 1  # a real mean difference is always removed
    if name == "outlier_equal_means":
        assert eraser.rank_ == 0  # class means are equal to rounding: nothing to remove


def test_leace_preserves_overall_mean(fitted):
    _, ds, _, X_erased = fitted
    assert np.abs(X_erased.mean(axis=0) - ds.X.mean(axis=0)).max() <= MEAN_ATOL


def test_leace_projection_is_oblique_projector(gaussian):
    _, eraser = gaussian
    P = np.eye(eraser.n_features_in_) - eraser.projection_  # the removed update
    assert np.abs(P @ P - P).max() <= AFFINE_ATOL
    # Anisotropic covariance: the least-squares update is oblique, not symmetric.
    assert np.abs(P - P.T).max() > 1e-3


@pytest.mark.parametrize("make", [make_two_class_gaussian, make_multiclass_gaussian],
                         ids=["two_class", "multiclass"])
def test_leace_linear_classifiers_learn_nothing_after_erasure(make):
    ds = make(N, D, random_state=0)
    X_erased = LeaceEraser().fit(ds.X, ds.y).transform(ds.X)
    # Large C = unregularised; centring helps lbfgs (as in the reference package's test).
    lr = LogisticRegression(C=1e10, tol=0.0, max_iter=1000)
    svm = LinearSVC(dual=False, intercept_scaling=1e6, tol=COEF_ATOL)
    after_lr = np.abs(lr.fit(X_erased - X_erased.mean(axis=0), ds.y).coef_).max()
    after_svm = np.abs(svm.fit(X_erased, ds.y).coef_).max()
    assert after_lr < COEF_ATOL and after_svm < COEF_ATOL
    before_lr = np.abs(lr.fit(ds.X - ds.X.mean(axis=0), ds.y).coef_).max()
    before_svm = np.abs(svm.fit(ds.X, ds.y).coef_).max()
    assert before_lr > COEF_LEARNS and before_svm > COEF_LEARNS


def test_leace_positive_control_probe_learns_before_erasure():
    train, test = (make_two_class_gaussian(N, D, random_state=0, split=s) for s in (0, 1))
    probe = LogisticRegression(max_iter=1000).fit(train.X, train.y)
    acc = balanced_accuracy_score(test.y, probe.predict(test.X))
    # Bayes accuracy Phi(1) = 0.841; 5 binomial standard errors at n = 2000 is 0.04.
    assert acc > train.ground_truth["bayes_accuracy"] - 0.04


def _weak_concept(mahalanobis, n=N, d=8, seed=1):
    """Two classes whose *sample* means differ by exactly ``mahalanobis`` (sample metric)."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, d)) * np.logspace(-1, 1, d)
    y = np.arange(n) % 2
    for c in (0, 1):
        Z[y == c] -= Z[y == c].mean(axis=0)
    lam, V = np.linalg.eigh(np.cov(Z.T, bias=True))
    u = rng.standard_normal(d)
    diff = mahalanobis * (V * np.sqrt(lam)) @ V.T @ (u / np.linalg.norm(u))
    return Z + np.where(y[:, None] == 1, diff / 2, -diff / 2), y


def test_leace_erases_weak_concept_that_reference_tolerance_misses():
    X, y = _weak_concept(0.01)
    before = np.abs(X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0)).max()
    # Premise: the singular value of W S_xz (W = S_xx^{-1/2}), sqrt(s_xz^T S_xx^-1 s_xz),
    # is p(1-p) x Mahalanobis distance = 0.0025 (to 1e-5: S_xx includes the tiny shift),
    # below the reference package's absolute svd_tol, which would return the identity.
    s_xz = 0.5 * (X[y == 1].mean(axis=0) - X.mean(axis=0))
    sigma_norm = np.sqrt(s_xz @ np.linalg.solve(np.cov(X.T, bias=True), s_xz))
    assert sigma_norm == pytest.approx(0.25 * 0.01, rel=1e-4) and sigma_norm < REFERENCE_SVD_TOL
    eraser = LeaceEraser().fit(X, y)
    X_erased = eraser.transform(X)
    assert eraser.rank_ == 1
    assert class_mean_gap(X_erased, y) <= MEAN_ATOL < before


def _mean_squared_displacement(X, X_erased, L=None):
    disp = X - X_erased if L is None else (X - X_erased) @ L
    return float((disp**2).sum(axis=1).mean())


@pytest.mark.parametrize("norm_seed", [None, 0, 1, 2])
def test_leace_displaces_less_than_mean_projection(gaussian, norm_seed):
    """Thm 4.3: optimal among guardedness-achieving affine erasers, in every PSD norm."""
    ds, eraser = gaussian
    L = None if norm_seed is None else np.random.default_rng(norm_seed).standard_normal((D, D))
    ortho = MeanProjectionEraser().fit(ds.X, ds.y).transform(ds.X)
    assert class_mean_gap(ortho, ds.y) <= MEAN_ATOL  # both are feasible
    leace = _mean_squared_displacement(ds.X, eraser.transform(ds.X), L)
    mean_proj = _mean_squared_displacement(ds.X, ortho, L)
    # Euclidean norm, measured: 2.18 vs 3.79 on this condition-100 covariance.
    assert leace <= mean_proj * (1 + 1e-12)
    if L is None:
        assert leace < 0.8 * mean_proj


def test_leace_binary_equals_rank_one_closed_form(gaussian):
    """r(x) = x - s s^T S^-1 (x - mu) / (s^T S^-1 s), s = Cov(X, z), S = Cov(X)."""
    ds, eraser = gaussian
    X, z = ds.X, ds.y.astype(float)
    mu = X.mean(axis=0)
    S = np.cov(X.T, bias=True)
    s = ((X - mu) * (z - z.mean())[:, None]).mean(axis=0)
    Si_s = np.linalg.solve(S, s)
    expected = X - np.outer((X - mu) @ Si_s, s) / (s @ Si_s)
    # Measured 1.3e-14 on data of size ~9.
    assert np.abs(eraser.transform(X) - expected).max() <= AFFINE_ATOL


def test_leace_transform_generalises_to_new_rows(gaussian):
    ds, eraser = gaussian
    X_new = make_two_class_gaussian(500, D, random_state=0, split=1).X
    expected = eraser.mean_ + (X_new - eraser.mean_) @ eraser.projection_.T
    assert np.abs(eraser.transform(X_new) - expected).max() <= AFFINE_ATOL


def _x_y():
    ds = make_two_class_gaussian(50, 4, random_state=0)
    return ds.X, ds.y


@pytest.mark.parametrize("bad, match", [
    ("nan", "NaN or inf"),
    ("inf", "NaN or inf"),
    ("1d", "must be 2-D"),
    ("one_class", "at least 2 classes"),
    ("short_y", "length 49"),
    ("one_row", "at least 2 samples"),
])
def test_leace_fit_rejects_bad_input(bad, match):
    X, y = _x_y()
    if bad == "nan":
        X[3, 1] = np.nan
    elif bad == "inf":
        X[0, 0] = np.inf
    elif bad == "1d":
        X = X[:, 0]
    elif bad == "one_class":
        y = np.zeros_like(y)
    elif bad == "short_y":
        y = y[:-1]
    elif bad == "one_row":
        X, y = X[:1], y[:1]
    with pytest.raises(ValueError, match=match):
        LeaceEraser().fit(X, y)
