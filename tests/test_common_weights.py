"""The weight-direction methods are scikit-learn estimators: scikit-learn's own checks
(`parametrize_with_checks`) on each method of the weights list, built at the tiny scale
(``tests/builtin_methods.py``); every check applies (none is expected to fail)."""

from __future__ import annotations

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from tests.builtin_methods import WEIGHTS, parametrize_with_named_checks


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@parametrize_with_named_checks({name: make() for name, make in WEIGHTS.items()})
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
