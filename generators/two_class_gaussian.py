"""Two Gaussian classes with a shared anisotropic covariance and a planted concept direction.

The positive control of the erasure family: every linear eraser that equalises the class
means makes the two classes identical in distribution, so every probe, linear or not,
must fall to chance.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_int, check_positive_float
from generators._structure import anisotropic_covariance_sqrt, random_orthonormal
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng


def make_two_class_gaussian(
    n_samples: int = 2000,
    n_features: int = 16,
    separation: float = 2.0,
    condition: float = 100.0,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Two classes ``x | z ~ N(mu_z, Sigma)`` with a planted mean difference.

    Structure (shared by all splits): ``Sigma = Q diag(lam) Q^T`` with eigenvalues
    log-spaced in ``[1 / sqrt(condition), sqrt(condition)]`` and a random rotation ``Q``;
    a random unit direction ``u``; class means ``mu_z = (z - 1/2) * Delta`` with
    ``Delta = separation * Sigma^{1/2} u``, so the Mahalanobis distance between the class
    means is exactly ``separation``. Labels ``z ~ Bernoulli(1/2)``.

    Parameters
    ----------
    n_samples : int, default=2000
        Rows of this split (>= 2).
    n_features : int, default=16
        Dimension ``d`` (>= 2).
    separation : float, default=2.0
        Mahalanobis distance ``delta`` between the class means (> 0).
    condition : float, default=100.0
        Condition number of ``Sigma`` (>= 1); anisotropy makes LEACE's oblique update differ
        from an orthogonal projection.
    random_state : int or SeedSequence, default=0
        Seed of the dataset; its structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n, d) float64, ``y`` (n,) in {0, 1}; ``ground_truth``: ``concept_directions``
        (d, 1) unit ``Delta / ||Delta||``, ``class_means`` (2, d), ``covariance`` (d, d),
        ``bayes_accuracy`` ``Phi(delta / 2)``, ``best_linear_accuracy`` (the same: the Bayes
        rule is linear here), ``n_classes`` 2.
    """
    n = check_int(n_samples, "n_samples", 2)
    d = check_int(n_features, "n_features", 2)
    delta = check_positive_float(separation, "separation")
    srng = structure_rng(random_state)
    sigma_half = anisotropic_covariance_sqrt(srng, d, condition)
    u = random_orthonormal(srng, d, 1)[:, 0]
    diff = delta * sigma_half @ u
    means = np.stack([-diff / 2, diff / 2])

    rng = split_rng(random_state, split)
    y = rng.integers(0, 2, size=n)
    X = means[y] + rng.standard_normal((n, d)) @ sigma_half
    bayes = float(norm.cdf(delta / 2))
    truth = {
        "concept_directions": (diff / np.linalg.norm(diff))[:, None],
        "class_means": means,
        "covariance": sigma_half @ sigma_half,
        "bayes_accuracy": bayes,
        "best_linear_accuracy": bayes,
        "n_classes": 2,
    }
    params = dict(n_samples=n, n_features=d, separation=delta, condition=float(condition),
                  random_state=repr(random_state), split=split)
    return Dataset("two_class_gaussian", X=np.ascontiguousarray(X), y=y,
                   ground_truth=truth, params=params)
