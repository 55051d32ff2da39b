"""Grouped facts: facts in k groups share a group direction; 2^k truth-like combinations.

The structured version of `onehot_facts`: fact ``j`` of group ``g`` is stored as
``s_g (w_g + eta xi_j)``, a shared group direction ``w_g`` plus a small fact-specific part
``xi_j`` orthogonal to every group direction. A direction ``W c / sqrt(k)`` with
``c`` in ``{-1, +1}^k`` gives every fact the same margin ``1/sqrt(k)``, so each of the
``2^k`` sign combinations is a maximally confident and perfectly consistent probe; only
``c = s`` is the truth (Farquhar et al. 2023, arXiv 2312.10029, Section 4).
"""

from __future__ import annotations

import numpy as np

from floor.validation import (
    check_choice,
    check_int,
    check_interval,
    check_positive_float,
)
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.onehot_facts import (
    FACT_SUBSETS,
    balanced_fact_index,
    draw_first_true_fraction,
    draw_labels,
)
from generators.seeding import SeedLike, split_rng, structure_rng


def _grouped_partition(srng, n_groups, per_group, heldout_fraction):
    """Train / held-out facts, split inside every group so each group appears in both."""
    frac = check_interval(heldout_fraction, "heldout_fraction", 0.0, 1.0, low_open=True,
                          high_open=True)
    n_held = min(max(int(round(frac * per_group)), 1), per_group - 1) if per_group > 1 else 0
    train, held = [], []
    for g in range(n_groups):
        perm = g * per_group + srng.permutation(per_group)
        held.extend(perm[:n_held])
        train.extend(perm[n_held:])
    return np.sort(np.array(train, dtype=np.int64)), np.sort(np.array(held, dtype=np.int64))


def _fact_vectors(srng, W, per_group, eta):
    """Rows ``w_g + eta xi_j`` with unit ``xi_j`` orthogonal to every group direction."""
    D, k = W.shape
    xi = srng.standard_normal((k * per_group, D))
    xi -= (xi @ W) @ W.T
    norms = np.linalg.norm(xi, axis=1, keepdims=True)
    xi = np.divide(xi, norms, out=np.zeros_like(xi), where=norms > 0)
    return np.repeat(W.T, per_group, axis=0) + eta * xi


def make_grouped_facts(
    n_pairs: int = 640,
    n_groups: int = 8,
    facts_per_group: int = 8,
    n_features: int = 64,
    within_group_noise: float = 0.25,
    noise: float = 0.01,
    first_true_fraction: float | None = None,
    facts: str = "all",
    heldout_fraction: float = 0.5,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Contrast pairs of facts organised in ``k`` groups sharing a direction per group.

    Structure (shared by all splits): orthonormal group directions ``W = [w_1 .. w_k]``
    (n_features, k), group signs ``s ~ Uniform{-1, +1}^k``, and for every fact ``j`` of
    group ``g(j)`` a unit ``xi_j`` orthogonal to all of ``W``; the true statement of fact
    ``j`` is ``t_j = s_g (w_g + eta xi_j)`` with ``eta = within_group_noise``, its negation
    ``-t_j``. Samples: as in `make_onehot_facts`, ``X_pos_j = (2 y_j - 1) t_{i_j} + noise eps``,
    ``X_neg_j = -(2 y_j - 1) t_{i_j} + noise eps'``.

    The true direction is ``u = W s / sqrt(k)``: ``u^T t_j = 1/sqrt(k) > 0`` for every fact,
    so ``y_j = 1`` iff ``u^T (X_pos_j - X_neg_j) > 0`` on noiseless pairs. The ``2^k``
    truth-like directions are ``W c / sqrt(k)``; pattern ``c`` calls every pair of group
    ``g`` correctly iff ``c_g = s_g``. (Directions using the fact-specific parts ``xi`` are
    consistent too but have margin at most about ``eta`` on the facts they rely on, so at a
    given norm they are less confident while ``eta < 1``.)

    Held-out facts: ``facts="train"`` / ``"heldout"`` restrict pairs to one part of a fixed
    partition of the facts made inside every group (``heldout_fraction`` of each group's
    facts held out), so held-out facts are new facts of the same groups and a direction
    found on the train facts transfers to them.

    Parameters
    ----------
    n_pairs : int, default=640
        Pairs in this split (>= 2).
    n_groups : int, default=8
        ``k`` (>= 1); there are ``2^k`` truth-like directions.
    facts_per_group : int, default=8
        Facts per group (>= 1; >= 2 for ``facts != "all"``).
    n_features : int, default=64
        Ambient dimension (> n_groups when ``within_group_noise > 0``, else >= n_groups).
    within_group_noise : float, default=0.25
        ``eta`` (>= 0): norm of each fact's own part relative to its group direction.
    noise : float, default=0.01
        Standard deviation of the isotropic per-sample Gaussian noise (>= 0).
    first_true_fraction : float or None, default=None
        Probability that the first member is true; None draws it per split from U(0.3, 0.7).
    facts : {"all", "train", "heldout"}, default="all"
        Which facts this split's pairs are about.
    heldout_fraction : float, default=0.5
        Fraction of each group's facts in the held-out part, in (0, 1).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X_pos``, ``X_neg`` (n_pairs, n_features), ``y`` (n_pairs,). ``ground_truth``:
        ``true_direction`` (n_features,) unit ``W s / sqrt(k)``; ``group_directions``
        (k, n_features) the rows ``w_g``; ``group_signs`` (k,); ``fact_directions``
        (n_facts, n_features) unsigned ``w_g + eta xi_j``; ``fact_group`` (n_facts,);
        ``fact_index``, ``group_index`` (n_pairs,); ``group_counts`` (k,) pairs per group in
        this split (weights of the random-truth-like distribution); ``train_facts``,
        ``heldout_facts``; ``n_truthlike_directions`` ``2**k``, ``log2_truthlike`` ``k``;
        ``first_true_fraction``; ``true_direction_accuracy`` on this split.
    """
    n = check_int(n_pairs, "n_pairs", 2)
    k = check_int(n_groups, "n_groups", 1)
    m = check_int(facts_per_group, "facts_per_group", 1)
    eta = check_positive_float(within_group_noise, "within_group_noise", allow_zero=True)
    D = check_int(n_features, "n_features", k + 1 if eta > 0 else k)
    sigma = check_positive_float(noise, "noise", allow_zero=True)
    check_choice(facts, "facts", FACT_SUBSETS)
    if facts != "all" and m < 2:
        raise ValueError(f"facts={facts!r} needs facts_per_group >= 2, got {m}")

    srng = structure_rng(random_state)
    signs = srng.choice(np.array([-1.0, 1.0]), size=k)
    train, held = _grouped_partition(srng, k, m, heldout_fraction)
    W = random_orthonormal(srng, D, k)
    fact_vecs = _fact_vectors(srng, W, m, eta)
    fact_group = np.repeat(np.arange(k), m)
    true_dir = W @ signs / np.sqrt(k)
    chosen = {"all": np.arange(k * m), "train": train, "heldout": held}[facts]

    rng = split_rng(random_state, split)
    q = draw_first_true_fraction(rng, first_true_fraction)
    idx = balanced_fact_index(rng, chosen, n)
    y = draw_labels(rng, n, q)
    grp = fact_group[idx]
    true_members = signs[grp, None] * fact_vecs[idx]
    side = (2 * y - 1)[:, None]
    X_pos = side * true_members + sigma * rng.standard_normal((n, D))
    X_neg = -side * true_members + sigma * rng.standard_normal((n, D))

    truth = {
        "true_direction": true_dir,
        "group_directions": np.ascontiguousarray(W.T),
        "group_signs": signs,
        "fact_directions": fact_vecs,
        "fact_group": fact_group,
        "fact_index": idx,
        "group_index": grp,
        "group_counts": np.bincount(grp, minlength=k),
        "train_facts": train,
        "heldout_facts": held,
        "n_truthlike_directions": 2**k,
        "log2_truthlike": float(k),
        "first_true_fraction": q,
        "true_direction_accuracy": float(np.mean(((X_pos - X_neg) @ true_dir > 0) == (y == 1))),
    }
    params = dict(n_pairs=n, n_groups=k, facts_per_group=m, n_features=D,
                  within_group_noise=eta, noise=sigma, first_true_fraction=first_true_fraction,
                  facts=facts, heldout_fraction=float(heldout_fraction),
                  random_state=repr(random_state), split=split)
    return Dataset("grouped_facts", y=y, X_pos=X_pos, X_neg=X_neg,
                   ground_truth=truth, params=params)
