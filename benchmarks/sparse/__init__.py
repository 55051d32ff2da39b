"""The sparse-feature family: does a dictionary learner report features that are not there?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`),
guarded scores (`guarded`), figures (`figures`) and speed benchmarks (`test_speed`), all
declared by ``FAMILY``.
"""

from __future__ import annotations

from benchmarks.families import Family, imported_on_call
from benchmarks.sparse import about, checks, family, findings, guarded

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
             "benchmarks.sparse.synthsaebench"),
    time_method=family.time_sparse_method,
    accepts_interface=family.sparse_interface,
)
