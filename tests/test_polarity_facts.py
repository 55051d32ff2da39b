"""`generators.polarity_facts`: its planted structure exactly, and its closed forms."""

import numpy as np
import pytest
from scipy.stats import norm

from generators.polarity_facts import direction_accuracy, make_polarity_facts

# Float64 sums of a handful of O(1) terms: exact structure holds to rounding.
EXACT = 1e-12


def _noiseless(**kw):
    return make_polarity_facts(n_pairs=200, n_features=12, noise=0.0, random_state=3, **kw)


def test_directions_are_orthonormal_and_shared_across_splits():
    a, b = (make_polarity_facts(50, 10, random_state=1, split=s) for s in (0, 1))
    P = np.stack([a.ground_truth[k] for k in ("general_direction", "polarity_truth_direction",
                                              "polarity_direction")])
    assert np.allclose(P @ P.T, np.eye(3), atol=EXACT)
    for k in ("general_direction", "polarity_truth_direction", "polarity_direction"):
        assert np.array_equal(a.ground_truth[k], b.ground_truth[k])
    assert np.array_equal(a.ground_truth["true_direction"], a.ground_truth["general_direction"])
    other = make_polarity_facts(50, 10, random_state=2)
    assert not np.allclose(other.ground_truth["general_direction"], P[0])
    assert not np.array_equal(a.X_pos, b.X_pos)


def test_same_arguments_same_arrays():
    a, b = (make_polarity_facts(60, 8, random_state=5, split=2) for _ in range(2))
    assert np.array_equal(a.X_pos, b.X_pos) and np.array_equal(a.X_neg, b.X_neg)
    assert np.array_equal(a.y, b.y)


@pytest.mark.parametrize("which, expected", [("affirmative", 1.0), ("negated", -1.0)])
def test_one_polarity_splits(which, expected):
    data = _noiseless(polarity=which)
    assert np.all(data.ground_truth["polarity"] == expected)
    assert np.all(data.ground_truth["is_negated"] == (expected < 0))


@pytest.mark.parametrize("fraction, n_negated", [(0.5, 100), (0.25, 50), (0.9, 180)])
def test_both_polarities_exact_count(fraction, n_negated):
    data = _noiseless(negated_fraction=fraction)
    p = data.ground_truth["polarity"]
    assert set(np.unique(p)) == {-1.0, 1.0}
    assert int(np.sum(p < 0)) == n_negated


def test_noiseless_members_are_the_decomposition():
    """Differences ``2 sigma (g t_G + s p t_P)``; the members' mean ``c + r p v`` with the
    content orthogonal to all three directions; the true member reads ``+g`` on ``t_G`` and
    ``s p`` on ``t_P`` (Buerger et al.'s ``tau t_G + tau p t_P``)."""
    g, s, r = 0.7, 1.9, 2.3
    data = _noiseless(general_strength=g, polarity_truth_strength=s, polarity_strength=r)
    gt = data.ground_truth
    tG, tP, v = gt["general_direction"], gt["polarity_truth_direction"], gt["polarity_direction"]
    p, sigma = gt["polarity"], 2.0 * data.y - 1.0
    assert np.array_equal(gt["labels"], sigma)
    expected = 2 * sigma[:, None] * (g * tG + s * p[:, None] * tP)
    assert np.allclose(data.X_pos - data.X_neg, expected, atol=EXACT)
    mid = (data.X_pos + data.X_neg) / 2
    assert np.allclose(mid @ v, r * p, atol=EXACT)
    assert np.allclose(mid @ tG, 0, atol=EXACT) and np.allclose(mid @ tP, 0, atol=EXACT)
    assert np.std(mid @ np.linalg.svd(mid)[2][0]) > 0.5  # the content is really there
    true_member = np.where(data.y[:, None] == 1, data.X_pos, data.X_neg)
    false_member = np.where(data.y[:, None] == 1, data.X_neg, data.X_pos)
    assert np.allclose(true_member @ tG, g, atol=EXACT)
    assert np.allclose(false_member @ tG, -g, atol=EXACT)
    assert np.allclose(true_member @ tP, s * p, atol=EXACT)


def test_affirmative_and_negated_directions():
    g, s = 1.0, 2.0
    gt = _noiseless(general_strength=g, polarity_truth_strength=s).ground_truth
    tG, tP = gt["general_direction"], gt["polarity_truth_direction"]
    assert np.allclose(gt["affirmative_direction"], (tG + 2 * tP) / np.sqrt(5), atol=EXACT)
    assert np.allclose(gt["negated_direction"], (tG - 2 * tP) / np.sqrt(5), atol=EXACT)


def test_noiseless_closed_forms():
    """Without noise: t_G is right on every pair; the affirmative direction is at exactly 1/2
    on negated pairs when g = s, and reversed (0) when s > g."""
    even = _noiseless()
    assert even.ground_truth["true_direction_accuracy"] == 1.0
    assert even.ground_truth["general_accuracy"] == 1.0
    assert even.ground_truth["affirmative_on_negated_accuracy"] == 0.5
    assert even.ground_truth["bayes_accuracy"] == 1.0
    strong = _noiseless(polarity_truth_strength=2.0).ground_truth
    assert strong["affirmative_on_negated_accuracy"] == 0.0
    weak = _noiseless(polarity_truth_strength=0.5).ground_truth
    assert weak["affirmative_on_negated_accuracy"] == 1.0


def test_closed_forms_with_noise():
    g, s, sigma = 1.0, 2.0, 2.0
    gt = make_polarity_facts(4, 8, general_strength=g, polarity_truth_strength=s,
                             noise=sigma).ground_truth
    assert gt["general_accuracy"] == pytest.approx(norm.cdf(np.sqrt(2) * g / sigma))
    assert gt["affirmative_on_negated_accuracy"] == pytest.approx(
        norm.cdf(np.sqrt(2) * (g**2 - s**2) / (np.sqrt(g**2 + s**2) * sigma)))  # 0.171
    assert gt["affirmative_on_negated_accuracy"] == pytest.approx(0.1713, abs=1e-4)
    assert gt["bayes_accuracy"] == pytest.approx(norm.cdf(np.sqrt(2 * (g**2 + s**2)) / sigma))


@pytest.mark.parametrize("which, key, polarity_sign", [
    ("negated", "affirmative_direction", -1.0), ("affirmative", "affirmative_direction", 1.0),
    ("negated", "general_direction", -1.0)])
def test_empirical_accuracy_matches_the_closed_form(which, key, polarity_sign):
    """A large sample's accuracy of a planted direction is within 4 binomial standard errors
    of `direction_accuracy` (a false failure has probability 6e-5)."""
    n, g, s, sigma = 20000, 1.0, 2.0, 2.0
    data = make_polarity_facts(n, 8, general_strength=g, polarity_truth_strength=s,
                               noise=sigma, polarity=which, random_state=9)
    gt = data.ground_truth
    w = gt[key]
    expected = direction_accuracy(w, g, s, sigma, gt["general_direction"],
                                  gt["polarity_truth_direction"], polarity_sign)
    measured = np.mean(((data.X_pos - data.X_neg) @ w > 0) == (data.y == 1))
    assert abs(measured - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    if key == "general_direction":
        assert gt["true_direction_accuracy"] == measured


def test_facts_are_plain_scalars():
    facts = make_polarity_facts(20, 6).facts()
    assert facts["n_truthlike_directions"] == 1
    assert set(facts) >= {"general_accuracy", "affirmative_on_negated_accuracy",
                          "bayes_accuracy", "general_strength", "polarity_truth_strength"}


@pytest.mark.parametrize("kwargs, match", [
    ({"polarity": "both_ways"}, "polarity"),
    ({"general_strength": 0.0, "polarity_truth_strength": 0.0}, "both be 0"),
    ({"noise": -1.0}, "noise"), ({"n_features": 2}, "n_features"), ({"n_pairs": 1}, "n_pairs"),
    ({"negated_fraction": 1.0}, "negated_fraction"),
    ({"polarity_strength": -1}, "polarity_strength"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_polarity_facts(**kwargs)
