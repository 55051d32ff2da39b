"""Comparing numbers from two machines (`benchmarks.record_numbers`) on hand-built records."""

import math

import numpy as np
import pytest

from benchmarks.record_numbers import (
    REL_TOL,
    ZERO,
    RoundingLevel,
    compare_documents,
    differences,
    floats_close,
    record_differences,
)


@pytest.mark.parametrize("a, b, close", [
    (1.0, 1.0 + 0.5 * REL_TOL, True),
    (1.0, 1.0 + 2 * REL_TOL, False),
    (-3.0, -3.0 * (1 + 1e-12), True),
    (1e-200, 1e-200 * (1 + 1e-10), True),  # relative, whatever the scale
    (0.0, 5e-324, True),                    # subnormal: no relative precision left
    (0.0, 1e-300, False),                   # a normal number is not zero
    (math.nan, math.nan, True),
    (math.nan, 1.0, False),
    (math.inf, math.inf, True),
    (math.inf, -math.inf, False),
])
def test_floats_close_is_relative_with_a_zero_floor(a, b, close):
    assert floats_close(a, b) is close
    assert floats_close(b, a) is close
    assert ZERO == np.finfo(np.float64).tiny


def test_verdicts_counts_and_strings_compare_exactly():
    a = {"passed": True, "n": 3, "rule": "x <= t", "value": 0.5}
    assert differences(a, dict(a)) == []
    assert differences(a, {**a, "passed": False}) == ["passed: True != False"]
    assert differences(a, {**a, "n": 4}) == ["n: 3 != 4"]
    assert differences(a, {**a, "rule": "x < t"}) == ["rule: 'x <= t' != 'x < t'"]
    # an integer count against a float of the same value is a change of type, not rounding
    assert differences({"n": 3}, {"n": 3.0}) == []  # ints and floats are numbers alike
    assert differences({"ok": True}, {"ok": 1}) == ["ok: True != 1"]


def test_keys_and_lengths_must_match_and_timings_are_skipped():
    assert differences({"a": 1.0}, {"b": 1.0}) == [
        "<record>: keys differ: only stored ['a'], only fresh ['b']"]
    assert differences([1.0, 2.0], [1.0]) == ["<record>: lengths differ: 2 != 1"]
    assert differences({"a": 1.0, "fit_time_s": 0.1}, {"a": 1.0, "fit_time_s": 9.0}) == []
    assert differences({"a": 1.0, "elapsed_s": 0.1}, {"a": 1.0}) == []


def test_rounding_level_compares_by_bound_not_value():
    rule = {"gap": RoundingLevel(1e-9)}
    assert differences({"gap": 3e-15}, {"gap": 9e-15}, rule) == []
    # a gap above the bound on either side is compared by value
    assert differences({"gap": 3e-15}, {"gap": 2e-9}, rule) == ["gap: 3e-15 != 2e-09"]
    assert differences({"gap": 1e-3}, {"gap": 1e-3 * (1 + 1e-6)}, rule) != []
    # the rule follows the name down the path (a metric's value, low and high)
    nested = {"metrics": {"gap": {"value": 3e-15, "low": 1e-15}}}
    other = {"metrics": {"gap": {"value": 9e-15, "low": 4e-15}}}
    assert differences(nested, other, rule) == []
    assert differences(nested, other) != []  # no rule: compared by value


def test_a_ratio_is_noise_where_the_metric_it_names_is():
    """A ratio of two rounding-level gaps is noise of order 1: its rule reads the
    denominator's metric in each whole record."""
    level = {"ratio": (RoundingLevel(1e-6), RoundingLevel(1e-9, of="before")),
             "before": RoundingLevel(1e-9)}

    def rec(ratio, before):
        return {"metrics": {"ratio": {"value": ratio}, "before": {"value": before}}}

    assert record_differences(rec(0.88, 1e-14), rec(1.12, 2e-14), level) == []
    assert record_differences(rec(3e-15, 1.0), rec(9e-15, 1.0), level) == []  # ratio tiny
    assert record_differences(rec(0.88, 1.0), rec(1.12, 1.0), level) == [
        "metrics/ratio/value: 0.88 != 1.12"]
    # the denominator must be rounding on both sides
    assert record_differences(rec(0.88, 1e-14), rec(1.12, 1.0), level) != []


def test_compare_documents_names_missing_cells_and_applies_each_familys_rules():
    rec = {"family": "erasure", "method": "m", "generator": "g", "status": "ok",
           "error": None, "checks": {}, "seeds": [],
           "metrics": {"fit_class_mean_gap": {"value": 1e-15}, "distortion": {"value": 0.5}}}
    other = {**rec, "metrics": {"fit_class_mean_gap": {"value": 7e-15},
                                "distortion": {"value": 0.5}}}
    extra = {**rec, "method": "n"}
    assert compare_documents({"records": [rec]}, {"records": [other]}) == []
    assert compare_documents({"records": [rec, extra]}, {"records": [other]}) == [
        "erasure/n/g: only in the first document"]
    moved = {**rec, "metrics": {**rec["metrics"], "distortion": {"value": 0.5 + 1e-7}}}
    assert compare_documents({"records": [rec]}, {"records": [moved]}) == [
        "erasure/m/g: metrics/distortion/value: 0.5 != 0.5000001"]
