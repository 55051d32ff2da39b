"""The amortisation gap: what an SAE's encoder loses against sparse coding on its own dictionary.

A sparse autoencoder *amortises* inference: one encoder pass ``c = f(W_enc x + b)`` replaces
solving, for every sample, the sparse-coding problem on its decoder ``A`` (m, d)::

    min_z  ||x - b_dec - z A||^2   subject to   ||z||_0 <= k          (OMP: greedy)
    min_z  (1/2) ||x - b_dec - z A||^2 + alpha ||z||_1,   z >= 0       (non-negative lasso)

O'Neill, Gumran and Klindt prove that a linear-nonlinear encoder cannot recover every sparse
code that per-sample inference recovers, even where recovery is possible (compressed
sensing, RIP), and measure the gap with the dictionary *known*, by the MCC of the codes
(Hungarian matching of code correlations). Their public code's known-dictionary experiment
(``experiments/known_D.py`` in ``charlieoneill11/sparse-inference``: N = 16 sparse sources
in M = 8 dimensions, K = 3 active, 1024 training rows) writes
``results/fixed_Z_flops_reconstruction.json``, which records, as the mean of 5 runs after
20,000 steps, held-out MCC 0.69 for the SAE encoder, 0.81 for a one-hidden-layer MLP
encoder of width 32 and 0.97 for per-sample inference ("SAE + ITO": gradient descent on
the codes of the test rows with the same L1 loss). (The paper's figures plot these runs;
the numbers here are read from that file, not from the paper's text.) Barin Pacela et al.
(2026) report the other side: with a *learned* dictionary, per-sample FISTA on the SAE's
own dictionary does not close the SAE's recovery gap, because the learned atoms point the
wrong way.

Here the dictionary is the SAE's own (``components_`` and ``decoder_bias_``), so the gap
isolates inference: the same atoms, the same held-out rows, two ways of finding codes.

**The gap** of a metric is (sparse coding's score) - (the encoder's score) for the recovery
scores, F1 and MCC, and (the encoder's FVU) - (sparse coding's FVU) for reconstruction: a
positive gap is recovery (or reconstruction) the encoder loses. Scores, all against the
planted truth ``T`` (t, d) and its codes ``C`` (n, t):

- ``f1``: the mean per-latent F1 of firing against the best-matched truth's firing
  (`metrics.dictionary_similarity.latent_precision_recall`, SynthSAEBench's ``mean_f1``:
  every latent counts, a silent one 0). A latent fires where ``|code| > 0``.
- ``mcc``: `code_mcc`, the mean correlation of matched code columns (below).
- ``fvu``: ``1 - R^2`` of the reconstruction ``codes A + b_dec``
  (`metrics.reconstruction.explained_variance`: the mean predictor scores FVU 1).
- ``l0``: mean active latents per row (`metrics.dictionary_similarity.mean_l0`).

Both solvers are scikit-learn's, run at the encoder's own sparsity so that the comparison
is at equal L0:

- `omp_codes`: orthogonal matching pursuit (``sklearn.linear_model.orthogonal_mp_gram``,
  the solver behind ``sparse_encode(algorithm="omp")``) with each row's own L0 (the
  number of latents the encoder made active on that row). OMP's coefficients are
  least-squares fits and may be negative.
- `lasso_codes` / `lasso_codes_at_l0`: the non-negative lasso by scikit-learn's coordinate
  descent (``sparse_encode(algorithm="lasso_cd", positive=True)``), with ``alpha`` searched
  so that the mean L0 matches the encoder's. Why scikit-learn's and not a hand-written
  FISTA: on 1024 rows, 64 unit atoms in d = 32 (a quick TopK SAE's dictionary) coordinate
  descent on the precomputed Gram matrix took 0.04-0.07 s per solve and stops on the
  duality gap, a vectorised numpy FISTA 0.12-0.57 s (309-1476 iterations to a 1e-6 iterate
  change) for the same codes (max difference 2e-5 to 1e-4): the L0 search solves several
  times per fit, so the faster exact solver is the one a quick study can afford.

Both solve on unit-norm atoms (an atom's scale would otherwise weight OMP's choice and the
L1 penalty) and return codes for ``A`` as given (``z_i = w_i / ||a_i||``); a zero atom is
never used (code 0).

References
----------
O'Neill, Gumran, Klindt (2024; ICML 2025), "Compute optimal inference and provable
amortisation gap in sparse autoencoders", arXiv 2411.13117: the amortisation-gap theorem
(compressed sensing) and the known-dictionary experiments (MCC of the codes).
Barin Pacela, Joshi, Camacho, Lacoste-Julien, Klindt (2026), "Stop probing, start coding",
arXiv 2603.28744: per-sample FISTA on an SAE's learned dictionary.
Pati, Rezaiifar, Krishnaprasad (1993), orthogonal matching pursuit; Tibshirani (1996),
the lasso; Friedman, Hastie, Tibshirani (2010), coordinate descent.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import sparse_encode
from sklearn.linear_model import orthogonal_mp_gram

from floor.validation import check_choice, check_int, check_interval, float_array
from metrics.dictionary_similarity import (
    ZERO_NORM,
    latent_precision_recall,
    mean_l0,
    unit_rows,
)
from metrics.reconstruction import explained_variance

SOLVERS = ("omp", "lasso")
MATCHES = ("atoms", "codes")
# Relative L0 error at which the lasso's alpha search stops (5%: the L0 of an encoder
# itself moves by more than that between seeds), and the most solves it makes.
L0_TOLERANCE = 0.05
MAX_SOLVES = 12
# Where log-log interpolation may land inside the bracket of log alpha, as a fraction from
# either end: without it, a bracket whose sparse end is far off stalls (regula falsi moves
# one end only; measured here: 12 solves from L0 5.0 down to 2.6 for a target of 2).
INTERPOLATION_CLAMP = 0.2
# The alpha search's step until the target is bracketed (its first guess, `_first_alpha`,
# is usually within this factor).
BRACKET_FACTOR = 3.0
# Coordinate descent's iteration cap per solve (scikit-learn's default is 1000; the lasso
# on 64 atoms converges in far fewer, this only bounds a pathological case).
LASSO_MAX_ITER = 1000
# A code column whose standard deviation is at most this (relative to 1 + |mean|) is
# constant: its correlation with anything is 0 (O'Neill et al.'s code uses var < 1e-12).
CONSTANT_STD = 1e-12


# --- validation -----------------------------------------------------------------------------


def _atoms(atoms) -> np.ndarray:
    A = float_array(atoms, "atoms", ndim=2, min_rows=1, min_cols=1)
    return A


def _data(X, d: int) -> np.ndarray:
    return float_array(X, "X", ndim=2, min_rows=1, n_cols=d)


def _offset(offset, d: int) -> np.ndarray:
    if offset is None:
        return np.zeros(d)
    b = float_array(offset, "offset", ndim=1)
    if b.shape[0] != d:
        raise ValueError(f"offset has {b.shape[0]} entries, but atoms have d={d}")
    return b


def _unit(A: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit rows of the live atoms, their indices in ``A`` and their norms."""
    U, live = unit_rows(A)
    idx = np.flatnonzero(live)
    return U[idx], idx, np.linalg.norm(A[idx], axis=1)


def _scatter(W: np.ndarray, idx: np.ndarray, norms: np.ndarray, m: int) -> np.ndarray:
    """Codes for the unit live atoms ``W`` (n, len(idx)) as codes for ``A`` (n, m)."""
    Z = np.zeros((W.shape[0], m))
    Z[:, idx] = W / norms
    return Z


# --- the two sparse coders ------------------------------------------------------------------


def omp_codes(X, atoms, n_nonzero, offset=None) -> np.ndarray:
    """Orthogonal matching pursuit on a given dictionary, each row at its own L0.

    For row ``x`` with budget ``k``: ``k`` greedy steps, each adding the unit atom most
    correlated with the residual of ``x - offset`` and refitting all chosen coefficients by
    least squares (scikit-learn's ``orthogonal_mp_gram``, called once per distinct ``k``).
    ``k`` is clipped to the number of live atoms and to ``d`` (OMP cannot use more than
    ``d`` independent atoms); a budget of 0 gives a zero row. OMP may stop early when the
    residual is already zero or the chosen atoms are linearly dependent (scikit-learn's
    RuntimeWarning about it is silenced: the codes so far are returned).

    With unit-norm atoms and one ``k`` for every row this equals
    ``sklearn.decomposition.sparse_encode(X - offset, atoms, algorithm="omp",
    n_nonzero_coefs=k)``.

    Parameters
    ----------
    X : array-like of shape (n, d)
    atoms : array-like of shape (m, d)
        The dictionary (e.g. an SAE's ``components_``); rows need not be unit norm.
    n_nonzero : int or array-like of int of shape (n,)
        L0 budget: one for all rows, or one per row (e.g. the encoder's per-row L0).
    offset : array-like of shape (d,), optional
        Subtracted from every row before coding (an SAE's ``decoder_bias_``).

    Returns
    -------
    ndarray of shape (n, m)
        Codes for ``atoms`` as given: ``X - offset ~ codes @ atoms``.
    """
    A = _atoms(atoms)
    m, d = A.shape
    R = _data(X, d) - _offset(offset, d)
    k = _budgets(n_nonzero, R.shape[0])
    U, idx, norms = _unit(A)
    W = np.zeros((R.shape[0], idx.size))
    if idx.size == 0:
        return _scatter(W, idx, norms, m)
    k = np.minimum(k, min(idx.size, d))
    G = U @ U.T
    Xy = U @ R.T
    for budget in np.unique(k[k > 0]):
        rows = np.flatnonzero(k == budget)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            coef = orthogonal_mp_gram(G, Xy[:, rows], n_nonzero_coefs=int(budget))
        W[rows] = np.asarray(coef).reshape(idx.size, rows.size).T
    return _scatter(W, idx, norms, m)


def _budgets(n_nonzero, n: int) -> np.ndarray:
    """Per-row L0 budgets (n,) int64 >= 0, from one int or an array of ints."""
    if np.ndim(n_nonzero) == 0:
        return np.full(n, check_int(n_nonzero, "n_nonzero", minimum=0), dtype=np.int64)
    k = float_array(n_nonzero, "n_nonzero", ndim=1)
    if k.shape[0] != n:
        raise ValueError(f"n_nonzero has {k.shape[0]} entries, but X has {n} rows")
    if np.any(k < 0) or np.any(k != np.round(k)):
        raise ValueError("n_nonzero must hold integers >= 0")
    return k.astype(np.int64)


def lasso_codes(X, atoms, alpha, offset=None, init=None) -> np.ndarray:
    """Non-negative lasso codes on a given dictionary, by coordinate descent.

    Per row: ``argmin_{w >= 0} (1/2) ||x - offset - w U||^2 + alpha ||w||_1`` with ``U``
    the unit-norm live atoms (scikit-learn's ``sparse_encode(algorithm="lasso_cd",
    positive=True)``, whose ``alpha`` is this one), returned as codes for ``atoms``
    (``z_i = w_i / ||a_i||``).

    Parameters
    ----------
    X : array-like of shape (n, d)
    atoms : array-like of shape (m, d)
    alpha : float
        L1 weight, >= 0 (0: non-negative least squares, by the same solver).
    offset : array-like of shape (d,), optional
    init : ndarray of shape (n, m), optional
        A warm start (codes for ``atoms``, e.g. the solution at a nearby ``alpha``).

    Returns
    -------
    ndarray of shape (n, m), non-negative.
    """
    A = _atoms(atoms)
    m, d = A.shape
    R = _data(X, d) - _offset(offset, d)
    a = check_interval(alpha, "alpha", 0.0, math.inf, high_open=True)
    U, idx, norms = _unit(A)
    if idx.size == 0:
        return np.zeros((R.shape[0], m))
    W0 = None
    if init is not None:
        Z0 = float_array(init, "init", ndim=2)
        if Z0.shape != (R.shape[0], m):
            raise ValueError(f"init must have shape {(R.shape[0], m)}, got {Z0.shape}")
        W0 = np.ascontiguousarray(Z0[:, idx] * norms)
    return _scatter(_lasso(R, U, a, W0), idx, norms, m)


def _lasso(R: np.ndarray, U: np.ndarray, alpha: float, init) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning at the iteration cap
        return sparse_encode(R, U, gram=U @ U.T, algorithm="lasso_cd", alpha=alpha,
                             positive=True, init=init, max_iter=LASSO_MAX_ITER,
                             check_input=False)


def lasso_codes_at_l0(X, atoms, target_l0, offset=None, tolerance: float = L0_TOLERANCE,
                      max_solves: int = MAX_SOLVES) -> tuple[np.ndarray, dict]:
    """Non-negative lasso codes whose mean L0 matches ``target_l0``.

    ``alpha`` is searched in ``(0, alpha_max]`` with ``alpha_max = max_n max_i (x_n -
    offset) . u_i`` (above it every code is 0): from `_first_alpha` (the soft threshold
    that would leave ``target`` atoms per row on orthonormal atoms), multiplied or divided
    by `BRACKET_FACTOR` until the target is bracketed, then interpolated linearly in ``log
    alpha`` against ``log L0`` (L0 falls as alpha grows; kept within the middle 60% of the
    bracket, or the geometric midpoint when the sparse end has L0 0), each solve
    warm-started from the nearest one so far; it stops when ``|L0 / target - 1| <=
    tolerance`` or after ``max_solves`` solves and returns the solve closest to the target
    (in ``|log(L0 / target)|``).

    Returns
    -------
    codes : ndarray of shape (n, m)
    info : dict
        ``alpha``, ``l0`` (of the returned codes), ``target_l0``, ``solves``,
        ``within_tolerance`` (bool).
    """
    A = _atoms(atoms)
    m, d = A.shape
    R = _data(X, d) - _offset(offset, d)
    target = check_interval(target_l0, "target_l0", 0.0, math.inf, low_open=True,
                            high_open=True)
    tol = check_interval(tolerance, "tolerance", 0.0, 1.0, low_open=True, high_open=True)
    check_int(max_solves, "max_solves")
    U, idx, norms = _unit(A)
    alpha_max = float(max((R @ U.T).max(), 0.0)) if idx.size else 0.0
    if alpha_max <= 0:
        return np.zeros((R.shape[0], m)), {"alpha": 0.0, "l0": 0.0, "target_l0": target,
                                           "solves": 0, "within_tolerance": False}
    tried: list[tuple[float, float, np.ndarray]] = []
    alpha = _first_alpha(R @ U.T, target, alpha_max)
    while len(tried) < max_solves:
        near = min(tried, key=lambda p: abs(math.log(p[0] / alpha)))[2] if tried else None
        W = _lasso(R, U, alpha, near)
        tried.append((alpha, mean_l0(W), W))
        if abs(tried[-1][1] / target - 1) <= tol:
            break
        alpha = _next_alpha(tried, target)
    best = min(tried, key=lambda p: abs(math.log(max(p[1], 1e-3) / target)))
    return _scatter(best[2], idx, norms, m), {
        "alpha": best[0], "l0": best[1], "target_l0": target, "solves": len(tried),
        "within_tolerance": bool(abs(best[1] / target - 1) <= tol)}


def _first_alpha(P: np.ndarray, target: float, alpha_max: float) -> float:
    """The search's first alpha: the mean over rows of the ``(round(target) + 1)``-th
    largest correlation ``(x - offset) . u_i`` (exact on orthonormal atoms, where the
    lasso soft-thresholds the correlations), within ``(0, alpha_max]``."""
    j = min(int(round(target)), P.shape[1] - 1)
    guess = float(np.mean(-np.partition(-P, j, axis=1)[:, j]))
    return min(max(guess, alpha_max * 1e-3), alpha_max)


def _next_alpha(tried, target: float) -> float:
    """The next alpha: x or / `BRACKET_FACTOR` until bracketed, then log-log interpolation
    kept inside the middle of the bracket (`INTERPOLATION_CLAMP`), or the geometric
    midpoint when the sparser end has L0 0 (its log is undefined)."""
    above = [p for p in tried if p[1] > target]  # too dense: alpha too small
    below = [p for p in tried if p[1] <= target]
    if not below:
        return max(p[0] for p in above) * BRACKET_FACTOR
    if not above:
        return min(p[0] for p in below) / BRACKET_FACTOR
    a = max(above, key=lambda p: p[0])
    b = min(below, key=lambda p: p[0])
    if a[0] >= b[0] or b[1] <= 0 or a[1] == b[1]:
        return math.sqrt(a[0] * b[0])
    s = (math.log(target) - math.log(a[1])) / (math.log(b[1]) - math.log(a[1]))
    s = min(max(s, INTERPOLATION_CLAMP), 1 - INTERPOLATION_CLAMP)
    return math.exp(math.log(a[0]) + s * (math.log(b[0]) - math.log(a[0])))


# --- recovery of the true codes -------------------------------------------------------------


def _column_correlations(Z: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Pearson correlation of column ``i`` of ``Z`` with column ``i`` of ``C`` (both (n, p)),
    two-pass; 0 where either column is constant."""
    Zc = Z - Z.mean(axis=0)
    Cc = C - C.mean(axis=0)
    sz, sc = np.sqrt((Zc**2).mean(axis=0)), np.sqrt((Cc**2).mean(axis=0))
    flat = (sz <= CONSTANT_STD * (1 + np.abs(Z.mean(axis=0)))) | \
        (sc <= CONSTANT_STD * (1 + np.abs(C.mean(axis=0))))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (Zc * Cc).mean(axis=0) / (sz * sc)
    r[flat] = 0.0
    return np.clip(r, -1.0, 1.0)


def _correlation_matrix(Z: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Pearson correlations of every column of ``Z`` (n, m) with every column of ``C``
    (n, t), (m, t); 0 for a constant column."""
    Zc = Z - Z.mean(axis=0)
    Cc = C - C.mean(axis=0)
    sz, sc = np.sqrt((Zc**2).mean(axis=0)), np.sqrt((Cc**2).mean(axis=0))
    fz = sz <= CONSTANT_STD * (1 + np.abs(Z.mean(axis=0)))
    fc = sc <= CONSTANT_STD * (1 + np.abs(C.mean(axis=0)))
    Zs = np.where(fz, 0.0, Zc / np.where(fz, 1.0, sz))
    Cs = np.where(fc, 0.0, Cc / np.where(fc, 1.0, sc))
    return np.clip(Zs.T @ Cs / Z.shape[0], -1.0, 1.0)


def _dense_columns(true_codes, cols=None) -> np.ndarray:
    if sparse.issparse(true_codes):
        C = sparse.csc_array(true_codes)
        C = C[:, cols] if cols is not None else C
        out = C.toarray()
    else:
        out = float_array(true_codes, "true_codes", ndim=2, min_rows=1, min_cols=1)
        out = out[:, cols] if cols is not None else out
    if not np.all(np.isfinite(out)):
        raise ValueError("true_codes contains NaN or inf")
    return out


def code_mcc(codes, true_codes, atoms=None, truth=None, match: str = "atoms") -> dict:
    """Mean correlation coefficient of codes: how well matched latents track their truths.

    Latent ``i`` is paired one to one with truth ``j`` (Hungarian,
    ``scipy.optimize.linear_sum_assignment``, ``min(m, t)`` pairs), then the Pearson
    correlation of its code column with the truth's code column over the ``n`` samples is
    taken; the MCC is the mean over the pairs. A constant column (a latent that never
    fires) correlates 0. Two matchings:

    - ``"atoms"`` (default): pairs maximise the total ``|cos|`` between atoms and truth
      directions (the pairing of `metrics.dictionary_similarity.matched_mcc`), and each
      correlation is signed by the pair's cosine, ``r_ij sign(cos(a_i, t_j))``: a latent
      whose atom is the negated feature recovers it with a negated code. The pairing
      depends on the dictionary only, so two coders on one dictionary (an encoder and
      sparse coding) are scored on the same pairs. In [-1, 1].
    - ``"codes"``: pairs maximise the total ``|r|`` of the code columns themselves, and the
      MCC is the mean ``|r|`` (O'Neill et al.'s ``mcc``: ``munkres`` on the absolute
      correlation matrix). Needs no atoms. In [0, 1].

    Higher is better; 1 when every matched latent's code is a positive multiple of its
    truth's code plus a constant (Pearson correlation ignores scale and shift).

    Parameters
    ----------
    codes : array-like of shape (n, m)
    true_codes : array-like or scipy.sparse matrix of shape (n, t)
        Ground-truth codes of the same rows (the matched columns are formed densely;
        ``"codes"`` forms all ``t``).
    atoms : array-like of shape (m, d), optional
        Required for ``match="atoms"``.
    truth : array-like of shape (t, d), optional
        Required for ``match="atoms"``.
    match : {"atoms", "codes"}, default="atoms"

    Returns
    -------
    dict
        ``mcc`` (float), ``correlations`` (p,) the per-pair values averaged, ``latents`` and
        ``truths`` (p,) the paired indices.

    References
    ----------
    O'Neill, Gumran, Klindt (2024), arXiv 2411.13117: the MCC of the codes (their code's
    ``experiments/metrics.py``, ``mcc``).
    """
    check_choice(match, "match", MATCHES)
    Z = float_array(codes, "codes", ndim=2, min_rows=2, min_cols=1)
    shape = true_codes.shape if sparse.issparse(true_codes) else np.shape(true_codes)
    if len(shape) != 2 or shape[0] != Z.shape[0]:
        raise ValueError(f"true_codes must have shape ({Z.shape[0]}, t), got {shape}")
    if match == "codes":
        C = _dense_columns(true_codes)
        S = np.abs(_correlation_matrix(Z, C))
        rows, cols = linear_sum_assignment(S, maximize=True)
        r = S[rows, cols]
    else:
        if atoms is None or truth is None:
            raise ValueError("match='atoms' needs atoms and truth")
        A = _atoms(atoms)
        T = float_array(truth, "truth", ndim=2, min_rows=1, n_cols=A.shape[1])
        if A.shape[0] != Z.shape[1]:
            raise ValueError(f"codes has {Z.shape[1]} latents but atoms has {A.shape[0]} rows")
        if T.shape[0] != shape[1]:
            raise ValueError(f"true_codes has {shape[1]} columns but truth has "
                             f"{T.shape[0]} rows")
        cos = unit_rows(A)[0] @ unit_rows(T)[0].T
        rows, cols = linear_sum_assignment(np.abs(cos), maximize=True)
        r = _column_correlations(Z[:, rows], _dense_columns(true_codes, cols))
        r = r * np.where(cos[rows, cols] < 0, -1.0, 1.0)
    return {"mcc": float(r.mean()), "correlations": r, "latents": rows, "truths": cols}


def recovery(codes, X, atoms, true_codes, truth, offset=None, match: str = "atoms") -> dict:
    """The recovery and reconstruction scores of one set of codes on one dictionary.

    Returns
    -------
    dict
        ``f1`` (SynthSAEBench's mean per-latent F1, `latent_precision_recall`), ``mcc``
        (`code_mcc`), ``fvu`` (``1 - R^2`` of ``codes @ atoms + offset`` against ``X``)
        and ``l0`` (mean active latents per row), floats.
    """
    A = _atoms(atoms)
    Z = float_array(codes, "codes", ndim=2, min_rows=2, n_cols=A.shape[0])
    Xa = _data(X, A.shape[1])
    if Xa.shape[0] != Z.shape[0]:
        raise ValueError(f"X has {Xa.shape[0]} rows but codes has {Z.shape[0]}")
    X_hat = Z @ A + _offset(offset, A.shape[1])
    return {"f1": latent_precision_recall(Z, true_codes, A, truth)["mean_f1"],
            "mcc": code_mcc(Z, true_codes, A, truth, match)["mcc"],
            "fvu": 1.0 - explained_variance(Xa, X_hat), "l0": mean_l0(Z)}


def gap_scores(encoder_codes, sparse_codes, X, atoms, true_codes, truth, offset=None,
               match: str = "atoms") -> dict:
    """The amortisation gap between two sets of codes on the same dictionary and rows.

    Returns
    -------
    dict
        ``encoder`` and ``sparse_coding``: `recovery` of each; ``gap``: ``f1`` and ``mcc``
        as sparse coding minus encoder, ``fvu`` as encoder minus sparse coding (positive:
        the encoder loses recovery or reconstruction).
    """
    enc = recovery(encoder_codes, X, atoms, true_codes, truth, offset, match)
    sc = recovery(sparse_codes, X, atoms, true_codes, truth, offset, match)
    return {"encoder": enc, "sparse_coding": sc,
            "gap": {"f1": sc["f1"] - enc["f1"], "mcc": sc["mcc"] - enc["mcc"],
                    "fvu": enc["fvu"] - sc["fvu"]}}


def amortisation_gap(X, codes, atoms, true_codes, truth, offset=None, solver: str = "omp",
                     match: str = "atoms") -> dict:
    """How much recovery of the true codes an encoder loses against sparse coding on its
    own dictionary, at its own sparsity.

    ``solver="omp"``: `omp_codes` with each row's budget the encoder's L0 on that row
    (``|codes| > 0``); ``solver="lasso"``: `lasso_codes_at_l0` at the encoder's mean L0.
    Then `gap_scores` of the encoder's codes against the sparse coder's.

    Parameters
    ----------
    X : array-like of shape (n, d)
        Held-out rows.
    codes : array-like of shape (n, m)
        The encoder's codes of ``X`` (an SAE's ``transform(X)``).
    atoms : array-like of shape (m, d)
        Its dictionary (``components_``).
    true_codes : array-like or scipy.sparse matrix of shape (n, t)
    truth : array-like of shape (t, d)
    offset : array-like of shape (d,), optional
        Its decoder bias (``decoder_bias_``): the model is ``x ~ z A + offset``.
    solver : {"omp", "lasso"}, default="omp"
    match : {"atoms", "codes"}, default="atoms"
        `code_mcc`'s pairing.

    Returns
    -------
    dict
        `gap_scores`' ``encoder``, ``sparse_coding`` and ``gap``, plus ``solver`` and
        ``lasso`` (`lasso_codes_at_l0`'s info; None for OMP).
    """
    check_choice(solver, "solver", SOLVERS)
    A = _atoms(atoms)
    Z = float_array(codes, "codes", ndim=2, min_rows=2, n_cols=A.shape[0])
    info = None
    if solver == "omp":
        S = omp_codes(X, A, (np.abs(Z) > 0).sum(axis=1), offset)
    else:
        S, info = lasso_codes_at_l0(X, A, max(mean_l0(Z), ZERO_NORM), offset)
    out = gap_scores(Z, S, X, A, true_codes, truth, offset, match)
    return {**out, "solver": solver, "lasso": info}
