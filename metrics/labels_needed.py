"""Labels needed to pick the right direction among a method's candidates.

An unsupervised method that returns several candidate directions (restarts, seeds) still
needs labels to say which one, and with which sign, is the truth. This metric replays
labels one at a time: after ``m`` labelled pairs the candidate (and sign) that agrees best
with those labels is chosen, and we report the smallest ``m`` from which on the chosen
candidate's held-out accuracy stays at or above the target.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_real, float_array

# Held-out accuracy the chosen candidate must reach.
TARGET_ACCURACY = 0.9


def labels_needed(candidate_proba, y, candidate_accuracy, target=TARGET_ACCURACY,
                  sign_agnostic=True):
    """Smallest number of labelled pairs after which label-based selection meets ``target``.

    Parameters
    ----------
    candidate_proba : array-like of shape (n_candidates, n_labelled)
        Each candidate's ``p(first member is true)`` on the labelled pairs, in the order
        the labels are revealed.
    y : array-like of shape (n_labelled,)
        The labels, in {0, 1}.
    candidate_accuracy : array-like of shape (n_candidates,)
        Each candidate's raw held-out accuracy.
    target : float, default=0.9
    sign_agnostic : bool, default=True
        Also offer every candidate with its sign flipped (correctness ``1 - c``, held-out
        accuracy ``1 - acc``), since an unsupervised direction's sign is arbitrary.

    Returns
    -------
    float
        ``m`` in ``0..n_labelled`` (0: the first candidate, with no labels, already meets
        the target and selection never leaves it below); ``inf`` if no ``m`` does. Lower is
        better. After ``m`` labels the choice is the candidate with the most agreements
        among the first ``m`` (ties counted one half each), ties between candidates going
        to the earlier one (candidates first, then their flips).
    """
    P = float_array(candidate_proba, "candidate_proba", ndim=2, min_rows=1)
    acc = float_array(candidate_accuracy, "candidate_accuracy", ndim=1)
    target = check_real(target, "target")
    y_arr = np.asarray(y)
    if acc.shape != (P.shape[0],):
        raise ValueError(f"candidate_accuracy has shape {acc.shape}, but candidate_proba has "
                         f"{P.shape[0]} candidates")
    if np.any((acc < 0) | (acc > 1)):
        raise ValueError("candidate_accuracy must be in [0, 1]")
    if y_arr.ndim != 1 or y_arr.shape != (P.shape[1],):
        raise ValueError(f"y has shape {y_arr.shape}, but candidate_proba has {P.shape[1]} "
                         "labelled pairs")
    if not np.all(np.isin(y_arr, [0, 1])):
        raise ValueError("y must contain only 0 and 1")
    called = np.where(P > 0.5, 1.0, np.where(P < 0.5, 0.0, 0.5))
    correct = np.where(y_arr == 1, called, 1.0 - called)
    if sign_agnostic:
        correct = np.vstack([correct, 1.0 - correct])
        acc = np.concatenate([acc, 1.0 - acc])
    agreements = np.hstack([np.zeros((correct.shape[0], 1)), np.cumsum(correct, axis=1)])
    chosen = np.argmax(agreements, axis=0)
    good = acc[chosen] >= target
    if not good[-1]:
        return float("inf")
    bad = np.flatnonzero(~good)
    return float(0 if bad.size == 0 else bad[-1] + 1)
