"""One-dimensional score distributions with a known law, many independent samples at once.

The claim the curves family tests: "these score distributions look Gaussian, so the model is
a bunch of small independent heuristics". The laws here separate what a distribution looks
like from the mechanism that made it:

- ``gaussian``: ``N(loc, scale^2)``, the law itself;
- ``clt_sum``: a sum of ``n_terms`` small independent terms (``term_law`` "uniform":
  U(0, 1), or "exponential": Exp(1) waiting times), standardised to mean ``loc`` and standard
  deviation ``scale``: Gaussian in the limit by the central limit theorem, the claim's
  mechanism itself;
- ``exponential``: a constant-hazard process, ``loc + Exp(rate)`` (one mechanism, no sum);
- ``lognormal``: ``exp(N(0, sigma^2))``, a *product* of many small independent factors;
- ``student_t``: Student-t with ``df`` degrees of freedom, ``loc + scale t``: a Gaussian
  whose variance is itself random (a scale mixture), heavy tails;
- ``gaussian_mixture``: ``w N(-separation/2, 1) + (1 - w) N(separation/2, 1)``, ``w`` =
  ``weight``: two mechanisms. Unimodal for ``separation <= 2`` at equal weights.

Layout: ``X`` has shape ``(n_samples, n_draws)``; each *column* is one independent sample
of size ``n_samples`` from the law (what one would plot as one histogram), so a method can
be scored on many samples at once. Every law's parameters are fixed (nothing random is
drawn for the structure); each split draws fresh columns from its own stream.
"""

from __future__ import annotations

import math

import numpy as np

from floor.validation import check_choice, check_int, check_positive_float, check_real
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng

LAWS = ("gaussian", "clt_sum", "exponential", "lognormal", "student_t", "gaussian_mixture")
TERM_LAWS = ("uniform", "exponential")
# The candidate family each law belongs to, where a Gaussian-vs-exponential selector has
# a right answer: "gaussian" (the Gaussian, and a CLT sum: the claim's premise holds),
# "exponential", or "none" (the law is neither).
TRUE_FAMILY = {"gaussian": "gaussian", "clt_sum": "gaussian", "exponential": "exponential",
               "lognormal": "none", "student_t": "none", "gaussian_mixture": "none"}
MECHANISM = {
    "gaussian": "Gaussian law",
    "clt_sum": "sum of many small independent terms",
    "exponential": "constant hazard (one waiting time)",
    "lognormal": "product of many small independent factors",
    "student_t": "Gaussian with a random variance (scale mixture)",
    "gaussian_mixture": "two mechanisms (two Gaussians)",
}


def _term_moments(term_law: str) -> tuple[float, float, float, float]:
    """Mean, variance, third and fourth cumulant of one term: U(0, 1) or Exp(1)."""
    if term_law == "uniform":
        return 0.5, 1.0 / 12.0, 0.0, -1.0 / 120.0
    return 1.0, 1.0, 2.0, 6.0


def _mixture_shape(separation: float, weight: float) -> tuple[float, float, float, float]:
    """Mean, variance, skewness, excess kurtosis of ``w N(-s/2, 1) + (1-w) N(s/2, 1)``."""
    means = np.array([-separation / 2.0, separation / 2.0])
    w = np.array([weight, 1.0 - weight])
    mean = float(w @ means)
    d = means - mean
    # Central moments of a unit-variance Gaussian component shifted by d: E (d + Z)^k.
    m2 = float(w @ (d ** 2 + 1.0))
    m3 = float(w @ (d ** 3 + 3.0 * d))
    m4 = float(w @ (d ** 4 + 6.0 * d ** 2 + 3.0))
    return mean, m2, m3 / m2 ** 1.5, m4 / m2 ** 2 - 3.0


def law_shape(law: str, *, loc: float = 0.0, scale: float = 1.0, rate: float = 1.0,
              n_terms: int = 30, term_law: str = "exponential", sigma: float = 0.25,
              df: float = 5.0, separation: float = 2.0, weight: float = 0.5) -> dict:
    """Exact mean, standard deviation, skewness and excess kurtosis of a law.

    Closed forms: a sum of ``m`` iid terms with cumulants ``k2, k3, k4`` has skewness
    ``k3 / (sqrt(m) k2^1.5)`` and excess kurtosis ``k4 / (m k2^2)`` (U(0, 1): 0 and
    ``-1.2 / m``; Exp(1): ``2 / sqrt(m)`` and ``6 / m``); Exp: 2 and 6; log-normal:
    ``(e^{s^2} + 2) sqrt(e^{s^2} - 1)`` and ``e^{4s^2} + 2 e^{3s^2} + 3 e^{2s^2} - 6``;
    Student-t: 0 and ``6 / (df - 4)`` (None for ``df <= 4``: infinite or undefined); the
    mixture from the components' moments.
    """
    if law == "gaussian":
        return {"mean": loc, "std": scale, "skewness": 0.0, "excess_kurtosis": 0.0}
    if law == "clt_sum":
        _, k2, k3, k4 = _term_moments(term_law)
        return {"mean": loc, "std": scale, "skewness": k3 / (math.sqrt(n_terms) * k2 ** 1.5),
                "excess_kurtosis": k4 / (n_terms * k2 ** 2)}
    if law == "exponential":
        return {"mean": loc + 1.0 / rate, "std": 1.0 / rate, "skewness": 2.0,
                "excess_kurtosis": 6.0}
    if law == "lognormal":
        e = math.exp(sigma ** 2)
        return {"mean": math.exp(sigma ** 2 / 2.0), "std": math.sqrt((e - 1.0) * e),
                "skewness": (e + 2.0) * math.sqrt(e - 1.0),
                "excess_kurtosis": e ** 4 + 2.0 * e ** 3 + 3.0 * e ** 2 - 6.0}
    if law == "student_t":
        return {"mean": loc if df > 1 else None,
                "std": scale * math.sqrt(df / (df - 2.0)) if df > 2 else None,
                "skewness": 0.0 if df > 3 else None,
                "excess_kurtosis": 6.0 / (df - 4.0) if df > 4 else None}
    mean, var, skew, kurt = _mixture_shape(separation, weight)
    return {"mean": mean, "std": math.sqrt(var), "skewness": skew, "excess_kurtosis": kurt}


def _draw(law: str, rng: np.random.Generator, shape: tuple[int, int], p: dict) -> np.ndarray:
    if law == "gaussian":
        return p["loc"] + p["scale"] * rng.standard_normal(shape)
    if law == "clt_sum":
        mean, var, _, _ = _term_moments(p["term_law"])
        m = p["n_terms"]
        if p["term_law"] == "uniform":
            total = np.zeros(shape)
            for _ in range(m):  # one term at a time: memory stays one sample's size
                total += rng.random(shape)
        else:
            total = rng.standard_gamma(float(m), shape)  # a sum of m Exp(1) terms, exactly
        return p["loc"] + p["scale"] * (total - m * mean) / math.sqrt(m * var)
    if law == "exponential":
        return p["loc"] + rng.standard_exponential(shape) / p["rate"]
    if law == "lognormal":
        return np.exp(p["sigma"] * rng.standard_normal(shape))
    if law == "student_t":
        return p["loc"] + p["scale"] * rng.standard_t(p["df"], shape)
    first = rng.random(shape) < p["weight"]
    centre = np.where(first, -p["separation"] / 2.0, p["separation"] / 2.0)
    return centre + rng.standard_normal(shape)


def make_score_distribution(
    law: str = "gaussian",
    n_samples: int = 200,
    n_draws: int = 100,
    *,
    loc: float = 0.0,
    scale: float = 1.0,
    rate: float = 1.0,
    n_terms: int = 30,
    term_law: str = "exponential",
    sigma: float = 0.25,
    df: float = 5.0,
    separation: float = 2.0,
    weight: float = 0.5,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """``n_draws`` independent samples of size ``n_samples`` from one law, as columns.

    Parameters
    ----------
    law : {"gaussian", "clt_sum", "exponential", "lognormal", "student_t", \
"gaussian_mixture"}, default="gaussian"
        The law (see the module docstring for each one's mechanism).
    n_samples : int, default=200
        Size of each sample (rows, >= 2).
    n_draws : int, default=100
        Number of independent samples (columns, >= 1).
    loc : float, default=0.0
        Location: the mean (gaussian, clt_sum), the left end of the support (exponential),
        the centre (student_t). Not read by lognormal and gaussian_mixture.
    scale : float, default=1.0
        Standard deviation (gaussian, clt_sum) or the t's scale (> 0).
    rate : float, default=1.0
        Hazard of the exponential (> 0).
    n_terms : int, default=30
        Terms of a CLT sum (>= 1; 1 is a single term, no averaging).
    term_law : {"uniform", "exponential"}, default="exponential"
        Law of each term of a CLT sum: U(0, 1), or Exp(1) (their sum is Gamma(n_terms, 1),
        drawn exactly).
    sigma : float, default=0.25
        Log-scale standard deviation of the log-normal (> 0; skewness 0.78 at 0.25).
    df : float, default=5.0
        Degrees of freedom of the Student-t (> 0).
    separation : float, default=2.0
        Distance between the mixture's unit-variance components (>= 0).
    weight : float, default=0.5
        Weight of the mixture's left component, in (0, 1).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; each split draws from its own child stream.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, n_draws) float64, column ``j`` the ``j``-th sample.
        ``ground_truth``: ``law``; ``true_family`` ("gaussian", "exponential" or "none": the
        candidate family of a Gaussian-vs-exponential selector the law belongs to);
        ``gaussian_by_construction`` (True for the Gaussian and a CLT sum: calling the
        sample Gaussian is right); ``mechanism`` (words); the law's parameters; its exact
        ``mean``, ``std``, ``skewness``, ``excess_kurtosis`` (`law_shape`; absent where
        infinite or undefined); ``n_samples``, ``n_draws``.
    """
    law = check_choice(law, "law", LAWS)
    n = check_int(n_samples, "n_samples", 2)
    k = check_int(n_draws, "n_draws", 1)
    p = {
        "loc": check_real(loc, "loc"),
        "scale": check_positive_float(scale, "scale"),
        "rate": check_positive_float(rate, "rate"),
        "n_terms": check_int(n_terms, "n_terms", 1),
        "term_law": check_choice(term_law, "term_law", TERM_LAWS),
        "sigma": check_positive_float(sigma, "sigma"),
        "df": check_positive_float(df, "df"),
        "separation": check_positive_float(separation, "separation", allow_zero=True),
        "weight": check_real(weight, "weight"),
    }
    if not 0.0 < p["weight"] < 1.0:
        raise ValueError(f"weight must be in (0, 1), got {weight!r}")
    X = np.ascontiguousarray(_draw(law, split_rng(random_state, split), (n, k), p))
    read = {"gaussian": ("loc", "scale"), "clt_sum": ("loc", "scale", "n_terms", "term_law"),
            "exponential": ("loc", "rate"), "lognormal": ("sigma",),
            "student_t": ("loc", "scale", "df"),
            "gaussian_mixture": ("separation", "weight")}[law]
    shape = law_shape(law, **p)
    truth = {"law": law, "true_family": TRUE_FAMILY[law],
             "gaussian_by_construction": TRUE_FAMILY[law] == "gaussian",
             "mechanism": MECHANISM[law], "n_samples": n, "n_draws": k,
             **{name: p[name] for name in read},
             **{key: value for key, value in shape.items() if value is not None}}
    params = dict(law=law, n_samples=n, n_draws=k, **{name: p[name] for name in read},
                  random_state=repr(random_state), split=split)
    return Dataset("score_distribution", X=X, ground_truth=truth, params=params)
