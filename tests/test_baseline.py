"""Tests of the regression guard (benchmarks/baseline.py).

`compare` on hand-built intervals (worse, overlapping, better; both directions), the
baseline file round trip, and the guard end to end: a deliberately worsened LEACE run under
the built-in cell's name regresses against ``reports/baseline.json``, while the unchanged
LEACE cell compares clean.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from benchmarks.baseline import (
    DEFAULT_BASELINE,
    GUARDED,
    HIGHER,
    LOWER,
    cell_key,
    compare,
    load_baseline,
    write_baseline,
)
from benchmarks.cells import Cell, run_cell
from benchmarks.grid import build_grid, user_method_spec
from benchmarks.results import SCHEMA_VERSION, write_results
from benchmarks.spec import MethodSpec


def _est(value, low, high, n=6000, confidence=0.999):
    return {"value": value, "low": low, "high": high, "n": n, "confidence": confidence}


def _record(metrics, family="erasure", method="m", generator="g", status="ok"):
    return {"family": family, "method": method, "generator": generator, "profile": "quick",
            "status": status, "error": None if status == "ok" else "boom",
            "metrics": metrics, "checks": {}, "seeds": [{"seed": s} for s in (0, 1, 2)]}


BASE_INTERVAL = _est(0.10, 0.05, 0.15)


def test_guarded_directions_are_what_the_tests_assume():
    assert GUARDED["erasure"]["distortion"] == LOWER
    assert GUARDED["erasure"]["leakage_logistic"] == LOWER
    assert GUARDED["erasure"]["consistency"] == HIGHER
    assert GUARDED["truth"]["sign_agnostic_accuracy"] == HIGHER


@pytest.mark.parametrize("new, expected", [
    (_est(0.20, 0.16, 0.24), "worse"),       # entirely above the baseline's interval
    (_est(0.17, 0.15, 0.19), None),          # touches the baseline's high end: overlaps
    (_est(0.14, 0.12, 0.16), None),          # overlapping, point value worse
    (_est(0.07, 0.06, 0.08), None),          # inside, point value better
    (_est(0.00, -0.03, 0.04), "better"),     # entirely below
])
def test_compare_lower_is_better(new, expected):
    base = _record({"distortion": BASE_INTERVAL})
    changes = compare(_record({"distortion": new}), base)
    if expected is None:
        assert changes == []
        return
    (change,) = changes
    assert change.metric == "distortion"
    assert change.worse is (expected == "worse")
    assert change.direction == LOWER
    msg = change.message()
    assert msg.startswith(f"distortion {expected} than baseline"), msg
    assert "lower is better" in msg


@pytest.mark.parametrize("new, expected", [
    (_est(0.00, -0.03, 0.04), "worse"),      # entirely below: higher is better
    (_est(0.14, 0.12, 0.16), None),
    (_est(0.06, 0.04, 0.08), None),
    (_est(0.20, 0.16, 0.24), "better"),
])
def test_compare_higher_is_better(new, expected):
    base = _record({"consistency": BASE_INTERVAL})
    changes = compare(_record({"consistency": new}), base)
    if expected is None:
        assert changes == []
        return
    (change,) = changes
    assert change.metric == "consistency"
    assert change.worse is (expected == "worse")
    assert change.direction == HIGHER
    assert change.message().startswith(f"consistency {expected} than baseline")
    assert "higher is better" in change.message()


def test_compare_names_each_moved_metric_and_ignores_unguarded_or_missing():
    base = _record({"distortion": BASE_INTERVAL, "leakage_mlp": BASE_INTERVAL,
                    "consistency": BASE_INTERVAL, "rank_removed": BASE_INTERVAL})
    new = _record({"distortion": _est(0.3, 0.2, 0.4),        # worse
                   "leakage_mlp": _est(0.0, -0.02, 0.02),    # better
                   "rank_removed": _est(9.0, 9.0, 9.0)})     # not guarded
    changes = {c.metric: c.worse for c in compare(new, base)}
    assert changes == {"distortion": True, "leakage_mlp": False}


def test_compare_unknown_family_guards_nothing():
    base = _record({"distortion": BASE_INTERVAL}, family="other")
    assert compare(_record({"distortion": _est(9, 8, 10)}, family="other"), base) == []


def test_write_and_load_baseline_round_trip(tmp_path):
    ok = _record({"distortion": BASE_INTERVAL, "consistency": _est(0.9, 0.8, 1.0),
                  "fit_time_s": _est(0.1, 0.0, 0.2)}, method="a")
    truth = _record({"sign_agnostic_accuracy": _est(0.9, 0.85, 0.95)}, family="truth",
                    method="b")
    failed = _record({}, method="c", status="error")
    path = write_baseline([ok, truth, failed], tmp_path / "sub" / "base.json", "quick")
    doc = json.loads(path.read_text())
    assert doc["schema_version"] == SCHEMA_VERSION and doc["kind"] == "baseline"
    assert doc["profile"] == "quick"
    loaded = load_baseline(path)
    assert set(loaded) == {cell_key(ok), cell_key(truth)}  # error cells are not baselined
    # Only the guarded metrics are kept, with their intervals unchanged.
    assert loaded[cell_key(ok)]["metrics"] == {"distortion": BASE_INTERVAL,
                                              "consistency": _est(0.9, 0.8, 1.0)}
    assert loaded[cell_key(ok)]["seeds"] == [0, 1, 2]
    assert loaded[cell_key(truth)]["metrics"] == truth["metrics"]
    # A record compares clean against its own baseline entry.
    assert compare(ok, loaded[cell_key(ok)]) == []


def test_a_results_json_works_as_a_baseline(tmp_path):
    rec = _record({"distortion": BASE_INTERVAL})
    path = write_results([rec], tmp_path / "results.json", "quick")
    assert load_baseline(path)[cell_key(rec)]["metrics"] == rec["metrics"]


def test_load_baseline_refuses_another_schema(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"schema_version": "0.1", "records": []}))
    with pytest.raises(ValueError, match="schema_version"):
        load_baseline(path)


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
    assert [s["seed"] for s in record["seeds"]] == leace_baseline["seeds"]
    worse = [c for c in compare(record, leace_baseline) if c.worse]
    assert "distortion" in {c.metric for c in worse}, [c.message() for c in worse]
    msg = next(c.message() for c in worse if c.metric == "distortion")
    assert msg.startswith("distortion worse than baseline"), msg


def test_unchanged_leace_compares_clean(leace_cell, leace_baseline):
    record = run_cell(leace_cell)
    assert record["status"] == "ok", record["error"]
    assert compare(record, leace_baseline) == []
