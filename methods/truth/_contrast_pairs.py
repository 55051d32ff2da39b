"""What every truth method shares: contrast-pair input, per-side normalisation, the estimator base.

Every method of the truth family is a scikit-learn binary classifier of contrast pairs
(`ContrastPairClassifier`): its input ``X`` of shape ``(n_pairs, 2 d)`` holds the pairs
``[x_plus | x_minus]`` (`methods.truth.pairs`), ``y_j = 1`` means that pair ``j``'s first
member is true (any two labels work: the greater one, ``classes_[1]``, means it), and
``predict_proba(X)[:, 1]`` is ``P(x_plus is true)``. Before fitting, each side is normalised
with its own statistics (`floor.contrast_pairs.PairNormalizer`, shared with
`metrics.ccs_loss`), as in the CCS reference code (Burns et al. 2022):
``z+ = (x+ - mean(X+)) / std(X+)`` and ``z- = (x- - mean(X-)) / std(X-)`` per feature
(``normalize="std"``; the default ``"mean"`` only centres each side, ``"none"`` leaves it),
so that what tells the two completions apart ("Yes" vs "No") is removed and only what tells
true from false can remain.

References
----------
Burns, Ye, Klein, Steinhardt (2022), "Discovering Latent Knowledge in Language Models
Without Supervision", arXiv 2212.03827, Section 2.2 and the reference code
(collin-burns/discovering_latent_knowledge, ``CCS.normalize``).
"""

from __future__ import annotations

import re
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from floor.contrast_pairs import NORMALIZATIONS, PairNormalizer
from floor.validation import check_choice
from methods.truth.pairs import LAYOUT, split_pairs

# An error message that already names the argument X (as a word: not inside "X_pos").
_NAMES_X = re.compile(r"(?<!\w)X(?!\w)")


# --- labels ------------------------------------------------------------------------------

def _target_kind(y: np.ndarray) -> str:
    try:
        return type_of_target(y, input_name="y")
    except (TypeError, ValueError):
        return "unknown"


def check_pair_labels(y, n_pairs: int, *, required: bool, owner: str
                      ) -> tuple[np.ndarray | None, np.ndarray]:
    """Validate pair labels; return ``(codes, classes)``.

    Any two labels (0/1, bool, {-1, +1}, strings, ...) in scikit-learn's binary convention:
    ``classes`` are the sorted labels, and the greater one, ``classes[1]`` (1 for 0/1 labels),
    marks the pairs whose first member ``x_plus`` is true.

    Parameters
    ----------
    y : array-like of shape (n_pairs,) or None
    n_pairs : int
        Rows of ``X``.
    required : bool
        Supervised methods need ``y``; unsupervised ones take ``y=None`` (classes ``[0, 1]``)
        and check a given ``y`` without learning from it (it names the classes).
    owner : str
        The estimator's name, for the error message.

    Returns
    -------
    codes : ndarray of shape (n_pairs,), int64 in {0, 1}, or None when ``y`` is None
        1 where ``x_plus`` is true.
    classes : ndarray of shape (2,)

    Raises
    ------
    ValueError
        Naming ``y``: missing when required ("requires y to be passed"), not 1-D, wrong
        length, NaN or inf, continuous values ("Unknown label type"), more than two labels
        ("Only binary classification is supported"), or a single label (both kinds of
        pairs must occur for the labels to say which member is true).
    """
    if y is None:
        if required:
            raise ValueError(f"y is required: {owner} is supervised (it requires y to be "
                             "passed, but the target y is None)")
        return None, np.array([0, 1])
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D (n_pairs,), got shape {arr.shape}")
    if arr.shape[0] != n_pairs:
        raise ValueError(f"y has length {arr.shape[0]}, but X has {n_pairs} pairs")
    if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise ValueError("y contains NaN or inf")
    kind = _target_kind(arr)
    if kind == "multiclass":
        raise ValueError(f"Only binary classification is supported. y has "
                         f"{np.unique(arr).size} labels; {owner} needs two (the greater "
                         "where the pair's first member x_plus is true)")
    if kind != "binary" or arr.dtype.kind == "c":
        raise ValueError(f"Unknown label type: y must hold two class labels (the greater "
                         f"where the pair's first member x_plus is true), got a {kind} "
                         "target")
    classes, codes = np.unique(arr, return_inverse=True)
    if classes.size < 2:
        raise ValueError(
            f"y needs at least 2 classes, got 1 class ({classes.tolist()}): the greater of two "
            "labels marks the pairs whose first member x_plus is true"
            + ("" if required else "; fit without labels with y=None"))
    return codes.astype(np.int64), classes


# --- the estimator base ------------------------------------------------------------------

def canonical_sign(v: np.ndarray) -> np.ndarray:
    """``v`` with the sign that makes its largest-magnitude entry positive: an eigenvector or
    singular vector is defined up to sign, and this fixes one (the truth probes then orient
    it by ``predict_proba``'s sign rule, not by this)."""
    return v * np.sign(v[np.argmax(np.abs(v))])


class ContrastPairClassifier(ClassifierMixin, BaseEstimator):
    """Base of the truth methods: a binary classifier of contrast pairs ``[x_plus | x_minus]``.

    Input ``X`` of shape ``(n_pairs, 2 d)``: columns ``:d`` the first members ``x_plus``,
    columns ``d:`` the second members ``x_minus`` (`methods.truth.pairs.stack_pairs`). Labels
    ``y_j = 1`` when ``x_plus`` is the true member, 0 when ``x_minus`` is (or any two labels,
    the greater, ``classes_[1]``, for "x_plus is true"); ``classes_`` is ``[0, 1]`` when fitted
    without labels. Subclasses implement ``fit`` (opening with `_fit_pairs`) and
    `_proba_true`, ``P(x_plus is true)`` per pair; the base gives ``predict_proba`` (columns
    ``[1 - p, p]``) and ``predict`` (``p > 0.5``).

    `_fit_pairs` validates ``X`` (2-D, finite, numeric, at least two pairs, an even number of
    columns) and ``y`` (`check_pair_labels`), splits the pairs and fits the per-side
    normalisation `PairNormalizer` (Burns et al. 2022) as ``normalizer_``; prediction
    validates ``X`` against the fitted width ``n_features_in_ = 2 d``.

    Subclasses set ``_supervised = True`` when ``fit`` needs ``y``; unsupervised ones take
    ``y=None`` and check a given ``y`` without using it. The tags say so
    (``target_tags.required``), and that only two classes exist (``multi_class=False``).
    """

    _supervised: ClassVar[bool] = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self._supervised
        tags.classifier_tags.multi_class = False
        # Unsupervised: which sign of the probe means "true" is arbitrary, so the score on
        # a labelled toy problem says nothing (Burns et al. 2022, Section 2.2).
        tags.classifier_tags.poor_score = not self._supervised
        return tags

    # -- input -----------------------------------------------------------------------------

    def _validate_X(self, X, *, reset: bool, min_pairs: int) -> np.ndarray:
        """``X`` as a float64 (n_pairs, 2 d) array; sets or checks ``n_features_in_``."""
        try:
            X = validate_data(self, X, reset=reset, dtype="numeric",
                              ensure_min_samples=min_pairs)
        except ValueError as exc:
            if _NAMES_X.search(str(exc)):
                raise
            raise ValueError(f"X (contrast pairs {LAYOUT}): {exc}") from exc
        return np.asarray(X, dtype=np.float64)

    def _fit_normalizer(self, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Validate ``X`` and ``y``, fit ``normalizer_``; return the raw ``(X+, X-, y)``.

        ``X+``, ``X-`` are views of the validated ``X``, shape (n_pairs, d); ``y`` is int64
        in {0, 1} or None. Sets ``n_features_in_``, ``classes_`` and ``normalizer_``.
        """
        check_choice(self.normalize, "normalize", NORMALIZATIONS)
        X = self._validate_X(X, reset=True, min_pairs=2)
        y, classes = check_pair_labels(y, X.shape[0], required=self._supervised,
                                       owner=type(self).__name__)
        X_pos, X_neg = split_pairs(X)
        self.classes_ = classes
        self.normalizer_ = PairNormalizer(self.normalize).fit(X_pos, X_neg)
        return X_pos, X_neg, y

    def _fit_pairs(self, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Validate ``X`` and ``y``, fit the per-side normalisation; return ``(Z+, Z-, y)``.

        ``Z+``, ``Z-`` are the normalised members, shape (n_pairs, d); ``y`` is int64 in
        {0, 1} or None (`_fit_normalizer`).
        """
        X_pos, X_neg, y = self._fit_normalizer(X, y)
        Z_pos, Z_neg = self.normalizer_.transform(X_pos, X_neg)
        return Z_pos, Z_neg, y

    def _fit_differences(self, X, y) -> tuple[np.ndarray, np.ndarray | None]:
        """As `_fit_pairs`, returning the normalised differences ``(Z+ - Z-, y)`` instead.

        For methods that only read ``z+ - z-`` (shape (n_pairs, d)): one (n_pairs, d)
        array is written instead of three (`PairNormalizer.difference`).
        """
        X_pos, X_neg, y = self._fit_normalizer(X, y)
        return self.normalizer_.difference(X_pos, X_neg), y

    def _pairs(self, X, min_pairs: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """The validated members ``(X+, X-)`` of ``X`` at prediction (fitted width)."""
        check_is_fitted(self, "coef_")
        return split_pairs(self._validate_X(X, reset=False, min_pairs=min_pairs))

    def _normalized(self, X) -> tuple[np.ndarray, np.ndarray]:
        """``X``'s members normalised with the training statistics."""
        X_pos, X_neg = self._pairs(X)
        return self.normalizer_.transform(X_pos, X_neg)

    def _differences(self, X) -> np.ndarray:
        """``z+ - z-`` of ``X``'s pairs with the training statistics, shape (n_pairs, d)."""
        X_pos, X_neg = self._pairs(X)
        return self.normalizer_.difference(X_pos, X_neg)

    # -- output ----------------------------------------------------------------------------

    def _proba_true(self, X) -> np.ndarray:
        """``P(x_plus is true)`` per pair, shape (n_pairs,)."""
        raise NotImplementedError

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_pairs, 2): ``[P(x_minus true), P(x_plus true)]``.

        Column 1 is the method's score ``p``; column 0 is ``1 - p``.
        """
        p = self._proba_true(X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        """``classes_[1]`` where ``x_plus`` is called true (``p > 0.5``), else ``classes_[0]``."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
