"""Rates and means over seeds, with their uncertainty.

Every score the suite reports is an estimate; these helpers attach an interval to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from floor.validation import confidence_level, float_array

# Two-sided confidence level of every interval the checks read. 99.9% rather than 95%:
# a grid runs hundreds of checks, and at 95% an unchanged method at chance would fail
# about one in forty of them by sampling luck alone.
CONFIDENCE = 0.999


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a two-sided interval ``[low, high]`` at ``confidence``."""

    value: float
    low: float
    high: float
    n: int
    confidence: float = CONFIDENCE

    def to_dict(self) -> dict:
        """JSON-ready form: ``{"value", "low", "high", "n", "confidence"}``."""
        return {
            "value": float(self.value),
            "low": float(self.low),
            "high": float(self.high),
            "n": int(self.n),
            "confidence": float(self.confidence),
        }

    def shifted(self, offset: float) -> "Estimate":
        """The same estimate minus ``offset`` (e.g. accuracy minus chance = leakage)."""
        return Estimate(
            self.value - offset, self.low - offset, self.high - offset, self.n, self.confidence
        )


def wilson_interval(successes: int, n: int, confidence: float = CONFIDENCE) -> Estimate:
    """Wilson score interval for a binomial proportion ``successes / n``.

    Parameters
    ----------
    successes : int
        Number of successes, ``0 <= successes <= n``.
    n : int
        Number of trials, ``n >= 1``.
    confidence : float, default=CONFIDENCE
        Two-sided coverage in (0, 1).

    Returns
    -------
    Estimate
        ``value = successes / n`` and the Wilson interval (Wilson 1927), as computed by
        ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``.
    """
    n = _integer(n, "n")
    successes = _integer(successes, "successes")
    confidence = confidence_level(confidence)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in [0, n={n}], got {successes}")
    ci = stats.binomtest(successes, n).proportion_ci(
        confidence_level=confidence, method="wilson"
    )
    return Estimate(successes / n, float(ci.low), float(ci.high), int(n), confidence)


def _integer(value, name: str) -> int:
    """``value`` as an int when it is a whole number (not a bool), else ValueError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, np.integer, float, np.floating)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if not np.isfinite(value) or int(value) != value:
        raise ValueError(f"{name} must be an integer, got {value!r}")
    return int(value)


def rate_over_seeds(outcomes, confidence: float = CONFIDENCE) -> Estimate:
    """Fraction of True among per-seed boolean ``outcomes``, with a Wilson interval.

    ``outcomes`` holds booleans or the numbers 0 and 1; anything else (strings, NaN, 2)
    is refused rather than read as truthy.
    """
    raw = np.asarray(outcomes)
    if raw.dtype != bool:
        values = float_array(raw, "outcomes", finite=False)
        if not np.all(np.isin(values, [0.0, 1.0])):
            raise ValueError("outcomes must be booleans (or 0 and 1)")
    arr = raw.astype(bool).ravel()
    if arr.size == 0:
        raise ValueError("outcomes must contain at least one seed")
    return wilson_interval(int(arr.sum()), int(arr.size), confidence)


def mean_over_seeds(values, confidence: float = CONFIDENCE) -> Estimate:
    """Mean of per-seed ``values`` with a Student-t interval (degenerate when n == 1)."""
    confidence = confidence_level(confidence)
    arr = float_array(values, "values", finite=False).ravel()
    if arr.size == 0:
        raise ValueError("values must contain at least one seed")
    if not np.all(np.isfinite(arr)):
        raise ValueError("values contains NaN or inf")
    mean = float(arr.mean())
    if arr.size == 1:
        return Estimate(mean, mean, mean, 1, confidence)
    sem = float(arr.std(ddof=1) / np.sqrt(arr.size))
    half = float(stats.t.ppf(0.5 + confidence / 2, df=arr.size - 1)) * sem
    return Estimate(mean, mean - half, mean + half, int(arr.size), confidence)
