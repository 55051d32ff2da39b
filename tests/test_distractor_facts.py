"""The distractor generator and its scoring: directions, labels, independence, verdicts.

`generators.distractor_facts` plants Farquhar et al.'s appended random word beside the truth;
the truth family scores every method against both label sets and gives each seed a verdict
(`benchmarks.truth.family.feature_verdict`).
"""

import numpy as np
import pytest
from scipy.stats import chi2_contingency, norm
from threadpoolctl import threadpool_limits

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import MethodSpec
from benchmarks.truth.family import (
    VERDICTS,
    aggregate_truth,
    feature_verdict,
    score_truth_seed,
    truth_generators,
)
from generators.distractor_facts import make_distractor_facts
from methods.truth.contrast_pca import ContrastPCA
from methods.truth.pairs import split_pairs, stack_pairs

QUICK = Profile("quick", n_seeds=3)
GENERATOR = {g.name: g for g in truth_generators(QUICK)}["distractor_facts"]


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


# --- the generator --------------------------------------------------------------------------

def test_deterministic_in_params_and_seed():
    a = make_distractor_facts(300, 12, 1.5, noise=0.2, random_state=4, split=1)
    b = make_distractor_facts(300, 12, 1.5, noise=0.2, random_state=4, split=1)
    for x, y in ((a.X_pos, b.X_pos), (a.X_neg, b.X_neg), (a.y, b.y),
                 (a.ground_truth["distractor_labels"], b.ground_truth["distractor_labels"])):
        np.testing.assert_array_equal(x, y)
    assert a.facts() == b.facts() and a.params == b.params
    c = make_distractor_facts(300, 12, 1.5, noise=0.2, random_state=5, split=1)
    assert not np.array_equal(a.X_pos, c.X_pos)


def test_splits_share_both_directions_and_draw_fresh_labels():
    tr = make_distractor_facts(500, 10, random_state=3, split=0)
    te = make_distractor_facts(500, 10, random_state=3, split=1)
    for key in ("true_direction", "distractor_direction"):
        np.testing.assert_array_equal(tr.ground_truth[key], te.ground_truth[key])
    assert not np.array_equal(tr.y, te.y)
    assert not np.array_equal(tr.ground_truth["distractor_labels"],
                              te.ground_truth["distractor_labels"])
    assert tr.ground_truth["distractor_fraction"] != te.ground_truth["distractor_fraction"]


def test_directions_are_orthonormal_and_carry_the_two_labels_exactly():
    """Without noise the pair difference is exactly 2 [(2y-1) a u + (2z-1) r a v]."""
    a, r = 0.7, 2.5
    ds = make_distractor_facts(400, 9, r, signal=a, noise=0.0, random_state=6)
    gt = ds.ground_truth
    u, v, z = gt["true_direction"], gt["distractor_direction"], gt["distractor_labels"]
    np.testing.assert_allclose([u @ u, v @ v, u @ v], [1.0, 1.0, 0.0], atol=1e-12)
    expected = 2 * (((2 * ds.y - 1) * a)[:, None] * u + ((2 * z - 1) * r * a)[:, None] * v)
    np.testing.assert_allclose(ds.X_pos - ds.X_neg, expected, atol=1e-12)
    # The shared content is orthogonal to both directions: the members' mean has no part there.
    mid = (ds.X_pos + ds.X_neg) / 2
    np.testing.assert_allclose(mid @ np.stack([u, v]).T, 0.0, atol=1e-12)
    assert np.std(mid) > 0.5  # and it is there (content_scale 1)
    assert gt["true_direction_accuracy"] == gt["distractor_direction_accuracy"] == 1.0
    assert gt["truth_amplitude"] == a and gt["distractor_amplitude"] == pytest.approx(r * a)
    assert gt["distractor_strength"] == r and gt["n_truthlike_directions"] == 2


def test_bayes_accuracies_match_their_closed_forms():
    ds = make_distractor_facts(20000, 8, 0.5, noise=0.5, random_state=0)
    gt = ds.ground_truth
    assert gt["bayes_accuracy"] == pytest.approx(norm.cdf(np.sqrt(2) / 0.5))
    assert gt["distractor_bayes_accuracy"] == pytest.approx(norm.cdf(np.sqrt(2) * 0.5 / 0.5))
    # Phi(1.414) = 0.921: binomial sd at n = 20000 is 0.0019; allow 4 sd.
    assert abs(gt["distractor_direction_accuracy"] - gt["distractor_bayes_accuracy"]) < 0.008
    zero = make_distractor_facts(200, 8, 0.0, random_state=0).ground_truth
    assert zero["distractor_bayes_accuracy"] == 0.5 and zero["distractor_amplitude"] == 0.0


def test_labels_are_independent_of_each_other():
    """Chi-square test of the 2x2 table of (y, z) on 20000 pairs, and across splits."""
    pvalues = []
    for seed in range(4):
        ds = make_distractor_facts(20000, 4, random_state=seed)
        z = ds.ground_truth["distractor_labels"]
        table = np.array([[np.sum((ds.y == i) & (z == j)) for j in (0, 1)] for i in (0, 1)])
        pvalues.append(chi2_contingency(table)[1])
        q, qz = ds.ground_truth["first_true_fraction"], ds.ground_truth["distractor_fraction"]
        agree = q * qz + (1 - q) * (1 - qz)
        # The agreement rate is that of independent labels (sd 0.0035 at n = 20000; 5 sd).
        assert abs(ds.ground_truth["label_agreement"] - agree) < 0.018
        assert abs(z.mean() - qz) < 0.018
    assert min(pvalues) > 1e-3, pvalues


def test_strength_changes_only_the_distractor_amplitude():
    """Same seed, two strengths: same labels, content and noise; X differs only along v."""
    weak = make_distractor_facts(300, 10, 0.25, noise=0.3, random_state=9)
    strong = make_distractor_facts(300, 10, 4.0, noise=0.3, random_state=9)
    np.testing.assert_array_equal(weak.y, strong.y)
    z = weak.ground_truth["distractor_labels"]
    np.testing.assert_array_equal(z, strong.ground_truth["distractor_labels"])
    v = weak.ground_truth["distractor_direction"]
    np.testing.assert_allclose(strong.X_pos - weak.X_pos, np.outer((2 * z - 1) * 3.75, v),
                               atol=1e-12)
    np.testing.assert_allclose(strong.X_neg - weak.X_neg, -np.outer((2 * z - 1) * 3.75, v),
                               atol=1e-12)


def test_contrast_pca_follows_the_larger_amplitude():
    """The differences' covariance is 4 a^2 along u and 4 r^2 a^2 along v: the top PC flips
    from u to v as r crosses 1 (noise 0.1: no other direction comes close)."""
    for r, expected in ((0.5, "true_direction"), (2.0, "distractor_direction")):
        ds = make_distractor_facts(600, 16, r, noise=0.1, random_state=1)
        pc = ContrastPCA().fit(stack_pairs(ds.X_pos, ds.X_neg)).direction_
        assert abs(pc @ ds.ground_truth[expected]) > 0.99


@pytest.mark.parametrize("kwargs, match", [
    ({"distractor_strength": -0.5}, "distractor_strength"),
    ({"distractor_strength": float("nan")}, "distractor_strength"),
    ({"distractor_fraction": 1.5}, "distractor_fraction"),
    ({"n_features": 1}, "n_features"),
    ({"signal": 0.0}, "signal"),
    ({"distractor_strength": 1e300, "signal": 1e300}, "distractor_strength"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_distractor_facts(**{"n_pairs": 20, **kwargs})


# --- the verdict and the family's scoring ----------------------------------------------------

def test_feature_verdict_rule():
    assert feature_verdict(0.9, 0.5) == "truth"
    assert feature_verdict(0.899, 0.95) == "distractor"
    assert feature_verdict(0.85, 0.85) == "neither"
    assert feature_verdict(0.95, 0.95) == "truth"  # truth is read first
    assert feature_verdict(0.7, 0.75, threshold=0.7) == "truth"
    assert set(VERDICTS) == {"truth", "distractor", "neither"}
    for bad in ((0.4, 0.5), (0.6, 1.2), (float("nan"), 0.6)):
        with pytest.raises(ValueError, match="accuracy"):
            feature_verdict(*bad)
    with pytest.raises(ValueError, match="threshold"):
        feature_verdict(0.6, 0.6, threshold=0.5)


class _Along:
    """A fixed direction read from the training data's ground truth (an oracle)."""

    def __init__(self, direction):
        self.direction_ = np.asarray(direction, dtype=float)

    def fit(self, X, y=None):
        return self

    def predict_proba(self, X):
        X_pos, X_neg = split_pairs(X)
        return 1.0 / (1.0 + np.exp(-100.0 * (X_pos - X_neg) @ self.direction_))


def _spec(key):
    return MethodSpec(key, "truth", lambda train, seed: _Along(train.ground_truth[key]),
                      builtin=False)


@pytest.mark.parametrize("key, verdict", [("true_direction", "truth"),
                                          ("distractor_direction", "distractor")])
def test_scoring_against_both_label_sets(key, verdict):
    """The truth oracle scores 1 on truth and chance on the word; the word oracle the reverse."""
    seeds = [score_truth_seed(_spec(key), GENERATOR, SeedStreams(GENERATOR.name, s), QUICK)
             for s in range(3)]
    assert [s["verdict"] for s in seeds] == [verdict] * 3
    m = aggregate_truth(seeds)
    found, other = (("sign_agnostic_accuracy", "distractor_accuracy") if verdict == "truth"
                    else ("distractor_accuracy", "sign_agnostic_accuracy"))
    assert m[found]["value"] == 1.0
    # Chance on independent labels: 1920 pairs, sign-agnostic mean below 0.56.
    assert 0.5 <= m[other]["value"] < 0.56
    assert m[f"found_{verdict}_rate"]["value"] == 1.0
    assert sum(m[f"found_{v}_rate"]["value"] for v in VERDICTS) == 1.0
    cos = "cos_true_direction" if verdict == "truth" else "cos_distractor_direction"
    assert m[cos]["value"] == pytest.approx(1.0)
    # The truth oracle needs no label; the word oracle never reaches 0.9 on truth.
    assert m["labels_needed"]["value"] == (0.0 if verdict == "truth" else 641.0)


def test_other_generators_have_no_distractor_scores():
    gen = {g.name: g for g in truth_generators(QUICK)}["single_truth"]
    seed = score_truth_seed(_spec("true_direction"), gen, SeedStreams(gen.name, 0), QUICK)
    assert "verdict" not in seed and "distractor_accuracy" not in aggregate_truth([seed])
