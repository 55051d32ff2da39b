"""The other truth methods: CRC-TPC, the supervised ceilings and the random floor."""

import numpy as np
import pytest

from generators.onehot_facts import make_onehot_facts
from generators.single_truth import make_single_truth
from methods.truth.ccs import CCS
from methods.truth.contrast_pca import ContrastPCA
from methods.truth.mean_difference import MeanDifference
from methods.truth.random_direction import RandomDirection
from methods.truth.supervised_logistic import SupervisedLogistic
from metrics.eigenvalue_ratio import top_eigenvalue_ratio
from metrics.truth_accuracy import pair_accuracy, sign_agnostic_accuracy

METHODS = [CCS, ContrastPCA, SupervisedLogistic, MeanDifference, RandomDirection]
SUPERVISED = [SupervisedLogistic, MeanDifference]


def _split(make, **kwargs):
    return make(random_state=0, **kwargs), make(random_state=0, split=1, **kwargs)


@pytest.mark.parametrize("Method", METHODS)
def test_method_protocol(Method):
    tr, te = _split(make_onehot_facts, n_pairs=120, n_facts=8)
    m = Method(random_state=0)
    assert m.fit(tr.X_pos, tr.X_neg, tr.y) is m
    p = m.predict_proba(te.X_pos, te.X_neg)
    assert p.shape == (120,) and np.all((p >= 0) & (p <= 1))
    assert m.direction_.shape == (8,)
    assert np.linalg.norm(m.direction_) == pytest.approx(1.0)
    assert isinstance(m.bias_, float)
    assert "random_state" in vars(m)


@pytest.mark.parametrize("Method", METHODS)
@pytest.mark.parametrize(
    "X_pos, X_neg, match",
    [
        (np.ones((6, 3)), np.ones((6, 2)), "same shape"),
        (np.ones((1, 3)), np.ones((1, 3)), "X_pos needs at least 2"),
        (np.array([[np.nan, 1.0], [1.0, 1.0]]), np.ones((2, 2)), "X_pos contains NaN"),
    ],
)
def test_method_bad_pairs(Method, X_pos, X_neg, match):
    y = np.arange(X_pos.shape[0]) % 2
    with pytest.raises(ValueError, match=match):
        Method().fit(X_pos, X_neg, y)


@pytest.mark.parametrize("Method", SUPERVISED)
def test_supervised_requires_good_labels(Method):
    tr = make_onehot_facts(40, n_facts=4)
    with pytest.raises(ValueError, match="y is required"):
        Method().fit(tr.X_pos, tr.X_neg)
    with pytest.raises(ValueError, match="y has length"):
        Method().fit(tr.X_pos, tr.X_neg, tr.y[:-1])
    with pytest.raises(ValueError, match="only 0 and 1"):
        Method().fit(tr.X_pos, tr.X_neg, 2 * tr.y - 1)
    with pytest.raises(ValueError, match="at least 2 classes"):
        Method().fit(tr.X_pos, tr.X_neg, np.ones(40))


@pytest.mark.parametrize("Method", [ContrastPCA, *SUPERVISED, RandomDirection])
def test_method_unfitted_and_wrong_width(Method):
    tr = make_onehot_facts(40, n_facts=4)
    with pytest.raises(RuntimeError, match="not fitted"):
        Method().predict_proba(tr.X_pos, tr.X_neg)
    m = Method(random_state=0).fit(tr.X_pos, tr.X_neg, tr.y)
    with pytest.raises(ValueError, match="features"):
        m.predict_proba(tr.X_pos[:, :3], tr.X_neg[:, :3])


@pytest.mark.parametrize("Method", SUPERVISED)
@pytest.mark.parametrize("noise", [0.0, 0.01, 0.03])
def test_supervised_ceiling_reaches_one_at_low_noise(Method, noise):
    """Bar: with labels the truth is identifiable; d = 64, 10 pairs per fact."""
    tr, te = _split(make_onehot_facts, n_pairs=640, n_facts=64, noise=noise)
    m = Method().fit(tr.X_pos, tr.X_neg, tr.y)
    assert pair_accuracy(m.predict_proba(te.X_pos, te.X_neg), te.y) == 1.0
    assert m.direction_ @ tr.ground_truth["true_direction"] > 0.9


@pytest.mark.parametrize("Method", SUPERVISED)
def test_supervised_at_chance_on_disjoint_onehot_facts(Method):
    """Orthogonal facts: labels on some facts say nothing about the others."""
    tr = make_onehot_facts(640, noise=0.01, facts="train", random_state=0)
    te = make_onehot_facts(640, noise=0.01, facts="heldout", random_state=0, split=1)
    acc = pair_accuracy(Method().fit(tr.X_pos, tr.X_neg, tr.y).predict_proba(te.X_pos, te.X_neg),
                        te.y)
    assert 0.4 < acc < 0.6  # chance, within 5 binomial sd (0.02) at n = 640


def test_contrast_pca_finds_the_single_truth():
    tr, te = _split(make_single_truth, n_pairs=400, n_features=32)
    m = ContrastPCA().fit(tr.X_pos, tr.X_neg)
    assert sign_agnostic_accuracy(m.predict_proba(te.X_pos, te.X_neg), te.y) >= 0.9
    assert abs(m.direction_ @ tr.ground_truth["true_direction"]) > 0.99
    assert top_eigenvalue_ratio(m.eigenvalues_) > 10


def test_contrast_pca_has_no_salient_direction_on_onehot_facts():
    tr = make_onehot_facts(640, n_facts=64, noise=0.0)
    m = ContrastPCA().fit(tr.X_pos, tr.X_neg)
    assert m.eigenvalues_.shape == (64,)
    assert np.all(np.diff(m.eigenvalues_) <= 1e-12)
    # Equal fact counts: the differences' covariance is nearly a multiple of the identity.
    assert top_eigenvalue_ratio(m.eigenvalues_) < 1.2


def test_contrast_pca_predictions_are_thresholded():
    tr = make_single_truth(100, n_features=8)
    m = ContrastPCA().fit(tr.X_pos, tr.X_neg)
    p = m.predict_proba(tr.X_pos, tr.X_neg)
    assert set(np.unique(p)) <= {0.0, 0.5, 1.0}
    np.testing.assert_array_equal(p > 0.5, m.decision_function(tr.X_pos, tr.X_neg) > 0)


def test_mean_difference_is_the_mean_of_signed_differences():
    tr = make_onehot_facts(200, n_facts=8, noise=0.0)
    m = MeanDifference(normalize="none").fit(tr.X_pos, tr.X_neg, tr.y)
    expected = ((2 * tr.y - 1)[:, None] * (tr.X_pos - tr.X_neg)).mean(0)
    np.testing.assert_allclose(m.coef_, expected)


def test_random_direction_is_seeded_and_uninformed():
    tr = make_single_truth(100, n_features=64)
    a = RandomDirection(random_state=1).fit(tr.X_pos, tr.X_neg)
    b = RandomDirection(random_state=1).fit(tr.X_pos, tr.X_neg)
    c = RandomDirection(random_state=2).fit(tr.X_pos, tr.X_neg)
    np.testing.assert_array_equal(a.direction_, b.direction_)
    assert not np.allclose(a.direction_, c.direction_)
    # |cos| of a random unit vector with a fixed one in d = 64 has sd 1/8; 0.5 is 4 sd.
    assert abs(a.direction_ @ tr.ground_truth["true_direction"]) < 0.5
