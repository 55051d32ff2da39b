"""The noise floor's comparisons on hand-built per-seed numbers with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from metrics.noise_floor import (
    ABOVE,
    BELOW,
    WITHIN,
    compare,
    floor_of_metric,
    paired_difference,
    smallest_callable,
    welch_difference,
)


def test_paired_difference_closed_form():
    a = np.array([0.80, 0.70, 0.90, 0.60])
    b = a - np.array([0.02, 0.04, 0.03, 0.03])  # d = 0.02, 0.04, 0.03, 0.03
    est = paired_difference(a, b)
    d = a - b
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2.0
    assert est.value == pytest.approx(0.03)
    assert est.low == pytest.approx(0.03 - half) and est.high == pytest.approx(0.03 + half)
    # The data's seed-to-seed spread (0.6..0.9) cancels: paired calls it, Welch does not.
    assert compare(a, b)["verdict"] == ABOVE
    assert compare(a, b, paired=False)["verdict"] == WITHIN
    assert compare(b, a)["verdict"] == BELOW


def test_welch_matches_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 1, 7), rng.normal(0, 2, 5)
    est = welch_difference(a, b)
    ci = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert est.low == pytest.approx(ci.low) and est.high == pytest.approx(ci.high)


def test_one_seed_calls_nothing():
    assert compare([1.0], [0.0])["verdict"] == WITHIN
    assert smallest_callable(0.1, 1) == np.inf


def test_smallest_callable_is_the_boundary():
    # A constant difference equal to the floor's threshold sits on the interval's edge.
    sd, n = 0.05, 5
    floor = smallest_callable(sd, n)
    assert floor == pytest.approx(stats.t.ppf(0.975, 4) * sd / np.sqrt(5))
    assert smallest_callable(sd, n, paired=False) == pytest.approx(
        stats.t.ppf(0.975, 8) * sd * np.sqrt(2 / 5))


def test_floor_of_metric_reads_spreads():
    base = np.array([0.5, 0.6, 0.7])
    per_seed = {"x": base, "y": base + 0.1, "z": base + np.array([0.0, 0.1, -0.1])}
    out = floor_of_metric(per_seed)
    assert out["n_seeds"] == 3 and out["n_pairs"] == 3
    assert out["seed_sd"] == pytest.approx(0.1)  # x and y: 0.1; z: 0.2 -> median 0.1
    # pair sds: x-y 0, x-z 0.1, y-z 0.1 -> median 0.1
    assert out["paired_sd"] == pytest.approx(0.1)
    assert out["floor"] == pytest.approx(smallest_callable(0.1, 3))


@pytest.mark.parametrize("bad", [dict(a=[1.0, 2.0], b=[1.0]), dict(a=[np.nan, 1.0], b=[1, 2])])
def test_bad_input_names_argument(bad):
    with pytest.raises(ValueError, match="a and b|a contains"):
        paired_difference(**bad)
