"""Argument checks shared by the generators.

One policy for every generator, so that a bad argument gets the same kind of error
wherever it is passed:

- counts (``n_samples``, ``n_features``, ...) must be Python or numpy integers. A float is
  refused with a TypeError even when integral (``3.0``): a float count is nearly always the
  result of a division somewhere upstream, and truncating it silently would change the
  data. ``bool`` is refused too (``True`` is an int to Python, never a count to a user).
- reals (scales, noise, probabilities) must be Python or numpy real numbers (ints
  included), finite, and inside their documented range; strings, ``None`` and ``bool``
  are refused with a TypeError, NaN and inf with a ValueError.
- flags must be ``bool`` (or ``numpy.bool_``): ``correlated="no"`` would otherwise be true.

Every message names the argument and says what was expected.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _type_name(value) -> str:
    return type(value).__name__


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int ``>= minimum``.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (floats, ``3.0`` included; bools; strings; None).
    ValueError
        If it is below ``minimum``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral,
                                                                     np.integer)):
        raise TypeError(f"{name} must be an int, got {_type_name(value)} {value!r}")
    if int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_real(value, name: str) -> float:
    """``value`` as a finite float; TypeError if not a real number, ValueError if NaN or inf."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real,
                                                                     np.integer,
                                                                     np.floating)):
        raise TypeError(f"{name} must be a real number, got {_type_name(value)} {value!r}")
    val = float(value)
    if not math.isfinite(val):
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


def check_bool(value, name: str) -> bool:
    """``value`` if it is a bool (or numpy bool), else a TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_type_name(value)} {value!r}")
    return bool(value)


def check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    """``value`` if it is one of the strings ``choices``, else a ValueError naming ``name``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value
