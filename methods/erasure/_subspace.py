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


def class_statistic_differences(X: np.ndarray, codes: np.ndarray, statistic) -> tuple:
    """``(diffs, centre)``: rows ``statistic(X[codes == c]) - centre`` for every class.

    ``centre`` is ``statistic(X)`` over all rows; ``diffs`` has shape (d, K).
    """
    centre = statistic(X)
    n_classes = int(codes.max()) + 1
    diffs = np.stack([statistic(X[codes == c]) - centre for c in range(n_classes)], axis=1)
    return diffs, centre
