"""What every weight-direction method shares: validation, ranking, ``transform``."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from floor.validation import check_array, check_is_fitted


class BaseWeightDirections(TransformerMixin, BaseEstimator):
    """Base class: subclasses implement ``_directions(W) -> (write, read, strengths,
    n_claimed)``; ``fit`` validates ``W``, ranks the pairs by strength and stores them."""

    def fit(self, X, y=None):
        """Find the ranked read/write pairs of the weight matrix ``X`` (d_out, d_in).

        Parameters
        ----------
        X : array-like of shape (d_out, d_in)
            The weight matrix ``W``.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        W = check_array(X, "X", min_samples=1)
        self.n_features_in_ = W.shape[1]
        write, read, strengths, n_claimed = self._directions(W)
        order = np.argsort(-strengths, kind="stable")
        self.write_directions_ = np.ascontiguousarray(write[order])
        self.components_ = np.ascontiguousarray(read[order])
        self.strengths_ = strengths[order]
        self.n_directions_ = int(n_claimed)
        return self

    def transform(self, X) -> np.ndarray:
        """``X components_^T``: inputs (n, d_in) read along every ranked read direction."""
        check_is_fitted(self)
        X = check_array(X, "X", min_samples=1, n_features=self.n_features_in_, estimator=self)
        return X @ self.components_.T

    def claimed(self) -> tuple[np.ndarray, np.ndarray]:
        """The pairs the method calls structure: ``(write, read)`` rows ``[:n_directions_]``."""
        check_is_fitted(self)
        k = self.n_directions_
        return self.write_directions_[:k], self.components_[:k]
