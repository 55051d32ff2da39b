"""Assemble the grid of cells from a profile, a family filter and user methods, or one cell."""

from __future__ import annotations

import copy
import inspect
from typing import Iterable

from benchmarks.cells import Cell
from benchmarks.profiles import Profile, get_profile
from benchmarks.registry import FAMILIES, FAMILY_NAMES, get_family
from benchmarks.seeding import sklearn_seed
from benchmarks.spec import MethodSpec
from benchmarks.user_methods import accepts, infer_family, load_object


def user_method_spec(path: str, family: str | None = None) -> MethodSpec:
    """A `MethodSpec` for the user's object at ``path`` (``pkg.mod:Name`` or ``file.py:Name``).

    ``Name`` may be a class (instantiated per fit, with ``random_state`` when its
    constructor accepts it), an instance (deep-copied per fit) or a factory function.
    """
    obj = load_object(path)
    if family is not None and family not in FAMILY_NAMES:
        raise ValueError(f"--family must be one of {FAMILY_NAMES}, got {family!r}")
    target = obj if inspect.isclass(obj) else type(obj)
    if callable(obj) and not inspect.isclass(obj) and not hasattr(obj, "fit"):
        target = type(obj())
    fam = family or infer_family(target)

    def build(train, seed):
        if inspect.isclass(obj) or not hasattr(obj, "fit"):
            kwargs = {"random_state": sklearn_seed(seed)} if accepts(obj, "random_state") else {}
            return obj(**kwargs)
        return copy.deepcopy(obj)

    return MethodSpec(path, fam, build, builtin=False, description=f"user method {path}")


def build_grid(profile: str = "quick", families: Iterable[str] | None = None,
               methods: Iterable[str] = (), family: str | None = None,
               first_seed: int = 0, n_seeds: int | None = None) -> list[Cell]:
    """Cells of the grid.

    Parameters
    ----------
    profile : {"quick", "full"}
    families : iterable of str, optional
        Restrict built-in cells to these families (default: every family built so far).
    methods : iterable of str
        User methods by import path; when given, the grid holds only them, each on every
        generator of its family.
    family : str, optional
        The family of the user methods (inferred from their interface when omitted).
    first_seed : int
        First grid seed (the profile runs ``n_seeds`` consecutive seeds from it).
    n_seeds : int, optional
        Seeds per cell (default: the profile's).
    """
    prof = get_profile(profile, first_seed, n_seeds)
    cells = []
    if methods:
        for path in methods:
            spec = user_method_spec(path, family)
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
              user_methods: Iterable[str] = (), user_family: str | None = None) -> Cell:
    """The one cell of the grid named by ``family``, ``method`` and ``generator``.

    Builds that cell alone (what a worker does before running it), not the whole grid:
    the same cell `build_grid` would give with the same profile and user methods.

    Parameters
    ----------
    family, method, generator : str
        The cell's names (a user method's name is its import path).
    profile : Profile
        The profile, with its seeds.
    user_methods : iterable of str
        The run's user methods: when given, the grid holds only them.
    user_family : str, optional
        The family given for the user methods (inferred when omitted).

    Raises
    ------
    KeyError
        When the grid has no such cell.
    """
    user_methods = tuple(user_methods)
    if user_methods:
        spec = user_method_spec(method, user_family) if method in user_methods else None
    else:
        spec = next((m for m in get_family(family).methods(profile) if m.name == method), None)
    gen = next((g for g in get_family(family).generators(profile) if g.name == generator),
               None)
    if spec is None or spec.family != family or gen is None:
        raise KeyError(f"no cell {(family, method, generator, profile.name)} in the grid")
    return Cell(family, spec, gen, profile)
