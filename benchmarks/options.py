"""The command-line options shared by pytest, the report CLI and the false-alarm tool.

Each option is declared once, here, with argparse keywords (pytest's ``addoption`` takes
the same); `add_options` puts a chosen set on a parser. A tool that needs another default
(the false-alarm tool's first seed) says so with `Option.but`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from benchmarks.profiles import PROFILES
from benchmarks.registry import FAMILY_NAMES


@dataclass(frozen=True)
class Option:
    """One command-line option: its flag and its argparse keywords."""

    flag: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def but(self, **kwargs: Any) -> Option:
        """This option with some keywords replaced (e.g. another ``default``)."""
        return dataclasses.replace(self, kwargs={**self.kwargs, **kwargs})


PROFILE = Option("--profile", dict(
    default="quick", choices=tuple(PROFILES),
    help="grid scale: quick (CI, minutes on 2 cores) or full (paper scale)"))
METHOD = Option("--method", dict(
    action="append", default=[],
    help="a user method 'pkg.module:Class' or 'path/to/file.py:Class' (repeatable); "
         "replaces the built-in methods"))
GENERATOR = Option("--generator", dict(
    action="append", default=[], metavar="PKG.MOD:FACTORY(K=V)",
    help="a user generator 'pkg.module:factory(k=v)' or 'path/to/file.py:factory' "
         "(repeatable): called as factory(**kwargs, random_state=<SeedSequence>, split=<int>) "
         "plus its family's size keywords, it returns a generators.dataset.Dataset with its "
         "ground truth; replaces the built-in generators (the methods are the family's "
         "built-in ones, or the --method ones); docs/your-generator.md"))
EXPECT_FAIL = Option("--expect-fail", dict(
    action="append", default=[], metavar="CHECK@GENERATOR=REASON",
    help="a known failure of your --method (repeatable), or a file of such lines: a strict "
         "xfail, listed in the report as your declared finding; GENERATOR * means all; "
         "CHECK@GENERATOR~=REASON declares a seed-dependent one (a non-strict xfail)"))
NO_REFERENCES = Option("--no-references", dict(
    action="store_true",
    help="do not show the reference methods beside --method (by default read from "
         "reports/references.json, or scored for other seeds and profiles)"))
NO_STUDIES = Option("--no-studies", dict(
    action="store_true",
    help="skip the families' studies (feature-count ladder, matched-L0 comparison): the "
         "grid's cells only"))
FAMILY = Option("--family", dict(
    default=None, choices=FAMILY_NAMES,
    help="family of --method and --generator (inferred when omitted: a method's from its "
         "interface, a generator's from the Dataset it returns), or the only family to run"))
FIRST_SEED = Option("--first-seed", dict(
    type=int, default=0,
    help="first grid seed (other seeds: other data, method and probe streams)"))
N_SEEDS = Option("--n-seeds", dict(
    type=int, default=None, help="seeds per cell (default: the profile's)"))
BASELINE = Option("--baseline", dict(
    default=None,
    help="baseline to guard against (default for the built-in grid: reports/baseline.json)"))
# Every core this process may use (its CPU affinity, not the machine's count).
USABLE_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
    os.cpu_count() or 1)
JOBS = Option("--jobs", dict(
    type=int, default=USABLE_CORES,
    help=f"local worker processes, BLAS held to one thread in each (default: every usable "
         f"core, {USABLE_CORES} here; 1 runs the cells in this process)"))
RESUME = Option("--resume", dict(
    action="store_true",
    help="keep the finished cells in OUT/cells and run only the others (and the cells "
         "whose file is damaged or whose worker died)"))


def add_options(parser: Any, *options: Option) -> None:
    """Declare ``options`` on an `argparse.ArgumentParser` or a pytest option group."""
    add = parser.addoption if hasattr(parser, "addoption") else parser.add_argument
    for option in options:
        add(option.flag, **option.kwargs)
