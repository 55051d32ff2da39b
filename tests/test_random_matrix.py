"""Random-matrix facts of `floor.random_matrix` against simulation and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from floor.random_matrix import (
    bbp_overlaps,
    bbp_singular_value,
    bbp_threshold,
    edge_cut,
    entry_std,
    estimate_tau,
    mp_edge,
    mp_median,
)


def _top_noise_singular_values(d_out, d_in, tau, reps, seed):
    rng = np.random.default_rng(seed)
    with threadpool_limits(1):  # small SVDs: threads only fight over the cores
        return np.array([np.linalg.norm(tau * rng.standard_normal((d_out, d_in)), 2)
                         for _ in range(reps)])


@pytest.mark.parametrize("d_out, d_in, rel", [(64, 48, 0.04), (240, 160, 0.015)])
def test_mp_edge_is_the_mean_top_singular_value_of_pure_noise(d_out, d_in, rel):
    """Simulated mean of the largest singular value within a few % of the edge (measured:
    64x48 3.0% below it, the Tracy-Widom mean -1.21 sigma_TW; 240x160 about 1% below)."""
    tau = 0.3
    top = _top_noise_singular_values(d_out, d_in, tau, 100, 0)
    edge = mp_edge(d_out, d_in, tau)
    assert edge == pytest.approx(tau * (math.sqrt(d_out) + math.sqrt(d_in)))
    assert top.mean() == pytest.approx(edge, rel=rel)
    assert top.mean() < edge  # the finite-size mean sits below the asymptotic edge


def test_tracy_widom_cut_holds_the_top_noise_singular_value_at_its_quantile():
    top = _top_noise_singular_values(64, 48, 1.0, 400, 1)
    for q in (0.9, 0.95, 0.99):
        above = np.mean(top > edge_cut(64, 48, 1.0, q))
        assert above <= (1 - q) + 0.04, (q, above)
    assert np.mean(top > edge_cut(64, 48, 1.0, 0.9)) >= 0.04
    assert edge_cut(64, 48, 1.0, None) == mp_edge(64, 48, 1.0)
    with pytest.raises(ValueError, match="quantile"):
        edge_cut(64, 48, 1.0, 0.5)


def test_bbp_threshold_unnormalised_convention():
    tau = entry_std(2.0, 48)
    assert tau == pytest.approx(2.0 / math.sqrt(48))
    assert bbp_threshold(64, 48, tau) == pytest.approx(tau * (64 * 48) ** 0.25)
    # At and below the threshold: zero overlap and the spike sits at the edge.
    s = np.array([0.5, 1.0]) * bbp_threshold(64, 48, tau)
    u2, v2 = bbp_overlaps(s, 64, 48, tau)
    assert np.all(u2 == 0) and np.all(v2 == 0)
    np.testing.assert_allclose(bbp_singular_value(s, 64, 48, tau), mp_edge(64, 48, tau))
    # Just above it the singular value leaves the edge continuously.
    just = bbp_singular_value(1.001 * bbp_threshold(64, 48, tau), 64, 48, tau)
    assert just == pytest.approx(mp_edge(64, 48, tau), rel=1e-4)


def test_bbp_overlap_closed_form_by_hand():
    """Square matrix (beta = 1), x = 2: (x^4 - 1) / (x^4 + x^2) = 15 / 20 on both sides;
    singular value sqrt(N) tau sqrt((2 + 1/2)(2 + 1/2)) = 2.5 sqrt(N) tau.
    Rectangular 100 x 25 (beta = 1/4), x = 1: shorter side (d_in = 25) (1 - 1/4) / (1 + 1/4)
    = 0.6, longer side (1 - 1/4) / 2 = 0.375."""
    N, tau = 100, 0.1
    u2, v2 = bbp_overlaps(2 * tau * math.sqrt(N), N, N, tau)
    assert u2 == pytest.approx(0.75) and v2 == pytest.approx(0.75)
    assert bbp_singular_value(2 * tau * math.sqrt(N), N, N, tau) == pytest.approx(
        2.5 * math.sqrt(N) * tau)
    u2, v2 = bbp_overlaps(tau * math.sqrt(100), 100, 25, tau)
    assert u2 == pytest.approx(0.375) and v2 == pytest.approx(0.6)
    u2t, v2t = bbp_overlaps(tau * math.sqrt(100), 25, 100, tau)  # transposed: sides swap
    assert u2t == pytest.approx(0.6) and v2t == pytest.approx(0.375)


@pytest.mark.parametrize("ratio", [1.5, 2.0, 3.0])
def test_bbp_overlap_and_singular_value_match_simulation(ratio):
    """E[cos^2] of the top singular vectors with the planted ones, and the mean top singular
    value, against the closed form at 200 x 150 (60 draws): within 0.03 and 1%."""
    d_out, d_in, tau = 200, 150, 1.0
    rng = np.random.default_rng(int(ratio * 10))
    s = ratio * bbp_threshold(d_out, d_in, tau)
    cu2, cv2, top = [], [], []
    for _ in range(60):
        u = rng.standard_normal(d_out)
        v = rng.standard_normal(d_in)
        u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
        with threadpool_limits(1):
            U, S, Vt = np.linalg.svd(s * np.outer(u, v) + tau * rng.standard_normal((d_out, d_in)),
                                     full_matrices=False)
        cu2.append((U[:, 0] @ u) ** 2)
        cv2.append((Vt[0] @ v) ** 2)
        top.append(S[0])
    pu2, pv2 = bbp_overlaps(s, d_out, d_in, tau)
    assert np.mean(cu2) == pytest.approx(float(pu2), abs=0.03)
    assert np.mean(cv2) == pytest.approx(float(pv2), abs=0.03)
    assert np.mean(top) == pytest.approx(float(bbp_singular_value(s, d_out, d_in, tau)),
                                         rel=0.01)


def test_mp_median_and_noise_estimate():
    """The MP median against the median eigenvalue of simulated noise, and the noise level
    recovered from the median singular value (within 2% and 3%: measured 1.4% and 0.7%)."""
    rng = np.random.default_rng(3)
    G = rng.standard_normal((300, 400))
    with threadpool_limits(1):
        eig = np.linalg.svd(G, compute_uv=False) ** 2 / 400
    assert mp_median(0.75) == pytest.approx(np.median(eig), rel=0.02)
    a, b = (1 - math.sqrt(0.75)) ** 2, (1 + math.sqrt(0.75)) ** 2
    assert a < mp_median(0.75) < b
    s = np.linalg.svd(0.2 * G, compute_uv=False)
    assert estimate_tau(s, 300, 400) == pytest.approx(0.2, rel=0.03)
    with pytest.raises(ValueError, match="beta"):
        mp_median(1.5)
    with pytest.raises(ValueError, match="singular_values"):
        estimate_tau(s[:10], 300, 400)
