"""Command line of the sanity-check report.

    python -m reports [--out DIR] [--profile quick|full] [--family F]
                      [--method pkg.mod:Class ...] [--from results.json]

Writes ``DIR/results.json``, ``DIR/report.html`` (self-contained), ``DIR/report.md`` and
the PNG figures. Scores come from `benchmarks.cells.run_cell`, the same code path as
``pytest benchmarks/``; with ``--from`` nothing is rescored, only rendered.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks.cells import run_cell
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
    return p


def run_grid(args) -> list[dict]:
    """Run every selected cell, printing one progress line per cell."""
    cells = build_grid(args.profile, methods=args.method, family=args.family)
    records, start = [], time.perf_counter()
    for i, cell in enumerate(cells, 1):
        rec = run_cell(cell)
        records.append(rec)
        status = rec["status"] if rec["status"] == "ok" else f"ERROR {rec['error']}"
        print(f"[{i}/{len(cells)}] {cell.family} {cell.id}: {status} "
              f"({rec['elapsed_s']:.1f}s, total {time.perf_counter() - start:.0f}s)",
              file=sys.stderr, flush=True)
    return records


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
    figures = make_figures(doc["records"], out)
    (out / "report.md").write_text(render_markdown(doc, figures))
    (out / "report.html").write_text(render_html(doc, figures))
    print(f"wrote {out / 'report.html'}, {out / 'report.md'}, {out / 'results.json'} and "
          f"{len(figures)} figures", file=sys.stderr)
    return 0
