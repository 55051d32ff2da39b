"""The eyeball test: does a Gaussian drawn over the histogram fit the bars?

What people do when they say a score distribution "looks Gaussian": plot a density
histogram, overlay the Gaussian with the sample's mean and standard deviation, and judge the
fit; the number behind the judgement is the R^2 of the overlaid curve against the bar
heights. Here, per column:

- bins as `numpy.histogram` makes them with a named rule (reproduced exactly, bin for bin):
  "sqrt" (default; ``ceil(sqrt(n))`` bins, the square-root choice of spreadsheet histogram
  tools), "fd" (Freedman & Diaconis 1981: width ``2 IQR n^(-1/3)``), "sturges" (Sturges
  1926: ``ceil(log2 n + 1)`` bins) or a fixed count; equal-width bins from the minimum to
  the maximum;
- bar heights ``h_j = count_j / (n width)`` (a density histogram, as
  ``plt.hist(x, density=True)``);
- the overlaid Gaussian is the maximum-likelihood fit (mean, 1/n standard deviation), as
  ``scipy.stats.norm.fit`` and seaborn's ``distplot(x, fit=norm)`` draw it, evaluated at
  the bin centres ``c_j``;
- ``R^2 = 1 - sum_j (h_j - f(c_j))^2 / sum_j (h_j - mean(h))^2``; a histogram whose bars
  are all equal (one bin) has no shape to match: R^2 = 0.

The sample "looks Gaussian" when ``R^2 >= threshold`` (0.9 by default; 0.95 is the stricter
reading). This is a judgement of shape against sampling noise: at small n the bars are so
noisy that no sample, Gaussian or not, reaches 0.9.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator

from floor.validation import InvalidArgumentError, check_interval
from methods.curves.fits import gaussian_mle, samples

BIN_RULES = ("sqrt", "fd", "sturges")


def _check_bins(bins):
    if isinstance(bins, str):
        if bins not in BIN_RULES:
            raise ValueError(f"bins must be one of {BIN_RULES} or an int >= 1, got {bins!r}")
        return bins
    if isinstance(bins, (bool, np.bool_)) or not isinstance(bins, (numbers.Integral,
                                                                   np.integer)):
        raise InvalidArgumentError(f"bins must be one of {BIN_RULES} or an int >= 1, got "
                                   f"{type(bins).__name__} {bins!r}")
    if bins < 1:
        raise ValueError(f"bins must be an int >= 1, got {bins!r}")
    return int(bins)


def bin_counts(X: np.ndarray, bins="sqrt") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column, the number of bins and the bins of ``numpy.histogram(x, bins)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)
        Finite samples, no constant column (`methods.curves.fits.samples`).
    bins : {"sqrt", "fd", "sturges"} or int, default="sqrt"

    Returns
    -------
    n_bins : ndarray of int, shape (n_columns,)
    edges : ndarray of shape (n_columns, max(n_bins) + 1)
        Bin edges of each column, padded with NaN beyond its own ``n_bins + 1``.
    counts : ndarray of shape (n_columns, max(n_bins))
        Counts, 0 beyond a column's own bins.
    """
    bins = _check_bins(bins)
    n, k = X.shape
    first, last = X.min(axis=0), X.max(axis=0)
    ptp = last - first
    if isinstance(bins, int):
        nb = np.full(k, bins)
    else:
        if bins == "sqrt":
            width = ptp / np.sqrt(n)
        elif bins == "sturges":
            width = ptp / (np.log2(n) + 1.0)
        else:
            q75, q25 = np.percentile(X, [75, 25], axis=0)
            width = 2.0 * (q75 - q25) * n ** (-1.0 / 3.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            nb = np.where(width > 0, np.ceil(ptp / width), 1.0).astype(np.intp)
    B = int(nb.max())
    step = ptp / nb
    i = np.arange(B + 1)[None, :]
    edges = first[:, None] + i * step[:, None]
    edges = np.where(i == nb[:, None], last[:, None], edges)
    edges = np.where(i <= nb[:, None], edges, np.nan)
    # numpy.histogram's indexing: scale, truncate, fold the maximum into the last bin, then
    # correct by one where rounding put a value on the wrong side of an edge.
    idx = ((X - first) / ptp * nb).astype(np.intp)
    idx = np.where(idx == nb, idx - 1, idx)
    cols = np.arange(k)
    idx = np.where(X < edges[cols, idx], idx - 1, idx)
    idx = np.where((X >= edges[cols, idx + 1]) & (idx != nb - 1), idx + 1, idx)
    counts = np.bincount((cols * B + idx).ravel(), minlength=k * B).reshape(k, B)
    return nb, edges, counts.astype(np.float64)


def histogram_r2(X: np.ndarray, bins="sqrt") -> tuple[np.ndarray, np.ndarray]:
    """Per column: R^2 of the maximum-likelihood Gaussian against the density histogram.

    Returns ``(r2, n_bins)``, both of shape (n_columns,); see the module docstring.
    """
    n = X.shape[0]
    nb, edges, counts = bin_counts(X, bins)
    B = counts.shape[1]
    inside = np.arange(B)[None, :] < nb[:, None]
    width = (X.max(axis=0) - X.min(axis=0)) / nb
    heights = counts / (n * width[:, None])
    centres = np.where(inside, 0.5 * (edges[:, :-1] + edges[:, 1:]), 0.0)
    mu, sigma = gaussian_mle(X)
    z = (centres - mu[:, None]) / sigma[:, None]
    curve = np.exp(-0.5 * z * z) / (np.sqrt(2.0 * np.pi) * sigma[:, None])
    mean_h = np.where(inside, heights, 0.0).sum(axis=1) / nb
    ss_tot = np.where(inside, (heights - mean_h[:, None]) ** 2, 0.0).sum(axis=1)
    ss_res = np.where(inside, (heights - curve) ** 2, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / ss_tot, 0.0)
    return r2, nb


class EyeballGaussian(BaseEstimator):
    """Call a sample Gaussian when the overlaid Gaussian fits its histogram: R^2 >= threshold.

    Parameters
    ----------
    bins : {"sqrt", "fd", "sturges"} or int, default="sqrt"
        Bin rule of `numpy.histogram` (see the module docstring).
    threshold : float, default=0.9
        R^2 at or above which the sample "looks Gaussian", in (0, 1].

    Attributes
    ----------
    r2_ : ndarray of shape (n_columns,)
        R^2 of the fitted Gaussian density against the bar heights.
    n_bins_ : ndarray of int, shape (n_columns,)
    mean_, scale_ : ndarray of shape (n_columns,)
        The overlaid Gaussian (maximum likelihood).
    looks_gaussian_ : ndarray of bool, shape (n_columns,)
    family_ : ndarray of shape (n_columns,), object
        "gaussian" where it looks Gaussian, else "not_gaussian".
    n_features_in_ : int
    """

    def __init__(self, bins="sqrt", threshold=0.9):
        self.bins = bins
        self.threshold = threshold

    def fit(self, X, y=None) -> EyeballGaussian:
        """Histogram each column, overlay its Gaussian fit, read R^2."""
        _check_bins(self.bins)
        threshold = check_interval(self.threshold, "threshold", 0.0, 1.0, low_open=True)
        X = samples(X)
        self.r2_, self.n_bins_ = histogram_r2(X, self.bins)
        self.mean_, self.scale_ = gaussian_mle(X)
        self.looks_gaussian_ = self.r2_ >= threshold
        self.family_ = np.where(self.looks_gaussian_, "gaussian", "not_gaussian").astype(object)
        self.n_features_in_ = X.shape[1]
        return self
