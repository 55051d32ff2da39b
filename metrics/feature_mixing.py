"""Feature mixing and hedging of a learned dictionary, and the n-th decoder projection.

Mixing and hedging are one fact seen from two sides: a latent's decoder row holds a
component of a feature that is *not* the one it tracks, and that feature is a correlated
partner of the one it tracks. Chanin and Garriga-Alonso (2025) call it mixing (an SAE whose
L0 is too low mixes correlated features into one latent); Chanin, Dulka and Garriga-Alonso
(2025) call it hedging (an SAE narrower than the number of features merges correlated
features into one latent). The one quantity, for a unit decoder row ``w`` that tracks
feature ``f_i`` (its largest ``|cos|``, sign folded so that ``w . f_i >= 0``):

    u_ij = P_i f_j / ||P_i f_j||,   P_i = I - f_i f_i^T      (partner j, made orthogonal to f_i)
    component(w, j) = w . u_ij                                (signed, in [-1, 1])
    mixing(w) = || Q_i w ||                                   (in [0, 1])

with ``Q_i`` the orthogonal projector onto ``span{P_i f_j : j partner of i}``. A latent
equal to its feature has mixing 0; the hand-mixed latent ``(f_1 + f_2)/sqrt(2)`` of two
orthonormal partners has component and mixing ``cos 45 deg = 1/sqrt(2)`` on ``f_2``
(matched to ``f_1``, the lower index, on the tie); in general ``w = (f_i + f_j)/||f_i +
f_j||`` gives ``sqrt((1 - c)/2)`` with ``c = f_i . f_j``. Removing ``f_i`` first makes the
reading free of the truth's own overlap: a perfect dictionary of features in superposition
still scores 0.

- `latent_mixing` reads it per latent (a), over the latents whose tracked feature has
  partners;
- `feature_hedging` reads it per feature (b): the latent that best matches feature ``i``,
  how much of ``i``'s partners its decoder row absorbs (a merged latent serves both
  features of a pair, and each of them reads its mixing).

The n-th decoder projection (c) is the ground-truth-free proxy for the right L0 of Chanin
and Garriga-Alonso (2025), ``sparse_but_wrong/nth_decoder_projection.py`` of
``chanind/sparse-but-wrong-paper``: on a batch ``X`` (B, d), the decoder pre-activations
``H = (X - b_dec) W_dec^T`` (B, m) are flattened and sorted in decreasing order, and
``s_n = sorted(H)[n B]`` (0-based): the value above which, on average, ``n`` latents per
sample project. A dictionary that mixes correlated features projects every input onto
more latents (each carries a share of frequent features), which lifts ``s_n``; the paper
trains SAEs over a sweep of L0 and picks the L0 that minimises ``s_n`` (its toy model: 50
features, true L0 about 11, the minimum at the true L0 for ``n`` from 12 to 25; in an
LLM SAE of width 32k it uses ``n = 12000``, "anything less than about d_sae / 2").

References
----------
Chanin, Garriga-Alonso (2025), "Sparse but Wrong: Incorrect L0 Leads to Incorrect Features
in Sparse Autoencoders", arXiv 2508.16560; code ``chanind/sparse-but-wrong-paper``.
Chanin, Dulka, Garriga-Alonso (2025), "Feature Hedging: Correlated Features Break Narrow
Sparse Autoencoders", arXiv 2505.11756.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, float_array
from metrics.dictionary_similarity import unit_rows

# Singular values of the partner directions (after removing f_i) below this, relative to
# 1 (they are unit vectors projected once), count as zero: a partner parallel to f_i adds
# no direction of its own.
RANK_TOLERANCE = 1e-9


def _rows(A, name: str, d: int | None = None, ref: str = "atoms") -> np.ndarray:
    """A finite non-empty 2-D float array (``d`` columns when given); errors name ``name``."""
    arr = float_array(A, name, ndim=2, min_rows=1, min_cols=1)
    if d is not None and arr.shape[1] != d:
        raise ValueError(f"{name} has {arr.shape[1]} columns, but {ref} has d={d}")
    return arr


def _partners(partners, n: int) -> np.ndarray:
    """``partners`` as an (n, n) bool matrix with a False diagonal; error naming it."""
    P = np.asarray(partners)
    if P.shape != (n, n):
        raise ValueError(f"partners must be an (n_features, n_features) = ({n}, {n}) boolean "
                         f"matrix, got shape {P.shape}")
    if P.dtype != bool:
        if not np.all(np.isin(P, (0, 1))):
            raise ValueError("partners must hold booleans (or 0/1)")
        P = P.astype(bool)
    if P[np.arange(n), np.arange(n)].any():
        raise ValueError("partners must not pair a feature with itself (diagonal True)")
    return P


def partners_from_parent(parent) -> np.ndarray:
    """The (n, n) partner matrix of a forest: a feature and its parent are partners.

    ``parent`` (n,) int, -1 for a root (`generators.hierarchical_features`' ``parent``).
    """
    par = np.asarray(parent)
    if par.ndim != 1 or not np.issubdtype(par.dtype, np.integer):
        raise ValueError(f"parent must be a 1-D int array, got {par.dtype} of shape {par.shape}")
    n = par.size
    if np.any((par < -1) | (par >= n)):
        raise ValueError("parent must hold -1 or indices of features")
    P = np.zeros((n, n), dtype=bool)
    child = np.flatnonzero(par >= 0)
    P[child, par[child]] = True
    P[par[child], child] = True
    return P


def _basis(F: np.ndarray, i: int, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(Q, U)``: an orthonormal basis (r, d) of ``span{P_i f_j}`` and the unit rows
    ``u_ij`` (len(js), d; zero where ``P_i f_j`` vanishes)."""
    A = F[js] - np.outer(F[js] @ F[i], F[i])
    norms = np.linalg.norm(A, axis=1)
    U = np.zeros_like(A)
    ok = norms > RANK_TOLERANCE
    U[ok] = A[ok] / norms[ok, None]
    if not ok.any():
        return np.zeros((0, F.shape[1])), U
    _, s, Vt = np.linalg.svd(A, full_matrices=False)
    return Vt[s > RANK_TOLERANCE], U


def _inputs(atoms, truth, partners, alive=None):
    """Unit atoms ``W``, the rows to score (nonzero and, if given, ``alive``), unit
    features ``F`` and the partner matrix ``P``; errors name the argument."""
    A = _rows(atoms, "atoms")
    T = _rows(truth, "truth", A.shape[1])
    P = _partners(partners, T.shape[0])
    W, use = unit_rows(A)
    F, live_truth = unit_rows(T)
    if not live_truth.all():
        raise ValueError("truth has zero rows: every planted feature must be a direction")
    if alive is not None:
        a = np.asarray(alive)
        if a.shape != (W.shape[0],) or a.dtype != bool:
            raise ValueError(f"alive must be a bool array of shape ({W.shape[0]},), got "
                             f"{a.dtype} of shape {a.shape}")
        use = use & a
    return W, use, F, P


def mixing_of(W: np.ndarray, F: np.ndarray, P: np.ndarray, match: np.ndarray):
    """Per row of ``W`` (unit, (k, d)) tracking feature ``match[r]``: its mixing and its
    signed components on every feature ((k, n), 0 off the partners); rows whose feature
    has no partner get mixing NaN. Rows are sign-folded towards their feature."""
    k, n = W.shape[0], F.shape[0]
    mixing = np.full(k, np.nan)
    comp = np.zeros((k, n))
    sign = np.where(np.einsum("kd,kd->k", W, F[match]) < 0, -1.0, 1.0)
    Ws = W * sign[:, None]
    for i in np.unique(match):
        js = np.flatnonzero(P[i])
        if js.size == 0:
            continue
        rows = np.flatnonzero(match == i)
        Q, U = _basis(F, i, js)
        mixing[rows] = np.linalg.norm(Ws[rows] @ Q.T, axis=1)
        comp[np.ix_(rows, js)] = Ws[rows] @ U.T
    return mixing, comp


def latent_mixing(atoms, truth, partners, alive=None) -> dict:
    """Mixing of every latent: its decoder row's component on its feature's partners.

    Each latent tracks the feature of largest ``|cos|`` with its decoder row (ties to the
    lowest index); its mixing is ``||Q_i w||`` (module docstring), in [0, 1], lower is
    better: 0 for a latent equal to its feature, ``1/sqrt(2)`` for ``(f_1 + f_2)/sqrt(2)``
    with orthonormal partners ``f_1, f_2``.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
        Decoder rows (any norms; zero rows are dead).
    truth : array-like of shape (n, d)
        Planted feature directions.
    partners : array-like of shape (n, n), bool
        ``partners[i, j]``: features ``i`` and ``j`` are correlated partners (symmetric
        in use, diagonal False).
    alive : array-like of shape (m,), bool, optional
        Latents to score (e.g. those that fire on held-out data); default every non-zero
        row.

    Returns
    -------
    dict
        ``match`` (m,) int, the tracked feature (-1 for a dead row); ``mixing`` (m,)
        float, NaN where not scored (dead, not alive, or a feature without partners);
        ``components`` (m, n) signed components ``w . u_ij`` (0 off the partners);
        ``mean_mixing`` over the scored latents (NaN if none); ``n_scored``.
    """
    W, use, F, P = _inputs(atoms, truth, partners, alive)
    match = np.full(W.shape[0], -1)
    mixing = np.full(W.shape[0], np.nan)
    comp = np.zeros((W.shape[0], F.shape[0]))
    if use.any():
        match[use] = np.abs(W[use] @ F.T).argmax(axis=1)
        mixing[use], comp[use] = mixing_of(W[use], F, P, match[use])
    scored = np.isfinite(mixing)
    return {"match": match, "mixing": mixing, "components": comp,
            "mean_mixing": float(mixing[scored].mean()) if scored.any() else float("nan"),
            "n_scored": int(scored.sum())}


def feature_hedging(atoms, truth, partners, alive=None) -> dict:
    """Hedging per feature: how much of a feature's partners its best latent absorbs.

    For each feature ``i`` with partners, the latent of largest ``|cos|`` with ``f_i``
    (among the scored latents; ties to the lowest index) is read as ``i``'s latent and its
    mixing ``||Q_i w||`` is ``i``'s hedging, in [0, 1], lower is better. A latent that
    merged two orthonormal partners, ``(f_1 + f_2)/sqrt(2)``, is the best latent of both,
    and each feature's hedging is ``1/sqrt(2)``; a dictionary holding each feature
    cleanly scores 0 (any width at or above the feature count can).

    Parameters
    ----------
    atoms, truth, partners, alive
        As in `latent_mixing`.

    Returns
    -------
    dict
        ``best_latent`` (n,) int (-1 when no latent is scored); ``best_cos`` (n,) its
        ``|cos|`` with the feature; ``hedging`` (n,) NaN for a feature without partners;
        ``partner_component`` (n, n): the best latent's signed component on each partner;
        ``mean_hedging`` over features with partners; ``n_scored``.
    """
    W, use, F, P = _inputs(atoms, truth, partners, alive)
    n = F.shape[0]
    best = np.full(n, -1)
    best_cos = np.zeros(n)
    hedging = np.full(n, np.nan)
    comp = np.zeros((n, n))
    if use.any():
        idx = np.flatnonzero(use)
        C = np.abs(F @ W[idx].T)  # (n, live)
        best = idx[C.argmax(axis=1)]
        best_cos = C.max(axis=1)
        rows = W[best]
        # Feature i reads its best latent as tracking i (not that latent's own argmax).
        hedging, comp = mixing_of(rows, F, P, np.arange(n))
    scored = np.isfinite(hedging)
    return {"best_latent": best, "best_cos": best_cos, "hedging": hedging,
            "partner_component": comp,
            "mean_hedging": float(hedging[scored].mean()) if scored.any() else float("nan"),
            "n_scored": int(scored.sum())}


def nth_decoder_projection(X, atoms, decoder_bias, n: int) -> float:
    """The n-th decoder projection ``s_n`` of Chanin and Garriga-Alonso (2025).

    ``H = (X - b_dec) W_dec^T`` of shape (B, m), flattened and sorted in decreasing order;
    ``s_n = sorted(H)[n B]`` (0-based), the ``(n B + 1)``-th largest value. ``W_dec`` is
    used as given (the paper's SAEs keep unit decoder rows, as the suite's do). Lower
    means fewer latents carry each input; over a sweep of L0 the paper picks the L0
    minimising it (`pick_by_projection`).

    Parameters
    ----------
    X : array-like of shape (B, d)
        Inputs (the paper uses training-distribution batches).
    atoms : array-like of shape (m, d)
        Decoder rows ``W_dec``.
    decoder_bias : array-like of shape (d,)
        ``b_dec`` (zeros for a dictionary without one).
    n : int
        In [0, m - 1].

    Returns
    -------
    float
    """
    Xa = float_array(X, "X", ndim=2, min_rows=1, min_cols=1)
    A = _rows(atoms, "atoms", Xa.shape[1], ref="X")
    b = float_array(decoder_bias, "decoder_bias", ndim=1)
    if b.shape != (Xa.shape[1],):
        raise ValueError(f"decoder_bias must have shape ({Xa.shape[1]},), got {b.shape}")
    nn = check_int(n, "n", minimum=0)
    if nn >= A.shape[0]:
        raise ValueError(f"n must be < the number of latents m={A.shape[0]}, got {n}")
    H = ((Xa - b) @ A.T).ravel()
    pos = H.size - 1 - nn * Xa.shape[0]  # ascending position of the (nB)-th largest
    return float(np.partition(H, pos)[pos])


def pick_by_projection(l0s, projections) -> dict:
    """The L0 the proxy picks from a sweep: the one whose ``s_n`` is smallest.

    Parameters
    ----------
    l0s : array-like of shape (k,)
        Achieved L0 of each SAE of the sweep.
    projections : array-like of shape (k,)
        Their ``s_n`` (same ``n`` for all).

    Returns
    -------
    dict
        ``index`` (first minimum), ``l0`` (the picked L0), ``projection`` (its ``s_n``).
    """
    L = float_array(l0s, "l0s", ndim=1, min_rows=1)
    S = float_array(projections, "projections", ndim=1, min_rows=1)
    if S.shape != L.shape:
        raise ValueError(f"projections must have one value per L0, got {S.size} for "
                         f"{L.size}")
    k = int(np.argmin(S))
    return {"index": k, "l0": float(L[k]), "projection": float(S[k])}


def within_fraction(picked: float, true: float, tolerance: float = 0.2) -> bool:
    """``|picked / true - 1| <= tolerance``: the verdict "within 20%" at the default."""
    if not (np.isfinite(picked) and np.isfinite(true) and true > 0):
        raise ValueError(f"picked and true must be finite and true > 0, got {picked!r}, "
                         f"{true!r}")
    return bool(abs(picked / true - 1.0) <= tolerance)
