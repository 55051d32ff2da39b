"""What a probe given by one direction ``theta`` shares: its scale and its probability."""

from __future__ import annotations

import numpy as np

from methods.truth.ccs import check_pairs
from methods.validation import check_is_fitted

# Projections whose largest |value| lies outside this range have squares outside float64's
# normal range (1e-308 .. 1e308), so ``np.std`` would underflow to 0 or overflow to inf and
# every probability would be 0.5: their spread is computed on the projections divided by
# their largest |value| instead. Inside it the plain ``np.std`` is used, bit for bit.
_PLAIN_STD_RANGE = (1e-100, 1e100)


def spread(proj: np.ndarray) -> float:
    """Standard deviation of ``proj`` (n,), or 1.0 when it is 0; finite for any finite input.

    ``std(proj) = m std(proj / m)`` with ``m = max |proj|``, used when ``m`` is outside
    ``_PLAIN_STD_RANGE`` (data scaled by 1e-150 or 1e150 have projections of 1e-300 or 1e300).
    """
    m = float(np.abs(proj).max()) if proj.size else 0.0
    if m == 0.0:
        return 1.0
    low, high = _PLAIN_STD_RANGE
    s = float(proj.std()) if low <= m <= high else m * float((proj / m).std())
    return s if s > 0 else 1.0


class FixedDirectionProbeMixin:
    """``p(x+, x-) = sigmoid(theta^T (z+ - z-) / s)``, ``s`` the training spread of the score.

    Subclasses fit ``normalizer_`` and call `_set_direction` with ``theta`` (normalised
    coordinates) and the normalised training pairs.
    """

    def _set_direction(self, theta: np.ndarray, Zp: np.ndarray, Zn: np.ndarray) -> None:
        proj = (Zp - Zn) @ theta
        self.scale_ = spread(proj)
        self.coef_ = theta
        self.bias_ = 0.0
        self.direction_ = self.normalizer_.input_direction(theta)
        self.n_features_in_ = Zp.shape[1]

    def predict_proba(self, X_pos, X_neg):
        """p(first member is true), shape (n_pairs,)."""
        check_is_fitted(self, "coef_")
        Xp, Xn, _ = check_pairs(X_pos, X_neg, n_features=self.n_features_in_)
        Zp, Zn = self.normalizer_.transform(Xp, Xn)
        # exp overflows to inf for logits below -709: the probability is then 0, correctly.
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-((Zp - Zn) @ self.coef_) / self.scale_))
