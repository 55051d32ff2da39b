"""SPLINCE: erase a concept, keep the covariance with a target (Holstege et al. 2025).

Holstege, Ravfogel & Wouters (NeurIPS 2025, arXiv 2506.10703), "Simultaneous Projection
for LINear concept removal and Covariance prEservation". An affine eraser
``r(x) = x - P (x - mu)`` is linearly guarded against the concept ``z`` iff
``Cov(r(x), z) = (I - P) S_xz = 0`` (LEACE, Belrose et al. 2023, Thm 3.1), and it keeps the
covariance with a target ``y`` iff ``Cov(r(x), y) = (I - P) S_xy = S_xy``, i.e.
``P S_xz = S_xz`` and ``P S_xy = 0``. Their theorem: among all such ``P`` the one with the
least distortion ``E ||x - r(x)||_M^2`` is the oblique projection whose range is
``colspace(S_xz)`` and whose kernel holds ``colspace(S_xy)``, made least-squares in
whitened coordinates. With ``W = (S_xx^{1/2})^+``, ``A = W S_xz``, ``B = W S_xy``,
``U`` an orthonormal basis of ``colspace(A)`` and ``V`` one of
``(I - P_B) colspace(A)`` (the part of the concept's span orthogonal to the target's):

    P = W^+ U (V^T U)^{-1} V^T W.

In whitened coordinates ``U (V^T U)^{-1} V^T = [A 0] [A B]^+``, the minimum-Frobenius
solution of ``Q [A B] = [A 0]``; every other solution adds ``Y (I - P_[A B])``, whose
contribution to ``Q Q^T`` is PSD and orthogonal to it, so the optimum holds for every PSD
norm ``M`` at once, as LEACE's does (derived here; the paper states it for its norm). With
no target (``B`` empty) ``V = U`` and ``P = W^+ U U^T W = W^+ P_{W S_xz} W``: LEACE.

It exists only when ``colspace(S_xz)`` and ``colspace(S_xy)`` meet in 0 (a target whose
covariance lies in the concept's span cannot be kept while the concept's is zeroed):
`SplinceEraser.fit` raises then. The paper writes the same map as the kept projection
``W^+ V' (U'^T V')^{-1} U'^T W`` of the complementary bases; its code is reported at
``afsharim/SPLINCE`` (``proj.py``, whitened ``SPLICE`` start), whose ``V`` is built as here.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_array, check_labels, check_positive_float
from floor.whitening import whitening_pair
from methods.erasure._subspace import ObliqueUpdateEraser

_EPS = np.finfo(np.float64).eps
# Smallest sine of the principal angles between colspace(W S_xz) and colspace(W S_xy) that
# is not a shared direction: below it (V^T U) has a condition number above 1e8 and the
# update magnifies rounding by as much. sqrt(eps) ~ 1.5e-8, the usual rule for "equal
# within float64" of a quantity that enters squared.
MIN_SINE = float(np.sqrt(_EPS))


def _onehot_covariance(X: np.ndarray, mu: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``S_xz`` (d, K-1) for labels ``codes`` in 0..K-1: column c is ``p_c (mu_c - mu)``."""
    n = X.shape[0]
    k = int(codes.max()) + 1
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0
    counts = onehot.sum(axis=0)
    return ((onehot.T @ X)[: k - 1] - counts[: k - 1, None] * mu).T / n


def _basis(M: np.ndarray, floor: float) -> np.ndarray:
    """Orthonormal basis of ``colspace(M)`` keeping singular values above
    ``max(s_max * max(M.shape) * eps, floor)`` (LEACE's numerical-zero rule)."""
    if M.shape[1] == 0:
        return np.zeros((M.shape[0], 0))
    u, s, _ = np.linalg.svd(M, full_matrices=False)
    tol = max((s[0] if s.size else 0.0) * max(M.shape) * _EPS, floor)
    return u[:, s > tol]


def splince_factors(sigma: np.ndarray, s_xz: np.ndarray, s_xy: np.ndarray,
                    floor: float = 0.0) -> tuple[np.ndarray, np.ndarray, float, int]:
    """The factors of SPLINCE's update ``P = left @ right.T`` from covariances.

    Parameters
    ----------
    sigma : ndarray of shape (d, d)
        ``S_xx``.
    s_xz : ndarray of shape (d, k_z)
        ``Cov(x, z)`` of the concept.
    s_xy : ndarray of shape (d, k_y)
        ``Cov(x, y)`` of the target (``k_y = 0``: none, and the result is LEACE's).
    floor : float, default=0.0
        Singular values of ``W s_xz`` and ``W s_xy`` at or below it count as zero (besides
        the ``max(shape) * eps * s_max`` rule).

    Returns
    -------
    left : ndarray of shape (d, r)
        ``W^+ U (V^T U)^{-1}``.
    right : ndarray of shape (d, r)
        ``W V``.
    min_sine : float
        Smallest sine of the principal angles between ``colspace(W s_xz)`` and
        ``colspace(W s_xy)`` (1.0 when either is empty).
    target_rank : int
        ``rank(W s_xy)`` after the zero rule.

    Raises
    ------
    ValueError
        Naming ``y_target`` when ``min_sine < MIN_SINE`` (the spans share a direction).
    """
    W, W_pinv = whitening_pair(sigma)
    U = _basis(W @ s_xz, floor)
    Ub = _basis(W @ s_xy, floor)
    min_sine, V = 1.0, U
    if Ub.shape[1] and U.shape[1]:
        rest = U - Ub @ (Ub.T @ U)  # (I - P_B) U: the concept's span off the target's
        v, sines, _ = np.linalg.svd(rest, full_matrices=False)
        min_sine = float(sines.min())
        if min_sine < MIN_SINE:
            raise ValueError(
                f"y_target: its covariance with X shares a direction with the concept's "
                f"(smallest principal angle {np.degrees(np.arcsin(min_sine)):.2e} deg in "
                f"whitened coordinates): no eraser zeroes Cov(x, z) and keeps "
                f"Cov(x, y_target)")
        V = v
    # U (V^T U)^{-1} = (solve((V^T U)^T, U^T))^T, without forming the inverse.
    left = W_pinv @ (np.linalg.solve(U.T @ V, U.T).T if U.shape[1] else U)
    return left, W @ V, min_sine, int(Ub.shape[1])


class SplinceEraser(ObliqueUpdateEraser):
    """Closed-form SPLINCE: LEACE's guarantee, with the covariance with a target kept.

    ``r(x) = x - P (x - mu)`` with ``P = W^+ U (V^T U)^{-1} V^T W`` (d, d), rank
    ``<= K - 1``; on the fit data every class mean of the concept equals ``mu`` and
    ``Cov(r(x), y_target) = Cov(x, y_target)`` up to rounding.

    Parameters
    ----------
    rtol : float, default=1.0
        Multiplier of the numerical-zero threshold for singular values of ``W S_xz`` and
        ``W S_xy`` (LEACE's rule: ``max(d, K) * eps * s_max``, at least
        ``max(n, d, K) * eps``).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        ``mu``, the mean of the fit data.
    centre_ : ndarray of shape (n_features,)
        ``mu`` again, the point the erasure is applied around (as in every eraser).
    left_ : ndarray of shape (n_features, rank)
        ``W^+ U (V^T U)^{-1}``.
    right_ : ndarray of shape (n_features, rank)
        ``W V``; the removed update is ``P = left_ @ right_.T``.
    projection_ : ndarray of shape (n_features, n_features)
        ``I - P``, the oblique map kept: ``transform(x) = mu + projection_ (x - mu)``.
    rank_ : int
        Rank of the update (dimension of the erased subspace).
    target_rank_ : int
        Dimension of the target covariance kept (0 without a target: then this is LEACE).
    min_sine_ : float
        Smallest sine of the principal angles between ``colspace(W S_xz)`` and
        ``colspace(W S_xy)`` (1.0 without a target); ``(V^T U)^{-1}`` grows as its inverse.
    n_features_in_ : int

    References
    ----------
    Holstege, Ravfogel, Wouters (2025), "Preserving task-relevant information under linear
    concept removal", NeurIPS, arXiv 2506.10703 (SPLINCE, its closed form and optimality).
    Belrose et al. (2023), "LEACE", NeurIPS, Thm 3.1 (guardedness iff ``Cov(x, z) = 0``).
    """

    #: Equal class means of the concept on the fit data (LEACE Thm 3.1), as LEACE.
    claims_linear_guardedness = True

    def __init__(self, rtol: float = 1.0):
        self.rtol = rtol

    def fit(self, X, y, y_target=None) -> "SplinceEraser":
        """Fit on ``X`` (n, d), concept labels ``y`` (n,) (the paper's ``z``) and the target.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            The concept to erase (the paper's ``z``); named ``y`` as scikit-learn requires of
            the second argument of ``fit``.
        y_target : array-like of shape (n_samples,) or (n_samples, k), optional
            The target whose covariance with ``X`` is kept (the paper's ``y``). 1-D: class
            labels, one-hot coded like the concept (``K_y - 1`` columns); 2-D: real-valued
            target columns, used as they are. None: no target, and the eraser is LEACE
            exactly (same map as `methods.erasure.leace.LeaceEraser`, to rounding).

        Raises
        ------
        ValueError
            Naming ``y_target`` when its length differs from ``X``'s, it is not finite, or its
            covariance with ``X`` shares a direction with the concept's (smallest principal
            angle's sine below `MIN_SINE` in whitened coordinates): then no eraser both
            zeroes ``Cov(x, z)`` and keeps ``Cov(x, y_target)``.
        """
        X, codes = self._validate_fit(X, y)
        rtol = check_positive_float(self.rtol, "rtol")
        n, d = X.shape
        mu = X.mean(axis=0)
        sigma = X.T @ X
        sigma /= n
        sigma -= np.outer(mu, mu)
        s_xz = _onehot_covariance(X, mu, codes)
        s_xy = self._target_covariance(X, mu, y_target)
        self.mean_ = mu
        self.centre_ = mu
        self._set_update(sigma, s_xz, s_xy, n, rtol)
        return self

    @staticmethod
    def _target_covariance(X: np.ndarray, mu: np.ndarray, y_target) -> np.ndarray:
        """``S_xy`` (d, k) of the target; (d, 0) without one."""
        n, d = X.shape
        if y_target is None:
            return np.zeros((d, 0))
        arr = np.asarray(y_target)
        if arr.ndim == 1:
            return _onehot_covariance(X, mu, check_labels(arr, n, "y_target"))
        T = check_array(arr, "y_target", min_samples=1)
        if T.shape[0] != n:
            raise ValueError(f"y_target has {T.shape[0]} rows, but X has {n} samples")
        return (X.T @ (T - T.mean(axis=0))) / n

    def _set_update(self, sigma, s_xz, s_xy, n: int, rtol: float) -> None:
        # As LEACE: whitened cross-covariances below max(n, d, K) * eps are rounding error.
        floor = max(n, sigma.shape[0], s_xz.shape[1] + 1, s_xy.shape[1] + 1) * _EPS * rtol
        self.left_, self.right_, self.min_sine_, self.target_rank_ = splince_factors(
            sigma, s_xz, s_xy, floor)
        self.rank_ = int(self.left_.shape[1])
