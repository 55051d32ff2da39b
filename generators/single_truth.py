"""Single-truth control: one consistent direction, strong distractors that are not consistent.

The positive control of the truth family. Each pair shares a large random "content" vector
(the same on both members, so a probe reading it gives ``p(x+) = p(x-)``: inconsistent or
unconfident), and the two members differ only along one planted unit direction ``u``.
``u`` is therefore the only direction along which the pair flips, the only minimiser of the
CCS loss up to sign, and the top principal component of the differences: a working
unsupervised method must find it (Burns et al. 2022, arXiv 2212.03827, Section 2).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_int, check_positive_float
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.onehot_facts import draw_first_true_fraction, draw_labels
from generators.seeding import SeedLike, split_rng, structure_rng


def make_single_truth(
    n_pairs: int = 640,
    n_features: int = 64,
    signal: float = 1.0,
    noise: float = 0.1,
    content_scale: float = 1.0,
    first_true_fraction: float | None = None,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Pairs ``x+- = c_j +- (2 y_j - 1) a u + noise eps`` with one planted truth direction.

    Structure: a Haar-random unit ``u`` (the true direction). Samples of split ``split``:
    content ``c_j ~ N(0, content_scale^2 (I - u u^T))`` shared by both members of pair ``j``;
    ``y_j ~ Bernoulli(q)``, ``q`` drawn per split from U(0.3, 0.7) unless given;
    ``X_pos_j = c_j + (2 y_j - 1) a u + noise eps``, ``X_neg_j = c_j - (2 y_j - 1) a u +
    noise eps'`` with ``a = signal``. So ``y_j = 1`` iff the true member lies on the ``+u``
    side: ``u^T (X_pos_j - X_neg_j) = 2 (2 y_j - 1) a + N(0, 2 noise^2)``.

    Since ``u^T (X_pos - X_neg)`` is a sufficient statistic for ``y`` (everything orthogonal
    to ``u`` is identically distributed under both labels), the Bayes accuracy is
    ``Phi(sqrt(2) a / noise)``. Every pair's content is fresh, so any held-out split is
    already about new "facts".

    Parameters
    ----------
    n_pairs : int, default=640
        Pairs in this split (>= 2).
    n_features : int, default=64
        Dimension (>= 2).
    signal : float, default=1.0
        ``a`` (> 0), half the distance between the members along ``u``.
    noise : float, default=0.1
        Per-coordinate standard deviation of independent noise on each member (>= 0).
    content_scale : float, default=1.0
        Per-coordinate standard deviation of the shared content (>= 0); at the default the
        content's total variance is ``n_features - 1`` times the signal's.
    first_true_fraction : float or None, default=None
        Probability that the first member is true; None draws it per split from U(0.3, 0.7).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X_pos``, ``X_neg`` (n_pairs, n_features), ``y`` (n_pairs,). ``ground_truth``:
        ``true_direction`` (n_features,) unit ``u``; ``n_truthlike_directions`` 1,
        ``log2_truthlike`` 0.0; ``bayes_accuracy``; ``first_true_fraction``;
        ``true_direction_accuracy`` on this split.
    """
    n = check_int(n_pairs, "n_pairs", 2)
    D = check_int(n_features, "n_features", 2)
    a = check_positive_float(signal, "signal")
    sigma = check_positive_float(noise, "noise", allow_zero=True)
    scale = check_positive_float(content_scale, "content_scale", allow_zero=True)

    u = random_orthonormal(structure_rng(random_state), D, 1)[:, 0]

    rng = split_rng(random_state, split)
    q = draw_first_true_fraction(rng, first_true_fraction)
    y = draw_labels(rng, n, q)
    content = scale * rng.standard_normal((n, D))
    content -= np.outer(content @ u, u)
    flip = ((2 * y - 1) * a)[:, None] * u
    X_pos = content + flip + sigma * rng.standard_normal((n, D))
    X_neg = content - flip + sigma * rng.standard_normal((n, D))

    bayes = 1.0 if sigma == 0 else float(norm.cdf(np.sqrt(2.0) * a / sigma))
    truth = {
        "true_direction": u,
        "n_truthlike_directions": 1,
        "log2_truthlike": 0.0,
        "bayes_accuracy": bayes,
        "first_true_fraction": q,
        "true_direction_accuracy": float(np.mean(((X_pos - X_neg) @ u > 0) == (y == 1))),
    }
    params = dict(n_pairs=n, n_features=D, signal=a, noise=sigma, content_scale=scale,
                  first_true_fraction=first_true_fraction, random_state=repr(random_state),
                  split=split)
    return Dataset("single_truth", y=y, X_pos=X_pos, X_neg=X_neg,
                   ground_truth=truth, params=params)
