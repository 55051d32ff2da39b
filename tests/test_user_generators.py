"""A user's generator on the command line (``--generator 'pkg.mod:factory(k=v)'``): a run
scoped to it in every family, checks without their ground truth not applicable, one clear
error at the start for a bad string, the report. The factories: tests/generator_factories.py.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

from benchmarks.cell_store import CellRef
from benchmarks.cells import Cell, run_cell
from benchmarks.check_result import NOT_PROVIDED
from benchmarks.execution import resolve
from benchmarks.grid import build_grid
from benchmarks.profiles import get_profile
from benchmarks.references import load_references, reference_records, roles
from benchmarks.registry import FAMILIES, get_family
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec
from benchmarks.user_generators import user_generator_spec

REPO = Path(__file__).resolve().parents[1]
PKG = "tests.generator_factories"
ONE_SEED = get_profile("quick", 0, 1)

# family -> (its user generator, --family (None: inferred from the Dataset), a cheap
# built-in method to run on it)
CASES = {
    "erasure": (f"{PKG}:two_class", None, "leace"),
    "sparse": (f"{PKG}:cube", "sparse", "pca"),
    "truth": (f"{PKG}:onehot", None, "contrast_pca"),
    "weights": (f"{PKG}:spikes", "weights", "svd_mp_edge"),
    "curves": (f"{PKG}:law", "curves", "aic"),
}


def _one_cell(family: str, text: str, method: str, name: str | None = None) -> Cell:
    """The cell of ``method`` on the user generator ``text`` (renamed ``name``: the same
    random streams as the generator of that name)."""
    fam_option = CASES[family][1]
    cells = build_grid(n_seeds=1, generators=[text], family=fam_option)
    cell = next(c for c in cells if c.method.name == method)
    if name is not None:
        cell = dataclasses.replace(cell, generator=dataclasses.replace(cell.generator,
                                                                       name=name))
    return cell


@pytest.mark.parametrize("family", CASES)
def test_each_family_runs_a_scoped_grid_on_a_user_generator(family, tmp_path):
    text, fam_option, method = CASES[family]
    cells = build_grid(n_seeds=1, generators=[text], family=fam_option)
    assert {c.generator.name for c in cells} == {text}, "only the user's generator"
    assert {c.family for c in cells} == {family}
    gen = cells[0].generator
    assert not gen.builtin and gen.provides == frozenset(
        gen.make(random_state=SeedStreams(text, 0).data).ground_truth)
    builtin = [m.name for m in get_family(family).methods(ONE_SEED)]
    assert [c.method.name for c in cells] == builtin, "the family's built-in methods"
    record = run_cell(next(c for c in cells if c.method.name == method))
    assert record["status"] == "ok", record["error"]
    assert record["generator_builtin"] is False and record["generator"] == text
    assert set(record["checks"]) == set(get_family(family).check_names)
    assert not any(c["rule"].startswith(NOT_PROVIDED) for c in record["checks"].values())
    # the family's figures draw from a user generator's records, its long name as a short
    # label (G1: two_class, ...) with the whole name in the figure's key
    assert get_family(family).figures([record], tmp_path)
    for _, _, fig in importlib.import_module(f"benchmarks.{family}.figures").draw([record]):
        texts = [t.get_text() for t in fig.findobj(Text)]
        assert [t for t in texts if text in t] == [f"G1 = {text}"], texts
        plt.close(fig)


# family -> (factory with ground truth to drop, the keys dropped, the checks that must
# become "not applicable, because ...")
DROPS = {
    "erasure": (f"{PKG}:two_class", ("concept_directions",), {"bounded_distortion"}),
    "sparse": (f"{PKG}:cube", ("n_true_features",), {"no_false_features"}),
    "truth": (f"{PKG}:onehot", ("true_direction", "true_direction_accuracy",
                                "n_truthlike_directions", "fact_counts", "fact_signs"), set()),
    "weights": (f"{PKG}:spikes", ("write_directions",),
                {"matches_bbp_overlap", "recovers_span", "recovers_pairs"}),
    "curves": (f"{PKG}:law", ("true_family",), {"picks_true_family"}),
}


@pytest.mark.parametrize("family", DROPS)
def test_a_dropped_ground_truth_key_makes_exactly_its_checks_not_applicable(family):
    factory, drop, expected = DROPS[family]
    method = CASES[family][2]
    full = _one_cell(family, factory, method)
    # the same name, so the same random streams: only the ground truth differs
    lacking = _one_cell(family, f"{factory}(drop={drop!r})", method, name=full.generator.name)
    assert lacking.generator.provides == full.generator.provides - set(drop)
    a, b = run_cell(full), run_cell(lacking)
    assert a["status"] == b["status"] == "ok", (a["error"], b["error"])
    changed = {c for c in a["checks"] if a["checks"][c] != b["checks"][c]}
    assert changed == expected
    for check in expected:
        rule = b["checks"][check]["rule"]
        assert rule.startswith(NOT_PROVIDED) and any(k in rule for k in drop), rule
    declared = {c for c, keys in get_family(family).check_needs.items() if set(keys) & set(drop)}
    assert declared == expected, "the family's check_needs says which checks need the keys"


def test_truth_without_its_references_keeps_its_scores():
    """A truth generator that says nothing of its truth-like directions: the references that
    need it are not measured, and nothing else is lost."""
    factory, drop, _ = DROPS["truth"]
    record = run_cell(_one_cell("truth", f"{factory}(drop={drop!r})", "contrast_pca"))
    assert "sign_agnostic_accuracy" in record["metrics"]
    assert "random_truthlike_sign_agnostic_mean" not in record["metrics"]
    assert "cos_true_direction" not in record["metrics"]


def test_a_method_that_reads_missing_ground_truth_is_not_run_and_said_so():
    text = f"{PKG}:two_class(drop=('concept_directions',))"
    cells = build_grid(n_seeds=1, generators=[text])
    assert "oracle" not in {c.method.name for c in cells}
    assert "oracle (it reads concept_directions" in cells[0].generator.description
    assert "oracle" in {c.method.name for c in build_grid(n_seeds=1,
                                                          generators=[f"{PKG}:two_class"])}


@pytest.mark.parametrize("text, family, match", [
    ("no_such_package.mod:make", None, "--generator 'no_such_package.mod:make': cannot "
                                       "import no_such_package.mod"),
    (f"{PKG}:no_such_factory", None, "has no attribute 'no_such_factory'"),
    (f"{PKG}:NOT_CALLABLE", None, "is not callable"),
    (f"{PKG}:returns_tuple", None, f"--generator '{PKG}:returns_tuple': returned a tuple, "
                                   "expected a generators.dataset.Dataset"),
    (f"{PKG}:raises", None, "raised RuntimeError: no data today"),
    (f"{PKG}:planted", None, "cannot infer the family from the Dataset it returned (it has "
                             "X; the families that read it: sparse, weights, curves); pass "
                             "--family sparse|weights|curves"),
    (f"{PKG}:two_class", "truth", "the truth family reads the Dataset's X_pos, X_neg, y; "
                                  "X_pos is None"),
    (f"{PKG}:fixed_size", None, "the erasure family calls the factory with n_samples= on "
                                "some splits"),
    (f"{PKG}:two_class(random_state=3)", None, "random_state is set by the suite"),
    (f"{PKG}:two_class(n_samples=5", None, "not a valid call"),
])
def test_a_bad_generator_is_one_clear_error_when_the_grid_is_built(text, family, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        build_grid(n_seeds=1, generators=[text], family=family)


def test_a_bad_generator_stops_both_commands_at_the_start_with_one_line(tmp_path):
    bad = f"{PKG}:returns_tuple"
    want = f"--generator '{bad}': returned a tuple, expected a generators.dataset.Dataset"
    report = subprocess.run([sys.executable, "-m", "reports", "--generator", bad, "--out",
                             str(tmp_path / "r")], cwd=REPO, capture_output=True, text=True,
                            timeout=300)
    assert report.returncode == 2 and want in report.stderr, report.stderr
    assert "Traceback" not in report.stderr and not (tmp_path / "r").exists()
    tests = subprocess.run([sys.executable, "-m", "pytest", "benchmarks/", "-q",
                            "-p", "no:cacheprovider", "--generator", bad], cwd=REPO,
                           capture_output=True, text=True, timeout=300)
    out = tests.stdout + tests.stderr
    assert tests.returncode == 4 and want in out and "Traceback" not in out, out


def test_user_methods_on_user_generators_with_declared_findings():
    gen = f"{PKG}:two_class"
    method = "methods.erasure.identity:IdentityEraser"
    cells = build_grid(n_seeds=1, methods=[method], generators=[gen],
                       expect_fail=[f"erases_linear@{gen}=the identity erases nothing",
                                    "consistent@*=one fit, one subspace"])
    assert [(c.method.name, c.generator.name) for c in cells] == [(method, gen)]
    assert cells[0].method.findings == {(gen, "erases_linear"): "the identity erases nothing",
                                         (gen, "consistent"): "one fit, one subspace"}
    # a built-in generator's name declares nothing on this run: refused
    with pytest.raises(ValueError, match="no such check on such a generator"):
        build_grid(n_seeds=1, methods=[method], generators=[gen],
                   expect_fail=["erases_linear@two_class_gaussian=x"])
    # a worker rebuilds the same cell from its reference alone
    ref = CellRef.of(cells[0], [method], None, [gen])
    again = resolve(ref)
    assert again.key == cells[0].key and again.method.findings == cells[0].method.findings
    assert again.generator.provides == cells[0].generator.provides
    # a method of another family than the generator's is refused
    with pytest.raises(ValueError, match="sparse method, and no --generator is of the "
                                         "sparse family"):
        build_grid(n_seeds=1, methods=["methods.sparse.topk_sae:TopKSAE", method],
                   generators=[gen])


def test_references_are_scored_on_the_user_generator():
    gen = user_generator_spec(f"{PKG}:two_class(drop=('concept_directions',))")
    cells = []
    records = reference_records({"erasure"}, ONE_SEED, generators=[gen],
                                run=lambda c: cells.append(c) or {"method": c.method.name})
    assert {c.generator.name for c in cells} == {gen.name}
    expected = set(roles("erasure", load_references())) - {"oracle"}  # it cannot run there
    assert {r["method"] for r in records} == expected
    assert {r["reference_source"] for r in records} == {"scored"}


def _recorder(inner, calls: list):
    """A factory that records the keywords a family passes beyond its own arguments."""
    def make(n_samples=None, facts=None, random_state=None, split=0):
        passed = {k: v for k, v in (("n_samples", n_samples), ("facts", facts))
                  if v is not None}
        calls.append(set(passed))
        return inner(**passed, random_state=random_state, split=split)
    return make


@pytest.mark.parametrize("family", CASES)
def test_the_keywords_a_family_passes_are_those_it_declares(family):
    """docs/your-generator.md renders `Family.generator_keywords`: what the family does."""
    from tests import generator_factories as f

    inner = {"erasure": f.two_class, "sparse": f.cube, "truth": f.onehot,
             "weights": f.spikes, "curves": f.law}[family]
    calls: list = []
    make = _recorder(inner, calls)
    probe = make(random_state=np.random.SeedSequence(0))
    gen = GeneratorSpec("recorder", family, make, provides=frozenset(probe.ground_truth),
                        builtin=False)
    method = next(m for m in get_family(family).methods(ONE_SEED)
                  if m.name == CASES[family][2])
    calls.clear()
    assert run_cell(Cell(family, method, gen, ONE_SEED))["status"] == "ok"
    assert set().union(*calls) == set(get_family(family).generator_keywords)


@pytest.mark.parametrize("family", FAMILIES)
def test_builtin_generators_provide_what_their_family_needs(family):
    """A wrapper of a built-in generator loses no check: each provides every key its
    family's checks and methods read, and the Dataset fields its family reads."""
    fam = get_family(family)
    needs = {k for keys in fam.check_needs.values() for k in keys} | {
        k for m in fam.methods(ONE_SEED) for k in m.needs}
    assert set(fam.check_needs) <= set(fam.check_names)
    for spec in fam.generators(ONE_SEED):
        data = spec.dataset(SeedStreams(spec.name, 0), 0)
        assert needs <= set(data.ground_truth), (spec.name, needs - set(data.ground_truth))
        assert all(getattr(data, f) is not None for f in fam.dataset_fields), spec.name


def test_pytest_runs_a_user_generator_scoped(tmp_path):
    """``pytest benchmarks/ --generator ...``: only its cells, the check it lacks the ground
    truth of skipped with the reason, no speed benchmark nor regression case."""
    gen = f"{PKG}:two_class(drop=('concept_directions',))"
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks/", "-q", "-rs", "-p", "no:cacheprovider",
         "--generator", gen, "--n-seeds", "1", "-k", "leace- and not qleace-",
         "--results-json", str(out)], cwd=REPO, capture_output=True, text=True, timeout=900)
    text = run.stdout + run.stderr
    assert run.returncode == 0, text
    # does_not_inject passes as not applicable at one seed (no paired interval), and is not
    # counted among the checks that apply.
    assert "7 passed, 1 skipped" in text, text
    assert re.search(r"leace +tests\S+ +ok .* 5/5 *$", text, re.M), "5 checks apply"
    assert (f"{gen}: bounded_distortion is not applicable, because the generator provides no "
            "concept_directions") in text
    records = json.loads(out.read_text())["records"]
    assert [(r["method"], r["generator"]) for r in records] == [("leace", gen)]


def test_the_report_of_a_user_generator(tmp_path):
    """``python -m reports --generator ...``: its cells like a user method's, the checks it
    lacks the ground truth of said on the page, the command that reruns a failing cell,
    nothing written in the repository."""
    gen = f"{PKG}:two_class(drop=('concept_directions',))"
    before = _repository_state()
    out = tmp_path / "report"
    run = subprocess.run(
        [sys.executable, "-m", "reports", "--generator", gen, "--family", "erasure",
         "--n-seeds", "1", "--no-studies", "--jobs", "1", "-k", "*/identity/*",
         "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    html = (out / "report.html").read_text()
    assert "not applicable, because the generator provides no concept_directions" in html
    assert "your generator; the ground truth it provides: bayes_accuracy" in html
    # the identity erases nothing: the page says how to rerun its failing cell
    assert (f"--generator {_quoted(gen)} --family erasure --n-seeds 1 -k 'identity- and "
            "erases_linear'") in (out / "report.md").read_text()
    record = json.loads((out / "results.json").read_text())["records"][0]
    assert (record["generator"], record["generator_builtin"]) == (gen, False)
    assert _repository_state() == before, "the report wrote inside the repository"


def _quoted(text: str) -> str:
    """``text`` as the report's commands quote it (`benchmarks.shell.readable_join`)."""
    from benchmarks.shell import readable_join

    return readable_join([text])


def _repository_state() -> dict[str, int]:
    """Every file of the checkout (caches aside, and reports/out, which git ignores) with
    its modification time."""
    skip = {".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".import_linter_cache",
            ".benchmarks"}
    return {str(p.relative_to(REPO)): p.stat().st_mtime_ns for p in REPO.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(REPO).parts)}


def test_a_generator_run_is_scoped_like_a_method_run(tmp_path):
    """No built-in speed benchmark nor regression case unless --baseline; a baseline is the
    user's own file, never the suite's."""
    from benchmarks.baseline_target import NO_PATH, baseline_target, write_baseline_command
    from benchmarks.conftest import pytest_ignore_collect
    from benchmarks.regression_guard import DEFAULT_BASELINE

    gen = f"{PKG}:two_class(n_samples=100)"

    def config(**options):
        option = type("Option", (), {"method": [], "generator": [gen], "baseline": None,
                                     **options})()
        return type("Config", (), {"option": option})()

    assert pytest_ignore_collect(Path("benchmarks/erasure/test_speed.py"), config()) is True
    assert pytest_ignore_collect(Path("benchmarks/test_regression.py"), config()) is True
    assert pytest_ignore_collect(Path("benchmarks/test_user_speed.py"), config()) is True
    assert pytest_ignore_collect(Path("benchmarks/test_regression.py"),
                                 config(baseline="mine.json")) is None
    assert baseline_target(NO_PATH, [], tmp_path, [gen]) == tmp_path / "baseline.json"
    with pytest.raises(ValueError, match="never writes"):
        baseline_target(DEFAULT_BASELINE, [], tmp_path, [gen])
    assert write_baseline_command([], "mine.json", "erasure", generators=[gen]) == (
        f"python -m reports --generator '{gen}' --family erasure --n-seeds 60 "
        "--write-baseline mine.json")
