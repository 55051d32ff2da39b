"""Which checks of the built-in methods hold across seed sets, and which hinge on luck.

    python -m reports.findings_stability --from /work/fa/erasure/results.json [--from ...]
                                         [--n 3] [--json PATH]

Reads many-seed records (as ``python -m reports --n-seeds M --first-seed 1000`` or
``python -m reports.false_alarms --family F`` write them), cuts every cell's seeds into
the ``M // n`` disjoint sets of ``n`` consecutive seeds, and on each set aggregates and
checks exactly as the grid does (the family's ``aggregate`` and ``check``, the functions
`benchmarks.cells.run_cell` calls). Per (cell, check) it counts the seed sets on which the
check passes, and sorts every check of a built-in method into:

- ``stable finding``: an expected finding (strict xfail) that fails on every seed set;
- ``VARIABLE``: an expected finding that passes on some seed set: a strict xfail would
  turn into a failure on an unlucky machine or seed set, so it belongs in
  ``VARIABLE_FINDINGS`` (non-strict xfail) with its rate;
- ``variable finding``: already in ``VARIABLE_FINDINGS``; its rate is printed;
- ``FRAGILE pass``: not a finding, passes on some but not all seed sets (the CI seeds 0-2
  pass, or the grid would be red): a candidate for ``VARIABLE_FINDINGS`` when it fails on
  more than 1% of the seed sets;
- ``stable pass``: not a finding, passes on every seed set.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.expected_findings import EXPECTED_FINDINGS, VARIABLE_FINDINGS
from benchmarks.registry import get_family
from metrics.statistics import wilson_interval
from reports.false_alarms import load_records

STABLE_FINDING, VARIABLE, VARIABLE_KNOWN = "stable finding", "VARIABLE", "variable finding"
FRAGILE, STABLE_PASS = "FRAGILE pass", "stable pass"


@dataclass(frozen=True)
class CheckStability:
    """How one check of one cell came out over disjoint seed sets."""

    family: str
    method: str
    generator: str
    check: str
    passed: int
    sets: int
    values: tuple[float, ...]
    threshold: float
    status: str
    first_seed: int
    last_seed: int
    n: int = 3  # seeds per set

    @property
    def pass_rate(self) -> float:
        return self.passed / self.sets

    def rate_text(self) -> str:
        """The measured rate as a reason suffix: 'passes on 2 of 33 disjoint 3-seed sets
        of seeds 1000-1098 (95% Wilson [...])'."""
        ci = wilson_interval(self.passed, self.sets, confidence=0.95)
        return (f"passes on {self.passed} of {self.sets} disjoint {self.n}-seed sets of seeds "
                f"{self.first_seed}-{self.last_seed} (95% Wilson [{ci.low:.2f}, "
                f"{ci.high:.2f}])")


def seed_sets(seeds: list[int], n: int) -> list[list[int]]:
    """The ``len(seeds) // n`` disjoint sets of ``n`` consecutive seeds (sorted)."""
    if n < 1:
        raise ValueError(f"n (seeds per set) must be >= 1, got {n}")
    s = sorted(seeds)
    return [s[i:i + n] for i in range(0, len(s) - n + 1, n)]


def _classify(key: tuple[str, str, str], passed: int, sets: int) -> str:
    if key in EXPECTED_FINDINGS:
        return STABLE_FINDING if passed == 0 else VARIABLE
    if key in VARIABLE_FINDINGS:
        return VARIABLE_KNOWN
    return STABLE_PASS if passed == sets else FRAGILE


def cell_stability(record: dict, n: int = 3) -> list[CheckStability]:
    """Every check of one record over its disjoint ``n``-seed sets.

    A set with an error seed counts as failing every check (the grid's test_check fails
    on an error cell).
    """
    family = get_family(record["family"])
    by_seed = {s["seed"]: s for s in record["seeds"]}
    sets = seed_sets(list(by_seed), n)
    if not sets:
        raise ValueError(f"{record['method']}-{record['generator']}: fewer than n={n} seeds")
    outcomes: dict[str, list[tuple[bool, float, float]]] = {c: [] for c in family.check_names}
    for group in sets:
        sub = [by_seed[s] for s in group]
        if any(s["status"] != "ok" for s in sub):
            for c in family.check_names:
                outcomes[c].append((False, np.nan, np.nan))
            continue
        checks = family.check(family.aggregate(sub))
        for c in family.check_names:
            outcomes[c].append((checks[c]["passed"], checks[c]["value"], checks[c]["threshold"]))
    out = []
    for c, rows in outcomes.items():
        passed = sum(p for p, _, _ in rows)
        key = (record["method"], record["generator"], c)
        out.append(CheckStability(record["family"], *key, passed, len(rows),
                                  tuple(float(v) for _, v, _ in rows), float(rows[0][2]),
                                  _classify(key, passed, len(rows)), sets[0][0], sets[-1][-1],
                                  n))
    return out


def stability(records: list[dict], n: int = 3) -> list[CheckStability]:
    """`cell_stability` of every ok-or-error built-in record."""
    out = []
    for rec in records:
        if rec.get("builtin", True):
            out.extend(cell_stability(rec, n))
    return out


def format_rows(rows: list[CheckStability], everything: bool = False) -> str:
    """One line per check that is a finding or not a stable pass (all with ``everything``)."""
    lines = []
    for r in sorted(rows, key=lambda r: (r.family, r.status, r.method, r.generator, r.check)):
        if r.status == STABLE_PASS and not everything:
            continue
        vals = np.asarray(r.values)
        spread = (f"value min {np.nanmin(vals):.4g} median {np.nanmedian(vals):.4g} max "
                  f"{np.nanmax(vals):.4g} vs threshold {r.threshold:.4g}"
                  if np.isfinite(vals).any() else "error sets only")
        lines.append(f"{r.family:8s} {r.status:16s} {r.method}-{r.generator} {r.check}: "
                     f"{r.rate_text()}; {spread}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reports.findings_stability",
                                description=__doc__.split("\n")[0])
    p.add_argument("--from", dest="sources", type=Path, action="append", required=True,
                   help="results.json or a folder of cell records (repeatable)")
    p.add_argument("--n", type=int, default=3, help="seeds per set (quick profile: 3)")
    p.add_argument("--all", action="store_true", help="also print the stable passes")
    p.add_argument("--json", type=Path, default=None, help="also write every row here")
    args = p.parse_args(argv)
    rows = stability(load_records(args.sources), args.n)
    print(format_rows(rows, everything=args.all))
    if args.json:
        args.json.write_text(json.dumps([{**r.__dict__, "pass_rate": r.pass_rate}
                                         for r in rows], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
