"""Singular vectors as read/write directions, with three rules for how many are structure."""

from __future__ import annotations

import numpy as np

from floor.random_matrix import TRACY_WIDOM_1_QUANTILES, edge_cut, estimate_tau
from floor.validation import check_choice, check_interval, check_positive_float
from methods.weights._base import BaseWeightDirections

RULES = ("gap", "variance", "mp_edge")


def largest_gap_count(singular_values: np.ndarray) -> int:
    """The eyeball "elbow": ``k`` maximising ``s_k / s_(k+1)`` over ``1 <= k <= r // 2``.

    Restricted to the top half of the spectrum, because the ratios of the smallest singular
    values of a rectangular matrix are large by construction (they approach the inner edge
    ``sqrt(N) - sqrt(n)``); always at least 1.
    """
    s = np.asarray(singular_values, dtype=np.float64)
    r = s.size
    top = max(1, r // 2)
    if r < 2:
        return r
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = s[:top] / s[1:top + 1]
    ratios = np.where(np.isfinite(ratios), ratios, np.inf)
    return int(np.argmax(ratios)) + 1


def variance_count(singular_values: np.ndarray, fraction: float) -> int:
    """Smallest ``k`` whose top ``k`` squared singular values hold ``fraction`` of the total."""
    s2 = np.asarray(singular_values, dtype=np.float64) ** 2
    total = s2.sum()
    if total <= 0:
        return 0
    return int(np.searchsorted(np.cumsum(s2) / total, fraction - 1e-12) + 1)


class SVDDirections(BaseWeightDirections):
    """Read directions = right singular vectors, write directions = left singular vectors of
    ``W = U S V^T``, ranked by singular value; a rule says how many are structure.

    - ``rule="gap"``: the eyeball elbow, the largest ratio of consecutive singular values in
      the top half of the spectrum (`largest_gap_count`); claims at least one direction
      whatever the data.
    - ``rule="variance"``: top-``k`` holding ``variance_fraction`` of ``||W||_F^2``.
    - ``rule="mp_edge"``: singular values above the Marchenko-Pastur edge of the noise, with
      the noise entry standard deviation ``noise_std`` if given, else estimated from the
      median singular value (Gavish & Donoho 2014, `floor.random_matrix.estimate_tau`),
      and the Tracy-Widom finite-size margin at ``edge_quantile`` (None: the bare
      asymptotic edge; `floor.random_matrix.edge_cut`).

    Parameters
    ----------
    rule : {"gap", "variance", "mp_edge"}, default="gap"
    variance_fraction : float in (0, 1], default=0.9
    noise_std : float or None, default=None
        Known entry standard deviation of the noise (mp_edge only).
    edge_quantile : {0.9, 0.95, 0.99} or None, default=0.99
    random_state : ignored
        Accepted for a uniform grid interface (the SVD is deterministic).

    Attributes
    ----------
    components_ : ndarray of shape (min(d_out, d_in), d_in)
        Right singular vectors (read directions), rows ranked by singular value.
    write_directions_ : ndarray of shape (min(d_out, d_in), d_out)
        Left singular vectors (write directions).
    strengths_ : ndarray of shape (min(d_out, d_in),)
        Singular values, decreasing.
    n_directions_ : int
        How many the rule calls structure.
    noise_std_ : float
        The noise level the mp_edge rule used (NaN for the other rules).
    cut_ : float
        The singular value the mp_edge rule cut at (NaN for the other rules).
    n_features_in_ : int
    """

    def __init__(self, rule="gap", variance_fraction=0.9, noise_std=None, edge_quantile=0.99,
                 random_state=None):
        self.rule = rule
        self.variance_fraction = variance_fraction
        self.noise_std = noise_std
        self.edge_quantile = edge_quantile
        self.random_state = random_state

    def _directions(self, W):
        rule = check_choice(self.rule, "rule", RULES)
        fraction = check_interval(self.variance_fraction, "variance_fraction", 0.0, 1.0,
                                  low_open=True)
        if self.edge_quantile is not None and self.edge_quantile not in TRACY_WIDOM_1_QUANTILES:
            raise ValueError(f"edge_quantile must be None or one of "
                             f"{sorted(TRACY_WIDOM_1_QUANTILES)}, got {self.edge_quantile!r}")
        U, s, Vt = np.linalg.svd(W, full_matrices=False)
        self.noise_std_, self.cut_ = float("nan"), float("nan")
        if rule == "gap":
            k = largest_gap_count(s)
        elif rule == "variance":
            k = variance_count(s, fraction)
        else:
            d_out, d_in = W.shape
            if self.noise_std is not None:
                tau = check_positive_float(self.noise_std, "noise_std")
            elif min(d_out, d_in) < 2:
                raise ValueError("rule='mp_edge' without noise_std needs min(d_out, d_in) >= 2 "
                                 f"to estimate the noise, got W of shape {W.shape} "
                                 f"(n_samples = {d_out}, n_features = {d_in})")
            else:
                tau = estimate_tau(s, d_out, d_in)
            self.noise_std_ = float(tau)
            self.cut_ = edge_cut(d_out, d_in, tau, self.edge_quantile)
            k = int(np.sum(s > self.cut_))
        return U.T, Vt, s, k
