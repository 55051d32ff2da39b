"""Frozen random SAE baselines (Korznikov et al. 2026): BatchTopK SAEs with a random part.

The training null for "my SAE learned features": a BatchTopK SAE (`BatchTopKSAE`, the
architecture of the paper's figure 1) trained as usual except that one part keeps its
random initialisation, exactly (frozen decoder, frozen encoder) or within a cosine of it
(soft-frozen decoder). Whatever such a model reconstructs or scores, it did not get by
finding the data's directions.

References
----------
Korznikov, Galichin, Dontsov, Rogov, Oseledets, Tutubalina (2026), "Sanity checks for
sparse autoencoders: do SAEs beat random baselines?", arXiv 2602.14111 (figure 1: frozen
decoder, soft-frozen decoder at cosine >= 0.8 to its start, frozen encoder; BatchTopK).
Bussmann, Leask, Nanda (2024), "BatchTopK sparse autoencoders", arXiv 2412.06410.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_choice, check_interval
from methods.sparse.batchtopk_sae import BatchTopKSAE, _BatchTopKModel

#: The part kept at its random start: the decoder rows, the decoder rows within
#: ``min_cosine`` of their start, or the encoder matrix.
FROZEN_PARTS = ("decoder", "soft_decoder", "encoder")

# Rows this close to the antipode of their start have no defined direction back to the
# cap; they are reset to the start.
_TINY_NORM = 1e-12


def project_to_cap(W: np.ndarray, W0: np.ndarray, min_cosine: float) -> None:
    """In place: each unit row ``w`` of ``W`` (m, d) with ``w . w0 < min_cosine`` is moved
    to the nearest unit vector with cosine ``min_cosine`` to its start ``w0`` (unit rows of
    ``W0``)::

        u = (w - (w . w0) w0) / ||w - (w . w0) w0||
        w <- min_cosine w0 + sqrt(1 - min_cosine^2) u

    (the geodesic projection onto the spherical cap around ``w0``: ``w`` is turned back
    towards ``w0`` in the plane of the two). Rows already in the cap are unchanged.
    """
    c = np.einsum("ij,ij->i", W, W0)
    out = np.flatnonzero(c < min_cosine)
    if out.size == 0:
        return
    w0 = W0[out]
    u = W[out] - c[out, None] * w0
    norms = np.linalg.norm(u, axis=1)
    flat = norms < _TINY_NORM
    u /= np.where(flat, 1.0, norms)[:, None]
    moved = min_cosine * w0 + np.sqrt(1.0 - min_cosine**2) * u
    moved[flat] = w0[flat]
    W[out] = moved


class _FrozenBatchTopKModel(_BatchTopKModel):
    """A BatchTopK model whose ``frozen`` part keeps its start (see `FrozenSAE`).

    ``initial_dec`` (m, d) is a copy of the decoder rows at the start. A frozen part's
    gradient is set to 0 before Adam, so its moments stay 0 and the update is exactly 0.
    """

    def __init__(self, W_dec, b_dec, batch_size, k, frozen, min_cosine, dtype):
        m = W_dec.shape[0]
        super().__init__(W_dec, W_dec, np.zeros(m), b_dec, batch_size, k, (m,), dtype)
        self.frozen, self.min_cosine = frozen, float(min_cosine)
        self.initial_dec = self.dec.copy()

    def constrain_grad(self) -> None:
        """Zero the frozen part's gradient; the trained decoder's rows move tangentially."""
        if self.frozen == "decoder":
            self.g_dec[:] = 0.0
        else:
            super().constrain_grad()
        if self.frozen == "encoder":
            self.g_enc[:, : self.d] = 0.0

    def constrain_params(self) -> None:
        """Renormalise a trained decoder; pull soft-frozen rows back into their cap."""
        if self.frozen == "decoder":
            return
        super().constrain_params()
        if self.frozen == "soft_decoder":
            project_to_cap(self.dec, self.initial_dec, self.min_cosine)


class FrozenSAE(BatchTopKSAE):
    """BatchTopK SAE with a part frozen at its random start: Korznikov et al.'s baselines.

    The model, codes, loss and inference are `BatchTopKSAE`'s: on a minibatch, ``Z =
    BatchTopK_{k B}(ReLU((X - b_dec) W_enc^T + b_enc))``, ``X_hat = Z W_dec + b_dec``,
    ``L = (1/B) sum_b ||x_b - x_hat_b||^2``, at inference a JumpReLU threshold. The start
    is random and tied: decoder rows ``W_0`` uniform on the unit sphere, ``W_enc = W_0``,
    ``b_enc = 0``, ``b_dec`` = the data mean. Then, by ``frozen``:

    - ``"decoder"`` (frozen decoder): ``W_dec = W_0`` throughout; ``W_enc``, ``b_enc``,
      ``b_dec`` are trained. Its dictionary is random atoms by construction: it can only
      learn which random atoms to use for each input.
    - ``"soft_decoder"`` (soft-frozen decoder): ``W_dec`` is trained (parallel gradient
      removed, rows renormalised) and after each step every row with ``cos(w_i, w_0,i) <
      min_cosine`` is projected back onto the cap ``cos = min_cosine`` (`project_to_cap`),
      so each atom stays within ``arccos(min_cosine)`` (36.9 degrees at 0.8) of its random
      start. Korznikov et al. state the constraint (cosine >= 0.8 to the initial values
      throughout training); enforcing it by this projection after each step is this
      implementation's choice.
    - ``"encoder"`` (frozen encoder): ``W_enc = W_0`` throughout (random projections select
      the latents); ``b_enc``, ``W_dec`` and ``b_dec`` are trained.

    Biases are trained in every variant ("weights fixed at random initialisation",
    Korznikov et al., figure 1). A frozen part's gradient is zeroed before Adam, so it
    does not move by a single bit (its Adam moments stay 0).

    Korznikov et al. introduce the three baselines for language-model activations, where
    they match fully trained SAEs on interpretability, sparse probing and causal editing.
    Their synthetic experiment (trained SAEs recover 9% of the true features at 71%
    explained variance) is about trained SAEs, not these baselines: on planted features a
    frozen baseline is the null any claim of recovery must beat.

    Parameters
    ----------
    n_components : int, default=512
        Dictionary size ``m``.
    frozen : {"decoder", "soft_decoder", "encoder"}, default="decoder"
        The part kept at (or near) its random start.
    min_cosine : float, default=0.8
        For ``frozen="soft_decoder"``: the least cosine of each decoder row to its start
        (Korznikov et al.: 0.8). In [-1, 1]; ignored otherwise.
    k : int, default=5
        Mean active latents per sample (BatchTopK), ``1 <= k <= n_components``.
    learning_rate : float, default=3e-3
        Adam step size; betas (0.9, 0.999), eps 1e-8.
    batch_size : int, default=4096
        Samples per step, clipped to ``n_samples`` (see ``batch_size_``).
    n_steps : int, default=2000
        Training budget in optimiser steps.
    dtype : {"float32", "float64"}, default="float32"
        Arithmetic of training. Learned attributes are stored as float64.
    init_components : array-like of shape (n_components, n_features) or None, default=None
        Decoder rows to start from, scaled to unit norm (an encoder, where the model has
        one, starts from them as from random rows); None: rows uniform on the unit
        sphere. ``random_state`` still seeds the rest (batch order, subsamples). See
        `SparseAutoencoderBase._initial_decoder`.
    random_state : None, int, SeedSequence or Generator, default=None
        Seeds the random start and the batch order.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Decoder rows ``W_dec`` (unit norm; ``initial_components_`` when the decoder is
        frozen).
    initial_components_ : ndarray of shape (n_components, n_features)
        The random start ``W_0`` of the decoder rows (and of the encoder).
    encoder_weights_ : ndarray of shape (n_components, n_features)
        ``W_enc`` (``initial_components_`` when the encoder is frozen).
    encoder_bias_ : ndarray of shape (n_components,)
    decoder_bias_ : ndarray of shape (n_features,)
    threshold_ : float
        Inference threshold (see `BatchTopKSAE`).
    n_features_in_ : int
    batch_size_ : int
    n_steps_ : int
    loss_curve_ : ndarray of shape (n_steps_,)
        Minibatch loss ``L`` at each step, before its update.
    loss_ : float

    Notes
    -----
    Measured on the quick planted data: see the sparse family's ``SIZES`` and findings.

    References
    ----------
    Korznikov et al. (2026), "Sanity checks for sparse autoencoders: do SAEs beat random
    baselines?", arXiv 2602.14111.
    """

    def __init__(self, n_components=512, *, frozen="decoder", min_cosine=0.8, k=5,
                 learning_rate=3e-3, batch_size=4096, n_steps=2000, dtype="float32",
                 init_components=None, random_state=None):
        self.n_components = n_components
        self.frozen = frozen
        self.min_cosine = min_cosine
        self.k = k
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_steps = n_steps
        self.dtype = dtype
        self.init_components = init_components
        self.random_state = random_state

    def _validate_params(self):
        check_choice(self.frozen, "frozen", FROZEN_PARTS)
        check_interval(self.min_cosine, "min_cosine", -1.0, 1.0)
        return super()._validate_params()

    def _init_model(self, X, batch_size, dtype, rng) -> _FrozenBatchTopKModel:
        d = X.shape[1]
        return _FrozenBatchTopKModel(self._initial_decoder(rng, d, dtype), X.mean(axis=0),
                                     batch_size, self.k, self.frozen, self.min_cosine,
                                     dtype)

    def _store(self, model: _FrozenBatchTopKModel, d: int) -> None:
        super()._store(model, d)
        self.initial_components_ = model.initial_dec.astype(np.float64)
