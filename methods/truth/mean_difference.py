"""Difference of class means ("mass-mean" probe): a supervised ceiling with no optimiser.

The direction from the false members' mean to the true members' mean (Marks & Tegmark
2023, "The Geometry of Truth", arXiv 2310.06824, Section 5), computed on contrast pairs.
"""

from __future__ import annotations

from typing import ClassVar

from methods.truth.fixed_direction import FixedDirectionProbe


class MeanDifference(FixedDirectionProbe):
    """``theta = mean(true members) - mean(false members)``, scored on pair differences.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``; labels
    ``y`` (required) 1 where ``x_plus`` is true. With ``z`` the normalised members and
    ``sigma_j = 2 y_j - 1``: ``theta = mean_j sigma_j (z+_j - z-_j)``. A pair is scored
    ``p = sigmoid((theta^T (z+ - z-)) / tau)`` with ``tau`` the standard deviation of the
    training projections (a scale only: the call is the sign of the projection).

    Parameters
    ----------
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    random_state : None, int, SeedSequence or Generator, default=None
        Unused (deterministic); kept for the protocol.

    Attributes
    ----------
    coef_ : ndarray of shape (d,)
        ``theta``, acting on normalised differences.
    bias_ : float
        Always 0.0.
    scale_ : float
        ``tau``.
    direction_ : ndarray of shape (d,)
        Unit input-space direction.
    normalizer_ : PairNormalizer
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.

    References
    ----------
    Marks & Tegmark (2023), arXiv 2310.06824, Section 5 (mass-mean probing).
    """

    _supervised: ClassVar[bool] = True

    def __init__(self, normalize="mean", random_state=None):
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X, y=None) -> MeanDifference:
        """Mean difference of true minus false members.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2 d)
            Contrast pairs ``[x_plus | x_minus]``.
        y : array-like of shape (n_pairs,)
            Required: 1 where ``x_plus`` is true, 0 where ``x_minus`` is; both must occur.

        Returns
        -------
        self
        """
        D, y = self._fit_differences(X, y)
        theta = (2.0 * y - 1.0) @ D / D.shape[0]
        self._set_direction(theta, D)
        return self
