"""Whether two records hold the same numbers, when they were computed on two machines.

The same code, arguments and seeds give bit-identical numbers on one machine, but not on
two: OpenBLAS picks its kernels by processor (and numpy its SIMD loops), so a reduction sums
in another order and the last bits differ. A committed number (``reports/references.json``,
a results.json written elsewhere) is therefore compared with a fresh one by

- **verdicts and counts exactly**: a check's ``passed``, statuses, integers, strings;
- **floats within a relative tolerance** `REL_TOL` (``|a - b| <= REL_TOL max(|a|, |b|)``);
- **a quantity at float64 rounding level by its bound, not its value**: a family declares
  (`benchmarks.families.Family.rounding_level`, a `RoundingLevel` or a tuple of them per
  name) the metrics,
  checks and per-seed fields whose value, below a stated bound, is rounding noise (e.g. the
  class-mean gap an exact eraser leaves, read as a fraction of the check's bound: 3e-9 on one
  processor, 9e-9 on another). Two such values both at or below the bound are equal for
  every purpose; the verdict of the check that reads them is compared exactly. A ratio of
  two rounding-level numbers (the gap after erasure over a gap before that was itself
  rounding) is noise of order 1: its rule names the metric whose size decides (``of``).

Wall-clock timings (`TIMING_FIELDS`) are not the method's output and are skipped.

``python -m benchmarks.record_numbers OLD.json NEW.json`` compares two results documents
cell by cell (every metric, check and per-seed number) and prints the differences.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from benchmarks.cell_store import TIMING_FIELDS

# Relative tolerance for a float computed on two processors. float64 reductions of the
# suite's sizes (sums of 1e3-1e5 terms, LAPACK factorisations of d <= 256) differ across
# BLAS kernels by ~1e-15 to 1e-13 relative (measured: 2e-14 on the random truth-like band's
# std, 5e-16 on a distortion); 1e-9 leaves four decades above that and stays six decades
# below any change of a method's behaviour worth seeing (the regression guard's smallest
# tolerances are 1e-3).
REL_TOL = 1e-9
# Below the smallest normal float64 a number has no relative precision left (a 0.0 and the
# subnormal one ulp away): two such numbers are both zero.
ZERO = sys.float_info.min


@dataclass(frozen=True)
class RoundingLevel:
    """Where a named quantity is float64 rounding noise: where ``|x| <= bound`` in both
    records, ``x`` being the quantity itself or, with ``of``, the value of the record's
    metric ``of`` (for a ratio whose denominator decides)."""

    bound: float
    of: str | None = None


def floats_close(a: float, b: float, rel_tol: float = REL_TOL) -> bool:
    """``|a - b| <= rel_tol max(|a|, |b|)``, or both below `ZERO` in magnitude; NaN equals
    NaN, infinities equal themselves."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    big = max(abs(a), abs(b))
    return big < ZERO or abs(a - b) <= rel_tol * big


def _rules(entry) -> tuple[RoundingLevel, ...]:
    if entry is None:
        return ()
    return (entry,) if isinstance(entry, RoundingLevel) else tuple(entry)


def _is_noise(a: float, b: float, path: tuple, rounding_level: Mapping[str, RoundingLevel],
              roots: tuple) -> bool:
    """Whether ``a`` and ``b`` at ``path`` are both rounding noise by a rule of a name on
    the path (a name may have several rules: any one suffices)."""
    rules = [rule for name in path if isinstance(name, str)
             for rule in _rules(rounding_level.get(name))]
    for rule in rules:
        if rule.of is None:
            sizes = (a, b)
        else:
            sizes = tuple((root.get("metrics") or {}).get(rule.of, {}).get("value", math.inf)
                          for root in roots)
        if all(abs(x) <= rule.bound for x in sizes):
            return True
    return False


def differences(a, b, rounding_level: Mapping[str, RoundingLevel] | None = None,
                rel_tol: float = REL_TOL, path: tuple = (), roots: tuple = ()) -> list[str]:
    """Where ``a`` and ``b`` (nested dicts, lists and scalars of a record) differ.

    Parameters
    ----------
    a, b : dict, list or scalar
        The stored and the fresh value.
    rounding_level : mapping of str to RoundingLevel, optional
        Names (dict keys anywhere on a value's path: a metric, a check, a per-seed field)
        whose values are rounding noise where their rule says: two such values are equal.
    rel_tol : float
        `REL_TOL` unless stated.
    path : tuple
        Where ``a`` sits (for the messages).
    roots : tuple of dict
        The two whole records (for rules with ``of``); by default ``(a, b)``.

    Returns
    -------
    list of str
        One line per difference, ``"<path>: <a> != <b>"``; empty when they hold the same
        numbers. Booleans, integers, strings and None are compared exactly, and so are the
        keys of every dict; fields named in `TIMING_FIELDS` are skipped.
    """
    rounding_level = rounding_level or {}
    roots = roots or (a, b)
    where = "/".join(str(p) for p in path) or "<record>"
    if isinstance(a, dict) and isinstance(b, dict):
        keys_a, keys_b = set(a) - set(TIMING_FIELDS), set(b) - set(TIMING_FIELDS)
        if keys_a != keys_b:
            return [f"{where}: keys differ: only stored {sorted(keys_a - keys_b)}, "
                    f"only fresh {sorted(keys_b - keys_a)}"]
        return [line for k in sorted(keys_a, key=str)
                for line in differences(a[k], b[k], rounding_level, rel_tol, path + (k,), roots)]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return [f"{where}: lengths differ: {len(a)} != {len(b)}"]
        return [line for i, (x, y) in enumerate(zip(a, b, strict=True))
                for line in differences(x, y, rounding_level, rel_tol, path + (i,), roots)]
    if _is_float(a) and _is_float(b) and (isinstance(a, float) or isinstance(b, float)):
        if _is_noise(a, b, path, rounding_level, roots):
            return []
        return [] if floats_close(float(a), float(b), rel_tol) else [f"{where}: {a!r} != {b!r}"]
    if type(a) is not type(b) or a != b:
        return [f"{where}: {a!r} != {b!r}"]
    return []


def _is_float(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def record_differences(stored: dict, fresh: dict, rounding_level: Mapping[str, RoundingLevel],
                       rel_tol: float = REL_TOL, seeds: bool = False) -> list[str]:
    """Differences of two records of one cell: status, every check (verdict exactly; value
    and threshold by `differences`), every metric estimate and, with ``seeds``, every
    per-seed number."""
    fields = ("status", "error", "checks", "metrics") + (("seeds",) if seeds else ())
    return [line for f in fields
            for line in differences(stored.get(f), fresh.get(f), rounding_level, rel_tol,
                                    (f,), (stored, fresh))]


def compare_documents(old: dict, new: dict, rel_tol: float = REL_TOL) -> list[str]:
    """Every difference between two results documents, cell by cell (per-seed numbers
    included), each family's `Family.rounding_level` applied; cells present in one only are
    differences too."""
    from benchmarks.registry import FAMILIES

    def by_key(doc):
        return {(r["family"], r["method"], r["generator"]): r for r in doc["records"]}

    a, b = by_key(old), by_key(new)
    out = [f"{'/'.join(k)}: only in the first document" for k in sorted(set(a) - set(b))]
    out += [f"{'/'.join(k)}: only in the second document" for k in sorted(set(b) - set(a))]
    for key in sorted(set(a) & set(b)):
        family = FAMILIES.get(key[0])
        level = family.rounding_level if family is not None else {}
        out += [f"{'/'.join(key)}: {line}" for line in
                record_differences(a[key], b[key], level, rel_tol, seeds=True)]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.record_numbers",
                                description="compare two results.json documents cell by cell "
                                            "(floats within a relative tolerance, verdicts "
                                            "exactly)")
    p.add_argument("old", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--rel-tol", type=float, default=REL_TOL)
    args = p.parse_args(argv)
    old, new = (json.loads(path.read_text()) for path in (args.old, args.new))
    lines = compare_documents(old, new, args.rel_tol)
    n = len({(r["family"], r["method"], r["generator"]) for r in old["records"]})
    for line in lines:
        print(line)
    print(f"{n} cells compared at relative tolerance {args.rel_tol:g}: "
          f"{len(lines)} differences", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    raise SystemExit(main())
