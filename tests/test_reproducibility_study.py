"""The reproducibility study (tiny profiles) and the ``init_components`` start it relies on."""

import numpy as np
import pytest
from sklearn.base import clone

from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.frozen_sae import FrozenSAE
from methods.sparse.gated_sae import GatedSAE
from methods.sparse.jumprelu_sae import JumpReluSAE
from methods.sparse.matching_pursuit_sae import MatchingPursuitSAE
from methods.sparse.matryoshka_sae import MatryoshkaSAE
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.topk_sae import TopKSAE

SAES = (ReluSAE, TopKSAE, BatchTopKSAE, MatryoshkaSAE, JumpReluSAE, GatedSAE,
        MatchingPursuitSAE, FrozenSAE)
# float32 training: a unit row cast to float32 is within a few float32 ulps of the float64
# one (eps32 = 1.2e-7).
FLOAT32_ROW = 1e-6


def _tiny(cls, **kw):
    k = {"k": 1} if "k" in cls().get_params() else {}
    return cls(n_components=4, n_steps=1, batch_size=8, **k, **kw)


def _data(n=64, d=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def _start(d=3, m=4, seed=1):
    return 3.0 * np.random.default_rng(seed).standard_normal((m, d))


# --- the init_components hyperparameter of every numpy SAE ---------------------------------


@pytest.mark.parametrize("cls", SAES, ids=lambda c: c.__name__)
def test_init_components_is_the_start(cls):
    # A learning rate far below float32's resolution of a unit row: one step leaves the
    # decoder where it started, the given rows scaled to unit norm.
    W = _start()
    est = _tiny(cls, init_components=W, learning_rate=1e-12, random_state=0).fit(_data())
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    assert np.allclose(est.components_, unit, atol=FLOAT32_ROW)
    assert "init_components" in est.get_params()
    assert np.array_equal(clone(est).get_params()["init_components"], W)


def test_frozen_decoder_keeps_the_given_rows_exactly():
    W = _start(d=5, m=6)
    est = FrozenSAE(6, k=2, n_steps=20, batch_size=16, init_components=W,
                    random_state=3).fit(_data(d=5))
    unit = (W / np.linalg.norm(W, axis=1, keepdims=True)).astype(np.float32)
    assert np.array_equal(est.components_, unit.astype(np.float64))
    assert np.array_equal(est.initial_components_, est.components_)


def test_same_start_different_seeds_differ_only_in_training():
    W, X = _start(d=5, m=6), _data(n=256, d=5)
    a = FrozenSAE(6, k=2, frozen="encoder", n_steps=30, batch_size=16, init_components=W,
                  random_state=1).fit(X)
    b = clone(a).set_params(random_state=2).fit(X)
    assert np.array_equal(a.initial_components_, b.initial_components_)
    assert not np.array_equal(a.components_, b.components_)  # batch orders differ
    c = clone(a).fit(X)
    assert np.array_equal(a.components_, c.components_)  # same seed: bit-identical


def test_default_start_is_unchanged_by_the_mechanism():
    # init_components=None draws the random start from random_state exactly as before:
    # the frozen decoder is the rows random_unit_rows draws first from the seed.
    from methods.sparse.sae_training import random_unit_rows

    est = FrozenSAE(4, k=1, n_steps=1, batch_size=8, random_state=5).fit(_data())
    expected = random_unit_rows(np.random.default_rng(5), 4, 3, np.float32)
    assert np.array_equal(est.components_, expected.astype(np.float64))


@pytest.mark.parametrize("cls", SAES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 3)), r"shape \(n_components, n_features\) = \(4, 3\)"),
    (np.ones((4, 2)), r"shape \(n_components, n_features\) = \(4, 3\)"),
    (np.ones(12), "must be 2-D"),
    (np.vstack([np.ones((3, 3)), np.zeros((1, 3))]), r"rows of norm 0 \(rows \[3\]\)"),
    (np.full((4, 3), np.nan), "contains NaN"),
    ([["a", "b", "c"]] * 4, "numeric"),
])
def test_bad_init_components_is_named_before_training(cls, bad, match):
    est = _tiny(cls, init_components=bad)
    with pytest.raises(ValueError, match=f"init_components.*{match}|{match}.*"):
        est.fit(_data())
    assert not hasattr(est, "components_")
