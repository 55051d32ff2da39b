"""Import strings: ``pkg.module:Name``, ``path/to/file.py:Name``, with keyword arguments.

``pkg.module:Name(k=32, lr=1e-3)`` names an object and the keyword arguments (each a Python
literal, parsed, never evaluated) to call it with. A user's ``--method`` is one; so are the
import paths a method takes as parameters (the torch adapter's ``module`` and ``train_fn``),
so that both take their hyperparameters in the same syntax.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ImportString:
    """A parsed import string: where the object is, and the keyword arguments.

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
        """The path with its arguments, written canonically (``repr`` of each value), so that
        one setting always has one name (a ``--method``'s name in records and tables)."""
        if not self.kwargs:
            return self.path
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"{self.path}({args})"


def parse_import_string(text: str, what: str = "--method") -> ImportString:
    """Split ``'pkg.mod:Name(k=32, lr=1e-3)'`` into its path and keyword arguments.

    Only keyword arguments whose values are Python literals (numbers, strings, booleans,
    None, tuples, lists, dicts of those) are accepted: the string is parsed, never
    evaluated. ``what`` names the string in messages (``--method``, ``module``, ...).

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
        raise ValueError(f"{what} must look like 'pkg.module:Name', 'path/to/file.py:Name' "
                         f"or 'pkg.module:Name(k=5, lr=1e-3)', got {text!r}")
    if not call:
        return ImportString(path)
    try:
        tree = ast.parse(f"f{call}", mode="eval").body
    except SyntaxError:
        raise ValueError(f"{what} {text!r}: the arguments {call!r} are not a valid call "
                         "(expected '(name=value, ...)')") from None
    if not isinstance(tree, ast.Call) or tree.args:
        raise ValueError(f"{what} {text!r}: pass hyperparameters by keyword, e.g. "
                         f"{path}(k=5)")
    kwargs: dict[str, Any] = {}
    for kw in tree.keywords:
        if kw.arg is None:
            raise ValueError(f"{what} {text!r}: '**' is not supported; name each argument")
        if kw.arg in kwargs:
            raise ValueError(f"{what} {text!r}: argument {kw.arg!r} given twice")
        try:
            kwargs[kw.arg] = ast.literal_eval(kw.value)
        except ValueError:
            raise ValueError(f"{what} {text!r}: the value of {kw.arg!r} must be a Python "
                             f"literal (number, string, bool, None, tuple, list, dict), got "
                             f"{ast.unparse(kw.value)!r}") from None
    return ImportString(path, kwargs)


def load_object(path: str, what: str = "--method"):
    """Import ``pkg.module:Name`` or ``path/to/file.py:Name`` and return ``Name`` (the
    arguments of a string that has them are not applied: `resolve_import` does).

    Raises
    ------
    ValueError
        A file that is not there, a module that cannot be imported (saying how to make a
        package of one's own importable), a name the module lacks.
    """
    path = parse_import_string(path, what).path
    module_part, _, attr = path.rpartition(":")
    if module_part.endswith(".py") or "/" in module_part:
        file = Path(module_part).resolve()
        if not file.is_file():
            raise ValueError(f"{what} file not found: {file}")
        name = f"toyground_user_{file.stem}_{abs(hash(str(file)))}"
        spec = importlib.util.spec_from_file_location(name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(module_part)
        except ModuleNotFoundError as exc:
            raise ValueError(
                f"{what} {path!r}: cannot import {module_part} ({exc}). Install your package "
                f"(python -m pip install -e /path/to/your/package) or put the folder that "
                f"holds it on the path (PYTHONPATH=/path/to/folder python -m ...), or name "
                f"the file itself: 'path/to/file.py:Name'") from None
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ValueError(f"{what} {path!r}: {module_part} has no attribute {attr!r}") from None


def resolve_import(obj, what: str):
    """``obj`` itself, or for an import string the object it names, called lazily with the
    string's keyword arguments (``functools.partial``) when it has some.

    ``module="pkg.sae:MySAE(k=8)"`` resolves to ``partial(MySAE, k=8)``, so a factory called
    as ``factory(d_in, n_components)`` builds ``MySAE(d_in, n_components, k=8)``.
    """
    if not isinstance(obj, str):
        return obj
    parsed = parse_import_string(obj, what)
    target = load_object(parsed.path, what)
    if not parsed.kwargs:
        return target
    if not callable(target):
        raise ValueError(f"{what} {obj!r}: {parsed.path} is not callable, so it takes no "
                         "arguments")
    return functools.partial(target, **parsed.kwargs)
