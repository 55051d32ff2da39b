"""How well a learned dictionary matches planted features, and how its codes behave.

All functions are pure functions of arrays. Dictionaries are row matrices: learned atoms
``A`` (m, d) (a method's ``components_`` or decoder rows) and truth ``T`` (t, d). Rows need
not be normalised; they are normalised here, and a zero row (norm <= ``ZERO_NORM`` times the
largest row norm of its matrix) is a dead atom whose cosine with everything is 0, so it
never matches. Signs are ignored (``|cos|``): an atom and its negation span the same
feature.

Names: where a function here has the name of a SynthSAEBench metric (`matched_mcc` is its
MCC, `uniqueness`, the ``mean_*`` of `latent_precision_recall`, `dead_latents`, `mean_l0`),
it computes the field's definition, and ``tests/adapters/test_synthsaebench_parity.py``
holds it to the library's own function; the suite's own variants are named ``live_*``
(`live_uniqueness`, the ``live_mean_*`` of `latent_precision_recall`: dead latents left
out). `metrics.synthetic_eval` gathers the field's whole evaluation.

References
----------
Sharkey, Braun, Millidge (2022), "Taking features out of superposition with sparse
autoencoders": mean max cosine similarity (MMCS), dead neurons.
Chanin, Garriga-Alonso (2026), "SynthSAEBench" (arXiv 2602.14687;
``sae_lens.synthetic.evals``): one-to-one matched MCC, uniqueness, per-latent precision
and recall, dead latents, L0.
O'Neill et al. (2024), arXiv 2411.13117: MCC via the Hungarian matching.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from floor.validation import float_array

# Rows whose norm is at most this fraction of the matrix's largest row norm are dead (and
# all rows are dead when every row is exactly zero): float64 noise on a vector that was set
# to zero is many orders below this, while any atom a method actually uses is many orders
# above. Relative, so that a dictionary's score does not depend on its overall scale.
ZERO_NORM = 1e-12

# |cos| above which an atom counts as recovering a feature (Sharkey et al. 2022 and
# SynthSAEBench both use 0.9).
RECOVERY_THRESHOLD = 0.9


def _rows(A, name: str, n_features: int | None = None, ref: str = "atoms") -> np.ndarray:
    """Validate a finite 2-D float array with at least one row; ValueError naming ``name``."""
    arr = float_array(A, name, finite=False)
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows, d), got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} columns, but {ref} has d={n_features}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def unit_rows(A) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``A`` scaled to unit norm, and the mask of live (non-zero) rows.

    Returns ``(U, alive)``: ``U`` (m, d) float64 with dead rows left at exactly 0, ``alive``
    (m,) bool, ``||A_i|| > ZERO_NORM * max_j ||A_j||``. Scaling ``A`` changes neither.
    """
    A = _rows(A, "A")
    with np.errstate(over="ignore", under="ignore"):
        norms = np.linalg.norm(A, axis=1)
    # Rows beyond about 1e154 overflow, and below about 1e-154 underflow, when squared:
    # their norms are recomputed on the row divided by its largest entry.
    risky = ~np.isfinite(norms) | (norms < 1e-140)
    if risky.any():
        peak = np.abs(A[risky]).max(axis=1)
        safe = np.where(peak > 0, peak, 1.0)
        norms[risky] = peak * np.linalg.norm(A[risky] / safe[:, None], axis=1)
    alive = norms > ZERO_NORM * norms.max()
    U = np.zeros_like(A)
    U[alive] = A[alive] / norms[alive, None]
    return U, alive


def abs_cosine_matrix(atoms, truth) -> np.ndarray:
    """``|cos|`` between every atom and every truth row, shape (m, t), in [0, 1].

    Dead (zero) rows on either side give a row or column of zeros.
    """
    A = _rows(atoms, "atoms")
    T = _rows(truth, "truth", A.shape[1])
    return np.clip(np.abs(unit_rows(A)[0] @ unit_rows(T)[0].T), 0.0, 1.0)


def mmcs(atoms, truth) -> float:
    """Mean max cosine similarity: mean over truth rows of the best ``|cos|`` to any atom.

    ``MMCS = (1/t) sum_j max_i |cos(A_i, T_j)|``, in [0, 1], higher is better. Duplicated
    atoms are not penalised (see `uniqueness`), and with ``m >> t`` or in low dimension
    random atoms score high too (see `metrics.claimed_features.random_atom_band`).

    Parameters
    ----------
    atoms : array-like of shape (m, d)
        Learned dictionary rows.
    truth : array-like of shape (t, d)
        Planted feature directions.

    Returns
    -------
    float
        The MMCS.
    """
    return float(abs_cosine_matrix(atoms, truth).max(axis=0).mean())


def recovery_rate(atoms, truth, threshold: float = RECOVERY_THRESHOLD) -> float:
    """Fraction of truth rows with some atom at ``|cos| > threshold``, in [0, 1], higher better.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    truth : array-like of shape (t, d)
    threshold : float, default=0.9
    """
    return float((abs_cosine_matrix(atoms, truth).max(axis=0) > threshold).mean())


def matched_mcc(atoms, truth) -> float:
    """One-to-one matched mean ``|cos|`` (the MCC of SynthSAEBench), in [0, 1], higher better.

    The Hungarian algorithm (``scipy.optimize.linear_sum_assignment``) pairs atoms with
    truth rows one to one so as to maximise the total ``|cos|``; the score is the mean
    ``|cos|`` over the ``min(m, t)`` pairs. Unlike `mmcs`, one atom cannot cover two
    features. As in SynthSAEBench, when ``m < t`` the unmatched truths are not counted, so
    read it beside `recovery_rate`.

    The field's definition (``sae_lens.synthetic.evals.mean_correlation_coefficient``, which
    minimises ``1 - |cos|``: the same optimum). The one difference is how a near-zero row is
    read: here a row of norm at most ``ZERO_NORM`` times its matrix's largest is zero (|cos|
    0 with everything); the library divides by ``max(||row||, 1e-8)``, so a row of norm
    below 1e-8 keeps a shrunken ``|cos|``. They agree on every row of norm above 1e-8 and on
    exactly zero rows.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    truth : array-like of shape (t, d)
    """
    C = abs_cosine_matrix(atoms, truth)
    rows, cols = linear_sum_assignment(C, maximize=True)
    return float(C[rows, cols].mean())


def _argmax_match(atoms, truth) -> np.ndarray:
    """For every atom, the truth row of largest ``|cos|``, shape (m,) (SynthSAEBench's match).

    Ties go to the lowest index, as with numpy's and torch's ``argmax``; so a zero atom,
    whose ``|cos|`` is 0 with every truth, is matched to truth 0, as in the library.
    """
    return abs_cosine_matrix(atoms, truth).argmax(axis=1)


def best_match(atoms, truth) -> np.ndarray:
    """For each atom, the index of the truth row with the largest ``|cos|``, shape (m,).

    Ties go to the lowest index; dead (zero) atoms get -1 (SynthSAEBench matches them to
    truth 0: see `_argmax_match`).
    """
    A = _rows(atoms, "atoms")
    idx = _argmax_match(A, truth)
    idx[~unit_rows(A)[1]] = -1
    return idx


def uniqueness(atoms, truth) -> float:
    """Distinct best-matched truths over ALL atoms (SynthSAEBench's uniqueness).

    Each atom ``i`` is matched to ``argmax_j |cos(A_i, T_j)|`` (ties to the lowest index, so
    a zero atom is matched to truth 0); the score is ``|{match(i) : i = 1..m}| / m``. In
    [1/m, 1], higher is better; at most ``t / m`` when the dictionary is larger than the
    truth (m = 2t scores at most 0.5). A dictionary of duplicates scores ``1 / m``. Atoms
    that never fire count like any other: a dead latent whose decoder row points at an
    already-matched feature lowers the score. For the suite's reading of the live atoms
    only, see `live_uniqueness`.

    The field's definition (``sae_lens.synthetic.evals.feature_uniqueness``); near-zero rows
    are read as in `matched_mcc`.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    truth : array-like of shape (t, d)

    References
    ----------
    Chanin, Garriga-Alonso (2026), "SynthSAEBench", arXiv 2602.14687.
    """
    A = _rows(atoms, "atoms")
    return float(np.unique(_argmax_match(A, truth)).size / A.shape[0])


def live_uniqueness(atoms, truth, alive=None) -> float:
    """Distinct best-matched truths divided by the number of live atoms (the suite's).

    Each live atom is assigned its best-matching truth row (`best_match`); the score is
    ``|{best_match(i) : i live}| / #live``. In (0, 1], higher is better; at most ``t / m``
    when the dictionary is larger than the truth. A dictionary of duplicates scores
    ``1 / m``. 0.0 when no atom is live. It differs from SynthSAEBench's `uniqueness`,
    which counts every atom, dead ones included (a dictionary of 64 atoms of which 8 never
    fire and 56 track distinct features scores 1.0 here; there it scores 56/64 = 0.875 when
    the dead atoms' rows all point at features already matched, 1.0 only when they point at
    8 further features).

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    truth : array-like of shape (t, d)
    alive : array-like of bool, shape (m,), optional
        Which atoms count (e.g. ``~dead_latents(codes)``, atoms active on held-out codes).
        Zero rows are always excluded. Default: all non-zero rows.
    """
    A = _rows(atoms, "atoms")
    mask = np.ones(A.shape[0], dtype=bool)
    if alive is not None:
        mask = np.asarray(alive)
        if mask.dtype != bool and not (mask.dtype.kind in "iuf" and np.all(np.isin(mask, [0, 1]))):
            raise ValueError(f"alive must be a boolean mask, got dtype {mask.dtype}")
        mask = mask.astype(bool)
        if mask.shape != (A.shape[0],):
            raise ValueError(f"alive must have shape ({A.shape[0]},), got {mask.shape}")
    idx = best_match(A, truth)
    live = (idx >= 0) & mask
    if not live.any():
        return 0.0
    return float(np.unique(idx[live]).size / live.sum())


def cross_mmcs(atoms, reference) -> float:
    """MMCS of a dictionary against another one: mean over ``atoms`` of the best ``|cos|``
    to any row of ``reference``. In [0, 1]; no ground truth needed.

    Direction: every row of ``atoms`` looks for its partner in ``reference``; this is
    ``mmcs(reference, atoms)``. Sharkey et al. (2022) compare a dictionary (``atoms``) with
    the next larger one trained at the same penalty (``reference``): features that reappear
    in the larger dictionary are taken as real. Dead rows of ``atoms`` count as 0.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
        The dictionary whose atoms are checked (the smaller one, or seed 0).
    reference : array-like of shape (m', d)
        The dictionary searched for partners (the larger one, or another seed).
    """
    A = _rows(atoms, "atoms")
    return mmcs(_rows(reference, "reference", A.shape[1]), A)


def _codes(codes, name: str = "codes") -> np.ndarray:
    """Validate codes: finite 2-D (n, m) with at least one sample."""
    return _rows(codes, name)


def _sparse_active(codes, positive: bool = False, name: str = "true_codes"
                   ) -> sparse.csc_array:
    """Firing pattern of sparse codes (e.g. ``ground_truth["codes"]``) as a bool CSC array:
    ``c != 0``, or ``c > 0`` with ``positive``.

    Validated like dense codes (2-D, at least one row and column, finite) without ever
    forming the dense (n, m) matrix.
    """
    C = sparse.csc_array(codes)
    if C.ndim != 2 or C.shape[0] < 1 or C.shape[1] < 1:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows, d), got shape {C.shape}")
    if not np.all(np.isfinite(C.data)):
        raise ValueError(f"{name} contains NaN or inf")
    C.sum_duplicates()
    fires = C.data > 0 if positive else C.data != 0
    P = sparse.csc_array((fires, C.indices, C.indptr), shape=C.shape)
    P.eliminate_zeros()
    return P


def _true_firing(true_codes, positive: bool = False, name: str = "true_codes"
                 ) -> np.ndarray | sparse.csc_array:
    """Where the truth fires, (n, t) bool: dense stays dense, sparse stays sparse (CSC).

    ``c != 0`` (the suite's reading, any sign), or ``c > 0`` with ``positive`` (SynthSAEBench's
    ``gt_feature_acts > 0``); the two agree on non-negative codes, as every suite generator's.
    """
    if sparse.issparse(true_codes):
        return _sparse_active(true_codes, positive, name)
    C = _codes(true_codes, name)
    return C > 0 if positive else C != 0


def _firing_counts(fire: np.ndarray, true_fire, idx: np.ndarray) -> tuple[np.ndarray,
                                                                          np.ndarray]:
    """Per latent ``i``: rows where latent ``i`` and truth ``idx[i]`` both fire, and rows
    where truth ``idx[i]`` fires; two (m,) int64 arrays.

    ``fire`` (n, m) bool; ``true_fire`` (n, t) bool, dense or sparse (never densified: only
    the m selected columns are formed, sparsely); ``idx`` (m,) valid truth indices.
    Integer counts, the same whether the truth's firing is dense or sparse.
    """
    partner = true_fire[:, idx]
    if sparse.issparse(partner):
        both = partner.multiply(fire).sum(axis=0)
    else:
        both = (fire & partner).sum(axis=0)
    return (np.asarray(both, dtype=np.int64).ravel(),
            np.asarray(partner.sum(axis=0), dtype=np.int64).ravel())


def _detector_rates(both, n_fire, n_partner) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision ``both / n_fire``, recall ``both / n_partner`` and their harmonic mean F1,
    per latent, NaN where a ratio is undefined (F1 is 0 where both rates are 0, NaN where
    either is NaN). SynthSAEBench's per-latent values are these with NaN read as 0.
    """
    both = np.asarray(both, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = both / np.asarray(n_fire, dtype=np.float64)
        recall = both / np.asarray(n_partner, dtype=np.float64)
        f1 = 2 * precision * recall / (precision + recall)
    f1[(precision == 0) & (recall == 0)] = 0.0
    return precision, recall, f1


def _all_latents_mean(v: np.ndarray) -> float:
    """Mean over every latent with NaN read as 0 (SynthSAEBench's averaging)."""
    return float(np.nan_to_num(v, nan=0.0).mean())


def _live_mean(v: np.ndarray) -> float:
    """Mean over the latents where ``v`` is defined (NaN skipped); 0.0 when none is."""
    return float(np.nanmean(v)) if np.isfinite(v).any() else 0.0


def active(codes, threshold: float = 0.0) -> np.ndarray:
    """Boolean activity ``|c| > threshold``, shape (n, m).

    The absolute value lets signed codes (PCA, ICA) count; for a ReLU SAE it is ``c > 0``.
    """
    return _active(codes, threshold, "codes")


def _active(codes, threshold: float, name: str) -> np.ndarray:
    return np.abs(_codes(codes, name)) > threshold


def dead_latents(codes, threshold: float = 0.0) -> np.ndarray:
    """Latents never active on the given codes: bool mask of shape (m,)."""
    return ~active(codes, threshold).any(axis=0)


def dead_fraction(codes, threshold: float = 0.0) -> float:
    """Fraction of latents never active (``|c| > threshold``) on ``codes`` (n, m).

    In [0, 1], lower is better. Measure it on held-out codes: a latent alive only on its
    training rows is still dead for the data that matters.
    """
    return float(dead_latents(codes, threshold).mean())


def mean_l0(codes, threshold: float = 0.0) -> float:
    """Mean number of active latents per sample (``|c| > threshold``), in [0, m].

    Compare with the truth's own L0 (e.g. ``ground_truth["mean_active"]``): far below it
    means features are merged, far above means they are split or duplicated.
    """
    return float(active(codes, threshold).sum(axis=1).mean())


def latent_precision_recall(codes, true_codes, atoms, truth, threshold: float = 0.0) -> dict:
    """Per-latent precision and recall of firing against the best-matched truth's firing.

    Latent ``i`` is matched to truth ``j = best_match(atoms, truth)[i]``. On the same
    samples, precision ``P(truth j fires | latent i fires) = TP / (TP + FP)`` and recall
    ``P(latent i fires | truth j fires) = TP / (TP + FN)``; F1 their harmonic mean. Per
    latent, an undefined ratio is NaN: precision of a latent that never fires, recall of a
    latent whose truth never fires (and of a zero atom, matched to nothing). In [0, 1],
    higher is better.

    Two averages over the ``m`` latents:

    - ``mean_precision``, ``mean_recall``, ``mean_f1``: SynthSAEBench's (its
      ``ClassificationMetricsCalculator``): NaN counts as 0 and every latent counts, dead
      ones included, so a dictionary with dead latents scores lower;
    - ``live_mean_precision``, ``live_mean_recall``, ``live_mean_f1``: the suite's earlier
      reading, the mean over the latents where the value is defined (NaN skipped; 0.0 when
      none is): a latent that never fires drops out of the precision and F1 means.

    Where this differs from the library even in ``mean_*``: a zero atom here matches
    nothing (counts 0); the library matches it to feature 0 (argmax of a zero row); and the
    truth fires where its code is non-zero, the library's where it is positive (the same on
    non-negative codes, as every suite generator's). `metrics.synthetic_eval` has the
    library's exact reading.

    Parameters
    ----------
    codes : array-like of shape (n, m)
        The method's codes on some samples.
    true_codes : array-like or scipy.sparse matrix of shape (n, t)
        The ground-truth codes of the same samples (e.g. ``ground_truth["codes"]``, a CSR
        array: it is read sparsely, never densified).
    atoms : array-like of shape (m, d)
    truth : array-like of shape (t, d)
    threshold : float, default=0.0
        Activity threshold on ``|codes|`` (truth fires when its code is non-zero).

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1`` (m,) arrays (NaN where undefined); ``matched``
        (m,) truth indices (-1 for dead atoms); ``mean_precision``, ``mean_recall``,
        ``mean_f1`` (SynthSAEBench's averages) and ``live_mean_precision``,
        ``live_mean_recall``, ``live_mean_f1`` (NaN skipped), floats.

    References
    ----------
    Chanin, Garriga-Alonso (2026), "SynthSAEBench", arXiv 2602.14687: per-latent
    classification metrics.
    """
    fire = active(codes, threshold)
    true_fire = _true_firing(true_codes)
    if fire.shape[0] != true_fire.shape[0]:
        raise ValueError(f"codes has {fire.shape[0]} rows but true_codes {true_fire.shape[0]}")
    T = _rows(truth, "truth")
    if true_fire.shape[1] != T.shape[0]:
        raise ValueError(f"true_codes has {true_fire.shape[1]} columns but truth has "
                         f"{T.shape[0]} rows")
    A = _rows(atoms, "atoms")
    if A.shape[0] != fire.shape[1]:
        raise ValueError(f"codes has {fire.shape[1]} latents but atoms has {A.shape[0]} rows")
    idx = best_match(A, T)
    both, n_partner = _firing_counts(fire, true_fire, np.maximum(idx, 0))
    matched = idx >= 0
    precision, recall, f1 = _detector_rates(both * matched, fire.sum(axis=0),
                                            n_partner * matched)
    out = {"precision": precision, "recall": recall, "f1": f1, "matched": idx}
    for key, v in (("precision", precision), ("recall", recall), ("f1", f1)):
        out[f"mean_{key}"] = _all_latents_mean(v)
        out[f"live_mean_{key}"] = _live_mean(v)
    return out
