"""Reproducibility of a dictionary across training seeds, read against chance.

Song et al. (2025) propose the pairwise dictionary mean correlation coefficient (PW-MCC) as
the measure of an SAE's *feature consistency*: train the same architecture on the same
data with different seeds, match the two decoders' rows one to one (Hungarian algorithm)
and average the matched cosines; average over all pairs of runs. They report 0.80 for TopK
SAEs on language-model activations. A number like that says little on its own: two
dictionaries of random unit atoms also match at a level set only by their sizes and the
dimension (in ``d = 32``, two random 64-atom dictionaries match at about 0.42), and two
dictionaries that agree may agree for a reason that is not the data (the same
initialisation; a geometry, such as well-spread atoms, that any training would produce).

So every agreement here is read against two chance bands, each a distribution over draws
from its own random stream:

- **random atoms** (`random_atom_mcc_band`): two independent dictionaries of uniform unit
  atoms with the same live counts and dimension: chance for "the two runs share nothing";
- **random orthogonal maps** (`orthogonal_mcc_band`): the first dictionary against the
  second turned by a Haar-random orthogonal matrix. It keeps each dictionary's own
  geometry (how spread or clumped its atoms are, their Gram matrix) and removes only
  their common orientation, so agreement above it is agreement in *where* the atoms point,
  which only the data (or a shared start) can give.

Definitions (``A`` (m_a, d), ``B`` (m_b, d) decoder rows, normalised here; zero rows are
dead and match nothing, as in `metrics.dictionary_similarity`):

    PW-MCC(A, B) = (1 / min(m_a, m_b)) max_pi sum_i |cos(A_i, B_pi(i))|

over one-to-one matchings ``pi``: SynthSAEBench's MCC between two learned dictionaries,
computed by `metrics.dictionary_similarity.matched_mcc`. Song et al.'s code matches
*signed* cosines (cost ``1 - cos``); ``signed=True`` gives that reading, where an atom and
its negation do not match (for ReLU SAEs, whose codes are non-negative, they are different
features). On trained dictionaries whose matched pairs point the same way the two agree;
on random ones the signed reading is lower.

References
----------
Song, Muhamed, Zheng, Kong, Tang, Diab, Smith, Zhang (2025), "Position: mechanistic
interpretability should prioritize feature consistency in SAEs", arXiv 2505.20254
(PW-MCC; 0.80 for TopK SAEs on LLM activations, their code's example Pythia-160M with 16k
latents; code ``xiangchensong/sae-feature-consistency``, function ``MCC``).
Chanin, Garriga-Alonso (2026), "SynthSAEBench", arXiv 2602.14687 (MCC as the Hungarian
mean ``|cos|``).
Mezzadri (2007), "How to generate random matrices from the classical compact groups",
Notices of the AMS 54(5) (Haar orthogonal matrices from the QR decomposition).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from floor.validation import check_bool, check_int, check_interval, check_random_state
from metrics.claimed_features import BAND_DRAWS, BAND_QUANTILE, Band, _band, random_unit_atoms
from metrics.dictionary_similarity import _rows, matched_mcc, unit_rows


def _signed_mcc(U: np.ndarray, V: np.ndarray) -> float:
    """Hungarian mean of signed cosines between unit (or zero) rows, in [-1, 1]."""
    C = U @ V.T
    rows, cols = linear_sum_assignment(C, maximize=True)
    return float(np.clip(C[rows, cols], -1.0, 1.0).mean())


def _mcc_of_units(U: np.ndarray, V: np.ndarray, signed: bool) -> float:
    """PW-MCC of two matrices of unit (or zero) rows, without revalidation."""
    if signed:
        return _signed_mcc(U, V)
    C = np.clip(np.abs(U @ V.T), 0.0, 1.0)
    rows, cols = linear_sum_assignment(C, maximize=True)
    return float(C[rows, cols].mean())


def pairwise_mcc(A, B, signed: bool = False) -> float:
    """Pairwise dictionary MCC (Song et al. 2025) between two dictionaries.

    ``PW-MCC = (1 / min(m_a, m_b)) max_pi sum_i c(A_i, B_pi(i))`` over one-to-one
    matchings, with ``c = |cos|`` (default: `metrics.dictionary_similarity.matched_mcc`, the
    same quantity) or the signed cosine (``signed=True``, Song et al.'s code). In [0, 1]
    (signed: [-1, 1]); higher means the two runs found the same directions. Symmetric in
    ``A`` and ``B``; scale, order and (unsigned) the signs of rows do not change it.

    Parameters
    ----------
    A : array-like of shape (m_a, d)
        Decoder rows of one run (pass only the live ones to leave dead latents out).
    B : array-like of shape (m_b, d)
        Decoder rows of another run of the same method on the same data.
    signed : bool, default=False

    Returns
    -------
    float
    """
    A = _rows(A, "A")
    B = _rows(B, "B", A.shape[1], "A")
    if not check_bool(signed, "signed"):
        return matched_mcc(A, B)
    return _signed_mcc(unit_rows(A)[0], unit_rows(B)[0])


def mean_pairwise_mcc(dictionaries, signed: bool = False) -> float:
    """Mean `pairwise_mcc` over all pairs of a list of runs (Song et al.'s PW-MCC).

    Parameters
    ----------
    dictionaries : sequence of array-like of shape (m_i, d)
        At least two dictionaries of the same dimension (one per seed).
    signed : bool, default=False
    """
    dicts = list(dictionaries)
    if len(dicts) < 2:
        raise ValueError(f"dictionaries must hold at least two dictionaries, got {len(dicts)}")
    first = _rows(dicts[0], "dictionaries[0]")
    dicts = [first] + [_rows(D, f"dictionaries[{i}]", first.shape[1], "dictionaries[0]")
                       for i, D in enumerate(dicts[1:], start=1)]
    return float(np.mean([pairwise_mcc(P, Q, signed)
                          for P, Q in itertools.combinations(dicts, 2)]))


def _band_args(n_draws, quantile, signed) -> tuple[int, float, bool]:
    draws = check_int(n_draws, "n_draws")
    q = check_interval(quantile, "quantile", 0.0, 1.0, low_open=True)
    return draws, q, check_bool(signed, "signed")


def random_atom_mcc_band(n_a: int, n_b: int, n_features: int, n_draws: int = BAND_DRAWS,
                         quantile: float = BAND_QUANTILE, signed: bool = False,
                         random_state=0) -> Band:
    """PW-MCC between two independent dictionaries of uniform unit atoms: the chance band.

    Each draw makes ``A`` (n_a, d) and ``B`` (n_b, d) with rows uniform on the unit sphere
    (`metrics.claimed_features.random_unit_atoms`) and records ``pairwise_mcc(A, B)``. A
    pair of trained dictionaries with ``n_a`` and ``n_b`` live atoms agrees beyond chance
    only above this band.

    Parameters
    ----------
    n_a, n_b : int
        Live atoms of the two dictionaries (>= 1).
    n_features : int
        Dimension ``d`` (>= 1). In ``d = 1`` every pair scores 1.
    n_draws : int, default=200
    quantile : float, default=0.99
        The band's ``high`` (``numpy.quantile``, method "higher": an observed draw).
    signed : bool, default=False
    random_state : int, SeedSequence or Generator, default=0
        The band's stream: the same value gives the same band, draw for draw.

    Returns
    -------
    Band
        ``mean``, ``high``, ``quantile``, ``n_draws`` and the draws (``values``).
    """
    a, b = check_int(n_a, "n_a"), check_int(n_b, "n_b")
    d = check_int(n_features, "n_features")
    draws, q, signed = _band_args(n_draws, quantile, signed)
    rng = check_random_state(random_state)
    values = np.array([_mcc_of_units(random_unit_atoms(a, d, rng), random_unit_atoms(b, d, rng),
                                     signed) for _ in range(draws)])
    return _band(values, q)


def haar_orthogonal(n_features: int, random_state=0) -> np.ndarray:
    """A (d, d) orthogonal matrix drawn from the Haar measure on O(d) (Mezzadri 2007).

    ``Q R = Z`` (QR of a standard Gaussian matrix) with the columns of ``Q`` multiplied by
    ``sign(diag R)``, which makes the law of ``Q`` exactly Haar.
    """
    d = check_int(n_features, "n_features")
    rng = check_random_state(random_state)
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1.0
    return Q * signs


def orthogonal_mcc_band(A, B, n_draws: int = BAND_DRAWS, quantile: float = BAND_QUANTILE,
                        signed: bool = False, random_state=0) -> Band:
    """PW-MCC of ``A`` against ``B`` turned by Haar-random orthogonal maps.

    Each draw records ``pairwise_mcc(A, B Q^T)`` with ``Q`` Haar on O(d)
    (`haar_orthogonal`). Each dictionary keeps its own geometry (its Gram matrix: how its
    atoms spread); only their common orientation is lost. Agreement above this band is
    agreement in orientation: the data's (or a shared initialisation's), not a geometry
    that any run would produce. On data whose law is invariant under rotation (an isotropic
    Gaussian), two runs with independent starts are a draw from this band up to the
    sample's own chance anisotropy.

    Parameters
    ----------
    A : array-like of shape (m_a, d)
    B : array-like of shape (m_b, d)
    n_draws, quantile, signed, random_state
        As in `random_atom_mcc_band`.

    Returns
    -------
    Band
    """
    A = _rows(A, "A")
    B = _rows(B, "B", A.shape[1], "A")
    draws, q, signed = _band_args(n_draws, quantile, signed)
    rng = check_random_state(random_state)
    U, V = unit_rows(A)[0], unit_rows(B)[0]
    d = A.shape[1]
    values = np.array([_mcc_of_units(U, V @ haar_orthogonal(d, rng).T, signed)
                       for _ in range(draws)])
    return _band(values, q)


def upper_p_value(value: float, band: Band) -> float:
    """Empirical one-sided p-value of ``value`` in a band: ``(1 + #{draws >= value}) / (1 +
    n_draws)``, in (0, 1]; small means ``value`` is high for chance."""
    v = float(value)
    return float((1 + np.sum(band.values >= v)) / (1 + band.n_draws))


@dataclass(frozen=True)
class Reproducibility:
    """PW-MCC of two runs beside its two chance bands.

    ``beyond_random`` (``beyond_orthogonal``): the PW-MCC is above the random-atom band's
    (the orthogonal band's) ``high`` quantile.
    """

    mcc: float
    n_live_a: int
    n_live_b: int
    n_features: int
    random_band: Band
    orthogonal_band: Band

    @property
    def beyond_random(self) -> bool:
        """Above the random-atom band's upper quantile."""
        return bool(self.mcc > self.random_band.high)

    @property
    def beyond_orthogonal(self) -> bool:
        """Above the orthogonal band's upper quantile."""
        return bool(self.mcc > self.orthogonal_band.high)

    def to_dict(self) -> dict:
        """JSON-ready form (bands without their draws, with the p-values)."""
        return {"mcc": float(self.mcc), "n_live_a": int(self.n_live_a),
                "n_live_b": int(self.n_live_b), "n_features": int(self.n_features),
                "random_band": self.random_band.to_dict(),
                "orthogonal_band": self.orthogonal_band.to_dict(),
                "p_random": upper_p_value(self.mcc, self.random_band),
                "p_orthogonal": upper_p_value(self.mcc, self.orthogonal_band),
                "beyond_random": self.beyond_random,
                "beyond_orthogonal": self.beyond_orthogonal}


def _alive_mask(alive, m: int, name: str) -> np.ndarray:
    if alive is None:
        return np.ones(m, dtype=bool)
    mask = np.asarray(alive)
    if mask.dtype != bool:
        raise ValueError(f"{name} must be a boolean mask, got dtype {mask.dtype}")
    if mask.shape != (m,):
        raise ValueError(f"{name} must have shape ({m},), got {mask.shape}")
    return mask


def reproducibility(A, B, alive_a=None, alive_b=None, signed: bool = False,
                    n_draws: int = BAND_DRAWS, quantile: float = BAND_QUANTILE,
                    random_state=0) -> Reproducibility:
    """PW-MCC between the live atoms of two runs, with both chance bands.

    Only live atoms count (``alive_*``, e.g. atoms active on held-out codes, and never zero
    rows): a dead latent's decoder row keeps (part of) its random start, and the bands use
    the same live counts, so dead latents neither inflate nor deflate the reading.

    Parameters
    ----------
    A : array-like of shape (m_a, d)
    B : array-like of shape (m_b, d)
    alive_a : bool array of shape (m_a,), optional
    alive_b : bool array of shape (m_b,), optional
    signed : bool, default=False
    n_draws, quantile
        As in `random_atom_mcc_band`, for both bands.
    random_state : int, SeedSequence or Generator, default=0
        Spawns one stream per band (random atoms first, then orthogonal maps).

    Returns
    -------
    Reproducibility
        PW-MCC 0 and degenerate bands at 0 when either side has no live atom.
    """
    A = _rows(A, "A")
    B = _rows(B, "B", A.shape[1], "A")
    draws, q, signed = _band_args(n_draws, quantile, signed)
    la = _alive_mask(alive_a, A.shape[0], "alive_a") & unit_rows(A)[1]
    lb = _alive_mask(alive_b, B.shape[0], "alive_b") & unit_rows(B)[1]
    d = A.shape[1]
    if not la.any() or not lb.any():
        empty = _band([0.0], q)
        return Reproducibility(0.0, int(la.sum()), int(lb.sum()), d, empty, empty)
    rng = check_random_state(random_state)
    s_random, s_orth = rng.spawn(2)
    A_live, B_live = A[la], B[lb]
    return Reproducibility(
        pairwise_mcc(A_live, B_live, signed), int(la.sum()), int(lb.sum()), d,
        random_atom_mcc_band(int(la.sum()), int(lb.sum()), d, draws, q, signed, s_random),
        orthogonal_mcc_band(A_live, B_live, draws, q, signed, s_orth))
