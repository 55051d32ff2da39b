"""A user's method on the command line: hyperparameters in the --method string, declared
findings (--expect-fail), and a run scoped to the user's methods."""

import dataclasses
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from benchmarks.cells import Cell, run_cell
from benchmarks.declared_findings import parse_expect_fail
from benchmarks.grid import build_grid, find_cell, user_method_spec
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from floor.import_paths import parse_import_string as parse_method_string

REPO = Path(__file__).resolve().parents[1]
ONE_SEED = dataclasses.replace(get_profile("quick"), n_seeds=1)
SEED = np.random.SeedSequence(7)


@pytest.mark.parametrize("text, path, kwargs, name", [
    ("pkg.mod:Cls", "pkg.mod:Cls", {}, "pkg.mod:Cls"),
    ("pkg.mod:Cls()", "pkg.mod:Cls", {}, "pkg.mod:Cls"),
    (" pkg.mod:Cls( k = 32 , lr=1e-3) ", "pkg.mod:Cls", {"k": 32, "lr": 0.001},
     "pkg.mod:Cls(k=32, lr=0.001)"),
    ("dir/my file.py:make(name='a:b', sizes=(1, 2), opts={'x': None})", "dir/my file.py:make",
     {"name": "a:b", "sizes": (1, 2), "opts": {"x": None}},
     "dir/my file.py:make(name='a:b', sizes=(1, 2), opts={'x': None})"),
])
def test_parse_method_string(text, path, kwargs, name):
    parsed = parse_method_string(text)
    assert (parsed.path, parsed.kwargs, parsed.name) == (path, kwargs, name)


@pytest.mark.parametrize("text, match", [
    ("pkg.mod.Cls", "must look like"),
    ("pkg.mod:Cls(5)", "by keyword"),
    ("pkg.mod:Cls(k=np.pi)", "value of 'k' must be a Python literal"),
    ("pkg.mod:Cls(k=1", "not a valid call"),
    ("pkg.mod:Cls(**d)", "name each argument"),
    ("pkg.mod:Cls(k=__import__('os').system('true'))", "must be a Python literal"),
])
def test_parse_method_string_refuses(text, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        parse_method_string(text)


def test_hyperparameters_reach_the_class_and_name_the_method():
    spec = user_method_spec("methods.sparse.topk_sae:TopKSAE(k=7, n_steps=20)")
    est = spec.build(None, SEED)
    assert (est.k, est.n_steps) == (7, 20) and isinstance(est.random_state, int)
    assert spec.name == "methods.sparse.topk_sae:TopKSAE(k=7, n_steps=20)"
    assert spec.family == "sparse"
    # The string's random_state wins over the method stream's.
    fixed = user_method_spec("methods.sparse.topk_sae:TopKSAE(random_state=3)")
    assert fixed.build(None, SEED).random_state == 3
    # Two settings of one class: two methods, each on every generator.
    cells = build_grid(methods=["methods.sparse.topk_sae:TopKSAE(k=5)",
                                "methods.sparse.topk_sae:TopKSAE(k = 32)"])
    names = sorted({c.method.name for c in cells})
    assert names == ["methods.sparse.topk_sae:TopKSAE(k=32)",
                     "methods.sparse.topk_sae:TopKSAE(k=5)"]
    n_gens = len(get_family("sparse").generators(get_profile("quick")))
    assert len(cells) == 2 * n_gens
    # A worker rebuilds the cell from the canonical name and the user's string.
    cell = find_cell("sparse", names[0], "uniform_cube", get_profile("quick"),
                     ["methods.sparse.topk_sae:TopKSAE(k = 32)"])
    assert cell.method.build(None, SEED).k == 32


@pytest.fixture
def factory_file(tmp_path):
    path = tmp_path / "factories.py"
    path.write_text(textwrap.dedent('''
        from methods.erasure.leace import LeaceEraser
        from methods.sparse.topk_sae import TopKSAE

        def topk(k=5, steps=10):
            return TopKSAE(k=k, n_steps=steps, random_state=0)

        FIXED = LeaceEraser()
    '''))
    return path


def test_factory_functions_take_hyperparameters(factory_file):
    spec = user_method_spec(f"{factory_file}:topk(k=9)")
    assert spec.family == "sparse" and spec.build(None, SEED).k == 9
    with pytest.raises(ValueError, match="is an instance; arguments need a class"):
        user_method_spec(f"{factory_file}:FIXED(alpha=1)")
    # refused when the grid is built, before any cell runs
    with pytest.raises(ValueError, match="refused its arguments: .*unexpected keyword "
                                         "argument 'bogus'"):
        user_method_spec(f"{factory_file}:topk(bogus=1)")


def test_leace_as_a_user_method_reproduces_the_builtin_leace():
    """The same estimator through --method gives the built-in cell's numbers, bit for bit."""
    family = get_family("erasure")
    gen = family.generators(ONE_SEED)[0]
    builtin = next(m for m in family.methods(ONE_SEED) if m.name == "leace")
    user = user_method_spec("methods.erasure.leace:LeaceEraser")
    a = run_cell(Cell("erasure", builtin, gen, ONE_SEED))
    b = run_cell(Cell("erasure", user, gen, ONE_SEED))
    assert a["status"] == b["status"] == "ok"
    assert a["metrics"].keys() == b["metrics"].keys()
    for name in a["metrics"]:
        if name != "fit_time_s":
            assert a["metrics"][name] == b["metrics"][name], name
    assert a["checks"] == b["checks"]


def test_expect_fail_parses_lines_and_files(tmp_path):
    path = tmp_path / "known.txt"
    path.write_text("# my method's known failures\n\nerases_nonlinear@*=linear eraser\n"
                    "  erases_accuracy @ xor_concept = 0-1 accuracy: xor  \n")
    declared = parse_expect_fail([str(path), "consistent@xor_concept=two solutions"])
    assert declared == {("*", "erases_nonlinear"): "linear eraser",
                        ("xor_concept", "erases_accuracy"): "0-1 accuracy: xor",
                        ("xor_concept", "consistent"): "two solutions"}
    bad = tmp_path / "bad.txt"
    bad.write_text("erases_accuracy@xor_concept\n")
    with pytest.raises(ValueError, match=r"bad.txt:1: expected 'check@generator=reason'"):
        parse_expect_fail([str(bad)])
    with pytest.raises(ValueError, match="neither 'check@generator=reason' nor an existing"):
        parse_expect_fail(["no_such_file.txt"])


def test_expect_fail_becomes_the_cells_findings():
    leace = "methods.erasure.leace:LeaceEraser"
    cells = build_grid(methods=[leace], expect_fail=["erases_nonlinear@*=linear",
                                                     "erases_accuracy@xor_concept=xor"])
    by_gen = {c.generator.name: c.method.findings for c in cells}
    assert by_gen["xor_concept"] == {("xor_concept", "erases_accuracy"): "xor",
                                     **{(g, "erases_nonlinear"): "linear" for g in by_gen}}
    with pytest.raises(ValueError, match="no such check on such a generator"):
        build_grid(methods=[leace], expect_fail=["erases_acuracy@xor_concept=typo"])
    with pytest.raises(ValueError, match="no such check on such a generator"):
        build_grid(methods=[leace], expect_fail=["erases_accuracy@xor=typo"])
    with pytest.raises(ValueError, match="needs --method|none was given"):
        build_grid(expect_fail=["erases_accuracy@xor_concept=x"])


def test_a_seed_dependent_declaration_is_a_non_strict_finding():
    """check@generator~=reason: a borderline failure declared seed-dependent is a
    non-strict xfail (it may pass or fail) and the record's variable finding."""
    from benchmarks.expected_findings import expected_findings_for, variable_findings_for

    leace = "methods.erasure.leace:LeaceEraser"
    cells = build_grid(methods=[leace], expect_fail=["consistent@xor_concept~=0.897 vs 0.9",
                                                     "erases_accuracy@xor_concept=xor"])
    xor = next(c for c in cells if c.generator.name == "xor_concept")
    assert expected_findings_for(xor) == {"erases_accuracy": "xor"}
    assert variable_findings_for(xor) == {"consistent": "seed-dependent: 0.897 vs 0.9"}
    other = next(c for c in cells if c.generator.name != "xor_concept")
    assert variable_findings_for(other) == {} == expected_findings_for(other)


def _pytest(*args, timeout=300):
    proc = subprocess.run([sys.executable, "-m", "pytest", "benchmarks/", "-p",
                           "no:cacheprovider", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


def test_a_method_run_collects_only_the_users_tests():
    code, out = _pytest("--method", "methods.erasure.leace:LeaceEraser", "--collect-only",
                        "-q", "-m", "")  # -m "": even the speed marker would be selected
    assert code == 0, out[-3000:]
    ids = [line for line in out.splitlines() if "::" in line]
    assert ids and all("LeaceEraser" in i for i in ids), out[-3000:]
    assert not [i for i in ids if "test_speed" in i or "test_regression" in i]
    assert [i for i in ids if "test_user_speed" in i]
    # Without --method it is the other way round (the hook itself: collecting the whole
    # built-in grid in a subprocess would only repeat what every default run does).
    from benchmarks.conftest import pytest_ignore_collect

    def config(**options):
        option = type("Option", (), {"method": [], "baseline": None, **options})()
        return type("Config", (), {"option": option})()

    builtin = config()
    assert pytest_ignore_collect(Path("benchmarks/test_user_speed.py"), builtin) is True
    assert pytest_ignore_collect(Path("benchmarks/erasure/test_speed.py"), builtin) is None
    assert pytest_ignore_collect(Path("benchmarks/test_regression.py"), builtin) is None
    own = config(method=["m:M"], baseline="mine.json")
    assert pytest_ignore_collect(Path("benchmarks/test_regression.py"), own) is None
    assert pytest_ignore_collect(Path("benchmarks/sparse/test_speed.py"), own) is True
    assert pytest_ignore_collect(Path("benchmarks/sparse/test_speed_architectures.py"),
                                 own) is True


def test_declared_failure_is_a_strict_xfail():
    leace = "methods.erasure.leace:LeaceEraser"
    code, out = _pytest("--method", leace, "-k", "outlier_equal_means and erases_",
                        "--expect-fail", "erases_accuracy@outlier_equal_means=0-1 accuracy",
                        "--expect-fail", "erases_nonlinear@outlier_equal_means=linear",
                        "--expect-fail", "erases_linear@outlier_equal_means=not really",
                        "-rfxX")
    assert code == 1, out[-3000:]
    assert re.search(r"XFAIL .*outlier_equal_means-erases_accuracy\] - 0-1 accuracy", out)
    assert re.search(r"FAILED .*outlier_equal_means-erases_linear\]", out), out[-3000:]
    assert "[XPASS(strict)] not really" in out, out[-3000:]


def test_report_of_a_method_run_has_references_speed_and_declared_findings(tmp_path):
    """`python -m reports --method ...`: the user's rows, the references marked, the speed
    row and the declared finding in results.json and in the report."""
    import json

    from reports.cli import main

    out = tmp_path / "r"
    code = main(["--out", str(out), "--method", "methods.erasure.leace:LeaceEraser",
                 "--expect-fail", "erases_accuracy@outlier_equal_means=0-1 accuracy",
                 "--jobs", "1"])
    assert code == 0
    doc = json.loads((out / "results.json").read_text())
    mine = [r for r in doc["records"] if not r.get("reference")]
    refs = [r for r in doc["records"] if r.get("reference")]
    assert {r["method"] for r in mine} == {"methods.erasure.leace:LeaceEraser"}
    n_gens = len(get_family("erasure").generators(get_profile("quick")))
    assert len(mine) == n_gens and all(not r["builtin"] for r in mine)
    # The quick profile's own seeds: the references are the committed records.
    assert {"oracle", "identity"} <= {r["method"] for r in refs}
    assert all(r["reference_role"] and len(r["seeds"]) == 3 for r in refs)
    outlier = next(r for r in mine if r["generator"] == "outlier_equal_means")
    assert outlier["expected_findings"] == {"erases_accuracy": "0-1 accuracy"}
    (speed,) = doc["speed"]
    assert speed["status"] == "ok" and speed["fit_s"] > 0 and "d=768" in speed["size"]
    assert speed["first_fit_s"] > 0  # the first of the two timings, reported beside
    html = (out / "report.html").read_text()
    assert "Your declared findings" in html and "[ref] oracle" in html
    assert "<h3>Speed</h3>" in html


@pytest.mark.parametrize("argv, message", [
    (["--method", "nosuchpkg.eraser:MeanDiffEraser"],
     "cannot import nosuchpkg.eraser (No module named 'nosuchpkg'). Install your package"),
    (["--method", "methods.erasure.leace:LeaceEraser(bogus=1)"],
     "refused its arguments"),
    (["--method", "methods.erasure.leace:LeaceEraser", "--expect-fail", "no equals sign"],
     "--expect-fail 'no equals sign': neither 'check@generator=reason'"),
])
def test_report_refuses_an_unresolvable_run_at_the_start(tmp_path, capsys, argv, message):
    """One error naming the fix, before any cell runs: no traceback, no report written."""
    from reports.cli import main

    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(argv + ["--out", str(out)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()
