"""The findings tables are consistent, applied as intended, and the stability count is right.

- No (method, generator, check) is both a strict finding and a variable one; every key
  names a built-in method, a generator and a check of the family whose module lists it.
- benchmarks/conftest.py marks strict findings ``xfail(strict=True)`` and variable ones
  ``xfail(strict=False)``; the report lists variable findings with their rate and does
  not count them as unexpected failures.
- `reports.findings_stability` counts passing seed sets correctly on a synthetic record.
"""

from __future__ import annotations

import pytest

from benchmarks import conftest as grid_conftest
from benchmarks.expected_findings import EXPECTED_FINDINGS, VARIABLE_FINDINGS
from benchmarks.profiles import get_profile
from benchmarks.registry import FAMILY_NAMES, get_family
from metrics.probes import PROBE_KINDS
from reports import content, verdicts
from reports import findings_stability as fs


def _tables(family: str) -> tuple[dict, dict]:
    fam = get_family(family)
    return fam.findings, fam.variable_findings


@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_no_key_is_in_both_tables(family):
    strict, variable = _tables(family)
    assert not set(strict) & set(variable)


def test_the_assembled_tables_are_the_union_of_the_families():
    assert not set(EXPECTED_FINDINGS) & set(VARIABLE_FINDINGS)
    assert len(EXPECTED_FINDINGS) == sum(len(_tables(f)[0]) for f in FAMILY_NAMES)
    assert len(VARIABLE_FINDINGS) == sum(len(_tables(f)[1]) for f in FAMILY_NAMES)


@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_every_key_names_a_method_generator_and_check_of_its_family(family):
    fam, profile = get_family(family), get_profile("quick")
    methods = {m.name for m in fam.methods(profile)}
    generators = {g.name for g in fam.generators(profile)}
    for table in _tables(family):
        for (method, generator, check), reason in table.items():
            assert method in methods, (method, generator, check)
            assert generator in generators, (method, generator, check)
            assert check in fam.check_names, (method, generator, check)
            assert isinstance(reason, str) and len(reason) > 20


def test_every_variable_finding_states_its_measured_rate():
    for key, reason in VARIABLE_FINDINGS.items():
        assert "passes on" in reason and "seed sets" in reason, key


# ------------------------------------------------------------ how the grid applies them

class _Metafunc:
    """What `parametrize_grid` reads from pytest's metafunc, and what it hands back."""

    def __init__(self, option):
        self.config = type("Config", (), {"option": option})()
        self.fixturenames = ["check_case"]
        self.params = []

    def parametrize(self, name, params):
        self.params = params


def _xfail_marks(monkeypatch, profile="quick", first_seed=0, n_seeds=None, family=None):
    """``(method, generator, check) -> [xfail marks]`` of the grid pytest would collect."""
    monkeypatch.setattr(grid_conftest, "_GRIDS", {})
    option = type("Option", (), {"profile": profile, "method": [], "family": family,
                                 "first_seed": first_seed, "n_seeds": n_seeds,
                                 "expect_fail": [], "generator": []})()
    meta = _Metafunc(option)
    grid_conftest.parametrize_grid(meta)
    marks = {}
    for param in meta.params:
        cell, check = param.values[0]
        xfails = [m for m in param.marks if m.name == "xfail"]
        marks[(cell.method.name, cell.generator.name, check)] = xfails
    return marks


def test_strict_and_variable_findings_get_their_xfail(monkeypatch):
    marks = _xfail_marks(monkeypatch)
    assert set(EXPECTED_FINDINGS) | set(VARIABLE_FINDINGS) <= set(marks)
    for key, xfails in marks.items():
        if key in EXPECTED_FINDINGS:
            assert [m.kwargs["strict"] for m in xfails] == [True], key
        elif key in VARIABLE_FINDINGS:
            assert [m.kwargs["strict"] for m in xfails] == [False], key
            assert xfails[0].kwargs["reason"] == VARIABLE_FINDINGS[key]
        else:
            assert xfails == [], key


@pytest.mark.parametrize("scale", [dict(profile="full"), dict(first_seed=5),
                                   dict(n_seeds=10)], ids=["full", "seeds5-7", "seeds0-9"])
def test_at_another_scale_findings_are_reported_not_enforced(monkeypatch, scale):
    """Findings were measured at the quick profile at seeds 0-2: at another profile or
    other seeds every one of them is a non-strict xfail whose reason says where it was
    measured, so a run at another scale cannot fail on a finding that flips with size."""
    marks = _xfail_marks(monkeypatch, **scale)
    assert set(EXPECTED_FINDINGS) | set(VARIABLE_FINDINGS) <= set(marks)
    for key, xfails in marks.items():
        if key in EXPECTED_FINDINGS or key in VARIABLE_FINDINGS:
            assert [m.kwargs["strict"] for m in xfails] == [False], key
            reason = xfails[0].kwargs["reason"]
            assert reason.startswith("measured at the quick profile at seeds 0-2, not "
                                     "enforced at this scale: "), key
            assert reason.endswith(EXPECTED_FINDINGS.get(key) or VARIABLE_FINDINGS[key])
        else:
            assert xfails == [], key


def test_every_family_measured_its_findings_at_the_quick_ci_seeds():
    for family in FAMILY_NAMES:
        at = get_family(family).findings_measured_at
        assert at.covers(get_profile("quick"))
        assert not at.covers(get_profile("quick", first_seed=1))
        assert not at.covers(get_profile("full"))
        assert at.text() == "the quick profile at seeds 0-2"


def test_report_says_whether_a_finding_measured_elsewhere_holds_here():
    rec = {"method": "m", "generator": "g", "family": "erasure", "builtin": True,
           "status": "ok", "profile": "full", "seeds": [{"seed": 0}],
           "expected_findings": {}, "variable_findings": {},
           "other_scale_findings": {"consistent": "measured at the quick profile ...: why",
                                    "erases_linear": "measured at the quick profile ...: why"},
           "checks": {"consistent": {"passed": True, "value": 0.95, "threshold": 0.9,
                                     "rule": "r"},
                      "erases_linear": {"passed": False, "value": 0.2, "threshold": 0.0,
                                        "rule": "r"}}}
    gone, holds = verdicts.verdict(rec, "consistent"), verdicts.verdict(rec, "erases_linear")
    assert gone.kind == holds.kind == verdicts.OTHER_SCALE
    assert gone.reason.startswith("does not hold here (passes), measured 0.95; measured at")
    assert holds.reason.startswith("holds here (fails), measured 0.2; measured at")
    assert verdicts.tally([rec], ["consistent", "erases_linear"]).text() == "1/2"
    assert content.problems({"records": [rec], "profile": "full"}) == []
    items = content._finding_items([rec], "other_scale_findings")
    assert [i[0] for i in items] == ["m on g · consistent", "m on g · erases_linear"]


def test_report_lists_variable_findings_apart_from_failures():
    rec = {"method": "m", "generator": "g", "family": "erasure", "builtin": True,
           "status": "ok", "profile": "quick", "seeds": [{"seed": 0}],
           "expected_findings": {},
           "variable_findings": {"consistent": "passes on 1 of 3 seed sets"},
           "checks": {"consistent": {"passed": False, "value": 0.5, "threshold": 0.9,
                                     "rule": "r"},
                      "erases_linear": {"passed": False, "value": 0.2, "threshold": 0.0,
                                        "rule": "r"}}}
    items = content._finding_items([rec], "variable_findings")
    assert items == [("m on g · consistent", "passes on 1 of 3 seed sets",
                      "measured: m 0.5 (threshold 0.9: r)")]
    assert verdicts.verdict(rec, "consistent").kind == verdicts.VARIABLE
    found = content.problems({"records": [rec], "profile": "quick"})
    assert [p.title for p in found] == ["m · g · erases_linear"]
    assert content._finding_items([{**rec, "builtin": False}], "variable_findings") == []


# -------------------------------------------------------------- the stability count

def _seed(seed: int, consistency: float) -> dict:
    probes = {p: {"balanced_accuracy": 0.5, "chance": 0.5, "n_test": 2000} for p in PROBE_KINDS}
    return {"seed": seed, "status": "ok", "probes": probes, "distortion": 0.1,
            "oracle_distortion": 0.1, "rank_removed": 1, "consistency": consistency,
            "fit_class_mean_gap": 0.0, "fit_time_s": 0.01}


def _record(method: str, generator: str, consistency: list[float]) -> dict:
    return {"family": "erasure", "method": method, "generator": generator,
            "builtin": True, "seeds": [_seed(1000 + i, c) for i, c in enumerate(consistency)]}


# Seed sets (1000-1002), (1003-1005), (1006-1008); seed 1009 is left over. The consistency
# check reads the seed mean against 0.9: the first set passes (0.95), the others fail.
CONSISTENCY = [0.95, 0.95, 0.95, 0.5, 0.5, 0.5, 0.99, 0.5, 0.5, 0.99]


def test_seed_sets_are_disjoint_and_consecutive():
    assert fs.seed_sets([5, 3, 4, 1, 2, 0, 6], 3) == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError):
        fs.seed_sets([0, 1, 2], 0)


def test_stability_counts_passing_sets_and_classifies():
    # rlace on the outlier set: "consistent" is a strict finding, so a set that passes
    # makes it VARIABLE; the other checks (leakage at chance, distortion 0.1 vs 2 x 0.1)
    # pass on every set.
    rows = {r.check: r for r in fs.cell_stability(
        _record("rlace", "outlier_equal_means", CONSISTENCY))}
    c = rows["consistent"]
    assert (c.passed, c.sets, c.first_seed, c.last_seed) == (1, 3, 1000, 1008)
    assert c.values == pytest.approx((0.95, 0.5, 0.663333333))
    assert c.status == (fs.VARIABLE if ("rlace", "outlier_equal_means", "consistent")
                        in EXPECTED_FINDINGS else fs.VARIABLE_KNOWN)
    assert "passes on 1 of 3 disjoint 3-seed sets of seeds 1000-1008" in c.rate_text()
    assert rows["bounded_distortion"].passed == 3


def test_stability_of_a_plain_cell():
    rows = {r.check: r for r in fs.cell_stability(_record("leace", "two_class_gaussian",
                                                          CONSISTENCY))}
    assert rows["consistent"].status == fs.FRAGILE
    steady = _record("leace", "two_class_gaussian", [0.95] * 9)
    assert {r.status for r in fs.cell_stability(steady)} == {fs.STABLE_PASS}
    text = fs.format_rows(fs.cell_stability(_record("leace", "two_class_gaussian",
                                                    CONSISTENCY)))
    assert "FRAGILE pass" in text and "leace-two_class_gaussian consistent" in text


def test_reference_rows_carry_their_findings_and_a_shared_failure_says_so():
    """A reference row's seed-dependent finding shows as such (not ✗), the findings section
    lists the references' findings as the matrix marks them, and a user's failure that the
    references share says so."""
    check = {"passed": False, "value": 0.2, "threshold": 0.0, "rule": "r"}
    ref = {"method": "inlp", "generator": "g", "family": "erasure", "builtin": True,
           "reference": True, "reference_role": "best", "status": "ok", "profile": "quick",
           "seeds": [{"seed": 0}], "expected_findings": {"erases_linear": "known weakness"},
           "variable_findings": {"consistent": "passes on 1 of 3 seed sets"},
           "checks": {"consistent": dict(check), "erases_linear": dict(check)}}
    user = {**ref, "method": "mine:E", "builtin": False, "reference": False,
            "expected_findings": {}, "variable_findings": {},
            "checks": {"erases_linear": dict(check)}}
    assert verdicts.verdict(ref, "consistent").kind == verdicts.VARIABLE
    items = content._finding_items([user, ref], "expected_findings")
    assert items and items[0][0] == "[ref] inlp on g · erases_linear"
    found = content.problems({"records": [user, ref], "profile": "quick"})
    assert [p.title for p in found] == ["mine:E · g · erases_linear"]
    assert "Also failed by [ref] inlp (references on the same generator)" in found[0].detail
