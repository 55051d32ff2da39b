"""Reference lines beside a user's method (`benchmarks.references`)."""

import dataclasses

import numpy as np
import pytest

from benchmarks.cells import Cell, run_cell
from benchmarks.coverage import references_gap
from benchmarks.grid import build_grid, user_method_spec
from benchmarks.profiles import get_profile
from benchmarks.record_numbers import REL_TOL, record_differences
from benchmarks.references import (
    best_builtin,
    covers,
    load_references,
    reference_records,
    references_document,
    roles,
)
from benchmarks.registry import get_family
from benchmarks.regression_guard import DEFAULT_BASELINE, compare, load_baseline
from benchmarks.results import format_table

QUICK = get_profile("quick")


@pytest.fixture(scope="module")
def committed():
    doc = load_references()
    assert doc is not None, "reports/references.json is missing"
    return doc


def test_committed_references_cover_every_builtin_quick_cell(committed):
    """Every cell of every family's list has its ok record, and no other cell has one; else
    the message names the cells and the command that rewrites the file."""
    assert covers(committed, QUICK)
    gap = references_gap(committed)
    assert not gap, gap


def _same_numbers(fresh: dict, stored: dict) -> None:
    """The fresh record holds the stored one's numbers as another processor would compute
    them: verdicts exactly, floats within `REL_TOL`, rounding-level quantities by their
    bound (`benchmarks.record_numbers`); wall-clock timings aside."""
    assert fresh["status"] == stored["status"] == "ok"
    level = get_family(stored["family"]).rounding_level
    diffs = record_differences(stored, fresh, level)
    assert not diffs, f"differs from the committed record beyond relative {REL_TOL:g}: " + \
        "; ".join(diffs[:5])


def test_leace_as_a_user_method_reproduces_the_committed_leace(committed):
    """Run through --method, LEACE gives the committed built-in LEACE's numbers exactly."""
    cells = build_grid(methods=["methods.erasure.leace:LeaceEraser"])
    stored = {r["generator"]: r for r in committed["records"]
              if r["family"] == "erasure" and r["method"] == "leace"}
    assert len(cells) == len(stored) == len(get_family("erasure").generators(get_profile("quick")))
    baseline = load_baseline(DEFAULT_BASELINE)
    for cell in cells:
        record = run_cell(cell)
        _same_numbers(record, stored[cell.generator.name])
        # And the regression guard, holding it to the committed baseline's LEACE entry
        # (60 seeds), finds no change in either direction.
        entry = baseline[("erasure", "leace", cell.generator.name, "quick")]
        assert entry["guarded"] and compare(record, entry) == []


@pytest.mark.parametrize("family, method", [("erasure", "oracle"), ("erasure", "identity"),
                                            ("truth", "random_direction")])
def test_committed_reference_cells_are_current(committed, family, method):
    """A cheap reference cell scored now equals its committed record (rewrite the file
    with `python -m benchmarks.references --from OUT/results.json` after a change)."""
    fam = get_family(family)
    spec = next(m for m in fam.methods(QUICK) if m.name == method)
    gen = fam.generators(QUICK)[0]
    stored = next(r for r in committed["records"] if (r["family"], r["method"],
                  r["generator"]) == (family, method, gen.name))
    _same_numbers(run_cell(Cell(family, spec, gen, QUICK)), stored)


def _perturbed(value, how):
    """Every float of a record's numbers moved by ``how`` (verdicts, counts untouched)."""
    if isinstance(value, dict):
        return {k: _perturbed(v, how) for k, v in value.items()}
    if isinstance(value, list):
        return [_perturbed(v, how) for v in value]
    return how(value) if isinstance(value, float) else value


@pytest.fixture(scope="module")
def oracle_pair(committed):
    """A committed erasure record (the oracle on the first generator) and its fresh score."""
    fam = get_family("erasure")
    spec = next(m for m in fam.methods(QUICK) if m.name == "oracle")
    gen = fam.generators(QUICK)[0]
    stored = next(r for r in committed["records"] if (r["family"], r["method"],
                  r["generator"]) == ("erasure", "oracle", gen.name))
    return stored, run_cell(Cell("erasure", spec, gen, QUICK))


@pytest.mark.parametrize("how", [lambda x: np.nextafter(x, np.inf),
                                 lambda x: np.nextafter(x, -np.inf),
                                 lambda x: x * (1 + 1e-12), lambda x: x * (1 - 1e-12)],
                         ids=["+1ulp", "-1ulp", "+1e-12", "-1e-12"])
def test_committed_numbers_survive_another_processors_rounding(oracle_pair, how):
    """Stored numbers moved as another processor's BLAS would move them (last bits, 1e-12
    relative) still match: the comparison does not depend on the machine."""
    stored, fresh = oracle_pair
    moved = {**stored, "metrics": _perturbed(stored["metrics"], how),
             "checks": _perturbed(stored["checks"], how)}
    _same_numbers(fresh, moved)


@pytest.mark.parametrize("rel", [1e-6, -1e-6])
def test_a_real_change_of_the_committed_numbers_is_caught(oracle_pair, rel):
    """A change of 1e-6 relative is no rounding: every moved metric and check is named."""
    stored, fresh = oracle_pair
    moved = {**stored, "metrics": _perturbed(stored["metrics"], lambda x: x * (1 + rel)),
             "checks": _perturbed(stored["checks"], lambda x: x * (1 + rel))}
    diffs = record_differences(moved, fresh, get_family("erasure").rounding_level)
    assert any(d.startswith("metrics/distortion/value") for d in diffs)
    assert any(d.startswith("checks/bounded_distortion/threshold") for d in diffs)
    with pytest.raises(AssertionError, match="beyond relative 1e-09"):
        _same_numbers(fresh, moved)


def test_covered_seeds_are_read_not_run(committed):
    def refuse(cell):
        raise AssertionError(f"ran {cell.id}")

    recs = reference_records(["erasure", "truth"], QUICK, run=refuse)
    methods = {(r["family"], r["method"]) for r in recs}
    assert {("erasure", "oracle"), ("erasure", "identity"), ("truth", "supervised_logistic"),
            ("truth", "random_direction")} <= methods
    assert all(r["reference"] and r["reference_role"] for r in recs)
    # The erasure references hold a best built-in (one that is neither oracle nor identity).
    assert [m for f, m in methods if f == "erasure" and m not in ("oracle", "identity")]


def test_other_seeds_run_only_the_reference_cells(committed):
    other = dataclasses.replace(QUICK, first_seed=5, n_seeds=1)
    ran = []
    recs = reference_records(["truth"], other, run=lambda cell: ran.append(cell) or {
        "family": cell.family, "method": cell.method.name, "generator": cell.generator.name})
    role = roles("truth", committed)
    n_gens = len(get_family("truth").generators(other))
    assert len(ran) == len(recs) == len(role) * n_gens
    assert {c.method.name for c in ran} == set(role)
    assert all(c.profile.seeds == (5,) for c in ran)


def _record(method, generator, passed):
    return {"family": "erasure", "method": method, "generator": generator, "status": "ok",
            "builtin": True,
            "checks": {name: {"passed": passed.get(name, False)}
                       for name in get_family("erasure").check_names}}


def test_best_builtin_per_check_by_generators_passed():
    checks = get_family("erasure").check_names
    a, b = checks[0], checks[1]
    records = [_record("leace", "g1", {a: True}), _record("leace", "g2", {a: True}),
               _record("inlp", "g1", {a: True, b: True}), _record("inlp", "g2", {}),
               _record("oracle", "g1", {a: True, b: True}),  # a fixed reference: not "best"
               _record("oracle", "g2", {a: True, b: True})]
    assert best_builtin(records, "erasure") == {"leace": [a], "inlp": [b]}
    # A tie goes to the method the family lists first (mean_projection before leace).
    records.append(_record("mean_projection", "g1", {a: True}))
    records.append(_record("mean_projection", "g2", {a: True}))
    assert best_builtin(records, "erasure")["mean_projection"] == [a]


def test_references_document_refuses_partial_or_other_seeds(committed):
    doc = {"profile": "quick", "created": "now", "records": committed["records"][:-1]}
    with pytest.raises(ValueError, match="lack 1 built-in cells"):
        references_document(doc)
    shifted = [dict(r, seeds=[dict(s, seed=s["seed"] + 3) for s in r["seeds"]])
               for r in committed["records"]]
    with pytest.raises(ValueError, match="quick profile at seeds"):
        references_document({"profile": "quick", "created": "now", "records": shifted})


def test_table_marks_references_next_to_the_users_row(committed):
    user = dict(next(r for r in committed["records"] if r["method"] == "leace"),
                method="mine:Eraser", builtin=False)
    refs = reference_records(["erasure"], QUICK)
    text = format_table([user] + refs)
    lines = text.splitlines()
    gen = user["generator"]
    rows = [i for i, line in enumerate(lines) if gen in line]
    assert "mine:Eraser" in lines[rows[0]]  # the user's row first, then its references
    assert all("[ref]" in lines[i] for i in rows[1:])
    assert "[ref] oracle: oracle: removes the planted concept directions" in text


def test_user_spec_is_not_a_reference():
    spec = user_method_spec("methods.erasure.leace:LeaceEraser")
    assert not spec.builtin
