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
from unittest import mock

from generators.adapters import saelens_synthetic as S

BATCH_SIZES = (256, 1024, 4096, 16384, 65536)
# Largest dense (rows, F) float32 batch timed: 1 GiB.
MAX_BATCH_BYTES = 2**30


def _rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def time_build(config) -> dict:
    """Seconds of each phase of a fresh ``SyntheticModel(config)``, by wrapping its four
    ``_create_*`` methods; ``total`` and the peak resident size (GiB) too."""
    syn = S._synthetic()
    phases: dict[str, float] = {}
    names = ("_create_hierarchy", "_create_correlation_matrix", "_create_feature_dict",
             "_create_activation_generator")

    def timed(name, method):
        def wrapper(self, *args, **kwargs):
            start = time.perf_counter()
            out = method(self, *args, **kwargs)
            phases[name] = time.perf_counter() - start
            return out
        return wrapper

    patches = [mock.patch.object(syn.SyntheticModel, name,
                                 timed(name, getattr(syn.SyntheticModel, name)))
               for name in names]
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        syn.SyntheticModel(config, device="cpu")
    phases["total"] = time.perf_counter() - start
    phases["peak_rss_gib"] = _rss_gib()
    return phases


def time_orthogonalisation(F: int, d: int, chunk_sizes, steps: int = 2) -> dict:
    """Seconds per orthogonalisation step at each ``chunk_size`` (``steps`` steps each)."""
    torch = S._torch()
    fd = S.import_optional("sae_lens.synthetic.feature_dictionary", S.ADAPTER)
    start_vectors = torch.randn(F, d, generator=torch.Generator().manual_seed(0))
    out = {}
    for chunk in chunk_sizes:
        start = time.perf_counter()
        fd.orthogonalize_embeddings(start_vectors, num_steps=steps, lr=3e-4, chunk_size=chunk)
        out[chunk] = (time.perf_counter() - start) / steps
    return out


def _rate(draw, B: int, seconds: float) -> float:
    """Rows per second of ``draw(B)`` over at least 2 calls and ``seconds`` seconds."""
    draw(B)  # warm-up: caches, allocator
    n, start = 0, time.perf_counter()
    while n < 2 * B or time.perf_counter() - start < seconds:
        draw(B)
        n += B
    return n / (time.perf_counter() - start)


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


def time_sampling(model, batch_sizes, seconds: float) -> list[dict]:
    """Rows per second at each batch size: the library alone (dense, then sparse tensors)
    and through `synthetic_batches` with CSR codes."""
    F = model.cfg.num_features
    rows = []
    for B in batch_sizes:
        if B * F * 4 > MAX_BATCH_BYTES:
            rows.append({"batch": B, "skipped": f"dense batch over {MAX_BATCH_BYTES >> 20} MiB"})
            continue
        row = {"batch": B, "library": _rate(_library_draw(model), B, seconds),
               "adapter": _rate(_adapter_draw(model), B, seconds)}
        model.use_sparse_tensors = True
        try:
            row["library_sparse"] = _rate(_library_draw(model), B, seconds)
        finally:
            model.use_sparse_tensors = False
        rows.append(row)
    return rows


def time_threads(model, B: int, seconds: float, threads=(1, 2)) -> dict:
    """Library rows per second at batch ``B`` with each torch thread count."""
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
    dense scatter, the relu), by wrapping the library's callables."""
    torch = S._torch()
    ag = S.import_optional("sae_lens.synthetic.activation_generator", S.ADAPTER)
    spent = {"copula firing": 0.0, "hierarchy modifier": 0.0, "feature dictionary": 0.0}

    def timed(key, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            spent[key] += time.perf_counter() - start
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
        start = time.perf_counter()
        for _ in range(repeats):
            model.sample_with_features(B)
        total = time.perf_counter() - start
    out = {key: value / repeats for key, value in spent.items()}
    out["rest of the activation generator"] = total / repeats - sum(out.values())
    out["total"] = total / repeats
    return out


def profile(preset: str, *, cache_dir=None, batch_sizes=BATCH_SIZES, seconds: float = 3.0,
            build: bool = True, unorthogonalised: bool = False, chunk_sizes=(256, 1024),
            parts_batch: int | None = None) -> str:
    """The profile of ``preset`` as Markdown (see the module docstring)."""
    torch = S._torch()
    overrides = {"orthogonalization": None} if unorthogonalised else {}
    config = S.synthetic_config(preset, **overrides)
    F, d = config.num_features, config.hidden_dim
    lines = [f"## {preset}: {F} features in {d} dimensions",
             f"torch threads {torch.get_num_threads()}, sae_lens "
             f"{S.import_optional('sae_lens', S.ADAPTER).__version__}, torch {torch.__version__}",
             ""]
    if build:
        phases = time_build(config)
        lines += ["| build phase | seconds |", "|---|---|"]
        lines += [f"| {k} | {v:.2f} |" for k, v in phases.items()]
        lines.append("")
    if chunk_sizes and not unorthogonalised:
        per_step = time_orthogonalisation(F, d, chunk_sizes)
        lines += ["| orthogonalisation chunk_size | seconds per step | 100 steps |",
                  "|---|---|---|"]
        lines += [f"| {c} | {s:.2f} | {100 * s:.0f} s |" for c, s in per_step.items()]
        lines.append("")
    model = S.load_synthetic_model(preset, cache_dir=cache_dir, **overrides)
    lines += ["| batch | library rows/s (dense) | library rows/s (sparse tensors) | "
              "synthetic_batches rows/s (numpy + CSR codes) |", "|---|---|---|---|"]
    for row in time_sampling(model, batch_sizes, seconds):
        if "skipped" in row:
            lines.append(f"| {row['batch']} | {row['skipped']} | | |")
        else:
            lines.append(f"| {row['batch']} | {row['library']:.0f} | "
                         f"{row['library_sparse']:.0f} | {row['adapter']:.0f} |")
    B = S.chunk_rows(F) if parts_batch is None else parts_batch
    lines += ["", f"| part of one batch of {B} rows | ms | share |", "|---|---|---|"]
    parts = time_parts(model, B)
    lines += [f"| {k} | {1e3 * v:.1f} | {v / parts['total']:.0%} |" for k, v in parts.items()]
    threads = time_threads(model, B, seconds)
    lines += ["", f"| torch threads (batch {B}) | library rows/s |", "|---|---|"]
    lines += [f"| {t} | {r:.0f} |" for t, r in threads.items()]
    lines += ["", f"peak resident size {_rss_gib():.2f} GiB"]
    return "\n".join(lines)


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
    print(profile(args.profile, cache_dir=args.cache_dir,
                  batch_sizes=[int(b) for b in args.batch_sizes.split(",") if b],
                  seconds=args.seconds, build=not args.skip_build,
                  unorthogonalised=args.unorthogonalised,
                  chunk_sizes=[int(c) for c in args.chunk_sizes.split(",") if c]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
