"""The noise floor of a comparison: when can the suite say "A scores higher than B"?

Every score is a mean over seeds, and two methods' means differ by chance alone. Chanin
(2026) measured that the seed-to-seed noise of published SAE metrics spans two orders of
magnitude and that two of them cannot separate SAEs at all. A difference is *called* here
only when its 95% interval excludes 0; otherwise it is **within noise**, and no sentence of
the suite says one method beats the other.

Two designs:

- **paired** (the suite's grid and studies: seed ``s`` gives every method the same data and
  the same initialisation stream): the differences ``d_s = a_s - b_s`` over the ``n``
  shared seeds, mean ``dbar`` and Student-t interval ``dbar +- t_{n-1} s_d / sqrt(n)``.
  Shared data cancels the seed-to-seed variation of the data itself, so a paired interval
  is usually much narrower than the two means' intervals (whose overlap the suite used to
  read as "not separated": a conservative rule that misses real differences and a wrong
  one for unpaired readers who compare overlapping intervals at 95%).
- **unpaired** (different data, or a published number beside ours): Welch's interval,
  ``abar - bbar +- t_nu sqrt(s_a^2 / n_a + s_b^2 / n_b)`` with Welch-Satterthwaite ``nu``.

The **floor** of a metric at ``n`` seeds is the smallest difference a paired comparison
can call at that seed count, read from the spread of the per-seed differences:
``floor = t_{1 - alpha/2, n-1} s_d / sqrt(n)`` (a difference whose mean is below it is
never called, whatever its sign). A metric's floor is reported per family from the spread
its methods show (`floor_of_metric`).

References
----------
Chanin (2026), an audit of SAE evaluation metrics across reseeds, arXiv 2605.18229.
Student (1908); Welch (1947), "The generalization of Student's problem when several
different population variances are involved", Biometrika 34.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from floor.validation import confidence_level, float_array
from metrics.statistics import Estimate

# The confidence of every comparison the report words ("A above B" / "within noise").
COMPARISON_CONFIDENCE = 0.95
# The words of a comparison's verdict.
ABOVE, BELOW, WITHIN = "above", "below", "within noise"


def _values(values, name: str) -> np.ndarray:
    arr = float_array(values, name, finite=False).ravel()
    if arr.size == 0:
        raise ValueError(f"{name} must contain at least one seed")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _t(confidence: float, df: float) -> float:
    return float(stats.t.ppf(0.5 + confidence / 2, df=df))


def paired_difference(a, b, confidence: float = COMPARISON_CONFIDENCE) -> Estimate:
    """Mean of ``a_s - b_s`` over shared seeds with its Student-t interval.

    Parameters
    ----------
    a, b : array-like of shape (n_seeds,)
        Per-seed scores of two methods on the same seeds (same data, same streams).
    confidence : float, default=0.95

    Returns
    -------
    Estimate
        ``value = mean(a - b)``, ``[low, high] = value -+ t_{n-1} sd(a - b) / sqrt(n)``;
        with one seed the interval is unbounded (``-inf, inf``): one seed calls nothing.
    """
    confidence = confidence_level(confidence)
    a, b = _values(a, "a"), _values(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must hold the same seeds, got {a.size} and {b.size} values")
    d = a - b
    mean = float(d.mean())
    if d.size == 1:
        return Estimate(mean, -np.inf, np.inf, 1, confidence)
    half = _t(confidence, d.size - 1) * float(d.std(ddof=1)) / np.sqrt(d.size)
    return Estimate(mean, mean - half, mean + half, int(d.size), confidence)


def welch_difference(a, b, confidence: float = COMPARISON_CONFIDENCE) -> Estimate:
    """``mean(a) - mean(b)`` for independent samples, with Welch's interval.

    ``n`` of the result is ``min(n_a, n_b)``. A side with one value has no spread: the
    interval is then unbounded unless both sides have two or more values.
    """
    confidence = confidence_level(confidence)
    a, b = _values(a, "a"), _values(b, "b")
    mean = float(a.mean() - b.mean())
    n = int(min(a.size, b.size))
    if a.size < 2 or b.size < 2:
        return Estimate(mean, -np.inf, np.inf, n, confidence)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se2 = float(va + vb)
    if se2 == 0.0:
        return Estimate(mean, mean, mean, n, confidence)
    df = se2**2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = _t(confidence, df) * np.sqrt(se2)
    return Estimate(mean, mean - half, mean + half, n, confidence)


def verdict(difference: Estimate) -> str:
    """``"above"`` when the interval of ``a - b`` lies above 0, ``"below"`` when below,
    else ``"within noise"``."""
    if difference.low > 0:
        return ABOVE
    if difference.high < 0:
        return BELOW
    return WITHIN


def compare(a, b, paired: bool = True, confidence: float = COMPARISON_CONFIDENCE) -> dict:
    """One comparison as the report stores it.

    Returns
    -------
    dict
        ``{"difference": Estimate.to_dict(), "verdict": "above" | "below" | "within
        noise", "paired": bool}``; ``verdict`` reads ``a`` against ``b``.
    """
    est = (paired_difference if paired else welch_difference)(a, b, confidence)
    return {"difference": est.to_dict(), "verdict": verdict(est), "paired": bool(paired)}


def smallest_callable(sd: float, n: int, paired: bool = True,
                      confidence: float = COMPARISON_CONFIDENCE) -> float:
    """The smallest mean difference callable at ``n`` seeds per method.

    Paired: ``t_{n-1} sd / sqrt(n)`` with ``sd`` the spread of the per-seed differences.
    Unpaired, equal spreads ``sd`` on both sides: ``t_{2n-2} sd sqrt(2 / n)``. ``inf`` at
    one seed.
    """
    confidence = confidence_level(confidence)
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not np.isfinite(sd) or sd < 0:
        raise ValueError(f"sd must be a finite number >= 0, got {sd!r}")
    if n == 1:
        return float("inf")
    if paired:
        return _t(confidence, n - 1) * float(sd) / np.sqrt(n)
    return _t(confidence, 2 * n - 2) * float(sd) * np.sqrt(2.0 / n)


def floor_of_metric(per_seed: dict, confidence: float = COMPARISON_CONFIDENCE) -> dict:
    """A metric's noise floor from every method's per-seed values on one shared set of seeds.

    Parameters
    ----------
    per_seed : dict
        ``{method: array of per-seed values}``, all on the same seeds (at least two methods
        and two seeds).

    Returns
    -------
    dict
        ``"n_seeds"``; ``"seed_sd"``: the median over methods of the per-seed standard
        deviation (the spread of one method across reseeds); ``"paired_sd"``: the median
        over method pairs of the standard deviation of their per-seed differences;
        ``"floor"``: `smallest_callable` of ``paired_sd`` (paired) and ``"unpaired_floor"``
        of ``seed_sd``; ``"n_pairs"``.
    """
    names = sorted(per_seed)
    if len(names) < 2:
        raise ValueError(f"per_seed must hold at least two methods, got {len(names)}")
    cols = {name: _values(per_seed[name], f"per_seed[{name!r}]") for name in names}
    n = {v.size for v in cols.values()}
    if len(n) != 1:
        raise ValueError(f"every method must have the same seeds, got counts {sorted(n)}")
    n_seeds = n.pop()
    if n_seeds < 2:
        raise ValueError("per_seed needs at least two seeds to have a spread")
    seed_sd = float(np.median([v.std(ddof=1) for v in cols.values()]))
    diffs = [cols[x] - cols[y] for i, x in enumerate(names) for y in names[i + 1:]]
    paired_sd = float(np.median([d.std(ddof=1) for d in diffs]))
    return {"n_seeds": int(n_seeds), "seed_sd": seed_sd, "paired_sd": paired_sd,
            "floor": smallest_callable(paired_sd, n_seeds, True, confidence),
            "unpaired_floor": smallest_callable(seed_sd, n_seeds, False, confidence),
            "n_pairs": len(diffs), "confidence": float(confidence)}
