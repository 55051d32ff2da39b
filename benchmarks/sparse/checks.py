"""Checks of the sparse-feature family: each states one property a dictionary learner should have.

Each reads the cell's aggregated metrics (``name -> Estimate dict``, seed means) and
returns a `CheckResult`. A check that does not apply to a generator passes vacuously with
a rule that starts "not applicable" (value and threshold 0): `recovers_planted` applies
only where the generator plants feature directions (``has_features``), `no_false_features`
only where it does not. The report's tables show the rule, so a vacuous pass reads as one.
"""

from __future__ import annotations

from benchmarks.check_result import CheckResult, at_least, at_most
from benchmarks.sparse.false_claims import (  # noqa: F401  (re-exported for the tests)
    CLAIM_FACTOR,
    CLAIM_RULE,
    MEAN_ALLOWANCE,
    claim_limit,
)

# recovers_planted: the dictionary of size m (= the planted count) on held-out data.
# MMCS: mean over planted features of the best |cos| to an atom (Sharkey et al. 2022).
MIN_MMCS = 0.9
# Fraction of planted features with an atom at |cos| > 0.9.
MIN_RECOVERY = 0.8
# Distinct best-matched features / live atoms (``live_uniqueness``, the suite's: atoms
# silent on the held-out rows are left out; SynthSAEBench's ``uniqueness`` counts them):
# 1 = no duplicated atoms.
MIN_UNIQUENESS = 0.8

# generalises: held-out FVU (1 - R^2) at most this factor times the train FVU ...
GENERALISATION_FACTOR = 1.5
# ... plus this absolute slack, so that two near-perfect reconstructions (FVU ~ 1e-30 for
# PCA at full rank) do not fail on a ratio of rounding errors.
FVU_SLACK = 0.01


def _not_applicable(name: str, why: str) -> CheckResult:
    return CheckResult(name, True, 0.0, 0.0, f"not applicable: {why}")


def recovers_planted(metrics: dict) -> CheckResult:
    """The size-m dictionary finds the planted features: MMCS, recovery and uniqueness high.

    Uniqueness here is the suite's ``live_uniqueness`` (distinct best-matched features over
    the atoms alive on held-out rows), not SynthSAEBench's ``uniqueness`` over all atoms: a
    dead atom is not a duplicate.
    """
    name = "recovers_planted"
    if not metrics["has_features"]["value"]:
        return _not_applicable(name, "the generator plants no feature directions")
    for key, low, what in (("mmcs", MIN_MMCS, "MMCS to the planted features"),
                           ("recovery_rate", MIN_RECOVERY, "fraction recovered at |cos| > 0.9"),
                           ("live_uniqueness", MIN_UNIQUENESS,
                            "live_uniqueness (distinct best matches / live atoms)")):
        if metrics[key]["value"] < low:
            return at_least(name, metrics[key]["value"], low, f"seed-mean {what}")
    return at_least(name, metrics["mmcs"]["value"], MIN_MMCS,
                    f"seed-mean MMCS (recovery >= {MIN_RECOVERY} and live_uniqueness (of live "
                    f"atoms) >= {MIN_UNIQUENESS} also hold)")


def no_false_features(metrics: dict) -> CheckResult:
    """On data without planted features the method claims no more features than chance allows.

    Reads the seed-mean count of distinct stable directions beyond the random-atom band
    (``n_claimed_beyond_chance``, `benchmarks.sparse.false_claims`) against
    `claim_limit` of the generator's true count.
    """
    name = "no_false_features"
    if metrics["has_features"]["value"]:
        return _not_applicable(name, "the generator plants features (see recovers_planted)")
    claimed = metrics["n_claimed_beyond_chance"]["value"]
    limit = metrics["claim_limit"]["value"]
    return at_most(name, claimed, limit, CLAIM_RULE)


def generalises(metrics: dict) -> CheckResult:
    """Held-out reconstruction loss stays within a stated factor of the training loss."""
    limit = GENERALISATION_FACTOR * metrics["fvu_train"]["value"] + FVU_SLACK
    return at_most("generalises", metrics["fvu_heldout"]["value"], limit,
                   f"seed-mean held-out FVU (limit {GENERALISATION_FACTOR} x train FVU + "
                   f"{FVU_SLACK})")


SPARSE_CHECKS = {f.__name__: f for f in (recovers_planted, no_false_features, generalises)}
