"""What a check returns, the helpers checks share, and the one sentence that describes it."""

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


def at_most(name: str, value: float, threshold: float, what: str) -> CheckResult:
    """Pass when ``value <= threshold``."""
    return CheckResult(name, bool(value <= threshold), value, threshold, f"{what} <= threshold")


def at_least(name: str, value: float, threshold: float, what: str) -> CheckResult:
    """Pass when ``value >= threshold``."""
    return CheckResult(name, bool(value >= threshold), value, threshold, f"{what} >= threshold")
