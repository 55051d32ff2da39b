"""docs/adding.md stays true: a method added through its steps is covered everywhere.

The test adds a throwaway eraser the way the page says, without editing the repository: its
file is written to ``tmp_path`` (on ``sys.path``), and the page's own list line is
evaluated and appended to the erasure family's list (the registry's record replaced, for
this test only, by one whose ``methods`` return the list plus that line). Then the contract
tests' builder builds it at the tiny scale, the grid has its cells, and the coverage checks
of the baseline and the references name it with the commands the page documents. The
page's file paths and the list-line pattern are checked against the code.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from benchmarks.coverage import REFERENCES_COMMAND, baseline_gap, references_gap
from benchmarks.grid import build_grid
from benchmarks.profiles import get_profile
from benchmarks.references import load_references
from benchmarks.registry import FAMILIES
from benchmarks.regression_guard import DEFAULT_BASELINE, load_baseline
from benchmarks.spec import MethodSpec, seeded
from tests.builtin_methods import tiny_factories

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "adding.md"
FAMILY = "erasure"

# The throwaway method: an eraser with a budget, in its own file.
MY_ERASER = textwrap.dedent('''
    import numpy as np
    from sklearn.base import BaseEstimator, TransformerMixin


    class MyEraser(TransformerMixin, BaseEstimator):
        """Project out the class-mean difference around the mean (n_steps is unused)."""

        def __init__(self, n_steps=100, random_state=None):
            self.n_steps = n_steps
            self.random_state = random_state

        def fit(self, X, y):
            X, y = np.asarray(X, dtype=float), np.asarray(y)
            d = X[y == y.max()].mean(0) - X[y != y.max()].mean(0)
            self.u_, self.mu_ = d / np.linalg.norm(d), X.mean(0)
            return self

        def transform(self, X):
            X = np.asarray(X, dtype=float)
            return X - np.outer((X - self.mu_) @ self.u_, self.u_)
''')


def _section(title: str) -> str:
    text = PAGE.read_text()
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def _code_blocks(text: str, language: str = "") -> list[str]:
    """The fenced code blocks of ``text`` (those opened with ```` ```language ```` when
    ``language`` is given), dedented."""
    blocks, current, opened = [], None, ""
    for line in text.splitlines():
        fence = line.strip()
        if fence.startswith("```"):
            if current is None:
                current, opened = [], fence[3:]
            else:
                if not language or opened == language:
                    blocks.append(textwrap.dedent("\n".join(current)).strip())
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _documented_line() -> str:
    """The page's list line (the one ``python`` block of "Adding a method")."""
    (line,) = _code_blocks(_section("Adding a method"), "python")
    return line


@pytest.fixture
def my_eraser(tmp_path, monkeypatch) -> MethodSpec:
    """The page's steps 1 and 2, at run time: the file, and the list line appended."""
    (tmp_path / "toyground_my_eraser.py").write_text(MY_ERASER)
    monkeypatch.syspath_prepend(str(tmp_path))
    from toyground_my_eraser import MyEraser

    namespace = {"MethodSpec": MethodSpec, "NAME": FAMILY, "seeded": seeded,
                 "MyEraser": MyEraser}
    (spec,) = eval(_documented_line(), namespace)  # the line ends with a comma: a tuple
    family = FAMILIES[FAMILY]
    listed = family.methods

    def methods(profile):
        return [*listed(profile), spec]

    monkeypatch.setitem(FAMILIES, FAMILY, dataclasses.replace(family, methods=methods))
    return spec


def test_the_documented_line_is_a_method_spec(my_eraser):
    assert (my_eraser.name, my_eraser.family, my_eraser.builtin) == ("my_eraser", FAMILY, True)
    assert my_eraser.tiny and my_eraser.description


def test_the_contract_tests_build_it_at_the_tiny_scale(my_eraser):
    made = tiny_factories(FAMILY)
    assert "my_eraser" in made
    est = made["my_eraser"](3)
    assert type(est).__name__ == "MyEraser"
    assert est.get_params() == {**my_eraser.tiny, "random_state": 0}


def test_the_grid_has_its_cells(my_eraser):
    cells = [c for c in build_grid("quick", families=[FAMILY]) if c.method.name == "my_eraser"]
    generators = [g.name for g in FAMILIES[FAMILY].generators(cells[0].profile)]
    assert [c.generator.name for c in cells] == generators


def test_the_coverage_checks_name_it_with_the_documented_commands(my_eraser):
    page = PAGE.read_text()
    gap = baseline_gap(load_baseline(DEFAULT_BASELINE))
    command = "python -m benchmarks.rebaseline 'erasure/my_eraser/*'"
    assert "erasure/my_eraser/two_class_gaussian" in gap and gap.endswith(command), gap
    assert command in _code_blocks(page)
    gap = references_gap(load_references())
    assert "erasure/my_eraser/two_class_gaussian" in gap and gap.endswith(REFERENCES_COMMAND)
    assert REFERENCES_COMMAND in _code_blocks(page)


def test_without_it_the_committed_files_are_complete():
    """The throwaway method is what the coverage checks report, nothing else."""
    assert baseline_gap(load_baseline(DEFAULT_BASELINE)) == ""
    assert references_gap(load_references()) == ""


def test_every_family_has_the_documented_list():
    """``<family>_methods`` in ``benchmarks/<family>/family.py`` is each family's list, and
    each of its specs is a line of the documented form ``MethodSpec("name", NAME, ...``."""
    form = r'MethodSpec\("\w+", NAME,\s'
    assert re.match(form, _documented_line())
    for name, family in FAMILIES.items():
        assert family.methods.__name__ == f"{name}_methods"
        assert Path(inspect.getsourcefile(family.methods)) == \
            ROOT / "benchmarks" / name / "family.py"
        lines = re.findall(form, inspect.getsource(family.methods))
        assert len(lines) == len(family.methods(get_profile("quick"))), name


def test_the_pages_paths_exist():
    """Every repository path the page names exists, ``<family>`` standing for each family;
    a path with another placeholder (a new file's name) needs its folder to exist."""
    paths = set(re.findall(r"`((?:benchmarks|methods|tests|reports|generators|docs)/[\w<>/.]+)`",
                           PAGE.read_text()))
    assert paths
    missing = []
    for path in sorted(paths):
        for family in FAMILIES if "<family>" in path else [""]:
            concrete = path.replace("<family>", family)
            if "<" in concrete:  # a file the page asks for: its folder exists
                concrete = concrete[: concrete.index("<")].rpartition("/")[0]
            if not (ROOT / concrete).exists():
                missing.append(concrete)
    assert not missing, missing
