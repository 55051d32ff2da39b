"""Random structure shared by several generators: rotations and covariances."""

from __future__ import annotations

import numpy as np

from floor.validation import check_real


def random_orthonormal(rng: np.random.Generator, n_features: int, n_directions: int) -> np.ndarray:
    """``n_directions`` orthonormal columns in ``R^n_features``, shape (n_features, n_directions).

    QR of a Gaussian matrix with the signs of ``R``'s diagonal fixed, which makes the
    result Haar-distributed (Mezzadri 2007).
    """
    if n_directions > n_features:
        raise ValueError(
            f"need n_features >= {n_directions} for {n_directions} directions, got {n_features}"
        )
    q, r = np.linalg.qr(rng.standard_normal((n_features, n_directions)))
    return q * np.sign(np.diag(r))


def anisotropic_covariance_sqrt(rng: np.random.Generator, n_features: int, condition: float):
    """Symmetric square root of ``Sigma = Q diag(lam) Q^T``, shape (d, d).

    ``lam`` is log-spaced over ``[condition^-1/2, condition^1/2]`` (so ``Sigma`` has the given
    condition number and unit geometric-mean eigenvalue) and ``Q`` is a random rotation.
    """
    kappa = check_real(condition, "condition")
    if kappa < 1:
        raise ValueError(f"condition must be >= 1, got {condition!r}")
    q = random_orthonormal(rng, n_features, n_features)
    lam = np.logspace(-0.5, 0.5, n_features) ** np.log10(kappa)
    return (q * np.sqrt(lam)) @ q.T
