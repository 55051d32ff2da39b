"""pytest options of the benchmark grid, and the score table in the terminal summary.

``pytest benchmarks/`` runs the built-in grid on the quick profile;
``--profile full`` runs paper scale; ``--method pkg.mod:Class`` (repeatable) runs a
user's method instead, with ``--family`` where its interface does not say which family.
"""

from __future__ import annotations

import pytest

from benchmarks.cells import CellCache


def pytest_addoption(parser):
    group = parser.getgroup("toyground")
    group.addoption("--profile", default="quick", choices=("quick", "full"),
                    help="grid scale: quick (CI, minutes on 2 cores) or full (paper scale)")
    group.addoption("--method", action="append", default=[],
                    help="a user method 'pkg.module:Class' or 'path/to/file.py:Class' "
                         "(repeatable); replaces the built-in methods")
    group.addoption("--family", default=None, choices=("erasure", "sparse", "truth"),
                    help="family of --method (inferred from its interface when omitted), "
                         "or the only family to run")


CACHE_KEY = pytest.StashKey[CellCache]()


def pytest_configure(config):
    config.stash[CACHE_KEY] = CellCache()


@pytest.fixture(scope="session")
def cell_cache(request) -> CellCache:
    """Records of the cells run in this session (one run per cell, shared by its tests)."""
    return request.config.stash[CACHE_KEY]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    records = config.stash[CACHE_KEY].records()
    if not records:
        return
    from benchmarks.results import format_table

    terminalreporter.write_sep("=", "toyground scores (held-out; leakage = balanced acc - chance)")
    terminalreporter.write_line(format_table(records))
