"""A uniformly random direction: the floor of the truth family."""

from __future__ import annotations

import numpy as np

from floor.validation import check_random_state
from methods.truth.fixed_direction import FixedDirectionProbe


class RandomDirection(FixedDirectionProbe):
    """A direction drawn uniformly on the unit sphere, ignoring the data and the labels.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``.
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
    coef_ : ndarray of shape (d,)
        ``v``, acting on normalised differences.
    bias_ : float
        Always 0.0.
    scale_ : float
    direction_ : ndarray of shape (d,)
        Unit input-space direction.
    normalizer_ : PairNormalizer
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.
    """

    def __init__(self, normalize="mean", random_state=None):
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X, y=None) -> RandomDirection:
        """Draw the direction (only the pairs' dimension ``d`` is used).

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2 d)
            Contrast pairs ``[x_plus | x_minus]``.
        y : array-like of shape (n_pairs,), optional
            Unused; checked to be 0/1 labels, one per pair, if given.

        Returns
        -------
        self
        """
        D, _ = self._fit_differences(X, y)
        g = check_random_state(self.random_state).standard_normal(D.shape[1])
        self._set_direction(g / np.linalg.norm(g), D)
        return self
