"""The families the grid knows, each as one record of functions (one code path per family).

Each family lives in its own module ``benchmarks/<name>_family.py`` that defines
``FAMILY = Family(...)``; this registry imports them by name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from benchmarks.spec import GeneratorSpec, MethodSpec, Profile

FAMILY_NAMES = ("erasure", "sparse", "truth")


@dataclass(frozen=True)
class Family:
    """How a family builds its grid, scores a seed, pools seeds and checks a cell.

    ``score_seed(method, generator, seed, profile) -> dict`` raises when the method
    misbehaves (the cell becomes an error cell); ``aggregate(seed_results) -> metrics``
    maps names to Estimate dicts; ``check(metrics) -> {name: CheckResult dict}``.
    """

    name: str
    generators: Callable[[Profile], list[GeneratorSpec]]
    methods: Callable[[Profile], list[MethodSpec]]
    score_seed: Callable[[MethodSpec, GeneratorSpec, int, Profile], dict]
    aggregate: Callable[[list[dict]], dict]
    check: Callable[[dict], dict]
    check_names: tuple[str, ...]
    headline: tuple[str, ...]  # metric names shown in tables


def _load() -> dict[str, Family]:
    found = {}
    for name in FAMILY_NAMES:
        try:
            module = importlib.import_module(f"benchmarks.{name}_family")
        except ModuleNotFoundError as exc:
            if exc.name != f"benchmarks.{name}_family":
                raise
            continue
        found[name] = module.FAMILY
    return found


FAMILIES: dict[str, Family] = _load()


def get_family(name: str) -> Family:
    """The family called ``name``; a clear error for families not built."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {name!r}") from None
