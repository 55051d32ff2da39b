"""The CCS loss of a given probe or direction (Burns et al. 2022, arXiv 2212.03827, Eq. 2).

Used to show that on +-one-hot facts every sign pattern is as good a CCS minimiser as the
truth (Farquhar et al. 2023, arXiv 2312.10029, Theorem 1). The loss has no minimiser at
finite norm on separable pairs (it tends to 0 as ``||theta|| -> inf``), so directions must be
compared at the same norm, or each at its best norm and bias within a common bound.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from floor.contrast_pairs import PairNormalizer, ccs_objective, check_pairs
from floor.validation import check_real, float_array, reject_strings


def _normalized(X_pos, X_neg, normalize):
    reject_strings(X_pos, "X_pos")
    reject_strings(X_neg, "X_neg")
    Xp, Xn, _ = check_pairs(X_pos, X_neg)
    return PairNormalizer(normalize).fit_transform(Xp, Xn)


def _check_vector(v, d, name):
    arr = float_array(v, name, finite=False)
    if arr.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def ccs_loss(coef, X_pos, X_neg, bias=0.0, normalize="mean"):
    """CCS loss of the probe ``sigmoid(coef^T z + bias)`` on the normalised pairs ``z``.

    Pairs are normalised per side with their own statistics, as CCS does in training.
    Range [0, 2] (2 when both members get p = 1): lower is more consistent and confident;
    0.25 for a constant 0.5 probe.

    Parameters
    ----------
    coef : array-like of shape (n_features,)
    X_pos, X_neg : array-like of shape (n_pairs, n_features)
    bias : float, default=0.0
    normalize : {"mean", "std", "none"}, default="mean"
    """
    Zp, Zn = _normalized(X_pos, X_neg, normalize)
    w = _check_vector(coef, Zp.shape[1], "coef")
    W = np.append(w, check_real(bias, "bias"))[:, None]
    return float(ccs_objective(W, Zp, Zn)[0][0])


def min_ccs_loss_along(direction, X_pos, X_neg, max_norm=100.0, normalize="mean"):
    """Lowest CCS loss of ``sigmoid(alpha u^T z + b)`` over ``0 <= alpha <= max_norm`` and b.

    ``u = direction / ||direction||``. Solved by L-BFGS-B in ``(alpha, b)`` from two starts
    (``alpha = max_norm`` and ``alpha = 1``, ``b = 0``), keeping the better; when both stall
    above the constant probe ``alpha = b = 0`` (loss 0.25, e.g. on a saturated sigmoid when
    the data's scale is far from 1) that probe is returned instead.

    Returns
    -------
    loss : float
        Range [0, 0.25], lower is better.
    alpha : float
    bias : float
    """
    Zp, Zn = _normalized(X_pos, X_neg, normalize)
    u = _check_vector(direction, Zp.shape[1], "direction")
    norm = np.linalg.norm(u)
    if norm == 0:
        raise ValueError("direction must be non-zero")
    if not check_real(max_norm, "max_norm") > 0:
        raise ValueError(f"max_norm must be > 0, got {max_norm!r}")
    u = u / norm
    sp, sn = (Zp @ u)[:, None], (Zn @ u)[:, None]

    def fun(ab):
        loss, grad = ccs_objective(ab[:, None], sp, sn)
        return float(loss[0]), grad[:, 0]

    best = None
    for start in (float(max_norm), min(1.0, float(max_norm))):
        res = minimize(fun, np.array([start, 0.0]), jac=True, method="L-BFGS-B",
                       bounds=[(0.0, float(max_norm)), (None, None)],
                       options={"gtol": 1e-12, "ftol": 1e-15})
        if best is None or res.fun < best.fun:
            best = res
    constant = float(ccs_objective(np.zeros((2, 1)), sp, sn)[0][0])  # 0.25
    if not best.fun <= constant:
        return constant, 0.0, 0.0
    return float(best.fun), float(best.x[0]), float(best.x[1])
