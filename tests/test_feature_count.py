"""The feature-count estimator (a ladder of sizes read against random atoms) and its study."""

from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given

from benchmarks.spec import GeneratorSpec, MethodSpec, seeded
from generators.isotropic_gaussian import make_isotropic_gaussian
from generators.planted_sparse import make_planted_sparse
from generators.uniform_cube import make_uniform_cube
from methods.sparse.random_atoms import RandomAtoms
from metrics.claimed_features import random_unit_atoms
from metrics.feature_count import (
    beyond_chance,
    claim_limit,
    distinct_directions,
    estimate_feature_count,
    is_false_positive,
    ladder_band,
    live_atoms,
    size_statistics,
)
from tests.bad_inputs import bad_ints

DRAWS = 50  # band draws in these tests: the 0.99 quantile ("higher") is the largest of 50


@lru_cache(maxsize=None)
def _band(n_alive, n_other, d, n_larger):
    # One band per argument tuple, as the study shares it.
    return ladder_band(n_alive, n_other, d, n_larger, n_draws=DRAWS,
                       random_state=np.random.SeedSequence([n_alive, n_other, d,
                                                            n_larger or 0]))


def _random_ladder(sizes, d, rng):
    return [(random_unit_atoms(s, d, rng), np.ones((2, s)), random_unit_atoms(s, d, rng),
             np.ones((2, s))) for s in sizes]


@pytest.mark.parametrize("d, sizes", [
    (2, [16, 32, 64, 128]),          # the unit square
    (8, [16, 32, 64, 128, 256]),     # the unit cube in d = 8, up to 256 atoms
    (32, [16, 32, 64]),              # an isotropic Gaussian's dimension
])
def test_random_atoms_as_the_method_are_no_false_positive(d, sizes):
    # Random atoms have exactly the band's distribution: the count exceeds 0 at one size
    # with probability <= 1/51 (largest of 50 draws), so over 4-5 sizes in at most ~10% of
    # ladders, and exceeds the limit 1 (a false claim on a null) more rarely still.
    rng = np.random.default_rng(d)
    counts = [estimate_feature_count(_random_ladder(sizes, d, rng), n_true=0,
                                     band=_band).count for _ in range(20)]
    assert max(counts) <= claim_limit(0)
    assert sum(c > 0 for c in counts) <= 4
    # The raw statistic the old signal read is far from 0 in low dimension.
    raw = estimate_feature_count(_random_ladder(sizes, d, rng), band=_band)
    if d <= 8:
        assert max(s["n_stable"] for s in raw.sizes) >= 10
        assert raw.count == 0.0


def _planted(n, d, rng):
    F = rng.standard_normal((n, d))
    return F / np.linalg.norm(F, axis=1, keepdims=True)


def _exact_ladder(F, sizes, rng, noise=0.05):
    """Size s: the first min(s, N) features, then noisy duplicates (|cos| > 0.9)."""
    rungs = []
    for s in sizes:
        rows = [F[i % F.shape[0]] + (noise * rng.standard_normal(F.shape[1])
                                     if i >= F.shape[0] else 0.0) for i in range(s)]
        A = np.array(rows)
        rungs.append((A, np.ones((3, s)), A[::-1].copy(), np.ones((3, s))))
    return rungs


def test_exact_dictionary_of_planted_features_gives_their_count():
    rng = np.random.default_rng(0)
    F = _planted(20, 16, rng)
    assert np.abs(np.triu(F @ F.T, 1)).max() < 0.9
    est = estimate_feature_count(_exact_ladder(F, [5, 10, 20, 40, 80], rng), n_true=20,
                                 n_draws=DRAWS, random_state=1)
    assert est.count == 20.0
    assert est.size_at_count == 20  # the plateau starts at the true count
    assert [s["n_distinct"] for s in est.sizes] == [5, 10, 20, 20, 20]
    assert [s["n_stable"] for s in est.sizes] == [5, 10, 20, 40, 80]  # duplicates count once
    assert not est.false_positive
    assert all(s["cross_size_above_band"] for s in est.sizes[:-1])
    assert est.sizes[-1]["cross_size_mmcs"] is None


def test_statistics_ignore_scale_sign_and_order_and_drop_dead_atoms():
    rng = np.random.default_rng(3)
    F = _planted(12, 10, rng)
    codes = np.ones((4, 12))
    base = size_statistics(F, codes, F, codes)
    perm = rng.permutation(12)
    moved = size_statistics(-3.0 * F[perm], codes, 0.5 * F, codes)
    assert base == moved
    assert base["n_stable"] == base["n_distinct"] == 12
    dead = codes.copy()
    dead[:, :5] = 0.0
    st_dead = size_statistics(F, dead, F, codes)
    assert st_dead["n_alive"] == st_dead["n_stable"] == 7
    assert st_dead["dead_fraction"] == pytest.approx(5 / 12)
    # A partner that is dead in the other dictionary does not count.
    assert size_statistics(F, codes, F, dead)["n_stable"] == 7


def test_shape_invariants_of_a_ladder():
    rng = np.random.default_rng(5)
    est = estimate_feature_count(_random_ladder([4, 8, 16, 32], 3, rng), n_true=0,
                                 n_draws=DRAWS, random_state=2)
    for s in est.sizes:
        assert 0 <= s["n_distinct"] <= s["n_stable"] <= s["n_alive"] <= s["n_atoms"]
        assert s["beyond_chance"] == max(0.0, s["n_distinct"] - s["band"]["n_distinct"]["high"])
        assert s["band"]["n_distinct"]["mean"] <= s["band"]["n_distinct"]["high"]
    assert est.count == max(s["beyond_chance"] for s in est.sizes)
    again = estimate_feature_count(_random_ladder([4, 8, 16, 32], 3,
                                                  np.random.default_rng(5)),
                                   n_true=0, n_draws=DRAWS, random_state=2)
    assert again.to_dict() == est.to_dict()


def test_distinct_directions_counts_components():
    c = np.cos(0.3)  # |cos| 0.955 between neighbours, 0.825 between the ends
    chain = np.array([[1.0, 0.0], [c, np.sin(0.3)], [np.cos(0.6), np.sin(0.6)]])
    assert distinct_directions(chain) == 1  # chained into one component
    assert distinct_directions(np.eye(3)) == 3
    assert distinct_directions(np.vstack([np.eye(3), -np.eye(3), np.zeros((1, 3))])) == 3
    assert distinct_directions(np.zeros((0, 3))) == 0


def test_band_in_the_plane_is_high_and_in_high_dimension_zero():
    plane = ladder_band(64, 64, 2, n_draws=DRAWS, random_state=0)
    assert plane["n_stable"]["mean"] > 60  # any two 64-line dictionaries "agree"
    assert plane["n_distinct"]["high"] <= 2  # but they chain into one or two directions
    wide = ladder_band(64, 64, 64, 128, n_draws=DRAWS, random_state=0)
    assert wide["n_stable"]["high"] == 0.0
    assert 0.3 < wide["cross_size_mmcs"]["mean"] < wide["cross_size_mmcs"]["high"] < 0.6
    assert ladder_band(0, 5, 4, n_draws=3)["n_stable"]["high"] == 0.0


def test_false_positive_limit_and_beyond_chance():
    assert claim_limit(0) == 1.0 and claim_limit(64) == 97.0
    assert not is_false_positive(1, 0) and is_false_positive(2, 0)
    assert beyond_chance(5, 7.0) == 0.0 and beyond_chance(9, 7.0) == 2.0


def test_errors_name_the_argument():
    A = np.eye(3)
    codes = np.ones((2, 3))
    with pytest.raises(ValueError, match="rungs"):
        estimate_feature_count([])
    with pytest.raises(ValueError, match="increasing"):
        estimate_feature_count([(A, codes, A, codes), (A, codes, A, codes)])
    with pytest.raises(ValueError, match=r"rungs\[0\]"):
        estimate_feature_count([(A, codes, A)])
    with pytest.raises(ValueError, match="heldout_codes"):
        size_statistics(A, np.ones((2, 4)), A, codes)
    with pytest.raises(ValueError, match="other_atoms"):
        size_statistics(A, codes, np.eye(4), np.ones((2, 4)))
    with pytest.raises(ValueError, match="larger_atoms and larger_codes"):
        size_statistics(A, codes, A, codes, larger_atoms=A)
    with pytest.raises(ValueError, match="n_true"):
        estimate_feature_count([(A, codes, A, codes)], n_true=-1)
    with pytest.raises(ValueError, match="quantile"):
        ladder_band(3, 3, 2, quantile=1.5)
    with pytest.raises(ValueError, match="atoms"):
        live_atoms(np.ones(3), codes)


@given(bad_ints(minimum=0))
def test_ladder_band_refuses_bad_counts(case):
    label, value = case
    with pytest.raises(ValueError, match="n_alive"):
        ladder_band(value, 3, 2, n_draws=2)


# --- the study on a tiny configuration -------------------------------------------------

class ExactDictionary:
    """The planted features themselves (then noiseless duplicates): the estimator's ceiling."""

    def __init__(self, features, n_components=8):
        self.features = features
        self.n_components = n_components

    def fit(self, X):
        n = self.features.shape[0]
        self.components_ = self.features[np.arange(self.n_components) % n]
        return self

    def transform(self, X):
        return X @ self.components_.T


def test_tiny_study_has_the_stated_shape_and_no_random_false_positive(tmp_path):
    from benchmarks.sparse import ladder
    from benchmarks.sparse.ladder import findings, run_study
    from benchmarks.study_cli import study_figures

    planted = GeneratorSpec("planted_sparse", "sparse", make_planted_sparse,
                            dict(n_samples=256, n_features=16, n_atoms=12))
    cube = GeneratorSpec("uniform_cube_d8", "sparse", make_uniform_cube,
                         dict(n_samples=256, n_features=8))
    gauss = GeneratorSpec("isotropic_gaussian", "sparse", make_isotropic_gaussian,
                          dict(n_samples=256, n_features=8))
    exact = MethodSpec("exact", "sparse",
                       lambda train, seed: ExactDictionary(train.ground_truth["features"]))
    rand = MethodSpec("random_atoms", "sparse", seeded(RandomAtoms))
    doc = run_study([rand, exact], [(planted, 12, [12, 24])], [0], n_heldout=128,
                    n_draws=DRAWS)
    doc_null = run_study([rand], [(cube, 0, [8, 64]), (gauss, 0, [8, 64])], [0, 1],
                         n_heldout=128, n_draws=DRAWS)
    parallel = run_study([rand], [(cube, 0, [8, 64]), (gauss, 0, [8, 64])], [0, 1],
                         n_heldout=128, n_draws=DRAWS, jobs=2)
    assert parallel["rows"] == doc_null["rows"] or all(  # timings aside
        {k: v for k, v in a.items() if k != "fit_time_s"}
        == {k: v for k, v in b.items() if k != "fit_time_s"}
        for a, b in zip(parallel["rows"], doc_null["rows"], strict=True))
    assert doc["study"] == "feature_count" and doc["seeds"] == [0] and not doc["errors"]
    assert len(doc["rows"]) == 2 * 2  # methods x sizes (one generator, one seed)
    by = {e["method"]: e for e in doc["estimates"]}
    assert by["exact"]["count"]["value"] == 12.0 and by["exact"]["n_true"] == 12
    assert by["random_atoms"]["count"]["value"] == 0.0
    for e in doc["estimates"] + doc_null["estimates"]:
        assert set(e) >= {"method", "generator", "count", "n_true", "false_positive_rate",
                          "per_size"}
        assert [p["size"] for p in e["per_size"]] == e["sizes"]
    for e in doc_null["estimates"]:
        assert e["false_positive_rate"]["value"] == 0.0
        assert all(p["false_positive_rate"]["value"] == 0.0 for p in e["per_size"])
    terms = [t for t, _, _ in findings(doc)]
    assert "exact on planted_sparse" in terms
    made = study_figures(ladder, doc_null, tmp_path)
    assert len(made) == 3 and all((tmp_path / p).exists() for _, p in made)


def test_band_grows_with_partners_and_shrinks_with_dimension():
    # More partners can only add stable atoms; a higher dimension spreads them apart.
    means = [ladder_band(32, m, 6, n_draws=30, random_state=4)["n_stable"]["mean"]
             for m in (8, 32, 128)]
    assert means[0] < means[1] < means[2]
    by_dim = [ladder_band(32, 32, d, n_draws=30, random_state=4)["n_stable"]["mean"]
              for d in (3, 6, 12)]
    assert by_dim[0] > by_dim[1] > by_dim[2]
