"""The whitening of a covariance: ``W = (S^{1/2})^+`` and its pseudo-inverse ``W^+``.

One definition for the two places that need it: LEACE's closed form
(`methods.erasure.leace`, Belrose et al. 2023, Thm 4.3: ``P = W^+ P_{W S_xz} W``) and the
guardedness test that reads LEACE's guarantee on erased data (`metrics.guardedness`), so
that both count the same eigenvalues as zero.
"""

from __future__ import annotations

import numpy as np

_EPS = np.finfo(np.float64).eps


def whitening_pair(sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(W, W^+)`` (each (d, d)) for ``W = (S^{1/2})^+`` from one eigendecomposition.

    ``S = V diag(lam) V^T`` (``sigma``, symmetric positive semi-definite); with ``K`` the
    eigenvalues above ``lam_max * d * eps`` (numpy.linalg.pinv's numerical-zero rule),
    ``W = V_K diag(lam_K^{-1/2}) V_K^T`` and ``W^+ = V_K diag(lam_K^{1/2}) V_K^T``. A
    covariance with no positive eigenvalue (all-constant data) gives two zero matrices.
    """
    lam, vecs = np.linalg.eigh(sigma)
    keep = lam > lam[-1] * sigma.shape[0] * _EPS if lam[-1] > 0 else np.zeros_like(lam, bool)
    root = np.sqrt(lam[keep])
    v = vecs[:, keep]
    return (v / root) @ v.T, (v * root) @ v.T
