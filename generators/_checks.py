"""Argument checks shared by the generators."""

from __future__ import annotations


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as int, or raise a ValueError naming ``name`` if below ``minimum``."""
    if isinstance(value, bool) or not float(value).is_integer() or int(value) < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive_float(value, name: str, *, allow_zero: bool = False) -> float:
    """Return ``value`` as float, or raise a ValueError naming ``name`` if not > 0 (>= 0)."""
    val = float(value)
    ok = val >= 0 if allow_zero else val > 0
    if not ok or val != val:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {bound}, got {value!r}")
    return val
