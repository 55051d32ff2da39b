"""Every built-in eraser and dictionary learner is a scikit-learn estimator and keeps the
suite's contract; every built-in method of every family is in its family's list.

1. scikit-learn's own estimator checks (`parametrize_with_checks`) on every built-in method
   of the erasure and sparse lists that is a class of this repository, with the explicit
   table `EXPECTED_FAILED_CHECKS` of the checks that do not apply (each with its reason).
   scikit-learn's own estimators in the sparse list (PCA, FastICA,
   MiniBatchDictionaryLearning) are checked by scikit-learn itself.
2. The suite's contract battery, per family: ``fit`` returns self; using a method before
   ``fit`` raises NotFittedError; the wrong width at ``transform`` (and, for a dictionary,
   at ``inverse_transform``) gives an error naming the argument and both widths; the output
   has the right shape, dtype float64 and is finite; the same ``random_state`` gives a
   bit-identical result; the bad inputs of ``tests/bad_inputs.py`` give an error naming the
   argument at fault (hypothesis). scikit-learn's estimators in the sparse list are held to
   the parts that are not the suite's own input checks (`NOT_THE_SUITES`).
3. Composition: an eraser in a Pipeline swept by GridSearchCV, a dictionary in a Pipeline.
4. Every public estimator class in ``methods/<family>/`` of every family is built by some
   spec of the family's list (`test_every_builtin_method_is_checked`).

The instances come from the families' lists at the tiny scale (``tests/builtin_methods.py``:
small budgets), so the whole file runs in seconds.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from benchmarks.registry import FAMILIES
from tests.bad_inputs import bad_labels, bad_matrices, finite_matrices
from tests.builtin_methods import (
    DICTIONARIES,
    ERASERS,
    NOT_METHODS,
    SKLEARN_BASELINES,
    SPARSE,
    erase,
    parametrize_with_named_checks,
    tiny_factories,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Tiny matrices: BLAS threads cost more than they give (as in `benchmarks.cells`).
    Set once for the module: entering `threadpool_limits` costs more than most checks."""
    with threadpool_limits(limits=1):
        yield


# --- scikit-learn's checks ----------------------------------------------------------------

# The oracle's planted directions fix the width it accepts; the checks mostly use 3 columns.
ORACLE_WIDTH = 3

_TRANSFORM_NEEDS_Y = (
    "MeanMatchingEraser.transform needs y: it moves each row by the mean of its own class "
    "(Singh et al. 2024), so a transform of X alone, which this check calls, is undefined"
)
_QLEACE_NEEDS_Y = (
    "QuadraticLeaceEraser.transform needs y: each row is transported by the map of its own "
    "class (Belrose et al. 2023, sec. 7), so a transform of X alone is undefined"
)
_ORACLE_WIDTH = (
    f"OracleEraser is built for one width: its planted directions are ({ORACLE_WIDTH}, 1), "
    "and this check fits it on data of another width, which it refuses by design"
)

#: The checks that call ``transform(X)`` without labels: they fail for an eraser whose
#: transform needs ``y`` (mean matching and QLEACE here; quadratic LEACE and the oracle of
#: concept-erasure in tests/adapters).
TRANSFORM_WITHOUT_Y_CHECKS = (
    "check_estimators_dtypes",
    "check_dtype_object",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_dict_unchanged",
    "check_fit_idempotent",
)

#: ``{estimator class name: {check name: reason it does not apply}}``.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "MeanMatchingEraser": dict.fromkeys(TRANSFORM_WITHOUT_Y_CHECKS, _TRANSFORM_NEEDS_Y),
    "QuadraticLeaceEraser": dict.fromkeys(TRANSFORM_WITHOUT_Y_CHECKS, _QLEACE_NEEDS_Y),
    "OracleEraser": dict.fromkeys((
        "check_estimators_overwrite_params",
        "check_estimators_fit_returns_self",
        "check_readonly_memmap_input",
        "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit",
        "check_estimators_dtypes",
        "check_dtype_object",
        "check_fit_idempotent",
        "check_fit_check_is_fitted",
        "check_n_features_in",
    ), _ORACLE_WIDTH),
    "RLACEEraser": {
        "check_transformer_n_iter": (
            "n_iter_ counts the projected-gradient steps taken after R-LACE's closed-form "
            "start, and is 0 when that start already passes the held-out check (no step "
            "was needed); scikit-learn expects at least 1"),
    },
}


def _instances() -> dict[str, object]:
    """Every eraser (at the oracle's width) and every dictionary learner of this repository,
    by its name in its family's list."""
    return {**{name: make(ORACLE_WIDTH) for name, make in ERASERS.items()},
            **{name: make() for name, make in DICTIONARIES.items()}}


@parametrize_with_named_checks(
    _instances(),
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _builtin_classes(package: str) -> list[tuple[type, str]]:
    """``(class, file)`` of the public classes with a ``fit`` defined in the public modules
    of ``package`` (none when there is no such package)."""
    if importlib.util.find_spec(package) is None:
        return []
    found = []
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and obj.__module__ == module.__name__ \
                    and not name.startswith("_") and hasattr(obj, "fit"):
                found.append((obj, f"{package.replace('.', '/')}/{info.name}.py"))
    return found


def _unlisted(family: str) -> list[str]:
    """One line per public estimator class of ``methods/<family>/`` that no spec of the
    family's list builds (base classes of listed ones and `NOT_METHODS` aside)."""
    built = {type(make()) for make in tiny_factories(family).values()}
    bases = {base for cls in built for base in cls.__mro__[1:]}
    methods = FAMILIES[family].methods
    where = f"{Path(inspect.getsourcefile(methods)).relative_to(REPO)} ({methods.__name__})"
    return [f"{file} defines {cls.__name__}, which no spec of the {family} family's list "
            f"builds: add its MethodSpec line to {where} (docs/adding.md), or, if it is a "
            "part of a method and not a method, to NOT_METHODS in tests/builtin_methods.py"
            for cls, file in _builtin_classes(f"methods.{family}")
            if cls not in built and cls not in bases and cls.__name__ not in NOT_METHODS]


def test_every_builtin_method_is_checked():
    """A method added to methods/<family>/ without a line in its family's list fails."""
    missing = [line for family in FAMILIES for line in _unlisted(family)]
    assert not missing, "\n".join(missing)


# --- the contract battery -----------------------------------------------------------------


def refused(name: str):
    """``pytest.raises`` for a ValueError/TypeError whose message names ``name`` as a word."""
    return pytest.raises((ValueError, TypeError), match=rf"(?<![\w]){name}(?![\w])")


def _data(n: int = 40, d: int = 5, k: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    X = rng.standard_normal((n, d)) + 1.5 * np.eye(d)[y % d]
    return X, y


def _learned(est) -> dict[str, np.ndarray]:
    """Every learned array attribute (name ending in ``_``) of a fitted estimator."""
    return {k: v for k, v in vars(est).items()
            if k.endswith("_") and not k.startswith("_") and isinstance(v, np.ndarray)}


# Erasers

@pytest.mark.parametrize("name", sorted(ERASERS))
def test_eraser_contract(name):
    """fit returns self; output (n, d) float64 finite; fit_transform equals fit + transform."""
    X, y = _data()
    est = ERASERS[name](X.shape[1])
    assert est.fit(X, y) is est
    assert est.n_features_in_ == X.shape[1]
    X_new = _data(n=7, seed=1)[0]
    out = erase(est, X_new, np.arange(7) % 2)
    assert isinstance(out, np.ndarray) and out.shape == X_new.shape
    assert out.dtype == np.float64 and np.all(np.isfinite(out))
    np.testing.assert_array_equal(erase(clone(est).fit(X, y), X, y),
                                  clone(est).fit_transform(X, y))


@pytest.mark.parametrize("name", sorted(ERASERS))
def test_eraser_not_fitted(name):
    X, y = _data()
    with pytest.raises(NotFittedError, match="not fitted"):
        erase(ERASERS[name](X.shape[1]), X, y)


@pytest.mark.parametrize("name", sorted(ERASERS))
def test_eraser_wrong_width(name):
    X, y = _data()
    est = ERASERS[name](X.shape[1]).fit(X, y)
    cls = type(est).__name__
    with pytest.raises(ValueError, match=rf"X has 4 features, but {cls} is expecting 5"):
        erase(est, X[:, :4], y)


@pytest.mark.parametrize("name", sorted(ERASERS))
def test_eraser_same_random_state_same_result(name):
    """Two fits with the same ``random_state`` (and data) are bit-identical."""
    X, y = _data(k=3)
    a = ERASERS[name](X.shape[1]).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(erase(a, X, y), erase(b, X, y))
    la, lb = _learned(a), _learned(b)
    assert la.keys() == lb.keys()
    for key in la:
        np.testing.assert_array_equal(la[key], lb[key], err_msg=key)


@pytest.mark.parametrize("name", sorted(ERASERS))
@given(data=st.data())
def test_eraser_refuses_bad_input(name, data):
    """Bad X or y in fit, bad X in transform, one row: an error naming the argument."""
    where = data.draw(st.sampled_from(["fit X", "fit y", "transform X", "one row"]))
    if where == "fit X":
        _, X = data.draw(bad_matrices())
        y = np.arange(max(np.shape(X)[0] if np.ndim(X) >= 1 else 3, 2)) % 2
        with refused("X"):
            ERASERS[name](max(np.shape(X)[-1:] or (1,))).fit(X, y)
    elif where == "fit y":
        X = data.draw(finite_matrices(min_rows=3, min_cols=2, scale=1.0))
        _, y = data.draw(bad_labels(X.shape[0]))
        with refused("y"):
            ERASERS[name](X.shape[1]).fit(X, y)
    elif where == "one row":
        X = data.draw(finite_matrices(min_rows=1, max_rows=1, min_cols=2, scale=1.0))
        with refused("X"):
            ERASERS[name](X.shape[1]).fit(X, np.zeros(1, dtype=int))
    else:
        X = data.draw(finite_matrices(min_rows=4, min_cols=2, scale=1.0))
        est = ERASERS[name](X.shape[1]).fit(X, np.arange(X.shape[0]) % 2)
        _, X_bad = data.draw(bad_matrices(n_features=X.shape[1]))
        n_bad = np.shape(X_bad)[0] if np.ndim(X_bad) >= 1 else 3
        with refused("X"):
            erase(est, X_bad, np.arange(max(n_bad, 2)) % 2)


# Dictionary learners: every method of the sparse list, scikit-learn's own baselines included

#: The parts of the dictionary battery that are the suite's own input checks, which the
#: scikit-learn estimators of the sparse list (`SKLEARN_BASELINES`) make in scikit-learn's
#: words or not at all: ``{test: reason}``; skipped for those estimators with the reason.
NOT_THE_SUITES = {
    "test_dictionary_wrong_width": (
        "scikit-learn's inverse_transform does not check the width of codes: the matrix "
        "product refuses it in numpy's words (MiniBatchDictionaryLearning in its own), not "
        "as 'codes has m+1 features, but <class> is expecting m'; the width at transform, "
        "scikit-learn's own check, is asserted before this skip"),
    "test_dictionary_refuses_bad_input": (
        "scikit-learn's input validation names no argument ('Expected 2D array, got 1D "
        "array', 'Found array with 0 sample(s)'; a one-row X fails PCA on n_components); "
        "the family's wrapping refuses what they let through "
        "(tests/test_properties_methods.py::test_sklearn_baseline_as_wrapped_by_suite)"),
}


def _sparse_names(test: str) -> list:
    """Every sparse method's name, those of `SKLEARN_BASELINES` skipped where `test` is in
    `NOT_THE_SUITES`."""
    skip = pytest.mark.skip(reason=NOT_THE_SUITES.get(test, ""))
    return [pytest.param(name, marks=skip) if name in SKLEARN_BASELINES and test in
            NOT_THE_SUITES else name for name in sorted(SPARSE)]


@pytest.mark.parametrize("name", sorted(SPARSE))
def test_dictionary_contract(name):
    """fit returns self; codes (n, m) and reconstruction (n, d): float64, finite."""
    X, _ = _data(n=60)
    est = SPARSE[name]()
    assert est.fit(X) is est
    assert est.n_features_in_ == X.shape[1]
    m = est.components_.shape[0]
    assert est.components_.shape == (m, X.shape[1])
    X_new = _data(n=7, seed=1)[0]
    codes = est.transform(X_new)
    X_hat = est.inverse_transform(codes)
    for out, shape in ((codes, (7, m)), (X_hat, X_new.shape)):
        assert isinstance(out, np.ndarray) and out.shape == shape
        assert out.dtype == np.float64 and np.all(np.isfinite(out))
    assert len(est.get_feature_names_out()) == m


@pytest.mark.parametrize("name", sorted(SPARSE))
def test_dictionary_not_fitted(name):
    X, _ = _data()
    est = SPARSE[name]()
    with pytest.raises(NotFittedError, match="not fitted"):
        est.transform(X)
    with pytest.raises(NotFittedError, match="not fitted"):
        est.inverse_transform(np.zeros((3, 4)))


@pytest.mark.parametrize("name", sorted(SPARSE))
def test_dictionary_wrong_width(name):
    X, _ = _data(n=60)
    est = SPARSE[name]().fit(X)
    cls, m = type(est).__name__, est.components_.shape[0]
    with pytest.raises(ValueError, match=rf"X has 4 features, but {cls} is expecting 5"):
        est.transform(X[:, :4])
    if name in SKLEARN_BASELINES:
        pytest.skip(NOT_THE_SUITES["test_dictionary_wrong_width"])
    with pytest.raises(ValueError, match=rf"codes has {m + 1} features, but {cls} is "
                                         rf"expecting {m}"):
        est.inverse_transform(np.zeros((3, m + 1)))


@pytest.mark.parametrize("name", sorted(SPARSE))
def test_dictionary_same_random_state_same_result(name):
    """Two fits with the same ``random_state`` (and data) are bit-identical."""
    X, _ = _data(n=60)
    a = SPARSE[name]().fit(X)
    b = clone(a).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    la, lb = _learned(a), _learned(b)
    assert la.keys() == lb.keys()
    for key in la:
        np.testing.assert_array_equal(la[key], lb[key], err_msg=key)


@pytest.mark.parametrize("name", _sparse_names("test_dictionary_refuses_bad_input"))
@given(data=st.data())
def test_dictionary_refuses_bad_input(name, data):
    """Bad X in fit or transform, bad codes in inverse_transform, one row: named errors."""
    where = data.draw(st.sampled_from(["fit X", "transform X", "inverse codes", "one row"]))
    if where == "fit X":
        _, X = data.draw(bad_matrices())
        with refused("X"):
            SPARSE[name]().fit(X)
    elif where == "one row":
        X = data.draw(finite_matrices(min_rows=1, max_rows=1, scale=1.0))
        with refused("X"):
            SPARSE[name]().fit(X)
    else:
        X = data.draw(finite_matrices(min_rows=4, scale=1.0))
        est = SPARSE[name]().fit(X)
        if where == "transform X":
            _, X_bad = data.draw(bad_matrices(n_features=X.shape[1]))
            with refused("X"):
                est.transform(X_bad)
        else:
            _, codes = data.draw(bad_matrices(n_features=est.components_.shape[0]))
            with refused("codes"):
                est.inverse_transform(codes)


# Composition: what being a scikit-learn estimator is for

def test_methods_compose_with_pipeline_and_grid_search():
    """An eraser in a Pipeline before a probe, swept by GridSearchCV (clone + set_params);
    a dictionary learner in a Pipeline."""
    X, y = _data(n=60)
    pipe = make_pipeline(ERASERS["inlp"](X.shape[1]), LogisticRegression())
    search = GridSearchCV(pipe, {"inlperaser__n_iter": [1, 2]}, cv=2).fit(X, y)
    assert search.best_params_["inlperaser__n_iter"] in (1, 2)
    codes = make_pipeline(SPARSE["random_atoms"]()).fit_transform(X)
    assert codes.shape == (60, 4)
