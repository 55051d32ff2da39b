"""How many features a dictionary learner reports, read off a ladder of sizes against chance.

Sharkey, Braun and Millidge (2022) estimate the number of features without ground truth by
training dictionaries of increasing size ``s_1 < s_2 < ... < s_L`` and watching which atoms
reappear: in a dictionary trained with another seed (cross-seed stability) and in the next
larger dictionary (cross-size MMCS). Below the true count every size finds a new batch of
reproducible atoms; beyond it the extra atoms die (dead latents) or duplicate features that
are already there, so the number of *distinct* reproducible directions saturates at the
true count.

In low dimension this signal fires on anything: in ``d = 2`` a few dozen random lines already
put a partner within ``arccos(0.9) ~ 26`` degrees of every atom, and in ``d = 8`` about 55 of
256 random atoms have a partner at ``|cos| > 0.9`` in another 256 random atoms (mean of 50
draws; 0.99 quantile 67). So every
statistic here is read against the same statistic of random unit atoms with the same numbers
of live atoms, the same sizes and the same dimension (the *random band*), and a method is
credited only with what rises above the band's upper quantile.

Per size ``s_i`` (two dictionaries ``A_i`` and ``B_i``, fitted on different splits with
different method seeds, and their codes on held-out data):

- live atoms: ``L(A) = {j : A_j != 0 and |c_j(x)| > 0 for some held-out x}``;
  ``dead_fraction = 1 - |L(A)| / s_i``;
- stable atoms: ``S_i = {j in L(A_i) : max_{k in L(B_i)} |cos(A_ij, B_ik)| > tau}``
  (``tau = 0.9``, as Sharkey et al. and SynthSAEBench), ``n_stable = |S_i|``;
- distinct stable directions: ``n_distinct`` = number of connected components of the graph
  on ``S_i`` with an edge wherever ``|cos| > tau``. An overcomplete dictionary that
  duplicates a feature (two atoms at ``|cos| > tau``) claims it once, so the count does not
  grow with the size once every feature is found; in a narrow cone (atoms of uncentred
  positive data) the atoms chain into few components;
- cross-size MMCS: ``mean_{j in L(A_i)} max_{k in L(A_{i+1})} |cos(A_ij, A_{i+1,k})|``
  (none for the largest size).

The band at size ``s_i`` draws ``|L(A_i)|``, ``|L(B_i)|`` and ``|L(A_{i+1})|`` independent
uniform unit vectors in ``R^d`` (every random atom is alive) and computes the same three
statistics; its ``high`` is the ``quantile`` (default 0.99) over ``n_draws`` draws.

The count beyond chance at size ``s_i`` is ``e_i = max(0, n_distinct_i - high_i)``, and the
**reported count** is ``N_hat = max_i e_i``: the plateau of the distinct reproducible
directions above chance, over the ladder. Why the maximum and not the count at the size
where cross-size MMCS drops or dead latents appear: those onsets are read off a curve with
one point per size (a factor 2 apart), so they locate the count only to within a factor 2,
and both move with the sparsity penalty and the training budget (an SAE trained too
briefly has dead latents at every size). Distinct stable directions are bounded by the
size below the true count and saturate at it above, so the maximum reads the plateau
without choosing a size; a learner that never reaches the plateau (too few atoms, or a
method that cannot be overcomplete) reports fewer. The cross-size MMCS against its band
and the onset of dead latents are returned beside the count, as diagnostics.

False positives: on a generator with ``N`` true features a count ``> 1.5 N + 1`` is a false
claim (`benchmarks.sparse.false_claims.claim_limit`: the ``+ 1`` is the mean of uncentred
data, a genuinely stable direction). A random-atom dictionary's statistic has exactly the
band's distribution, so at one size it exceeds ``high`` with probability at most
``1 - quantile`` (up to the band's finite draws) and exceeds ``high + limit`` even less often;
over ``L`` sizes the reported count exceeds the limit with probability at most
``L (1 - quantile)`` (union bound). That is the defining property, and it holds by
construction, whatever the dimension.

The per-atom count, as users compute it. The count most users read is not the distinct
one but ``n_stable`` itself: the number of atoms alive on held-out data with a ``|cos| >
0.9`` partner among the other seed's live atoms, with no merging of near-duplicates (the
stable-atom count of Sharkey et al.'s signal). `estimate_feature_count` reads it against its
own band (``n_stable`` of the same random atoms, the same draws, read the same per-atom way):
``p_i = max(0, n_stable_i - high_i)`` and ``N_hat_atom = max_i p_i``, with the same false-claim
limit. It answers a different question than the distinct count and fires where the distinct
count does not: duplicates of one direction (an overcomplete dictionary of planted features,
or k-means centres in the narrow cone of uncentred positive data) each count, and atoms
that lean to a preferred set of directions (the unit cube's corners) meet a partner more
often than uniform random atoms do, while their distinct directions stay within chance.
Measured for issue 23 with an independent ReLU-L1 SAE on the unit cube in ``d = 8`` at 256
atoms (two seeds): per-atom count 78-82 against 54.5 +- 6.4 for random atoms (200 draws,
maximum 71), atoms leaning to the corners (0.88 against 0.83); the suite's own SAEs in
`benchmarks.sparse.ladder`.

Corner lean (for data on the unit cube): ``max over s in {-1, +1}^d of |cos(a, s)|`` equals
``||a||_1 / (sqrt(d) ||a||_2)`` (the best sign vector is ``sign(a)``), so the mean over ``m``
atoms needs no enumeration of the ``2^d`` corners (`corner_alignment`). For a uniform unit
vector ``u`` in ``R^d``, ``E|u_1| = Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2))`` and ``E|u_1 u_2| =
2 / (pi d)``, so the per-atom value has mean ``sqrt(d) E|u_1|`` (0.900 in ``d = 2``, 0.823 in
``d = 8``, tending to ``sqrt(2 / pi) = 0.798``) and second moment ``(1 + 2 (d - 1) / pi) / d``
(`random_corner_alignment`).

References
----------
Sharkey, Braun, Millidge (2022), "Taking features out of superposition with sparse
autoencoders": MMCS with the next larger dictionary, dead neurons, the ladder of sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from floor.validation import check_int, check_interval, check_random_state, check_real
from metrics.claimed_features import random_unit_atoms
from metrics.dictionary_similarity import RECOVERY_THRESHOLD, _active, _rows, unit_rows

# Upper quantile of the random band and its number of draws (200 draws: the 0.99 quantile,
# numpy method "higher", is the second-largest draw, exceeded by a fresh draw of the same
# distribution with probability 2/201 ~ 1%).
BAND_QUANTILE = 0.99
BAND_DRAWS = 200
# Dead-latent onset (a diagnostic): the first size whose held-out dead fraction exceeds this.
DEAD_ONSET = 0.05
# False claim: more than CLAIM_FACTOR * N + MEAN_ALLOWANCE features for N true ones, the
# one definition of the limit: the sparse family's check reads it too
# (benchmarks/sparse/false_claims.py); the allowance is the mean of uncentred data.
CLAIM_FACTOR = 1.5
MEAN_ALLOWANCE = 1


def live_atoms(atoms, heldout_codes, active_threshold: float = 0.0) -> np.ndarray:
    """Atoms that are non-zero and fire on some held-out sample: bool (m,).

    ``live_j = (A_j != 0) and (exists x: |c_j(x)| > active_threshold)``.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    heldout_codes : array-like of shape (n, m)
        The same dictionary's codes on held-out samples.
    active_threshold : float, default=0.0
    """
    A = _rows(atoms, "atoms")
    act = _active(heldout_codes, check_real(active_threshold, "active_threshold"),
                  "heldout_codes")
    if act.shape[1] != A.shape[0]:
        raise ValueError(f"heldout_codes has {act.shape[1]} latents but atoms has "
                         f"{A.shape[0]} rows")
    return act.any(axis=0) & unit_rows(A)[1]


def distinct_directions(atoms, threshold: float = RECOVERY_THRESHOLD) -> int:
    """Number of distinct directions among the non-zero rows of ``atoms``.

    The connected components of the graph on the non-zero rows with an edge between ``i``
    and ``j`` when ``|cos(A_i, A_j)| > threshold``. Duplicated or negated atoms count once;
    order-free (no greedy choice). 0 for an empty or all-zero dictionary.

    Parameters
    ----------
    atoms : array-like of shape (m, d); m may be 0
    threshold : float, default=0.9
    """
    A = np.asarray(atoms, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"atoms must be a 2-D array (m, d), got shape {A.shape}")
    if A.shape[0] == 0:
        return 0
    U, alive = unit_rows(A)
    U = U[alive]
    if U.shape[0] == 0:
        return 0
    adjacency = np.abs(U @ U.T) > check_real(threshold, "threshold")
    return int(connected_components(csr_array(adjacency), directed=False)[0])


def _best(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Best ``|cos|`` of each unit row of ``A`` to the unit rows of ``B`` (0 if B is empty)."""
    if A.shape[0] == 0 or B.shape[0] == 0:
        return np.zeros(A.shape[0])
    return np.abs(A @ B.T).max(axis=1)


def _stats_of_units(A: np.ndarray, B: np.ndarray, C: np.ndarray | None,
                    threshold: float) -> tuple[int, int, float | None]:
    """(n_stable, n_distinct, cross-size MMCS) of live unit rows A vs B (same size), C (next)."""
    stable = _best(A, B) > threshold
    cross = None if C is None else (float(_best(A, C).mean()) if A.shape[0] else 0.0)
    return int(stable.sum()), distinct_directions(A[stable], threshold) if stable.any() \
        else 0, cross


def size_statistics(atoms, heldout_codes, other_atoms, other_codes, larger_atoms=None,
                    larger_codes=None, threshold: float = RECOVERY_THRESHOLD,
                    active_threshold: float = 0.0) -> dict:
    """The ladder's statistics at one size: live, dead, stable, distinct, cross-size MMCS.

    Parameters
    ----------
    atoms, heldout_codes : array-like of shapes (m, d), (n, m)
        The dictionary ``A_i`` and its held-out codes.
    other_atoms, other_codes : array-like of shapes (m', d), (n', m')
        ``B_i``: the same size, another split and method seed.
    larger_atoms, larger_codes : array-like, optional
        ``A_{i+1}`` (the next larger size) and its held-out codes; omit for the largest size.
    threshold : float, default=0.9
        ``|cos|`` above which two atoms are the same direction.
    active_threshold : float, default=0.0

    Returns
    -------
    dict
        ``n_atoms`` (m), ``n_alive`` = ``|L(A)|``, ``dead_fraction`` = ``1 - n_alive / m``,
        ``n_other_alive`` = ``|L(B)|``, ``n_stable``, ``n_distinct`` (see the module
        docstring), ``n_larger_alive`` and ``cross_size_mmcs`` (None without a larger
        dictionary).
    """
    A = _rows(atoms, "atoms")
    d = A.shape[1]
    B = _rows(other_atoms, "other_atoms", d)
    alive_a = live_atoms(A, heldout_codes, active_threshold)
    alive_b = live_atoms(B, other_codes, active_threshold)
    Ua, Ub = unit_rows(A)[0][alive_a], unit_rows(B)[0][alive_b]
    Uc, n_larger = None, None
    if (larger_atoms is None) != (larger_codes is None):
        raise ValueError("larger_atoms and larger_codes must be given together")
    if larger_atoms is not None:
        C = _rows(larger_atoms, "larger_atoms", d)
        alive_c = live_atoms(C, larger_codes, active_threshold)
        Uc, n_larger = unit_rows(C)[0][alive_c], int(alive_c.sum())
    n_stable, n_distinct, cross = _stats_of_units(Ua, Ub, Uc, check_real(threshold,
                                                                          "threshold"))
    return {"n_atoms": int(A.shape[0]), "n_alive": int(alive_a.sum()),
            "dead_fraction": float(1.0 - alive_a.sum() / A.shape[0]),
            "n_other_alive": int(alive_b.sum()), "n_stable": n_stable,
            "n_distinct": n_distinct, "n_larger_alive": n_larger, "cross_size_mmcs": cross}


def _summary(values: np.ndarray, quantile: float) -> dict:
    return {"mean": float(values.mean()),
            "high": float(np.quantile(values, quantile, method="higher")),
            "quantile": float(quantile), "n_draws": int(values.size)}


def ladder_band(n_alive: int, n_other: int, n_features: int, n_larger: int | None = None,
                n_draws: int = BAND_DRAWS, quantile: float = BAND_QUANTILE,
                threshold: float = RECOVERY_THRESHOLD, random_state=0) -> dict:
    """The random band of one size: `size_statistics` of random unit atoms.

    Each draw makes independent uniform unit dictionaries ``R_A`` (n_alive, d), ``R_B``
    (n_other, d) and, when ``n_larger`` is given, ``R_C`` (n_larger, d), and records
    ``n_stable``, ``n_distinct`` and ``cross_size_mmcs`` exactly as `size_statistics` does
    for a method (random atoms are all alive). `metrics.claimed_features.random_atom_band`
    gives the same stable count and MMCS but not the distinct count, hence this function.

    Parameters
    ----------
    n_alive, n_other : int
        Live atoms of ``A_i`` and ``B_i`` (>= 0; a band of 0 atoms is all zeros).
    n_features : int
        Dimension ``d`` (>= 1).
    n_larger : int, optional
        Live atoms of ``A_{i+1}``; omit for the largest size.
    n_draws : int, default=200
    quantile : float, default=0.99
        ``high`` is this quantile over the draws (numpy method "higher": an observed value).
    threshold : float, default=0.9
    random_state : int, SeedSequence or Generator, default=0

    Returns
    -------
    dict
        ``{"n_stable", "n_distinct", "cross_size_mmcs"}`` -> ``{"mean", "high", "quantile",
        "n_draws"}`` (``cross_size_mmcs`` is None without ``n_larger``).
    """
    m = _count(n_alive, "n_alive")
    m2 = _count(n_other, "n_other")
    m3 = None if n_larger is None else _count(n_larger, "n_larger")
    d = check_int(n_features, "n_features")
    draws = check_int(n_draws, "n_draws")
    check_interval(quantile, "quantile", 0.0, 1.0, low_open=True)
    threshold = check_real(threshold, "threshold")
    rng = check_random_state(random_state)
    stable, distinct, cross = np.zeros(draws), np.zeros(draws), np.zeros(draws)
    for k in range(draws):
        A = random_unit_atoms(m, d, rng) if m else np.zeros((0, d))
        B = random_unit_atoms(m2, d, rng) if m2 else np.zeros((0, d))
        C = None
        if m3 is not None:
            C = random_unit_atoms(m3, d, rng) if m3 else np.zeros((0, d))
        stable[k], distinct[k], c = _stats_of_units(A, B, C, threshold)
        cross[k] = 0.0 if c is None else c
    return {"n_stable": _summary(stable, quantile), "n_distinct": _summary(distinct, quantile),
            "cross_size_mmcs": None if m3 is None else _summary(cross, quantile)}


def _count(value, name: str) -> int:
    return check_int(value, name, minimum=0)


def corner_alignment(atoms) -> np.ndarray:
    """Each atom's best ``|cos|`` to the cube's corners ``{-1, +1}^d``: float (m,), in (0, 1].

    ``max_s |cos(a, s)| = ||a||_1 / (sqrt(d) ||a||_2)``: 1 for an atom on a diagonal
    (``a = sign(a) |a_1|``), ``1 / sqrt(d)`` for a coordinate axis. Zero rows give 0.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    """
    U, alive = unit_rows(_rows(atoms, "atoms"))
    out = np.abs(U).sum(axis=1) / np.sqrt(U.shape[1])
    out[~alive] = 0.0
    return out


def random_corner_alignment(n_features: int) -> tuple[float, float]:
    """Mean and standard deviation of `corner_alignment` for one uniform unit atom in R^d.

    ``mean = sqrt(d) Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2))`` (0.823 in ``d = 8``) and
    ``E[v^2] = (1 + 2 (d - 1) / pi) / d`` (module docstring); exact, no sampling.
    """
    d = check_int(n_features, "n_features")
    mean = math.sqrt(d / math.pi) * math.exp(math.lgamma(d / 2) - math.lgamma((d + 1) / 2))
    second = (1.0 + 2.0 * (d - 1) / math.pi) / d
    return mean, math.sqrt(max(0.0, second - mean * mean))


def corner_band(n_atoms: int, n_features: int, n_draws: int = BAND_DRAWS,
                quantile: float = BAND_QUANTILE, random_state=0) -> dict:
    """The random band of the mean `corner_alignment` of ``n_atoms`` uniform unit atoms.

    Each draw makes ``n_atoms`` independent uniform unit vectors in ``R^d`` and records the
    mean of their `corner_alignment`; its mean tends to `random_corner_alignment`'s.

    Parameters
    ----------
    n_atoms : int
        Live atoms of the dictionary it is compared with (>= 1).
    n_features : int
        Dimension ``d`` (>= 1).
    n_draws, quantile, random_state : as in `ladder_band`.

    Returns
    -------
    dict
        ``{"mean", "high", "quantile", "n_draws"}`` over the draws.
    """
    m = check_int(n_atoms, "n_atoms")
    d = check_int(n_features, "n_features")
    draws = check_int(n_draws, "n_draws")
    check_interval(quantile, "quantile", 0.0, 1.0, low_open=True)
    rng = check_random_state(random_state)
    values = np.array([corner_alignment(random_unit_atoms(m, d, rng)).mean()
                       for _ in range(draws)])
    return _summary(values, quantile)


def beyond_chance(count: float, band_high: float) -> float:
    """The count above the random band's upper quantile: ``max(0, count - band_high)``."""
    c, h = check_real(count, "count"), check_real(band_high, "band_high")
    return float(max(0.0, c - h))


def claim_limit(n_true: int) -> float:
    """Largest count that is not a false claim for ``n_true`` real features: 1.5 N + 1."""
    return CLAIM_FACTOR * _count(n_true, "n_true") + MEAN_ALLOWANCE


def is_false_positive(count: float, n_true: int) -> bool:
    """Whether ``count`` exceeds `claim_limit` (``n_true`` features really there)."""
    return bool(check_real(count, "count") > claim_limit(n_true))


@dataclass(frozen=True)
class LadderEstimate:
    """The estimator's reading of one ladder (one method, generator and seed).

    ``sizes[i]`` holds `size_statistics` at size ``i`` with its ``band`` (`ladder_band`),
    ``beyond_chance`` (``e_i``), ``cross_size_above_band`` and ``false_positive``
    (``e_i > claim limit``, when ``n_true`` is known). ``count`` = ``max_i e_i``.
    The per-atom count beside it: ``per_atom_beyond_chance`` (``p_i = max(0, n_stable_i -
    band n_stable high_i)``) and ``per_atom_false_positive`` per size, ``per_atom_count`` =
    ``max_i p_i`` at ``per_atom_size_at_count``.
    """

    sizes: list = field(default_factory=list)
    count: float = 0.0
    size_at_count: int | None = None
    dead_onset_size: int | None = None
    n_true: int | None = None
    per_atom_count: float = 0.0
    per_atom_size_at_count: int | None = None

    @property
    def false_positive(self) -> bool | None:
        """Whether the reported count is a false claim (None when ``n_true`` is unknown)."""
        return None if self.n_true is None else is_false_positive(self.count, self.n_true)

    @property
    def per_atom_false_positive(self) -> bool | None:
        """Whether the per-atom count is a false claim (None when ``n_true`` is unknown)."""
        return None if self.n_true is None else is_false_positive(self.per_atom_count,
                                                                 self.n_true)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"sizes": self.sizes, "count": self.count, "size_at_count": self.size_at_count,
                "dead_onset_size": self.dead_onset_size, "n_true": self.n_true,
                "false_positive": self.false_positive, "per_atom_count": self.per_atom_count,
                "per_atom_size_at_count": self.per_atom_size_at_count,
                "per_atom_false_positive": self.per_atom_false_positive}


def estimate_feature_count(rungs: Sequence, n_true: int | None = None,
                           threshold: float = RECOVERY_THRESHOLD, active_threshold: float = 0.0,
                           n_draws: int = BAND_DRAWS, quantile: float = BAND_QUANTILE,
                           random_state=0, band: Callable | None = None) -> LadderEstimate:
    """Read a ladder of dictionaries: per-size statistics, random bands and the count.

    Parameters
    ----------
    rungs : sequence of (atoms, heldout_codes, other_atoms, other_codes)
        One entry per size, in strictly increasing order of ``atoms.shape[0]``: ``A_i``
        and ``B_i`` (same size, another split and method seed) with their held-out codes.
        A single rung is allowed (no cross-size MMCS then).
    n_true : int, optional
        True number of features, when known: sets the per-size and reported false-positive
        flags (count > 1.5 n_true + 1).
    threshold, active_threshold : float
        As in `size_statistics`.
    n_draws, quantile : as in `ladder_band`.
    random_state : int, SeedSequence or Generator, default=0
        Seeds the bands; size ``i`` uses the ``i``-th child stream, so adding a size does
        not change the bands of the others.
    band : callable, optional
        ``band(n_alive, n_other, n_features, n_larger) -> dict`` replacing `ladder_band`
        (same return value), e.g. a cached band whose stream is a function of its
        arguments, shared by many ladders; ``random_state``, ``n_draws`` and ``quantile``
        are then not used.

    Returns
    -------
    LadderEstimate
        ``count = max_i max(0, n_distinct_i - band_high_i)`` (see the module docstring) and
        ``per_atom_count = max_i max(0, n_stable_i - band_high_i)`` (its own band).
    """
    if isinstance(rungs, (str, bytes)) or not isinstance(rungs, Sequence) or len(rungs) == 0:
        raise ValueError("rungs must be a non-empty sequence of (atoms, heldout_codes, "
                         "other_atoms, other_codes), one per size")
    for i, rung in enumerate(rungs):
        if not isinstance(rung, Sequence) or len(rung) != 4:
            raise ValueError(f"rungs[{i}] must be (atoms, heldout_codes, other_atoms, "
                             f"other_codes)")
    sizes = [_rows(r[0], f"rungs[{i}] atoms").shape[0] for i, r in enumerate(rungs)]
    if any(b <= a for a, b in zip(sizes[:-1], sizes[1:], strict=True)):
        raise ValueError(f"rungs must be in strictly increasing order of size, got sizes "
                         f"{sizes}")
    truth = None if n_true is None else _count(n_true, "n_true")
    seed = random_state if isinstance(random_state, np.random.SeedSequence) else \
        np.random.SeedSequence(check_random_state(random_state).integers(2**63))
    streams = seed.spawn(len(rungs))
    out, d = [], _rows(rungs[0][0], "rungs[0] atoms").shape[1]
    for i, (A, codes, B, codes_b) in enumerate(rungs):
        larger = rungs[i + 1] if i + 1 < len(rungs) else (None, None)
        st = size_statistics(A, codes, B, codes_b, larger[0], larger[1], threshold,
                             active_threshold)
        if band is None:
            bd = ladder_band(st["n_alive"], st["n_other_alive"], d, st["n_larger_alive"],
                             n_draws, quantile, threshold, streams[i])
        else:
            bd = band(st["n_alive"], st["n_other_alive"], d, st["n_larger_alive"])
        st["band"] = bd
        st["beyond_chance"] = beyond_chance(st["n_distinct"], bd["n_distinct"]["high"])
        st["cross_size_above_band"] = None if st["cross_size_mmcs"] is None else \
            bool(st["cross_size_mmcs"] > bd["cross_size_mmcs"]["high"])
        st["false_positive"] = None if truth is None else \
            is_false_positive(st["beyond_chance"], truth)
        st["per_atom_beyond_chance"] = beyond_chance(st["n_stable"], bd["n_stable"]["high"])
        st["per_atom_false_positive"] = None if truth is None else \
            is_false_positive(st["per_atom_beyond_chance"], truth)
        out.append(st)
    count, at = _plateau(out, "beyond_chance")
    per_atom, per_atom_at = _plateau(out, "per_atom_beyond_chance")
    onset = next((s["n_atoms"] for s in out if s["dead_fraction"] > DEAD_ONSET), None)
    return LadderEstimate(out, count, at, onset, truth, per_atom, per_atom_at)


def _plateau(sizes: list, key: str) -> tuple[float, int | None]:
    """``max_i sizes[i][key]`` and the (first) size where it is reached (None if 0)."""
    counts = [s[key] for s in sizes]
    best = int(np.argmax(counts))
    return float(counts[best]), sizes[best]["n_atoms"] if counts[best] > 0 else None
