"""Contrast pairs as one matrix: ``X = [x_plus | x_minus]``, the input of every truth method.

A contrast pair (Burns et al. 2022, Section 2.1) is the representation of a statement
completed two ways, ``x_plus`` (e.g. "... Yes") and ``x_minus`` ("... No"), exactly one of
them true. The truth methods of `methods.truth` take ``n_pairs`` such pairs of
``d``-dimensional representations as one scikit-learn input of shape ``(n_pairs, 2 d)``:

- columns ``0 .. d-1`` hold ``x_plus``, columns ``d .. 2d-1`` hold ``x_minus``;
- a label ``y_j = 1`` says that pair ``j``'s first member ``x_plus`` is the true one,
  ``y_j = 0`` that ``x_minus`` is.

`stack_pairs` builds that matrix from the two sides, `split_pairs` takes it apart; both
refuse malformed input with an error naming the argument.

References
----------
Burns, Ye, Klein, Steinhardt (2022), "Discovering Latent Knowledge in Language Models
Without Supervision", arXiv 2212.03827, Section 2.1.
"""

from __future__ import annotations

import numpy as np

LAYOUT = "[x_plus | x_minus]"


def _side(X, name: str) -> np.ndarray:
    try:
        raw = np.asarray(X)
        if raw.dtype.kind in "USc":
            raise TypeError(f"dtype {raw.dtype} is not a real number type")
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_pairs, d), got shape {arr.shape}")
    return arr


def stack_pairs(X_pos, X_neg) -> np.ndarray:
    """Contrast pairs as one float64 matrix ``X = [X_pos | X_neg]`` of shape (n_pairs, 2 d).

    Parameters
    ----------
    X_pos : array-like of shape (n_pairs, d)
        First members ``x_plus`` of the pairs.
    X_neg : array-like of shape (n_pairs, d)
        Second members ``x_minus``, in the same order.

    Returns
    -------
    X : ndarray of shape (n_pairs, 2 d)
        ``X[:, :d] = X_pos`` and ``X[:, d:] = X_neg`` (copied, values unchanged).

    Raises
    ------
    ValueError
        If a side is not a 2-D numeric array, or the two sides' shapes differ; the message
        names ``X_pos`` and/or ``X_neg``. Finiteness and the number of pairs are checked by
        the estimators' ``fit``.
    """
    Xp, Xn = _side(X_pos, "X_pos"), _side(X_neg, "X_neg")
    if Xp.shape != Xn.shape:
        raise ValueError(
            f"X_pos and X_neg must have the same shape (n_pairs, d), got {Xp.shape} and "
            f"{Xn.shape}"
        )
    return np.hstack([Xp, Xn])


def split_pairs(X) -> tuple[np.ndarray, np.ndarray]:
    """The two members ``(X_pos, X_neg)`` of stacked contrast pairs ``X = [x_plus | x_minus]``.

    Parameters
    ----------
    X : array-like of shape (n_pairs, 2 d)

    Returns
    -------
    X_pos, X_neg : ndarray of shape (n_pairs, d)
        ``X[:, :d]`` and ``X[:, d:]`` as float64 (views when ``X`` already is a float64
        array: nothing is copied).

    Raises
    ------
    ValueError
        If ``X`` is not a 2-D numeric array, or its number of columns is odd or zero; the
        message names ``X`` and its expected layout ``[x_plus | x_minus]``.
    """
    arr = _side(X, "X")
    width = arr.shape[1]
    if width == 0 or width % 2:
        raise ValueError(
            f"X has {width} feature(s): X must be the contrast pairs {LAYOUT}, an even, "
            f"non-zero number of columns (2 d; see methods.truth.pairs.stack_pairs)"
        )
    d = width // 2
    return arr[:, :d], arr[:, d:]
