"""Where SynthSAEBench's time goes, and the cache from the command line.

``python -m generators.adapters.saelens_synthetic --profile PRESET`` times, on this machine:

- the build, by phase (hierarchy, correlation, feature dictionary = the orthogonalisation,
  activation generator), on a fresh model that is not cached;
- the orthogonalisation's seconds per step for several ``chunk_size`` values (two steps
  each, from the same start: the per-step cost is the same at every step);
- sampling in rows per second: the library's ``sample_with_features`` alone and through
  `synthetic_batches` (numpy and CSR codes), for batch sizes from 256 up;
- one batch split into the library's parts (copula firing, hierarchy modifier, feature
  dictionary, the rest: magnitudes and the dense scatter), by timing wrappers around them;
- dense against sparse tensors (``use_sparse_tensors``), and 1 against 2 torch threads.

Run it with ``OMP_NUM_THREADS=1`` for one-core numbers (the threads row sets its own).
Every time is given twice: CPU seconds of this process (``time.process_time``), which on a
machine shared with other jobs stays close to what an idle core takes, and wall-clock
seconds in brackets. Tables are printed as they are measured.
``--skip-build`` profiles the cached model without timing a fresh build;
``--unorthogonalised`` samples from the preset without its orthogonalisation (the sampling
cost does not depend on the directions' values), to time the 16k preset's sampling without
its build. ``--build PRESET`` only builds and caches; ``--clear-cache`` empties the cache.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import time
from typing import Iterator
from unittest import mock

from generators.adapters import saelens_synthetic as S

BATCH_SIZES = (256, 1024, 4096, 16384, 65536)
# Largest dense (rows, F) float32 batch timed: 1 GiB.
MAX_BATCH_BYTES = 2**30


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


class _Clock:
    """Wall and CPU seconds since creation."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def _pair(cpu: float, wall: float, fmt: str = ".2f") -> str:
    return f"{cpu:{fmt}} ({wall:{fmt}})"


def time_build(config) -> dict:
    """(CPU, wall) seconds of each phase of a fresh ``SyntheticModel(config)``, by wrapping
    its four ``_create_*`` methods, and of the whole."""
    syn = S._synthetic()
    phases: dict[str, tuple[float, float]] = {}
    names = ("_create_hierarchy", "_create_correlation_matrix", "_create_feature_dict",
             "_create_activation_generator")

    def timed(name, method):
        def wrapper(self, *args, **kwargs):
            clock = _Clock()
            out = method(self, *args, **kwargs)
            wall, cpu = clock.read()
            phases[name] = (cpu, wall)
            return out
        return wrapper

    patches = [mock.patch.object(syn.SyntheticModel, name,
                                 timed(name, getattr(syn.SyntheticModel, name)))
               for name in names]
    clock = _Clock()
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        syn.SyntheticModel(config, device="cpu")
    wall, cpu = clock.read()
    phases["total"] = (cpu, wall)
    return phases


def time_orthogonalisation(F: int, d: int, chunk_sizes, steps: int = 2) -> dict:
    """(CPU, wall) seconds per orthogonalisation step at each ``chunk_size`` (``steps``
    steps each, from the same random start)."""
    torch = S._torch()
    fd = S.import_optional("sae_lens.synthetic.feature_dictionary", S.ADAPTER)
    start_vectors = torch.randn(F, d, generator=torch.Generator().manual_seed(0))
    out = {}
    for chunk in chunk_sizes:
        clock = _Clock()
        fd.orthogonalize_embeddings(start_vectors, num_steps=steps, lr=3e-4, chunk_size=chunk)
        wall, cpu = clock.read()
        out[chunk] = (cpu / steps, wall / steps)
    return out


def _rate(draw, B: int, seconds: float) -> tuple[float, float]:
    """Rows per (CPU, wall) second of ``draw(B)`` over at least 2 calls and ``seconds`` CPU
    seconds."""
    draw(B)  # warm-up: caches, allocator
    n, clock = 0, _Clock()
    while n < 2 * B or clock.read()[1] < seconds:
        draw(B)
        n += B
    wall, cpu = clock.read()
    return n / cpu, n / wall


def _library_draw(model):
    torch = S._torch()

    def draw(B):
        with torch.random.fork_rng(devices=[]):
            model.sample_with_features(B)
    return draw


def _adapter_draw(model):
    def draw(B):
        for _ in S.synthetic_batches(model, B, 1, 0, with_codes=True):
            pass
    return draw


def time_sampling(model, batch_sizes, seconds: float) -> Iterator[dict]:
    """Rows per (CPU, wall) second at each batch size: the library alone (dense, then
    sparse tensors) and through `synthetic_batches` with CSR codes."""
    F = model.cfg.num_features
    for B in batch_sizes:
        if B * F * 4 > MAX_BATCH_BYTES:
            yield {"batch": B, "skipped": f"dense batch over {MAX_BATCH_BYTES >> 20} MiB"}
            continue
        row = {"batch": B, "library": _rate(_library_draw(model), B, seconds),
               "adapter": _rate(_adapter_draw(model), B, seconds)}
        model.use_sparse_tensors = True
        try:
            row["library_sparse"] = _rate(_library_draw(model), B, seconds)
        finally:
            model.use_sparse_tensors = False
        yield row


def time_threads(model, B: int, seconds: float, threads=(1, 2)) -> dict:
    """Library rows per (CPU, wall) second at batch ``B`` with each torch thread count."""
    torch = S._torch()
    before = torch.get_num_threads()
    out = {}
    try:
        for t in threads:
            torch.set_num_threads(t)
            out[t] = _rate(_library_draw(model), B, seconds)
    finally:
        torch.set_num_threads(before)
    return out


def time_parts(model, B: int, repeats: int = 5) -> dict:
    """Seconds per batch of ``B`` rows in each part of ``sample_with_features``: the copula
    firing (``_generate_low_rank_correlated_features``), the hierarchy modifier, the feature
    dictionary (``x = c F + b``), and the rest of the activation generator (magnitudes, the
    dense scatter, the relu), by wrapping the library's callables; CPU seconds."""
    torch = S._torch()
    ag = S.import_optional("sae_lens.synthetic.activation_generator", S.ADAPTER)
    spent = {"copula firing": 0.0, "hierarchy modifier": 0.0, "feature dictionary": 0.0}

    def timed(key, fn):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            out = fn(*args, **kwargs)
            spent[key] += time.process_time() - start
            return out
        return wrapper

    gen = model.activation_generator
    patches = [mock.patch.object(ag, "_generate_low_rank_correlated_features",
                                 timed("copula firing", ag._generate_low_rank_correlated_features)),
               mock.patch.object(gen, "modify_activations",
                                 timed("hierarchy modifier", gen.modify_activations)),
               mock.patch.object(model.feature_dict, "forward",
                                 timed("feature dictionary", model.feature_dict.forward))]
    with contextlib.ExitStack() as stack, torch.random.fork_rng(devices=[]):
        for patch in patches:
            stack.enter_context(patch)
        model.sample_with_features(B)
        for key in spent:
            spent[key] = 0.0
        start = time.process_time()
        for _ in range(repeats):
            model.sample_with_features(B)
        total = time.process_time() - start
    out = {key: value / repeats for key, value in spent.items()}
    out["rest of the activation generator"] = total / repeats - sum(out.values())
    out["total"] = total / repeats
    return out


def profile(preset: str, *, cache_dir=None, batch_sizes=BATCH_SIZES, seconds: float = 3.0,
            build: bool = True, unorthogonalised: bool = False, chunk_sizes=(256, 1024),
            parts_batch: int | None = None) -> Iterator[str]:
    """The profile of ``preset`` as lines of Markdown, each table as soon as it is measured
    (see the module docstring)."""
    torch = S._torch()
    overrides = {"orthogonalization": None} if unorthogonalised else {}
    config = S.synthetic_config(preset, **overrides)
    F, d = config.num_features, config.hidden_dim
    yield f"## {preset}: {F} features in {d} dimensions"
    yield (f"torch threads {torch.get_num_threads()}, sae_lens "
           f"{S.import_optional('sae_lens', S.ADAPTER).__version__}, torch {torch.__version__}"
           f"; CPU seconds of this process (wall seconds)\n")
    if build:
        yield "| build phase | seconds |\n|---|---|"
        for name, (cpu, wall) in time_build(config).items():
            yield f"| {name} | {_pair(cpu, wall)} |"
        yield f"\npeak resident size so far {_rss_gib():.2f} GiB\n"
    if chunk_sizes and not unorthogonalised:
        yield "| orthogonalisation chunk_size | seconds per step | 100 steps |\n|---|---|---|"
        for chunk, (cpu, wall) in time_orthogonalisation(F, d, chunk_sizes).items():
            yield f"| {chunk} | {_pair(cpu, wall)} | {_pair(100 * cpu, 100 * wall, '.0f')} |"
        yield ""
    model = S.load_synthetic_model(preset, cache_dir=cache_dir, **overrides)
    yield ("| batch | library rows/s (dense) | library rows/s (sparse tensors) | "
           "synthetic_batches rows/s (numpy + CSR codes) |\n|---|---|---|---|")
    for row in time_sampling(model, batch_sizes, seconds):
        if "skipped" in row:
            yield f"| {row['batch']} | {row['skipped']} | | |"
        else:
            yield (f"| {row['batch']} | {_pair(*row['library'], '.0f')} | "
                   f"{_pair(*row['library_sparse'], '.0f')} | {_pair(*row['adapter'], '.0f')} |")
    B = S.chunk_rows(F) if parts_batch is None else parts_batch
    yield f"\n| part of one batch of {B} rows | CPU ms | share |\n|---|---|---|"
    parts = time_parts(model, B)
    for key, value in parts.items():
        yield f"| {key} | {1e3 * value:.1f} | {value / parts['total']:.0%} |"
    yield f"\n| torch threads (batch {B}) | library rows/s |\n|---|---|"
    for t, rates in time_threads(model, B, seconds).items():
        yield f"| {t} | {_pair(*rates, '.0f')} |"
    yield f"\npeak resident size {_rss_gib():.2f} GiB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generators.adapters.saelens_synthetic",
                                     description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--profile", metavar="PRESET", choices=sorted(S.PRESETS))
    action.add_argument("--build", metavar="PRESET", choices=sorted(S.PRESETS),
                        help="build and cache a preset's model")
    action.add_argument("--clear-cache", action="store_true",
                        help="delete every cached model")
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--batch-sizes", default=",".join(map(str, BATCH_SIZES)))
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="least seconds timed per sampling rate")
    parser.add_argument("--chunk-sizes", default="256,1024",
                        help="orthogonalisation chunk sizes to time ('' for none)")
    parser.add_argument("--skip-build", action="store_true",
                        help="do not time a fresh build")
    parser.add_argument("--unorthogonalised", action="store_true",
                        help="time sampling on the preset without its orthogonalisation")
    args = parser.parse_args(argv)
    if args.clear_cache:
        print(f"removed {S.clear_cache(args.cache_dir)}")
        return 0
    if args.build:
        model = S.load_synthetic_model(args.build, cache_dir=args.cache_dir)
        print(f"{args.build}: cached in {S.model_folder(args.build, cache_dir=args.cache_dir)}"
              f", expected L0 {S.synthetic_truth(model)['expected_l0']:.2f}")
        return 0
    for line in profile(args.profile, cache_dir=args.cache_dir,
                        batch_sizes=[int(b) for b in args.batch_sizes.split(",") if b],
                        seconds=args.seconds, build=not args.skip_build,
                        unorthogonalised=args.unorthogonalised,
                        chunk_sizes=[int(c) for c in args.chunk_sizes.split(",") if c]):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
