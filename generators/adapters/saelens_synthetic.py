"""SynthSAEBench as a suite generator: SAELens's ``SyntheticModel`` draws every sample.

SynthSAEBench-16k (Chanin and Garriga-Alonso 2026) is the field's one published
ground-truth leaderboard for sparse autoencoders. Its generator ships in SAELens
(``sae_lens.synthetic``); this module runs it under the suite's contract and re-implements
none of its sampling. The library's model, as configured by the presets here:

- ``F`` unit feature directions in ``d`` dimensions (``F / d = 21.3``), drawn at random and
  pushed apart by 100 Adam steps on ``sum_{i != j} (f_i . f_j)**2 + F sum_i (|f_i|**2 -
  1)**2`` (``orthogonalize_embeddings``), then renormalised; a bias ``b`` of norm 0.5;
- a forest of features: roots ``F / 128``, every node with 4 children, 3 levels below the
  roots (85 features a tree, two thirds of ``F`` in all; the rest are outside any tree);
  the children of every node are mutually exclusive;
- Zipfian firing probabilities ``p_i`` (exponent 0.5, from 0.4 down to 5e-4, descending in
  ``i``), raised for each child by the library's compensation for its parent and its
  exclusive siblings (``compensate_probabilities``);
- firing through a rank-25 Gaussian copula: ``z = e L^T + eta * sqrt(diag)``, ``e ~ N(0,
  I_25)``, ``eta ~ N(0, I_F)``; feature ``i`` is drawn when ``z_i > Phi^-1(1 - p_i)``;
- magnitudes ``relu(mu_i + sigma_i n)``, ``mu_i`` linear from 5 to 4, ``sigma_i ~ |N(0.5,
  0.5**2)|`` fixed per feature, ``n ~ N(0, 1)``;
- the hierarchy, level by level: a child survives only where its parent is active and is
  scaled by ``parent / mu_parent`` (``scale_children_by_parent``); of the active children
  of one node one, chosen at random, survives;
- ``x = c F + b`` with ``c`` the row of codes (``SyntheticModel.sample_with_features``).

The model is fixed by its config, seed included (42 in every preset): ``random_state`` and
``split`` choose only which rows are drawn, by seeding the library's torch stream. A model
is built once and cached on disk (`load_synthetic_model`); the 16k model's orthogonalisation
takes tens of minutes on one CPU core.

References
----------
Chanin, Garriga-Alonso (2026), "SynthSAEBench: Evaluating Sparse Autoencoders on Scalable
Realistic Synthetic Data", arXiv 2602.14687 (SynthSAEBench-16k: section 3 and its config).
SAELens, ``sae_lens.synthetic`` (``SyntheticModel``, ``SyntheticModelConfig``).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping
from unittest import mock

import numpy as np
from scipy import sparse

from floor.optional import import_optional
from floor.validation import check_dtype, check_int
from generators.dataset import Dataset
from generators.seeding import SAMPLES, as_seed_sequence, child_seed

NAME = "saelens_synthetic"
ADAPTER = "generators.adapters.saelens_synthetic"
DEFAULT_PRESET = "synthsaebench_ci"
# Rows of the reference sample that `expected_l0` is measured on when a model is built, and
# the seed of its stream (the paper's arXiv number): fixed, so the number is one per model.
# Its standard error is below 0.03 for the presets (row L0 sd < 7, / sqrt(65536)).
REFERENCE_ROWS = 2**16
REFERENCE_SEED = 260214687
# Rows drawn per call of the library by `make_saelens_synthetic`: the dense (rows, F) float32
# codes of one call hold about CHUNK_ELEMENTS elements (4 MiB), within [MIN, MAX] rows. A
# function of F alone, so the rows of a seed never depend on the machine. Per CPU second on
# one core the library drew the most rows at 1024 rows of 1024 features, 256 of 4096 and 64
# of 16384 (larger batches leave the cache: 4096 rows of 4096 features ran 35% slower).
CHUNK_ELEMENTS = 2**20
MIN_CHUNK_ROWS, MAX_CHUNK_ROWS = 64, 4096
# The SAE width of a preset: a quarter of its features (SynthSAEBench-16k: 4096).
WIDTH_DIVISOR = 4
CACHE_SUBFOLDER = "saelens-synthetic"
META_FILE = "toyground.json"
REPOSITORY = Path(__file__).resolve().parents[2]

# SyntheticModelConfig's nested configs, by field.
_NESTED = ("firing_probability", "hierarchy", "orthogonalization", "correlation",
           "std_firing_magnitudes", "mean_firing_magnitudes")

# In-process memo of loaded models: (cache folder, device) -> SyntheticModel.
_MEMO: dict[tuple[str, str], Any] = {}


@dataclass(frozen=True)
class Preset:
    """A named SyntheticModelConfig and the SAE width that goes with it.

    Attributes
    ----------
    name : str
    config : dict
        Keyword arguments of ``SyntheticModelConfig`` as plain data; nested configs are
        dicts (``firing_probability`` and the magnitudes carry the library's
        ``generator_name``). Read it, do not mutate it: `synthetic_config` copies it.
    width : int
        SAE width: a quarter of ``num_features``.
    description : str
    """

    name: str
    config: Mapping[str, Any]
    width: int
    description: str


def _recipe(num_features: int, hidden_dim: int, roots: int) -> dict:
    """The published SynthSAEBench-16k config with its sizes replaced."""
    return {
        "num_features": num_features,
        "hidden_dim": hidden_dim,
        "firing_probability": {"generator_name": "zipfian", "exponent": 0.5, "max_prob": 0.4,
                               "min_prob": 5e-4},
        "hierarchy": {"total_root_nodes": roots, "branching_factor": 4, "max_depth": 3,
                      "mutually_exclusive_portion": 1.0, "mutually_exclusive_min_depth": 0,
                      "compensate_probabilities": True, "scale_children_by_parent": True},
        "orthogonalization": {"num_steps": 100, "lr": 3e-4},
        "correlation": {"rank": 25, "correlation_scale": 0.1},
        "mean_firing_magnitudes": {"generator_name": "linear", "start": 5.0, "end": 4.0},
        "std_firing_magnitudes": {"generator_name": "folded_normal", "mean": 0.5, "std": 0.5},
        "bias": 0.5,
        "seed": 42,
    }


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("synthsaebench_16k", _recipe(16_384, 768, 128), 4096,
           "SynthSAEBench-16k exactly as published (v2): 16384 features in 768 dimensions, "
           "128 trees; true L0 ~34, ~25 over the 4096 most frequent features"),
    Preset("synthsaebench_ci", _recipe(1024, 48, 8), 256,
           "the published recipe at 1024 features in 48 dimensions, 8 trees (same "
           "features/dimensions ratio, firing law, forest shape, correlation, magnitudes, "
           "bias and seed): seconds to build, for tests and the quick profile"),
    Preset("synthsaebench_hour", _recipe(4096, 192, 32), 1024,
           "the published recipe at 4096 features in 192 dimensions, 32 trees: a minute or "
           "two to build, an SAE trained on it within an hour on one core"),
)}


# ------------------------------------------------------------------------------------------
# Configs
# ------------------------------------------------------------------------------------------

def _synthetic():
    return import_optional("sae_lens.synthetic", ADAPTER)


def _torch():
    return import_optional("torch", ADAPTER)


def _preset_config(preset: str | None) -> dict:
    if preset is None:
        return {}
    if not isinstance(preset, str) or preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)} or None, got {preset!r}")
    return copy.deepcopy(dict(PRESETS[preset].config))


def _plain(value: Any) -> Any:
    """A library config object as its dict (``to_dict``); anything else unchanged."""
    return value.to_dict() if hasattr(value, "to_dict") else value


def _merge(base: Any, value: Any) -> Any:
    """A nested override over the preset's: a dict is merged key by key over a dict of the
    same ``generator_name``; a config object, None, a number or a dict of another kind
    replaces it."""
    if hasattr(value, "to_dict") or not isinstance(value, Mapping):
        return copy.deepcopy(_plain(value))
    kind = base.get("generator_name") if isinstance(base, Mapping) else None
    if isinstance(base, Mapping) and value.get("generator_name", kind) == kind:
        return {**base, **copy.deepcopy(dict(value))}
    return copy.deepcopy(dict(value))


def config_dict(preset: str | None = DEFAULT_PRESET, **overrides) -> dict:
    """The keyword arguments of ``SyntheticModelConfig`` for ``preset`` and ``overrides``,
    as plain data (nested configs as dicts), validated by building the config.

    See `synthetic_config` for the rules; ``synthetic_config(p, **o) ==
    SyntheticModelConfig(**...)`` of this dict with its nested dicts turned into configs.
    """
    base = _preset_config(preset)
    fields = [f.name for f in dataclasses.fields(_synthetic().SyntheticModelConfig)]
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        raise ValueError(f"unknown SyntheticModelConfig field(s) {unknown}; the fields are "
                         f"{fields}")
    for key, value in overrides.items():
        base[key] = _merge(base.get(key), value) if key in _NESTED else _plain(value)
    _to_config(base)  # validates
    return base


def _nested_class(key: str, value: Mapping):
    """The library's config class for nested field ``key`` given as the dict ``value``."""
    syn = _synthetic()
    fixed = {"hierarchy": syn.HierarchyConfig,
             "orthogonalization": syn.OrthogonalizationConfig,
             "correlation": syn.LowRankCorrelationConfig}
    if key in fixed:
        return fixed[key]
    lookup = (syn.get_firing_probability_class if key == "firing_probability"
              else syn.get_magnitude_class)
    if "generator_name" not in value:
        raise ValueError(f"{key} given as a dict needs its 'generator_name' (the library's "
                         f"registered kind, e.g. 'zipfian', 'linear', 'folded_normal')")
    try:
        return lookup(value["generator_name"])
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from exc


def _nested_config(key: str, value: Mapping):
    cls = _nested_class(key, value)
    kwargs = {k: v for k, v in value.items() if k != "generator_name"}
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(kwargs) - set(names))
    if unknown:
        raise ValueError(f"unknown {key} field(s) {unknown}; {cls.__name__} has {names}")
    if key == "hierarchy":
        return cls.from_dict(kwargs)  # its JSON form: a branching range as a list
    return cls(**kwargs)


def _to_config(d: Mapping):
    syn = _synthetic()
    for key in ("num_features", "hidden_dim"):
        if key not in d:
            raise ValueError(f"{key} is required when preset is None")
        check_int(d[key], key)
    if not isinstance(d.get("seed"), int) or isinstance(d.get("seed"), bool):
        raise ValueError(f"seed must be an int (the model is cached by its config, so it "
                         f"must be a function of it), got {d.get('seed')!r}")
    kwargs = {key: (_nested_config(key, value) if key in _NESTED and isinstance(value, Mapping)
                    else value) for key, value in d.items()}
    return syn.SyntheticModelConfig(**kwargs)


def synthetic_config(preset: str | None = DEFAULT_PRESET, **overrides):
    """The library's ``SyntheticModelConfig`` for a preset, with fields overridden.

    Parameters
    ----------
    preset : str or None, default="synthsaebench_ci"
        A key of `PRESETS`; None starts from the library's defaults (then ``num_features``
        and ``hidden_dim`` are required).
    **overrides
        Any ``SyntheticModelConfig`` field. A nested one (``firing_probability``,
        ``hierarchy``, ``orthogonalization``, ``correlation``, ``std_firing_magnitudes``,
        ``mean_firing_magnitudes``) as a dict is merged over the preset's (``hierarchy=
        {"total_root_nodes": 4}`` changes only the roots; a dict of another
        ``generator_name`` replaces it); as one of the library's config objects, a number or
        None it replaces the preset's. ``seed`` must stay an int.

    Returns
    -------
    sae_lens.synthetic.SyntheticModelConfig

    Raises
    ------
    ValueError
        An unknown preset (naming the presets), an unknown field (listing the fields), an
        invalid value (the library's own checks).
    """
    return _to_config(config_dict(preset, **overrides))


def default_width(num_features: int) -> int:
    """The SAE width for ``num_features`` features: a quarter of them (at least 1)."""
    return max(1, num_features // WIDTH_DIVISOR)


def chunk_rows(num_features: int) -> int:
    """Rows per library call in `make_saelens_synthetic` and the reference sample:
    ``CHUNK_ELEMENTS // num_features`` within [MIN_CHUNK_ROWS, MAX_CHUNK_ROWS] (1024
    features: 1024 rows, 4096: 256, 16384: 64), the fastest batch sizes measured per CPU
    second on one core (docs/synthsaebench.md#costs)."""
    return int(min(MAX_CHUNK_ROWS, max(MIN_CHUNK_ROWS, CHUNK_ELEMENTS // num_features)))


# ------------------------------------------------------------------------------------------
# The cache
# ------------------------------------------------------------------------------------------

def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache's root folder: ``cache_dir``, else ``$TOYGROUND_CACHE``, else
    ``$XDG_CACHE_HOME/toyground``, else ``~/.cache/toyground``. Models live in its
    ``saelens-synthetic/<key>`` subfolders. A folder inside the repository is refused."""
    if cache_dir is not None:
        if not isinstance(cache_dir, (str, os.PathLike)):
            raise ValueError(f"cache_dir must be a path or None, got "
                             f"{type(cache_dir).__name__}")
        root = Path(cache_dir)
    elif os.environ.get("TOYGROUND_CACHE"):
        root = Path(os.environ["TOYGROUND_CACHE"])
    elif os.environ.get("XDG_CACHE_HOME"):
        root = Path(os.environ["XDG_CACHE_HOME"]) / "toyground"
    else:
        root = Path.home() / ".cache" / "toyground"
    root = root.expanduser().resolve()
    if root == REPOSITORY or REPOSITORY in root.parents:
        raise ValueError(f"cache_dir {root} is inside the repository {REPOSITORY}; choose a "
                         f"folder outside it (or set TOYGROUND_CACHE)")
    return root


def cache_key(config) -> str:
    """The model's cache key: the first 16 hex digits of the sha256 of its config's JSON
    (sorted keys) and the sae_lens version that builds it."""
    sae_lens = import_optional("sae_lens", ADAPTER)
    text = json.dumps({"config": config.to_dict(), "sae_lens": sae_lens.__version__},
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def model_folder(preset: str | None = DEFAULT_PRESET, *, cache_dir=None, **overrides) -> Path:
    """Where the model of ``preset`` and ``overrides`` is (or will be) cached."""
    cfg = synthetic_config(preset, **overrides)
    return cache_root(cache_dir) / CACHE_SUBFOLDER / cache_key(cfg)


def clear_cache(cache_dir: str | os.PathLike | None = None) -> Path:
    """Delete every cached model (the ``saelens-synthetic`` folder of the cache root) and
    forget the loaded ones; returns the folder removed."""
    folder = cache_root(cache_dir) / CACHE_SUBFOLDER
    shutil.rmtree(folder, ignore_errors=True)
    _MEMO.clear()
    return folder


def _say(progress: bool, text: str) -> None:
    if progress:
        print(f"[saelens_synthetic] {text}", file=sys.stderr, flush=True)


def _quiet_library(progress: bool):
    """The library's orthogonalisation bar, switched off unless ``progress``."""
    if progress:
        return contextlib.nullcontext()
    module = import_optional("sae_lens.synthetic.feature_dictionary", ADAPTER)
    bar = module.tqdm
    return mock.patch.object(module, "tqdm",
                             lambda *a, **k: bar(*a, **{**k, "disable": True}))


def _build_model(config, progress: bool):
    """The library's model of ``config``, built on the CPU (its random streams are the
    CPU's: a model built on a GPU would have other features)."""
    with _quiet_library(progress):
        return _synthetic().SyntheticModel(config, device="cpu")


def _complete(folder: Path) -> bool:
    return (folder / META_FILE).is_file()


def _build_into(folder: Path, config, progress: bool) -> None:
    """Build, measure and save the model in a temporary folder beside ``folder``, then
    rename it to ``folder``: readers see a whole model or none. A writer that loses the
    race to another process discards its copy (the winner's is the same config's)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        _say(progress, f"building the model of {config.num_features} features in "
                       f"{config.hidden_dim} dimensions once; cached in {folder}")
        start = time.perf_counter()
        model = _build_model(config, progress)
        built = time.perf_counter() - start
        model.save(tmp)
        _say(progress, f"built in {built:.0f} s; measuring firing rates on "
                       f"{REFERENCE_ROWS} reference rows")
        start = time.perf_counter()
        rates = reference_rates(model)
        meta = {"key": folder.name, "config": config.to_dict(),
                "sae_lens": import_optional("sae_lens", ADAPTER).__version__,
                "torch": _torch().__version__, "build_seconds": built,
                "reference_rows": REFERENCE_ROWS, "reference_seed": REFERENCE_SEED,
                "reference_seconds": time.perf_counter() - start,
                "marginal_rates": [float(r) for r in rates]}
        (tmp / META_FILE).write_text(json.dumps(meta))
        try:
            os.rename(tmp, folder)
        except OSError:
            if not _complete(folder):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _build_lock(folder: Path, progress: bool) -> Iterator[None]:
    """Hold an advisory lock on ``<key>.lock`` beside ``folder`` (``fcntl.flock``), so that
    of several processes asking for one uncached model one builds it and the others wait,
    then load it, instead of all spending the build. Without ``fcntl`` (Windows) nothing is
    locked: each builds, and the atomic rename keeps one copy."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say(progress, f"waiting for another process building {folder}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_device(device) -> str:
    torch = _torch()
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be a torch device name such as 'cpu' or 'cuda:0', "
                         f"got {device!r}") from exc
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be a CPU or CUDA device, got {device!r}")
    return str(dev)


def load_synthetic_model(preset: str | None = DEFAULT_PRESET, *, device: str = "cpu",
                         cache_dir: str | os.PathLike | None = None, progress: bool = True,
                         **overrides):
    """The library's ``SyntheticModel`` of a preset, built once and then read from disk.

    The model is cached in ``cache_root(cache_dir) / "saelens-synthetic" / cache_key(config)``
    with the library's own ``save`` (and ``load_from_disk`` to read it), beside a
    ``toyground.json`` holding the sae_lens and torch versions, the build time and each
    feature's firing rate on `REFERENCE_ROWS` rows (`reference_rates`). It is built on the
    CPU and written atomically (`_build_into`), so parallel workers never see half a model,
    and under a lock (`_build_lock`), so they do not all build it; a process keeps the
    models it loaded (per folder and device). Long builds report on
    stderr (the library's orthogonalisation bar included) unless ``progress`` is False.

    Parameters
    ----------
    preset, **overrides
        As in `synthetic_config`.
    device : str, default="cpu"
        Where the loaded model samples (``"cpu"`` or a CUDA device).
    cache_dir : path or None, default=None
        Cache root; None reads ``$TOYGROUND_CACHE``, then ``$XDG_CACHE_HOME/toyground``,
        then ``~/.cache/toyground``.
    progress : bool, default=True

    Returns
    -------
    sae_lens.synthetic.SyntheticModel
        With ``toyground_reference`` (the ``toyground.json`` contents) attached.
    """
    config = synthetic_config(preset, **overrides)
    dev = _check_device(device)
    folder = cache_root(cache_dir) / CACHE_SUBFOLDER / cache_key(config)
    memo = (str(folder), dev)
    if memo in _MEMO:
        return _MEMO[memo]
    if not _complete(folder):
        with _build_lock(folder, bool(progress)):
            if not _complete(folder):
                _build_into(folder, config, bool(progress))
    model = _synthetic().SyntheticModel.load_from_disk(folder, device=dev)
    if model.cfg.to_dict() != config.to_dict():
        raise RuntimeError(f"the cached model in {folder} has another config; delete the "
                           f"folder to rebuild it")
    model.toyground_reference = json.loads((folder / META_FILE).read_text())
    _MEMO[memo] = model
    return model


# ------------------------------------------------------------------------------------------
# Sampling
# ------------------------------------------------------------------------------------------

def _seed_sequence(random_state) -> np.random.SeedSequence:
    """An int or SeedSequence as a SeedSequence; None as fresh entropy."""
    if random_state is None:
        return np.random.SeedSequence()
    try:
        return as_seed_sequence(random_state)
    except TypeError as exc:
        raise ValueError(f"random_state must be an int, a numpy.random.SeedSequence or "
                         f"None, got {type(random_state).__name__}") from exc


def _torch_seed(seq: np.random.SeedSequence) -> int:
    """A 64-bit torch seed drawn from ``seq``."""
    return int(seq.generate_state(1, dtype=np.uint64)[0])


class _TorchStream:
    """A torch random stream of its own on the library's global generators.

    The library draws from torch's global generator. Each draw runs inside
    ``torch.random.fork_rng`` with this stream's state set, and the state is saved after,
    so the caller's global state never moves and the stream resumes where it stopped,
    however the draws interleave with the caller's code.
    """

    def __init__(self, seed: int, device: str):
        self.torch = _torch()
        dev = self.torch.device(device)
        self.cuda = [] if dev.type != "cuda" else [
            dev.index if dev.index is not None else self.torch.cuda.current_device()]
        with self.torch.random.fork_rng(devices=self.cuda):
            self.torch.manual_seed(seed)
            self.state = self._get()

    def _get(self):
        return (self.torch.get_rng_state(),
                [self.torch.cuda.get_rng_state(i) for i in self.cuda])

    @contextlib.contextmanager
    def draw(self) -> Iterator[None]:
        with self.torch.random.fork_rng(devices=self.cuda):
            cpu, cuda = self.state
            self.torch.set_rng_state(cpu)
            for index, state in zip(self.cuda, cuda, strict=True):
                self.torch.cuda.set_rng_state(state, index)
            yield
            self.state = self._get()


def _csr(codes, dtype) -> sparse.csr_array:
    """The library's (rows, F) feature activations, dense or sparse COO, as a canonical CSR
    array of ``dtype`` holding the non-zeros only."""
    torch = _torch()
    if codes.is_sparse:
        coo = codes.coalesce()
        rows, cols = coo.indices()
        values = coo.values()
        keep = values != 0
        rows, cols, values = rows[keep], cols[keep], values[keep]
    else:
        rows, cols = torch.nonzero(codes, as_tuple=True)
        values = codes[rows, cols]
    out = sparse.csr_array((values.cpu().numpy().astype(dtype),
                            (rows.cpu().numpy(), cols.cpu().numpy())), shape=tuple(codes.shape))
    out.sum_duplicates()  # canonical: sorted indices (there are no duplicates)
    return out


def _model_device(model) -> str:
    return str(model.feature_dict.feature_vectors.device)


def _check_model(model) -> None:
    if not (hasattr(model, "sample_with_features") and hasattr(model, "feature_dict")
            and hasattr(model, "activation_generator")):
        raise ValueError(f"model must be a sae_lens.synthetic.SyntheticModel, got "
                         f"{type(model).__name__}")


def synthetic_batches(model, batch_size: int, n_batches: int | None, random_state, *,
                      with_codes: bool = False, dtype=np.float32):
    """Fresh batches drawn by the library, as numpy arrays, deterministic given the seed.

    Batch ``k`` is ``model.sample(batch_size)`` (``sample_with_features`` with codes: the
    same draws, so the same ``X``), the ``k``-th call on one torch stream seeded from
    ``random_state`` (`_TorchStream`): the caller's torch state is untouched, and nothing is
    kept between batches, so memory does not grow with their number.

    Parameters
    ----------
    model : sae_lens.synthetic.SyntheticModel
    batch_size : int
        Rows per batch (>= 1).
    n_batches : int or None
        Number of batches (>= 0); None for an endless stream.
    random_state : int, numpy.random.SeedSequence or None
        Seeds the stream (None: fresh entropy).
    with_codes : bool, default=False
        Yield ``(X, codes)``, codes the (batch_size, F) true feature activations as a
        ``scipy.sparse.csr_array``.
    dtype : float32 or float64, default=float32
        Of ``X`` and the codes (the library computes in float32).

    Returns
    -------
    iterator of ndarray (batch_size, d), or of (ndarray, csr_array (batch_size, F))
    """
    _check_model(model)
    B = check_int(batch_size, "batch_size")
    total = None if n_batches is None else check_int(n_batches, "n_batches", minimum=0)
    if not isinstance(with_codes, bool):
        raise ValueError(f"with_codes must be a bool, got {with_codes!r}")
    out = check_dtype(dtype)
    seq = _seed_sequence(random_state)
    return _batches(model, B, total, seq, with_codes, out)


def _batches(model, B: int, total: int | None, seq, with_codes: bool, dtype):
    stream = _TorchStream(_torch_seed(seq), _model_device(model))
    k = 0
    while total is None or k < total:
        with stream.draw():
            if with_codes:
                X, C = model.sample_with_features(B)
            else:
                X, C = model.sample(B), None
        X = X.detach().cpu().numpy().astype(dtype, copy=False)
        yield X if C is None else (X, _csr(C, dtype))
        k += 1


# ------------------------------------------------------------------------------------------
# Ground truth
# ------------------------------------------------------------------------------------------

def reference_rates(model) -> np.ndarray:
    """Each feature's firing rate (share of rows where its code is non-zero) on
    `REFERENCE_ROWS` rows of the stream seeded by `REFERENCE_SEED`, shape (F,)."""
    F = model.cfg.num_features
    B = chunk_rows(F)
    n_batches = math.ceil(REFERENCE_ROWS / B)
    counts = np.zeros(F, dtype=np.int64)
    for _, C in synthetic_batches(model, B, n_batches, REFERENCE_SEED, with_codes=True):
        counts += np.bincount(C.indices, minlength=F)
    return counts / (n_batches * B)


def _forest(model, F: int) -> dict:
    """Parent, depth and exclusive group of each feature, read from ``model.hierarchy``.

    A feature's parent is its nearest ancestor node with a feature index (-1 for roots and
    features outside every tree); its depth the number of levels above it (0 for those);
    its exclusive group the parent's index when the parent's children are mutually
    exclusive, else -1 (the convention of `generators.hierarchical_features`).
    """
    parent = np.full(F, -1, dtype=np.int64)
    depth = np.zeros(F, dtype=np.int64)
    exclusive = np.full(F, -1, dtype=np.int64)
    in_tree = np.zeros(F, dtype=bool)
    roots = [] if model.hierarchy is None else list(model.hierarchy.roots)
    stack = [(root, -1, 0, False) for root in roots]
    while stack:
        node, up, level, excl = stack.pop()
        here = up
        if node.feature_index is not None:
            i = node.feature_index
            parent[i], depth[i], in_tree[i] = up, level, True
            exclusive[i] = up if excl else -1
            here = i
        me = bool(node.mutually_exclusive_children) and len(node.children) >= 2
        stack.extend((child, here, level + 1, me) for child in node.children)
    return {"parent": parent, "depth": depth, "exclusive_group": exclusive,
            "in_hierarchy": in_tree}


def _numpy(tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy().astype(np.float64)


def synthetic_truth(model, width: int | None = None) -> dict:
    """The ground truth of a model that does not depend on the rows.

    Parameters
    ----------
    model : sae_lens.synthetic.SyntheticModel
    width : int or None
        SAE width (None: a quarter of the features).

    Returns
    -------
    dict
        ``features`` (F, d) float64, the library's ``feature_dict.feature_vectors`` (unit
        rows); ``bias`` (d,); ``parent``, ``depth``, ``exclusive_group`` (F,) int64 and
        ``in_hierarchy`` (F,) bool (`_forest`); ``firing_probabilities`` (F,): the config's
        firing law (``cfg.firing_probability.generate``), which ranks the features (Zipfian:
        descending in index) and which the library's compensation aims at, not each
        feature's rate: under full mutual exclusion children fire less (the realised L0 is
        about half the law's sum); ``sampler_probabilities`` (F,): the library's
        ``activation_generator.firing_probabilities``, the compensated probabilities drawn
        before the hierarchy gates the children; ``marginal_rates`` (F,): each feature's
        measured rate on the reference sample (`reference_rates`); ``width``;
        ``width_features`` (width,): the ``width`` most frequent features by
        ``firing_probabilities`` (ties by index); ``expected_l0`` (the sum of
        ``marginal_rates``: the mean L0 of a row) and ``expected_l0_width`` (the same over
        ``width_features``); ``n_true_features`` (= F).
    """
    _check_model(model)
    F = int(model.cfg.num_features)
    w = default_width(F) if width is None else check_int(width, "width")
    if w > F:
        raise ValueError(f"width must be <= the {F} features, got {width!r}")
    reference = getattr(model, "toyground_reference", None)
    if reference is None:
        reference = {"marginal_rates": [float(r) for r in reference_rates(model)]}
        model.toyground_reference = reference
    rates = np.asarray(reference["marginal_rates"], dtype=np.float64)
    law = _numpy(model.cfg.firing_probability.generate(F, seed=model.cfg.seed))
    top = np.sort(np.argsort(-law, kind="stable")[:w])
    return {
        "features": _numpy(model.feature_dict.feature_vectors),
        "bias": _numpy(model.feature_dict.bias),
        **_forest(model, F),
        "firing_probabilities": law,
        "sampler_probabilities": _numpy(model.activation_generator.firing_probabilities),
        "marginal_rates": rates,
        "n_true_features": F,
        "width": w,
        "width_features": top,
        "expected_l0": float(rates.sum()),
        "expected_l0_width": float(rates[top].sum()),
    }


def make_saelens_synthetic(n_samples: int, *, preset: str | None = DEFAULT_PRESET,
                           random_state=None, split: int = 0, device: str = "cpu",
                           cache_dir: str | os.PathLike | None = None,
                           width: int | None = None, **overrides) -> Dataset:
    """Rows of SynthSAEBench (SAELens's synthetic model) with their true features and codes.

    The model of ``preset`` and ``overrides`` (`load_synthetic_model`, cached) draws the
    rows: the first ``n_samples`` of `synthetic_batches` in batches of
    ``chunk_rows(F)`` on the stream of ``child_seed(random_state, SAMPLES, split)``
    (`generators.seeding`), so splits never share draws and a call is a pure function of its
    arguments. ``X = codes @ features + bias`` (computed by the library in float32).

    Parameters
    ----------
    n_samples : int
        Rows (>= 1).
    preset : str or None, default="synthsaebench_ci"
        A key of `PRESETS` (None: the library's defaults and ``overrides``).
    random_state : int, numpy.random.SeedSequence or None, default=None
        The dataset's seed (the grid passes a SeedSequence); None draws fresh entropy,
        recorded in ``params``.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).
    device : str, default="cpu"
        Where the library samples (a CUDA device draws other rows than the CPU).
    cache_dir : path or None, default=None
        The model cache's root (`cache_root`).
    width : int or None, default=None
        SAE width for ``true_l0_width`` (None: a quarter of the features).
    **overrides
        ``SyntheticModelConfig`` fields (`synthetic_config`).

    Returns
    -------
    Dataset
        ``name="saelens_synthetic"``, ``X`` (n, d) float64. ``ground_truth``: what
        `synthetic_truth` returns, and ``codes`` (n, F) ``scipy.sparse.csr_array`` float64,
        these rows' true feature activations (non-zeros only, never dense); ``true_l0``: mean
        non-zeros per row of ``codes``; ``true_l0_width``: the same over
        ``width_features``; ``preset``. ``params``: the arguments, the full config
        (``config``) and its ``cache_key``.

    Raises
    ------
    ValueError
        A bad argument, naming it (before any model is built or loaded).
    """
    n = check_int(n_samples, "n_samples")
    s = check_int(split, "split", minimum=0)
    seq = _seed_sequence(random_state)
    config = synthetic_config(preset, **overrides)
    F = int(config.num_features)
    w = default_width(F) if width is None else check_int(width, "width")
    if w > F:
        raise ValueError(f"width must be <= num_features={F}, got {width!r}")
    _check_device(device)
    cache_root(cache_dir)
    model = load_synthetic_model(preset, device=device, cache_dir=cache_dir, progress=True,
                                 **overrides)
    B = chunk_rows(F)
    Xs, Cs = [], []
    for X, C in synthetic_batches(model, B, math.ceil(n / B), child_seed(seq, SAMPLES, s),
                                  with_codes=True, dtype=np.float64):
        Xs.append(X)
        Cs.append(C)
    X = np.ascontiguousarray(np.concatenate(Xs)[:n])
    codes = sparse.csr_array(sparse.vstack(Cs, format="csr")[:n])
    truth = synthetic_truth(model, w)
    top = truth["width_features"]
    truth.update({
        "codes": codes,
        "true_l0": float(codes.nnz / n),
        "true_l0_width": float(np.count_nonzero(codes[:, top].data) / n),
        "preset": preset,
    })
    params = {"n_samples": n, "preset": preset,
              "random_state": repr(seq if random_state is None else random_state),
              "split": s, "device": device, "width": w,
              "overrides": {k: _plain(v) for k, v in overrides.items()},
              "config": config.to_dict(), "cache_key": cache_key(config)}
    return Dataset(NAME, X=X, ground_truth=truth, params=params)


if __name__ == "__main__":
    from generators.adapters.saelens_profile import main

    sys.exit(main())
