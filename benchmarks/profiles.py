"""Grid scales. ``quick`` is what CI runs on 2 cores; ``full`` is paper scale.

A profile names the scale and the number of seeds; each family keeps its own sizes per
profile in its module (``SIZES[profile.name]`` in ``benchmarks/<family>/family.py``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """A grid scale: ``quick`` for CI, ``full`` for papers. Same code, other sizes."""

    name: str
    n_seeds: int
    first_seed: int = 0

    @property
    def seeds(self) -> tuple[int, ...]:
        """The grid seeds ``first_seed, ..., first_seed + n_seeds - 1``."""
        return tuple(range(self.first_seed, self.first_seed + self.n_seeds))


PROFILES = {
    "quick": Profile("quick", n_seeds=3),
    "full": Profile("full", n_seeds=10),
}


def get_profile(name: str, first_seed: int = 0, n_seeds: int | None = None) -> Profile:
    """The profile called ``name`` (``quick`` or ``full``), its seeds starting at ``first_seed``.

    Another ``first_seed`` draws other data, method and probe streams for every cell: the
    way to check that a finding is not one seed set's luck (and to measure how often the
    regression guard would fire on an unchanged method).
    """
    try:
        profile = PROFILES[name]
    except KeyError:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}") from None
    if first_seed < 0:
        raise ValueError(f"first_seed must be >= 0, got {first_seed}")
    if n_seeds is not None and n_seeds < 1:
        raise ValueError(f"n_seeds must be >= 1, got {n_seeds}")
    return dataclasses.replace(profile, first_seed=int(first_seed),
                               n_seeds=int(n_seeds or profile.n_seeds))
