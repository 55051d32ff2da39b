"""Median-difference projection: a robust cousin of mean projection.

Haghighatkhah et al. (2022, arXiv 2212.04273) propose projecting out the direction
between robust class centres (they use the Tukey median); here the class centres are
geometric medians, which are rotation-equivariant and cheap to compute.
"""

from __future__ import annotations

import numpy as np

from floor.geometric_median import geometric_median
from methods.erasure._subspace import SubspaceEraser, class_difference_basis


class MedianProjectionEraser(SubspaceEraser):
    """Project out the direction(s) between class geometric medians, around the median.

    ``m_k`` = geometric median of class k, ``m = mean_k m_k``; ``Q`` (d, <= K-1)
    orthonormal basis of ``span{m_k - m}``; ``r(x) = x - Q Q^T (x - m)``.
    Outliers that leave the class means equal do not move the medians, so on the
    outlier-heavy equal-means set this removes the concept direction that mean-based
    erasers cannot see. It does not equalise class means in general, so it does not
    guarantee linear guardedness.

    Attributes
    ----------
    basis_ : ndarray of shape (n_features, rank)
        ``Q``, orthonormal basis of the removed subspace (columns).
    components_ : ndarray of shape (rank, n_features)
        ``Q^T``.
    centre_ : ndarray of shape (n_features,)
        ``m``, the mean of the class geometric medians.
    projection_ : ndarray of shape (n_features, n_features)
        ``I - Q Q^T``, the projector kept: ``transform(x) = m + projection_ (x - m)``.
    rank_ : int
    n_features_in_ : int
    """

    def fit(self, X, y) -> "MedianProjectionEraser":
        """Learn ``Q`` and ``m`` from ``X`` (n, d) and labels ``y`` (n,)."""
        X, codes = self._validate_fit(X, y)
        medians = np.stack([geometric_median(X[codes == c]) for c in range(codes.max() + 1)])
        centre = medians.mean(axis=0)
        self._set_subspace(class_difference_basis(X, medians, centre), centre)
        return self
