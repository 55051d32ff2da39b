"""Shared machinery of erasers that remove a subspace by orthogonal projection."""

from __future__ import annotations

import numpy as np

from methods.validation import check_array, check_is_fitted


def orthonormal_basis(vectors: np.ndarray, rtol: float | None = None) -> np.ndarray:
    """Orthonormal basis (d, r) of the span of the columns of ``vectors`` (d, k).

    Columns whose singular value is below ``rtol * max(d, k) * eps * s_max`` (numerical
    zero, the rule of ``numpy.linalg.matrix_rank``) are dropped; an all-zero input gives an
    empty (d, 0) basis.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    if vectors.size == 0:
        return np.zeros((vectors.shape[0], 0))
    u, s, _ = np.linalg.svd(vectors, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return np.zeros((vectors.shape[0], 0))
    tol = s[0] * max(vectors.shape) * np.finfo(np.float64).eps * (rtol or 1.0)
    return u[:, s > tol]


class SubspaceProjectionMixin:
    """``transform(X) = X - (X - centre_) Q Q^T`` for a learned orthonormal basis ``basis_``.

    Subclasses set ``basis_`` (d, r) with orthonormal columns, ``centre_`` (d,) and
    ``n_features_in_`` in ``fit``.
    """

    def transform(self, X) -> np.ndarray:
        """Project the learned subspace out of ``X`` around ``centre_``; shape (n, d)."""
        check_is_fitted(self, "basis_")
        X = check_array(X, "X", min_samples=1, n_features=self.n_features_in_)
        if self.basis_.shape[1] == 0:
            return X.copy()
        coords = (X - self.centre_) @ self.basis_
        return X - coords @ self.basis_.T

    @property
    def rank_(self) -> int:
        """Dimension of the removed subspace."""
        check_is_fitted(self, "basis_")
        return int(self.basis_.shape[1])

    @property
    def projection_(self) -> np.ndarray:
        """The orthogonal projector ``I - Q Q^T`` (d, d) applied around ``centre_``."""
        check_is_fitted(self, "basis_")
        return np.eye(self.n_features_in_) - self.basis_ @ self.basis_.T


def class_difference_basis(X: np.ndarray, class_centres: np.ndarray,
                           centre: np.ndarray) -> np.ndarray:
    """Orthonormal basis (d, <= K-1) of ``span{m_c - centre}`` for class centres (K, d).

    ``centre`` must be a weighted mean of the class centres (so the K differences are
    linearly dependent and the first K-1 span them all). Differences smaller than float64
    round-off of the data (``max(n, d) * eps`` times its RMS deviation) count as zero, so
    classes whose centres agree to rounding give an empty basis rather than a subspace
    fitted to round-off.
    """
    diffs = (class_centres[:-1] - centre).T
    scale = float(np.sqrt(((X - X.mean(axis=0)) ** 2).sum(axis=1).mean()))
    floor = max(X.shape) * np.finfo(np.float64).eps * scale
    diffs = diffs[:, np.linalg.norm(diffs, axis=0) > floor]
    return orthonormal_basis(diffs)
