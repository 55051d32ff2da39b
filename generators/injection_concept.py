"""A concept that erasers which use the label at transform time *inject* into the data.

Quirke & Belrose (2025, arXiv 2502.02820) and EleutherAI on oracle LEACE: an eraser that
moves each class by its own map (oracle LEACE's ``x - E[x | z] + E[x]``, here
`methods.erasure.mean_matching.MeanMatchingEraser`; QLEACE's per-class transport,
`methods.erasure.qleace.QuadraticLeaceEraser`) makes the first two class-conditional moments
equal, but where the class-conditional distributions are not Gaussian the per-class maps
move each class's *shape* to a different place: the erased data carry the class in their
position, and a nonlinear probe reads the concept *better* after erasure than before.

Here both classes share two clusters at ``+s u`` and ``-s u`` along a unit concept direction
``u`` (isotropic noise ``sigma`` in every direction); class 0 sits at ``+s u`` with
probability ``1/2 + a``, class 1 with probability ``1/2 - a``. Before erasure the label is
read only through the cluster a row is in: Bayes balanced accuracy about ``1/2 + a``
(0.7 at ``a = 0.2``). The class means are ``+-2 a s u``; mean matching translates class 0
by ``-2 a s u`` and class 1 by ``+2 a s u``, so the four clusters land at
``s (1 - 2a)``, ``-s (1 + 2a)`` (class 0) and ``s (1 + 2a)``, ``-s (1 - 2a)`` (class 1)
along ``u``: interleaved, ``4 a s`` apart, which a nonlinear probe separates almost
perfectly (Bayes about 1 at ``sigma = 0.1``). The two classes have the same covariance
(``4 (1/4 - a^2) s^2`` along ``u``), so QLEACE's maps are the identity plus the same
translations: QLEACE injects the same concept. A class-independent eraser (LEACE, the
oracle projection of ``u``) removes ``u`` and with it everything: no injection.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from floor.validation import check_int, check_interval, check_positive_float
from generators._structure import random_orthonormal
from generators.dataset import Dataset
from generators.seeding import SeedLike, split_rng, structure_rng

# Points of the quadrature of the after-erasure Bayes accuracy (a 1-D integral): the grid
# spans every cluster +- 12 sigma, where the Gaussian tail is below 1e-32.
_QUADRATURE_POINTS = 20001
# Two clusters of different classes further apart than this many sigma do not overlap in
# float64 (Phi(-20) ~ 3e-89): the integral splits into independent pieces.
_APART = 40.0


def _bayes_of_mixtures(centres0, weights0, centres1, weights1, sigma: float) -> float:
    """Balanced Bayes accuracy of two 1-D Gaussian mixtures (common ``sigma``):
    ``1/2 int max(f_0, f_1) dx``, by the trapezoid rule on a grid that spans every centre
    +- 12 sigma."""
    centres = np.concatenate([centres0, centres1])
    x = np.linspace(centres.min() - 12 * sigma, centres.max() + 12 * sigma, _QUADRATURE_POINTS)

    def density(c, w):
        return (np.asarray(w)[:, None] * norm.pdf(x[None, :], np.asarray(c)[:, None],
                                                  sigma)).sum(axis=0)

    best = np.maximum(density(centres0, weights0), density(centres1, weights1))
    return float(0.5 * np.trapezoid(best, x))


def _pair_bayes(p: float, q: float, g: float) -> float:
    """``int max(p phi(x), q phi(x - g)) dx`` for ``p >= q``, ``g >= 0`` (unit sigma):
    ``p Phi(t) + q Phi(g - t)`` at the crossing ``t = g / 2 + ln(p / q) / g``."""
    if g == 0.0:
        return p
    t = g / 2 + np.log(p / q) / g
    return float(p * norm.cdf(t) + q * norm.cdf(g - t))


def _bayes_after_matching(a: float, r: float) -> float:
    """Balanced Bayes accuracy once each class is translated by its own mean, ``r = s /
    sigma``: class 0 at ``r (1 - 2a)`` (weight 1/2 + a) and ``-r (1 + 2a)`` (1/2 - a),
    class 1 mirrored, in units of sigma.

    Pieces further apart than `_APART` are independent: when the two pairs around ``+-r``
    are (``2 r (1 - 2a)`` apart), each is two Gaussians ``4 a r`` apart with weights
    ``1/2 +- a`` (`_pair_bayes`, the same for both by symmetry); when instead the outer
    clusters are isolated (``4 a r`` apart from the rest), they count fully and the inner
    two, of equal weight ``1/2 + a``, are ``2 r (1 - 2a)`` apart. Otherwise ``r <= 40`` and
    the integral is taken by quadrature (`_bayes_of_mixtures`). The split keeps the value
    exact in float64 for every ``r`` (a grid over ``+-r`` would not resolve ``r = 1e12``).
    """
    if 2 * r * (1 - 2 * a) > _APART:
        return _pair_bayes(0.5 + a, 0.5 - a, 4 * a * r)
    if 4 * a * r > _APART:
        return float((0.5 - a) + (0.5 + a) * norm.cdf(r * (1 - 2 * a)))
    return _bayes_of_mixtures([r * (1 - 2 * a), -r * (1 + 2 * a)], [0.5 + a, 0.5 - a],
                              [r * (1 + 2 * a), -r * (1 - 2 * a)], [0.5 - a, 0.5 + a], 1.0)


def make_injection_concept(
    n_samples: int = 2000,
    n_features: int = 16,
    imbalance: float = 0.2,
    spread: float = 1.0,
    noise: float = 0.1,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """Two shared clusters along ``u``, visited by the two classes at different rates.

    ``x = c s u + sigma e + m`` with ``c = +1`` with probability ``1/2 + a`` in class 0 and
    ``1/2 - a`` in class 1 (``c = -1`` otherwise), ``e ~ N(0, I_d)``, labels
    ``z ~ Bernoulli(1/2)``; the unit direction ``u`` and the offset ``m ~ N(0, I_d)`` come
    from the structure stream (shared by every split).

    Parameters
    ----------
    n_samples : int, default=2000
        Rows of this split (>= 2).
    n_features : int, default=16
        Dimension ``d`` (>= 1).
    imbalance : float, default=0.2
        ``a`` in (0, 0.5): how much more often class 0 visits the ``+s u`` cluster.
    spread : float, default=1.0
        ``s`` (> 0), the clusters' distance from the centre along ``u``.
    noise : float, default=0.1
        ``sigma`` (> 0), the isotropic noise.
    random_state : int or SeedSequence, default=0
        Seed of the dataset; structure and each split draw from separate child streams.
    split : int, default=0
        Which sample (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n, d), ``y`` (n,) in {0, 1}; ``ground_truth``: ``concept_directions``
        (d, 1) ``u``; ``class_means`` (2, d) ``m +- 2 a s u``; ``bayes_accuracy`` before
        erasure, ``(1/2 + a) Phi(s / sigma) + (1/2 - a) Phi(-s / sigma)`` (the rule "class
        0 iff ``u . (x - m) > 0``" is optimal by symmetry); ``best_linear_accuracy`` (the
        same: that rule is linear); ``bayes_accuracy_after_oracle_leace``: the balanced Bayes
        accuracy once each class is translated onto the overall mean by its population
        class mean (mean matching, oracle LEACE; QLEACE likewise, its maps being the
        identity here), from the four interleaved clusters along ``u``
        (`_bayes_after_matching`: closed forms where they separate, else quadrature);
        ``bayes_accuracy_after_leace`` 0.5 (a class-independent eraser that removes ``u``
        leaves identical class distributions); ``injection`` the difference of the two
        Bayes accuracies, after oracle LEACE minus before: positive when the noise is small
        against the clusters' shift ``4 a s`` (0.30 at the defaults), negative when it is
        not (``a = 0.25``, ``s = sigma``: 0.567 after against 0.671 before, as the shift
        then blurs more than it separates); ``n_classes`` 2.
    """
    n = check_int(n_samples, "n_samples", 2)
    d = check_int(n_features, "n_features", 1)
    a = check_interval(imbalance, "imbalance", 0.0, 0.5, low_open=True, high_open=True)
    s = check_positive_float(spread, "spread")
    sigma = check_positive_float(noise, "noise")
    srng = structure_rng(random_state)
    u = random_orthonormal(srng, d, 1)[:, 0]
    offset = srng.standard_normal(d)

    rng = split_rng(random_state, split)
    y = rng.integers(0, 2, size=n)
    p_plus = np.where(y == 0, 0.5 + a, 0.5 - a)
    c = np.where(rng.random(n) < p_plus, 1.0, -1.0)
    X = offset + np.outer(c * s, u) + sigma * rng.standard_normal((n, d))

    before = float((0.5 + a) * norm.cdf(s / sigma) + (0.5 - a) * norm.cdf(-s / sigma))
    shift = 2 * a * s  # |class mean - overall mean| along u, per class
    after = _bayes_after_matching(a, s / sigma)
    truth = {
        "concept_directions": u[:, None],
        "class_means": np.stack([offset + shift * u, offset - shift * u]),
        "bayes_accuracy": before,
        "best_linear_accuracy": before,
        "bayes_accuracy_after_oracle_leace": after,
        "bayes_accuracy_after_leace": 0.5,
        "injection": after - before,
        "n_classes": 2,
    }
    params = dict(n_samples=n, n_features=d, imbalance=a, spread=s, noise=sigma,
                  random_state=repr(random_state), split=split)
    return Dataset("injection_concept", X=np.ascontiguousarray(X), y=y, ground_truth=truth,
                   params=params)
