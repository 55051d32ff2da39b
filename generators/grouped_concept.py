"""A k-valued concept whose binary view a binary probe cannot see, once erased, but a
multiclass one can.

Ravfogel, Goldberg & Cotterell (ACL 2023, arXiv 2210.10012), "Log-linear guardedness and
its implications": a representation from which no *binary* log-linear model (logistic
regression) predicts a concept ``Z`` better than chance can still let a *multiclass*
log-linear model (softmax over ``K >= 3`` classes, whose argmax regions are convex cells,
not halfspaces) recover ``Z`` through its argmax. Here the concept has ``k >= 3`` values
``C`` at ordered, equally spaced positions along a planted unit direction ``u``; its binary
view ``Z`` groups the values into *inner* (``Z = 1``) and *outer* (``Z = 0``), symmetric
about the centre, so ``Z``'s two class means along ``u`` are equal by construction; a
second planted unit direction ``v`` (orthogonal to ``u``) carries ``Z``'s mean difference.

Before erasure every binary probe reads ``Z`` through ``v``. An eraser fitted on ``Z``
(LEACE and the others) equalises ``Z``'s class means, which removes ``v`` and leaves ``u``
alone: along ``u`` the two groups have equal means, so the binary logistic probe is at
chance (LEACE's theorem), but a softmax over the ``k`` values, trained on ``C``, cuts ``u``
into ``k`` intervals whose argmax, grouped, reads ``Z`` at the grouped Bayes accuracy below.
An exact 0-1 linear probe reads ``Z`` too (0-1 accuracy is not a convex loss): a halfspace
along ``u`` cuts one outer value off from the rest, balanced accuracy 3/4 at zero noise, as
on the XOR set. Erasing the *k-valued* concept with its one-hot labels removes ``u`` as well
and guards every convex loss, the softmax's cross-entropy included (the remedy).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_int, check_positive_float
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng

# Thresholds (in units of the spacing) at which the best halfspace along u is searched: this
# many per unit, over the positions' span +- 1 (the zero-noise optimum, a midpoint between
# two positions, is on the grid; the accuracy is smooth in the threshold, so the grid's
# maximum is within O(step^2) of the true one).
_THRESHOLDS_PER_UNIT = 400


def value_positions(n_values: int) -> np.ndarray:
    """Positions ``p_c = c - (k - 1) / 2`` of the values ``c = 0..k-1`` along ``u``, in
    units of the spacing; symmetric about 0 exactly (half-integers are exact in float64)."""
    k = check_int(n_values, "n_values", 3)
    return np.arange(k, dtype=np.float64) - (k - 1) / 2


def inner_grouping(n_values: int) -> np.ndarray:
    """``Z`` of every value: 1 (inner) where ``|p_c| < k / 4``, else 0 (outer).

    Symmetric under ``c -> k - 1 - c``, so each group's mean position is 0; both groups are
    non-empty for ``k >= 3`` (the centre values have ``|p_c| <= 1/2 < k/4``, the ends
    ``(k - 1)/2 >= k/4``). ``k = 4``: inner {1, 2}, outer {0, 3}; ``k = 3``: inner {1}.
    """
    p = value_positions(n_values)
    return (np.abs(p) < len(p) / 4).astype(np.int64)


def _confusion(positions: np.ndarray, ratio: float) -> np.ndarray:
    """``P[c, j]`` = probability that the nearest-position rule reads value ``j`` for a row of
    value ``c``, along ``u`` with positions in units of the spacing and noise ``1 / ratio``
    of it: ``Phi(r (b_j^+ - p_c)) - Phi(r (b_j^- - p_c))``, boundaries at the midpoints."""
    mid = (positions[1:] + positions[:-1]) / 2
    edges = np.concatenate([[-np.inf], mid, [np.inf]])
    z = ratio * (edges[None, :] - positions[:, None])
    cdf = norm.cdf(z)
    return np.clip(np.diff(cdf, axis=1), 0.0, 1.0)


def multiclass_bayes_accuracy(n_values: int, ratio: float) -> float:
    """Bayes accuracy (= balanced accuracy, values uniform) of ``C`` from ``u`` alone.

    ``k`` equally spaced Gaussian means, spacing ``s``, common noise ``sigma``, ``ratio =
    s / sigma``: the Bayes rule reads the nearest position, wrong with probability
    ``2 Q`` for an inner value and ``Q`` for the two end values, ``Q = Phi(-ratio / 2)``,
    so the accuracy is ``1 - 2 (k - 1) Q / k``.
    """
    k = check_int(n_values, "n_values", 3)
    r = check_positive_float(ratio, "ratio")
    return float(1.0 - 2.0 * (k - 1) * norm.cdf(-r / 2) / k)


def grouped_accuracy(n_values: int, ratio: float) -> float:
    """Balanced accuracy on ``Z`` of the grouped Bayes rule for ``C`` along ``u``.

    Read the nearest position's value ``c_hat`` and predict ``Z = g(c_hat)`` (`inner_grouping`):
    the recall of a group is the mean over its values ``c`` of ``sum_j P[c, j] 1[g(j) =
    g(c)]`` (`_confusion`), and the balanced accuracy the mean of the two recalls. What a
    perfect multiclass probe of ``C``, grouped, reads once ``v`` is erased.
    """
    p = value_positions(n_values)
    r = check_positive_float(ratio, "ratio")
    g = inner_grouping(n_values)
    P = _confusion(p, r)
    same = P @ np.stack([1 - g, g], axis=1)  # (k, 2): P(read group 0), P(read group 1)
    recall = [same[g == z, z].mean() for z in (0, 1)]
    return float(np.mean(recall))


def best_halfspace_accuracy(n_values: int, ratio: float) -> float:
    """Best balanced accuracy on ``Z`` of a halfspace along ``u`` (the 0-1 linear probe's
    ceiling once ``v`` is erased; the rest of the space is noise independent of ``Z``).

    ``max_theta max(a(theta), 1 - a(theta))`` with ``a(theta) = (P(t > theta | outer) +
    P(t < theta | inner)) / 2``, each group a uniform mixture of its values' Gaussians; the
    threshold is searched on a grid (`_THRESHOLDS_PER_UNIT`). Zero-noise limit 3/4 (one end
    value cut off from everything else).
    """
    p = value_positions(n_values)
    r = check_positive_float(ratio, "ratio")
    g = inner_grouping(n_values)
    span = p[-1] + 1
    theta = np.linspace(-span, span, int(2 * span * _THRESHOLDS_PER_UNIT) + 1)
    theta = np.union1d(theta, (p[1:] + p[:-1]) / 2)
    below = norm.cdf(r * (theta[None, :] - p[:, None]))  # (k, m): P(t < theta | c)
    outer_above = (1 - below[g == 0]).mean(axis=0)
    inner_below = below[g == 1].mean(axis=0)
    a = 0.5 * (outer_above + inner_below)
    return float(np.max(np.maximum(a, 1 - a)))


def make_grouped_concept(
    n_samples: int = 2000,
    n_features: int = 16,
    n_values: int = 4,
    spacing: float = 2.0,
    group_separation: float = 2.0,
    noise: float = 0.5,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """``x = s p_C u + (b / 2)(2 Z - 1) v + sigma e``, ``Z = g(C)``, ``C`` uniform on ``k``.

    ``p_c = c - (k - 1)/2`` (`value_positions`), ``g`` the inner/outer grouping
    (`inner_grouping`), ``u, v`` orthonormal (structure stream, shared by the splits),
    ``e ~ N(0, I_d)``. ``y = Z``.

    Parameters
    ----------
    n_samples : int, default=2000
        Rows of this split (>= 2).
    n_features : int, default=16
        Dimension ``d`` (>= 2).
    n_values : int, default=4
        ``k`` (>= 3), the values of the concept ``C``.
    spacing : float, default=2.0
        ``s`` (> 0), the distance between adjacent values' positions along ``u``.
    group_separation : float, default=2.0
        ``b`` (> 0), the distance between ``Z``'s two class means along ``v``.
    noise : float, default=0.5
        ``sigma`` (> 0), the isotropic noise.
    random_state : int or SeedSequence, default=0
        Seed of the dataset; structure and each split draw from separate child streams.
    split : int, default=0
        Which sample (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n, d); ``y`` (n,) = ``Z`` in {0, 1}. ``ground_truth``: ``value_labels`` (n,)
        ``C``; ``grouping`` (k,) ``g``; ``value_direction`` ``u`` and ``group_direction``
        ``v`` (d,); ``concept_directions`` (d, 2) ``[u, v]`` (everything that carries ``C``
        and ``Z``: what the oracle removes); ``value_positions`` (k,) ``s p_c``;
        ``z_class_means_along_u`` (2,) ``[0, 0]`` (each group's mean position, exactly 0);
        ``bayes_accuracy_values``: the Bayes accuracy of ``C`` from ``u`` alone
        (`multiclass_bayes_accuracy`, ``1 - 2 (k-1) Phi(-s / 2 sigma) / k``: 0.966 at the
        defaults); ``bayes_accuracy_grouped``: the balanced accuracy on ``Z`` of that rule,
        grouped (`grouped_accuracy`: 0.977); ``best_linear_accuracy_after``: the best
        halfspace along ``u`` for ``Z`` (`best_halfspace_accuracy`, 3/4 at zero noise, 0.74
        at the defaults); ``accuracy_along_v`` ``Phi(b / 2 sigma)``: ``Z`` read from ``v``
        alone (what an eraser of ``Z``'s class means removes; 0.977); ``n_classes`` 2;
        ``n_values`` k.
    """
    n = check_int(n_samples, "n_samples", 2)
    d = check_int(n_features, "n_features", 2)
    k = check_int(n_values, "n_values", 3)
    s = check_positive_float(spacing, "spacing")
    b = check_positive_float(group_separation, "group_separation")
    sigma = check_positive_float(noise, "noise")
    dirs = random_orthonormal(structure_rng(random_state), d, 2)
    u, v = dirs[:, 0], dirs[:, 1]
    p, g = value_positions(k), inner_grouping(k)

    rng = split_rng(random_state, split)
    c = rng.integers(0, k, size=n)
    z = g[c]
    X = (np.outer(s * p[c], u) + np.outer((b / 2) * (2.0 * z - 1.0), v)
         + sigma * rng.standard_normal((n, d)))
    ratio = s / sigma
    truth = {
        "value_labels": c.astype(np.int64),
        "grouping": g,
        "value_direction": u,
        "group_direction": v,
        "concept_directions": dirs,
        "value_positions": s * p,
        "z_class_means_along_u": np.array([(s * p[g == z_]).mean() for z_ in (0, 1)]),
        "bayes_accuracy_values": multiclass_bayes_accuracy(k, ratio),
        "bayes_accuracy_grouped": grouped_accuracy(k, ratio),
        "best_linear_accuracy_after": best_halfspace_accuracy(k, ratio),
        "accuracy_along_v": float(norm.cdf(b / (2 * sigma))),
        "n_classes": 2,
        "n_values": k,
    }
    params = dict(n_samples=n, n_features=d, n_values=k, spacing=s, group_separation=b,
                  noise=sigma, random_state=repr(random_state), split=split)
    return Dataset("grouped_concept", X=np.ascontiguousarray(X), y=z.astype(np.int64),
                   ground_truth=truth, params=params)
