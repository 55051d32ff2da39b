"""A linear classifier that maximises (balanced) 0-1 accuracy directly.

Logistic regression minimises a convex surrogate, and LEACE-style erasure guarantees
that every convex loss sees nothing (Belrose et al. 2023, Thm 3.1). 0-1 accuracy is not
convex: equal class means leave it free. This probe searches the best threshold exactly
along a set of candidate directions, so it finds such leaks where a surrogate cannot.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from floor.geometric_median import geometric_median
from floor.validation import (
    check_array,
    check_is_fitted,
    check_labels,
    float_array,
    reject_strings,
)


def best_thresholds(proj: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact best threshold of each column of ``proj`` (n, m) for a binary ``target`` (n,).

    For every column the rule ``sign * (t - threshold) > 0`` (``sign`` in {+1, -1}) is
    scored by balanced accuracy ``(TPR + TNR) / 2`` at every cut between distinct sorted
    values (and beyond both ends).

    Returns
    -------
    thresholds : ndarray of shape (m,)
        Signed: the rule predicts 1 where ``orientation * t > threshold``.
    scores : ndarray of shape (m, 2)
        Column 0: the best training balanced accuracy; column 1: the orientation (+1/-1).

    Raises
    ------
    ValueError
        If ``proj`` is not a finite 2-D array with at least one row and column, or
        ``target`` is not a boolean (or 0/1) vector with one entry per row and both values.
    """
    proj = float_array(proj, "proj", ndim=2, min_rows=1, min_cols=1)
    n, m = proj.shape
    t = np.asarray(target)
    if t.shape != (n,):
        raise ValueError(f"target must have shape ({n},), got {t.shape}")
    if t.dtype != bool and not (t.dtype.kind in "iuf" and np.all(np.isin(t, [0, 1]))):
        raise ValueError("target must be boolean (or 0 and 1)")
    pos = t.astype(bool)
    if pos.all() or not pos.any():
        raise ValueError("target must contain both classes")
    n1 = pos.sum()
    n0 = n - n1
    order = np.argsort(proj, axis=0, kind="stable")
    sorted_t = np.take_along_axis(proj, order, axis=0)
    sorted_pos = pos[order]
    # Cut after position i (i = -1 .. n-1): below = first i+1 rows.
    ones_below = np.vstack([np.zeros((1, m)), np.cumsum(sorted_pos, axis=0)])
    zeros_below = np.arange(n + 1)[:, None] - ones_below
    bal_up = 0.5 * ((n1 - ones_below) / n1 + zeros_below / n0)  # predict 1 above the cut
    valid = np.ones((n + 1, m), dtype=bool)
    valid[1:n] = sorted_t[1:] > sorted_t[:-1]  # only cut between distinct values
    best_up = np.where(valid, bal_up, -np.inf)
    best_down = np.where(valid, 1.0 - bal_up, -np.inf)
    i_up, i_down = best_up.argmax(axis=0), best_down.argmax(axis=0)
    cols = np.arange(m)
    up, down = best_up[i_up, cols], best_down[i_down, cols]
    use_up = up >= down
    idx = np.where(use_up, i_up, i_down)
    # Cuts beyond both ends sit 1 below and above the extremes, or further when 1 is below
    # float64 resolution there (|t| > 2^52), so that the cut stays outside the data.
    lo, hi = sorted_t[:1], sorted_t[-1:]
    padded = np.vstack([lo - np.maximum(1.0, 4 * np.spacing(np.abs(lo))), sorted_t,
                        hi + np.maximum(1.0, 4 * np.spacing(np.abs(hi)))])
    cut = 0.5 * (padded[idx, cols] + padded[idx + 1, cols])
    orient = np.where(use_up, 1.0, -1.0)
    return orient * cut, np.stack([np.maximum(up, down), orient], axis=1)


# Directions whose singular value is below this fraction of the data's scale (the
# largest singular value of the centred data, or the norm of the mean if larger) are rounding
# residue (an eraser that removed them leaves ~1e-16 of the original scale), not signal: a
# scale-free threshold search would otherwise read labels out of float64 round-off.
RANK_RTOL = 1e-8


def numerical_span(X: np.ndarray, rtol: float = RANK_RTOL) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, basis)``: the principal directions (r, d) of ``X`` that are not round-off.

    A direction is kept when its singular value exceeds ``rtol`` times the data's scale
    (the largest singular value of the centred data, or ``||mean|| sqrt(n)`` if larger): an
    eraser that removed everything leaves rows equal to the mean plus ~1e-16 residue, which
    a scale-free probe (or one that standardises features) would otherwise read.
    """
    X = float_array(X, "X", ndim=2, min_rows=1, min_cols=1)
    mean = X.mean(axis=0)
    _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
    scale = max(s[0], np.linalg.norm(mean) * np.sqrt(len(X)))
    return mean, (vt[s > rtol * scale] if scale > 0 else vt[:0])


class ZeroOneLinearProbe:
    """Best linear threshold rule ``1[o * w^T x > c]`` over candidate directions ``w``.

    Candidates, all from the training split: the class-mean difference; the class
    coordinate-wise-median and geometric-median differences; the logistic-regression and
    the (ridge) LDA directions ``(S + lam I)^{-1}(mu_1 - mu_0)``; the top
    ``n_components`` principal components; and ``n_angles`` directions at evenly spaced
    angles in the plane of the top two principal components (a line that cuts one cluster
    off from three, as in XOR). For each, the threshold and orientation maximising
    balanced training accuracy are found exactly (`best_thresholds`); the best candidate
    wins. With K > 2 classes the probe solves every one-vs-rest problem and keeps the best
    (class, direction, threshold), so its chance level is always 1/2. The search runs in
    the span of the principal components whose singular value exceeds ``RANK_RTOL`` times
    the largest; data with no such component get a constant rule (balanced accuracy 1/2).

    Parameters
    ----------
    n_components : int, default=4
        Principal components used as candidates.
    n_angles : int, default=16
        Directions in the plane of the top two principal components.

    Attributes
    ----------
    direction_ : ndarray of shape (n_features,)
    threshold_ : float
    target_class_ : int
        Code of the class singled out (1 for binary labels).
    train_balanced_accuracy_ : float
    """

    def __init__(self, n_components: int = 4, n_angles: int = 16):
        self.n_components = n_components
        self.n_angles = n_angles

    def _candidates(self, Z: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Unit candidate directions (r, m) in the reduced, centred coordinates ``Z`` (n, r).

        ``Z``'s columns are the principal components, in order of decreasing variance.
        """
        a, b = Z[target], Z[~target]
        cands = [a.mean(0) - b.mean(0), np.median(a, 0) - np.median(b, 0),
                 geometric_median(a) - geometric_median(b)]
        cov = Z.T @ Z / len(Z)
        ridge = 1e-3 * np.trace(cov) / Z.shape[1] + 1e-12
        cands.append(np.linalg.solve(cov + ridge * np.eye(Z.shape[1]), cands[0]))
        std = Z.std(0) + 1e-12
        logit = LogisticRegression(max_iter=500).fit(Z / std, target)
        cands.append(logit.coef_[0] / std)
        eye = np.eye(Z.shape[1])
        cands.extend(eye[: self.n_components])
        if Z.shape[1] >= 2:
            angles = np.linspace(0, np.pi, self.n_angles, endpoint=False)
            cands.extend(np.cos(t) * eye[0] + np.sin(t) * eye[1] for t in angles)
        W = np.stack(cands, axis=1)
        norms = np.linalg.norm(W, axis=0)
        return W[:, norms > 0] / norms[norms > 0]

    def fit(self, X, y) -> "ZeroOneLinearProbe":
        """Search candidates on ``X`` (n, d) with labels ``y`` (n,)."""
        reject_strings(X, "X")
        X = check_array(X, "X")
        codes = check_labels(y, X.shape[0])
        k = int(codes.max()) + 1
        mean, basis = numerical_span(X)
        Z = (X - mean) @ basis.T
        best = (0.5, (1 if k == 2 else 0, np.zeros(X.shape[1]), 0.0))
        for c in ([1] if k == 2 and basis.size else range(k) if basis.size else []):
            target = codes == c
            W = self._candidates(Z, target)
            thr, scores = best_thresholds(Z @ W, target)
            j = int(scores[:, 0].argmax())
            if scores[j, 0] > best[0]:
                w = scores[j, 1] * W[:, j]
                best = (scores[j, 0], (c, basis.T @ w, thr[j] + mean @ (basis.T @ w)))
        self.train_balanced_accuracy_ = float(best[0])
        self.target_class_, self.direction_, self.threshold_ = best[1]
        self.classes_ = np.unique(np.asarray(y))
        self.n_features_in_ = X.shape[1]
        return self

    def decision(self, X) -> np.ndarray:
        """Boolean prediction of "row belongs to ``target_class_``", shape (n,)."""
        check_is_fitted(self, "direction_")
        reject_strings(X, "X")
        X = check_array(X, "X", min_samples=1, n_features=self.n_features_in_)
        return X @ self.direction_ > self.threshold_

    def balanced_accuracy(self, X, y) -> tuple[float, float]:
        """``(balanced accuracy of the one-vs-rest decision, chance = 0.5)`` on ``(X, y)``."""
        pred = self.decision(X)
        y = np.asarray(y)
        if y.shape != pred.shape:
            raise ValueError(f"y has shape {y.shape}, but X has {pred.size} rows")
        if not np.all(np.isin(y, self.classes_)):
            raise ValueError(
                f"y contains labels not seen in fit (classes {self.classes_.tolist()})")
        codes = np.searchsorted(self.classes_, y)
        target = codes == self.target_class_
        if target.all() or not target.any():
            raise ValueError("y must contain both the probe's target class and others")
        score = 0.5 * (pred[target].mean() + (~pred[~target]).mean())
        return float(score), 0.5
