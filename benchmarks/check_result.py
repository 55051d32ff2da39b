"""What a check returns, the helpers checks share, and the one sentence that describes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one named check on one cell.

    ``value`` is the statistic the check reads and ``threshold`` the bound it is held to;
    ``rule`` says how they compare, in words, for the report and the failure message.
    """

    name: str
    passed: bool
    value: float
    threshold: float
    rule: str

    def to_dict(self) -> dict:
        return {"passed": bool(self.passed), "value": float(self.value),
                "threshold": float(self.threshold), "rule": self.rule}

    def message(self) -> str:
        """The sentence that describes this outcome (`describe_check`)."""
        return describe_check(self.name, self.to_dict())


def describe_check(name: str, check: dict) -> str:
    """One check of a record in words: ``<name> passed|failed: <rule>; measured v, threshold t``.

    Parameters
    ----------
    name : str
        The check's name.
    check : dict
        The check as stored in results.json (``passed``, ``value``, ``threshold``, ``rule``).

    Returns
    -------
    str
        The sentence the failing test, the report and the terminal show.
    """
    verdict = "passed" if check["passed"] else "failed"
    return (f"{name} {verdict}: {check['rule']}; measured {check['value']:.4g}, "
            f"threshold {check['threshold']:.4g}")


# How the rule of a check that does not apply starts (it passes, and the report shows –).
NOT_APPLICABLE = "not applicable"
# How a check's rule starts when the generator does not provide the ground truth it needs
# (`benchmarks.families.Family.check`; a user's --generator).
NOT_PROVIDED = NOT_APPLICABLE + ", because the generator provides no "


def not_provided(name: str, missing: Iterable[str]) -> CheckResult:
    """The result of check ``name`` on a generator that lacks the ground-truth keys
    ``missing``: not applicable (the report's –), saying which keys; never a verdict.

    It passes, as every "not applicable" check does, so that nothing counts it as a failure;
    the report shows it as not applicable and pytest skips its test with this rule.
    """
    return CheckResult(name, True, 0.0, 0.0, NOT_PROVIDED + " and no ".join(missing))


def at_most(name: str, value: float, threshold: float, what: str) -> CheckResult:
    """Pass when ``value <= threshold``."""
    return CheckResult(name, bool(value <= threshold), value, threshold, f"{what} <= threshold")


def at_least(name: str, value: float, threshold: float, what: str) -> CheckResult:
    """Pass when ``value >= threshold``."""
    return CheckResult(name, bool(value >= threshold), value, threshold, f"{what} >= threshold")
