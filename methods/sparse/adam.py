"""Adam on one flat parameter vector, updated in place with preallocated buffers.

The sparse autoencoders keep all their parameters in a single contiguous vector (the
matrices are views into it), so one optimiser step is a handful of in-place ufunc calls on
one array instead of a dozen small ones per parameter, and allocates nothing.

References
----------
Kingma & Ba (2015), "Adam: a method for stochastic optimization", arXiv 1412.6980,
Algorithm 1.
"""

from __future__ import annotations

import numpy as np


class Adam:
    """In-place Adam for a flat parameter vector ``theta`` of shape (p,).

    With gradient ``g`` at step ``t`` (1-based)::

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g**2
        theta <- theta - lr_t m / (sqrt(v) / sqrt(1 - beta2**t) + eps),
        lr_t = lr / (1 - beta1**t)

    which is Algorithm 1 of Kingma & Ba with the bias corrections written out.

    Parameters
    ----------
    theta : ndarray of shape (p,)
        The parameters, updated in place by `step`; its dtype is the dtype of the moments.
    lr : float
        Learning rate.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates.
    eps : float
        Added to the bias-corrected ``sqrt(v)``.
    """

    def __init__(self, theta: np.ndarray, lr: float, beta1=0.9, beta2=0.999, eps=1e-8):
        if theta.ndim != 1 or not theta.flags.c_contiguous:
            raise ValueError("theta must be a contiguous 1-D array")
        self.theta = theta
        self.lr, self.beta1, self.beta2, self.eps = float(lr), float(beta1), float(beta2), eps
        self.m = np.zeros_like(theta)
        self.v = np.zeros_like(theta)
        self._tmp = np.empty_like(theta)
        self.t = 0

    def step(self, g: np.ndarray) -> None:
        """Apply one update with gradient ``g`` (shape (p,), not modified)."""
        self.t += 1
        b1, b2, tmp = self.beta1, self.beta2, self._tmp
        self.m *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        self.m += tmp
        self.v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        self.v += tmp
        np.sqrt(self.v, out=tmp)
        tmp *= 1.0 / np.sqrt(1.0 - b2**self.t)
        tmp += self.eps
        np.divide(self.m, tmp, out=tmp)
        tmp *= self.lr / (1.0 - b1**self.t)
        self.theta -= tmp
