"""Correlated features: groups of planted unit directions that tend to fire together.

Chanin and Garriga-Alonso (2025) show that a sparse autoencoder whose L0 is below the true
L0 *mixes* correlated features into one latent (their toy model: 50 orthogonal features in
100 dimensions, firing correlations drawn in [0.3, 0.9], true L0 about 11), and Chanin,
Dulka and Garriga-Alonso (2025) that an SAE narrower than the number of features *hedges*:
it merges correlated features into one latent. Both need data whose firing correlation and
frequencies are set by hand and returned as ground truth; this generator gives that.

Firing model (exact marginals, exact pairwise correlation): the features are split into
``n_groups`` groups of ``group_size``. For each sample and group one shared uniform ``U``
is drawn; member ``i`` of the group fires when

    (with probability s)      U   < p_i       (it copies the group's draw)
    (otherwise)               V_i < p_i       (its own draw, V_i uniform)

with ``s = sqrt(correlation)``. Each marginal rate is exactly ``p_i``; members ``i, j`` of
one group fire together with probability ``p_i p_j + s^2 (min(p_i, p_j) - p_i p_j)``, so
their firing (phi) correlation is ``s^2 (min(p_i, p_j) - p_i p_j) / sqrt(p_i q_i p_j q_j)``
(``q = 1 - p``): exactly ``correlation`` when the two rates are equal. Features of
different groups fire independently.

References
----------
Chanin, Garriga-Alonso (2025), "Sparse but Wrong: Incorrect L0 Leads to Incorrect Features
in Sparse Autoencoders", arXiv 2508.16560 (code: ``chanind/sparse-but-wrong-paper``,
``toy_models/get_training_batch.py``: magnitudes 1 with standard deviation 0.15).
Chanin, Dulka, Garriga-Alonso (2025), "Feature Hedging: Correlated Features Break Narrow
Sparse Autoencoders", arXiv 2505.11756.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from floor.validation import check_bool, check_int, check_interval, check_positive_float
from generators.dataset import Dataset
from generators.planted_sparse import random_unit_rows
from generators.seeding import SeedLike, split_rng, structure_rng


def planted_directions(rng: np.random.Generator, n_rows: int, d: int,
                       orthogonal: bool) -> np.ndarray:
    """``n_rows`` unit directions in ``R^d``, shape (n_rows, d).

    ``orthogonal``: orthonormal rows (a random rotation's first rows: QR of a Gaussian
    (d, n_rows) matrix with the signs of R's diagonal folded in), which needs ``n_rows <=
    d``; else rows uniform on the sphere (`generators.planted_sparse.random_unit_rows`).
    """
    if not orthogonal:
        return random_unit_rows(rng, n_rows, d)
    Q, R = np.linalg.qr(rng.standard_normal((d, n_rows)))
    return np.ascontiguousarray((Q * np.sign(np.diag(R))).T)


def group_rates(n_groups: int, group_size: int, firing_probability: float, decay: float,
                within_ratio: float) -> np.ndarray:
    """Marginal firing rates ``p[g * size + k] = firing_probability * decay**g *
    within_ratio**k``, shape (n_groups * group_size,)."""
    g = np.repeat(np.arange(n_groups), group_size)
    k = np.tile(np.arange(group_size), n_groups)
    return firing_probability * decay**g * within_ratio**k


def pair_correlation(p: np.ndarray, correlation: float, group: np.ndarray) -> np.ndarray:
    """The firing (phi) correlation matrix implied by the copy model, shape (n, n).

    ``corr_ij = s^2 (min(p_i, p_j) - p_i p_j) / sqrt(p_i q_i p_j q_j)`` within a group
    (``s^2 = correlation``), 0 across groups, 1 on the diagonal.
    """
    q = 1.0 - p
    cov = correlation * (np.minimum.outer(p, p) - np.outer(p, p))
    sd = np.sqrt(p * q)
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.where(np.outer(sd, sd) > 0, cov / np.outer(sd, sd), 0.0)
    corr = np.where(group[:, None] == group[None, :], corr, 0.0)
    np.fill_diagonal(corr, 1.0)
    return corr


def realised_correlation(fire: np.ndarray) -> np.ndarray:
    """Pearson correlation of the 0/1 firing columns of ``fire`` (n, m); 0 where a column
    is constant (never or always fires), 1 on the diagonal. Shape (m, m)."""
    F = fire.astype(np.float64)
    F -= F.mean(axis=0)
    cov = F.T @ F / max(1, fire.shape[0])
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.where(np.outer(sd, sd) > 0, cov / np.outer(sd, sd), 0.0)
    np.fill_diagonal(corr, 1.0)
    return corr


def _firing(rng: np.random.Generator, n: int, p: np.ndarray, group: np.ndarray,
            n_groups: int, s: float) -> np.ndarray:
    """Boolean firing (n, n_total) of the copy model (module docstring)."""
    U = rng.random((n, n_groups))[:, group]
    V = rng.random((n, p.size))
    copy = rng.random((n, p.size)) < s
    return np.where(copy, U, V) < p


def make_correlated_features(
    n_samples: int,
    n_features: int = 16,
    n_groups: int = 8,
    group_size: int = 2,
    firing_probability: float = 0.25,
    decay: float = 1.0,
    within_ratio: float = 1.0,
    correlation: float = 0.5,
    magnitude_std: float = 0.15,
    orthogonal: bool = True,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Groups of planted unit directions with controlled firing correlation and rates.

    Structure (shared by all splits): ``n_total = n_groups * group_size`` directions ``F``
    (n_total, d), orthonormal (``orthogonal``, needs ``n_total <= d``, as in Chanin and
    Garriga-Alonso's toy model) or uniform on the sphere; feature ``i`` belongs to group
    ``i // group_size``; rates ``p_i`` (`group_rates`): ``firing_probability``, times
    ``decay`` per group, times ``within_ratio`` per member of a group.

    Samples (from the split's stream): firing by the copy model of the module docstring
    (marginal rate ``p_i`` exactly; firing correlation within a group exactly
    ``correlation`` for equal rates, `pair_correlation` in general); an active feature's
    magnitude is ``1 + magnitude_std * N(0, 1)``, floored at a tiny positive number so
    that an active feature never has code 0; ``X = C F``.

    Parameters
    ----------
    n_samples : int
        Rows of this split (>= 1).
    n_features : int, default=16
        Dimension ``d`` (>= 1).
    n_groups : int, default=8
        Number of groups of correlated features (>= 1).
    group_size : int, default=2
        Features per group (>= 1; 2 gives correlated pairs).
    firing_probability : float, default=0.25
        Rate of the first member of the first group, in (0, 1].
    decay : float, default=1.0
        Ratio of the rates of consecutive groups, in (0, 1].
    within_ratio : float, default=1.0
        Ratio of the rates of consecutive members of a group, in (0, 1].
    correlation : float, default=0.5
        ``s^2`` of the copy model, in [0, 1]: the firing correlation of two members of
        equal rate.
    magnitude_std : float, default=0.15
        Standard deviation of the magnitudes around 1 (>= 0; 0 gives constant 1).
    orthogonal : bool, default=True
        Orthonormal directions (``n_groups * group_size <= n_features`` required).
    random_state : int or SeedSequence, default=0
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, d) float64. ``ground_truth``: ``features`` (n_total, d) unit
        rows; ``codes`` (n_samples, n_total) ``scipy.sparse.csr_array`` with ``X = codes @
        features``; ``group`` (n_total,) int; ``partners`` (n_total, n_total) bool, True
        for two distinct members of one group; ``firing_rates`` (n_total,);
        ``expected_l0`` (their sum, the true L0); ``true_l0`` (this split's mean active
        count); ``correlation`` (the parameter); ``expected_correlation`` (n_total,
        n_total) `pair_correlation`; ``realised_correlation`` (n_total, n_total) of this
        split's firing; ``mean_partner_correlation`` and
        ``realised_mean_partner_correlation`` (means over partner pairs; None when
        ``group_size = 1``); ``n_true_features``.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it.

    References
    ----------
    Chanin, Garriga-Alonso (2025), arXiv 2508.16560, section 3 (toy model).
    Chanin, Dulka, Garriga-Alonso (2025), arXiv 2505.11756.
    """
    n = check_int(n_samples, "n_samples")
    d = check_int(n_features, "n_features")
    G = check_int(n_groups, "n_groups")
    size = check_int(group_size, "group_size")
    p0 = check_interval(firing_probability, "firing_probability", 0.0, 1.0, low_open=True)
    gamma = check_interval(decay, "decay", 0.0, 1.0, low_open=True)
    ratio = check_interval(within_ratio, "within_ratio", 0.0, 1.0, low_open=True)
    rho = check_interval(correlation, "correlation", 0.0, 1.0)
    sigma = check_positive_float(magnitude_std, "magnitude_std", allow_zero=True)
    orthogonal = check_bool(orthogonal, "orthogonal")
    m = G * size
    if orthogonal and m > d:
        raise ValueError(f"orthogonal directions need n_groups * group_size <= n_features="
                         f"{d}, got {m}; pass orthogonal=False for superposition")

    srng = structure_rng(random_state)
    features = planted_directions(srng, m, d, orthogonal)
    group = np.repeat(np.arange(G), size)
    p = group_rates(G, size, p0, gamma, ratio)
    partners = (group[:, None] == group[None, :]) & ~np.eye(m, dtype=bool)

    rng = split_rng(random_state, split)
    fire = _firing(rng, n, p, group, G, float(np.sqrt(rho)))
    r, c = np.nonzero(fire)
    mags = np.maximum(1.0 + sigma * rng.standard_normal(r.size), np.finfo(float).tiny)
    codes = sparse.csr_array((mags, (r, c)), shape=(n, m))
    codes.sum_duplicates()
    X = np.ascontiguousarray(codes @ features, dtype=np.float64)

    expected = pair_correlation(p, rho, group)
    realised = realised_correlation(fire)
    has_pairs = bool(partners.any())
    truth = {
        "features": features,
        "codes": codes,
        "group": group,
        "partners": partners,
        "firing_rates": p,
        "expected_l0": float(p.sum()),
        "true_l0": float(codes.nnz / n),
        "correlation": rho,
        "expected_correlation": expected,
        "realised_correlation": realised,
        "mean_partner_correlation": float(expected[partners].mean()) if has_pairs else None,
        "realised_mean_partner_correlation": float(realised[partners].mean()) if has_pairs
        else None,
        "n_true_features": m,
    }
    params = dict(n_samples=n, n_features=d, n_groups=G, group_size=size,
                  firing_probability=p0, decay=gamma, within_ratio=ratio, correlation=rho,
                  magnitude_std=sigma, orthogonal=orthogonal,
                  random_state=repr(random_state), split=split)
    return Dataset("correlated_features", X=X, ground_truth=truth, params=params)
