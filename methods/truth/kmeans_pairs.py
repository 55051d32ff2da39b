"""The k-means baseline of Farquhar et al. 2023: two clusters of the normalised differences.

Farquhar, Varma, Kenton, Gasteiger, Mikulik, Shah (2023), "Challenges with unsupervised LLM
knowledge discovery", arXiv 2312.10029: beside CCS and PCA, k-means with two clusters on the
normalised contrast-pair differences ``z+ - z-``, each cluster read as one answer.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans

from floor.validation import check_int, check_random_state
from methods.truth._contrast_pairs import ContrastPairClassifier


class KMeansPairs(ContrastPairClassifier):
    """Two-means clustering of ``z+ - z-``; a pair is called by its nearer centroid.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``, each side
    normalised (`CCS`), ``D = Z+ - Z-``. scikit-learn's `KMeans` (k-means++ seeding, Lloyd
    iterations, the best of ``n_init`` starts by inertia) puts ``D`` in two clusters with
    centroids ``c0``, ``c1``. Nearer to ``c1`` is a half-space:

        ``||d - c1||^2 < ||d - c0||^2  <=>  (c1 - c0)^T d - (||c1||^2 - ||c0||^2) / 2 > 0``,

    so the method is the linear probe ``coef_ = c1 - c0``, ``bias_ = -(||c1||^2 -
    ||c0||^2) / 2``, called "first member true" on cluster ``c1``. Which cluster means "true"
    is arbitrary (unsupervised): the centroids are ordered so that the largest-magnitude
    entry of ``c1 - c0`` is positive. Two clusters placed symmetrically at ``+-c`` give
    ``coef_`` along ``c`` with ``bias_ = 0`` (tested on a planted direction).

    Parameters
    ----------
    n_init : int, default=10
        k-means++ starts; the lowest inertia is kept.
    max_iter : int, default=300
        Lloyd iterations per start at most.
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    random_state : None, int, SeedSequence or Generator, default=None
        Source of the starts.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (2, d)
        ``[c0, c1]`` in normalised coordinates.
    coef_ : ndarray of shape (d,)
        ``c1 - c0``.
    bias_ : float
    direction_ : ndarray of shape (d,)
        Unit input-space direction of ``coef_``.
    inertia_ : float
        Sum of squared distances to the nearer centroid.
    n_iter_ : int
        Lloyd iterations of the kept start.
    normalizer_ : PairNormalizer
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.

    References
    ----------
    Farquhar et al. (2023), arXiv 2312.10029 (the k-means baseline); Lloyd (1982); Arthur &
    Vassilvitskii (2007), k-means++.
    """

    def __init__(self, n_init=10, max_iter=300, normalize="mean", random_state=None):
        self.n_init = n_init
        self.max_iter = max_iter
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X, y=None) -> KMeansPairs:
        """Two clusters of the normalised differences.

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
        n_init = check_int(self.n_init, "n_init")
        max_iter = check_int(self.max_iter, "max_iter")
        rng = check_random_state(self.random_state)
        D, _ = self._fit_differences(X, y)
        D = np.ascontiguousarray(D)  # the same clustering whatever X's memory order
        seed = int(rng.integers(2**31 - 1))
        km = KMeans(n_clusters=2, n_init=n_init, max_iter=max_iter, random_state=seed).fit(D)
        C = np.asarray(km.cluster_centers_, dtype=np.float64)
        gap = C[1] - C[0]
        if gap[np.argmax(np.abs(gap))] < 0:
            C = C[::-1].copy()
        self.cluster_centers_ = C
        self.coef_ = C[1] - C[0]
        self.bias_ = float(-(C[1] @ C[1] - C[0] @ C[0]) / 2.0)
        self.inertia_ = float(km.inertia_)
        self.n_iter_ = int(km.n_iter_)
        self.direction_ = self.normalizer_.input_direction(self.coef_)
        return self

    def decision_function(self, X) -> np.ndarray:
        """``(c1 - c0)^T d + bias_`` per pair, shape (n_pairs,); positive: nearer ``c1``."""
        return self._differences(X) @ self.coef_ + self.bias_

    def _proba_true(self, X) -> np.ndarray:
        """1.0 in cluster ``c1``, 0.0 in ``c0``, 0.5 on the boundary."""
        return 0.5 * (1.0 + np.sign(self.decision_function(X)))
