"""Command line of the sanity-check report.

    python -m reports [--out DIR] [--profile quick|full] [--family F]
                      [--method pkg.mod:Class ...] [--generator pkg.mod:factory ...]
                      [--jobs N | --scheduler ADDRESS]
                      [--resume] [--no-studies] [--from results.json]

Writes ``DIR/results.json``, ``DIR/report.html`` (self-contained), ``DIR/report.md`` and
the PNG figures. Scores come from `benchmarks.cells.run_cell`, the same code path as
``pytest benchmarks/``; the families' studies (`reports.studies`) run after the grid
(built-in runs only: not with ``--method`` or ``--generator``; ``--no-studies`` skips
them); with ``--from`` nothing is rescored, only rendered. Each finished cell is written
to ``DIR/cells/`` at once; ``--resume`` keeps those and runs the rest.

Faults: a worker process that dies mid-cell is replaced and its cell started again (twice
in all on ``--jobs``; up to Dask's ``allowed-failures`` on ``--scheduler``), then the cell
becomes an error record saying the worker died and the grid goes on. ``--resume`` runs
again every cell whose file is missing, unreadable, fails its checksum, or records a worker
death. Ctrl-C stops the workers and exits with status 130 (SIGTERM likewise, status 143):
the finished cells stay in ``DIR/cells/``, and ``DIR/results.json`` is only ever written
whole, once every cell has a record, so after an interruption it is the previous complete
run's (or absent); the message printed says how to resume.
"""

from __future__ import annotations

import argparse
import fnmatch
import signal
import sys
import threading
import time
from pathlib import Path

from benchmarks import options
from benchmarks.baseline_target import NO_PATH, baseline_target, check_overwrite
from benchmarks.cell_store import CellRef, CellStore
from benchmarks.execution import run_cells
from benchmarks.grid import build_grid, user_method_spec
from benchmarks.profiles import get_profile
from benchmarks.progress import progress_bar, step
from benchmarks.provenance import provenance
from benchmarks.rebaseline import merge_entries
from benchmarks.references import covers, load_references, reference_records
from benchmarks.registry import FAMILIES, describe_families
from benchmarks.regression_guard import guard_summary, load_baseline, write_baseline
from benchmarks.results import (
    read_results,
    record_key,
    results_document,
    write_atomically,
    write_document,
)
from benchmarks.shell import readable_join
from benchmarks.user_speed import format_speed, measure_speed
from reports.figures import make_figures
from reports.render import render_html, render_markdown
from reports.studies import run_studies


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m reports", description=__doc__.split("\n")[0],
        epilog="Ctrl-C (or SIGTERM) keeps the finished cells in OUT/cells and leaves "
               "OUT/results.json as it was (results.json only ever holds a complete run); "
               "run the same command with --resume to finish. A worker that dies mid-cell "
               "is replaced and the cell retried, then recorded as an error.")
    p.add_argument("--out", type=Path, default=Path("reports/out"), help="output folder")
    options.add_options(p, options.PROFILE, options.FAMILY, options.METHOD, options.GENERATOR,
                        options.EXPECT_FAIL, options.NO_REFERENCES, options.NO_STUDIES)
    p.add_argument("--from", dest="source", type=Path, default=None,
                   help="render an existing results.json instead of running the grid")
    options.add_options(p, options.JOBS)
    p.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    options.add_options(p, options.N_SEEDS, options.FIRST_SEED)
    p.add_argument("--write-baseline", nargs="?", const=NO_PATH, default=None,
                   type=Path, metavar="PATH",
                   help="also write this run's scores as a regression baseline: for the "
                        "built-in grid by default the suite's reports/baseline.json; with "
                        "--method your own PATH (default OUT/baseline.json), never the "
                        "suite's. A file holding entries of other cells is refused unless "
                        "--merge-baseline")
    p.add_argument("--merge-baseline", action="store_true",
                   help="with --write-baseline: replace or add this run's entries in the "
                        "file and keep its other entries")
    p.add_argument("-k", dest="select", action="append", default=[], metavar="PATTERN",
                   help="run only the cells whose family/method/generator contains PATTERN "
                        "(or matches it, with * or ?); repeatable, any may match")
    p.add_argument("--baseline", type=Path, default=None, metavar="PATH",
                   help="hold this run's cells to a baseline (yours, or reports/baseline.json "
                        "for built-in cells): regressions, improvements and scores worse "
                        "within tolerance go in the report (pytest fails on regressions)")
    p.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                   help="show only this check (repeatable) in the verdicts, tables and "
                        "results.json; the others are not reported")
    p.add_argument("--no-speed", action="store_true",
                   help="skip timing each --method at its family's standard size")
    options.add_options(p, options.RESUME)
    return p


def _cells(args) -> list:
    cells = build_grid(args.profile, methods=args.method, family=args.family,
                       first_seed=args.first_seed, n_seeds=args.n_seeds,
                       expect_fail=args.expect_fail, generators=args.generator)
    cells = select_cells(cells, args.select)
    known = {name for c in cells for name in FAMILIES[c.family].check_names}
    if set(args.checks) - known:
        raise ValueError(f"--check {sorted(set(args.checks) - known)}: no such check in the "
                         f"run's families; known: {sorted(known)}")
    return cells


def only_checks(record: dict, checks: list[str]) -> dict:
    """``record`` with only the named checks (and their findings); all of them when none
    is named. The scores are untouched: a check is read from them, never recomputed."""
    if not checks:
        return record
    keep = set(checks)
    out = dict(record)
    for key in ("checks", "expected_findings", "variable_findings", "other_scale_findings"):
        if key in record:
            out[key] = {k: v for k, v in record[key].items() if k in keep}
    return out


def select_cells(cells: list, patterns: list[str]) -> list:
    """The cells whose ``family/method/generator`` contains one of ``patterns`` (a
    substring, or a shell pattern with ``*``/``?``): pytest's ``-k`` for the report."""
    if not patterns:
        return cells

    def name(c):
        return f"{c.family}/{c.method.name}/{c.generator.name}"

    chosen = [c for c in cells if any(
        fnmatch.fnmatchcase(name(c), p) if any(ch in p for ch in "*?[") else p in name(c)
        for p in patterns)]
    if not chosen:
        raise ValueError(f"-k {patterns}: no cell matches (cells are named "
                         f"family/method/generator, e.g. {name(cells[0])})")
    return chosen


def _refs(args) -> list[CellRef]:
    return [CellRef.of(c, args.method, args.family, args.generator) for c in _cells(args)]


def run_grid(args, cells: list | None = None) -> list[dict]:
    """Run every selected cell (locally, in processes or on Dask), with progress lines."""
    if args.jobs < 1:
        raise SystemExit(f"--jobs must be >= 1, got {args.jobs}")
    store = CellStore(args.out / "cells")
    cells = _cells(args) if cells is None else cells
    refs = [CellRef.of(c, args.method, args.family, args.generator) for c in cells]
    return run_cells(refs, jobs=args.jobs, scheduler=args.scheduler, store=store,
                     resume=args.resume)


def _references(args, records: list[dict], baseline_run: bool, cells: list) -> list[dict]:
    """The reference records beside a ``--method`` run's (`benchmarks.references`); on a
    ``--generator`` run's generators, scored now (no committed record holds them).

    A baseline run (``--write-baseline``) only reads them: at other seeds than the committed
    references' (or on a user's generators) they would be scored anew (at 60 seeds, minutes
    of cells the baseline does not need), so there they are left out, and the message says so.
    """
    profile = get_profile(args.profile, args.first_seed, args.n_seeds)
    if baseline_run and (args.generator or not covers(load_references(), profile)):
        print("references left out: this baseline run's cells are not those of the committed "
              "references, which would have to be scored anew (run without --write-baseline "
              "to see them beside your method)", file=sys.stderr)
        return []
    generators = {c.generator.name: c.generator for c in cells if not c.generator.builtin}
    return reference_records({r["family"] for r in records}, profile,
                             generators=list(generators.values()))


class Terminated(KeyboardInterrupt):
    """SIGTERM (a batch system's time limit, ``kill``), handled like Ctrl-C."""


def _raise_terminated(signum, frame):
    raise Terminated()


def _interrupted(args, argv: list[str], status: int = 130) -> int:
    """Say what an interrupted run kept and how to finish it; the exit status of Ctrl-C."""
    store = CellStore(args.out / "cells")
    refs = _refs(args)
    done = sum(store.load(ref) is not None for ref in refs)
    results = args.out / "results.json"
    kept = "left as it was" if results.exists() else "not written"
    again = [a for a in argv if a != "--resume"] + ["--resume"]
    print(f"\ninterrupted: {done} of {len(refs)} cells finished and are kept in "
          f"{store.folder}; {results} {kept} (it only ever holds a complete run).\n"
          f"To run the other {len(refs) - done} cells: python -m reports "
          f"{readable_join(again)}", file=sys.stderr, flush=True)
    return status


def _baseline_target(args, parser, cells: list | None) -> Path | None:
    """Where ``--write-baseline`` writes, checked before any cell runs (a user's run never
    writes the suite's baseline, nor silently drops another cell's entry)."""
    if args.merge_baseline and args.write_baseline is None:
        parser.error("--merge-baseline goes with --write-baseline")
    try:
        target = baseline_target(args.write_baseline, args.method, args.out, args.generator)
        if target is not None:
            keys = ([record_key(r) for r in read_results(args.source)["records"]
                     if not r.get("reference")] if args.source else [c.key for c in cells])
            check_overwrite(target, keys, args.merge_baseline)
    except ValueError as exc:
        parser.error(str(exc))
    return target


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser()
    args = parser.parse_args(argv)
    # Every --method and --generator (import, family, arguments; one call of each
    # generator's factory) and --expect-fail is resolved here, before any cell runs: a typo
    # or a missing package is one error, not one per cell.
    try:
        cells = None if args.source else _cells(args)
    except ValueError as exc:
        parser.error(str(exc))
    baseline_path = _baseline_target(args, parser, cells)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.source:
        doc = read_results(args.source)
        if args.source.resolve() != (out / "results.json").resolve():
            write_document(doc, out / "results.json")  # as it was: the run's own provenance
    else:
        # Python lets only the main thread set a handler (main() may run in another one).
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main else None
        start = time.perf_counter()
        try:
            records = run_grid(args, cells)
        except Terminated:
            return _interrupted(args, argv, 128 + signal.SIGTERM)
        except KeyboardInterrupt:
            return _interrupted(args, argv)
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)
        speed = []
        if args.method and not args.no_references:
            records = records + _references(args, records, baseline_path is not None,
                                            cells or _cells(args))
        records = [only_checks(r, args.checks) for r in records]
        if args.method and not args.no_speed:
            with progress_bar(len(args.method), "timing at the standard size",
                              unit="method") as bar:
                for m in args.method:
                    bar.set_postfix_str(f"timing {m}")
                    speed.append(measure_speed(user_method_spec(m, args.family)))
                    step(bar, m)
            print(format_speed(speed), file=sys.stderr)
        profile = get_profile(args.profile, args.first_seed, args.n_seeds)
        families = describe_families({r["family"] for r in records})
        studies = {}
        # The studies describe the built-in methods on the built-in generators (a --method
        # or --generator run is about the user's).
        if not args.method and not args.generator and not args.no_studies:
            studies = run_studies({f: about["studies"] for f, about in families.items()},
                                  args.profile, None if args.n_seeds is None
                                  and args.first_seed == 0 else list(profile.seeds), args.jobs)
        prov = provenance("python -m reports " + readable_join(argv), list(profile.seeds),
                          jobs=None if args.scheduler else args.jobs,
                          wall_s=time.perf_counter() - start)
        doc = results_document(records, args.profile, speed, families, prov, studies)
        if args.baseline is not None:
            doc["guard"] = guard_summary(records, load_baseline(args.baseline), args.baseline)
        write_document(doc, out / "results.json")
    if baseline_path is not None:
        own = [r for r in doc["records"] if not r.get("reference")]
        if args.merge_baseline:
            replaced, added = merge_entries(baseline_path, own, doc["profile"])
            print(f"baseline {baseline_path}: {replaced} entries replaced, {added} added",
                  file=sys.stderr)
        else:
            path = write_baseline(own, baseline_path, doc["profile"])
            print(f"wrote baseline {path}", file=sys.stderr)
    figures = make_figures(doc, out)
    write_atomically(out / "report.md", render_markdown(doc, figures))
    write_atomically(out / "report.html", render_html(doc, figures))
    n_figures = sum(len(f) for f in figures.values())
    print(f"wrote {out / 'report.html'}, {out / 'report.md'}, {out / 'results.json'} and "
          f"{n_figures} figures", file=sys.stderr)
    return 0
