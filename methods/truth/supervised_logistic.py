"""Supervised logistic regression on pair differences: the ceiling of the truth family.

Burns et al. (2022, arXiv 2212.03827, Section 3) compare CCS with a logistic regression
trained with labels on the differences of the two members' representations; with labels
the choice among truth-like directions is no longer arbitrary.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.linear_model import LogisticRegression

from floor.validation import check_int, check_positive_float
from methods.truth._contrast_pairs import ContrastPairClassifier


class SupervisedLogistic(ContrastPairClassifier):
    """L2-regularised logistic regression of ``y`` on ``x+ - x-`` after per-side normalisation.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``; labels
    ``y`` (required) 1 where ``x_plus`` is true.
    ``p(first member true) = sigmoid(w^T (z+ - z-) + b)`` with ``z`` the normalised members
    (the same normalisation as `CCS`, so the two differ only in the labels), fitted by
    scikit-learn's lbfgs on ``sum_j log-loss + ||w||^2 / (2 C)``.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength (scikit-learn's ``C``), > 0.
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    max_iter : int, default=1000
        lbfgs iterations at most.
    random_state : None, int, SeedSequence or Generator, default=None
        Unused (the fit is deterministic); kept for the protocol.

    Attributes
    ----------
    coef_ : ndarray of shape (d,)
        ``w``, acting on normalised differences.
    bias_ : float
    direction_ : ndarray of shape (d,)
        Unit input-space direction of ``w``.
    n_iter_ : int
        lbfgs iterations run.
    normalizer_ : PairNormalizer
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.

    References
    ----------
    Burns et al. (2022), arXiv 2212.03827, Section 3 ("logistic regression" baseline).
    """

    _supervised: ClassVar[bool] = True

    def __init__(self, C=1.0, normalize="mean", max_iter=1000, random_state=None):
        self.C = C
        self.normalize = normalize
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y=None) -> SupervisedLogistic:
        """Fit on labelled pairs.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2 d)
            Contrast pairs ``[x_plus | x_minus]``.
        y : array-like of shape (n_pairs,)
            Required: 1 where ``x_plus`` is true, 0 where ``x_minus`` is; both must occur.

        Returns
        -------
        self
        """
        C = check_positive_float(self.C, "C")
        max_iter = check_int(self.max_iter, "max_iter", 1)
        D, y = self._fit_differences(X, y)
        clf = LogisticRegression(C=C, max_iter=max_iter)
        clf.fit(D, y)
        self.bias_ = float(clf.intercept_[0])
        self.n_iter_ = int(clf.n_iter_[0])
        self.coef_ = clf.coef_[0].copy()
        self.direction_ = self.normalizer_.input_direction(self.coef_)
        return self

    def _proba_true(self, X) -> np.ndarray:
        """P(first member is true), shape (n_pairs,)."""
        # exp overflows to inf for logits below -709: the probability is then 0, correctly.
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-(self._differences(X) @ self.coef_ + self.bias_)))
