"""The verdict of every check of every record: passed, failed, a known finding, not applicable.

A check whose rule starts "not applicable" does not apply to the cell; one whose rule starts
"not claimed" measured a property the method does not claim (the erasure family's
``guards_fit_data`` on a user's eraser without ``claims_linear_guardedness``): neither is a
pass or a failure, neither counts in a method's pass count, and the second shows its
measured value.

Read from the records alone (``checks``, ``expected_findings``, ``variable_findings``,
``other_scale_findings``, ``status``), never rescored: the verdict matrix at the top of the
report, the pass counts per method and the list of what needs attention all come from
`verdict`.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.check_result import NOT_APPLICABLE as NOT_APPLICABLE_RULE

# Verdicts, in the order the legend lists them.
PASS, FAIL, KNOWN, FIXED, VARIABLE, OTHER_SCALE, NOT_CLAIMED, NOT_APPLICABLE, ERROR = (
    "pass", "fail", "known", "fixed", "variable", "other_scale", "not_claimed", "na", "error")
SYMBOL = {PASS: "✓", FAIL: "✗", KNOWN: "⚑", FIXED: "★", VARIABLE: "~", OTHER_SCALE: "≈",
          NOT_CLAIMED: "○", NOT_APPLICABLE: "–", ERROR: "E"}
LABEL = {
    PASS: "passed",
    FAIL: "failed, not a known finding",
    KNOWN: "failed, a known finding (expected)",
    FIXED: "a known finding that now passes",
    VARIABLE: "seed-dependent finding (a rate, not a verdict)",
    OTHER_SCALE: "a finding measured at another scale: reported here, not enforced",
    NOT_CLAIMED: "not claimed by the method: measured, not held to a bound",
    NOT_APPLICABLE: "not applicable to this generator",
    ERROR: "the cell raised an error",
}


@dataclass(frozen=True)
class Verdict:
    """One check of one record: its verdict and the numbers behind it.

    Attributes
    ----------
    kind : str
        One of `PASS`, `FAIL`, `KNOWN`, `FIXED`, `VARIABLE`, `OTHER_SCALE`,
        `NOT_CLAIMED`, `NOT_APPLICABLE`, `ERROR`.
    value, threshold : float or None
        The statistic the check read and its bound (None for an error cell).
    rule : str
        How they compare, in words (the record's rule, or the error message).
    reason : str
        Why it is a known or seed-dependent finding ("" otherwise).
    """

    kind: str
    value: float | None
    threshold: float | None
    rule: str
    reason: str = ""

    @property
    def symbol(self) -> str:
        return SYMBOL[self.kind]

    def hover(self, check: str) -> str:
        """The sentence shown on hover: check, verdict, measured value and threshold."""
        if self.kind == ERROR:
            return f"{check}: error: {self.rule}"
        if self.kind in (NOT_CLAIMED, NOT_APPLICABLE):  # the rule says it in its own words
            return f"{check}: {self.rule}"
        text = (f"{check}: {LABEL[self.kind]}. Measured {self.value:.4g}, threshold "
                f"{self.threshold:.4g} ({self.rule})")
        return text + (f". {self.reason}" if self.reason else "")


def is_reference(record: dict) -> bool:
    """A built-in record shown beside a user's method (`benchmarks.references`)."""
    return bool(record.get("reference"))


def verdict(record: dict, check: str) -> Verdict | None:
    """The verdict of ``check`` on ``record``; None when the record lacks the check."""
    if record["status"] != "ok":
        return Verdict(ERROR, None, None, record.get("error") or "error")
    c = record["checks"].get(check)
    if c is None:
        return None
    if str(c.get("rule", "")).startswith(NOT_APPLICABLE_RULE):
        return Verdict(NOT_APPLICABLE, c["value"], c["threshold"], c["rule"])
    if str(c.get("rule", "")).startswith("not claimed"):
        return Verdict(NOT_CLAIMED, c["value"], c["threshold"], c["rule"])
    expected = record.get("expected_findings", {}).get(check)
    variable = record.get("variable_findings", {}).get(check)
    if expected:
        kind = FIXED if c["passed"] else KNOWN
        return Verdict(kind, c["value"], c["threshold"], c["rule"], expected)
    if variable:
        return Verdict(VARIABLE, c["value"], c["threshold"], c["rule"],
                       f"{'passes' if c['passed'] else 'fails'} on this run; {variable}")
    elsewhere = record.get("other_scale_findings", {}).get(check)
    if elsewhere:
        held = "does not hold here (passes)" if c["passed"] else "holds here (fails)"
        return Verdict(OTHER_SCALE, c["value"], c["threshold"], c["rule"],
                       f"{held}, measured {c['value']:.4g}; {elsewhere}")
    return Verdict(PASS if c["passed"] else FAIL, c["value"], c["threshold"], c["rule"])


@dataclass(frozen=True)
class Tally:
    """Applicable checks of one method in one family, counted by verdict."""

    passed: int
    applicable: int
    known: int
    unexpected: int
    errors: int

    def text(self) -> str:
        """``"14/20 (5 known findings, 1 unexpected failure)"``."""
        extra = []
        if self.known:
            extra.append(f"{self.known} known finding{'s' * (self.known != 1)}")
        if self.unexpected:
            extra.append(f"{self.unexpected} unexpected failure{'s' * (self.unexpected != 1)}")
        if self.errors:
            extra.append(f"{self.errors} error cell{'s' * (self.errors != 1)}")
        return f"{self.passed}/{self.applicable}" + (f" ({', '.join(extra)})" if extra else "")


def tally(records: list[dict], checks: list[str]) -> Tally:
    """Pass count of one method's records over ``checks`` (not-applicable and not-claimed
    checks left out).

    A seed-dependent finding, and a finding measured at another scale, counts by this run's
    outcome; an error cell counts each of its
    checks as applicable and not passed.
    """
    passed = applicable = known = unexpected = errors = 0
    for r in records:
        if r["status"] != "ok":
            errors += 1
            applicable += len(checks)
            continue
        for check in checks:
            v = verdict(r, check)
            if v is None or v.kind in (NOT_APPLICABLE, NOT_CLAIMED):
                continue
            applicable += 1
            ok = v.kind in (PASS, FIXED) or (v.kind in (VARIABLE, OTHER_SCALE)
                                             and r["checks"][check]["passed"])
            passed += ok
            known += v.kind == KNOWN
            unexpected += v.kind == FAIL
    return Tally(passed, applicable, known, unexpected, errors)
