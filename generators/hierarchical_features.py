"""Hierarchical planted features: a forest of features where a child fires only with its parent.

SynthSAEBench (Chanin and Garriga-Alonso 2026) builds its synthetic activations from a
forest of features: a child can fire only when its parent fires, the children of a node may
be mutually exclusive (at most one fires), firing rates are Zipfian and may be correlated
through a low-rank Gaussian copula, and every feature is a unit direction in a space of
fewer dimensions than features (superposition). Such hierarchies are what makes sparse
autoencoders *absorb* a parent feature into its children's latents (Chanin et al. 2024),
which `metrics.absorption` measures against the planted tree returned here.

References
----------
Chanin, Garriga-Alonso (2026), "SynthSAEBench: Evaluating Sparse Autoencoders on Scalable
Realistic Synthetic Data", arXiv 2602.14687 (``sae_lens.synthetic``).
Chanin et al. (2024), "A is for Absorption: Studying Feature Splitting and Absorption in
Sparse Autoencoders", arXiv 2409.14507.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from floor.validation import (
    check_bool,
    check_choice,
    check_int,
    check_interval,
    check_positive_float,
)
from generators.dataset import Dataset
from generators.planted_sparse import (
    copula_firing,
    firing_probabilities,
    independent_firing,
    random_unit_rows,
)
from generators.seeding import SeedLike, split_rng, structure_rng

FIRING = ("zipf", "exponential")
MAGNITUDES = ("uniform", "half_normal", "constant")

# Root firing is drawn in row blocks of `generators.planted_sparse.BLOCK_ELEMENTS` (row x
# root) elements, so no (n_samples, n_roots) array is formed at the full profile's 4096
# roots x 20000 rows.

# Largest forest built (features): a guard against a depth / branching typo asking for
# billions of features, far beyond the 16384 of SynthSAEBench-16k.
MAX_FEATURES = 2**22


def forest_size(n_roots: int, branching: int, depth: int) -> int:
    """Number of features of the forest: ``n_roots * (1 + b + ... + b**(depth - 1))``."""
    return n_roots * sum(branching**k for k in range(depth))


def scaled_rates(weights: np.ndarray, total: float, name: str) -> np.ndarray:
    """Rates ``min(1, s * w_i)`` summing to ``total``, for non-increasing weights ``w``.

    Water-filling: the first ``k`` rates are clipped at 1 and the rest share ``total - k``
    in proportion to their weights; ``k`` is the smallest count for which no unclipped rate
    exceeds 1. Raises ValueError naming ``name`` when the weights underflowed so far that
    ``total`` cannot be spread in float64.
    """
    tail = np.cumsum(weights[::-1])[::-1]
    k = np.arange(weights.size)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = (total - k) / tail
        valid = (tail > 0) & (s * weights <= 1 + 1e-12)
    if not valid.any():
        raise ValueError(f"{name} is too large to spread the requested mean over "
                         f"{weights.size} roots in float64")
    first = int(np.argmax(valid))
    p = np.minimum(1.0, s[first] * weights)
    p[:first] = 1.0
    if not np.isclose(p.sum(), total, rtol=1e-9, atol=0):
        raise ValueError(f"{name} is too large to spread the requested mean over "
                         f"{weights.size} roots in float64")
    return p


def root_rates(n_roots: int, mean_active_roots: float, firing: str, zipf_exponent: float,
               decay: float) -> np.ndarray:
    """Marginal firing rates of the roots, summing to ``mean_active_roots``, shape (n_roots,).

    ``"zipf"``: ``p_i = min(1, s (i + 1)**-zipf_exponent)``; ``"exponential"``: ``p_i =
    min(1, s decay**i)`` (`generators.planted_sparse.firing_probabilities`); ``s`` solved
    exactly so that the rates sum to ``mean_active_roots``.
    """
    if firing == "exponential":
        return firing_probabilities(n_roots, mean_active_roots, decay)
    w = np.arange(1, n_roots + 1, dtype=np.float64) ** -zipf_exponent
    return scaled_rates(w, mean_active_roots, "zipf_exponent")


def _root_firing(rng: np.random.Generator, n: int, p: np.ndarray, loadings, rho: float):
    """(rows, roots) of the active roots, sorted by row.

    Independent: root ``r`` fires with probability ``p_r``; copula (``loadings`` (R, k)):
    the planted generator's Gaussian copula, which keeps each marginal rate ``p_r``
    exactly. Both are `generators.planted_sparse`'s block generators, so the roots are
    drawn exactly as planted features are.
    """
    blocks = (independent_firing(rng, n, p) if loadings is None
              else copula_firing(rng, n, p, loadings, rho))
    out_r, out_c, start = [], [], 0
    for fire in blocks:
        r, c = np.nonzero(fire)
        out_r.append(r + start)
        out_c.append(c)
        start += fire.shape[0]
    return np.concatenate(out_r).astype(np.int64), np.concatenate(out_c).astype(np.int64)


def _magnitudes(rng: np.random.Generator, size: int, kind: str) -> np.ndarray:
    """Positive magnitudes of active features: U(0, 1], |N(0, 1)| or 1."""
    if kind == "uniform":
        return 1.0 - rng.random(size)  # (0, 1]: an active feature never has code 0
    if kind == "half_normal":
        # |N(0, 1)| is 0 with probability 0 in exact arithmetic; the floor keeps it so in
        # float64 too (a 0 code would make an active feature look silent).
        return np.maximum(np.abs(rng.standard_normal(size)), np.finfo(float).tiny)
    return np.ones(size)


def make_hierarchical_features(
    n_samples: int,
    n_features: int = 32,
    n_roots: int = 16,
    branching: int = 3,
    depth: int = 2,
    exclusive_fraction: float = 0.5,
    child_probability: float = 0.25,
    firing: str = "zipf",
    zipf_exponent: float = 0.5,
    decay: float = 0.9,
    mean_active_roots: float = 2.0,
    correlation_rank: int = 0,
    correlation: float = 0.5,
    magnitude: str = "uniform",
    scale_children_by_parent: bool = False,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Sparse non-negative combinations of unit directions organised as a forest.

    Structure (shared by all splits, from the structure stream): a forest of ``n_roots``
    trees in which every node above the last level has ``branching`` children, ``depth``
    levels in all (``depth = 1``: roots only), so ``n_total = n_roots (1 + b + ... +
    b**(depth-1))`` features. Features are numbered level by level: roots ``0 .. R-1``,
    then the children of node ``k`` of a level at ``offset + k b + j`` of the next.
    Directions ``F`` (n_total, d): rows uniform on the unit sphere (``n_total > d`` puts them
    in superposition). Sibling groups (the children of one node): exactly
    ``round(exclusive_fraction * n_groups)`` of them, chosen at random, are mutually
    exclusive. Root rates ``p_r`` (`root_rates`): Zipfian ``(r + 1)**-zipf_exponent`` or
    exponential ``decay**r``, scaled to sum to ``mean_active_roots`` (clipped at 1).

    Samples (from the split's stream), for each row:

    1. roots fire independently with probabilities ``p_r`` or, with ``correlation_rank =
       k > 0``, through a Gaussian copula (latent ``z = sqrt(rho) g L^T + sqrt(1 - rho) e``,
       ``L`` (R, k) random unit rows fixed by the structure, so ``corr(z_r, z_s) = rho L_r .
       L_s``) thresholded at ``Phi^-1(1 - p_r)``: each root keeps its marginal rate exactly;
    2. level by level, for each active node: in an independent group each child fires with
       probability ``q = child_probability``, independently; in an exclusive group one
       uniform draw ``u`` picks child ``floor(u / q)`` when ``u < b q`` and none otherwise,
       so each child again fires with probability ``q`` and at most one does. A child never
       fires when its parent is silent. A feature at level ``l`` (roots: 0) thus fires with
       marginal probability ``q**l p_root``, exclusive group or not;
    3. every active feature gets a magnitude: ``"uniform"`` U(0, 1], ``"half_normal"``
       ``|N(0, 1)|`` or ``"constant"`` 1; with ``scale_children_by_parent`` a child's is
       multiplied by its parent's (final) magnitude.

    ``x = c F`` with ``c`` the row of codes, ``X = C F`` (n, d).

    Parameters
    ----------
    n_samples : int
        Rows of this split (>= 1).
    n_features : int, default=32
        Dimension ``d`` of the activations (>= 1).
    n_roots : int, default=16
        Trees of the forest (>= 1).
    branching : int, default=3
        Children of every node above the last level (>= 1).
    depth : int, default=2
        Levels of every tree, roots included (>= 1).
    exclusive_fraction : float, default=0.5
        Share of sibling groups whose children are mutually exclusive, in [0, 1].
    child_probability : float, default=0.25
        ``q``: probability that a given child fires when its parent fires, in [0, 1]; at
        most ``1 / branching`` when some group is exclusive.
    firing : {"zipf", "exponential"}, default="zipf"
        Shape of the root rates.
    zipf_exponent : float, default=0.5
        Exponent of the Zipfian root rates (>= 0; 0 gives equal rates). SynthSAEBench-16k
        uses 0.5.
    decay : float, default=0.9
        Ratio of consecutive exponential root rates, in (0, 1].
    mean_active_roots : float, default=2.0
        Expected number of active roots per sample, in (0, n_roots].
    correlation_rank : int, default=0
        Rank ``k`` of the copula's correlation (0: independent roots).
    correlation : float, default=0.5
        Copula strength ``rho`` in [0, 1]. Ignored when ``correlation_rank = 0``.
    magnitude : {"uniform", "half_normal", "constant"}, default="uniform"
    scale_children_by_parent : bool, default=False
    random_state : int or SeedSequence, default=0
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, d) float64. ``ground_truth``: ``features`` (n_total, d) unit rows;
        ``codes`` (n_samples, n_total) ``scipy.sparse.csr_array`` of float64, canonical,
        positive exactly where a feature fires (never formed densely), ``X = codes @
        features``; ``parent`` (n_total,) int, -1 for roots; ``depth`` (n_total,) level of
        each feature (roots 0); ``children`` tuple of int arrays, the children of each
        feature; ``exclusive_group`` (n_total,) int: the parent's index for a child of an
        exclusive group, -1 otherwise; ``firing_rates`` (n_total,) marginal probabilities;
        ``expected_l0`` (their sum); ``true_l0`` (mean non-zeros per row of ``codes``, this
        split's value); ``n_true_features`` (= n_total); ``copula_loadings`` (R, k) or None;
        ``correlation`` (0.0 without copula); ``child_probability``.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it.
    """
    n = check_int(n_samples, "n_samples")
    d = check_int(n_features, "n_features")
    R = check_int(n_roots, "n_roots")
    b = check_int(branching, "branching")
    L = check_int(depth, "depth")
    excl = check_interval(exclusive_fraction, "exclusive_fraction", 0.0, 1.0)
    q = check_interval(child_probability, "child_probability", 0.0, 1.0)
    firing = check_choice(firing, "firing", FIRING)
    s_zipf = check_positive_float(zipf_exponent, "zipf_exponent", allow_zero=True)
    gamma = check_interval(decay, "decay", 0.0, 1.0, low_open=True)
    mean_roots = check_positive_float(mean_active_roots, "mean_active_roots")
    if mean_roots > R:
        raise ValueError(f"mean_active_roots must be <= n_roots={R}, got {mean_active_roots!r}")
    k = check_int(correlation_rank, "correlation_rank", minimum=0)
    rho = check_interval(correlation, "correlation", 0.0, 1.0)
    magnitude = check_choice(magnitude, "magnitude", MAGNITUDES)
    scale_by_parent = check_bool(scale_children_by_parent, "scale_children_by_parent")
    if L > 1 and b > 1 and (L - 1) * np.log(b) > np.log(MAX_FEATURES):
        raise ValueError(f"depth={L} with branching={b} gives more than {MAX_FEATURES} "
                         f"features per root")
    m = forest_size(R, b, L)
    if m > MAX_FEATURES:
        raise ValueError(f"n_roots={R}, branching={b}, depth={L} give {m} features, more "
                         f"than {MAX_FEATURES}")
    level_sizes = [R * b**lev for lev in range(L)]
    n_groups = m - level_sizes[-1]  # every non-leaf node has one sibling group
    n_exclusive = int(round(excl * n_groups))
    if n_exclusive > 0 and b * q > 1 + 1e-12:
        raise ValueError(f"child_probability must be <= 1/branching = {1 / b:g} when some "
                         f"sibling groups are exclusive, got {child_probability!r}")

    # --- structure -----------------------------------------------------------------------
    srng = structure_rng(random_state)
    features = random_unit_rows(srng, m, d)
    exclusive_node = np.zeros(m, dtype=bool)  # node whose children are exclusive
    exclusive_node[srng.permutation(n_groups)[:n_exclusive]] = True
    loadings = random_unit_rows(srng, R, k) if k > 0 else None
    p_root = root_rates(R, mean_roots, firing, s_zipf, gamma)

    offsets = np.concatenate([[0], np.cumsum(level_sizes)]).astype(np.int64)
    parent = np.full(m, -1, dtype=np.int64)
    level = np.zeros(m, dtype=np.int64)
    for lev in range(1, L):
        idx = np.arange(offsets[lev], offsets[lev + 1])
        parent[idx] = offsets[lev - 1] + (idx - offsets[lev]) // b
        level[idx] = lev
    exclusive_group = np.where((parent >= 0) & exclusive_node[np.maximum(parent, 0)],
                               parent, -1)
    firing_rates = p_root[_root_of(parent)] * q**level

    # --- samples -------------------------------------------------------------------------
    rng = split_rng(random_state, split)
    rows, cols = _root_firing(rng, n, p_root, loadings, rho)
    mags = _magnitudes(rng, rows.size, magnitude)
    all_rows, all_cols, all_mags = [rows], [cols], [mags]
    for lev in range(1, L):
        # Active nodes of the previous level (pairs), their first child's index.
        local = cols - offsets[lev - 1]
        first_child = offsets[lev] + local * b
        excl_pair = exclusive_node[cols]
        # Independent groups: b uniforms per active parent; exclusive: one.
        u_ind = rng.random((int((~excl_pair).sum()), b))
        u_exc = rng.random(int(excl_pair.sum()))
        ind_pairs = np.flatnonzero(~excl_pair)
        pi, j = np.nonzero(u_ind < q)
        src_ind = ind_pairs[pi]
        child_ind = first_child[src_ind] + j
        exc_pairs = np.flatnonzero(excl_pair)
        with np.errstate(over="ignore"):  # a subnormal q: u / q is inf, no child fires
            pick = np.floor(u_exc / q) if q > 0 else np.full(u_exc.size, float(b))
        hit = pick < b
        src_exc = exc_pairs[hit]
        child_exc = first_child[src_exc] + pick[hit].astype(np.int64)
        src = np.concatenate([src_ind, src_exc])
        new_cols = np.concatenate([child_ind, child_exc])
        order = np.lexsort((new_cols, rows[src]))
        src, new_cols = src[order], new_cols[order]
        new_rows = rows[src]
        new_mags = _magnitudes(rng, new_rows.size, magnitude)
        if scale_by_parent:
            new_mags = new_mags * mags[src]
        rows, cols, mags = new_rows, new_cols, new_mags
        all_rows.append(rows)
        all_cols.append(cols)
        all_mags.append(mags)

    codes = sparse.csr_array(
        (np.concatenate(all_mags), (np.concatenate(all_rows), np.concatenate(all_cols))),
        shape=(n, m))
    codes.sum_duplicates()  # canonical: sorted indices (no duplicates exist)
    X = np.ascontiguousarray(codes @ features, dtype=np.float64)

    truth = {
        "features": features,
        "codes": codes,
        "parent": parent,
        "depth": level,
        "exclusive_group": exclusive_group,
        "firing_rates": firing_rates,
        "expected_l0": float(firing_rates.sum()),
        "true_l0": float(codes.nnz / n),
        "n_true_features": m,
        "copula_loadings": loadings,
        "correlation": rho if k > 0 else 0.0,
        "child_probability": q,
    }
    params = dict(n_samples=n, n_features=d, n_roots=R, branching=b, depth=L,
                  exclusive_fraction=excl, child_probability=q, firing=firing,
                  zipf_exponent=s_zipf, decay=gamma, mean_active_roots=mean_roots,
                  correlation_rank=k, correlation=rho, magnitude=magnitude,
                  scale_children_by_parent=scale_by_parent,
                  random_state=repr(random_state), split=split)
    return Dataset("hierarchical_features", X=X, ground_truth=truth, params=params)


def _root_of(parent: np.ndarray) -> np.ndarray:
    """The root of every feature, by following ``parent`` up (depth steps at most)."""
    root = np.arange(parent.size)
    while True:
        up = parent[root]
        if np.all(up < 0):
            return root
        root = np.where(up >= 0, up, root)
