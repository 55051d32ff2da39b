"""Memory and time per step of a streamed SAE fit (docs/speed.md, "Streaming: memory and
time per step").

For each SAE of the sparse family's list (the grid's configuration, resized to ``d``,
``m`` latents and batch ``B``), ``fit_stream`` on fresh planted batches, one BLAS thread,
each architecture in a process of its own (so that its resident peak is its own):

- ``state``: the bytes the formula counts, ``4 (5 P + B m + B (d + 1))`` for ``P``
  parameters in float32 (the parameters, their gradient, Adam's two moments and its
  update buffer), one (B, m) and one (B, d + 1) float32 buffer;
- ``bound``: `memory_bound`, what ``tests/test_sae_streaming.py`` holds the traced peak
  to (the architecture's own (B, m) and (B, d + 1) arrays counted, float64 fitted copies,
  the stream's batches);
- ``traced``: the peak of the arrays allocated during the fit (tracemalloc);
- ``rss``: the process's peak resident size minus its size before the fit (BLAS buffers
  and the allocator's pools included);
- ``stream``: seconds per step of ``fit_stream`` (one optimiser step, the input checks of
  its batch and the stream's copy; the start, timed apart, taken off), and its ratio to a
  step of ``fit``'s loop (`training_step` on the rows of an array), both the minimum over
  interleaved rounds.

    OMP_NUM_THREADS=1 python -m benchmarks.sparse.streaming_costs --size preset
    OMP_NUM_THREADS=1 python -m benchmarks.sparse.streaming_costs --size published

``preset`` is the one-CPU-hour preset's size (d 192, m 1024, B 1024), ``published`` the
per-batch footprint of the published SynthSAEBench-16k configuration (d 768, m 4096,
B 1024; it trains on 200M samples, 195,313 steps: only the footprint and the time per step
are measured here), ``quick`` the quick grid's (d 32, m 64, B 256).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from generators.planted_sparse import make_planted_sparse
from methods.sparse.adam import Adam
from methods.sparse.sae_training import (
    BatchSampler,
    SparseAutoencoderBase,
    augment_with_ones,
    training_step,
)

SIZES = {"quick": (32, 64, 256), "preset": (192, 1024, 1024), "published": (768, 4096, 1024)}
#: Steps timed per block and rounds of blocks per architecture, and steps of the traced fit.
TIMED_STEPS = {"quick": 200, "preset": 20, "published": 5}
ROUNDS = {"quick": 7, "preset": 5, "published": 3}
TRACED_STEPS = 4
# Distinct batches the stream copies from (each step gets a fresh copy).
POOL = 4

#: Bytes per parameter of a streamed fit: theta, its gradient, Adam's two moments and its
#: update buffer (5 x float32), the float64 fitted copies of the two (m, d) matrices (8)
#: and the model's (m, d) scratch (2): 30, measured 29.2-29.9 (least squares over 5
#: sizes, d 32-256, m 64-1024, B 16-512); rounded up.
BYTES_PER_PARAMETER = 32
#: Bytes per element of the (B, m) and of the (B, d + 1) arrays alive at a step's peak,
#: counted from each model's buffers and temporaries and rounded up (least-squares
#: measurements over the same 5 sizes in brackets). (B, d + 1): the float32 staging,
#: batch and residual buffers, the stream's float64 batches (the one in use and the next)
#: and the input checks (|X| and a finite mask): about 25; sparse codes add their gathered
#: decoder rows (2 k rows of d per sample, k = 5).
#:
#: - ReLU: C, G float32 + a bool mask = 9 per (B, m) [8.5]; 48 [30.9].
#: - TopK: pre-activations + argpartition's int64 indices = 12 [10.4]; 64 [40.8], plus
#:   AuxK's residual arrays once latents die (about 7 float32 (B, d) arrays): 96.
#: - BatchTopK / Matryoshka: pre-activations, a bool mask, and for every positive entry
#:   (up to all of them early in training) its int64 index, float32 value and int64
#:   partition index = 25 [8.2 / 9.2]; 80 [57.4 / 47.0].
#: - JumpReLU: 4 float32 + 2 bool = 18 [17.6]; 48 [22.8].
#: - Gated: 6 float32 + 1 bool = 25 [24.5]; 48 [27.5].
#:
#: An architecture not listed is held to `LOOSEST`.
BYTES_PER_BATCH_ELEMENT = {
    "ReluSAE": (12, 48),
    "TopKSAE": (14, 96),
    "BatchTopKSAE": (28, 80),
    "MatryoshkaSAE": (28, 80),
    "JumpReluSAE": (22, 48),
    "GatedSAE": (30, 48),
}
LOOSEST = (32, 96)
#: Interpreter and module objects allocated by a fit (measured 57-252 kB: the constants
#: of the least-squares fits above).
CONSTANT_BYTES = 512 * 1024


def state_bytes(n_params: int, d: int, m: int, batch: int, itemsize: int = 4) -> int:
    """``itemsize (5 P + B m + B (d + 1))``: parameters, gradient, Adam's two moments and
    update buffer, one (B, m) and one (B, d + 1) buffer."""
    return itemsize * (5 * n_params + batch * m + batch * (d + 1))


def memory_bound(est, d: int, m: int, batch: int) -> int:
    """Bound on the peak traced memory of ``est``'s streamed fit (started: it reads the
    parameter count of its model), from `BYTES_PER_PARAMETER` and the architecture's row
    of `BYTES_PER_BATCH_ELEMENT`."""
    n_params = est._training.model.theta.size
    per_bm, per_bd = BYTES_PER_BATCH_ELEMENT.get(type(est).__name__, LOOSEST)
    return (BYTES_PER_PARAMETER * n_params + per_bm * batch * m
            + per_bd * batch * (d + 1) + CONSTANT_BYTES)


def builtin_saes() -> dict:
    """``{name: factory(d, m, batch)}`` of the sparse list's SAEs (`SparseAutoencoderBase`),
    each in the grid's configuration, resized."""
    family = get_family("sparse")
    out = {}
    for spec in family.methods(get_profile("quick")):
        def make(d, m, batch, spec=spec):
            est = spec.build(family.tiny_train(d), np.random.SeedSequence(0))
            return est.set_params(n_components=m, batch_size=batch)
        if isinstance(spec.build(family.tiny_train(4), np.random.SeedSequence(0)),
                      SparseAutoencoderBase):
            out[spec.name] = make
    return out


def _pool(d: int, batch: int) -> list[np.ndarray]:
    return [make_planted_sparse(batch, n_features=d, n_atoms=2 * d, random_state=0,
                                split=i).X for i in range(POOL)]


def _resident() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _fit_step(est, X: np.ndarray, batch: int):
    """One step of ``est``'s ``fit`` loop on ``X`` (as `benchmarks.sparse.test_speed`)."""
    rng = np.random.default_rng(0)
    model = est._init_model(X, batch, np.dtype(np.float32), rng)
    X_aug = augment_with_ones(X, np.float32)
    sampler = BatchSampler(X.shape[0], batch, rng)
    opt = Adam(model.theta, lr=est.learning_rate)
    return lambda: training_step(model, opt, X_aug, sampler)


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def measure_one(name: str, size: str) -> dict:  # pragma: no cover - the doc's numbers
    """The costs of one architecture at one size (in this process)."""
    d, m, batch = SIZES[size]
    make = builtin_saes()[name]
    pool = _pool(d, batch)
    n = TIMED_STEPS[size]

    def stream(n_batches):
        for i in range(n_batches):
            yield pool[i % POOL].copy()

    with threadpool_limits(limits=1):
        before = _resident()
        make(d, m, batch).fit_stream(stream(n + 1))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
        gc.collect()
        tracemalloc.start()
        est = make(d, m, batch).fit_stream(stream(TRACED_STEPS))
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        best = {"fit": np.inf, "stream": np.inf, "start": np.inf}
        for _ in range(ROUNDS[size]):  # interleaved, minima: the machine's drift cancels
            # Each block from a fresh start: a step's cost changes as training goes on
            # (BatchTopK ranks the positive pre-activations, TopK's AuxK waits for dead
            # latents).
            step = _fit_step(make(d, m, batch), np.vstack(pool), batch)
            best["fit"] = min(best["fit"],
                              _seconds(lambda step=step: [step() for _ in range(n)]))
            best["stream"] = min(best["stream"], _seconds(
                lambda: make(d, m, batch).fit_stream(stream(n + 1))))
            best["start"] = min(best["start"], _seconds(
                lambda: make(d, m, batch).fit_stream(stream(1))))
    n_params = est._training.model.theta.size
    return {"name": name, "class": type(est).__name__, "d": d, "m": m, "B": batch,
            "parameters": n_params, "state": state_bytes(n_params, d, m, batch),
            "bound": memory_bound(est, d, m, batch), "traced": traced, "rss": rss,
            "stream_step": (best["stream"] - best["start"]) / n, "fit_step": best["fit"] / n}


def main(argv=None) -> None:  # pragma: no cover - the doc's numbers
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="preset")
    parser.add_argument("--only", help="one architecture (run in this process)")
    args = parser.parse_args(argv)
    if args.only:
        print(json.dumps(measure_one(args.only, args.size)))
        return
    d, m, batch = SIZES[args.size]
    print(f"size {args.size}: d={d}, m={m}, B={batch}; one BLAS thread, "
          f"{ROUNDS[args.size]} rounds of {TIMED_STEPS[args.size]} steps")
    print(f"{'architecture':16s} {'params':>9s} {'state MB':>9s} {'bound MB':>9s} "
          f"{'traced MB':>10s} {'rss MB':>8s} {'ms/step':>9s} {'/ fit':>6s}")
    for name in builtin_saes():
        out = subprocess.run([sys.executable, "-m", "benchmarks.sparse.streaming_costs",
                              "--size", args.size, "--only", name],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"{name:16s} {r['parameters']:9d} {r['state'] / 1e6:9.1f} "
              f"{r['bound'] / 1e6:9.1f} {r['traced'] / 1e6:10.1f} {r['rss'] / 1e6:8.1f} "
              f"{1e3 * r['stream_step']:9.2f} {r['stream_step'] / r['fit_step']:6.2f}",
              flush=True)


if __name__ == "__main__":  # pragma: no cover
    main()
