"""Training machinery shared by the numpy sparse autoencoders (`ReluSAE`, `TopKSAE`).

A model object owns all parameters in one flat vector ``theta`` (matrices are views into
it), its gradient ``grad`` of the same layout, and every per-batch buffer, preallocated
once; one training step allocates nothing of size (batch, n_components). The fit loop is
split into sampling (`BatchSampler`), the model's ``loss_and_grad``, the unit-norm decoder
constraint (`remove_parallel_component`, `normalise_rows`), the optimiser (`Adam`) and
bookkeeping (`run_training`).

Inputs are augmented with a column of ones, ``[x | 1]`` of shape (n, d + 1), so the encoder
bias rides in the encoder matrix (``[W_enc | b_enc]``) and its forward add and backward sum
over the batch are done inside the two encoder matrix products.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from methods.sparse._base import BaseDictionary
from methods.sparse.adam import Adam
from methods.validation import check_float32_range, check_random_state

# Below this many flops per (B, d) x (d, m) product, BLAS runs single-threaded during
# training: measured on 2 shared cores, thread hand-offs made a d=32, m=48, B=1024 step
# 50x slower with 2 threads than with 1, while at d=256, m=1024, B=4096 (2 GFLOP) two
# threads are worth having.
_MIN_FLOPS_FOR_THREADS = 1e8

# Rows of a decoder whose norm falls below this are left unscaled rather than divided by ~0.
_TINY_NORM = 1e-12

def augment_with_ones(X: np.ndarray, dtype) -> np.ndarray:
    """``[X | 1]`` of shape (n, d + 1) in ``dtype``."""
    out = np.ones((X.shape[0], X.shape[1] + 1), dtype=dtype)
    out[:, :-1] = X
    return out


def random_unit_rows(rng: np.random.Generator, n_rows: int, n_features: int, dtype):
    """Rows drawn uniformly on the unit sphere, shape (n_rows, n_features)."""
    W = rng.standard_normal((n_rows, n_features))
    W /= np.maximum(np.linalg.norm(W, axis=1, keepdims=True), _TINY_NORM)
    return W.astype(dtype)


def remove_parallel_component(G: np.ndarray, W: np.ndarray, tmp: np.ndarray) -> None:
    """In place ``G_i <- G_i - (G_i . W_i) W_i`` for unit rows ``W_i`` (shapes (m, d)).

    The gradient step then moves each decoder row tangentially to its unit sphere, so the
    renormalisation that follows changes it only to second order.
    """
    dots = np.einsum("ij,ij->i", G, W)
    np.multiply(W, dots[:, None], out=tmp)
    G -= tmp


def normalise_rows(W: np.ndarray) -> None:
    """In place ``W_i <- W_i / ||W_i||`` (rows of norm below 1e-12 are left as they are)."""
    norms = np.sqrt(np.einsum("ij,ij->i", W, W))
    norms[norms < _TINY_NORM] = 1.0
    W /= norms[:, None]


class BatchSampler:
    """Indices of minibatches drawn without replacement within each epoch.

    Each epoch is a fresh permutation of ``range(n)`` cut into consecutive batches of
    ``batch_size``; the last ``n mod batch_size`` indices of an epoch are skipped (they are
    drawn in other epochs). Indices within a batch are sorted, which does not change the
    batch's gradient and makes the row gather cache-friendly.
    """

    def __init__(self, n_samples: int, batch_size: int, rng: np.random.Generator):
        if batch_size > n_samples:
            raise ValueError(f"batch_size={batch_size} exceeds n_samples={n_samples}")
        self.n, self.batch_size, self.rng = n_samples, batch_size, rng
        self._order = rng.permutation(n_samples)
        self._pos = 0

    def next(self) -> np.ndarray:
        """Sorted indices of the next batch, shape (batch_size,)."""
        if self._pos + self.batch_size > self.n:
            self._order = self.rng.permutation(self.n)
            self._pos = 0
        idx = np.sort(self._order[self._pos : self._pos + self.batch_size])
        self._pos += self.batch_size
        return idx


def run_training(model, X_aug: np.ndarray, n_steps: int, lr: float, rng, adam_kwargs=None):
    """Train ``model`` for ``n_steps`` Adam steps on batches of the rows of ``X_aug``.

    One step: gather a batch into the model, ``loss_and_grad``, ``constrain_grad`` (remove
    the decoder rows' parallel gradient), Adam, ``constrain_params`` (renormalise decoder
    rows), ``after_step`` (bookkeeping such as dead-latent counters). Small problems run
    with single-threaded BLAS (see ``_MIN_FLOPS_FOR_THREADS``).

    Returns
    -------
    loss_curve : ndarray of shape (n_steps,)
        The minibatch training loss of each step, evaluated before that step's update.
    """
    sampler = BatchSampler(X_aug.shape[0], model.batch_size, rng)
    opt = Adam(model.theta, lr=lr, **(adam_kwargs or {}))
    losses = np.empty(n_steps)
    flops = 2.0 * model.batch_size * model.m * (model.d + 1)
    threads = 1 if flops < _MIN_FLOPS_FOR_THREADS else None
    with threadpool_limits(limits=threads, user_api="blas"):
        for t in range(n_steps):
            losses[t] = training_step(model, opt, X_aug, sampler)
    return losses


def training_step(model, opt: Adam, X_aug: np.ndarray, sampler: BatchSampler) -> float:
    """One optimiser step of ``model`` on the next batch of ``X_aug``; returns its loss."""
    model.load_batch(X_aug, sampler.next())
    loss = model.loss_and_grad()
    model.constrain_grad()
    opt.step(model.grad)
    model.constrain_params()
    model.after_step()
    return loss


class SparseAutoencoderBase(BaseDictionary):
    """What the SAEs share: the fitting loop around a model, and the linear decoder.

    Subclasses define ``_validate_params() -> dtype``, ``_init_model(X, batch_size, dtype,
    rng)`` and ``_store(model, d)``, which copies the trained parameters into
    ``components_`` (n_components, d), ``encoder_weights_``, ``encoder_bias_`` and
    ``decoder_bias_`` (float64), plus anything of its own.
    """

    def fit(self, X, y=None):
        """Train on the rows of ``X`` (n_samples, n_features); ``y`` is ignored.

        Returns
        -------
        self
        """
        dtype = self._validate_params()
        X = self._validate_fit(X)
        check_float32_range(X, dtype)
        rng = check_random_state(self.random_state)
        self.batch_size_ = min(self.batch_size, X.shape[0])
        model = self._init_model(X, self.batch_size_, dtype, rng)
        X_aug = augment_with_ones(X, dtype)
        self.loss_curve_ = run_training(model, X_aug, self.n_steps, self.learning_rate, rng)
        self.n_steps_ = self.n_steps
        self.loss_ = float(self.loss_curve_[-1])
        self._store(model, X.shape[1])
        return self

    def inverse_transform(self, codes):
        """Reconstruction ``codes W_dec + decoder_bias_``, shape (n_samples, n_features)."""
        codes = self._validate_codes(codes)
        return codes @ self.components_ + self.decoder_bias_
