"""Uniform points in the unit hypercube: a false-positive test for the sparse-feature family.

The uniform distribution on ``[0, 1)^d`` has no sparse features: no sample is a sparse
combination of a few directions more than any other. A dictionary learner still finds
atoms here (the corners, the axes); the suite asks whether it claims more of them, more
stably, than random unit vectors would.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_int
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng


def make_uniform_cube(
    n_samples: int,
    n_features: int = 2,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Samples uniform in the unit hypercube ``[0, 1)^d`` (the unit square for ``d = 2``).

    ``x ~ U[0, 1)^d``, coordinates independent. The dataset has no structure beyond its
    dimension, so the structure stream is unused; splits still differ.

    Parameters
    ----------
    n_samples : int
        Rows of this split (>= 1).
    n_features : int, default=2
        Dimension ``d`` (>= 1).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; each split draws from its own child stream.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, d) float64. ``ground_truth``: ``n_true_features`` = 0 (no sparse
        features, by construction) and ``dimension`` = d.
    """
    n = check_int(n_samples, "n_samples")
    d = check_int(n_features, "n_features")
    X = np.ascontiguousarray(split_rng(random_state, split).random((n, d)))
    truth = {"n_true_features": 0, "dimension": d}
    params = dict(n_samples=n, n_features=d, random_state=repr(random_state), split=split)
    return Dataset("uniform_cube", X=X, ground_truth=truth, params=params)
