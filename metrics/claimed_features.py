"""How many features a dictionary claims on data without ground truth, against chance.

Sharkey, Braun and Millidge (2022) proposed a ground-truth-free signal that a dictionary
has found real features: its atoms reappear in a dictionary trained with another seed, or
in the next larger dictionary at the same penalty (mean max cosine similarity, MMCS,
between the two). The suite counts the atoms that are both *alive* on held-out data and
*stable* (``|cos| > 0.9`` to some atom of the other dictionary), and always reports the same
statistics for random unit atoms of the same count and dimension. In low dimension the
random band is high: in ``d = 2`` a few dozen random lines already put a partner within
``arccos(0.9) ~ 26`` degrees of every atom, so any two dictionaries look alike and a count
only means something when it rises above the band.

Train the two dictionaries on different samples (another split of the same generator), not
only with different seeds: measured here, scikit-learn's MiniBatchDictionaryLearning with
8 atoms on one 4000-sample isotropic Gaussian in d=16 gives 8 of 8 atoms "stable" across
two seeds (both lock onto the sample covariance's chance anisotropy), and 0 of 8 when the
second dictionary is fitted on another split. Uncentred data also has one real stable
direction, its mean (the uniform cube's diagonal).

References
----------
Sharkey, Braun, Millidge (2022), "Taking features out of superposition with sparse
autoencoders": MMCS between dictionaries of different sizes as the signal without ground
truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from floor.validation import check_int, check_interval, check_random_state, check_real
from metrics.dictionary_similarity import (
    RECOVERY_THRESHOLD,
    _active,
    _rows,
    abs_cosine_matrix,
    cross_mmcs,
    unit_rows,
)

# Upper quantile of the random-atom band a claimed count is compared with. With the
# default 200 draws, the 0.99 quantile (method "higher") is the third-largest draw.
BAND_QUANTILE = 0.99
BAND_DRAWS = 200


def alive_atoms(codes, threshold: float = 0.0, min_count: int = 1) -> np.ndarray:
    """Atoms active (``|c| > threshold``) on at least ``min_count`` samples: bool (m,).

    Pass held-out codes: an atom that fires only on its own training rows is not a feature
    of the data.
    """
    return _alive(codes, threshold, min_count, "codes")


def _alive(codes, threshold, min_count, name: str) -> np.ndarray:
    k = check_int(min_count, "min_count")
    return _active(codes, threshold, name).sum(axis=0) >= k


def _as_list(other, n_features: int) -> list:
    """One dictionary (2-D array) or a sequence of them, as a list of validated arrays."""
    if isinstance(other, Sequence) and other and not isinstance(other, str) \
            and np.ndim(other[0]) == 2:
        return [_rows(o, "other", n_features) for o in other]
    return [_rows(other, "other", n_features)]


def stable_atoms(atoms, other, threshold: float = RECOVERY_THRESHOLD) -> np.ndarray:
    """Atoms with a partner at ``|cos| > threshold`` in every ``other`` dictionary: bool (m,).

    Parameters
    ----------
    atoms : array-like of shape (m, d)
        The dictionary whose atoms are checked.
    other : array-like of shape (m', d), or a sequence of them
        Dictionaries from other seeds or sizes. With several, an atom must reappear in
        each one. Zero rows never count as partners; zero rows of ``atoms`` are unstable.
    threshold : float, default=0.9
    """
    A = _rows(atoms, "atoms")
    stable = np.ones(A.shape[0], dtype=bool)
    for ref in _as_list(other, A.shape[1]):
        stable &= abs_cosine_matrix(A, ref).max(axis=1) > threshold
    return stable


def stable_alive_atoms(atoms, heldout_codes, other, threshold: float = RECOVERY_THRESHOLD,
                       active_threshold: float = 0.0) -> int:
    """Number of atoms alive on held-out codes and stable across ``other``: the claim.

    ``#{i : atom i fires on some held-out sample and has |cos| > threshold to an atom of
    every other dictionary}``, in [0, m]. On data without features, compare it with
    `random_atom_band`; on planted data, with the number of true features.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    heldout_codes : array-like of shape (n, m)
        The same method's codes on held-out samples.
    other : array-like of shape (m', d), or a sequence of them
        Dictionaries of the same method with other seeds (or sizes).
    threshold : float, default=0.9
        ``|cos|`` needed to count as the same atom.
    active_threshold : float, default=0.0
        Activity threshold on ``|codes|``.
    """
    A = _rows(atoms, "atoms")
    alive = _alive(heldout_codes, active_threshold, 1, "heldout_codes")
    if alive.size != A.shape[0]:
        raise ValueError(f"heldout_codes has {alive.size} latents but atoms has {A.shape[0]}")
    return int(np.sum(alive & stable_atoms(A, other, threshold)))


def random_unit_atoms(n_atoms: int, n_features: int, random_state=0) -> np.ndarray:
    """``n_atoms`` directions uniform on the unit sphere of ``R^n_features``, (n_atoms, d)."""
    m = check_int(n_atoms, "n_atoms")
    d = check_int(n_features, "n_features")
    rng = check_random_state(random_state)
    return unit_rows(rng.standard_normal((m, d)))[0]


@dataclass(frozen=True)
class Band:
    """A statistic's distribution over random draws: its mean and an upper quantile."""

    mean: float
    high: float
    quantile: float
    n_draws: int
    values: np.ndarray

    def to_dict(self) -> dict:
        """JSON-ready form without the raw values."""
        return {"mean": float(self.mean), "high": float(self.high),
                "quantile": float(self.quantile), "n_draws": int(self.n_draws)}


def _band(values, quantile: float) -> Band:
    v = np.asarray(values, dtype=np.float64)
    high = float(np.quantile(v, quantile, method="higher"))
    return Band(float(v.mean()), high, float(quantile), int(v.size), v)


def random_atom_band(n_atoms: int, n_features: int, n_other: int | None = None,
                     n_draws: int = BAND_DRAWS, quantile: float = BAND_QUANTILE,
                     threshold: float = RECOVERY_THRESHOLD, random_state=0) -> dict:
    """Cross-MMCS and stable-atom count between two independent random dictionaries.

    Each draw makes ``A`` (n_atoms, d) and ``B`` (n_other, d) of independent uniform unit
    rows and records ``cross_mmcs(A, B)`` and ``#{i : max_j |cos(A_i, B_j)| > threshold}``
    (every random atom is alive). What a method claims on featureless data should not
    exceed the ``high`` end of this band.

    Parameters
    ----------
    n_atoms : int
        Size of the dictionary being checked (>= 1); use the number of its live atoms.
    n_features : int
        Dimension ``d`` (>= 1).
    n_other : int, optional
        Size of the comparison dictionary; default ``n_atoms`` (two seeds). Use ``2 *
        n_atoms`` for Sharkey et al.'s comparison with the next larger dictionary.
    n_draws : int, default=200
        Number of random pairs (>= 1).
    quantile : float, default=0.99
        Upper quantile reported as ``high`` (``numpy.quantile`` with method "higher", so
        it is an observed value).
    threshold : float, default=0.9
    random_state : int, SeedSequence or Generator, default=0
        Source of the random dictionaries; the same value gives the same band.

    Returns
    -------
    dict
        ``{"cross_mmcs": Band, "stable_count": Band}``.
    """
    m = check_int(n_atoms, "n_atoms")
    d = check_int(n_features, "n_features")
    m2 = m if n_other is None else check_int(n_other, "n_other")
    draws = check_int(n_draws, "n_draws")
    check_interval(quantile, "quantile", 0.0, 1.0, low_open=True)
    threshold = check_real(threshold, "threshold")
    rng = check_random_state(random_state)
    mmcs_values, counts = np.empty(draws), np.empty(draws)
    for k in range(draws):
        A, B = random_unit_atoms(m, d, rng), random_unit_atoms(m2, d, rng)
        best = np.abs(A @ B.T).max(axis=1)
        mmcs_values[k], counts[k] = best.mean(), np.sum(best > threshold)
    return {"cross_mmcs": _band(mmcs_values, quantile),
            "stable_count": _band(counts, quantile)}


@dataclass(frozen=True)
class ClaimedFeatures:
    """What a dictionary claims on held-out data, beside what random atoms would claim.

    ``n_claimed`` atoms are alive and stable; random dictionaries with the same numbers of
    live atoms give ``band_count``; ``excess = n_claimed - band_count.high`` is positive
    only when the claim rises above chance.
    """

    n_atoms: int
    n_alive: int
    n_claimed: int
    cross_mmcs: float
    band_count: Band
    band_cross_mmcs: Band

    @property
    def excess(self) -> float:
        """Claimed count above the random band's upper quantile (<= 0: within chance)."""
        return float(self.n_claimed - self.band_count.high)

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {"n_atoms": self.n_atoms, "n_alive": self.n_alive, "n_claimed": self.n_claimed,
                "cross_mmcs": self.cross_mmcs, "excess": self.excess,
                "band_count": self.band_count.to_dict(),
                "band_cross_mmcs": self.band_cross_mmcs.to_dict()}


def claimed_features(atoms, heldout_codes, other, threshold: float = RECOVERY_THRESHOLD,
                     active_threshold: float = 0.0, n_draws: int = BAND_DRAWS,
                     quantile: float = BAND_QUANTILE, random_state=0) -> ClaimedFeatures:
    """Claimed features of a dictionary against another, with the random-atom band.

    Only the atoms alive on ``heldout_codes`` are compared: ``cross_mmcs`` is the mean over
    live atoms of the best ``|cos|`` to ``other`` (its non-zero rows), and the band uses
    random dictionaries of ``#live`` and ``#non-zero rows of other`` atoms in the same
    dimension, so dead atoms neither inflate nor deflate the null.

    Parameters
    ----------
    atoms : array-like of shape (m, d)
    heldout_codes : array-like of shape (n, m)
    other : array-like of shape (m', d)
        One other dictionary (another seed, or the next larger size), fitted on another
        split of the data (see the module docstring).
    threshold, active_threshold : float
        As in `stable_alive_atoms`.
    n_draws, quantile, random_state
        As in `random_atom_band`.
    """
    A = _rows(atoms, "atoms")
    B = _rows(other, "other", A.shape[1])
    n_claimed = stable_alive_atoms(A, heldout_codes, B, threshold, active_threshold)
    alive = _alive(heldout_codes, active_threshold, 1, "heldout_codes") & unit_rows(A)[1]
    n_other = int(unit_rows(B)[1].sum())
    if alive.sum() == 0 or n_other == 0:
        empty = _band([0.0], quantile)
        return ClaimedFeatures(A.shape[0], int(alive.sum()), 0, 0.0, empty, empty)
    band = random_atom_band(int(alive.sum()), A.shape[1], n_other, n_draws, quantile,
                            threshold, random_state)
    return ClaimedFeatures(A.shape[0], int(alive.sum()), n_claimed,
                           cross_mmcs(A[alive], B), band["stable_count"], band["cross_mmcs"])
