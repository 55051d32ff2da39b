"""Tests of metrics/feature_mixing.py on hand-built dictionaries with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from metrics.feature_mixing import (
    feature_hedging,
    latent_mixing,
    nth_decoder_projection,
    partners_from_parent,
    pick_by_projection,
    within_fraction,
)

# Exact arithmetic on a handful of unit vectors: float64 rounding only.
TOL = 1e-12
R2 = np.sqrt(2.0)


def pairs(n_pairs):
    """Partner matrix of consecutive pairs (0, 1), (2, 3), ..."""
    n = 2 * n_pairs
    P = np.zeros((n, n), dtype=bool)
    for k in range(n_pairs):
        P[2 * k, 2 * k + 1] = P[2 * k + 1, 2 * k] = True
    return P


def random_units(rng, n, d):
    G = rng.standard_normal((n, d))
    return G / np.linalg.norm(G, axis=1, keepdims=True)


# --- mixing (per latent) ---------------------------------------------------------------------


def test_perfect_dictionary_has_zero_mixing_even_in_superposition():
    rng = np.random.default_rng(0)
    for F in (np.eye(6), random_units(rng, 12, 5)):  # orthonormal; 12 features in 5 dims
        P = pairs(F.shape[0] // 2)
        r = latent_mixing(F, F, P)
        assert r["mean_mixing"] == pytest.approx(0.0, abs=1e-10)
        np.testing.assert_array_equal(r["match"], np.arange(F.shape[0]))
        assert feature_hedging(F, F, P)["mean_hedging"] == pytest.approx(0.0, abs=1e-10)


def test_hand_mixed_latent_is_cos_45_degrees():
    F = np.eye(4)
    W = np.array([[1, 1, 0, 0]]) / R2
    r = latent_mixing(W, F, pairs(2))
    assert r["match"][0] == 0  # tie: the lower index
    assert r["mixing"][0] == pytest.approx(1 / R2, abs=TOL)
    np.testing.assert_allclose(r["components"][0], [0, 1 / R2, 0, 0], atol=TOL)


def test_mixing_of_a_mixed_pair_in_general_position_has_its_closed_form():
    # w = (f1 + f2)/||f1 + f2||: component on f2 after removing f1 is sqrt((1 - c)/2).
    for c in (-0.5, 0.0, 0.3, 0.8):
        f1 = np.array([1.0, 0.0, 0.0])
        f2 = np.array([c, np.sqrt(1 - c**2), 0.0])
        F = np.stack([f1, f2])
        w = (f1 + f2)[None] * 7.0  # any scale
        r = latent_mixing(w, F, pairs(1))
        assert r["mixing"][0] == pytest.approx(np.sqrt((1 - c) / 2), abs=1e-12)


def test_unequal_mixture_and_sign_flip():
    F = np.eye(3)
    a = 0.3
    w = np.array([[np.sqrt(1 - a**2), a, 0.0]])
    P = np.pad(pairs(1), ((0, 1), (0, 1)))  # f0-f1 partners, f2 alone
    r = latent_mixing(np.vstack([w, -w]), F, P)
    np.testing.assert_allclose(r["mixing"], [a, a], atol=TOL)
    # Signs are folded towards the tracked feature: both read +a on the partner.
    np.testing.assert_allclose(r["components"][:, 1], [a, a], atol=TOL)
    assert np.isnan(latent_mixing(F[[2]], F, P)["mixing"][0])  # f2 has no partner


def test_group_of_three_and_non_partners_do_not_count():
    F = np.eye(5)
    P = np.zeros((5, 5), dtype=bool)
    P[:3, :3] = True
    np.fill_diagonal(P, False)
    w = np.array([[1, 1, 1, 0, 0], [1, 0, 0, 1, 0]], dtype=float)
    r = latent_mixing(w, F, P)
    assert r["mixing"][0] == pytest.approx(np.sqrt(2 / 3), abs=TOL)
    np.testing.assert_allclose(r["components"][0], [0, 1, 1, 0, 0] / np.sqrt(3), atol=TOL)
    # Latent 1 tracks f0 and holds f3, which is not f0's partner: mixing 0.
    assert r["mixing"][1] == pytest.approx(0.0, abs=TOL)


def test_alive_mask_and_dead_rows_are_not_scored():
    F = np.eye(4)
    W = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]], dtype=float)
    r = latent_mixing(W, F, pairs(2), alive=np.array([False, True, True]))
    assert np.isnan(r["mixing"][0]) and r["mixing"][1] == pytest.approx(0.0)
    assert r["match"][2] == -1 and r["n_scored"] == 1


# --- hedging (per feature) ------------------------------------------------------------------


def test_merged_latent_hedges_both_features_of_its_pair():
    F = np.eye(4)
    W = np.array([[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], dtype=float)
    W[0] /= R2
    h = feature_hedging(W, F, pairs(2))
    np.testing.assert_array_equal(h["best_latent"], [0, 0, 1, 2])
    np.testing.assert_allclose(h["hedging"], [1 / R2, 1 / R2, 0, 0], atol=TOL)
    assert h["mean_hedging"] == pytest.approx((2 / R2) / 4, abs=TOL)
    np.testing.assert_allclose(h["best_cos"], [1 / R2, 1 / R2, 1, 1], atol=TOL)


def test_a_feature_read_through_its_partners_latent_hedges_fully():
    F = np.eye(2)
    h = feature_hedging(F[[0]], F, pairs(1))  # one latent = f0
    np.testing.assert_allclose(h["hedging"], [0.0, 1.0], atol=TOL)


def test_partners_from_parent():
    P = partners_from_parent(np.array([-1, -1, 0, 0, 1]))
    expected = np.zeros((5, 5), dtype=bool)
    for c, p in ((2, 0), (3, 0), (4, 1)):
        expected[c, p] = expected[p, c] = True
    np.testing.assert_array_equal(P, expected)


# --- the n-th decoder projection ------------------------------------------------------------


def reference_s_n(X, W, b, n):
    """The reference definition, written out: sort descending, take index n * B."""
    H = (X - b) @ W.T
    return np.sort(H.ravel())[::-1][n * X.shape[0]]


def test_nth_decoder_projection_matches_the_sorted_definition():
    rng = np.random.default_rng(1)
    X, W, b = rng.standard_normal((37, 5)), rng.standard_normal((9, 5)), rng.standard_normal(5)
    for n in range(9):
        assert nth_decoder_projection(X, W, b, n) == reference_s_n(X, W, b, n)


def test_proxy_prefers_the_clean_dictionary_on_one_hot_inputs():
    # Each input is one feature at magnitude 1. A clean dictionary projects it onto one
    # latent (1) and the rest at 0: s_1 = 0. A dictionary of mixed pairs (e_i + e_i+1)/sqrt2
    # projects every input onto two latents at 1/sqrt2: s_1 = 1/sqrt2.
    X = np.eye(6)
    clean = np.eye(6)
    mixed = (np.eye(6) + np.roll(np.eye(6), 1, axis=1)) / R2
    b = np.zeros(6)
    assert nth_decoder_projection(X, clean, b, 0) == pytest.approx(1.0)
    assert nth_decoder_projection(X, clean, b, 1) == pytest.approx(0.0)
    assert nth_decoder_projection(X, mixed, b, 1) == pytest.approx(1 / R2)
    pick = pick_by_projection([1.0, 2.0], [nth_decoder_projection(X, W, b, 1)
                                           for W in (mixed, clean)])
    assert pick["index"] == 1 and pick["l0"] == 2.0


def test_decoder_bias_is_subtracted():
    X = np.ones((3, 2))
    assert nth_decoder_projection(X, np.eye(2), np.ones(2), 0) == 0.0


def test_pick_ties_and_within_fraction():
    assert pick_by_projection([1, 2, 3], [0.5, 0.2, 0.2])["index"] == 1
    assert within_fraction(1.2, 1.0) and within_fraction(0.8, 1.0)
    assert not within_fraction(1.21, 1.0) and not within_fraction(0.79, 1.0)
    with pytest.raises(ValueError, match="true"):
        within_fraction(1.0, 0.0)


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda: latent_mixing(np.eye(2), np.eye(2), np.ones((3, 3), bool)), "partners"),
    (lambda: latent_mixing(np.eye(2), np.eye(2), np.eye(2, dtype=bool)), "partners"),
    (lambda: latent_mixing(np.eye(2), np.eye(3), pairs(1)), "truth"),
    (lambda: latent_mixing(np.full((2, 2), np.nan), np.eye(2), pairs(1)), "atoms"),
    (lambda: latent_mixing(np.eye(2), np.eye(2), pairs(1), alive=[1, 0]), "alive"),
    (lambda: feature_hedging(np.eye(2), np.zeros((2, 2)), pairs(1)), "truth"),
    (lambda: nth_decoder_projection(np.eye(2), np.eye(2), np.zeros(2), 2), "n"),
    (lambda: nth_decoder_projection(np.eye(2), np.eye(2), np.zeros(3), 0), "decoder_bias"),
    (lambda: nth_decoder_projection(np.eye(2), np.eye(3), np.zeros(2), 0), "atoms"),
    (lambda: nth_decoder_projection(np.eye(2), np.eye(2), np.zeros(2), 1.0), "n"),
    (lambda: pick_by_projection([1, 2], [1.0]), "projections"),
    (lambda: partners_from_parent(np.array([0.5])), "parent"),
])
def test_errors_name_the_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()
