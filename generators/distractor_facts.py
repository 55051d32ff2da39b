"""Contrast pairs with a truth direction and a distractor: a random word appended to each pair.

Farquhar et al. (2023, arXiv 2312.10029, Section 4.1, "discovering random words") append one
of two arbitrary words ("Banana", "Shed") to the members of every contrast pair at random:
one member of a pair gets one word and the other member the other word, which member gets
which is a coin flip per statement, independent of which member is true. The word is then
a binary feature that flips between the two members of every pair exactly as truth does,
so it is as consistent as truth (their Theorem 1: any such feature minimises the CCS loss
as well as truth does), and when its representation is more prominent than truth's,
CCS and contrast-pair PCA find the word instead of the truth.

This generator is that construction in the family's pair format, on top of the single-truth
control (`generators.single_truth`): the truth flips along a unit direction ``u`` with
amplitude ``a`` (``signal``), the word along a unit direction ``v`` orthogonal to ``u`` with
amplitude ``r a`` (``r = distractor_strength``, the distractor's strength relative to
truth's), and shared content orthogonal to both. With ``r = 0`` it is the single-truth
control plus labels that nothing in the data carries.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_int, check_interval, check_positive_float
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.onehot_facts import draw_first_true_fraction, draw_labels
from generators.seeding import SeedLike, split_rng, structure_rng


def _side_accuracy(X_pos: np.ndarray, X_neg: np.ndarray, direction: np.ndarray,
                   labels: np.ndarray) -> float:
    """Accuracy of ``sign(direction^T (x+ - x-)) > 0`` as a predictor of ``labels == 1``."""
    return float(np.mean(((X_pos - X_neg) @ direction > 0) == (labels == 1)))


def make_distractor_facts(
    n_pairs: int = 640,
    n_features: int = 64,
    distractor_strength: float = 2.0,
    signal: float = 1.0,
    noise: float = 0.1,
    content_scale: float = 1.0,
    first_true_fraction: float | None = None,
    distractor_fraction: float | None = None,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Pairs ``x+- = c_j +- [(2 y_j - 1) a u + (2 z_j - 1) r a v] + noise eps``.

    Structure (shared by all splits): Haar-random orthonormal ``u`` (the true direction) and
    ``v`` (the distractor direction), ``u^T v = 0``.

    Samples of split ``split``, in this order from the split's stream: ``q`` (the fraction of
    pairs whose first member is true, drawn from U(0.3, 0.7) unless given) and
    ``y_j ~ Bernoulli(q)``; ``q_z`` (drawn from U(0.3, 0.7) unless given) and the distractor
    labels ``z_j ~ Bernoulli(q_z)``, independent of ``y``; content
    ``c_j ~ N(0, content_scale^2 P)`` with ``P`` the projection off ``span(u, v)``, shared
    by both members; independent noise ``eps, eps' ~ N(0, I)`` on each member. Then
    ``X_pos_j = c_j + (2 y_j - 1) a u + (2 z_j - 1) b v + noise eps`` and ``X_neg_j = c_j -
    (2 y_j - 1) a u - (2 z_j - 1) b v + noise eps'`` with ``a = signal``, ``b = r a``.

    Why this is Farquhar et al.'s appended word: write the two words' representations as
    ``w_1 = m + b v`` and ``w_0 = m - b v``. Pair ``j`` appends ``w_1`` to ``x+`` and ``w_0``
    to ``x-`` when ``z_j = 1`` and the reverse when ``z_j = 0``, adding
    ``m + (2 z_j - 1) b v`` to ``x+`` and ``m - (2 z_j - 1) b v`` to ``x-``. The midpoint
    ``m`` is the same on every member of every pair: the difference ``x+ - x-`` cancels it
    and every method's per-side centring removes it, so it is left out (``m = 0``). The
    distractor therefore enters the contrast-pair difference as ``2 (2 z_j - 1) b v``,
    exactly as truth enters it as ``2 (2 y_j - 1) a u``: ``r = b / a`` is the ratio of their
    amplitudes in the differences (``r^2`` the ratio of their variances). The word fraction
    ``q_z`` is drawn away from 1/2 like ``q``, so that per-side centring leaves the two
    features the same kind of offset (with exactly balanced labels centring removes nothing
    along that direction; see `generators.onehot_facts.FIRST_TRUE_RANGE`).

    Consequences. ``u^T (x+ - x-)`` is sufficient for ``y`` and ``v^T (x+ - x-)`` for ``z``
    (everything else is independent of both), so the Bayes accuracies are
    ``Phi(sqrt(2) a / noise)`` for the truth and ``Phi(sqrt(2) r a / noise)`` for the word.
    Both ``u`` and ``v`` give probes that are consistent (shared content orthogonal to both)
    and, at large norm, confident: two truth-like directions up to sign, one of which is
    truth. The distractor labels do not depend on ``distractor_strength`` (nor do ``y``,
    the content and the noise): datasets of one seed at different strengths differ only in
    ``b``, so a sweep over strengths compares like with like.

    Parameters
    ----------
    n_pairs : int, default=640
        Pairs in this split (>= 2).
    n_features : int, default=64
        Dimension (>= 2; the content lives in the remaining ``n_features - 2``).
    distractor_strength : float, default=2.0
        ``r`` (>= 0): the distractor's amplitude relative to truth's, ``b = r a``.
    signal : float, default=1.0
        ``a`` (> 0), half the distance between the members along ``u``.
    noise : float, default=0.1
        Per-coordinate standard deviation of independent noise on each member (>= 0).
    content_scale : float, default=1.0
        Per-coordinate standard deviation of the shared content (>= 0).
    first_true_fraction : float or None, default=None
        ``q``, the probability that the first member is true; None draws it per split
        from U(0.3, 0.7).
    distractor_fraction : float or None, default=None
        ``q_z``, the probability that the first member carries the word on the ``+v``
        side; None draws it per split from U(0.3, 0.7).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X_pos``, ``X_neg`` (n_pairs, n_features) float64, ``y`` (n_pairs,) int64.
        ``ground_truth``: ``true_direction`` ``u`` and ``distractor_direction`` ``v``
        (n_features,) unit and orthogonal; ``distractor_labels`` ``z`` (n_pairs,) int64;
        ``truth_amplitude`` ``a``, ``distractor_amplitude`` ``b = r a``,
        ``distractor_strength`` ``r``; ``first_true_fraction`` ``q``,
        ``distractor_fraction`` ``q_z``; ``bayes_accuracy`` and
        ``distractor_bayes_accuracy``; ``true_direction_accuracy`` and
        ``distractor_direction_accuracy`` (of ``sign(u^T (x+ - x-))`` against ``y``, of
        ``sign(v^T (x+ - x-))`` against ``z``, on this split);
        ``label_agreement`` the fraction of pairs with ``y_j = z_j`` (about
        ``q q_z + (1 - q)(1 - q_z)``: the labels are independent, not balanced);
        ``n_truthlike_directions`` 2 and ``log2_truthlike`` 1.0 (``u`` and ``v``).

    References
    ----------
    Farquhar, Varma, Kenton, Gasteiger, Mikulik, Shah (2023), "Challenges with unsupervised
    LLM knowledge discovery", arXiv 2312.10029, Theorem 1 and Section 4.1.
    """
    n = check_int(n_pairs, "n_pairs", 2)
    D = check_int(n_features, "n_features", 2)
    r = check_positive_float(distractor_strength, "distractor_strength", allow_zero=True)
    a = check_positive_float(signal, "signal")
    sigma = check_positive_float(noise, "noise", allow_zero=True)
    scale = check_positive_float(content_scale, "content_scale", allow_zero=True)
    if distractor_fraction is not None:
        check_interval(distractor_fraction, "distractor_fraction", 0.0, 1.0)
    b = r * a
    if not np.isfinite(b):
        raise ValueError(f"distractor_strength * signal must be finite, got "
                         f"{distractor_strength!r} * {signal!r}")

    basis = random_orthonormal(structure_rng(random_state), D, 2)
    u, v = np.ascontiguousarray(basis[:, 0]), np.ascontiguousarray(basis[:, 1])

    rng = split_rng(random_state, split)
    q = draw_first_true_fraction(rng, first_true_fraction)
    y = draw_labels(rng, n, q)
    q_z = draw_first_true_fraction(rng, distractor_fraction)
    z = draw_labels(rng, n, q_z)
    content = scale * rng.standard_normal((n, D))
    content -= (content @ basis) @ basis.T
    flip = ((2 * y - 1) * a)[:, None] * u + ((2 * z - 1) * b)[:, None] * v
    X_pos = content + flip + sigma * rng.standard_normal((n, D))
    X_neg = content - flip + sigma * rng.standard_normal((n, D))

    def bayes(amplitude: float) -> float:
        if amplitude == 0:
            return 0.5
        return 1.0 if sigma == 0 else float(norm.cdf(np.sqrt(2.0) * amplitude / sigma))

    truth = {
        "true_direction": u,
        "distractor_direction": v,
        "distractor_labels": z,
        "truth_amplitude": a,
        "distractor_amplitude": b,
        "distractor_strength": r,
        "first_true_fraction": q,
        "distractor_fraction": q_z,
        "bayes_accuracy": bayes(a),
        "distractor_bayes_accuracy": bayes(b),
        "true_direction_accuracy": _side_accuracy(X_pos, X_neg, u, y),
        "distractor_direction_accuracy": _side_accuracy(X_pos, X_neg, v, z),
        "label_agreement": float(np.mean(y == z)),
        "n_truthlike_directions": 2,
        "log2_truthlike": 1.0,
    }
    params = dict(n_pairs=n, n_features=D, distractor_strength=r, signal=a, noise=sigma,
                  content_scale=scale, first_true_fraction=first_true_fraction,
                  distractor_fraction=distractor_fraction, random_state=repr(random_state),
                  split=split)
    return Dataset("distractor_facts", y=y, X_pos=X_pos, X_neg=X_neg,
                   ground_truth=truth, params=params)
