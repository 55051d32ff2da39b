"""The oracle eraser: removes the planted concept directions it is given."""

from __future__ import annotations

import numpy as np

from floor.validation import float_array
from methods.erasure._subspace import SubspaceEraser, orthonormal_basis


class OracleEraser(SubspaceEraser):
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
        ``Q``, orthonormal basis of the span of ``directions``.
    components_ : ndarray of shape (r, n_features)
        ``Q^T``.
    centre_ : ndarray of shape (n_features,)
        ``mu``, the mean of the fit data.
    projection_ : ndarray of shape (n_features, n_features)
        ``I - Q Q^T``, the projector kept: ``transform(x) = mu + projection_ (x - mu)``.
    rank_ : int
    n_features_in_ : int
    """

    def __init__(self, directions=None):
        self.directions = directions

    def fit(self, X, y) -> "OracleEraser":
        """Record the mean of ``X`` (n, d); the subspace comes from ``directions``."""
        X, _ = self._validate_fit(X, y)
        if self.directions is None:
            raise ValueError("directions must be given: the oracle needs the planted subspace")
        dirs = float_array(self.directions, "directions")
        if dirs.ndim == 1:
            dirs = dirs[:, None]
        if dirs.ndim != 2 or dirs.shape[0] != X.shape[1]:
            raise ValueError(
                f"directions must have shape (n_features, r) = ({X.shape[1]}, r) for X with "
                f"n_features={X.shape[1]}, got {np.shape(self.directions)}"
            )
        basis = orthonormal_basis(dirs)
        self._set_subspace(basis, X.mean(axis=0))
        return self
