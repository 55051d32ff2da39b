"""Grid scales. ``quick`` is what CI runs on 2 cores; ``full`` is paper scale.

A profile names the scale and the number of seeds; each family keeps its own sizes per
profile in its module (``SIZES[profile.name]`` in ``benchmarks/<family>_family.py``).
"""

from __future__ import annotations

from benchmarks.spec import Profile

PROFILES = {
    "quick": Profile("quick", n_seeds=3),
    "full": Profile("full", n_seeds=10),
}


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (``quick`` or ``full``)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}") from None
