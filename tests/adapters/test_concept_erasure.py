"""The concept-erasure adapters equal the library called directly, and erase."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

torch = pytest.importorskip("torch")
ce = pytest.importorskip("concept_erasure")

from methods.adapters.concept_erasure import (  # noqa: E402
    LeaceEraser,
    OracleEraser,
    QuadraticEraser,
)

ATOL = 1e-10


def _data(n_classes: int, n: int = 600, d: int = 6, seed: int = 0):
    """Gaussian classes with different means and covariances."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    scales = 1.0 + 0.5 * rng.random((n_classes, d))
    X = rng.standard_normal((n, d)) * scales[y] + 1.5 * np.eye(n_classes, d)[y]
    return X, y


def _onehot(y, k):
    return torch.nn.functional.one_hot(torch.from_numpy(y), k).double()


@pytest.mark.parametrize("kwargs", [{}, {"method": "orth"}, {"affine": False},
                                    {"shrinkage": False, "constrain_cov_trace": False}])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_leace_equals_library(n_classes, kwargs):
    X, y = _data(n_classes)
    out = LeaceEraser(**kwargs).fit(X, y).transform(X)
    X_t = torch.from_numpy(X)
    # The README's binary format is the 1-D 0/1 label vector; K classes are one-hot.
    Z = torch.from_numpy(y).double() if n_classes == 2 else _onehot(y, n_classes)
    expected = ce.LeaceFitter.fit(X_t, Z, **kwargs).eraser(X_t).numpy()
    assert out.dtype == np.float64 and out.shape == X.shape
    np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_quadratic_equals_library(n_classes):
    X, y = _data(n_classes)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    for shrinkage in (True, False):
        out = QuadraticEraser(shrinkage=shrinkage).fit(X, y).transform(X, y)
        expected = ce.QuadraticEraser.fit(X_t, y_t, shrinkage=shrinkage)(X_t, y_t).numpy()
        assert out.dtype == np.float64 and out.shape == X.shape
        np.testing.assert_allclose(out, expected, rtol=0, atol=ATOL)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_oracle_equals_library(n_classes):
    X, y = _data(n_classes)
    X_t = torch.from_numpy(X)
    Z = torch.from_numpy(y).double() if n_classes == 2 else _onehot(y, n_classes)
    out = OracleEraser().fit(X, y).transform(X, y)
    expected = ce.OracleFitter.fit(X_t, Z).eraser(X_t, Z)
    np.testing.assert_allclose(out, expected.numpy(), rtol=0, atol=ATOL)


def test_labels_of_any_type_are_recoded_in_sorted_order():
    X, y = _data(3)
    names = np.array(["cat", "dog", "emu"])[y]
    for est, args in ((LeaceEraser(), ()), (OracleEraser(), (names,)),
                      (QuadraticEraser(), (names,))):
        coded = clone(est).fit(X, y).transform(X, *((y,) if args else ()))
        named = est.fit(X, names).transform(X, *args)
        np.testing.assert_allclose(named, coded, rtol=0, atol=ATOL)
        np.testing.assert_array_equal(est.classes_, ["cat", "dog", "emu"])


def test_leace_erasure_leaves_a_probe_at_chance():
    # Two Gaussian classes 2 apart along one direction: a probe is ~84% accurate before
    # erasure and must be at chance (0.5 +- 0.02; sd 0.005 at n_test = 10000) after.
    rng = np.random.default_rng(1)
    d, n_train, n_test = 8, 4000, 10_000
    direction = rng.standard_normal(d)
    direction /= np.linalg.norm(direction)

    def sample(n):
        y = rng.integers(0, 2, n)
        return rng.standard_normal((n, d)) + np.outer(2.0 * y - 1.0, direction), y

    (Xtr, ytr), (Xte, yte) = sample(n_train), sample(n_test)
    before = LogisticRegression().fit(Xtr, ytr).score(Xte, yte)
    assert before > 0.8
    eraser = LeaceEraser().fit(Xtr, ytr)
    probe = LogisticRegression().fit(eraser.transform(Xtr), ytr)
    after = probe.score(eraser.transform(Xte), yte)
    assert abs(after - 0.5) <= 0.02, after


def test_transform_labels_are_checked():
    X, y = _data(3)
    est = OracleEraser().fit(X, y)
    with pytest.raises(ValueError, match="not seen in fit"):
        est.transform(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="y has length"):
        est.transform(X, y[:-1])
    with pytest.raises(ValueError, match="requires y"):
        QuadraticEraser().fit(X, y).transform(X, None)
    # A single row of one class is fine at transform time.
    assert est.transform(X[:1], y[:1]).shape == (1, X.shape[1])


def test_bad_parameters_name_the_argument():
    X, y = _data(2)
    with pytest.raises(ValueError, match="method"):
        LeaceEraser(method="oblique").fit(X, y)
    with pytest.raises(ValueError, match="svd_tol"):
        LeaceEraser(svd_tol=0.0).fit(X, y)
    with pytest.raises(ValueError, match="shrinkage"):
        QuadraticEraser(shrinkage="yes").fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features"):
        LeaceEraser().fit(X, y).transform(X[:, :5])


def test_clone_and_params():
    est = LeaceEraser("orth", affine=False, svd_tol=0.1)
    assert clone(est).get_params() == est.get_params()
    assert est.get_params()["method"] == "orth"
