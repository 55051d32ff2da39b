"""How often would the regression guard fail an unchanged method? A bound, from many seeds.

    python -m reports.false_alarms --from /work/fa/erasure/results.json [--from DIR/cells]
                                   [--baseline reports/baseline.json] [--n 3]
    python -m reports.false_alarms --family erasure --seeds 100 --first-seed 1000 --jobs 2
                                   [--out DIR]

The first form reads many-seed records (a ``results.json`` or a folder of cell files, as
``python -m reports --n-seeds M --first-seed 1000`` writes them); the second produces them
with the report's own machinery (`benchmarks.execution.run_cells`, one file per finished
cell under ``DIR/cells``, ``--resume`` to continue) and then reads them. Use seeds
disjoint from the baseline's (0-19; 0-59 for erasure).

The rule (`benchmarks.baseline.threshold`, the code `compare` decides with): a CI run of
``n`` seeds alarms when, for some guarded score of some cell, the median of its ``n``
values is worse than the threshold ``t``. ``is_worse`` is monotone in the value, so for
odd ``n`` the median is worse iff at least ``r = (n + 1) / 2`` of the seeds are each worse
(for even ``n`` at least ``n / 2``: a bound). Let ``A_s`` be the event that seed ``s`` is
worse than its threshold on ANY guarded score of ANY cell of the family (or errors). A
run alarms only if some (cell, score) has ``r`` seeds worse, hence only if at least ``r``
seeds have ``A``. Seeds are independent and identically distributed (every random stream
is a function of the seed), so

    P(run alarms) <= P(Binomial(n, q) >= r),   q = P(A_s)    (3 q^2 - 2 q^3 for n = 3).

With ``k`` of ``M`` fresh seeds showing ``A``, the one-sided 95% Clopper-Pearson upper
bound ``q_hi`` (the 0.95 quantile of Beta(k + 1, M - k)) gives the 95% upper bound
``P(Binomial(n, q_hi) >= r)`` on the run's false-alarm probability (the tail is increasing
in ``q``). Cross-checks, with the real `compare` on sub-records of ``n`` seeds: the
exact rate over all C(M, 3) seed triples (a U-statistic; a triple with no worse seed for a
cell cannot alarm on that cell, because a median of 3 is one of the 3 values, so only
triples that contain a worse seed are compared) and over the M // 3 disjoint triples, with
a 95% Wilson interval.
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

import numpy as np
from scipy import stats

from benchmarks.baseline import (
    DEFAULT_BASELINE,
    GUARDED,
    cell_key,
    compare,
    load_baseline,
    seed_values,
    threshold,
)
from benchmarks.results import read_results, write_results
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


def seeds_needed(n: int) -> int:
    """How many of ``n`` seeds must be worse than ``t`` for their median to be worse."""
    if n < 1:
        raise ValueError(f"n (seeds in a run) must be >= 1, got {n}")
    return (n + 1) // 2 if n % 2 else n // 2


def run_alarm_bound(q: float, n: int = 3) -> float:
    """``P(Binomial(n, q) >= seeds_needed(n))``: a run's alarm probability when each seed
    has the alarm event with probability ``q`` (``3 q^2 - 2 q^3`` for ``n = 3``)."""
    if not 0 <= q <= 1:
        raise ValueError(f"q must be a probability in [0, 1], got {q}")
    return float(stats.binom.sf(seeds_needed(n) - 1, n, q))


@dataclass(frozen=True)
class Exceedance:
    """One seed of one cell worse than its threshold on one guarded score."""

    seed: int
    cell: str
    score: str
    value: float
    worse_than: float
    term: str  # which term of the bound is in force: tol, statistical or worst seed


@dataclass
class FamilyEstimate:
    """The false-alarm bound and its cross-checks for one family."""

    family: str
    n: int
    seeds: list[int]
    exceedances: list[Exceedance]
    cells_compared: int
    missing: list[str] = field(default_factory=list)  # cells with no baseline entry
    # (cell, score, term in force, allowed worsening, tol) of every guarded score compared
    bounds: list[tuple[str, str, str, float, float]] = field(default_factory=list)
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
        return run_alarm_bound(self.q_hi, self.n)

    def summary(self) -> dict:
        dis = wilson_interval(self.disjoint_alarmed, max(self.disjoint_total, 1),
                              confidence=CONFIDENCE)
        return {
            "family": self.family, "n": self.n, "M": self.m, "k": self.k,
            "q_hi": self.q_hi, "bound": self.bound, "cells": self.cells_compared,
            "triples": [self.triples_alarmed, self.triples_total],
            "triple_rate": self.triples_alarmed / max(self.triples_total, 1),
            "disjoint": [self.disjoint_alarmed, self.disjoint_total],
            "disjoint_wilson": [dis.low, dis.high], "missing": self.missing,
            "exceedances": [e.__dict__ for e in self.exceedances],
        }


def load_records(paths: list[Path]) -> list[dict]:
    """Records from ``results.json`` files and folders of cell files (``DIR/cells``)."""
    records: dict[tuple, dict] = {}
    for path in map(Path, paths):
        if path.is_dir():
            found = [json.loads(p.read_text()) for p in sorted(path.glob("*.json"))]
            if not found:
                raise ValueError(f"{path}: no cell records (*.json) in this folder")
        elif path.exists():
            found = read_results(path)["records"]
        else:
            raise ValueError(f"{path}: no such results.json or cells folder")
        for rec in found:
            records[cell_key(rec)] = rec
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
        entry = base.get(cell_key(rec))
        if entry is None:
            est.missing.append(_cell_id(rec))
            continue
        compared.append((rec, entry))
        ok = [s for s in rec["seeds"] if s["status"] == "ok"]
        for s in rec["seeds"]:
            if s["status"] != "ok":
                est.exceedances.append(Exceedance(s["seed"], _cell_id(rec), ERROR,
                                                  math.nan, math.nan, ERROR))
        for name, values in seed_values({**rec, "seeds": ok}).items():
            if name not in entry["guarded"]:
                continue
            th = threshold(entry, name, n)
            est.bounds.append((_cell_id(rec), name, th.worse_term, th.worse_bound,
                               GUARDED[rec["family"]][name].tol))
            worse = th.is_worse(np.asarray(values, dtype=float))
            for s, v, w in zip(ok, values, worse, strict=True):
                if w:
                    est.exceedances.append(Exceedance(
                        s["seed"], _cell_id(rec), name, float(v), th.worse_than,
                        th.worse_term))
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

    A subset can only alarm on a cell where one of its seeds is worse (a median of 3 is one
    of the 3 values; for larger n the median needs seeds_needed(n) >= 1 worse seeds), so
    only subsets that contain such a seed are compared, on those cells.
    """
    cells_of_seed = defaultdict(set)
    for e in est.exceedances:
        cells_of_seed[e.seed].add(e.cell)
    flagged = sorted(cells_of_seed)
    if len(flagged) * math.comb(est.m - 1, est.n - 1) > MAX_SUBSETS:
        print(f"{est.family}: skipping the all-subsets cross-check ({len(flagged)} flagged "
              f"seeds x C({est.m - 1}, {est.n - 1}) subsets is too many)", file=sys.stderr)
        return
    est.triples_total = math.comb(est.m, est.n)
    alarmed = set()
    for subset in _subsets_touching(est.seeds, flagged, est.n):
        cells = set().union(*(cells_of_seed.get(s, set()) for s in subset))
        if _alarms(list(subset), compared, only=cells):
            alarmed.add(subset)
    est.triples_alarmed = len(alarmed)


def _subsets_touching(seeds: list[int], flagged: list[int], n: int):
    """Every sorted ``n``-subset of ``seeds`` with at least one seed in ``flagged``, once."""
    seen = set()
    for f in flagged:
        rest = [s for s in seeds if s != f]
        for others in itertools.combinations(rest, n - 1):
            subset = tuple(sorted((f, *others)))
            if subset not in seen:
                seen.add(subset)
                yield subset


def format_estimate(est: FamilyEstimate) -> str:
    """The estimate as the lines the command prints."""
    dis = wilson_interval(est.disjoint_alarmed, max(est.disjoint_total, 1),
                          confidence=CONFIDENCE)
    lines = [
        f"{est.family}: M = {est.m} seeds ({est.seeds[0]}-{est.seeds[-1]}), "
        f"{est.cells_compared} cells, runs of n = {est.n} seeds",
        f"  k = {est.k} seeds worse than a threshold on some guarded score of some cell",
        f"  q_hi = {est.q_hi:.4f} (95% Clopper-Pearson, one-sided); false-alarm probability "
        f"per CI run <= {est.bound:.4%} (95% upper bound)",
    ]
    if est.triples_total:
        lines.append(f"  all {est.triples_total} seed triples: {est.triples_alarmed} alarm = "
                     f"{est.triples_alarmed / est.triples_total:.4%} (real compare)")
    lines.append(f"  {est.disjoint_total} disjoint triples: {est.disjoint_alarmed} alarm "
                 f"(95% Wilson [{dis.low:.3f}, {dis.high:.3f}])")
    if est.missing:
        lines.append(f"  NO BASELINE ENTRY (CI would fail): {', '.join(est.missing)}")
    terms = defaultdict(int)
    for _, _, term, _, _ in est.bounds:
        terms[term] += 1
    lines.append("  bound set by: " + ", ".join(f"{t} {c}" for t, c in sorted(terms.items()))
                 + f" of {len(est.bounds)} guarded scores")
    wide = [b for b in est.bounds if b[2] == "worst seed" and b[3] > WIDE * b[4]]
    for cell, score, _, bound, tol in sorted(wide, key=lambda b: -b[3] / b[4]):
        lines.append(f"  wide (worst-seed term, {bound / tol:.0f} x tol): {cell} {score} "
                     f"may worsen by {bound:.4g}")
    by_cell = defaultdict(list)
    for e in est.exceedances:
        by_cell[(e.cell, e.score)].append(e)
    for (cell, score), es in sorted(by_cell.items()):
        vals = ", ".join(f"seed {e.seed}: {e.value:.4g}" for e in es)
        lines.append(f"  exceeding: {cell} {score} (threshold {es[0].worse_than:.4g}, "
                     f"set by the {es[0].term} term): {vals}")
    return "\n".join(lines)


def produce(family: str, n_seeds: int, first_seed: int, jobs: int, out: Path,
            resume: bool = False) -> Path:
    """Run the quick grid of ``family`` on ``n_seeds`` seeds from ``first_seed`` with the
    report's machinery; write ``out/results.json`` (cells under ``out/cells``)."""
    from benchmarks.execution import CellRef, CellStore, run_cells
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
    p.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    p.add_argument("--n", type=int, default=3, help="seeds per CI run (quick profile: 3)")
    p.add_argument("--family", choices=("erasure", "sparse", "truth"), default=None,
                   help="produce the many-seed records of this family first")
    p.add_argument("--seeds", type=int, default=100, help="seeds per cell to produce")
    p.add_argument("--first-seed", type=int, default=1000)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--out", type=Path, default=None,
                   help="where produced records go (default /tmp/false_alarms/FAMILY)")
    p.add_argument("--resume", action="store_true", help="keep produced cells in OUT/cells")
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
                  "(0-19, 0-59 for erasure)", file=sys.stderr)
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
