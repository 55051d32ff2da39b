"""The no-op eraser: a baseline every real eraser must beat."""

from __future__ import annotations

import numpy as np

from methods.erasure._subspace import BaseEraser


class IdentityEraser(BaseEraser):
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

    _fitted_attribute = "rank_"

    def fit(self, X, y) -> "IdentityEraser":
        """Validate ``X`` (n, d) and ``y`` (n,); learn nothing else."""
        self._validate_fit(X, y)
        self.rank_ = 0
        return self

    def transform(self, X) -> np.ndarray:
        """Return a copy of ``X`` (n, d)."""
        return self._validate_transform(X).copy()
