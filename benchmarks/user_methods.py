"""Load a user's method by import path and tell which family it belongs to.

``pkg.module:Class`` imports ``pkg.module``; ``path/to/file.py:Class`` loads the file;
``pkg.module:Class(k=32, lr=1e-3)`` passes hyperparameters (keyword arguments, each a
Python literal) to the class or factory function. Any class following a family's protocol
(see the README) works; its constructor gets ``random_state`` (an int from the method's
own stream) when it accepts one and the string does not set it, and the sparse family
sets ``n_components`` when the grid sweeps dictionary size. Without ``--family``, the
family is the registered family whose interface rule accepts the class (`infer_family`).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.registry import FAMILIES, FAMILY_NAMES


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


def infer_family(cls) -> str:
    """The family of ``cls`` from its interface, or a ValueError saying why it is ambiguous.

    Every registered family is asked (``Family.accepts_interface``: the rule
    ``<family>_interface`` in ``benchmarks/<family>/family.py``, whose docstring states it);
    the one family that accepts ``cls`` is its family. A family whose methods a class cannot
    tell (weights, curves) accepts none: its methods need ``--family``. A rule may raise
    itself, saying how to port a class of an outdated interface (the truth rule, for a
    ``fit(X_pos, X_neg)`` from before the contrast pairs became one matrix).
    """
    if getattr(cls, "fit", None) is None:
        raise ValueError(f"{cls!r} has no fit method")
    candidates = [name for name, family in FAMILIES.items() if family.accepts_interface(cls)]
    if len(candidates) != 1:
        found = " or ".join(candidates) if candidates else "no family"
        raise ValueError(
            f"cannot infer the family of {cls.__name__} from its interface (matches {found}); "
            f"pass --family {'|'.join(FAMILY_NAMES)}"
        )
    return candidates[0]
