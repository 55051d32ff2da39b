"""Parametrisation of the benchmark grid: method x generator x seed, and x check."""

from __future__ import annotations

import pytest

from benchmarks.grid import build_grid

_GRIDS: dict = {}


def grid_for(config, family: str | None):
    """Cells of ``family`` (all families: None) selected by the options (built once)."""
    key = "cells"
    if key not in _GRIDS:
        opts = config.option
        try:
            _GRIDS[key] = build_grid(opts.profile, methods=opts.method, family=opts.family,
                                     first_seed=opts.first_seed, n_seeds=opts.n_seeds,
                                     expect_fail=opts.expect_fail,
                                     generators=opts.generator)
        except ValueError as exc:  # a --method, --generator or --expect-fail the grid
            # cannot resolve
            raise pytest.UsageError(str(exc)) from None
    return [c for c in _GRIDS[key] if family is None or c.family == family]


def user_generator_specs(config) -> list:
    """The run's ``--generator`` specs, as the grid resolved them (none without it)."""
    if not config.option.generator:
        return []
    specs = {c.generator.name: c.generator for c in grid_for(config, None)}
    return list(specs.values())


def scoped(opts) -> bool:
    """Whether the run is scoped to the user's methods or generators (``--method``,
    ``--generator``): no built-in speed benchmarks, no baseline unless ``--baseline``."""
    return bool(getattr(opts, "method", None) or getattr(opts, "generator", None))


def parametrize_grid(metafunc) -> None:
    """Parametrise ``seed_case`` (cell, seed) and ``check_case`` (cell, check) over all cells."""
    from benchmarks.registry import get_family

    cells = grid_for(metafunc.config, None)
    if "seed_case" in metafunc.fixturenames:
        params = [pytest.param((cell, seed), id=f"{cell.id}-seed{seed}",
                               marks=pytest.mark.xdist_group(cell.id))
                  for cell in cells for seed in cell.profile.seeds]
        metafunc.parametrize("seed_case", params)
    if "check_case" in metafunc.fixturenames:
        params = []
        for cell in cells:
            findings, variable = _findings(cell)
            for check in get_family(cell.family).check_names:
                marks = [pytest.mark.xdist_group(cell.id)]
                if check in findings:
                    marks.append(pytest.mark.xfail(strict=True, reason=findings[check]))
                elif check in variable:  # seed-dependent or measured at another scale:
                    # may pass, may fail, never an error
                    marks.append(pytest.mark.xfail(strict=False, reason=variable[check]))
                params.append(pytest.param((cell, check), id=f"{cell.id}-{check}", marks=marks))
        metafunc.parametrize("check_case", params)


def _findings(cell) -> tuple[dict, dict]:
    """Strict and non-strict findings of a cell, check -> reason: strict ones are the
    user's declared findings and, at the scale they were measured at, a built-in method's;
    non-strict ones its seed-dependent findings there, and all its findings elsewhere."""
    from benchmarks.expected_findings import (
        expected_findings_for,
        other_scale_findings_for,
        variable_findings_for,
    )

    return expected_findings_for(cell), {**variable_findings_for(cell),
                                         **other_scale_findings_for(cell)}


def parametrize_regression(metafunc) -> None:
    """Parametrise ``regression_case`` with (cell, baseline record or None) pairs.

    The built-in grid is compared with ``reports/baseline.json``; a ``--method`` or
    ``--generator`` run only with an explicit ``--baseline``.
    """
    from benchmarks.regression_guard import DEFAULT_BASELINE, load_baseline

    opts = metafunc.config.option
    path = opts.baseline or (None if scoped(opts) else DEFAULT_BASELINE)
    cells = grid_for(metafunc.config, None) if path else []
    base = load_baseline(path) if path else {}
    params = [pytest.param((c, base.get(c.key)), id=f"{c.family}-{c.id}",
                           marks=pytest.mark.xdist_group(c.id)) for c in cells]
    metafunc.parametrize("regression_case", params)


def parametrize_user_speed(metafunc) -> None:
    """Parametrise ``user_speed_case`` with each user method's spec (none without --method)."""
    from benchmarks.grid import user_method_spec

    opts = metafunc.config.option
    specs = [user_method_spec(text, opts.family) for text in opts.method]  # names only
    metafunc.parametrize("user_speed_case", [pytest.param(s, id=s.name) for s in specs])


def pytest_generate_tests(metafunc):
    parametrize_grid(metafunc)
    if "regression_case" in metafunc.fixturenames:
        parametrize_regression(metafunc)
    if "user_speed_case" in metafunc.fixturenames:
        parametrize_user_speed(metafunc)


# Test files of the built-in methods alone, not collected when --method or --generator
# scopes the run to the user's methods or generators: the speed benchmarks (bars about the
# built-in methods, and a busy machine can fail them: not the user's finding), and the
# regression guard unless the user passes their own --baseline. The timing of each
# --method (test_user_speed.py) is collected only with --method.
# Every speed-benchmark file (test_speed.py, test_speed_architectures.py, ...).
BUILTIN_ONLY_PREFIX = "test_speed"


def pytest_ignore_collect(collection_path, config):
    opts = config.option
    if collection_path.name == "test_user_speed.py":
        return None if getattr(opts, "method", None) else True
    if not scoped(opts):
        return None
    if collection_path.name.startswith(BUILTIN_ONLY_PREFIX):
        return True
    if collection_path.name == "test_regression.py" and not opts.baseline:
        return True
    return None


def pytest_configure(config):
    # A --method or --generator run resolves its grid now, before collection: a string the
    # grid cannot resolve is one usage error (no traceback), as in python -m reports.
    if scoped(config.option) and not hasattr(config, "workerinput"):
        grid_for(config, None)
