"""Shared pieces of the SAE architecture tests: finite differences and the quick planted
recovery setting."""

from __future__ import annotations

import numpy as np

from generators.planted_sparse import make_planted_sparse, random_unit_rows
from metrics.dictionary_similarity import matched_mcc, mean_l0
from metrics.reconstruction import explained_variance

# Central differences with step 1e-6 in float64 have error ~h^2 f''' + eps f / h ~ 1e-9.
GRAD_ATOL = 1e-6
# Decoder rows are renormalised in float32 after every step.
NORM_ATOL = 1e-5
# The suite's bar on one-to-one matched |cos| with the planted features.
MCC_MIN = 0.9
# The quick profile's planted data (benchmarks/sparse/family.py): 64 features in d = 32.
QUICK = dict(n_features=32, n_atoms=64)
QUICK_TRAIN, QUICK_HELDOUT = 8192, 4096
# The TopKSAE's quick budget in the grid.
QUICK_BUDGET = dict(n_components=64, learning_rate=1e-2, batch_size=256, n_steps=500)


def quick_planted(seed: int = 0):
    """(train, held-out) splits of the quick planted data."""
    return (make_planted_sparse(QUICK_TRAIN, **QUICK, random_state=seed),
            make_planted_sparse(QUICK_HELDOUT, **QUICK, random_state=seed, split=5))


def scores(est, heldout) -> dict:
    """MCC with the planted features, mean L0 and FVU of ``est`` on ``heldout``."""
    X = heldout.X
    codes = est.transform(X)
    X_hat = est.inverse_transform(codes)
    return dict(mcc=matched_mcc(est.components_, heldout.ground_truth["features"]),
                l0=mean_l0(codes), fvu=1.0 - explained_variance(X, X_hat))


def finite_differences(loss, theta: np.ndarray, coords, h: float = 1e-6) -> np.ndarray:
    """Central differences ``(loss(theta + h e_i) - loss(theta - h e_i)) / 2h`` at
    ``coords``; ``loss()`` reads ``theta`` (modified in place and restored)."""
    num = np.empty(len(coords))
    for j, i in enumerate(coords):
        old = theta[i]
        theta[i] = old + h
        up = loss()
        theta[i] = old - h
        down = loss()
        theta[i] = old
        num[j] = (up - down) / (2 * h)
    return num


def batch_loss(model, X_aug):
    """``loss()`` for `finite_differences`: load all rows of ``X_aug``, return the loss."""
    idx = np.arange(X_aug.shape[0])

    def loss():
        model.load_batch(X_aug, idx)
        return model.loss_and_grad()
    return loss


# Unit rows uniform on the sphere (the planted generator's own helper, same draws).
unit_rows = random_unit_rows
