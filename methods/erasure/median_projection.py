"""Median-difference projection: a robust cousin of mean projection.

Haghighatkhah et al. (2022, arXiv 2212.04273) propose projecting out the direction
between robust class centres (they use the Tukey median); here the class centres are
geometric medians, which are rotation-equivariant and cheap to compute.
"""

from __future__ import annotations

import numpy as np

from methods.erasure._subspace import SubspaceProjectionMixin, class_difference_basis
from methods.geometric_median import geometric_median
from methods.validation import check_array, check_labels


class MedianProjectionEraser(SubspaceProjectionMixin):
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
    centre_ : ndarray of shape (n_features,)
        ``m``, the mean of the class geometric medians.
    n_features_in_ : int
    """

    def fit(self, X, y) -> "MedianProjectionEraser":
        """Learn ``Q`` and ``m`` from ``X`` (n, d) and labels ``y`` (n,)."""
        X = check_array(X, "X")
        codes = check_labels(y, X.shape[0])
        medians = np.stack([geometric_median(X[codes == c]) for c in range(codes.max() + 1)])
        self.centre_ = medians.mean(axis=0)
        self.basis_ = class_difference_basis(X, medians, self.centre_)
        self.n_features_in_ = X.shape[1]
        return self
