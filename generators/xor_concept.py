"""A concept encoded nonlinearly: the label is the XOR of the signs along two directions.

Both class means are equal in the population, so linear erasers find (almost) nothing to
remove, and nonlinear probes recover the label. A 0-1 linear classifier still beats
chance: a line can cut one of the four clusters off from the other three, which gives
balanced accuracy 3/4 at zero noise.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_int, check_positive_float
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng


def make_xor_concept(
    n_samples: int = 2000,
    n_features: int = 16,
    noise: float = 0.3,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """XOR of two signs: ``x = a u_1 + b u_2 + noise * e``, ``y = 1[a b > 0]``.

    ``a, b`` are independent uniform signs, ``u_1, u_2`` orthonormal (structure stream),
    ``e ~ N(0, I_d)``.

    Parameters
    ----------
    n_samples : int, default=2000
        Rows of this split (>= 2).
    n_features : int, default=16
        Dimension ``d`` (>= 2).
    noise : float, default=0.3
        Standard deviation ``s`` of the isotropic noise (> 0).
    random_state : int or SeedSequence, default=0
        Seed of the dataset.
    split : int, default=0
        Which sample (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``ground_truth``: ``concept_directions`` (d, 2) = ``[u_1, u_2]``; ``bayes_accuracy``
        ``p^2 + (1 - p)^2`` with ``p = Phi(1 / s)`` (the product of the two signs is read
        correctly when both or neither are flipped); ``best_linear_accuracy`` 0.75 (balanced,
        zero-noise limit: one cluster cut off); ``n_classes`` 2.
    """
    n = check_int(n_samples, "n_samples", 2)
    d = check_int(n_features, "n_features", 2)
    s = check_positive_float(noise, "noise")
    dirs = random_orthonormal(structure_rng(random_state), d, 2)
    rng = split_rng(random_state, split)
    signs = rng.choice(np.array([-1.0, 1.0]), size=(n, 2))
    y = (signs[:, 0] * signs[:, 1] > 0).astype(np.int64)
    X = signs @ dirs.T + s * rng.standard_normal((n, d))
    p = float(norm.cdf(1 / s))
    truth = {
        "concept_directions": dirs,
        "bayes_accuracy": p**2 + (1 - p) ** 2,
        "best_linear_accuracy": 0.75,
        "n_classes": 2,
    }
    params = dict(n_samples=n, n_features=d, noise=s, random_state=repr(random_state),
                  split=split)
    return Dataset("xor_concept", X=np.ascontiguousarray(X), y=y, ground_truth=truth,
                   params=params)
