"""Claimed features without ground truth, and the random-atom band beside them."""

import numpy as np
import pytest

from generators.planted_sparse import make_planted_sparse
from metrics.claimed_features import (
    alive_atoms,
    claimed_features,
    random_atom_band,
    random_unit_atoms,
    stable_alive_atoms,
    stable_atoms,
)

T = np.eye(4)


def test_stable_atoms_ignore_permutation_and_sign():
    other = -2.0 * T[[2, 0, 3, 1]]
    assert stable_atoms(T, other).all()


def test_stable_atoms_need_a_close_partner_in_every_other_dictionary():
    c = 1 / np.sqrt(2)
    rotated = np.array([[c, c, 0, 0], [c, -c, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    # e_0 and e_1 are at |cos| 0.707 from every rotated atom: not stable at 0.9.
    assert np.array_equal(stable_atoms(T, rotated), [False, False, True, True])
    assert np.array_equal(stable_atoms(T, [T, rotated]), [False, False, True, True])
    zeroed = T.copy()
    zeroed[3] = 0.0  # a zero row of atoms is never stable
    assert np.array_equal(stable_atoms(zeroed, T), [True, True, True, False])


def test_stable_alive_atoms_counts_only_atoms_alive_on_held_out_codes():
    codes = np.zeros((5, 4))
    codes[:, :2] = 1.0  # half the atoms are dead on held-out data
    assert np.array_equal(alive_atoms(codes), [True, True, False, False])
    assert stable_alive_atoms(T, codes, T) == 2
    assert alive_atoms(codes[:1], min_count=2).sum() == 0
    with pytest.raises(ValueError, match="latents"):
        stable_alive_atoms(T, codes[:, :3], T)


def test_random_atom_band_is_reproducible_and_seed_dependent():
    a = random_atom_band(8, 3, n_draws=20, random_state=1)
    b = random_atom_band(8, 3, n_draws=20, random_state=1)
    c = random_atom_band(8, 3, n_draws=20, random_state=2)
    assert np.array_equal(a["cross_mmcs"].values, b["cross_mmcs"].values)
    assert not np.array_equal(a["cross_mmcs"].values, c["cross_mmcs"].values)
    assert a["stable_count"].high >= a["stable_count"].mean
    assert set(a["stable_count"].to_dict()) == {"mean", "high", "quantile", "n_draws"}


def test_random_atom_band_in_two_dimensions_matches_the_closed_form():
    # In d=2 a random unit atom is a random line; its angle to each of the m' other lines,
    # folded into [0, pi/2], is uniform. So P(max |cos| > 0.9) = 1 - (1 - a/(pi/2))^m'
    # with a = arccos(0.9); for m' = 16 that is 0.9956 and the expected count of 16 atoms
    # is 15.93: any two 16-atom dictionaries in the plane "agree" on nearly every atom.
    m = 16
    p = 1 - (1 - np.arccos(0.9) / (np.pi / 2)) ** m
    band = random_atom_band(m, 2, n_draws=400, random_state=0)["stable_count"]
    # Per-draw counts lie in [0, 16] and are nearly all 16; the standard error of the mean
    # of 400 draws is below 16 * sqrt(p(1-p)) / 20 ~ 0.05, so 0.25 is about 5 errors.
    assert band.mean == pytest.approx(m * p, abs=0.25)
    assert band.high == m


def test_random_atom_band_in_high_dimension_is_empty():
    # In d=256, |cos| of random unit vectors is about N(0, 1/256): 0.9 is 14 sigma away.
    band = random_atom_band(32, 256, 64, n_draws=20, random_state=0)
    assert band["stable_count"].high == 0
    assert band["cross_mmcs"].high < 0.3


def test_claimed_features_on_a_perfect_dictionary_exceed_the_band():
    ds = make_planted_sparse(400, 32, 48, 4.0, random_state=0)
    F, codes = ds.ground_truth["features"], ds.ground_truth["codes"].toarray()
    other = -F[::-1]  # the same features from "another seed": permuted and negated
    out = claimed_features(F, codes, other, n_draws=50, random_state=0)
    assert out.n_alive == (codes > 0).any(axis=0).sum()
    assert out.n_claimed == out.n_alive and out.cross_mmcs == pytest.approx(1.0)
    assert out.band_count.high == 0 and out.excess == out.n_claimed
    assert out.to_dict()["band_count"]["n_draws"] == 50


def test_claimed_features_of_random_dictionaries_in_the_plane_stay_within_the_band():
    atoms = random_unit_atoms(12, 2, random_state=3)
    other = random_unit_atoms(24, 2, random_state=4)
    codes = np.ones((10, 12))
    out = claimed_features(atoms, codes, other, n_draws=100, random_state=0)
    assert out.excess <= 0
    assert out.band_cross_mmcs.mean > 0.95  # in 2-D any two dictionaries look alike


def test_claimed_features_with_no_live_atom():
    out = claimed_features(T, np.zeros((3, 4)), T)
    assert out.n_alive == 0 and out.n_claimed == 0 and out.excess == 0


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_atoms=0, n_features=2), "n_atoms"),
    (dict(n_atoms=2, n_features=0), "n_features"),
    (dict(n_atoms=2, n_features=2, n_other=0), "n_other"),
    (dict(n_atoms=2, n_features=2, n_draws=0), "n_draws"),
    (dict(n_atoms=2, n_features=2, quantile=1.5), "quantile"),
])
def test_random_atom_band_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_atom_band(**kwargs)
