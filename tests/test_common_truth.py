"""Every truth method as a scikit-learn estimator: the common checks and the suite's contract.

1. ``parametrize_with_checks`` runs scikit-learn's estimator checks over every built-in truth
   method, built from the family's list at the tiny scale (``tests/builtin_methods.py``:
   small hyperparameters, the whole set takes seconds), with the explicit table
   `EXPECTED_FAILED_CHECKS` below, each entry with its reason.
2. The contract battery: fit returns self, NotFittedError before fit, wrong and odd widths,
   output shape and range, same ``random_state`` same result, labels, hyperparameters,
   cloning and meta-estimators; and, on valid (even-width) pairs, the properties of the
   scikit-learn checks that the table marks as failing only because their data have an odd
   number of columns.

The input of a truth method is one matrix ``X = [x_plus | x_minus]`` of shape
(n_pairs, 2 d) (`methods.truth.pairs`). scikit-learn's checks feed arbitrary 2-D data,
often with 3 or 5 columns: there ``fit`` raises, as it must, ``ValueError("X has 3
feature(s): X must be the contrast pairs [x_plus | x_minus], an even, non-zero number of
columns ...")`` before the property a check is about is reached. For one column the message
matches what ``check_fit2d_1feature`` expects ("1 feature(s)"), and a wrong width after
fitting gives scikit-learn's own message ("X has 1 features, but CCS is expecting 4
features as input"), so those checks pass.

Not a table entry: the unsupervised methods (CCS, ContrastPCA, RandomDirection) set the
``classifier_tags.poor_score`` tag, so ``check_classifiers_train`` skips its accuracy bar on
``make_blobs``: which sign of their direction means "true" is arbitrary (Burns et al. 2022,
Section 2.2; Farquhar et al. 2023), so an accuracy on a toy labelled problem measures luck.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import get_tags

from generators.single_truth import make_single_truth
from methods.truth.ccs import CCS
from methods.truth.contrast_pca import ContrastPCA
from methods.truth.mean_difference import MeanDifference
from methods.truth.pairs import split_pairs, stack_pairs
from methods.truth.random_direction import RandomDirection
from methods.truth.supervised_logistic import SupervisedLogistic
from tests.builtin_methods import TRUTH, parametrize_with_named_checks

# Every method of the truth list at the tiny scale (two restarts of 30 L-BFGS steps keep
# CCS's checks at milliseconds), by its name in the list.
BY_NAME = {name: make() for name, make in TRUTH.items()}
ESTIMATORS = list(BY_NAME.values())
SUPERVISED = (MeanDifference, SupervisedLogistic)
SEEDED = (CCS, RandomDirection)  # the two whose fit draws random numbers

_ODD = ("scikit-learn's data has an odd number of columns (3, or 5 in check_estimators_dtypes); "
        "X must be [x_plus | x_minus], an even width, so fit raises a ValueError naming X "
        "before the property is reached. On pairs: ")
EXPECTED_FAILED_CHECKS = {
    "check_fit_score_takes_y": _ODD + "test_fit_and_score_take_y",
    "check_dont_overwrite_parameters": _ODD + "test_fit_sets_only_learned_attributes",
    "check_dict_unchanged": _ODD + "test_fit_sets_only_learned_attributes",
    "check_estimators_dtypes": _ODD + "test_integer_and_float32_pairs",
    "check_pipeline_consistency": _ODD + "test_pipeline_and_model_selection",
    "check_estimators_nan_inf": _ODD + "test_nan_and_inf_refused",
    "check_estimators_pickle": _ODD + "test_pickle_round_trip",
    "check_f_contiguous_array_estimator": _ODD + "test_fortran_ordered_pairs",
    "check_methods_sample_order_invariance": _ODD + "test_pair_order_and_subset_invariance",
    "check_methods_subset_invariance": _ODD + "test_pair_order_and_subset_invariance",
    "check_fit2d_predict1d": _ODD + "test_one_dimensional_X_refused",
    "check_supervised_y_2d": _ODD + "test_labels_2d_refused. Also, a column-vector y is "
                             "refused, not raveled with a warning: the suite's label "
                             "contract (tests/bad_inputs.bad_labels, '2-d')",
}


def _expected_failed_checks(estimator) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS


@parametrize_with_named_checks(BY_NAME, expected_failed_checks=_expected_failed_checks,
                         xfail_strict=True)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# --- the contract battery ----------------------------------------------------------------

each = pytest.mark.parametrize("est", ESTIMATORS, ids=list(BY_NAME))


def _pairs(n: int = 40, d: int = 4, seed: int = 0, split: int = 0):
    """Stacked contrast pairs of the single-truth control and their labels."""
    ds = make_single_truth(n, n_features=d, noise=0.5, random_state=seed, split=split)
    return stack_pairs(ds.X_pos, ds.X_neg), ds.y


def _fitted(est, X, y):
    return clone(est).fit(X, y)


@each
def test_fit_returns_self(est):
    X, y = _pairs()
    fresh = clone(est)
    assert fresh.fit(X, y) is fresh
    assert fresh.n_features_in_ == X.shape[1] == 8
    np.testing.assert_array_equal(fresh.classes_, [0, 1])


@each
def test_not_fitted_before_fit(est):
    X, _ = _pairs()
    for method in ("predict", "predict_proba", "decision_function", "restart_predict_proba"):
        if hasattr(est, method):
            with pytest.raises(NotFittedError):
                getattr(clone(est), method)(X)


@each
def test_wrong_and_odd_width(est):
    X, y = _pairs()
    m = _fitted(est, X, y)
    wider = np.hstack([X, X])
    for method in ("predict", "predict_proba"):
        with pytest.raises(ValueError, match=r"X has 16 features, but \w+ is expecting 8"):
            getattr(m, method)(wider)
    with pytest.raises(ValueError, match=r"X has 7 feature\(s\): X must be the contrast pairs "
                                         r"\[x_plus \| x_minus\], an even"):
        clone(est).fit(X[:, :7], y)


@each
def test_output_shape_range_and_finiteness(est):
    X, y = _pairs()
    Xt, _ = _pairs(split=1, n=30)
    m = _fitted(est, X, y)
    P = m.predict_proba(Xt)
    assert P.shape == (30, 2) and P.dtype == np.float64
    assert np.all(np.isfinite(P)) and np.all((P >= 0) & (P <= 1))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(m.predict(Xt), np.where(P[:, 1] > 0.5, 1, 0))
    assert m.direction_.shape == (4,)
    assert np.linalg.norm(m.direction_) == pytest.approx(1.0)
    assert isinstance(m.bias_, float)
    if hasattr(m, "restart_predict_proba"):
        R = m.restart_predict_proba(Xt)
        assert R.shape == (m.n_restarts, 30)
        # A matrix product for all restarts, a vector product for one: rounding may differ.
        np.testing.assert_allclose(R[m.best_restart_], P[:, 1], rtol=1e-12, atol=1e-15)


@each
def test_same_random_state_same_result(est):
    X, y = _pairs()
    a = clone(est).set_params(random_state=3).fit(X, y)
    b = clone(est).set_params(random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.direction_, b.direction_)
    if isinstance(est, SEEDED):
        c = clone(est).set_params(random_state=4).fit(X, y)
        assert not np.array_equal(a.coef_, c.coef_)


@each
def test_tags_say_who_needs_labels(est):
    X, y = _pairs()
    tags = get_tags(est)
    supervised = isinstance(est, SUPERVISED)
    assert tags.target_tags.required is supervised
    assert tags.classifier_tags.multi_class is False
    assert tags.estimator_type == "classifier"
    if supervised:
        with pytest.raises(ValueError, match="y is required"):
            clone(est).fit(X)
    else:  # y is unused: fitting with or without it gives the same probe
        np.testing.assert_array_equal(clone(est).fit(X).predict_proba(X),
                                      clone(est).fit(X, y).predict_proba(X))


@each
@pytest.mark.parametrize("encoding", ["bool", "float", "-1/+1", "strings", "large ints"])
def test_any_two_labels_greater_means_x_plus_true(est, encoding):
    """scikit-learn's binary convention: classes_[1], the greater label, is "x_plus true"."""
    X, y = _pairs()
    labels = {"bool": y.astype(bool), "float": y.astype(float), "-1/+1": 2 * y - 1,
              "strings": np.where(y == 1, "true", "false"),
              "large ints": y * 10**12 + 7}[encoding]
    ref = _fitted(est, X, y)
    m = _fitted(est, X, labels)
    np.testing.assert_array_equal(m.classes_, np.unique(labels))
    np.testing.assert_array_equal(m.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(m.predict(X), m.classes_[ref.predict(X)])


@each
@pytest.mark.parametrize("bad, match", [
    ("one class", "at least 2 classes"),
    ("three classes", "Only binary classification is supported"),
    ("continuous", "Unknown label type"),
    ("too short", "y has length 39, but X has 40 pairs"),
    ("nan", "y contains NaN"),
])
def test_bad_labels_refused(est, bad, match):
    """A given y is checked by every method, the unsupervised ones included."""
    X, y = _pairs()
    labels = {"one class": np.ones(40), "three classes": np.arange(40) % 3,
              "continuous": np.linspace(0, 1, 40), "too short": y[:-1],
              "nan": np.where(np.arange(40) == 0, np.nan, y)}[bad]
    with pytest.raises(ValueError, match=match):
        clone(est).fit(X, labels)


@each
def test_labels_2d_refused(est):
    X, y = _pairs()
    with pytest.raises(ValueError, match=r"y must be 1-D"):
        clone(est).fit(X, y[:, None])


BAD_PARAMS = [
    (CCS, "n_restarts", 0), (CCS, "n_restarts", 2.0), (CCS, "solver", "sgd"),
    (CCS, "max_iter", 0), (CCS, "lr", 0.0), (CCS, "l2", -1.0), (CCS, "tol", float("nan")),
    (CCS, "predict_normalization", "test"), (CCS, "random_state", -1),
    (CCS, "random_state", "0"), (ContrastPCA, "normalize", "zscore"),
    (MeanDifference, "normalize", None), (RandomDirection, "random_state", 1.5),
    (SupervisedLogistic, "C", 0.0), (SupervisedLogistic, "C", True),
    (SupervisedLogistic, "max_iter", 0),
]


@pytest.mark.parametrize("cls, name, value", BAD_PARAMS,
                         ids=[f"{c.__name__}-{n}-{v!r}" for c, n, v in BAD_PARAMS])
def test_bad_hyperparameters_named_in_fit(cls, name, value):
    X, y = _pairs()
    est = cls(**{name: value})  # __init__ only stores
    assert est.get_params()[name] is value
    with pytest.raises(ValueError, match=rf"^{name}"):
        est.fit(X, y)


@each
def test_clone_and_params(est):
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est
    assert not any(k.endswith("_") for k in vars(c))
    c.set_params(normalize="std")
    assert c.get_params()["normalize"] == "std" and est.get_params()["normalize"] == "mean"


def test_pipeline_and_model_selection():
    """GridSearchCV over C, and a Pipeline, around a truth method; same scores as the method."""
    X, y = _pairs(n=60)
    est = SupervisedLogistic()
    pipe = make_pipeline(FunctionTransformer(), est)
    pipe.fit(X, y)
    np.testing.assert_array_equal(pipe.predict_proba(X), clone(est).fit(X, y).predict_proba(X))
    assert pipe.score(X, y) == clone(est).fit(X, y).score(X, y)
    search = GridSearchCV(est, {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_["C"] in (0.1, 1.0) and search.best_score_ > 0.9
    assert cross_val_score(CCS(n_restarts=2, max_iter=30, random_state=0), X, y, cv=3).shape \
        == (3,)


# --- the properties of the checks that odd widths stop ------------------------------------

@each
def test_fit_and_score_take_y(est):
    X, y = _pairs()
    m = clone(est).fit(X, y)
    assert 0.0 <= m.score(X, y) <= 1.0


@each
def test_fit_sets_only_learned_attributes(est):
    X, y = _pairs()
    fresh = clone(est)
    before = dict(vars(fresh))
    fresh.fit(X, y)
    added = set(vars(fresh)) - set(before)
    assert added and all(k.endswith("_") for k in added)
    assert {k: vars(fresh)[k] for k in before} == before  # hyperparameters untouched
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(fresh).items()}
    for method in ("predict", "predict_proba"):
        getattr(fresh, method)(X)
    for k, v in vars(fresh).items():
        np.testing.assert_array_equal(v, state[k]) if isinstance(v, np.ndarray) else None
    assert set(vars(fresh)) == set(state)


@each
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.int32])
def test_integer_and_float32_pairs(est, dtype):
    X, y = _pairs()
    X = (X * 3).astype(dtype)
    m = clone(est).fit(X, y)
    ref = clone(est).fit(X.astype(np.float64), y)
    np.testing.assert_array_equal(m.predict_proba(X), ref.predict_proba(X.astype(np.float64)))


@each
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_and_inf_refused(est, value):
    X, y = _pairs()
    bad = X.copy()
    bad[3, 5] = value
    with pytest.raises(ValueError, match=r"Input X contains"):
        clone(est).fit(bad, y)
    with pytest.raises(ValueError, match=r"Input X contains"):
        clone(est).fit(X, y).predict_proba(bad)


@each
def test_pickle_round_trip(est):
    X, y = _pairs()
    m = clone(est).fit(X, y)
    again = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(again.predict_proba(X), m.predict_proba(X))


@each
def test_fortran_ordered_pairs(est):
    X, y = _pairs()
    m = clone(est).fit(np.asfortranarray(X), y)
    np.testing.assert_allclose(m.predict_proba(np.asfortranarray(X)),
                               clone(est).fit(X, y).predict_proba(X), rtol=0, atol=1e-12)


@each
def test_pair_order_and_subset_invariance(est):
    """A pair's score depends on that pair only (training statistics at prediction)."""
    X, y = _pairs()
    m = clone(est).fit(X, y)
    P = m.predict_proba(X)
    perm = np.random.default_rng(0).permutation(X.shape[0])
    np.testing.assert_allclose(m.predict_proba(X[perm]), P[perm], rtol=0, atol=1e-12)
    one_by_one = np.vstack([m.predict_proba(row[None, :]) for row in X])
    np.testing.assert_allclose(one_by_one, P, rtol=0, atol=1e-12)


@each
def test_one_dimensional_X_refused(est):
    X, y = _pairs()
    m = clone(est).fit(X, y)
    for method in ("predict", "predict_proba"):
        with pytest.raises(ValueError, match="Reshape your data"):
            getattr(m, method)(X[0])


def test_ccs_batch_normalisation_needs_two_pairs():
    """predict_normalization="batch" scores pairs with their own statistics: not one pair."""
    X, y = _pairs()
    m = CCS(n_restarts=2, max_iter=30, predict_normalization="batch", random_state=0).fit(X)
    assert m.predict_proba(X[:2]).shape == (2, 2)
    with pytest.raises(ValueError, match="1 sample"):
        m.predict_proba(X[:1])


# --- the pair layout ---------------------------------------------------------------------

def test_stack_and_split_pairs_round_trip():
    rng = np.random.default_rng(0)
    Xp, Xn = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    X = stack_pairs(Xp, Xn)
    assert X.shape == (5, 6)
    a, b = split_pairs(X)
    np.testing.assert_array_equal(a, Xp)
    np.testing.assert_array_equal(b, Xn)


@pytest.mark.parametrize("X_pos, X_neg, match", [
    (np.ones((5, 3)), np.ones((5, 4)), r"X_pos and X_neg must have the same shape"),
    (np.ones((5, 3)), np.ones((4, 3)), r"X_pos and X_neg must have the same shape"),
    (np.ones(5), np.ones((5, 1)), r"X_pos must be 2-D"),
    (np.ones((5, 1)), np.array([["a"]] * 5), r"X_neg must be a numeric array"),
])
def test_stack_pairs_refuses_mismatched_sides(X_pos, X_neg, match):
    with pytest.raises(ValueError, match=match):
        stack_pairs(X_pos, X_neg)


@pytest.mark.parametrize("X, match", [
    (np.ones((4, 3)), r"X has 3 feature\(s\): X must be the contrast pairs \[x_plus \| x_minus\]"),
    (np.ones((4, 0)), r"X has 0 feature\(s\)"),
    (np.ones(4), r"X must be 2-D"),
    (np.array([["1.5", "2"]]), r"X must be a numeric array"),
])
def test_split_pairs_refuses_non_pairs(X, match):
    with pytest.raises(ValueError, match=match):
        split_pairs(X)
