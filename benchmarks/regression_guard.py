"""Regression guard: compare a run's scores with a committed baseline.

What varies between runs is the seed set: each seed draws another dataset, method
initialisation and probe, and a cell's score moves far more from seed to seed than its
within-seed (binomial) interval says. Some methods are also bimodal: INLP on the outlier
set leaves the concept in place on about one seed in thirty. So the guard compares
medians over seeds, with a robust spread. The baseline is measured on many seeds
(``python -m reports --n-seeds 60 --write-baseline``) and stores, for every guarded
score of every cell, the median ``M_b`` over its ``n_b`` seeds, ``s = 1.4826 MAD`` (the
between-seed standard deviation, robust to rare outlying seeds) and the range of its seeds
(with the mean and plain standard deviation, which the list below also reads).
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

Worse, within tolerance (listed, never failed). A change smaller than the failure bound
passes, but not silently: a score that moved the wrong way by more than the baseline's own
seed-to-seed scatter explains, yet not far enough to fail, is listed as *worse, within
tolerance* (in the terminal summary of ``pytest benchmarks/``, beside the improvements),
with its run median, the baseline median and the tolerance it stayed within. Listed when

    M - M_b > max(tol, Z_DRIFT * s * sqrt(c(n) + c(n_b))),           (the median condition)
    A - A_b > max(tol, Z_DRIFT * sd * sqrt(1/n + 1/n_b)),            (the same for the mean)
    and the run does not regress (one of the two conditions above fails),

both signed so that positive is worse, with ``A``, ``A_b`` the run's and the baseline's
mean over seeds and ``sd`` the baseline's plain standard deviation (stored beside ``s``).
Each square root is the standard deviation of the difference of two medians (two means) for
an unchanged method whose seeds scatter normally, so with ``Z_DRIFT = 3`` such a score is
listed on at most about one run in 740 (one-sided 3 sigma); ``tol`` keeps a change too small
to count off the list (a constant score, ``s = sd = 0``, is listed only beyond ``tol``).

Why two conditions: each statistic is blind where the other is not. The median with its
robust spread ignores one outlying seed (INLP's one in thirty on the outlier set), but a
minority mode of a third of the seeds (RLACE's MLP leakage on the outlier set: 0.49 on a
third of them, about 0 on the rest; robust sigma 0.019) moves a 3-seed median on a quarter
of runs; the mean with the plain standard deviation sees that mode in ``sd`` (0.23) but is
moved by one outlying seed. Measured on the erasure family's fresh seeds against
reports/baseline.json, over every 3-seed subset: with the median condition alone, the list
of an unchanged built-in method (its 30 guarded scores) was non-empty on 13% of its runs
(seeds 1000-1029; 6.5% even at ``Z`` itself), 77% of runs for the family's 300 scores. With
both conditions at ``Z_DRIFT = 3``: 2.2% of an unchanged method's runs on seeds 1000-1029
(where ``Z_DRIFT`` was chosen) and 2.9% on the held-out seeds 1030-1059 (on 3 of 200
disjoint method runs of both: 95% Wilson [0.5%, 4.3%]); for the whole family's 300
scores, a non-empty list on 19-24% of runs; none for any of the 213 built-in cells of all
five families at CI's default seeds 0-2 (the baseline's own). What 3 seeds can see: a
shift of about 2.1 seed standard deviations (``Z_DRIFT sqrt(c(3) + c(60))``; failure
needs 3.1 and every seed past the baseline's worst); a shift of a fraction of one is
invisible to 3 seeds under any rule that stays quiet for an unchanged method.

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
# "Worse, within tolerance" (listed, never failed): the run's median and mean both worse
# than the baseline's by more than Z_DRIFT standard deviations of their difference (one-sided
# 3 sigma: 0.13% of the runs of an unchanged, normally scattered score; measured rates in
# the module docstring).
Z_DRIFT = 3.0
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

    and *better* symmetrically (``-shift``, beyond the baseline's best seed). It is *worse,
    within tolerance* (listed, not failed) when it is not worse but both
    ``shift(median(v)) > drift_bound`` and ``mean_shift(v) > mean_drift_bound`` (the module
    docstring's rule at ``Z_DRIFT``). The second
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
    # "Worse, within tolerance": max(tol, Z_DRIFT * sigma * sqrt(c(n) + c(n_b))) for the
    # median's shift, max(tol, Z_DRIFT * std * sqrt(1/n + 1/n_b)) for the mean's from base_mean
    drift_bound: float = math.inf
    base_mean: float = math.nan
    mean_drift_bound: float = math.inf

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

    def mean_shift(self, values) -> float:
        """The run's mean minus the baseline's, positive = worse."""
        sign = 1 if self.better == LOWER else -1
        return float((np.mean(np.asarray(values, dtype=float)) - self.base_mean) * sign)

    def run_is_worse_within_tolerance(self, values) -> bool:
        """Worse than seed-to-seed scatter explains (median beyond `drift_bound` and mean
        beyond `mean_drift_bound`), but not a regression (`run_is_worse` is False)."""
        return bool(np.median(self.shift(values)) > self.drift_bound
                    and self.mean_shift(values) > self.mean_drift_bound
                    and not self.run_is_worse(values))

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
    drift = float(Z_DRIFT * ref["sigma"] * spread)
    mean_drift = float(Z_DRIFT * ref["std"] * np.sqrt(1 / n + 1 / ref["n"]))
    worst, best = (ref["max"], ref["min"]) if g.better == LOWER else (ref["min"], ref["max"])
    return Threshold(
        metric=name, better=g.better, base_median=ref["median"], sigma=ref["sigma"],
        n_base=ref["n"], n=n, median_bound=max(g.tol, statistical),
        worst_shift=abs(worst - ref["median"]), best_shift=abs(best - ref["median"]),
        median_term="statistical" if statistical > g.tol else "tol",
        drift_bound=max(g.tol, drift), base_mean=ref["mean"],
        mean_drift_bound=max(g.tol, mean_drift))


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


@dataclass(frozen=True)
class Drift:
    """One guarded score worse than seed-to-seed scatter explains, within the guard's
    tolerance: listed, never failed (`worse_within_tolerance`)."""

    metric: str
    better_is: str
    new_median: float
    n: int
    base_median: float
    sigma: float
    n_base: int
    new_mean: float
    base_mean: float
    drift_bound: float       # the median moved by more than this (and the mean likewise)
    median_bound: float      # the guard fails only beyond this ...
    worst_seed: float        # ... with every seed beyond this
    n_beyond_worst: int      # run seeds beyond the baseline's worst seed

    def message(self) -> str:
        diff = abs(self.new_median - self.base_median)
        if diff > self.median_bound:
            within = (f"{self.n - self.n_beyond_worst} of {self.n} seeds not beyond the "
                      f"baseline's worst seed {self.worst_seed:.4g}")
        else:
            within = f"within the allowed {self.median_bound:.4g}"
        return (f"{self.metric} worse, within tolerance: median {self.new_median:.4g} over "
                f"{self.n} seeds vs baseline {self.base_median:.4g} (robust sigma "
                f"{self.sigma:.3g} over {self.n_base} seeds; means {self.new_mean:.4g} vs "
                f"{self.base_mean:.4g}); |difference| {diff:.4g} > {self.drift_bound:.4g}, "
                f"more than seed-to-seed scatter explains, but {within} (the guard fails "
                f"beyond {self.median_bound:.4g} with every seed beyond {self.worst_seed:.4g}; "
                f"{self.better_is} is better; not a failure)")


def worse_within_tolerance(record: dict, base: dict) -> list[Drift]:
    """Guarded scores of ``record`` worse than seed-to-seed scatter explains, that the guard
    does not fail (`Threshold.run_is_worse_within_tolerance`): listed, never failed.

    A score `compare` reports (worse or better) is never here.
    """
    drifts = []
    for name, values in seed_values(record).items():
        if name not in base.get("guarded", {}):
            continue
        th = threshold(base, name, len(values))
        if th.run_is_worse_within_tolerance(values):
            drifts.append(Drift(
                name, th.better, float(np.median(values)), th.n, th.base_median, th.sigma,
                th.n_base, float(np.mean(values)), th.base_mean, th.drift_bound,
                th.median_bound, th.worst_seed, int(np.sum(th.beyond_worst(values)))))
    return drifts


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


def guard_summary(records: list[dict], baseline: dict[tuple, dict], path: str) -> dict:
    """The guard's verdict on ``records`` (not references) against ``baseline`` (as
    `load_baseline` returns it), as a results document stores it under ``"guard"``:
    ``{"baseline", "regressions", "improvements", "within_tolerance", "no_entry"}``, each a
    list of ``"family method-generator: message"`` lines (``no_entry``: cells the baseline
    lacks). Read by the report; the decisions are `compare` and `worse_within_tolerance`."""
    out = {"baseline": str(path), "regressions": [], "improvements": [],
           "within_tolerance": [], "no_entry": []}
    for r in records:
        if r.get("reference") or r["status"] != "ok":
            continue
        where = f"{r['family']} {r['method']}-{r['generator']}"
        base = baseline.get(record_key(r))
        if base is None:
            out["no_entry"].append(where)
            continue
        for c in compare(r, base):
            out["regressions" if c.worse else "improvements"].append(f"{where}: {c.message()}")
        out["within_tolerance"] += [f"{where}: {d.message()}"
                                    for d in worse_within_tolerance(r, base)]
    return out
