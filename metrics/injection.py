"""Does an eraser leave a probe reading *more* about the concept than before erasure?

Quirke & Belrose (2025, arXiv 2502.02820) show that erasers applying a per-class map with
the label at transform time (oracle LEACE, QLEACE) can leave the classes more separable
than before, to nonlinear probes. The reading here compares one probe's held-out balanced
accuracy before and after an eraser on the same seeds (same data, same test rows, same
probe stream), so the difference is the eraser's. One rule, read by the erasure family's
``does_not_inject`` check (`benchmarks.erasure.checks`) on every cell and by the study of
probes that break erasure (`benchmarks.erasure.nonlinear_probes`) on the generator built
for it (`generators.injection_concept`).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from metrics.noise_floor import ABOVE, COMPARISON_CONFIDENCE, compare
from metrics.statistics import CONFIDENCE, rate_over_seeds


def injection_reading(before, after, n_test, confidence: float = COMPARISON_CONFIDENCE,
                      split_confidence: float = CONFIDENCE) -> dict:
    """Does a probe read more about the concept after erasure than before?

    Parameters
    ----------
    before, after : array-like of shape (n_seeds,)
        Held-out balanced accuracy of one probe on the raw data and after the eraser, on the
        same seeds (same data, same test rows, same probe stream).
    n_test : array-like of shape (n_seeds,) or int
        Held-out rows per seed.
    confidence : float, default=0.95
        Of the paired comparison over seeds (`metrics.noise_floor.compare`).
    split_confidence : float, default=0.999
        Of the sampling interval of one seed's rise: two held-out accuracies ``p_b, p_a``
        on ``n`` rows each, half-width ``z sqrt(p_b (1 - p_b) / n + p_a (1 - p_a) / n)``
        (independent proportions; the rows are shared, so this is conservative).

    Returns
    -------
    dict
        ``comparison`` (the paired compare dict of ``after - before``); ``rise`` (its mean);
        ``split_interval`` (the mean over seeds of the per-seed half-width); ``fires``:
        True when the comparison is "above" *and* ``rise > split_interval``; ``per_seed``:
        whether each seed's own rise exceeds its own half-width; ``rate``: their fraction
        with a Wilson interval at ``split_confidence`` (`metrics.statistics.rate_over_seeds`).

    Raises
    ------
    ValueError
        If ``before`` and ``after`` differ in length, hold values outside [0, 1], or
        ``n_test`` is not a positive count per seed.
    """
    b = np.asarray(before, dtype=np.float64).ravel()
    a = np.asarray(after, dtype=np.float64).ravel()
    if b.shape != a.shape or b.size == 0:
        raise ValueError(f"before and after must hold the same seeds, got {b.size} and "
                         f"{a.size} values")
    for label, arr in (("before", b), ("after", a)):
        if not np.all((arr >= 0) & (arr <= 1)):
            raise ValueError(f"{label} must hold accuracies in [0, 1], got {arr.tolist()}")
    n = np.broadcast_to(np.asarray(n_test, dtype=np.float64), b.shape)
    if not np.all((n >= 1) & (n == np.round(n))):
        raise ValueError(f"n_test must be a positive count per seed, got {n_test!r}")
    z = float(stats.norm.ppf(0.5 + split_confidence / 2))
    half = z * np.sqrt(b * (1 - b) / n + a * (1 - a) / n)
    comparison = compare(a, b, paired=True, confidence=confidence)
    rise = float(np.mean(a - b))
    per_seed = (a - b) > half
    return {"comparison": comparison, "rise": rise, "split_interval": float(half.mean()),
            "fires": bool(comparison["verdict"] == ABOVE and rise > half.mean()),
            "per_seed": per_seed.tolist(),
            "rate": rate_over_seeds(per_seed, split_confidence).to_dict()}
