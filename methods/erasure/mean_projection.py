"""Mean-difference projection (Haghighatkhah et al. 2022, "Better hit the nail on the head:
Neural Representation Erasure with Mean Projection", arXiv 2212.04273)."""

from __future__ import annotations

import numpy as np

from methods.erasure._subspace import SubspaceProjectionMixin, class_difference_basis
from methods.validation import check_array, check_labels


class MeanProjectionEraser(SubspaceProjectionMixin):
    """Project out the direction(s) between class means, around the overall mean.

    Binary labels: ``u = (mu_1 - mu_0) / ||mu_1 - mu_0||`` and
    ``r(x) = x - u u^T (x - mu)``. With K classes, ``u`` becomes an orthonormal basis
    ``Q`` (d, <= K-1) of ``span{mu_k - mu}`` and ``r(x) = x - Q Q^T (x - mu)``. After
    erasure every class mean equals ``mu``: linear guardedness for convex losses (Belrose et
    al. 2023, Thm 3.1) with an orthogonal, not the least-squares optimal oblique, update.

    Attributes
    ----------
    basis_ : ndarray of shape (n_features, rank)
        Orthonormal basis of the removed subspace.
    centre_ : ndarray of shape (n_features,)
        The overall mean ``mu``.
    n_features_in_ : int

    References
    ----------
    Haghighatkhah, Fokkens, Dong, Balog, Li, Shi (2022), Sec. 3 ("Mean Projection").
    """

    def fit(self, X, y) -> "MeanProjectionEraser":
        """Learn ``Q`` and ``mu`` from ``X`` (n, d) and labels ``y`` (n,)."""
        X = check_array(X, "X")
        codes = check_labels(y, X.shape[0])
        means = np.stack([X[codes == c].mean(axis=0) for c in range(codes.max() + 1)])
        self.centre_ = X.mean(axis=0)
        self.basis_ = class_difference_basis(X, means, self.centre_)
        self.n_features_in_ = X.shape[1]
        return self
