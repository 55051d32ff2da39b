"""Speed of the newer SAE architectures' training step against the dense floor.

Same setting, floor and timing as the `ReluSAE` / `TopKSAE` benchmarks of
``benchmarks/sparse/test_speed.py`` (whose helpers this file uses): d = 256, m = 1024
latents, batch B = 4096, float32, planted sparse data; the floor is the five dense
(B, d) x (d, m)-sized matrix products of one ReLU-SAE step with preallocated outputs. One
full training step (batch gather, forward, loss, gradients, decoder projection, Adam,
renormalisation) of each architecture is timed against it, interleaved, minima over
``ROUNDS`` rounds, one BLAS thread; `check_ratio` re-measures a ratio beyond its bar and
warns (default run) or fails (``--speed-gates``).

What to expect of each (the products it cannot avoid):

- `BatchTopKSAE` (k = 5) and `MatryoshkaSAE` (k = 5, prefixes m/4, m/2, m): only the
  encoder forward is dense; the batch-wide top-k selection is O(B m) and the decoder and
  gradients are products with the k B kept codes (plus, for Matryoshka, one residual per
  prefix).
- `JumpReluSAE`: dense, the ReLU SAE's five products plus O(B m) elementwise work for the
  threshold pseudo-gradients.
- `GatedSAE`: dense, seven products (the auxiliary reconstruction adds a decoder forward
  and its backward product).
- `MatchingPursuitSAE` (k = 5): one dense correlation product (B, d) x (d, m) and an argmax
  over (B, m) per pursuit step, so five products as the floor; the backward pass is
  O(k B d) on the selected atoms.

Bars: 1.3x the worst ratio of the bar-setting runs (each test's docstring), measured with
``nice`` on the shared 2 cores while other helpers' jobs ran. ~4-6 s per test.
"""

from __future__ import annotations

import pytest

from benchmarks.sparse.test_speed import (
    BATCH,
    N_LATENTS,
    THREADS,
    _dense_floor,
    _sae_step,
    sae_X,  # noqa: F401  (the fixture)
)
from benchmarks.speed_timing import check_ratio, interleaved_minima
from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.gated_sae import GatedSAE
from methods.sparse.jumprelu_sae import JumpReluSAE
from methods.sparse.matching_pursuit_sae import MatchingPursuitSAE
from methods.sparse.matryoshka_sae import MatryoshkaSAE

ROUNDS = 8
# Bars on the time ratio step / floor.
MAX_RATIO = {
    "batchtopk": 0.8,  # throughput >= 1.25
    "matryoshka": 0.75,  # throughput >= 1.33
    "jumprelu": 1.7,  # throughput >= 0.59
    "gated": 2.5,  # throughput >= 0.4
    "matching_pursuit": 1.7,  # throughput >= 0.59
}

pytestmark = [pytest.mark.speed, pytest.mark.benchmark(group="sparse")]


def _check(benchmark, config, name, estimator, X):
    step = _sae_step(estimator, X)
    t = check_ratio(benchmark, config,
                    lambda b: interleaved_minima(b, step, {"dense_products": _dense_floor()},
                                                 ROUNDS, THREADS),
                    MAX_RATIO[name], label=f"{type(estimator).__name__} step",
                    repeats=ROUNDS, threads=THREADS, batch_size=BATCH)
    benchmark.extra_info.update(throughput_ratio=1 / t.ratio)
    return t


def test_batchtopk_sae_step_against_dense_floor(benchmark, pytestconfig, sae_X):  # noqa: F811
    """One BatchTopKSAE step (k = 5) against the floor (bar: MAX_RATIO["batchtopk"]).

    Bar-setting runs (3, with nice, shared 2 cores at load 3.6-4.8, one BLAS thread):
    0.569, 0.614, 0.531 (floor 132-301 ms); bar 0.8 = 1.3x the worst, rounded up.
    """
    _check(benchmark, pytestconfig, "batchtopk", BatchTopKSAE(N_LATENTS, k=5), sae_X)


def test_matryoshka_sae_step_against_dense_floor(benchmark, pytestconfig, sae_X):  # noqa: F811
    """One MatryoshkaSAE step (k = 5, default prefixes) against the floor.

    Bar-setting runs (3, with nice, shared 2 cores at load 3.6-4.8, one BLAS thread):
    0.560, 0.494, 0.498 (floor 132-294 ms); bar 0.75 = 1.3x the worst, rounded up.
    """
    _check(benchmark, pytestconfig, "matryoshka", MatryoshkaSAE(N_LATENTS, k=5), sae_X)


def test_jumprelu_sae_step_against_dense_floor(benchmark, pytestconfig, sae_X):  # noqa: F811
    """One JumpReluSAE step against the floor.

    Bar-setting runs (3, with nice, shared 2 cores at load 3.6-4.8, one BLAS thread):
    1.205, 1.025, 1.269 (floor 131-326 ms); bar 1.7 = 1.3x the worst, rounded up.
    """
    _check(benchmark, pytestconfig, "jumprelu", JumpReluSAE(N_LATENTS), sae_X)


def test_gated_sae_step_against_dense_floor(benchmark, pytestconfig, sae_X):  # noqa: F811
    """One GatedSAE step against the floor.

    Bar-setting runs (3, with nice, shared 2 cores at load 3.6-4.8, one BLAS thread):
    1.727, 1.898, 1.791 (floor 138-266 ms); bar 2.5 = 1.3x the worst, rounded up. Seven
    products would give 1.4; the rest is the elementwise work on the (B, m) gate and
    magnitude arrays.
    """
    _check(benchmark, pytestconfig, "gated", GatedSAE(N_LATENTS), sae_X)


def test_matching_pursuit_sae_step_against_dense_floor(benchmark, pytestconfig,
                                                      sae_X):  # noqa: F811
    """One MatchingPursuitSAE step (k = 5) against the floor.

    Bar-setting runs (3, with nice, shared 2 cores at load 6.7-6.9, one BLAS thread):
    1.206, 1.242, 1.256 (floor 235-294 ms; BatchTopK in the same runs 0.568-0.648); bar 1.7
    = 1.3x the worst, rounded up. The five correlation products are the floor's count; the
    rest is the argmax over (B, m) and the gathers of the selected atoms at each step.
    """
    _check(benchmark, pytestconfig, "matching_pursuit", MatchingPursuitSAE(N_LATENTS, k=5),
           sae_X)
