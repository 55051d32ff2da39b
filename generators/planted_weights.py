"""A weight matrix with planted read and write directions under a Gaussian noise bulk.

``W = sum_i s_i u_i v_i^T + E`` of shape ``(d_out, d_in)``: pair ``i`` reads along the unit
input direction ``v_i`` and writes along the unit output direction ``u_i`` with strength
``s_i``; ``E`` has iid ``N(0, tau^2)`` entries, ``tau = noise / sqrt(d_in)`` (fan-in scaling,
as weights are initialised). The claim under test: the singular vectors of ``W`` are its read
and write directions, in decreasing order of importance. Random-matrix theory says how far
that holds (`floor.random_matrix`): a pair separates from the bulk only above the BBP
threshold ``tau (d_out d_in)^(1/4)``, with a known overlap; pairs of near-equal strength mix
within their span; more pairs than ``min(d_out, d_in)`` cannot all be singular vectors.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from floor.random_matrix import (
    bbp_overlaps,
    bbp_singular_value,
    bbp_threshold,
    entry_std,
    mp_edge,
)
from floor.validation import check_bool, check_int, check_positive_float, float_array
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.planted_sparse import random_unit_rows
from generators.seeding import SeedLike, split_rng, structure_rng


def _unit_rows(G: np.ndarray) -> np.ndarray:
    return G / np.linalg.norm(G, axis=1, keepdims=True)


def make_planted_weights(
    d_out: int = 64,
    d_in: int = 48,
    strength_ratios: Sequence[float] = (0.5, 0.8, 2.0, 3.0, 4.0),
    noise: float = 1.0,
    orthogonal: bool = True,
    read_support: int | None = None,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """``W = sum_i s_i u_i v_i^T + E``, strengths given as multiples of the BBP threshold.

    Structure (shared by every split): ``s_i = strength_ratios[i] * tau (d_out d_in)^(1/4)``
    with ``tau = noise / sqrt(d_in)``. With ``orthogonal`` the ``u_i`` (and the ``v_i``) are
    Haar-random orthonormal (needs ``len(strength_ratios) <= min(d_out, d_in)``). Otherwise
    (superposition) the ``u_i`` are independent uniform unit vectors, and the ``v_i`` too, or,
    with ``read_support = k``, unit vectors with Gaussian entries on ``k`` random input
    coordinates each (sparse reads: each column of ``W`` is then a sparse combination of the
    ``u_i``, the setting in which sparse dictionary learning can identify more pairs than the
    rank). Each split draws its own noise ``E`` (iid ``N(0, tau^2)`` entries).

    Parameters
    ----------
    d_out, d_in : int, default=64, 48
        Shape of ``W`` (>= 2 each).
    strength_ratios : sequence of float, default=(0.5, 0.8, 2.0, 3.0, 4.0)
        ``s_i`` over the BBP threshold (>= 0); empty for pure noise.
    noise : float, default=1.0
        ``noise`` (> 0): entries of ``E`` have standard deviation ``noise / sqrt(d_in)``.
    orthogonal : bool, default=True
        Orthonormal read and write directions; False for unit, possibly non-orthogonal ones.
    read_support : int or None, default=None
        Non-zero input coordinates of each ``v_i`` (only with ``orthogonal=False``).
    random_state : int or SeedSequence, default=0
    split : int, default=0
        Which noise draw.

    Returns
    -------
    Dataset
        ``X = W`` (d_out, d_in). ``ground_truth``: ``write_directions`` (t, d_out),
        ``read_directions`` (t, d_in), ``strengths`` (t,) and ``strength_ratios`` (t,),
        sorted by decreasing strength; ``predicted_write_overlap`` and
        ``predicted_read_overlap`` (t,): the limits of ``|cos|`` of the matching singular
        vectors (square roots of `floor.random_matrix.bbp_overlaps`; for orthonormal
        pairs only, else NaN); ``predicted_singular_values`` (t,); scalars ``d_out``,
        ``d_in``, ``noise``, ``noise_entry_std`` (tau), ``mp_edge`` (``tau (sqrt(d_out) +
        sqrt(d_in))``), ``bbp_threshold``, ``n_pairs``, ``n_detectable`` (pairs above the
        threshold), ``rank_limit`` (``min(d_out, d_in)``), ``superposition`` (more pairs
        than the rank limit), ``min_relative_gap`` (smallest relative gap between the
        strengths of detectable pairs; absent with fewer than two: every fact is finite).
    """
    n_out = check_int(d_out, "d_out", 2)
    n_in = check_int(d_in, "d_in", 2)
    ratios = float_array(list(strength_ratios), "strength_ratios")
    if ratios.ndim != 1:
        raise ValueError(f"strength_ratios must be a flat sequence, got shape {ratios.shape}")
    if np.any(ratios < 0):
        raise ValueError(f"strength_ratios must be >= 0, got {ratios.tolist()}")
    sigma = check_positive_float(noise, "noise")
    ortho = check_bool(orthogonal, "orthogonal")
    t = ratios.size
    rank = min(n_out, n_in)
    if ortho and t > rank:
        raise ValueError(f"orthogonal=True allows at most min(d_out, d_in) = {rank} pairs, "
                         f"got {t} strength_ratios; pass orthogonal=False for superposition")
    if read_support is not None:
        if ortho:
            raise ValueError("read_support needs orthogonal=False")
        support = check_int(read_support, "read_support", 1)
        if support > n_in:
            raise ValueError(f"read_support must be <= d_in = {n_in}, got {support}")
    tau = entry_std(sigma, n_in)
    threshold = bbp_threshold(n_out, n_in, tau)
    order = np.argsort(-ratios, kind="stable")
    ratios = ratios[order]
    strengths = ratios * threshold

    rng = structure_rng(random_state)
    if ortho:
        U = random_orthonormal(rng, n_out, t).T if t else np.zeros((0, n_out))
        V = random_orthonormal(rng, n_in, t).T if t else np.zeros((0, n_in))
    else:
        U = random_unit_rows(rng, t, n_out)
        if read_support is None:
            V = random_unit_rows(rng, t, n_in)
        else:
            V = np.zeros((t, n_in))
            for i in range(t):
                cols = rng.choice(n_in, size=support, replace=False)
                V[i, cols] = rng.standard_normal(support)
            V = _unit_rows(V)
    E = tau * split_rng(random_state, split).standard_normal((n_out, n_in))
    W = (U.T * strengths) @ V + E

    if ortho:
        over_u, over_v = bbp_overlaps(strengths, n_out, n_in, tau)
        pred_u, pred_v = np.sqrt(over_u), np.sqrt(over_v)
    else:
        pred_u = pred_v = np.full(t, np.nan)
    detectable = strengths > threshold
    det = strengths[detectable]
    gaps = np.abs(np.diff(det)) / det[1:]
    ground_truth = {
        "write_directions": U,
        "read_directions": V,
        "strengths": strengths,
        "strength_ratios": ratios,
        "predicted_write_overlap": pred_u,
        "predicted_read_overlap": pred_v,
        "predicted_singular_values": bbp_singular_value(strengths, n_out, n_in, tau),
        "d_out": n_out,
        "d_in": n_in,
        "noise": sigma,
        "noise_entry_std": tau,
        "mp_edge": mp_edge(n_out, n_in, tau),
        "bbp_threshold": threshold,
        "n_pairs": t,
        "n_detectable": int(detectable.sum()),
        "rank_limit": rank,
        "superposition": bool(t > rank),
    }
    if gaps.size:
        ground_truth["min_relative_gap"] = float(gaps.min())
    params = {"d_out": n_out, "d_in": n_in, "strength_ratios": tuple(float(r) for r in ratios),
              "noise": sigma, "orthogonal": ortho, "read_support": read_support,
              "split": split}
    return Dataset(name="planted_weights", X=W, ground_truth=ground_truth, params=params)
