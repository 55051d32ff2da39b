"""A user's generator by import path: ``--generator 'pkg.mod:factory(k=v)'``.

The string names a factory and its fixed keyword arguments, in the syntax of ``--method``
(`floor.import_paths.parse_import_string`: Python literals, parsed, never evaluated). The
factory is called as the built-in generators are,
``factory(**kwargs, random_state=<numpy SeedSequence>, split=<int>)``, plus the keywords its
family passes on some splits (`benchmarks.families.Family.generator_keywords`), and returns
a `generators.dataset.Dataset` with its ground truth. The contract, family by family:
docs/your-generator.md.

Everything is resolved when the grid is built, before any cell runs (`user_generator_spec`):
the import, one call of the factory (split 0 of the run's first seed, at the factory's own
arguments), its return type, its family (``--family``, else the family of the run's
``--method`` methods, else the fields of the returned Dataset, `infer_generator_family`),
the Dataset fields that family reads, and the keywords it will pass. A typo, a missing
package or a wrong return type is one error at the start, naming the option. The keys of
the returned ``ground_truth`` are what the generator provides: a check whose ground truth it
lacks is not applicable (`benchmarks.families.Family.check`), and a built-in method that
reads a key it lacks (the erasure oracle) is not run on it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from benchmarks.families import Family
from benchmarks.registry import FAMILIES, FAMILY_NAMES, get_family
from benchmarks.seeding import SeedStreams
from benchmarks.signatures import accepts
from benchmarks.spec import GeneratorSpec
from floor.import_paths import ImportString, load_object, parse_import_string
from generators.dataset import Dataset

OPTION = "--generator"
# The Dataset fields a family may read, in the order messages name them.
DATA_FIELDS = ("X", "y", "X_pos", "X_neg")
# Set by the suite on every call: a string that sets them is refused.
RESERVED = ("random_state", "split")


def user_generator_spec(text: str, family: str | None = None,
                        first_seed: int = 0) -> GeneratorSpec:
    """A `GeneratorSpec` for the user's ``--generator`` string ``text``.

    Parameters
    ----------
    text : str
        ``pkg.mod:factory``, ``path/to/file.py:factory``, optionally with keyword arguments,
        ``pkg.mod:factory(n_samples=500, noise=0.1)``: the factory's fixed arguments.
    family : str, optional
        Its family (``--family``, or the family of the run's ``--method`` methods); inferred
        from the returned Dataset when None.
    first_seed : int
        The run's first seed: the factory is called once as split 0 of it.

    Returns
    -------
    GeneratorSpec
        Named by the canonical string (its arguments written with ``repr``, as a user
        method is), ``builtin=False``, ``provides`` = the keys of the returned
        ``ground_truth``.

    Raises
    ------
    ValueError
        Naming ``--generator`` and the string: an import that fails, a factory that raises
        or does not return a Dataset, a family that cannot be inferred, a Dataset without
        the fields its family reads, a factory that does not take a keyword its family
        passes, a string that sets ``random_state`` or ``split``.
    """
    parsed = parse_import_string(text, OPTION)
    where = f"{OPTION} {text.strip()!r}"
    if family is not None and family not in FAMILY_NAMES:
        raise ValueError(f"--family must be one of {FAMILY_NAMES}, got {family!r}")
    factory = load_object(parsed.path, OPTION)
    if not callable(factory):
        raise ValueError(f"{where}: {parsed.path} is not callable; expected a factory "
                         "function returning a generators.dataset.Dataset")
    for name in RESERVED:
        if name in parsed.kwargs:
            raise ValueError(f"{where}: {name} is set by the suite on every call (each "
                             "split's own random stream); leave it out of the string")
    data = first_dataset(factory, parsed, where, first_seed)
    fam = get_family(family or infer_generator_family(data, where))
    check_fields(data, fam, where)
    check_keywords(factory, parsed, fam, where)
    provides = frozenset(data.ground_truth)
    keys = ", ".join(sorted(provides)) or "none"
    return GeneratorSpec(parsed.name, fam.name, factory, dict(parsed.kwargs),
                         provides=provides, builtin=False,
                         description=f"your generator; the ground truth it provides: {keys}")


def first_dataset(factory, parsed: ImportString, where: str, first_seed: int) -> Dataset:
    """The factory's Dataset for split 0 of ``first_seed``, called as a cell calls it (at its
    own arguments); a ValueError naming ``where`` if the call raises or returns something
    else than a Dataset with a mapping as ``ground_truth``."""
    streams = SeedStreams(parsed.name, first_seed)
    try:
        data = factory(**parsed.kwargs, random_state=streams.data, split=0)
    except Exception as exc:  # noqa: BLE001 - any failure is the user's, reported at once
        raise ValueError(f"{where}: calling {parsed.path}(**{parsed.kwargs}, random_state="
                         f"<SeedSequence>, split=0) raised {type(exc).__name__}: {exc}"
                         ) from None
    if not isinstance(data, Dataset):
        raise ValueError(f"{where}: returned a {type(data).__name__}, expected a "
                         "generators.dataset.Dataset")
    if not isinstance(data.ground_truth, Mapping):
        raise ValueError(f"{where}: its Dataset's ground_truth is a "
                         f"{type(data.ground_truth).__name__}, expected a mapping (dict) of "
                         "ground-truth keys")
    return data


def infer_generator_family(data: Dataset, where: str = OPTION) -> str:
    """The family of a user's generator from the fields of the Dataset it returned.

    The rule: the families whose `Family.dataset_fields` the Dataset all has; of those, the
    one whose fields include every other's and more (it reads the most of what the Dataset
    carries): ``X`` and ``y``: erasure; ``X_pos``, ``X_neg`` and ``y``: truth. ``X`` alone
    is read by sparse, weights and curves alike: ambiguous, and so is any other set of
    fields; the error asks for ``--family``. A sparse generator that also returns labels
    (as the built-in ``gaussian_mixture`` and ``embedding_vocabulary`` do) reads as
    erasure: give it ``--family sparse``. With ``--method``, the methods' family is the
    generators' when the methods share one, and nothing is inferred.
    """
    present = {f for f in DATA_FIELDS if getattr(data, f) is not None}
    fits = [name for name, fam in FAMILIES.items() if set(fam.dataset_fields) <= present]
    best = [name for name in fits
            if all(set(FAMILIES[other].dataset_fields) < set(FAMILIES[name].dataset_fields)
                   for other in fits if other != name)]
    if len(best) == 1:
        return best[0]
    has = ", ".join(f for f in DATA_FIELDS if f in present) or "no data field"
    found = (f"the families that read it: {', '.join(fits)}" if fits else
             "no family reads exactly that")
    choices = "|".join(fits or FAMILY_NAMES)
    raise ValueError(f"{where}: cannot infer the family from the Dataset it returned (it has "
                     f"{has}; {found}); pass --family {choices}")


def check_fields(data: Dataset, family: Family, where: str) -> None:
    """Refuse a Dataset without the fields ``family`` reads, or with one of the wrong shape:
    ``X``, ``X_pos``, ``X_neg`` 2-D, ``y`` 1-D with one entry per row (per pair)."""
    needed = ", ".join(family.dataset_fields)
    rows = set()
    for name in family.dataset_fields:
        value = getattr(data, name)
        if value is None:
            raise ValueError(f"{where}: the {family.name} family reads the Dataset's "
                             f"{needed}; {name} is None")
        shape = np.shape(value)
        if len(shape) != (1 if name == "y" else 2):
            expected = "(n,)" if name == "y" else "(n, d)"
            raise ValueError(f"{where}: {name} has shape {shape}, expected {expected} (the "
                             f"{family.name} family reads {needed})")
        rows.add(shape[0])
    if "X_pos" in family.dataset_fields and np.shape(data.X_pos) != np.shape(data.X_neg):
        raise ValueError(f"{where}: X_pos has shape {np.shape(data.X_pos)} and X_neg "
                         f"{np.shape(data.X_neg)}; a contrast pair's members have one shape")
    if len(rows) > 1 and "y" in family.dataset_fields:
        raise ValueError(f"{where}: {needed} have {sorted(rows)} rows; y needs one entry "
                         "per row")


def check_keywords(factory, parsed: ImportString, family: Family, where: str) -> None:
    """Refuse a factory that does not take a keyword its family passes on every run
    (`benchmarks.families.GeneratorKeyword`, ``required``): by name or ``**kwargs``."""
    for name, keyword in family.generator_keywords.items():
        if keyword.required and not accepts(factory, name):
            raise ValueError(f"{where}: the {family.name} family calls the factory with "
                             f"{name}= on some splits ({keyword.when}); {parsed.path} takes "
                             f"no parameter {name!r} (nor **kwargs)")
