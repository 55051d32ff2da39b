"""The truth scores the regression guard holds every cell to (`benchmarks.regression_guard`).

Sign-agnostic held-out accuracy, accuracy on held-out facts (generators with facts) and the
labels needed to pick a candidate, each read per seed; one label is the smallest change
of the last that counts.
"""

from __future__ import annotations

from benchmarks.families import HIGHER, LOWER, Guarded, seed_key


def _disjoint(seed: dict) -> float:
    return seed["disjoint_sign_agnostic_hits"] / seed["disjoint_n"]


def _labels(seed: dict) -> float:
    needed = seed["labels_needed"]
    return float(seed["n_labelled"] + 1 if needed is None else needed)


GUARDED: dict[str, Guarded] = {
    "sign_agnostic_accuracy": Guarded(seed_key("sign_agnostic_accuracy"), HIGHER, 0.005),
    "disjoint_facts_accuracy": Guarded(_disjoint, HIGHER, 0.005, needs="disjoint_n"),
    "labels_needed": Guarded(_labels, LOWER, 1.0),
}
