"""The sparse-feature family: does a dictionary learner report features that are not there?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`),
guarded scores (`guarded`), figures (`figures`) and speed benchmarks (`test_speed`), all
declared by ``FAMILY``.
"""

from __future__ import annotations

from benchmarks.families import Family, GeneratorKeyword, imported_on_call
from benchmarks.sparse import about, checks, family, findings, guarded

# What the family passes to a generator beyond its own arguments (`Family.generator_keywords`).
N_HELDOUT_WHEN = ("the held-out split (5), on which every score is measured, gets n_samples "
                  "= n_heldout (" + ", ".join(f"{p} {s['n_heldout']}" for p, s in
                                              family.SIZES.items()) +
                  "); the two splits the dictionaries are fitted on (0 and 1) get the "
                  "generator's own arguments")

FAMILY = Family(
    name=family.NAME,
    generators=family.sparse_generators,
    methods=family.sparse_methods,
    score_seed=family.score_sparse_seed,
    aggregate=family.aggregate_sparse,
    checks=checks.SPARSE_CHECKS,
    headline=("mmcs", "recovery_rate", "uniqueness", "live_uniqueness", "matched_mcc",
              "mean_f1", "live_mean_f1", "l0_ratio", "absorption", "n_claimed_beyond_chance",
              "cross_mmcs_seed", "false_positive_rate", "fvu_train", "fvu_heldout"),
    findings=findings.FINDINGS,
    variable_findings=findings.VARIABLE_FINDINGS,
    guarded=guarded.GUARDED,
    figures=imported_on_call("benchmarks.sparse.figures:figures"),
    references=(("random_atoms", "random atoms: the null dictionary"),
                ("topk_sae", "TopK SAE: the built-in SAE a user's SAE is held against "
                             "(a failure it shares is the data's)")),
    title=about.TITLE,
    question=about.QUESTION,
    generator_notes=about.GENERATORS,
    metric_notes=about.METRICS,
    studies=("benchmarks.sparse.ladder", "benchmarks.sparse.matched_l0",
             "benchmarks.sparse.synthsaebench", "benchmarks.sparse.wrong_l0",
             "benchmarks.sparse.hedging", "benchmarks.sparse.amortisation",
             "benchmarks.sparse.reproducibility"),
    time_method=family.time_sparse_method,
    accepts_interface=family.sparse_interface,
    dataset_fields=("X",),
    # recovers_planted reads ``features`` where the generator has them and, by its own rule,
    # does not apply where it has none (the generator plants no feature directions).
    check_needs={"no_false_features": ("n_true_features",)},
    generator_keywords={"n_samples": GeneratorKeyword(N_HELDOUT_WHEN)},
)
