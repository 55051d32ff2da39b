"""The truth-direction family: does an unsupervised method find the truth, or any direction?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`),
guarded scores (`guarded`), figures (`figures`) and speed benchmarks (`test_speed`), all
declared by ``FAMILY``.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.families import Family
from benchmarks.truth import checks, family, findings, guarded


def _figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The family's figures (`benchmarks.truth.figures`), imported only when a report draws
    them: matplotlib stays out of the processes that run the grid."""
    from benchmarks.truth.figures import figures

    return figures(records, out)


FAMILY = Family(
    name=family.NAME,
    generators=family.truth_generators,
    methods=family.truth_methods,
    score_seed=family.score_truth_seed,
    aggregate=family.aggregate_truth,
    checks=checks.TRUTH_CHECKS,
    headline=("accuracy", "sign_agnostic_accuracy", "random_truthlike_sign_agnostic_mean",
              "ccs_loss", "labels_needed", "disjoint_facts_accuracy"),
    findings=findings.FINDINGS,
    guarded=guarded.GUARDED,
    figures=_figures,
)
