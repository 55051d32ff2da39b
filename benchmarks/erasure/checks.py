"""Checks of the erasure family: each states one property an eraser should have.

Each reads the cell's aggregated metrics (``name -> Estimate dict``) and returns a
`CheckResult`. Leakage checks use the lower end of the 99.9% interval: a probe
passes when the data cannot tell its held-out balanced accuracy from chance.
"""

from __future__ import annotations

from benchmarks.check_result import CheckResult, at_least, at_most
from benchmarks.record_numbers import RoundingLevel
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
# guards_fit_data: the whitened class-mean gap left on the erased fit data, as a fraction of
# the gap before erasure. An exact eraser leaves float64 rounding (measured at most ~1e-13
# on the quick grid: see the family's findings); one that skips a concept leaves 1, one that
# misses part of a multi-class concept O(1). 1e-6 is seven decades above the first and six
# below the others.
GUARD_RTOL = 1e-6
# What is float64 rounding noise in this family's records, so that numbers from two
# processors are compared by bound and verdict there, not by value
# (`benchmarks.record_numbers`). The class-mean gaps an exact eraser leaves (and that the
# outlier set has before any erasure) measure 1e-16 to 3e-14 on unit-scale data, against
# a rounding bound of ~3e-11 at n = 20000 and real gaps of 2e-3 or more (median projection,
# INLP, the oracle): 1e-9 sits between. guards_fit_data's value (= guard_gap_excess) at or
# below its threshold 1 is a gap within the check's tolerance, whose size is rounding (3e-9
# on one processor, 9e-9 on another). guard_gap_ratio is gap after over gap before: noise
# below GUARD_RTOL (3e-15 on one processor, 9e-15 on another), and noise of order 1 where
# the gap before was itself rounding (the outlier set).
GAP_ROUNDING = 1e-9
ROUNDING_LEVEL = {
    "guards_fit_data": RoundingLevel(1.0),
    "guard_gap_excess": RoundingLevel(1.0),
    "guard_gap_ratio": (RoundingLevel(GUARD_RTOL),
                        RoundingLevel(GAP_ROUNDING, of="guard_gap_before")),
    "guard_gap_before": RoundingLevel(GAP_ROUNDING),
    "guard_gap_after": RoundingLevel(GAP_ROUNDING),
    "fit_class_mean_gap": RoundingLevel(GAP_ROUNDING),
}


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


def guards_fit_data(metrics: dict) -> CheckResult:
    """An eraser that claims linear guardedness leaves equal class means on its fit data.

    LEACE's guarantee (Belrose et al. 2023, Thm 3.1) read directly: on the erased rows the
    eraser was *fitted* on, ``max_c ||W (mu_c - mu)||`` (``W`` the whitening of the unerased
    fit data) must be at most `GUARD_RTOL` of its value before erasure, or of the float64
    rounding bound ``n eps max_i ||W x_i||`` (`metrics.guardedness.rounding_gap`) where the
    gap was rounding to begin with (the outlier set's equal means). The guarantee is
    exact on the fit data whatever the concept's size, so this sees an eraser that skips a
    concept too small for any held-out probe (the weak_concept set: Mahalanobis gap 0.02,
    Bayes accuracy 0.504), which every leakage check passes.

    It applies to the erasers that claim the guarantee (their class attribute
    ``claims_linear_guardedness = True``): LEACE, mean projection and mean matching (each
    makes every class mean equal the overall mean by construction) and QLEACE (which also
    equalises the covariances). Not to the identity, INLP and RLACE (approximate: they stop
    when a classifier is near chance), median projection (medians, not means) or the oracle
    (it removes the planted directions, which equalises the *population* means; the sample
    means of the fit data keep their sampling gap outside that span). For those built-in
    erasers it passes vacuously with a rule that starts "not applicable" (as the sparse
    family's checks do), shown as – in the verdicts.

    A user's eraser that does not claim the guarantee is measured instead of let off (its
    records carry the gap metrics, which `family.aggregate_erasure` computes for claiming
    erasers and for every user eraser): the rule starts "not claimed" and says how much of
    the gap it left (``guard_gap_ratio``, gap after / gap before: 1 for an eraser that does
    nothing) and whether a claim would hold, with the value and threshold a claim is held to
    (``guard_gap_excess`` against 1: "within" where the gap was rounding to begin with, as
    on the outlier set, whatever the ratio of two rounding errors). It passes (a claim never
    made cannot fail), and the report shows it as a verdict of its own, not as a pass: an
    eraser that does nothing on the weak concept passes every leakage check there, and this
    is where that shows.
    """
    name = "guards_fit_data"
    claims = bool(metrics["claims_linear_guardedness"]["value"])
    if not claims and "guard_gap_excess" not in metrics:
        return CheckResult(name, True, 0.0, 0.0, "not applicable: the eraser does not claim "
                           "linear guardedness (claims_linear_guardedness is not True)")
    excess = metrics["guard_gap_excess"]["value"]
    if not claims:
        held = "within" if excess <= 1.0 else "beyond"
        return CheckResult(name, True, excess, 1.0, (
            f"not claimed: gap left {metrics['guard_gap_ratio']['value']:.3g} of before, "
            f"{held} what a claim is held to (largest whitened class-mean gap on the erased "
            "fit data / the gap before erasure; the eraser does not declare "
            "claims_linear_guardedness = True, so it is measured, not held to a bound)"))
    return at_most(name, excess, 1.0,
                   f"largest whitened class-mean gap on the erased fit data / max({GUARD_RTOL:g}"
                   " x the gap before erasure, its float64 rounding bound)")


def does_not_inject(metrics: dict) -> CheckResult:
    """No probe reads more about the concept after erasure than on the raw data.

    Quirke & Belrose (2025, arXiv 2502.02820): an eraser that maps each class with its label
    at transform time (oracle LEACE, QLEACE) can leave the classes *more* separable than
    before. Per probe, `metrics.injection.injection_reading` of its held-out balanced
    accuracy on the raw probe splits (same rows, same probe stream) and on the erased ones:
    it fires when the paired comparison over seeds calls a rise (95%) and the mean rise
    exceeds the sampling half-width of two held-out accuracies (99.9%). The value is
    ``injection_margin``, positive exactly when some probe fires. Seen firing by the study
    of probes that break erasure (`benchmarks.erasure.nonlinear_probes`) on the generator
    built for it (`generators.injection_concept`); records scored before the check carry no
    before-erasure accuracies and it does not apply to them.
    """
    name = "does_not_inject"
    if "injection_margin" not in metrics:
        return CheckResult(name, True, 0.0, 0.0, "not applicable: the record has no "
                           "before-erasure probe accuracies (scored before the check, or "
                           "one seed)")
    return at_most(name, metrics["injection_margin"]["value"], 0.0,
                   "largest over probes of min(lower 95% paired bound of the rise in held-out"
                   " balanced accuracy from raw to erased data, mean rise - its 99.9% "
                   "sampling half-width)")


ERASURE_CHECKS = {
    f.__name__: f
    for f in (erases_linear, erases_accuracy, erases_nonlinear, bounded_distortion, consistent,
              guards_fit_data, does_not_inject)
}
