"""A user's run never writes the suite's baseline, nor silently drops another cell's entry;
every message that suggests writing a baseline suggests a command that does neither."""

from __future__ import annotations

import hashlib
import json
import shlex

import pytest

from benchmarks.baseline_target import (
    NO_PATH,
    baseline_target,
    check_overwrite,
    write_baseline_command,
)
from benchmarks.grid import build_grid
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from benchmarks.regression_guard import DEFAULT_BASELINE, load_baseline
from benchmarks.test_regression import missing_entry_message
from reports.cli import main

# A closed-form eraser: a cell of 2 seeds takes a fraction of a second.
USER = "methods.erasure.mean_projection:MeanProjectionEraser"
FAST = ["--family", "erasure", "--n-seeds", "2", "--jobs", "1", "--no-studies", "--no-speed"]
# One cell per erasure generator.
N_CELLS = len(get_family("erasure").generators(get_profile("quick")))


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def suite_digest():
    return _digest(DEFAULT_BASELINE)


def test_targets():
    out = DEFAULT_BASELINE.parent / "out"
    assert baseline_target(None, [USER], out) is None
    assert baseline_target(NO_PATH, [], out) == DEFAULT_BASELINE  # the maintainers' rewrite
    assert baseline_target(NO_PATH, [USER], out) == out / "baseline.json"
    with pytest.raises(ValueError, match="suite's own baseline .* never writes"):
        baseline_target(DEFAULT_BASELINE, [USER], out)


@pytest.mark.parametrize("path_given", [False, True], ids=["no-path", "path"])
def test_user_run_writing_a_baseline_leaves_the_suites_file_untouched(
        tmp_path, suite_digest, path_given, capsys):
    out = tmp_path / "out"
    mine = tmp_path / "mine.json"
    argv = ["--method", USER, *FAST, "--out", str(out), "--write-baseline"]
    assert main(argv + ([str(mine)] if path_given else [])) == 0
    written = mine if path_given else out / "baseline.json"
    entries = load_baseline(written)
    assert len(entries) == N_CELLS and {k[1] for k in entries} == {USER}
    assert _digest(DEFAULT_BASELINE) == suite_digest
    err = capsys.readouterr().err
    assert f"wrote baseline {written}" in err
    assert "references left out" in err  # 2 seeds: the committed references are for 0-2


def test_user_run_refuses_the_suites_file_before_any_work(tmp_path, suite_digest, capsys):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["--method", USER, *FAST, "--out", str(out), "--write-baseline",
              str(DEFAULT_BASELINE)])
    assert exc.value.code == 2
    assert "never writes" in capsys.readouterr().err
    assert not out.exists()  # refused before the first cell
    assert _digest(DEFAULT_BASELINE) == suite_digest


def test_a_file_with_other_entries_is_merged_only_when_asked(tmp_path, capsys):
    out = tmp_path / "out"
    mine = tmp_path / "mine.json"
    other = "methods.erasure.leace:LeaceEraser"
    assert main(["--method", other, *FAST, "--out", str(out), "--write-baseline",
                 str(mine)]) == 0
    before = mine.read_bytes()
    with pytest.raises(SystemExit):
        main(["--method", USER, *FAST, "--out", str(out), "--write-baseline", str(mine)])
    assert (f"holds {N_CELLS} entries of cells this run does not score"
            in capsys.readouterr().err)
    assert mine.read_bytes() == before
    assert main(["--method", USER, *FAST, "--out", str(out), "--write-baseline", str(mine),
                 "--merge-baseline"]) == 0
    assert {k[1] for k in load_baseline(mine)} == {USER, other}
    # rewriting the same cells needs no merge
    check_overwrite(mine, list(load_baseline(mine)), merge=False)


def test_the_suggested_commands_for_a_missing_entry_write_the_users_file(
        tmp_path, monkeypatch, suite_digest):
    """The "no baseline entry" message of a user's cell and the "raise it" line name a
    command with the user's --method and own path; run, they write that file only."""
    mine = tmp_path / "mine.json"
    cell = build_grid(methods=[USER], family="erasure")[0]
    message = missing_entry_message(cell, str(mine))
    command = message.split("`")[1]
    assert command == write_baseline_command([USER], mine, "erasure", merge=True)
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "reports"] and USER in argv and str(mine) in argv
    argv = argv[3:]
    argv[argv.index("--n-seeds") + 1] = "2"  # the recipe's 60 seeds, cut for the test
    monkeypatch.chdir(tmp_path)
    assert main(argv + ["--out", str(tmp_path / "out"), "--jobs", "1", "--no-studies",
                       "--no-speed"]) == 0
    assert {k[1] for k in load_baseline(mine)} == {USER}
    assert _digest(DEFAULT_BASELINE) == suite_digest


def test_a_builtin_cells_missing_entry_names_the_rebaseline_command():
    cell = build_grid(family="erasure")[0]
    message = missing_entry_message(cell, None)
    assert (f"`python -m benchmarks.rebaseline {cell.family}/{cell.method.name}/"
            f"{cell.generator.name}`") in message


def test_builtin_rewrite_command_is_the_maintainers_recipe():
    assert write_baseline_command() == ("python -m reports --n-seeds 60 --write-baseline "
                                        "--out /tmp/baseline-run")
    doc = json.loads(DEFAULT_BASELINE.read_text())
    assert doc["kind"] == "baseline"


def test_report_selects_cells_as_pytest_k_does():
    from reports.cli import select_cells

    cells = build_grid(family="erasure")
    names = lambda cs: {f"{c.method.name}/{c.generator.name}" for c in cs}  # noqa: E731
    assert select_cells(cells, []) == cells
    assert names(select_cells(cells, ["/leace/two_class"])) == {"leace/two_class_gaussian"}
    assert names(select_cells(cells, ["erasure/identity/xor*", "oracle/weak"])) == {
        "identity/xor_concept", "oracle/weak_concept"}
    with pytest.raises(ValueError, match="no cell matches"):
        select_cells(cells, ["nosuch"])


def test_report_shows_only_the_chosen_checks_of_a_record():
    from reports.cli import only_checks

    rec = {"checks": {"a": {"passed": True}, "b": {"passed": False}},
           "expected_findings": {"b": "known"}, "variable_findings": {},
           "metrics": {"m": {"value": 1.0}}}
    assert only_checks(rec, []) is rec
    kept = only_checks(rec, ["a"])
    assert kept["checks"] == {"a": {"passed": True}} and kept["expected_findings"] == {}
    assert kept["metrics"] is rec["metrics"] and rec["checks"].keys() == {"a", "b"}


def test_the_report_carries_the_guards_lists():
    """``python -m reports --baseline``: the committed LEACE records against the committed
    baseline list nothing; every seed's distortion ten times larger is a regression, a small shift
    is listed as worse within tolerance or not at all, never as a regression."""
    import copy

    from benchmarks.references import load_references
    from benchmarks.regression_guard import guard_summary
    from reports.content import guard_section

    base = load_baseline(DEFAULT_BASELINE)
    leace = [r for r in load_references()["records"]
             if r["family"] == "erasure" and r["method"] == "leace"]
    clean = guard_summary(leace, base, "b.json")
    assert clean["regressions"] == clean["no_entry"] == []
    worse = copy.deepcopy(leace)
    for r in worse:
        for s in r["seeds"]:
            s["guarded"]["distortion"] *= 10.0
    found = guard_summary(worse, base, "b.json")
    # all but the outlier set, where LEACE's distortion is ~0 and ten times it stays within
    # the guard's tolerance
    assert len(found["regressions"]) == len(leace) - 1
    assert not any("outlier_equal_means" in line for line in found["regressions"])
    assert all("distortion worse than baseline" in line for line in found["regressions"])
    text = " ".join(str(block) for block in guard_section(found))
    assert "Regression guard against b.json" in text and "distortion worse" in text
