"""Assemble the grid of cells from a profile, a family filter and user methods, or one cell."""

from __future__ import annotations

import copy
import dataclasses
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
from benchmarks.spec import GeneratorSpec, MethodSpec
from benchmarks.user_generators import user_generator_spec
from benchmarks.user_methods import infer_family
from floor.import_paths import load_object, parse_import_string, resolve_import


def user_method_spec(text: str, family: str | None = None,
                     declared: Declared | None = None,
                     generator_names: Iterable[str] | None = None) -> MethodSpec:
    """A `MethodSpec` for the user's ``--method`` string ``text``.

    ``text`` is ``pkg.mod:Name`` or ``file.py:Name``, optionally with keyword arguments,
    ``pkg.mod:Name(k=32, lr=1e-3)`` (`floor.import_paths.parse_import_string`). ``Name`` may
    be a class (instantiated per fit with those arguments, and ``random_state`` when its
    constructor accepts it and the string does not set it), a factory function (called
    likewise) or an instance (deep-copied per fit; it takes no arguments). The spec's name
    is the canonical string with its arguments, so two settings of one class are two
    methods. ``declared`` are the run's ``--expect-fail`` declarations; those of the
    method's family become its ``findings``, on ``generator_names`` (the run's generators
    of that family; default: the family's built-in generators).

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
    gens = _generator_names(fam) if generator_names is None else list(generator_names)
    findings = declared_for(declared or {}, spec_family.check_names, gens)
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
               expect_fail: Iterable[str] = (), generators: Iterable[str] = ()
               ) -> list[Cell]:
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
        The family of the user methods and generators (inferred when omitted: a method's
        from its interface, a generator's from the methods' family or the Dataset it
        returns, `benchmarks.user_generators`).
    first_seed : int
        First grid seed (the profile runs ``n_seeds`` consecutive seeds from it).
    n_seeds : int, optional
        Seeds per cell (default: the profile's).
    expect_fail : iterable of str
        The user's declared findings (``check@generator=reason`` or files of them,
        `benchmarks.declared_findings`); only with ``methods``.
    generators : iterable of str
        User generators by ``--generator`` string (a factory's import path, optionally with
        keyword arguments); when given, the grid holds only them, each with the built-in
        methods of its family, or with the user ``methods`` of its family when given.
    """
    prof = get_profile(profile, first_seed, n_seeds)
    cells = []
    declared = parse_expect_fail(expect_fail)
    if declared and not methods:
        raise ValueError("--expect-fail declares failures of a --method; none was given")
    if generators:
        return user_generator_cells(prof, list(methods), list(generators), family, declared)
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
              expect_fail: Iterable[str] = (), user_generators: Iterable[str] = ()) -> Cell:
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
    user_generators : iterable of str
        The run's user generators: when given, the grid holds only them (the named
        generator is resolved alone, with one call of its factory).

    Raises
    ------
    KeyError
        When the grid has no such cell.
    """
    if list(user_generators):
        return _find_user_generator_cell(family, method, generator, profile,
                                         list(user_methods), user_family, expect_fail,
                                         list(user_generators))
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


# --- user generators (--generator) --------------------------------------------------------

def _method_specs(methods: list[str], family: str | None) -> list[MethodSpec]:
    """The user methods' specs without findings (those need the run's generator names)."""
    return [user_method_spec(text, family) for text in methods]


def _generator_family(family: str | None, method_specs: list[MethodSpec]) -> str | None:
    """The family a user generator is given: ``--family``, else that of the run's user
    methods when they share one, else None (inferred from the Dataset it returns)."""
    families = {s.family for s in method_specs}
    return family or (families.pop() if len(families) == 1 else None)


def runnable_methods(family: str, generator: GeneratorSpec, profile: Profile
                     ) -> tuple[list[MethodSpec], list[MethodSpec]]:
    """The family's built-in methods that can run on ``generator``, and those that cannot:
    a method whose build reads ground truth the generator lacks (`MethodSpec.needs`)."""
    methods = get_family(family).methods(profile)
    return ([m for m in methods if not generator.lacks(m.needs)],
            [m for m in methods if generator.lacks(m.needs)])


def _with_left_out(generator: GeneratorSpec, left_out: list[MethodSpec]) -> GeneratorSpec:
    """``generator`` whose description names the built-in methods not run on it, and why."""
    if not left_out:
        return generator
    why = "; ".join(f"{m.name} (it reads {', '.join(generator.lacks(m.needs))}, which the "
                    "generator does not provide)" for m in left_out)
    return dataclasses.replace(generator, description=(
        f"{generator.description}. Built-in methods not run on it: {why}"))


def user_generator_cells(profile: Profile, methods: list[str], generators: list[str],
                         family: str | None, declared: Declared) -> list[Cell]:
    """The cells of a ``--generator`` run: each user generator with the user methods of its
    family, or (without ``--method``) with the family's built-in methods that can run on
    it. Every generator and method is resolved here; a method family without a generator,
    or a generator family without a method, is refused."""
    texts = user_method_names(generators)
    if len(texts) != len(generators):
        raise ValueError(f"--generator: the same generator given twice in {generators}")
    specs = _method_specs(methods, family)
    default = _generator_family(family, specs)
    gens = [user_generator_spec(t, default, profile.first_seed) for t in generators]
    by_family: dict[str, list[GeneratorSpec]] = {}
    for g in gens:
        by_family.setdefault(g.family, []).append(g)
    for spec in specs:
        if spec.family not in by_family:
            raise ValueError(f"--method {spec.name!r} is a {spec.family} method, and no "
                             f"--generator is of the {spec.family} family (a --generator run "
                             f"holds only the given generators: {sorted(by_family)})")
    if specs:
        missing = sorted(set(by_family) - {s.family for s in specs})
        if missing:
            raise ValueError(f"--generator of the {', '.join(missing)} family has no --method "
                             f"of its family; the methods given are of "
                             f"{sorted({s.family for s in specs})} (pass --family, or a "
                             "--method of each generator's family)")
    names = {f: [g.name for g in gs] for f, gs in by_family.items()}
    specs = [dataclasses.replace(s, findings=declared_for(
        declared, get_family(s.family).check_names, names[s.family])) for s in specs]
    check_declarations(declared, {s.family: (get_family(s.family).check_names,
                                             names[s.family]) for s in specs})
    cells = []
    for g in gens:
        if specs:
            cells += [Cell(g.family, m, g, profile) for m in specs if m.family == g.family]
            continue
        run, left_out = runnable_methods(g.family, g, profile)
        g = _with_left_out(g, left_out)
        cells += [Cell(g.family, m, g, profile) for m in run]
    return cells


def _find_user_generator_cell(family: str, method: str, generator: str, profile: Profile,
                              methods: list[str], user_family: str | None,
                              expect_fail: Iterable[str], generators: list[str]) -> Cell:
    """`find_cell` for a ``--generator`` run: the named generator resolved alone."""
    texts = user_method_names(generators)
    specs = _method_specs(methods, user_family)
    if generator not in texts:
        raise KeyError(f"no cell {(family, method, generator, profile.name)} in the grid")
    gen = user_generator_spec(texts[generator], _generator_family(user_family, specs),
                              profile.first_seed)
    if specs:
        declared = parse_expect_fail(expect_fail)
        spec = next((s for s in specs if s.name == method), None)
        if spec is not None:  # its findings on this generator (the cell's only ones)
            spec = dataclasses.replace(spec, findings=declared_for(
                declared, get_family(spec.family).check_names, [generator]))
    else:
        run, left_out = runnable_methods(gen.family, gen, profile)
        gen = _with_left_out(gen, left_out)
        spec = next((m for m in run if m.name == method), None)
    if spec is None or spec.family != family or gen.family != family:
        raise KeyError(f"no cell {(family, method, generator, profile.name)} in the grid")
    return Cell(family, spec, gen, profile)
