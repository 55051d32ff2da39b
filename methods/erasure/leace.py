"""LEACE: LEAst-squares Concept Erasure (Belrose et al. 2023, arXiv 2306.03819).

Theorem 3.1 of the paper: a representation ``X`` is linearly guarded against a
concept ``Z`` (no affine predictor beats the best constant one, for every loss convex in
the prediction) iff every class-conditional mean equals the unconditional mean, i.e.
``Cov(X, Z) = 0`` for the one-hot ``Z``. Theorem 4.3: among affine erasers achieving
this, the least-squares optimal one (for every PSD norm) is

    r(x) = x - W^+ P_{W S_xz} W (x - mu),

with ``W = (S_xx^{1/2})^+`` the whitening matrix and ``P_A`` the orthogonal projector onto
the column space of ``A``. Writing ``U`` (d, r) for an orthonormal basis of
``colspace(W S_xz)``, the update is the rank-r oblique projection
``P = (W^+ U)(W U)^T``, applied in O(n d r).

Equal 0-1 accuracy is *not* guaranteed: 0-1 loss is not convex, and the outlier-heavy
equal-means set shows a threshold classifier at 90% after LEACE.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_positive_float
from floor.whitening import whitening_pair
from methods.erasure._subspace import ObliqueUpdateEraser

# Numerical-zero rule for eigenvalues of S_xx and singular values of W S_xz: relative to
# the largest one, max(d, K) * eps (numpy.linalg.matrix_rank's rule), and for W S_xz a
# rounding floor of max(n, d, K) * eps in correlation units. It only drops what float64
# cannot tell from zero, never a weak concept: the reference package's absolute
# svd_tol=0.01 turns the eraser into the identity below p(1-p) x Mahalanobis distance 0.01,
# while this floor is 4e-13 at n = 2000.
_EPS = np.finfo(np.float64).eps


class LeaceEraser(ObliqueUpdateEraser):
    """Closed-form LEACE eraser for binary or multi-class labels.

    ``r(x) = x - P (x - mu)`` with ``P = W^+ P_{W S_xz} W`` (d, d), rank ``<= K - 1``.
    Exact (no covariance shrinkage): on the fit data every class mean equals ``mu`` up to
    rounding (about 1e-13 on well-conditioned float64 data).

    Parameters
    ----------
    rtol : float, default=1.0
        Multiplier of the numerical-zero threshold for the singular values of ``W S_xz``
        (``max(d, K) * eps * s_max``, at least ``max(n, d, K) * eps``).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        ``mu``, the mean of the fit data.
    centre_ : ndarray of shape (n_features,)
        ``mu`` again, the point the erasure is applied around (as in every eraser).
    left_ : ndarray of shape (n_features, rank)
        ``W^+ U``.
    right_ : ndarray of shape (n_features, rank)
        ``W U``; the removed update is ``P = left_ @ right_.T``.
    projection_ : ndarray of shape (n_features, n_features)
        ``I - P``, the (oblique) map kept, as in every eraser:
        ``transform(x) = mu + projection_ (x - mu)``. Computed on access.
    rank_ : int
        Rank of the update (the dimension of the erased subspace).
    n_features_in_ : int

    References
    ----------
    Belrose, Schneider-Joseph, Ravfogel, Cotterell, Raff, Biderman (2023), "LEACE: Perfect
    linear concept erasure in closed form", NeurIPS; Thm 3.1 and Thm 4.3 (Eq. 5).
    """

    #: Thm 3.1: equal class means on the fit data (`benchmarks.erasure.checks`).
    claims_linear_guardedness = True

    def __init__(self, rtol: float = 1.0):
        self.rtol = rtol

    def fit(self, X, y) -> "LeaceEraser":
        """Estimate ``mu``, ``S_xx``, ``S_xz`` from ``X`` (n, d) and labels ``y`` (n,)."""
        X, codes = self._validate_fit(X, y)
        rtol = check_positive_float(self.rtol, "rtol")
        n, d = X.shape
        k = int(codes.max()) + 1
        mu = X.mean(axis=0)
        # S_xx = X^T X / n - mu mu^T: one Gram product (BLAS syrk), no centred copy of X.
        sigma = X.T @ X
        sigma /= n
        sigma -= np.outer(mu, mu)
        onehot = np.zeros((n, k))
        onehot[np.arange(n), codes] = 1.0
        counts = onehot.sum(axis=0)
        # Column c of S_xz is p_c (mu_c - mu) = (sum_c - n_c mu) / n. The K columns sum to
        # zero, so the first K-1 span the same space (and a binary S_xz is one column).
        s_xz = ((onehot.T @ X)[: k - 1] - counts[: k - 1, None] * mu).T / n
        self.mean_ = mu
        self.centre_ = mu
        self._set_update(sigma, s_xz, n, rtol)
        return self

    def _set_update(self, sigma: np.ndarray, s_xz: np.ndarray, n: int, rtol: float) -> None:
        W, W_pinv = whitening_pair(sigma)
        u, s, _ = np.linalg.svd(W @ s_xz, full_matrices=False)
        d, k = s_xz.shape
        # W S_xz holds correlations of whitened x with the centred one-hot z; below
        # max(n, d, K) * eps they are rounding error of the means (not a weak concept).
        floor = max(n, d, k + 1) * _EPS
        tol = max((s[0] if s.size else 0.0) * max(d, k + 1) * _EPS, floor) * rtol
        U = u[:, s > tol]
        self.left_ = W_pinv @ U
        self.right_ = W @ U
        self.rank_ = int(U.shape[1])
