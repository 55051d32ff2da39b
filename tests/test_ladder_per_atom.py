"""The per-atom count (no merging) beside the distinct count, and the cube's corner lean."""

import math

import numpy as np
import pytest

from benchmarks.sparse.ladder import (
    BAND_QUANTILE,
    _cached_band,
    _cached_corner_band,
    band_stream,
    draw,
    findings,
    run_study,
    tables,
)
from benchmarks.spec import GeneratorSpec, MethodSpec, seeded
from generators.planted_sparse import make_planted_sparse
from generators.uniform_cube import make_uniform_cube
from methods.sparse.random_atoms import RandomAtoms
from metrics.claimed_features import random_unit_atoms
from metrics.feature_count import (
    corner_alignment,
    corner_band,
    estimate_feature_count,
    ladder_band,
    random_corner_alignment,
)

D = 16  # in d = 16 three or four random atoms never meet at |cos| > 0.9 (the band is 0)


def _zero_band(n_alive, n_other, d, n_larger):
    """A band of 0 for both counts: the counts themselves are then the readings."""
    z = {"mean": 0.0, "high": 0.0, "quantile": BAND_QUANTILE, "n_draws": 1}
    return {"n_stable": z, "n_distinct": z, "cross_size_mmcs": None if n_larger is None
            else {**z, "high": 1.0}}


def _basis(*rows):
    return np.eye(D)[list(rows)]


def test_duplicates_count_per_atom_and_once_distinctly():
    # A holds e0 three times (scaled, negated) beside e1 and e2; B holds e0, e1, e2 once.
    A = np.vstack([_basis(0), 2.0 * _basis(0), -_basis(0), _basis(1, 2)])
    B = _basis(0, 1, 2)
    est = estimate_feature_count([(A, np.ones((3, 5)), B, np.ones((3, 3)))], n_true=3,
                                 band=_zero_band)
    size = est.sizes[0]
    assert size["n_stable"] == 5 and size["n_distinct"] == 3
    assert est.per_atom_count == 5.0 and est.count == 3.0
    assert est.per_atom_size_at_count == est.size_at_count == 5
    # The limit for 3 true features is 1.5 * 3 + 1 = 5.5: 5 duplicates-counted is not yet
    # a false claim; two more duplicates are.
    assert est.per_atom_false_positive is False
    A7 = np.vstack([A, _basis(1), _basis(2)])
    more = estimate_feature_count([(A7, np.ones((3, 7)), B, np.ones((3, 3)))], n_true=3,
                                  band=_zero_band)
    assert (more.per_atom_count, more.count) == (7.0, 3.0)
    assert more.per_atom_false_positive is True and more.false_positive is False


def test_dead_atoms_are_excluded_on_both_sides():
    A, B = _basis(0, 1, 2, 3), _basis(0, 1, 2, 3)
    codes_a, codes_b = np.ones((4, 4)), np.ones((4, 4))
    codes_a[:, 0] = 0.0  # e0 dead in A: not counted
    codes_b[:, 1] = 0.0  # e1 dead in B: no partner for A's e1
    est = estimate_feature_count([(A, codes_a, B, codes_b)], band=_zero_band)
    assert est.sizes[0]["n_alive"] == 3 and est.sizes[0]["n_other_alive"] == 3
    assert est.per_atom_count == 2.0 == est.count  # e2 and e3
    # A zero row is dead however its codes fire.
    Az = np.vstack([np.zeros((1, D)), _basis(1, 2, 3)])
    est = estimate_feature_count([(Az, np.ones((4, 4)), B, np.ones((4, 4)))],
                                 band=_zero_band)
    assert est.sizes[0]["n_alive"] == 3 and est.per_atom_count == 3.0


def test_each_count_is_read_against_its_own_band():
    # Five atoms of one direction in d = 2: the per-atom band is high (random lines in the
    # plane meet at |cos| > 0.9), the distinct band low; the same ladder reads differently.
    c, s = np.cos(0.05), np.sin(0.05)
    A = np.array([[1.0, 0.0], [c, s], [c, -s], [-1.0, 0.0], [c, 2 * s]])
    est = estimate_feature_count([(A, np.ones((2, 5)), A, np.ones((2, 5)))], n_draws=50,
                                 random_state=0)
    band = est.sizes[0]["band"]
    assert est.sizes[0]["n_stable"] == 5 and est.sizes[0]["n_distinct"] == 1
    assert est.per_atom_count == max(0.0, 5 - band["n_stable"]["high"])
    assert est.count == max(0.0, 1 - band["n_distinct"]["high"])
    assert band["n_stable"]["high"] >= 4  # five random lines in the plane mostly pair up


def test_per_atom_band_quantile_is_reproducible_from_its_stream():
    # The band's per-atom high is the 0.99 quantile ("higher") of n_stable over draws made
    # in a fixed order from the band's stream: redraw them by hand.
    n_alive, n_other, d, n_draws = 40, 36, 8, 60
    band = _cached_band(n_alive, n_other, d, None, n_draws)
    assert band == ladder_band(n_alive, n_other, d, None, n_draws,
                               random_state=band_stream(n_alive, n_other, d, None))
    rng = np.random.default_rng(band_stream(n_alive, n_other, d, None))
    stable = []
    for _ in range(n_draws):
        A, B = random_unit_atoms(n_alive, d, rng), random_unit_atoms(n_other, d, rng)
        stable.append(int((np.abs(A @ B.T).max(axis=1) > 0.9).sum()))
    assert band["n_stable"]["high"] == np.quantile(stable, BAND_QUANTILE, method="higher")
    assert band["n_stable"]["high"] == max(stable)  # 0.99 of 60 draws, "higher": the maximum
    assert band["n_stable"]["mean"] == pytest.approx(np.mean(stable), rel=1e-12)
    # Another stream (other live counts) gives other draws.
    other = ladder_band(n_alive, n_other + 1, d, None, n_draws,
                        random_state=band_stream(n_alive, n_other + 1, d, None))
    assert np.random.default_rng(band_stream(n_alive, n_other + 1, d, None)).random() != \
        np.random.default_rng(band_stream(n_alive, n_other, d, None)).random()
    assert other["n_stable"]["mean"] != band["n_stable"]["mean"]


def test_corner_alignment_known_values():
    d = 8
    diagonal = np.ones((1, d))
    axis = np.eye(d)[:1]
    half = np.r_[np.ones(4), np.zeros(4)][None]  # on a face diagonal: ||a||_1 = 4, ||a|| = 2
    got = corner_alignment(np.vstack([diagonal, -3.0 * diagonal, axis, half, np.zeros((1, d))]))
    np.testing.assert_allclose(got, [1.0, 1.0, 1 / math.sqrt(8), 4 / (2 * math.sqrt(8)), 0.0],
                               rtol=1e-12)
    # The best of the 2^d corners, by enumeration, equals the closed form.
    rng = np.random.default_rng(1)
    X = rng.standard_normal((20, 5))
    signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * 5)).reshape(5, -1).T
    brute = np.abs(X @ signs.T).max(axis=1) / (np.linalg.norm(X, axis=1) * math.sqrt(5))
    np.testing.assert_allclose(corner_alignment(X), brute, rtol=1e-12)


def test_random_corner_alignment_closed_form():
    # d = 2: (|cos t| + |sin t|) / sqrt(2) averaged over the circle is 2 sqrt(2) / pi.
    assert random_corner_alignment(2)[0] == pytest.approx(2 * math.sqrt(2) / math.pi)
    # d = 1: every unit "atom" is a corner.
    assert random_corner_alignment(1) == pytest.approx((1.0, 0.0), abs=1e-12)
    mean8, sd8 = random_corner_alignment(8)
    assert mean8 == pytest.approx(0.8231, abs=1e-4)  # the 0.83 for random atoms
    # The drawn band agrees with it: 400 draws of 64 atoms; the mean of the draws has
    # standard error sd / sqrt(64 * 400) = sd / 160, so 5 standard errors is a wide bound.
    band = corner_band(64, 8, n_draws=400, random_state=3)
    assert abs(band["mean"] - mean8) < 5 * sd8 / 160
    assert band["high"] > band["mean"]
    assert corner_band(64, 8, n_draws=400, random_state=3) == band  # reproducible


def test_corner_band_refuses_bad_arguments():
    with pytest.raises(ValueError, match="n_atoms"):
        corner_band(0, 8)
    with pytest.raises(ValueError, match="n_features"):
        random_corner_alignment(0)
    with pytest.raises(ValueError, match="quantile"):
        corner_band(4, 8, quantile=1.5)


class _Duplicated:
    """The planted features, then exact copies of them (a dictionary that duplicates)."""

    def __init__(self, features, n_components=8):
        self.features = features
        self.n_components = n_components

    def fit(self, X):
        self.components_ = self.features[np.arange(self.n_components) % len(self.features)]
        return self

    def transform(self, X):
        return X @ self.components_.T


def test_tiny_study_reports_both_counts_and_the_corner_lean():
    planted = GeneratorSpec("planted_sparse", "sparse", make_planted_sparse,
                            dict(n_samples=256, n_features=16, n_atoms=12))
    cube = GeneratorSpec("uniform_cube_d8", "sparse", make_uniform_cube,
                         dict(n_samples=256, n_features=8))
    dup = MethodSpec("duplicated", "sparse",
                     lambda train, seed: _Duplicated(train.ground_truth["features"]))
    rand = MethodSpec("random_atoms", "sparse", seeded(RandomAtoms))
    doc = run_study([dup, rand], [(planted, 12, [12, 24])], [0], n_heldout=128, n_draws=50)
    by = {e["method"]: e for e in doc["estimates"]}
    # 24 atoms = 12 features twice: 24 per atom, 12 distinct (in d = 16 the bands are 0).
    assert by["duplicated"]["count"]["value"] == 12.0
    assert by["duplicated"]["per_atom_count"]["value"] == 24.0
    assert by["duplicated"]["per_atom_false_positive_rate"]["value"] == 1.0  # > 19 = 1.5*12+1
    assert by["random_atoms"]["per_atom_count"]["value"] == 0.0
    null = run_study([rand], [(cube, 0, [8, 64])], [0, 1], n_heldout=128, n_draws=50)
    e = null["estimates"][0]
    assert e["per_atom_false_positive_rate"]["value"] == 0.0
    for p in e["per_size"]:
        assert len(p["corner_lean"]) == 2 and all(0.5 < v < 1.0 for v in p["corner_lean"])
        assert all(h >= 0.8 for h in p["band_corner_high"])  # the d = 8 mean is 0.823
    for r in null["rows"]:
        band = _cached_corner_band(r["n_alive"], 8, 50)
        assert r["band_corner_high"] == band["high"]
        assert r["per_atom_beyond_chance"] == max(0.0, r["n_stable"] - r["band_stable_high"])
    terms = [t for t, _, _ in findings(null)]
    assert "which count fires on uniform_cube_d8" in terms
    assert "corner lean on uniform_cube_d8" in terms
    (caption, head, rows), = tables(null)
    assert len(rows) == 1 and len(rows[0]) == len(head)
    words = dict((t, s) for t, s, _ in findings(doc))
    assert "per-atom count" in words["duplicated on planted_sparse"]


def test_two_count_figure_fits_long_method_names():
    # The report's check of every study figure (tests/test_figures_long_names.py), on a
    # document that carries the per-atom fields (that file's hand-built document does not).
    from tests.test_figures_long_names import _assert_figures_fit, _user_names

    methods = ["kmeans", "relu_sae"] + list(_user_names("sparse"))
    gens = (("planted_sparse", 64), ("uniform_cube_d8", 0), ("isotropic_gaussian", 0))
    sizes = (8, 16, 32)
    doc = {"study": "feature_count", "seeds": [0, 1], "estimates": [
        {"method": m, "generator": g, "n_true": n,
         "count": {"value": float(n), "low": n - 1.0, "high": n + 1.0},
         "per_size": [{"size": s, "false_positive_rate": {"value": 0.0},
                       "per_atom_minus_band": [3.0 * j - k, 2.0 * j],
                       "distinct_minus_band": [-1.0 - k, -2.0]}
                      for k, s in enumerate(sizes)]}
        for j, m in enumerate(methods) for g, n in gens]}
    drawn = list(draw(doc))
    assert [name for _, name, _ in drawn][-1] == "feature_count_per_atom.png"
    _assert_figures_fit(drawn[-1:], methods, "feature_count_per_atom.png")
