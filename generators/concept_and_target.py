"""A concept to erase and a target task to keep, with correlated labels and known geometry.

The data of the utility question (Holstege, Ravfogel & Wouters 2025, arXiv 2506.10703):
erasing a concept ``z`` should keep what a target task ``y`` needs, but when ``z`` and
``y`` are correlated every eraser that zeroes ``Cov(x, z)`` touches directions the target
uses. Both labels are balanced bits with a chosen correlation; each moves the mean of ``x``
along its own planted direction, at a chosen angle, in anisotropic Gaussian noise. The
population covariances are closed forms, so an eraser's guarantee (``Cov(x', z) = 0``)
and what it keeps of the target (``Cov(x', y)``) can be read against the truth.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, check_interval, check_positive_float
from generators._structure import anisotropic_covariance_sqrt, random_orthonormal
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    cos = float(np.clip(_unit(a) @ _unit(b), -1.0, 1.0))
    return float(np.degrees(np.arccos(cos)))


def make_concept_and_target(
    n_samples: int = 2000,
    n_features: int = 16,
    concept_separation: float = 2.0,
    target_separation: float = 2.0,
    label_correlation: float = 0.5,
    angle: float = 60.0,
    condition: float = 10.0,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """``x = (z - 1/2) D_z + (y - 1/2) D_y + Sigma^{1/2} e`` with correlated bits ``z``, ``y``.

    Structure (shared by all splits): ``Sigma = Q diag(lam) Q^T`` with eigenvalues
    log-spaced in ``[1 / sqrt(condition), sqrt(condition)]``; two orthonormal ``q_1, q_2``;
    ``u_z = q_1``, ``u_y = cos(angle) q_1 + sin(angle) q_2``; the mechanism directions
    ``D_z = concept_separation Sigma^{1/2} u_z`` and ``D_y = target_separation Sigma^{1/2}
    u_y`` (Mahalanobis lengths ``concept_separation`` and ``target_separation``, at the
    angle ``angle`` in whitened coordinates). Samples: ``z ~ Bernoulli(1/2)``, ``y = z``
    with probability ``(1 + rho) / 2`` and ``1 - z`` otherwise (``rho`` =
    ``label_correlation``, so ``corr(z, y) = rho`` and ``y`` is balanced), ``e ~ N(0, I)``.

    Closed forms (population): ``Cov(x, z) = (D_z + rho D_y) / 4``, ``Cov(x, y) = (D_y +
    rho D_z) / 4``, ``Cov(x) = Sigma + (D_z D_z^T + D_y D_y^T + rho (D_z D_y^T + D_y
    D_z^T)) / 4``. The concept's class-mean difference is ``E[x | z=1] - E[x | z=0] =
    D_z + rho D_y`` (4 ``Cov(x, z)``): that, not ``D_z``, is what a linear eraser must
    remove, and it leans toward the target as ``rho`` grows.

    Parameters
    ----------
    n_samples : int, default=2000
        Rows of this split (>= 2).
    n_features : int, default=16
        Dimension ``d`` (>= 2).
    concept_separation, target_separation : float, default=2.0
        Mahalanobis lengths of ``D_z`` and ``D_y`` (> 0).
    label_correlation : float, default=0.5
        ``rho = corr(z, y)``, in (-1, 1) (at +-1 the two labels are one and no eraser can
        remove one and keep the other).
    angle : float, default=60.0
        Angle in degrees between ``D_z`` and ``D_y`` in whitened coordinates, in (0, 180).
    condition : float, default=10.0
        Condition number of ``Sigma`` (>= 1).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; its structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n, d) float64; ``y`` (n,) the concept ``z`` in {0, 1} (the erasure family's
        label); ``ground_truth``: ``target_labels`` (n,) ``y`` in {0, 1};
        ``concept_directions`` (d, 1) unit class-mean difference of ``z`` (``D_z + rho
        D_y``); ``target_directions`` (d, 1) unit class-mean difference of ``y`` (``D_y +
        rho D_z``); ``concept_mechanism`` and ``target_mechanism`` (d,) ``D_z`` and ``D_y``;
        ``cross_covariance_concept`` and ``cross_covariance_target`` (d,) the closed forms
        above; ``covariance`` (d, d) ``Cov(x)``; ``noise_covariance`` (d, d) ``Sigma``;
        ``angle_deg`` the Euclidean angle between the two class-mean differences;
        ``whitened_angle_deg`` ``angle``; ``mechanism_angle_deg`` the Euclidean angle between
        ``D_z`` and ``D_y``; ``label_correlation`` ``rho``; ``n_classes`` 2.

    References
    ----------
    Holstege, Ravfogel, Wouters (2025), "Preserving task-relevant information under linear
    concept removal", NeurIPS, arXiv 2506.10703 (their setting: a protected ``z``
    correlated with the task label ``y``).
    """
    n = check_int(n_samples, "n_samples", 2)
    d = check_int(n_features, "n_features", 2)
    sep_z = check_positive_float(concept_separation, "concept_separation")
    sep_y = check_positive_float(target_separation, "target_separation")
    rho = check_interval(label_correlation, "label_correlation", -1.0, 1.0,
                         low_open=True, high_open=True)
    theta = check_interval(angle, "angle", 0.0, 180.0, low_open=True, high_open=True)
    srng = structure_rng(random_state)
    sigma_half = anisotropic_covariance_sqrt(srng, d, condition)
    q = random_orthonormal(srng, d, 2)
    rad = np.radians(theta)
    d_z = sep_z * sigma_half @ q[:, 0]
    d_y = sep_y * sigma_half @ (np.cos(rad) * q[:, 0] + np.sin(rad) * q[:, 1])

    rng = split_rng(random_state, split)
    z = rng.integers(0, 2, size=n)
    agree = rng.random(n) < (1.0 + rho) / 2.0
    y = np.where(agree, z, 1 - z)
    X = (z - 0.5)[:, None] * d_z + (y - 0.5)[:, None] * d_y
    X += rng.standard_normal((n, d)) @ sigma_half
    noise = sigma_half @ sigma_half
    s_xz, s_xy = (d_z + rho * d_y) / 4.0, (d_y + rho * d_z) / 4.0
    mixed = np.outer(d_z, d_z) + np.outer(d_y, d_y) + rho * (np.outer(d_z, d_y)
                                                            + np.outer(d_y, d_z))
    truth = {
        "target_labels": y.astype(np.int64),
        "concept_directions": _unit(s_xz)[:, None],
        "target_directions": _unit(s_xy)[:, None],
        "concept_mechanism": d_z,
        "target_mechanism": d_y,
        "cross_covariance_concept": s_xz,
        "cross_covariance_target": s_xy,
        "covariance": noise + mixed / 4.0,
        "noise_covariance": noise,
        "angle_deg": _angle_deg(s_xz, s_xy),
        "whitened_angle_deg": theta,
        "mechanism_angle_deg": _angle_deg(d_z, d_y),
        "label_correlation": rho,
        "n_classes": 2,
    }
    params = dict(n_samples=n, n_features=d, concept_separation=sep_z,
                  target_separation=sep_y, label_correlation=rho, angle=theta,
                  condition=float(condition), random_state=repr(random_state), split=split)
    return Dataset("concept_and_target", X=np.ascontiguousarray(X), y=z.astype(np.int64),
                   ground_truth=truth, params=params)
