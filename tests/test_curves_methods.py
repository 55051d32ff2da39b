"""Closed forms of the curves methods: maximum-likelihood fits, log-likelihoods, AIC, the
selectors' rules, the eyeball test's histogram and R^2, the normality test.

Every number is checked against an analytic formula or a hand computation, and against
scipy where scipy has the same quantity (``norm.fit`` and ``expon.fit`` are maximum
likelihood; ``expon.fit`` is the closed form ``loc = min``, ``scale = mean - min``).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from floor.validation import NotFittedError
from methods.curves.eyeball import EyeballGaussian, bin_counts, histogram_r2
from methods.curves.fits import (
    GaussianMLE,
    ShiftedExponentialMLE,
    aic,
    exponential_logpdf,
    gaussian_logpdf,
)
from methods.curves.normality import NormalityTest
from methods.curves.selectors import AICSelector, HeldOutLikelihoodSelector

HAND = np.array([[0.0], [1.0], [2.0]])  # mean 1, 1/n variance 2/3, min 0


def _columns(seed=0, n=50, k=6):
    rng = np.random.default_rng(seed)
    return np.hstack([rng.normal(3.0, 2.0, (n, k // 2)), 1.5 + rng.exponential(0.5, (n, k // 2))])


# --- maximum likelihood -------------------------------------------------------------------


def test_gaussian_mle_is_the_mean_and_the_one_over_n_deviation():
    X = _columns()
    g = GaussianMLE().fit(X)
    np.testing.assert_allclose(g.mean_, X.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(g.scale_, np.sqrt(((X - X.mean(axis=0)) ** 2).mean(axis=0)),
                               rtol=1e-13)
    for j in range(X.shape[1]):
        mu, sigma = stats.norm.fit(X[:, j])
        assert g.mean_[j] == pytest.approx(mu, rel=1e-12)
        assert g.scale_[j] == pytest.approx(sigma, rel=1e-12)


def test_exponential_mle_is_the_minimum_and_one_over_mean_minus_minimum():
    X = _columns()
    e = ShiftedExponentialMLE().fit(X)
    np.testing.assert_array_equal(e.loc_, X.min(axis=0))
    np.testing.assert_allclose(e.rate_, 1.0 / (X.mean(axis=0) - X.min(axis=0)), rtol=1e-13)
    for j in range(X.shape[1]):
        loc, scale = stats.expon.fit(X[:, j])
        assert e.loc_[j] == pytest.approx(loc, rel=1e-12)
        assert e.rate_[j] == pytest.approx(1.0 / scale, rel=1e-12)


def test_maximised_loglik_closed_forms_equal_the_summed_log_densities():
    X = _columns(seed=1)
    n = X.shape[0]
    g, e = GaussianMLE().fit(X), ShiftedExponentialMLE().fit(X)
    np.testing.assert_allclose(g.loglik_, -n / 2 * (np.log(2 * np.pi * g.scale_ ** 2) + 1),
                               rtol=1e-12)
    np.testing.assert_allclose(e.loglik_, n * np.log(e.rate_) - n, rtol=1e-12)
    np.testing.assert_allclose(g.column_loglik(X), g.loglik_, rtol=1e-12)
    np.testing.assert_allclose(e.column_loglik(X), e.loglik_, rtol=1e-12)
    for j in range(X.shape[1]):
        ref = stats.norm.logpdf(X[:, j], g.mean_[j], g.scale_[j]).sum()
        assert g.loglik_[j] == pytest.approx(ref, rel=1e-12)
        ref = stats.expon.logpdf(X[:, j], e.loc_[j], 1 / e.rate_[j]).sum()
        assert e.loglik_[j] == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("delta", [1e-3, 1e-2, 0.1, 0.5])
def test_the_mle_maximises_the_loglik_against_perturbations(delta):
    X = _columns(seed=2)
    g, e = GaussianMLE().fit(X), ShiftedExponentialMLE().fit(X)
    for dm, ds in [(delta, 1), (-delta, 1), (0, 1 + delta), (0, 1 - delta),
                   (delta, 1 + delta)]:
        ll = gaussian_logpdf(X, g.mean_ + dm * g.scale_, g.scale_ * ds).sum(axis=0)
        assert np.all(ll < g.loglik_)
    for dr in (1 + delta, 1 - delta):
        ll = exponential_logpdf(X, e.loc_, e.rate_ * dr).sum(axis=0)
        assert np.all(ll < e.loglik_)
    # Lowering the location lowers every density; raising it leaves the minimum outside.
    lower = exponential_logpdf(X, e.loc_ - delta, e.rate_).sum(axis=0)
    assert np.all(lower < e.loglik_)
    np.testing.assert_allclose(lower, e.loglik_ - X.shape[0] * e.rate_ * delta, rtol=1e-12)
    assert np.all(exponential_logpdf(X, e.loc_ + delta, e.rate_).sum(axis=0) == -np.inf)


def test_loglik_on_a_hand_computed_sample():
    g, e = GaussianMLE().fit(HAND), ShiftedExponentialMLE().fit(HAND)
    assert g.mean_[0] == 1.0 and g.scale_[0] == pytest.approx(math.sqrt(2 / 3), rel=1e-15)
    assert g.loglik_[0] == pytest.approx(-1.5 * math.log(2 * math.pi * 2 / 3) - 1.5, rel=1e-14)
    assert e.loc_[0] == 0.0 and e.rate_[0] == 1.0 and e.loglik_[0] == -3.0
    # log-density of 0.5 under Exp(1) at 0 is -0.5; under N(1, 2/3): -(log(2 pi 2/3) + 3/8)/2
    assert e.score_samples([[0.5]])[0] == pytest.approx(-0.5, rel=1e-15)
    assert g.score_samples([[0.5]])[0] == pytest.approx(
        -0.5 * (math.log(2 * math.pi * 2 / 3) + 0.25 / (2 / 3)), rel=1e-14)
    assert e.score([[-0.1], [1.0]]) == -np.inf  # -0.1 is below the support
    assert e.score([[1.0], [3.0]]) == pytest.approx(-4.0, rel=1e-15)


def test_score_samples_of_several_columns_is_the_sum_over_columns():
    X = _columns(seed=3)
    g = GaussianMLE().fit(X)
    row = X[:1]
    want = sum(stats.norm.logpdf(row[0, j], g.mean_[j], g.scale_[j]) for j in range(X.shape[1]))
    assert g.score_samples(row)[0] == pytest.approx(want, rel=1e-12)
    assert g.score(X) == pytest.approx(g.loglik_.sum(), rel=1e-12)


def test_aic_formula():
    assert aic(-3.0, 2) == 10.0
    np.testing.assert_array_equal(aic(np.array([0.0, -1.5]), 3), [6.0, 9.0])
    g = GaussianMLE().fit(HAND)
    assert g.aic()[0] == pytest.approx(4 + 3 * math.log(2 * math.pi * 2 / 3) + 3, rel=1e-14)
    assert ShiftedExponentialMLE().fit(HAND).aic()[0] == 10.0


def test_fits_refuse_constant_columns_and_use_before_fit():
    with pytest.raises(ValueError, match="X has a constant column \\(1\\)"):
        GaussianMLE().fit(np.c_[[0.0, 1.0, 2.0], [4.0, 4.0, 4.0]])
    with pytest.raises(NotFittedError):
        ShiftedExponentialMLE().score_samples(HAND)
    with pytest.raises(ValueError, match="X has 2 features, but GaussianMLE is expecting 1"):
        GaussianMLE().fit(HAND).score_samples(np.ones((2, 2)))


# --- selectors ------------------------------------------------------------------------------


def test_aic_selector_rule_is_sigma_sqrt_2_pi_e_against_e_times_mean_minus_min():
    X = np.hstack([_columns(seed=s, n=30) for s in range(20)])
    sel = AICSelector().fit(X)
    g, e = GaussianMLE().fit(X), ShiftedExponentialMLE().fit(X)
    np.testing.assert_allclose(sel.aic_["gaussian"], 4 - 2 * g.loglik_, rtol=1e-12)
    np.testing.assert_allclose(sel.aic_["exponential"], 4 - 2 * e.loglik_, rtol=1e-12)
    gaussian = g.scale_ * np.sqrt(2 * np.pi * np.e) <= np.e * (X.mean(axis=0) - X.min(axis=0))
    np.testing.assert_array_equal(sel.family_ == "gaussian", gaussian)
    assert 0 < gaussian.sum() < X.shape[1]  # both answers occur


def test_aic_selector_on_the_hand_sample():
    # Gaussian AIC 4 + 3 log(4 pi / 3) + 3 = 11.31 > exponential's 10: exponential.
    sel = AICSelector().fit(HAND)
    assert sel.family_[0] == "exponential"
    assert sel.aic_["exponential"][0] == 10.0


@pytest.mark.parametrize("location", ["pooled", "train"])
def test_heldout_selector_scores_are_the_mean_heldout_logliks_of_training_fits(location):
    X = _columns(seed=4, n=41)
    sel = HeldOutLikelihoodSelector(heldout_fraction=0.3, location=location,
                                    random_state=7).fit(X)
    order = np.random.default_rng(7).permutation(41)
    n_out = int(np.floor(0.3 * 41))
    train, test = X[order[n_out:]], X[order[:n_out]]
    g = GaussianMLE().fit(train)
    np.testing.assert_allclose(sel.heldout_loglik_["gaussian"],
                               g.column_loglik(test) / n_out, rtol=1e-12)
    loc = X.min(axis=0) if location == "pooled" else train.min(axis=0)
    rate = 1 / (train.mean(axis=0) - loc)
    want = np.array([stats.expon.logpdf(test[:, j], loc[j], 1 / rate[j]).mean()
                     for j in range(X.shape[1])])
    np.testing.assert_allclose(sel.heldout_loglik_["exponential"], want, rtol=1e-12)
    best = np.where(sel.heldout_loglik_["gaussian"] >= sel.heldout_loglik_["exponential"],
                    "gaussian", "exponential")
    np.testing.assert_array_equal(sel.family_, best)


def test_plugin_location_loses_the_exponential_when_a_heldout_point_is_below_it():
    # The held-out row (the first of the permutation) holds each column's minimum.
    rng = np.random.default_rng(0)
    X = 1.0 + rng.exponential(1.0, (20, 3))
    order = np.random.default_rng(3).permutation(20)
    X[order[0]] = 0.5
    plug = HeldOutLikelihoodSelector(heldout_fraction=0.05, location="train",
                                     random_state=3).fit(X)
    assert np.all(plug.heldout_loglik_["exponential"] == -np.inf)
    assert np.all(plug.family_ == "gaussian")
    pooled = HeldOutLikelihoodSelector(heldout_fraction=0.05, random_state=3).fit(X)
    assert np.all(np.isfinite(pooled.heldout_loglik_["exponential"]))


def test_selectors_pick_the_true_family_on_clear_samples():
    rng = np.random.default_rng(5)
    X = np.hstack([rng.normal(size=(500, 20)), 2.0 + rng.exponential(size=(500, 20))])
    want = np.array(["gaussian"] * 20 + ["exponential"] * 20, dtype=object)
    for sel in (AICSelector(), HeldOutLikelihoodSelector(random_state=0)):
        np.testing.assert_array_equal(sel.fit(X).family_, want)


@pytest.mark.parametrize("kwargs, match", [
    ({"heldout_fraction": 0.0}, "heldout_fraction"), ({"heldout_fraction": 1.0},
                                                      "heldout_fraction"),
    ({"heldout_fraction": 0.01}, "heldout_fraction"), ({"location": "median"}, "location"),
    ({"random_state": -1}, "random_state")])
def test_heldout_selector_refuses_bad_parameters(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        HeldOutLikelihoodSelector(**kwargs).fit(_columns(n=20))


# --- the eyeball test --------------------------------------------------------------------


@pytest.mark.parametrize("bins", ["sqrt", "fd", "sturges", 1, 7])
@pytest.mark.parametrize("n", [3, 20, 100, 1001])
def test_bins_are_numpys_bin_for_bin(bins, n):
    rng = np.random.default_rng(n)
    X = np.hstack([rng.normal(size=(n, 8)), rng.exponential(size=(n, 8)),
                   np.round(rng.normal(size=(n, 8)), 1), np.arange(n)[:, None] * 0.1])
    X = X[:, np.ptp(X, axis=0) > 0]
    nb, edges, counts = bin_counts(X, bins)
    for j in range(X.shape[1]):
        h, e = np.histogram(X[:, j], bins)
        assert nb[j] == h.size
        np.testing.assert_array_equal(counts[j, :nb[j]], h)
        np.testing.assert_array_equal(edges[j, :nb[j] + 1], e)
        assert counts[j, nb[j]:].sum() == 0


def test_r2_on_a_hand_computed_histogram():
    # 4 points, sqrt rule: 2 bins over [0, 3] of width 1.5, holding 0, 1 and 2, 3.
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    r2, nb = histogram_r2(x, "sqrt")
    assert nb[0] == 2
    # Equal bars: no shape to match, R^2 = 0 by definition.
    assert r2[0] == 0.0
    # Three bins (fixed): counts (2, 1, 2) over width 1 -> heights (0.4, 0.2, 0.4);
    # the overlay N(1.5, 1.3), the sample's mean and 1/n variance, at centres 0.5, 1.5, 2.5.
    x = np.array([[0.0], [0.5], [1.5], [2.5], [3.0]])
    r2, _ = histogram_r2(x, 3)
    mu, var = 1.5, np.mean((x[:, 0] - 1.5) ** 2)
    f = stats.norm.pdf([0.5, 1.5, 2.5], mu, math.sqrt(var))
    h = np.array([2, 1, 2]) / 5.0
    want = 1 - np.sum((h - f) ** 2) / np.sum((h - h.mean()) ** 2)
    assert r2[0] == pytest.approx(want, rel=1e-12)


def test_r2_is_near_one_for_a_large_gaussian_and_low_for_an_exponential():
    rng = np.random.default_rng(0)
    r2, _ = histogram_r2(rng.normal(size=(100_000, 3)), "sqrt")
    assert np.all(r2 > 0.99)
    # An exponential's R^2 is that of its exact bar heights (bin probability / width) on the
    # same bins, up to sampling noise.
    X = rng.exponential(size=(100_000, 3))
    r2, nb = histogram_r2(X, "sqrt")
    _, edges, _ = bin_counts(X, "sqrt")
    for j in range(3):
        e = edges[j, :nb[j] + 1]
        bars = np.diff(stats.expon.cdf(e)) / np.diff(e)
        f = stats.norm.pdf(0.5 * (e[:-1] + e[1:]), X[:, j].mean(), X[:, j].std())
        want = 1 - np.sum((bars - f) ** 2) / np.sum((bars - bars.mean()) ** 2)
        assert r2[j] == pytest.approx(want, abs=0.01)
        assert r2[j] < 0.7


def test_eyeball_calls_gaussian_at_the_threshold_inclusive():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 50))
    est = EyeballGaussian().fit(X)
    t = float(np.sort(est.r2_)[25])
    at = EyeballGaussian(threshold=t).fit(X)
    assert at.looks_gaussian_.sum() == 25 and at.looks_gaussian_[np.argsort(est.r2_)[25]]
    np.testing.assert_array_equal(at.family_ == "gaussian", at.r2_ >= t)
    np.testing.assert_allclose(est.mean_, X.mean(axis=0))


@pytest.mark.parametrize("kwargs, match", [({"bins": "auto"}, "bins"), ({"bins": 0}, "bins"),
                                           ({"bins": 2.0}, "bins"), ({"threshold": 0}, "threshold"),
                                           ({"threshold": 1.5}, "threshold")])
def test_eyeball_refuses_bad_parameters(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        EyeballGaussian(**kwargs).fit(_columns(n=20))


# --- the normality test ------------------------------------------------------------------


def test_normality_test_is_scipys_k2_per_column():
    X = _columns(seed=6, n=60)
    est = NormalityTest(alpha=0.01).fit(X)
    for j in range(X.shape[1]):
        res = stats.normaltest(X[:, j])
        assert est.statistic_[j] == pytest.approx(res.statistic, rel=1e-12)
        assert est.pvalue_[j] == pytest.approx(res.pvalue, rel=1e-12)
    np.testing.assert_array_equal(est.family_ == "gaussian", est.pvalue_ >= 0.01)


def test_normality_test_refuses_short_samples_and_bad_alpha():
    with pytest.raises(ValueError, match="X needs at least 8 samples"):
        NormalityTest().fit(np.arange(7.0)[:, None])
    with pytest.raises(ValueError, match="alpha"):
        NormalityTest(alpha=1.0).fit(_columns(n=20))
