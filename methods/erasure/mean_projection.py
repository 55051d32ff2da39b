"""Mean-difference projection (Haghighatkhah et al. 2022, "Better hit the nail on the head:
Neural Representation Erasure with Mean Projection", arXiv 2212.04273)."""

from __future__ import annotations

import numpy as np

from methods.erasure._subspace import SubspaceEraser, class_difference_basis


class MeanProjectionEraser(SubspaceEraser):
    """Project out the direction(s) between class means, around the overall mean.

    Binary labels: ``u = (mu_1 - mu_0) / ||mu_1 - mu_0||`` and
    ``r(x) = x - u u^T (x - mu)``. With K classes, ``u`` becomes an orthonormal basis
    ``Q`` (d, <= K-1) of ``span{mu_k - mu}`` and ``r(x) = x - Q Q^T (x - mu)``. After
    erasure every class mean equals ``mu``: linear guardedness for convex losses (Belrose et
    al. 2023, Thm 3.1) with an orthogonal, not the least-squares optimal oblique, update.

    Attributes
    ----------
    basis_ : ndarray of shape (n_features, rank)
        ``Q``, orthonormal basis of the removed subspace (columns).
    components_ : ndarray of shape (rank, n_features)
        ``Q^T``: the same basis as rows.
    centre_ : ndarray of shape (n_features,)
        The overall mean ``mu``.
    projection_ : ndarray of shape (n_features, n_features)
        ``I - Q Q^T``, the projector kept: ``transform(x) = mu + projection_ (x - mu)``.
    rank_ : int
        Dimension of the removed subspace.
    n_features_in_ : int

    References
    ----------
    Haghighatkhah, Fokkens, Dong, Balog, Li, Shi (2022), Sec. 3 ("Mean Projection").
    """

    #: ``span{mu_k - mu}`` is projected out: equal class means on the fit data.
    claims_linear_guardedness = True

    def fit(self, X, y) -> "MeanProjectionEraser":
        """Learn ``Q`` and ``mu`` from ``X`` (n, d) and labels ``y`` (n,)."""
        X, codes = self._validate_fit(X, y)
        means = np.stack([X[codes == c].mean(axis=0) for c in range(codes.max() + 1)])
        centre = X.mean(axis=0)
        self._set_subspace(class_difference_basis(X, means, centre), centre)
        return self
