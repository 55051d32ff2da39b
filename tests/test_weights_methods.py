"""The weight-direction methods: what they return, their counting rules, their refusals."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from floor.validation import NotFittedError
from generators.planted_weights import make_planted_weights
from methods.weights.random_directions import RandomDirections
from methods.weights.sparse_directions import SparseDictionaryDirections
from methods.weights.svd_directions import SVDDirections, largest_gap_count, variance_count
from metrics.weight_spectrum import matched_pair_cosines


@pytest.fixture(scope="module")
def spikes():
    return make_planted_weights(random_state=0)  # ratios 0.5, 0.8, 2, 3, 4: 3 detectable


def test_svd_returns_the_ranked_singular_triplets(spikes):
    est = SVDDirections(rule="mp_edge").fit(spikes.X)
    U, s, Vt = np.linalg.svd(spikes.X, full_matrices=False)
    np.testing.assert_allclose(est.strengths_, s)
    np.testing.assert_allclose(np.abs(np.sum(est.components_ * Vt, axis=1)), 1.0, atol=1e-10)
    np.testing.assert_allclose(np.abs(np.sum(est.write_directions_ * U.T, axis=1)), 1.0,
                               atol=1e-10)
    np.testing.assert_allclose(est.transform(spikes.X), spikes.X @ est.components_.T)
    assert est.n_directions_ == 3  # the three pairs above the BBP threshold
    assert est.noise_std_ == pytest.approx(spikes.ground_truth["noise_entry_std"], rel=0.1)
    w, r = est.claimed()
    assert w.shape == (3, 64) and r.shape == (3, 48)


def test_known_noise_and_bare_edge(spikes):
    tau = spikes.ground_truth["noise_entry_std"]
    est = SVDDirections(rule="mp_edge", noise_std=tau, edge_quantile=None).fit(spikes.X)
    assert est.cut_ == pytest.approx(spikes.ground_truth["mp_edge"])
    assert est.n_directions_ == 3


def test_counting_rules_on_hand_built_spectra():
    assert largest_gap_count(np.array([10.0, 9.0, 3.0, 2.9, 2.8, 2.7, 0.1, 0.01])) == 2
    # Ratios in the bottom half (0.1 / 0.01) are not looked at.
    assert largest_gap_count(np.array([5.0, 4.0, 3.9, 3.8, 0.1, 0.001])) == 1
    assert variance_count(np.array([3.0, 1.0, 1.0]), 0.9) == 2  # 9/11 < 0.9 <= 10/11
    assert variance_count(np.array([3.0, 1.0, 1.0]), 0.95) == 3
    assert variance_count(np.array([3.0, 1.0, 0.0]), 0.9) == 1
    assert variance_count(np.array([3.0, 1.0, 0.0]), 1.0) == 2


def test_gap_rule_claims_structure_in_pure_noise_mp_edge_does_not():
    """On 100 pure-noise 64 x 48 matrices: the elbow always claims something and 90% of the
    norm takes over 20 directions; the MP edge with its Tracy-Widom 0.99 margin claims a
    direction on a few: measured 4.3% of 300 seeds with the noise estimated from the median
    singular value (its error moves the cut), 0.7% with the true noise level."""
    claims = {"gap": [], "variance": [], "mp_edge": [], "known": []}
    with threadpool_limits(1):
        for seed in range(100):
            ds = make_planted_weights(strength_ratios=(), random_state=seed)
            for rule in ("gap", "variance", "mp_edge"):
                claims[rule].append(SVDDirections(rule=rule).fit(ds.X).n_directions_)
            tau = ds.ground_truth["noise_entry_std"]
            claims["known"].append(
                SVDDirections(rule="mp_edge", noise_std=tau).fit(ds.X).n_directions_)
    assert min(claims["gap"]) >= 1
    assert min(claims["variance"]) > 20
    assert np.mean(np.array(claims["mp_edge"]) > 0) <= 0.1
    assert np.mean(np.array(claims["known"]) > 0) <= 0.03


def test_sparse_dictionary_recovers_pairs_beyond_the_rank():
    """16 sparse-read pairs in a 8 x 64 matrix (rank 8): the dictionary's pairs match them far
    better than the singular vectors, which can hold at most 8."""
    ds = make_planted_weights(d_out=8, d_in=64, strength_ratios=(4.0,) * 16, orthogonal=False,
                              read_support=2, random_state=4)
    gt = ds.ground_truth
    est = SparseDictionaryDirections(random_state=0).fit(ds.X)
    assert est.components_.shape == (16, 64) and est.write_directions_.shape == (16, 8)
    assert np.all(np.diff(est.strengths_) <= 0)
    cu, cv = matched_pair_cosines(est.write_directions_, est.components_,
                                  gt["write_directions"], gt["read_directions"])
    svd = SVDDirections().fit(ds.X)
    su, sv = matched_pair_cosines(svd.write_directions_, svd.components_,
                                  gt["write_directions"], gt["read_directions"])
    assert np.mean((cu + cv) / 2) > 0.8
    assert np.mean((cu + cv) / 2) > np.mean((su + sv) / 2) + 0.3
    # With the true noise level, pairs stronger than the noise edge are claimed.
    known = SparseDictionaryDirections(noise_std=gt["noise_entry_std"], random_state=0)
    assert known.fit(ds.X).n_directions_ > 0


def test_sparse_dictionary_on_tall_matrix_uses_rows():
    X = make_planted_weights(d_out=20, d_in=8, strength_ratios=(3.0,), random_state=5).X
    est = SparseDictionaryDirections(n_components=4, max_iter=5, random_state=0).fit(X)
    assert est.components_.shape == (4, 8) and est.write_directions_.shape == (4, 20)


def test_random_directions_are_unit_and_seeded(spikes):
    a = RandomDirections(random_state=1).fit(spikes.X)
    b = RandomDirections(random_state=1).fit(spikes.X)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_allclose(np.linalg.norm(a.components_, axis=1), 1.0)
    assert a.n_directions_ == 48
    assert RandomDirections(n_directions=2, random_state=0).fit(spikes.X).n_directions_ == 2


@pytest.mark.parametrize("est, match", [
    (SVDDirections(rule="elbow"), "rule"),
    (SVDDirections(variance_fraction=0.0), "variance_fraction"),
    (SVDDirections(rule="mp_edge", edge_quantile=0.5), "edge_quantile"),
    (SVDDirections(rule="mp_edge", noise_std=-1.0), "noise_std"),
    (SparseDictionaryDirections(alpha=0.0), "alpha"),
    (SparseDictionaryDirections(n_components=0), "n_components"),
    (RandomDirections(n_directions=-1), "n_directions"),
])
def test_bad_hyperparameters_are_refused_at_fit(spikes, est, match):
    with pytest.raises(ValueError, match=match):
        est.fit(spikes.X)


def test_bad_inputs_and_not_fitted(spikes):
    with pytest.raises(ValueError, match="NaN"):
        SVDDirections().fit(np.full((4, 3), np.nan))
    with pytest.raises(ValueError, match="2-D"):
        SVDDirections().fit(np.ones(5))
    with pytest.raises(NotFittedError):
        SVDDirections().transform(spikes.X)
    est = SVDDirections().fit(spikes.X)
    with pytest.raises(ValueError, match="expecting 48 features"):
        est.transform(np.ones((2, 5)))
    with pytest.raises(ValueError, match="zeros"):
        SparseDictionaryDirections().fit(np.zeros((4, 6)))


def test_clone_keeps_hyperparameters():
    est = clone(SVDDirections(rule="variance", variance_fraction=0.5))
    assert est.get_params()["variance_fraction"] == 0.5
    assert clone(SparseDictionaryDirections(alpha=0.3)).alpha == 0.3
