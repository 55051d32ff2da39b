"""Class-mean matching by translation (Singh et al. 2024, "Representation Surgery: Theory
and Practice of Affine Steering", MiMiC mean matching), an oracle-style eraser."""

from __future__ import annotations

import numpy as np

from methods.erasure._subspace import BaseEraser


class MeanMatchingEraser(BaseEraser):
    """Translate every class onto the overall mean: ``r(x, z) = x - mu_z + mu``.

    After erasure all class means equal ``mu`` exactly (linear guardedness for convex
    losses), and for classes that differ only by a shift (shared covariance) the class
    distributions become identical. It needs the label ``z`` of every row at transform time,
    like Oracle LEACE: ``transform(X, y)``. Unlike projections it removes no subspace for
    unlabelled data; the suite always passes labels to an eraser whose ``transform`` takes
    ``y``.

    Attributes
    ----------
    class_means_ : ndarray of shape (n_classes, n_features)
    mean_ : ndarray of shape (n_features,)
        The overall mean ``mu``.
    classes_ : ndarray of shape (n_classes,)
        Label values seen in ``fit``, in sorted order.
    n_features_in_ : int
    rank_ : int
        Rank of the translations ``{mu_z - mu}`` (at most K-1).

    References
    ----------
    Singh, Ravfogel, Herzig, Aharoni, Cotterell, Kumaraguru (2024), ICML, Sec. 4.1.
    """

    _fitted_attribute = "class_means_"
    #: Every class is translated onto ``mu``: equal class means on the fit data.
    claims_linear_guardedness = True

    def fit(self, X, y) -> "MeanMatchingEraser":
        """Learn the class means of ``X`` (n, d) under labels ``y`` (n,)."""
        X, codes = self._validate_fit(X, y)
        self.classes_ = np.unique(np.asarray(y))
        self.mean_ = X.mean(axis=0)
        self.class_means_ = np.stack([X[codes == c].mean(axis=0) for c in range(codes.max() + 1)])
        self.rank_ = int(np.linalg.matrix_rank(self.class_means_ - self.mean_))
        return self

    def transform(self, X, y=None) -> np.ndarray:
        """Return ``X - mu_y + mu`` (n, d); ``y`` (n,) holds labels seen in ``fit``.

        ``y`` is required: each row is moved by its own class mean. (It defaults to None
        only so that ``X`` is checked first and a missing ``y`` gets a clear error.)
        """
        X = self._validate_transform(X)
        if y is None:
            raise ValueError("MeanMatchingEraser.transform requires y, the label of each "
                             "row of X (each row is moved by its own class mean)")
        y = np.asarray(y)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, self.classes_.size - 1)
        if not np.all(self.classes_[idx] == y):
            raise ValueError(f"y holds labels not seen in fit (seen: {self.classes_.tolist()})")
        return X - self.class_means_[idx] + self.mean_

    def fit_transform(self, X, y) -> np.ndarray:
        """``fit(X, y)`` then ``transform(X, y)``: each row needs its own label."""
        return self.fit(X, y).transform(X, y)
