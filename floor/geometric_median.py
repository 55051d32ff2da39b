"""The geometric median: the point minimising the sum of Euclidean distances.

A solver used by the methods (the class centres of `MedianProjectionEraser`, the initial
``b_pre`` of `TopKSAE`) and by the metrics (`metrics.zero_one_probe`); it lives on the
ground floor (`floor`) because methods and metrics never import each other.

References
----------
Weiszfeld (1937), "Sur le point pour lequel la somme des distances de n points donnés est
minimum", Tohoku Math. J. 43.
Vardi & Zhang (2000), "The multivariate L1-median and associated data depth", PNAS 97(4).
"""

from __future__ import annotations

import numpy as np

from floor.validation import float_array


def geometric_median(X: np.ndarray, max_iter: int = 200, tol: float = 1e-10) -> np.ndarray:
    """Geometric median of the rows of ``X`` (n, d) by Weiszfeld's algorithm.

    Minimises ``sum_i ||x_i - m||``; iterates ``m <- sum_i w_i x_i / sum_i w_i`` with
    ``w_i = 1 / max(||x_i - m||, eps)`` from the coordinate-wise median, until the step is
    below ``tol`` times the data's scale. An iterate that lands on data points (as the
    coordinate-wise median start can) takes Vardi and Zhang's (2000) modified step instead,
    and stops there only when that point is optimal. Unlike the coordinate-wise median it
    is equivariant to rotations, and like it, its breakdown point is 1/2 (Lopuhaa &
    Rousseeuw 1991).

    Returns
    -------
    ndarray of shape (d,)
    """
    X = float_array(X, "X", finite=False)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must be 2-D with at least one row and column, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf")
    m = np.median(X, axis=0)
    scale = float(np.abs(X - m).mean()) or 1.0
    floor = 1e-12 * scale
    for _ in range(max_iter):
        dist = np.sqrt(((X - m) ** 2).sum(axis=1))
        if not dist.any():  # every point coincides with m: it is the median, exactly
            break
        near = dist <= floor
        if near.any():
            # m sits on data points, where Weiszfeld's weights blow up and it would stay
            # for good: Vardi & Zhang's (2000) step leaves unless m is optimal.
            if near.all():
                break
            w = 1.0 / dist[~near]
            pull = w @ (X[~near] - m)  # sum of unit vectors towards the other points
            r, eta = float(np.linalg.norm(pull)), float(near.sum())
            if r <= eta:  # the subgradient condition: m is a geometric median
                break
            new = (1.0 - eta / r) * ((w @ X[~near]) / w.sum()) + (eta / r) * m
        else:
            w = 1.0 / np.maximum(dist, floor)
            new = (w @ X) / w.sum()
        step = float(np.linalg.norm(new - m))
        m = new
        if step <= tol * scale:
            break
    return m
