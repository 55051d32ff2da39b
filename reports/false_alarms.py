"""How often would the regression guard fail an unchanged method? Measure it.

    python -m reports.false_alarms --runs 20 [--family erasure] [--jobs 2]

Re-runs the quick grid with other seed sets (``--first-seed 1000, 2000, ...``: other data,
method and probe streams) and compares every run with the committed baseline exactly as
``benchmarks/test_regression.py`` does. A run "fails" when any guarded score of any cell
is worse than the baseline beyond both intervals; the fraction of failing runs, with its
Wilson interval, is the guard's false-alarm rate per CI run.
"""

from __future__ import annotations

import argparse
import collections
import sys

from benchmarks.baseline import DEFAULT_BASELINE, cell_key, compare, load_baseline
from benchmarks.execution import CellRef, run_cells
from benchmarks.grid import build_grid
from metrics.statistics import rate_over_seeds


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.false_alarms", description=__doc__)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--family", default=None, choices=("erasure", "sparse", "truth"))
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--baseline", default=str(DEFAULT_BASELINE))
    args = p.parse_args(argv)
    base = load_baseline(args.baseline)
    failed_runs, per_metric, n_compared = [], collections.Counter(), 0
    for run in range(1, args.runs + 1):
        cells = build_grid("quick", family=args.family, first_seed=1000 * run)
        records = run_cells([CellRef.of(c) for c in cells], jobs=args.jobs,
                            progress=_Quiet())
        worse = []
        for rec in records:
            old = base.get(cell_key(rec))
            if old is None or rec["status"] != "ok":
                continue
            n_compared += 1
            for change in compare(rec, old):
                if change.worse:
                    worse.append(f"{rec['family']} {rec['method']}-{rec['generator']}: "
                                 f"{change.message()}")
                    per_metric[(rec["family"], change.metric)] += 1
        failed_runs.append(bool(worse))
        print(f"run {run} (first seed {1000 * run}): {len(worse)} regressions", file=sys.stderr)
        for line in worse:
            print(f"    {line}", file=sys.stderr)
    rate = rate_over_seeds(failed_runs, confidence=0.95)
    print(f"false-alarm rate: {sum(failed_runs)}/{len(failed_runs)} runs = {rate.value:.3f} "
          f"(95% Wilson [{rate.low:.3f}, {rate.high:.3f}]); {n_compared} cell comparisons; "
          f"by metric: {dict(per_metric)}")
    return 0


class _Quiet:
    def update(self, *args, **kwargs):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
