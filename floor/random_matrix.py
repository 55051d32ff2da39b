"""Random-matrix closed forms for a weight matrix ``W = sum_i s_i u_i v_i^T + noise``.

The facts the weight family is built on, read by both sides: the generator plants strengths
relative to the BBP threshold and records the predicted overlaps (`generators.planted_weights`),
the methods cut the spectrum at the noise edge (`methods.weights`).

Scaling convention (one throughout the suite). ``W`` has shape ``(d_out, d_in)``; the noise
entries are iid ``N(0, tau^2)`` with ``tau = noise / sqrt(d_in)`` (the fan-in scaling of weight
initialisation: ``noise`` is the parameter, ``tau`` the entry standard deviation). Write
``N = max(d_out, d_in)``, ``n = min(d_out, d_in)``, ``beta = n / N``. Dividing ``W`` by
``tau sqrt(N)`` gives the normalised model of Benaych-Georges & Nadakuditi (2012, J. Multivar.
Anal. 111, "The singular values and vectors of low rank perturbations of large rectangular
random matrices", Section 3.1 / Example 3.1) and Gavish & Donoho (2014, 2017): noise entries of
variance ``1 / N`` and a spike of size ``x = s / (tau sqrt(N))``. There, as ``N -> inf`` with
``beta`` fixed:

- the bulk of singular values fills ``[1 - sqrt(beta), 1 + sqrt(beta)]``, so the largest noise
  singular value of ``W`` tends to the **Marchenko-Pastur edge**
  ``tau (sqrt(d_out) + sqrt(d_in))``;
- a spike separates from the bulk iff ``x > beta^(1/4)``, i.e. (**BBP threshold**)
  ``s > tau (d_out d_in)^(1/4)``; it then sits at ``tau sqrt(N) sqrt((x + 1/x)(x + beta/x))``;
- the squared overlaps of the top singular vectors with the planted ones tend to
  ``(x^4 - beta) / (x^4 + beta x^2)`` on the side of dimension ``n`` (the shorter) and
  ``(x^4 - beta) / (x^4 + x^2)`` on the side of dimension ``N``, and to 0 below the threshold.

With several orthonormal pairs at distinct strengths each behaves as a lone spike
(Benaych-Georges & Nadakuditi, Theorem 2.9/2.10); near-equal strengths are recovered only up
to a rotation within their span (`metrics.weight_spectrum.span_angles_deg`).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

from floor.validation import check_int, check_positive_float, float_array

# Quantiles of the Tracy-Widom law of order 1 (real matrices), Johnstone (2001, Ann. Statist.
# 29, Table 1): the finite-size margin above the edge under which the largest noise singular
# value stays with this probability.
TRACY_WIDOM_1_QUANTILES = {0.90: 0.4501, 0.95: 0.9793, 0.99: 2.0234}


def _dims(d_out, d_in) -> tuple[int, int]:
    return check_int(d_out, "d_out"), check_int(d_in, "d_in")


def entry_std(noise: float, d_in: int) -> float:
    """Standard deviation ``tau = noise / sqrt(d_in)`` of one noise entry (fan-in scaling)."""
    return check_positive_float(noise, "noise", allow_zero=True) / math.sqrt(
        check_int(d_in, "d_in"))


def mp_edge(d_out: int, d_in: int, tau: float) -> float:
    """The Marchenko-Pastur bulk edge ``tau (sqrt(d_out) + sqrt(d_in))``.

    The limit of the largest singular value of a ``(d_out, d_in)`` matrix of iid
    ``N(0, tau^2)`` entries (the top of the bulk); ``tau`` is the entry standard deviation.
    """
    d_out, d_in = _dims(d_out, d_in)
    return check_positive_float(tau, "tau", allow_zero=True) * (math.sqrt(d_out)
                                                                 + math.sqrt(d_in))


def bbp_threshold(d_out: int, d_in: int, tau: float) -> float:
    """The strength ``tau (d_out d_in)^(1/4)`` above which a rank-one spike leaves the bulk.

    Benaych-Georges & Nadakuditi (2012), Example 3.1, in the unnormalised convention: with
    ``x = s / (tau sqrt(N))`` the threshold ``x = beta^(1/4)`` is ``s = tau N^(1/2) (n/N)^(1/4)
    = tau (n N)^(1/4)``.
    """
    d_out, d_in = _dims(d_out, d_in)
    return check_positive_float(tau, "tau", allow_zero=True) * (d_out * d_in) ** 0.25


def _normalised(strength, d_out: int, d_in: int, tau: float):
    d_out, d_in = _dims(d_out, d_in)
    tau = check_positive_float(tau, "tau")
    s = float_array(strength, "strength")
    if np.any(s < 0):
        raise ValueError("strength must be >= 0")
    big, small = max(d_out, d_in), min(d_out, d_in)
    return s / (tau * math.sqrt(big)), small / big, big, d_out <= d_in


def bbp_singular_value(strength, d_out: int, d_in: int, tau: float) -> np.ndarray:
    """Limit of the singular value of a spike of ``strength``: above the threshold
    ``tau sqrt(N) sqrt((x + 1/x)(x + beta/x))``, below it the MP edge (elementwise)."""
    x, beta, big, _ = _normalised(strength, d_out, d_in, tau)
    with np.errstate(divide="ignore", invalid="ignore"):
        above = np.sqrt((x + 1 / x) * (x + beta / x))
    edge = 1 + math.sqrt(beta)
    return tau * math.sqrt(big) * np.where(x > beta ** 0.25, above, edge)


def bbp_overlaps(strength, d_out: int, d_in: int, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits of the squared overlaps ``(<u_hat, u>^2, <v_hat, v>^2)`` of a spike's top singular
    vectors with the planted write (``u``, dimension ``d_out``) and read (``v``, ``d_in``) ones.

    With ``x = s / (tau sqrt(N))`` and ``beta = n / N``: ``(x^4 - beta) / (x^4 + beta x^2)`` on
    the shorter side, ``(x^4 - beta) / (x^4 + x^2)`` on the longer side, 0 for
    ``x <= beta^(1/4)`` (Benaych-Georges & Nadakuditi 2012, Example 3.1; Gavish & Donoho 2017,
    eq. for ``c(y)`` and ``c~(y)``). Elementwise in ``strength``; each in [0, 1).
    """
    x, beta, _, out_is_short = _normalised(strength, d_out, d_in, tau)
    with np.errstate(divide="ignore", invalid="ignore"):
        x4 = x ** 4
        short = np.where(x > beta ** 0.25, (x4 - beta) / (x4 + beta * x ** 2), 0.0)
        long = np.where(x > beta ** 0.25, (x4 - beta) / (x4 + x ** 2), 0.0)
    return (short, long) if out_is_short else (long, short)


def mp_median(beta: float) -> float:
    """Median of the Marchenko-Pastur law of ratio ``beta`` in (0, 1] (variance 1).

    The law of the eigenvalues of ``G G^T / N`` for ``G`` of shape (n, N), ``beta = n / N``:
    density ``sqrt((b - t)(t - a)) / (2 pi beta t)`` on ``[a, b] = [(1 - sqrt(beta))^2,
    (1 + sqrt(beta))^2]``; found by quadrature and root finding.
    """
    beta = check_positive_float(beta, "beta")
    if beta > 1:
        raise ValueError(f"beta must be in (0, 1], got {beta!r}")
    a, b = (1 - math.sqrt(beta)) ** 2, (1 + math.sqrt(beta)) ** 2

    def density(t):
        return math.sqrt(max((b - t) * (t - a), 0.0)) / (2 * math.pi * beta * t)

    def mass_below(m):
        return quad(density, a, m, limit=200)[0] - 0.5

    return float(brentq(mass_below, a + 1e-12, b, xtol=1e-12))


def estimate_tau(singular_values, d_out: int, d_in: int) -> float:
    """Noise entry standard deviation from the median singular value (Gavish & Donoho 2014).

    ``tau_hat = median(s) / sqrt(N mp_median(beta))``: robust to a few spikes (they move the
    median by a few ranks); biased upwards when structure fills much of the spectrum.
    """
    d_out, d_in = _dims(d_out, d_in)
    s = float_array(singular_values, "singular_values", ndim=1, min_rows=1)
    big, small = max(d_out, d_in), min(d_out, d_in)
    if s.size != small:
        raise ValueError(f"singular_values must have min(d_out, d_in) = {small} entries, "
                         f"got {s.size}")
    return float(np.median(s) / math.sqrt(big * mp_median(small / big)))


def edge_cut(d_out: int, d_in: int, tau: float, quantile: float | None = 0.99) -> float:
    """The singular value above which a direction is called structure, noise level ``tau``.

    ``quantile=None``: the asymptotic MP edge. Otherwise the edge with the finite-size
    Tracy-Widom margin of Johnstone (2001): ``tau sqrt(mu + sigma t_q)`` with
    ``mu = (sqrt(N - 1) + sqrt(n))^2``, ``sigma = (sqrt(N - 1) + sqrt(n))
    (1/sqrt(N - 1) + 1/sqrt(n))^(1/3)`` and ``t_q`` the TW1 quantile (0.90, 0.95 or 0.99).
    """
    d_out, d_in = _dims(d_out, d_in)
    if quantile is None:
        return mp_edge(d_out, d_in, tau)
    if quantile not in TRACY_WIDOM_1_QUANTILES:
        raise ValueError(f"quantile must be None or one of {sorted(TRACY_WIDOM_1_QUANTILES)}, "
                         f"got {quantile!r}")
    tau = check_positive_float(tau, "tau", allow_zero=True)
    big, small = max(d_out, d_in), min(d_out, d_in)
    root = math.sqrt(max(big - 1, 1)) + math.sqrt(small)
    mu = root ** 2
    sigma = root * (1 / math.sqrt(max(big - 1, 1)) + 1 / math.sqrt(small)) ** (1 / 3)
    return tau * math.sqrt(mu + sigma * TRACY_WIDOM_1_QUANTILES[quantile])
