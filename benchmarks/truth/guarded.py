"""The truth scores the regression guard holds every cell to (`benchmarks.regression_guard`).

Sign-agnostic held-out accuracy, accuracy on held-out facts (generators with facts) and the
labels needed to pick a candidate, each read per seed; one label is the smallest change
of the last that counts.
"""

from __future__ import annotations

from benchmarks.families import HIGHER, LOWER, Guarded, seed_key
from benchmarks.truth.family import labels_needed_or_more


def _disjoint(seed: dict) -> float:
    return seed["disjoint_sign_agnostic_hits"] / seed["disjoint_n"]


GUARDED: dict[str, Guarded] = {
    "sign_agnostic_accuracy": Guarded(seed_key("sign_agnostic_accuracy"), HIGHER, 0.005),
    "disjoint_facts_accuracy": Guarded(_disjoint, HIGHER, 0.005, needs="disjoint_n"),
    "labels_needed": Guarded(labels_needed_or_more, LOWER, 1.0),
}
