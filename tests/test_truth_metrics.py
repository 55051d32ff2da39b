"""Truth-family metrics on hand-built cases where the answer is known."""

import math

import numpy as np
import pytest
from scipy.stats import binom

from generators.onehot_facts import make_onehot_facts
from metrics.ccs_loss import ccs_loss, min_ccs_loss_along
from metrics.direction_count import (
    count_distinct_directions,
    fact_sign_agreement,
    sign_retention,
)
from metrics.eigenvalue_ratio import top_eigenvalue_ratio
from metrics.labels_needed import labels_needed
from metrics.truth_accuracy import (
    pair_accuracy,
    random_truthlike_distribution,
    random_truthlike_pvalue,
    random_truthlike_summary,
    sign_agnostic_accuracy,
    truthlike_counts,
)


def test_pair_accuracy_perfect_flipped_and_ties():
    y = np.array([1, 0, 1, 0])
    assert pair_accuracy(np.array([0.9, 0.1, 0.8, 0.2]), y) == 1.0
    assert pair_accuracy(np.array([0.1, 0.9, 0.2, 0.8]), y) == 0.0
    assert sign_agnostic_accuracy(np.array([0.1, 0.9, 0.2, 0.8]), y) == 1.0
    assert pair_accuracy(np.full(4, 0.5), y) == 0.5
    assert sign_agnostic_accuracy(np.array([0.9, 0.9, 0.1, 0.1]), y) == 0.5


def test_pair_accuracy_bad_input():
    with pytest.raises(ValueError, match="shape"):
        pair_accuracy(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="NaN"):
        pair_accuracy(np.array([np.nan, 0.2]), np.array([1, 0]))
    with pytest.raises(ValueError, match="only 0 and 1"):
        pair_accuracy(np.array([0.2, 0.7]), np.array([1, -1]))


def test_random_truthlike_reference_number():
    """E max(acc, 1 - acc) of a random pattern over 64 equally weighted facts is 0.5497."""
    s = random_truthlike_summary(np.full(64, 10))
    assert s["sign_agnostic_mean"] == pytest.approx(0.5497, abs=5e-5)
    closed_form = 0.5 + 32 * math.comb(64, 32) / 2**64 / 64  # 1/2 + E|K - 32| / 64
    assert s["sign_agnostic_mean"] == pytest.approx(closed_form, rel=1e-12)
    assert s["mean"] == pytest.approx(0.5, abs=1e-15)
    assert s["std"] == pytest.approx(1 / 16, rel=1e-12)  # sqrt(64) / (2 * 64)


def test_random_truthlike_distribution_equal_weights_is_binomial():
    acc, prob = random_truthlike_distribution(np.full(16, 3))
    assert acc.shape == prob.shape == (49,)
    np.testing.assert_allclose(prob[::3], binom.pmf(np.arange(17), 16, 0.5), atol=1e-15)
    assert prob.sum() == pytest.approx(1.0)


def test_random_truthlike_distribution_unequal_weights():
    # Units of 1 and 3 pairs: K in {0, 1, 3, 4}, each with probability 1/4.
    acc, prob = random_truthlike_distribution([1, 3])
    np.testing.assert_allclose(prob, [0.25, 0.25, 0, 0.25, 0.25])
    s = random_truthlike_summary([1, 3])
    assert s["std"] == pytest.approx(np.sqrt(10) / 8)
    assert s["sign_agnostic_mean"] == pytest.approx(0.875)  # (1 + 3/4 + 3/4 + 1) / 4


def test_random_truthlike_single_unit_and_pvalue():
    assert random_truthlike_summary([50])["sign_agnostic_mean"] == 1.0
    counts = np.full(64, 10)
    assert random_truthlike_pvalue(0.5, counts) == pytest.approx(1.0)
    assert random_truthlike_pvalue(1.0, counts) == pytest.approx(2 * 2.0**-64)
    assert random_truthlike_pvalue(1.0, counts, sign_agnostic=False) == pytest.approx(2.0**-64)
    assert 0.05 < random_truthlike_pvalue(0.55, counts) < 0.5


def test_random_truthlike_bad_counts():
    for bad, match in [([], "non-empty"), ([1.5, 2], "integers"), ([-1, 2], "integers"),
                       ([0, 0], "all be zero")]:
        with pytest.raises(ValueError, match=match):
            random_truthlike_distribution(bad)


def test_truthlike_counts_from_ground_truth():
    ds = make_onehot_facts(128, n_facts=64)
    np.testing.assert_array_equal(truthlike_counts(ds.ground_truth), np.full(64, 2))
    assert truthlike_counts({"true_direction": np.ones(3)}) is None


def test_ccs_loss_hand_cases():
    Xp = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    Xn = -Xp
    assert ccs_loss(np.zeros(2), Xp, Xn) == pytest.approx(0.25)
    assert ccs_loss(np.array([50.0, 50.0]), Xp, Xn, normalize="none") < 1e-20
    # A probe constant at 0.4 on every member: 0.2^2 + 0.4^2 = 0.2 (Farquhar et al.).
    assert ccs_loss(np.zeros(2), Xp, Xn, bias=np.log(0.4 / 0.6)) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="coef"):
        ccs_loss(np.zeros(3), Xp, Xn)


def test_min_ccs_loss_along_respects_the_norm_bound():
    Xp = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    u = np.array([1.0, 1.0]) / np.sqrt(2)
    loss, alpha, bias = min_ccs_loss_along(u, Xp, -Xp, max_norm=5.0)
    assert alpha == pytest.approx(5.0)
    assert loss == pytest.approx(ccs_loss(5 * u, Xp, -Xp, bias=bias), rel=1e-12)
    # A negative bias trades a little consistency for confidence: below the b = 0 loss.
    assert bias < 0 and loss < ccs_loss(5 * u, Xp, -Xp)
    with pytest.raises(ValueError, match="non-zero"):
        min_ccs_loss_along(np.zeros(2), Xp, -Xp)


def test_count_distinct_directions():
    e = np.eye(3)
    assert count_distinct_directions(e) == 3
    assert count_distinct_directions(np.vstack([e[0], -e[0], 2 * e[0]])) == 1
    near = np.array([1.0, 0.05, 0.0])  # cos 0.9988 with e_0
    assert count_distinct_directions(np.vstack([e[0], near])) == 1
    assert count_distinct_directions(np.vstack([e[0], near]), threshold=0.9995) == 2
    with pytest.raises(ValueError, match="zero vector"):
        count_distinct_directions(np.zeros((2, 3)))


def test_fact_sign_agreement_and_retention():
    F = np.eye(4)
    s = np.array([1.0, -1, 1, -1])
    assert fact_sign_agreement(s, F, s) == 1.0
    assert fact_sign_agreement(-s, F, s) == 0.0
    assert fact_sign_agreement(np.array([1.0, 1, 0, 0]), F, s) == 0.5
    init = np.array([[1.0, 1, 1, 1], [1.0, -1, 1, -1]])
    assert sign_retention(init, init, F) == 1.0
    assert sign_retention(init, -init, F) == 0.0
    with pytest.raises(ValueError, match="direction has shape"):
        fact_sign_agreement(s[:3], F, s)


def test_labels_needed_hand_cases():
    y = np.array([1, 0, 1, 1, 0])
    right = np.where(y == 1, 0.9, 0.1)
    wrong = 1 - right
    half = np.where(np.arange(5) < 2, right, wrong)  # agrees with the first two labels only
    # The method's own pick is already right: no labels needed.
    assert labels_needed(np.vstack([right, half]), y, np.array([1.0, 0.6])) == 0
    # The right candidate comes second: after 3 labels it is the unique best.
    assert labels_needed(np.vstack([half, right]), y, np.array([0.6, 1.0])) == 3
    # Right up to sign: the flip is offered when sign-agnostic, not otherwise.
    assert labels_needed(wrong[None], y, np.array([0.0])) == 1
    assert labels_needed(wrong[None], y, np.array([0.0]), sign_agnostic=False) == np.inf
    # No candidate reaches the target.
    assert labels_needed(np.vstack([right, half]), y, np.array([0.7, 0.6])) == np.inf
    with pytest.raises(ValueError, match="y has shape"):
        labels_needed(right[None], y[:3], np.array([1.0]))


def test_top_eigenvalue_ratio():
    assert top_eigenvalue_ratio([1.0, 4.0, 2.0]) == 2.0
    assert top_eigenvalue_ratio(np.ones(5)) == 1.0
    assert top_eigenvalue_ratio([3.0, 0.0]) == np.inf
    assert top_eigenvalue_ratio([3.0, -1e-14]) == np.inf  # rounding below zero
    for bad, match in [([1.0], "at least 2"), ([1.0, -1.0], "non-negative"),
                       ([0.0, 0.0], "all zero"), ([np.nan, 1.0], "NaN")]:
        with pytest.raises(ValueError, match=match):
            top_eigenvalue_ratio(bad)
