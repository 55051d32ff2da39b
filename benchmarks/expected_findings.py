"""Known weaknesses of the built-in methods, as data: (method, generator, check) -> reason.

Two tables, each assembled from the families' own (``findings`` and ``variable_findings`` of
each `benchmarks.families.Family`, written in ``benchmarks/<family>/findings.py``):

- ``EXPECTED_FINDINGS``: checks that fail on every seed set measured (``python -m
  reports.findings_stability``), applied as ``pytest.mark.xfail(strict=True)``: if the
  weakness disappears, the test fails and says so. The report prints them with the
  numbers measured in its own run.
- ``VARIABLE_FINDINGS``: checks whose outcome depends on the seed set (they pass on some
  disjoint 3-seed sets and fail on others, or they hinge on floating-point details, so
  another machine can flip them), applied as a NON-strict xfail: the test cannot fail on
  luck, and the reason states the measured pass rate. The report prints them as a rate.

A key is in at most one table (``tests/test_findings_stability.py``).

Both were measured at one scale, the family's `benchmarks.families.MeasuredAt` (the quick
profile at its seeds 0-2, with their stability over other seed sets stated in each
reason). Only a run at that scale enforces them. At any other profile or seeds a built-in
method's findings, strict and variable alike, go to ``other_scale_findings``: reported,
holding or not with the measured value, as non-strict xfails that cannot fail the run, so
that a run at a user's own scale is red only for real failures.
"""

from __future__ import annotations

from benchmarks.declared_findings import split_declared
from benchmarks.families import FindingKey as Key
from benchmarks.registry import FAMILIES

EXPECTED_FINDINGS: dict[Key, str] = {
    key: reason for fam in FAMILIES.values() for key, reason in fam.findings.items()}
VARIABLE_FINDINGS: dict[Key, str] = {
    key: reason for fam in FAMILIES.values() for key, reason in fam.variable_findings.items()}


def _for(table: dict[Key, str], method: str, generator: str) -> dict[str, str]:
    return {check: reason for (m, g, check), reason in table.items()
            if m == method and g == generator}


def at_measured_scale(cell) -> bool:
    """Whether the cell runs at the scale its family's findings were measured at."""
    return FAMILIES[cell.family].findings_measured_at.covers(cell.profile)


def expected_findings_for(cell) -> dict[str, str]:
    """``check -> reason`` of the strict findings for the cell's method and generator:
    the family's table for a built-in method at the measured scale (none elsewhere), the
    user's declarations (``--expect-fail``, `benchmarks.declared_findings`) for a user's
    method, at any scale."""
    if not cell.method.builtin:
        return _declared(cell, strict=True)
    if not at_measured_scale(cell):
        return {}
    return _for(EXPECTED_FINDINGS, cell.method.name, cell.generator.name)


def _declared(cell, strict: bool) -> dict[str, str]:
    """A user cell's declared findings (``--expect-fail``), strict or seed-dependent."""
    table = split_declared(cell.method.findings)[0 if strict else 1]
    return {check: reason for (g, check), reason in table.items() if g == cell.generator.name}


def variable_findings_for(cell) -> dict[str, str]:
    """``check -> reason`` of the seed-dependent findings (non-strict xfails): a built-in
    cell's at the measured scale, a user cell's declared with ``check@generator~=reason``."""
    if not cell.method.builtin:
        return _declared(cell, strict=False)
    if not at_measured_scale(cell):
        return {}
    return _for(VARIABLE_FINDINGS, cell.method.name, cell.generator.name)


def other_scale_findings_for(cell) -> dict[str, str]:
    """``check -> reason`` of a built-in cell's findings, strict and variable, when the cell
    runs at another scale than they were measured at: reported, not enforced. The reason
    says where it was measured."""
    if not cell.method.builtin or at_measured_scale(cell):
        return {}
    where = FAMILIES[cell.family].findings_measured_at.text()
    found = {**_for(VARIABLE_FINDINGS, cell.method.name, cell.generator.name),
             **_for(EXPECTED_FINDINGS, cell.method.name, cell.generator.name)}
    return {check: f"measured at {where}, not enforced at this scale: {reason}"
            for check, reason in found.items()}
