"""Tests of generators/grouped_concept.py: its ground truth and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from generators.grouped_concept import (
    best_halfspace_accuracy,
    grouped_accuracy,
    inner_grouping,
    make_grouped_concept,
    multiclass_bayes_accuracy,
    value_positions,
)
from metrics.zero_one_probe import best_thresholds

# Rows of the large samples the closed forms are checked against; a rate's standard error
# at this size is at most 0.5 / sqrt(N) ~ 0.0016, and the checks allow 4 of them.
N_LARGE = 100_000
RATE_TOL = 4 * 0.5 / np.sqrt(N_LARGE)


@pytest.fixture(scope="module")
def large():
    return make_grouped_concept(n_samples=N_LARGE, random_state=7, split=1)


def _balanced(truth, pred) -> float:
    return float(np.mean([np.mean(pred[truth == c] == c) for c in np.unique(truth)]))


def test_grouping_is_symmetric_inner_outer_and_both_groups_are_used():
    assert inner_grouping(3).tolist() == [0, 1, 0]
    assert inner_grouping(4).tolist() == [0, 1, 1, 0]
    assert inner_grouping(5).tolist() == [0, 1, 1, 1, 0]
    for k in range(3, 9):
        g, p = inner_grouping(k), value_positions(k)
        assert np.array_equal(g, g[::-1]) and 0 < g.sum() < k
        assert np.array_equal(p, -p[::-1])  # exactly symmetric positions
        assert p[g == 0].mean() == 0.0 and p[g == 1].mean() == 0.0


def test_ground_truth_directions_labels_and_equal_group_means(large):
    t = large.ground_truth
    u, v = t["value_direction"], t["group_direction"]
    np.testing.assert_allclose([u @ u, v @ v, u @ v], [1.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_array_equal(t["concept_directions"], np.stack([u, v], axis=1))
    np.testing.assert_array_equal(large.y, t["grouping"][t["value_labels"]])
    np.testing.assert_array_equal(t["z_class_means_along_u"], [0.0, 0.0])
    np.testing.assert_array_equal(t["value_positions"], 2.0 * value_positions(4))
    # Sample means along u of both groups: 0 within 5 standard errors (sd along u <= 3.05).
    t_u = large.X @ u
    for z in (0, 1):
        assert abs(t_u[large.y == z].mean()) < 5 * 3.05 / np.sqrt((large.y == z).sum())
    # Along v the groups differ by the group separation b = 2.
    t_v = large.X @ v
    assert t_v[large.y == 1].mean() - t_v[large.y == 0].mean() == pytest.approx(2.0, abs=0.02)


def test_multiclass_bayes_matches_the_nearest_position_rule_on_a_large_sample(large):
    t = large.ground_truth
    read = np.abs((large.X @ t["value_direction"])[:, None]
                  - t["value_positions"][None, :]).argmin(axis=1)
    acc = np.mean(read == t["value_labels"])
    assert acc == pytest.approx(t["bayes_accuracy_values"], abs=RATE_TOL)
    # grouped: the same rule's reading of Z (balanced over the two groups)
    grouped = _balanced(large.y, t["grouping"][read])
    assert grouped == pytest.approx(t["bayes_accuracy_grouped"], abs=RATE_TOL)
    # Z from v alone: the rule v . x > 0
    along_v = _balanced(large.y, (large.X @ t["group_direction"] > 0).astype(int))
    assert along_v == pytest.approx(t["accuracy_along_v"], abs=RATE_TOL)


def test_best_halfspace_matches_an_exact_threshold_search_on_a_large_sample(large):
    t = large.ground_truth
    proj = (large.X @ t["value_direction"])[:, None]
    _, scores = best_thresholds(proj, large.y == 1)
    # The training optimum is optimistic by O(1/sqrt(N)); the closed form is the population one.
    assert scores[0, 0] == pytest.approx(t["best_linear_accuracy_after"], abs=RATE_TOL)


def test_closed_forms_by_hand_and_in_their_limits():
    q = norm.cdf(-1.0)  # ratio 2: half a spacing is one sigma
    assert multiclass_bayes_accuracy(3, 2.0) == pytest.approx(1 - 4 * q / 3, rel=1e-12)
    assert multiclass_bayes_accuracy(4, 2.0) == pytest.approx(1 - 6 * q / 4, rel=1e-12)
    for k in (3, 4, 5, 6):
        assert multiclass_bayes_accuracy(k, 1e9) == pytest.approx(1.0)
        assert multiclass_bayes_accuracy(k, 1e-9) == pytest.approx(1 / k)
        assert grouped_accuracy(k, 1e9) == pytest.approx(1.0)
        assert grouped_accuracy(k, 1e-9) == pytest.approx(0.5)
        assert best_halfspace_accuracy(k, 1e9) == pytest.approx(0.75)  # one end cut off
        assert best_halfspace_accuracy(k, 1e-9) == pytest.approx(0.5)
    # k = 4 grouped, by hand: inner value at +1/2 is right when |t| < 1, outer at 3/2 when
    # |t| > 1 (units of the spacing, sigma = 1 / ratio).
    r = 3.0
    inner = norm.cdf(r * 0.5) - norm.cdf(-r * 1.5)
    outer = norm.cdf(r * 0.5) + norm.cdf(-r * 2.5)
    assert grouped_accuracy(4, r) == pytest.approx((inner + outer) / 2, rel=1e-12)


def test_structure_is_shared_across_splits_and_samples_are_not():
    a = make_grouped_concept(n_samples=50, random_state=3, split=0)
    b = make_grouped_concept(n_samples=50, random_state=3, split=1)
    again = make_grouped_concept(n_samples=50, random_state=3, split=0)
    np.testing.assert_array_equal(a.X, again.X)
    np.testing.assert_array_equal(a.ground_truth["concept_directions"],
                                  b.ground_truth["concept_directions"])
    assert not np.array_equal(a.X, b.X)


@pytest.mark.parametrize("arg, value", [("n_values", 2), ("n_features", 1), ("spacing", 0.0),
                                        ("group_separation", -1.0), ("noise", 0.0),
                                        ("n_values", 4.0)])
def test_bad_arguments_name_the_argument(arg, value):
    with pytest.raises((ValueError, TypeError), match=arg):
        make_grouped_concept(**{arg: value})
