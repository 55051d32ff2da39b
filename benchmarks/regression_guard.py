"""Regression guard: compare a run's scores with a committed baseline.

What varies between runs is the seed set: each seed draws another dataset, method
initialisation and probe, and a cell's score moves far more from seed to seed than its
within-seed (binomial) interval says. Some methods are also bimodal: INLP on the outlier
set leaves the concept in place on about one seed in thirty. So the guard compares
medians over seeds, with a robust spread. The baseline is measured on many seeds
(``python -m reports --n-seeds 60 --write-baseline``) and stores, for every guarded
score of every cell, the median ``M_b`` over its ``n_b`` seeds, ``s = 1.4826 MAD`` (the
between-seed standard deviation, robust to rare outlying seeds) and the range of its seeds.
A run with ``n`` seeds (3 on the quick profile) with median ``M`` *regresses* on a score
when both

    M - M_b (signed so that positive is worse) > max(tol, Z * s * sqrt(c(n) + c(n_b))),
    and every one of the run's n seeds is worse than the baseline's worst seed,

with ``c(n)`` the variance of a median of ``n`` standard normals (1, 1/2, 0.449 for
n = 1, 2, 3; ``pi / (2n)`` beyond). It *improves* symmetrically (beyond the best seed).
``Z = 4.5``; ``tol`` is the smallest change worth a failure for that score (half a
percentage point of accuracy; one label; one atom of 64). A change that moves every seed
(an SAE at a tenth of its budget) trips both conditions; one unlucky seed trips neither.

Why the second condition: for an unchanged method the run's seeds and the baseline's are
exchangeable draws, so the chance that all ``n`` run seeds are strictly worse than all
``n_b`` baseline seeds is at most ``1 / C(n_b + n, n)`` (2.6e-5 for n = 3, n_b = 60),
whatever the score's distribution: bimodal cells (INLP on the outlier set leaves the concept
on about one seed in thirty), discrete ones (recovery in steps of 1/64) and constant ones
alike. Summed over every guarded score of a family, that is a bound on the false-alarm rate
of a CI run that needs no reruns (`reports.false_alarms`, docs/regression-guard.md). The
earlier rule (the median alone beyond ``max(tol, statistical, worst-seed distance)``)
alarmed on 0.9% of the seed triples of 100 fresh truth seeds (95% upper bound 3.7%): CCS's
accuracy on the single-truth control is 1.0 on every baseline seed and 0.988-0.993 on 6 of
100 fresh ones, so two such seeds in one run fired it. The price is sensitivity on cells
whose baseline holds an outlying seed: a regression must move every seed past it
(`reports.false_alarms` lists those scores as "wide").

Rewrite the built-in baseline after an intended change with
``python -m reports --n-seeds 60 --write-baseline --out /tmp/baseline-run``. For your own
method: ``python -m reports --method M --n-seeds 60 --write-baseline my_baseline.json``,
then ``pytest benchmarks/ --method M --baseline my_baseline.json`` in your CI.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.families import LOWER, Guarded
from benchmarks.registry import FAMILIES
from benchmarks.results import SCHEMA_VERSION, environment, record_key

DEFAULT_BASELINE = Path(__file__).resolve().parent.parent / "reports" / "baseline.json"
Z = 4.5
# Version of the baseline file's layout ("guarded": mean, sigma, n per score); a file of
# another version is refused rather than silently guarding nothing.
BASELINE_VERSION = 4
# Every family's guarded scores (declared in ``benchmarks/<family>/guarded.py``).
GUARDED: dict[str, dict[str, Guarded]] = {
    name: dict(fam.guarded) for name, fam in FAMILIES.items()}


def seed_values(record: dict) -> dict[str, list[float]]:
    """Per-seed values of every guarded score present on every seed of ``record``.

    They are read from the record (each seed's ``guarded``, written when the cell was
    scored by `benchmarks.families.Family.guarded_values`); nothing is recomputed here.

    Raises
    ------
    ValueError
        For a record written before seeds carried their guarded scores.
    """
    seeds = record["seeds"]
    if any("guarded" not in s for s in seeds):
        raise ValueError(f"{record_key(record)}: a seed without its guarded scores (a record "
                         "written before they were stored per seed); score the cell again")
    return {name: [float(s["guarded"][name]) for s in seeds]
            for name in GUARDED.get(record["family"], {})
            if all(name in s["guarded"] for s in seeds)}


@dataclass(frozen=True)
class Change:
    """One guarded score that moved beyond its uncertainty."""

    metric: str
    better_is: str
    new_median: float
    n: int
    base_median: float
    sigma: float
    n_base: int
    bound: float
    worse: bool

    def message(self) -> str:
        what = "worse" if self.worse else "better"
        diff = abs(self.new_median - self.base_median)
        return (f"{self.metric} {what} than baseline: median {self.new_median:.4g} over "
                f"{self.n} seeds vs baseline {self.base_median:.4g} (robust sigma "
                f"{self.sigma:.3g} over {self.n_base} seeds); |difference| {diff:.4g} > "
                f"allowed {self.bound:.4g}, and every seed {what} than the baseline's "
                f"{'worst' if self.worse else 'best'} seed ({self.better_is} is better)")


def median_variance_factor(n: int) -> float:
    """Variance of the median of ``n`` standard normal draws (exact for n <= 3)."""
    exact = {1: 1.0, 2: 0.5, 3: 0.4487}
    return exact.get(n, np.pi / (2 * n))


@dataclass(frozen=True)
class Threshold:
    """When the ``n`` run seeds of one guarded score count as changed from the baseline.

    ``shift(v) = (v - base_median) * (+1 if lower is better else -1)`` is positive when
    ``v`` is worse than the baseline median. A run with values ``v_1..v_n`` is *worse* when
    both

        shift(median(v)) > median_bound = max(tol, Z * sigma * sqrt(c(n) + c(n_b)))
        shift(v_i) > worst_shift for every i   (every run seed worse than the baseline's
                                                worst seed)

    and *better* symmetrically (``-shift``, beyond the baseline's best seed). The second
    condition makes the false-alarm rate distribution-free: for an unchanged method the
    ``n_b + n`` seeds are exchangeable, so the chance that the ``n`` run seeds are all
    strictly worse than all ``n_b`` baseline seeds is at most ``1 / C(n_b + n, n)``
    (`false_alarm_bound`), whatever the score's distribution (bimodal, discrete, constant).
    """

    metric: str
    better: str
    base_median: float
    sigma: float
    n_base: int
    n: int
    median_bound: float
    worst_shift: float
    best_shift: float
    median_term: str = ""  # which term sets median_bound: "tol" or "statistical"

    def shift(self, value):
        """Signed distance from the baseline median, positive = worse (arrays elementwise)."""
        sign = 1 if self.better == LOWER else -1
        return (np.asarray(value, dtype=float) - self.base_median) * sign

    def beyond_worst(self, value):
        """Whether each value is strictly worse than the baseline's worst seed."""
        return self.shift(value) > self.worst_shift

    def run_is_worse(self, values) -> bool:
        shifts = self.shift(values)
        return bool(np.median(shifts) > self.median_bound and np.all(shifts > self.worst_shift))

    def run_is_better(self, values) -> bool:
        shifts = -self.shift(values)
        return bool(np.median(shifts) > self.median_bound and np.all(shifts > self.best_shift))

    @property
    def allowed_worsening(self) -> float:
        """How far the run's median may move the wrong way before it can count as worse."""
        return max(self.median_bound, self.worst_shift)

    @property
    def worst_seed(self) -> float:
        """The baseline's worst seed: every run seed must be beyond it (for reading)."""
        sign = 1 if self.better == LOWER else -1
        return self.base_median + sign * self.worst_shift


def false_alarm_bound(n_base: int, n: int) -> float:
    """``1 / C(n_base + n, n)``: the most often an unchanged method's run of ``n`` seeds
    can be worse than all ``n_base`` baseline seeds on one score (exchangeable seeds)."""
    if n_base < 1 or n < 1:
        raise ValueError(f"n_base and n must be >= 1, got {n_base} and {n}")
    return 1.0 / math.comb(n_base + n, n)


def threshold(base_entry: dict, name: str, n: int) -> Threshold:
    """The `Threshold` of guarded score ``name`` of a baseline entry for a run of ``n`` seeds.

    ``base_entry`` is one cell's entry as `load_baseline` returns it (its ``family`` says
    which guarded scores exist). Raises ``KeyError`` naming the score if the entry does not
    guard it, and ``ValueError`` for ``n < 1``.
    """
    if n < 1:
        raise ValueError(f"n (seeds in the run) must be >= 1, got {n}")
    g = GUARDED[base_entry["family"]][name]
    try:
        ref = base_entry["guarded"][name]
    except KeyError:
        raise KeyError(f"the baseline entry of {record_key(base_entry)} does not guard "
                       f"{name!r}") from None
    spread = np.sqrt(median_variance_factor(n) + median_variance_factor(ref["n"]))
    statistical = float(Z * ref["sigma"] * spread)
    worst, best = (ref["max"], ref["min"]) if g.better == LOWER else (ref["min"], ref["max"])
    return Threshold(
        metric=name, better=g.better, base_median=ref["median"], sigma=ref["sigma"],
        n_base=ref["n"], n=n, median_bound=max(g.tol, statistical),
        worst_shift=abs(worst - ref["median"]), best_shift=abs(best - ref["median"]),
        median_term="statistical" if statistical > g.tol else "tol")


def compare(record: dict, base: dict) -> list[Change]:
    """Guarded scores of ``record`` that moved beyond the rule of `Threshold`.

    The decision is `threshold` (shared with `reports.false_alarms`, so the false-alarm
    rate it states is the rate of this very rule).
    """
    changes = []
    for name, values in seed_values(record).items():
        if name not in base.get("guarded", {}):
            continue
        th = threshold(base, name, len(values))
        worse, better = th.run_is_worse(values), th.run_is_better(values)
        if worse or better:
            bound = max(th.median_bound, th.worst_shift if worse else th.best_shift)
            changes.append(Change(name, th.better, float(np.median(values)), th.n,
                                  th.base_median, th.sigma, th.n_base, bound, worse))
    return changes


def baseline_entry(record: dict) -> dict:
    """Median, robust spread (1.4826 MAD), range and seed count of each guarded score.

    The mean and the plain standard deviation are stored beside them for reading.
    """
    guarded = {}
    for name, values in seed_values(record).items():
        arr = np.asarray(values)
        median = float(np.median(arr))
        guarded[name] = {"median": median,
                         "sigma": float(1.4826 * np.median(np.abs(arr - median))),
                         "n": len(values), "min": float(arr.min()), "max": float(arr.max()),
                         "mean": float(arr.mean()),
                         "std": float(arr.std(ddof=1)) if len(values) > 1 else 0.0}
    return {"family": record["family"], "method": record["method"],
            "generator": record["generator"], "profile": record["profile"],
            "seeds": [s["seed"] for s in record["seeds"]], "guarded": guarded}


def write_baseline(records: list[dict], path: Path, profile: str) -> Path:
    """Write the guarded scores of every ok cell of ``records`` as a baseline at ``path``."""
    doc = {"schema_version": SCHEMA_VERSION, "kind": "baseline",
           "baseline_version": BASELINE_VERSION, "profile": profile,
           "environment": environment(),
           "records": [baseline_entry(r) for r in records if r["status"] == "ok"]}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")
    return path


def load_baseline(path: Path) -> dict[tuple, dict]:
    """Baseline entries by cell key."""
    doc = json.loads(Path(path).read_text())
    if doc.get("kind") != "baseline" or doc.get("baseline_version") != BASELINE_VERSION:
        raise ValueError(f"{path} is not a toyground baseline (schema {SCHEMA_VERSION}); "
                         "write one with `python -m reports --n-seeds 60 --write-baseline "
                         "PATH` (with your --method: your own PATH, never the suite's)")
    return {record_key(r): r for r in doc["records"]}
