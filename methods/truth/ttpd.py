"""Training of Truth and Polarity Direction (TTPD): Buerger et al., NeurIPS 2024.

Statements' activations are modelled as ``a = mu + tau t_G + tau p t_P + noise``, with
``tau = +-1`` the truth label and ``p = +-1`` the polarity (affirmative or negated): ``t_G``
is a general truth direction, ``t_P`` one whose sign flips with negation. TTPD learns
``t_G`` by least squares, a polarity direction by logistic regression of ``p``, and
classifies statements by a logistic regression on their projections onto that 2-D plane
(Buerger, Hamprecht, Nadler 2024, "Truth is Universal: Robust Detection of Lies in LLMs",
arXiv 2407.12831; sciai-lab/Truth_is_Universal, ``probes.py``: ``TTPD``,
``learn_truth_directions``, ``learn_polarity_direction``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.linear_model import LogisticRegression

from floor.validation import check_int, check_positive_float
from methods.truth.mean_difference import MeanDifference


def truth_directions(A: np.ndarray, tau: np.ndarray, p: np.ndarray | None
                     ) -> tuple[np.ndarray, np.ndarray | None]:
    """``(t_G, t_P)`` by ordinary least squares of the centred activations ``A`` (m, d).

    Design ``[tau, tau p]`` (m, 2) when polarities vary, else ``[tau]`` alone (the
    reference code's branch for unknown polarities): ``[t_G; t_P] = (X^T X)^{-1} X^T A``.
    """
    X = tau[:, None] if p is None else np.column_stack([tau, tau * p])
    coef = np.linalg.solve(X.T @ X, X.T @ A)
    return coef[0], (None if p is None else coef[1])


class TTPD(MeanDifference):
    """General truth direction and polarity direction, then a 2-D logistic regression.

    Input ``X`` of shape (n_pairs, 2 d): the contrast pairs ``[x_plus | x_minus]``; labels
    ``y`` (required) 1 where ``x_plus`` is true; ``polarity`` (n_pairs,) in ``{-1, +1}``,
    the polarity of the pair's statement, shared by its two members (default: every pair
    affirmative, +1). The ``2 n_pairs`` members ``z`` (normalised per side, so centred)
    are the statements, with truth ``tau = +1`` for the true member, -1 for the false one:

    1. ``t_G`` (and ``t_P``) by least squares of ``z`` on ``[tau, tau p]`` (`truth_directions`);
    2. the polarity direction ``w_P``: logistic regression of ``p`` on ``z``;
    3. a logistic regression ``f(z) = a_G z^T t_G + a_P z^T w_P + b`` of the truth on the
       two projections.

    A pair is scored as the chance that its first member is the true one given that exactly
    one is: ``p = sigmoid(f(z+) - f(z-)) = sigmoid(coef_^T (z+ - z-))`` with
    ``coef_ = a_G t_G + a_P w_P`` (the bias cancels).

    **On all-affirmative pairs** (the family's grid: no polarity label), the design
    ``[tau, tau p]`` is singular and the polarity regression has one class, so both
    polarity steps drop out: ``t_G = mean(tau z)``, which on the pairs (one true and one
    false member each) is ``theta / 2`` with ``theta`` the mass-mean direction of
    `MeanDifference`, and the truth regression is one-dimensional. TTPD then calls every
    pair as the mass-mean probe does (the same sign of ``theta^T (z+ - z-)`` whenever
    ``a_G > 0``), differing only in its probability scale. Polarity matters only with
    both polarities given; then ``t_G`` is the truth direction shared by both.

    The reference fits both logistic regressions unpenalised; the pairs of the family's
    facts generators are separable, where an unpenalised fit diverges, so an L2 penalty of
    strength ``1 / C`` is used (``C=None``: unpenalised, as the reference). The
    reference's ``sqrt(token_count)`` scaling of the ``t_G`` projection does not apply to
    vectors without tokens.

    Parameters
    ----------
    C : float or None, default=1.0
        Inverse L2 strength of both logistic regressions (> 0); None for none.
    max_iter : int, default=1000
        lbfgs iterations at most, per regression.
    normalize : {"mean", "std", "none"}, default="mean"
        Per-side normalisation, as in `CCS`.
    random_state : None, int, SeedSequence or Generator, default=None
        Unused (deterministic); kept for the protocol.

    Attributes
    ----------
    truth_direction_ : ndarray of shape (d,)
        ``t_G``.
    polarity_truth_direction_ : ndarray of shape (d,) or None
        ``t_P`` (None without both polarities).
    polarity_direction_ : ndarray of shape (d,) or None
        ``w_P`` (None without both polarities).
    n_iter_ : int
        lbfgs iterations of the two regressions together.
    plane_coef_ : ndarray of shape (2,)
        ``(a_G, a_P)`` (``a_P = 0`` without both polarities).
    coef_ : ndarray of shape (d,)
        ``a_G t_G + a_P w_P``, acting on normalised differences.
    bias_ : float
        Always 0.0 (it cancels in the pair).
    scale_ : float
        1.0 (the logits are the regression's own).
    direction_ : ndarray of shape (d,)
        Unit input-space direction of ``coef_``.
    normalizer_ : PairNormalizer
    classes_ : ndarray ``[0, 1]``
    n_features_in_ : int
        ``2 d``.

    References
    ----------
    Buerger, Hamprecht & Nadler (2024), "Truth is Universal: Robust Detection of Lies in
    LLMs", NeurIPS 2024, arXiv 2407.12831 (the 2-D truth subspace, and TTPD).
    """

    _supervised: ClassVar[bool] = True

    def __init__(self, C=1.0, max_iter=1000, normalize="mean", random_state=None):
        self.C = C
        self.max_iter = max_iter
        self.normalize = normalize
        self.random_state = random_state

    def _regression(self) -> LogisticRegression:
        if self.C is None:
            return LogisticRegression(penalty=None, max_iter=self.max_iter)
        return LogisticRegression(C=self.C, max_iter=self.max_iter)

    def fit(self, X, y=None, polarity=None) -> TTPD:
        """Truth and polarity directions, then the truth regression on their plane.

        Parameters
        ----------
        X : array-like of shape (n_pairs, 2 d)
            Contrast pairs ``[x_plus | x_minus]``.
        y : array-like of shape (n_pairs,)
            Required: 1 where ``x_plus`` is true, 0 where ``x_minus`` is; both must occur.
        polarity : array-like of shape (n_pairs,), optional
            +1 (affirmative) or -1 (negated) per pair; None: every pair affirmative.

        Returns
        -------
        self
        """
        if self.C is not None:
            check_positive_float(self.C, "C")
        check_int(self.max_iter, "max_iter", 1)
        Z_pos, Z_neg, y = self._fit_pairs(X, y)
        pol = _check_polarity(polarity, Z_pos.shape[0])
        sigma = 2.0 * y - 1.0
        Z = np.vstack([Z_pos, Z_neg])
        tau = np.concatenate([sigma, -sigma])
        p = None if np.all(pol == pol[0]) else np.concatenate([pol, pol])
        t_G, t_P = truth_directions(Z, tau, p)
        features = [Z @ t_G]
        w_P, n_iter = None, 0
        if p is not None:
            polar = self._regression().fit(Z, p > 0)
            w_P, n_iter = polar.coef_[0], int(polar.n_iter_[0])
            features.append(Z @ w_P)
        truth = self._regression().fit(np.column_stack(features), tau > 0)
        self.n_iter_ = n_iter + int(truth.n_iter_[0])
        a = truth.coef_[0]
        self.truth_direction_ = t_G
        self.polarity_truth_direction_ = t_P
        self.polarity_direction_ = w_P
        self.plane_coef_ = np.array([a[0], a[1] if w_P is not None else 0.0])
        coef = a[0] * t_G + (a[1] * w_P if w_P is not None else 0.0)
        self.scale_ = 1.0
        self.bias_ = 0.0
        self.direction_ = self.normalizer_.input_direction(coef)
        self.coef_ = coef
        return self


def _check_polarity(polarity, n_pairs: int) -> np.ndarray:
    """Polarities as float64 in {-1, +1}, one per pair (all +1 when None)."""
    if polarity is None:
        return np.ones(n_pairs)
    pol = np.asarray(polarity)
    if pol.shape != (n_pairs,):
        raise ValueError(f"polarity must have shape ({n_pairs},), got {pol.shape}")
    if pol.dtype.kind not in "iuf" or not np.all(np.isin(pol, (-1, 1))):
        raise ValueError("polarity must hold only -1 (negated) and +1 (affirmative)")
    return pol.astype(np.float64)
