"""A mixture of k isotropic Gaussians: a false-positive test for the sparse-feature family.

Clustered data has "about k features" (the centres) but no sparse linear structure; a
dictionary learner that reports many more stable features than k is inventing them.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, check_positive_float
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng


def make_gaussian_mixture(
    n_samples: int,
    n_features: int = 2,
    n_centres: int = 12,
    centre_scale: float = 1.0,
    cluster_std: float = 0.05,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Samples from an equal-weight mixture of ``n_centres`` isotropic Gaussians.

    Structure (shared by all splits): centres ``mu_j ~ N(0, centre_scale^2 I_d)``.
    Samples: a component ``j ~ Uniform{0, ..., k-1}`` and ``x = mu_j + cluster_std * e``
    with ``e ~ N(0, I_d)``. Like ``sklearn.datasets.make_blobs``, but with the centres
    in the ground truth and held-out splits sharing them.

    Parameters
    ----------
    n_samples : int
        Rows of this split (>= 1).
    n_features : int, default=2
        Dimension ``d`` (>= 1). In ``d = 2`` any two dictionaries look alike, which is
        why claimed features are always compared with a random-atom band.
    n_centres : int, default=12
        Number of mixture components ``k`` (>= 1).
    centre_scale : float, default=1.0
        Standard deviation of each centre coordinate (> 0).
    cluster_std : float, default=0.05
        Standard deviation of each coordinate within a component (> 0).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; its structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, d) float64; ``y`` (n_samples,) the component of each sample.
        ``ground_truth``: ``centres`` (k, d); ``n_true_features`` = k (a judgement call:
        "about k features", one per cluster); ``labels`` (= ``y``); ``cluster_std``.
    """
    n = check_int(n_samples, "n_samples")
    d = check_int(n_features, "n_features")
    k = check_int(n_centres, "n_centres")
    scale = check_positive_float(centre_scale, "centre_scale")
    std = check_positive_float(cluster_std, "cluster_std")

    centres = scale * structure_rng(random_state).standard_normal((k, d))

    rng = split_rng(random_state, split)
    labels = rng.integers(0, k, size=n)
    X = np.ascontiguousarray(centres[labels] + std * rng.standard_normal((n, d)))

    truth = {"centres": centres, "n_true_features": k, "labels": labels, "cluster_std": std}
    params = dict(n_samples=n, n_features=d, n_centres=k, centre_scale=scale,
                  cluster_std=std, random_state=repr(random_state), split=split)
    return Dataset("gaussian_mixture", X=X, y=labels, ground_truth=truth, params=params)
