"""How well a method's read and write directions match the planted pairs of a weight matrix.

``W = sum_i s_i u_i v_i^T + noise`` (`generators.planted_weights`): a found pair is matched to
a planted one by both of its directions (`matched_pair_cosines`); the planted pairs are ranked
by strength, and near-equal strengths are recovered only up to a rotation within their span,
which `span_angles_deg` reads (principal angles, ``scipy.linalg.subspace_angles``). What random-
matrix theory predicts for these numbers (the BBP threshold, the limiting overlaps, the noise
edge) is in `floor.random_matrix`.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import subspace_angles
from scipy.optimize import linear_sum_assignment

from floor.validation import float_array
from metrics.dictionary_similarity import abs_cosine_matrix


def _unit(A, name: str, d: int) -> np.ndarray:
    """Rows of ``A`` (m, d) scaled to unit norm; a zero row is refused."""
    A = float_array(A, name, ndim=2, n_cols=d)
    norms = np.linalg.norm(A, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name} has a zero row")
    return A / norms


def matched_pair_cosines(write, read, true_write, true_read) -> tuple[np.ndarray, np.ndarray]:
    """Per planted pair, ``|cos|`` of its matched write and read directions, shapes (t,).

    Found pairs ``(write[a], read[a])`` (a zero row, a dead direction, matches nothing) are
    matched one to one with planted pairs
    ``(true_write[i], true_read[i])`` by the Hungarian algorithm maximising the total of
    ``(|cos(write_a, u_i)| + |cos(read_a, v_i)|) / 2``; a planted pair left unmatched (fewer
    found than planted) gets 0 on both sides.

    Parameters
    ----------
    write, read : array-like of shape (m, d_out), (m, d_in)
        Found write and read directions, row ``a`` one pair (rows need not be unit).
    true_write, true_read : array-like of shape (t, d_out), (t, d_in)
        Planted pairs.
    """
    Tu = float_array(true_write, "true_write", ndim=2, min_rows=1)
    Tv = float_array(true_read, "true_read", ndim=2, min_rows=Tu.shape[0])
    if Tv.shape[0] != Tu.shape[0]:
        raise ValueError(f"true_read has {Tv.shape[0]} rows, true_write {Tu.shape[0]}")
    Tu, Tv = _unit(Tu, "true_write", Tu.shape[1]), _unit(Tv, "true_read", Tv.shape[1])
    t = Tu.shape[0]
    cos_u, cos_v = np.zeros(t), np.zeros(t)
    Au = float_array(write, "write", ndim=2, n_cols=Tu.shape[1])
    if Au.shape[0] == 0:
        return cos_u, cos_v
    Av = float_array(read, "read", ndim=2, n_cols=Tv.shape[1])
    if Av.shape[0] != Au.shape[0]:
        raise ValueError(f"read has {Av.shape[0]} rows, write {Au.shape[0]}")
    # |cos| in [0, 1], a dead (zero) found row scoring 0 against every planted one.
    Cu, Cv = abs_cosine_matrix(Au, Tu), abs_cosine_matrix(Av, Tv)
    rows, cols = linear_sum_assignment((Cu + Cv) / 2, maximize=True)
    cos_u[cols], cos_v[cols] = Cu[rows, cols], Cv[rows, cols]
    return cos_u, cos_v


def span_angles_deg(found, truth) -> np.ndarray:
    """Principal angles in degrees between ``span(found rows)`` and ``span(truth rows)``.

    ``scipy.linalg.subspace_angles`` of the transposed bases, largest first; as many angles as
    the smaller of the two ranks. 0 when the spans are equal.
    """
    F = float_array(found, "found", ndim=2, min_rows=1)
    T = float_array(truth, "truth", ndim=2, min_rows=1, n_cols=F.shape[1])
    return np.degrees(subspace_angles(F.T, T.T))
