"""Training machinery shared by the numpy sparse autoencoders (`ReluSAE`, `TopKSAE`,
`BatchTopKSAE`, `MatryoshkaSAE`, `JumpReluSAE`, `GatedSAE`).

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
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from floor.validation import (
    check_dtype,
    check_float32_range,
    check_int,
    check_positive_float,
    check_random_state,
)
from methods.sparse._base import BaseDictionary
from methods.sparse.adam import Adam

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

    def _validate_training_params(self):
        """Check what every SAE has (``n_components``, ``learning_rate``, ``batch_size``,
        ``n_steps``, ``dtype``); returns the training dtype. Subclasses' ``_validate_params``
        call it and check their own knobs."""
        check_int(self.n_components, "n_components")
        check_positive_float(self.learning_rate, "learning_rate")
        check_int(self.batch_size, "batch_size")
        check_int(self.n_steps, "n_steps")
        return check_dtype(self.dtype)

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


class UnitDecoderSAEModel:
    """Parameters, gradients and batch buffers shared by the SAEs with a unit-norm decoder.

    Layout of ``theta`` (and ``grad``): ``[W_enc | b_enc]`` (m, d + 1), ``W_dec`` (m, d),
    ``b_dec`` (d,), then ``n_extra`` parameters of the architecture (``extra``, e.g. the
    JumpReLU log-thresholds). Buffers: ``xa = [x - b_dec | 1]`` (B, d + 1), the
    pre-activations ``P = xa [W_enc | b_enc]^T`` (B, m) and the residual ``e = x_hat - x``
    (B, d). Subclasses write ``loss_and_grad``; `encoder_backward` finishes the encoder and
    ``b_dec`` gradients from ``dL/dP``.
    """

    def __init__(self, W_dec, W_enc, b_enc, b_dec, batch_size: int, n_extra: int, dtype):
        m, d = W_dec.shape
        B, size = batch_size, m * (d + 1)
        self.m, self.d, self.batch_size = m, d, B
        self.theta = np.zeros(size + m * d + d + n_extra, dtype=dtype)
        self.grad = np.zeros_like(self.theta)
        self.enc, self.dec, self.b_dec, self.extra = self._views(self.theta, m, d)
        self.g_enc, self.g_dec, self.g_b_dec, self.g_extra = self._views(self.grad, m, d)
        self.enc[:, :d], self.enc[:, d] = W_enc, b_enc
        self.dec[:] = W_dec
        self.b_dec[:] = b_dec
        self.xa = np.ones((B, d + 1), dtype)
        self.P = np.empty((B, m), dtype)
        self.e = np.empty((B, d), dtype)
        self._tmp_md = np.empty((m, d), dtype)

    @staticmethod
    def _views(flat, m, d):
        size = m * (d + 1)
        end = size + m * d
        return (flat[:size].reshape(m, d + 1), flat[size:end].reshape(m, d),
                flat[end : end + d], flat[end + d :])

    def load_batch(self, X_aug: np.ndarray, idx: np.ndarray) -> None:
        """Gather rows ``idx`` of ``[X | 1]`` and centre them: ``xa = [x - b_dec | 1]``."""
        np.take(X_aug, idx, axis=0, out=self.xa)
        self.xa[:, : self.d] -= self.b_dec

    def encode(self) -> np.ndarray:
        """``P = xa [W_enc | b_enc]^T`` (B, m), the pre-activations of the loaded batch."""
        return np.matmul(self.xa, self.enc.T, out=self.P)

    def encoder_backward(self, G, g_xhat_sum: np.ndarray) -> None:
        """Encoder and ``b_dec`` gradients from ``G = dL/dP`` (B, m), dense or sparse.

        ``dL/d[W_enc | b_enc] = G^T xa``; ``b_dec`` enters ``x_hat`` directly (its gradient
        ``g_xhat_sum``, the batch sum of ``dL/dx_hat``) and the encoder input with sign -1,
        which sums over the batch to ``-(sum_b G_b) W_enc = -(dL/db_enc) W_enc``.
        """
        if sp.issparse(G):
            self.g_enc[:] = G.T @ self.xa
        else:
            np.matmul(G.T, self.xa, out=self.g_enc)
        np.subtract(g_xhat_sum, self.g_enc[:, self.d] @ self.enc[:, : self.d],
                    out=self.g_b_dec)

    def constrain_grad(self) -> None:
        """Remove from each decoder row's gradient its component along the row."""
        remove_parallel_component(self.g_dec, self.dec, self._tmp_md)

    def constrain_params(self) -> None:
        """Renormalise the decoder rows to unit norm."""
        normalise_rows(self.dec)

    def after_step(self) -> None:
        """No bookkeeping between steps (subclasses may add some)."""


def batch_topk(P: np.ndarray, n_keep: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``n_keep`` largest positive entries of ``P`` (B, m) over the whole batch.

    BatchTopK (Bussmann et al. 2024) keeps the top ``k B`` entries of ``ReLU(P)`` across
    the batch; entries that are not positive give a zero code, so only the positive ones
    are ranked (all of them when there are at most ``n_keep``). Ties at the cut are broken
    arbitrarily.

    Returns
    -------
    rows, cols : ndarray of shape (n,), int32
        Positions of the kept entries in row-major order, ``n = min(n_keep, #{P > 0})``.
    flat : ndarray of shape (n,), int64
        Their flat indices ``rows * m + cols``.
    """
    m = P.shape[1]
    flat_P = P.reshape(-1)
    positive = np.flatnonzero(flat_P > 0)
    if positive.size > n_keep:
        vals = flat_P[positive]
        cut = positive.size - n_keep
        positive = positive[np.argpartition(vals, cut)[cut:]]
        positive.sort()
    rows, cols = np.divmod(positive, m)
    return rows.astype(np.int32), cols.astype(np.int32), positive


def sparse_rows(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_rows: int,
                n_cols: int) -> sp.csr_matrix:
    """The (n_rows, n_cols) CSR matrix with ``values`` at (``rows``, ``cols``), rows sorted."""
    indptr = np.searchsorted(rows, np.arange(n_rows + 1)).astype(np.int32)
    return sp.csr_matrix((values, cols, indptr), shape=(n_rows, n_cols))


def pair_dots(W: np.ndarray, cols: np.ndarray, G: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``out[j] = G[rows[j]] . W[cols[j]]``, shape (n,): the gradient of sparse codes."""
    return np.einsum("nd,nd->n", W[cols], G[rows])


class ExponentialAverage:
    """Exponential moving average of a batch statistic (the BatchTopK inference threshold).

    ``value <- (1 - rate) value + rate s`` for each new batch statistic ``s``, started at
    the first ``s``; batches without a statistic (None) leave it unchanged.
    """

    def __init__(self, rate: float):
        self.rate = float(rate)
        self.value: float | None = None

    def update(self, s: float | None) -> None:
        """Fold in one batch's statistic ``s`` (None: skipped)."""
        if s is None:
            return
        self.value = s if self.value is None else (1 - self.rate) * self.value + self.rate * s
