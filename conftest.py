"""pytest options of the benchmark grid, and the score table in the terminal summary.

``pytest benchmarks/`` runs the built-in grid on the quick profile;
``--profile full`` runs paper scale; ``--method pkg.mod:Class`` (repeatable) runs a
user's method instead, with ``--family`` where its interface does not say which family;
``--generator pkg.mod:factory`` (repeatable) a user's generator instead of the built-in ones.
With pytest-xdist (``-n auto``) every test of a cell runs on the same worker
(``--dist loadgroup``), so a cell is computed once; the workers send their records to
the controller for the score table and ``--results-json``.
"""

from __future__ import annotations

import json

import pytest

from benchmarks import options
from benchmarks.cells import CellCache


def pytest_addoption(parser):
    group = parser.getgroup("toyground")
    options.add_options(group, options.PROFILE, options.METHOD, options.GENERATOR,
                        options.EXPECT_FAIL,
                        options.NO_REFERENCES, options.FAMILY, options.FIRST_SEED,
                        options.N_SEEDS, options.BASELINE)
    group.addoption("--results-json", default=None,
                    help="write the records of the cells run in this session to this file")
    group.addoption("--speed-gates", action="store_true", default=False,
                    help="fail a speed benchmark whose ratio stays beyond its bar after "
                         "re-measurement (default: a SpeedRatioWarning, not a failure)")


CACHE_KEY = pytest.StashKey[CellCache]()
WORKER_RECORDS = pytest.StashKey[list]()
SPEED_ROWS = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[CACHE_KEY] = CellCache()
    config.stash[WORKER_RECORDS] = []
    config.stash[SPEED_ROWS] = []
    # xdist turned -n N into --dist load: keep each cell's tests on one worker instead.
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"
    # A worker rebuilds its options from the command line: tell it, so that it tags test
    # ids with their group (what loadgroup scheduling reads).
    if getattr(config, "workerinput", {}).get("toyground_loadgroup"):
        config.option.loadgroup = True


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    node.workerinput["toyground_loadgroup"] = node.config.option.dist == "loadgroup"


@pytest.fixture(scope="session")
def cell_cache(request) -> CellCache:
    """Records of the cells run in this session (one run per cell, shared by its tests)."""
    return request.config.stash[CACHE_KEY]


@pytest.fixture(scope="session")
def speed_rows(request) -> list:
    """Timings of the user's methods at their family's standard size (`test_user_speed`)."""
    return request.config.stash[SPEED_ROWS]


def pytest_sessionfinish(session):
    config = session.config
    if hasattr(config, "workeroutput"):
        config.workeroutput["toyground_records"] = json.dumps(
            config.stash[CACHE_KEY].records(), default=float)
        config.workeroutput["toyground_speed"] = json.dumps(config.stash[SPEED_ROWS])
        cache = config.stash[CACHE_KEY]
        config.workeroutput["toyground_guard_lists"] = json.dumps(
            {"improvements": cache.improvements, "within_tolerance": cache.within_tolerance})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    output = getattr(node, "workeroutput", {})
    if output.get("toyground_records"):
        node.config.stash[WORKER_RECORDS].extend(json.loads(output["toyground_records"]))
    if output.get("toyground_speed"):
        node.config.stash[SPEED_ROWS].extend(json.loads(output["toyground_speed"]))
    if output.get("toyground_guard_lists"):  # the regression guard's lines for the summary
        cache = node.config.stash[CACHE_KEY]
        lists = json.loads(output["toyground_guard_lists"])
        cache.improvements.extend(lists["improvements"])
        cache.within_tolerance.extend(lists["within_tolerance"])


def session_records(config) -> list[dict]:
    """Records of this session: this process's, or all workers' under xdist (one per cell)."""
    from benchmarks.results import record_key

    unique = {}
    for rec in config.stash[CACHE_KEY].records() + config.stash[WORKER_RECORDS]:
        unique[record_key(rec)] = rec
    return list(unique.values())


def _references(config, records: list[dict]) -> list[dict]:
    """Reference records for the families of the user's records (`benchmarks.references`)."""
    from benchmarks.conftest import user_generator_specs
    from benchmarks.profiles import get_profile
    from benchmarks.references import reference_records

    opts = config.option
    profile = get_profile(opts.profile, opts.first_seed, opts.n_seeds)
    return reference_records({r["family"] for r in records}, profile,
                             generators=user_generator_specs(config))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workeroutput"):
        return
    records = session_records(config)
    if not records:
        return
    from benchmarks.results import format_table, write_results

    if config.option.method and not config.option.no_references:
        records = records + _references(config, records)
    terminalreporter.write_sep("=", "toyground scores (held-out, pooled over seeds)")
    terminalreporter.write_line(format_table(records))
    speed = sorted(config.stash[SPEED_ROWS], key=lambda r: (r["family"], r["method"]))
    if speed:
        from benchmarks.user_speed import format_speed

        terminalreporter.write_sep("-", "speed of --method at its family's standard size "
                                        "(reported, not asserted)")
        terminalreporter.write_line(format_speed(speed))
    improved = config.stash[CACHE_KEY].improvements
    if improved:
        from benchmarks.baseline_target import write_baseline_command

        opts = config.option
        raise_it = write_baseline_command(opts.method, opts.baseline, opts.family,
                                          merge=bool(opts.method or opts.generator),
                                          generators=opts.generator)
        terminalreporter.write_sep("-", "better than the baseline beyond its uncertainty "
                                        f"(raise it: {raise_it})")
        for line in improved:
            terminalreporter.write_line(line)
    drifted = config.stash[CACHE_KEY].within_tolerance
    if drifted:
        terminalreporter.write_sep("-", "worse than the baseline beyond seed-to-seed scatter, "
                                        "within the guard's tolerance (not failed; "
                                        "benchmarks/regression_guard.py)")
        for line in drifted:
            terminalreporter.write_line(line)
    if config.option.results_json:
        from benchmarks.profiles import get_profile
        from benchmarks.provenance import provenance
        from benchmarks.registry import describe_families
        from benchmarks.shell import readable_join

        opts = config.option
        order = sorted(records, key=lambda r: (r["family"], r["method"], r["generator"]))
        seeds = get_profile(opts.profile, opts.first_seed, opts.n_seeds).seeds
        prov = provenance("python -m pytest " + readable_join(config.invocation_params.args),
                          list(seeds))
        path = write_results(order, opts.results_json, opts.profile, speed=speed,
                             families=describe_families({r["family"] for r in order}),
                             provenance=prov)
        terminalreporter.write_line(f"toyground records written to {path}")
