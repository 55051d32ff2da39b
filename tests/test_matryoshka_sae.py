"""Tests of `methods.sparse.matryoshka_sae.MatryoshkaSAE`: nested-loss gradients, one group
is BatchTopK, group sizes, recovery (and why the nested default falls short), errors."""

import numpy as np
import pytest

from methods.sparse.batchtopk_sae import BatchTopKSAE, _BatchTopKModel
from methods.sparse.matryoshka_sae import MatryoshkaSAE
from methods.sparse.sae_training import augment_with_ones
from tests.sae_helpers import MCC_MIN, QUICK_BUDGET, quick_planted, scores, unit_rows

QUICK_MATRYOSHKA = dict(QUICK_BUDGET, k=5)


def test_matryoshka_nested_loss_is_sum_of_prefix_losses():
    # (The gradient of the nested loss is checked against finite differences in
    # tests/test_batchtopk_sae.py, which owns the shared model.)
    rng = np.random.default_rng(0)
    m, d, B, k, prefixes = 9, 5, 6, 2, (2, 5, 9)
    args = (unit_rows(rng, m, d), rng.standard_normal((m, d)), 0.3 * rng.standard_normal(m),
            0.1 * rng.standard_normal(d), B, k)
    X_aug = augment_with_ones(rng.standard_normal((B, d)), np.float64)
    model = _BatchTopKModel(*args, prefixes, np.float64)
    model.load_batch(X_aug, np.arange(B))
    loss = model.loss_and_grad()
    rows, cols, z = model.codes()
    Z = np.zeros((B, m))
    Z[rows, cols] = z
    X = X_aug[:, :d]
    expected = sum(((X - Z[:, :p] @ model.dec[:p] - model.b_dec) ** 2).sum() / B
                   for p in prefixes)
    assert loss == pytest.approx(expected, rel=1e-12)


def test_matryoshka_with_one_group_is_batchtopk():
    X = quick_planted(1)[0].X[:2000]
    kw = dict(k=3, batch_size=256, n_steps=40, random_state=5)
    ref = BatchTopKSAE(24, **kw).fit(X)
    for groups in [(1.0,), (24,)]:
        est = MatryoshkaSAE(24, group_sizes=groups, **kw).fit(X)
        assert est.prefixes_ == (24,)
        np.testing.assert_array_equal(est.components_, ref.components_)
        np.testing.assert_array_equal(est.loss_curve_, ref.loss_curve_)
        assert est.threshold_ == ref.threshold_


@pytest.mark.parametrize(
    "m, groups, prefixes",
    [
        (64, (0.25, 0.25, 0.5), (16, 32, 64)),
        (64, (8, 8, 48), (8, 16, 64)),
        (10, (0.5, 0.5), (5, 10)),
        (1, (0.25, 0.25, 0.5), (1,)),  # equal prefixes of a tiny dictionary are merged
        (3, [0.25, 0.25, 0.5], (1, 2, 3)),
    ],
)
def test_matryoshka_prefixes(m, groups, prefixes):
    X = np.random.default_rng(0).standard_normal((30, 4))
    est = MatryoshkaSAE(m, group_sizes=groups, k=1, batch_size=8, n_steps=3,
                        random_state=0).fit(X)
    assert est.prefixes_ == prefixes


@pytest.fixture(scope="module")
def quick():
    train, heldout = quick_planted(0)
    return MatryoshkaSAE(**QUICK_MATRYOSHKA, random_state=0).fit(train.X), heldout


@pytest.mark.xfail(strict=True, reason=(
    "On the quick planted data (64 independent features of nearly equal frequency, no "
    "hierarchy) the nested loss makes the first latents blend several features to cover "
    "for the missing ones, and the last group is trained by one prefix only: MCC 0.73-0.75 "
    "at the quick budget, 0.77-0.79 at 4x the steps (see MatryoshkaSAE's Notes)"))
def test_matryoshka_recovers_quick_planted_features(quick):
    est, heldout = quick
    assert scores(est, heldout)["mcc"] >= MCC_MIN


def test_matryoshka_quick_fit_matches_its_diagnosis(quick):
    """What the Notes state: inference L0 about k; the first group's atoms lean towards the
    data mean more than the planted features do; the last group is matched worst."""
    est, heldout = quick
    s = scores(est, heldout)
    assert abs(s["l0"] - 5) < 0.75 and 0.6 < s["mcc"] < MCC_MIN, s
    F = heldout.ground_truth["features"]
    A = est.components_
    best = np.abs(A @ F.T).max(axis=1)
    assert best[32:].mean() < best[:32].mean() - 0.1
    mu = heldout.X.mean(0) / np.linalg.norm(heldout.X.mean(0))
    assert np.abs(A[:16] @ mu).mean() > np.abs(A[32:] @ mu).mean()


@pytest.mark.parametrize(
    "groups",
    [(), (0.5, 0.6), (10, 20), (32, 32.0), (0.0, 1.0), (-0.5, 1.5), (True, 63), "abc",
     (float("nan"), 1.0), (0, 64)],
)
def test_matryoshka_rejects_bad_group_sizes(groups):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match="group_sizes"):
        MatryoshkaSAE(64, group_sizes=groups, k=1, n_steps=2).fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_components=0), "n_components"),
        (dict(k=5), "k must be <= n_components=2"),
        (dict(n_steps=0), "n_steps"),
        (dict(learning_rate=0.0), "learning_rate"),
    ],
)
def test_matryoshka_rejects_bad_hyperparameters(params, match):
    X = np.random.default_rng(0).standard_normal((20, 3))
    with pytest.raises(ValueError, match=match):
        MatryoshkaSAE(**{"n_components": 2, "k": 1, "n_steps": 2, **params}).fit(X)
