"""Regression guard: compare a run's scores with a committed baseline.

A baseline is a results document (`benchmarks.results`) reduced to each cell's metrics.
A guarded score *regresses* when its interval and the baseline's do not overlap on the
bad side (for a lower-is-better score: ``new.low > base.high``), and *improves* when they
do not overlap on the good side. Non-overlap of two 99.9% intervals means a difference of
more than ~4.6 standard errors of the difference: an unchanged method re-run on other
seeds trips it about once in 10^6 comparisons (measured rate: see the README), while a
real loss (an SAE at a tenth of its budget, LEACE without whitening) shows at once.

Rewrite the built-in baseline with ``python -m reports --write-baseline`` after an
intended change; record a baseline for your own method with
``pytest benchmarks/ --method M --results-json my_baseline.json`` and compare later runs
with ``pytest benchmarks/ --method M --baseline my_baseline.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from benchmarks.results import SCHEMA_VERSION, environment

DEFAULT_BASELINE = Path(__file__).resolve().parent.parent / "reports" / "baseline.json"

# The scores the guard watches, per family, and which way is better.
LOWER, HIGHER = "lower", "higher"
GUARDED = {
    "erasure": {"leakage_logistic": LOWER, "leakage_zero_one": LOWER, "leakage_mlp": LOWER,
                "leakage_qda": LOWER, "distortion": LOWER, "consistency": HIGHER},
    "truth": {"sign_agnostic_accuracy": HIGHER, "disjoint_facts_accuracy": HIGHER,
              "labels_needed": LOWER},
    "sparse": {"mmcs": HIGHER, "recovery_rate": HIGHER, "uniqueness": HIGHER,
               "explained_variance": HIGHER, "claimed_features": LOWER,
               "false_positive_rate": LOWER, "heldout_loss": LOWER},
}


@dataclass(frozen=True)
class Change:
    """One guarded score that moved beyond its uncertainty."""

    metric: str
    direction: str
    new: dict
    base: dict
    worse: bool

    def message(self) -> str:
        what = "worse" if self.worse else "better"
        delta = self.new["value"] - self.base["value"]
        return (f"{self.metric} {what} than baseline by {delta:+.4g}: now {self.new['value']:.4g} "
                f"[{self.new['low']:.4g}, {self.new['high']:.4g}], baseline "
                f"{self.base['value']:.4g} [{self.base['low']:.4g}, {self.base['high']:.4g}] "
                f"({self.direction} is better)")


def cell_key(record: dict) -> tuple[str, str, str, str]:
    return (record["family"], record["method"], record["generator"], record["profile"])


def compare(record: dict, base: dict) -> list[Change]:
    """Guarded scores of ``record`` whose interval does not overlap ``base``'s."""
    changes = []
    for metric, direction in GUARDED.get(record["family"], {}).items():
        new, old = record["metrics"].get(metric), base["metrics"].get(metric)
        if new is None or old is None:
            continue
        if direction == LOWER:
            worse, better = new["low"] > old["high"], new["high"] < old["low"]
        else:
            worse, better = new["high"] < old["low"], new["low"] > old["high"]
        if worse or better:
            changes.append(Change(metric, direction, new, old, worse))
    return changes


def write_baseline(records: list[dict], path: Path, profile: str) -> Path:
    """Write the metrics of every ok cell of ``records`` as a baseline at ``path``."""
    cells = [{"family": r["family"], "method": r["method"], "generator": r["generator"],
              "profile": r["profile"], "seeds": [s["seed"] for s in r["seeds"]],
              "metrics": {m: r["metrics"][m] for m in GUARDED.get(r["family"], {})
                          if m in r["metrics"]}}
             for r in records if r["status"] == "ok"]
    doc = {"schema_version": SCHEMA_VERSION, "kind": "baseline", "profile": profile,
           "environment": environment(), "records": cells}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, default=float) + "\n")
    return path


def load_baseline(path: Path) -> dict[tuple, dict]:
    """Baseline records by cell key (a results.json works as a baseline too)."""
    doc = json.loads(Path(path).read_text())
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path}: schema_version {doc.get('schema_version')!r}, "
                         f"expected {SCHEMA_VERSION!r}")
    return {cell_key(r): r for r in doc["records"] if r.get("metrics")}
