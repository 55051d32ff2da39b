"""Load a user's method by import path and tell which family it belongs to.

``pkg.module:Class`` imports ``pkg.module``; ``path/to/file.py:Class`` loads the file.
Any class following a family's protocol (see DESIGN.md) works; its constructor gets
``random_state`` (an int from the method's own stream) when it accepts one, and
``n_components`` for the sparse family when the grid sweeps dictionary size.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path

FAMILIES = ("erasure", "sparse", "truth")


def load_object(path: str):
    """Import ``pkg.module:Name`` or ``path/to/file.py:Name`` and return ``Name``."""
    if ":" not in path:
        raise ValueError(
            f"--method must look like 'pkg.module:Class' or 'path/to/file.py:Class', got {path!r}"
        )
    module_part, _, attr = path.rpartition(":")
    if module_part.endswith(".py") or "/" in module_part:
        file = Path(module_part).resolve()
        if not file.is_file():
            raise ValueError(f"--method file not found: {file}")
        name = f"toyground_user_{file.stem}_{abs(hash(str(file)))}"
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(module_part)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ValueError(f"{module_part} has no attribute {attr!r}") from None


def _params(func) -> list[inspect.Parameter]:
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return []
    return [p for p in params if p.name != "self" and p.kind not in (p.VAR_POSITIONAL,
                                                                       p.VAR_KEYWORD)]


def _required(params: list[inspect.Parameter]) -> list[str]:
    return [p.name for p in params if p.default is p.empty]


def infer_family(cls) -> str:
    """The family of ``cls`` from its interface, or a ValueError saying why it is ambiguous.

    - truth: has ``predict_proba`` and ``fit`` takes two arrays (``X_pos, X_neg``);
    - erasure: has ``transform`` and ``fit`` requires ``y``;
    - sparse: has ``transform`` and ``fit`` does not require ``y``, with ``n_components`` in
      the constructor or ``components_`` / ``inverse_transform``.
    """
    fit = getattr(cls, "fit", None)
    if fit is None:
        raise ValueError(f"{cls!r} has no fit method")
    fit_params = _params(fit)
    names = [p.name for p in fit_params]
    required = _required(fit_params)
    candidates = []
    if hasattr(cls, "predict_proba") and (
        {"X_pos", "X_neg"} <= set(names) or len(required) >= 2 and "y" not in required[:2]
    ):
        candidates.append("truth")
    if hasattr(cls, "transform"):
        if len(required) >= 2 and required[1] == "y":
            candidates.append("erasure")
        elif len(required) <= 1:
            init_names = [p.name for p in _params(cls.__init__)]
            if "n_components" in init_names or hasattr(cls, "inverse_transform"):
                candidates.append("sparse")
    if len(candidates) != 1:
        found = " or ".join(candidates) if candidates else "no family"
        raise ValueError(
            f"cannot infer the family of {cls.__name__} from its interface (matches {found}); "
            f"pass --family {'|'.join(FAMILIES)}"
        )
    return candidates[0]


def accepts(func, name: str) -> bool:
    """Whether ``func`` takes a parameter called ``name`` (or ``**kwargs``)."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind == p.VAR_KEYWORD for p in params)
