"""Shared machinery of the erasers: the scikit-learn base and the orthogonal projection.

Every eraser is a scikit-learn transformer fitted on samples ``X`` (n, d) and concept
labels ``y`` (n,) (its tags say the labels are required), and ``transform(X)`` returns the
erased samples (n, d). The learned attributes mean the same thing in every eraser:

- ``n_features_in_``: ``d``, the width seen in ``fit``.
- ``rank_``: dimension of the subspace the eraser changes (0 for the identity).
- ``centre_`` (d,): the point the erasure is applied around; a linear eraser is
  ``r(x) = centre_ + projection_ (x - centre_)``.
- ``projection_`` (d, d): the map applied to ``x - centre_``, i.e. what is *kept*:
  ``I - Q Q^T`` for the orthogonal erasers, ``I - W^+ P_{W S_xz} W`` for LEACE (oblique).
- ``components_`` (rank_, d) and ``basis_`` (d, rank_): orthonormal rows / columns spanning
  the removed subspace of the orthogonal erasers (``basis_ = components_.T``).
- ``mean_`` (d,): the mean of the (training) rows the eraser was fitted on, where it uses it.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import validate_data

from floor.validation import check_array, check_is_fitted, check_labels


def orthonormal_basis(vectors: np.ndarray, rtol: float | None = None) -> np.ndarray:
    """Orthonormal basis (d, r) of the span of the columns of ``vectors`` (d, k).

    Columns whose singular value is below ``rtol * max(d, k) * eps * s_max`` (numerical
    zero, the rule of ``numpy.linalg.matrix_rank``) are dropped; an all-zero input gives an
    empty (d, 0) basis.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
    if vectors.size == 0:
        return np.zeros((vectors.shape[0], 0))
    u, s, _ = np.linalg.svd(vectors, full_matrices=False)
    if s.size == 0 or s[0] == 0:
        return np.zeros((vectors.shape[0], 0))
    tol = s[0] * max(vectors.shape) * np.finfo(np.float64).eps * (rtol or 1.0)
    return u[:, s > tol]


class BaseEraser(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """scikit-learn base of the erasers: labels required, one output feature per input.

    Subclasses implement ``fit(X, y)`` opening with `_validate_fit` and set the attribute
    named by ``_fitted_attribute``; ``transform`` opens with `_validate_transform`.
    """

    #: Attribute whose presence means "fitted" (set last-but-not-least in ``fit``).
    _fitted_attribute = "n_features_in_"
    #: True on an eraser whose construction makes every class mean equal the overall mean
    #: on the data it is fitted on (linear guardedness, LEACE Thm 3.1); the erasure family's
    #: ``guards_fit_data`` check holds such an eraser to it.
    claims_linear_guardedness = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True  # erasure needs the concept labels
        return tags

    def _validate_fit(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """``(X as float64 (n, d), labels re-coded 0..K-1)``; sets ``n_features_in_``
        (and ``feature_names_in_`` for a DataFrame)."""
        arr = check_array(X, "X")
        codes = check_labels(y, arr.shape[0])
        validate_data(self, X, skip_check_array=True, reset=True)
        return arr, codes

    def _validate_transform(self, X) -> np.ndarray:
        """Fitted check, then ``X`` as float64 (n, n_features_in_), n >= 1."""
        check_is_fitted(self, self._fitted_attribute)
        arr = check_array(X, "X", min_samples=1, n_features=self.n_features_in_,
                          estimator=self)
        validate_data(self, X, skip_check_array=True, reset=False)
        return arr


class SubspaceEraser(BaseEraser):
    """``transform(X) = X - (X - centre_) Q Q^T`` for a learned orthonormal basis ``Q``.

    Subclasses call `_set_subspace` in ``fit``; it sets ``basis_`` (Q, (d, r)),
    ``components_`` (Q^T), ``centre_``, ``rank_`` and ``projection_ = I - Q Q^T`` (the
    symmetric orthogonal projector applied to ``x - centre_``: what is kept).
    """

    _fitted_attribute = "basis_"

    def _set_subspace(self, basis: np.ndarray, centre: np.ndarray) -> None:
        d = basis.shape[0]
        self.centre_ = centre
        self.components_ = basis.T
        self.rank_ = int(basis.shape[1])
        self.projection_ = np.eye(d) - basis @ basis.T
        self.basis_ = basis

    def transform(self, X) -> np.ndarray:
        """Project the learned subspace out of ``X`` (n, d) around ``centre_``; (n, d)."""
        X = self._validate_transform(X)
        if self.basis_.shape[1] == 0:
            return X.copy()
        coords = (X - self.centre_) @ self.basis_
        return X - coords @ self.basis_.T


class ObliqueUpdateEraser(BaseEraser):
    """``transform(X) = X - (X - mean_) right_ left_^T``: a rank-``r`` oblique update.

    The closed-form erasers whose update ``P = left_ @ right_.T`` is not an orthogonal
    projector (LEACE, SPLINCE) set ``mean_``, ``centre_``, ``left_`` (d, r), ``right_``
    (d, r) and ``rank_`` in ``fit``; ``projection_ = I - P`` is the map kept.
    """

    _fitted_attribute = "left_"

    @property
    def projection_(self) -> np.ndarray:
        """The oblique map kept, ``I - P = I - left_ right_^T`` (d, d)."""
        check_is_fitted(self, "left_")
        return np.eye(self.n_features_in_) - self.left_ @ self.right_.T

    def transform(self, X) -> np.ndarray:
        """``X - (X - mu) P^T`` for ``X`` (n, d), in O(n d rank)."""
        X = self._validate_transform(X)
        coords = X @ self.right_
        coords -= self.mean_ @ self.right_
        return X - coords @ self.left_.T


def class_difference_basis(X: np.ndarray, class_centres: np.ndarray,
                           centre: np.ndarray) -> np.ndarray:
    """Orthonormal basis (d, <= K-1) of ``span{m_c - centre}`` for class centres (K, d).

    ``centre`` must be a weighted mean of the class centres (so the K differences are
    linearly dependent and the first K-1 span them all). Differences smaller than float64
    round-off of the data (``max(n, d) * eps`` times its RMS deviation) count as zero, so
    classes whose centres agree to rounding give an empty basis rather than a subspace
    fitted to round-off.
    """
    diffs = (class_centres[:-1] - centre).T
    scale = float(np.sqrt(((X - X.mean(axis=0)) ** 2).sum(axis=1).mean()))
    floor = max(X.shape) * np.finfo(np.float64).eps * scale
    diffs = diffs[:, np.linalg.norm(diffs, axis=0) > floor]
    return orthonormal_basis(diffs)
