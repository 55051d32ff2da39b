"""Property-based tests of every built-in method on bad and odd input (hypothesis).

For each eraser, dictionary learner and truth finder, each test is parametrised by method,
so every method is its own test id and ``--hypothesis-show-statistics`` counts the cases
tried per method. The inputs come from the shared strategies of ``tests/bad_inputs.py``, the
methods from their families' lists at the tiny scale (``tests/builtin_methods.py``); the
bad-input properties of the erasers and dictionary learners are part of the contract
battery of ``tests/test_common.py``.

The contract (the project's: "bad input gets a clear error naming the argument, never a
silent wrong score"):

- bad input (NaN, inf, wrong ndim, empty or one-row, non-numeric, wrong width after fit,
  mismatched lengths, one class) raises ValueError or TypeError whose message names the
  argument at fault;
- valid but odd input (integer or float32 dtype, a constant column, scales 1e-150 .. 1e150,
  two rows, string / bool / {-1, +1} labels, data with nothing to learn) gives a finite
  result of the right shape and dtype, and a *right* one where the method promises
  something: the same erasure for any encoding of the same labels, scale equivariance of
  the closed-form erasers, constant columns left alone, class means equalised by the
  guarding erasers, one-hot / k-sparse / non-negative codes, probabilities in [0, 1];
- nothing hangs: every iterative method is run with a tiny budget on degenerate data and
  must return.

Hyperparameters are tiny (a few steps, a handful of atoms) so that each example costs
milliseconds; the properties do not depend on the budget.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from benchmarks.sparse.family import _codes, _components, reconstruct, set_size
from methods.sparse.random_atoms import RandomAtoms
from methods.truth.pairs import stack_pairs
from tests.bad_inputs import (
    SCALES,
    bad_labels,
    bad_matrices,
    bad_pairs,
    degenerate_matrices,
    finite_matrices,
    odd_labels,
    odd_matrices,
)
from tests.builtin_methods import DICTIONARIES as SPARSE
from tests.builtin_methods import ERASERS, SKLEARN_BASELINES, TRUTH, erase

# An overflow or invalid-value warning is a NaN or inf on its way: fail on it.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Tiny matrices: BLAS threads cost more than they give (as in `benchmarks.cells`)."""
    with threadpool_limits(limits=1):
        yield


def refused(name: str):
    """``pytest.raises`` for a ValueError/TypeError whose message names ``name`` as a word
    (``X`` does not match inside ``X_pos``)."""
    return pytest.raises((ValueError, TypeError), match=rf"(?<![\w]){name}(?![\w])")


def check_finite(out, shape) -> np.ndarray:
    """``out`` is a float64 array of ``shape`` with no NaN or inf."""
    assert isinstance(out, np.ndarray)
    assert out.shape == shape
    assert out.dtype == np.float64
    assert np.all(np.isfinite(out)), "NaN or inf returned silently"
    return out


def magnitude(X) -> float:
    """Largest absolute entry of ``X`` as float64 (1 for all-zero data)."""
    return float(np.abs(np.asarray(X, dtype=np.float64)).max()) or 1.0


def constant_columns(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return np.flatnonzero(np.ptp(X, axis=0) == 0)


# --- erasers ------------------------------------------------------------------------------

# transform(sX) fitted on sX equals s * transform(X) fitted on X: every quantity these
# erasers compute (means, covariances, class-difference directions, geometric medians,
# their numerical-zero thresholds) is homogeneous in the data. INLP's and RLACE's
# regularised classifiers are not (their penalty does not scale).
SCALE_EQUIVARIANT = ("identity", "leace", "mean_projection", "median_projection",
                     "mean_matching", "oracle", "qleace")
# Erasers that promise equal class means after erasure on the fit data (LEACE Thm 3.1).
GUARDING = ("leace", "mean_projection", "mean_matching", "qleace")
# Tolerances, relative to the data's largest entry |X|_max:
# - scale equivariance: a power of ten is not a power of two, so sX rounds differently
#   from X and every step of the fit sees relative perturbations of a few eps; an
#   eigendecomposition (LEACE's whitening) or Weiszfeld (tol 1e-10 of the spread) turn
#   them into at most cond(S_xx) * eps or 1e-10 of |X|_max. Measured on 200 random
#   cases x 5 scales: at most 3.6e-14 (LEACE), 2.4e-14 (median), 4e-15 (mean projection).
#   1e-7 allows cond(S_xx) up to ~1e9 and is still far below any change an erasure makes
#   (O(|X|_max)).
EQUIVARIANCE_RTOL = 1e-7
# - constant columns and class means: rounding of means of <= 40 rows, ~n eps |X|_max,
#   amplified at most by the oblique (LEACE) update; 1e-9 is six decades above eps and
#   nine below a real change.
ROUNDING_RTOL = 1e-9


_erase = erase


def _fit_erase(name, X, y):
    est = ERASERS[name](np.shape(X)[1]).fit(X, y)
    return est, _erase(est, X, y)


def _labels_for(X, k: int = 2) -> np.ndarray:
    n = np.shape(X)[0] if np.ndim(X) >= 1 else 3
    return np.arange(max(n, 2)) % k


@pytest.mark.parametrize("name", sorted(ERASERS))
@given(data=st.data())
def test_eraser_odd_input_gives_right_result(name, data):
    """Odd dtypes, scales, constant columns, two rows, degenerate data: a finite (n, d)
    float64 erasure that leaves constant columns alone and, for the guarding erasers,
    equalises the class means."""
    if data.draw(st.booleans()):
        _, X = data.draw(odd_matrices())
    else:
        _, X = data.draw(degenerate_matrices())
    k = data.draw(st.sampled_from([2, 3]))
    y = _labels_for(X, k)
    n, d = X.shape
    if name in ("rlace", "rlace_sgd") and d <= 1:
        with refused("rank"):
            _fit_erase(name, X, y)
        return
    _, out = _fit_erase(name, X, y)
    check_finite(out, (n, d))
    size = magnitude(X)
    Xf = np.asarray(X, dtype=np.float64)
    for j in constant_columns(X):
        np.testing.assert_allclose(out[:, j], Xf[:, j], rtol=0, atol=ROUNDING_RTOL * size,
                                   err_msg=f"constant column {j} changed")
    if name in GUARDING:
        mu = out.mean(axis=0)
        for c in np.unique(y):
            np.testing.assert_allclose(out[y == c].mean(axis=0), mu, rtol=0,
                                       atol=ROUNDING_RTOL * size,
                                       err_msg=f"class {c} mean differs after erasure")


@pytest.mark.parametrize("name", sorted(ERASERS))
@given(data=st.data())
def test_eraser_label_encoding_does_not_matter(name, data):
    """String, bool, float, {-1, +1} and large-int labels give the 0/1 labels' erasure."""
    X = data.draw(finite_matrices(min_rows=4, max_rows=16, min_cols=2, scale=1.0))
    _, y_odd = data.draw(odd_labels(X.shape[0]))
    y01 = np.arange(X.shape[0]) % 2
    _, expected = _fit_erase(name, X, y01)
    _, out = _fit_erase(name, X, y_odd)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("name", SCALE_EQUIVARIANT)
@given(data=st.data())
def test_eraser_scale_equivariance(name, data):
    """``transform(sX)`` (fitted on sX) equals ``s * transform(X)`` for s in 1e-150..1e150."""
    X = data.draw(finite_matrices(min_cols=2, scale=1.0))
    s = data.draw(st.sampled_from(SCALES))
    y = _labels_for(X, data.draw(st.sampled_from([2, 3])))
    _, base = _fit_erase(name, X, y)
    _, scaled = _fit_erase(name, X * s, y)
    check_finite(scaled, X.shape)
    np.testing.assert_allclose(scaled / s, base, rtol=0,
                               atol=EQUIVARIANCE_RTOL * magnitude(X))


# --- dictionary learners ------------------------------------------------------------------

# float32 training (the SAEs' default) cannot hold data far from unit scale: 1e150
# overflows and 1e-150 underflows to zero. Such data must be refused with an error
# naming X (float64 training takes them).
FLOAT32_TRAINED = ("relu_sae", "topk_sae", "batchtopk_sae", "matryoshka_sae", "jumprelu_sae",
                   "gated_sae", "matching_pursuit_sae", "frozen_decoder_sae",
                   "soft_frozen_sae", "frozen_encoder_sae")


def _sparse_refuses(name, X) -> bool:
    mag = float(np.abs(np.asarray(X, dtype=np.float64)).max())
    return name in FLOAT32_TRAINED and mag > 0 and not 1e-15 <= mag <= 1e15


@pytest.mark.parametrize("name", sorted(SPARSE))
@given(data=st.data())
def test_dictionary_odd_input_gives_right_result(name, data):
    """Odd or degenerate data: finite (n, m) codes of the method's kind (one-hot, k-sparse,
    non-negative), a finite (n, d) reconstruction, unit-norm atoms where promised."""
    if data.draw(st.booleans()):
        _, X = data.draw(odd_matrices())
    else:
        _, X = data.draw(degenerate_matrices())
    n, d = X.shape
    est = SPARSE[name]()
    if _sparse_refuses(name, X):
        with refused("X"):
            est.fit(X)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # k-means on repeated rows
        est.fit(X)
    m = est.components_.shape[0]
    check_finite(est.components_, (m, d))
    codes = check_finite(est.transform(X), (n, m))
    check_finite(est.inverse_transform(codes), (n, d))
    if name == "kmeans":
        np.testing.assert_array_equal(np.sort(codes, axis=1)[:, -1], 1.0)
        np.testing.assert_array_equal(codes.sum(axis=1), 1.0)
    if name in ("topk_sae", "matching_pursuit_sae"):
        assert np.all(np.count_nonzero(codes, axis=1) <= est.k)
    if name in FLOAT32_TRAINED:  # every SAE's codes are non-negative
        assert np.all(codes >= 0)
    if name != "kmeans":
        np.testing.assert_allclose(np.linalg.norm(est.components_, axis=1), 1.0, rtol=1e-6)


@given(data=st.data())
def test_random_atoms_reconstruct_and_scale(data):
    """With as many atoms as dimensions the least-squares codes reconstruct X exactly, at
    every scale, and the codes scale with the data."""
    X = data.draw(finite_matrices(max_cols=4, scale=1.0))
    s = data.draw(st.sampled_from(SCALES))
    base = RandomAtoms(n_components=4, random_state=0).fit(X)
    est = RandomAtoms(n_components=4, random_state=0).fit(X * s)
    codes = est.transform(X * s)
    np.testing.assert_allclose(codes / s, base.transform(X), rtol=0,
                               atol=1e-10 * magnitude(X))
    np.testing.assert_allclose(est.inverse_transform(codes) / s, X, rtol=0,
                               atol=1e-10 * magnitude(X))


# The scikit-learn baselines of the grid (`SKLEARN_BASELINES`: the sparse list's estimators
# that are scikit-learn's own), built as `benchmarks.sparse.family` builds them (its quick
# budgets) and called through its wrappers (`set_size`, `_codes`, `_components`,
# `reconstruct`): their input checks are scikit-learn's own, so only the wrapping is
# tested, on valid odd data: a finite result or the suite's named refusal.


@pytest.mark.parametrize("name", sorted(SKLEARN_BASELINES))
@given(data=st.data())
def test_sklearn_baseline_as_wrapped_by_suite(name, data):
    """Odd data through the suite's wrapping: finite codes, atoms and reconstruction, or the
    suite's own error naming what was non-finite; never NaN passed on."""
    _, X = data.draw(odd_matrices(min_rows=4))
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    est = set_size(SKLEARN_BASELINES[name](), 4, d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and whitening warnings on odd data
        try:
            est.fit(X)  # FastICA refuses a constant column itself (its whitening is 1/0)
            W = _components(est, d)
            codes = _codes(est, X, W.shape[0])
            X_hat = reconstruct(est, codes, n, d)
        except ValueError as exc:
            assert "nan" in str(exc).lower(), exc
            return
    assert W.shape[0] == (min(4, d) if name != "dictionary_learning" else 4)
    check_finite(X_hat, (n, d))


# --- truth finders ------------------------------------------------------------------------
# Their input is one matrix X = [x_plus | x_minus] (methods.truth.pairs): an even width.

# Per-side mean normalisation and a score that is a ratio of projections make these
# three invariant to the data's scale; CCS's and the logistic probe's fixed initialisation
# and penalty do not scale (their fits on 1e-150 data are the fits of a constant).
SCALE_INVARIANT = ("contrast_pca", "mean_difference", "random_direction")


def _pairs(X):
    """Contrast pairs [x_plus | x_minus] from a (2m + r, d) matrix: m pairs, width 2 d."""
    m = np.shape(X)[0] // 2
    return np.hstack([X[:m], X[m : 2 * m]])


def _truth_fit(name, X, y):
    return TRUTH[name]().fit(X, y)


@pytest.mark.parametrize("name", sorted(TRUTH))
@given(data=st.data())
def test_truth_refuses_bad_input(name, data):
    """Bad X or y in fit (every method checks a given y), an odd width, one pair, bad X at
    predict, mismatched sides when stacking: errors naming the argument."""
    where = data.draw(st.sampled_from(["fit X", "odd width", "fit y", "predict X", "one pair",
                                       "mismatch"]))
    if where == "fit X":
        _, bad = data.draw(bad_matrices())
        with refused("X"):
            _truth_fit(name, bad, _labels_for(bad))
    elif where == "odd width":
        X = data.draw(finite_matrices(min_rows=3, scale=1.0))
        X = X if X.shape[1] % 2 else X[:, :-1]  # at least 2 columns when even
        with pytest.raises(ValueError, match=r"X must be the contrast pairs \[x_plus \| x_minus\], "
                                             r"an even"):
            _truth_fit(name, X, _labels_for(X))
    elif where == "mismatch":
        _, Xp, Xn = data.draw(bad_pairs())
        with refused("X_pos|X_neg"):
            stack_pairs(Xp, Xn)
    elif where == "one pair":
        X = data.draw(finite_matrices(min_rows=2, max_rows=2, scale=1.0))
        with refused("X"):
            _truth_fit(name, _pairs(X), np.array([1]))
    elif where == "fit y":
        X = _pairs(data.draw(finite_matrices(min_rows=6, scale=1.0)))
        _, y = data.draw(bad_labels(X.shape[0]))
        with refused("y"):
            _truth_fit(name, X, y)
    else:
        X = _pairs(data.draw(finite_matrices(min_rows=6, scale=1.0)))
        est = _truth_fit(name, X, np.arange(X.shape[0]) % 2)
        _, bad = data.draw(bad_matrices(n_features=X.shape[1]))
        with refused("X"):
            est.predict_proba(bad)


@pytest.mark.parametrize("name", sorted(TRUTH))
@given(data=st.data())
def test_truth_odd_input_gives_right_result(name, data):
    """Odd or degenerate pairs: finite probabilities in [0, 1], two columns summing to one,
    per pair; a unit (or, on data without any difference, zero) input-space direction."""
    if data.draw(st.booleans()):
        _, X = data.draw(odd_matrices(min_rows=4))
    else:
        _, X = data.draw(degenerate_matrices(min_rows=4))
    X = _pairs(X)
    y = np.arange(X.shape[0]) % 2
    est = _truth_fit(name, X, y)
    P = check_finite(est.predict_proba(X), (X.shape[0], 2))
    assert np.all((P >= 0) & (P <= 1))
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    norm = np.linalg.norm(est.direction_)
    assert np.isfinite(norm) and (abs(norm - 1) < 1e-9 or norm == 0)


@pytest.mark.parametrize("name", sorted(TRUTH))
@given(data=st.data())
def test_truth_label_encoding(name, data):
    """Any two labels (strings, bool, float, {-1, +1}, large ints) give the 0/1 labels' probe:
    the greater label means "x_plus is true" (scikit-learn's positive class, ``classes_[1]``),
    and ``predict`` answers in the labels given."""
    X = _pairs(data.draw(finite_matrices(min_rows=6, scale=1.0)))
    _, y_odd = data.draw(odd_labels(X.shape[0]))
    y01 = np.arange(X.shape[0]) % 2
    expected = _truth_fit(name, X, y01)
    est = _truth_fit(name, X, y_odd)
    np.testing.assert_array_equal(est.predict_proba(X), expected.predict_proba(X))
    np.testing.assert_array_equal(est.predict(X), np.unique(y_odd)[expected.predict(X)])


@pytest.mark.parametrize("name", SCALE_INVARIANT)
@given(data=st.data())
def test_truth_scale_invariance(name, data):
    """Probabilities of pairs scaled by s (fitted on them) equal the unscaled ones."""
    X = _pairs(data.draw(finite_matrices(min_rows=6, scale=1.0)))
    s = data.draw(st.sampled_from(SCALES))
    y = np.arange(X.shape[0]) % 2
    base = _truth_fit(name, X, y).predict_proba(X)
    scaled = _truth_fit(name, X * s, y).predict_proba(X * s)
    check_finite(scaled, base.shape)
    np.testing.assert_allclose(scaled, base, rtol=0, atol=1e-9)
