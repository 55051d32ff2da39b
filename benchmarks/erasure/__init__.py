"""The erasure family: does an eraser remove a concept from held-out data?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`),
guarded scores (`guarded`), figures (`figures`) and speed benchmarks (`test_speed`), all
declared by ``FAMILY``.
"""

from __future__ import annotations

from benchmarks.erasure import about, checks, family, findings, guarded
from benchmarks.families import Family, GeneratorKeyword, imported_on_call

FAMILY = Family(
    name=family.NAME,
    generators=family.erasure_generators,
    methods=family.erasure_methods,
    score_seed=family.score_erasure_seed,
    aggregate=family.aggregate_erasure,
    checks=checks.ERASURE_CHECKS,
    headline=("leakage_logistic", "leakage_zero_one", "leakage_mlp", "leakage_qda",
              "distortion", "consistency"),
    findings=findings.FINDINGS,
    variable_findings=findings.VARIABLE_FINDINGS,
    guarded=guarded.GUARDED,
    figures=imported_on_call("benchmarks.erasure.figures:figures"),
    references=(("oracle", "oracle: removes the planted concept directions"),
                ("identity", "identity: erases nothing")),
    title=about.TITLE,
    question=about.QUESTION,
    generator_notes=about.GENERATORS,
    metric_notes=about.METRICS,
    time_method=family.time_erasure_method,
    studies=("benchmarks.erasure.rlace_consistency", "benchmarks.erasure.utility",
             "benchmarks.erasure.nonlinear_probes", "benchmarks.erasure.multiclass_recovery",
             "benchmarks.erasure.library_tools"),
    rounding_level=checks.ROUNDING_LEVEL,
    accepts_interface=family.erasure_interface,
    tiny_train=family.erasure_tiny_train,
    dataset_fields=("X", "y"),
    check_needs={"bounded_distortion": ("concept_directions",)},
    generator_keywords={"n_samples": GeneratorKeyword(family.N_FIT_WHEN)},
)
