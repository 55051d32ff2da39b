"""Assemble the grid of cells from a profile, a family filter and user methods, or one cell."""

from __future__ import annotations

import copy
import inspect
from typing import Iterable

import numpy as np

from benchmarks.cells import Cell
from benchmarks.declared_findings import (
    Declared,
    check_declarations,
    declared_for,
    parse_expect_fail,
)
from benchmarks.profiles import Profile, get_profile
from benchmarks.registry import FAMILIES, FAMILY_NAMES, get_family
from benchmarks.seeding import sklearn_seed
from benchmarks.signatures import accepts
from benchmarks.spec import MethodSpec
from benchmarks.user_methods import infer_family
from floor.import_paths import load_object, parse_import_string, resolve_import


def user_method_spec(text: str, family: str | None = None,
                     declared: Declared | None = None) -> MethodSpec:
    """A `MethodSpec` for the user's ``--method`` string ``text``.

    ``text`` is ``pkg.mod:Name`` or ``file.py:Name``, optionally with keyword arguments,
    ``pkg.mod:Name(k=32, lr=1e-3)`` (`floor.import_paths.parse_import_string`). ``Name`` may
    be a class (instantiated per fit with those arguments, and ``random_state`` when its
    constructor accepts it and the string does not set it), a factory function (called
    likewise) or an instance (deep-copied per fit; it takes no arguments). The spec's name
    is the canonical string with its arguments, so two settings of one class are two
    methods. ``declared`` are the run's ``--expect-fail`` declarations; those of the
    method's family become its ``findings``.

    Everything is resolved here, before any cell runs: the import, the family, the
    arguments (one instance is built) and the import strings the method takes as
    parameters (those its class lists in ``import_params``, e.g. the torch adapter's
    ``module``), so that a typo or a missing package is one error at the start.
    """
    parsed = parse_import_string(text)
    obj = load_object(parsed.path)
    if family is not None and family not in FAMILY_NAMES:
        raise ValueError(f"--family must be one of {FAMILY_NAMES}, got {family!r}")
    instance = not inspect.isclass(obj) and hasattr(obj, "fit")
    if instance and parsed.kwargs:
        raise ValueError(f"--method {text!r}: {parsed.path} is an instance; arguments need a "
                         "class or a factory function")
    if not instance and not callable(obj):
        raise ValueError(f"--method {text!r}: {parsed.path} is neither a class, a factory "
                         "function nor an estimator instance")
    seeded_by_us = not instance and "random_state" not in parsed.kwargs and accepts(
        obj, "random_state")

    def build(train, seed):
        if instance:
            return copy.deepcopy(obj)
        extra = {"random_state": sklearn_seed(seed)} if seeded_by_us else {}
        return obj(**parsed.kwargs, **extra)

    probe = _first_instance(build, obj, parsed, text)
    # a class tells the family; a factory, what it builds
    target = obj if inspect.isclass(obj) else type(probe)
    for name in getattr(type(probe), "import_params", ()):
        resolve_import(getattr(probe, name, None), f"--method {text!r}: {name}")
    fam = family or infer_family(target)
    spec_family = get_family(fam)
    findings = declared_for(declared or {}, spec_family.check_names, _generator_names(fam))
    return MethodSpec(parsed.name, fam, build, builtin=False,
                      description=f"user method {parsed.name}", findings=findings)


def _first_instance(build, obj, parsed, text: str):
    """One instance of the method, built as a cell would; its arguments refused by name."""
    try:
        return build(None, np.random.SeedSequence(0))
    except TypeError as exc:
        hint = ""
        if accepts(obj, "module"):
            hint = (" (a torch module's own hyperparameters go in its import string: "
                    "module=\"pkg.mod:MySAE(k=8)\")")
        raise ValueError(f"--method {text!r}: {parsed.path} refused its arguments: {exc}"
                         f"{hint}") from None


def _generator_names(family: str) -> list[str]:
    """Names of the family's generators (the same in every profile)."""
    return [g.name for g in get_family(family).generators(get_profile("quick"))]


def user_method_names(texts: Iterable[str]) -> dict[str, str]:
    """Canonical name -> ``--method`` string, for each of ``texts``."""
    return {parse_import_string(t).name: t for t in texts}


def build_grid(profile: str = "quick", families: Iterable[str] | None = None,
               methods: Iterable[str] = (), family: str | None = None,
               first_seed: int = 0, n_seeds: int | None = None,
               expect_fail: Iterable[str] = ()) -> list[Cell]:
    """Cells of the grid.

    Parameters
    ----------
    profile : {"quick", "full"}
    families : iterable of str, optional
        Restrict built-in cells to these families (default: every family built so far).
    methods : iterable of str
        User methods by ``--method`` string (import path, optionally with keyword
        arguments); when given, the grid holds only them, each on every
        generator of its family.
    family : str, optional
        The family of the user methods (inferred from their interface when omitted).
    first_seed : int
        First grid seed (the profile runs ``n_seeds`` consecutive seeds from it).
    n_seeds : int, optional
        Seeds per cell (default: the profile's).
    expect_fail : iterable of str
        The user's declared findings (``check@generator=reason`` or files of them,
        `benchmarks.declared_findings`); only with ``methods``.
    """
    prof = get_profile(profile, first_seed, n_seeds)
    cells = []
    declared = parse_expect_fail(expect_fail)
    if declared and not methods:
        raise ValueError("--expect-fail declares failures of a --method; none was given")
    if methods:
        specs = [user_method_spec(text, family, declared) for text in methods]
        check_declarations(declared, {s.family: (get_family(s.family).check_names,
                                                 _generator_names(s.family)) for s in specs})
        for spec in specs:
            fam = get_family(spec.family)
            cells += [Cell(fam.name, spec, g, prof) for g in fam.generators(prof)]
        return cells
    names = list(families) if families else ([family] if family else list(FAMILIES))
    for name in names:
        fam = get_family(name)
        gens = fam.generators(prof)
        cells += [Cell(name, m, g, prof) for m in fam.methods(prof) for g in gens]
    return cells


def find_cell(family: str, method: str, generator: str, profile: Profile,
              user_methods: Iterable[str] = (), user_family: str | None = None,
              expect_fail: Iterable[str] = ()) -> Cell:
    """The one cell of the grid named by ``family``, ``method`` and ``generator``.

    Builds that cell alone (what a worker does before running it), not the whole grid:
    the same cell `build_grid` would give with the same profile and user methods.

    Parameters
    ----------
    family, method, generator : str
        The cell's names (a user method's name is its canonical ``--method`` string,
        `floor.import_paths.ImportString.name`).
    profile : Profile
        The profile, with its seeds.
    user_methods : iterable of str
        The run's user methods: when given, the grid holds only them.
    user_family : str, optional
        The family given for the user methods (inferred when omitted).
    expect_fail : iterable of str
        The run's declared findings of the user methods.

    Raises
    ------
    KeyError
        When the grid has no such cell.
    """
    names = user_method_names(user_methods)
    if names:
        declared = parse_expect_fail(expect_fail)
        spec = (user_method_spec(names[method], user_family, declared) if method in names
                else None)
    else:
        spec = next((m for m in get_family(family).methods(profile) if m.name == method), None)
    gen = next((g for g in get_family(family).generators(profile) if g.name == generator),
               None)
    if spec is None or spec.family != family or gen is None:
        raise KeyError(f"no cell {(family, method, generator, profile.name)} in the grid")
    return Cell(family, spec, gen, profile)
