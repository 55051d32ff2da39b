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
- **paired binary** (a per-seed outcome that is 0 or 1: a check failed on that seed or
  not), where a t interval on three 0/1 differences means little: McNemar's exact test,
  i.e. a sign test on the ``n_d`` discordant seeds (``a_s != b_s``), ``k`` of which favour
  ``a``. Given ``n_d``, ``k ~ Binomial(n_d, 1/2)`` under no difference; the interval of
  ``a - b`` is ``(n_d / n) (2 p - 1)`` over the Clopper-Pearson interval of ``p = k / n_d``
  (conditional on ``n_d``), and it excludes 0 exactly when the two-sided exact test rejects
  at ``1 - confidence``. At 95% a binary difference needs at least 6 seeds that all
  disagree the same way: below 6 seeds it is never called (`binary_smallest_callable`).

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
McNemar (1947), "Note on the sampling error of the difference between correlated
proportions or percentages", Psychometrika 12; Clopper and Pearson (1934), Biometrika 26.
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


def is_binary(values) -> bool:
    """Whether every value is 0 or 1 (a per-seed outcome, not a score)."""
    arr = np.asarray(values, dtype=np.float64).ravel()
    return arr.size > 0 and bool(np.all((arr == 0.0) | (arr == 1.0)))


def binary_paired_difference(a, b, confidence: float = COMPARISON_CONFIDENCE) -> Estimate:
    """Mean of ``a_s - b_s`` for 0/1 outcomes on shared seeds, with McNemar's exact interval.

    Parameters
    ----------
    a, b : array-like of shape (n_seeds,)
        Per-seed outcomes (0 or 1) of two methods on the same seeds.
    confidence : float, default=0.95

    Returns
    -------
    Estimate
        ``value = (k - (n_d - k)) / n`` with ``n_d`` the discordant seeds and ``k`` those
        where ``a_s = 1, b_s = 0``; ``[low, high] = (n_d / n) (2 [p_lo, p_hi] - 1)`` with
        ``[p_lo, p_hi]`` the Clopper-Pearson interval of ``k / n_d``. No discordant seed:
        ``[0, 0]`` (the outcomes agree on every seed; nothing to call).
    """
    confidence = confidence_level(confidence)
    a, b = _values(a, "a"), _values(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must hold the same seeds, got {a.size} and {b.size} values")
    for name, arr in (("a", a), ("b", b)):
        if not is_binary(arr):
            raise ValueError(f"{name} must hold 0/1 outcomes, got {arr.tolist()}")
    n = a.size
    k = int(np.sum((a == 1) & (b == 0)))
    n_d = k + int(np.sum((a == 0) & (b == 1)))
    value = (2 * k - n_d) / n
    if n_d == 0:
        return Estimate(0.0, 0.0, 0.0, n, confidence)
    ci = stats.binomtest(k, n_d).proportion_ci(confidence, method="exact")
    scale = n_d / n
    return Estimate(value, scale * (2 * ci.low - 1), scale * (2 * ci.high - 1), n, confidence)


def binary_smallest_callable(n: int, confidence: float = COMPARISON_CONFIDENCE) -> float:
    """The smallest mean difference of 0/1 outcomes McNemar's exact test calls at ``n`` seeds.

    The minimum of ``|2 k - n_d| / n`` over the outcomes (``n_d <= n`` discordant seeds,
    ``k`` favouring one side) whose exact interval excludes 0; ``inf`` when none does (at
    95%, fewer than 6 seeds: ``2 / 2^5 = 0.0625 > 0.05``).
    """
    confidence = confidence_level(confidence)
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    best = float("inf")
    for n_d in range(1, n + 1):
        for k in range(n_d // 2 + 1, n_d + 1):
            if stats.binomtest(k, n_d).proportion_ci(confidence, method="exact").low > 0.5:
                best = min(best, (2 * k - n_d) / n)
                break
    return best


def verdict(difference: Estimate) -> str:
    """``"above"`` when the interval of ``a - b`` lies above 0, ``"below"`` when below,
    else ``"within noise"``."""
    if difference.low > 0:
        return ABOVE
    if difference.high < 0:
        return BELOW
    return WITHIN


def compare(a, b, paired: bool = True, confidence: float = COMPARISON_CONFIDENCE,
            binary: bool = False) -> dict:
    """One comparison as the report stores it.

    Parameters
    ----------
    a, b : array-like of shape (n_seeds,)
        Per-seed values (paired: on the same seeds, in the same order).
    paired : bool, default=True
    confidence : float, default=0.95
    binary : bool, default=False
        Paired 0/1 outcomes (a per-seed pass/fail), read with McNemar's exact test
        (`binary_paired_difference`) instead of the t interval. The caller says so: a
        score that happens to be 0 or 1 on every seed is still a score
        (`is_binary` tells whether values could be outcomes).

    Returns
    -------
    dict
        ``{"difference": Estimate.to_dict(), "verdict": "above" | "below" | "within
        noise", "paired": bool, "test": "paired t" | "Welch t" | "McNemar exact"}``;
        ``verdict`` reads ``a`` against ``b``.
    """
    if binary and not paired:
        raise ValueError("binary outcomes are compared paired only (McNemar's exact test)")
    if binary:
        est, test = binary_paired_difference(a, b, confidence), "McNemar exact"
    elif paired:
        est, test = paired_difference(a, b, confidence), "paired t"
    else:
        est, test = welch_difference(a, b, confidence), "Welch t"
    return {"difference": est.to_dict(), "verdict": verdict(est), "paired": bool(paired),
            "test": test}


def compare_shared_seeds(a, b, confidence: float = COMPARISON_CONFIDENCE) -> dict | None:
    """`compare` of ``a`` against ``b`` paired over the seeds both were measured on.

    Parameters
    ----------
    a, b : mapping of seed -> float, or None
        Per-seed values of two methods (None counts as no seeds).
    confidence : float, default=0.95

    Returns
    -------
    dict or None
        `compare`'s dict with ``n_shared``, the number of shared seeds; None below 2
        shared seeds (one seed calls nothing).
    """
    sa, sb = a or {}, b or {}
    shared = sorted(set(sa) & set(sb))
    if len(shared) < 2:
        return None
    out = compare([sa[s] for s in shared], [sb[s] for s in shared], paired=True,
                  confidence=confidence)
    out["n_shared"] = len(shared)
    return out


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


def floor_of_metric(per_seed: dict, confidence: float = COMPARISON_CONFIDENCE,
                    binary: bool = False) -> dict:
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
        over method pairs of the standard deviation of their per-seed differences, leaving
        out pairs equal on every seed (the metric does not depend on the method there: a
        fact of the data, which would pull the median to 0; 0 when every pair is such);
        ``"floor"``: `smallest_callable` of ``paired_sd`` (paired) and ``"unpaired_floor"``
        of ``seed_sd``; ``"n_pairs"``. With ``binary`` (0/1 outcomes per seed), ``"floor"``
        is `binary_smallest_callable` at ``n_seeds`` (McNemar's exact test) whatever the
        spreads, and ``"binary": True``. ``"n_pairs"`` counts the pairs read.
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
    diffs = [d for d in diffs if np.any(d != 0)]
    paired_sd = float(np.median([d.std(ddof=1) for d in diffs])) if diffs else 0.0
    floor = (binary_smallest_callable(n_seeds, confidence) if binary
             else smallest_callable(paired_sd, n_seeds, True, confidence))
    return {"n_seeds": int(n_seeds), "seed_sd": seed_sd, "paired_sd": paired_sd,
            "floor": floor,
            "unpaired_floor": smallest_callable(seed_sd, n_seeds, False, confidence),
            "n_pairs": len(diffs), "confidence": float(confidence), "binary": bool(binary)}


def ranked_neighbours(per_seed: dict, confidence: float = COMPARISON_CONFIDENCE,
                      binary: bool = False) -> list[dict]:
    """Methods ranked by their mean, each compared with the next one down (paired).

    What a table that ranks methods needs: which adjacent differences are called and which
    are within noise. Direction-free: the rank is by value, highest first, whether higher
    is better or not.

    Parameters
    ----------
    per_seed : dict
        ``{method: per-seed values}`` on one shared set of seeds (same order).
    binary : bool, default=False
        0/1 outcomes per seed (`compare`'s McNemar exact test).

    Returns
    -------
    list of dict
        Highest mean first: ``{"method", "value"}`` and, for all but the last,
        ``"next"`` (the method ranked below) and ``"comparison"``
        (`compare` of this method against it: its ``verdict`` is "above" or "within
        noise"; ties in value are "within noise").
    """
    cols = {name: _values(v, f"per_seed[{name!r}]") for name, v in per_seed.items()}
    order = sorted(cols, key=lambda name: (-float(cols[name].mean()), name))
    out = []
    for i, name in enumerate(order):
        row = {"method": name, "value": float(cols[name].mean())}
        if i + 1 < len(order):
            below = order[i + 1]
            row["next"] = below
            row["comparison"] = compare(cols[name], cols[below], True, confidence, binary)
        out.append(row)
    return out
