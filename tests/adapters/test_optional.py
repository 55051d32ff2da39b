"""Without the optional libraries the adapters import, and fit says how to install them."""

from __future__ import annotations

import importlib
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from floor.optional import import_optional

HINT = ("install the optional adapters: python -m pip install -r requirements-adapters.txt "
        "-c constraints.txt")
ADAPTER_MODULES = ("methods.adapters", "floor.optional",
                   "methods.adapters.concept_erasure", "methods.adapters.saelens",
                   "methods.adapters.torch_module", "generators.adapters",
                   "generators.adapters.saelens_synthetic",
                   "generators.adapters.saelens_profile")
X = np.random.default_rng(0).standard_normal((40, 4))
y = np.arange(40) % 2


def test_import_optional_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "sae_lens", None)
    with pytest.raises(ImportError) as info:
        import_optional("sae_lens.training.sae_trainer", "SAELensSAE")
    assert str(info.value) == f"SAELensSAE needs sae-lens; {HINT}"
    assert import_optional("numpy.linalg", "x") is np.linalg


def test_modules_import_without_the_libraries(monkeypatch):
    for name in ("torch", "sae_lens", "concept_erasure"):
        monkeypatch.setitem(sys.modules, name, None)
    import methods

    # Re-importing rebinds methods.adapters: have monkeypatch restore the original too.
    monkeypatch.setattr(methods, "adapters", importlib.import_module("methods.adapters"))
    for name in ADAPTER_MODULES:
        monkeypatch.delitem(sys.modules, name, raising=False)
    for name in ADAPTER_MODULES:
        importlib.import_module(name)


@pytest.mark.parametrize(("blocked", "package", "make"), [
    ("sae_lens", "sae-lens", lambda m: m.saelens.SAELensSAE("topk", 4)),
    ("torch", "torch", lambda m: m.saelens.SAELensSAE("topk", 4)),
    ("concept_erasure", "concept-erasure", lambda m: m.concept_erasure.LeaceEraser()),
    ("concept_erasure", "concept-erasure", lambda m: m.concept_erasure.QuadraticEraser()),
    ("concept_erasure", "concept-erasure", lambda m: m.concept_erasure.OracleEraser()),
    ("concept_erasure", "concept-erasure", lambda m: m.concept_erasure.BarycentreEraser()),
    ("concept_erasure", "concept-erasure",
     lambda m: m.concept_erasure.QuadraticEditorEraser()),
    ("torch", "torch", lambda m: m.torch_module.TorchSAE(lambda d, k: None, 4,
                                                         train_fn=lambda *a: None)),
])
def test_fit_names_the_requirements_file(monkeypatch, blocked, package, make):
    # The modules from sys.modules, not attributes of the package: a test that re-imports
    # the adapters leaves the package without them as attributes.
    adapters = SimpleNamespace(**{name: importlib.import_module(f"methods.adapters.{name}")
                                  for name in ("concept_erasure", "saelens", "torch_module")})
    est = make(adapters)
    monkeypatch.setitem(sys.modules, blocked, None)
    with pytest.raises(ImportError, match="requirements-adapters.txt") as info:
        est.fit(X, y)
    assert str(info.value) == f"{type(est).__name__} needs {package}; {HINT}"


@pytest.mark.parametrize("blocked", ["sae_lens", "torch"])
def test_generator_adapter_names_the_requirements_file(monkeypatch, blocked):
    saelens_synthetic = importlib.import_module("generators.adapters.saelens_synthetic")
    monkeypatch.setitem(sys.modules, blocked, None)
    with pytest.raises(ImportError, match="requirements-adapters.txt") as info:
        saelens_synthetic.make_saelens_synthetic(10)
    assert str(info.value).startswith("generators.adapters.saelens_synthetic needs ")
