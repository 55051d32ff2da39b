"""Command line of the sanity-check report.

    python -m reports [--out DIR] [--profile quick|full] [--family F]
                      [--method pkg.mod:Class ...] [--jobs N | --scheduler ADDRESS]
                      [--resume] [--from results.json]

Writes ``DIR/results.json``, ``DIR/report.html`` (self-contained), ``DIR/report.md`` and
the PNG figures. Scores come from `benchmarks.cells.run_cell`, the same code path as
``pytest benchmarks/``; with ``--from`` nothing is rescored, only rendered. Each finished
cell is written to ``DIR/cells/`` at once; ``--resume`` keeps those and runs the rest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.baseline import DEFAULT_BASELINE, write_baseline
from benchmarks.execution import CellRef, CellStore, run_cells
from benchmarks.grid import build_grid
from benchmarks.results import read_results, write_results
from reports.figures import make_figures
from reports.render import render_html, render_markdown


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reports", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=Path("reports/out"), help="output folder")
    p.add_argument("--profile", default="quick", choices=("quick", "full"))
    p.add_argument("--family", default=None, choices=("erasure", "sparse", "truth"),
                   help="only this family, or the family of --method")
    p.add_argument("--method", action="append", default=[],
                   help="user method 'pkg.mod:Class' or 'file.py:Class' (repeatable)")
    p.add_argument("--from", dest="source", type=Path, default=None,
                   help="render an existing results.json instead of running the grid")
    p.add_argument("--jobs", type=int, default=1,
                   help="local worker processes (BLAS held to one thread in each)")
    p.add_argument("--scheduler", default=None,
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--n-seeds", type=int, default=None,
                   help="seeds per cell (default: the profile's; 20 for a baseline)")
    p.add_argument("--first-seed", type=int, default=0,
                   help="first grid seed (the profile runs n_seeds consecutive seeds)")
    p.add_argument("--write-baseline", nargs="?", const=DEFAULT_BASELINE, default=None,
                   type=Path, metavar="PATH",
                   help="also write this run's scores as the regression baseline "
                        "(default path: reports/baseline.json)")
    p.add_argument("--resume", action="store_true",
                   help="keep the finished cells in OUT/cells and run only the others")
    return p


def run_grid(args) -> list[dict]:
    """Run every selected cell (locally, in processes or on Dask), with progress lines."""
    if args.jobs < 1:
        raise SystemExit(f"--jobs must be >= 1, got {args.jobs}")
    cells = build_grid(args.profile, methods=args.method, family=args.family,
                       first_seed=args.first_seed, n_seeds=args.n_seeds)
    refs = [CellRef.of(c, args.method, args.family) for c in cells]
    store = CellStore(args.out / "cells")
    return run_cells(refs, jobs=args.jobs, scheduler=args.scheduler, store=store,
                     resume=args.resume)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.source:
        doc = read_results(args.source)
        if args.source.resolve() != (out / "results.json").resolve():
            write_results(doc["records"], out / "results.json", doc["profile"])
    else:
        write_results(run_grid(args), out / "results.json", args.profile)
        doc = read_results(out / "results.json")
    if args.write_baseline:
        path = write_baseline(doc["records"], args.write_baseline, doc["profile"])
        print(f"wrote baseline {path}", file=sys.stderr)
    figures = make_figures(doc["records"], out)
    (out / "report.md").write_text(render_markdown(doc, figures))
    (out / "report.html").write_text(render_html(doc, figures))
    print(f"wrote {out / 'report.html'}, {out / 'report.md'}, {out / 'results.json'} and "
          f"{len(figures)} figures", file=sys.stderr)
    return 0
