"""What an eraser changed: distortion, the removed subspace, and its stability."""

from __future__ import annotations

import numpy as np
from scipy.linalg import orth, subspace_angles

from floor.validation import float_array

# Singular values of the displacement below this fraction of the largest are rounding
# noise, not a removed direction (float64 erasers leave ~1e-15 relative residue).
DISPLACEMENT_RTOL = 1e-8


def _pair(X, X_erased) -> tuple[np.ndarray, np.ndarray]:
    """Validate data and erased data: finite 2-D float arrays of the same shape."""
    A = float_array(X, "X", ndim=2, min_rows=1, min_cols=1)
    B = float_array(X_erased, "X_erased", ndim=2)
    if B.shape != A.shape:
        raise ValueError(f"X_erased has shape {B.shape}, but X has shape {A.shape}")
    return A, B


def distortion(X: np.ndarray, X_erased: np.ndarray) -> float:
    """Mean squared displacement relative to total variance, in [0, inf).

    ``mean_i ||x_i - r(x_i)||^2 / tr Cov(X)``: 0 for the identity, 1 for replacing every
    row by the mean. Lower is better.
    """
    X, X_erased = _pair(X, X_erased)
    total = float(((X - X.mean(axis=0)) ** 2).sum(axis=1).mean())
    if total <= 0:
        raise ValueError("X has zero variance: distortion is undefined")
    return float(((X - X_erased) ** 2).sum(axis=1).mean() / total)


def removed_subspace(X: np.ndarray, X_erased: np.ndarray,
                     rtol: float = DISPLACEMENT_RTOL) -> np.ndarray:
    """Orthonormal basis (d, r) of the span of the displacements ``x - r(x)``.

    For an affine eraser ``r(x) = x - P (x - mu)`` this is ``colspace(P)`` and ``r`` its
    rank; the identity gives an empty (d, 0) basis.
    """
    X, X_erased = _pair(X, X_erased)
    disp = X - X_erased
    _, s, vt = np.linalg.svd(disp, full_matrices=False)
    scale = np.sqrt((X - X.mean(axis=0)) ** 2).max() * np.sqrt(len(X))
    if s.size == 0 or s[0] <= 1e-12 * scale:
        return np.zeros((X.shape[1], 0))
    return vt[s > rtol * s[0]].T


def subspace_consistency(A: np.ndarray, B: np.ndarray) -> float:
    """Mean squared cosine of the principal angles between ``span(A)`` and ``span(B)``.

    ``sum_i cos^2(theta_i) / max(r_A, r_B)`` for bases ``A`` (d, r_A) and ``B`` (d, r_B), in
    [0, 1]: 1 when the subspaces are equal (and when both are empty), 0 when orthogonal;
    a rank mismatch counts the missing angles as 90 degrees. Higher is more consistent.
    Columns need not be orthonormal: ``r_A`` and ``r_B`` are the ranks of the spans
    (``scipy.linalg.orth``), so a repeated column adds nothing. Symmetric in ``A`` and ``B``.
    """
    A = float_array(A, "A", ndim=2, min_cols=0)
    B = float_array(B, "B", ndim=2, n_cols=None)
    if B.shape[0] != A.shape[0]:
        raise ValueError(f"B has {B.shape[0]} rows (dimensions), but A has {A.shape[0]}")
    A = orth(A) if A.shape[1] else A
    B = orth(B) if B.shape[1] else B
    r = max(A.shape[1], B.shape[1])
    if r == 0:
        return 1.0
    if min(A.shape[1], B.shape[1]) == 0:
        return 0.0
    cos2 = np.cos(subspace_angles(A, B)) ** 2
    return float(cos2.sum() / r)
