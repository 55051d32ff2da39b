"""Any torch SAE with ``encode``, ``decode`` and ``W_dec``, as a sparse-family method.

The protocol is SAEBench's custom SAE: a ``torch.nn.Module`` with ``encode(x) -> codes``
(batch, d_sae), ``decode(codes) -> x_hat`` (batch, d_in) and a decoder weight ``W_dec`` of
shape (d_sae, d_in). ``TorchSAE`` scores such a module with the suite's sparse protocol:
``transform`` is the module's ``encode``, ``inverse_transform`` its ``decode`` and
``components_`` its ``W_dec`` rows; nothing is recomputed by hand.

Two uses:

- **train**: ``TorchSAE(module=factory, n_components=m, train_fn=train_fn)`` with
  ``factory(d_in, n_components) -> nn.Module`` and ``train_fn(module, X, generator) ->
  None`` that trains the module in place on ``X`` (a tensor of the module's dtype on
  ``device``), drawing its randomness from ``generator`` (a seeded ``torch.Generator``).
- **score a pretrained module**: ``TorchSAE(module=sae)``; ``fit(X)`` only checks the
  shapes against ``X`` (and ``n_components`` if given). With a ``train_fn`` too, a deep
  copy of the module is trained (fine-tuning) and the module passed in is left as it was.

``module`` and ``train_fn`` may also be import strings, ``"pkg.module:name"``, with keyword
arguments in the ``--method`` syntax, ``"pkg.sae:MySAE(k=8)"`` (the factory is then called
as ``MySAE(d_in, n_components, k=8)``; `floor.import_paths.resolve_import`). A ``--method``
run resolves them before any cell runs (`import_params`); that is how a ``--method`` string
(literal arguments only) names them, e.g.
``--method 'methods.adapters.torch_module:TorchSAE(module="methods.adapters.torch_example:
TopKModule", train_fn="methods.adapters.torch_example:train", n_components=64)'``.
`methods.adapters.torch_example` is a small TopK SAE written to this protocol.

References
----------
Karvonen et al. (2025), "SAEBench: A comprehensive benchmark for sparse autoencoders in
language model interpretability", arXiv 2503.09532 (custom-SAE interface:
``encode``, ``decode``, ``W_dec`` of shape (d_sae, d_in)).
"""

from __future__ import annotations

import copy

import numpy as np

from floor.import_paths import resolve_import
from floor.optional import import_optional
from floor.validation import check_float32_range, check_int, check_random_state
from methods.adapters._chunks import apply_in_chunks
from methods.sparse._base import BaseDictionary

__all__ = ["TorchSAE"]



class TorchSAE(BaseDictionary):
    """A torch SAE (``encode`` / ``decode`` / ``W_dec``) trained by a user function or
    pretrained, scored as a dictionary.

    For a row ``x`` (d,): codes ``z = module_.encode(x)`` (m,), reconstruction ``x_hat =
    module_.decode(z)`` (d,); the dictionary is ``W_dec`` (m, d).

    Parameters
    ----------
    module : callable, torch.nn.Module or str
        Either a factory ``module(d_in, n_components) -> nn.Module`` (then ``train_fn`` is
        required), or a pretrained ``nn.Module`` (then ``train_fn`` is optional), or the
        import string ``"pkg.module:name"`` of either, with keyword arguments if any
        (``"pkg.sae:MySAE(k=8)"``).
    n_components : int or None, default=None
        Number of latents ``m``: required with a factory; with a pretrained module, checked
        against ``W_dec.shape[0]`` when given.
    train_fn : callable, str or None, default=None
        ``train_fn(module, X, generator) -> None``: trains ``module`` in place on the
        tensor ``X`` (n, d) using ``generator`` for its randomness; or its import string
        (keyword arguments in it are passed on each call).
    device : str, default="cpu"
        Torch device the module and the data are put on.
    random_state : None, int, SeedSequence or Generator, default=None
        Seeds torch's global RNG while the factory and ``train_fn`` run (it is forked and
        restored afterwards, so weight initialisation is reproducible without touching the
        caller's global state) and the ``torch.Generator`` handed to ``train_fn``.

    Attributes
    ----------
    module_ : torch.nn.Module
        The fitted module, in eval mode (the module passed in, when pretrained and not
        trained here).
    components_ : ndarray of shape (n_components, n_features)
        ``module_.W_dec`` as float64.
    n_features_in_ : int
    """

    # Parameters that may be import strings, resolved before a --method run's first cell.
    import_params = ("module", "train_fn")

    def __init__(self, module=None, n_components: int | None = None, *, train_fn=None,
                 device: str = "cpu", random_state=None):
        self.module = module
        self.n_components = n_components
        self.train_fn = train_fn
        self.device = device
        self.random_state = random_state

    def _check_module(self, torch, module, d_in: int) -> int:
        """Check the SAEBench protocol and ``W_dec`` (m, d_in); return ``m``."""
        if not isinstance(module, torch.nn.Module):
            raise ValueError(f"module must give a torch.nn.Module, got "
                             f"{type(module).__name__}")
        missing = [a for a in ("encode", "decode", "W_dec") if not hasattr(module, a)]
        if missing:
            raise ValueError(f"module must have encode, decode and W_dec (the SAEBench "
                             f"custom-SAE protocol); {type(module).__name__} lacks {missing}")
        shape = tuple(module.W_dec.shape)
        if len(shape) != 2 or shape[1] != d_in:
            raise ValueError(f"module.W_dec must have shape (n_components, n_features) = "
                             f"(m, {d_in}), got {shape}")
        if self.n_components is not None and shape[0] != self.n_components:
            raise ValueError(f"n_components={self.n_components} but module.W_dec has "
                             f"{shape[0]} rows")
        return shape[0]

    def fit(self, X, y=None) -> "TorchSAE":
        """Build and train the module (factory), or check a pretrained one, on ``X`` (n, d)."""
        if self.module is None:
            raise ValueError("module must be given: a factory module(d_in, n_components) "
                             "with train_fn, or a pretrained torch.nn.Module")
        if self.n_components is not None:
            check_int(self.n_components, "n_components")
        source = resolve_import(self.module, "module")
        train_fn = resolve_import(self.train_fn, "train_fn")
        if train_fn is not None and not callable(train_fn):
            raise ValueError(f"train_fn must be callable or None, got {self.train_fn!r}")
        if not isinstance(self.device, str):
            raise ValueError(f"device must be a string such as 'cpu', got {self.device!r}")
        rng = check_random_state(self.random_state)
        X = self._validate_fit(X)
        torch = import_optional("torch", type(self).__name__)
        pretrained = isinstance(source, torch.nn.Module)
        if not pretrained:
            if not callable(source):
                raise ValueError(f"module must be a factory callable(d_in, n_components) or "
                                 f"a torch.nn.Module, got {type(source).__name__}")
            if self.n_components is None:
                raise ValueError("n_components must be given with a module factory")
            if train_fn is None:
                raise ValueError("train_fn must be given with a module factory (a factory "
                                 "builds an untrained module)")
        init_seed, data_seed = (int(s) for s in rng.integers(0, 2**63 - 1, size=2))
        devices = [] if torch.device(self.device).type == "cpu" else [torch.device(self.device)]
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(init_seed)
            if pretrained:
                module = source if train_fn is None else copy.deepcopy(source)
            else:
                module = source(X.shape[1], self.n_components)
            self._check_module(torch, module, X.shape[1])
            module = module.to(self.device)
            if train_fn is not None:
                dtype = module.W_dec.dtype
                if dtype == torch.float32:
                    check_float32_range(X, np.float32)
                X_t = torch.as_tensor(X, dtype=dtype, device=self.device)
                generator = torch.Generator(device="cpu").manual_seed(data_seed)
                module.train()
                train_fn(module, X_t, generator)
        module.eval()
        m = self._check_module(torch, module, X.shape[1])
        self.module_ = module
        self.components_ = module.W_dec.detach().cpu().numpy().astype(np.float64)
        probe = self._run(module.encode, X[:2])
        if probe.shape != (min(2, X.shape[0]), m):
            raise ValueError(f"module.encode must return (batch, n_components={m}) codes, "
                             f"got shape {probe.shape} for a batch of {min(2, X.shape[0])}")
        return self

    def _run(self, fn, arr: np.ndarray) -> np.ndarray:
        """``fn`` on chunks of ``arr`` as tensors of ``W_dec``'s dtype; float64 numpy out."""
        torch = import_optional("torch", type(self).__name__)
        W = self.module_.W_dec
        return apply_in_chunks(torch, fn, arr, W.dtype, W.device)

    def transform(self, X) -> np.ndarray:
        """Codes ``module_.encode(X)``, shape (n_samples, n_components), float64."""
        X = self._validate_transform(X)
        return self._run(self.module_.encode, X)

    def inverse_transform(self, codes) -> np.ndarray:
        """Reconstruction ``module_.decode(codes)``, shape (n_samples, n_features), float64."""
        codes = self._validate_codes(codes)
        out = self._run(self.module_.decode, codes)
        if out.shape != (codes.shape[0], self.n_features_in_):
            raise ValueError(f"module.decode returned shape {out.shape}, expected "
                             f"({codes.shape[0]}, {self.n_features_in_})")
        return out
