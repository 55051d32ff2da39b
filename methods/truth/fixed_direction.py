"""What a probe given by one direction ``theta`` shares: its scale and its probability.

`FixedDirectionProbe` is the base of `MeanDifference` and `RandomDirection` (and the
contrast-pair base `methods.truth._contrast_pairs.ContrastPairClassifier` below it).
"""

from __future__ import annotations

import numpy as np

from methods.truth._contrast_pairs import ContrastPairClassifier

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


class FixedDirectionProbe(ContrastPairClassifier):
    """``p(x+, x-) = sigmoid(theta^T (z+ - z-) / s)``, ``s`` the training spread of the score.

    ``z`` are the normalised members of the pairs ``X = [x_plus | x_minus]``. Subclasses
    open ``fit`` with `_fit_differences` and call `_set_direction` with ``theta`` (normalised
    coordinates) and the normalised training differences ``D = Z+ - Z-``; the base sets
    ``scale_ = s``,
    ``coef_ = theta``, ``bias_ = 0`` and the unit input-space ``direction_``.
    """

    def _set_direction(self, theta: np.ndarray, D: np.ndarray) -> None:
        """Set the probe from ``theta`` (d,) and the training differences ``D`` (n_pairs, d)."""
        proj = D @ theta
        self.scale_ = spread(proj)
        self.bias_ = 0.0
        self.direction_ = self.normalizer_.input_direction(theta)
        self.coef_ = theta

    def _proba_true(self, X) -> np.ndarray:
        """P(first member is true), shape (n_pairs,)."""
        # exp overflows to inf for logits below -709: the probability is then 0, correctly.
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-(self._differences(X) @ self.coef_) / self.scale_))


# The name this base had when it was a mixin over the two-array interface.
FixedDirectionProbeMixin = FixedDirectionProbe
