"""The import layers of ``setup.cfg`` hold, and a crossing breaks them.

import-linter's contracts (``[importlinter]`` in ``setup.cfg``) run here, inside the test
command: data flows one way (tests > reports > benchmarks > methods | generators | metrics >
floor, the three middle packages never importing each other), and the core never imports the
adapters' optional libraries. Each run is ``lint-imports`` in a subprocess started in the
folder to check, so that it reads that folder's packages and not those this process has
imported; about a second each.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from importlinter.api import read_configuration

import methods

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "setup.cfg"
LAYERS = "layers"
OPTIONAL = "optional-libraries"
# The `lint-imports` console script, from this interpreter (the script may not be on PATH).
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"
TIMEOUT_S = 120


def _contracts() -> dict[str, dict]:
    options = read_configuration(str(ROOT / CONFIG))["contracts_options"]
    return {contract["id"]: contract for contract in options}


def _root_packages() -> list[str]:
    return read_configuration(str(ROOT / CONFIG))["session_options"]["root_packages"]


def _lint(folder: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the packages of ``folder`` with its ``setup.cfg``, no cache."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--no-logo", CONFIG],
                          cwd=folder, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)


def _output(run: subprocess.CompletedProcess) -> str:
    return f"exit code {run.returncode}\n{run.stdout}\n{run.stderr}"


def _python_only(folder: str, names: list[str]) -> set[str]:
    """`shutil.copytree` ignore rule: keep packages and ``.py`` files only."""
    return {name for name in names
            if name == "__pycache__"
            or (not name.endswith(".py") and not os.path.isdir(os.path.join(folder, name)))}


def test_layer_contracts_hold():
    run = _lint(ROOT)
    assert run.returncode == 0, _output(run)
    assert "0 broken" in run.stdout, _output(run)


def test_optional_contract_covers_every_core_part_of_methods():
    """Every subpackage and module of ``methods`` but ``adapters`` is a source of the
    optional-libraries contract (it lists them one by one to leave ``adapters`` out)."""
    sources = set(_contracts()[OPTIONAL]["source_modules"])
    core = {f"methods.{info.name}" for info in pkgutil.iter_modules(methods.__path__)
            if info.name != "adapters"}
    others = {name for name in _root_packages() if name not in ("methods", "tests")}
    assert core | others <= sources, sorted(core | others - sources)


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The repository's packages (Python files only) and ``setup.cfg`` in a temporary folder."""
    folder = tmp_path_factory.mktemp("layers")
    for package in _root_packages():
        shutil.copytree(ROOT / package, folder / package, ignore=_python_only)
    shutil.copy(ROOT / CONFIG, folder / CONFIG)
    return folder


@pytest.mark.parametrize(("module", "source", "contract", "message"), [
    ("methods/_bad.py", "import metrics.probes\n", LAYERS,
     "methods is not allowed to import metrics"),
    ("generators/_bad.py", "from methods.erasure import leace\n", LAYERS,
     "generators is not allowed to import methods"),
    ("floor/_bad.py", "import generators.dataset\n", LAYERS,
     "floor is not allowed to import generators"),
    ("metrics/_bad.py", "def f():\n    import benchmarks.cells\n", LAYERS,
     "metrics is not allowed to import benchmarks"),
    ("methods/sparse/_bad.py", "import torch\n", OPTIONAL,
     "methods.sparse is not allowed to import torch"),
    ("benchmarks/_bad.py", "import methods.adapters.torch_example\n", OPTIONAL,
     "benchmarks is not allowed to import torch"),
], ids=["methods-metrics", "generators-methods", "floor-generators", "metrics-benchmarks",
        "core-torch", "core-torch-indirect"])
def test_a_crossing_breaks_its_contract(copy, module, source, contract, message):
    """A throwaway module that crosses a layer (or reaches torch through an adapter) is
    reported, with the contract it breaks (control: `test_the_copy_passes_without_a_crossing`)."""
    name = _contracts()[contract]["name"]
    path = copy / module
    path.write_text(source)
    try:
        run = _lint(copy)
    finally:
        path.unlink()
    assert run.returncode != 0, _output(run)
    assert message in run.stdout, _output(run)
    assert f"{name} BROKEN" in " ".join(run.stdout.split()), _output(run)


def test_the_copy_passes_without_a_crossing(copy):
    """The control of the test above: the copied packages alone keep every contract."""
    run = _lint(copy)
    assert run.returncode == 0, _output(run)
