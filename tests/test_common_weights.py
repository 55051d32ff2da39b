"""The weight-direction methods are scikit-learn estimators: scikit-learn's own checks
(`parametrize_with_checks`) on each; every check applies (none is expected to fail)."""

from __future__ import annotations

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from methods.weights.random_directions import RandomDirections
from methods.weights.sparse_directions import SparseDictionaryDirections
from methods.weights.svd_directions import SVDDirections


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


@parametrize_with_checks(
    [SVDDirections(), SVDDirections(rule="mp_edge"), SparseDictionaryDirections(max_iter=3),
     RandomDirections(random_state=0)],
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
