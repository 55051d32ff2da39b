"""VINC (eigen-CCS): the closed-form reporter of EleutherAI's elk.

The direction maximising the variance of each member of the contrast pairs minus a multiple of
the covariance between the two members (and, with several prompt variants per pair, minus
the variance across variants): the top eigenvector of one symmetric matrix
(EleutherAI ``elk``, ``elk/training/eigen_reporter.py``, ``EigenReporter.fit_streaming``).
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_positive_float
from methods.truth._contrast_pairs import canonical_sign
from methods.truth.fixed_direction import FixedDirectionProbe


def vinc_matrix(Z_pos: np.ndarray, Z_neg: np.ndarray, var_weight: float,
                neg_cov_weight: float) -> np.ndarray:
    """``A = var_weight (C++ + C--) - neg_cov_weight (C+- + C-+)``, shape (d, d).

    ``C++``, ``C--`` the covariances of the first and second members, ``C+-`` their
    cross-covariance ``(Z+ - mean Z+)^T (Z- - mean Z-) / n``, ``C-+ = C+-^T`` (elk's
    ``intercluster_cov`` and ``contrastive_xcov`` with one variant per pair).
    """
    P, N = Z_pos - Z_pos.mean(axis=0), Z_neg - Z_neg.mean(axis=0)
    n = P.shape[0]
    cross = P.T @ N / n
    return var_weight * (P.T @ P + N.T @ N) / n - neg_cov_weight * (cross + cross.T)


class VINC(FixedDirectionProbe):
    """Top eigenvector of elk's VINC matrix: variance, invariance, negative covariance.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``, each side
    normalised (`CCS`). With ``v`` a unit direction, elk maximises

        ``v^T A v = var_weight [Var(v^T z+) + Var(v^T z-)]
                    - inv_weight [variance across prompt variants]
                    - 2 neg_cov_weight Cov(v^T z+, v^T z-)``

    whose maximiser is the eigenvector of ``A`` (`vinc_matrix`) with the largest algebraic
    eigenvalue: an ordinary symmetric eigenproblem (elk's ``lanczos_eigsh(A, which="LA")``).
    The family's data have one prompt per pair, so elk's invariance term (the covariance
    across variants around each pair's centroid) is identically zero here and
    ``inv_weight`` has no effect; it is not a parameter. With ``var_weight =
    neg_cov_weight = 1``, ``A`` is the covariance of the differences ``z+ - z-`` and VINC
    is CRC-TPC (`ContrastPCA`, tested). Truth moves the two members in opposite directions
    (negative cross-covariance, rewarded) and what a statement shares between its two
    completions moves them together (penalised).

    elk scores a pair ``0.5 (v^T x+ - v^T x-)`` in log-odds and fits a Platt scale and bias
    only when labels are given; unsupervised here, a pair is scored
    ``p = sigmoid(v^T (z+ - z-) / tau)``, ``tau`` the standard deviation of the training
    projections, and the sign of ``v`` is fixed by making its largest-magnitude entry
    positive (which sign means "true" is arbitrary).

    Parameters
    ----------
    var_weight : float, default=1.0
        Weight of the variance term (elk's default), >= 0.
    neg_cov_weight : float, default=5.0
        Weight of the negative-covariance term (elk's default), >= 0.
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    random_state : None, int, SeedSequence or Generator, default=None
        Unused (deterministic); kept for the protocol.

    Attributes
    ----------
    coef_ : ndarray of shape (d,)
        ``v``, unit, acting on normalised differences.
    objective_eigenvalues_ : ndarray of shape (d,)
        Eigenvalues of ``A`` in decreasing order (they may be negative; ``v^T A v`` is the
        first, elk's loss its negative).
    bias_ : float
        Always 0.0.
    scale_ : float
        ``tau``.
    direction_ : ndarray of shape (d,)
        Unit input-space direction.
    normalizer_ : PairNormalizer
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.

    References
    ----------
    EleutherAI elk, ``elk/training/eigen_reporter.py`` (``EigenReporterConfig``: var_weight
    1, inv_weight 5, neg_cov_weight 5; ``EigenReporter.update`` and ``fit_streaming``).
    """

    def __init__(self, var_weight=1.0, neg_cov_weight=5.0, normalize="mean",
                 random_state=None):
        self.var_weight = var_weight
        self.neg_cov_weight = neg_cov_weight
        self.normalize = normalize
        self.random_state = random_state

    def fit(self, X, y=None) -> VINC:
        """Top eigenvector of the VINC matrix of the pairs.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2 d)
            Contrast pairs ``[x_plus | x_minus]``.
        y : array-like of shape (n_pairs,), optional
            Unused; checked to be 0/1 labels, one per pair, if given.

        Returns
        -------
        self
        """
        var_weight = check_positive_float(self.var_weight, "var_weight", allow_zero=True)
        neg_cov_weight = check_positive_float(self.neg_cov_weight, "neg_cov_weight",
                                              allow_zero=True)
        Z_pos, Z_neg, _ = self._fit_pairs(X, y)
        lam, Q = np.linalg.eigh(vinc_matrix(Z_pos, Z_neg, var_weight, neg_cov_weight))
        v = canonical_sign(Q[:, -1])
        self.objective_eigenvalues_ = lam[::-1].copy()
        self._set_direction(v, Z_pos - Z_neg)
        return self
