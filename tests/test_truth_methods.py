"""The other truth methods: CRC-TPC, the supervised ceilings and the random floor.

The estimator contract (fit returns self, not-fitted and width errors, labels, output shape,
seeding) is `tests/test_common_truth.py`'s; here is what each method promises on data.
"""

import numpy as np
import pytest

from generators.onehot_facts import make_onehot_facts
from generators.single_truth import make_single_truth
from methods.truth.contrast_pca import ContrastPCA
from methods.truth.mean_difference import MeanDifference
from methods.truth.pairs import stack_pairs
from methods.truth.random_direction import RandomDirection
from methods.truth.supervised_logistic import SupervisedLogistic
from metrics.eigenvalue_ratio import top_eigenvalue_ratio
from metrics.truth_accuracy import pair_accuracy, sign_agnostic_accuracy

SUPERVISED = [SupervisedLogistic, MeanDifference]


def _X(ds):
    return stack_pairs(ds.X_pos, ds.X_neg)


def _p(m, ds):
    """P(x_plus is true) per pair of ``ds``."""
    return m.predict_proba(_X(ds))[:, 1]


def _split(make, **kwargs):
    return make(random_state=0, **kwargs), make(random_state=0, split=1, **kwargs)


@pytest.mark.parametrize("Method", SUPERVISED)
@pytest.mark.parametrize("noise", [0.0, 0.01, 0.03])
def test_supervised_ceiling_reaches_one_at_low_noise(Method, noise):
    """Bar: with labels the truth is identifiable; d = 64, 10 pairs per fact."""
    tr, te = _split(make_onehot_facts, n_pairs=640, n_facts=64, noise=noise)
    m = Method().fit(_X(tr), tr.y)
    assert pair_accuracy(_p(m, te), te.y) == 1.0
    assert m.direction_ @ tr.ground_truth["true_direction"] > 0.9


@pytest.mark.parametrize("Method", SUPERVISED)
def test_supervised_at_chance_on_disjoint_onehot_facts(Method):
    """Orthogonal facts: labels on some facts say nothing about the others."""
    tr = make_onehot_facts(640, noise=0.01, facts="train", random_state=0)
    te = make_onehot_facts(640, noise=0.01, facts="heldout", random_state=0, split=1)
    acc = pair_accuracy(_p(Method().fit(_X(tr), tr.y), te), te.y)
    assert 0.4 < acc < 0.6  # chance, within 5 binomial sd (0.02) at n = 640


def test_contrast_pca_finds_the_single_truth():
    tr, te = _split(make_single_truth, n_pairs=400, n_features=32)
    m = ContrastPCA().fit(_X(tr))
    assert sign_agnostic_accuracy(_p(m, te), te.y) >= 0.9
    assert abs(m.direction_ @ tr.ground_truth["true_direction"]) > 0.99
    assert top_eigenvalue_ratio(m.eigenvalues_) > 10


def test_contrast_pca_has_no_salient_direction_on_onehot_facts():
    tr = make_onehot_facts(640, n_facts=64, noise=0.0)
    m = ContrastPCA().fit(_X(tr))
    assert m.eigenvalues_.shape == (64,)
    assert np.all(np.diff(m.eigenvalues_) <= 1e-12)
    # Equal fact counts: the differences' covariance is nearly a multiple of the identity.
    assert top_eigenvalue_ratio(m.eigenvalues_) < 1.2


def test_contrast_pca_predictions_are_thresholded():
    tr = make_single_truth(100, n_features=8)
    m = ContrastPCA().fit(_X(tr))
    p = _p(m, tr)
    assert set(np.unique(p)) <= {0.0, 0.5, 1.0}
    np.testing.assert_array_equal(p > 0.5, m.decision_function(_X(tr)) > 0)
    np.testing.assert_array_equal(m.predict(_X(tr)), (m.decision_function(_X(tr)) > 0) * 1)


def test_mean_difference_is_the_mean_of_signed_differences():
    tr = make_onehot_facts(200, n_facts=8, noise=0.0)
    m = MeanDifference(normalize="none").fit(_X(tr), tr.y)
    expected = ((2 * tr.y - 1)[:, None] * (tr.X_pos - tr.X_neg)).mean(0)
    np.testing.assert_allclose(m.coef_, expected)


def test_random_direction_is_seeded_and_uninformed():
    tr = make_single_truth(100, n_features=64)
    a = RandomDirection(random_state=1).fit(_X(tr))
    b = RandomDirection(random_state=1).fit(_X(tr))
    c = RandomDirection(random_state=2).fit(_X(tr))
    np.testing.assert_array_equal(a.direction_, b.direction_)
    assert not np.allclose(a.direction_, c.direction_)
    # |cos| of a random unit vector with a fixed one in d = 64 has sd 1/8; 0.5 is 4 sd.
    assert abs(a.direction_ @ tr.ground_truth["true_direction"]) < 0.5
