"""How many different directions a method finds, and which facts' signs they carry.

Unsupervised truth methods return one of many equally good directions; counting distinct
directions across seeds and restarts measures that multiplicity directly.
"""

from __future__ import annotations

import numpy as np

# |cos| above which two directions are "the same" up to sign.
SAME_DIRECTION_COS = 0.99


def _unit_rows(directions, name="directions"):
    V = np.asarray(directions, dtype=np.float64)
    if V.ndim != 2 or V.shape[0] < 1:
        raise ValueError(f"{name} must be 2-D (n_directions, n_features), got shape {V.shape}")
    if not np.all(np.isfinite(V)):
        raise ValueError(f"{name} contains NaN or inf")
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name} contains a zero vector")
    return V / norms


def count_distinct_directions(directions, threshold=SAME_DIRECTION_COS):
    """Number of directions distinct up to sign (greedy clustering at ``|cos| > threshold``).

    Each direction joins the first representative it matches, else becomes one. Range
    [1, n_directions]: 1 when every run found the same direction (up to sign), n when no
    two agree. Greedy, so chains of near-threshold directions depend on their order.
    """
    V = _unit_rows(directions)
    reps = []
    for v in V:
        if not reps or np.max(np.abs(np.asarray(reps) @ v)) <= threshold:
            reps.append(v)
    return len(reps)


def fact_sign_agreement(direction, fact_directions, fact_signs):
    """Fraction of facts (or groups) whose true sign ``s_i`` the direction carries.

    ``mean_i [sign(direction^T f_i) = s_i]`` with zero projections counting one half.
    Range [0, 1]: 1 for the true direction, 0 for its negation, about 1/2 for a random one.
    """
    F = np.asarray(fact_directions, dtype=np.float64)
    s = np.asarray(fact_signs, dtype=np.float64)
    v = np.asarray(direction, dtype=np.float64)
    if F.ndim != 2 or v.shape != (F.shape[1],) or s.shape != (F.shape[0],):
        raise ValueError(
            f"shapes do not match: direction {v.shape}, fact_directions {F.shape}, "
            f"fact_signs {s.shape}"
        )
    agree = np.sign(F @ v) * s
    return float(np.mean(0.5 * (1.0 + agree)))


def sign_retention(init_directions, final_directions, axes):
    """Fraction of (run, axis) pairs where a run ends with the sign it started with.

    ``mean [sign(init_r^T a_i) = sign(final_r^T a_i)]`` over runs ``r`` and axes ``a_i``
    (e.g. the fact directions). Range [0, 1]; about 1/2 if the optimiser forgets its
    initialisation, near 1 if the answer is decided by the random start.
    """
    A = np.asarray(axes, dtype=np.float64)
    I0, I1 = _unit_rows(init_directions, "init_directions"), _unit_rows(final_directions,
                                                                        "final_directions")
    if I0.shape != I1.shape or A.ndim != 2 or A.shape[1] != I0.shape[1]:
        raise ValueError(
            f"shapes do not match: init {I0.shape}, final {I1.shape}, axes {A.shape}"
        )
    return float(np.mean(np.sign(I0 @ A.T) == np.sign(I1 @ A.T)))
