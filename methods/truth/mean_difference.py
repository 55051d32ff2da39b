"""Difference of class means ("mass-mean" probe): a supervised ceiling with no optimiser.

The direction from the false members' mean to the true members' mean (Marks & Tegmark
2023, "The Geometry of Truth", arXiv 2310.06824, Section 5), computed on contrast pairs.
"""

from __future__ import annotations

from methods.truth.ccs import PairNormalizer, check_pairs
from methods.truth.fixed_direction import FixedDirectionProbeMixin


class MeanDifference(FixedDirectionProbeMixin):
    """``theta = mean(true members) - mean(false members)``, scored on pair differences.

    With ``z`` the normalised members and ``sigma_j = 2 y_j - 1``:
    ``theta = mean_j sigma_j (z+_j - z-_j)``. A pair is scored
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
    coef_ : ndarray of shape (n_features,)
        ``theta``, acting on normalised differences.
    bias_ : float
        Always 0.0.
    scale_ : float
        ``tau``.
    direction_ : ndarray of shape (n_features,)
        Unit input-space direction.
    normalizer_ : PairNormalizer
    n_features_in_ : int

    References
    ----------
    Marks & Tegmark (2023), arXiv 2310.06824, Section 5 (mass-mean probing).
    """

    def __init__(self, normalize="mean", random_state=None):
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X_pos, X_neg, y=None):
        """Mean difference of true minus false members; ``y`` is required. Returns self."""
        Xp, Xn, y = check_pairs(X_pos, X_neg, y, require_y=True)
        self.normalizer_ = PairNormalizer(self.normalize).fit(Xp, Xn)
        Zp, Zn = self.normalizer_.transform(Xp, Xn)
        D = Zp - Zn
        theta = (2.0 * y - 1.0) @ D / D.shape[0]
        self._set_direction(theta, Zp, Zn)
        return self
