"""Tests of the regression guard (benchmarks/regression_guard.py).

`compare` on built cases (clearly worse, overlapping, clearly better; both directions),
the baseline file round trip, and the guard end to end: a deliberately worsened LEACE run
under the built-in cell's name regresses against ``reports/baseline.json``, while the
unchanged LEACE cell compares clean.

The cases go through the guard's public interface only (records as `run_cell` makes them,
baselines as `write_baseline` writes them), and each case is far from the decision
boundary, so they hold for any rule of the form "moved beyond its uncertainty".
"""

from __future__ import annotations

import itertools
import json
import textwrap

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.cells import Cell, run_cell
from benchmarks.coverage import baseline_gap
from benchmarks.grid import build_grid, user_method_spec
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from benchmarks.regression_guard import (
    DEFAULT_BASELINE,
    GUARDED,
    Z_DRIFT,
    Z,
    baseline_entry,
    compare,
    false_alarm_bound,
    load_baseline,
    median_variance_factor,
    seed_values,
    threshold,
    worse_within_tolerance,
    write_baseline,
)
from benchmarks.results import SCHEMA_VERSION
from benchmarks.results import record_key as cell_key
from benchmarks.spec import MethodSpec
from metrics.probes import PROBE_KINDS

# Between-seed spread of the baseline's per-seed scores (about a real cell's).
BASE_DISTORTION = [0.10, 0.11, 0.09, 0.105, 0.095, 0.10]
BASE_CONSISTENCY = [0.95, 0.96, 0.94, 0.955, 0.945, 0.95]
BASE_ACCURACY = [0.50, 0.51, 0.49, 0.50, 0.505, 0.495]


def _seed(seed, distortion, consistency, accuracy):
    """One seed's result in the erasure family's format, with its guarded scores."""
    probes = {p: {"balanced_accuracy": accuracy, "chance": 0.5, "n_test": 2000}
              for p in PROBE_KINDS}
    result = {"seed": seed, "status": "ok", "probes": probes, "distortion": distortion,
              "oracle_distortion": 0.1, "rank_removed": 1, "consistency": consistency,
              "fit_class_mean_gap": 0.0, "fit_time_s": 0.01}
    return {**result, "guarded": get_family("erasure").guarded_values(result)}


def _record(distortion, consistency=None, accuracy=None, method="m", generator="g",
            status="ok"):
    """An erasure record whose metrics come from the family's own aggregation."""
    n = len(distortion)
    consistency = consistency or BASE_CONSISTENCY[:n]
    accuracy = accuracy or BASE_ACCURACY[:n]
    seeds = [_seed(i, d, c, a) for i, (d, c, a) in
             enumerate(zip(distortion, consistency, accuracy, strict=True))]
    ok = status == "ok"
    return {"family": "erasure", "method": method, "generator": generator,
            "profile": "quick", "status": status, "error": None if ok else "boom",
            "metrics": get_family("erasure").aggregate(seeds) if ok else {},
            "checks": {}, "seeds": seeds}


def test_the_guard_reads_the_guarded_scores_stored_per_seed():
    """The guard recomputes nothing: it reads each seed's ``guarded``, and refuses a record
    whose seeds lack them rather than guessing."""
    rec = _record([0.1, 0.2, 0.3])
    rec["seeds"][1]["guarded"]["distortion"] = 7.0
    assert seed_values(rec)["distortion"] == [0.1, 7.0, 0.3]
    old = {**rec, "seeds": [{k: v for k, v in s.items() if k != "guarded"}
                            for s in rec["seeds"]]}
    with pytest.raises(ValueError, match="guarded scores"):
        seed_values(old)


@pytest.fixture
def base(tmp_path) -> dict:
    """The baseline entry of a cell measured on six seeds."""
    rec = _record(BASE_DISTORTION)
    path = write_baseline([rec], tmp_path / "baseline.json", "quick")
    return load_baseline(path)[cell_key(rec)]


def _only_change(changes, metric):
    assert [c.metric for c in changes] == [metric], [c.message() for c in changes]
    return changes[0]


def test_guarded_scores_include_those_the_cases_move():
    assert {"distortion", "consistency", "leakage_logistic"} <= set(GUARDED["erasure"])


@pytest.mark.parametrize("distortion, expected", [
    ([0.40, 0.41, 0.39], "worse"),           # far above the baseline (lower is better)
    ([0.10, 0.11, 0.09], None),              # the baseline's own first seeds
    ([0.105, 0.112, 0.098], None),           # a little worse: within its uncertainty
    ([0.095, 0.105, 0.09], None),            # a little better: within its uncertainty
    ([0.01, 0.015, 0.005], "better"),        # far below
])
def test_compare_lower_is_better(base, distortion, expected):
    changes = compare(_record(distortion), base)
    if expected is None:
        assert changes == [], [c.message() for c in changes]
        return
    change = _only_change(changes, "distortion")
    assert change.worse is (expected == "worse")
    msg = change.message()
    assert msg.startswith(f"distortion {expected} than baseline"), msg
    assert "lower is better" in msg


@pytest.mark.parametrize("consistency, expected", [
    ([0.40, 0.41, 0.39], "worse"),           # far below (higher is better)
    ([0.95, 0.96, 0.94], None),
    ([0.945, 0.955, 0.94], None),
    ([0.999, 0.9995, 0.9999], "better"),     # far above
])
def test_compare_higher_is_better(base, consistency, expected):
    changes = compare(_record(BASE_DISTORTION[:3], consistency=consistency), base)
    if expected is None:
        assert changes == [], [c.message() for c in changes]
        return
    change = _only_change(changes, "consistency")
    assert change.worse is (expected == "worse")
    msg = change.message()
    assert msg.startswith(f"consistency {expected} than baseline"), msg
    assert "higher is better" in msg


def test_leakage_of_every_probe_is_guarded(base):
    leaky = _record(BASE_DISTORTION[:3], accuracy=[0.75, 0.76, 0.74])
    changes = compare(leaky, base)
    assert {c.metric for c in changes} == {f"leakage_{p}" for p in PROBE_KINDS}
    assert all(c.worse for c in changes)
    assert all("lower is better" in c.message() for c in changes)


def test_compare_names_each_moved_metric(base):
    rec = _record([0.40, 0.41, 0.39], consistency=[0.999, 0.9995, 0.9999])
    assert {c.metric: c.worse for c in compare(rec, base)} == {"distortion": True,
                                                                "consistency": False}


def test_write_and_load_baseline_round_trip(tmp_path):
    a, b = _record(BASE_DISTORTION, method="a"), _record([0.3, 0.31, 0.29], method="b")
    failed = _record(BASE_DISTORTION, method="c", status="error")
    path = write_baseline([a, b, failed], tmp_path / "sub" / "base.json", "quick")
    doc = json.loads(path.read_text())
    assert doc["schema_version"] == SCHEMA_VERSION and doc["kind"] == "baseline"
    assert doc["profile"] == "quick"
    loaded = load_baseline(path)
    assert set(loaded) == {cell_key(a), cell_key(b)}  # error cells are not baselined
    for rec in (a, b):
        entry = loaded[cell_key(rec)]
        assert cell_key(entry) == cell_key(rec)
        assert entry["seeds"] == [s["seed"] for s in rec["seeds"]]
        assert compare(rec, entry) == []  # a record compares clean against itself
    # Each entry is its own cell's: b is far worse than a's entry, and a far better than b's.
    assert [c.worse for c in compare(b, loaded[cell_key(a)])] == [True]
    assert [c.worse for c in compare(a, loaded[cell_key(b)])] == [False]


def test_committed_baseline_covers_every_builtin_quick_cell():
    """Every cell of every family's list (quick profile) has its baseline entry; else the
    message names the cells and the `python -m benchmarks.rebaseline` command that writes
    them."""
    gap = baseline_gap(load_baseline(DEFAULT_BASELINE))
    assert not gap, gap


def test_baseline_gap_names_the_missing_cells_and_the_command():
    base = load_baseline(DEFAULT_BASELINE)
    gens = [g.name for g in get_family("erasure").generators(get_profile("quick"))]
    without = {k: v for k, v in base.items()
               if k[1] != "leace" and k[:3] != ("sparse", "pca", "uniform_cube")}
    gap = baseline_gap(without)
    assert f"{len(gens) + 1} built-in quick cell(s)" in gap
    assert gap.endswith("python -m benchmarks.rebaseline 'erasure/leace/*' "
                        "sparse/pca/uniform_cube"), gap


def test_load_baseline_refuses_another_schema(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema_version": "0.1", "kind": "baseline", "records": []}))
    with pytest.raises(ValueError):
        load_baseline(path)


# ------------------------------------------------- threshold: the rule compare decides with

def _documented_median_bound(ref: dict, tol: float, n: int) -> float:
    """The module docstring's median condition, written out independently of `threshold`."""
    spread = np.sqrt(median_variance_factor(n) + median_variance_factor(ref["n"]))
    return max(tol, Z * ref["sigma"] * spread)


@pytest.mark.parametrize("name", ["distortion", "consistency", "leakage_mlp"])
@pytest.mark.parametrize("n", [1, 3, 5, 20])
def test_threshold_is_the_documented_rule(base, name, n):
    ref, g = base["guarded"][name], GUARDED["erasure"][name]
    th = threshold(base, name, n)
    worst, best = (ref["max"], ref["min"]) if g.better == "lower" else (ref["min"], ref["max"])
    assert th.median_bound == pytest.approx(_documented_median_bound(ref, g.tol, n),
                                            rel=1e-12)
    assert th.worst_shift == pytest.approx(abs(worst - ref["median"]), rel=1e-12)
    assert th.best_shift == pytest.approx(abs(best - ref["median"]), rel=1e-12)
    assert th.worst_seed == pytest.approx(worst)
    assert (th.base_median, th.n, th.n_base, th.better) == (ref["median"], n, ref["n"],
                                                            g.better)
    assert th.median_term in ("tol", "statistical")


def test_threshold_needs_the_median_and_every_seed_beyond(base):
    # Baseline distortion spans 0.09-0.11 around 0.1; with sigma 0.0074 the statistical
    # median bound (0.028) is wider than the worst seed's distance (0.01).
    th = threshold(base, "distortion", 3)
    assert th.median_term == "statistical" and th.median_bound > th.worst_shift
    far = 0.1 + th.median_bound + 1e-9
    assert th.run_is_worse([far, far, far])
    assert not th.run_is_worse([0.1 + th.median_bound] * 3)  # strictly beyond
    # The median is far beyond, but one seed is inside the baseline's range: no alarm.
    assert not th.run_is_worse([far, far + 1, 0.105])
    assert th.run_is_better([0.1 - th.median_bound - 1e-9] * 3)
    assert list(th.beyond_worst(np.array([0.0, 0.11, 0.1100001]))) == [False, False, True]


def test_a_bimodal_baseline_is_guarded_by_its_worst_seed(tmp_path):
    # Five seeds at 0.1 and one at 0.3: sigma (MAD) is 0, so the median bound is tol; a run
    # regresses only when every seed is beyond the other mode.
    rec = _record([0.1, 0.1, 0.1, 0.1, 0.1, 0.3])
    entry = load_baseline(write_baseline([rec], tmp_path / "b.json", "quick"))[cell_key(rec)]
    th = threshold(entry, "distortion", 3)
    assert th.sigma == 0 and th.median_term == "tol" and th.median_bound == 0.005
    assert th.worst_shift == pytest.approx(0.2) and th.best_shift == 0.0
    assert compare(_record([0.29, 0.3, 0.1]), entry) == []
    assert compare(_record([0.31, 0.32, 0.1]), entry) == []  # one seed in the usual mode
    assert [c.worse for c in compare(_record([0.31, 0.32, 0.33]), entry)] == [True]


def test_threshold_refuses_bad_arguments(base):
    with pytest.raises(ValueError, match="n"):
        threshold(base, "distortion", 0)
    with pytest.raises(KeyError, match="no_such_score"):
        threshold(base, "no_such_score", 3)
    with pytest.raises(ValueError, match="n_base"):
        false_alarm_bound(0, 3)


def test_compare_reports_the_threshold_bound(base):
    th = threshold(base, "distortion", 3)
    change = _only_change(compare(_record([0.40, 0.41, 0.39]), base), "distortion")
    assert change.bound == max(th.median_bound, th.worst_shift)
    assert "every seed worse than the baseline's worst seed" in change.message()
    change = _only_change(compare(_record([0.01, 0.015, 0.005]), base), "distortion")
    assert change.bound == max(th.median_bound, th.best_shift)


_OFFSETS = st.lists(st.sampled_from([-1e-12, 0.0, 1e-12, 1e-3, -1e-3, 0.05, -0.05, 1.0]),
                    min_size=3, max_size=3)


@given(_OFFSETS)
def test_a_run_alarms_only_if_every_seed_is_beyond_the_worst_baseline_seed(base, offsets):
    """The fact the distribution-free false-alarm bound rests on."""
    th = threshold(base, "distortion", 3)
    values = [th.worst_seed + o for o in offsets]
    regressed = any(c.worse and c.metric == "distortion"
                    for c in compare(_record(values), base))
    if regressed:
        assert all(th.beyond_worst(values))
    if all(th.beyond_worst(values)) and np.median(values) > 0.1 + th.median_bound:
        assert regressed


def _distortion_record(values) -> dict:
    """The least record `baseline_entry` and `compare` read: distortion per seed."""
    return {"family": "erasure", "method": "m", "generator": "g", "profile": "quick",
            "seeds": [_seed(i, float(v), 0.95, 0.5) for i, v in enumerate(values)]}


def test_false_alarm_rate_is_below_the_exchangeable_bound():
    """Monte Carlo on a bimodal, discrete score (the hard case for a median rule): baseline
    and run seeds drawn alike, the guard alarms at most 1 / C(n_b + 3, 3) of the time."""
    rng = np.random.default_rng(0)
    # bound 1/56 = 1.8%; the earlier median-only rule alarmed on 6.7% of these draws
    n_b, draws = 5, 1000
    values = np.where(rng.random((draws, n_b + 3)) < 0.2, 0.5, 0.1)
    values += rng.integers(0, 4, values.shape) * 0.01  # steps: ties are common
    alarms = sum(
        any(c.worse for c in compare(_distortion_record(row[n_b:]),
                                     baseline_entry(_distortion_record(row[:n_b]))))
        for row in values)
    bound = false_alarm_bound(n_b, 3)
    # The observed rate may exceed the bound only by sampling error (3 standard errors).
    assert alarms / draws <= bound + 3 * np.sqrt(bound / draws), (alarms, bound)


# --------------------------------------------------- worse, within tolerance (never failed)

def test_worse_within_tolerance_bounds_are_the_documented_rule(base):
    ref, tol = base["guarded"]["distortion"], GUARDED["erasure"]["distortion"].tol
    th = threshold(base, "distortion", 3)
    spread = np.sqrt(median_variance_factor(3) + median_variance_factor(ref["n"]))
    assert th.drift_bound == pytest.approx(max(tol, Z_DRIFT * ref["sigma"] * spread))
    assert th.mean_drift_bound == pytest.approx(
        max(tol, Z_DRIFT * ref["std"] * np.sqrt(1 / 3 + 1 / ref["n"])))
    assert th.base_mean == ref["mean"]
    assert th.drift_bound < th.median_bound  # Z_DRIFT < Z: the list starts before failure


@pytest.mark.parametrize("distortion, within", [
    # Baseline 0.09-0.11 around 0.1: listed from ~0.119 (median 0.0187 and mean 0.015 above);
    # a failure needs the median beyond 0.128 and every seed beyond 0.11.
    ([0.122, 0.122, 0.122], "within the allowed"),           # the median is within its bound
    ([0.14, 0.15, 0.105], "1 of 3 seeds not beyond"),        # one seed inside the baseline
])
def test_a_score_moved_within_tolerance_is_listed_not_failed(base, distortion, within):
    record = _record(distortion)
    assert compare(record, base) == []
    drifts = worse_within_tolerance(record, base)
    assert [d.metric for d in drifts] == ["distortion"], [d.message() for d in drifts]
    msg = drifts[0].message()
    assert msg.startswith("distortion worse, within tolerance: median"), msg
    assert within in msg and "not a failure" in msg and "lower is better" in msg


def test_higher_is_better_is_listed_the_other_way(base):
    record = _record(BASE_DISTORTION[:3], consistency=[0.928, 0.928, 0.928])
    assert [d.metric for d in worse_within_tolerance(record, base)] == ["consistency"]
    better = _record(BASE_DISTORTION[:3], consistency=[0.972, 0.972, 0.972])
    assert worse_within_tolerance(better, base) == []


def test_the_baselines_own_seeds_list_nothing(base):
    own = _record(BASE_DISTORTION)
    assert worse_within_tolerance(own, base) == []
    for sub in itertools.combinations(range(len(BASE_DISTORTION)), 3):
        rec = _record([BASE_DISTORTION[i] for i in sub],
                      consistency=[BASE_CONSISTENCY[i] for i in sub],
                      accuracy=[BASE_ACCURACY[i] for i in sub])
        assert worse_within_tolerance(rec, base) == [], sub


def test_a_change_beyond_tolerance_fails_and_is_not_listed(base):
    record = _record([0.40, 0.41, 0.39])
    assert [c.worse for c in compare(record, base)] == [True]
    assert worse_within_tolerance(record, base) == []


def test_a_minority_mode_of_the_baseline_is_not_listed():
    """Scores with two modes (RLACE's MLP leakage on the outlier set: a third of the seeds
    at 0.49): two seeds of a run in the rarer mode move its median far beyond the robust
    spread, but not its mean beyond what the baseline's standard deviation explains."""
    values = [0.0, 0.01, -0.01, 0.005, -0.005, 0.49, 0.49, 0.5, 0.0, 0.002, 0.49, -0.002]
    entry = baseline_entry(_distortion_record(values))
    run = _distortion_record([0.49, 0.5, 0.0])
    th = threshold(entry, "distortion", 3)
    assert np.median(th.shift([0.49, 0.5, 0.0])) > th.median_bound  # the median alone would
    assert compare(run, entry) == [] and worse_within_tolerance(run, entry) == []


def _at_the_median(entry: dict, n: int = 3) -> dict:
    """A record of ``n`` seeds, every guarded score at the baseline entry's median."""
    seeds = [{"seed": i, "status": "ok",
              "guarded": {k: ref["median"] for k, ref in entry["guarded"].items()}}
             for i in range(n)]
    return {**{k: entry[k] for k in ("family", "method", "generator", "profile")},
            "status": "ok", "seeds": seeds}


@pytest.mark.parametrize("generator", ["two_class_gaussian", "weak_concept"])
def test_committed_baseline_entry_lists_a_distortion_moved_within_tolerance(generator):
    """A record built from a committed entry (LEACE): at the medians it lists nothing; with
    the distortion of every seed moved halfway between where the list starts and where the
    guard fails, it is listed and not failed; moved beyond, it fails and is not listed."""
    entry = load_baseline(DEFAULT_BASELINE)[("erasure", "leace", generator, "quick")]
    record = _at_the_median(entry)
    assert compare(record, entry) == [] and worse_within_tolerance(record, entry) == []
    th = threshold(entry, "distortion", 3)
    start = max(th.drift_bound, th.mean_drift_bound + (th.base_mean - th.base_median))
    assert start < th.median_bound, "no room between the list and the failure"
    for seed in record["seeds"]:
        seed["guarded"]["distortion"] = th.base_median + (start + th.median_bound) / 2
    assert compare(record, entry) == []
    assert [d.metric for d in worse_within_tolerance(record, entry)] == ["distortion"]
    far = th.base_median + 2 * max(th.median_bound, th.worst_shift)
    for seed in record["seeds"]:
        seed["guarded"]["distortion"] = far
    assert [(c.metric, c.worse) for c in compare(record, entry)] == [("distortion", True)]
    assert worse_within_tolerance(record, entry) == []


# ---------------------------------------------------------------- the guard end to end

# LEACE, then 30% of the rows (every row whose index is 0, 1 or 2 mod 10) set to zero:
# still guarded (which rows are zeroed does not depend on the class), but the displacement
# it adds is about 0.3 x (||mean||^2 + variance) / variance, far beyond the baseline's
# distortion interval on the two-class Gaussian.
WORSENED_LEACE = textwrap.dedent('''
    import numpy as np

    from methods.erasure.leace import LeaceEraser


    class ZeroingLeace:
        def fit(self, X, y):
            self.inner_ = LeaceEraser().fit(X, y)
            return self

        def transform(self, X):
            out = np.array(self.inner_.transform(X), dtype=float)
            out[np.arange(len(out)) % 10 < 3] = 0.0
            return out
''')

GENERATOR = "two_class_gaussian"


@pytest.fixture(scope="module")
def leace_cell() -> Cell:
    return next(c for c in build_grid("quick", family="erasure")
                if c.method.name == "leace" and c.generator.name == GENERATOR)


@pytest.fixture(scope="module")
def leace_baseline(leace_cell) -> dict:
    base = load_baseline(DEFAULT_BASELINE)
    assert leace_cell.key in base, "reports/baseline.json has no leace two_class_gaussian cell"
    return base[leace_cell.key]


def test_worsened_eraser_under_the_builtin_name_fails_the_guard(tmp_path, leace_cell,
                                                                leace_baseline):
    path = tmp_path / "worse_leace.py"
    path.write_text(WORSENED_LEACE)
    user = user_method_spec(f"{path}:ZeroingLeace", "erasure")
    spec = MethodSpec(name="leace", family="erasure", build=user.build, builtin=False,
                      description="LEACE with 30% of the rows zeroed")
    cell = Cell("erasure", spec, leace_cell.generator, leace_cell.profile)
    assert cell.key == leace_cell.key  # the built-in cell's name, so its baseline applies
    record = run_cell(cell)
    assert record["status"] == "ok", record["error"]
    assert {s["seed"] for s in record["seeds"]} <= set(leace_baseline["seeds"])
    changes = compare(record, leace_baseline)
    assert changes, ("the guard reported no change at all for an eraser that moves 30% of the "
                     "rows to 0: does reports/baseline.json match the format "
                     "benchmarks/regression_guard.py reads?")
    worse = [c for c in changes if c.worse]
    assert "distortion" in {c.metric for c in worse}, [c.message() for c in changes]
    msg = next(c.message() for c in worse if c.metric == "distortion")
    assert msg.startswith("distortion worse than baseline"), msg


def test_unchanged_leace_compares_clean(leace_cell, leace_baseline):
    record = run_cell(leace_cell)
    assert record["status"] == "ok", record["error"]
    assert compare(record, leace_baseline) == []


def test_rebaseline_selects_cells_by_pattern():
    from benchmarks.rebaseline import select_cells

    cells = select_cells(["sparse/*/hierarchical_features", "erasure/leace/xor_concept"],
                         "quick", 2)
    names = {(c.family, c.method.name, c.generator.name) for c in cells}
    assert ("erasure", "leace", "xor_concept") in names
    sparse = {m for f, m, g in names if f == "sparse"}
    assert {"relu_sae", "gated_sae", "random_atoms"} <= sparse
    assert all(g == "hierarchical_features" for f, m, g in names if f == "sparse")
    with pytest.raises(ValueError, match="no built-in cell matches"):
        select_cells(["sparse/no_such_method/*"], "quick", 2)


def test_rebaseline_replaces_named_entries_and_keeps_the_others(tmp_path):
    from benchmarks.rebaseline import merge_entries

    def cell(method, first_seed):
        return next(c for c in build_grid("quick", families=["erasure"], n_seeds=2,
                                          first_seed=first_seed)
                    if c.method.name == method and c.generator.name == "two_class_gaussian")

    rec_leace, rec_mp = run_cell(cell("leace", 0)), run_cell(cell("mean_projection", 0))
    path = write_baseline([rec_leace], tmp_path / "b.json", "quick")
    before = load_baseline(path)[cell_key(rec_leace)]
    changed = run_cell(cell("leace", 7))  # the same cell on other seeds: other numbers
    assert merge_entries(path, [changed, rec_mp], "quick") == (1, 1)
    after = load_baseline(path)
    assert set(after) == {cell_key(rec_leace), cell_key(rec_mp)}
    assert after[cell_key(rec_leace)] == baseline_entry(changed) != before
    assert after[cell_key(rec_mp)] == baseline_entry(rec_mp)
    with pytest.raises(ValueError, match="profile"):
        merge_entries(path, [rec_mp], "full")
