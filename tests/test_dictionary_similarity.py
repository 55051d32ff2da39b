"""Dictionary similarity metrics on hand-built dictionaries with known answers."""

import numpy as np
import pytest

from metrics.dictionary_similarity import (
    abs_cosine_matrix,
    best_match,
    cross_mmcs,
    dead_fraction,
    dead_latents,
    latent_precision_recall,
    live_uniqueness,
    matched_mcc,
    mean_l0,
    mmcs,
    recovery_rate,
    uniqueness,
)

# Exact answers are computed in float64 from a handful of products; 1e-12 is far above
# their rounding (~1e-16 per operation) and far below any real disagreement.
EXACT = 1e-12

T = np.eye(4)  # four orthonormal truth features in d=4


def _random_rotation(d, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def test_perfect_dictionary_scores_one():
    truth = 3.0 * _random_rotation(6, 0)[:5]  # unnormalised rows: normalised inside
    for metric in (mmcs, recovery_rate, matched_mcc, uniqueness, live_uniqueness):
        assert metric(truth, truth) == pytest.approx(1.0, abs=EXACT), metric.__name__


def test_permuted_and_sign_flipped_dictionary_is_still_perfect():
    truth = _random_rotation(6, 1)
    atoms = 0.5 * truth[[3, 0, 5, 1, 4, 2]] * np.array([1, -1, -1, 1, -1, 1])[:, None]
    for metric in (mmcs, recovery_rate, matched_mcc, uniqueness, live_uniqueness):
        assert metric(atoms, truth) == pytest.approx(1.0, abs=EXACT), metric.__name__
    assert np.array_equal(best_match(atoms, truth), [3, 0, 5, 1, 4, 2])


def test_all_duplicate_dictionary_covers_one_truth_only():
    # Four copies of e_0 (two of them negated) against the basis e_0..e_3: truth 0 has
    # |cos| 1, truths 1-3 have 0. Each statistic has a closed form.
    atoms = np.array([[1.0, 0, 0, 0], [-2.0, 0, 0, 0], [3.0, 0, 0, 0], [-0.5, 0, 0, 0]])
    assert mmcs(atoms, T) == pytest.approx(0.25, abs=EXACT)
    assert recovery_rate(atoms, T) == pytest.approx(0.25, abs=EXACT)
    assert matched_mcc(atoms, T) == pytest.approx(0.25, abs=EXACT)  # one pair at 1, three at 0
    assert uniqueness(atoms, T) == pytest.approx(0.25, abs=EXACT)  # 1 distinct / 4 atoms
    assert live_uniqueness(atoms, T) == pytest.approx(0.25, abs=EXACT)  # all 4 are live


def test_duplicates_keep_mmcs_high_but_collapse_uniqueness():
    # The basis plus four copies of e_0: MMCS and recovery stay perfect, but only 4 of the
    # 8 atoms are distinct matches (uniqueness 0.5) and the one-to-one MCC is still 1
    # (four perfect pairs; the duplicates go unmatched).
    atoms = np.vstack([T, np.tile(T[:1], (4, 1))])
    assert mmcs(atoms, T) == pytest.approx(1.0, abs=EXACT)
    assert recovery_rate(atoms, T) == pytest.approx(1.0, abs=EXACT)
    assert matched_mcc(atoms, T) == pytest.approx(1.0, abs=EXACT)
    assert uniqueness(atoms, T) == pytest.approx(0.5, abs=EXACT)


def test_matched_mcc_is_one_to_one_where_mmcs_is_not():
    # Two atoms, both at 45 degrees between e_0 and e_1, plus a third exactly e_0.
    # MMCS: e_0 -> 1, e_1 -> 1/sqrt(2). Hungarian: e_0 <-> atom 2 (1), e_1 <-> a 45-degree
    # atom (1/sqrt(2)); mean over the two pairs.
    truth = T[:2]
    atoms = np.array([[1.0, 1, 0, 0], [1.0, 1, 0, 0], [1.0, 0, 0, 0]])
    expected = (1 + 1 / np.sqrt(2)) / 2
    assert mmcs(atoms, truth) == pytest.approx(expected, abs=EXACT)
    assert matched_mcc(atoms, truth) == pytest.approx(expected, abs=EXACT)
    # Swap the truth: now a single atom at 45 degrees must serve both truths.
    atoms2 = np.array([[1.0, 1, 0, 0], [0.0, 0, 1, 0]])
    assert mmcs(atoms2, truth) == pytest.approx(1 / np.sqrt(2), abs=EXACT)
    assert matched_mcc(atoms2, truth) == pytest.approx(1 / (2 * np.sqrt(2)), abs=EXACT)


def test_half_dead_dictionary():
    # The basis with two rows zeroed: dead rows never match in MMCS, recovery and MCC.
    # SynthSAEBench's uniqueness counts every atom and matches a zero row to truth 0 (the
    # first of its all-zero ties): matches (0, 0, 2, 0), 2 distinct / 4 atoms = 0.5. The
    # suite's live uniqueness counts the 2 live atoms: 2 distinct / 2 = 1.
    atoms = T.copy()
    atoms[[1, 3]] = 0.0
    assert mmcs(atoms, T) == pytest.approx(0.5, abs=EXACT)
    assert recovery_rate(atoms, T) == pytest.approx(0.5, abs=EXACT)
    assert matched_mcc(atoms, T) == pytest.approx(0.5, abs=EXACT)
    assert uniqueness(atoms, T) == pytest.approx(0.5, abs=EXACT)
    assert live_uniqueness(atoms, T) == pytest.approx(1.0, abs=EXACT)
    assert np.array_equal(best_match(atoms, T), [0, -1, 2, -1])
    assert uniqueness(np.zeros((3, 4)), T) == pytest.approx(1 / 3, abs=EXACT)  # all match 0
    assert live_uniqueness(np.zeros((3, 4)), T) == 0.0
    assert np.all(abs_cosine_matrix(atoms, T)[[1, 3]] == 0.0)


def test_live_uniqueness_respects_alive_mask():
    atoms = np.vstack([T, T[:2]])  # 6 atoms, 4 distinct truths
    assert live_uniqueness(atoms, T) == pytest.approx(4 / 6, abs=EXACT)
    alive = np.array([True, True, True, True, False, False])
    assert live_uniqueness(atoms, T, alive=alive) == pytest.approx(1.0, abs=EXACT)
    assert uniqueness(atoms, T) == pytest.approx(4 / 6, abs=EXACT)  # no mask: all atoms
    with pytest.raises(ValueError, match="alive"):
        live_uniqueness(atoms, T, alive=alive[:3])
    with pytest.raises(TypeError):
        uniqueness(atoms, T, alive)  # the field's uniqueness takes no mask


# A dictionary with a dead latent, and the answers by hand. Three features e_0, e_1, e_2 in
# d = 3; four rows (truth fires: {0}, {1}, {2}, {0, 1}). Latent 0 (atom e_0) fires on rows
# 0 and 3: precision 1, recall 1. Latent 1 (e_1) fires on row 1 only: precision 1, recall
# 1/2, F1 2/3. Latent 2 (e_2) fires on rows 0 and 2: precision 1/2, recall 1, F1 2/3.
# Latent 3 (0.9 e_0 + 0.1 e_1, matched to feature 0) never fires: dead; precision undefined,
# recall 0 (feature 0 fires twice), F1 undefined.
DEAD_T = np.eye(3)
DEAD_ATOMS = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.9, 0.1, 0]])
DEAD_TRUE_CODES = np.array([[1.0, 0, 0], [0, 0.5, 0], [0, 0, 2.0], [0.3, 0.7, 0]])
DEAD_CODES = np.array([[1.0, 0, 0.2, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0], [0.5, 0, 0, 0]])


def test_dead_latent_counts_in_the_fields_uniqueness_and_f1_only():
    alive = ~dead_latents(DEAD_CODES)
    assert np.array_equal(alive, [True, True, True, False])
    # Field: matches (0, 1, 2, 0): 3 distinct / 4 latents. Live: 3 distinct / 3 live.
    assert uniqueness(DEAD_ATOMS, DEAD_T) == pytest.approx(3 / 4, abs=EXACT)
    assert live_uniqueness(DEAD_ATOMS, DEAD_T, alive) == pytest.approx(1.0, abs=EXACT)
    out = latent_precision_recall(DEAD_CODES, DEAD_TRUE_CODES, DEAD_ATOMS, DEAD_T)
    np.testing.assert_allclose(out["precision"], [1, 1, 0.5, np.nan], atol=EXACT)
    np.testing.assert_allclose(out["recall"], [1, 0.5, 1, 0], atol=EXACT)
    np.testing.assert_allclose(out["f1"], [1, 2 / 3, 2 / 3, np.nan], atol=EXACT)
    # Field: NaN counts as 0, over all 4 latents. Live: NaN skipped.
    assert out["mean_precision"] == pytest.approx(2.5 / 4, abs=EXACT)
    assert out["live_mean_precision"] == pytest.approx(2.5 / 3, abs=EXACT)
    assert out["mean_f1"] == pytest.approx((1 + 4 / 3) / 4, abs=EXACT)  # 7/12
    assert out["live_mean_f1"] == pytest.approx((1 + 4 / 3) / 3, abs=EXACT)  # 7/9
    # The dead latent's recall is defined (0), so both recall means count it: 2.5 / 4.
    assert out["mean_recall"] == pytest.approx(2.5 / 4, abs=EXACT)
    assert out["live_mean_recall"] == pytest.approx(2.5 / 4, abs=EXACT)


def test_random_dictionary_scores_near_the_random_expectation():
    # 64 random unit atoms against 64 orthonormal truths in d=64: each |cos| is about
    # |N(0, 1/64)|, so the best of 64 is around 0.3 and recovery at 0.9 is 0.
    rng = np.random.default_rng(7)
    truth = _random_rotation(64, 2)
    atoms = rng.standard_normal((64, 64))
    assert 0.2 < mmcs(atoms, truth) < 0.45
    assert recovery_rate(atoms, truth) == 0.0
    assert matched_mcc(atoms, truth) < mmcs(atoms, truth)
    assert uniqueness(atoms, truth) < 1.0
    assert live_uniqueness(atoms, truth) == uniqueness(atoms, truth)  # no zero atom


def test_cross_mmcs_direction():
    small = T[:2]
    large = np.vstack([T, np.ones((1, 4))])
    # Every atom of the small dictionary reappears in the large one ...
    assert cross_mmcs(small, large) == pytest.approx(1.0, abs=EXACT)
    # ... but the large one's e_2, e_3 and (1,1,1,1)/2 do not appear in the small one.
    expected = (1 + 1 + 0 + 0 + 0.5) / 5
    assert cross_mmcs(large, small) == pytest.approx(expected, abs=EXACT)


def test_dead_fraction_and_l0():
    codes = np.array([[1.0, 0.0, 0.0, -2.0], [0.5, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 3.0]])
    assert dead_fraction(codes) == pytest.approx(0.5)
    assert np.array_equal(dead_latents(codes), [False, True, True, False])
    assert mean_l0(codes) == pytest.approx(4 / 3)
    assert mean_l0(codes, threshold=0.75) == pytest.approx(1.0)


def test_latent_precision_recall_on_known_firing():
    true_codes = np.array([[1.0, 0], [1.0, 0], [0, 1.0], [0, 0]])
    atoms = np.array([[2.0, 0], [0, -1.0], [1.0, 0.1], [0.0, 0.0]])
    codes = np.array([[1.0, 0, 0, 0], [0.0, 0, 1, 0], [1.0, 1, 0, 0], [0, 0, 0, 0]])
    out = latent_precision_recall(codes, true_codes, atoms, np.eye(2))
    assert np.array_equal(out["matched"], [0, 1, 0, -1])
    np.testing.assert_allclose(out["precision"][:3], [0.5, 1.0, 1.0])
    np.testing.assert_allclose(out["recall"][:3], [0.5, 1.0, 0.5])
    assert np.isnan(out["precision"][3])
    # Latent 3 is a zero atom that never fires: 0 in the field's mean over all 4 latents,
    # left out of the live mean.
    assert out["mean_precision"] == pytest.approx(2.5 / 4)
    assert out["live_mean_precision"] == pytest.approx(2.5 / 3)


@pytest.mark.parametrize("call, match", [
    (lambda: mmcs(np.ones((2, 3)), np.ones((2, 4))), "truth"),
    (lambda: mmcs(np.ones(3), np.ones((2, 3))), "atoms"),
    (lambda: mmcs(np.full((2, 3), np.nan), np.ones((2, 3))), "NaN"),
    (lambda: mean_l0(np.ones((0, 3))), "codes"),
])
def test_metrics_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
