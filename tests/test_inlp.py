"""Tests for methods.erasure.inlp: INLP removes what a linear probe can use, no more."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score

from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.two_class_gaussian import make_two_class_gaussian
from methods.erasure.inlp import INLPEraser
from tests.erasure_helpers import LEAKAGE_BAR, D, bar_splits, probe_leakage

# Orthogonal-projector identities hold to float64 round-off on a d = 64 matrix.
PROJECTOR_ATOL = 1e-10


@pytest.fixture(scope="module")
def gaussian():
    return bar_splits()


@pytest.fixture(scope="module")
def fitted(gaussian):
    return INLPEraser(random_state=0).fit(gaussian[0].X, gaussian[0].y)


def test_inlp_leakage_below_bar_on_held_out_samples(gaussian, fitted):
    leak = probe_leakage(fitted, gaussian[1], gaussian[2])
    assert leak <= LEAKAGE_BAR, f"leakage {leak:.4f} after {fitted.n_iter_} iterations"


def test_inlp_positive_control_probe_learns_before_erasure(gaussian):
    probe = LogisticRegression(max_iter=2000).fit(gaussian[1].X, gaussian[1].y)
    acc = balanced_accuracy_score(gaussian[2].y, probe.predict(gaussian[2].X))
    # Bayes accuracy Phi(3/2) = 0.933; a probe on 4000 rows in 64 dims gets close.
    assert acc > 0.9


def test_inlp_projection_is_orthogonal_projector(fitted):
    P = fitted.projection_
    assert np.allclose(P @ P, P, atol=PROJECTOR_ATOL)
    assert np.allclose(P, P.T, atol=PROJECTOR_ATOL)
    assert np.linalg.matrix_rank(P) == D - fitted.rank_
    assert fitted.rank_ >= 1 and fitted.n_iter_ >= fitted.rank_


def test_inlp_class_means_of_erased_training_data_nearly_equal(gaussian, fitted):
    X, y = gaussian[0].X, gaussian[0].y
    Xe = fitted.transform(X)
    before = np.linalg.norm(X[y == 1].mean(0) - X[y == 0].mean(0))
    after = np.linalg.norm(Xe[y == 1].mean(0) - Xe[y == 0].mean(0))
    # INLP only removes what its classifiers use; the leftover difference is a small
    # fraction of the original (measured ~1%; 5% leaves margin for other seeds).
    assert after < 0.05 * before


def test_inlp_transform_keeps_shape_and_mean(gaussian, fitted):
    Xe = fitted.transform(gaussian[1].X)
    assert Xe.shape == gaussian[1].X.shape
    assert np.allclose(fitted.transform(fitted.mean_[None, :]), fitted.mean_[None, :])


def test_inlp_same_random_state_gives_identical_output():
    ds = make_two_class_gaussian(1000, 8, random_state=1)
    a = INLPEraser(random_state=3).fit(ds.X, ds.y).transform(ds.X)
    b = INLPEraser(random_state=3).fit(ds.X, ds.y).transform(ds.X)
    np.testing.assert_array_equal(a, b)


def test_inlp_stops_at_n_iter():
    ds = make_two_class_gaussian(1000, 16, random_state=2)
    eraser = INLPEraser(n_iter=2, random_state=0).fit(ds.X, ds.y)
    assert eraser.n_iter_ == 2 and eraser.rank_ == 2


def test_inlp_multiclass_one_vs_rest_rows():
    K = 3
    train, test = (make_multiclass_gaussian(4000, 16, n_classes=K, random_state=0, split=s)
                   for s in range(2))
    eraser = INLPEraser(random_state=0).fit(train.X, train.y)
    assert eraser.rank_ >= K - 1
    half = len(test.y) // 2
    probe = LogisticRegression(max_iter=2000).fit(eraser.transform(test.X[:half]), test.y[:half])
    pred = probe.predict(eraser.transform(test.X[half:]))
    # 2000 test rows: one standard error of balanced accuracy is about 0.01.
    assert balanced_accuracy_score(test.y[half:], pred) - 1 / K <= 0.03


def test_inlp_svm_classifier_option():
    ds = make_two_class_gaussian(2000, 8, random_state=0)
    eraser = INLPEraser(classifier="svm", random_state=0).fit(ds.X, ds.y)
    assert eraser.rank_ >= 1


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.full((10, 3), np.nan), np.arange(10) % 2, "X contains NaN"),
        (np.ones(10), np.arange(10) % 2, "X must be 2-D"),
        (np.ones((10, 3)), np.arange(9) % 2, "y has length 9"),
        (np.ones((10, 3)), np.zeros(10), "y needs at least 2 classes"),
        (np.ones((1, 3)), np.zeros(1), "X needs at least 2 samples"),
    ],
)
def test_inlp_bad_input_raises(X, y, match):
    with pytest.raises(ValueError, match=match):
        INLPEraser().fit(X, y)


def test_inlp_bad_parameters():
    X, y = np.random.default_rng(0).standard_normal((20, 3)), np.arange(20) % 2
    with pytest.raises(ValueError, match="n_iter"):
        INLPEraser(n_iter=0).fit(X, y)
    with pytest.raises(ValueError, match="validation_fraction"):
        INLPEraser(validation_fraction=1.0).fit(X, y)
    with pytest.raises(ValueError, match="classifier"):
        INLPEraser(classifier="tree").fit(X, y)
