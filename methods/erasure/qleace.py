"""Quadratic LEACE (QLEACE): match every class's first and second moments by optimal transport.

Belrose et al. (2023), "LEACE: Perfect linear concept erasure in closed form", section 7
(quadratic erasure). LEACE makes the class-conditional *means* equal, which guards every
linear probe with a convex loss. A quadratic probe (QDA, a logistic probe on ``x x^T``)
reads the class-conditional *covariances* too. QLEACE moves each class ``k`` onto one
common Gaussian, the 2-Wasserstein barycentre ``N(mu, S_bar)`` of the class Gaussians
``N(mu_k, S_k)`` weighted by the class frequencies ``p_k``, with the optimal transport
(Monge) map between Gaussians:

    r(x, k) = mu + A_k (x - mu_k),
    A_k = S_k^{-1/2} (S_k^{1/2} S_bar S_k^{1/2})^{1/2} S_k^{-1/2}.

``A_k`` is the unique symmetric PSD matrix with ``A_k S_k A_k = S_bar``, so after erasure
every class has mean ``mu`` and covariance ``S_bar`` on the data it was fitted on: no
affine and no quadratic function of ``x`` has a class-dependent expectation. Higher moments
are untouched, so a nonlinear probe can still read a concept carried by them (on the XOR set
each class is two clusters, which the map cannot merge). The map needs the label of every
row at transform time: ``transform(X, y)``.

The barycentre covariance solves ``S_bar = sum_k p_k (S_bar^{1/2} S_k S_bar^{1/2})^{1/2}``.
For two classes it has the closed form (Bruinsma & Arpino, "On Gaussian Wasserstein
barycenters")

    S_bar = p_0^2 S_0 + p_1^2 S_1 + p_0 p_1 (M + M^T),  M = S_0^{1/2} (S_0^{1/2} S_1
    S_0^{1/2})^{1/2} S_0^{-1/2};

for more classes it is the fixed point of Alvarez-Esteban et al. (2016, eq. 7),
``S <- S^{-1/2} (sum_k p_k (S^{1/2} S_k S^{1/2})^{1/2})^2 S^{-1/2}``, started at the
weighted mean of the ``S_k``. The barycentre's mean is the frequency-weighted mean of the
class means, i.e. the overall mean ``mu`` of the fit data, which also minimises the mean
squared displacement ``E ||r(x, z) - x||^2`` over the choice of common mean.

Relation to ``concept_erasure.QuadraticFitter`` (v0.2.4, ``shrinkage=False``): the same
covariances (Bessel-corrected, ``/(n_k - 1)``), the same barycentre and maps; the library
moves every class to the *unweighted* average of the class means instead of ``mu``. The
two outputs differ by that constant translation, ``mu - mean_k(mu_k)`` (zero for balanced
classes; tests/adapters/test_qleace_library.py checks both statements).
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, check_positive_float
from methods.erasure._subspace import BaseEraser

_EPS = np.finfo(np.float64).eps
# Singular values of the change (maps minus identity, mean offsets) below this count as zero
# (the data are scaled to largest deviation 1; see `QuadraticLeaceEraser.fit`).
RANK_FLOOR = 1e-10


def _psd_roots(A: np.ndarray, floor: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """``(A^{1/2}, (A^{1/2})^+)`` of a symmetric PSD matrix from one eigendecomposition.

    Eigenvalues at most ``max(lam_max * d * eps, floor)`` (the rule of ``numpy.linalg.pinv``,
    and an absolute floor for a matrix that is all rounding) count as zero in both roots.
    """
    lam, vecs = np.linalg.eigh((A + A.T) / 2)
    keep = lam > max(lam[-1] * A.shape[0] * _EPS, floor)
    root = np.sqrt(np.where(keep, lam, 0.0))
    inv_root = np.where(keep, 1.0 / np.where(keep, root, 1.0), 0.0)
    return (vecs * root) @ vecs.T, (vecs * inv_root) @ vecs.T


def _psd_sqrt(A: np.ndarray, floor: float = 0.0) -> np.ndarray:
    return _psd_roots(A, floor)[0]


def ot_map(source: np.ndarray, target: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Symmetric PSD ``A`` with ``A source A = target``: the Monge map ``N(0, source) ->
    N(0, target)``, ``A = S^{-1/2} (S^{1/2} T S^{1/2})^{1/2} S^{-1/2}`` (pseudo-inverse roots
    when ``source`` is singular; eigenvalues below ``floor`` count as zero)."""
    root, inv_root = _psd_roots(source, floor)
    return inv_root @ _psd_sqrt(root @ target @ root, floor**2) @ inv_root


def barycentre_covariance(covariances: np.ndarray, weights: np.ndarray, *,
                          max_iter: int = 1000, tol: float = 1e-13,
                          floor: float = 0.0) -> tuple[np.ndarray, int]:
    """Covariance of the 2-Wasserstein barycentre of ``N(0, S_k)`` with weights ``p_k``.

    Parameters
    ----------
    covariances : ndarray of shape (K, d, d)
        Symmetric PSD ``S_k``.
    weights : ndarray of shape (K,)
        Nonnegative, summing to 1.
    max_iter, tol : int, float
        Fixed-point budget (K > 2): stop when ``||S_new - S||_F <= tol ||S||_F``.
    floor : float, default=0.0
        Eigenvalues of a covariance at most ``floor`` count as zero (`_psd_roots`).

    Returns
    -------
    (S_bar, n_iter) : (ndarray of shape (d, d), int)
        ``n_iter`` is 0 for the two-class closed form.
    """
    if len(covariances) == 2:
        (w0, w1), (S0, S1) = weights, covariances
        root, inv_root = _psd_roots(S0, floor)
        M = root @ _psd_sqrt(root @ S1 @ root, floor**2) @ inv_root
        bary = w0 * w0 * S0 + w1 * w1 * S1 + w0 * w1 * (M + M.T)
        return (bary + bary.T) / 2, 0
    bary = np.einsum("k,kij->ij", weights, covariances)
    for it in range(1, max_iter + 1):
        root, inv_root = _psd_roots(bary, floor)
        inner = sum(w * _psd_sqrt(root @ S @ root, floor**2)
                    for w, S in zip(weights, covariances, strict=True))
        T = inv_root @ inner @ inv_root
        new = T @ bary @ T.T
        new = (new + new.T) / 2
        change = np.linalg.norm(new - bary)
        bary = new
        if change <= tol * np.linalg.norm(bary):
            return bary, it
    return bary, max_iter


class QuadraticLeaceEraser(BaseEraser):
    """Quadratic LEACE: transport every class onto the Wasserstein barycentre of the classes.

    ``r(x, k) = mu + A_k (x - mu_k)`` with ``A_k`` the Monge map from ``N(0, S_k)`` to
    ``N(0, S_bar)`` (module docstring). On the fit data every class then has mean ``mu``
    (linear guardedness, as LEACE) and covariance ``S_bar`` (Bessel-corrected; equal to
    rounding), so quadratic probes are guarded too. Exact: no covariance shrinkage.
    A class with one row has covariance 0 and is mapped onto ``mu``.

    The arithmetic runs on ``(X - mu) / s`` with ``s = max |X - mu|`` (the maps are
    invariant to the scale), so data of any magnitude neither underflows nor overflows in
    the fourth-power products of the barycentre.

    Parameters
    ----------
    barycentre_max_iter : int, default=1000
        Fixed-point iterations for the barycentre of more than two classes.
    barycentre_tol : float, default=1e-13
        Relative Frobenius change of the barycentre that stops the iteration.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Label values seen in ``fit``, in sorted order.
    class_means_ : ndarray of shape (n_classes, n_features)
        ``mu_k``.
    class_covariances_ : ndarray of shape (n_classes, n_features, n_features)
        ``S_k`` (divided by ``n_k - 1``; 0 for a single row).
    mean_ : ndarray of shape (n_features,)
        ``mu``, the mean of the fit data: the common mean after erasure.
    centre_ : ndarray of shape (n_features,)
        ``mu`` again (the point the erasure is applied around, as in every eraser).
    covariance_ : ndarray of shape (n_features, n_features)
        ``S_bar``, the common covariance after erasure.
    maps_ : ndarray of shape (n_classes, n_features, n_features)
        ``A_k`` (symmetric PSD).
    barycentre_iterations_ : int
        Fixed-point iterations used (0: two classes, closed form).
    rank_ : int
        Dimension of the subspace the eraser changes: the rank of the stacked columns of
        ``A_k - I`` and ``mu_k - mu``.
    n_features_in_ : int

    References
    ----------
    Belrose, Schneider-Joseph, Ravfogel, Cotterell, Raff, Biderman (2023), NeurIPS,
    section 7. Alvarez-Esteban, del Barrio, Cuesta-Albertos, Matran (2016), "A fixed-point
    approach to barycenters in Wasserstein space", J. Math. Anal. Appl.
    """

    _fitted_attribute = "maps_"
    #: Its own claim: equal class means on the fit data (`benchmarks.erasure.checks`).
    claims_linear_guardedness = True

    def __init__(self, barycentre_max_iter: int = 1000, barycentre_tol: float = 1e-13):
        self.barycentre_max_iter = barycentre_max_iter
        self.barycentre_tol = barycentre_tol

    def fit(self, X, y) -> "QuadraticLeaceEraser":
        """Class means, class covariances, their barycentre and the maps, from ``X`` (n, d)
        and labels ``y`` (n,)."""
        max_iter = check_int(self.barycentre_max_iter, "barycentre_max_iter")
        tol = check_positive_float(self.barycentre_tol, "barycentre_tol")
        X, codes = self._validate_fit(X, y)
        n, d = X.shape
        k = int(codes.max()) + 1
        mu = X.mean(axis=0)
        centred = X - mu
        scale = float(np.abs(centred).max())
        Z = centred / scale if scale > 0 else centred
        counts = np.bincount(codes, minlength=k)
        means = np.zeros((k, d))
        covs = np.zeros((k, d, d))
        for c in range(k):
            rows = Z[codes == c]
            means[c] = rows.mean(axis=0)
            dev = rows - means[c]
            cov = dev.T @ dev / max(counts[c] - 1, 1)
            covs[c] = (cov + cov.T) / 2
        # In units of the largest deviation, a class's rows carry rounding of about n eps, so
        # its covariance carries (n eps)^2: eigenvalues below (n d eps)^2 are not variance
        # (a class of identical rows must get covariance 0, not 1e-34 blown up by a root).
        floor = (n * d * _EPS) ** 2
        bary, self.barycentre_iterations_ = barycentre_covariance(
            covs, counts / n, max_iter=max_iter, tol=tol, floor=floor)
        self.maps_ = np.stack([ot_map(S, bary, floor) for S in covs])
        factor = scale if scale > 0 else 1.0
        self.classes_ = np.unique(np.asarray(y))
        self.class_means_ = mu + factor * means
        self.class_covariances_ = covs * factor**2
        self.covariance_ = bary * factor**2
        self.mean_ = mu
        self.centre_ = mu
        # The columns of A_k - I and of the scaled mean offsets are O(1) for a real change;
        # the eigendecompositions leave O(d eps cond) rounding in A_k - I. Below
        # RANK_FLOOR (in units of the data's largest deviation) a column counts as no change.
        change = np.hstack([*(self.maps_ - np.eye(d)), means.T])
        sing = np.linalg.svd(change, compute_uv=False)
        self.rank_ = int(np.sum(sing > max(sing[0] * max(change.shape) * _EPS, RANK_FLOOR)))
        return self

    def transform(self, X, y=None) -> np.ndarray:
        """``mu + (x - mu_k) A_k`` for each row of ``X`` (n, d) with its label ``y`` (n,).

        ``y`` is required (it defaults to None only so that ``X`` is checked first and a
        missing ``y`` gets a clear error); its labels must have been seen in ``fit``.
        """
        X = self._validate_transform(X)
        if y is None:
            raise ValueError("QuadraticLeaceEraser.transform requires y, the label of each "
                             "row of X (each class is transported by its own map)")
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        idx = np.clip(np.searchsorted(self.classes_, y), 0, self.classes_.size - 1)
        if not np.all(self.classes_[idx] == y):
            raise ValueError(f"y holds labels not seen in fit (seen: {self.classes_.tolist()})")
        out = np.empty_like(X)
        for c in np.unique(idx):
            rows = idx == c
            out[rows] = (X[rows] - self.class_means_[c]) @ self.maps_[c] + self.mean_
        return out

    def fit_transform(self, X, y) -> np.ndarray:
        """``fit(X, y)`` then ``transform(X, y)``: each row needs its own label."""
        return self.fit(X, y).transform(X, y)
