"""The truth-direction family: does an unsupervised method find the truth, or any direction?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`),
guarded scores (`guarded`), figures (`figures`), speed benchmarks (`test_speed`) and its
study of a distractor word against truth (`distractor`), all declared by ``FAMILY``.
"""

from __future__ import annotations

from benchmarks.families import Family, GeneratorKeyword, imported_on_call
from benchmarks.truth import about, checks, family, findings, guarded

FAMILY = Family(
    name=family.NAME,
    generators=family.truth_generators,
    methods=family.truth_methods,
    score_seed=family.score_truth_seed,
    aggregate=family.aggregate_truth,
    checks=checks.TRUTH_CHECKS,
    headline=("accuracy", "sign_agnostic_accuracy", "random_truthlike_sign_agnostic_mean",
              "ccs_loss", "labels_needed", "disjoint_facts_accuracy", "distractor_accuracy"),
    findings=findings.FINDINGS,
    guarded=guarded.GUARDED,
    figures=imported_on_call("benchmarks.truth.figures:figures"),
    references=(("supervised_logistic", "supervised probe: the ceiling"),
                ("random_direction", "random direction: chance")),
    title=about.TITLE,
    question=about.QUESTION,
    generator_notes=about.GENERATORS,
    metric_notes=about.METRICS,
    time_method=family.time_truth_method,
    studies=("benchmarks.truth.distractor", "benchmarks.truth.negation"),
    accepts_interface=family.truth_interface,
    dataset_fields=("X_pos", "X_neg", "y"),
    generator_keywords={"facts": GeneratorKeyword(family.FACTS_WHEN, required=False)},
)
