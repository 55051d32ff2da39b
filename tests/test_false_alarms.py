"""Tests of the false-alarm estimator (reports/false_alarms.py) on records whose answer is known.

Synthetic erasure records in the family's per-seed format: a baseline measured on spread
seeds, then many-seed "fresh" records in which a known set of seeds is planted far worse.
The counts the estimator must give (k, alarming triples, alarming disjoint triples) follow
from the planting by counting (a run alarms only when all 3 of its seeds are planted), and
the bounds from their formulas.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats

from benchmarks.registry import get_family
from benchmarks.regression_guard import load_baseline, write_baseline
from benchmarks.results import record_key as cell_key
from benchmarks.results import write_results
from metrics.probes import PROBE_KINDS
from reports import false_alarms as fa

BASE_DISTORTION = [0.10, 0.11, 0.09, 0.105, 0.095, 0.10, 0.102, 0.098]


def _seed(seed: int, distortion: float, status: str = "ok") -> dict:
    if status != "ok":
        return {"seed": seed, "status": status, "error": "boom"}
    probes = {p: {"balanced_accuracy": 0.5, "chance": 0.5, "n_test": 2000} for p in PROBE_KINDS}
    result = {"seed": seed, "status": "ok", "probes": probes, "distortion": distortion,
              "oracle_distortion": 0.1, "rank_removed": 1, "consistency": 0.95,
              "fit_class_mean_gap": 0.0, "fit_time_s": 0.01}
    return {**result, "guarded": get_family("erasure").guarded_values(result)}


def _record(distortions, method="m", first_seed=0, errors=()) -> dict:
    seeds = [_seed(first_seed + i, d, "error" if first_seed + i in errors else "ok")
             for i, d in enumerate(distortions)]
    ok = not errors
    return {"family": "erasure", "method": method, "generator": "g", "profile": "quick",
            "builtin": True, "status": "ok" if ok else "error", "error": None,
            "metrics": get_family("erasure").aggregate(seeds) if ok else {}, "checks": {},
            "seeds": seeds}


@pytest.fixture
def base(tmp_path) -> dict:
    recs = [_record(BASE_DISTORTION, method=m) for m in ("calm", "planted")]
    return load_baseline(write_baseline(recs, tmp_path / "baseline.json", "quick"))


M = 30
FIRST = 1000
BAD = (1000, 1001, 1002, 1017)  # the first disjoint triple, and one alone


def _fresh(bad=BAD, errors=()) -> list[dict]:
    calm = _record([0.1] * M, method="calm", first_seed=FIRST)  # constant at the median
    values = [0.9 if FIRST + i in bad else 0.1 for i in range(M)]
    return [calm, _record(values, method="planted", first_seed=FIRST, errors=errors)]


# ------------------------------------------------------------------------- the bound

@pytest.mark.parametrize("k, m", [(0, 100), (1, 100), (3, 100), (0, 60), (5, 20), (0, 1)])
def test_clopper_pearson_upper_is_the_beta_quantile(k, m):
    assert fa.clopper_pearson_upper(k, m) == pytest.approx(stats.beta.ppf(0.95, k + 1, m - k),
                                                           rel=1e-12)


def test_clopper_pearson_upper_closed_form_and_edges():
    assert fa.clopper_pearson_upper(0, 100) == pytest.approx(1 - 0.05 ** (1 / 100), rel=1e-10)
    assert fa.clopper_pearson_upper(7, 7) == 1.0
    for bad in [(-1, 10), (11, 10), (0, 0)]:
        with pytest.raises(ValueError):
            fa.clopper_pearson_upper(*bad)


@pytest.mark.parametrize("q", [0.0, 0.01, 0.0295, 0.3, 1.0])
def test_run_bound_is_every_seed_flagged(q):
    assert fa.run_alarm_bound(q, 3) == pytest.approx(q**3, abs=1e-15)
    assert fa.run_alarm_bound(q, 1) == pytest.approx(q, abs=1e-15)
    with pytest.raises(ValueError):
        fa.run_alarm_bound(1.5, 3)
    with pytest.raises(ValueError):
        fa.run_alarm_bound(q, 0)


def test_exchangeable_bound_sums_over_the_guarded_scores(base):
    est = fa.estimate_family(_fresh(bad=()), base, n=3)
    n_b = len(BASE_DISTORTION)
    # 2 cells x 6 guarded erasure scores (4 leakages, distortion, consistency)
    assert len(est.bounds) == 12
    assert est.exchangeable_bound == pytest.approx(12 / math.comb(n_b + 3, 3))
    assert "distribution-free bound" in fa.format_estimate(est)


# ------------------------------------------------------------------- the estimator

def test_constant_seeds_at_the_baseline_never_alarm(base):
    est = fa.estimate_family(_fresh(bad=()), base, n=3)
    assert (est.m, est.k, est.exceedances) == (M, 0, [])
    assert est.triples_alarmed == 0 and est.triples_total == math.comb(M, 3)
    assert (est.disjoint_alarmed, est.disjoint_total) == (0, M // 3)
    assert est.bound == pytest.approx((1 - 0.05 ** (1 / M)) ** 3)


def test_planted_bad_seeds_give_k_and_the_alarming_triples(base):
    est = fa.estimate_family(_fresh(), base, n=3)
    assert est.k == len(BAD)
    assert {(e.seed, e.cell, e.score) for e in est.exceedances} == {
        (s, "planted-g", "distortion") for s in BAD}
    assert all(e.value == 0.9 and e.worst_seed < 0.9 for e in est.exceedances)
    # A triple alarms iff all three of its seeds are bad: C(4, 3) of them.
    assert est.triples_alarmed == math.comb(len(BAD), 3)
    assert est.disjoint_alarmed == 1  # only (1000, 1001, 1002)
    assert est.q_hi == pytest.approx(stats.beta.ppf(0.95, len(BAD) + 1, M - len(BAD)))
    assert est.bound == pytest.approx(est.q_hi**3)
    text = fa.format_estimate(est)
    assert f"k = {len(BAD)}" in text and "planted-g distortion" in text
    assert "seed 1017: 0.9" in text


def test_the_triple_count_agrees_with_brute_force(base):
    """Every triple through the real compare (M = 12 keeps it small)."""
    bad = (1000, 1004, 1005, 1011)
    recs = [{**r, "seeds": r["seeds"][:12]} for r in _fresh(bad=bad)]
    est = fa.estimate_family(recs, base, n=3)
    seeds = list(range(FIRST, FIRST + 12))
    compared = [(r, base[cell_key(r)]) for r in recs]
    brute = sum(fa._alarms(list(t), compared) for t in
                itertools.combinations(seeds, 3))
    assert est.triples_alarmed == brute == sum(
        1 for t in itertools.combinations(seeds, 3)
        if set(t) <= set(bad))


def test_an_error_seed_counts_as_an_alarm_event(base):
    est = fa.estimate_family(_fresh(bad=(), errors=(1005,)), base, n=3)
    assert est.k == 1 and est.exceedances[0].score == fa.ERROR
    assert est.triples_alarmed == math.comb(M - 1, 2)  # a run with the error seed fails
    assert est.disjoint_alarmed == 1


def test_cells_without_a_baseline_entry_are_listed(base):
    recs = _fresh(bad=()) + [_record([0.1] * M, method="new", first_seed=FIRST)]
    est = fa.estimate_family(recs, base, n=3)
    assert est.missing == ["new-g"] and est.cells_compared == 2
    assert "NO BASELINE ENTRY" in fa.format_estimate(est)


def test_estimator_refuses_inconsistent_records(base):
    a, b = _fresh(bad=())
    with pytest.raises(ValueError, match="same seeds"):
        fa.estimate_family([a, {**b, "seeds": b["seeds"][:-1]}], base)
    with pytest.raises(ValueError, match="one family"):
        fa.estimate_family([a, {**b, "family": "truth"}], base)
    with pytest.raises(ValueError, match="at least one"):
        fa.estimate_family([], base)


def test_command_line_reads_results_and_cell_folders(base, tmp_path, capsys):
    recs = _fresh()
    path = write_results(recs, tmp_path / "results.json", "quick")
    baseline = tmp_path / "baseline.json"
    assert fa.main(["--from", str(path), "--baseline", str(baseline), "--json",
                    str(tmp_path / "est.json")]) == 0
    out = capsys.readouterr().out
    assert "erasure: M = 30 seeds (1000-1029)" in out and f"k = {len(BAD)}" in out
    assert "planted-g distortion" in out
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no cell records"):
        fa.load_records([tmp_path / "empty"])
    with pytest.raises(ValueError, match="no such"):
        fa.load_records([tmp_path / "missing.json"])
    summary = json.loads((tmp_path / "est.json").read_text())
    assert summary[0]["k"] == len(BAD) and summary[0]["disjoint"] == [1, 10]
    assert np.isclose(summary[0]["bound"], fa.run_alarm_bound(summary[0]["q_hi"]))
