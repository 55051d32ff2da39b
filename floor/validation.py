"""Argument and input checks shared by every generator, method and metric.

The one validation module, on the ground floor (`floor`) that ``methods``, ``generators``
and ``metrics`` all import. One policy everywhere, so that a bad argument gets the same
kind of error wherever it is passed, and every message names the argument:

- counts (``n_samples``, ``n_components``, ``n_draws``, ...) must be Python or numpy
  integers (`check_int`). A float is refused even when integral (``3.0``): a float count
  is nearly always the result of a division upstream, and truncating it silently would
  change the result. ``bool`` is refused too (``True`` is an int to Python, never a count).
- reals (scales, rates, probabilities, thresholds) must be real numbers (ints included),
  finite and inside their documented range (`check_real`, `check_positive_float`,
  `check_interval`); strings, ``None``, ``bool`` and complex numbers are refused.
- flags must be ``bool`` (`check_bool`); choices one of the listed strings (`check_choice`).
- arrays are refused when they hold strings, bytes, complex numbers or objects that are not
  numbers (numpy would silently parse the strings or drop the imaginary part), have the
  wrong number of dimensions, too few rows or columns, or NaN / inf (`float_array`,
  `check_array` for a 2-D sample matrix, `check_labels` for class labels).

A value of the wrong *type* raises `InvalidArgumentError`, which is both a ValueError and a
TypeError (as scikit-learn's ``InvalidParameterError``), so callers may catch either; a
value of the right type outside its range raises ValueError.

The array messages follow scikit-learn's wording where its estimator checks match on it
(``"X has 1 features, but LeaceEraser is expecting 4 features as input"``, ``"Complex data
not supported"``, ``"0 feature(s)"``), so the built-in methods pass
`sklearn.utils.estimator_checks` with the suite's own checks.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "InvalidArgumentError", "NotFittedError", "check_array", "check_bool", "check_choice",
    "check_dtype", "check_float32_range", "check_int", "check_interval", "check_is_fitted",
    "check_labels", "check_positive_float", "check_random_state", "check_real",
    "confidence_level", "float_array", "reject_strings",
]


class InvalidArgumentError(ValueError, TypeError):
    """An argument of the wrong type: both a ValueError and a TypeError."""


class NotFittedError(_SklearnNotFittedError, RuntimeError):
    """A method used before ``fit``: scikit-learn's NotFittedError, and a RuntimeError."""


def _type_name(value) -> str:
    return type(value).__name__


# ----------------------------------------------------------------------------------------
# Scalars
# ----------------------------------------------------------------------------------------

def check_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum``.

    Raises
    ------
    InvalidArgumentError
        If ``value`` is not an integer (floats, ``3.0`` included; bools; strings; None).
    ValueError
        If it is below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral,
                                                                     np.integer)):
        raise InvalidArgumentError(f"{name} must be an int, got {_type_name(value)} {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_real(value, name: str) -> float:
    """``value`` as a finite float.

    Real numbers (Python or numpy, ints included, and 0-d real arrays) are accepted.

    Raises
    ------
    InvalidArgumentError
        If ``value`` is not a real number (bool, str, bytes, None, complex, arrays).
    ValueError
        If it is NaN or infinite.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real,
                                                                     np.integer,
                                                                     np.floating)):
        raise InvalidArgumentError(
            f"{name} must be a real number, got {_type_name(value)} {value!r}")
    val = float(value)
    if not np.isfinite(val):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return val


def check_positive_float(value, name: str, *, allow_zero: bool = False) -> float:
    """``value`` as a finite float ``> 0`` (``>= 0`` with ``allow_zero``), else an error
    naming ``name`` (see `check_real` for the types accepted)."""
    val = check_real(value, name)
    if not (val >= 0 if allow_zero else val > 0):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return val


def check_interval(value, name: str, low: float, high: float, *, low_open: bool = False,
                   high_open: bool = False) -> float:
    """``value`` as a finite float in the interval from ``low`` to ``high`` (each end closed
    unless ``*_open``), else an error naming ``name``."""
    val = check_real(value, name)
    low_ok = val > low if low_open else val >= low
    high_ok = val < high if high_open else val <= high
    if not (low_ok and high_ok):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return val


def confidence_level(value, name: str = "confidence") -> float:
    """A two-sided confidence level strictly inside (0, 1), else an error naming ``name``."""
    return check_interval(value, name, 0.0, 1.0, low_open=True, high_open=True)


def check_bool(value, name: str) -> bool:
    """``value`` if it is a bool (or numpy bool), else an InvalidArgumentError naming it."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(
            f"{name} must be True or False, got {_type_name(value)} {value!r}")
    return bool(value)


def check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``choices``, else a ValueError naming ``name``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def check_dtype(value, name: str = "dtype") -> np.dtype:
    """A training dtype: float32 or float64 (as a name, type or dtype)."""
    try:
        dtype = np.dtype(value)
    except TypeError as exc:
        raise ValueError(f"{name} must be float32 or float64, got {value!r}") from exc
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"{name} must be float32 or float64, got {value!r}")
    return dtype


# ----------------------------------------------------------------------------------------
# Arrays
# ----------------------------------------------------------------------------------------

def reject_strings(value, name: str) -> None:
    """Refuse ``value`` when it is a mapping or holds strings, bytes, complex numbers,
    dates or objects that are not real numbers; the error names ``name``.

    numpy would parse numeric strings (``"0.5"``) and drop imaginary parts silently: a
    method or metric fed them was given the wrong thing (a label column, a CSV read without
    parsing).
    """
    if sp.issparse(value):
        raise InvalidArgumentError(f"{name} is a sparse matrix: sparse input is not "
                                   "supported, pass a dense array")
    if isinstance(value, Mapping):
        raise InvalidArgumentError(f"{name} must be an array, got a {_type_name(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real: Complex data not supported, got dtype "
                         f"{arr.dtype}")
    if arr.dtype.kind in "USVMm":
        raise ValueError(f"{name} must be numeric, got an array of dtype {arr.dtype}")
    if arr.dtype.kind == "O":
        flat = arr.reshape(-1)
        if any(isinstance(v, (str, bytes, complex)) for v in flat):
            raise ValueError(f"{name} must be numeric, got an object array holding strings "
                             "or complex numbers")
        try:
            np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"{name} must be a numeric array: {exc}") from exc


def float_array(value, name: str, *, ndim: int | None = None, min_rows: int = 0,
                min_cols: int = 0, n_cols: int | None = None, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array after checks that each name ``name``.

    Refuses what `reject_strings` refuses, the wrong number of dimensions, fewer than
    ``min_rows`` rows (first axis), fewer than ``min_cols`` or other than ``n_cols`` columns
    (second axis), and, with ``finite``, NaN or inf.
    """
    reject_strings(value, name)
    arr = np.asarray(value, dtype=np.float64)
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


def check_array(X, name: str = "X", *, dtype=np.float64, min_samples: int = 2,
                n_features: int | None = None, estimator=None) -> np.ndarray:
    """Validate a 2-D finite real array (n_samples, n_features) and return it as ``dtype``.

    Parameters
    ----------
    X : array-like
        The samples.
    name : str, default="X"
        The argument's name, used in every message.
    dtype : numpy dtype, default=float64
        Returned dtype.
    min_samples : int, default=2
        Fewest rows accepted.
    n_features : int, optional
        Number of columns required (the width seen in ``fit``).
    estimator : object, optional
        Named in the wrong-width message (scikit-learn's wording).

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, has fewer than ``min_samples`` rows, no column or the wrong
        number of columns, contains NaN or inf, or holds strings, bytes, complex numbers or
        non-numeric objects (`reject_strings`; for objects an `InvalidArgumentError`).
        The message names ``name``.
    """
    reject_strings(X, name)
    arr = np.asarray(X, dtype=dtype)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}: "
                         "Reshape your data (X.reshape(-1, 1) for a single feature, "
                         "X.reshape(1, -1) for a single sample)")
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} samples, got "
                         f"n_samples={arr.shape[0]}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} needs at least one feature: 0 feature(s) (shape="
                         f"{arr.shape}) while a minimum of 1 is required.")
    if n_features is not None and arr.shape[1] != n_features:
        who = type(estimator).__name__ if estimator is not None else "this method"
        raise ValueError(f"{name} has {arr.shape[1]} features, but {who} is expecting "
                         f"{n_features} features as input")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def check_labels(y, n_samples: int, name: str = "y", *, min_classes: int = 2) -> np.ndarray:
    """Validate a 1-D label vector matching ``n_samples`` rows with at least two classes.

    Returns the labels re-coded as ``0..K-1`` (int64) in sorted order of the original values.
    """
    if y is None:
        raise ValueError(f"this method requires y to be passed, but the target {name} is None")
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.shape[0] != n_samples:
        raise ValueError(f"{name} has length {arr.shape[0]}, but X has {n_samples} samples")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    classes, codes = np.unique(arr, return_inverse=True)
    if classes.size < min_classes:
        raise ValueError(
            f"{name} needs at least {min_classes} classes, got {classes.size} ({classes.tolist()})"
        )
    return codes.astype(np.int64)


# Largest |x| range float32 training accepts. A loss summing squared errors over a batch:
# with |x| <= 1e15 the squares (<= 1e30) summed over up to 1e8 batch entries stay below
# float32's maximum 3.4e38, and with |x| >= 1e-15 they (>= 1e-30) stay far above its smallest
# normal number 1.2e-38. Outside, 1e150 overflows to inf and 1e-150 underflows to 0: NaN or
# a model of all-zero data, silently.
FLOAT32_SCALE_RANGE = (1e-15, 1e15)


def check_float32_range(X: np.ndarray, dtype, name: str = "X") -> None:
    """ValueError naming ``name`` when float32 training cannot represent ``X``.

    ``max |x|`` must lie in `FLOAT32_SCALE_RANGE` (1e-15 .. 1e15) for ``dtype`` float32;
    all-zero data pass, and float64 training takes any finite data.
    """
    if np.dtype(dtype) != np.float32:
        return
    low, high = FLOAT32_SCALE_RANGE
    mag = float(np.abs(X).max())
    if mag > 0 and not low <= mag <= high:
        raise ValueError(
            f"{name} has largest |value| {mag:.3g}, outside [{low:g}, {high:g}] where float32 "
            "training neither overflows nor underflows: rescale X or pass dtype='float64'"
        )


# ----------------------------------------------------------------------------------------
# Estimators
# ----------------------------------------------------------------------------------------

def check_random_state(random_state) -> np.random.Generator:
    """Turn ``random_state`` into a `numpy.random.Generator` without touching global state.

    ``None`` gives fresh OS entropy; an int or `SeedSequence` seeds a new generator; a
    `Generator` is returned as is (and advanced by whoever draws from it).
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative int, got {random_state}")
        return np.random.default_rng(int(random_state))
    raise InvalidArgumentError(
        "random_state must be None, an int, a numpy SeedSequence or Generator, "
        f"got {_type_name(random_state)}"
    )


def check_is_fitted(estimator, attribute: str = "n_features_in_") -> None:
    """Raise `NotFittedError` (a scikit-learn NotFittedError and a RuntimeError) when
    ``estimator`` has no ``attribute`` yet, i.e. ``fit`` has not been called."""
    if not hasattr(estimator, attribute):
        raise NotFittedError(f"{type(estimator).__name__} is not fitted yet: call fit first")
