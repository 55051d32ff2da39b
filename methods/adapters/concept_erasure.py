"""Adapters for EleutherAI's ``concept-erasure`` library (LEACE, quadratic LEACE, oracle).

Each adapter is a scikit-learn transformer of the erasure family: ``fit(X, y)`` calls the
library's fitter on float64 tensors and keeps the fitted eraser object as ``eraser_``;
``transform`` calls that eraser and returns float64 numpy of X's shape. No erasure math is
done here: the adapters only convert arrays and labels.

Label formats (as in the library's README and tests): LEACE and the oracle take the
concept as a matrix ``Z``; for ``K > 2`` classes it is the one-hot (n, K) float matrix, and
for two classes the single 0/1 column (n, 1) (the README's binary example, "a 1D one-hot
vector"). The (n, 2) one-hot gives the same output (checked: 2e-15 apart for both), except
near ``svd_tol``: its centred columns are the 0/1 column and its negative, so the singular
value of ``W S_xz`` compared with ``svd_tol`` is sqrt(2) larger.
Quadratic LEACE takes int64 class indices ``0..K-1``. Labels of any type are re-coded to
``0..K-1`` in sorted order of the classes seen in ``fit`` (``classes_``); labels passed to
``transform`` must be among them.

The library (and torch) are imported in ``fit``; without them ``fit`` raises an ImportError
naming ``requirements-adapters.txt``.

Two more erasers use the library's other tools: `BarycentreEraser` (its optimal-transport
functions ``ot_barycenter`` and ``ot_map`` on the class moments of ``QuadraticFitter``,
applied by the library's ``QuadraticEraser`` object) and
`QuadraticEditorEraser` (``QuadraticFitter.editor()``, every row moved to one class).

References
----------
Belrose, Schneider-Joseph, Ravfogel, Cotterell, Raff, Biderman (2023), "LEACE: Perfect
linear concept erasure in closed form", NeurIPS, arXiv 2306.03819 (LEACE: Thm 4.3; oracle
LEACE: section 3; quadratic LEACE: section 7). Library: https://github.com/EleutherAI/
concept-erasure (``concept_erasure.LeaceFitter``, ``QuadraticFitter``, ``OracleFitter``).
Alvarez-Esteban, del Barrio, Cuesta-Albertos, Matran (2016), "A fixed-point approach to
barycenters in Wasserstein space", J. Math. Anal. Appl. 441, arXiv 1511.05355 (eq. 7).
"""

from __future__ import annotations

import numpy as np

from floor.optional import import_optional
from floor.validation import check_bool, check_choice, check_int, check_positive_float
from methods.erasure._subspace import BaseEraser

__all__ = ["BarycentreEraser", "LeaceEraser", "OracleEraser", "QuadraticEditorEraser",
           "QuadraticEraser"]


class _LibraryEraser(BaseEraser):
    """Shared plumbing: lazy imports, tensors and the label codes of ``classes_``."""

    _fitted_attribute = "eraser_"

    def _libraries(self):
        """``(torch, concept_erasure)``, or an ImportError naming the install command."""
        name = type(self).__name__
        return import_optional("torch", name), import_optional("concept_erasure", name)

    def _fit_arrays(self, X, y):
        """``X`` float64 (n, d) and labels coded ``0..K-1``; sets ``classes_``."""
        X, codes = self._validate_fit(X, y)
        self.classes_ = np.unique(np.asarray(y))
        return X, codes

    def _transform_codes(self, y, n_samples: int) -> np.ndarray:
        """Labels passed to ``transform`` as codes ``0..K-1`` of ``classes_``."""
        if y is None:
            raise ValueError(f"{type(self).__name__}.transform requires y, the concept label "
                             "of each row (the erasure is class-conditional)")
        arr = np.asarray(y)
        if arr.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {arr.shape}")
        if arr.shape[0] != n_samples:
            raise ValueError(f"y has length {arr.shape[0]}, but X has {n_samples} samples")
        codes = np.searchsorted(self.classes_, arr)
        codes = np.clip(codes, 0, self.classes_.size - 1)
        unseen = self.classes_[codes] != arr
        if np.any(unseen):
            raise ValueError(f"y holds labels not seen in fit: {np.unique(arr[unseen]).tolist()}"
                             f" (classes_ = {self.classes_.tolist()})")
        return codes.astype(np.int64)

    def _transform_labelled(self, X, y, erase) -> np.ndarray:
        """What every label-taking ``transform`` does around its library call: check ``X``
        and the labels ``y`` (their codes of ``classes_``), run ``erase(torch, X_tensor,
        codes)`` without gradients, and return float64 numpy of X's shape."""
        X = self._validate_transform(X)
        codes = self._transform_codes(y, X.shape[0])
        torch, _ = self._libraries()
        with torch.no_grad():
            out = erase(torch, torch.from_numpy(X), codes)
        return out.numpy().astype(np.float64, copy=False)

    def _library_moments(self, ce, torch, X: np.ndarray, codes: np.ndarray, shrinkage: bool):
        """``QuadraticFitter`` on ``X`` and ``codes``: the fitter (class means ``mean_x``
        (K, d), class covariances ``sigma_xx`` (K, d, d)), after checking that every class
        has the 2 rows a covariance needs."""
        counts = np.bincount(codes)
        if counts.min() < 2:
            per_class = dict(zip(self.classes_.tolist(), counts.tolist(), strict=True))
            raise ValueError("y: every class needs at least 2 samples for its covariance, "
                             f"got counts {per_class}")
        return ce.QuadraticFitter.fit(torch.from_numpy(X), torch.from_numpy(codes),
                                      shrinkage=shrinkage)

    @staticmethod
    def _concept_matrix(torch, codes: np.ndarray, n_classes: int):
        """The library's concept matrix: 0/1 column (n, 1) for two classes, else one-hot."""
        if n_classes == 2:
            Z = codes[:, None].astype(np.float64)
        else:
            Z = np.zeros((codes.size, n_classes))
            Z[np.arange(codes.size), codes] = 1.0
        return torch.from_numpy(Z)


class LeaceEraser(_LibraryEraser):
    """LEACE through ``concept_erasure.LeaceFitter`` (Belrose et al. 2023).

    ``r(x) = x - W^+ P_{W S_xz} W (x - mu)`` with ``W = (S_xx^{1/2})^+`` the whitening
    matrix (``method="leace"``), or ``W = I`` (``method="orth"``: the orthogonal projection
    out of ``colspace(S_xz)``); ``mu`` is dropped when ``affine=False``. The library
    estimates ``S_xx`` with its optimal linear shrinkage by default, truncates singular
    values of ``W S_xz`` below ``svd_tol`` (absolute), and with ``constrain_cov_trace``
    mixes in the orthogonal projection when the erasure would raise ``tr Cov(x)``.

    Parameters
    ----------
    method : {"leace", "orth"}, default="leace"
    affine : bool, default=True
    constrain_cov_trace : bool, default=True
    shrinkage : bool, default=True
    svd_tol : float, default=0.01
        The library's keyword arguments, with its defaults.

    Attributes
    ----------
    eraser_ : concept_erasure.LeaceEraser
        The library's fitted eraser (``eraser_.P`` is the (d, d) map kept).
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    References
    ----------
    Belrose et al. (2023), "LEACE: Perfect linear concept erasure in closed form", NeurIPS,
    Thm 4.3; ``concept_erasure.LeaceFitter``.
    """

    def __init__(self, method: str = "leace", *, affine: bool = True,
                 constrain_cov_trace: bool = True, shrinkage: bool = True,
                 svd_tol: float = 0.01):
        self.method = method
        self.affine = affine
        self.constrain_cov_trace = constrain_cov_trace
        self.shrinkage = shrinkage
        self.svd_tol = svd_tol

    def _library_kwargs(self) -> dict:
        return {"method": check_choice(self.method, "method", ("leace", "orth")),
                "affine": check_bool(self.affine, "affine"),
                "constrain_cov_trace": check_bool(self.constrain_cov_trace,
                                                  "constrain_cov_trace"),
                "shrinkage": check_bool(self.shrinkage, "shrinkage"),
                "svd_tol": check_positive_float(self.svd_tol, "svd_tol")}

    def fit(self, X, y) -> "LeaceEraser":
        """Fit ``LeaceFitter`` on ``X`` (n, d) and the labels ``y`` (n,); keep its eraser."""
        kwargs = self._library_kwargs()
        torch, ce = self._libraries()
        X, codes = self._fit_arrays(X, y)
        Z = self._concept_matrix(torch, codes, self.classes_.size)
        self.eraser_ = ce.LeaceFitter.fit(torch.from_numpy(X), Z, **kwargs).eraser
        return self

    def transform(self, X) -> np.ndarray:
        """``eraser_(X)`` for ``X`` (n, d), as float64 (n, d)."""
        X = self._validate_transform(X)
        torch, _ = self._libraries()
        with torch.no_grad():
            return self.eraser_(torch.from_numpy(X)).numpy().astype(np.float64, copy=False)


class QuadraticEraser(_LibraryEraser):
    """Quadratic LEACE through ``concept_erasure.QuadraticFitter`` (Belrose et al. 2023).

    Each class ``c`` is moved onto the Wasserstein barycenter of the class-conditional
    Gaussians by its optimal transport map::

        r(x, c) = (x - mu_c) T_c^T + mean_c(mu_c)

    with ``T_c`` the OT map from ``N(., S_c)`` to the barycenter covariance (closed form for
    two classes, fixed-point iteration otherwise). It needs the label of every row at
    transform time, so ``transform(X, y)`` takes labels.

    Parameters
    ----------
    shrinkage : bool, default=True
        The library's keyword argument (optimal linear shrinkage of each ``S_c``).

    Attributes
    ----------
    eraser_ : concept_erasure.QuadraticEraser
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    References
    ----------
    Belrose et al. (2023), section 7 (quadratic erasure); ``concept_erasure.QuadraticFitter``.
    """

    def __init__(self, *, shrinkage: bool = True):
        self.shrinkage = shrinkage

    def fit(self, X, y) -> "QuadraticEraser":
        """Fit ``QuadraticFitter`` on ``X`` (n, d) and labels ``y`` (n,); keep its eraser.
        Every class needs at least two rows (class covariances)."""
        shrinkage = check_bool(self.shrinkage, "shrinkage")
        torch, ce = self._libraries()
        X, codes = self._fit_arrays(X, y)
        self.eraser_ = self._library_moments(ce, torch, X, codes, shrinkage).eraser
        return self

    def transform(self, X, y=None) -> np.ndarray:
        """``eraser_(X, y)``: each row transported from its class ``y`` to the barycenter.

        ``y`` is required (it defaults to None only so that ``X`` is checked first and a
        missing ``y`` gets a clear error).
        """
        return self._transform_labelled(
            X, y, lambda torch, X, codes: self.eraser_(X, torch.from_numpy(codes)))


class OracleEraser(_LibraryEraser):
    """Oracle LEACE through ``concept_erasure.OracleFitter`` (Belrose et al. 2023).

    Replaces ``x`` by its least-squares residual given the concept ``z`` (its one-hot, or
    0/1 column for two classes)::

        r(x, z) = x - S_xz S_zz^+ (z - E[z])

    ``S_zz^+`` is the pseudo-inverse with absolute tolerance ``svd_tol``. It needs the
    labels at transform time, so ``transform(X, y)`` takes them. Not to be confused with
    `methods.erasure.oracle.OracleEraser`, which is given the planted directions.

    Parameters
    ----------
    shrinkage : bool, default=False
    svd_tol : float, default=0.01
        The library's keyword arguments, with its defaults.

    Attributes
    ----------
    eraser_ : concept_erasure.OracleEraser
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    References
    ----------
    Belrose et al. (2023), section 3 (oracle LEACE); ``concept_erasure.OracleFitter``.
    """

    def __init__(self, *, shrinkage: bool = False, svd_tol: float = 0.01):
        self.shrinkage = shrinkage
        self.svd_tol = svd_tol

    def fit(self, X, y) -> "OracleEraser":
        """Fit ``OracleFitter`` on ``X`` (n, d) and labels ``y`` (n,); keep its eraser."""
        kwargs = {"shrinkage": check_bool(self.shrinkage, "shrinkage"),
                  "svd_tol": check_positive_float(self.svd_tol, "svd_tol")}
        torch, ce = self._libraries()
        X, codes = self._fit_arrays(X, y)
        Z = self._concept_matrix(torch, codes, self.classes_.size)
        self.eraser_ = ce.OracleFitter.fit(torch.from_numpy(X), Z, **kwargs).eraser
        return self

    def transform(self, X, y=None) -> np.ndarray:
        """``eraser_(X, Z)`` with ``Z`` the concept matrix of the labels ``y`` (required; the
        default None only lets ``X`` be checked first)."""
        return self._transform_labelled(X, y, lambda torch, X, codes: self.eraser_(
            X, self._concept_matrix(torch, codes, self.classes_.size)))



class BarycentreEraser(_LibraryEraser):
    """Every class moved to the Gaussian 2-Wasserstein barycentre of the class Gaussians,
    with concept-erasure's optimal-transport tools (``concept_erasure.optimal_transport``).

    With ``mu_k, S_k`` the class means and covariances (the library's ``QuadraticFitter``
    statistics), ``p_k`` the class frequencies on the fit data and ``mu = sum_k p_k mu_k``
    the overall mean::

        S_bar = ot_barycenter(S, p)        # argmin_S sum_k p_k W2^2(N(0, S_k), N(0, S))
        A_k   = ot_map(S_k, S_bar)         # A_k S_k A_k = S_bar, A_k symmetric PSD
        r(x, k) = mu + A_k (x - mu_k)

    ``N(mu, S_bar)`` is the barycentre of the ``N(mu_k, S_k)`` with weights ``p_k`` (its mean
    is the weighted mean of the means), so after the map every class has mean ``mu`` and
    covariance ``S_bar`` on the fit data (without shrinkage): the first two moments of the
    concept are erased, and the prior-weighted mean squared displacement is the least of
    any such common Gaussian target. The fixed point is Alvarez-Esteban et al. (2016,
    eq. 7), which the library stops when its loss (their eq. 15) decreases by less than
    float64 eps, i.e. at a covariance error of order ``sqrt(eps) ||S||``.

    How it differs from ``QuadraticFitter(...).eraser`` (the library's QLEACE, the adapter
    `QuadraticEraser`), which builds the same kind of map:

    - *barycentre*: for two classes the library uses the closed form ``ot_midpoint``; this
      eraser always runs the fixed point ``ot_barycenter`` (the same for K > 2);
    - *weights*: the library passes its class counts, stored in float32 (relative rounding
      ~6e-8 for counts that are not powers of two); here the float64 priors;
    - *target mean*: the library moves every class to the unweighted mean of the class
      means, ``mean_k mu_k``; this eraser to the prior-weighted one, ``mu`` (the barycentre's
      mean). They differ by the constant ``mu - mean_k mu_k``, zero for balanced classes;
    - *shrinkage*: both estimate ``S_k`` with the library's estimator, the optimal linear
      shrinkage when ``shrinkage=True`` (the library's default), Bessel's ``/(n_k - 1)``
      otherwise. With shrinkage the maps equalise the *shrunk* covariances, so the erased
      class covariances on the fit data are equal only up to the shrinkage.

    On the same arrays and setting the two agree up to the translation and the fixed
    point's ``sqrt(eps)`` stop (``tests/adapters/test_ot_tools.py`` measures it).

    Parameters
    ----------
    shrinkage : bool, default=True
        ``QuadraticFitter``'s keyword (optimal linear shrinkage of each ``S_k``).
    max_iter : int, default=100
        ``ot_barycenter``'s budget of fixed-point iterations (the library's default).

    Attributes
    ----------
    class_means_ : ndarray of shape (n_classes, n_features)
    priors_ : ndarray of shape (n_classes,)
        Class frequencies on the fit data (the barycentre's weights).
    mean_ : ndarray of shape (n_features,)
        ``priors_ @ class_means_``, the target mean.
    barycentre_ : ndarray of shape (n_features, n_features)
        ``S_bar``.
    maps_ : ndarray of shape (n_classes, n_features, n_features)
        ``A_k``.
    eraser_ : concept_erasure.QuadraticEraser
        The library's eraser object holding these means and maps, which ``transform``
        calls (its ``optimal_transport`` applies ``r(x, k)``).
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    References
    ----------
    Alvarez-Esteban et al. (2016), arXiv 1511.05355, eq. 7; Belrose et al. (2023), LEACE,
    section 7; ``concept_erasure.optimal_transport.ot_barycenter``, ``ot_map``.
    """

    # Every class is moved onto the mean ``mu``: equal class means on the fit data.
    claims_linear_guardedness = True

    def __init__(self, *, shrinkage: bool = True, max_iter: int = 100):
        self.shrinkage = shrinkage
        self.max_iter = max_iter

    def fit(self, X, y) -> "BarycentreEraser":
        """Class moments from ``QuadraticFitter``, the barycentre from ``ot_barycenter``
        with the class priors, the maps from ``ot_map``. Every class needs 2 rows."""
        shrinkage = check_bool(self.shrinkage, "shrinkage")
        max_iter = check_int(self.max_iter, "max_iter")
        torch, ce = self._libraries()
        ot = import_optional("concept_erasure.optimal_transport", type(self).__name__)
        X, codes = self._fit_arrays(X, y)
        fitter = self._library_moments(ce, torch, X, codes, shrinkage)
        priors = np.bincount(codes) / codes.size
        with torch.no_grad():
            sigmas = fitter.sigma_xx
            bary = ot.ot_barycenter(sigmas, torch.from_numpy(priors), max_iter=max_iter)
            maps = ot.ot_map(sigmas, bary)
        self.class_means_ = fitter.mean_x.numpy().astype(np.float64)
        self.priors_ = priors
        self.mean_ = priors @ self.class_means_
        self.barycentre_ = bary.numpy().astype(np.float64)
        self.maps_ = maps.numpy().astype(np.float64)
        self.eraser_ = ce.QuadraticEraser(fitter.mean_x, torch.from_numpy(self.mean_), maps)
        return self

    def transform(self, X, y=None) -> np.ndarray:
        """``eraser_(X, y)``, i.e. ``mean_ + maps_[k] (x - class_means_[k])`` for each row
        ``x`` of class ``k = y`` (required; the default None only lets ``X`` be checked
        first); (n, d)."""
        return self._transform_labelled(
            X, y, lambda torch, X, codes: self.eraser_(X, torch.from_numpy(codes)))


class QuadraticEditorEraser(_LibraryEraser):
    """Every row transported from its class to one target class by concept-erasure's
    quadratic editor (``QuadraticFitter(...).editor()``, ``QuadraticEditor``).

    With ``mu_k, S_k`` the class means and covariances and ``t`` the target class::

        T_kt = ot_map(S_k, S_t)           # T_kt S_k T_kt = S_t
        r(x, k) = mu_t + T_kt (x - mu_k)

    so after the edit every class has the target's mean and covariance on the fit data
    (without shrinkage): the first two moments of the concept are equal, as after QLEACE,
    but the common Gaussian is class ``t``'s instead of the barycentre. The barycentre
    minimises the prior-weighted mean of ``W2^2`` over all common Gaussian targets, so the
    editor's mean squared displacement is never below `BarycentreEraser`'s (the target
    class's own rows stay where they are; every other class carries the whole move).

    Parameters
    ----------
    target_class : label or None, default=None
        The class every row is moved to; None picks the most frequent class of the fit data
        (the smallest label among ties). Must be one of the labels seen in ``fit``.
    shrinkage : bool, default=True
        ``QuadraticFitter``'s keyword (optimal linear shrinkage of each ``S_k``).

    Attributes
    ----------
    editor_ : concept_erasure.QuadraticEditor
        The library's editor (``class_means`` (K, d), ``ot_maps`` (K, K, d, d)).
    target_ : label
        The target class chosen.
    target_code_ : int
        Its index in ``classes_``.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    References
    ----------
    Belrose et al. (2023), LEACE, section 7; ``concept_erasure.QuadraticEditor.transport``.
    """

    _fitted_attribute = "editor_"
    # Every class is moved onto the target's mean: equal class means on the fit data.
    claims_linear_guardedness = True

    def __init__(self, target_class=None, *, shrinkage: bool = True):
        self.target_class = target_class
        self.shrinkage = shrinkage

    def fit(self, X, y) -> "QuadraticEditorEraser":
        """Fit ``QuadraticFitter`` on ``X`` (n, d) and ``y`` (n,); keep its editor."""
        shrinkage = check_bool(self.shrinkage, "shrinkage")
        torch, ce = self._libraries()
        X, codes = self._fit_arrays(X, y)
        if self.target_class is None:
            target = int(np.argmax(np.bincount(codes)))
        else:
            found = np.flatnonzero(self.classes_ == np.asarray(self.target_class))
            if found.size != 1:
                raise ValueError(f"target_class must be one of the classes of y "
                                 f"{self.classes_.tolist()} or None, got "
                                 f"{self.target_class!r}")
            target = int(found[0])
        fitter = self._library_moments(ce, torch, X, codes, shrinkage)
        self.target_code_ = target
        self.target_ = self.classes_[target].item()
        self.editor_ = fitter.editor()
        return self

    def transform(self, X, y=None) -> np.ndarray:
        """``editor_(X, y, target)``: each row moved from its class ``y`` (required; the
        default None only lets ``X`` be checked first) to the target class; (n, d)."""
        return self._transform_labelled(X, y, lambda torch, X, codes: self.editor_(
            X, torch.from_numpy(codes), self.target_code_))
