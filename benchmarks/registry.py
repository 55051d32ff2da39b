"""The families the grid knows: the one list of them.

Adding a family: write its folder ``benchmarks/<name>/`` (its ``__init__`` defines
``FAMILY``) and add one line here.
"""

from __future__ import annotations

from benchmarks import curves, erasure, sparse, truth, weights
from benchmarks.families import Family

FAMILIES: dict[str, Family] = {
    "erasure": erasure.FAMILY,
    "sparse": sparse.FAMILY,
    "truth": truth.FAMILY,
    "weights": weights.FAMILY,
    "curves": curves.FAMILY,
}
FAMILY_NAMES: tuple[str, ...] = tuple(FAMILIES)


def get_family(name: str) -> Family:
    """The family called ``name``; a clear error for an unknown name."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {name!r}") from None


def describe_families(names) -> dict[str, dict]:
    """`Family.describe` of each named family, in the registry's order."""
    return {name: family.describe() for name, family in FAMILIES.items() if name in set(names)}
