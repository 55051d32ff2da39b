"""The curves scores the regression guard holds every cell to (`benchmarks.regression_guard`).

The share of samples called right (laws with a right answer) and the share of non-Gaussian
samples called Gaussian, each read per seed; over 200 samples per seed (quick profile) one
sample is 0.005, so 0.02 (four samples) is the smallest change that counts.
"""

from __future__ import annotations

from benchmarks.families import HIGHER, LOWER, Guarded, seed_key

GUARDED: dict[str, Guarded] = {
    "correct_rate": Guarded(seed_key("correct_rate"), HIGHER, 0.02, needs="correct_rate"),
    "false_gaussian_rate": Guarded(seed_key("false_gaussian_rate"), LOWER, 0.02,
                                   needs="false_gaussian_rate"),
}
