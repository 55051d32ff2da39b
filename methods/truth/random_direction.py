"""A uniformly random direction: the floor of the truth family."""

from __future__ import annotations

import numpy as np

from methods.truth.ccs import PairNormalizer, check_pairs
from methods.validation import check_is_fitted, check_random_state


class RandomDirection:
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
        v = g / np.linalg.norm(g)
        proj = (Zp - Zn) @ v
        self.scale_ = float(proj.std()) if proj.std() > 0 else 1.0
        self.coef_ = v
        self.bias_ = 0.0
        self.direction_ = self.normalizer_.input_direction(v)
        self.n_features_in_ = Xp.shape[1]
        return self

    def predict_proba(self, X_pos, X_neg):
        """p(first member is true), shape (n_pairs,)."""
        check_is_fitted(self, "coef_")
        Xp, Xn, _ = check_pairs(X_pos, X_neg, n_features=self.n_features_in_)
        Zp, Zn = self.normalizer_.transform(Xp, Xn)
        return 1.0 / (1.0 + np.exp(-((Zp - Zn) @ self.coef_) / self.scale_))
