"""Pairwise dictionary MCC and its chance bands on hand-built dictionaries with known answers."""

import numpy as np
import pytest
from scipy.linalg import hadamard

from metrics.reproducibility import (
    haar_orthogonal,
    mean_pairwise_mcc,
    orthogonal_mcc_band,
    pairwise_mcc,
    random_atom_mcc_band,
    reproducibility,
    upper_p_value,
)

# Exact answers come from a handful of float64 products: 1e-12 is far above their rounding
# and far below any real disagreement.
EXACT = 1e-12


def _rotation(d, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


@pytest.mark.parametrize("signed", [False, True])
def test_identical_dictionaries_score_one(signed):
    A = 2.5 * _rotation(6, 0)[:5]
    assert pairwise_mcc(A, A, signed) == pytest.approx(1.0, abs=EXACT)
    # Overcomplete and not orthogonal: each row still matches itself best.
    R = np.random.default_rng(3).standard_normal((12, 4))
    assert pairwise_mcc(R, 0.1 * R, signed) == pytest.approx(1.0, abs=EXACT)


def test_permuted_sign_flipped_copy_scores_one_unsigned_and_half_signed():
    A = _rotation(6, 1)
    flips = np.array([1, -1, -1, 1, -1, 1])
    B = 3.0 * A[[3, 0, 5, 1, 4, 2]] * flips[:, None]
    assert pairwise_mcc(A, B) == pytest.approx(1.0, abs=EXACT)
    assert pairwise_mcc(B, A) == pytest.approx(1.0, abs=EXACT)
    # Signed (Song et al.'s code): the cosines form a signed permutation matrix; the three
    # flipped atoms can only be matched among themselves at cos 0, the three others at 1.
    assert pairwise_mcc(A, B, signed=True) == pytest.approx(0.5, abs=EXACT)


def test_orthogonal_dictionaries_score_zero():
    I6 = np.eye(6)
    assert pairwise_mcc(I6[:3], I6[3:]) == pytest.approx(0.0, abs=EXACT)
    assert pairwise_mcc(I6[:3], I6[3:], signed=True) == pytest.approx(0.0, abs=EXACT)


def test_hadamard_pair_scores_one_over_sqrt_d():
    # Every atom of the standard basis has |cos| 1/sqrt(d) with every Hadamard atom.
    for d in (2, 4, 8, 16):
        assert pairwise_mcc(np.eye(d), hadamard(d)) == pytest.approx(1 / np.sqrt(d), abs=EXACT)
    # Signed: H_4 has a permutation of all-positive entries (rows 0-3 to columns 0, 2, 1, 3).
    assert pairwise_mcc(np.eye(4), hadamard(4), signed=True) == pytest.approx(0.5, abs=EXACT)


def test_rotated_basis_scores_the_cosine_of_the_angle():
    theta = np.pi / 5
    B = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    assert pairwise_mcc(np.eye(2), B) == pytest.approx(np.cos(theta), abs=EXACT)


def test_sizes_differ_mean_over_the_smaller_and_zero_rows_match_nothing():
    I4 = np.eye(4)
    assert pairwise_mcc(I4, I4[:2]) == pytest.approx(1.0, abs=EXACT)
    dead = I4.copy()
    dead[1] = 0.0
    # Four pairs, one of them with the dead row at |cos| 0.
    assert pairwise_mcc(I4, dead) == pytest.approx(0.75, abs=EXACT)


def test_mean_pairwise_mcc_averages_every_pair():
    I4, H = np.eye(4), hadamard(4).astype(float)
    # pairs (I, I) = 1, (I, H) = 0.5, (I, H) = 0.5
    assert mean_pairwise_mcc([I4, I4, H]) == pytest.approx(2 / 3, abs=EXACT)
    with pytest.raises(ValueError, match="at least two"):
        mean_pairwise_mcc([I4])
    with pytest.raises(ValueError, match=r"dictionaries\[1\]"):
        mean_pairwise_mcc([I4, np.eye(3)])


def test_one_dimension_every_band_is_one():
    assert np.all(random_atom_mcc_band(3, 5, 1, n_draws=20).values == 1.0)
    band = orthogonal_mcc_band(np.ones((3, 1)), -np.ones((2, 1)), n_draws=20)
    assert np.all(band.values == 1.0)


def test_single_atom_bands_have_the_closed_form_mean():
    # Two uniform unit vectors in d = 3: |cos| is uniform on [0, 1], mean 1/2, sd 1/sqrt(12).
    # The orthogonal band turns a fixed atom uniformly, so it has the same law.
    n = 4000
    tol = 4 / np.sqrt(12 * n)  # four standard errors of the mean
    random = random_atom_mcc_band(1, 1, 3, n_draws=n, random_state=1)
    turned = orthogonal_mcc_band([[1.0, 0, 0]], [[0.0, 0.6, 0.8]], n_draws=n, random_state=2)
    assert random.mean == pytest.approx(0.5, abs=tol)
    assert turned.mean == pytest.approx(0.5, abs=tol)


def test_band_is_reproducible_from_its_stream():
    a = random_atom_mcc_band(20, 24, 8, n_draws=50, random_state=np.random.SeedSequence(7))
    b = random_atom_mcc_band(20, 24, 8, n_draws=50, random_state=np.random.SeedSequence(7))
    c = random_atom_mcc_band(20, 24, 8, n_draws=50, random_state=np.random.SeedSequence(8))
    assert np.array_equal(a.values, b.values) and a.high == b.high
    assert not np.array_equal(a.values, c.values)
    # The high end is the observed draw at the quantile (method "higher").
    assert a.high == np.quantile(a.values, 0.99, method="higher")
    assert a.high in a.values
    A = np.random.default_rng(0).standard_normal((10, 6))
    o1 = orthogonal_mcc_band(A, A[::-1], n_draws=30, quantile=0.9, random_state=3)
    o2 = orthogonal_mcc_band(A, A[::-1], n_draws=30, quantile=0.9, random_state=3)
    assert np.array_equal(o1.values, o2.values) and o1.high == o2.high


def test_chance_falls_with_dimension():
    low_d = random_atom_mcc_band(16, 16, 4, n_draws=40, random_state=0).mean
    high_d = random_atom_mcc_band(16, 16, 64, n_draws=40, random_state=0).mean
    assert low_d > high_d + 0.2  # measured 0.73 vs 0.28


def test_haar_orthogonal_is_orthogonal_and_reproducible():
    Q = haar_orthogonal(7, 5)
    assert np.allclose(Q @ Q.T, np.eye(7), atol=1e-12)
    assert np.array_equal(Q, haar_orthogonal(7, 5))


def test_upper_p_value():
    band = random_atom_mcc_band(4, 4, 3, n_draws=9, random_state=0)
    assert upper_p_value(2.0, band) == pytest.approx(0.1)  # no draw >= 2: 1 / 10
    assert upper_p_value(-1.0, band) == pytest.approx(1.0)  # every draw >= -1


def test_reproducibility_of_a_copy_is_beyond_both_bands():
    A = _rotation(16, 4)
    r = reproducibility(A, A[::-1] * -1, n_draws=50, random_state=0)
    assert r.mcc == pytest.approx(1.0, abs=EXACT)
    assert r.beyond_random and r.beyond_orthogonal
    out = r.to_dict()
    assert out["p_random"] == pytest.approx(1 / 51) and out["n_live_a"] == 16


def test_reproducibility_of_independent_random_dictionaries_is_at_chance():
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(10):
        A, B = rng.standard_normal((24, 8)), rng.standard_normal((24, 8))
        r = reproducibility(A, B, n_draws=50, quantile=0.9, random_state=rng)
        hits += r.beyond_random
    assert hits <= 4  # about 1 of 10 expected above a 0.9 quantile; P(>= 5) < 2e-4


def test_reproducibility_counts_live_atoms_only():
    I8 = np.eye(8)
    alive = np.array([True] * 4 + [False] * 4)
    other = np.vstack([I8[:4], np.ones((4, 8))])
    r = reproducibility(I8, other, alive_a=alive, alive_b=alive, n_draws=20)
    assert (r.n_live_a, r.n_live_b) == (4, 4)
    assert r.mcc == pytest.approx(1.0, abs=EXACT)
    none = reproducibility(I8, other, alive_a=np.zeros(8, bool), n_draws=20)
    assert none.mcc == 0.0 and none.n_live_a == 0


@pytest.mark.parametrize("call, match", [
    (lambda: pairwise_mcc(np.eye(3), np.eye(4)), "B has 4 columns"),
    (lambda: pairwise_mcc([[np.nan, 1.0]], [[1.0, 0.0]]), "A contains NaN"),
    (lambda: pairwise_mcc(np.eye(2), np.eye(2), signed="yes"), "signed"),
    (lambda: random_atom_mcc_band(0, 3, 2), "n_a"),
    (lambda: random_atom_mcc_band(3, 3, 2, n_draws=0), "n_draws"),
    (lambda: random_atom_mcc_band(3, 3, 2, quantile=0.0), "quantile"),
    (lambda: orthogonal_mcc_band(np.eye(2), np.eye(3)), "B has 3 columns"),
    (lambda: reproducibility(np.eye(3), np.eye(3), alive_a=[1, 0, 1]), "alive_a"),
    (lambda: reproducibility(np.eye(3), np.eye(3), alive_b=np.ones(2, bool)), "alive_b"),
])
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()
