"""The weights family: are a weight matrix's singular vectors its read and write directions?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`),
guarded scores (`guarded`) and figures (`figures`), all declared by ``FAMILY``.
"""

from __future__ import annotations

from benchmarks.families import Family, imported_on_call
from benchmarks.weights import about, checks, family, findings, guarded

FAMILY = Family(
    name=family.NAME,
    generators=family.weights_generators,
    methods=family.weights_methods,
    score_seed=family.score_weights_seed,
    aggregate=family.aggregate_weights,
    checks=checks.WEIGHTS_CHECKS,
    headline=("pair_cos", "predicted_cos", "span_angle_deg", "n_claimed", "n_detectable",
              "count_error"),
    findings=findings.FINDINGS,
    variable_findings=findings.VARIABLE_FINDINGS,
    guarded=guarded.GUARDED,
    figures=imported_on_call("benchmarks.weights.figures:figures"),
    references=(("random_directions", "random directions: chance"),),
    title=about.TITLE,
    question=about.QUESTION,
    generator_notes=about.GENERATORS,
    metric_notes=about.METRICS,
    time_method=family.time_weights_method,
    studies=("benchmarks.weights.bbp_sweep",),
    accepts_interface=family.weights_interface,
    dataset_fields=("X",),
    check_needs=checks.NEEDS,
)
