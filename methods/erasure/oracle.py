"""The oracle eraser: removes the planted concept directions it is given."""

from __future__ import annotations

import numpy as np

from methods.erasure._subspace import SubspaceProjectionMixin, orthonormal_basis
from methods.validation import check_array, check_labels


class OracleEraser(SubspaceProjectionMixin):
    """Project out the true concept subspace: ``r(x) = x - Q Q^T (x - mu)``.

    ``Q`` is an orthonormal basis of the ground-truth ``directions`` (d, r) that the
    generator planted; ``mu`` is the mean of the fit data. A reference line, not a method:
    it needs the ground truth, which no real eraser has.

    Parameters
    ----------
    directions : array-like of shape (n_features, r)
        The planted concept directions (columns).

    Attributes
    ----------
    basis_ : ndarray of shape (n_features, r)
    centre_ : ndarray of shape (n_features,)
    n_features_in_ : int
    """

    def __init__(self, directions=None):
        self.directions = directions

    def fit(self, X, y) -> "OracleEraser":
        """Record the mean of ``X`` (n, d); the subspace comes from ``directions``."""
        X = check_array(X, "X")
        check_labels(y, X.shape[0])
        if self.directions is None:
            raise ValueError("directions must be given: the oracle needs the planted subspace")
        dirs = np.asarray(self.directions, dtype=np.float64)
        if dirs.ndim == 1:
            dirs = dirs[:, None]
        if dirs.ndim != 2 or dirs.shape[0] != X.shape[1]:
            raise ValueError(
                f"directions must have shape ({X.shape[1]}, r), got {np.shape(self.directions)}"
            )
        self.basis_ = orthonormal_basis(dirs)
        self.centre_ = X.mean(axis=0)
        self.n_features_in_ = X.shape[1]
        return self
