"""The no-op eraser: a baseline every real eraser must beat."""

from __future__ import annotations

import numpy as np

from methods.validation import check_array, check_is_fitted, check_labels


class IdentityEraser:
    """Erase nothing: ``r(x) = x``.

    The negative control of every leakage check: whatever a probe finds before erasure it
    still finds after this one.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen in ``fit``.
    rank_ : int
        Always 0.
    """

    def fit(self, X, y) -> "IdentityEraser":
        """Validate ``X`` (n, d) and ``y`` (n,); learn nothing else."""
        X = check_array(X, "X")
        check_labels(y, X.shape[0])
        self.n_features_in_ = X.shape[1]
        self.rank_ = 0
        return self

    def transform(self, X) -> np.ndarray:
        """Return a copy of ``X`` (n, d)."""
        check_is_fitted(self, "n_features_in_")
        return check_array(X, "X", min_samples=1, n_features=self.n_features_in_).copy()
