"""The feature-count study: Sharkey et al.'s ladder of dictionary sizes, read against chance.

A user of a dictionary learner estimates "how many features are in my activations" by
fitting dictionaries of increasing size and counting the atoms that reappear across seeds
and sizes (`metrics.feature_count`). This study runs that estimator as users run it, per
method and generator over seeds, on generators whose count is known: planted sparse
features (64 in the quick profile), token embeddings (64), a Gaussian mixture (12 centres)
and data without features (an isotropic Gaussian, the unit square, the unit cube in the
family's ``d`` and an overcomplete low-dimensional null, the unit cube in ``d = 8`` with up
to 256 atoms; all 0).

Machinery (shared with `benchmarks.sparse.family`): generator and method specs and sizes
(`sparse_generators`, `sparse_methods`, `SIZES`), fitting (`_fit`, which applies the
family's size rule `set_size`), checked codes and atoms (`_codes`, `_components`). Per seed,
with the seed's `benchmarks.seeding.SeedStreams`:

- size ``i`` of the ladder fits ``A_i`` on split 0 with method stream ``2 i`` and ``B_i`` on
  split 1 with method stream ``2 i + 1`` (every size on the same two training splits, as a
  user trains the ladder on one dataset);
- split 5 (``n_heldout`` rows) is held out: every code, live atom and count is measured
  there;
- the random bands draw from streams keyed by their own arguments (live counts and
  dimension, `band_stream`): the band is a function of what it is compared with, and equal
  arguments share one band across methods, generators and seeds.

Ladders (sizes a factor 2 apart): from a quarter of the true count (or, on the nulls, of the
planted count) to 8 times it in the quick profile and 32 times it in the full one; the cube
in ``d = 8`` runs from ``d`` to ``32 d`` (quick) or ``128 d`` (full).

Two counts, each against its own band (`metrics.feature_count`). The ladder reports the
*distinct* stable directions (near-duplicates merged) beyond their band, and beside it the
*per-atom* count as users compute it (Sharkey et al.'s stable atoms: atoms alive on
held-out rows with a ``|cos| > 0.9`` partner among the other seed's live atoms, no merging)
beyond ITS band: ``n_stable`` of the same random unit atoms (same live counts and
dimension) in the same draws, so the per-atom band is cached with the distinct one and costs
nothing more. Both are read per size and seed, maximum over the ladder, false claim above
``1.5 N + 1``. On the cubes (and the square) the live atoms' lean to the corners
(`corner_alignment`: mean max ``|cos|`` to the sign vectors ``{-1, +1}^d``) is measured
beside them against random atoms of the same live count (`corner_band`, cached by live
count and dimension on a stream of its own).

Which count fires where (quick profile, 2 seeds, measured): on every null the two counts
agree for the SAEs (the ReLU SAE with 8 atoms on the d = 8 cube fires both, at 7: the
cube's coordinate axes), and the per-atom count alone fires for k-means on the cubes, at
every size and seed (at 256 atoms on the d = 8 cube all 256 centres are stable, 176 beyond
a band of 80; at 512 in d = 32, 510-511 beyond it): uncentred positive data put every
centre near the mean direction, one distinct direction (distinct count 0 in d = 8, 1-2 in
d = 32). With ground truth the per-atom count counts duplicates: ReLU SAE 106.5 against
64 words (distinct 72.5), 27.5 against 12 centres (distinct 12); k-means 470 and 96.
At 256 atoms on the d = 8 cube the ReLU SAE's per-atom count is 61 and 53 against a band of
mean 54.5 and 0.99 quantile 66-67: the excess reported in issue 23 (78-82, an independent
ReLU-L1 SAE) does not appear at the quick budget, while its atoms do lean to the corners
(0.843 [0.839, 0.848] against a random band up to 0.834, random mean 0.823; k-means 0.898,
TopK 0.823 within the band). On the d = 32 cube TopK (0.838) and k-means (0.942) lean
beyond their band (up to 0.808), the ReLU SAE (0.803) does not.

The budget experiment (`per_atom_budget_sweep`, run once, about 3 CPU minutes): the
suite's `ReluSAE` with 256 atoms on the d = 8 cube, per-atom count per seed against its
band (200 draws), the live atoms' corner lean:

- the quick budget (8192 rows, 1000 steps of 512, lr 1e-2, L1 0.1), seeds 0-5: 59, 60, 51,
  56, 71, 63 (band mean 53.4-54.8, 0.99 quantile 67-73; beyond it on seed 4 only, 71 >
  68); paired difference to the band's mean +5.7 [-1.3, 12.7], within noise; corner lean
  0.844-0.849 (band's 0.99 quantile 0.833-0.834);
- the issue's budget (262,144 rows, 2000 steps of 1024, lr 1e-3, L1 0.1), seeds 0-5: 73,
  58, 56, 72, 69, 61 (band mean 53.2-55.0, 0.99 quantile 69-75; beyond it on seed 0 only,
  73 > 69); +10.5 [2.5, 18.4] above the band's mean; corner lean 0.865-0.876;
- at that budget, seeds 0-1: lr 3e-3 70, 63; lr 1e-2 39, 37 (a fifth of the atoms dead,
  band 49-54); L1 0.03 74, 57; 0.3 67, 60; 0.8 68, 64; 2.4 67, 67; 4000 steps 63, 57; 8000
  steps 71, 56; both SAEs on the same rows 74, 64; the full profile's budget (200,000
  rows, 2000 steps of 4096, lr 3e-3) 63, 61 (corner lean 0.863).

So the lean to the corners appears at every budget and grows with it (0.847 to 0.869, the
issue's 0.88), and the per-atom count's mean excess over its band's mean appears at the
issue's budget (+10 atoms, 1.6 standard deviations of the band, sd 6.4), but no budget
tried puts the suite's SAE beyond the band's 0.99 quantile on more than 1 of 6 seeds
(highest 74 against the issue's 78-82). On this null the per-atom count fires for the
issue's SAE on every seed, and for the suite's on 1 seed in 6 at either budget (above the
band's mean on average at the issue's budget); the distinct count stays within its band
at 256 atoms at every budget tried.

Cost, measured (quick, 2 seeds, 4 methods x 7 generators, 12 fits per ladder: 672 fits):
365 s of CPU, 386 s wall with ``--jobs 2`` on a shared 2-core machine (load 4-7). The SAE
fits are about 85% of it (the family's budgets: 1000 x 512 ReLU, 500 x 256 TopK steps at
every size). Shortening the SAE budgets at the two largest sizes was measured and not
adopted: halving the ReLU SAE's steps there drops its distinct stable directions on the
planted data from 66-73 to 2-3 at 256 atoms (and moves the mixture's count at 96 atoms
from 12 to 16 on one seed); halving TopK's left every count beyond chance unchanged on all
7 generators x 2 seeds, but saves only about a tenth of the study. Dictionary learning
(8-14 s per fit at 64-512 atoms) runs in the full profile only. The per-atom count and the
corner lean add 0.5 s of CPU (50 corner bands of 100 draws; the per-atom band is the
distinct band's own draws) and 0.5 s for their figure. Measured with them: 165 s and
190 s of CPU in two runs of the whole study, workers included, with ``--jobs 2``
(``python -m benchmarks.sparse.ladder --out DIR --jobs 2``; 83-95 s of wall on an idle
2-core machine).

The full profile adds 5 seeds, 200 band draws, ladders to 32 times the true count (1024
atoms on the d = 8 cube), dictionary learning and the family's full budgets (the ReLU SAE
at 2000 steps of 4096 on 200,000 rows, lr 3e-3: per the experiment above, corner lean
0.863 and a per-atom count of 61-63 at 256 atoms, within its band).
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.profiles import get_profile
from benchmarks.seeding import PROBE, SeedStreams, cell_seed
from benchmarks.sparse.family import (
    HELDOUT,
    MAIN,
    NAME,
    REPEAT,
    SIZES,
    _codes,
    _components,
    _fit,
    sparse_generators,
    sparse_methods,
)
from benchmarks.spec import GeneratorSpec, MethodSpec
from benchmarks.study_cli import study_main
from floor.validation import check_int
from generators.uniform_cube import make_uniform_cube
from methods.sparse.relu_sae import ReluSAE
from metrics.claimed_features import stable_alive_atoms
from metrics.feature_count import (
    BAND_QUANTILE,
    claim_limit,
    corner_alignment,
    corner_band,
    estimate_feature_count,
    ladder_band,
    live_atoms,
    size_statistics,
)
from metrics.statistics import wilson_interval

# The report's heading and question (`reports.studies`).
TITLE = "the feature-count estimator on a ladder of dictionary sizes"
QUESTION = ("Run as its users run it (dictionaries from a quarter of the true count to 8x it, "
            "two per size), how many features does the ground-truth-free estimator report "
            "on data whose count is known (planted 64, vocabulary 64, mixture 12, nulls 0), "
            "and how often does it claim features on data without them? Every count is read "
            "against random unit atoms of the same size, live count and dimension (their "
            "0.99 quantile), so random atoms are a false positive at most at that rate. "
            "Beside the distinct directions it reads, the per-atom count users compute (no "
            "merging of near-duplicates), against its own band: which count fires where?")

STUDY = "feature_count"
# Per profile: seeds (the estimate is descriptive: 2 in the quick profile), the ladder's
# lowest size as a fraction of the true count and its highest as a multiple, the band's
# draws (100: its 0.99 quantile, numpy "higher", is the largest draw, exceeded by a fresh
# draw of the same distribution with probability 1/101), and the methods.
LADDER = {
    "quick": {"n_seeds": 2, "below": 4, "above": 8, "n_draws": 100,
              "methods": ("relu_sae", "topk_sae", "kmeans", "random_atoms")},
    "full": {"n_seeds": 5, "below": 4, "above": 32, "n_draws": 200,
             "methods": ("relu_sae", "topk_sae", "kmeans", "dictionary_learning",
                         "random_atoms")},
}
# Generators of the study (names in `sparse_generators`) and the low-dimensional null.
GENERATORS = ("planted_sparse", "embedding_vocabulary", "gaussian_mixture",
              "isotropic_gaussian", "uniform_square", "uniform_cube")
CUBE_D8 = "uniform_cube_d8"
# Interval of the false-positive rates (Wilson) and of the counts (range over seeds).
CONFIDENCE = 0.95
# The bar for the planted generators: within this fraction of the true count.
WITHIN = 0.25
# Smallest size of a ladder: the TopK SAE (k = 5) needs at least k atoms, so the mixture's
# ladder (12 centres) runs 6, 12, ..., 96.
MIN_SIZE = 6
# Stream component of the bands (a name of its own in `cell_seed`'s generator axis).
BAND_AXIS = "feature_count_band"
# Stream component of the corner-lean bands (`corner_band`), a name of its own too.
CORNER_AXIS = "feature_count_corner_band"
# Generators on a unit cube (the square is the cube in d = 2), whose atoms' lean to the
# corners (`corner_alignment`) is measured beside the counts.
CORNER_GENERATORS = ("uniform_square", "uniform_cube", CUBE_D8)


def ladder_sizes(n_true: int, profile: str) -> list[int]:
    """Sizes ``max(n_true / below, MIN_SIZE) * 2^k`` up to ``above * n_true`` (factor 2 apart)."""
    cfg = LADDER[profile]
    low = max(MIN_SIZE, n_true // cfg["below"])
    sizes = [low]
    while sizes[-1] < cfg["above"] * n_true:
        sizes.append(2 * sizes[-1])
    return sizes


def study_generators(profile: str) -> list[tuple[GeneratorSpec, int, list[int]]]:
    """(spec, true count, ladder sizes) of every generator of the study."""
    prof = get_profile(profile)
    specs = {g.name: g for g in sparse_generators(prof)}
    s = SIZES[profile]
    planted = ladder_sizes(s["n_atoms"], profile)
    out = []
    for name in GENERATORS:
        n_true = {"planted_sparse": s["n_atoms"], "embedding_vocabulary": s["vocab_size"],
                  "gaussian_mixture": s["n_centres"]}.get(name, 0)
        out.append((specs[name], n_true, ladder_sizes(n_true, profile) if n_true
                    else planted))
    cube8 = GeneratorSpec(CUBE_D8, NAME, make_uniform_cube,
                          dict(n_samples=s["n_train"], n_features=8))
    top = 32 if profile == "quick" else 128
    out.append((cube8, 0, [8 * 2 ** k for k in range(int(np.log2(top)) + 1)]))
    return out


def study_methods(profile: str) -> list[MethodSpec]:
    """The family's built-in methods that have a size, as listed in `LADDER`."""
    by_name = {m.name: m for m in sparse_methods(get_profile(profile))}
    return [by_name[name] for name in LADDER[profile]["methods"]]


def band_stream(n_alive: int, n_other: int, n_features: int,
                n_larger: int | None) -> np.random.SeedSequence:
    """The random band's stream: a child of the grid root keyed by the band's arguments."""
    return cell_seed(BAND_AXIS, 0, PROBE, n_features, n_alive, n_other,
                     0 if n_larger is None else n_larger + 1)


@lru_cache(maxsize=4096)
def _cached_band(n_alive: int, n_other: int, n_features: int, n_larger: int | None,
                 n_draws: int) -> dict:
    return ladder_band(n_alive, n_other, n_features, n_larger, n_draws, BAND_QUANTILE,
                       random_state=band_stream(n_alive, n_other, n_features, n_larger))


@lru_cache(maxsize=4096)
def _cached_corner_band(n_alive: int, n_features: int, n_draws: int) -> dict:
    stream = cell_seed(CORNER_AXIS, 0, PROBE, n_features, n_alive)
    return corner_band(n_alive, n_features, n_draws, BAND_QUANTILE, random_state=stream)


def run_ladder(method: MethodSpec, generator: GeneratorSpec, n_true: int, sizes: list[int],
               seed: int, n_heldout: int, n_draws: int) -> dict:
    """One ladder (method, generator, seed): per-size rows and the reported count."""
    streams = SeedStreams(generator.name, seed)
    test = generator.dataset(streams, HELDOUT, n_samples=n_heldout)
    d = test.n_features
    rungs, seconds = [], []
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        for i, size in enumerate(sizes):
            pair, fit_s = [], 0.0
            for index, split in ((2 * i, MAIN), (2 * i + 1, REPEAT)):
                est, _, elapsed = _fit(method, generator, streams, index, split, size)
                W = _components(est, d)
                pair += [W, _codes(est, test.X, W.shape[0])]
                fit_s += elapsed
            rungs.append(tuple(pair))
            seconds.append(fit_s)
        est = estimate_feature_count(
            rungs, n_true=n_true,
            band=lambda a, b, dd, c: _cached_band(a, b, dd, c, n_draws))
    # The family's current reading at each size m (`stable_alive_atoms`: alive on held-out
    # and stable in both the same-size and the next larger dictionary), for comparison.
    old = [stable_alive_atoms(r[0], r[1], [r[2], nxt[0]])
           for r, nxt in zip(rungs[:-1], rungs[1:], strict=True)]
    corners = [_corner_lean(r[0], r[1], n_draws) if generator.name in CORNER_GENERATORS
               else {} for r in rungs]
    rows = []
    for i, (size, st, fit_s) in enumerate(zip(sizes, est.sizes, seconds, strict=True)):
        band = st["band"]
        rows.append({
            "method": method.name, "generator": generator.name, "seed": seed,
            "size": size, "n_true": n_true, "n_features": d,
            **{k: st[k] for k in ("n_atoms", "n_alive", "dead_fraction", "n_other_alive",
                                  "n_stable", "n_distinct", "n_larger_alive",
                                  "cross_size_mmcs", "beyond_chance",
                                  "cross_size_above_band", "false_positive")},
            "band_distinct_high": band["n_distinct"]["high"],
            "band_distinct_mean": band["n_distinct"]["mean"],
            "band_stable_high": band["n_stable"]["high"],
            "band_stable_mean": band["n_stable"]["mean"],
            "per_atom_beyond_chance": st["per_atom_beyond_chance"],
            "per_atom_false_positive": st["per_atom_false_positive"],
            "corner_lean": corners[i].get("corner_lean"),
            "band_corner_mean": corners[i].get("mean"),
            "band_corner_high": corners[i].get("high"),
            "band_cross_size_high": None if band["cross_size_mmcs"] is None
            else band["cross_size_mmcs"]["high"],
            "old_claimed": old[i] if i < len(old) else None,
            "fit_time_s": fit_s,
        })
    return {"rows": rows, "count": est.count, "size_at_count": est.size_at_count,
            "dead_onset_size": est.dead_onset_size, "false_positive": est.false_positive,
            "per_atom_count": est.per_atom_count,
            "per_atom_size_at_count": est.per_atom_size_at_count,
            "per_atom_false_positive": est.per_atom_false_positive,
            "elapsed_s": time.perf_counter() - start}


def _corner_lean(atoms: np.ndarray, codes: np.ndarray, n_draws: int) -> dict:
    """Mean `corner_alignment` of the live atoms and its band (`corner_band`, cached)."""
    live = live_atoms(atoms, codes)
    if not live.any():
        return {"corner_lean": 0.0, "mean": None, "high": None}
    band = _cached_corner_band(int(live.sum()), atoms.shape[1], n_draws)
    return {"corner_lean": float(corner_alignment(atoms[live]).mean()), "mean": band["mean"],
            "high": band["high"]}


# The tasks of the running study, read by forked workers by index (method specs hold
# closures, which do not pickle).
_TASKS: list = []


def _task(args) -> dict:
    return run_ladder(*args)


def _task_at(index: int) -> dict:
    return _guarded(_task, _TASKS[index], _TASKS[index])


def _guarded(fn, arg, task) -> dict:
    """``fn(arg)``, or an error record naming the ladder (the study goes on)."""
    try:
        return fn(arg)
    except Exception as exc:  # a method that fails at one size fails only its ladder
        return {"error": f"{type(exc).__name__}: {exc}", "method": task[0].name,
                "generator": task[1].name, "seed": task[4]}


def run_study(methods: list[MethodSpec], generators: list[tuple[GeneratorSpec, int, list[int]]],
              seeds: list[int], n_heldout: int, n_draws: int, jobs: int = 1,
              profile: str = "custom") -> dict:
    """Run every (method, generator, seed) ladder and pool the counts over seeds.

    Returns the study document (see `run`).
    """
    if not methods or not generators or not seeds:
        raise ValueError("methods, generators and seeds must each be non-empty")
    check_int(jobs, "jobs")
    tasks = [(m, g, n_true, list(sizes), int(s), n_heldout, n_draws)
             for m in methods for g, n_true, sizes in generators for s in seeds]
    start = time.perf_counter()
    if jobs == 1:
        results = [_guarded(_task, t, t) for t in tasks]
    else:
        import multiprocessing as mp
        _TASKS[:] = tasks
        try:
            with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
                results = list(pool.map(_task_at, range(len(tasks))))
        finally:
            _TASKS.clear()
    errors = [r for r in results if "error" in r]
    rows, estimates = [], []
    for k in range(0, len(tasks), len(seeds)):
        group = [r for r in results[k:k + len(seeds)] if "error" not in r]
        method, gen, n_true, sizes = tasks[k][:4]
        if not group:
            continue
        for r in group:
            rows.extend(r["rows"])
        counts = np.array([r["count"] for r in group])
        per_size = []
        for i, size in enumerate(sizes):
            fps = [bool(r["rows"][i]["false_positive"]) for r in group]
            rate = wilson_interval(sum(fps), len(fps), confidence=CONFIDENCE).to_dict()
            per_size.append({"size": size, "false_positive_rate": rate,
                             "beyond_chance": [r["rows"][i]["beyond_chance"] for r in group]})
        fp = [bool(r["false_positive"]) for r in group]
        atom_counts = np.array([r["per_atom_count"] for r in group])
        atom_fp = [bool(r["per_atom_false_positive"]) for r in group]
        for i, p in enumerate(per_size):
            at = [r["rows"][i] for r in group]
            p["per_atom_beyond_chance"] = [a["per_atom_beyond_chance"] for a in at]
            # Unclipped, for the figure: how far each count sits above or below its band.
            p["per_atom_minus_band"] = [a["n_stable"] - a["band_stable_high"] for a in at]
            p["distinct_minus_band"] = [a["n_distinct"] - a["band_distinct_high"] for a in at]
            p["per_atom_false_positive_rate"] = wilson_interval(
                sum(bool(a["per_atom_false_positive"]) for a in at), len(at),
                confidence=CONFIDENCE).to_dict()
            if gen.name in CORNER_GENERATORS:
                p["corner_lean"] = [a["corner_lean"] for a in at]
                p["band_corner_high"] = [a["band_corner_high"] for a in at]
        estimates.append({
            "method": method.name, "generator": gen.name, "n_true": n_true,
            "claim_limit": claim_limit(n_true), "sizes": sizes,
            "count": {"value": float(counts.mean()), "low": float(counts.min()),
                      "high": float(counts.max()), "n": int(counts.size),
                      "interval": "range over seeds"},
            "counts": counts.tolist(),
            "size_at_count": [r["size_at_count"] for r in group],
            "dead_onset_size": [r["dead_onset_size"] for r in group],
            "false_positive_rate": wilson_interval(sum(fp), len(fp),
                                                   confidence=CONFIDENCE).to_dict(),
            "per_size": per_size,
            "per_atom_count": {"value": float(atom_counts.mean()),
                               "low": float(atom_counts.min()),
                               "high": float(atom_counts.max()), "n": int(atom_counts.size),
                               "interval": "range over seeds"},
            "per_atom_counts": atom_counts.tolist(),
            "per_atom_size_at_count": [r["per_atom_size_at_count"] for r in group],
            "per_atom_false_positive_rate": wilson_interval(sum(atom_fp), len(atom_fp),
                                                            confidence=CONFIDENCE).to_dict(),
            "elapsed_s": float(sum(r["elapsed_s"] for r in group)),
        })
    return {"study": STUDY, "profile": profile, "seeds": [int(s) for s in seeds],
            "band_quantile": BAND_QUANTILE, "band_draws": n_draws,
            "wall_time_s": time.perf_counter() - start, "jobs": jobs,
            "rows": rows, "estimates": estimates, "errors": errors}


def run(profile: str = "quick", seeds=None, jobs: int = 1) -> dict:
    """The study at ``profile``: every method x generator x seed ladder, as a JSON-able dict.

    Parameters
    ----------
    profile : {"quick", "full"}
    seeds : sequence of int, optional
        Default ``0 .. n_seeds - 1`` with the profile's `LADDER` seed count.
    jobs : int, default=1
        Worker processes (each ladder runs with one BLAS thread).

    Returns
    -------
    dict
        ``{"study": "feature_count", "profile", "seeds", "rows": [one per method x
        generator x seed x size], "estimates": [one per method x generator: "count" (mean
        and range over seeds), "n_true", "false_positive_rate" (Wilson) and "per_size"
        false-positive rates]}`` plus the band's quantile and draws and the wall time.
    """
    if profile not in LADDER:
        raise ValueError(f"profile must be one of {sorted(LADDER)}, got {profile!r}")
    cfg = LADDER[profile]
    seeds = list(range(cfg["n_seeds"])) if seeds is None else [int(s) for s in seeds]
    return run_study(study_methods(profile), study_generators(profile), seeds,
                     SIZES[profile]["n_heldout"], cfg["n_draws"], jobs, profile)


def per_atom_budget_sweep(budgets, seeds=(0, 1), n_atoms: int = 256, n_heldout: int = 4096,
                          n_draws: int = 200, same_rows: bool = False) -> list[dict]:
    """The suite's ReLU SAE on the unit cube in ``d = 8`` at several budgets: per-atom count.

    Run once to find the budget at which the per-atom count rises above its band (numbers in
    the module docstring), not part of the study. Per budget (a dict of ``n_rows`` and
    `ReluSAE` keywords ``n_steps``, ``batch_size``, ``l1_coeff``, ``learning_rate``) and seed:
    two SAEs of ``n_atoms`` on splits 0 and 1 (``n_rows`` rows each; method streams 0, 1),
    their `size_statistics` on held-out split 5, the band of their live counts
    (``n_draws`` draws, the study's streams) and the corner lean of the live atoms of the
    first against `corner_band`. ``same_rows``: both SAEs on split 0 (seeds differ, data
    do not), as a user who retrains on one dataset.
    """
    gen = GeneratorSpec(CUBE_D8, NAME, make_uniform_cube, dict(n_samples=8192, n_features=8))
    out = []
    for budget in budgets:
        kw = {k: v for k, v in budget.items() if k != "n_rows"}
        for seed in seeds:
            streams = SeedStreams(CUBE_D8, int(seed))
            test = gen.dataset(streams, HELDOUT, n_samples=n_heldout)
            fits, cpu = [], time.process_time()
            with threadpool_limits(limits=1):
                for index, split in ((0, MAIN), (1, MAIN if same_rows else REPEAT)):
                    X = gen.dataset(streams, split, n_samples=budget["n_rows"]).X
                    sae = ReluSAE(n_components=n_atoms, random_state=streams.method(index),
                                  **kw).fit(X)
                    fits += [sae.components_, sae.transform(test.X)]
            st = size_statistics(*fits)
            band = _cached_band(st["n_alive"], st["n_other_alive"], 8, None, n_draws)
            live = live_atoms(fits[0], fits[1])
            corner = _cached_corner_band(st["n_alive"], 8, n_draws)
            out.append({**budget, "seed": int(seed), "n_alive": st["n_alive"],
                        "n_other_alive": st["n_other_alive"], "n_stable": st["n_stable"],
                        "n_distinct": st["n_distinct"],
                        "band_stable_mean": band["n_stable"]["mean"],
                        "band_stable_high": band["n_stable"]["high"],
                        "band_distinct_high": band["n_distinct"]["high"],
                        "corner_lean": float(corner_alignment(fits[0][live]).mean()),
                        "band_corner_mean": corner["mean"], "band_corner_high": corner["high"],
                        "cpu_s": time.process_time() - cpu})
    return out


def _fmt(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _span(c: dict) -> str:
    return f"{_fmt(c['value'])} [{_fmt(c['low'])}, {_fmt(c['high'])}]"


def _rate(r: dict) -> str:
    return f"{r['value']:.2f} [{r['low']:.2f}, {r['high']:.2f}]"


def _fires(e: dict, key: str) -> list[tuple[int, list[float]]]:
    """(size, per-seed values) where the count under ``key`` is beyond its band on a seed."""
    return [(p["size"], p[key]) for p in e["per_size"] if any(v > 0 for v in p[key])]


def _where(fires: list[tuple[int, list[float]]]) -> str:
    """``"8, 64 (3 of 4 seeds x sizes, up to 7)"``, or "" when nothing fires."""
    if not fires:
        return ""
    hits = sum(v > 0 for _, values in fires for v in values)
    total = sum(len(values) for _, values in fires)
    top = max(v for _, values in fires for v in values)
    return (", ".join(str(size) for size, _ in fires)
            + f" ({hits} of {total} seeds x sizes, up to {_fmt(top)})")


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """(term, sentence with numbers, note): per method x generator the distinct and the
    per-atom count, each beyond its own band; per null which count fires where; per cube
    the atoms' lean to its corners."""
    out = []
    for e in doc["estimates"]:
        c, a, n = e["count"], e["per_atom_count"], e["n_true"]
        term = f"{e['method']} on {e['generator']}"
        what = f"reports {_span(c)} features"
        atom = f"the per-atom count (no merging, against its own band) {_span(a)}"
        if n:
            rel, rel_a = abs(c["value"] - n) / n, abs(a["value"] - n) / n
            sentence = f"{what} against {n} true ({rel:.0%} off); {atom} ({rel_a:.0%} off)"
            note = "within 25%" if rel <= WITHIN else "misses the 25% bar"
            note += "; per-atom " + ("within 25%" if rel_a <= WITHIN else "misses it")
        else:
            fp, fp_a = e["false_positive_rate"], e["per_atom_false_positive_rate"]
            bad = [p["size"] for p in e["per_size"] if p["false_positive_rate"]["value"] > 0]
            bad_a = [p["size"] for p in e["per_size"]
                     if p["per_atom_false_positive_rate"]["value"] > 0]
            sentence = (f"{what} on data without features (limit {_fmt(e['claim_limit'])}); "
                        f"false-positive rate {_rate(fp)} over {fp['n']} seeds; {atom}, "
                        f"false-positive rate {_rate(fp_a)}")
            note = "; ".join(
                f"{label} at sizes " + ", ".join(map(str, sizes))
                for label, sizes in (("false claims", bad), ("per-atom false claims", bad_a))
                if sizes)
        out.append((term, sentence, note))
    return out + _fires_findings(doc) + _corner_findings(doc)


def _fires_findings(doc: dict) -> list[tuple[str, str, str]]:
    """Per null generator: which count fires (beyond its band), for which method, where."""
    out = []
    for g in dict.fromkeys(e["generator"] for e in doc["estimates"] if not e["n_true"]):
        parts = []
        for key, label in (("beyond_chance", "distinct count"),
                           ("per_atom_beyond_chance", "per-atom count")):
            hits = [f"{e['method']} at {_where(_fires(e, key))}"
                    for e in doc["estimates"] if e["generator"] == g and _fires(e, key)]
            parts.append(f"{label}: " + ("; ".join(hits) if hits else "none"))
        out.append((f"which count fires on {g}",
                    "beyond its own random band at sizes, " + " | ".join(parts),
                    "a count beyond its band on data without features"))
    return out


def _corner_findings(doc: dict) -> list[tuple[str, str, str]]:
    """Per cube generator, at its largest size: the live atoms' mean lean to the corners."""
    out = []
    for g in dict.fromkeys(e["generator"] for e in doc["estimates"]
                           if "corner_lean" in e["per_size"][-1]):
        parts, above, band = [], [], None
        for e in (e for e in doc["estimates"] if e["generator"] == g):
            top = e["per_size"][-1]
            vals = [v for v in top["corner_lean"] if v is not None]
            highs = [h for h in top["band_corner_high"] if h is not None]
            if not vals or not highs:
                continue
            parts.append(f"{e['method']} {np.mean(vals):.3f} [{min(vals):.3f}, "
                         f"{max(vals):.3f}]")
            band = max(highs) if band is None else max(band, *highs)
            if all(v > h for v, h in zip(vals, highs, strict=False)):
                above.append(e["method"])
            size = top["size"]
        if parts:
            out.append((f"corner lean on {g}",
                        f"mean max |cos| of the live atoms to the corners at {size} atoms: "
                        + ", ".join(parts) + f"; random atoms' band (0.99 quantile) up to "
                        f"{band:.3f}", "above the band on every seed: "
                        + (", ".join(above) if above else "none")))
    return out


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """The two counts side by side, per generator and method (read from the document)."""
    rows = []
    for e in sorted(doc["estimates"], key=lambda e: (e["generator"], e["method"])):
        top = [r for r in doc["rows"] if r["method"] == e["method"]
               and r["generator"] == e["generator"] and r["size"] == e["sizes"][-1]]
        stable = " ".join(_fmt(r["n_stable"]) for r in top)
        band = (f"{np.mean([r['band_stable_mean'] for r in top]):.1f} / "
                f"{_fmt(max(r['band_stable_high'] for r in top))}")
        rows.append([e["generator"], e["method"], str(e["n_true"]), _span(e["count"]),
                     _where(_fires(e, "beyond_chance")) or "-",
                     _span(e["per_atom_count"]),
                     _where(_fires(e, "per_atom_beyond_chance")) or "-",
                     f"{stable} ({band})"])
    head = ["generator", "method", "true", "distinct beyond band", "fires at sizes",
            "per-atom beyond band", "fires at sizes",
            "per-atom at the largest size, per seed (band mean / 0.99 quantile)"]
    return [("The distinct count and the per-atom count (atoms alive on held-out rows with a "
             "|cos| > 0.9 partner in the other seed's dictionary, no merging), each minus the "
             "0.99 quantile of the same count for random unit atoms of the same live counts and "
             "dimension; maximum over the ladder, mean [range] over seeds.", head, rows)]


def draw(doc: dict):
    """Estimated vs true count per method; false-positive rate per size per null: each as
    ``(caption, file name, Figure)`` (method names through `benchmarks.figure_labels`)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import add_key, method_labels

    methods = sorted({e["method"] for e in doc["estimates"]})
    labels = method_labels(methods)
    gens = sorted({e["generator"] for e in doc["estimates"]})
    markers = dict(zip(gens, "osD^v<>ph*" * 3, strict=False))
    fig, ax = plt.subplots(figsize=(6.0, 5.0))
    top = 1.0
    for j, m in enumerate(methods):
        for e in (e for e in doc["estimates"] if e["method"] == m):
            c = e["count"]
            x = e["n_true"] * (1 + 0.03 * (j - len(methods) / 2))
            ax.errorbar(x, c["value"], yerr=[[c["value"] - c["low"]], [c["high"] - c["value"]]],
                        marker=markers[e["generator"]], color=f"C{j}", linestyle="none")
            top = max(top, c["high"], e["n_true"])
    for j, m in enumerate(methods):
        ax.plot([], [], color=f"C{j}", lw=6, label=labels[m])
    for g in gens:
        ax.plot([], [], marker=markers[g], color="0.4", linestyle="none", label=g)
    ax.plot([0, top], [0, top], "k--", lw=1, label="identity")
    ax.set_xlabel("true feature count")
    ax.set_ylabel("reported count (mean, range over seeds)")
    ax.set_title("Feature count from the ladder, beyond random atoms")
    ax.legend(fontsize=8)
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.11, top=0.92)
    yield ("Reported feature count (mean and range over seeds) against the true count, "
           "per method; markers are generators, dashed line the identity.",
           "feature_count_estimates.png", add_key(fig, labels))

    nulls = [g for g in gens if all(e["n_true"] == 0 for e in doc["estimates"]
                                    if e["generator"] == g)]
    if nulls:
        cols = min(3, len(nulls))
        rows = -(-len(nulls) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
        for k, g in enumerate(nulls):
            ax = axes[k // cols][k % cols]
            for j, m in enumerate(methods):
                for e in (e for e in doc["estimates"] if e["method"] == m and
                          e["generator"] == g):
                    xs = [p["size"] for p in e["per_size"]]
                    # Methods offset by 0.015 so that equal rates stay visible.
                    ys = [p["false_positive_rate"]["value"] + 0.015 * j for p in e["per_size"]]
                    ax.plot(xs, ys, marker="o", color=f"C{j}", label=labels[m], alpha=0.8)
            ax.set_xscale("log", base=2)
            ax.set_ylim(-0.05, 1.05)
            ax.set_title(g, fontsize=9)
            ax.set_xlabel("dictionary size")
            ax.set_ylabel("false-positive rate")
        for k in range(len(nulls), rows * cols):
            axes[k // cols][k % cols].axis("off")
        axes[0][0].legend(fontsize=7)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.92, wspace=0.3,
                            hspace=0.5)
        yield ("False-positive rate per dictionary size on each null (count beyond the random "
               "band > 1), per method (methods offset by 0.015 for visibility).",
               "feature_count_false_positives.png", add_key(fig, labels))
        # A document written before the per-atom count has no such figure.
        if all("per_atom_minus_band" in p for e in doc["estimates"] for p in e["per_size"]):
            yield _draw_two_counts(doc, nulls, methods, labels)


def _draw_two_counts(doc: dict, nulls: list[str], methods: list[str], labels):
    """Per null: per-atom and distinct count minus their own band's 0.99 quantile, by size."""
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import add_key

    cols = min(3, len(nulls))
    rows = -(-len(nulls) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    for k, g in enumerate(nulls):
        ax = axes[k // cols][k % cols]
        low, high = -5.0, 5.0
        for j, m in enumerate(methods):
            for e in (e for e in doc["estimates"] if e["method"] == m and e["generator"] == g):
                sizes = [p["size"] for p in e["per_size"]]
                for key, style in (("per_atom_minus_band", "-"), ("distinct_minus_band", "--")):
                    ys = [float(np.mean(p[key])) for p in e["per_size"]]
                    ax.plot(sizes, ys, style, marker="o", ms=3, color=f"C{j}", alpha=0.8)
                    low, high = min(low, *ys), max(high, *ys)
        ax.axhline(0.0, color="k", lw=0.8)
        ax.set_xscale("log", base=2)
        # Linear within +-4 atoms, logarithmic beyond (k-means' hundreds of duplicates).
        ax.set_yscale("symlog", linthresh=4)
        ax.set_ylim(1.5 * low, 1.5 * high)
        ticks = [t for t in (-1000, -100, -10, -4, 0, 4, 10, 100, 1000)
                 if 1.5 * low <= t <= 1.5 * high]
        ax.set_yticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_title(g, fontsize=9)
        ax.set_xlabel("dictionary size")
        ax.set_ylabel("count - band (0.99 quantile)")
    for k in range(len(nulls), rows * cols):
        axes[k // cols][k % cols].axis("off")
    ax = axes[0][0]
    for j, m in enumerate(methods):
        ax.plot([], [], color=f"C{j}", lw=4, label=labels[m])
    ax.plot([], [], "k-", label="per-atom")
    ax.plot([], [], "k--", label="distinct")
    ax.legend(fontsize=7)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.1, top=0.92, wspace=0.4, hspace=0.5)
    return ("Per null: the per-atom count (solid: atoms with a |cos| > 0.9 partner in the "
            "other seed's dictionary, no merging) and the distinct count (dashed) minus the "
            "0.99 quantile of the same count for random atoms, mean over seeds; above 0 the "
            "count fires.", "feature_count_per_atom.png", add_key(fig, labels))



def main(argv=None) -> int:
    """``python -m benchmarks.sparse.ladder --profile quick --out DIR [--jobs N]``."""
    return study_main(sys.modules[__name__], LADDER, "feature_count.json", argv)


if __name__ == "__main__":
    sys.exit(main())
