"""The sparse scores the regression guard holds every cell to (`benchmarks.regression_guard`).

Recovery of the planted features (where there are some), absorption (on the hierarchy), the
claimed-feature count beyond chance (where there are none) and the held-out reconstruction
loss, each read per seed.
"""

from __future__ import annotations

from benchmarks.families import HIGHER, LOWER, Guarded, seed_key

GUARDED: dict[str, Guarded] = {
    "mmcs": Guarded(seed_key("mmcs"), HIGHER, 0.005, needs="mmcs"),
    # Rates over 64 atoms (quick profile) move in steps of 1/64 = 0.016: one atom more
    # or less is not a regression (measured: k-means on the vocabulary, 1.0 on all 20
    # baseline seeds, 63/64 on some reseeded runs).
    "recovery_rate": Guarded(seed_key("recovery_rate"), HIGHER, 0.02, needs="recovery_rate"),
    # The suite's uniqueness of the live atoms, the one recovers_planted reads (the same
    # numbers the guard held as "uniqueness" before that name took SynthSAEBench's
    # definition, over all atoms).
    "live_uniqueness": Guarded(seed_key("live_uniqueness"), HIGHER, 0.02,
                               needs="live_uniqueness"),
    # The claim no_false_features reads (counts beyond chance; 1 distinct direction).
    "n_claimed_beyond_chance": Guarded(seed_key("n_claimed_beyond_chance"), LOWER, 1.0,
                                       needs="false_positive"),
    # Absorption on the hierarchy (a rate over the scored parents; 0.02 is one parent of
    # the quick forest's 16 scored roots moving by a third of its rate).
    "absorption": Guarded(seed_key("absorption"), LOWER, 0.02, needs="absorption"),
    "fvu_heldout": Guarded(seed_key("fvu_heldout"), LOWER, 0.005),
}
