"""How many different directions a method finds, and which facts' signs they carry.

Unsupervised truth methods return one of many equally good directions; counting distinct
directions across seeds and restarts measures that multiplicity directly.
"""

from __future__ import annotations

import numpy as np

from floor.validation import float_array

# |cos| above which two directions are "the same" up to sign.
SAME_DIRECTION_COS = 0.99


def _unit_rows(directions, name="directions"):
    V = float_array(directions, name, finite=False)
    if V.ndim != 2 or V.shape[0] < 1 or V.shape[1] < 1:
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
    F = float_array(fact_directions, "fact_directions", ndim=2, min_rows=1, min_cols=1)
    v = float_array(direction, "direction", ndim=1)
    s = float_array(fact_signs, "fact_signs", ndim=1)
    if v.shape != (F.shape[1],):
        raise ValueError(f"direction has shape {v.shape}, but fact_directions has "
                         f"{F.shape[1]} columns")
    if s.shape != (F.shape[0],):
        raise ValueError(f"fact_signs has shape {s.shape}, but fact_directions has "
                         f"{F.shape[0]} rows")
    if not np.all(np.isin(s, [-1.0, 1.0])):
        raise ValueError("fact_signs must contain only -1 and +1")
    agree = np.sign(F @ v) * s
    return float(np.mean(0.5 * (1.0 + agree)))


def sign_retention(init_directions, final_directions, axes):
    """Fraction of (run, axis) pairs where a run ends with the sign it started with.

    ``mean [sign(init_r^T a_i) = sign(final_r^T a_i)]`` over runs ``r`` and axes ``a_i``
    (e.g. the fact directions). Range [0, 1]; about 1/2 if the optimiser forgets its
    initialisation, near 1 if the answer is decided by the random start.
    """
    I0, I1 = _unit_rows(init_directions, "init_directions"), _unit_rows(final_directions,
                                                                        "final_directions")
    if I0.shape != I1.shape:
        raise ValueError(f"shapes do not match: init_directions {I0.shape}, "
                         f"final_directions {I1.shape}")
    A = float_array(axes, "axes", ndim=2, min_rows=1, n_cols=I0.shape[1])
    return float(np.mean(np.sign(I0 @ A.T) == np.sign(I1 @ A.T)))
