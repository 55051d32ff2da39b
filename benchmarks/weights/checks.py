"""Checks of the weights family: does a method read the planted read/write pairs of ``W``?

Each reads the cell's aggregated metrics (seed means, `benchmarks.weights.family`) and
returns a `CheckResult`; a check that does not apply to a generator passes with a rule that
starts "not applicable".

- ``matches_bbp_overlap``: orthonormal planted pairs above the BBP threshold are recovered as
  well as random-matrix theory says the top singular vectors are (mean matched |cos| within
  `OVERLAP_SLACK` of the closed form; Benaych-Georges & Nadakuditi 2012).
- ``recovers_span``: the span of the detectable pairs is recovered (largest principal angle
  at most `SPAN_SLACK_DEG` above ``arccos`` of the smallest predicted overlap): what
  survives when near-equal strengths mix the individual vectors.
- ``recovers_pairs``: mean matched |cos| of the detectable pairs >= `RECOVERY_COS`, the
  plain reading of "the directions are the planted ones", with or without superposition.
- ``counts_directions``: the number of directions claimed as structure is the number of
  detectable planted pairs, within `COUNT_SLACK` on average (0 on pure noise).
"""

from __future__ import annotations

from benchmarks.check_result import CheckResult, at_least, at_most

OVERLAP_SLACK = 0.05
SPAN_SLACK_DEG = 5.0
RECOVERY_COS = 0.8
COUNT_SLACK = 0.5


def _not_applicable(name: str, why: str) -> CheckResult:
    return CheckResult(name, True, 0.0, 0.0, f"not applicable: {why}")


def matches_bbp_overlap(metrics: dict) -> CheckResult:
    """Detectable pairs are recovered with the overlap the closed form predicts (- 0.05)."""
    name = "matches_bbp_overlap"
    if "predicted_cos" not in metrics or "pair_cos" not in metrics:
        return _not_applicable(name, "no detectable orthonormal planted pairs")
    bar = metrics["predicted_cos"]["value"] - OVERLAP_SLACK
    return at_least(name, metrics["pair_cos"]["value"], bar,
                    "mean matched |cos| of detectable pairs (seed mean) vs predicted - 0.05")


def recovers_span(metrics: dict) -> CheckResult:
    """The detectable pairs' span is recovered (largest principal angle <= predicted + 5 deg)."""
    name = "recovers_span"
    if "span_angle_deg" not in metrics:
        return _not_applicable(name, "no orthonormal detectable span smaller than half the "
                                     "space")
    bar = metrics["span_bar_deg"]["value"] + SPAN_SLACK_DEG
    return at_most(name, metrics["span_angle_deg"]["value"], bar,
                   "largest principal angle in degrees (seed mean) vs arccos(smallest "
                   "predicted overlap) + 5")


def recovers_pairs(metrics: dict) -> CheckResult:
    """Detectable planted pairs are found one by one (mean matched |cos| >= 0.8)."""
    name = "recovers_pairs"
    if "pair_cos" not in metrics:
        return _not_applicable(name, "no detectable planted pairs")
    return at_least(name, metrics["pair_cos"]["value"], RECOVERY_COS,
                    "mean matched |cos| of detectable pairs (seed mean)")


def counts_directions(metrics: dict) -> CheckResult:
    """Claims as many directions as there are detectable pairs (mean |error| <= 0.5)."""
    return at_most("counts_directions", metrics["count_error"]["value"], COUNT_SLACK,
                   "mean |claimed - detectable| over seeds")


# The ground truth each check reads (`benchmarks.families.Family.check_needs`): the
# detectable count needs the planted strengths and the BBP threshold; the matched pairs their
# directions; the closed form its predicted overlaps; the span the rank limit.
_COUNT = ("strengths", "bbp_threshold")
_PAIRS = ("n_pairs", "write_directions", "read_directions") + _COUNT
_PREDICTED = ("predicted_write_overlap", "predicted_read_overlap")
NEEDS = {
    "matches_bbp_overlap": _PAIRS + _PREDICTED,
    "recovers_span": _PAIRS + _PREDICTED + ("rank_limit",),
    "recovers_pairs": _PAIRS,
    "counts_directions": _COUNT,
}

WEIGHTS_CHECKS = {f.__name__: f for f in (matches_bbp_overlap, recovers_span, recovers_pairs,
                                          counts_directions)}
