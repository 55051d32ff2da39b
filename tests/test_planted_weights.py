"""The planted-weights generator: purity, structure, ground truth, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from floor.validation import InvalidArgumentError
from generators.planted_weights import make_planted_weights


def test_pure_function_of_params_and_seed_and_splits_share_structure():
    a = make_planted_weights(random_state=7)
    b = make_planted_weights(random_state=7)
    c = make_planted_weights(random_state=7, split=1)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.allclose(a.X, c.X)
    for key in ("write_directions", "read_directions", "strengths"):
        np.testing.assert_array_equal(a.ground_truth[key], c.ground_truth[key])
    assert not np.allclose(a.X, make_planted_weights(random_state=8).X)


def test_orthonormal_pairs_sorted_strengths_and_noise_scale():
    ds = make_planted_weights(d_out=64, d_in=48, strength_ratios=(2.0, 4.0, 0.5),
                              noise=2.0, random_state=0)
    gt = ds.ground_truth
    U, V, s = gt["write_directions"], gt["read_directions"], gt["strengths"]
    assert ds.X.shape == (64, 48) and U.shape == (3, 64) and V.shape == (3, 48)
    np.testing.assert_allclose(U @ U.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(V @ V.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(gt["strength_ratios"], [4.0, 2.0, 0.5])
    tau = 2.0 / math.sqrt(48)
    assert gt["noise_entry_std"] == pytest.approx(tau)
    assert gt["bbp_threshold"] == pytest.approx(tau * (64 * 48) ** 0.25)
    assert gt["mp_edge"] == pytest.approx(tau * (8 + math.sqrt(48)))
    np.testing.assert_allclose(s, gt["strength_ratios"] * gt["bbp_threshold"])
    assert gt["n_detectable"] == 2 and gt["n_pairs"] == 3 and not gt["superposition"]
    # The residual after removing the planted part is the noise: entry std tau.
    E = ds.X - (U.T * s) @ V
    assert E.std() == pytest.approx(tau, rel=0.05)
    assert abs(E.mean()) < 4 * tau / math.sqrt(E.size)
    # The predicted overlaps: zero below the threshold, in (0, 1) above.
    assert gt["predicted_write_overlap"][2] == 0.0
    assert 0.8 < gt["predicted_write_overlap"][0] < 1.0
    assert set(ds.facts()) >= {"mp_edge", "bbp_threshold", "n_detectable", "noise_entry_std"}


def test_superposition_with_sparse_reads():
    ds = make_planted_weights(d_out=8, d_in=64, strength_ratios=(3.0,) * 16, orthogonal=False,
                              read_support=4, random_state=1)
    gt = ds.ground_truth
    V = gt["read_directions"]
    assert gt["superposition"] and gt["rank_limit"] == 8 and gt["n_pairs"] == 16
    assert np.all((V != 0).sum(axis=1) == 4)
    np.testing.assert_allclose(np.linalg.norm(V, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(gt["write_directions"], axis=1), 1.0)
    assert np.all(np.isnan(gt["predicted_write_overlap"]))
    assert np.linalg.matrix_rank(ds.X) == 8


def test_pure_noise():
    ds = make_planted_weights(strength_ratios=(), random_state=2)
    gt = ds.ground_truth
    assert gt["n_pairs"] == 0 and gt["n_detectable"] == 0
    assert gt["write_directions"].shape == (0, 64) and gt["read_directions"].shape == (0, 48)
    assert ds.X.std() == pytest.approx(gt["noise_entry_std"], rel=0.05)


@pytest.mark.parametrize("kwargs, match", [
    (dict(strength_ratios=(1.0,) * 49), "at most min"),
    (dict(strength_ratios=(-1.0,)), "strength_ratios must be >= 0"),
    (dict(strength_ratios=((1.0, 2.0),)), "flat sequence"),
    (dict(read_support=3), "read_support needs orthogonal=False"),
    (dict(orthogonal=False, read_support=100), "read_support must be <= d_in"),
    (dict(noise=0.0), "noise"),
    (dict(d_out=1), "d_out"),
])
def test_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_planted_weights(**kwargs)


def test_refuses_wrong_types():
    with pytest.raises(InvalidArgumentError):
        make_planted_weights(d_in=48.0)
    with pytest.raises(InvalidArgumentError):
        make_planted_weights(orthogonal=1)
