"""An isotropic Gaussian: the pure null of the sparse-feature family.

``N(0, sigma^2 I)`` is rotation invariant, so it has no preferred direction at all; any
feature a dictionary learner reports here is an artefact of the method.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, check_positive_float
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng


def make_isotropic_gaussian(
    n_samples: int,
    n_features: int = 2,
    scale: float = 1.0,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Samples ``x ~ N(0, scale^2 I_d)``.

    The dataset has no structure beyond its dimension and scale, so the structure stream is
    unused; splits still differ.

    Parameters
    ----------
    n_samples : int
        Rows of this split (>= 1).
    n_features : int, default=2
        Dimension ``d`` (>= 1).
    scale : float, default=1.0
        Standard deviation of every coordinate (> 0).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; each split draws from its own child stream.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, d) float64. ``ground_truth``: ``n_true_features`` = 0 (no
        features: the distribution is rotation invariant), ``dimension`` = d, ``scale``.
    """
    n = check_int(n_samples, "n_samples")
    d = check_int(n_features, "n_features")
    sigma = check_positive_float(scale, "scale")
    X = np.ascontiguousarray(sigma * split_rng(random_state, split).standard_normal((n, d)))
    truth = {"n_true_features": 0, "dimension": d, "scale": sigma}
    params = dict(n_samples=n, n_features=d, scale=sigma, random_state=repr(random_state),
                  split=split)
    return Dataset("isotropic_gaussian", X=X, ground_truth=truth, params=params)
