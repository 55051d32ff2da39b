"""Contrastive Representation Clustering via the top principal component (CRC-TPC).

Burns et al. (2022), arXiv 2212.03827, Section 3.3 (and Table 2): the top principal
component of the normalised differences ``z+ - z-``, with pairs called by the sign of
their projection. Its eigenvalues tell whether any direction is salient at all.
"""

from __future__ import annotations

import numpy as np

from methods.truth._contrast_pairs import ContrastPairClassifier, canonical_sign


class ContrastPCA(ContrastPairClassifier):
    """Top principal component of normalised pair differences, thresholded at 0.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``.
    ``D = Z+ - Z-`` (n_pairs, d) after per-side normalisation (so ``D`` is centred);
    ``v`` the top right singular vector of ``D``; a pair is called "first member true" when
    ``v^T (z+ - z-) > 0``. The sign of ``v`` is fixed by making its largest-magnitude entry
    positive (unsupervised: ``y`` is optional and unused, and which sign means "true" is
    arbitrary).

    Parameters
    ----------
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    random_state : None, int, SeedSequence or Generator, default=None
        Unused (deterministic); kept for the protocol.

    Attributes
    ----------
    coef_ : ndarray of shape (d,)
        ``v``, unit, acting on normalised differences.
    bias_ : float
        Always 0.0 (the threshold).
    direction_ : ndarray of shape (d,)
        Unit input-space direction.
    eigenvalues_ : ndarray of shape (min(n_pairs, d),)
        Eigenvalues of the covariance ``D^T D / n_pairs`` in decreasing order; the ratio of
        the top two (see `metrics.eigenvalue_ratio`) near 1 means no salient direction.
    normalizer_ : PairNormalizer
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.

    References
    ----------
    Burns et al. (2022), arXiv 2212.03827, Section 3.3 ("CRC-TPC").
    """

    def __init__(self, normalize="mean", random_state=None):
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X, y=None) -> ContrastPCA:
        """Top principal component of the differences.

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
        _, sing, Vt = np.linalg.svd(D, full_matrices=False)
        v = canonical_sign(Vt[0])
        self.bias_ = 0.0
        self.eigenvalues_ = sing**2 / D.shape[0]
        self.direction_ = self.normalizer_.input_direction(v)
        self.coef_ = v
        return self

    def decision_function(self, X) -> np.ndarray:
        """Projection ``v^T (z+ - z-)`` per pair, shape (n_pairs,); positive: x_plus true."""
        return self._differences(X) @ self.coef_

    def _proba_true(self, X) -> np.ndarray:
        """1.0 where the projection is positive, 0.0 where negative, 0.5 on ties."""
        return 0.5 * (1.0 + np.sign(self.decision_function(X)))
