"""A weak concept: two Gaussian classes whose means differ by a Mahalanobis distance of ~0.02.

No probe trained and scored on a few thousand rows can see it (Bayes accuracy
``Phi(0.01) = 0.504``), so a probe-based check passes every eraser here, the identity
included. LEACE's guarantee does not depend on size: after erasure the class means of the
fit data are equal, however small the gap was. An eraser that treats a small gap as zero
(an absolute tolerance on the mean difference or on the singular values of ``W S_xz``)
skips the concept and becomes the identity; only a check of the guarantee itself on the
fit data (`benchmarks.erasure.checks.guards_fit_data`) sees that.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_positive_float
from generators.dataset import Dataset
from generators.seeding import SeedLike
from generators.two_class_gaussian import make_two_class_gaussian


def make_weak_concept(
    n_samples: int = 2000,
    n_features: int = 16,
    separation: float = 0.02,
    condition: float = 100.0,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Two classes ``x | z ~ N(mu_z, Sigma)`` whose means are ``separation`` apart (Mahalanobis).

    The two-class Gaussian of `generators.two_class_gaussian` (same structure and draws for
    the same arguments) at a separation far below what a probe resolves: ``Sigma`` has
    eigenvalues log-spaced in ``[1 / sqrt(condition), sqrt(condition)]`` and a random
    rotation; ``mu_z = (z - 1/2) Delta`` with ``Delta = separation * Sigma^{1/2} u``.

    Parameters
    ----------
    n_samples : int, default=2000
        Rows of this split (>= 2).
    n_features : int, default=16
        Dimension ``d`` (>= 2).
    separation : float, default=0.02
        Mahalanobis size ``delta = ||Sigma^{-1/2} Delta||`` of the class-mean gap (> 0).
    condition : float, default=100.0
        Condition number of ``Sigma`` (>= 1).
    random_state : int or SeedSequence, default=0
        Seed of the dataset.
    split : int, default=0
        Which sample (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n, d), ``y`` (n,) in {0, 1}; ``ground_truth``: ``mean_gap`` (d,) ``Delta =
        mu_1 - mu_0``; ``mahalanobis_gap`` ``delta``; ``euclidean_gap`` ``||Delta||``;
        ``bayes_accuracy`` ``Phi(delta / 2)`` (linear, so also ``best_linear_accuracy``);
        ``sampling_gap`` ``sqrt(d (1/n_0 + 1/n_1))`` at ``n_0 = n_1 = n / 2``: the typical
        Mahalanobis size of the *estimation error* of the mean gap from this split (the
        planted gap is below it when ``delta < sqrt(4 d / n)``); ``concept_directions``
        (d, 1), ``class_means`` (2, d), ``covariance`` (d, d), ``n_classes`` 2.
    """
    delta = check_positive_float(separation, "separation")
    base = make_two_class_gaussian(n_samples, n_features, separation=delta,
                                   condition=condition, random_state=random_state, split=split)
    truth = dict(base.ground_truth)
    gap = truth["class_means"][1] - truth["class_means"][0]
    n, d = base.X.shape
    truth.update(
        mean_gap=gap,
        mahalanobis_gap=delta,
        euclidean_gap=float(np.linalg.norm(gap)),
        bayes_accuracy=float(norm.cdf(delta / 2)),
        best_linear_accuracy=float(norm.cdf(delta / 2)),
        sampling_gap=float(np.sqrt(4.0 * d / n)),
    )
    return Dataset("weak_concept", X=base.X, y=base.y, ground_truth=truth,
                   params=dict(base.params))
