"""The curves family: its grid (score-distribution laws x Gaussianity calls) and how a cell
is scored.

The claim under test: "these score distributions look Gaussian, so the model is a bunch of
small independent heuristics". Each generator is one law (`generators.score_distributions`)
at a sample size people plot (quick: n = 200 points per histogram); each seed draws
``n_draws`` independent samples of that size as the columns of split 0 (``TRAIN``), and a
method is fitted once on all of them (it treats every column as its own sample). The
method's ``family_`` (one name per column) is its call: "gaussian" calls the sample
Gaussian.

Per seed (data from ``GeneratorSpec.dataset``, the method built with
``SeedStreams.method(0)``):

- ``n_called_gaussian``: columns called "gaussian";
- ``n_correct`` (laws with a right answer among the candidates: the Gaussian and a CLT sum,
  where "gaussian" is right; the exponential, where "exponential", or "not_gaussian" from a
  method that does not name families, is right): columns called right;
- ``mean_r2`` (when the method has ``r2_``, the eyeball test): its mean R^2;
- ``heldout_gaussian_advantage``: the truth about the two candidates on this law,
  method-independent: the mean per-point log-likelihood of the Gaussian minus that of the
  exponential, each fitted by maximum likelihood on a column of split 0 and scored on the
  same column of split 1 (``HELDOUT``), the exponential with its location at the smaller
  of the two splits' minima (a point below the location would score ``-inf``; see
  `methods.curves.selectors.HeldOutLikelihoodSelector`). Positive: the Gaussian predicts
  fresh data better.

Seeds are pooled: rates are Wilson intervals over every column of every seed (99.9%).
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec, MethodSpec, seeded
from generators.score_distributions import make_score_distribution
from methods.curves.eyeball import EyeballGaussian
from methods.curves.fits import exponential_logpdf, gaussian_logpdf, gaussian_mle
from methods.curves.normality import NormalityTest
from methods.curves.selectors import AICSelector, HeldOutLikelihoodSelector
from metrics.statistics import mean_over_seeds, wilson_interval

NAME = "curves"
TRAIN, HELDOUT = 0, 1
# Points per sample (a histogram people plot) and independent samples per seed.
SIZES = {
    "quick": {"n_samples": 200, "n_draws": 200},
    "full": {"n_samples": 1000, "n_draws": 1000},
}
# Each law with the parameters the grid gives it (`make_score_distribution`). The CLT sum
# is 30 Exp(1) waiting times (Gamma(30): skewness 0.37), the log-normal sigma 0.25
# (skewness 0.78), the t five degrees of freedom (excess kurtosis 6), the mixture two unit
# Gaussians 2 apart at equal weights (unimodal, flat-topped: excess kurtosis -0.5).
LAW_PARAMS = {
    "gaussian": {},
    "clt_sum": {"n_terms": 30, "term_law": "exponential"},
    "exponential": {"loc": 1.0, "rate": 1.0},
    "lognormal": {"sigma": 0.25},
    "student_t": {"df": 5.0},
    "gaussian_mixture": {"separation": 2.0, "weight": 0.5},
}
# What counts as a right call where the law's family is a candidate.
RIGHT_CALLS = {"gaussian": ("gaussian",), "exponential": ("exponential", "not_gaussian")}
# Descriptive means over seeds carry a 95% Student-t interval; rates a 99.9% Wilson one.
DESCRIPTIVE_CONFIDENCE = 0.95


def curves_generators(profile: Profile) -> list[GeneratorSpec]:
    """One generator per law at the profile's sample size and draws per seed."""
    s = SIZES[profile.name]
    return [GeneratorSpec(law, NAME, make_score_distribution, dict(law=law, **s, **params))
            for law, params in LAW_PARAMS.items()]


def curves_methods(profile: Profile) -> list[MethodSpec]:
    """The built-in calls: held-out log-likelihood and AIC selectors, the eyeball test, a
    normality test.

    The family's one list of built-in calls: a new one is its file in ``methods/curves/``
    and one line here (docs/adding.md). ``tiny`` holds the budgets the contract tests fit
    it with, when it has any (`benchmarks.families.Family.tiny_instance`).
    """
    return [
        MethodSpec("heldout_loglik", NAME, seeded(HeldOutLikelihoodSelector),
                   description="Gaussian vs shifted exponential by held-out log-likelihood "
                               "(half the sample held out)"),
        MethodSpec("aic", NAME, lambda train, seed: AICSelector(),
                   description="Gaussian vs shifted exponential by AIC (Akaike 1974)"),
        MethodSpec("eyeball", NAME, lambda train, seed: EyeballGaussian(),
                   description="Gaussian overlay fits the sqrt(n)-bin histogram, R^2 >= 0.9"),
        MethodSpec("normality_test", NAME, lambda train, seed: NormalityTest(),
                   description="D'Agostino-Pearson K^2 does not reject at 0.05 (the "
                               "contrast: a test with a stated error rate)"),
    ]


def curves_interface(cls) -> bool:
    """Never: a user's curves method needs ``--family curves``.

    Its interface is ``fit(X)`` and the ``family_`` it sets (one call per column): a class
    with a ``fit`` and nothing else the class shows could belong to any family.
    """
    return False


def _calls(est, n_columns: int) -> np.ndarray:
    """The method's ``family_`` as an array of ``n_columns`` strings; raises if malformed."""
    fam = getattr(est, "family_", None)
    if fam is None:
        raise ValueError("the method has no family_ after fit: a curves method names the "
                         "family of each column ('gaussian', 'exponential', ...)")
    fam = np.asarray(fam, dtype=object).reshape(-1)
    if fam.shape != (n_columns,):
        raise ValueError(f"family_ has {fam.size} entries, expected one per column "
                         f"({n_columns})")
    if not all(isinstance(f, str) for f in fam):
        raise ValueError("family_ must hold strings ('gaussian', 'exponential', ...)")
    return fam


def gaussian_advantage(train: np.ndarray, heldout: np.ndarray) -> np.ndarray:
    """Per column: mean held-out log-likelihood per point, Gaussian minus exponential.

    Both fitted by maximum likelihood on the column of ``train``; the exponential's
    location is the smaller of the two columns' minima (so that no held-out point falls
    outside its support), its rate ``1 / (mean(train) - location)``.
    """
    mu, sigma = gaussian_mle(train)
    loc = np.minimum(train.min(axis=0), heldout.min(axis=0))
    rate = 1.0 / (train.mean(axis=0) - loc)
    return (gaussian_logpdf(heldout, mu, sigma).mean(axis=0)
            - exponential_logpdf(heldout, loc, rate).mean(axis=0))


def score_curves_seed(method: MethodSpec, generator: GeneratorSpec, streams: SeedStreams,
                      profile: Profile) -> dict:
    """Everything measured for one seed of one cell (raises if the method misbehaves)."""
    train = generator.dataset(streams, TRAIN)
    heldout = generator.dataset(streams, HELDOUT)
    truth = train.ground_truth
    k = train.X.shape[1]
    est = method.build(train, streams.method(0))
    start = time.perf_counter()
    fitted = est.fit(train.X)
    fit_time = time.perf_counter() - start
    est = fitted if fitted is not None else est
    calls = _calls(est, k)
    result = {
        "seed": streams.seed,
        "status": "ok",
        "ground_truth": train.facts(),
        "n_draws": k,
        "n_called_gaussian": int(np.sum(calls == "gaussian")),
        "heldout_gaussian_advantage": float(gaussian_advantage(train.X, heldout.X).mean()),
        "fit_time_s": fit_time,
    }
    result["called_gaussian_rate"] = result["n_called_gaussian"] / k
    # A user's generator may not say what the law is: those scores are then not measured.
    right = RIGHT_CALLS.get(truth.get("true_family"))
    if right is not None:
        result["n_correct"] = int(np.isin(calls, right).sum())
        result["correct_rate"] = result["n_correct"] / k
    if not truth.get("gaussian_by_construction", True):
        result["false_gaussian_rate"] = result["called_gaussian_rate"]
    r2 = getattr(est, "r2_", None)
    if r2 is not None:
        r2 = np.asarray(r2, dtype=np.float64).reshape(-1)
        if r2.shape != (k,) or not np.all(np.isfinite(r2)):
            raise ValueError(f"r2_ must be {k} finite numbers, got shape {r2.shape}")
        result["mean_r2"] = float(r2.mean())
    return result


def _exact(value: float, n: int) -> dict:
    """A known number as an Estimate dict with a zero-width interval."""
    return {"value": float(value), "low": float(value), "high": float(value), "n": int(n),
            "confidence": 1.0}


def _pooled(seed_results: list[dict], key: str) -> dict:
    return wilson_interval(sum(r[key] for r in seed_results),
                           sum(r["n_draws"] for r in seed_results)).to_dict()


def aggregate_curves(seed_results: list[dict]) -> dict:
    """Pool per-seed results into metric estimates (name -> Estimate dict).

    - ``called_gaussian``: columns called "gaussian", pooled over seeds, 99.9% Wilson;
    - ``family_correct``: columns called right, the same way (laws with a right answer);
    - ``gaussian_by_construction``, ``has_candidate_family``: 1 or 0 (exact), what the
      checks read to know whether they apply;
    - ``mean_r2``, ``heldout_gaussian_advantage``, ``fit_time_s``: means over seeds with a
      95% Student-t interval (``mean_r2`` only for a method with ``r2_``).
    """
    n_seeds = len(seed_results)
    truth = seed_results[0]["ground_truth"]
    metrics = {"called_gaussian": _pooled(seed_results, "n_called_gaussian")}
    if "gaussian_by_construction" in truth:  # facts of the law, where the generator says
        metrics["gaussian_by_construction"] = _exact(bool(truth["gaussian_by_construction"]),
                                                     n_seeds)
    if "true_family" in truth:
        metrics["has_candidate_family"] = _exact(truth["true_family"] != "none", n_seeds)
    if all("n_correct" in r for r in seed_results):
        metrics["family_correct"] = _pooled(seed_results, "n_correct")
    for key in ("mean_r2", "heldout_gaussian_advantage", "fit_time_s"):
        values = [r.get(key) for r in seed_results]
        if all(v is not None for v in values):
            metrics[key] = mean_over_seeds(values, confidence=DESCRIPTIVE_CONFIDENCE).to_dict()
    return metrics
