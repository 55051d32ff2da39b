"""What a probe given by one direction ``theta`` shares: its scale and its probability."""

from __future__ import annotations

import numpy as np

from methods.truth.ccs import check_pairs
from methods.validation import check_is_fitted


class FixedDirectionProbeMixin:
    """``p(x+, x-) = sigmoid(theta^T (z+ - z-) / s)``, ``s`` the training spread of the score.

    Subclasses fit ``normalizer_`` and call `_set_direction` with ``theta`` (normalised
    coordinates) and the normalised training pairs.
    """

    def _set_direction(self, theta: np.ndarray, Zp: np.ndarray, Zn: np.ndarray) -> None:
        proj = (Zp - Zn) @ theta
        self.scale_ = float(proj.std()) if proj.std() > 0 else 1.0
        self.coef_ = theta
        self.bias_ = 0.0
        self.direction_ = self.normalizer_.input_direction(theta)
        self.n_features_in_ = Zp.shape[1]

    def predict_proba(self, X_pos, X_neg):
        """p(first member is true), shape (n_pairs,)."""
        check_is_fitted(self, "coef_")
        Xp, Xn, _ = check_pairs(X_pos, X_neg, n_features=self.n_features_in_)
        Zp, Zn = self.normalizer_.transform(Xp, Xn)
        return 1.0 / (1.0 + np.exp(-((Zp - Zn) @ self.coef_) / self.scale_))
