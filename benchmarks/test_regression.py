"""Regression guard: no guarded score of a cell is worse than its baseline's interval.

Runs against ``reports/baseline.json`` for the built-in grid, or ``--baseline PATH``
(for example a user's own method); the rule is in `benchmarks.regression_guard`. Cells better than
the baseline beyond it are listed in the terminal summary, so the baseline can be raised, and
so are scores worse than seed-to-seed scatter explains but within the guard's tolerance
("worse, within tolerance"), which never fail.
"""

from __future__ import annotations

import pytest

from benchmarks.regression_guard import compare, worse_within_tolerance


def test_no_regression(regression_case, cell_cache):
    """Every guarded score of the cell is within or better than its baseline interval."""
    cell, base = regression_case
    if base is None:
        pytest.fail(f"{cell.family} {cell.id}: no baseline entry for this cell; rewrite the "
                    "baseline with `python -m reports --n-seeds 60 --write-baseline` if the "
                    "cell is new")
    record = cell_cache.get(cell)
    assert record["status"] == "ok", f"{cell.id} is an error cell: {record['error']}"
    changes = compare(record, base)
    cell_cache.improvements.extend(
        f"{cell.family} {cell.id}: {c.message()}" for c in changes if not c.worse)
    cell_cache.within_tolerance.extend(
        f"{cell.family} {cell.id}: {d.message()}" for d in worse_within_tolerance(record, base))
    worse = [c.message() for c in changes if c.worse]
    assert not worse, f"{cell.family} {cell.id} regressed: " + "; ".join(worse)

