"""A uniformly random direction: the floor of the truth family."""

from __future__ import annotations

import numpy as np

from methods.truth.ccs import PairNormalizer, check_pairs
from methods.truth.fixed_direction import FixedDirectionProbeMixin
from methods.validation import check_random_state


class RandomDirection(FixedDirectionProbeMixin):
    """A direction drawn uniformly on the unit sphere, ignoring the data and the labels.

    ``v = g / ||g||`` with ``g ~ N(0, I_d)``; a pair is scored
    ``p = sigmoid(v^T (z+ - z-) / tau)``, ``z`` the normalised members and ``tau`` the
    standard deviation of the training projections. Any method worth using beats it.

    Parameters
    ----------
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    random_state : None, int, SeedSequence or Generator, default=None
        Source of the direction.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        ``v``, acting on normalised differences.
    bias_ : float
        Always 0.0.
    scale_ : float
    direction_ : ndarray of shape (n_features,)
        Unit input-space direction.
    normalizer_ : PairNormalizer
    n_features_in_ : int
    """

    def __init__(self, normalize="mean", random_state=None):
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X_pos, X_neg, y=None):
        """Draw the direction (only the pairs' dimension is used); ``y`` is ignored."""
        Xp, Xn, _ = check_pairs(X_pos, X_neg)
        self.normalizer_ = PairNormalizer(self.normalize).fit(Xp, Xn)
        Zp, Zn = self.normalizer_.transform(Xp, Xn)
        g = check_random_state(self.random_state).standard_normal(Xp.shape[1])
        self._set_direction(g / np.linalg.norm(g), Zp, Zn)
        return self
