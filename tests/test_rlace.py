"""Tests for methods.erasure.rlace: the fantope projection and the R-LACE game's solution."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score

from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.two_class_gaussian import make_two_class_gaussian
from methods.erasure.rlace import RLACEEraser, adversary_loss, fantope_projection
from tests.erasure_helpers import LEAKAGE_BAR, D, bar_splits, probe_leakage

# Float64 round-off on d <= 64 eigendecompositions is ~1e-14; 1e-10 leaves margin.
ATOL = 1e-10


@pytest.fixture(scope="module")
def gaussian():
    return bar_splits()


@pytest.fixture(scope="module")
def fitted(gaussian):
    return RLACEEraser(rank=1, random_state=0).fit(gaussian[0].X, gaussian[0].y)


@pytest.mark.parametrize("k", [1, 3])
def test_fantope_projection_eigenvalues_in_unit_interval_and_trace_k(k):
    A = np.random.default_rng(k).standard_normal((20, 20)) * 3
    P = fantope_projection(A, k)
    lam = np.linalg.eigvalsh(P)
    assert np.allclose(P, P.T, atol=ATOL)
    assert lam.min() >= -ATOL and lam.max() <= 1 + ATOL
    assert abs(np.trace(P) - k) < ATOL


def test_fantope_projection_is_identity_inside_fantope():
    rng = np.random.default_rng(0)
    V, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    lam = np.array([1.0, 0.7, 0.6, 0.4, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0])  # trace 3
    F = (V * lam) @ V.T
    np.testing.assert_allclose(fantope_projection(F, 3), F, atol=ATOL)


def test_fantope_projection_is_closest_point():
    # The projection of A beats random fantope members in Frobenius distance to A.
    rng = np.random.default_rng(1)
    A = rng.standard_normal((8, 8))
    A = A + A.T
    dist = np.linalg.norm(fantope_projection(A, 2) - A)
    others = [fantope_projection(rng.standard_normal((8, 8)), 2) for _ in range(50)]
    assert all(dist <= np.linalg.norm(B - A) for B in others)


def test_adversary_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X, K = rng.standard_normal((50, 4)), 3
    Y = np.eye(K)[rng.integers(0, K, 50)]
    P = fantope_projection(rng.standard_normal((4, 4)), 1)
    params, e = rng.standard_normal(K * 4 + K), rng.standard_normal(K * 4 + K)
    _, g = adversary_loss(params, X, Y, P, 0.1)
    h = 1e-6
    fd = (adversary_loss(params + h * e, X, Y, P, 0.1)[0]
          - adversary_loss(params - h * e, X, Y, P, 0.1)[0]) / (2 * h)
    assert abs(fd - g @ e) < 1e-7  # central differences: O(h^2) truncation + 1e-10 rounding


def test_rlace_leakage_below_bar_on_held_out_samples(gaussian, fitted):
    leak = probe_leakage(fitted, gaussian[1], gaussian[2])
    assert leak <= LEAKAGE_BAR, f"leakage {leak:.4f}"
    assert fitted.converged_


def test_rlace_positive_control_probe_learns_before_erasure(gaussian):
    probe = LogisticRegression(max_iter=2000).fit(gaussian[1].X, gaussian[1].y)
    assert balanced_accuracy_score(gaussian[2].y, probe.predict(gaussian[2].X)) > 0.9


def test_rlace_projection_is_orthogonal_projector_of_rank_d_minus_k(fitted):
    P = fitted.projection_
    assert np.allclose(P @ P, P, atol=ATOL)
    assert np.allclose(P, P.T, atol=ATOL)
    assert np.linalg.matrix_rank(P) == D - 1 and fitted.rank_ == 1


def test_rlace_class_means_of_erased_training_data_equal(gaussian, fitted):
    X, y = gaussian[0].X, gaussian[0].y
    Xe = fitted.transform(X)
    diff = np.linalg.norm(Xe[y == 1].mean(0) - Xe[y == 0].mean(0))
    # Exact for k >= K - 1: the removed span contains the fit data's mean difference.
    assert diff < 1e-10 * np.linalg.norm(X[y == 1].mean(0) - X[y == 0].mean(0))


def test_rlace_removed_direction_is_planted_concept(gaussian, fitted):
    truth = gaussian[0].ground_truth["concept_directions"][:, 0]
    assert abs(fitted.components_[0] @ truth) > 0.99


def test_rlace_same_random_state_gives_identical_output():
    ds = make_multiclass_gaussian(600, 6, n_classes=3, random_state=0)
    a = RLACEEraser(rank=1, max_iter=3, random_state=5).fit(ds.X, ds.y)
    b = RLACEEraser(rank=1, max_iter=3, random_state=5).fit(ds.X, ds.y)
    np.testing.assert_array_equal(a.transform(ds.X), b.transform(ds.X))
    assert a.n_iter_ == b.n_iter_


def test_rlace_multiclass_rank_k_minus_one_guards():
    K = 4
    train, probe_train, test = (
        make_multiclass_gaussian(n, 16, n_classes=K, random_state=0, split=s)
        for s, n in enumerate((8000, 3000, 3000)))
    eraser = RLACEEraser(rank=K - 1, random_state=0).fit(train.X, train.y)
    assert eraser.converged_ and eraser.n_iter_ == 0
    # 3000 test rows: one standard error of balanced accuracy is about 0.008.
    assert probe_leakage(eraser, probe_train, test, K) <= 0.03


def test_rlace_multiclass_low_rank_runs_the_game():
    # k < K - 1: the constant loss is out of reach, so the refinement runs to max_iter and
    # keeps the rounded projection with the highest held-out adversary loss.
    ds = make_multiclass_gaussian(1500, 8, n_classes=4, random_state=0)
    eraser = RLACEEraser(rank=1, max_iter=4, random_state=0).fit(ds.X, ds.y)
    assert not eraser.converged_ and eraser.n_iter_ == 4
    assert len(eraser.loss_history_) == 5
    assert eraser.relaxed_projection_.shape == (8, 8)
    assert abs(np.trace(eraser.relaxed_projection_) - 1) < ATOL
    assert eraser.constant_loss_ > max(eraser.loss_history_)
    P = eraser.projection_
    assert np.allclose(P @ P, P, atol=ATOL)


def test_rlace_rank_above_class_means_pads_orthonormally():
    ds = make_two_class_gaussian(1000, 8, random_state=0)
    eraser = RLACEEraser(rank=3, random_state=0).fit(ds.X, ds.y)
    U = eraser.components_
    np.testing.assert_allclose(U @ U.T, np.eye(3), atol=ATOL)
    assert eraser.converged_


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.full((10, 3), np.inf), np.arange(10) % 2, "X contains NaN or inf"),
        (np.ones((2, 5, 1)), np.arange(2), "X must be 2-D"),
        (np.ones((10, 3)), np.arange(11) % 2, "y has length 11"),
        (np.ones((10, 3)), np.ones(10), "y needs at least 2 classes"),
        (np.ones((1, 3)), np.zeros(1), "X needs at least 2 samples"),
    ],
)
def test_rlace_bad_input_raises(X, y, match):
    with pytest.raises(ValueError, match=match):
        RLACEEraser().fit(X, y)


def test_rlace_bad_parameters():
    X, y = np.random.default_rng(0).standard_normal((20, 3)), np.arange(20) % 2
    with pytest.raises(ValueError, match="rank must be < n_features"):
        RLACEEraser(rank=3).fit(X, y)
    with pytest.raises(ValueError, match="rank must be an integer >= 1"):
        RLACEEraser(rank=0).fit(X, y)
    with pytest.raises(ValueError, match="k must be in"):
        fantope_projection(np.eye(3), 4)
