"""Every curves method is a scikit-learn estimator and keeps the suite's contract.

1. scikit-learn's estimator checks (`parametrize_with_checks`) on every method of the curves
   list at the tiny scale (``tests/builtin_methods.py``: the two selectors, the eyeball test
   and the normality test) and on the two maximum-likelihood densities the selectors are
   built from (parts, not methods: `tests.builtin_methods.NOT_METHODS`): all pass, no
   table of exceptions.
2. The contract: ``fit`` returns self and sets one answer per column; the bad matrices of
   ``tests/bad_inputs.py`` are refused with an error naming ``X``; valid but odd matrices
   (integers, float32, scales from 1e-150 to 1e150, the fewest rows) give finite answers,
   except a constant column, which is refused (its maximum-likelihood scale is 0); the
   calls do not change when the data are moved and rescaled (every call is
   location-scale invariant).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from methods.curves.fits import GaussianMLE, ShiftedExponentialMLE
from tests.bad_inputs import SCALES, bad_matrices, finite_matrices, odd_matrices
from tests.builtin_methods import CURVES, parametrize_with_named_checks

# The calls: every method of the curves list, by its name there; the densities: parts of
# the selectors (not methods), checked beside them, by their class name.
CALLS_BY_NAME = {name: make() for name, make in CURVES.items()}
PARTS_BY_NAME = {type(e).__name__: e for e in (GaussianMLE(), ShiftedExponentialMLE())}
BY_NAME = {**PARTS_BY_NAME, **CALLS_BY_NAME}
ESTIMATORS = list(BY_NAME.values())
CALLS = list(CALLS_BY_NAME.values())


def _refused(name: str):
    return pytest.raises((ValueError, TypeError), match=rf"(?<![\w]){name}(?![\w])")


@parametrize_with_named_checks(BY_NAME)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _answer(est) -> np.ndarray:
    if hasattr(est, "family_"):
        return np.asarray(est.family_)
    return np.concatenate([getattr(est, a) for a in ("mean_", "scale_", "loc_", "rate_")
                           if hasattr(est, a)])


@pytest.mark.parametrize("est", ESTIMATORS, ids=list(BY_NAME))
def test_fit_returns_self_with_one_answer_per_column(est):
    X = np.random.default_rng(0).standard_normal((40, 5))
    fitted = clone(est)
    assert fitted.fit(X) is fitted
    assert fitted.n_features_in_ == 5
    if hasattr(fitted, "family_"):
        assert fitted.family_.shape == (5,)
        assert set(fitted.family_) <= {"gaussian", "exponential", "not_gaussian"}
    again = clone(est).fit(X)
    np.testing.assert_array_equal(_answer(fitted), _answer(again))


@pytest.mark.parametrize("est", ESTIMATORS, ids=list(BY_NAME))
@given(case=bad_matrices())
def test_bad_matrices_are_refused_naming_x(est, case):
    _, X = case
    with _refused("X"):
        clone(est).fit(X)


@pytest.mark.parametrize("est", CALLS, ids=list(CALLS_BY_NAME))
@given(X=finite_matrices(min_rows=8, scale=1.0), scale=st.sampled_from(SCALES))
def test_calls_do_not_depend_on_location_and_scale(est, X, scale):
    base = clone(est).fit(X)
    moved = clone(est).fit(X * scale + 3.0 * scale)
    np.testing.assert_array_equal(base.family_, moved.family_)
    if hasattr(base, "r2_"):
        assert np.all(np.isfinite(moved.r2_))
        np.testing.assert_allclose(base.r2_, moved.r2_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("est", ESTIMATORS, ids=list(BY_NAME))
@given(case=odd_matrices(min_rows=8))
def test_odd_matrices_give_finite_answers_or_refuse_a_constant_column(est, case):
    label, X = case
    if np.any(np.ptp(np.asarray(X, dtype=np.float64), axis=0) == 0):
        with pytest.raises(ValueError, match="X has a constant column"):
            clone(est).fit(X)
        return
    fitted = clone(est).fit(X)
    answer = _answer(fitted)
    if answer.dtype.kind == "f":
        assert np.all(np.isfinite(answer)), label
    for attr in ("r2_", "pvalue_", "loglik_"):
        if hasattr(fitted, attr):
            assert np.all(np.isfinite(getattr(fitted, attr))), (label, attr)
