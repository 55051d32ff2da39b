"""Checks of the truth-direction family: each states one property a truth finder should have.

Each reads the cell's aggregated metrics (``name -> Estimate dict``) and returns a
`CheckResult`.

``finds_truth`` reads the *sign-agnostic* held-out accuracy ``max(acc, 1 - acc)`` (per seed,
on the seed's held-out pairs), the number Burns et al. (2022) report for unsupervised
probes: an unsupervised direction has no preferred sign, and what it costs to learn the
sign is measured separately (``labels_needed``). It reads the *lower end* of the 99.9%
Wilson interval of that accuracy pooled over the seeds' held-out pairs, so a method passes
only when the data show it above the bar, not when its point estimate happens to be.
The interval is over the held-out pairs given the fitted directions; a method that finds a
random truth-like direction on each seed would have to be lucky on every seed at once to
pass.

No ``beats_random_truthlike`` check: on the single-truth control the only truth-like
direction is the truth itself (the random truth-like score is 1 with certainty), so the
check would fail every method there, the perfect one included. The random truth-like
reference is reported beside every score instead (``random_truthlike_sign_agnostic_mean``).
"""

from __future__ import annotations

from benchmarks.check_result import CheckResult, at_least
from benchmarks.truth.family import TARGET_ACCURACY

# A method "finds the truth" at the family's target held-out accuracy (0.9; see
# benchmarks/truth/family.py for why there).
FINDS_TRUTH_ACCURACY = TARGET_ACCURACY


def finds_truth(metrics: dict) -> CheckResult:
    """Up to its sign, the method calls at least 90% of held-out pairs right."""
    return at_least("finds_truth", metrics["sign_agnostic_accuracy"]["low"], FINDS_TRUTH_ACCURACY,
                    "lower 99.9% bound of sign-agnostic held-out accuracy (pooled over seeds)")


TRUTH_CHECKS = {f.__name__: f for f in (finds_truth,)}
