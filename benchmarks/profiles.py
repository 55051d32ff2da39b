"""Grid scales. ``quick`` is what CI runs on 2 cores; ``full`` is paper scale."""

from __future__ import annotations

from benchmarks.spec import Profile

PROFILES = {
    "quick": Profile(
        "quick",
        n_seeds=3,
        settings={
            "erasure": {"n_samples": 2000, "n_fit": 20000, "n_features": 16},
        },
    ),
    "full": Profile(
        "full",
        n_seeds=10,
        settings={
            "erasure": {"n_samples": 20000, "n_fit": 200000, "n_features": 64},
        },
    ),
}


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (``quick`` or ``full``)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}") from None
