"""Absorption, splitting and L0 ratio on hand-built dictionaries over a planted hierarchy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from generators.hierarchical_features import make_hierarchical_features
from metrics.absorption import absorption, feature_splitting, l0_ratio


@pytest.fixture(scope="module")
def forest():
    # Constant magnitudes let a hand-built absorbing atom reconstruct exactly.
    return make_hierarchical_features(4000, n_features=32, n_roots=8, branching=3, depth=2,
                                      exclusive_fraction=0.5, child_probability=0.25,
                                      mean_active_roots=2.0, magnitude="constant",
                                      random_state=11)


def _exact(ds):
    t = ds.ground_truth
    return t["codes"].toarray(), t["features"]


def test_exact_dictionary_has_no_absorption(forest):
    t = forest.ground_truth
    codes, atoms = _exact(forest)
    out = absorption(codes, t["codes"], atoms, t["features"], t["parent"])
    assert np.array_equal(out["parents"], np.arange(8))
    assert np.array_equal(out["latent"], np.arange(8))
    np.testing.assert_allclose(out["cosine"], 1.0, rtol=1e-12)
    assert out["n_scored"] == 8
    assert out["mean_absorption"] == pytest.approx(0.0, abs=1e-12)
    assert out["mean_full_absorption"] == pytest.approx(0.0, abs=1e-12)
    assert out["mean_miss_alone"] == 0.0 and out["mean_miss_with_child"] == 0.0
    # Every parent is seen with and without a child.
    assert np.all(out["n_with_child"] >= 20) and np.all(out["n_alone"] >= 20)
    # Dense or sparse true codes: the same numbers.
    dense = absorption(codes, codes, atoms, t["features"], t["parent"])
    for key in ("absorption", "miss_alone", "n_with_child"):
        assert np.array_equal(dense[key], out[key], equal_nan=True)


def _absorbed(ds):
    """Parent latents silent whenever a child fires; each child's atom is child + parent.

    With magnitudes 1, x = t_p + t_c = (t_c + t_p) * 1: the absorbing child latent alone
    reconstructs the sample exactly.
    """
    t = ds.ground_truth
    codes, F = _exact(ds)
    parent = t["parent"]
    child = np.flatnonzero(parent >= 0)
    atoms = F.copy()
    atoms[child] = F[child] + F[parent[child]]
    fire = codes > 0
    for p in np.unique(parent[child]):
        kids = child[parent[child] == p]
        codes[fire[:, kids].any(axis=1), p] = 0.0
    return codes, atoms


def test_hand_absorbed_dictionary_scores_near_one(forest):
    t = forest.ground_truth
    codes, atoms = _absorbed(forest)
    # Exact on the samples where no parent has two active children (exclusive groups
    # guarantee it; an independent group of 3 at q = 1/4 has two or more 16% of the time).
    fire = t["codes"].toarray() > 0
    one_child = np.all([fire[:, t["parent"] == p].sum(axis=1) <= 1 for p in range(8)], axis=0)
    assert one_child.mean() > 0.75
    np.testing.assert_allclose((codes @ atoms)[one_child], forest.X[one_child], atol=1e-12)
    out = absorption(codes, t["codes"], atoms, t["features"], t["parent"])
    # The parent's atom is still its own direction, so l(p) = p.
    assert np.array_equal(out["latent"], np.arange(8))
    np.testing.assert_allclose(out["miss_with_child"], 1.0)
    np.testing.assert_allclose(out["miss_alone"], 0.0)
    assert out["mean_absorption"] == 1.0
    # An active child's atom carries 1 + <t_c, t_p> of the parent's unit code: above the
    # compensation 0.5 unless that cosine is below -0.5 (none of the 24 pairs here).
    F, parent = t["features"], t["parent"]
    assert np.all(np.einsum("ij,ij->i", F[8:], F[parent[8:]]) > -0.5)
    assert out["mean_full_absorption"] == 1.0


def test_weak_latent_is_not_absorbed(forest):
    """A parent latent that misses half its samples whatever the children do scores ~0."""
    t = forest.ground_truth
    codes, atoms = _exact(forest)
    rng = np.random.default_rng(0)
    drop = rng.random(codes.shape[0]) < 0.5
    codes[drop, :8] = 0.0
    out = absorption(codes, t["codes"], atoms, t["features"], t["parent"])
    assert 0.4 < out["mean_miss_alone"] < 0.6 and 0.4 < out["mean_miss_with_child"] < 0.6
    # Difference of two binomial proportions over ~ 500 + 200 samples each: sd < 0.04.
    assert abs(out["mean_absorption"]) < 0.1
    assert np.all(np.abs(out["absorption"]) < 0.2)


def test_unscored_parents_and_min_samples(forest):
    t = forest.ground_truth
    codes, atoms = _exact(forest)
    out = absorption(codes, t["codes"], atoms, t["features"], t["parent"], min_samples=10**6)
    assert out["n_scored"] == 0 and np.isnan(out["mean_absorption"])


def test_splitting_detects_a_hand_split_feature(forest):
    t = forest.ground_truth
    codes, atoms = _exact(forest)
    exact = feature_splitting(codes, t["codes"], atoms, t["features"])
    assert exact["n_split"] == 0 and exact["split_fraction"] == 0.0
    assert exact["mean_latents_per_split"] == 0.0
    assert np.array_equal(exact["n_pieces"], np.ones(t["n_true_features"], dtype=int))
    # Split feature 3 (a root) into two latents along its direction, each firing on
    # alternate halves of its samples.
    j = 3
    rows = np.flatnonzero(codes[:, j] > 0)
    extra = np.zeros((codes.shape[0], 1))
    extra[rows[1::2], 0] = codes[rows[1::2], j]
    codes[rows[1::2], j] = 0.0
    split_codes = np.hstack([codes, extra])
    split_atoms = np.vstack([atoms, atoms[j]])
    out = feature_splitting(split_codes, t["codes"], split_atoms, t["features"])
    assert out["n_split"] == 1 and out["split"][j] and out["n_pieces"][j] == 2
    assert out["union_recall"][j] == 1.0
    assert out["mean_latents_per_split"] == 2.0
    assert out["split_fraction"] == pytest.approx(1 / t["n_true_features"])
    # A duplicate that fires on all of the feature is not a split.
    dup = feature_splitting(np.hstack([_exact(forest)[0], _exact(forest)[0][:, [j]]]),
                            t["codes"], split_atoms, t["features"])
    assert dup["n_split"] == 0 and dup["n_pieces"][j] == 2


def test_l0_ratio_exact_on_hand_built_codes():
    codes = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0], [3.0, 1.0, 1.0]])
    out = l0_ratio(codes, 2.0)
    assert out == {"l0": 1.5, "true_l0": 2.0, "ratio": 0.75, "difference": -0.5}
    true = sparse.csr_array(np.array([[1.0, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 0],
                                      [0, 0, 0, 1]]))
    assert l0_ratio(codes, true)["true_l0"] == 7 / 4
    assert l0_ratio(codes, true.toarray())["ratio"] == pytest.approx(1.5 / 1.75, rel=1e-15)
    assert l0_ratio(codes, 1.0, threshold=0.9)["l0"] == 1.25


def test_generated_true_l0_matches_codes(forest):
    t = forest.ground_truth
    out = l0_ratio(t["codes"].toarray(), t["true_l0"])
    assert out["ratio"] == 1.0 and out["difference"] == 0.0


@pytest.mark.parametrize("arg, value, fn", [
    ("threshold", -1.0, absorption), ("min_samples", 0, absorption),
    ("compensation", 0.0, absorption), ("parent", "tree", absorption),
    ("parent", np.zeros(3), absorption), ("parent", np.full(32, 40), absorption),
    ("parent", np.arange(32), absorption), ("parent", np.full(32, 0.5), absorption),
    ("codes", np.zeros((5, 32)), absorption), ("atoms", np.zeros((31, 32)), absorption),
    ("true_codes", np.zeros((4000, 3)), absorption), ("truth", np.ones((32, 5)), absorption),
    ("min_precision", 1.5, feature_splitting), ("min_recall", 0.0, feature_splitting),
    ("union_recall", 2.0, feature_splitting), ("partial_recall", -0.1, feature_splitting),
    ("true_codes", np.full((4000, 32), np.nan), feature_splitting),
])
def test_bad_arguments_name_the_argument(forest, arg, value, fn):
    t = forest.ground_truth
    codes, atoms = _exact(forest)
    kw = dict(codes=codes, true_codes=t["codes"], atoms=atoms, truth=t["features"])
    if fn is absorption:
        kw["parent"] = t["parent"]
    kw[arg] = value
    with pytest.raises((ValueError, TypeError), match=arg):
        fn(**kw)


@pytest.mark.parametrize("value", [0.0, -1.0, "2", None, np.zeros((4, 3)), float("nan")])
def test_l0_ratio_bad_true_l0(value):
    with pytest.raises((ValueError, TypeError), match="true_l0"):
        l0_ratio(np.ones((4, 3)), value)


@given(seed=st.integers(0, 2**32 - 1), drop=st.floats(0.0, 1.0),
       scale=st.sampled_from([1e-8, 1.0, 1e8]))
def test_property_ranges_and_scale_invariance(forest, seed, drop, scale):
    """Random latent dropout: every rate in [0, 1], absorption in [-1, 1], and scaling the
    codes by s and the atoms by 1/s (the same reconstruction) changes nothing."""
    t = forest.ground_truth
    codes, atoms = _exact(forest)
    rng = np.random.default_rng(seed)
    codes = np.where(rng.random(codes.shape) < drop, 0.0, codes)
    out = absorption(codes, t["codes"], atoms, t["features"], t["parent"])
    scaled = absorption(codes * scale, t["codes"], atoms / scale, t["features"], t["parent"])
    for key in ("miss_with_child", "miss_alone", "full_absorption"):
        v = out[key]
        assert np.all(np.isnan(v) | ((v >= 0) & (v <= 1))), key
    assert np.all(np.abs(out["absorption"]) <= 1)
    for key in ("absorption", "miss_alone", "latent"):
        np.testing.assert_allclose(scaled[key], out[key], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scaled["full_absorption"], out["full_absorption"], atol=1e-12)
    split = feature_splitting(codes, t["codes"], atoms, t["features"])
    assert 0 <= split["split_fraction"] <= 1 and split["n_split"] <= t["n_true_features"]
