"""How well a dictionary's reconstruction ``X_hat`` reproduces the data ``X``.

Explained variance is the metric most often implemented wrongly in the SAE literature
(SynthSAEBench reports it got wrong several times across SAELens and SAEBench: per-feature
variances averaged, the batch mean left in, the ratio inverted). The definition here is
pinned by two tests: predicting the data mean scores exactly 0, a perfect reconstruction
exactly 1.

Both have SynthSAEBench's definitions (``tests/adapters/test_synthsaebench_parity.py``
holds them to the library's): they differ from the library only where the library returns
a number for an undefined ratio and these raise (zero variance, no row to average);
`metrics.synthetic_eval` has the library's conventions there, and its streaming form.

References
----------
Chanin, Garriga-Alonso (2026), "SynthSAEBench" (arXiv 2602.14687;
``sae_lens.synthetic.evals``, ``sae_lens.evals.ExplainedVarianceCalculator``): explained
variance and shrinkage.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_positive_float, float_array

# Rows of X with ||x|| at most this are left out of `shrinkage`: SynthSAEBench's
# ``ShrinkageCalculator(min_input_norm=1e-6)``, an absolute norm (so the default reads
# data scaled below about 1e-6 as all zero; pass ``min_norm=0`` for such data).
SHRINKAGE_MIN_NORM = 1e-6


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

    SynthSAEBench's definition: ``1 - E||x - x_hat||^2 / (E||x||^2 - ||E x||^2)`` is the
    same ratio (``sum_n ||x_n - mean||^2 = n (E||x||^2 - ||E x||^2)``), computed here in two
    passes (no cancellation). Where the total variance is below 1e-10 the library returns
    1.0 (MSE below 1e-10) or 0.0; this raises only at exactly zero variance
    (`metrics.synthetic_eval.explained_variance` follows the library).

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


def _norm_ratios(A: np.ndarray, B: np.ndarray, min_norm: float) -> np.ndarray:
    """``||b_n|| / ||a_n||`` over the rows with ``||a_n|| > min_norm``, shape (n_kept,)."""
    norm = np.linalg.norm(A, axis=1)
    keep = norm > min_norm
    return np.linalg.norm(B[keep], axis=1) / norm[keep]


def shrinkage(X, X_hat, min_norm: float = SHRINKAGE_MIN_NORM) -> float:
    """Mean ratio of reconstruction norm to data norm, ``mean_n ||x_hat_n|| / ||x_n||``.

    Over the rows with ``||x_n|| > min_norm`` (the ratio is undefined or unstable on the
    others). 1 means no shrinkage; an L1 penalty typically pulls it below 1. In [0, inf);
    closer to 1 is better. SynthSAEBench's definition (``ShrinkageCalculator``, whose
    threshold is the default ``min_norm``); where no row qualifies the library returns 0.0
    and this raises (`metrics.synthetic_eval.shrinkage` follows the library).

    Parameters
    ----------
    X : array-like of shape (n, d)
    X_hat : array-like of shape (n, d)
    min_norm : float, default=1e-6
        Rows of ``X`` with norm at most this are skipped (`SHRINKAGE_MIN_NORM`; absolute,
        so pass 0 for data of scale below about 1e-6).

    Raises
    ------
    ValueError
        If the shapes differ, an array is not finite, ``min_norm`` is negative, or no row
        of ``X`` has norm above ``min_norm``.
    """
    A, B = _pair(X, X_hat)
    floor = check_positive_float(min_norm, "min_norm", allow_zero=True)
    ratios = _norm_ratios(A, B, floor)
    if ratios.size == 0:
        raise ValueError(f"no row of X has norm above min_norm={floor:g}: shrinkage is "
                         "undefined")
    return float(np.mean(ratios))


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
