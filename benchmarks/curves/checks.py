"""Checks of the curves family: each states one property a "is it Gaussian?" call should have.

Each reads the cell's aggregated metrics (``name -> Estimate dict``) and returns a
`CheckResult`. Rates are read at the *conservative end* of their 99.9% Wilson interval over
every sample of every seed (600 samples on the quick profile), so a method passes only when
the data show it on the right side of the bar. A check that does not apply to a law passes
vacuously with a rule that starts "not applicable" (value and threshold 0).

- `picks_true_family` applies where the law has a right answer among the candidates: the
  Gaussian and a CLT sum (a sum of small independent terms: "gaussian" is right) and the
  exponential ("exponential", or "not_gaussian" from the eyeball test, is right).
- `no_false_gaussian` applies where the law is not Gaussian by construction (exponential,
  log-normal, Student-t, mixture): calling such a sample Gaussian is the claim's error
  ("looks Gaussian, so it is a sum of small independent terms").
"""

from __future__ import annotations

from benchmarks.check_result import CheckResult, at_least, at_most

# The share of samples a good call gets right, and the share of non-Gaussian samples it may
# call Gaussian.
MIN_CORRECT = 0.9
MAX_FALSE_GAUSSIAN = 0.1


def _not_applicable(name: str, why: str) -> CheckResult:
    return CheckResult(name, True, 0.0, 0.0, f"not applicable: {why}")


def picks_true_family(metrics: dict) -> CheckResult:
    """The method names the law's family (Gaussian or exponential) on at least 90% of samples."""
    name = "picks_true_family"
    if not metrics["has_candidate_family"]["value"]:
        return _not_applicable(name, "the law is neither Gaussian nor exponential")
    return at_least(name, metrics["family_correct"]["low"], MIN_CORRECT,
                    "lower 99.9% bound of the share of samples called right (pooled over "
                    "seeds)")


def no_false_gaussian(metrics: dict) -> CheckResult:
    """On a law that is not Gaussian, the method calls at most 10% of samples Gaussian."""
    name = "no_false_gaussian"
    if metrics["gaussian_by_construction"]["value"]:
        return _not_applicable(name, "the law is Gaussian (or a sum of small independent "
                                     "terms): see picks_true_family")
    return at_most(name, metrics["called_gaussian"]["high"], MAX_FALSE_GAUSSIAN,
                   "upper 99.9% bound of the share of samples called Gaussian (pooled over "
                   "seeds)")


CURVES_CHECKS = {f.__name__: f for f in (picks_true_family, no_false_gaussian)}
