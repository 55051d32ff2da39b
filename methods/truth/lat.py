"""Linear Artificial Tomography (LAT), representation reading: Zou et al. 2023.

The reading vector of "Representation Engineering" (Zou et al. 2023, arXiv 2310.01405,
Section 3.1): the stimuli's representations are paired at random, the differences of the
pairs are centred, and their first principal component is the direction that reads the
concept (the ``PCARepReader`` of andyzoujm/representation-engineering).
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_random_state
from methods.truth._contrast_pairs import canonical_sign
from methods.truth.fixed_direction import FixedDirectionProbe


def random_pair_differences(Z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Differences ``Z[a_k] - Z[b_k]`` of a random pairing of the rows of ``Z`` (m, d).

    A random permutation, read two rows at a time: ``floor(m / 2)`` disjoint pairs (an odd
    row out is left out), shape (floor(m / 2), d).
    """
    perm = rng.permutation(Z.shape[0])
    half = Z.shape[0] // 2
    return Z[perm[:half]] - Z[perm[half:2 * half]]


class LAT(FixedDirectionProbe):
    """Top principal component of differences of randomly paired stimuli.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``. The
    stimuli are the ``2 n_pairs`` normalised members ``z`` (both sides, pooled); they are
    paired at random (`random_pair_differences`), the ``n_pairs`` differences ``H`` are
    centred, and ``v`` is the top right singular vector of ``H - mean(H)``. A contrast pair
    is then scored ``p = sigmoid(v^T (z+ - z-) / tau)``, ``tau`` the standard deviation of
    the training projections, with the sign of ``v`` fixed by making its largest-magnitude
    entry positive. RepE picks the sign with labels; here, unsupervised, ``y`` is unused and
    which sign means "true" is arbitrary, as for `ContrastPCA`.

    Unlike CRC-TPC (`ContrastPCA`), whose differences are within a contrast pair (the same
    statement completed two ways), LAT's differences are between unrelated stimuli: a
    random pair is a true and a false statement half of the time and two of a kind the
    other half, and the content of the two statements does not cancel.

    Parameters
    ----------
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    random_state : None, int, SeedSequence or Generator, default=None
        Source of the random pairing.

    Attributes
    ----------
    coef_ : ndarray of shape (d,)
        ``v``, unit, acting on normalised differences.
    eigenvalues_ : ndarray of shape (min(n_pairs, d),)
        Eigenvalues of the covariance of the centred random-pair differences, decreasing.
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
    Zou et al. (2023), "Representation Engineering: A Top-Down Approach to AI Transparency",
    arXiv 2310.01405, Section 3.1 (LAT: stimuli, random pairs, PCA of the differences).
    """

    def __init__(self, normalize="mean", random_state=None):
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X, y=None) -> LAT:
        """Reading vector of the pooled members.

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
        rng = check_random_state(self.random_state)
        Z_pos, Z_neg, _ = self._fit_pairs(X, y)
        H = random_pair_differences(np.vstack([Z_pos, Z_neg]), rng)
        H -= H.mean(axis=0)
        _, sing, Vt = np.linalg.svd(H, full_matrices=False)
        v = canonical_sign(Vt[0])
        self.eigenvalues_ = sing**2 / H.shape[0]
        self._set_direction(v, Z_pos - Z_neg)
        return self
