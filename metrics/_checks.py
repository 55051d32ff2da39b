"""Input checks shared by the metrics: every refusal names the argument it refuses.

`methods.validation.check_array` converts numeric strings (``"0.5"``) to floats; a metric
fed strings was given the wrong thing (a label column, a CSV read without parsing), so the
metrics refuse them here before anything is converted.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def reject_strings(value, name: str) -> None:
    """ValueError naming ``name`` when ``value`` holds strings or non-numeric objects."""
    if isinstance(value, Mapping):
        raise ValueError(f"{name} must be an array, got a {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if arr.dtype.kind in "USVMm":
        raise ValueError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    if arr.dtype.kind == "O":
        try:
            np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a numeric array: {exc}") from exc


def float_array(value, name: str, *, ndim: int | None = None, min_rows: int = 0,
                min_cols: int = 0, n_cols: int | None = None, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array after checks that each name ``name``.

    Refuses strings, the wrong number of dimensions, fewer than ``min_rows`` rows (first
    axis), fewer than ``min_cols`` or other than ``n_cols`` columns (second axis), and, with
    ``finite``, NaN or inf.
    """
    reject_strings(value, name)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    if arr.ndim >= 1 and arr.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows, got shape {arr.shape}")
    if arr.ndim >= 2 and arr.shape[1] < min_cols:
        raise ValueError(f"{name} needs at least {min_cols} columns, got shape {arr.shape}")
    if n_cols is not None and arr.ndim >= 2 and arr.shape[1] != n_cols:
        raise ValueError(f"{name} has {arr.shape[1]} columns, expected {n_cols}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def finite_scalar(value, name: str) -> float:
    """``value`` as a finite float, else ValueError naming ``name``."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or value is None:
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real number, got {value!r}") from exc
    if not np.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def confidence_level(value, name: str = "confidence") -> float:
    """A two-sided confidence level strictly inside (0, 1), else ValueError naming ``name``."""
    c = finite_scalar(value, name)
    if not 0.0 < c < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return c
