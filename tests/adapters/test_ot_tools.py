"""concept-erasure's optimal-transport tools through the adapter: `BarycentreEraser`
(``ot_barycenter`` + ``ot_map``) and `QuadraticEditorEraser` (``QuadraticEditor``).

Known answers: after either eraser every class has the same mean and covariance on the fit
data; the barycentre's map has the least prior-weighted mean squared displacement among
common Gaussian targets (so the editor's is never smaller); 1-D and commuting covariances
have closed forms; the barycentre eraser equals the library's QLEACE up to the documented
differences.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
from scipy.linalg import sqrtm
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

torch = pytest.importorskip("torch")
ce = pytest.importorskip("concept_erasure")

from methods.adapters.concept_erasure import (  # noqa: E402
    BarycentreEraser,
    QuadraticEditorEraser,
    QuadraticEraser,
)
from tests.test_common import TRANSFORM_WITHOUT_Y_CHECKS  # noqa: E402

# Two class moments equal after the map: the maps come from eigendecompositions (square
# roots and inverse square roots of the covariances), whose rounding is ~d eps cond(S_k);
# measured 1e-13 on 6-d data with covariance entries ~1-5. 1e-10 leaves three decades.
MOMENT_ATOL = 1e-10
# The library's fixed point (ot_barycenter) stops when its loss decreases by less than
# float64 eps; the loss is quadratic near its minimum, so the barycentre is off by
# ~sqrt(eps) ||S|| ~ 1e-8, and the library's QLEACE passes float32 class counts (relative
# rounding 6e-8) as weights. Measured against QuadraticFitter's eraser: 5e-8 (two balanced
# classes, closed form vs fixed point), 1.6e-7 (two unbalanced), 3e-8 (three unbalanced),
# 0 (four balanced: the same fixed point with exact weights). 1e-6 leaves a factor 6.
LIBRARY_ATOL = 1e-6
# Float64 rounding of one closed form computed two ways (1-D, commuting covariances).
EXACT_ATOL = 1e-10


def _data(k: int, balanced: bool, n: int = 600, d: int = 6, seed: int = 0):
    """K Gaussian classes with different means and (non-commuting) covariances."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k if balanced else rng.integers(0, k, n)
    rng.shuffle(y)
    mix = np.eye(d) + 0.3 * rng.standard_normal((k, d, d))
    scales = 1.0 + 0.5 * rng.random((k, d))
    X = np.einsum("nij,nj->ni", mix[y], rng.standard_normal((n, d)) * scales[y])
    return X + 1.5 * np.eye(k, d)[y], y


def _moments(X, y):
    classes = np.unique(y)
    means = np.array([X[y == c].mean(axis=0) for c in classes])
    covs = np.array([np.cov(X[y == c].T) for c in classes])
    return means, covs


def _w2_squared(m1, S1, m2, S2) -> float:
    """``W2^2(N(m1, S1), N(m2, S2)) = ||m1 - m2||^2 + tr S1 + tr S2 - 2 tr (S1^1/2 S2
    S1^1/2)^1/2`` (Dowson & Landau 1982)."""
    root = np.real(sqrtm(S1))
    cross = np.real(sqrtm(root @ S2 @ root))
    return float(np.sum((m1 - m2) ** 2) + np.trace(S1) + np.trace(S2) - 2 * np.trace(cross))


def _weighted_cost(means, covs, priors, m, S) -> float:
    return float(sum(p * _w2_squared(mk, Sk, m, S)
                     for p, mk, Sk in zip(priors, means, covs, strict=True)))


# --- against the library's QLEACE ------------------------------------------------------------


@pytest.mark.parametrize(("k", "balanced"), [(2, True), (2, False), (3, False), (4, True)])
def test_barycentre_equals_library_qleace_up_to_the_target_mean(k, balanced):
    X, y = _data(k, balanced)
    ours = BarycentreEraser(shrinkage=False).fit(X, y)
    lib = QuadraticEraser(shrinkage=False).fit(X, y)
    shift = ours.mean_ - lib.eraser_.class_means.numpy().mean(axis=0)
    if balanced:
        np.testing.assert_allclose(shift, 0.0, atol=1e-12)
    else:
        assert np.abs(shift).max() > 1e-3  # the translation is real for unbalanced classes
    np.testing.assert_allclose(ours.transform(X, y), lib.transform(X, y) + shift, rtol=0,
                               atol=LIBRARY_ATOL)
    np.testing.assert_allclose(ours.maps_, lib.eraser_.ot_maps.numpy(), rtol=0,
                               atol=LIBRARY_ATOL)


def test_barycentre_with_shrinkage_uses_the_library_statistics():
    # Same setting (the library's default shrinkage): the same agreement.
    X, y = _data(2, balanced=True, seed=3)
    ours = BarycentreEraser().fit(X, y).transform(X, y)
    np.testing.assert_allclose(ours, QuadraticEraser().fit(X, y).transform(X, y), rtol=0,
                               atol=LIBRARY_ATOL)


def test_barycentre_transform_is_the_documented_map():
    # The library's QuadraticEraser object applies mean_ + maps_[k] (x - class_means_[k]).
    X, y = _data(3, balanced=False, seed=7)
    est = BarycentreEraser().fit(X, y)
    expected = est.mean_ + np.einsum("nij,nj->ni", est.maps_[y], X - est.class_means_[y])
    np.testing.assert_allclose(est.transform(X, y), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(est.priors_, np.bincount(y) / y.size, rtol=0, atol=0)


def test_editor_equals_the_library_editor():
    X, y = _data(3, balanced=False, seed=5)
    ours = QuadraticEditorEraser(target_class=1).fit(X, y)
    editor = ce.QuadraticFitter.fit(torch.from_numpy(X), torch.from_numpy(y)).editor()
    expected = X.copy()
    for c in range(3):
        expected[y == c] = editor.transport(torch.from_numpy(X[y == c]), c, 1).numpy()
    np.testing.assert_allclose(ours.transform(X, y), expected, rtol=0, atol=1e-12)


# --- the moments they erase -------------------------------------------------------------------


@pytest.mark.parametrize(("k", "balanced"), [(2, False), (4, True)])
def test_barycentre_equalises_class_means_and_covariances(k, balanced):
    X, y = _data(k, balanced, seed=1)
    eraser = BarycentreEraser(shrinkage=False).fit(X, y)
    means, covs = _moments(eraser.transform(X, y), y)
    np.testing.assert_allclose(means, np.broadcast_to(X.mean(axis=0), means.shape),
                               rtol=0, atol=MOMENT_ATOL)
    np.testing.assert_allclose(covs, np.broadcast_to(eraser.barycentre_, covs.shape),
                               rtol=0, atol=MOMENT_ATOL)
    # Positive control: the moments did differ before.
    before_means, before_covs = _moments(X, y)
    assert np.abs(before_means - before_means[0]).max() > 1.0
    assert np.abs(before_covs - before_covs[0]).max() > 0.5


@pytest.mark.parametrize(("k", "target"), [(2, None), (3, 2), (4, 0)])
def test_editor_moves_every_class_onto_the_target_moments(k, target):
    X, y = _data(k, balanced=False, seed=2)
    eraser = QuadraticEditorEraser(target_class=target, shrinkage=False).fit(X, y)
    t = eraser.target_code_
    if target is None:
        assert t == np.argmax(np.bincount(y))
    out = eraser.transform(X, y)
    means, covs = _moments(out, y)
    before_means, before_covs = _moments(X, y)
    np.testing.assert_allclose(means, np.broadcast_to(before_means[t], means.shape), rtol=0,
                               atol=MOMENT_ATOL)
    np.testing.assert_allclose(covs, np.broadcast_to(before_covs[t], covs.shape), rtol=0,
                               atol=MOMENT_ATOL)
    # The target class's own rows stay (its map is ot_map(S_t, S_t) = I up to rounding).
    np.testing.assert_allclose(out[y == t], X[y == t], rtol=0, atol=MOMENT_ATOL)


# --- the barycentre's optimality ---------------------------------------------------------------


def _displacement(X, out) -> float:
    return float(np.mean(np.sum((out - X) ** 2, axis=1)))


@pytest.mark.parametrize("k", [2, 3])
def test_barycentre_has_the_least_displacement(k):
    X, y = _data(k, balanced=False, seed=4)
    bary = BarycentreEraser(shrinkage=False).fit(X, y)
    base = _displacement(X, bary.transform(X, y))
    means, covs = _moments(X, y)
    # The displacement of a linear map on the fit data is its W2^2 cost, with the
    # covariances' Bessel factor (n_k - 1)/n_k: mean sq. displacement = sum_k p_k
    # (||mu_k - mu||^2 + (n_k - 1)/n_k tr((A_k - I) S_k (A_k - I))).
    counts = np.bincount(y)
    eye = np.eye(X.shape[1])
    identity = sum(c / y.size * (np.sum((m - bary.mean_) ** 2) + (c - 1) / c
                                 * np.trace((A - eye) @ S @ (A - eye)))
                   for c, m, S, A in zip(counts, means, covs, bary.maps_, strict=True))
    assert base == pytest.approx(identity, rel=1e-10)
    for t in range(k):
        editor = QuadraticEditorEraser(target_class=t, shrinkage=False).fit(X, y)
        assert _displacement(X, editor.transform(X, y)) > base
    # Local minimality of the weighted W2^2 cost: every nearby common target costs more.
    cost = _weighted_cost(means, covs, bary.priors_, bary.mean_, bary.barycentre_)
    rng = np.random.default_rng(0)
    for _ in range(5):
        E = rng.standard_normal(bary.barycentre_.shape) * 0.05
        shifted = bary.barycentre_ + (E + E.T) / 2
        assert _weighted_cost(means, covs, bary.priors_, bary.mean_, shifted) > cost
        nudged = bary.mean_ + 0.05 * rng.standard_normal(bary.mean_.shape)
        assert _weighted_cost(means, covs, bary.priors_, nudged, bary.barycentre_) > cost


def test_one_dimensional_closed_form():
    # In 1-D the barycentre of N(mu_k, s_k^2) is N(sum p_k mu_k, (sum p_k s_k)^2) and the
    # map is x -> mu + (s_bar / s_k)(x - mu_k).
    rng = np.random.default_rng(6)
    y = rng.integers(0, 3, 900)
    X = (rng.standard_normal(900) * np.array([0.5, 1.0, 3.0])[y] + np.array([-2., 0., 5.])[y])
    X = X[:, None]
    eraser = BarycentreEraser(shrinkage=False).fit(X, y)
    p = np.bincount(y) / y.size
    mu = np.array([X[y == c, 0].mean() for c in range(3)])
    s = np.array([X[y == c, 0].std(ddof=1) for c in range(3)])
    s_bar = p @ s
    assert eraser.barycentre_[0, 0] == pytest.approx(s_bar**2, abs=EXACT_ATOL)
    expected = p @ mu + (s_bar / s[y]) * (X[:, 0] - mu[y])
    np.testing.assert_allclose(eraser.transform(X, y)[:, 0], expected, rtol=0, atol=EXACT_ATOL)


def _exact_class(rng, n: int, mean, cov_root):
    """``n`` rows whose sample mean is ``mean`` and Bessel covariance ``cov_root^2``."""
    Z = rng.standard_normal((n, len(mean)))
    Q, _ = np.linalg.qr(Z - Z.mean(axis=0))  # centred, orthonormal columns
    return mean + np.sqrt(n - 1) * Q @ cov_root


def test_commuting_covariances_closed_form():
    # S_k = R D_k R^T with one rotation R: the barycentre is R diag((sum_k p_k
    # sqrt(d_kj))^2) R^T and A_k = R diag(sqrt(dbar_j / d_kj)) R^T.
    rng = np.random.default_rng(8)
    d, sizes = 4, (150, 250, 100)
    R, _ = np.linalg.qr(rng.standard_normal((d, d)))
    D = rng.uniform(0.3, 4.0, (3, d))
    means = rng.standard_normal((3, d)) * 2
    X = np.vstack([_exact_class(rng, n, m, R @ np.diag(np.sqrt(Dk)) @ R.T)
                   for n, m, Dk in zip(sizes, means, D, strict=True)])
    y = np.repeat(np.arange(3), sizes)
    eraser = BarycentreEraser(shrinkage=False).fit(X, y)
    p = np.array(sizes) / sum(sizes)
    d_bar = (p @ np.sqrt(D)) ** 2
    np.testing.assert_allclose(eraser.barycentre_, R @ np.diag(d_bar) @ R.T, rtol=0,
                               atol=EXACT_ATOL)
    for k in range(3):
        np.testing.assert_allclose(eraser.maps_[k], R @ np.diag(np.sqrt(d_bar / D[k])) @ R.T,
                                   rtol=0, atol=EXACT_ATOL)
    np.testing.assert_allclose(eraser.mean_, p @ means, rtol=0, atol=EXACT_ATOL)


# --- the estimator contract ---------------------------------------------------------------------


@pytest.mark.parametrize("cls", [BarycentreEraser, QuadraticEditorEraser])
def test_clone_and_params(cls):
    X, y = _data(2, balanced=True)
    est = cls(shrinkage=False)
    assert est.get_params()["shrinkage"] is False
    fitted = est.fit(X, y)
    twin = clone(fitted)
    assert twin.get_params() == est.get_params()
    assert not hasattr(twin, "classes_")
    np.testing.assert_array_equal(twin.fit(X, y).transform(X, y), fitted.transform(X, y))


@pytest.mark.parametrize(("est", "match"), [
    (BarycentreEraser(shrinkage="yes"), "shrinkage"),
    (BarycentreEraser(max_iter=0), "max_iter"),
    (QuadraticEditorEraser(target_class=7), "target_class"),
    (QuadraticEditorEraser(shrinkage=None), "shrinkage"),
])
def test_bad_parameters_name_the_argument(est, match):
    X, y = _data(2, balanced=True)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


@pytest.mark.parametrize("cls", [BarycentreEraser, QuadraticEditorEraser])
def test_transform_needs_known_labels(cls):
    X, y = _data(2, balanced=True)
    est = cls().fit(X, y)
    with pytest.raises(ValueError, match="requires y"):
        est.transform(X)
    with pytest.raises(ValueError, match="not seen in fit"):
        est.transform(X, y + 5)
    with pytest.raises(ValueError, match="at least 2 samples"):
        cls().fit(X[:3], np.array([0, 1, 1]))


def test_string_labels_and_target():
    X, y = _data(3, balanced=False, seed=9)
    names = np.array(["a", "b", "c"])[y]
    est = QuadraticEditorEraser(target_class="c").fit(X, names)
    assert est.target_ == "c" and est.target_code_ == 2
    np.testing.assert_array_equal(
        est.transform(X, names),
        QuadraticEditorEraser(target_class=2).fit(X, y).transform(X, y))


@pytest.mark.parametrize("cls", [BarycentreEraser, QuadraticEditorEraser])
@pytest.mark.parametrize(("blocked", "package"), [("concept_erasure", "concept-erasure"),
                                                  ("torch", "torch")])
def test_fit_names_the_requirements_file(monkeypatch, cls, blocked, package):
    # As tests/adapters/test_optional.py for the other adapters: the library is imported in
    # fit, and its absence names the requirements file.
    X, y = _data(2, balanced=True)
    est = cls()
    monkeypatch.setitem(sys.modules, blocked, None)
    with pytest.raises(ImportError, match="requirements-adapters.txt") as info:
        est.fit(X, y)
    assert str(info.value).startswith(f"{cls.__name__} needs {package}; ")


_TRANSFORM_NEEDS_Y = ("transform needs y: both move each row according to its own label, so "
                      "a transform of X alone, which this check calls, is undefined")
EXPECTED_FAILED_CHECKS = dict.fromkeys(("check_fit_score_takes_y",
                                        "check_pipeline_consistency",
                                        *TRANSFORM_WITHOUT_Y_CHECKS), _TRANSFORM_NEEDS_Y)


# ``max_iter`` is ot_barycenter's keyword; the library returns the barycentre only, not how
# many iterations its fixed point ran, so there is no ``n_iter_`` to report.
NO_ITERATION_COUNT = {"check_transformer_n_iter": "concept_erasure.optimal_transport."
                      "ot_barycenter does not return its iteration count"}


@parametrize_with_checks([BarycentreEraser(), QuadraticEditorEraser()],
                         expected_failed_checks=lambda est: {
                             **EXPECTED_FAILED_CHECKS,
                             **(NO_ITERATION_COUNT if isinstance(est, BarycentreEraser)
                                else {})})
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)
