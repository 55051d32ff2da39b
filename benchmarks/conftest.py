"""Parametrisation of the benchmark grid: method x generator x seed, and x check."""

from __future__ import annotations

import pytest

from benchmarks.grid import build_grid

_GRIDS: dict = {}


def grid_for(config, family: str):
    """Cells of ``family`` selected by the command-line options (built once per session)."""
    key = "cells"
    if key not in _GRIDS:
        opts = config.option
        _GRIDS[key] = build_grid(opts.profile, methods=opts.method, family=opts.family)
    return [c for c in _GRIDS[key] if c.family == family]


def parametrize_family(metafunc, family: str, check_names) -> None:
    """Parametrise ``<family>_seed_case`` and ``<family>_check_case`` fixtures."""
    cells = grid_for(metafunc.config, family)
    if f"{family}_seed_case" in metafunc.fixturenames:
        params = [pytest.param((cell, seed), id=f"{cell.id}-seed{seed}",
                               marks=pytest.mark.xdist_group(cell.id))
                  for cell in cells for seed in cell.profile.seeds]
        metafunc.parametrize(f"{family}_seed_case", params)
    if f"{family}_check_case" in metafunc.fixturenames:
        params = []
        for cell in cells:
            findings = cell.method.builtin and _findings(cell)
            for check in check_names:
                marks = [pytest.mark.xdist_group(cell.id)]
                if findings and check in findings:
                    marks.append(pytest.mark.xfail(strict=True, reason=findings[check]))
                params.append(pytest.param((cell, check), id=f"{cell.id}-{check}", marks=marks))
        metafunc.parametrize(f"{family}_check_case", params)


def _findings(cell):
    from benchmarks.expected_findings import expected_findings_for

    return expected_findings_for(cell)


def pytest_generate_tests(metafunc):
    from benchmarks.families import FAMILIES

    for name, fam in FAMILIES.items():
        parametrize_family(metafunc, name, fam.check_names)
