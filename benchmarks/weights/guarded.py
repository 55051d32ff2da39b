"""The weights scores the regression guard holds every cell to (`benchmarks.regression_guard`).

Matched |cos| of the detectable planted pairs (generators that plant some) and the count
error, each read per seed.
"""

from __future__ import annotations

from benchmarks.families import HIGHER, LOWER, Guarded, seed_key

GUARDED: dict[str, Guarded] = {
    "pair_cos": Guarded(seed_key("pair_cos"), HIGHER, 0.02, needs="pair_cos"),
    "count_error": Guarded(seed_key("count_error"), LOWER, 1.0),
}
