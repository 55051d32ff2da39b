"""A normality test as a Gaussianity call: D'Agostino-Pearson K^2 on each column.

The contrast to the eyeball test: the same question ("is this sample Gaussian?") asked of
the data's skewness and kurtosis with a stated error rate, rather than of a histogram's
shape by R^2. ``scipy.stats.normaltest`` (D'Agostino 1971; D'Agostino & Pearson 1973):
``K^2 = Z_skew^2 + Z_kurt^2``, chi-squared with 2 degrees of freedom under normality. A
sample is called Gaussian when the test does not reject at level ``alpha``: a true Gaussian
is called Gaussian with probability ``1 - alpha`` at every n (up to the test's
approximations), and the test's power against a non-Gaussian law grows with n.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator

from floor.validation import check_interval
from methods.curves.fits import gaussian_mle, samples

# scipy's skewness test needs at least 8 points.
MIN_SAMPLES = 8


class NormalityTest(BaseEstimator):
    """Call each column Gaussian unless D'Agostino-Pearson's K^2 test rejects at ``alpha``.

    Parameters
    ----------
    alpha : float, default=0.05
        Level of the test, in (0, 1).

    Attributes
    ----------
    statistic_, pvalue_ : ndarray of shape (n_columns,)
        K^2 and its chi-squared(2) p-value.
    family_ : ndarray of shape (n_columns,), object
        "gaussian" where ``pvalue_ >= alpha``, else "not_gaussian".
    n_features_in_ : int
    """

    def __init__(self, alpha=0.05):
        self.alpha = alpha

    def fit(self, X, y=None) -> NormalityTest:
        """Test each column of ``X`` (at least 8 rows, no constant column)."""
        alpha = check_interval(self.alpha, "alpha", 0.0, 1.0, low_open=True, high_open=True)
        X = samples(X, min_samples=MIN_SAMPLES)
        # K^2 is location-scale invariant; standardising first keeps scipy's third and
        # fourth powers inside float64 at any scale (at 1e150 they overflow to NaN).
        mu, sigma = gaussian_mle(X)
        res = stats.normaltest((X - mu) / sigma, axis=0)
        self.statistic_ = np.asarray(res.statistic, dtype=np.float64)
        self.pvalue_ = np.asarray(res.pvalue, dtype=np.float64)
        self.family_ = np.where(self.pvalue_ >= alpha, "gaussian", "not_gaussian").astype(object)
        self.n_features_in_ = X.shape[1]
        return self
