"""Held-out accuracy of truth probes, and the exact score of a random truth-like direction.

When the data hold ``2^k`` equally consistent and confident directions (Farquhar et al.
2023, arXiv 2312.10029), an unsupervised method's accuracy must be compared with that of a
uniformly random one of them, not with 0.5. For a truth-like direction with signs ``c`` the
pairs of unit ``i`` (a fact, or a group of facts) are all right when ``c_i = s_i`` and all
wrong otherwise, so with ``n_i`` held-out pairs on unit ``i`` and ``n = sum_i n_i``,

    acc(c) = sum_i (n_i / n) B_i,   B_i ~ Bernoulli(1/2) i.i.d.,

whose law is that of ``K / n`` with ``K`` having generating function ``prod_i (1 + x^{n_i}) / 2``;
its mean is 1/2, its variance ``sum_i n_i^2 / (4 n^2)``, and ``E max(acc, 1 - acc)`` follows
exactly. With 64 equally weighted facts, ``K/n ~ Binomial(64, 1/2) / 64`` and
``E max(acc, 1 - acc) = 1/2 + 32 C(64, 32) / 2^64 / 64 = 0.5497``.
This is the score of a truth-like direction on noiseless pairs; noise can only move a
real probe's accuracy around it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from floor.validation import check_real, float_array

# Largest total number of pairs `random_truthlike_distribution` accepts: its law has
# ``n + 1`` atoms and costs O(n_units * n); a count beyond this is a unit mix-up, not data.
MAX_PAIRS = 10**7


def _check_proba(proba, y):
    p = float_array(proba, "proba", finite=False)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"proba must be 1-D (n_pairs,) and non-empty, got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("proba contains NaN or inf")
    y_arr = np.asarray(y)
    if y_arr.shape != p.shape:
        raise ValueError(f"y has shape {y_arr.shape}, but proba has shape {p.shape}")
    if not np.all(np.isin(y_arr, [0, 1])):
        raise ValueError("y must contain only 0 and 1")
    return p, y_arr.astype(np.int64)


def pair_correctness(proba, y):
    """Per pair: 1 if ``proba > 0.5`` agrees with ``y``, 0 if not, 0.5 on a tie (p = 0.5)."""
    p, y = _check_proba(proba, y)
    called = np.where(p > 0.5, 1.0, np.where(p < 0.5, 0.0, 0.5))
    return np.where(y == 1, called, 1.0 - called)


def pair_accuracy(proba, y):
    """Raw accuracy of ``p(first member is true)`` against ``y``; ties count one half.

    Range [0, 1], higher is better; a probe with the opposite sign scores ``1 - acc``.
    """
    return float(np.mean(pair_correctness(proba, y)))


def sign_agnostic_accuracy(proba, y):
    """``max(acc, 1 - acc)``, the accuracy reported for unsupervised probes (Burns et al.).

    Range [0.5, 1], higher is better.
    """
    acc = pair_accuracy(proba, y)
    return max(acc, 1.0 - acc)


def _check_counts(counts):
    c = float_array(counts, "counts", finite=False)
    if c.ndim != 1 or c.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D array, got shape {c.shape}")
    if not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.round(c)):
        raise ValueError("counts must be non-negative integers (pairs per fact or group)")
    if c.sum() > MAX_PAIRS:
        raise ValueError(f"counts must total at most {MAX_PAIRS} pairs, got {c.sum():g}")
    c = c.astype(np.int64)
    if c.sum() == 0:
        raise ValueError("counts must not all be zero")
    return c[c > 0]


def random_truthlike_distribution(counts):
    """Exact law of the raw accuracy of a uniformly random truth-like direction.

    Parameters
    ----------
    counts : array-like of shape (n_units,)
        Held-out pairs per fact (``ground_truth["fact_counts"]``) or per group
        (``ground_truth["group_counts"]``).

    Returns
    -------
    accuracy : ndarray of shape (n + 1,)
        The values ``K / n``, ``K = 0..n``.
    probability : ndarray of shape (n + 1,)
        ``P(acc = K / n)``, the coefficients of ``prod_i (1 + x^{n_i}) / 2``.
    """
    c = _check_counts(counts)
    n = int(c.sum())
    prob = np.zeros(n + 1)
    prob[0] = 1.0
    top = 0
    for ni in c:
        shifted = np.zeros_like(prob)
        shifted[ni:top + ni + 1] = prob[:top + 1]
        prob = 0.5 * (prob + shifted)
        top += ni
    return np.arange(n + 1) / n, prob


def random_truthlike_summary(counts):
    """Mean, spread and sign-agnostic mean of a random truth-like direction's accuracy.

    Returns
    -------
    dict
        ``mean`` (always 0.5), ``std`` (``sqrt(sum n_i^2) / (2 n)``),
        ``sign_agnostic_mean`` (``E max(acc, 1 - acc)``), ``sign_agnostic_std``,
        ``n_pairs``, ``n_units``.
    """
    acc, prob = random_truthlike_distribution(counts)
    folded = np.maximum(acc, 1.0 - acc)
    mean_f = float(prob @ folded)
    c = _check_counts(counts)
    return {
        "mean": float(prob @ acc),
        "std": float(np.sqrt(prob @ (acc - 0.5) ** 2)),
        "sign_agnostic_mean": mean_f,
        "sign_agnostic_std": float(np.sqrt(max(prob @ folded**2 - mean_f**2, 0.0))),
        "n_pairs": int(c.sum()),
        "n_units": int(c.size),
    }


def random_truthlike_pvalue(score, counts, sign_agnostic=True):
    """``P(random truth-like score >= score)``: how surprising a method's score is.

    Small values mean the method beat a random truth-like direction (it found something
    that prefers the truth); values near 1/2 or above mean it scored like one. ``score``
    is compared with ``max(acc, 1 - acc)`` when ``sign_agnostic``, else with ``acc``.
    A tolerance of 1e-12 absorbs rounding in ``K / n``.
    """
    score = check_real(score, "score")
    acc, prob = random_truthlike_distribution(counts)
    values = np.maximum(acc, 1.0 - acc) if sign_agnostic else acc
    return float(prob[values >= score - 1e-12].sum())


def truthlike_counts(ground_truth):
    """Pairs per independent truth-like unit from a truth-family ``ground_truth``.

    ``group_counts`` for grouped facts, ``fact_counts`` for one-hot facts; None when the
    dataset has a single truth-like direction (then there is nothing random to compare to).
    """
    if not isinstance(ground_truth, Mapping):
        raise TypeError(f"ground_truth must be a mapping (dict), got {type(ground_truth).__name__}")
    for key in ("group_counts", "fact_counts"):
        if key in ground_truth:
            return np.asarray(ground_truth[key])
    return None
