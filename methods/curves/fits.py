"""Maximum-likelihood fits of a Gaussian and of a shifted exponential, column by column.

Closed forms (each column ``x_1..x_n`` one sample):

- Gaussian ``N(mu, sigma^2)``: ``mu = mean(x)``, ``sigma^2 = (1/n) sum (x_i - mu)^2`` (the
  MLE, not the unbiased ``1/(n-1)``); maximised log-likelihood
  ``-n/2 log(2 pi sigma^2) - n/2``.
- Shifted exponential, density ``rate exp(-rate (x - loc))`` for ``x >= loc``:
  ``loc = min(x)`` (the likelihood grows with ``loc`` up to the smallest point),
  ``rate = 1 / (mean(x) - loc)``; maximised log-likelihood ``n log(rate) - n``. Points
  below ``loc`` have density 0: log-likelihood ``-inf``.
- AIC (Akaike 1974): ``2 k - 2 loglik``, ``k`` the number of fitted parameters (2 for both).

A column whose values are all equal has no finite MLE (``sigma = 0``, ``rate = inf``) and
is refused.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin

from floor.validation import check_array, check_is_fitted

LOG_2PI = float(np.log(2.0 * np.pi))
N_PARAMS = {"gaussian": 2, "exponential": 2}


def samples(X, name: str = "X", *, min_samples: int = 2) -> np.ndarray:
    """``X`` as a float64 (n_samples, n_columns) array; refuses a constant column.

    Raises ValueError naming ``name`` for what `floor.validation.check_array` refuses and
    for a column whose values are all equal (no finite maximum-likelihood fit).
    """
    arr = check_array(X, name, min_samples=min_samples)
    flat = np.ptp(arr, axis=0) == 0
    if np.any(flat):
        raise ValueError(f"{name} has a constant column ({int(np.argmax(flat))}): its "
                         "maximum-likelihood scale is 0, the log-likelihood unbounded")
    return arr


def gaussian_mle(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column: ``(mu, sigma)``, the mean and the 1/n standard deviation."""
    mu = X.mean(axis=0)
    return mu, np.sqrt(np.mean((X - mu) ** 2, axis=0))


def exponential_mle(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column: ``(loc, rate)``, the minimum and ``1 / (mean - min)``."""
    loc = X.min(axis=0)
    return loc, 1.0 / (X.mean(axis=0) - loc)


def gaussian_logpdf(X: np.ndarray, mu, sigma) -> np.ndarray:
    """``log N(x; mu, sigma^2)`` entry by entry (``mu``, ``sigma`` broadcast per column)."""
    z = (X - mu) / sigma
    return -0.5 * (LOG_2PI + z * z) - np.log(sigma)


def exponential_logpdf(X: np.ndarray, loc, rate) -> np.ndarray:
    """``log rate - rate (x - loc)`` for ``x >= loc``, ``-inf`` below ``loc``."""
    with np.errstate(invalid="ignore"):
        out = np.log(rate) - rate * (X - loc)
    return np.where(X >= loc, out, -np.inf)


def gaussian_max_loglik(n: int, sigma) -> np.ndarray:
    """Maximised Gaussian log-likelihood of a sample of size ``n``: ``-n/2 (log 2 pi s^2 + 1)``."""
    return -0.5 * n * (LOG_2PI + 2.0 * np.log(sigma) + 1.0)


def exponential_max_loglik(n: int, rate) -> np.ndarray:
    """Maximised shifted-exponential log-likelihood: ``n log(rate) - n``."""
    return n * np.log(rate) - n


def aic(loglik, n_params: int) -> np.ndarray:
    """Akaike's information criterion ``2 k - 2 loglik`` (lower is better)."""
    return 2.0 * n_params - 2.0 * np.asarray(loglik, dtype=np.float64)


class _ColumnDensity(DensityMixin, BaseEstimator):
    """A product of independent 1-D densities, one per column, fitted by maximum likelihood.

    ``score_samples(X)`` is the log-density of each row, the sum of the columns'
    log-densities; ``score(X)`` the total log-likelihood (as scikit-learn's KernelDensity);
    ``column_loglik(X)`` the log-likelihood of each column's sample.
    """

    def _logpdf(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _checked(self, X) -> np.ndarray:
        check_is_fitted(self)
        return check_array(X, "X", min_samples=1, n_features=self.n_features_in_,
                           estimator=self)

    def column_loglik(self, X) -> np.ndarray:
        """Log-likelihood of each column of ``X`` under its fitted law, shape (n_columns,)."""
        return self._logpdf(self._checked(X)).sum(axis=0)

    def score_samples(self, X) -> np.ndarray:
        """Log-density of each row (sum over columns), shape (n_samples,)."""
        return self._logpdf(self._checked(X)).sum(axis=1)

    def score(self, X, y=None) -> float:
        """Total log-likelihood of ``X`` (``-inf`` if a point lies outside the support)."""
        return float(self.score_samples(X).sum())

    def aic(self) -> np.ndarray:
        """AIC of each column's fit on its training sample, ``2 k - 2 loglik_``."""
        check_is_fitted(self)
        return aic(self.loglik_, self.n_params)


class GaussianMLE(_ColumnDensity):
    """Gaussian fitted to each column by maximum likelihood (closed form).

    ``mean_ = mean(x)``, ``scale_ = sqrt((1/n) sum (x - mean_)^2)``.

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_columns,)
    loglik_ : ndarray of shape (n_columns,)
        Maximised log-likelihood of each training column, ``-n/2 (log 2 pi scale_^2 + 1)``.
    n_params : int
        2.
    n_features_in_ : int
    """

    n_params = N_PARAMS["gaussian"]

    def fit(self, X, y=None) -> GaussianMLE:
        """Fit each column of ``X`` (n_samples >= 2, no constant column)."""
        X = samples(X)
        self.mean_, self.scale_ = gaussian_mle(X)
        self.loglik_ = gaussian_max_loglik(X.shape[0], self.scale_)
        self.n_features_in_ = X.shape[1]
        return self

    def _logpdf(self, X):
        return gaussian_logpdf(X, self.mean_, self.scale_)


class ShiftedExponentialMLE(_ColumnDensity):
    """Shifted exponential fitted to each column by maximum likelihood (closed form).

    ``loc_ = min(x)``, ``rate_ = 1 / (mean(x) - loc_)``; a point below ``loc_`` has
    log-density ``-inf``.

    Attributes
    ----------
    loc_, rate_ : ndarray of shape (n_columns,)
    loglik_ : ndarray of shape (n_columns,)
        Maximised log-likelihood of each training column, ``n log(rate_) - n``.
    n_params : int
        2.
    n_features_in_ : int
    """

    n_params = N_PARAMS["exponential"]

    def fit(self, X, y=None) -> ShiftedExponentialMLE:
        """Fit each column of ``X`` (n_samples >= 2, no constant column)."""
        X = samples(X)
        self.loc_, self.rate_ = exponential_mle(X)
        self.loglik_ = exponential_max_loglik(X.shape[0], self.rate_)
        self.n_features_in_ = X.shape[1]
        return self

    def _logpdf(self, X):
        return exponential_logpdf(X, self.loc_, self.rate_)
