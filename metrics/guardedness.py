"""The linear-guardedness guarantee read directly: the whitened class-mean gap.

LEACE's Theorem 3.1 (Belrose et al. 2023): data are linearly guarded against a concept
(no affine predictor with a convex loss beats the best constant) iff every class mean
equals the overall mean. An eraser that claims this guarantees it *exactly* on the data it
was fitted on, whatever the size of the concept; held-out data only approach it as the
sample grows. So the gap measured on the erased fit data is a test of the claim that no
probe can replace: a probe cannot see a concept of Mahalanobis size 0.02 on a few thousand
rows, but the gap of an eraser that skipped it stays at its size before erasure.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_array, check_labels
from floor.whitening import whitening_pair

_EPS = np.finfo(np.float64).eps


def whitening(X: np.ndarray) -> np.ndarray:
    """``(S^{1/2})^+`` (d, d) of the covariance ``S`` (divided by n) of ``X`` (n, d).

    LEACE's own whitening (`floor.whitening.whitening_pair`, the same numerical-zero rule);
    all-constant data give the zero matrix.
    """
    X = check_array(X, "X")
    centred = X - X.mean(axis=0)
    return whitening_pair(centred.T @ centred / X.shape[0])[0]


def whitened_class_mean_gap(X: np.ndarray, y: np.ndarray, whiten: np.ndarray) -> float:
    """``max_c ||W (mu_c - mu)||``: the largest class-mean gap to the overall mean, whitened.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,)
        Class labels (at least two classes).
    whiten : ndarray of shape (d, d)
        ``W``, usually `whitening` of the *unerased* fit data, so that the gaps before and
        after erasure are measured in one fixed norm (erasure may make the covariance
        singular). For two classes with frequencies ``p_0, p_1`` the gap of class ``c`` is
        ``p_{1-c} ||W (mu_1 - mu_0)||``.

    Returns
    -------
    float
        0 exactly when every class mean equals ``mu`` in the span ``W`` sees.
    """
    X = check_array(X, "X")
    codes = check_labels(y, X.shape[0])
    whiten = np.asarray(whiten, dtype=np.float64)
    if whiten.shape != (X.shape[1], X.shape[1]):
        raise ValueError(f"whiten must have shape ({X.shape[1]}, {X.shape[1]}), got "
                         f"{whiten.shape}")
    mu = X.mean(axis=0)
    gaps = [np.linalg.norm(whiten @ (X[codes == c].mean(axis=0) - mu))
            for c in range(int(codes.max()) + 1)]
    return float(max(gaps))


def rounding_gap(X: np.ndarray, whiten: np.ndarray) -> float:
    """``n eps max_i ||W x_i||``: a whitened class-mean gap float64 rounding alone can leave.

    A class mean of ``n`` rows carries rounding of at most about ``n eps`` times the rows'
    size (summed naively; numpy's pairwise sum does better), so a gap below this is no
    concept: the outlier set's class means are equal by construction and measure ~1e-14
    before any erasure, against this bound of ~1e-10 at n = 20000.
    """
    X = check_array(X, "X")
    return float(X.shape[0] * _EPS * np.linalg.norm(X @ whiten.T, axis=1).max())
