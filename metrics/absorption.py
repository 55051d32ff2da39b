"""Feature absorption, feature splitting and L0 against a planted feature hierarchy.

A dictionary learned on hierarchical features (`generators.hierarchical_features`) can fail
in two ways that its reconstruction does not show. *Absorption* (Chanin et al. 2024): the
latent that tracks a parent feature stays silent whenever one of the parent's children is
active, because the child's latent has absorbed the parent's direction; the parent latent
then looks like "parent, except on the children". *Splitting*: one feature's firing is
shared between several latents, none of which fires on all of it. Both are read here from
the planted codes and directions, so no probe is needed.

All functions are pure functions of arrays. ``codes`` (n, m) are a method's codes on some
samples, ``true_codes`` (n, t) the planted codes of the same samples (dense, or a
``scipy.sparse`` matrix such as ``ground_truth["codes"]``, read sparsely), ``atoms`` (m, d)
the learned dictionary at the scale its codes use (``components_``, the decoder rows) and
``truth`` (t, d) the planted directions. A latent is active where ``|code| > threshold``; a
planted feature where its code is non-zero.

References
----------
Chanin, Wilken-Smith, Dulka, Bhatnagar, Golechha, Bloom (2024), "A is for Absorption:
Studying Feature Splitting and Absorption in Sparse Autoencoders", arXiv 2409.14507.
Chanin, Garriga-Alonso (2026), "SynthSAEBench", arXiv 2602.14687 (``sae_lens.synthetic``).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import sparse

from floor.validation import check_int, check_interval, check_positive_float, float_array
from metrics.dictionary_similarity import (
    _rows,
    active,
    latent_precision_recall,
    unit_rows,
)

# Parents handled per block of the (m, parents) cosine matrix: 256 columns of 16384
# latents are 32 MB in float64.
PARENT_BLOCK = 256


def _true_csc(true_codes, n: int, t: int | None, name: str = "true_codes"
              ) -> sparse.csc_array:
    """``true_codes`` as a CSC array (n, t) with explicit zeros removed, validated (2-D,
    non-empty, finite, numeric; ``n`` rows and, unless ``t`` is None, ``t`` columns)."""
    if sparse.issparse(true_codes):
        if true_codes.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold real numbers, got dtype {true_codes.dtype}")
        C = sparse.csc_array(true_codes, dtype=np.float64)
        if C.ndim != 2 or C.shape[0] < 1 or C.shape[1] < 1:
            raise ValueError(f"{name} must be a non-empty 2-D matrix, got shape {C.shape}")
        if not np.all(np.isfinite(C.data)):
            raise ValueError(f"{name} contains NaN or inf")
    else:
        C = sparse.csc_array(_rows(true_codes, name))
    C.eliminate_zeros()
    C.sort_indices()
    if C.shape[0] != n:
        raise ValueError(f"codes has {n} rows but {name} {C.shape[0]}")
    if t is not None and C.shape[1] != t:
        raise ValueError(f"{name} has {C.shape[1]} columns but truth has {t} rows")
    return C


def _parent_array(parent, t: int) -> np.ndarray:
    """``parent`` as an int array (t,) with values -1 or a valid, different feature index."""
    arr = float_array(parent, "parent", ndim=1)
    if arr.shape != (t,):
        raise ValueError(f"parent must have shape ({t},) (one entry per truth row), "
                         f"got {arr.shape}")
    if not np.all(arr == np.round(arr)):
        raise ValueError("parent must hold integer feature indices (-1 for roots)")
    out = arr.astype(np.int64)
    if np.any((out < -1) | (out >= t)):
        raise ValueError(f"parent entries must be -1 or in [0, {t}), got min {out.min()} "
                         f"and max {out.max()}")
    if np.any(out == np.arange(t)):
        raise ValueError("parent must not make a feature its own parent")
    return out


def _nanmean(v: np.ndarray) -> float:
    return float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")


def absorption(codes, true_codes, atoms, truth, parent, threshold: float = 0.0,
               min_samples: int = 20, compensation: float = 0.5) -> dict:
    """How often a parent's latent goes silent when a child fires, beyond its usual misses.

    For every feature ``p`` with at least one child (``parent[c] == p``):

    - its latent ``l(p)`` is the live atom of largest ``|cos|`` with ``truth[p]`` (the
      feature-to-latent direction: `metrics.dictionary_similarity.best_match` maps latents
      to features, and a fully absorbed parent is often nobody's best match);
    - ``W(p)`` are the samples where ``p`` and at least one of its children are active,
      ``O(p)`` those where ``p`` is active and none of its children is;
    - ``miss_with_child(p) = #{n in W(p): l(p) silent} / |W(p)|`` and ``miss_alone(p) =
      #{n in O(p): l(p) silent} / |O(p)|`` (one minus the latent's recall of ``p`` with and
      without a child present);
    - ``absorption(p) = miss_with_child(p) - miss_alone(p)``, in [-1, 1]: the extra rate at
      which the parent's latent goes missing because a child is there. 0 for a latent that
      fires on every occurrence of its feature (or misses it at the same rate either way),
      1 when it always fires alone and never with a child; a latent that never fires scores
      0, as it is not absorbed but not learned (read ``miss_alone`` beside it);
    - ``full_absorption(p)``: the fraction of ``W(p)`` where ``l(p)`` is silent *and* one
      other active latent carries the parent: ``max_i code_i <atoms_i, t_p> >=
      compensation * true_code_p`` (``t_p`` the unit direction of ``p``). This is Chanin et
      al.'s criterion for full absorption (main latent off, a single absorbing latent whose
      projection on the feature direction is above a share of the feature's own value),
      with the planted coefficient standing for their probe's activation. One latent, not
      the sum over all active latents: the sum adds the interference of every other active
      feature along ``t_p`` (superposition noise of order ``sqrt(L0 / d)``).

    Means are over the *scored* parents: a live latent and ``|W(p)|, |O(p)| >= min_samples``.
    Chanin et al.'s LLM metric counts absorbed tokens among a probe's true positives (their
    ``absorption rate``); ``full_absorption`` is that rate restricted to samples with a
    child. The subtraction of ``miss_alone`` is ours (the brief's "minus" form): it keeps a
    latent that is merely weak (shrinkage, a high threshold) from counting as absorbed.
    SynthSAEBench's released evaluation (``sae_lens.synthetic.evals``, as stored) reports
    L0, dead latents, shrinkage and MCC, not absorption.

    Parameters
    ----------
    codes : array-like of shape (n, m)
    true_codes : array-like or scipy.sparse matrix of shape (n, t)
    atoms : array-like of shape (m, d)
        The dictionary at the scale of ``codes`` (the reconstruction is ``codes @ atoms``).
    truth : array-like of shape (t, d)
    parent : array-like of int, shape (t,)
        Each feature's parent index, -1 for roots (``ground_truth["parent"]``).
    threshold : float, default=0.0
        Activity threshold on ``|codes|``.
    min_samples : int, default=20
        Fewest samples in each of ``W(p)`` and ``O(p)`` for ``p`` to be scored.
    compensation : float, default=0.5
        Share of the parent's planted code the other latents must carry, in (0, 1].

    Returns
    -------
    dict
        Arrays over the parents (P,): ``parents`` (feature indices), ``latent`` (-1 when
        every atom is dead), ``cosine``, ``n_with_child``, ``n_alone``, ``miss_with_child``,
        ``miss_alone``, ``absorption``, ``full_absorption`` (NaN where a set is empty),
        ``scored`` (bool). Floats: ``mean_absorption``, ``mean_full_absorption``,
        ``mean_miss_with_child``, ``mean_miss_alone`` (NaN when no parent is scored), and
        ``n_scored`` (int).
    """
    thr = check_positive_float(threshold, "threshold", allow_zero=True)
    k_min = check_int(min_samples, "min_samples")
    share = check_interval(compensation, "compensation", 0.0, 1.0, low_open=True)
    codes_arr = _rows(codes, "codes")
    fire = active(codes_arr, thr)
    n, m = fire.shape
    A = _rows(atoms, "atoms")
    T = _rows(truth, "truth", A.shape[1])
    if A.shape[0] != m:
        raise ValueError(f"codes has {m} latents but atoms has {A.shape[0]} rows")
    t = T.shape[0]
    TC = _true_csc(true_codes, n, t)
    par = _parent_array(parent, t)
    parents = np.unique(par[par >= 0])
    UA, alive = unit_rows(A)
    UT = unit_rows(T)[0]

    P = parents.size
    latent = np.full(P, -1, dtype=np.int64)
    cosine = np.zeros(P)
    for start in range(0, P, PARENT_BLOCK):
        block = parents[start:start + PARENT_BLOCK]
        C = np.abs(UA @ UT[block].T)  # dead atoms are zero rows
        C[~alive] = -1.0
        best = C.argmax(axis=0)
        latent[start:start + block.size] = np.where(alive.any(), best, -1)
        cosine[start:start + block.size] = np.clip(C[best, np.arange(block.size)], 0, 1)

    # Rows where any child of p is active: children's rows, grouped by parent.
    child_cols = np.flatnonzero(par >= 0)
    counts = np.zeros((4, P))
    full = np.full(P, np.nan)
    for i, p in enumerate(parents):
        lo, hi = TC.indptr[p], TC.indptr[p + 1]
        rows_p, vals_p = TC.indices[lo:hi], TC.data[lo:hi]
        kids = child_cols[par[child_cols] == p]
        kid_rows = np.concatenate([TC.indices[TC.indptr[c]:TC.indptr[c + 1]] for c in kids])
        with_child = np.isin(rows_p, kid_rows)
        n_w, n_o = int(with_child.sum()), int((~with_child).sum())
        if latent[i] < 0:
            silent = np.ones(rows_p.size, dtype=bool)
        else:
            silent = ~fire[rows_p, latent[i]]
        miss_w, miss_o = int((silent & with_child).sum()), int((silent & ~with_child).sum())
        counts[:, i] = (n_w, n_o, miss_w, miss_o)
        if n_w:
            w_rows = rows_p[with_child & silent]
            # Each active latent's contribution to the reconstruction along t_p (l(p) is
            # silent on these rows, so every active latent is another one); the largest.
            along = np.where(fire[w_rows], codes_arr[w_rows], 0.0) * (A @ UT[p])
            carried = along.max(axis=1) >= share * vals_p[with_child & silent]
            full[i] = carried.sum() / n_w
    n_w, n_o, miss_w, miss_o = counts[0], counts[1], counts[2], counts[3]
    with np.errstate(divide="ignore", invalid="ignore"):
        miss_with = miss_w / n_w
        miss_alone = miss_o / n_o
    score = miss_with - miss_alone
    scored = (latent >= 0) & (n_w >= k_min) & (n_o >= k_min)

    def _mean(v):
        return _nanmean(np.where(scored, v, np.nan))

    return {"parents": parents, "latent": latent, "cosine": cosine,
            "n_with_child": n_w.astype(np.int64), "n_alone": n_o.astype(np.int64),
            "miss_with_child": miss_with, "miss_alone": miss_alone, "absorption": score,
            "full_absorption": full, "scored": scored,
            "mean_absorption": _mean(score), "mean_full_absorption": _mean(full),
            "mean_miss_with_child": _mean(miss_with), "mean_miss_alone": _mean(miss_alone),
            "n_scored": int(scored.sum())}


def feature_splitting(codes, true_codes, atoms, truth, threshold: float = 0.0,
                      min_precision: float = 0.5, min_recall: float = 0.05,
                      partial_recall: float = 0.9, union_recall: float = 0.9) -> dict:
    """Features whose firing is shared by several latents, none of which covers it alone.

    Each latent ``i`` is matched to its best feature ``j = best_match(atoms, truth)[i]`` and
    scored as a detector of ``j`` by `metrics.dictionary_similarity.latent_precision_recall`
    (precision ``P(j fires | i fires)``, recall ``P(i fires | j fires)``). The *pieces* of
    feature ``j`` are the latents matched to it with precision ``>= min_precision`` and
    recall ``>= min_recall`` (latents that fire mostly on ``j``, on a non-trivial part of
    it). Feature ``j`` is **split** when it has at least two pieces, every piece's recall is
    below ``partial_recall``, and the union of the pieces fires on at least
    ``union_recall`` of ``j``'s samples: the feature is there, but only as several partial
    latents. Duplicates that each fire on all of ``j`` are not splits (see
    `metrics.dictionary_similarity.uniqueness`).

    Parameters
    ----------
    codes, true_codes, atoms, truth
        As in `absorption`.
    threshold : float, default=0.0
    min_precision, min_recall, partial_recall, union_recall : float
        The thresholds above, each in [0, 1] (``min_recall`` and ``union_recall`` in (0, 1]).

    Returns
    -------
    dict
        ``split`` (t,) bool; ``n_pieces`` (t,) int; ``union_recall`` (t,) (NaN for a
        feature that never fires or has no piece); ``n_split`` int; ``split_fraction``: split
        features over features that fire at least once on these samples (0.0 when none
        fires); ``mean_latents_per_split``: mean ``n_pieces`` over split features (0.0 when
        none is split).
    """
    thr = check_positive_float(threshold, "threshold", allow_zero=True)
    p_min = check_interval(min_precision, "min_precision", 0.0, 1.0)
    r_min = check_interval(min_recall, "min_recall", 0.0, 1.0, low_open=True)
    r_part = check_interval(partial_recall, "partial_recall", 0.0, 1.0)
    r_union = check_interval(union_recall, "union_recall", 0.0, 1.0, low_open=True)
    codes_arr = _rows(codes, "codes")
    T = _rows(truth, "truth")
    pr = latent_precision_recall(codes_arr, true_codes, atoms, T, threshold=thr)
    fire = active(codes_arr, thr)
    n, t = fire.shape[0], T.shape[0]
    TC = _true_csc(true_codes, n, t)
    matched = pr["matched"]
    with np.errstate(invalid="ignore"):
        piece = (matched >= 0) & (pr["precision"] >= p_min) & (pr["recall"] >= r_min)
    n_pieces = np.bincount(matched[piece], minlength=t)
    union = np.full(t, np.nan)
    split = np.zeros(t, dtype=bool)
    fires_at_all = np.diff(TC.indptr) > 0
    for j in np.flatnonzero((n_pieces > 0) & fires_at_all):
        latents = np.flatnonzero(piece & (matched == j))
        rows = TC.indices[TC.indptr[j]:TC.indptr[j + 1]]
        union[j] = fire[np.ix_(rows, latents)].any(axis=1).mean()
        split[j] = (latents.size >= 2 and pr["recall"][latents].max() < r_part
                    and union[j] >= r_union)
    n_split = int(split.sum())
    n_firing = int(fires_at_all.sum())
    return {"split": split, "n_pieces": n_pieces, "union_recall": union, "n_split": n_split,
            "split_fraction": n_split / n_firing if n_firing else 0.0,
            "mean_latents_per_split": float(n_pieces[split].mean()) if n_split else 0.0}


def l0_ratio(codes, true_l0, threshold: float = 0.0) -> dict:
    """The dictionary's mean L0 against the planted L0: their ratio and difference.

    ``l0 = mean_n #{i : |codes[n, i]| > threshold}``; ``true_l0`` is either a number (e.g.
    ``ground_truth["true_l0"]`` of the same split) or the planted codes of the same samples
    (dense or sparse, whose mean count of non-zeros per row is taken). ``ratio = l0 /
    true_l0`` (1 is right; below 1 features are merged or missed, e.g. absorbed; above 1
    split or duplicated) and ``difference = l0 - true_l0``.

    Returns
    -------
    dict
        ``l0``, ``true_l0``, ``ratio``, ``difference`` (floats).
    """
    thr = check_positive_float(threshold, "threshold", allow_zero=True)
    fire = active(codes, thr)
    if sparse.issparse(true_l0) or isinstance(true_l0, (np.ndarray, list, tuple)):
        if isinstance(true_l0, np.ndarray) and true_l0.ndim == 0:
            ref = check_positive_float(true_l0, "true_l0")
        else:
            ref = _true_csc(true_l0, fire.shape[0], None, "true_l0").nnz / fire.shape[0]
    elif isinstance(true_l0, (numbers.Real, np.floating, np.integer)):
        ref = check_positive_float(true_l0, "true_l0")
    else:
        raise TypeError(f"true_l0 must be a positive number or the planted codes, got "
                        f"{type(true_l0).__name__}")
    if not ref > 0:
        raise ValueError("true_l0 must be > 0: the planted codes have no active feature")
    l0 = float(fire.sum(axis=1).mean())
    return {"l0": l0, "true_l0": float(ref), "ratio": l0 / ref, "difference": l0 - ref}
