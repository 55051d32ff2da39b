"""Planted sparse features: the positive control of the sparse-feature family.

Sharkey, Braun and Millidge (2022) built toy "activations" as sparse non-negative
combinations of more unit directions than dimensions (512 features in 256 dims), and
showed that a sparse autoencoder recovers those directions. Here the directions, their
firing rates and the codes are all returned, so a dictionary can be scored against them.

References
----------
Sharkey, Braun, Millidge (2022), "[Interim research report] Taking features out of
superposition with sparse autoencoders", AI Alignment Forum, section "Toy data".
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.stats import norm

from floor.validation import (
    check_bool,
    check_int,
    check_interval,
    check_positive_float,
)
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng

# Number of latent Gaussian factors behind the correlated variant's copula. A few factors
# give each atom's firing strong, structured correlations with many others (a full random
# correlation matrix over 512 atoms has entries of order 1/sqrt(512), too weak to matter).
N_COPULA_FACTORS = 8

# Code rows handled as a dense block at a time (2**20 float64 = 8 MB): the codes are kept
# sparse, so no (n_samples, n_atoms) array exists even at n = 200k, 512 atoms (820 MB
# dense). Every quick-profile split (8192 x 64) fits in one block.
BLOCK_ELEMENTS = 2**20


def random_unit_rows(rng: np.random.Generator, n_rows: int, n_features: int) -> np.ndarray:
    """``n_rows`` directions uniform on the unit sphere of ``R^n_features``, shape (n_rows, d).

    Normalised standard Gaussian rows (a Gaussian vector's direction is uniform).
    """
    G = rng.standard_normal((n_rows, n_features))
    return G / np.linalg.norm(G, axis=1, keepdims=True)


def firing_probabilities(n_atoms: int, mean_active: float, decay: float) -> np.ndarray:
    """Per-atom firing probabilities ``p_i = min(1, s * decay**i)`` summing to ``mean_active``.

    The scale ``s`` is solved exactly (water-filling): the first ``k`` atoms are clipped at
    probability 1 and the rest share ``mean_active - k`` in proportion to ``decay**i``.
    Without clipping (the paper's defaults: ``p_0 ~ 0.05``) this is ``s = mean_active /
    sum(decay**i)``. Shape (n_atoms,).
    """
    w = decay ** np.arange(n_atoms, dtype=np.float64)
    tail = np.cumsum(w[::-1])[::-1]  # tail[k] = sum_{i >= k} w_i
    k = np.arange(n_atoms)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s = (mean_active - k) / tail
        valid = s * w <= 1 + 1e-12
    if valid.any():
        first = int(np.argmax(valid))
        p = np.minimum(1.0, s[first] * w)
    else:
        # decay**i underflowed (tiny decay, many clipped atoms): tail[k] is 0 and s[k] * w[k]
        # NaN for every candidate k. Same water-filling with the weights of the unclipped
        # atoms taken relative to the first of them, decay**(i - k), which start at 1.
        head = np.cumsum(w)[::-1]  # head[k] = sum_{j < n_atoms - k} w_j = tail[k] / w[k]
        r = (mean_active - k) / head
        first = int(np.argmax(r <= 1 + 1e-12))
        p = np.zeros(n_atoms)
        p[first:] = np.minimum(1.0, r[first] * w[: n_atoms - first])
    p[:first] = 1.0
    if not np.isclose(p.sum(), mean_active, rtol=1e-9, atol=0):
        raise ValueError(f"decay={decay!r} is too small to spread mean_active={mean_active!r} "
                         f"over {n_atoms} atoms in float64")
    return p


def _block_rows(n_atoms: int) -> int:
    """Rows of codes handled densely at a time: ``BLOCK_ELEMENTS // n_atoms`` (at least 1)."""
    return max(1, BLOCK_ELEMENTS // n_atoms)


def independent_firing(rng: np.random.Generator, n: int, p: np.ndarray):
    """Bernoulli(p_i) firing, independent across atoms and samples, one row block at a time.

    Yields bool blocks of shape (rows, n_atoms) whose concatenation is ``rng.random((n,
    n_atoms)) < p``: a Generator's uniform doubles take one 64-bit draw each, so drawing
    the rows block by block gives the same numbers as one call.
    """
    rows = _block_rows(p.size)
    for start in range(0, n, rows):
        yield rng.random((min(rows, n - start), p.size)) < p


def copula_firing(
    rng: np.random.Generator, n: int, p: np.ndarray, loadings: np.ndarray, rho: float
):
    """Gaussian-copula firing: ``z = sqrt(rho) g A^T + sqrt(1 - rho) e`` thresholded per atom.

    Each ``z_i`` is standard normal (unit-norm loading rows), so firing when ``z_i >
    Phi^-1(1 - p_i)`` keeps the marginal rate ``p_i`` exactly while atoms sharing factors
    fire together (latent correlation ``rho * a_i . a_j``). ``g`` (n, k) is drawn first,
    then ``e`` one row block at a time (the same normals as one (n, n_atoms) call: the
    Generator's normal sampler keeps no state between values). Yields bool blocks of shape
    (rows, n_atoms).
    """
    g = rng.standard_normal((n, loadings.shape[1]))
    threshold = norm.isf(p)
    rows = _block_rows(p.size)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        e = rng.standard_normal((stop - start, p.size))
        z = np.sqrt(rho) * (g[start:stop] @ loadings.T) + np.sqrt(1.0 - rho) * e
        yield z > threshold


def _sparse_codes(blocks, n: int, m: int, rng: np.random.Generator) -> sparse.csr_array:
    """CSR codes (n, m) from boolean firing blocks, magnitudes ``U[0, 1)`` drawn after them.

    The active entries of each block are listed row by row, columns ascending (C order),
    which is both CSR order and the order in which ``codes[fire] = rng.random(nnz)`` filled
    a dense matrix; so the magnitudes are the same numbers in the same places, and no
    (n, m) array is ever formed.
    """
    counts, columns = [], []
    for fire in blocks:
        r, c = np.nonzero(fire)
        counts.append(np.bincount(r, minlength=fire.shape[0]))
        columns.append(c)
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))]).astype(np.int64)
    indices = np.concatenate(columns).astype(np.int64)
    data = rng.random(int(indptr[-1]))
    return sparse.csr_array((data, indices, indptr), shape=(n, m))


def _codes_times_features(codes: sparse.csr_array, features: np.ndarray) -> np.ndarray:
    """``X = codes @ features`` (n, d), one dense row block of codes at a time.

    Each block is densified and multiplied by BLAS, exactly as the whole dense code matrix
    was; when ``n`` fits in one block (every quick-profile split) this is the same single
    product, bit for bit. A sparse-times-dense product would sum in another order and
    change the last bits of ``X``.
    """
    n, m = codes.shape
    X = np.empty((n, features.shape[1]))
    rows = _block_rows(m)
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        X[start:stop] = codes[start:stop].toarray() @ features
    return X


def make_planted_sparse(
    n_samples: int,
    n_features: int = 256,
    n_atoms: int = 512,
    mean_active: float = 5.0,
    decay: float = 0.99,
    correlated: bool = False,
    correlation: float = 0.5,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Sparse non-negative combinations of planted unit directions (Sharkey et al. 2022).

    Structure (shared by all splits): ``F`` (n_atoms, d), rows uniform on the unit sphere;
    firing probabilities ``p_i = min(1, s * decay**i)`` with ``s`` such that
    ``sum_i p_i = mean_active`` (the expected number of active atoms per sample).
    Samples: atom ``i`` fires with probability ``p_i``; an active atom's magnitude is
    ``U[0, 1)``, an inactive one's is 0; ``x = c F`` with ``c`` the code row, so
    ``X = C F`` of shape (n_samples, d).

    Correlated variant: firing comes from a Gaussian copula. A latent ``z = sqrt(rho) g
    A^T + sqrt(1 - rho) e`` with ``g ~ N(0, I_k)`` (``k = N_COPULA_FACTORS``), ``e ~ N(0,
    I)`` and ``A`` (n_atoms, k) random unit rows fixed by the structure, so ``corr(z_i,
    z_j) = rho a_i . a_j``; atom ``i`` fires when ``z_i > Phi^-1(1 - p_i)``. Each atom's
    marginal rate is still exactly ``p_i``; only the joint firing changes. The planted
    directions are the same as in the independent variant with the same ``random_state``.

    Parameters
    ----------
    n_samples : int
        Rows of this split (>= 1).
    n_features : int, default=256
        Dimension ``d`` of the activations (>= 1).
    n_atoms : int, default=512
        Number of planted features (>= 1); more than ``d`` puts them in superposition.
    mean_active : float, default=5.0
        Expected number of active atoms per sample, in (0, n_atoms].
    decay : float, default=0.99
        Firing probabilities fall as ``decay**i``, in (0, 1] (1 gives equal rates).
    correlated : bool, default=False
        Use the Gaussian-copula firing described above.
    correlation : float, default=0.5
        Copula strength ``rho`` in [0, 1] (0: independent firing). Ignored unless
        ``correlated``.
    random_state : int or SeedSequence, default=0
        Seed of the dataset; its structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, d) float64. ``ground_truth``: ``features`` (n_atoms, d) unit rows;
        ``codes`` (n_samples, n_atoms) ``scipy.sparse.csr_array`` of float64 (about
        ``mean_active`` non-zeros per row; never formed densely) with ``X = codes @
        features`` (computed block-wise by dense BLAS products); ``n_true_features``
        (= n_atoms); ``firing_probability`` (n_atoms,); ``mean_active`` (expected L0);
        ``copula_loadings`` (n_atoms, k) or None when not correlated; ``correlation``.

    References
    ----------
    Sharkey, Braun, Millidge (2022), "Taking features out of superposition with sparse
    autoencoders", toy data section.
    """
    n = check_int(n_samples, "n_samples")
    d = check_int(n_features, "n_features")
    m = check_int(n_atoms, "n_atoms")
    mean_l0 = check_positive_float(mean_active, "mean_active")
    if mean_l0 > m:
        raise ValueError(f"mean_active must be <= n_atoms={m}, got {mean_active!r}")
    gamma = check_interval(decay, "decay", 0.0, 1.0, low_open=True)
    correlated = check_bool(correlated, "correlated")
    rho = check_interval(correlation, "correlation", 0.0, 1.0)

    srng = structure_rng(random_state)
    features = random_unit_rows(srng, m, d)
    p = firing_probabilities(m, mean_l0, gamma)
    loadings = random_unit_rows(srng, m, N_COPULA_FACTORS) if correlated else None

    rng = split_rng(random_state, split)
    if correlated:
        blocks = copula_firing(rng, n, p, loadings, rho)
    else:
        blocks = independent_firing(rng, n, p)
    codes = _sparse_codes(blocks, n, m, rng)
    X = _codes_times_features(codes, features)

    truth = {
        "features": features,
        "codes": codes,
        "n_true_features": m,
        "firing_probability": p,
        "mean_active": float(p.sum()),
        "copula_loadings": loadings,
        "correlation": rho if correlated else 0.0,
    }
    params = dict(n_samples=n, n_features=d, n_atoms=m, mean_active=mean_l0, decay=gamma,
                  correlated=correlated, correlation=rho,
                  random_state=repr(random_state), split=split)
    return Dataset("planted_sparse", X=X, ground_truth=truth, params=params)
