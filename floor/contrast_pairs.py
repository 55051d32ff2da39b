"""Contrast pairs given as two arrays: their per-side normalisation and the CCS objective.

Shared by the truth methods (`methods.truth`, which take the pairs as one matrix
``[x_plus | x_minus]``) and the CCS loss metric (`metrics.ccs_loss`, which scores a given
direction on the two sides). Each side is normalised with its own statistics, as in the CCS
reference code (Burns et al. 2022): ``z+ = (x+ - mean(X+)) / std(X+)`` and
``z- = (x- - mean(X-)) / std(X-)`` per feature (`PairNormalizer`); on the normalised pairs,
`ccs_objective` is the consistency-plus-confidence loss of CCS and its gradient.

References
----------
Burns, Ye, Klein, Steinhardt (2022), "Discovering Latent Knowledge in Language Models
Without Supervision", arXiv 2212.03827, Section 2.2 (Eqs. 1-2) and the reference code
(collin-burns/discovering_latent_knowledge, ``CCS.normalize``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from floor.validation import check_array, check_choice, check_labels

NORMALIZATIONS = ("none", "mean", "std")
# Features whose per-side std is below this are left unscaled (one-hot facts without noise
# have constant columns); dividing by it would turn rounding error into signal.
STD_FLOOR = 1e-12


# --- per-side normalisation --------------------------------------------------------------

def _safe_scale(std: np.ndarray) -> np.ndarray:
    return np.where(std > STD_FLOOR, std, 1.0)


class PairNormalizer:
    """Per-side normalisation of contrast pairs, as in the CCS reference code.

    ``x+ -> (x+ - mean(X_pos)) / std(X_pos)`` and ``x- -> (x- - mean(X_neg)) / std(X_neg)``,
    each side with its own statistics, per feature; the division only for ``"std"``
    (features with std below ``STD_FLOOR`` are not divided).

    Parameters
    ----------
    normalize : {"none", "mean", "std"}, default="mean"
        Subtract nothing, each side's mean, or each side's mean then divide by its std.

    Attributes
    ----------
    mean_pos_, mean_neg_ : ndarray of shape (d,)
        Zeros for ``"none"``.
    scale_pos_, scale_neg_ : ndarray of shape (d,)
        Ones unless ``normalize="std"``.

    References
    ----------
    Burns et al. (2022), arXiv 2212.03827, Section 2.2 ("we normalize ... independently").
    """

    def __init__(self, normalize: str = "mean"):
        self.normalize = normalize

    def fit(self, X_pos: np.ndarray, X_neg: np.ndarray) -> PairNormalizer:
        """Record each side's statistics; returns self."""
        check_choice(self.normalize, "normalize", NORMALIZATIONS)
        d = X_pos.shape[1]
        center = self.normalize != "none"
        self.mean_pos_ = X_pos.mean(axis=0) if center else np.zeros(d)
        self.mean_neg_ = X_neg.mean(axis=0) if center else np.zeros(d)
        self.scale_pos_, self.scale_neg_ = np.ones(d), np.ones(d)
        if self.normalize == "std":
            self.scale_pos_ = _safe_scale(X_pos.std(axis=0))
            self.scale_neg_ = _safe_scale(X_neg.std(axis=0))
        return self

    def transform(self, X_pos: np.ndarray, X_neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both sides normalised with the fitted statistics (new arrays)."""
        return ((X_pos - self.mean_pos_) / self.scale_pos_,
                (X_neg - self.mean_neg_) / self.scale_neg_)

    def difference(self, X_pos: np.ndarray, X_neg: np.ndarray) -> np.ndarray:
        """The normalised differences ``z+ - z-``, shape (n_pairs, d), in one new array.

        Equal to ``Zp - Zn`` from `transform` up to rounding, without its two temporaries:
        with unit scales (``"none"``, ``"mean"``) ``z+ - z- = (x+ - x-) - (m+ - m-)``.
        """
        if self.normalize != "std":
            D = np.subtract(X_pos, X_neg)
            D -= self.mean_pos_ - self.mean_neg_
            return D
        D = np.subtract(X_pos, self.mean_pos_)
        D /= self.scale_pos_
        T = np.subtract(X_neg, self.mean_neg_)
        T /= self.scale_neg_
        D -= T
        return D

    def fit_transform(self, X_pos: np.ndarray, X_neg: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
        """`fit` then `transform`."""
        return self.fit(X_pos, X_neg).transform(X_pos, X_neg)

    def input_direction(self, coef: np.ndarray) -> np.ndarray:
        """Unit input-space direction of a probe ``coef`` acting on normalised data.

        ``coef^T (x - m) / s = (coef / s)^T (x - m)``; the two sides' scales are averaged.
        """
        w = coef / (0.5 * (self.scale_pos_ + self.scale_neg_))
        norm = np.linalg.norm(w)
        return w / norm if norm > 0 else w


def check_pairs(X_pos, X_neg, y=None, *, n_features=None, require_y=False):
    """Validate contrast pairs given as two arrays; return float64 ``(X_pos, X_neg, y)``.

    For callers that hold the two sides separately (`metrics.ccs_loss`); the estimators take
    one matrix ``[x_plus | x_minus]`` instead. Raises ValueError naming the argument when a
    side is not 2-D finite numeric data with at least two pairs, when the two sides' shapes
    differ, or when ``y`` is not a 0/1 vector with one entry per pair.
    """
    Xp = check_array(X_pos, "X_pos", min_samples=2, n_features=n_features)
    Xn = check_array(X_neg, "X_neg", min_samples=2, n_features=n_features)
    if Xp.shape != Xn.shape:
        raise ValueError(f"X_pos and X_neg must have the same shape, got {Xp.shape} and {Xn.shape}")
    if y is None:
        if require_y:
            raise ValueError("y is required: this method is supervised")
        return Xp, Xn, None
    y_arr = np.asarray(y)
    if y_arr.ndim == 1 and y_arr.size == Xp.shape[0]:
        values = np.unique(y_arr)
        if not np.all(np.isin(values, [0, 1])):
            raise ValueError(f"y must contain only 0 and 1, got values {values.tolist()[:5]}")
    codes = check_labels(y_arr, Xp.shape[0], "y")
    return Xp, Xn, codes


# --- the CCS objective -------------------------------------------------------------------

def ccs_objective(W, Xp, Xn, l2=0.0):
    """CCS loss and gradient for ``r`` probes at once.

    ``p(x) = sigmoid(theta^T x + b)``; per probe
    ``L = mean[(p(x+) - (1 - p(x-)))^2] + mean[min(p(x+), p(x-))^2] + l2 ||theta||^2 / 2``
    (Burns et al. 2022, Eqs. 1-2; the l2 term is elk's, 0 in the paper).

    Parameters
    ----------
    W : ndarray of shape (n_features + 1, r)
        Columns ``[theta; b]``, one probe each.
    Xp, Xn : ndarray of shape (n_pairs, n_features)
        Normalised first and second members.
    l2 : float, default=0.0

    Returns
    -------
    loss : ndarray of shape (r,)
    grad : ndarray of shape (n_features + 1, r)
    """
    theta, b = W[:-1], W[-1]
    n = Xp.shape[0]
    pp = expit(Xp @ theta + b)
    pn = expit(Xn @ theta + b)
    resid = pp + pn - 1.0
    first = pp <= pn
    low = np.where(first, pp, pn)
    loss = (np.sum(resid**2, axis=0) + np.sum(low**2, axis=0)) / n
    gp = 2.0 * (resid + first * low) * pp * (1.0 - pp) / n
    gn = 2.0 * (resid + (~first) * low) * pn * (1.0 - pn) / n
    grad = np.empty_like(W)
    grad[:-1] = Xp.T @ gp + Xn.T @ gn
    grad[-1] = gp.sum(axis=0) + gn.sum(axis=0)
    if l2:
        loss = loss + 0.5 * l2 * np.sum(theta**2, axis=0)
        grad[:-1] += l2 * theta
    return loss, grad
