"""Property-based tests of every generator: valid arguments give finite, reproducible data whose
ground truth matches it; bad arguments give a clear error naming the argument.

Each generator is its own test id, so ``--hypothesis-show-statistics`` counts the cases tried
per generator. Sizes are tiny (at most a few dozen rows) so that hundreds of cases cost
seconds. The argument policy under test is that of `floor.validation` (shared by
generators, methods and metrics): counts must be ints (``3.0`` is refused), reals finite and
in range, flags bool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from generators.concept_and_target import make_concept_and_target
from generators.correlated_features import make_correlated_features
from generators.distractor_facts import make_distractor_facts
from generators.embedding_vocabulary import make_embedding_vocabulary
from generators.gaussian_mixture import make_gaussian_mixture
from generators.grouped_concept import make_grouped_concept
from generators.grouped_facts import make_grouped_facts
from generators.hierarchical_features import make_hierarchical_features
from generators.injection_concept import make_injection_concept
from generators.isotropic_gaussian import make_isotropic_gaussian
from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.onehot_facts import make_onehot_facts
from generators.outlier_equal_means import make_outlier_equal_means
from generators.planted_sparse import make_planted_sparse
from generators.planted_weights import make_planted_weights
from generators.polarity_facts import make_polarity_facts
from generators.score_distributions import LAWS, TERM_LAWS, make_score_distribution
from generators.single_truth import make_single_truth
from generators.two_class_gaussian import make_two_class_gaussian
from generators.uniform_cube import make_uniform_cube
from generators.weak_concept import make_weak_concept
from generators.xor_concept import make_xor_concept
from tests.bad_inputs import bad_ints, bad_reals, bad_seeds

# ----------------------------------------------------------------------------------------
# Valid arguments, one strategy per generator
# ----------------------------------------------------------------------------------------

SEEDS = st.one_of(st.integers(0, 2**32 - 1), st.integers(0, 2**64 - 1).map(np.uint64),
                  st.integers(0, 100).map(np.random.SeedSequence))
SPLITS = st.one_of(st.integers(0, 7), st.integers(0, 7).map(np.int64))


def _real(low, high):
    """Finite floats in [low, high], as Python floats, numpy floats or (when integral) ints."""
    f = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.one_of(f, f.map(np.float64))


NONNEG_NOISE = st.one_of(st.just(0.0), _real(1e-8, 1e3))
Q = st.one_of(st.none(), _real(0.0, 1.0))


@st.composite
def _two_class(draw):
    return dict(n_samples=draw(st.integers(2, 30)), n_features=draw(st.integers(2, 6)),
                separation=draw(_real(1e-8, 1e3)), condition=draw(_real(1.0, 1e8)))


@st.composite
def _multiclass(draw):
    k = draw(st.integers(2, 5))
    return dict(n_samples=draw(st.integers(2, 30)), n_classes=k,
                n_features=draw(st.integers(k, 7)), separation=draw(_real(1e-8, 1e3)),
                condition=draw(_real(1.0, 1e8)))


@st.composite
def _outlier(draw):
    return dict(n_samples=draw(st.integers(4, 30)), n_features=draw(st.integers(1, 5)),
                outlier_fraction=draw(_real(1e-9, 0.4999)), noise=draw(NONNEG_NOISE),
                axis_noise=draw(NONNEG_NOISE))


@st.composite
def _xor(draw):
    return dict(n_samples=draw(st.integers(2, 30)), n_features=draw(st.integers(2, 5)),
                noise=draw(_real(1e-8, 1e8)))


@st.composite
def _planted(draw):
    m = draw(st.integers(1, 24))
    return dict(n_samples=draw(st.integers(1, 30)), n_features=draw(st.integers(1, 6)),
                n_atoms=m, mean_active=draw(_real(1e-3, float(m))),
                decay=draw(st.one_of(_real(1e-300, 1.0), st.just(1.0))),
                correlated=draw(st.booleans()), correlation=draw(_real(0.0, 1.0)))


@st.composite
def _hierarchical(draw):
    b, R = draw(st.integers(1, 3)), draw(st.integers(1, 5))
    excl = draw(st.one_of(st.just(0.0), _real(0.0, 1.0)))
    return dict(n_samples=draw(st.integers(1, 30)), n_features=draw(st.integers(1, 6)),
                n_roots=R, branching=b, depth=draw(st.integers(1, 3)),
                exclusive_fraction=excl,
                child_probability=draw(_real(0.0, 1.0 / b if excl > 0 else 1.0)),
                firing=draw(st.sampled_from(["zipf", "exponential"])),
                zipf_exponent=draw(_real(0.0, 20.0)), decay=draw(_real(1e-3, 1.0)),
                mean_active_roots=draw(_real(1e-3, float(R))),
                correlation_rank=draw(st.integers(0, 3)), correlation=draw(_real(0.0, 1.0)),
                magnitude=draw(st.sampled_from(["uniform", "half_normal", "constant"])),
                scale_children_by_parent=draw(st.booleans()))


@st.composite
def _correlated(draw):
    G, size = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    orthogonal = draw(st.booleans())
    low = G * size if orthogonal else 1
    return dict(n_samples=draw(st.integers(1, 30)), n_features=draw(st.integers(low, low + 4)),
                n_groups=G, group_size=size, firing_probability=draw(_real(1e-3, 1.0)),
                decay=draw(_real(1e-3, 1.0)), within_ratio=draw(_real(1e-3, 1.0)),
                correlation=draw(_real(0.0, 1.0)),
                magnitude_std=draw(st.one_of(st.just(0.0), _real(1e-3, 2.0))),
                orthogonal=orthogonal)


@st.composite
def _mixture(draw):
    return dict(n_samples=draw(st.integers(1, 30)), n_features=draw(st.integers(1, 5)),
                n_centres=draw(st.integers(1, 6)), centre_scale=draw(_real(1e-150, 1e150)),
                cluster_std=draw(_real(1e-150, 1e150)))


@st.composite
def _cube(draw):
    return dict(n_samples=draw(st.integers(1, 30)), n_features=draw(st.integers(1, 5)))


@st.composite
def _isotropic(draw):
    return dict(n_samples=draw(st.integers(1, 30)), n_features=draw(st.integers(1, 5)),
                scale=draw(_real(1e-300, 1e300)))


@st.composite
def _vocabulary(draw):
    return dict(n_samples=draw(st.integers(1, 30)), n_features=draw(st.integers(1, 5)),
                vocab_size=draw(st.integers(1, 12)), zipf_exponent=draw(_real(0.0, 1e3)),
                noise=draw(NONNEG_NOISE))


@st.composite
def _onehot(draw):
    d = draw(st.integers(1, 6))
    facts = draw(st.sampled_from(["all", "train", "heldout"]) if d >= 2 else st.just("all"))
    return dict(n_pairs=draw(st.integers(2, 20)), n_facts=d, noise=draw(NONNEG_NOISE),
                n_features=draw(st.one_of(st.none(), st.integers(d, d + 3))),
                first_true_fraction=draw(Q), facts=facts,
                heldout_fraction=draw(_real(0.01, 0.99)))


@st.composite
def _grouped(draw):
    k, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    eta = draw(st.one_of(st.just(0.0), _real(1e-3, 1.0)))
    facts = draw(st.sampled_from(["all", "train", "heldout"]) if m >= 2 else st.just("all"))
    return dict(n_pairs=draw(st.integers(2, 20)), n_groups=k, facts_per_group=m,
                n_features=draw(st.integers(k + 1 if eta > 0 else k, k + 4)),
                within_group_noise=eta, noise=draw(NONNEG_NOISE), first_true_fraction=draw(Q),
                facts=facts, heldout_fraction=draw(_real(0.01, 0.99)))


@st.composite
def _single(draw):
    return dict(n_pairs=draw(st.integers(2, 20)), n_features=draw(st.integers(2, 6)),
                signal=draw(_real(1e-8, 1e8)), noise=draw(NONNEG_NOISE),
                content_scale=draw(st.one_of(st.just(0.0), _real(1e-8, 1e8))),
                first_true_fraction=draw(Q))


@st.composite
def _polarity(draw):
    return dict(n_pairs=draw(st.integers(2, 20)), n_features=draw(st.integers(3, 6)),
                general_strength=draw(_real(1e-3, 1e3)),
                polarity_truth_strength=draw(st.one_of(st.just(0.0), _real(1e-3, 1e3))),
                polarity_strength=draw(st.one_of(st.just(0.0), _real(1e-3, 1e3))),
                noise=draw(NONNEG_NOISE),
                content_scale=draw(st.one_of(st.just(0.0), _real(1e-3, 1e3))),
                polarity=draw(st.sampled_from(("both", "affirmative", "negated"))),
                negated_fraction=draw(_real(0.05, 0.95)), first_true_fraction=draw(Q))


@st.composite
def _concept_target(draw):
    return dict(n_samples=draw(st.integers(2, 30)), n_features=draw(st.integers(2, 6)),
                concept_separation=draw(_real(1e-8, 1e3)),
                target_separation=draw(_real(1e-8, 1e3)),
                label_correlation=draw(_real(-0.999999, 0.999999)),
                angle=draw(_real(1e-6, 179.999)), condition=draw(_real(1.0, 1e8)))


def _check_concept_target(ds, kw):
    t = ds.ground_truth
    assert t["target_labels"].shape == (kw["n_samples"],)
    assert set(np.unique(t["target_labels"])) <= {0, 1} and set(np.unique(ds.y)) <= {0, 1}
    for key in ("concept_directions", "target_directions"):
        assert np.linalg.norm(t[key]) == pytest.approx(1.0, rel=1e-9)


@st.composite
def _distractor(draw):
    return dict(n_pairs=draw(st.integers(2, 20)), n_features=draw(st.integers(2, 6)),
                distractor_strength=draw(st.one_of(st.just(0.0), _real(1e-3, 1e3))),
                signal=draw(_real(1e-4, 1e4)), noise=draw(NONNEG_NOISE),
                content_scale=draw(st.one_of(st.just(0.0), _real(1e-4, 1e4))),
                first_true_fraction=draw(Q), distractor_fraction=draw(Q))


# ----------------------------------------------------------------------------------------
# What each generator's ground truth must satisfy (cheap checks only)
# ----------------------------------------------------------------------------------------

TOL = 1e-9


def _unit_columns(A):
    np.testing.assert_allclose(A.T @ A, np.eye(A.shape[1]), atol=TOL)


def _unit_rows(A):
    np.testing.assert_allclose(np.linalg.norm(A, axis=1), 1.0, rtol=TOL)


def _mahalanobis(a, b, cov):
    diff = a - b
    return float(np.sqrt(diff @ np.linalg.solve(cov, diff)))


def _check_two_class(ds, kw):
    t = ds.ground_truth
    assert set(np.unique(ds.y)) <= {0, 1}
    _unit_columns(t["concept_directions"])
    cov = t["covariance"]
    np.testing.assert_allclose(cov, cov.T, atol=TOL * np.abs(cov).max())
    np.testing.assert_allclose(np.linalg.cond(cov), kw["condition"], rtol=1e-6)
    m = t["class_means"]
    assert _mahalanobis(m[0], m[1], cov) == pytest.approx(kw["separation"], rel=1e-6)
    assert 0.5 < t["bayes_accuracy"] <= 1.0


def _check_weak(ds, kw):
    _check_two_class(ds, kw)
    t = ds.ground_truth
    m = t["class_means"]
    np.testing.assert_array_equal(t["mean_gap"], m[1] - m[0])
    assert t["mahalanobis_gap"] == kw["separation"]
    assert t["euclidean_gap"] == pytest.approx(np.linalg.norm(m[1] - m[0]), rel=1e-12)
    assert t["sampling_gap"] == pytest.approx(np.sqrt(4 * kw["n_features"] / kw["n_samples"]))


def _check_multiclass(ds, kw):
    t = ds.ground_truth
    k = kw["n_classes"]
    assert ds.y.min() >= 0 and ds.y.max() < k
    assert t["concept_directions"].shape == (kw["n_features"], k - 1)
    _unit_columns(t["concept_directions"])
    m, cov = t["class_means"], t["covariance"]
    for i in range(k):
        for j in range(i):
            assert _mahalanobis(m[i], m[j], cov) == pytest.approx(kw["separation"], rel=1e-6)


def _check_outlier(ds, kw):
    t = ds.ground_truth
    n = kw["n_samples"]
    assert np.bincount(ds.y, minlength=2).tolist() == [n // 2, n - n // 2]
    u, offset = t["concept_directions"][:, 0], t["class_means"][0]
    scale = 1.0 + np.abs(ds.X).max()
    for c in (0, 1):
        np.testing.assert_allclose(ds.X[ds.y == c].mean(axis=0), offset, atol=1e-9 * scale)
    if kw["axis_noise"] == 0:
        # The threshold at 0 along u: class 0 is predicted on the + side.
        along = (ds.X - offset) @ u
        balanced = np.mean([np.mean(along[ds.y == 0] > 0), np.mean(along[ds.y == 1] < 0)])
        assert t["best_linear_accuracy"] == pytest.approx(balanced, abs=1e-12)
        assert t["bayes_accuracy"] == 1.0


def _check_xor(ds, kw):
    _unit_columns(ds.ground_truth["concept_directions"])
    assert set(np.unique(ds.y)) <= {0, 1}
    assert 0.5 <= ds.ground_truth["bayes_accuracy"] <= 1.0


@st.composite
def _injection(draw):
    return dict(n_samples=draw(st.integers(2, 30)), n_features=draw(st.integers(1, 5)),
                imbalance=draw(_real(1e-9, 0.4999)), spread=draw(_real(1e-8, 1e8)),
                noise=draw(_real(1e-8, 1e8)))


def _check_injection(ds, kw):
    t = ds.ground_truth
    _unit_columns(t["concept_directions"])
    assert set(np.unique(ds.y)) <= {0, 1}
    assert 0.5 <= t["bayes_accuracy"] <= 0.5 + kw["imbalance"] + 1e-12
    after = t["bayes_accuracy_after_oracle_leace"]
    assert 0.5 - 1e-6 <= after <= 1.0
    assert t["injection"] == pytest.approx(after - t["bayes_accuracy"], abs=1e-12)


@st.composite
def _grouped_concept(draw):
    return dict(n_samples=draw(st.integers(2, 30)), n_features=draw(st.integers(2, 5)),
                n_values=draw(st.integers(3, 6)), spacing=draw(_real(1e-8, 1e8)),
                group_separation=draw(_real(1e-8, 1e8)), noise=draw(_real(1e-8, 1e8)))


def _check_grouped_concept(ds, kw):
    t = ds.ground_truth
    k = kw["n_values"]
    _unit_columns(t["concept_directions"])
    g, c = t["grouping"], t["value_labels"]
    assert g.shape == (k,) and np.array_equal(g, g[::-1]) and 0 < g.sum() < k
    assert c.min() >= 0 and c.max() < k and np.array_equal(ds.y, g[c])
    np.testing.assert_array_equal(t["z_class_means_along_u"], [0.0, 0.0])
    assert 1 / k - 1e-12 <= t["bayes_accuracy_values"] <= 1.0
    for key in ("bayes_accuracy_grouped", "accuracy_along_v"):
        assert 0.5 - 1e-12 <= t[key] <= 1.0, key
    assert 0.5 - 1e-12 <= t["best_linear_accuracy_after"] <= 0.75 + 1e-12


def _check_planted(ds, kw):
    t = ds.ground_truth
    n, m = kw["n_samples"], kw["n_atoms"]
    F, C, p = t["features"], t["codes"], t["firing_probability"]
    _unit_rows(F)
    assert sparse.issparse(C) and C.format == "csr" and C.dtype == np.float64
    assert C.shape == (n, m) and C.has_canonical_format
    assert np.all((C.data >= 0) & (C.data < 1))
    np.testing.assert_array_equal(ds.X, C.toarray() @ F)  # one block: the same product
    assert np.all((p >= 0) & (p <= 1))
    assert p.sum() == pytest.approx(kw["mean_active"], rel=1e-9)
    assert t["mean_active"] == pytest.approx(kw["mean_active"], rel=1e-9)
    always, never = p == 1.0, p == 0.0
    fired = (C > 0).toarray()
    assert fired[:, never].sum() == 0
    # An atom that always fires has a magnitude drawn from U[0, 1): zero only by a 2^-53 fluke.
    assert np.all(np.diff(C.indptr) >= always.sum())


def _check_hierarchical(ds, kw):
    t = ds.ground_truth
    n, m = kw["n_samples"], t["n_true_features"]
    F, C, p, parent = t["features"], t["codes"], t["firing_rates"], t["parent"]
    _unit_rows(F)
    assert sparse.issparse(C) and C.format == "csr" and C.dtype == np.float64
    assert C.shape == (n, m) and C.has_canonical_format and np.all(C.data > 0)
    np.testing.assert_allclose(ds.X, C.toarray() @ F, rtol=1e-10, atol=1e-10)
    assert np.all((p >= 0) & (p <= 1)) and t["true_l0"] == C.nnz / n
    assert p[parent < 0].sum() == pytest.approx(kw["mean_active_roots"], rel=1e-9)
    fired = C.toarray() > 0
    child = np.flatnonzero(parent >= 0)
    assert not np.any(fired[:, child] & ~fired[:, parent[child]])
    group = t["exclusive_group"]
    for g in np.unique(group[group >= 0]):
        assert fired[:, group == g].sum(axis=1).max() <= 1


def _check_correlated(ds, kw):
    t = ds.ground_truth
    n, m = kw["n_samples"], kw["n_groups"] * kw["group_size"]
    F, C, p, P = t["features"], t["codes"], t["firing_rates"], t["partners"]
    _unit_rows(F)
    if kw["orthogonal"]:
        np.testing.assert_allclose(F @ F.T, np.eye(m), atol=1e-12)
    assert sparse.issparse(C) and C.shape == (n, m) and np.all(C.data > 0)
    np.testing.assert_allclose(ds.X, C.toarray() @ F, rtol=1e-10, atol=1e-10)
    assert t["expected_l0"] == pytest.approx(p.sum()) and t["true_l0"] == C.nnz / n
    assert np.array_equal(P, P.T) and not P.diagonal().any()
    assert P.sum() == m * (kw["group_size"] - 1)
    E = t["expected_correlation"]
    assert np.all(np.abs(E) <= 1 + 1e-12) and np.all(E[~P & ~np.eye(m, dtype=bool)] == 0)


def _check_mixture(ds, kw):
    t = ds.ground_truth
    assert t["centres"].shape == (kw["n_centres"], kw["n_features"])
    assert np.array_equal(t["labels"], ds.y) and ds.y.min() >= 0 and ds.y.max() < kw["n_centres"]


def _check_cube(ds, kw):
    assert np.all((ds.X >= 0) & (ds.X < 1))
    assert ds.ground_truth["dimension"] == kw["n_features"]


def _check_isotropic(ds, kw):
    assert ds.ground_truth["scale"] == kw["scale"]


def _check_vocabulary(ds, kw):
    t = ds.ground_truth
    V = kw["vocab_size"]
    _unit_rows(t["features"])
    assert t["features"].shape == (V, kw["n_features"]) and t["n_true_features"] == V
    assert np.array_equal(t["token_ids"], ds.y) and ds.y.min() >= 0 and ds.y.max() < V
    q = t["token_frequency"]
    assert q.sum() == pytest.approx(1.0) and np.all(np.diff(q) <= 0)
    if kw["noise"] == 0:
        assert np.array_equal(ds.X, t["features"][ds.y])


def _pairs_common(ds, kw):
    t = ds.ground_truth
    u = t["true_direction"]
    assert np.linalg.norm(u) == pytest.approx(1.0, rel=TOL)
    assert set(np.unique(ds.y)) <= {0, 1}
    read = float(np.mean(((ds.X_pos - ds.X_neg) @ u > 0) == (ds.y == 1)))
    assert t["true_direction_accuracy"] == read
    if kw["noise"] == 0:
        assert read == 1.0
    q = kw["first_true_fraction"]
    assert t["first_true_fraction"] == (q if q is not None else t["first_true_fraction"])
    assert 0 <= t["first_true_fraction"] <= 1


def _check_onehot(ds, kw):
    _pairs_common(ds, kw)
    t = ds.ground_truth
    d = kw["n_facts"]
    assert t["fact_counts"].sum() == kw["n_pairs"] and t["fact_counts"].shape == (d,)
    chosen = {"all": np.arange(d), "train": t["train_facts"],
              "heldout": t["heldout_facts"]}[kw["facts"]]
    assert np.isin(t["fact_index"], chosen).all()
    counts = np.bincount(t["fact_index"], minlength=d)[chosen]
    assert counts.max() - counts.min() <= 1  # chosen facts cycled: balanced to one pair
    assert t["n_truthlike_directions"] == 2**d
    _unit_columns(t["fact_directions"].T)


def _check_grouped(ds, kw):
    _pairs_common(ds, kw)
    t = ds.ground_truth
    k = kw["n_groups"]
    assert t["group_counts"].sum() == kw["n_pairs"]
    assert np.array_equal(t["group_index"], t["fact_group"][t["fact_index"]])
    _unit_columns(t["group_directions"].T)
    assert t["n_truthlike_directions"] == 2**k
    # Every fact's margin along the true direction is exactly 1/sqrt(k).
    signed = t["group_signs"][t["fact_group"], None] * t["fact_directions"]
    np.testing.assert_allclose(signed @ t["true_direction"], 1 / np.sqrt(k), rtol=1e-9)


def _check_single(ds, kw):
    _pairs_common(ds, kw)
    u = ds.ground_truth["true_direction"]
    if kw["noise"] == 0:
        diff = (ds.X_pos - ds.X_neg) @ u
        # The shared content cancels up to rounding of its own size (a few content_scale).
        atol = 64 * np.finfo(float).eps * (10 * kw["content_scale"] + kw["signal"])
        np.testing.assert_allclose(diff, 2 * (2 * ds.y - 1) * kw["signal"], rtol=1e-9,
                                   atol=atol)


def _check_polarity(ds, kw):
    _pairs_common(ds, kw)
    t = ds.ground_truth
    D = np.stack([t["general_direction"], t["polarity_truth_direction"],
                  t["polarity_direction"]])
    np.testing.assert_allclose(D @ D.T, np.eye(3), atol=1e-12)
    p = t["polarity"]
    assert set(np.unique(p)) <= {-1, 1} and np.array_equal(t["is_negated"], p < 0)
    if kw["polarity"] == "affirmative":
        assert np.all(p == 1)
    elif kw["polarity"] == "negated":
        assert np.all(p == -1)
    # Polarity and content are shared by both members: the difference carries truth only,
    # 2 sigma (g t_G + s p t_P) without noise.
    if kw["noise"] == 0:
        g, s = kw["general_strength"], kw["polarity_truth_strength"]
        want = 2 * (2 * ds.y - 1)[:, None] * (g * t["general_direction"]
                                               + s * p[:, None] * t["polarity_truth_direction"])
        scale = kw["content_scale"] + g + s + kw["polarity_strength"]
        np.testing.assert_allclose(ds.X_pos - ds.X_neg, want, rtol=1e-9,
                                   atol=64 * np.finfo(float).eps * 10 * scale)


def _check_distractor(ds, kw):
    _pairs_common(ds, kw)
    t = ds.ground_truth
    u, v, z = t["true_direction"], t["distractor_direction"], t["distractor_labels"]
    assert abs(u @ v) < 1e-12 and np.linalg.norm(v) == pytest.approx(1.0, rel=TOL)
    assert z.shape == (kw["n_pairs"],) and set(np.unique(z)) <= {0, 1}
    b = kw["distractor_strength"] * kw["signal"]
    assert t["distractor_amplitude"] == pytest.approx(b, rel=1e-12)
    read = float(np.mean(((ds.X_pos - ds.X_neg) @ v > 0) == (z == 1)))
    assert t["distractor_direction_accuracy"] == read
    if kw["noise"] == 0:
        atol = 64 * np.finfo(float).eps * (10 * kw["content_scale"] + kw["signal"] + b)
        np.testing.assert_allclose((ds.X_pos - ds.X_neg) @ v, 2 * (2 * z - 1) * b, rtol=1e-9,
                                   atol=atol)


@st.composite
def _scores(draw):
    return dict(law=draw(st.sampled_from(LAWS)), n_samples=draw(st.integers(2, 30)),
                n_draws=draw(st.integers(1, 5)), scale=draw(_real(1e-3, 1e3)),
                rate=draw(_real(1e-3, 1e3)), n_terms=draw(st.integers(1, 5)),
                term_law=draw(st.sampled_from(TERM_LAWS)), sigma=draw(_real(1e-3, 2.0)),
                df=draw(_real(0.5, 50.0)), separation=draw(_real(0.0, 10.0)),
                weight=draw(_real(0.01, 0.99)))


def _check_scores(ds, kw):
    t = ds.ground_truth
    assert t["law"] == kw["law"] and t["n_samples"] == kw["n_samples"]
    assert t["n_draws"] == kw["n_draws"] and ds.y is None
    assert t["gaussian_by_construction"] == (kw["law"] in ("gaussian", "clt_sum"))
    if kw["law"] == "exponential":  # a shifted exponential's support starts at loc
        assert np.all(ds.X >= 0.0)


@st.composite
def _weights(draw):
    d_out, d_in = draw(st.integers(2, 8)), draw(st.integers(2, 8))
    k = draw(st.integers(0, min(d_out, d_in)))
    return dict(d_out=d_out, d_in=d_in,
                strength_ratios=draw(st.lists(_real(0.0, 5.0), min_size=k, max_size=k)),
                noise=draw(_real(1e-3, 1e3)), orthogonal=True)


def _check_weights(ds, kw):
    t = ds.ground_truth
    k, d_out, d_in = len(kw["strength_ratios"]), kw["d_out"], kw["d_in"]
    U, V = t["write_directions"], t["read_directions"]
    assert U.shape == (k, d_out) and V.shape == (k, d_in)
    np.testing.assert_allclose(U @ U.T, np.eye(k), atol=1e-12)
    np.testing.assert_allclose(V @ V.T, np.eye(k), atol=1e-12)
    tau = kw["noise"] / np.sqrt(d_in)
    assert t["mp_edge"] == pytest.approx(tau * (np.sqrt(d_out) + np.sqrt(d_in)), rel=1e-12)
    assert t["bbp_threshold"] == pytest.approx(tau * (d_out * d_in) ** 0.25, rel=1e-12)
    np.testing.assert_allclose(np.sort(t["strengths"]),  # in decreasing order in W
                               np.sort(kw["strength_ratios"]) * t["bbp_threshold"],
                               rtol=1e-12)


# ----------------------------------------------------------------------------------------
# Registry: valid strategy, consistency check and the kinds of every argument
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    make: Callable
    valid: st.SearchStrategy
    check: Callable
    ints: dict[str, int]  # count argument -> its minimum
    reals: dict[str, tuple]  # real argument -> (low, high, low_open, high_open)
    extra_bad: Callable = field(default=lambda kw: [])  # (argument, value) pairs
    pairs: bool = False  # contrast pairs (X_pos, X_neg) instead of X
    optional: tuple[str, ...] = ()  # arguments for which None is valid


INF = float("inf")
POS, NONNEG = (0.0, INF, True, False), (0.0, INF, False, False)

SPECS = {
    "two_class_gaussian": Spec(
        make_two_class_gaussian, _two_class(), _check_two_class,
        {"n_samples": 2, "n_features": 2},
        {"separation": POS, "condition": (1.0, INF, False, False)}),
    "weak_concept": Spec(
        make_weak_concept, _two_class(), _check_weak, {"n_samples": 2, "n_features": 2},
        {"separation": POS, "condition": (1.0, INF, False, False)}),
    "multiclass_gaussian": Spec(
        make_multiclass_gaussian, _multiclass(), _check_multiclass,
        {"n_samples": 2, "n_classes": 2, "n_features": 2},
        {"separation": POS, "condition": (1.0, INF, False, False)},
        lambda kw: [("n_features", kw["n_classes"] - 1)]),
    "outlier_equal_means": Spec(
        make_outlier_equal_means, _outlier(), _check_outlier,
        {"n_samples": 4, "n_features": 1},
        {"outlier_fraction": (0.0, 0.5, True, True), "noise": NONNEG, "axis_noise": NONNEG}),
    "xor_concept": Spec(
        make_xor_concept, _xor(), _check_xor, {"n_samples": 2, "n_features": 2},
        {"noise": POS}),
    "injection_concept": Spec(
        make_injection_concept, _injection(), _check_injection,
        {"n_samples": 2, "n_features": 1},
        {"imbalance": (0.0, 0.5, True, True), "spread": POS, "noise": POS}),
    "grouped_concept": Spec(
        make_grouped_concept, _grouped_concept(), _check_grouped_concept,
        {"n_samples": 2, "n_features": 2, "n_values": 3},
        {"spacing": POS, "group_separation": POS, "noise": POS}),
    "planted_sparse": Spec(
        make_planted_sparse, _planted(), _check_planted,
        {"n_samples": 1, "n_features": 1, "n_atoms": 1},
        {"mean_active": POS, "decay": (0.0, 1.0, True, False),
         "correlation": (0.0, 1.0, False, False)},
        lambda kw: [("mean_active", kw["n_atoms"] + 0.5), ("correlated", "no"),
                    ("correlated", 1), ("correlated", None)]),
    "hierarchical_features": Spec(
        make_hierarchical_features, _hierarchical(), _check_hierarchical,
        {"n_samples": 1, "n_features": 1, "n_roots": 1, "branching": 1, "depth": 1,
         "correlation_rank": 0},
        {"exclusive_fraction": (0.0, 1.0, False, False),
         "child_probability": (0.0, 1.0, False, False), "zipf_exponent": NONNEG,
         "decay": (0.0, 1.0, True, False), "mean_active_roots": POS,
         "correlation": (0.0, 1.0, False, False)},
        lambda kw: [("mean_active_roots", kw["n_roots"] + 0.5), ("firing", "ZIPF"),
                    ("firing", None), ("magnitude", "normal"),
                    ("scale_children_by_parent", 1), ("scale_children_by_parent", None)]),
    "correlated_features": Spec(
        make_correlated_features, _correlated(), _check_correlated,
        {"n_samples": 1, "n_features": 1, "n_groups": 1, "group_size": 1},
        {"firing_probability": (0.0, 1.0, True, False), "decay": (0.0, 1.0, True, False),
         "within_ratio": (0.0, 1.0, True, False), "correlation": (0.0, 1.0, False, False),
         "magnitude_std": NONNEG},
        lambda kw: [("orthogonal", 1), ("orthogonal", None)]
        + ([("n_features", kw["n_groups"] * kw["group_size"] - 1)]
           if kw["orthogonal"] and kw["n_groups"] * kw["group_size"] > 1 else [])),
    "gaussian_mixture": Spec(
        make_gaussian_mixture, _mixture(), _check_mixture,
        {"n_samples": 1, "n_features": 1, "n_centres": 1},
        {"centre_scale": POS, "cluster_std": POS}),
    "uniform_cube": Spec(
        make_uniform_cube, _cube(), _check_cube, {"n_samples": 1, "n_features": 1}, {}),
    "isotropic_gaussian": Spec(
        make_isotropic_gaussian, _isotropic(), _check_isotropic,
        {"n_samples": 1, "n_features": 1}, {"scale": POS}),
    "embedding_vocabulary": Spec(
        make_embedding_vocabulary, _vocabulary(), _check_vocabulary,
        {"n_samples": 1, "n_features": 1, "vocab_size": 1},
        {"zipf_exponent": NONNEG, "noise": NONNEG}),
    "onehot_facts": Spec(
        make_onehot_facts, _onehot(), _check_onehot,
        {"n_pairs": 2, "n_facts": 1, "n_features": 1},
        {"noise": NONNEG, "first_true_fraction": (0.0, 1.0, False, False),
         "heldout_fraction": (0.0, 1.0, True, True)},
        lambda kw: [("n_features", kw["n_facts"] - 1), ("facts", "ALL"), ("facts", None),
                    ("facts", 0)] + ([] if kw["n_facts"] >= 2 else [("facts", "heldout")]),
        pairs=True, optional=("n_features", "first_true_fraction")),
    "grouped_facts": Spec(
        make_grouped_facts, _grouped(), _check_grouped,
        {"n_pairs": 2, "n_groups": 1, "facts_per_group": 1, "n_features": 1},
        {"within_group_noise": NONNEG, "noise": NONNEG,
         "first_true_fraction": (0.0, 1.0, False, False),
         "heldout_fraction": (0.0, 1.0, True, True)},
        lambda kw: [("n_features", kw["n_groups"] - (0 if kw["within_group_noise"] > 0
                                                     else 1)),
                    ("facts", "ALL"), ("facts", None)]
        + ([] if kw["facts_per_group"] >= 2 else [("facts", "train")]),
        pairs=True, optional=("first_true_fraction",)),
    "single_truth": Spec(
        make_single_truth, _single(), _check_single, {"n_pairs": 2, "n_features": 2},
        {"signal": POS, "noise": NONNEG, "content_scale": NONNEG,
         "first_true_fraction": (0.0, 1.0, False, False)},
        pairs=True, optional=("first_true_fraction",)),
    "concept_and_target": Spec(
        make_concept_and_target, _concept_target(), _check_concept_target,
        {"n_samples": 2, "n_features": 2},
        {"concept_separation": POS, "target_separation": POS,
         "label_correlation": (-1.0, 1.0, True, True), "angle": (0.0, 180.0, True, True),
         "condition": (1.0, INF, False, False)}),
    "polarity_facts": Spec(
        make_polarity_facts, _polarity(), _check_polarity, {"n_pairs": 2, "n_features": 3},
        {"general_strength": NONNEG, "polarity_truth_strength": NONNEG,
         "polarity_strength": NONNEG, "noise": NONNEG, "content_scale": NONNEG,
         "negated_fraction": (0.0, 1.0, True, True),
         "first_true_fraction": (0.0, 1.0, False, False)},
        lambda kw: [("polarity", "both_"), ("polarity", None)],
        pairs=True, optional=("first_true_fraction",)),
    "distractor_facts": Spec(
        make_distractor_facts, _distractor(), _check_distractor,
        {"n_pairs": 2, "n_features": 2},
        {"distractor_strength": NONNEG, "signal": POS, "noise": NONNEG,
         "content_scale": NONNEG, "first_true_fraction": (0.0, 1.0, False, False),
         "distractor_fraction": (0.0, 1.0, False, False)},
        pairs=True, optional=("first_true_fraction", "distractor_fraction")),
    "score_distributions": Spec(
        make_score_distribution, _scores(), _check_scores,
        {"n_samples": 2, "n_draws": 1, "n_terms": 1},
        {"scale": POS, "rate": POS, "sigma": POS, "df": POS, "separation": NONNEG},
        lambda kw: [("law", "GAUSSIAN"), ("law", None), ("term_law", "normal"),
                    ("weight", 0.0), ("weight", 1.0)]),
    "planted_weights": Spec(
        make_planted_weights, _weights(), _check_weights, {"d_out": 2, "d_in": 2},
        {"noise": POS},
        lambda kw: [("orthogonal", 1), ("orthogonal", None),
                    ("strength_ratios", [-1.0])]),
}
NAMES = sorted(SPECS)


def test_every_generator_module_is_covered():
    import pkgutil

    import generators

    # adapters/ holds the field's generators behind their optional libraries, tested in
    # tests/adapters/ (test_saelens_generator.py) where the library is installed
    modules = {m.name for m in pkgutil.iter_modules(generators.__path__)
               if not m.name.startswith("_") and m.name not in ("dataset", "seeding",
                                                                 "adapters")}
    assert modules == set(SPECS)


def _arrays(ds, spec):
    return [ds.X_pos, ds.X_neg] if spec.pairs else [ds.X]


def _same(a, b):
    """Datasets equal bit for bit: data, labels and every array of the ground truth."""
    for x, y in ((a.X, b.X), (a.X_pos, b.X_pos), (a.X_neg, b.X_neg), (a.y, b.y)):
        if x is None:
            assert y is None
        else:
            assert np.array_equal(x, y)
    assert a.ground_truth.keys() == b.ground_truth.keys()
    for key, v in a.ground_truth.items():
        w = b.ground_truth[key]
        if sparse.issparse(v):
            assert (v != w).nnz == 0, key
        elif isinstance(v, np.ndarray):
            assert np.array_equal(v, w), key
        else:
            assert v == w or (v is None and w is None), key
    assert a.params == b.params


def _has_fresh_noise(name, kw, ds, other):
    """Whether another split must differ: some continuous draw reaches the data."""
    if name in ("planted_sparse", "hierarchical_features", "correlated_features"):
        # Unless no feature fires in either split (all rows 0), or all magnitudes are the
        # constant 1 (then only the firing pattern can differ, and it may not).
        if name == "hierarchical_features" and kw["magnitude"] == "constant":
            return False
        if name == "correlated_features" and kw["magnitude_std"] == 0:
            return False
        return ds.ground_truth["codes"].nnz + other.ground_truth["codes"].nnz > 0
    if name in ("onehot_facts", "grouped_facts", "embedding_vocabulary"):
        return kw["noise"] > 0
    # Noise far below the signal's last bit is rounded away: require a difference only when
    # it is at least 1e-12 of the signal.
    if name == "single_truth":
        return max(kw["noise"], kw["content_scale"]) > 1e-12 * kw["signal"]
    if name == "distractor_facts":  # the content lives off span(u, v): none at n_features 2
        content = kw["content_scale"] if kw["n_features"] > 2 else 0.0
        return max(kw["noise"], content) > 1e-12 * kw["signal"]
    if name == "polarity_facts":  # content lives off span(t_G, t_P, v): none at 3 features
        content = kw["content_scale"] if kw["n_features"] > 3 else 0.0
        signal = max(kw["general_strength"], kw["polarity_truth_strength"],
                     kw["polarity_strength"])
        return max(kw["noise"], content) > 1e-12 * signal
    if name == "gaussian_mixture":
        return kw["cluster_std"] > 1e-12 * kw["centre_scale"]
    if name == "outlier_equal_means":
        return kw["axis_noise"] > 0 or (kw["noise"] > 0 and kw["n_features"] > 1)
    return True  # fresh Gaussian, uniform or U[0, 1) magnitudes in every other generator


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_valid_arguments_give_finite_reproducible_consistent_data(name, data):
    spec = SPECS[name]
    kw = data.draw(spec.valid, label="kwargs")
    seed = data.draw(SEEDS, label="random_state")
    split = data.draw(SPLITS, label="split")
    ds = spec.make(**kw, random_state=seed, split=split)
    n = kw.get("n_samples", kw.get("n_pairs", kw.get("d_out")))
    if name == "score_distributions":  # one column per independent sample
        width = kw["n_draws"]
    elif name == "planted_weights":  # the matrix W itself, (d_out, d_in)
        width = kw["d_in"]
    elif name == "embedding_vocabulary" or name == "gaussian_mixture":
        width = kw["n_features"]
    else:
        width = kw["n_features"] or kw.get("n_facts")
    for arr in _arrays(ds, spec):
        assert arr.dtype == np.float64 and arr.flags.c_contiguous
        assert arr.shape == (n, width)
        assert np.all(np.isfinite(arr))
    assert ds.n_samples == n and ds.n_features == width
    if ds.y is not None:
        assert ds.y.shape == (n,) and np.issubdtype(ds.y.dtype, np.integer)
    for key, value in ds.ground_truth.items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert np.all(np.isfinite(value)), key
        if isinstance(value, float):
            assert np.isfinite(value), key
    spec.check(ds, kw)
    _same(ds, spec.make(**kw, random_state=seed, split=split))
    other = spec.make(**kw, random_state=seed, split=int(split) + 1)
    if _has_fresh_noise(name, kw, ds, other):
        assert not all(np.array_equal(a, b)
                       for a, b in zip(_arrays(ds, spec), _arrays(other, spec), strict=True))


# ----------------------------------------------------------------------------------------
# Bad arguments
# ----------------------------------------------------------------------------------------


def _bad_for_real(draw, low, high, low_open, high_open):
    """A value outside [low, high] (or on an open end), or not a finite real."""
    out = [low - 1.0, low - 1e-9 * max(1.0, abs(low))]
    if low_open:
        out.append(low)
    if high < INF:
        out += [high + 1e-9, high + 1.0]
        if high_open:
            out.append(high)
    kind = draw(st.sampled_from(["range", "odd"]))
    if kind == "range":
        return "out of range", draw(st.sampled_from(out))
    return draw(bad_reals())


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_bad_arguments_raise_an_error_naming_the_argument(name, data):
    spec = SPECS[name]
    kw = data.draw(spec.valid, label="kwargs")
    kw.update(random_state=0, split=0)
    choices = ["ints", "random_state", "split"] + (["reals"] if spec.reals else [])
    extra = spec.extra_bad(kw)
    if extra:
        choices.append("extra")
    kind = data.draw(st.sampled_from(choices), label="kind")
    if kind == "ints":
        arg = data.draw(st.sampled_from(sorted(spec.ints)), label="argument")
        label, value = data.draw(bad_ints(spec.ints[arg]).filter(
            lambda case: not (case[1] is None and arg in spec.optional)), label="value")
    elif kind == "reals":
        arg = data.draw(st.sampled_from(sorted(spec.reals)), label="argument")
        label, value = _bad_for_real(data.draw, *spec.reals[arg])
        if value is None and arg in spec.optional:
            label, value = "nan", float("nan")
    elif kind == "random_state":
        arg, (label, value) = "random_state", data.draw(bad_seeds(), label="value")
    elif kind == "split":
        arg, (label, value) = "split", data.draw(bad_ints(0), label="value")
    else:
        arg, value = data.draw(st.sampled_from(extra), label="argument and value")
        label = "constraint"
    kw[arg] = value
    with pytest.raises((ValueError, TypeError)) as info:
        spec.make(**kw)
    assert arg in str(info.value), (label, str(info.value))
