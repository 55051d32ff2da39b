"""Checks of the erasure family: each states one property an eraser should have.

Each reads the cell's aggregated metrics (``name -> Estimate dict``) and returns a
`CheckResult`. Leakage checks use the lower end of the 99.9% interval: a probe
passes when the data cannot tell its held-out balanced accuracy from chance.
"""

from __future__ import annotations

from benchmarks.check_result import CheckResult, at_least, at_most
from metrics.probes import NONLINEAR_PROBES

# Leakage is "at chance" when the lower bound of its interval is at most 0.
CHANCE = 0.0
# An eraser may distort the data (mean squared displacement / total variance) at most
# twice as much as projecting out the true concept subspace does (the oracle). Zeroing
# everything costs >= 1, against an oracle cost of 0.11-0.64 on the quick generators.
DISTORTION_FACTOR = 2.0
# Mean squared cosine of the principal angles between the subspaces erased by two fits on
# independent samples (with independent method streams): 1 = the same subspace.
MIN_CONSISTENCY = 0.9


def erases_linear(metrics: dict) -> CheckResult:
    """A fresh logistic-regression probe is at chance on held-out erased data."""
    return at_most("erases_linear", metrics["leakage_logistic"]["low"], CHANCE,
                   "lower 99.9% bound of logistic-probe leakage")


def erases_accuracy(metrics: dict) -> CheckResult:
    """A linear probe that maximises 0-1 accuracy directly is at chance on held-out data."""
    return at_most("erases_accuracy", metrics["leakage_zero_one"]["low"], CHANCE,
                   "lower 99.9% bound of 0-1 linear-probe leakage")


def erases_nonlinear(metrics: dict) -> CheckResult:
    """Every nonlinear probe (MLP, QDA) is at chance on held-out erased data."""
    low = max(metrics[f"leakage_{p}"]["low"] for p in NONLINEAR_PROBES)
    return at_most("erases_nonlinear", low, CHANCE,
                   "largest lower 99.9% bound of nonlinear-probe leakage")


def bounded_distortion(metrics: dict) -> CheckResult:
    """The eraser moves the data at most twice as much as removing the true concept would."""
    limit = DISTORTION_FACTOR * metrics["oracle_distortion"]["value"]
    return at_most("bounded_distortion", metrics["distortion"]["value"], limit,
                   "mean squared displacement / total variance (limit: 2x the oracle's)")


def consistent(metrics: dict) -> CheckResult:
    """Two fits on independent samples erase the same subspace."""
    return at_least("consistent", metrics["consistency"]["value"], MIN_CONSISTENCY,
                    "mean cos^2 of principal angles between erased subspaces")


ERASURE_CHECKS = {
    f.__name__: f
    for f in (erases_linear, erases_accuracy, erases_nonlinear, bounded_distortion, consistent)
}
