"""Known weaknesses of the built-in methods, as data: (method, generator, check) -> reason.

One table, assembled from one section per family (``benchmarks/<family>_findings.py``
defines ``FINDINGS``). Each entry is applied as ``pytest.mark.xfail(strict=True)``: if the
weakness disappears, the test fails and says so. The report prints this table with the
numbers measured in its own run.
"""

from __future__ import annotations

import importlib

from benchmarks.families import FAMILY_NAMES


def _load() -> dict[tuple[str, str, str], str]:
    table: dict[tuple[str, str, str], str] = {}
    for name in FAMILY_NAMES:
        try:
            module = importlib.import_module(f"benchmarks.{name}_findings")
        except ModuleNotFoundError as exc:
            if exc.name != f"benchmarks.{name}_findings":
                raise
            continue
        table.update(module.FINDINGS)
    return table


EXPECTED_FINDINGS: dict[tuple[str, str, str], str] = _load()


def expected_findings_for(cell) -> dict[str, str]:
    """``check -> reason`` for the cell's method and generator (empty if none)."""
    return {
        check: reason
        for (method, generator, check), reason in EXPECTED_FINDINGS.items()
        if method == cell.method.name and generator == cell.generator.name
    }
