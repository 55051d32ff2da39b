"""K Gaussian classes with a shared anisotropic covariance: multi-class concept erasure."""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, check_positive_float
from generators._structure import anisotropic_covariance_sqrt, random_orthonormal
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng


def make_multiclass_gaussian(
    n_samples: int = 2000,
    n_features: int = 16,
    n_classes: int = 4,
    separation: float = 2.0,
    condition: float = 100.0,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """``x | z ~ N(mu_z, Sigma)`` for ``z`` uniform on ``{0, ..., K-1}``.

    Class means ``mu_k = (separation / sqrt 2) Sigma^{1/2} q_k`` for orthonormal
    ``q_1..q_K`` (structure stream), so every pair of classes is at Mahalanobis distance
    ``separation``. ``Sigma`` as in `make_two_class_gaussian`.

    Returns
    -------
    Dataset
        ``ground_truth``: ``concept_directions`` (d, K-1), an orthonormal basis of the span
        of ``mu_k - mean_k(mu_k)``; ``class_means`` (K, d); ``covariance``;
        ``pairwise_mahalanobis`` (= separation); ``n_classes`` K.
    """
    n = check_int(n_samples, "n_samples", 2)
    k = check_int(n_classes, "n_classes", 2)
    d = check_int(n_features, "n_features", k)
    delta = check_positive_float(separation, "separation")
    srng = structure_rng(random_state)
    sigma_half = anisotropic_covariance_sqrt(srng, d, condition)
    q = random_orthonormal(srng, d, k)
    means = (delta / np.sqrt(2)) * (sigma_half @ q).T
    centred = means - means.mean(axis=0)
    u, s, _ = np.linalg.svd(centred.T, full_matrices=False)
    dirs = u[:, : k - 1]

    rng = split_rng(random_state, split)
    y = rng.integers(0, k, size=n)
    X = means[y] + rng.standard_normal((n, d)) @ sigma_half
    truth = {
        "concept_directions": dirs,
        "class_means": means,
        "covariance": sigma_half @ sigma_half,
        "pairwise_mahalanobis": delta,
        "n_classes": k,
    }
    params = dict(n_samples=n, n_features=d, n_classes=k, separation=delta,
                  condition=float(condition), random_state=repr(random_state), split=split)
    return Dataset("multiclass_gaussian", X=np.ascontiguousarray(X), y=y, ground_truth=truth,
                   params=params)
