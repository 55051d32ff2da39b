"""+-one-hot facts: every sign pattern is a perfect truth-like direction.

Fact ``i`` is stored as the one-hot vector ``s_i e_i`` and its negation as ``-s_i e_i``.
Any ``c`` in ``{-1, +1}^d`` then scores one member of every pair positive and the other
negative, so ``sigmoid(alpha c^T x)`` is perfectly consistent and (as ``alpha`` grows)
perfectly confident: ``2^d`` minimisers of the CCS loss, exactly one of which (``c = s``)
agrees with the truth on every pair (Farquhar et al. 2023, arXiv 2312.10029, Thm 1 and
Section 4.1). An unsupervised method has nothing in the data to prefer ``s``.

The helpers `draw_first_true_fraction`, `draw_labels` and `fact_subset` are shared by the
other generators of the truth family (`grouped_facts`, `single_truth`).
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
from generators.seeding import SeedLike, split_rng, structure_rng

# Range of the per-split fraction of pairs whose first member is true. Away from 1/2 on
# purpose: with exactly balanced labels per-side mean normalisation leaves the true
# pattern (alone) with a zero offset, a leak of the balance rather than of the truth.
FIRST_TRUE_RANGE = (0.3, 0.7)
FACT_SUBSETS = ("all", "train", "heldout")


def draw_first_true_fraction(rng: np.random.Generator, first_true_fraction) -> float:
    """``first_true_fraction`` checked, or drawn from U(FIRST_TRUE_RANGE) when None."""
    if first_true_fraction is None:
        return float(rng.uniform(*FIRST_TRUE_RANGE))
    return check_interval(first_true_fraction, "first_true_fraction", 0.0, 1.0)


def draw_labels(rng: np.random.Generator, n_pairs: int, q: float) -> np.ndarray:
    """``y_j ~ Bernoulli(q)`` i.i.d., int64: 1 when the first member of pair j is true."""
    return (rng.random(n_pairs) < q).astype(np.int64)


def fact_subset(
    srng: np.random.Generator, n_items: int, facts: str, heldout_fraction: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``range(n_items)`` into (train, heldout) once per dataset; return the chosen one.

    The permutation is drawn from the structure stream whatever ``facts`` is, so the
    partition (and every later structure draw) is the same for "all", "train" and "heldout".
    Returns ``(chosen, train, heldout)``, each sorted.
    """
    check_choice(facts, "facts", FACT_SUBSETS)
    frac = check_interval(heldout_fraction, "heldout_fraction", 0.0, 1.0, low_open=True,
                          high_open=True)
    perm = srng.permutation(n_items)
    n_held = min(max(int(round(frac * n_items)), 1), n_items - 1) if n_items > 1 else 0
    train, held = np.sort(perm[n_held:]), np.sort(perm[:n_held])
    if facts != "all" and n_items < 2:
        raise ValueError(f"facts={facts!r} needs at least 2 facts to split, got {n_items}")
    chosen = {"all": np.arange(n_items), "train": train, "heldout": held}[facts]
    return chosen, train, held


def balanced_fact_index(rng: np.random.Generator, chosen: np.ndarray, n_pairs: int) -> np.ndarray:
    """Each pair's fact: ``chosen`` cycled to ``n_pairs`` then shuffled (counts differ by <= 1)."""
    return rng.permutation(np.resize(chosen, n_pairs)).astype(np.int64)


def make_onehot_facts(
    n_pairs: int = 640,
    n_facts: int = 64,
    noise: float = 0.01,
    n_features: int | None = None,
    first_true_fraction: float | None = None,
    facts: str = "all",
    heldout_fraction: float = 0.5,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Contrast pairs of +-one-hot facts, optionally rotated into a larger space.

    Structure (shared by all splits): fact signs ``s ~ Uniform{-1, +1}^d``; a partition of
    the facts into train and held-out facts; if ``n_features > d`` a Haar-random
    ``Q`` (n_features, d) with orthonormal columns, else ``Q = I``. Fact ``i``'s true
    statement is ``t_i = s_i Q e_i``, its negation ``-t_i``.

    Samples of split ``split``: each pair gets a fact ``i_j`` (the chosen facts cycled and
    shuffled, so every fact appears ``floor`` or ``ceil(n_pairs / n_chosen)`` times), a label
    ``y_j ~ Bernoulli(q)`` with ``q`` drawn once per split from U(0.3, 0.7) unless given,
    and ``X_pos_j = (2 y_j - 1) t_{i_j} + noise eps``, ``X_neg_j = -(2 y_j - 1) t_{i_j} +
    noise eps'`` with independent standard Gaussian ``eps, eps'`` in ``R^n_features``.

    The true direction is the unit vector ``u = Q s / sqrt(d)``: it is the truth-like
    direction whose score ``u^T x`` is positive on the true member and negative on the
    false one of every noiseless pair, so ``y_j = 1`` iff ``u^T (X_pos_j - X_neg_j) > 0``.
    The other ``2^d - 1`` sign patterns ``u_c = Q c / sqrt(d)`` separate every pair just as
    cleanly (so are just as consistent and confident) but call pair ``j`` true iff
    ``c_{i_j} = s_{i_j}``: their accuracy is the fraction of pairs whose fact sign they match.

    Held-out facts: ``facts="train"`` / ``"heldout"`` draw pairs only from the train /
    held-out part of a fixed partition of the facts (``heldout_fraction`` of them held
    out), so ``make_onehot_facts(..., facts="heldout", split=1)`` is a held-out split whose
    facts are disjoint from those of ``facts="train", split=0``. Because one-hot facts are
    mutually orthogonal, nothing learnt on some facts says anything about the others:
    every method, supervised ones included, is at chance on disjoint facts.

    Parameters
    ----------
    n_pairs : int, default=640
        Pairs in this split (>= 2).
    n_facts : int, default=64
        Number of facts ``d`` (>= 1); there are ``2^d`` truth-like directions.
    noise : float, default=0.01
        Standard deviation of the isotropic Gaussian noise added to every member (>= 0).
        Low by default so that supervised probes reach accuracy 1.0 at ``d = 64``.
    n_features : int or None, default=None
        Ambient dimension (>= n_facts); None means ``n_facts`` (no rotation).
    first_true_fraction : float or None, default=None
        ``q``, the probability that the first member of a pair is the true one; None draws
        it per split from U(0.3, 0.7).
    facts : {"all", "train", "heldout"}, default="all"
        Which facts this split's pairs are about.
    heldout_fraction : float, default=0.5
        Fraction of facts in the held-out part of the partition, in (0, 1).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X_pos``, ``X_neg`` (n_pairs, n_features) float64, ``y`` (n_pairs,) int64.
        ``ground_truth``: ``true_direction`` (n_features,) unit ``Q s / sqrt(d)``;
        ``fact_directions`` (d, n_features) the rows ``Q e_i``; ``fact_signs`` (d,) ``s``;
        ``fact_index`` (n_pairs,) the fact of each pair; ``fact_counts`` (d,) pairs per fact
        in this split (the weights of the random-truth-like score distribution, see
        `metrics.truth_accuracy`); ``train_facts``, ``heldout_facts`` index arrays;
        ``n_truthlike_directions`` ``2**d`` (Python int, exact) and ``log2_truthlike`` ``d``;
        ``first_true_fraction`` ``q``; ``true_direction_accuracy`` the accuracy of
        ``sign(u^T (X_pos - X_neg))`` on this split (1.0 without noise).
    """
    n = check_int(n_pairs, "n_pairs", 2)
    d = check_int(n_facts, "n_facts", 1)
    sigma = check_positive_float(noise, "noise", allow_zero=True)
    D = d if n_features is None else check_int(n_features, "n_features", d)

    srng = structure_rng(random_state)
    signs = srng.choice(np.array([-1.0, 1.0]), size=d)
    chosen, train, held = fact_subset(srng, d, facts, heldout_fraction)
    Q = np.eye(d) if D == d else random_orthonormal(srng, D, d)
    fact_dirs = np.ascontiguousarray(Q.T)
    true_dir = Q @ signs / np.sqrt(d)

    rng = split_rng(random_state, split)
    q = draw_first_true_fraction(rng, first_true_fraction)
    idx = balanced_fact_index(rng, chosen, n)
    y = draw_labels(rng, n, q)
    true_members = signs[idx, None] * fact_dirs[idx]
    side = (2 * y - 1)[:, None]
    X_pos = side * true_members + sigma * rng.standard_normal((n, D))
    X_neg = -side * true_members + sigma * rng.standard_normal((n, D))

    truth = {
        "true_direction": true_dir,
        "fact_directions": fact_dirs,
        "fact_signs": signs,
        "fact_index": idx,
        "fact_counts": np.bincount(idx, minlength=d),
        "train_facts": train,
        "heldout_facts": held,
        "n_truthlike_directions": 2**d,
        "log2_truthlike": float(d),
        "first_true_fraction": q,
        "true_direction_accuracy": float(np.mean(((X_pos - X_neg) @ true_dir > 0) == (y == 1))),
    }
    params = dict(n_pairs=n, n_facts=d, noise=sigma, n_features=D,
                  first_true_fraction=first_true_fraction, facts=facts,
                  heldout_fraction=float(heldout_fraction), random_state=repr(random_state),
                  split=split)
    return Dataset("onehot_facts", y=y, X_pos=X_pos, X_neg=X_neg,
                   ground_truth=truth, params=params)
