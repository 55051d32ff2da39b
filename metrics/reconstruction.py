"""How well a dictionary's reconstruction ``X_hat`` reproduces the data ``X``.

Explained variance is the metric most often implemented wrongly in the SAE literature
(SynthSAEBench reports it got wrong several times across SAELens and SAEBench: per-feature
variances averaged, the batch mean left in, the ratio inverted). The definition here is
pinned by two tests: predicting the data mean scores exactly 0, a perfect reconstruction
exactly 1.

References
----------
Chanin et al. (2026), "SynthSAEBench" (arXiv 2602.14687; ``sae_lens.synthetic.evals``):
explained variance and shrinkage.
"""

from __future__ import annotations

import numpy as np

from floor.validation import float_array


def _pair(X, X_hat) -> tuple[np.ndarray, np.ndarray]:
    """Validate data and reconstruction: finite, 2-D, same shape, at least one row."""
    A = float_array(X, "X", finite=False)
    B = float_array(X_hat, "X_hat", finite=False)
    if A.ndim != 2 or A.shape[0] < 1 or A.shape[1] < 1:
        raise ValueError(f"X must be a non-empty 2-D array (n, d), got shape {A.shape}")
    if B.shape != A.shape:
        raise ValueError(f"X_hat has shape {B.shape}, but X has shape {A.shape}")
    for name, arr in (("X", A), ("X_hat", B)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
    return A, B


def explained_variance(X, X_hat) -> float:
    """Fraction of the data's total variance the reconstruction explains (R^2).

    ``R^2 = 1 - sum_n ||x_n - x_hat_n||^2 / sum_n ||x_n - mean(x)||^2``: one pooled ratio
    over all samples and coordinates (not a mean of per-coordinate ratios). Higher is
    better; 1 for a perfect reconstruction, exactly 0 for predicting the mean of ``X``,
    negative for anything worse (no lower bound). ``1 - R^2`` is the fraction of variance
    unexplained (FVU).

    Parameters
    ----------
    X : array-like of shape (n, d)
        The data (held-out, ideally).
    X_hat : array-like of shape (n, d)
        The reconstruction (``inverse_transform(transform(X))`` or ``codes @ components_``).

    Raises
    ------
    ValueError
        If the shapes differ, an array is not finite, or ``X`` has zero variance (the
        ratio is undefined).
    """
    A, B = _pair(X, X_hat)
    total = np.sum((A - A.mean(axis=0)) ** 2)
    if total <= 0:
        raise ValueError("X has zero variance: explained variance is undefined")
    return float(1.0 - np.sum((A - B) ** 2) / total)


def shrinkage(X, X_hat) -> float:
    """Mean ratio of reconstruction norm to data norm, ``mean_n ||x_hat_n|| / ||x_n||``.

    1 means no shrinkage; an L1 penalty typically pulls it below 1. Samples with
    ``x_n = 0`` are skipped (the ratio is undefined), as in SynthSAEBench. In [0, inf);
    closer to 1 is better.

    Parameters
    ----------
    X : array-like of shape (n, d)
    X_hat : array-like of shape (n, d)

    Raises
    ------
    ValueError
        If the shapes differ, an array is not finite, or every row of ``X`` is zero.
    """
    A, B = _pair(X, X_hat)
    norm = np.linalg.norm(A, axis=1)
    keep = norm > 0
    if not keep.any():
        raise ValueError("every row of X is zero: shrinkage is undefined")
    return float(np.mean(np.linalg.norm(B[keep], axis=1) / norm[keep]))


def reconstruct(codes, components, mean=None) -> np.ndarray:
    """The linear reconstruction ``codes @ components (+ mean)``, shape (n, d).

    For methods without ``inverse_transform`` (the suite's fallback). ``mean`` (d,) is
    added back when the method centred the data (PCA does this in its own
    ``inverse_transform``).
    """
    C = float_array(codes, "codes", ndim=2, min_rows=1, min_cols=1)
    W = float_array(components, "components", ndim=2, min_rows=1, min_cols=1)
    if C.shape[1] != W.shape[0]:
        raise ValueError(
            f"codes (n, m) and components (m, d) do not match: {C.shape} and {W.shape}"
        )
    X_hat = C @ W
    if mean is None:
        return X_hat
    mu = float_array(mean, "mean", ndim=1)
    if mu.shape != (W.shape[1],):
        raise ValueError(f"mean has shape {mu.shape}, expected ({W.shape[1]},)")
    return X_hat + mu
