"""The sparse-feature family: does a dictionary learner report features that are not there?

Its grid and scoring (`family`), checks (`checks`), expected findings (`findings`),
guarded scores (`guarded`), figures (`figures`) and speed benchmarks (`test_speed`), all
declared by ``FAMILY``.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.families import Family
from benchmarks.sparse import checks, family, findings, guarded


def _figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The family's figures (`benchmarks.sparse.figures`), imported only when a report draws
    them: matplotlib stays out of the processes that run the grid."""
    from benchmarks.sparse.figures import figures

    return figures(records, out)


FAMILY = Family(
    name=family.NAME,
    generators=family.sparse_generators,
    methods=family.sparse_methods,
    score_seed=family.score_sparse_seed,
    aggregate=family.aggregate_sparse,
    checks=checks.SPARSE_CHECKS,
    headline=("mmcs", "recovery_rate", "uniqueness", "n_claimed", "cross_mmcs_size",
              "band_cross_mmcs_high", "false_positive_rate", "fvu_train", "fvu_heldout"),
    findings=findings.FINDINGS,
    variable_findings=findings.VARIABLE_FINDINGS,
    guarded=guarded.GUARDED,
    figures=_figures,
)
