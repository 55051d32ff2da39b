"""Training machinery shared by the numpy sparse autoencoders (`ReluSAE`, `TopKSAE`,
`BatchTopKSAE`, `MatryoshkaSAE`, `JumpReluSAE`, `GatedSAE`).

A model object owns all parameters in one flat vector ``theta`` (matrices are views into
it), its gradient ``grad`` of the same layout, and every per-batch buffer, preallocated
once; one training step allocates nothing of size (batch, n_components). The fit loop is
split into sampling (`BatchSampler`), the model's ``loss_and_grad``, the unit-norm decoder
constraint (`remove_parallel_component`, `normalise_rows`), the optimiser (`Adam`) and
bookkeeping (`run_training`).

Training can also stream (`SparseAutoencoderBase.partial_fit`, ``fit_stream``): the model
and the optimiser persist between calls in a `TrainingState`, each call's rows pass once,
in order, through a preallocated staging buffer, so memory does not grow with the number
of samples seen (the published SynthSAEBench-16k budget, 200M samples of d = 768, is
600 GB as float32: no array holds it).

Inputs are augmented with a column of ones, ``[x | 1]`` of shape (n, d + 1), so the encoder
bias rides in the encoder matrix (``[W_enc | b_enc]``) and its forward add and backward sum
over the batch are done inside the two encoder matrix products.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from floor.validation import (
    check_dtype,
    check_float32_range,
    check_int,
    check_positive_float,
    check_random_state,
    float_array,
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

# Initial capacity of a streamed fit's loss record (doubled when full: amortised O(1) per
# step, never a copy of the whole curve per call).
_LOSS_CAPACITY = 1024


@functools.lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    """The BLAS libraries loaded in this process, inspected once: `threadpool_limits`
    inspects every loaded library on each entry (0.6 ms measured, four quick training
    steps), which a stream of one batch per `partial_fit` call would pay at every step."""
    return ThreadpoolController().select(user_api="blas")


def blas_threads(model) -> int | None:
    """BLAS threads for training ``model``: 1 below `_MIN_FLOPS_FOR_THREADS`, else None
    (the library's own choice)."""
    flops = 2.0 * model.batch_size * model.m * (model.d + 1)
    return 1 if flops < _MIN_FLOPS_FOR_THREADS else None


def limit_blas(threads: int | None):
    """Context holding BLAS to ``threads`` threads (None: unchanged).

    Nothing to do (a few microseconds) when every BLAS library already runs at most
    ``threads`` threads, as inside an outer limit or with ``OMP_NUM_THREADS=1``.
    """
    if threads is None:
        return contextlib.nullcontext()
    controller = _blas_controller()
    if all(lib.num_threads <= threads for lib in controller.lib_controllers):
        return contextlib.nullcontext()
    return controller.limit(limits=threads)


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
    with limit_blas(blas_threads(model)):
        for t in range(n_steps):
            losses[t] = training_step(model, opt, X_aug, sampler)
    return losses


def training_step(model, opt: Adam, X_aug: np.ndarray, sampler: BatchSampler) -> float:
    """One optimiser step of ``model`` on the next batch of ``X_aug``; returns its loss."""
    return optimiser_step(model, opt, X_aug, sampler.next())


def optimiser_step(model, opt: Adam, X_aug: np.ndarray, idx: np.ndarray) -> float:
    """One optimiser step of ``model`` on rows ``idx`` of ``X_aug``; returns its loss.

    Gather the batch into the model, ``loss_and_grad``, ``constrain_grad`` (remove the
    decoder rows' parallel gradient), Adam, ``constrain_params`` (renormalise decoder
    rows), ``after_step`` (bookkeeping such as dead-latent counters).
    """
    model.load_batch(X_aug, idx)
    loss = model.loss_and_grad()
    model.constrain_grad()
    opt.step(model.grad)
    model.constrain_params()
    model.after_step()
    return loss


class TrainingState:
    """What persists between the training calls of one fit: the model, Adam, the losses.

    ``model`` follows the model protocol (``theta``, ``grad``, ``m``, ``d``,
    ``batch_size``, ``load_batch``, ``loss_and_grad``, ``constrain_grad``,
    ``constrain_params``, ``after_step``); its parameters, Adam's moments and step count
    and the model's own bookkeeping (dead-latent counters, BatchTopK's running threshold)
    carry over from one `SparseAutoencoderBase.partial_fit` call to the next. The staging
    buffer ``[x | 1]`` (B, d + 1) is allocated at the first streamed step, so that a plain
    ``fit`` does not hold it.
    """

    def __init__(self, model, learning_rate: float, dtype: np.dtype):
        self.model = model
        self.opt = Adam(model.theta, lr=learning_rate)
        self.threads = blas_threads(model)
        self.dtype = dtype
        self.losses = np.empty(_LOSS_CAPACITY)
        self.n_steps = 0
        self.n_rows_dropped = 0
        self._stage: np.ndarray | None = None
        self._rows: np.ndarray | None = None

    def reserve(self, n_more: int) -> np.ndarray:
        """The loss record, grown (doubling) to hold ``n_more`` more steps."""
        need = self.n_steps + n_more
        if need > self.losses.size:
            grown = np.empty(max(need, 2 * self.losses.size))
            grown[: self.n_steps] = self.losses[: self.n_steps]
            self.losses = grown
        return self.losses

    def stream_steps(self, X: np.ndarray, n_steps: int) -> None:
        """``n_steps`` optimiser steps on the consecutive ``batch_size``-row slices of ``X``.

        Each slice is copied (cast to the training dtype) into the staging buffer ``[x |
        1]`` and gathered from there: nothing is allocated per step.
        """
        model, B = self.model, self.model.batch_size
        d = model.d
        if self._stage is None:
            self._stage = np.ones((B, d + 1), self.dtype)
            self._rows = np.arange(B)
        stage, rows, losses = self._stage, self._rows, self.reserve(n_steps)
        for j in range(n_steps):
            np.copyto(stage[:, :d], X[j * B : (j + 1) * B], casting="same_kind")
            losses[self.n_steps] = optimiser_step(model, self.opt, stage, rows)
            self.n_steps += 1


class SparseAutoencoderBase(BaseDictionary):
    """What the SAEs share: the fitting loop around a model, streaming, the linear decoder.

    Subclasses define ``_validate_params() -> dtype``, ``_init_model(X, batch_size, dtype,
    rng)`` (which takes its starting decoder rows from `_initial_decoder`) and
    ``_store(model, d)``, which copies the trained parameters into
    ``components_`` (n_components, d), ``encoder_weights_``, ``encoder_bias_`` and
    ``decoder_bias_`` (float64), plus anything of its own. ``fit``, ``partial_fit`` and
    ``fit_stream`` are generic over the model protocol (`TrainingState`): an SAE built on
    this class streams without code of its own.

    Three ways to train, one step (`optimiser_step`):

    - ``fit(X)``: ``n_steps`` steps on minibatches of ``X`` drawn without replacement
      within each epoch (`BatchSampler`); starts afresh.
    - ``partial_fit(X)``: one pass over ``X`` in order, ``len(X) // batch_size_`` steps on
      its consecutive slices of ``batch_size_`` rows (the last ``len(X) mod batch_size_``
      rows are dropped and counted in ``n_rows_dropped_``). The first call validates and
      initialises exactly as ``fit`` does, from that call's rows; later calls continue:
      parameters, Adam's moments and step count and the architecture's bookkeeping
      persist. ``partial_fit`` after ``fit`` continues ``fit``'s training.
    - ``fit_stream(batches, n_steps=None)``: starts afresh, then ``partial_fit`` on each
      array of ``batches`` until ``n_steps`` steps.

    After each of them ``n_steps_`` (steps since the start), ``loss_curve_`` (n_steps_,),
    ``loss_``, ``n_rows_dropped_`` (0 for ``fit``, whose epochs skip their incomplete last
    batch and draw those rows in other epochs) and the architecture's fitted attributes
    are current. Hyperparameters are read when training starts (``fit``, ``fit_stream`` or
    the first ``partial_fit``); the training state is not pickled (an unpickled SAE
    transforms as the original did; ``partial_fit`` on it raises, ``fit`` and
    ``fit_stream`` start afresh).
    """

    def __getstate__(self) -> dict:
        """The estimator without its training state (the model's batch buffers and Adam's
        moments: large, and their parameter views into one flat vector would unpickle as
        separate copies)."""
        state = dict(super().__getstate__())  # a copy: it may be self.__dict__ itself
        if state.pop("_training", None) is not None:
            state["_training_dropped"] = True
        return state

    def _validate_training_params(self):
        """Check what every SAE has (``n_components``, ``learning_rate``, ``batch_size``,
        ``n_steps``, ``dtype``); returns the training dtype. Subclasses' ``_validate_params``
        call it and check their own knobs."""
        check_int(self.n_components, "n_components")
        check_positive_float(self.learning_rate, "learning_rate")
        check_int(self.batch_size, "batch_size")
        check_int(self.n_steps, "n_steps")
        return check_dtype(self.dtype)

    def _initial_decoder(self, rng: np.random.Generator, n_features: int, dtype) -> np.ndarray:
        """The decoder rows training starts from, shape (n_components, n_features), in ``dtype``.

        The one way every SAE here is started from a given dictionary: the hyperparameter
        ``init_components`` (array-like of shape (n_components, n_features), or None).

        - None (the default): rows uniform on the unit sphere, drawn from ``rng``
          (`random_unit_rows`), as each architecture's paper initialises them.
        - an array: its rows scaled to unit norm (the decoder's constraint), e.g. k-means
          centres of the data as archetypal SAEs start (Fel et al. 2025), or the same
          random rows for two runs. ``rng`` is then not drawn from here, so
          ``random_state`` still seeds everything else (batch order, subsamples), and two
          runs with the same ``init_components`` and different seeds differ only there.

        Each architecture starts its encoder from these rows as it would from random ones
        (all the SAEs here tie ``W_enc = W_dec`` at the start). A row of norm at most
        1e-12 times the largest counts as 0.

        Raises
        ------
        ValueError
            Naming ``init_components`` (before any training step) when it is not a finite
            real 2-D array of shape (n_components, n_features), or has a row of norm 0
            (no direction to start from).
        """
        init, m = getattr(self, "init_components", None), self.n_components
        if init is None:
            return random_unit_rows(rng, m, n_features, dtype)
        W = float_array(init, "init_components", ndim=2)
        if W.shape != (m, n_features):
            raise ValueError(f"init_components must have shape (n_components, n_features) = "
                             f"({m}, {n_features}), got {W.shape}")
        norms = np.linalg.norm(W, axis=1)
        # Relative to the largest row, as the metrics read a dead atom: scale-free.
        flat = np.flatnonzero(norms <= _TINY_NORM * norms.max())
        if flat.size:
            raise ValueError(f"init_components has rows of norm 0 (rows {flat.tolist()}): "
                             "every starting atom needs a direction")
        return (W / norms[:, None]).astype(dtype)

    def _start(self, X, name: str = "X"):
        """Validate the parameters and ``X`` (n >= 2 rows), set ``batch_size_`` and a fresh
        `TrainingState` initialised from ``X``; returns ``(X float64, dtype, rng)``."""
        dtype = self._validate_params()
        X = self._validate_fit(X, name)
        check_float32_range(X, dtype, name)
        rng = check_random_state(self.random_state)
        self.batch_size_ = min(self.batch_size, X.shape[0])
        model = self._init_model(X, self.batch_size_, dtype, rng)
        self._training = TrainingState(model, self.learning_rate, dtype)
        self.__dict__.pop("_training_dropped", None)
        return X, dtype, rng

    def _finish(self) -> None:
        """Make the fitted attributes current: ``n_steps_``, ``loss_curve_``, ``loss_``,
        ``n_rows_dropped_`` and the architecture's own (`_store`)."""
        state = self._training
        self.n_steps_ = state.n_steps
        self.loss_curve_ = state.losses[: state.n_steps]
        self.loss_ = float(self.loss_curve_[-1])
        self.n_rows_dropped_ = state.n_rows_dropped
        self._store(state.model, state.model.d)

    def fit(self, X, y=None):
        """Train on the rows of ``X`` (n_samples, n_features) for ``n_steps`` steps, from a
        fresh start; ``y`` is ignored.

        Returns
        -------
        self
        """
        X, dtype, rng = self._start(X)
        state = self._training
        X_aug = augment_with_ones(X, dtype)
        sampler = BatchSampler(X.shape[0], self.batch_size_, rng)
        losses = state.reserve(self.n_steps)
        with limit_blas(state.threads):
            for t in range(self.n_steps):
                losses[t] = training_step(state.model, state.opt, X_aug, sampler)
        state.n_steps = self.n_steps
        self._finish()
        return self

    def _partial_fit(self, X, name: str = "X", max_steps: int | None = None,
                     limit: bool = True) -> int:
        """Start (first call) or validate, then one pass over ``X``: at most ``max_steps``
        steps, BLAS limited to the model's threads unless the caller holds the limit
        (``limit=False``). Returns the steps taken; the fitted attributes are left to
        `_finish`."""
        if getattr(self, "_training", None) is None:
            if self.__dict__.get("_training_dropped"):
                raise ValueError(
                    f"{type(self).__name__} was unpickled without its training state (the "
                    "model's buffers and Adam's moments are not pickled): partial_fit "
                    "cannot continue it; call fit, fit_stream, or partial_fit on a fresh "
                    "estimator")
            X, _, _ = self._start(X, name)
        else:
            X = self._validate_more(X, name)
            check_float32_range(X, self._training.dtype, name)
        state, B = self._training, self.batch_size_
        n_steps = X.shape[0] // B
        if max_steps is not None and n_steps >= max_steps:
            n_steps = max_steps
        else:
            state.n_rows_dropped += X.shape[0] - n_steps * B
        if n_steps:
            with limit_blas(state.threads) if limit else contextlib.nullcontext():
                state.stream_steps(X, n_steps)
        return n_steps

    def partial_fit(self, X, y=None):
        """Continue training on one pass over ``X`` (n, n_features); ``y`` is ignored.

        ``len(X) // batch_size_`` optimiser steps on the consecutive slices ``X[j B : (j +
        1) B]`` (``B = batch_size_``), in order, each row used once; the last ``len(X) mod
        B`` rows are dropped (counted in ``n_rows_dropped_``). The first call validates the
        hyperparameters and ``X`` and initialises the model from ``X`` exactly as ``fit``
        does (decoder init, ``b_dec`` from the mean of ``X``, ...), and fixes
        ``batch_size_ = min(batch_size, len(X))`` and ``n_features_in_``. Later calls
        continue the same training (parameters, Adam's moments and step count, the
        architecture's bookkeeping); ``n_steps_``, ``loss_curve_``, ``loss_`` and the
        fitted attributes are current after every call.

        Raises
        ------
        ValueError
            Naming ``X``: another width than at the first call, NaN/inf, strings or
            complex values, or values float32 training cannot represent (checked before
            any step).

        Returns
        -------
        self
        """
        self._partial_fit(X)
        self._finish()
        return self

    def fit_stream(self, batches: Iterable, n_steps: int | None = None):
        """Train afresh on a stream of arrays: ``partial_fit`` on each, in order.

        Each array (n_i, n_features) gives ``n_i // batch_size_`` steps on its consecutive
        slices (see `partial_fit`); the first array initialises the model and fixes
        ``batch_size_ = min(batch_size, n_0)``. Stops after ``n_steps`` steps in all
        (None: when ``batches`` is exhausted; an endless iterable needs ``n_steps``), or
        earlier if ``batches`` runs out. Memory is the model's, whatever the number of
        batches (docs/speed.md, "Streaming: memory and time per step").

        Parameters
        ----------
        batches : iterable of array-like of shape (n_i, n_features)
            Fresh samples, e.g. a generator drawing one batch at a time.
        n_steps : int or None, default=None
            Optimiser steps to take (the constructor's ``n_steps`` is ``fit``'s budget).

        Raises
        ------
        ValueError
            ``n_steps`` not a positive int (before any batch is drawn), ``batches`` empty,
            or a bad array (the message names it, ``batches[i]``).

        Returns
        -------
        self
        """
        budget = None if n_steps is None else check_int(n_steps, "n_steps")
        self._training = None
        self.__dict__.pop("_training_dropped", None)
        taken = 0
        try:
            with contextlib.ExitStack() as held:  # the BLAS limit, entered once started
                for i, X in enumerate(batches):
                    taken += self._partial_fit(X, f"batches[{i}]",
                                               None if budget is None else budget - taken,
                                               limit=i == 0)
                    if i == 0:
                        held.enter_context(limit_blas(self._training.threads))
                    if budget is not None and taken >= budget:
                        break
        finally:  # a bad batch after some steps: the attributes still say where it got to
            if taken:
                self._finish()
        if self._training is None:
            raise ValueError("batches is empty: fit_stream needs at least one array")
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
