"""Supervised logistic regression on pair differences: the ceiling of the truth family.

Burns et al. (2022, arXiv 2212.03827, Section 3) compare CCS with a logistic regression
trained with labels on the differences of the two members' representations; with labels
the choice among truth-like directions is no longer arbitrary.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from methods.truth.ccs import PairNormalizer, check_pairs
from methods.validation import check_is_fitted


class SupervisedLogistic:
    """L2-regularised logistic regression of ``y`` on ``x+ - x-`` after per-side normalisation.

    ``p(first member true) = sigmoid(w^T (z+ - z-) + b)`` with ``z`` the normalised members
    (the same normalisation as `CCS`, so the two differ only in the labels), fitted by
    scikit-learn's lbfgs on ``sum_j log-loss + ||w||^2 / (2 C)``.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength (scikit-learn's ``C``).
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    max_iter : int, default=1000
    random_state : None, int, SeedSequence or Generator, default=None
        Unused (the fit is deterministic); kept for the protocol.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        ``w``, acting on normalised differences.
    bias_ : float
    direction_ : ndarray of shape (n_features,)
        Unit input-space direction of ``w``.
    normalizer_ : PairNormalizer
    n_features_in_ : int

    References
    ----------
    Burns et al. (2022), arXiv 2212.03827, Section 3 ("logistic regression" baseline).
    """

    def __init__(self, C=1.0, normalize="mean", max_iter=1000, random_state=None):
        self.C = C
        self.normalize = normalize
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X_pos, X_neg, y=None):
        """Fit on labelled pairs; ``y`` (n_pairs,) in {0, 1} is required. Returns self."""
        Xp, Xn, y = check_pairs(X_pos, X_neg, y, require_y=True)
        self.normalizer_ = PairNormalizer(self.normalize).fit(Xp, Xn)
        Zp, Zn = self.normalizer_.transform(Xp, Xn)
        clf = LogisticRegression(C=float(self.C), max_iter=int(self.max_iter))
        clf.fit(Zp - Zn, y)
        self.coef_ = clf.coef_[0].copy()
        self.bias_ = float(clf.intercept_[0])
        self.direction_ = self.normalizer_.input_direction(self.coef_)
        self.n_features_in_ = Xp.shape[1]
        return self

    def predict_proba(self, X_pos, X_neg):
        """p(first member is true), shape (n_pairs,)."""
        check_is_fitted(self, "coef_")
        Xp, Xn, _ = check_pairs(X_pos, X_neg, n_features=self.n_features_in_)
        Zp, Zn = self.normalizer_.transform(Xp, Xn)
        # exp overflows to inf for logits below -709: the probability is then 0, correctly.
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-((Zp - Zn) @ self.coef_ + self.bias_)))
