"""The noise floor's comparisons on hand-built per-seed numbers with known answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from metrics.noise_floor import (
    ABOVE,
    BELOW,
    WITHIN,
    binary_paired_difference,
    binary_smallest_callable,
    compare,
    compare_shared_seeds,
    floor_of_metric,
    is_binary,
    paired_difference,
    ranked_neighbours,
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


# --- paired binary outcomes (McNemar's exact test) ------------------------------------------


def test_binary_difference_closed_form():
    # 8 seeds: a fails where b passes on 6, the reverse on 0, agree on 2.
    a = np.array([1, 1, 1, 1, 1, 1, 0, 1])
    b = np.array([0, 0, 0, 0, 0, 0, 0, 1])
    est = binary_paired_difference(a, b)
    ci = stats.binomtest(6, 6).proportion_ci(0.95, method="exact")  # [0.541, 1]
    assert est.value == pytest.approx(6 / 8)
    assert est.low == pytest.approx(6 / 8 * (2 * ci.low - 1)) and est.high == pytest.approx(6 / 8)
    assert compare(a, b, binary=True)["verdict"] == ABOVE
    assert compare(b, a, binary=True)["verdict"] == BELOW
    assert compare(a, b, binary=True)["test"] == "McNemar exact"


def test_binary_interval_agrees_with_the_exact_test():
    # The interval excludes 0 exactly when the two-sided exact binomial test rejects.
    for n_d in range(1, 13):
        for k in range(n_d + 1):
            a = np.r_[np.ones(k), np.zeros(n_d - k)]
            b = 1 - a
            called = compare(a, b, binary=True)["verdict"] != WITHIN
            assert called == (stats.binomtest(k, n_d).pvalue < 0.05), (n_d, k)


def test_binary_at_three_seeds_calls_nothing():
    # 1, 1, 1 against 0, 0, 0: a paired t with zero spread calls it, the exact test cannot
    # (p = 2 / 2^3 = 0.25), and no outcome at fewer than 6 seeds is callable.
    a, b = np.ones(3), np.zeros(3)
    assert compare(a, b)["verdict"] == ABOVE
    assert compare(a, b, binary=True)["verdict"] == WITHIN
    assert binary_smallest_callable(3) == np.inf and binary_smallest_callable(5) == np.inf
    assert binary_smallest_callable(6) == pytest.approx(1.0)
    assert binary_smallest_callable(12) == pytest.approx(6 / 12)


def test_binary_agreeing_outcomes_have_a_zero_difference():
    est = binary_paired_difference([1, 0, 1], [1, 0, 1])
    assert (est.value, est.low, est.high) == (0.0, 0.0, 0.0)
    assert compare([1, 0, 1], [1, 0, 1], binary=True)["verdict"] == WITHIN


def test_binary_refuses_scores_and_unpaired():
    with pytest.raises(ValueError, match="a must hold 0/1"):
        binary_paired_difference([0.5, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="paired only"):
        compare([1, 0], [0, 1], paired=False, binary=True)
    assert is_binary([0, 1.0, 1]) and not is_binary([0, 0.5])


def test_floor_of_binary_outcomes_is_the_exact_tests():
    per_seed = {"x": [1, 0, 1], "y": [0, 0, 1], "z": [1, 1, 1]}
    out = floor_of_metric(per_seed, binary=True)
    assert out["binary"] and out["floor"] == np.inf  # 3 seeds: nothing callable
    assert floor_of_metric(per_seed)["floor"] < np.inf


def test_ranked_neighbours_marks_adjacent_differences():
    base = np.array([0.50, 0.60, 0.70, 0.55])
    per_seed = {"low": base - 0.20 + np.array([0.01, -0.01, 0.0, 0.0]),  # far below mid
                "mid": base,
                "top": base + np.array([0.03, -0.02, 0.01, -0.01])}  # mean +0.0025: noise
    ranked = ranked_neighbours(per_seed)
    assert [r["method"] for r in ranked] == ["top", "mid", "low"]
    assert ranked[0]["next"] == "mid" and ranked[0]["comparison"]["verdict"] == WITHIN
    assert ranked[1]["next"] == "low" and ranked[1]["comparison"]["verdict"] == ABOVE
    assert "next" not in ranked[2] and ranked[0]["value"] == pytest.approx(0.5875 + 0.0025)


def test_floor_leaves_out_pairs_equal_on_every_seed():
    # x and y score alike on every seed (a fact of the data, not of the method): their pair
    # would pull the median spread to 0. Pairs read: x-z and y-z, both of sd 0.1.
    base = np.array([0.5, 0.6, 0.7])
    per_seed = {"x": base, "y": base.copy(), "z": base + np.array([0.0, 0.1, -0.1])}
    out = floor_of_metric(per_seed)
    assert out["n_pairs"] == 2 and out["paired_sd"] == pytest.approx(0.1)
    same = floor_of_metric({"x": base, "y": base})
    assert same["n_pairs"] == 0 and same["paired_sd"] == 0.0 and same["floor"] == 0.0


def test_compare_shared_seeds_pairs_only_the_seeds_both_hold():
    a = {0: 0.9, 1: 0.8, 2: 0.85, 7: 0.1}
    b = {1: 0.7, 2: 0.75, 0: 0.8, 5: 0.9}
    got = compare_shared_seeds(a, b)
    want = compare([0.9, 0.8, 0.85], [0.8, 0.7, 0.75], paired=True)
    assert got == {**want, "n_shared": 3}
    assert compare_shared_seeds({0: 1.0, 1: 2.0}, {1: 0.0, 3: 1.0}) is None
    assert compare_shared_seeds(None, b) is None
