"""The erasure scores the regression guard holds every cell to (`benchmarks.regression_guard`).

Leakage of every probe (held-out balanced accuracy minus chance), distortion and
consistency, each read per seed; half a percentage point is the smallest change that counts.
"""

from __future__ import annotations

from typing import Callable

from benchmarks.families import HIGHER, LOWER, Guarded, seed_key
from metrics.probes import PROBE_KINDS


def _leakage(probe: str) -> Callable[[dict], float]:
    def value(seed: dict) -> float:
        p = seed["probes"][probe]
        return p["balanced_accuracy"] - p["chance"]
    return value


GUARDED: dict[str, Guarded] = {
    **{f"leakage_{p}": Guarded(_leakage(p), LOWER, 0.005) for p in PROBE_KINDS},
    "distortion": Guarded(seed_key("distortion"), LOWER, 0.005),
    "consistency": Guarded(seed_key("consistency"), HIGHER, 0.005),
}
