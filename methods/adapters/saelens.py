"""SAELens sparse autoencoders, trained by SAELens' own trainer, as a sparse-family method.

``SAELensSAE(architecture=...)`` builds the SAELens *training* SAE registered under that
name (``sae_lens.registry.get_sae_training_class``), trains it with
``sae_lens.training.sae_trainer.SAETrainer`` on shuffled minibatches of the training rows,
then keeps the *inference* SAE the library saves for deployment
(``TrainingSAE.save_inference_model`` then ``SAE.load_from_disk``): for TopK that folds
the decoder norms into the encoder, for BatchTopK and Matryoshka BatchTopK it turns the
batch top-k into a JumpReLU threshold. Codes and reconstructions are that SAE's own
``encode`` and ``decode``.

Budget (measured on one core, ``OMP_NUM_THREADS=1 python -m benchmarks.sparse.saelens_budget``
reruns the first table): on the quick planted data (``make_planted_sparse(8192,
n_features=32, n_atoms=64, random_state=seed, split=0)``, m = 64 atoms; MMCS and recovery
(|cos| > 0.9) of ``components_`` against the 64 planted atoms), with the defaults
(500 steps x 256 rows, learning rate 1e-2, k = 5)::

    seed   built-in TopKSAE (500 x 256, lr 1e-2)   SAELensSAE("topk")
    0      MMCS 0.956  recovery 0.844               MMCS 0.969  recovery 0.922
    1      MMCS 0.966  recovery 0.922               MMCS 0.966  recovery 0.922
    2      MMCS 0.961  recovery 0.859               MMCS 0.976  recovery 0.922

(the suite's own seed streams give the built-in 0.97 / 0.89-0.92; through the grid,
``user_method_spec("methods.adapters.saelens:SAELensSAE")`` scored by
``score_sparse_seed`` on ``planted_sparse`` seed 0 gives MMCS 0.972, recovery 0.938,
held-out FVU 0.13, mean L0 4.9, 63 of 64 latents alive). One SAELens fit takes
1.8-2.3 s on one core (the built-in 0.5 s); the first fit of a process also pays the
import of sae_lens (about 10-15 s). The library's default learning rate 3e-4 is far from
converged in 500 steps (seed 0: MMCS 0.673, recovery 0; 3e-3: 0.954 / 0.875); 1e-2, with
the trainer's gradient clipping at norm 1, matches the built-in.

Every other architecture with the defaults, seed 0 (MMCS / recovery / mean L0 of the
held-out split 5 codes / seconds)::

    batchtopk             0.921 / 0.734 / 4.8 / 2.5 s   (8 latents never fire)
    matryoshka_batchtopk  0.845 / 0.453 / 4.9 / 3.1 s   (nested losses: the first m/2
                                                         latents also reconstruct alone)
    standard              0.996 / 1.000 / 5.4 / 1.4 s   (l1_coefficient 0.3)
    jumprelu              0.969 / 0.922 / 4.0 / 2.2 s   (l0_coefficient 0.03)
    gated                 0.990 / 0.984 / 2.2 / 2.2 s   (library's l1_coefficient 1.0)
    abstopk               0.959 / 0.859 / 2.5 / 1.3 s
    matching_pursuit      0.985 / 0.969 / 4.4 / 2.6 s   (max_iterations 5; the library's
                                                         d = 32: 0.976 / 0.953 / 7.3 / 9 s)

Per-architecture defaults for the fields whose library default does not fit the toy data
(``k = 100`` exceeds m = 64 latents; ``l1_coefficient`` / ``l0_coefficient`` 1.0 are
tuned for language-model activations of much larger norm and kill nearly every latent
here; an empty ``matryoshka_widths`` is refused): see `ARCHITECTURE_DEFAULTS`; any of them
can be overridden by keyword.

References
----------
Bloom, Tigges, Duong, Chanin (2024), SAELens, https://github.com/decoderesearch/SAELens.
Gao et al. (2024), "Scaling and evaluating sparse autoencoders", arXiv 2406.04093 (TopK);
Bussmann, Leask, Nanda (2024), "BatchTopK sparse autoencoders", arXiv 2412.06410;
Rajamanoharan et al. (2024), "Improving dictionary learning with gated sparse
autoencoders", arXiv 2404.16014, and "Jumping ahead: improving reconstruction fidelity
with JumpReLU sparse autoencoders", arXiv 2407.14435; Bussmann et al. (2025), "Learning
multi-level features with Matryoshka sparse autoencoders", arXiv 2503.17547.
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np

from floor.optional import import_optional
from floor.validation import (
    check_float32_range,
    check_int,
    check_positive_float,
    check_random_state,
)
from methods.adapters._chunks import apply_in_chunks
from methods.sparse._base import BaseDictionary

__all__ = ["ARCHITECTURE_DEFAULTS", "SAELensSAE"]

#: Fields of the SAELens training configs set by the adapter itself, not by ``**config``.
RESERVED_FIELDS = {"d_in": "it is X.shape[1]", "d_sae": "pass n_components",
                   "device": "pass device", "metadata": "the adapter leaves it empty"}


def _matryoshka_widths(n_components: int) -> list[int]:
    """Two nested levels, m/2 then m (one level, m, when m = 1)."""
    return sorted({max(1, n_components // 2), n_components})


#: Defaults of the adapter for config fields whose library default does not suit the toy
#: data, by architecture (each a value or a function of ``n_components``); a keyword
#: argument overrides them. Measured on the quick planted data (seed 0, m = 64; see the
#: module docstring): ``k`` 5 is the data's mean L0 (the library's 100 exceeds m);
#: ``l1_coefficient`` 0.3 (library 1.0: L0 0.96, MMCS 0.62; 0.1: L0 13.6, MMCS 0.94; 0.3:
#: L0 5.4, MMCS 0.996); ``l0_coefficient`` 0.03 (library 1.0: L0 0.10, MMCS 0.82; 0.1:
#: MMCS 0.96; 0.03: L0 4.0, MMCS 0.97); ``matryoshka_widths`` (m/2, m) (the library
#: refuses an empty list; m/4, m/2, m gave MMCS 0.79, m/2, m 0.85). Gated keeps the
#: library's ``l1_coefficient`` 1.0 (L0 2.2, MMCS 0.99).
ARCHITECTURE_DEFAULTS: dict[str, dict] = {
    "standard": {"l1_coefficient": 0.3},
    "jumprelu": {"l0_coefficient": 0.03},
    "topk": {"k": 5},
    "abstopk": {"k": 5},
    "batchtopk": {"k": 5},
    "matryoshka_batchtopk": {"k": 5, "matryoshka_widths": _matryoshka_widths},
    # max_iterations 5 = the data's mean L0 (library: d, measured above); the library forces
    # decoder_init_norm to 1.0 for matching pursuit and warns when given its default 0.1.
    "matching_pursuit": {"max_iterations": 5, "decoder_init_norm": 1.0},
}


class SAELensSAE(BaseDictionary):
    """Any SAELens training architecture, trained by SAELens, scored as a dictionary.

    For an input row ``x`` (d,) the fitted inference SAE computes (TopK shown; each
    architecture has its own activation)::

        z     = sae_.encode(x)  = act(W_enc^T (x - b_dec) + b_enc)     z: (m,)
        x_hat = sae_.decode(z)  = z W_dec + b_dec                       W_dec: (m, d)

    trained by SAELens' trainer (Adam, betas 0.9 / 0.999, gradient norm clipped at 1,
    constant learning rate) on the loss of the architecture: the summed squared error plus
    its sparsity / auxiliary terms (TopK: AuxK on latents dead for the trainer's default
    ``dead_feature_window`` of 1000 steps, so it never acts within the default 500).

    Parameters
    ----------
    architecture : str, default="topk"
        A name in SAELens' training registry: "standard", "topk", "batchtopk", "jumprelu",
        "gated", "matryoshka_batchtopk", ... (those of the installed version).
    n_components : int, default=64
        Number of latents ``m`` (SAELens' ``d_sae``).
    n_steps : int, default=500
        Optimiser steps (SAELens' ``total_training_samples = n_steps * batch_size``).
    batch_size : int, default=256
        Rows per step, clipped to ``n_samples`` (see ``batch_size_``).
    learning_rate : float, default=1e-2
        Adam step size.
    device : str, default="cpu"
        Torch device of the SAE config and of the trainer.
    random_state : None, int, SeedSequence or Generator, default=None
        Seeds the weight initialisation (torch's global RNG is forked, seeded for the fit
        and restored) and the minibatch order (a ``torch.Generator``).
    **config
        Fields of the architecture's SAELens training config (``k``, ``l1_coefficient``,
        ``matryoshka_widths``, ``aux_loss_coefficient``, ...). Unknown fields are refused
        at ``fit`` with the architecture's field list. Where not given,
        `ARCHITECTURE_DEFAULTS` apply, then the library's defaults.

    Attributes
    ----------
    sae_ : sae_lens.SAE
        The inference SAE saved by the library after training (for BatchTopK and
        Matryoshka: a JumpReLU SAE).
    components_ : ndarray of shape (n_components, n_features)
        Decoder rows ``sae_.W_dec`` (directions; unit norm where the library folds them).
    config_ : dict
        The training config fields passed to SAELens (defaults filled in).
    batch_size_ : int
    n_features_in_ : int

    Notes
    -----
    The codes come from ``sae_.encode`` and reconstructions from ``sae_.decode``, never
    from ``codes @ components_``: SAELens' TopK rescales activations by the decoder norm
    during training (``rescale_acts_by_decoder_norm=True``), so a hand-written decode of
    its codes is wrong unless the norms were folded exactly as the library does; the
    SAE's own ``decode`` is the definition.
    """

    def __init__(self, architecture: str = "topk", n_components: int = 64, *,
                 n_steps: int = 500, batch_size: int = 256, learning_rate: float = 1e-2,
                 device: str = "cpu", random_state=None, **config):
        self.architecture = architecture
        self.n_components = n_components
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.device = device
        self.random_state = random_state
        # Private (scikit-learn's init check allows only constructor names as public
        # attributes); exposed by get_params and, read-only, as attributes (__getattr__).
        self._config = dict(config)

    # ------------------------------------------------------------------ params (clone)

    def __getattr__(self, name: str):
        """A ``**config`` entry by name (``est.k``); fitted names (``*_``) never."""
        config = self.__dict__.get("_config")
        if config is not None and name in config and not name.endswith("_"):
            return config[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_params(self, deep: bool = True) -> dict:
        """Constructor parameters and the ``**config`` entries (so ``clone`` keeps them)."""
        params = super().get_params(deep=deep)
        params.update(self._config)
        return params

    def set_params(self, **params) -> "SAELensSAE":
        """Set constructor parameters or config entries (new names become config entries)."""
        names = set(self._get_param_names())
        extra = {k: v for k, v in params.items() if k not in names and "__" not in k}
        self._config.update(extra)
        rest = {k: v for k, v in params.items() if k not in extra}
        return super().set_params(**rest) if rest else self

    # ------------------------------------------------------------------ fit

    def _library(self):
        """``(torch, sae_lens, registry, trainer module, config module)``."""
        name = type(self).__name__
        torch = import_optional("torch", name)
        sae_lens = import_optional("sae_lens", name)
        return (torch, sae_lens, import_optional("sae_lens.registry", name),
                import_optional("sae_lens.training.sae_trainer", name),
                import_optional("sae_lens.config", name))

    def _training_config(self, registry, d_in: int, m: int):
        """The architecture's (TrainingSAE class, config) with the fields checked."""
        available = sorted(registry.SAE_TRAINING_CLASS_REGISTRY)
        if not isinstance(self.architecture, str) or self.architecture not in available:
            raise ValueError(f"architecture must be one of SAELens' training architectures "
                             f"{available}, got {self.architecture!r}")
        sae_cls, cfg_cls = registry.get_sae_training_class(self.architecture)
        fields = {f.name for f in dataclasses.fields(cfg_cls)}
        config = {}
        for key, value in self._config.items():
            if key in RESERVED_FIELDS:
                raise ValueError(f"config field {key!r} is set by SAELensSAE ("
                                 f"{RESERVED_FIELDS[key]}); do not pass it")
            if key not in fields:
                allowed = sorted(fields - set(RESERVED_FIELDS))
                raise ValueError(f"unknown config field {key!r} for SAELens architecture "
                                 f"{self.architecture!r}; its fields are {allowed}")
            # SAELens may mutate list fields (matryoshka_widths): never hand it ours.
            config[key] = list(value) if isinstance(value, (list, tuple)) else value
        for key, default in ARCHITECTURE_DEFAULTS.get(self.architecture, {}).items():
            if key not in config:
                config[key] = default(m) if callable(default) else default
        if config.get("k") is not None and "k" in fields:
            if check_positive_float(config["k"], "k") > m:
                raise ValueError(f"k must be <= n_components={m}, got {config['k']!r}")
        cfg = cfg_cls(d_in=d_in, d_sae=m, device=str(self.device), **config)
        return sae_cls, cfg, config

    def fit(self, X, y=None) -> "SAELensSAE":
        """Train the SAE on ``X`` (n, d) with SAELens' trainer; keep its inference SAE."""
        m = check_int(self.n_components, "n_components")
        n_steps = check_int(self.n_steps, "n_steps")
        check_int(self.batch_size, "batch_size")
        lr = check_positive_float(self.learning_rate, "learning_rate")
        if not isinstance(self.device, str):
            raise ValueError(f"device must be a string such as 'cpu' or 'cuda:0', "
                             f"got {self.device!r}")
        rng = check_random_state(self.random_state)
        X = self._validate_fit(X)
        check_float32_range(X, np.float32)
        torch, sae_lens, registry, trainer_mod, config_mod = self._library()
        sae_cls, cfg, config = self._training_config(registry, X.shape[1], m)
        n, B = X.shape[0], min(self.batch_size, X.shape[0])
        init_seed, data_seed = (int(s) for s in rng.integers(0, 2**63 - 1, size=2))

        X_t = torch.as_tensor(X, dtype=torch.float32, device=self.device)
        order = torch.Generator(device="cpu").manual_seed(data_seed)

        def batches():
            while True:  # shuffled epochs; the incomplete last batch of each is dropped
                perm = torch.randperm(n, generator=order).to(X_t.device)
                for start in range(0, n - B + 1, B):
                    yield X_t[perm[start:start + B]]

        trainer_cfg = config_mod.SAETrainerConfig(
            total_training_samples=n_steps * B, train_batch_size_samples=B, lr=lr,
            lr_end=lr, lr_scheduler_name="constant", device=str(self.device),
            logger=config_mod.LoggingConfig(log_to_wandb=False), n_checkpoints=0,
            checkpoint_path=None, save_final_checkpoint=False)
        devices = [] if torch.device(self.device).type == "cpu" else [torch.device(self.device)]
        quiet = mock.patch.object(trainer_mod, "tqdm",
                                  functools.partial(trainer_mod.tqdm, disable=True))
        with torch.random.fork_rng(devices=devices), quiet:
            torch.manual_seed(init_seed)
            training_sae = sae_cls(cfg)
            trainer = trainer_mod.SAETrainer(cfg=trainer_cfg, sae=training_sae,
                                             data_provider=batches(),
                                             save_checkpoint_fn=None)
            trainer.fit()
        with tempfile.TemporaryDirectory() as tmp:
            training_sae.save_inference_model(tmp)
            sae = sae_lens.SAE.load_from_disk(tmp, device=self.device)
        sae.eval()
        self.sae_ = sae
        self.config_ = config
        self.batch_size_ = B
        self.components_ = sae.W_dec.detach().cpu().numpy().astype(np.float64)
        return self

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict:
        """Pickle ``sae_`` as the files SAELens' ``save_model`` writes (its modules hold
        lambdas, which pickle refuses)."""
        state = dict(super().__getstate__())  # a copy: it may be self.__dict__ itself
        sae = state.pop("sae_", None)
        if sae is not None:
            with tempfile.TemporaryDirectory() as tmp:
                sae.save_model(tmp)
                state["_sae_files"] = {p.name: p.read_bytes() for p in Path(tmp).iterdir()}
        return state

    def __setstate__(self, state: dict) -> None:
        """Rebuild ``sae_`` with ``SAE.load_from_disk`` from the pickled files."""
        files = state.pop("_sae_files", None)
        super().__setstate__(state)
        if files is not None:
            sae_lens = import_optional("sae_lens", type(self).__name__)
            with tempfile.TemporaryDirectory() as tmp:
                for name, data in files.items():
                    (Path(tmp) / name).write_bytes(data)
                self.sae_ = sae_lens.SAE.load_from_disk(tmp, device=self.device).eval()

    # ------------------------------------------------------------------ use

    def _run(self, fn, arr: np.ndarray) -> np.ndarray:
        """``fn`` on chunks of ``arr`` as tensors of the SAE's dtype; float64 numpy out."""
        torch = import_optional("torch", type(self).__name__)
        return apply_in_chunks(torch, fn, arr, self.sae_.dtype, self.sae_.device)

    def transform(self, X) -> np.ndarray:
        """Codes ``sae_.encode(X)``, shape (n_samples, n_components), float64."""
        X = self._validate_transform(X)
        return self._run(self.sae_.encode, X)

    def inverse_transform(self, codes) -> np.ndarray:
        """Reconstruction ``sae_.decode(codes)``, shape (n_samples, n_features), float64."""
        codes = self._validate_codes(codes)
        return self._run(self.sae_.decode, codes)
