"""Farquhar et al.'s theorem: any binary feature of the contrast pairs is as CCS-optimal as truth.

Farquhar, Varma, Kenton et al. (2023, "Challenges with unsupervised LLM knowledge discovery",
arXiv 2312.10029, Section 3): for a probe ``p`` with CCS loss ``L`` and any binary feature
``h`` of the questions, the probe ``p'`` that answers ``p`` on the pairs with ``h = 0`` and
``p`` with the members exchanged on the pairs with ``h = 1``,

    p'(x_i^+) = p(x_i^-),  p'(x_i^-) = p(x_i^+)   where h_i = 1   (unchanged where h_i = 0),

has the same CCS loss: each pair's terms ``(p+ + p- - 1)^2`` and ``min(p+, p-)^2`` are
symmetric in the two members (their Theorem 1 is the case of a perfect probe: ``p(x+) =
h(q), p(x-) = 1 - h(q)``, the probe ``h XOR has_false``, has CCS loss 0 and induces ``h``;
the exchange below carries any probe's loss, the truth probe's included, to the feature's
probe). Its induced prediction ``(p'(x+) + 1 - p'(x-)) / 2`` is
``1 - p~`` where ``h = 1``, so it predicts ``truth XOR h``: for ``h`` random labels its
accuracy against truth is at chance. The loss cannot tell truth from any such feature.

The theorem is about the probe's inputs, the pairs after normalisation, so the members are
normalised once (as the truth probe sees them, `floor.contrast_pairs.PairNormalizer`) and
`metrics.ccs_loss.ccs_loss` scores both probes on those with ``normalize="none"``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest

from floor.contrast_pairs import PairNormalizer
from generators.distractor_facts import make_distractor_facts
from generators.grouped_facts import make_grouped_facts
from generators.onehot_facts import make_onehot_facts
from generators.polarity_facts import make_polarity_facts
from generators.single_truth import make_single_truth
from metrics.ccs_loss import ccs_loss, min_ccs_loss_along
from metrics.truth_accuracy import pair_accuracy

# The suite's truth generators at small sizes (the family's noise levels).
GENERATORS = {
    "onehot_facts": lambda s: make_onehot_facts(400, n_facts=16, noise=0.03, random_state=s),
    "grouped_facts": lambda s: make_grouped_facts(400, n_groups=4, facts_per_group=4,
                                                  n_features=16, noise=0.03, random_state=s),
    "single_truth": lambda s: make_single_truth(400, n_features=16, noise=0.3, random_state=s),
    "distractor_facts": lambda s: make_distractor_facts(400, n_features=16, noise=0.3,
                                                        random_state=s),
    "polarity_facts": lambda s: make_polarity_facts(400, n_features=16, polarity="affirmative",
                                                    random_state=s),
}
# Both probes' losses are sums of the same per-pair values (a + b == b + a and min are exact
# in floating point), so they agree to the last bit; 1e-15 leaves room for nothing else.
LOSS_TOL = 1e-15
# A random h makes the theorem's probe right on Binomial(n, 1/2) pairs when the truth probe
# is right on all; a two-sided binomial test at this level fails a correct implementation
# with probability 1e-4 per case (and the cases use fixed seeds).
CHANCE_P = 1e-4


def _truth_probe(data):
    """The truth probe ``sigmoid(alpha u^T z + b)`` at its best CCS norm and bias, and the
    normalised members ``(Zp, Zn)`` it reads."""
    u = data.ground_truth["true_direction"]
    _, alpha, bias = min_ccs_loss_along(u, data.X_pos, data.X_neg, max_norm=100.0)
    Zp, Zn = PairNormalizer("mean").fit_transform(data.X_pos, data.X_neg)
    return alpha * u, bias, Zp, Zn


def theorem_inputs(Zp, Zn, h):
    """The members the truth probe reads to answer as the theorem's probe: exchanged on the
    pairs with ``h = 1``, so that ``p'(x_i^+) = p(x_i^-)`` and ``p'(x_i^-) = p(x_i^+)``."""
    swap = np.asarray(h, dtype=bool)[:, None]
    return np.where(swap, Zn, Zp), np.where(swap, Zp, Zn)


def _induced(coef, bias, Zp, Zn):
    """``(p(x+) + 1 - p(x-)) / 2``, Burns et al.'s prediction that the first member is true."""
    def p(Z):
        return 1.0 / (1.0 + np.exp(-(Z @ coef + bias)))
    return 0.5 * (p(Zp) + 1.0 - p(Zn))


@pytest.mark.parametrize("h_seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_random_feature_has_the_truth_probes_ccs_loss_at_chance_accuracy(name, h_seed):
    data = GENERATORS[name](h_seed + 10)
    coef, bias, Zp, Zn = _truth_probe(data)
    h = np.random.default_rng([h_seed, 24]).random(data.n_samples) < 0.5
    Hp, Hn = theorem_inputs(Zp, Zn, h)

    truth_loss = ccs_loss(coef, Zp, Zn, bias, normalize="none")
    # The truth probe's loss is the family's (its own per-side normalisation of the raw pairs).
    assert truth_loss == pytest.approx(ccs_loss(coef, data.X_pos, data.X_neg, bias), abs=1e-12)
    assert abs(ccs_loss(coef, Hp, Hn, bias, normalize="none") - truth_loss) <= LOSS_TOL

    truth_acc = pair_accuracy(_induced(coef, bias, Zp, Zn), data.y)
    assert truth_acc > 0.95, f"{name}: the truth probe itself must be accurate ({truth_acc})"
    feature_proba = _induced(coef, bias, Hp, Hn)
    hits = int(round(pair_accuracy(feature_proba, data.y) * data.n_samples))
    assert binomtest(hits, data.n_samples, 0.5).pvalue > CHANCE_P, \
        f"{name}: the theorem's probe scores {hits}/{data.n_samples} against truth"
    # It predicts truth XOR h: as accurate against those labels as the truth probe on y.
    assert pair_accuracy(feature_proba, np.where(h, 1 - data.y, data.y)) == truth_acc


def test_the_constant_feature_is_the_truth_probe_and_its_complement_the_flipped_one():
    """Controls: h = 0 changes nothing; h = 1 is the truth probe with its sign flipped."""
    data = GENERATORS["single_truth"](3)
    coef, bias, Zp, Zn = _truth_probe(data)
    n = data.n_samples
    same = theorem_inputs(Zp, Zn, np.zeros(n))
    assert np.array_equal(same[0], Zp) and np.array_equal(same[1], Zn)
    flipped = _induced(coef, bias, *theorem_inputs(Zp, Zn, np.ones(n)))
    assert np.allclose(flipped, 1.0 - _induced(coef, bias, Zp, Zn), atol=1e-15)


def test_a_probe_worse_than_truth_gives_a_worse_loss_for_every_feature():
    """Negative control: the equality is the loss's symmetry, not a flat loss; a random
    direction's loss is higher than truth's, and swapping leaves it at its own value."""
    data = GENERATORS["single_truth"](4)
    coef, bias, Zp, Zn = _truth_probe(data)
    v = np.random.default_rng(5).standard_normal(coef.size)
    v *= np.linalg.norm(coef) / np.linalg.norm(v)
    h = np.random.default_rng(6).random(data.n_samples) < 0.5
    worse = ccs_loss(v, Zp, Zn, bias, normalize="none")
    assert worse > ccs_loss(coef, Zp, Zn, bias, normalize="none") + 0.05
    assert abs(ccs_loss(v, *theorem_inputs(Zp, Zn, h), bias, normalize="none") - worse) \
        <= LOSS_TOL


@settings(max_examples=30, deadline=None)
@given(h=st.lists(st.booleans(), min_size=60, max_size=60), alpha=st.floats(0.1, 50.0),
       bias=st.floats(-3.0, 3.0))
def test_any_feature_any_probe_same_loss(h, alpha, bias):
    """For every feature h and every linear probe (not only the truth's), the same loss."""
    data = make_onehot_facts(60, n_facts=8, noise=0.1, random_state=7)
    Zp, Zn = PairNormalizer("mean").fit_transform(data.X_pos, data.X_neg)
    coef = alpha * data.ground_truth["true_direction"]
    assert abs(ccs_loss(coef, *theorem_inputs(Zp, Zn, h), bias, normalize="none")
               - ccs_loss(coef, Zp, Zn, bias, normalize="none")) <= LOSS_TOL


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_onehot_facts_a_feature_of_the_facts_is_a_linear_probe(seed):
    """On noiseless +-one-hot facts a feature of the facts (h_i per fact) is realised by a
    linear probe, the truth-like direction with signs ``s * (1 - 2 h)``: same CCS loss as
    the true direction, at chance against truth (Farquhar et al. Section 4.1)."""
    data = make_onehot_facts(320, n_facts=32, noise=0.0, random_state=seed)
    gt = data.ground_truth
    h_fact = np.random.default_rng([seed, 8]).random(32) < 0.5
    c = gt["fact_signs"] * (1 - 2 * h_fact)
    u, u_h = gt["true_direction"], gt["fact_directions"].T @ c / np.sqrt(32)
    alpha, bias = 20.0, 0.0
    loss = ccs_loss(alpha * u, data.X_pos, data.X_neg, bias, normalize="none")
    assert ccs_loss(alpha * u_h, data.X_pos, data.X_neg, bias, normalize="none") \
        == pytest.approx(loss, abs=1e-15)
    Zp, Zn = data.X_pos, data.X_neg
    assert pair_accuracy(_induced(alpha * u, bias, Zp, Zn), data.y) == 1.0
    acc_h = pair_accuracy(_induced(alpha * u_h, bias, Zp, Zn), data.y)
    # Exactly the pairs whose fact has h = 0 are right.
    assert acc_h == pytest.approx(np.mean(~h_fact[gt["fact_index"]]))
    # The pairs of a fact are right or wrong together: chance is over the 32 facts.
    assert binomtest(int((~h_fact).sum()), 32, 0.5).pvalue > CHANCE_P
