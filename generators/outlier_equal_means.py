"""Two classes with exactly equal means but different medians: outliers fool the mean.

Along a concept direction ``u`` class 0 sits at ``+1`` (90% of its rows) and at ``-9``
(10%), class 1 is the mirror image. Both class means are exactly the same, so every
eraser that equalises class means (LEACE, mean projection, mean matching) has nothing to
remove, and a logistic probe is at chance; yet a threshold at 0 along ``u`` is right 90%
of the time. Equal means guard every convex loss (Belrose et al. 2023, Thm 3.1), not 0-1
accuracy.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_int, check_interval, check_positive_float
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng


def _class_axis_values(n_class: int, outlier_fraction: float, sign: float) -> np.ndarray:
    """Concept-axis values of one class: inliers at ``sign``, outliers placed so the mean is 0."""
    n_out = max(1, int(round(outlier_fraction * n_class)))
    if n_out >= n_class:
        raise ValueError(
            f"outlier_fraction={outlier_fraction} leaves no inliers in a class of {n_class}"
        )
    outlier = -sign * (n_class - n_out) / n_out
    return np.concatenate([np.full(n_class - n_out, sign), np.full(n_out, outlier)])


def make_outlier_equal_means(
    n_samples: int = 2000,
    n_features: int = 16,
    outlier_fraction: float = 0.1,
    noise: float = 1.0,
    axis_noise: float = 0.0,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Outlier-heavy two-class set with equal class means (to machine precision).

    Each class has ``n_c`` rows (``n_0 = n // 2``, ``n_1 = n - n_0``). Along the unit
    concept direction ``u``, class 0 takes the value ``+1`` on ``n_c - k`` rows and
    ``-(n_c - k) / k`` (``-9`` for a 10% fraction) on ``k = round(outlier_fraction n_c)``
    rows; class 1 the mirror image. So the class means along ``u`` are exactly 0 while the
    class medians are ``+1`` and ``-1``. Optional Gaussian noise ``axis_noise`` along ``u``
    and isotropic Gaussian noise ``noise`` in the orthogonal complement are centred within
    each class, so the sample class means stay equal to rounding error. A random offset
    ``m`` (structure stream) is added to every row: ``x = t u + e + m``.

    Parameters
    ----------
    n_samples : int, default=2000
        Rows of this split (>= 4).
    n_features : int, default=16
        Dimension ``d`` (>= 1).
    outlier_fraction : float, default=0.1
        Fraction of each class on the far side, in (0, 0.5).
    noise : float, default=1.0
        Standard deviation of the isotropic noise orthogonal to ``u`` (>= 0).
    axis_noise : float, default=0.0
        Standard deviation of the noise along ``u`` (>= 0).
    random_state : int or SeedSequence, default=0
        Seed of the dataset.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``ground_truth``: ``concept_directions`` (d, 1) holding ``u``; ``class_means`` (2, d)
        (both ``m``); ``class_medians_on_axis`` (+1, -1); ``best_linear_accuracy``, the
        balanced accuracy of the threshold at 0 along ``u``: the mean over the two classes
        of ``(1 - f_c) Phi(1 / s) + f_c Phi(-far_c / s)`` for axis noise ``s``, each class's
        realised outlier fraction ``f_c = k_c / n_c`` and far value ``far_c = (n_c - k_c) /
        k_c`` (``f`` and 9 at the default sizes: 0.9 at ``s = 0``; at ``n_samples = 4`` a
        class has one outlier in two rows); ``bayes_accuracy`` of the best rule, 1.0 at
        ``s = 0`` (the four atoms are distinct; for ``s > 0`` the threshold rule's value is a
        lower bound); ``n_classes`` 2.
    """
    n = check_int(n_samples, "n_samples", 4)
    d = check_int(n_features, "n_features", 1)
    frac = check_interval(outlier_fraction, "outlier_fraction", 0.0, 0.5, low_open=True,
                          high_open=True)
    sigma = check_positive_float(noise, "noise", allow_zero=True)
    s_axis = check_positive_float(axis_noise, "axis_noise", allow_zero=True)

    srng = structure_rng(random_state)
    basis = random_orthonormal(srng, d, d)
    u = basis[:, 0]
    offset = srng.standard_normal(d)

    rng = split_rng(random_state, split)
    counts = (n // 2, n - n // 2)
    blocks, labels = [], []
    for label, (n_c, sign) in enumerate(zip(counts, (1.0, -1.0), strict=True)):
        coords = np.zeros((n_c, d))
        coords[:, 0] = _class_axis_values(n_c, frac, sign)
        coords[:, 0] += s_axis * rng.standard_normal(n_c)
        coords[:, 1:] = sigma * rng.standard_normal((n_c, d - 1))
        coords[:, 0] -= coords[:, 0].mean() if s_axis > 0 else 0.0
        coords[:, 1:] -= coords[:, 1:].mean(axis=0)
        blocks.append(coords)
        labels.append(np.full(n_c, label))
    order = rng.permutation(n)
    X = (np.concatenate(blocks) @ basis.T + offset)[order]
    y = np.concatenate(labels)[order]

    # Each class's realised outlier fraction: k_c = max(1, round(f n_c)) of its n_c rows,
    # which is f itself at the grid's sizes but not in a class of 5 rows.
    per_class = []
    for n_c in counts:
        k = max(1, int(round(frac * n_c)))
        f_c, far = k / n_c, (n_c - k) / k
        if s_axis > 0:
            per_class.append((1 - f_c) * norm.cdf(1 / s_axis) + f_c * norm.cdf(-far / s_axis))
        else:
            per_class.append(1 - f_c)
    linear = float(np.mean(per_class))
    bayes = linear if s_axis > 0 else 1.0
    truth = {
        "concept_directions": u[:, None],
        "class_means": np.stack([offset, offset]),
        "class_medians_on_axis": (1.0, -1.0),
        "best_linear_accuracy": float(linear),
        "bayes_accuracy": float(bayes),
        "n_classes": 2,
    }
    params = dict(n_samples=n, n_features=d, outlier_fraction=frac, noise=sigma,
                  axis_noise=s_axis, random_state=repr(random_state), split=split)
    return Dataset("outlier_equal_means", X=np.ascontiguousarray(X), y=y,
                   ground_truth=truth, params=params)
