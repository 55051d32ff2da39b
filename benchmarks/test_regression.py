"""Regression guard: no guarded score of a cell is worse than its baseline's interval.

Runs against ``reports/baseline.json`` for the built-in grid, or ``--baseline PATH``
(for example a user's own method); the rule is in `benchmarks.regression_guard`. Cells better than
the baseline beyond it are listed in the terminal summary, so the baseline can be raised, and
so are scores worse than seed-to-seed scatter explains but within the guard's tolerance
("worse, within tolerance"), which never fail.
"""

from __future__ import annotations

import pytest

from benchmarks.baseline_target import write_baseline_command
from benchmarks.coverage import rebaseline_command
from benchmarks.regression_guard import compare, worse_within_tolerance


def missing_entry_message(cell, baseline: str | None) -> str:
    """What to run when ``cell`` has no entry in the baseline it is guarded against: for a
    built-in cell, the command that adds its entry to the suite's baseline; for a user's
    method or generator, the one that adds it to the user's own file (never the suite's)."""
    if cell.method.builtin and cell.generator.builtin:
        fix = rebaseline_command([(cell.family, cell.method.name, cell.generator.name)])
    else:
        fix = write_baseline_command([] if cell.method.builtin else [cell.method.name],
                                     baseline, cell.family, merge=True,
                                     generators=[] if cell.generator.builtin
                                     else [cell.generator.name])
    return (f"{cell.family} {cell.id}: no baseline entry for this cell; if the cell is new, "
            f"write its entry with `{fix}`")


def test_no_regression(regression_case, cell_cache, request):
    """Every guarded score of the cell is within or better than its baseline interval."""
    cell, base = regression_case
    if base is None:
        pytest.fail(missing_entry_message(cell, request.config.option.baseline))
    record = cell_cache.get(cell)
    assert record["status"] == "ok", f"{cell.id} is an error cell: {record['error']}"
    changes = compare(record, base)
    cell_cache.improvements.extend(
        f"{cell.family} {cell.id}: {c.message()}" for c in changes if not c.worse)
    cell_cache.within_tolerance.extend(
        f"{cell.family} {cell.id}: {d.message()}" for d in worse_within_tolerance(record, base))
    worse = [c.message() for c in changes if c.worse]
    assert not worse, f"{cell.family} {cell.id} regressed: " + "; ".join(worse)

