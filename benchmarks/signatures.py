"""What a callable's signature says: the pure helpers the families and the user-method loader
share.

A family's scoring asks whether a method's ``fit`` or ``transform`` takes ``y``
(`accepts`); a family's interface rule (``Family.accepts_interface``) asks which
parameters ``fit`` requires and whether a scikit-learn estimator's tags require a target.
This module imports no family, so every family and `benchmarks.user_methods` can import it
without an import cycle.
"""

from __future__ import annotations

import inspect


def accepts(func, name: str) -> bool:
    """Whether ``func`` takes a parameter called ``name`` (or ``**kwargs``)."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind == p.VAR_KEYWORD for p in params)


def parameters(func) -> list[inspect.Parameter]:
    """The named parameters of ``func`` (not ``self``, ``*args`` or ``**kwargs``); [] when
    it has no readable signature."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return []
    return [p for p in params if p.name != "self" and p.kind not in (p.VAR_POSITIONAL,
                                                                       p.VAR_KEYWORD)]


def required(params: list[inspect.Parameter]) -> list[str]:
    """Names of the parameters among ``params`` that have no default."""
    return [p.name for p in params if p.default is p.empty]


def fit_parameters(cls) -> list[inspect.Parameter]:
    """The named parameters of ``cls.fit`` ([] when it has none or no fit)."""
    fit = getattr(cls, "fit", None)
    return [] if fit is None else parameters(fit)


def needs_labels(cls) -> bool:
    """Whether ``cls.fit`` needs labels: ``y`` without a default, or (scikit-learn
    estimators) a default-constructed instance whose tags say ``target_tags.required``."""
    if "y" in required(fit_parameters(cls)):
        return True
    if not hasattr(cls, "__sklearn_tags__"):
        return False
    try:
        return bool(cls().__sklearn_tags__().target_tags.required)
    except Exception:  # a constructor that needs arguments: the signature decides
        return False
