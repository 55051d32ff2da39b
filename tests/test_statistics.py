"""Tests for metrics.statistics: Wilson intervals and means over seeds."""

import numpy as np
import pytest
from scipy import stats

from metrics.statistics import (
    CONFIDENCE,
    Estimate,
    mean_over_seeds,
    rate_over_seeds,
    wilson_interval,
)

# Closed-form interval bounds against scipy's: both are a few float64 operations.
ATOL = 1e-12
CASES = [(0, 10), (3, 10), (10, 10), (50, 100), (1, 1), (937, 2000)]


def wilson_by_formula(k, n, confidence):
    """Wilson (1927): (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = k / n
    centre = p + z**2 / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return (centre - half) / (1 + z**2 / n), (centre + half) / (1 + z**2 / n)


@pytest.mark.parametrize("k, n", CASES)
@pytest.mark.parametrize("confidence", [0.95, CONFIDENCE])
def test_wilson_interval_matches_scipy_and_formula(k, n, confidence):
    est = wilson_interval(k, n, confidence)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    low, high = wilson_by_formula(k, n, confidence)
    assert est.low == pytest.approx(ci.low, abs=ATOL) == pytest.approx(low, abs=ATOL)
    assert est.high == pytest.approx(ci.high, abs=ATOL) == pytest.approx(high, abs=ATOL)
    assert est.low <= est.value == k / n <= est.high and est.n == n


def test_wilson_interval_narrows_with_n_and_confidence():
    wide, narrow = wilson_interval(50, 100), wilson_interval(500, 1000)
    assert narrow.high - narrow.low < wide.high - wide.low
    assert wilson_interval(50, 100, 0.9).high < wilson_interval(50, 100, 0.999).high


@pytest.mark.parametrize("k, n, match", [(1, 0, "n must be >= 1"), (-1, 5, "successes"),
                                         (6, 5, "successes")])
def test_wilson_interval_rejects_bad_counts(k, n, match):
    with pytest.raises(ValueError, match=match):
        wilson_interval(k, n)


def test_rate_over_seeds_counts_true():
    est = rate_over_seeds([True, False, True, True])
    assert est.value == 0.75 and est.n == 4
    assert est.low == pytest.approx(wilson_interval(3, 4).low, abs=ATOL)
    with pytest.raises(ValueError, match="at least one seed"):
        rate_over_seeds([])


def test_mean_over_seeds_single_seed_is_degenerate():
    est = mean_over_seeds([0.3])
    assert (est.value, est.low, est.high, est.n) == (0.3, 0.3, 0.3, 1)


def test_mean_over_seeds_matches_student_t():
    values = np.array([0.1, 0.4, 0.35, 0.2, 0.3])
    est = mean_over_seeds(values, confidence=0.95)
    low, high = stats.t.interval(0.95, df=4, loc=values.mean(), scale=stats.sem(values))
    assert est.value == pytest.approx(values.mean(), abs=ATOL)
    assert est.low == pytest.approx(low, abs=ATOL) and est.high == pytest.approx(high, abs=ATOL)


@pytest.mark.parametrize("values, match", [([], "at least one seed"),
                                           ([1.0, np.nan], "NaN or inf")])
def test_mean_over_seeds_rejects_bad_values(values, match):
    with pytest.raises(ValueError, match=match):
        mean_over_seeds(values)


def test_estimate_shifted_and_to_dict():
    est = Estimate(0.8, 0.7, 0.9, 100).shifted(0.5)
    assert est.to_dict() == pytest.approx(
        {"value": 0.3, "low": 0.2, "high": 0.4, "n": 100, "confidence": CONFIDENCE})
