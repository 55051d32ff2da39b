"""Load a user's method by import path and tell which family it belongs to.

``pkg.module:Class`` imports ``pkg.module``; ``path/to/file.py:Class`` loads the file;
``pkg.module:Class(k=32, lr=1e-3)`` passes hyperparameters (keyword arguments, each a
Python literal) to the class or factory function. Any class following a family's protocol
(see the README) works; its constructor gets ``random_state`` (an int from the method's
own stream) when it accepts one and the string does not set it, and the sparse family
sets ``n_components`` when the grid sweeps dictionary size.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class MethodString:
    """A parsed ``--method`` string: where the object is, and the keyword arguments.

    Attributes
    ----------
    path : str
        ``pkg.module:Name`` or ``path/to/file.py:Name``.
    kwargs : dict
        Hyperparameters, in the order given.
    """

    path: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The method's name in records and tables: the path with its arguments, written
        canonically (``repr`` of each value), so that one setting always has one name."""
        if not self.kwargs:
            return self.path
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{self.path}({args})"


def parse_method_string(text: str) -> MethodString:
    """Split ``'pkg.mod:Name(k=32, lr=1e-3)'`` into its path and keyword arguments.

    Only keyword arguments whose values are Python literals (numbers, strings, booleans,
    None, tuples, lists, dicts of those) are accepted: the string is parsed, never
    evaluated.

    Raises
    ------
    ValueError
        Naming what is wrong: no ``:``, unbalanced parentheses, a positional argument, a
        value that is not a literal, a repeated keyword.
    """
    text = text.strip()
    paren = text.find("(")
    path, call = (text, "") if paren < 0 else (text[:paren].strip(), text[paren:])
    if ":" not in path or not path.rpartition(":")[2].isidentifier():
        raise ValueError(f"--method must look like 'pkg.module:Name', 'path/to/file.py:Name' "
                         f"or 'pkg.module:Name(k=5, lr=1e-3)', got {text!r}")
    if not call:
        return MethodString(path)
    try:
        tree = ast.parse(f"f{call}", mode="eval").body
    except SyntaxError:
        raise ValueError(f"--method {text!r}: the arguments {call!r} are not a valid call "
                         "(expected '(name=value, ...)')") from None
    if not isinstance(tree, ast.Call) or tree.args:
        raise ValueError(f"--method {text!r}: pass hyperparameters by keyword, e.g. "
                         f"{path}(k=5)")
    kwargs: dict[str, Any] = {}
    for kw in tree.keywords:
        if kw.arg is None:
            raise ValueError(f"--method {text!r}: '**' is not supported; name each argument")
        if kw.arg in kwargs:
            raise ValueError(f"--method {text!r}: argument {kw.arg!r} given twice")
        try:
            kwargs[kw.arg] = ast.literal_eval(kw.value)
        except ValueError:
            raise ValueError(f"--method {text!r}: the value of {kw.arg!r} must be a Python "
                             f"literal (number, string, bool, None, tuple, list, dict), got "
                             f"{ast.unparse(kw.value)!r}") from None
    return MethodString(path, kwargs)


def load_object(path: str):
    """Import ``pkg.module:Name`` or ``path/to/file.py:Name`` and return ``Name``."""
    path = parse_method_string(path).path
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


def _needs_y(cls, fit_params: list[inspect.Parameter]) -> bool:
    """Whether ``fit`` needs labels: ``y`` without a default, or (scikit-learn estimators)
    a default-constructed instance whose tags say ``target_tags.required``."""
    if "y" in _required(fit_params):
        return True
    if not hasattr(cls, "__sklearn_tags__"):
        return False
    try:
        return bool(cls().__sklearn_tags__().target_tags.required)
    except Exception:  # a constructor that needs arguments: the signature decides
        return False


def _legacy_truth(fit_params: list[inspect.Parameter]) -> bool:
    """``fit(X_pos, X_neg, ...)``: the truth interface before ``X = [x_plus | x_minus]``."""
    names = [p.name for p in fit_params]
    required = _required(fit_params)
    return {"X_pos", "X_neg"} <= set(names) or (len(required) >= 2 and required[1] != "y")


def infer_family(cls) -> str:
    """The family of ``cls`` from its interface, or a ValueError saying why it is ambiguous.

    - truth: has ``predict_proba`` and no ``transform`` (a classifier of contrast pairs
      ``X = [x_plus | x_minus]``, `methods.truth.pairs`);
    - erasure: has ``transform`` and ``fit`` needs ``y`` (a required parameter, or a
      scikit-learn estimator whose tags require a target);
    - sparse: has ``transform``, ``fit`` does not need ``y``, and ``n_components`` in the
      constructor or ``inverse_transform``.

    A ``predict_proba`` class whose ``fit`` takes two arrays (``fit(X_pos, X_neg)``, the
    truth interface before the pairs became one matrix) gets an error saying how to port it.
    """
    fit = getattr(cls, "fit", None)
    if fit is None:
        raise ValueError(f"{cls!r} has no fit method")
    fit_params = _params(fit)
    has_transform = hasattr(cls, "transform")
    candidates = []
    if hasattr(cls, "predict_proba") and not has_transform:
        if _legacy_truth(fit_params):
            raise ValueError(
                f"{cls.__name__}.fit takes the two sides of the contrast pairs separately; "
                "truth methods now take one matrix X = [x_plus | x_minus] of shape "
                "(n_pairs, 2 d): fit(X, y=None) and predict_proba(X) "
                "(see methods.truth.pairs.split_pairs)"
            )
        candidates.append("truth")
    if has_transform:
        if _needs_y(cls, fit_params):
            candidates.append("erasure")
        elif len(_required(fit_params)) <= 1:
            init_names = [p.name for p in _params(cls.__init__)]
            if "n_components" in init_names or hasattr(cls, "inverse_transform"):
                candidates.append("sparse")
    if len(candidates) != 1:
        from benchmarks.registry import FAMILY_NAMES  # every registered family, not a copy

        found = " or ".join(candidates) if candidates else "no family"
        raise ValueError(
            f"cannot infer the family of {cls.__name__} from its interface (matches {found}); "
            f"pass --family {'|'.join(FAMILY_NAMES)}"
        )
    return candidates[0]


def accepts(func, name: str) -> bool:
    """Whether ``func`` takes a parameter called ``name`` (or ``**kwargs``)."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind == p.VAR_KEYWORD for p in params)
