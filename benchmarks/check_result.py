"""What a check result is, and the helpers checks share."""

from __future__ import annotations

from dataclasses import dataclass


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
        verdict = "passed" if self.passed else "FAILED"
        return f"{self.name} {verdict}: {self.rule}; measured {self.value:.4g}, " \
               f"threshold {self.threshold:.4g}"


def at_most(name: str, value: float, threshold: float, what: str) -> CheckResult:
    """Pass when ``value <= threshold``."""
    return CheckResult(name, bool(value <= threshold), value, threshold, f"{what} <= threshold")


def at_least(name: str, value: float, threshold: float, what: str) -> CheckResult:
    """Pass when ``value >= threshold``."""
    return CheckResult(name, bool(value >= threshold), value, threshold, f"{what} >= threshold")
