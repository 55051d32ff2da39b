"""Rewrite the regression baseline of some built-in cells only, keeping every other entry.

``python -m reports --n-seeds 60 --write-baseline`` rewrites the whole baseline from one
run of the whole grid (hours on 2 cores at 60 seeds). When a change touches a few cells
(a new method or generator, a method whose budget changed), this module runs only the
cells whose ``family/method/generator`` matches one of the given shell patterns, over the
given seeds, and replaces (or adds) their entries in the baseline file; the other entries
stay as they were::

    python -m benchmarks.rebaseline 'sparse/gated_sae/*' 'sparse/*/hierarchical_features' \\
        --n-seeds 30 --jobs 2

The entry of each cell states its seed count (``guarded[score]["n"]``), which the guard's
rule reads (`benchmarks.regression_guard.threshold`), so entries of different seed counts
can sit side by side.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from pathlib import Path

from benchmarks.cell_store import CellRef, CellStore
from benchmarks.execution import run_cells
from benchmarks.grid import build_grid
from benchmarks.regression_guard import (
    BASELINE_VERSION,
    DEFAULT_BASELINE,
    baseline_entry,
    load_baseline,
)
from benchmarks.results import SCHEMA_VERSION, environment, record_key


def select_cells(patterns: list[str], profile: str, n_seeds: int | None,
                 first_seed: int = 0) -> list:
    """The built-in cells whose ``family/method/generator`` matches any pattern."""
    if not patterns:
        raise ValueError("patterns must name at least one cell (family/method/generator)")
    cells = build_grid(profile, first_seed=first_seed, n_seeds=n_seeds)
    chosen = [c for c in cells if any(
        fnmatch.fnmatchcase(f"{c.family}/{c.method.name}/{c.generator.name}", p)
        for p in patterns)]
    if not chosen:
        raise ValueError(f"no built-in cell matches {patterns!r} (cells are named "
                         "family/method/generator, e.g. sparse/relu_sae/planted_sparse)")
    return chosen


def merge_entries(path: Path, records: list[dict], profile: str) -> tuple[int, int]:
    """Replace or add the entries of ``records`` (ok cells) in the baseline at ``path``.

    Returns (replaced, added). The file's other entries and their order are kept; new
    entries go at the end.
    """
    path = Path(path)
    if path.exists():
        load_baseline(path)  # refuses a file that is not a baseline of this version
        doc = json.loads(path.read_text())
        if doc.get("profile") != profile:
            raise ValueError(f"{path} is a baseline of the {doc.get('profile')!r} profile, "
                             f"not {profile!r}")
    else:
        doc = {"schema_version": SCHEMA_VERSION, "kind": "baseline",
               "baseline_version": BASELINE_VERSION, "profile": profile,
               "environment": environment(), "records": []}
    new = {record_key(r): baseline_entry(r) for r in records if r["status"] == "ok"}
    replaced = 0
    for i, entry in enumerate(doc["records"]):
        key = record_key(entry)
        if key in new:
            doc["records"][i] = new.pop(key)
            replaced += 1
    doc["records"].extend(new.values())
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return replaced, len(new)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.rebaseline", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("patterns", nargs="+", help="cells as family/method/generator patterns")
    p.add_argument("--profile", default="quick", choices=("quick", "full"))
    p.add_argument("--n-seeds", type=int, default=60)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    p.add_argument("--out", type=Path, default=Path("rebaseline-run"),
                   help="folder of the run: its cells (OUT/cells) and records.json")
    p.add_argument("--resume", action="store_true",
                   help="keep the cells already finished in OUT/cells")
    args = p.parse_args(argv)
    if args.n_seeds < 2:
        raise SystemExit(f"--n-seeds must be >= 2, got {args.n_seeds}")
    cells = select_cells(args.patterns, args.profile, args.n_seeds)
    print(f"{len(cells)} cells x {args.n_seeds} seeds", file=sys.stderr, flush=True)
    store = CellStore(args.out / "cells")
    records = run_cells([CellRef.of(c) for c in cells], jobs=args.jobs, store=store,
                        resume=args.resume)
    errors = [r for r in records if r["status"] != "ok"]
    for r in errors:
        print(f"error cell {r['family']}/{r['method']}/{r['generator']}: {r['error']}",
              file=sys.stderr)
    (args.out / "records.json").write_text(json.dumps(records, indent=1) + "\n")
    replaced, added = merge_entries(args.baseline, records, args.profile)
    print(f"{args.baseline}: {replaced} entries replaced, {added} added, "
          f"{len(errors)} error cells left out", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
