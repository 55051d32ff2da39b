"""Top-two eigenvalue ratio: is any direction of the contrast differences salient?

Used with `methods.truth.contrast_pca.ContrastPCA` (``eigenvalues_``): when the top
principal component of the differences stands out the ratio is large; when many directions
are equally strong (as on +-one-hot facts with balanced facts) it is near 1 and the top
component is an arbitrary pick among them.
"""

from __future__ import annotations

import numpy as np

from floor.validation import float_array

# Eigenvalues of a covariance computed in float64 may come out slightly negative.
NEGATIVE_TOL = 1e-10


def top_eigenvalue_ratio(eigenvalues):
    """``lambda_1 / lambda_2`` of the two largest eigenvalues (any order given).

    Range [1, inf]; higher means a more salient top direction; ``inf`` if ``lambda_2 = 0``
    and ``lambda_1 > 0``. Raises ValueError for fewer than two eigenvalues, non-finite
    values, negative values (beyond rounding), all zero, strings, or more than one axis.
    """
    lam = float_array(eigenvalues, "eigenvalues", ndim=1, finite=False)
    if lam.size < 2:
        raise ValueError(f"eigenvalues needs at least 2 values, got {lam.size}")
    if not np.all(np.isfinite(lam)):
        raise ValueError("eigenvalues contains NaN or inf")
    scale = max(np.max(np.abs(lam)), 1.0)
    if np.any(lam < -NEGATIVE_TOL * scale):
        raise ValueError("eigenvalues must be non-negative")
    top2 = np.sort(np.clip(lam, 0.0, None))[::-1][:2]
    if top2[0] == 0:
        raise ValueError("eigenvalues are all zero")
    return float("inf") if top2[1] == 0 else float(top2[0] / top2[1])
