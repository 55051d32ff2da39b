"""Choosing between a Gaussian and a shifted exponential: held-out log-likelihood and AIC.

Both selectors choose, per column, the candidate family ("gaussian" or "exponential") that
explains the sample best; neither can answer "neither": on a law outside the two families
(a Student-t, a log-normal, a mixture) they pick whichever of the two is less wrong.
Ties go to the Gaussian (the first candidate).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from floor.validation import check_choice, check_interval, check_random_state
from methods.curves.fits import (
    N_PARAMS,
    aic,
    exponential_logpdf,
    exponential_max_loglik,
    exponential_mle,
    gaussian_logpdf,
    gaussian_max_loglik,
    gaussian_mle,
    samples,
)

CANDIDATES = ("gaussian", "exponential")
LOCATIONS = ("pooled", "train")


def _choose(gaussian_score: np.ndarray, exponential_score: np.ndarray) -> np.ndarray:
    """"gaussian" where its score is at least the exponential's, else "exponential"."""
    return np.where(gaussian_score >= exponential_score, "gaussian", "exponential").astype(object)


class HeldOutLikelihoodSelector(BaseEstimator):
    """Pick the family whose fit on part of the sample best predicts the rest.

    Per column: the rows are split at random (the same permutation for every column, from
    ``random_state``) into a training part and a held-out part of ``floor(heldout_fraction
    n)`` rows; each candidate is fitted by maximum likelihood on the training part
    (`methods.curves.fits`) and scored by its mean log-likelihood per held-out point; the
    higher wins.

    The exponential's location is a non-regular parameter: its MLE, the training minimum,
    lies above the held-out minimum with probability ``n_heldout / n`` (a half, at the
    default), and a held-out point below it has log-likelihood ``-inf``. With
    ``location="pooled"`` (default) the location is the minimum of the *whole* column (its
    error is O(1/n), the order of one spacing) and only the rate is fitted on the training
    part; ``location="train"`` takes the training minimum, as a plug-in fit would.

    Parameters
    ----------
    heldout_fraction : float, default=0.5
        Fraction of the rows held out, in (0, 1); at least one row on each side and two
        training rows.
    location : {"pooled", "train"}, default="pooled"
        Where the exponential's location comes from (see above).
    random_state : None, int, SeedSequence or Generator, default=None
        Source of the split.

    Attributes
    ----------
    family_ : ndarray of shape (n_columns,), object
        "gaussian" or "exponential".
    heldout_loglik_ : dict of str to ndarray of shape (n_columns,)
        Mean held-out log-likelihood per point of each candidate (``-inf`` where a held-out
        point lies outside the exponential's support, or a training part is constant).
    n_features_in_ : int
    """

    def __init__(self, heldout_fraction=0.5, location="pooled", random_state=None):
        self.heldout_fraction = heldout_fraction
        self.location = location
        self.random_state = random_state

    def fit(self, X, y=None) -> HeldOutLikelihoodSelector:
        """Split each column, fit both candidates on the training part, score the rest."""
        frac = check_interval(self.heldout_fraction, "heldout_fraction", 0.0, 1.0,
                              low_open=True, high_open=True)
        location = check_choice(self.location, "location", LOCATIONS)
        X = samples(X, min_samples=3)
        n = X.shape[0]
        n_out = int(np.floor(frac * n))
        if n_out < 1 or n - n_out < 2:
            raise ValueError(f"heldout_fraction={self.heldout_fraction!r} leaves {n - n_out} "
                             f"training and {n_out} held-out rows of n_samples={n}: need >= 2 "
                             "and >= 1")
        order = check_random_state(self.random_state).permutation(n)
        train, test = X[order[n_out:]], X[order[:n_out]]
        with np.errstate(divide="ignore", invalid="ignore"):
            mu, sigma = gaussian_mle(train)
            g = np.where(sigma > 0, gaussian_logpdf(test, mu, sigma).mean(axis=0), -np.inf)
            if location == "pooled":
                loc = X.min(axis=0)
                gap = train.mean(axis=0) - loc
            else:
                loc, rate = exponential_mle(train)
                gap = 1.0 / rate
            e = np.where(gap > 0, exponential_logpdf(test, loc, 1.0 / gap).mean(axis=0),
                         -np.inf)
        self.heldout_loglik_ = {"gaussian": g, "exponential": e}
        self.family_ = _choose(g, e)
        self.n_features_in_ = X.shape[1]
        return self


class AICSelector(BaseEstimator):
    """Pick the family with the lower AIC, ``2 k - 2 loglik`` at the MLE on the whole sample.

    Both candidates have ``k = 2`` parameters, so AIC picks the higher maximised
    log-likelihood: Gaussian ``-n/2 (log 2 pi sigma^2 + 1)`` against exponential
    ``n log(rate) - n``, i.e. the Gaussian when ``sigma sqrt(2 pi e) <= e (mean - min)``.

    Attributes
    ----------
    family_ : ndarray of shape (n_columns,), object
        "gaussian" or "exponential".
    aic_ : dict of str to ndarray of shape (n_columns,)
        Each candidate's AIC.
    n_features_in_ : int
    """

    def fit(self, X, y=None) -> AICSelector:
        """Fit both candidates to each column and compare their AIC."""
        X = samples(X)
        n = X.shape[0]
        _, sigma = gaussian_mle(X)
        _, rate = exponential_mle(X)
        scores = {"gaussian": aic(gaussian_max_loglik(n, sigma), N_PARAMS["gaussian"]),
                  "exponential": aic(exponential_max_loglik(n, rate), N_PARAMS["exponential"])}
        self.aic_ = scores
        self.family_ = _choose(-scores["gaussian"], -scores["exponential"])
        self.n_features_in_ = X.shape[1]
        return self
