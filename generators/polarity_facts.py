"""Affirmative and negated statements: a general truth direction and a polarity-dependent one.

Buerger et al. (NeurIPS 2024, arXiv 2407.12831, "Truth is Universal", Eq. 1 and Section 3)
find that an LLM's activations of true and false statements decompose as
``a = mu + tau t_G + tau p t_P + eps``: ``tau = +-1`` the truth value, ``p = +-1`` the
polarity (+1 affirmative, -1 negated), ``t_G`` a *general* truth direction (same sign for
both polarities) and ``t_P`` a *polarity-sensitive* one (its sign flips with polarity). A
probe trained on affirmative statements only learns ``t_G + t_P`` and fails on negated
ones, as Levinstein & Herrmann (2023, arXiv 2307.00175) observed for CCS and supervised
probes; with both polarities in training, ``t_G`` can be separated from ``t_P``.

This generator plants exactly that structure in contrast pairs (the truth family's
protocol, `methods.truth.pairs`): both members of a pair are completions of one statement,
so they share its polarity and its content, and differ in truth value.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_choice, check_int, check_interval, check_positive_float
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.onehot_facts import draw_first_true_fraction, draw_labels
from generators.seeding import SeedLike, split_rng, structure_rng

POLARITIES = ("both", "affirmative", "negated")
# Relative size below which a noiseless projection counts as exactly 0 (float64 rounding of
# a sum of a few unit-scale products is ~1e-16).
TIE = 1e-12


def direction_accuracy(w, general_strength, polarity_strength, noise, t_G, t_P, polarity):
    """Expected accuracy of ``sign(w^T (x+ - x-))`` on pairs of one polarity (closed form).

    ``w^T (x+ - x-) = 2 (2 y - 1) m_p + N(0, 2 noise^2 ||w||^2)`` with
    ``m_p = w^T (g t_G + s p t_P)``, so the accuracy is ``Phi(sqrt(2) m_p / (noise ||w||))``
    (below 1/2 when the direction calls the pairs of that polarity backwards); 1, 1/2 or 0
    without noise, where ``|m_p|`` below `TIE` times ``||w|| (g + s)`` counts as 0 (rounding
    of an exactly orthogonal direction). ``polarity`` is +1 (affirmative) or -1 (negated).
    """
    w = np.asarray(w, dtype=np.float64)
    m = w @ (general_strength * t_G + polarity_strength * polarity * t_P)
    if noise == 0:
        tie = TIE * np.linalg.norm(w) * (general_strength + polarity_strength)
        return 0.5 if abs(m) <= tie else float(np.sign(m) / 2 + 0.5)
    return float(norm.cdf(np.sqrt(2.0) * m / (noise * np.linalg.norm(w))))


def _polarities(rng: np.random.Generator, n: int, which: str, negated_fraction: float):
    """Per pair +1 (affirmative) or -1 (negated): exactly ``round(f n)`` negated, shuffled."""
    if which == "affirmative":
        return np.ones(n)
    if which == "negated":
        return -np.ones(n)
    n_neg = min(max(int(round(negated_fraction * n)), 1), n - 1)
    return rng.permutation(np.r_[-np.ones(n_neg), np.ones(n - n_neg)])


def make_polarity_facts(
    n_pairs: int = 640,
    n_features: int = 32,
    general_strength: float = 1.0,
    polarity_truth_strength: float = 1.0,
    polarity_strength: float = 1.0,
    noise: float = 0.5,
    content_scale: float = 1.0,
    polarity: str = "both",
    negated_fraction: float = 0.5,
    first_true_fraction: float | None = None,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Contrast pairs of affirmative and negated statements with planted ``t_G`` and ``t_P``.

    Structure (shared by all splits): three Haar-random orthonormal directions ``t_G``
    (general truth), ``t_P`` (polarity-sensitive truth) and ``v`` (polarity itself).
    Samples of split ``split``: each pair ``j`` gets a polarity ``p_j`` (+1 affirmative,
    -1 negated; ``polarity="both"`` makes exactly ``round(negated_fraction n)`` of them
    negated, shuffled), a label ``y_j ~ Bernoulli(q)`` (1 when the first member is the true
    one; ``q`` drawn per split from U(0.3, 0.7) unless given), a content vector ``c_j ~
    N(0, content_scale^2 P)`` with ``P`` the projector orthogonal to the three directions,
    shared by both members, and with ``sigma_j = 2 y_j - 1``, ``g, s, r`` the strengths::

        X_pos_j = c_j + sigma_j (g t_G + s p_j t_P) + r p_j v + noise eps
        X_neg_j = c_j - sigma_j (g t_G + s p_j t_P) + r p_j v + noise eps'

    i.e. a member with truth value ``tau`` is ``c + tau (g t_G + s p t_P) + r p v + noise``
    (Buerger et al.'s decomposition). Closed forms (`direction_accuracy`): a unit ``w``
    calls the pairs of polarity ``p`` right with probability
    ``Phi(sqrt(2) w^T (g t_G + s p t_P) / noise)``. Hence ``t_G`` scores ``Phi(sqrt(2) g /
    noise)`` on both polarities; the affirmative truth direction ``t_A ~ g t_G + s t_P``
    (what any probe of the pair differences trained on affirmative statements only can
    learn: nothing else tells true from false there) scores ``Phi(sqrt(2) (g^2 - s^2) /
    (sqrt(g^2 + s^2) noise))`` on negated ones, exactly 1/2 at ``g = s``, below 1/2 (the
    probe is reversed) when ``s > g``; and the Bayes accuracy given the polarity is
    ``Phi(sqrt(2 (g^2 + s^2)) / noise)``. ``v`` is identical on both members of a pair, so
    it is absent from the differences: only a method reading the members themselves (TTPD's
    polarity direction) can see it.

    Parameters
    ----------
    n_pairs : int, default=640
        Pairs in this split (>= 2).
    n_features : int, default=32
        Dimension (>= 3).
    general_strength : float, default=1.0
        ``g`` (>= 0), the amplitude along ``t_G``.
    polarity_truth_strength : float, default=1.0
        ``s`` (>= 0), the amplitude along ``t_P``. At the default ``g = s``, as Buerger et
        al. measured separations of the same order along the two directions (their Fig. 2).
    polarity_strength : float, default=1.0
        ``r`` (>= 0), the amplitude of polarity along ``v``.
    noise : float, default=0.5
        Per-coordinate standard deviation of independent noise on each member (>= 0).
    content_scale : float, default=1.0
        Per-coordinate standard deviation of the shared content (>= 0).
    polarity : {"both", "affirmative", "negated"}, default="both"
        Which statements this split holds.
    negated_fraction : float, default=0.5
        Fraction of negated statements when ``polarity="both"``, in (0, 1).
    first_true_fraction : float or None, default=None
        Probability that the first member is true; None draws it per split from U(0.3, 0.7).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X_pos``, ``X_neg`` (n_pairs, n_features), ``y`` (n_pairs,) int64. ``ground_truth``:
        ``true_direction`` and ``general_direction`` the unit ``t_G``;
        ``polarity_truth_direction`` ``t_P``; ``polarity_direction`` ``v``;
        ``affirmative_direction`` and ``negated_direction`` the unit ``g t_G +- s t_P``;
        ``polarity`` (n_pairs,) +-1.0 per pair; ``is_negated`` (n_pairs,) bool; ``labels``
        (n_pairs,) +-1 truth value of the first member (``2 y - 1``); the strengths;
        ``general_accuracy`` ``Phi(sqrt(2) g / noise)``; ``affirmative_on_negated_accuracy``
        (closed form above); ``bayes_accuracy`` given polarity; ``first_true_fraction`` ``q``;
        ``true_direction_accuracy`` the accuracy of ``sign(t_G^T (X_pos - X_neg))`` on this
        split; ``n_truthlike_directions`` 1 and ``log2_truthlike`` 0.0 (the family's keys:
        ``t_G`` is the only direction true on both polarities).
    """
    n = check_int(n_pairs, "n_pairs", 2)
    D = check_int(n_features, "n_features", 3)
    g = check_positive_float(general_strength, "general_strength", allow_zero=True)
    s = check_positive_float(polarity_truth_strength, "polarity_truth_strength", allow_zero=True)
    r = check_positive_float(polarity_strength, "polarity_strength", allow_zero=True)
    if g == 0 and s == 0:
        raise ValueError("general_strength and polarity_truth_strength must not both be 0")
    sigma = check_positive_float(noise, "noise", allow_zero=True)
    scale = check_positive_float(content_scale, "content_scale", allow_zero=True)
    check_choice(polarity, "polarity", POLARITIES)
    frac = check_interval(negated_fraction, "negated_fraction", 0.0, 1.0, low_open=True,
                          high_open=True)

    t_G, t_P, v = random_orthonormal(structure_rng(random_state), D, 3).T

    rng = split_rng(random_state, split)
    q = draw_first_true_fraction(rng, first_true_fraction)
    y = draw_labels(rng, n, q)
    p = _polarities(rng, n, polarity, frac)
    planted = np.stack([t_G, t_P, v])
    content = scale * rng.standard_normal((n, D))
    content -= (content @ planted.T) @ planted
    side = (2 * y - 1)[:, None] * (g * t_G + s * p[:, None] * t_P)
    shared = content + r * p[:, None] * v
    X_pos = shared + side + sigma * rng.standard_normal((n, D))
    X_neg = shared - side + sigma * rng.standard_normal((n, D))

    rho = np.hypot(g, s)
    t_A, t_N = (g * t_G + s * t_P) / rho, (g * t_G - s * t_P) / rho
    truth = {
        "true_direction": t_G,
        "general_direction": t_G,
        "polarity_truth_direction": t_P,
        "polarity_direction": v,
        "affirmative_direction": t_A,
        "negated_direction": t_N,
        "polarity": p,
        "is_negated": p < 0,
        "labels": 2 * y - 1,
        "general_strength": g,
        "polarity_truth_strength": s,
        "polarity_strength": r,
        "general_accuracy": direction_accuracy(t_G, g, s, sigma, t_G, t_P, 1.0),
        "affirmative_on_negated_accuracy": direction_accuracy(t_A, g, s, sigma, t_G, t_P, -1.0),
        "bayes_accuracy": 1.0 if sigma == 0 else float(norm.cdf(np.sqrt(2.0) * rho / sigma)),
        "first_true_fraction": q,
        "true_direction_accuracy": float(np.mean(((X_pos - X_neg) @ t_G > 0) == (y == 1))),
        "n_truthlike_directions": 1,
        "log2_truthlike": 0.0,
    }
    params = dict(n_pairs=n, n_features=D, general_strength=g, polarity_truth_strength=s,
                  polarity_strength=r, noise=sigma, content_scale=scale, polarity=polarity,
                  negated_fraction=frac, first_true_fraction=first_true_fraction,
                  random_state=repr(random_state), split=split)
    return Dataset("polarity_facts", y=y, X_pos=X_pos, X_neg=X_neg,
                   ground_truth=truth, params=params)
