"""How often would the regression guard fail an unchanged method? A bound, from many seeds.

    python -m reports.false_alarms --from /work/fa/erasure/results.json [--from DIR/cells]
                                   [--baseline reports/baseline.json] [--n 3]
    python -m reports.false_alarms --family erasure --seeds 100 --first-seed 1000 --jobs 2
                                   [--out DIR]

The first form reads many-seed records (a ``results.json`` or a folder of cell files, as
``python -m reports --n-seeds M --first-seed 1000`` writes them); the second produces them
with the report's own machinery (`benchmarks.execution.run_cells`, one file per finished
cell under ``DIR/cells``, ``--resume`` to continue) and then reads them. Use seeds
disjoint from the baseline's (0-59).

The rule (`benchmarks.regression_guard.Threshold`, the code `compare` decides with): a CI run of
``n`` seeds alarms on a guarded score of a cell when its median is beyond the statistical
bound AND every one of its ``n`` seeds is strictly worse than the baseline's worst seed.

Two numbers per family:

- the distribution-free bound, from the baseline file alone: for an unchanged method the
  run's and the baseline's seeds are exchangeable, so one score alarms with probability at
  most ``1 / C(n_b + n, n)``; summed over the family's guarded scores, this bounds the
  probability that a CI run on fresh seeds alarms (averaged over baseline draws);
- the bound for the committed baseline, from many fresh seeds: let ``A_s`` be the event
  that seed ``s`` is beyond the baseline's worst seed on ANY guarded score of ANY cell (or
  raises). A run alarms only if all ``n`` of its seeds have ``A``; seeds are iid (every
  random stream is a function of the seed), so ``P(run alarms) <= q^n`` with
  ``q = P(A_s)``. With ``k`` of ``M`` fresh seeds showing ``A``, the one-sided 95%
  Clopper-Pearson bound ``q_hi`` gives the 95% upper bound ``q_hi^n``.

Cross-checks with the real `compare` on sub-records of ``n`` seeds: the exact rate over all
C(M, n) seed subsets (only subsets of seeds that have ``A`` can alarm, so only those are
compared) and over the M // n disjoint subsets, with a 95% Wilson interval.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from scipy import stats

from benchmarks import options
from benchmarks.regression_guard import (
    DEFAULT_BASELINE,
    GUARDED,
    compare,
    false_alarm_bound,
    load_baseline,
    seed_values,
    threshold,
)
from benchmarks.results import read_results, record_key, write_results
from metrics.statistics import wilson_interval

CONFIDENCE = 0.95
MAX_SUBSETS = 2_000_000  # subsets the all-subsets cross-check may compare
WIDE = 10  # a worst-seed bound this many tolerances wide is listed as low sensitivity
ERROR = "error"  # the "score" of a seed that raised: CI fails on it (test_seed)


def clopper_pearson_upper(k: int, m: int, confidence: float = CONFIDENCE) -> float:
    """One-sided Clopper-Pearson upper bound on a binomial rate after ``k`` of ``m``.

    The ``confidence`` quantile of Beta(k + 1, m - k); 1 when ``k == m``. For ``k = 0``
    it is ``1 - (1 - confidence)^(1/m)`` (about 3/m at 95%).
    """
    if m < 1:
        raise ValueError(f"m (number of seeds) must be >= 1, got {m}")
    if not 0 <= k <= m:
        raise ValueError(f"k must be in [0, m={m}], got {k}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if k == m:
        return 1.0
    return float(stats.beta.ppf(confidence, k + 1, m - k))


def run_alarm_bound(q: float, n: int = 3) -> float:
    """``q ** n``: a run's alarm probability when each of its ``n`` seeds must have an
    event of probability ``q`` (beyond the baseline's worst seed on some score)."""
    if not 0 <= q <= 1:
        raise ValueError(f"q must be a probability in [0, 1], got {q}")
    if n < 1:
        raise ValueError(f"n (seeds in a run) must be >= 1, got {n}")
    return float(q) ** n


@dataclass(frozen=True)
class Exceedance:
    """One seed of one cell worse than its threshold on one guarded score."""

    seed: int
    cell: str
    score: str
    value: float
    worst_seed: float  # the baseline's worst seed, which this seed is beyond


@dataclass
class FamilyEstimate:
    """The false-alarm bound and its cross-checks for one family."""

    family: str
    n: int
    seeds: list[int]
    exceedances: list[Exceedance]
    cells_compared: int
    missing: list[str] = field(default_factory=list)  # cells with no baseline entry
    # (cell, score, worst-seed distance, tol, 1 / C(n_b + n, n)) of every guarded score
    bounds: list[tuple[str, str, float, float, float]] = field(default_factory=list)
    triples_alarmed: int = 0
    triples_total: int = 0
    disjoint_alarmed: int = 0
    disjoint_total: int = 0

    @property
    def m(self) -> int:
        return len(self.seeds)

    @property
    def k(self) -> int:
        return len({e.seed for e in self.exceedances})

    @property
    def q_hi(self) -> float:
        return clopper_pearson_upper(self.k, self.m)

    @property
    def bound(self) -> float:
        """95% upper bound on the alarm probability of a run, for the committed baseline."""
        return run_alarm_bound(self.q_hi, self.n)

    @property
    def exchangeable_bound(self) -> float:
        """Distribution-free bound: the sum over guarded scores of 1 / C(n_b + n, n)."""
        return float(sum(b[4] for b in self.bounds))

    def summary(self) -> dict:
        dis = wilson_interval(self.disjoint_alarmed, max(self.disjoint_total, 1),
                              confidence=CONFIDENCE)
        return {
            "family": self.family, "n": self.n, "M": self.m, "k": self.k,
            "q_hi": self.q_hi, "bound": self.bound, "cells": self.cells_compared,
            "exchangeable_bound": self.exchangeable_bound, "scores": len(self.bounds),
            "triples": [self.triples_alarmed, self.triples_total],
            "triple_rate": self.triples_alarmed / max(self.triples_total, 1),
            "disjoint": [self.disjoint_alarmed, self.disjoint_total],
            "disjoint_wilson": [dis.low, dis.high], "missing": self.missing,
            "exceedances": [e.__dict__ for e in self.exceedances],
        }


def _unwrap(doc: dict) -> dict:
    """A cell file's record: files written by `CellStore` wrap it with its checksum."""
    return doc["record"] if isinstance(doc, dict) and "sha256" in doc else doc


def load_records(paths: list[Path]) -> list[dict]:
    """Records from ``results.json`` files and folders of cell files (``DIR/cells``)."""
    records: dict[tuple, dict] = {}
    for path in map(Path, paths):
        if path.is_dir():
            found = [_unwrap(json.loads(p.read_text())) for p in sorted(path.glob("*.json"))]
            if not found:
                raise ValueError(f"{path}: no cell records (*.json) in this folder")
        elif path.exists():
            found = read_results(path)["records"]
        else:
            raise ValueError(f"{path}: no such results.json or cells folder")
        for rec in found:
            records[record_key(rec)] = rec
    return list(records.values())


def _cell_id(rec: dict) -> str:
    return f"{rec['method']}-{rec['generator']}"


def _by_seed(rec: dict) -> dict[int, dict]:
    return {s["seed"]: s for s in rec["seeds"]}


def estimate_family(records: list[dict], base: dict[tuple, dict], n: int = 3,
                    triples: bool = True) -> FamilyEstimate:
    """Exceedances, the bound and the cross-checks for the records of ONE family.

    Every record must cover the same seeds (one CI run draws every cell on the same seed).
    """
    if not records:
        raise ValueError("records must hold at least one cell record")
    families = {r["family"] for r in records}
    if len(families) != 1:
        raise ValueError(f"records must be of one family, got {sorted(families)}")
    seed_sets = {tuple(sorted(_by_seed(r))) for r in records}
    if len(seed_sets) != 1:
        raise ValueError("every record must cover the same seeds; got "
                         f"{len(seed_sets)} different seed lists")
    seeds = list(seed_sets.pop())
    if len(seeds) < n:
        raise ValueError(f"need at least n={n} seeds per record, got {len(seeds)}")
    est = FamilyEstimate(families.pop(), n, seeds, [], 0)
    compared = []
    for rec in records:
        entry = base.get(record_key(rec))
        if entry is None:
            est.missing.append(_cell_id(rec))
            continue
        compared.append((rec, entry))
        ok = [s for s in rec["seeds"] if s["status"] == "ok"]
        for s in rec["seeds"]:
            if s["status"] != "ok":
                est.exceedances.append(Exceedance(s["seed"], _cell_id(rec), ERROR,
                                                  math.nan, math.nan))
        for name, values in seed_values({**rec, "seeds": ok}).items():
            if name not in entry["guarded"]:
                continue
            th = threshold(entry, name, n)
            est.bounds.append((_cell_id(rec), name, th.worst_shift,
                               GUARDED[rec["family"]][name].tol,
                               false_alarm_bound(th.n_base, n)))
            beyond = th.beyond_worst(values)
            for s, v, b in zip(ok, values, beyond, strict=True):
                if b:
                    est.exceedances.append(Exceedance(
                        s["seed"], _cell_id(rec), name, float(v), th.worst_seed))
    est.cells_compared = len(compared)
    _disjoint_check(est, compared)
    if triples:
        _triple_check(est, compared)
    return est


def _alarms(subset: list[int], compared: list[tuple[dict, dict]],
            only: set[str] | None = None) -> bool:
    """Whether a CI run on the seeds ``subset`` fails: an error seed, or `compare` finds a
    guarded score worse on some cell (only the cells named in ``only``, if given)."""
    for rec, entry in compared:
        if only is not None and _cell_id(rec) not in only:
            continue
        by_seed = _by_seed(rec)
        sub = [by_seed[s] for s in subset]
        if any(s["status"] != "ok" for s in sub):
            return True
        if any(c.worse for c in compare({**rec, "seeds": sub}, entry)):
            return True
    return False


def _disjoint_check(est: FamilyEstimate, compared) -> None:
    groups = [est.seeds[i:i + est.n] for i in range(0, est.m - est.n + 1, est.n)]
    est.disjoint_total = len(groups)
    est.disjoint_alarmed = sum(_alarms(g, compared) for g in groups)


def _triple_check(est: FamilyEstimate, compared) -> None:
    """Exact fraction of all C(M, n) seed subsets on which the real guard alarms.

    A subset holding a seed that raised fails CI (`test_seed`); otherwise it can only alarm
    on a cell where every one of its seeds is beyond the baseline's worst seed, so only
    subsets of such seeds are compared, on those cells.
    """
    errors = {e.seed for e in est.exceedances if e.score == ERROR}
    cells_of_seed = defaultdict(set)
    for e in est.exceedances:
        if e.seed not in errors:
            cells_of_seed[e.seed].add(e.cell)
    flagged = sorted(cells_of_seed)
    if math.comb(len(flagged), est.n) > MAX_SUBSETS:
        print(f"{est.family}: skipping the all-subsets cross-check (C({len(flagged)}, "
              f"{est.n}) subsets of flagged seeds is too many)", file=sys.stderr)
        return
    est.triples_total = math.comb(est.m, est.n)
    est.triples_alarmed = est.triples_total - math.comb(est.m - len(errors), est.n)
    for subset in itertools.combinations(flagged, est.n):
        cells = set.intersection(*(cells_of_seed[s] for s in subset))
        if cells and _alarms(list(subset), compared, only=cells):
            est.triples_alarmed += 1


def format_estimate(est: FamilyEstimate) -> str:
    """The estimate as the lines the command prints."""
    dis = wilson_interval(est.disjoint_alarmed, max(est.disjoint_total, 1),
                          confidence=CONFIDENCE)
    lines = [
        f"{est.family}: M = {est.m} seeds ({est.seeds[0]}-{est.seeds[-1]}), "
        f"{est.cells_compared} cells, {len(est.bounds)} guarded scores, runs of n = "
        f"{est.n} seeds",
        f"  distribution-free bound (sum of 1/C(n_b+n, n) over the scores): "
        f"{est.exchangeable_bound:.4%} per run",
        f"  k = {est.k} of {est.m} fresh seeds beyond the baseline's worst seed on some "
        f"guarded score of some cell (q_hi^{est.n} = {est.bound:.2%}: the any-score bound, "
        f"loose when a family has many scores)",
    ]
    if est.triples_total:
        lines.append(f"  all {est.triples_total} seed subsets: {est.triples_alarmed} alarm = "
                     f"{est.triples_alarmed / est.triples_total:.4%} (real compare)")
    lines.append(f"  {est.disjoint_total} disjoint subsets: {est.disjoint_alarmed} alarm "
                 f"(95% Wilson [{dis.low:.3f}, {dis.high:.3f}])")
    if est.missing:
        lines.append(f"  NO BASELINE ENTRY (CI would fail): {', '.join(est.missing)}")
    wide = [b for b in est.bounds if b[2] > WIDE * b[3]]
    for cell, score, width, tol, _ in sorted(wide, key=lambda b: -b[2] / b[3]):
        lines.append(f"  wide (worst baseline seed {width / tol:.0f} x tol from the median): "
                     f"{cell} {score} must worsen by more than {width:.4g} on every seed")
    by_cell = defaultdict(list)
    for e in est.exceedances:
        by_cell[(e.cell, e.score)].append(e)
    for (cell, score), es in sorted(by_cell.items()):
        vals = ", ".join(f"seed {e.seed}: {e.value:.4g}" for e in es)
        lines.append(f"  beyond the worst baseline seed: {cell} {score} (worst seed "
                     f"{es[0].worst_seed:.4g}): {vals}")
    return "\n".join(lines)


def produce(family: str, n_seeds: int, first_seed: int, jobs: int, out: Path,
            resume: bool = False) -> Path:
    """Run the quick grid of ``family`` on ``n_seeds`` seeds from ``first_seed`` with the
    report's machinery; write ``out/results.json`` (cells under ``out/cells``)."""
    from benchmarks.cell_store import CellRef, CellStore
    from benchmarks.execution import run_cells
    from benchmarks.grid import build_grid

    cells = build_grid("quick", family=family, first_seed=first_seed, n_seeds=n_seeds)
    records = run_cells([CellRef.of(c) for c in cells], jobs=jobs,
                        store=CellStore(Path(out) / "cells"), resume=resume)
    return write_results(records, Path(out) / "results.json", "quick")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reports.false_alarms",
                                description=__doc__.split("\n")[0])
    p.add_argument("--from", dest="sources", type=Path, action="append", default=[],
                   help="results.json or a folder of cell records (repeatable)")
    options.add_options(p, options.BASELINE.but(type=Path, default=DEFAULT_BASELINE))
    p.add_argument("--n", type=int, default=3, help="seeds per CI run (quick profile: 3)")
    options.add_options(p, options.FAMILY.but(
        help="produce the many-seed records of this family first"))
    p.add_argument("--seeds", type=int, default=100, help="seeds per cell to produce")
    options.add_options(p, options.FIRST_SEED.but(default=1000), options.JOBS)
    p.add_argument("--out", type=Path, default=None,
                   help="where produced records go (default /tmp/false_alarms/FAMILY)")
    options.add_options(p, options.RESUME.but(help="keep produced cells in OUT/cells"))
    p.add_argument("--no-triples", action="store_true",
                   help="skip the all-triples cross-check")
    p.add_argument("--json", type=Path, default=None, help="also write the estimates here")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.n < 1:
        raise SystemExit(f"--n must be >= 1, got {args.n}")
    sources = list(args.sources)
    if args.family:
        if args.seeds < args.n:
            raise SystemExit(f"--seeds must be >= --n ({args.n}), got {args.seeds}")
        if args.first_seed < 60:
            print(f"warning: --first-seed {args.first_seed} overlaps the baseline's seeds "
                  "(0-59)", file=sys.stderr)
        out = args.out or Path("/tmp/false_alarms") / args.family
        sources.append(produce(args.family, args.seeds, args.first_seed, args.jobs, out,
                               args.resume))
    if not sources:
        raise SystemExit("give --from RESULTS (repeatable) or --family F to produce records")
    base = load_baseline(args.baseline)
    records = [r for r in load_records(sources) if r.get("builtin", True)]
    by_family = defaultdict(list)
    for r in records:
        by_family[r["family"]].append(r)
    summaries = []
    for _, recs in sorted(by_family.items()):
        est = estimate_family(recs, base, args.n, triples=not args.no_triples)
        print(format_estimate(est))
        summaries.append(est.summary())
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=1, default=float) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
