"""The hierarchical planted-features generator: determinism, splits, the tree's firing rules,
marginal rates, the copula, magnitudes and argument errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from generators.hierarchical_features import (
    forest_size,
    make_hierarchical_features,
    root_rates,
)

# Tail width of the checks on sample means: 5 binomial standard errors. About 300 rates are
# compared in this file; a Gaussian tail beyond 5 sigma has probability 5.7e-7 each, so
# ~2e-4 in total, and the seeds are fixed: a failure means a real bias, not luck.
N_SIGMA = 5.0

SMALL = dict(n_features=16, n_roots=6, branching=3, depth=3, exclusive_fraction=0.5,
             child_probability=0.3, mean_active_roots=2.0)


def _fires(ds) -> np.ndarray:
    return (ds.ground_truth["codes"] > 0).toarray()


def _exclusive_co_firing(fire, group) -> int:
    """Rows x groups in which two or more children of one exclusive group fire."""
    worst = 0
    for g in np.unique(group[group >= 0]):
        worst = max(worst, int((fire[:, group == g].sum(axis=1) > 1).sum()))
    return worst


def test_deterministic_per_seed():
    a = make_hierarchical_features(500, random_state=7, **SMALL)
    b = make_hierarchical_features(500, random_state=7, **SMALL)
    assert np.array_equal(a.X, b.X) and a.params == b.params
    assert (a.ground_truth["codes"] != b.ground_truth["codes"]).nnz == 0
    for key, value in a.ground_truth.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, b.ground_truth[key]), key
    assert a.X.dtype == np.float64 and a.X.flags.c_contiguous


@pytest.mark.parametrize("rank", [0, 2])
def test_splits_share_structure_and_differ_in_samples(rank):
    kw = dict(SMALL, correlation_rank=rank)
    train = make_hierarchical_features(500, random_state=3, split=0, **kw)
    held = make_hierarchical_features(500, random_state=3, split=1, **kw)
    for key in ("features", "parent", "depth", "exclusive_group", "firing_rates"):
        assert np.array_equal(train.ground_truth[key], held.ground_truth[key]), key
    if rank:
        assert np.array_equal(train.ground_truth["copula_loadings"],
                              held.ground_truth["copula_loadings"])
    assert not np.array_equal(train.X, held.X)
    other = make_hierarchical_features(500, random_state=4, **kw)
    assert not np.array_equal(train.ground_truth["features"], other.ground_truth["features"])


def test_forest_layout_and_reconstruction():
    ds = make_hierarchical_features(400, random_state=1, **SMALL)
    t = ds.ground_truth
    m = forest_size(6, 3, 3)
    assert m == 6 * 13 == t["n_true_features"]
    F, C, parent, depth = t["features"], t["codes"], t["parent"], t["depth"]
    assert F.shape == (m, 16) and C.shape == (400, m)
    np.testing.assert_allclose(np.linalg.norm(F, axis=1), 1.0, rtol=1e-12)
    assert sparse.issparse(C) and C.format == "csr" and C.has_canonical_format
    np.testing.assert_allclose(ds.X, C.toarray() @ F, rtol=1e-12, atol=1e-12)
    assert np.array_equal(parent[:6], [-1] * 6) and np.array_equal(depth[:6], [0] * 6)
    # Children of root r are 6 + 3r + j; of level-1 node k (index 6 + k), 24 + 3k + j.
    assert np.array_equal(parent[6:24], np.repeat(np.arange(6), 3))
    assert np.array_equal(parent[24:], 6 + np.repeat(np.arange(18), 3))
    assert np.array_equal(depth, np.repeat([0, 1, 2], [6, 18, 54]))
    # round(0.5 * 24 non-leaf groups) = 12 exclusive groups, labelled by their parent.
    groups = np.unique(t["exclusive_group"][t["exclusive_group"] >= 0])
    assert groups.size == 12 and np.all(parent[np.isin(t["exclusive_group"], groups)] >= 0)
    assert t["true_l0"] == C.nnz / 400 == np.diff(C.indptr).mean()


@pytest.mark.parametrize("rank", [0, 3])
def test_child_never_fires_without_parent_and_exclusive_siblings_never_co_fire(rank):
    ds = make_hierarchical_features(3000, random_state=2, correlation_rank=rank,
                                    correlation=0.9, **dict(SMALL, child_probability=1 / 3))
    fire, t = _fires(ds), ds.ground_truth
    child = np.flatnonzero(t["parent"] >= 0)
    assert not np.any(fire[:, child] & ~fire[:, t["parent"][child]])
    assert _exclusive_co_firing(fire, t["exclusive_group"]) == 0
    # The check can fail: independent sibling groups do co-fire (3 children at q = 1/3).
    independent = np.where((t["parent"] >= 0) & (t["exclusive_group"] < 0), t["parent"], -1)
    assert _exclusive_co_firing(fire, independent) > 50


@pytest.mark.parametrize("firing", ["zipf", "exponential"])
@pytest.mark.parametrize("rank", [0, 4])
def test_marginal_rates_match_requested(firing, rank):
    n = 20000
    ds = make_hierarchical_features(n, firing=firing, correlation_rank=rank, correlation=0.8,
                                    random_state=5, **SMALL)
    p = ds.ground_truth["firing_rates"]
    # Rows are i.i.d. (the copula couples features within a row only), so each feature's
    # firing count is Binomial(n, p_i): standard error sqrt(p (1 - p) / n).
    se = np.sqrt(p * (1 - p) / n)
    rate = _fires(ds).mean(axis=0)
    assert np.all(np.abs(rate - p) <= N_SIGMA * se + 1e-12)
    # Level l fires at q**l times its root's rate; roots sum to mean_active_roots.
    assert p[:6].sum() == pytest.approx(2.0, rel=1e-12)
    np.testing.assert_allclose(p[6:24], 0.3 * np.repeat(p[:6], 3), rtol=1e-12)
    assert ds.ground_truth["expected_l0"] == pytest.approx(2.0 * (1 + 0.9 + 0.81), rel=1e-12)
    l0 = np.diff(ds.ground_truth["codes"].indptr)
    assert abs(l0.mean() - ds.ground_truth["expected_l0"]) < N_SIGMA * l0.std() / np.sqrt(n)


def test_root_rates_shapes():
    p = root_rates(8, 2.0, "zipf", 1.0, 0.5)
    assert p.sum() == pytest.approx(2.0) and p[0] / p[1] == pytest.approx(2.0)
    p = root_rates(8, 2.0, "exponential", 1.0, 0.5)
    assert p.sum() == pytest.approx(2.0) and p[1] / p[2] == pytest.approx(2.0)
    assert np.array_equal(root_rates(4, 4.0, "zipf", 3.0, 0.5), np.ones(4))
    clipped = root_rates(5, 3.5, "zipf", 2.0, 0.5)  # the largest rates clip at 1
    assert clipped[0] == 1.0 and clipped.max() <= 1 and clipped.sum() == pytest.approx(3.5)


def test_copula_keeps_marginals_and_correlates_roots():
    n = 20000
    kw = dict(SMALL, depth=1, n_roots=12, mean_active_roots=3.0, random_state=6)
    ind = make_hierarchical_features(n, **kw)
    cor = make_hierarchical_features(n, correlation_rank=1, correlation=0.9, **kw)
    assert np.array_equal(ind.ground_truth["firing_rates"], cor.ground_truth["firing_rates"])
    assert np.array_equal(ind.ground_truth["features"], cor.ground_truth["features"])
    off = ~np.eye(12, dtype=bool)

    def mean_abs_corr(ds):
        return np.abs(np.corrcoef(_fires(ds).T.astype(float))[off]).mean()

    # Independent: |corr| ~ sqrt(2/pi)/sqrt(n) ~ 0.006; rank 1, rho 0.9: every pair's latent
    # correlation is +-0.9, so binary correlations of order 0.3.
    assert mean_abs_corr(ind) < 0.02 and mean_abs_corr(cor) > 0.15


def test_magnitudes_and_parent_scaling():
    kw = dict(SMALL, random_state=8)
    const = make_hierarchical_features(300, magnitude="constant", **kw).ground_truth["codes"]
    assert np.all(const.data == 1.0)
    half = make_hierarchical_features(3000, magnitude="half_normal", **kw).ground_truth["codes"]
    # E|N(0,1)| = sqrt(2/pi) = 0.798, sd 0.603.
    assert abs(half.data.mean() - np.sqrt(2 / np.pi)) < N_SIGMA * 0.603 / np.sqrt(half.nnz)
    ds = make_hierarchical_features(2000, scale_children_by_parent=True, **kw)
    C, parent = ds.ground_truth["codes"].toarray(), ds.ground_truth["parent"]
    child = np.flatnonzero(parent >= 0)
    on = C[:, child] > 0
    ratio = C[:, child][on] / C[:, parent[child]][on]
    assert np.all((ratio > 0) & (ratio <= 1))  # U(0, 1] times the parent's magnitude
    # Without scaling, a child's magnitude often exceeds its parent's.
    plain = make_hierarchical_features(2000, **kw).ground_truth["codes"].toarray()
    on = plain[:, child] > 0
    assert np.mean(plain[:, child][on] > plain[:, parent[child]][on]) > 0.3


def test_full_size_structure_is_cheap_and_sparse():
    # The full profile's forest (16384 features) on a few rows: codes stay sparse.
    ds = make_hierarchical_features(64, n_features=8, n_roots=4096, branching=3, depth=2,
                                    mean_active_roots=20.0, exclusive_fraction=1.0)
    t = ds.ground_truth
    assert t["n_true_features"] == 16384 and sparse.issparse(t["codes"])
    assert t["expected_l0"] == pytest.approx(35.0)


@pytest.mark.parametrize("arg, value", [
    ("n_samples", 0), ("n_features", 2.0), ("n_roots", 0), ("branching", True), ("depth", 0),
    ("exclusive_fraction", 1.5), ("child_probability", -0.1), ("firing", "gauss"),
    ("zipf_exponent", -1.0), ("decay", 0.0), ("mean_active_roots", 0.0),
    ("mean_active_roots", 17.0), ("correlation_rank", -1), ("correlation", 2.0),
    ("magnitude", "normal"), ("scale_children_by_parent", 1), ("random_state", -1),
    ("split", -1), ("depth", 40),
])
def test_bad_arguments_name_the_argument(arg, value):
    with pytest.raises((ValueError, TypeError), match=arg):
        make_hierarchical_features(10, **{arg: value})


def test_exclusive_groups_need_child_probability_at_most_one_over_branching():
    with pytest.raises(ValueError, match="child_probability"):
        make_hierarchical_features(10, branching=3, child_probability=0.4,
                                   exclusive_fraction=0.5)
    # No exclusive group: any probability in [0, 1] is fine.
    ds = make_hierarchical_features(10, branching=3, child_probability=0.9,
                                    exclusive_fraction=0.0)
    assert np.all(ds.ground_truth["exclusive_group"] == -1)


@st.composite
def _forests(draw):
    b = draw(st.integers(1, 4))
    excl = draw(st.sampled_from([0.0, 0.3, 1.0]))
    R = draw(st.integers(1, 6))
    return dict(n_samples=draw(st.integers(1, 200)), n_features=draw(st.integers(1, 6)),
                n_roots=R, branching=b, depth=draw(st.integers(1, 3)),
                exclusive_fraction=excl,
                child_probability=draw(st.floats(0.0, 1.0 / b if excl > 0 else 1.0)),
                firing=draw(st.sampled_from(["zipf", "exponential"])),
                zipf_exponent=draw(st.floats(0.0, 5.0)), decay=draw(st.floats(0.05, 1.0)),
                mean_active_roots=draw(st.floats(0.01, float(R))),
                correlation_rank=draw(st.integers(0, 3)), correlation=draw(st.floats(0, 1)),
                magnitude=draw(st.sampled_from(["uniform", "half_normal", "constant"])),
                scale_children_by_parent=draw(st.booleans()),
                random_state=draw(st.integers(0, 2**32 - 1)), split=draw(st.integers(0, 3)))


@given(kw=_forests())
def test_property_tree_rules_hold_for_any_valid_forest(kw):
    ds = make_hierarchical_features(**kw)
    t = ds.ground_truth
    C = t["codes"]
    assert C.has_canonical_format and np.all(C.data > 0) and np.all(np.isfinite(ds.X))
    fire = C.toarray() > 0
    child = np.flatnonzero(t["parent"] >= 0)
    assert not np.any(fire[:, child] & ~fire[:, t["parent"][child]])
    assert _exclusive_co_firing(fire, t["exclusive_group"]) == 0
    p = t["firing_rates"]
    assert np.all((p >= 0) & (p <= 1))
    assert p[t["parent"] < 0].sum() == pytest.approx(kw["mean_active_roots"], rel=1e-9)
    assert t["true_l0"] == C.nnz / kw["n_samples"]
    np.testing.assert_allclose(ds.X, C.toarray() @ t["features"], rtol=1e-10, atol=1e-10)
    # A feature with rate 0 never fires; a root with rate 1 always does.
    assert not fire[:, p == 0].any()
    assert fire[:, (p == 1) & (t["parent"] < 0)].all()
