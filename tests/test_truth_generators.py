"""Generators of the truth family: contract, purity, splits, and the stated ground truth."""

import numpy as np
import pytest

from generators.dataset import Dataset
from generators.distractor_facts import make_distractor_facts
from generators.grouped_facts import make_grouped_facts
from generators.onehot_facts import make_onehot_facts
from generators.single_truth import make_single_truth

GENERATORS = [make_onehot_facts, make_grouped_facts, make_single_truth, make_distractor_facts]


@pytest.mark.parametrize("make", GENERATORS)
def test_generator_contract(make):
    ds = make(100, random_state=1)
    assert isinstance(ds, Dataset)
    assert ds.X is None
    assert ds.X_pos.dtype == np.float64 and ds.X_neg.dtype == np.float64
    assert ds.X_pos.shape == ds.X_neg.shape == (100, ds.n_features)
    assert ds.y.shape == (100,) and set(np.unique(ds.y)) <= {0, 1}
    u = ds.ground_truth["true_direction"]
    assert u.shape == (ds.n_features,)
    assert np.linalg.norm(u) == pytest.approx(1.0, abs=1e-12)
    assert ds.params["n_pairs"] == 100


@pytest.mark.parametrize("make", GENERATORS)
def test_generator_pure(make):
    a, b = make(50, random_state=7, split=2), make(50, random_state=7, split=2)
    np.testing.assert_array_equal(a.X_pos, b.X_pos)
    np.testing.assert_array_equal(a.X_neg, b.X_neg)
    np.testing.assert_array_equal(a.y, b.y)


@pytest.mark.parametrize("make", GENERATORS)
def test_generator_splits_share_structure_with_fresh_samples(make):
    tr, te = make(200, random_state=3, split=0), make(200, random_state=3, split=1)
    np.testing.assert_array_equal(tr.ground_truth["true_direction"],
                                  te.ground_truth["true_direction"])
    assert not np.array_equal(tr.X_pos, te.X_pos)
    other = make(200, random_state=4)
    assert not np.array_equal(tr.ground_truth["true_direction"],
                              other.ground_truth["true_direction"])


@pytest.mark.parametrize("make", GENERATORS)
def test_true_direction_separates_noiseless_pairs(make):
    ds = make(300, noise=0.0, random_state=5)
    u = ds.ground_truth["true_direction"]
    margin = (ds.X_pos - ds.X_neg) @ u * (2 * ds.y - 1)
    assert np.all(margin > 0)
    assert ds.ground_truth["true_direction_accuracy"] == 1.0


@pytest.mark.parametrize("make", GENERATORS)
def test_label_balance_is_random_per_split(make):
    qs = {make(50, random_state=s).ground_truth["first_true_fraction"] for s in range(5)}
    assert len(qs) == 5 and all(0.3 <= q <= 0.7 for q in qs)
    fixed = make(2000, first_true_fraction=0.5, random_state=0)
    assert abs(fixed.y.mean() - 0.5) < 0.05  # 4.5 binomial sd at n = 2000


def test_onehot_every_sign_pattern_is_truthlike():
    ds = make_onehot_facts(256, n_facts=8, noise=0.0, random_state=2)
    gt = ds.ground_truth
    assert gt["n_truthlike_directions"] == 2**8 and gt["log2_truthlike"] == 8
    c = np.random.default_rng(0).choice([-1.0, 1.0], 8)
    proj = (ds.X_pos - ds.X_neg) @ (c / np.sqrt(8))
    # Every pair is separated with the same margin, and its call is right iff c_i = s_i.
    np.testing.assert_allclose(np.abs(proj), 2 / np.sqrt(8))
    right = (proj > 0) == (ds.y == 1)
    np.testing.assert_array_equal(right, (c == gt["fact_signs"])[gt["fact_index"]])


def test_onehot_exact_count_is_a_python_int():
    assert make_onehot_facts(10, n_facts=100).ground_truth["n_truthlike_directions"] == 2**100


def test_onehot_embedding_is_a_rotation():
    ds = make_onehot_facts(200, n_facts=16, n_features=48, noise=0.0, random_state=1)
    F = ds.ground_truth["fact_directions"]
    np.testing.assert_allclose(F @ F.T, np.eye(16), atol=1e-12)
    assert ds.X_pos.shape == (200, 48)
    np.testing.assert_allclose(np.linalg.norm(ds.X_pos, axis=1), 1.0)


def test_onehot_facts_are_balanced_and_counted():
    ds = make_onehot_facts(640, n_facts=64, random_state=0)
    np.testing.assert_array_equal(ds.ground_truth["fact_counts"], np.full(64, 10))


@pytest.mark.parametrize("make", [make_onehot_facts, make_grouped_facts])
def test_disjoint_fact_splits(make):
    tr = make(200, facts="train", random_state=9, split=0)
    te = make(200, facts="heldout", random_state=9, split=1)
    gt = tr.ground_truth
    assert set(np.unique(tr.ground_truth["fact_index"])) == set(gt["train_facts"])
    assert set(np.unique(te.ground_truth["fact_index"])) == set(gt["heldout_facts"])
    assert not set(gt["train_facts"]) & set(gt["heldout_facts"])
    np.testing.assert_array_equal(gt["true_direction"], te.ground_truth["true_direction"])


def test_grouped_truthlike_combinations():
    ds = make_grouped_facts(400, n_groups=5, facts_per_group=4, n_features=32, noise=0.0,
                            random_state=3)
    gt = ds.ground_truth
    assert gt["n_truthlike_directions"] == 32 and gt["log2_truthlike"] == 5
    c = np.array([1.0, -1, -1, 1, 1])
    v = gt["group_directions"].T @ c / np.sqrt(5)
    proj = (ds.X_pos - ds.X_neg) @ v
    np.testing.assert_allclose(np.abs(proj), 2 / np.sqrt(5), atol=1e-12)
    right = (proj > 0) == (ds.y == 1)
    np.testing.assert_array_equal(right, (c == gt["group_signs"])[gt["group_index"]])


def test_grouped_heldout_facts_cover_every_group():
    ds = make_grouped_facts(100, n_groups=4, facts_per_group=6, facts="heldout")
    gt = ds.ground_truth
    assert set(gt["fact_group"][gt["heldout_facts"]]) == set(range(4))


def test_single_truth_bayes_and_content():
    ds = make_single_truth(4000, n_features=16, noise=1.0, random_state=0)
    gt = ds.ground_truth
    assert gt["n_truthlike_directions"] == 1
    # Binomial sd of an accuracy near 0.92 at n = 4000 is 0.0043; allow 4 sd.
    assert abs(gt["true_direction_accuracy"] - gt["bayes_accuracy"]) < 0.018
    shared = (ds.X_pos + ds.X_neg) / 2 @ gt["true_direction"]
    assert np.std(shared) < 1.0  # only noise / sqrt(2) = 0.71 along u; content is orthogonal


@pytest.mark.parametrize(
    "make, kwargs, match",
    [
        (make_onehot_facts, {"n_pairs": 1}, "n_pairs"),
        (make_onehot_facts, {"n_facts": 0}, "n_facts"),
        (make_onehot_facts, {"noise": -0.1}, "noise"),
        (make_onehot_facts, {"n_facts": 8, "n_features": 4}, "n_features"),
        (make_onehot_facts, {"first_true_fraction": 1.5}, "first_true_fraction"),
        (make_onehot_facts, {"facts": "test"}, "facts"),
        (make_onehot_facts, {"heldout_fraction": 1.0}, "heldout_fraction"),
        (make_grouped_facts, {"n_groups": 8, "n_features": 8}, "n_features"),
        (make_grouped_facts, {"facts_per_group": 1, "facts": "train"}, "facts_per_group"),
        (make_grouped_facts, {"within_group_noise": -1}, "within_group_noise"),
        (make_single_truth, {"signal": 0}, "signal"),
        (make_single_truth, {"n_features": 1}, "n_features"),
    ],
)
def test_generator_bad_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**{"n_pairs": 20, **kwargs})


def test_split_must_be_non_negative():
    with pytest.raises(ValueError, match="split"):
        make_onehot_facts(20, split=-1)
