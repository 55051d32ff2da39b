"""Where a run writes its regression baseline, what it may overwrite, and the command a
message suggests for writing one.

The suite's own baseline (``reports/baseline.json``) holds every built-in cell, measured at
60 seeds; only a built-in run writes it. A run with ``--method`` writes the user's own file:
``--write-baseline PATH``, or ``OUT/baseline.json`` beside the report when no path is given,
never the suite's. A file that already holds entries of cells the run does not score (other
methods, other families) is overwritten only with ``--merge-baseline``, which replaces or adds
this run's entries and keeps the others. All of it is decided before any cell runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from benchmarks.regression_guard import DEFAULT_BASELINE, load_baseline
from benchmarks.shell import readable_join

# ``--write-baseline`` given without a path (argparse's ``const``).
NO_PATH = Path("<default>")
# Seeds a baseline is measured at: the guard's rule is sharper with more (README recipe).
BASELINE_SEEDS = 60


def is_suite_baseline(path: Path) -> bool:
    """Whether ``path`` is the suite's own committed baseline."""
    return Path(path).resolve() == DEFAULT_BASELINE.resolve()


def baseline_target(requested: Path | None, methods: list[str], out: Path,
                    generators: Iterable[str] = ()) -> Path | None:
    """The file a run writes its baseline to (None: it writes none).

    A ``--generator`` run is the user's as a ``--method`` run is (``generators``).

    Raises
    ------
    ValueError
        For a ``--method`` or ``--generator`` run asked to write the suite's own baseline.
    """
    if requested is None:
        return None
    if not methods and not list(generators):
        return DEFAULT_BASELINE if requested == NO_PATH else Path(requested)
    if requested == NO_PATH:
        return Path(out) / "baseline.json"
    if is_suite_baseline(requested):
        raise ValueError(
            f"--write-baseline {requested}: that is the suite's own baseline of the built-in "
            "methods, which a --method or --generator run never writes; give a path of your own, "
            "e.g. "
            "--write-baseline my_baseline.json")
    return Path(requested)


def check_overwrite(path: Path, keys: Iterable[tuple], merge: bool) -> None:
    """Refuse to replace a baseline that holds entries of cells other than ``keys``.

    Raises
    ------
    ValueError
        When ``path`` holds such entries and ``merge`` is false, naming how many, a few of
        them, and the two ways on (``--merge-baseline``, another path); when ``path`` exists
        but is not a baseline (`load_baseline`'s error).
    """
    path = Path(path)
    if merge or not path.exists():
        return
    others = sorted(set(load_baseline(path)) - set(keys))
    if others:
        shown = ", ".join("/".join(map(str, k[:3])) for k in others[:3])
        raise ValueError(
            f"--write-baseline {path}: the file holds {len(others)} entries of cells this run "
            f"does not score (e.g. {shown}); writing it would lose them. Pass --merge-baseline "
            "to replace or add this run's entries and keep the others, or choose another path")


def write_baseline_command(methods: Iterable[str] = (), path: Path | str | None = None,
                           family: str | None = None, merge: bool = False,
                           n_seeds: int = BASELINE_SEEDS, generators: Iterable[str] = ()
                           ) -> str:
    """The command that writes a baseline for a run of ``methods`` and ``generators``
    (none: built-in).

    A built-in run rewrites the suite's baseline; a ``--method`` or ``--generator`` run
    writes ``path`` (the user's own file, ``my_baseline.json`` when none is known), with
    ``--merge-baseline`` when that file holds other cells too.
    """
    gens = list(generators)
    user = list(methods)
    argv = ["python", "-m", "reports"]
    for m in user:
        argv += ["--method", m]
    for g in gens:
        argv += ["--generator", g]
    methods = user + gens  # a user's run, either way
    if family and methods:
        argv += ["--family", family]
    argv += ["--n-seeds", str(n_seeds), "--write-baseline"]
    if methods:
        argv.append(str(path or "my_baseline.json"))
    elif path is not None and not is_suite_baseline(path):
        argv.append(str(path))
    if merge:
        argv.append("--merge-baseline")
    if not methods:
        argv += ["--out", "/tmp/baseline-run"]
    return readable_join(argv)
