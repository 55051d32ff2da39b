"""The erasure family's guards_fit_data check: linear guardedness read on the fit data.

The closed forms of the gap it reads, its applicability rule, and the case it exists for:
an eraser that treats a small class-mean gap as zero (an absolute tolerance) skips the
weak concept (Mahalanobis gap 0.02), passes every leakage check there (no probe resolves
it), and fails this one, while LEACE passes. A user's eraser that claims nothing and does
nothing is measured there ("not claimed: gap left 1 of before"), not let off.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from benchmarks.cells import Cell, run_cell
from benchmarks.erasure.checks import GUARD_RTOL, guards_fit_data
from benchmarks.erasure.family import claims_linear_guardedness
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from benchmarks.spec import MethodSpec
from methods.erasure.identity import IdentityEraser
from methods.erasure.inlp import INLPEraser
from methods.erasure.leace import LeaceEraser
from methods.erasure.mean_matching import MeanMatchingEraser
from methods.erasure.mean_projection import MeanProjectionEraser
from methods.erasure.median_projection import MedianProjectionEraser
from methods.erasure.oracle import OracleEraser
from methods.erasure.qleace import QuadraticLeaceEraser
from methods.erasure.rlace import RLACEEraser
from metrics.guardedness import rounding_gap, whitened_class_mean_gap, whitening
from reports.verdicts import NOT_APPLICABLE, NOT_CLAIMED, tally, verdict

ONE_SEED = dataclasses.replace(get_profile("quick"), n_seeds=1)


class SkipsWeakConcepts(LeaceEraser):
    """LEACE that treats a whitened class-mean gap below ``atol`` as zero (the identity):
    an absolute tolerance, like a fixed ``svd_tol``. It keeps LEACE's claim."""

    def __init__(self, atol: float = 0.1, rtol: float = 1.0):
        self.atol = atol
        self.rtol = rtol

    def fit(self, X, y) -> "SkipsWeakConcepts":
        super().fit(X, y)
        if whitened_class_mean_gap(X, y, whitening(X)) < self.atol:
            d = np.shape(X)[1]
            self.left_, self.right_, self.rank_ = np.zeros((d, 0)), np.zeros((d, 0)), 0
        return self


def _record(method: MethodSpec, generator: str) -> dict:
    gens = {g.name: g for g in get_family("erasure").generators(ONE_SEED)}
    return run_cell(Cell("erasure", method, gens[generator], ONE_SEED))


class DoesNothing:
    """A user's eraser that claims nothing and erases nothing."""

    def fit(self, X, y) -> "DoesNothing":
        return self

    def transform(self, X):
        return X


SKIPPING = MethodSpec("skips_weak", "erasure", lambda t, s: SkipsWeakConcepts(), builtin=False)
NOTHING = MethodSpec("does_nothing", "erasure", lambda t, s: DoesNothing(), builtin=False)
LEAKAGE_CHECKS = ("erases_linear", "erases_accuracy", "erases_nonlinear")
LEACE = MethodSpec("leace", "erasure", lambda t, s: LeaceEraser())


def test_gap_closed_forms():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [4.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    y = np.array([0, 0, 0, 1, 0, 0])
    # Class 0: five rows with mean (0, 0); class 1: (4, 0). Overall mean (2/3, 0): gaps 2/3
    # and 10/3 (= p_0 ||mu_1 - mu_0|| = 5/6 * 4), the largest 10/3; W scales it.
    assert whitened_class_mean_gap(X, y, np.eye(2)) == pytest.approx(10 / 3, rel=1e-15)
    assert whitened_class_mean_gap(X, y, 2 * np.eye(2)) == pytest.approx(20 / 3, rel=1e-15)
    # Whitening of rows +-a e_1, +-b e_2 (mean 0): covariance diag(a^2, b^2) / 2.
    Z = np.array([[3.0, 0], [-3.0, 0], [0, 0.5], [0, -0.5]])
    np.testing.assert_allclose(whitening(Z), np.diag([np.sqrt(2) / 3, np.sqrt(2) / 0.5]),
                               rtol=1e-14)
    # A constant column is outside the whitened span: its gap does not count.
    Zc = np.hstack([Z, np.full((4, 1), 7.0)])
    assert whitening(Zc)[2, 2] == 0.0
    with pytest.raises(ValueError, match="whiten must have shape"):
        whitened_class_mean_gap(X, y, np.eye(3))
    assert rounding_gap(Z, np.eye(2)) == pytest.approx(4 * np.finfo(float).eps * 3.0)


def test_check_reads_the_excess_and_applicability():
    claims = {"claims_linear_guardedness": {"value": 1.0}, "guard_gap_excess": {"value": 0.5}}
    assert guards_fit_data(claims).passed
    assert not guards_fit_data({**claims, "guard_gap_excess": {"value": 2.0}}).passed
    na = guards_fit_data({"claims_linear_guardedness": {"value": 0.0}})
    assert na.passed and na.rule.startswith("not applicable")
    # A non-claiming eraser whose record carries the gap (a user's): measured, never failed.
    measured = guards_fit_data({"claims_linear_guardedness": {"value": 0.0},
                                "guard_gap_excess": {"value": 4e5},
                                "guard_gap_ratio": {"value": 0.4}})
    assert measured.passed and (measured.value, measured.threshold) == (4e5, 1.0)
    assert measured.rule.startswith("not claimed: gap left 0.4 of before, beyond what a "
                                    "claim is held to"), measured.rule


def test_which_builtin_erasers_claim_linear_guardedness():
    claiming = [LeaceEraser(), MeanProjectionEraser(), MeanMatchingEraser(),
                QuadraticLeaceEraser()]
    others = [IdentityEraser(), INLPEraser(), RLACEEraser(), MedianProjectionEraser(),
              OracleEraser(directions=np.eye(3)[:, :1])]
    assert all(claims_linear_guardedness(e) for e in claiming)
    assert not any(claims_linear_guardedness(e) for e in others)


def test_skipping_eraser_fails_the_guarantee_on_the_weak_concept_while_leace_passes():
    skip, leace = _record(SKIPPING, "weak_concept"), _record(LEACE, "weak_concept")
    # No probe sees the weak concept: the skipping eraser (the identity here) passes every
    # leakage check, as LEACE does.
    for check in LEAKAGE_CHECKS:
        assert skip["checks"][check]["passed"], (check, skip["checks"][check])
    # The guarantee does: the gap it leaves is the gap before (ratio 1, ~1e6 x the allowance).
    assert skip["metrics"]["guard_gap_ratio"]["value"] == 1.0
    assert not skip["checks"]["guards_fit_data"]["passed"]
    assert skip["checks"]["guards_fit_data"]["value"] > 1e5
    # LEACE: equal class means to rounding (measured ratio ~1e-14).
    assert leace["checks"]["guards_fit_data"]["passed"]
    assert leace["metrics"]["guard_gap_ratio"]["value"] < 1e-12


def test_skipping_eraser_passes_where_the_concept_is_large():
    # On the two-class Gaussian (whitened gap 0.71 > atol 0.1) it is LEACE and passes.
    record = _record(SKIPPING, "two_class_gaussian")
    assert record["checks"]["guards_fit_data"]["passed"]
    assert record["metrics"]["guard_gap_ratio"]["value"] < GUARD_RTOL


def test_user_eraser_that_does_nothing_is_measured_on_the_weak_concept():
    """Not a silent pass: every leakage check passes, and guards_fit_data says the eraser
    left all of the gap, as a verdict of its own that no pass count includes."""
    record = _record(NOTHING, "weak_concept")
    for check in LEAKAGE_CHECKS:
        assert record["checks"][check]["passed"], (check, record["checks"][check])
    assert record["metrics"]["guard_gap_ratio"]["value"] == 1.0  # after == before
    check = record["checks"]["guards_fit_data"]
    assert check["passed"] and check["threshold"] == 1.0
    assert check["value"] > 1e5  # a claim would fail by ~1e6 times its allowance
    assert check["rule"].startswith("not claimed: gap left 1 of before, beyond"), check["rule"]
    v = verdict(record, "guards_fit_data")
    assert v.kind == NOT_CLAIMED
    assert "gap left 1 of before" in v.hover("guards_fit_data")
    only_leakage = tally([record], list(LEAKAGE_CHECKS))
    assert tally([record], [*LEAKAGE_CHECKS, "guards_fit_data"]) == only_leakage


def test_builtin_non_claiming_records_keep_their_not_applicable_check():
    """The same do-nothing eraser as a built-in method: the record has no gap metrics and
    the check is not applicable, as the committed references' identity cells are."""
    record = _record(dataclasses.replace(NOTHING, builtin=True), "weak_concept")
    assert "guard_gap_ratio" not in record["metrics"]
    assert record["checks"]["guards_fit_data"] == {
        "passed": True, "value": 0.0, "threshold": 0.0,
        "rule": "not applicable: the eraser does not claim linear guardedness "
                "(claims_linear_guardedness is not True)"}
    assert verdict(record, "guards_fit_data").kind == NOT_APPLICABLE
