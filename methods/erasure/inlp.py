"""Iterative Nullspace Projection (INLP), Ravfogel et al. 2020, "Null It Out", ACL.

Repeatedly train a linear classifier for the concept, and remove the directions it uses
by an orthogonal projection, until a classifier on held-out rows is at chance.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from floor.validation import (
    check_int,
    check_interval,
    check_positive_float,
    check_random_state,
)
from methods.erasure._subspace import SubspaceEraser

# Singular-value cut (relative to the largest new row) below which a new classifier
# direction counts as already removed. A classifier trained on data with the concept
# removed can return weights of ~1e-9 that lie in the removed span up to solver round-off;
# 1e-6 drops those while keeping every direction a classifier actually uses.
_SPAN_TOL = 1e-6


def _make_classifier(classifier, n_classes: int, seed: int):
    """A fresh linear classifier whose ``coef_`` rows give the directions to remove.

    Multi-class labels get one row per class (one-vs-rest), as in the INLP paper.
    """
    if classifier == "logistic":
        base = LogisticRegression(C=1.0, max_iter=1000)
    elif classifier == "svm":
        base = LinearSVC(C=1.0, dual="auto", max_iter=5000, random_state=seed)
    elif hasattr(classifier, "fit"):
        base = clone(classifier)
    else:
        raise ValueError(
            f"classifier must be 'logistic', 'svm' or an estimator with coef_, got {classifier!r}"
        )
    if n_classes > 2 and not isinstance(base, LinearSVC):
        return OneVsRestClassifier(base)
    return base


def _coef_rows(clf) -> np.ndarray:
    """The weight rows of a fitted linear classifier, shape (n_rows, n_features)."""
    if isinstance(clf, OneVsRestClassifier):
        return np.vstack([np.atleast_2d(est.coef_) for est in clf.estimators_])
    return np.atleast_2d(clf.coef_)


def _extend_basis(Q: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Orthonormal basis of span(Q) + span(W); Q (d, r) orthonormal, W (m, d) new rows.

    The rows, scaled to unit largest norm, are made orthogonal to span(Q) by two passes of
    classical Gram-Schmidt ("twice is enough"), and orthonormalised by an SVD that drops
    directions whose singular value is below ``_SPAN_TOL`` (already in span(Q), or a
    classifier with all-zero weights); a final pass and QR keep ``Q^T Q = I`` to round-off.
    """
    scale = np.linalg.norm(W, axis=1).max()
    if not scale > 0:
        return Q
    R = W.T / scale
    for _ in range(2):
        R = R - Q @ (Q.T @ R)
    U, s, _ = np.linalg.svd(R, full_matrices=False)
    U = U[:, s > _SPAN_TOL]
    if U.shape[1] == 0:
        return Q
    U, _ = np.linalg.qr(U - Q @ (Q.T @ U))
    return np.hstack([Q, U])


class INLPEraser(SubspaceEraser):
    """Iterative Nullspace Projection: remove a classifier's row space until it is at chance.

    On centred data ``x - mu`` (``mu`` the mean of the fit data), iteration ``t`` fits a
    linear classifier ``W_t`` (shape ``(m, d)``: one row for two classes, one row per class
    one-vs-rest otherwise) on ``P_{t-1} (x - mu)``, adds the rows of ``W_t`` to the removed
    space, and sets ``P_t = I - Q_t Q_t^T`` where ``Q_t`` (d, r_t) is an orthonormal basis of
    ``span(W_1, ..., W_t)``. This is the paper's ``P = I - P_R(w_1, ..., w_n)`` (Sec. 3,
    Algorithm 1), computed by orthonormalising the accumulated directions rather than by
    multiplying nullspace projections. The eraser is ``r(x) = mu + P (x - mu)``.

    Stopping rule: before training, ``validation_fraction`` of the fit rows are held out
    (the split drawn from ``random_state``). After each iteration's classifier is fitted
    on the rest, its balanced accuracy on the held-out rows is measured *before* its
    directions are removed; if it is at most ``1 / n_classes + tol``, the classifier found
    no usable signal, the loop stops and its directions are not removed. Otherwise they are
    removed and the loop goes on, for at most ``n_iter`` iterations.

    Parameters
    ----------
    n_iter : int, default=100
        Maximum number of classifier fits (each removes 1 or ``n_classes`` directions).
    classifier : {"logistic", "svm"} or estimator, default="logistic"
        Linear classifier: L2 logistic regression (C=1), a linear SVM (C=1, the paper's
        choice), or any scikit-learn classifier exposing ``coef_`` (cloned at each step).
    validation_fraction : float, default=0.2
        Fraction of the fit rows held out to decide when to stop, in (0, 1).
    tol : float, default=0.005
        A classifier counts as at chance when its held-out balanced accuracy is at most
        chance plus ``tol``.
    patience : int, default=3
        Stop after this many consecutive classifiers at chance (none of them removed).
    random_state : None, int, SeedSequence or Generator, default=None
        Source of the held-out split and of the classifier's seed.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean ``mu`` of the training rows (the held-out rows excluded).
    centre_ : ndarray of shape (n_features,)
        ``mu`` again, the point the projection is applied around (as in every eraser).
    components_ : ndarray of shape (rank_, n_features)
        ``Q^T``: orthonormal basis of the removed space (rows).
    basis_ : ndarray of shape (n_features, rank_)
        ``Q`` (``components_.T``).
    projection_ : ndarray of shape (n_features, n_features)
        The symmetric orthogonal projector kept, ``P = I - Q Q^T``;
        ``transform(x) = mu + P (x - mu)``.
    rank_ : int
        Dimension of the removed space, ``d - rank(P)``.
    n_iter_ : int
        Number of classifiers fitted (the last one may have been at chance and not removed).
    validation_scores_ : list of float
        Held-out balanced accuracy of each iteration's classifier, before its removal.
    n_classes_ : int
        Number of classes seen in ``fit``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    References
    ----------
    Ravfogel, Elazar, Gonen, Twiton, Goldberg (2020). Null It Out: Guarding Protected
    Attributes by Iterative Nullspace Projection. ACL. arXiv:2004.07667. Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 500)
    >>> X = rng.standard_normal((500, 5)) + 2.0 * y[:, None] * np.eye(5)[0]
    >>> X_erased = INLPEraser(random_state=0).fit(X, y).transform(X)
    >>> X_erased.shape
    (500, 5)
    """

    def __init__(
        self,
        n_iter: int = 100,
        classifier="logistic",
        validation_fraction: float = 0.2,
        tol: float = 0.005,
        patience: int = 3,
        random_state=None,
    ):
        self.n_iter = n_iter
        self.classifier = classifier
        self.validation_fraction = validation_fraction
        self.tol = tol
        self.patience = patience
        self.random_state = random_state

    def _check_params(self) -> None:
        check_int(self.n_iter, "n_iter")
        check_interval(self.validation_fraction, "validation_fraction", 0.0, 1.0,
                       low_open=True, high_open=True)
        check_positive_float(self.tol, "tol", allow_zero=True)
        check_int(self.patience, "patience")
        _make_classifier(self.classifier, 2, 0)  # refuses an unknown classifier now

    def fit(self, X, y) -> "INLPEraser":
        """Learn the removed space from ``X`` (n, d) and labels ``y`` (n,); returns self."""
        self._check_params()
        X, codes = self._validate_fit(X, y)
        rng = check_random_state(self.random_state)
        n, d = X.shape
        n_classes = int(codes.max()) + 1
        train, val = stratified_holdout(codes, self.validation_fraction, rng)
        if val.size == 0:
            val = train
        mean = X[train].mean(axis=0)
        Xc = X - mean
        Q = np.zeros((d, 0))
        scores = []
        at_chance = 0
        for _ in range(int(self.n_iter)):
            if Q.shape[1] >= d:
                break
            Xp = Xc - (Xc @ Q) @ Q.T
            clf = _make_classifier(self.classifier, n_classes, int(rng.integers(2**31 - 1)))
            clf.fit(Xp[train], codes[train])
            scores.append(float(balanced_accuracy_score(codes[val], clf.predict(Xp[val]))))
            at_chance = at_chance + 1 if scores[-1] <= 1.0 / n_classes + self.tol else 0
            if at_chance >= self.patience:
                break
            Q = _extend_basis(Q, _coef_rows(clf))
        self.mean_ = mean
        self.n_iter_ = len(scores)
        self.validation_scores_ = scores
        self.n_classes_ = n_classes
        # The basis as the transposed view of a row-major copy of its rows: the layout
        # this eraser's transform has always multiplied with (same BLAS path, same bits).
        self._set_subspace(Q.T.copy().T, mean)
        return self


def stratified_holdout(codes: np.ndarray, fraction: float, rng: np.random.Generator):
    """Stratified random split of row indices into (train, held-out), both non-empty per class.

    Each class with at least two rows puts ``round(fraction * count)`` (at least one) of its
    rows in the held-out part; a class with a single row stays in the training part.
    """
    train, val = [], []
    for k in range(int(codes.max()) + 1):
        idx = rng.permutation(np.flatnonzero(codes == k))
        n_val = 0 if idx.size < 2 else min(idx.size - 1, max(1, round(fraction * idx.size)))
        val.append(idx[:n_val])
        train.append(idx[n_val:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(val))
