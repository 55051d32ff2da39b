"""The curves family: does a score distribution that looks Gaussian come from a sum of small
independent terms?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`), guarded
scores (`guarded`), figures (`figures`) and its study (`looks_gaussian`: the false
"looks Gaussian" rate against sample size), all declared by ``FAMILY``.
"""

from __future__ import annotations

from benchmarks.curves import about, checks, family, findings, guarded
from benchmarks.families import Family, imported_on_call

FAMILY = Family(
    name=family.NAME,
    generators=family.curves_generators,
    methods=family.curves_methods,
    score_seed=family.score_curves_seed,
    aggregate=family.aggregate_curves,
    checks=checks.CURVES_CHECKS,
    headline=("called_gaussian", "family_correct", "mean_r2", "heldout_gaussian_advantage"),
    findings=findings.FINDINGS,
    variable_findings=findings.VARIABLE_FINDINGS,
    guarded=guarded.GUARDED,
    figures=imported_on_call("benchmarks.curves.figures:figures"),
    title=about.TITLE,
    question=about.QUESTION,
    generator_notes=about.GENERATORS,
    metric_notes=about.METRICS,
    studies=("benchmarks.curves.looks_gaussian",),
    accepts_interface=family.curves_interface,
    dataset_fields=("X",),
    check_needs={"picks_true_family": ("true_family",),
                 "no_false_gaussian": ("gaussian_by_construction",)},
)
