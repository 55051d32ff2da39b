"""SAE architectures compared at matched L0 on hierarchical features.

The question: at the same number of active latents per sample, which sparse-autoencoder
architecture recovers a planted feature *hierarchy* best? Bussmann et al. (2025) and
Nabeshima (2025) report that Matryoshka SAEs, at matched L0, have the best MCC and F1 and
the least absorption on hierarchical toy features. This study measures that ordering on
`generators.hierarchical_features` for the six numpy SAEs of ``methods.sparse``.

Matching L0 (the knob rule):

- the k family (`TopKSAE`, `BatchTopKSAE`, `MatryoshkaSAE`): ``k = max(1, round(target))``
  (Python's round: half to even);
- the penalised ones (`ReluSAE` ``l1_coeff``, `JumpReluSAE` ``l0_coeff``, `GatedSAE`
  ``l1_coeff``): the knob is calibrated per seed by `calibrate_knob`, a bracketing search
  in log-log space (L0 falls as the penalty grows) on full-budget fits to a *calibration*
  split (train on split 2, L0 measured on split 3) with their own method streams
  (``streams.method(CALIBRATION_STREAM + j)``), until ``|L0 / target - 1| <= TOLERANCE``
  or ``MAX_RUNS`` fits; the calibration runs of one architecture and seed are shared by
  its targets. The fit closest to the target (in ``|log(L0 / target)|``) gives the knob.

Targets are multiples (`TARGET_MULTIPLES`, 0.5x, 1x and 2x) of the generator's expected L0
(``ground_truth["expected_l0"]``, the sum of the planted firing rates: 3.5 in the quick
profile). Every score row reports the achieved held-out L0 beside its target.

Per seed ``s``, every random number comes from ``SeedStreams(GENERATOR, s)``: the data
(one forest per seed; split 0 trains the scored fit, split 1 is held out and scored, splits
2 and 3 are the calibration's), the scored fit at target multiple ``x`` from
``streams.method(scored_stream(x))`` = ``streams.method(round(1000 x))`` (the same stream
for every architecture, as in the grid, and for a target whatever other targets run),
calibration fit ``j`` from ``streams.method(CALIBRATION_STREAM + j)``.

Scores (all on the held-out split, codes active where > 0): matched MCC of the decoder
rows (`metrics.dictionary_similarity.matched_mcc`, SynthSAEBench's MCC), mean per-latent F1
as a detector of its best-matched feature (``mean_f1`` of `latent_precision_recall`, with
SynthSAEBench's averaging: over all latents, 0 where undefined, so a latent that never
fires on the held-out rows counts 0), mean absorption and full absorption
over the scored parents (`metrics.absorption.absorption`; with its two parts, the parent
latent's miss rate with a child and alone), feature-splitting fraction
(`feature_splitting`), FVU = 1 - R^2 (`metrics.reconstruction.explained_variance`), L0,
shrinkage and the dead-latent fraction.

Summaries are seed means with 95% Student-t intervals (`metrics.statistics.mean_over_seeds`);
`order_architectures` ranks the architectures per target and metric.

References
----------
Bussmann, Nabeshima, Karvonen, Nanda (2025), "Learning multi-level features with
Matryoshka sparse autoencoders", arXiv 2503.17547.
Nabeshima (2025), "Matryoshka sparse autoencoders", AI Alignment Forum.
Chanin et al. (2024), "A is for Absorption", arXiv 2409.14507.
Chanin, Garriga-Alonso (2026), "SynthSAEBench", arXiv 2602.14687.
"""

from __future__ import annotations

import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable

import numpy as np

from benchmarks.seeding import SeedStreams, sklearn_seed
from benchmarks.spec import GeneratorSpec
from benchmarks.study_cli import study_context, study_main, study_profile, study_seeds
from benchmarks.study_text import format_difference, format_estimate
from floor.validation import check_int, check_positive_float
from generators.hierarchical_features import make_hierarchical_features
from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.gated_sae import GatedSAE
from methods.sparse.jumprelu_sae import JumpReluSAE
from methods.sparse.matryoshka_sae import MatryoshkaSAE
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.topk_sae import TopKSAE
from metrics.absorption import absorption, feature_splitting
from metrics.dictionary_similarity import (
    dead_fraction,
    latent_precision_recall,
    matched_mcc,
    mean_l0,
)
from metrics.noise_floor import ABOVE, BELOW, WITHIN, compare_shared_seeds
from metrics.reconstruction import explained_variance, shrinkage
from metrics.statistics import mean_over_seeds

# The report's heading and question (`reports.studies`).
TITLE = "SAE architectures at matched L0 on hierarchical features"
QUESTION = ("At the same number of active latents per sample (0.5x, 1x and 2x the true L0), "
            "which sparse-autoencoder architecture recovers a planted feature hierarchy "
            "best: matched MCC, mean per-latent F1 (SynthSAEBench's: over all latents, a "
            "dead one counting 0), absorption, held-out FVU? Bussmann et al. "
            "(2025) report Matryoshka first on MCC and F1 with the least absorption.")

STUDY = "matched_l0"
GENERATOR = "hierarchical_features"

# Target L0s as multiples of the generator's expected L0: below, at and above it.
TARGET_MULTIPLES = (0.5, 1.0, 2.0)
TARGET_DECIMALS = 6
# Calibration: accepted relative L0 error, fits allowed per target, step of the knob when
# the target is not yet bracketed, and the first method stream of the calibration fits.
TOLERANCE = 0.10
MAX_RUNS = 6
BRACKET_FACTOR = 3.0
CALIBRATION_STREAM = 10**6
# L0 below this is read as this in the log-log interpolation (a fit whose latents all died).
_L0_FLOOR = 1e-3
# Splits of one seed's dataset.
TRAIN, HELDOUT, CALIBRATION_TRAIN, CALIBRATION_HELDOUT = 0, 1, 2, 3
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Architecture:
    """One SAE class and its sparsity knob: ``kind`` "k" (set) or "penalty" (calibrated)."""

    name: str
    cls: type
    knob: str
    kind: str
    start: float  # first knob of the calibration (penalty kind only)
    extra: tuple = ()  # further fixed constructor arguments, as (name, value) pairs


ARCHITECTURES = {
    "relu": Architecture("relu", ReluSAE, "l1_coeff", "penalty", 0.1),
    "topk": Architecture("topk", TopKSAE, "k", "k", 0.0),
    "batchtopk": Architecture("batchtopk", BatchTopKSAE, "k", "k", 0.0),
    "jumprelu": Architecture("jumprelu", JumpReluSAE, "l0_coeff", "penalty", 0.05),
    "gated": Architecture("gated", GatedSAE, "l1_coeff", "penalty", 0.6),
    "matryoshka": Architecture("matryoshka", MatryoshkaSAE, "k", "k", 0.0,
                               (("group_sizes", (0.25, 0.25, 0.5)),)),
}

# Budgets in steps, batch sizes and learning rates (never seconds). Quick: the grid's quick
# budgets (benchmarks/sparse/family.py SIZES) and each class's measured Notes: ReLU 1000 x
# 512; TopK, JumpReLU, Gated 500 x 256; BatchTopK and Matryoshka 1000 x 256 (their Notes:
# 500 steps fall short of TopK's MCC); lr 1e-2 throughout.
_QUICK_BUDGET = {
    "relu": {"n_steps": 1000, "batch_size": 512, "learning_rate": 1e-2},
    "topk": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
    "batchtopk": {"n_steps": 1000, "batch_size": 256, "learning_rate": 1e-2},
    "jumprelu": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
    "gated": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
    "matryoshka": {"n_steps": 1000, "batch_size": 256, "learning_rate": 1e-2},
}
# Full: SynthSAEBench-16k's size (16384 features in d = 768: 4096 roots x (1 + 3)); 20
# active roots give an expected L0 of 35. Configured for a distributed run, not run here
# (its cost is estimated in `FULL_COST_NOTE`).
_FULL_BUDGET = {name: {"n_steps": 4000, "batch_size": 4096, "learning_rate": 3e-3}
                for name in ARCHITECTURES}
PROFILES = {
    "quick": {
        "generator": {"n_features": 32, "n_roots": 16, "branching": 3, "depth": 2,
                      "mean_active_roots": 2.0},
        "n_train": 8192, "n_heldout": 4096, "m": 64, "seeds": (0, 1, 2),
        "budget": _QUICK_BUDGET,
    },
    "full": {
        "generator": {"n_features": 768, "n_roots": 4096, "branching": 3, "depth": 2,
                      "mean_active_roots": 20.0, "exclusive_fraction": 1.0},
        "n_train": 200_000, "n_heldout": 10_000, "m": 16384, "seeds": (0, 1, 2),
        "budget": _FULL_BUDGET,
    },
}
# Cost of the full profile, extrapolated (not run). One training step timed on one core
# (process time, nice, shared machine) at d = 256, m = 2048, B = 1024: ReLU 85 ms, TopK 47,
# BatchTopK 54, JumpReLU 98, Gated 143, Matryoshka 52 ms (k = 16). Every step is led by
# the dense (B, d) x (d, m) encoder product, so time scales with B m d: x96 at d = 768,
# m = 16384, B = 4096, i.e. 4.5-14 s per step, 5-15 core-hours per 4000-step fit (ReLU
# 9.1, TopK 5.0, BatchTopK 5.8, JumpReLU 10.4, Gated 15.2, Matryoshka 5.6). 54 scored fits
# (6 x 3 targets x 3 seeds) take ~460 core-hours; calibration, at the quick profile's 2.5
# fits per (penalised architecture, seed, target), ~67 more fits, ~760 core-hours: ~1200
# core-hours in all, as 18 independent (architecture, seed) tasks. Memory per task: the
# training rows (200,000 x 768 float64, 1.2 GB, plus a float32 copy), the batch buffers
# (several 4096 x 16384 float32 arrays, ~0.3 GB each) and the dense held-out codes
# (10,000 x 16384 float64, 1.3 GB).
FULL_COST_NOTE = ("extrapolated ~1200 core-hours: 54 scored 4000-step fits ~460, "
                  "calibration ~760; 18 independent (architecture, seed) tasks")

# Metrics ranked by `order_architectures`: name -> True when higher is better.
ORDERED = {"mcc": True, "f1": True, "absorption": False, "full_absorption": False,
           "splitting": False, "fvu": False}
# Metrics summarised over seeds (every row also holds the knob and calibration record).
SUMMARISED = ("l0", "l0_ratio", "mcc", "f1", "absorption", "full_absorption",
              "miss_with_child", "miss_alone", "splitting", "fvu", "shrinkage", "dead_fraction",
              "fit_time_s")
LABELS = {"mcc": "MCC", "f1": "mean per-latent F1", "absorption": "absorption",
          "full_absorption": "full absorption", "splitting": "feature splitting",
          "fvu": "held-out FVU", "l0": "L0"}


# --- knobs and calibration ------------------------------------------------------------------


def k_for_target(target: float) -> int:
    """The k-family knob for a target L0: ``max(1, round(target))`` (half to even).

    Raises ValueError (TypeError for a non-number) naming ``target`` unless it is a finite
    number > 0.
    """
    t = _positive(target, "target")
    return max(1, int(round(t)))


def _positive(value, name: str) -> float:
    """``value`` as a finite float > 0, else an error naming ``name``
    (`floor.validation.check_positive_float`: an InvalidArgumentError, both a TypeError
    and a ValueError, for a non-number)."""
    return check_positive_float(value, name)


def _miss(l0: float, target: float) -> float:
    return abs(math.log(max(l0, _L0_FLOOR) / target))


def _next_knob(points: list[tuple[float, float]], target: float, start: float,
               factor: float) -> float:
    """The next knob to try, from the ``(knob, L0)`` points so far (L0 falls with the knob).

    No point: ``start``. Not bracketed: the densest-side extreme times or over ``factor``.
    Bracketed by ``a`` (largest knob still above the target) and ``b`` (smallest knob below
    it): linear interpolation of ``log knob`` against ``log L0`` when ``a.knob < b.knob``,
    else (noise inverted their order) the geometric mean of the two knobs.
    """
    if not points:
        return start
    above = [p for p in points if p[1] > target]
    below = [p for p in points if p[1] <= target]
    if not below:
        return max(p[0] for p in above) * factor
    if not above:
        return min(p[0] for p in below) / factor
    a = max(above, key=lambda p: p[0])
    b = min(below, key=lambda p: p[0])
    la, lb = math.log(max(a[1], _L0_FLOOR)), math.log(max(b[1], _L0_FLOOR))
    if a[0] >= b[0] or la == lb:
        return math.sqrt(a[0] * b[0])
    s = (math.log(target) - la) / (lb - la)
    return math.exp(math.log(a[0]) + s * (math.log(b[0]) - math.log(a[0])))


def calibrate_knob(l0_of: Callable[[float, int], float], target: float, start: float,
                   tolerance: float = TOLERANCE, max_runs: int = MAX_RUNS,
                   factor: float = BRACKET_FACTOR,
                   history: list[tuple[float, float]] | None = None) -> dict:
    """Find a penalty knob whose fit reaches ``target`` L0 within ``tolerance``.

    ``l0_of(knob, j)`` fits with the knob (``j``: the index of this fit among all the fits
    recorded in ``history``, for its random stream) and returns the fit's L0. L0 is assumed
    to fall as the knob grows. Search (`_next_knob`): from ``start``, multiply or divide by
    ``factor`` until the target is bracketed, then interpolate ``log knob`` linearly in
    ``log L0`` between the bracketing fits; stop when a fit has ``|L0 / target - 1| <=
    tolerance`` or after ``max_runs`` new fits. Points already in ``history`` (fits for
    other targets of the same problem) are used first and ``history`` is extended in place.

    Returns
    -------
    dict
        ``knob`` and ``l0`` of the fit closest to the target in ``|log(L0 / target)|``,
        ``target``, ``within_tolerance`` (bool), ``runs`` (new fits made), ``tolerance``.

    Raises
    ------
    ValueError
        Naming ``target``, ``start``, ``tolerance``, ``max_runs`` or ``factor`` when out of
        range (targets and knobs > 0, tolerance in (0, 1), max_runs >= 1, factor > 1).
    """
    t = _positive(target, "target")
    k0 = _positive(start, "start")
    tol = _positive(tolerance, "tolerance")
    if tol >= 1:
        raise ValueError(f"tolerance must be in (0, 1), got {tolerance!r}")
    check_int(max_runs, "max_runs")
    if _positive(factor, "factor") <= 1:
        raise ValueError(f"factor must be > 1, got {factor!r}")
    points = history if history is not None else []
    runs = 0

    def ok(p):
        return abs(p[1] / t - 1) <= tol

    while runs < max_runs and not any(ok(p) for p in points):
        knob = _next_knob(points, t, k0, factor)
        l0 = float(l0_of(knob, len(points)))
        points.append((knob, l0))
        runs += 1
    inside = [p for p in points if ok(p)]
    best = min(inside or points, key=lambda p: _miss(p[1], t))
    return {"knob": best[0], "l0": best[1], "target": t, "within_tolerance": ok(best),
            "runs": runs, "tolerance": tol}


# --- fitting and scoring --------------------------------------------------------------------


def _profile(profile) -> dict:
    return study_profile(profile, PROFILES)


def _dataset(prof: dict, streams: SeedStreams, split: int, n: int):
    """Split ``split`` (``n`` rows) of the seed's forest, through the grid's own idiom
    (`GeneratorSpec.dataset`: the data stream of ``streams``)."""
    spec = GeneratorSpec(GENERATOR, "sparse", make_hierarchical_features, prof["generator"])
    return spec.dataset(streams, split, n_samples=n)


def _build(arch: Architecture, prof: dict, knob: float, stream) -> object:
    kwargs = dict(prof["budget"][arch.name], **dict(arch.extra))
    value = int(knob) if arch.kind == "k" else float(knob)
    return arch.cls(prof["m"], **{arch.knob: value}, **kwargs,
                    random_state=sklearn_seed(stream))


def _fit(arch, prof, knob, stream, X):
    """Build and fit one SAE; returns it and the fit's process time (CPU seconds)."""
    est = _build(arch, prof, knob, stream)
    start = time.process_time()
    est.fit(X)
    return est, time.process_time() - start


def score_fit(est, test) -> dict:
    """Held-out scores of a fitted SAE against the planted hierarchy of ``test``."""
    truth = test.ground_truth
    F, C = truth["features"], truth["codes"]
    codes = np.asarray(est.transform(test.X), dtype=np.float64)
    A = est.components_
    X_hat = est.inverse_transform(codes)
    ab = absorption(codes, C, A, F, truth["parent"])
    pr = latent_precision_recall(codes, C, A, F)
    sp = feature_splitting(codes, C, A, F)
    return {"l0": mean_l0(codes), "mcc": matched_mcc(A, F), "f1": pr["mean_f1"],
            "absorption": _num(ab["mean_absorption"]),
            "full_absorption": _num(ab["mean_full_absorption"]),
            "n_absorption_scored": ab["n_scored"],
            "miss_with_child": _num(ab["mean_miss_with_child"]),
            "miss_alone": _num(ab["mean_miss_alone"]), "splitting": sp["split_fraction"],
            "fvu": 1.0 - explained_variance(test.X, X_hat), "shrinkage": shrinkage(test.X, X_hat),
            "dead_fraction": dead_fraction(codes)}


def _num(x: float) -> float | None:
    """A float for JSON: None for NaN (e.g. no parent could be scored)."""
    return None if x is None or not np.isfinite(x) else float(x)


def targets_for(prof: dict, multiples=TARGET_MULTIPLES) -> tuple[float, list[float]]:
    """The generator's expected L0 and the target L0s, ``multiple * expected``.

    Both rounded to `TARGET_DECIMALS` decimals, so that a sum of firing rates that lands a
    rounding error below 3.5 still gives k = round(3.5) = 4 (half to even).
    """
    expected = make_hierarchical_features(1, **prof["generator"]).ground_truth["expected_l0"]
    expected = round(float(expected), TARGET_DECIMALS)
    return expected, [round(float(mult * expected), TARGET_DECIMALS) for mult in multiples]


def scored_stream(multiple: float) -> int:
    """Method-stream index of the scored fit at a target multiple: ``round(1000 multiple)``
    (below `CALIBRATION_STREAM` for multiples below 1000)."""
    return int(round(1000 * multiple))


def run_architecture_seed(name: str, seed: int, profile="quick",
                          multiples=TARGET_MULTIPLES) -> list[dict]:
    """Rows (one per target) for one architecture at one seed: calibrate, fit, score."""
    arch = ARCHITECTURES[name]
    prof = _profile(profile)
    streams = SeedStreams(GENERATOR, int(seed))
    expected, targets = targets_for(prof, multiples)
    train = _dataset(prof, streams, TRAIN, prof["n_train"])
    test = _dataset(prof, streams, HELDOUT, prof["n_heldout"])
    calibrate = None
    if arch.kind == "penalty":
        c_train = _dataset(prof, streams, CALIBRATION_TRAIN, prof["n_train"])
        c_test = _dataset(prof, streams, CALIBRATION_HELDOUT, prof["n_heldout"])

        def l0_of(knob, j):
            est, _ = _fit(arch, prof, knob, streams.method(CALIBRATION_STREAM + j), c_train.X)
            return mean_l0(est.transform(c_test.X))

        history: list[tuple[float, float]] = []

        def calibrate(target):
            return calibrate_knob(l0_of, target, arch.start, history=history)

    rows = []
    for mult, target in zip(multiples, targets, strict=True):
        if calibrate is None:
            knob, cal = k_for_target(target), None
        else:
            cal = calibrate(target)
            knob = cal["knob"]
        est, fit_s = _fit(arch, prof, knob, streams.method(scored_stream(mult)), train.X)
        row = {"architecture": name, "seed": int(seed), "target_multiple": float(mult),
               "target_l0": target, "expected_l0": expected,
               "true_l0_heldout": test.ground_truth["true_l0"], "knob_name": arch.knob,
               "knob": float(knob), "calibration": cal, "fit_time_s": fit_s}
        row.update(score_fit(est, test))
        row["l0_ratio"] = row["l0"] / target
        rows.append(row)
    return rows


# --- summaries and ordering -----------------------------------------------------------------


def seed_interval(values) -> dict | None:
    """Seed mean with its 95% Student-t interval of the finite values (None: none)."""
    vals = [v for v in values if v is not None and np.isfinite(v)]
    if not vals:
        return None
    return mean_over_seeds(vals, confidence=CONFIDENCE).to_dict()


def summarise(rows: list[dict]) -> list[dict]:
    """Per architecture and target: seed mean and 95% interval of each `SUMMARISED` metric.

    A metric that is None on some seeds (absorption with no scorable parent) is summarised
    over the other seeds (its ``n`` says how many); None when it is None on all.
    """
    out = []
    for key in _keys(rows):
        group = [r for r in rows if (r["architecture"], r["target_multiple"]) == key]
        entry = {"architecture": key[0], "target_multiple": key[1],
                 "target_l0": group[0]["target_l0"], "seeds": [r["seed"] for r in group],
                 "knob": [r["knob"] for r in group]}
        for metric in SUMMARISED:
            entry[metric] = seed_interval([r[metric] for r in group])
        out.append(entry)
    return out


def _keys(rows):
    seen = []
    for r in rows:
        key = (r["architecture"], r["target_multiple"])
        if key not in seen:
            seen.append(key)
    return seen


def _called_better(comparison: dict | None, higher_is_better: bool) -> bool | None:
    """Whether a paired comparison (first against second) calls the first better."""
    if comparison is None:
        return None
    return comparison["verdict"] == (ABOVE if higher_is_better else BELOW)


def order_architectures(estimates: dict, higher_is_better: bool,
                        per_seed: dict | None = None) -> dict:
    """Rank architectures by a seed-mean metric; is the top separated from the second?

    ``estimates`` maps an architecture to an Estimate dict (``value``, ``low``, ``high``,
    ``n``) or None (not measured: left out of the ranking and listed in ``missing``).
    Architectures are sorted best first (by ``value``; equal values by name). ``rank`` is
    1 + the number of architectures strictly better, so equal values share a rank.

    With ``per_seed`` (architecture -> {seed: value}; every seed gives every architecture
    the same data), the top is **separated** from the second when the paired comparison
    over their shared seeds calls it better (`metrics.noise_floor.compare`: the 95%
    interval of the mean per-seed difference excludes 0), False when it is within noise,
    None below 2 shared seeds; each entry after the top carries ``vs_top`` (the top
    against it) and each but the last ``vs_next`` (it against the next one down), compare
    dicts or None. Without ``per_seed`` (estimates alone), the conservative reading of two
    intervals: separated when they do not overlap (the top's lower end strictly above the
    second's upper end when higher is better; touching intervals overlap), None when
    either has fewer than 2 seeds. Equal values are never separated.

    Returns
    -------
    dict
        ``order``: list of ``{"architecture", "rank", "value", "low", "high", "n"}``;
        ``top``, ``second`` (names or None); ``separated`` (bool or None); ``missing``;
        ``paired`` (whether ``per_seed`` was read).

    Raises
    ------
    ValueError
        Naming ``estimates`` when it is not a dict of Estimate dicts (or None), or
        ``higher_is_better`` when it is not a bool.
    """
    if not isinstance(higher_is_better, (bool, np.bool_)):
        raise ValueError(f"higher_is_better must be a bool, got {higher_is_better!r}")
    if not isinstance(estimates, dict):
        raise ValueError(f"estimates must be a dict of architecture -> Estimate dict, got "
                         f"{type(estimates).__name__}")
    sign = 1.0 if higher_is_better else -1.0
    present, missing = [], []
    for name, est in estimates.items():
        if est is None:
            missing.append(name)
            continue
        if not isinstance(est, dict) or not {"value", "low", "high", "n"} <= set(est):
            raise ValueError(f"estimates[{name!r}] must be an Estimate dict with value, low, "
                             f"high and n, got {est!r}")
        if not all(np.isfinite(est[k]) for k in ("value", "low", "high")):
            raise ValueError(f"estimates[{name!r}] must be finite, got {est!r}")
        present.append((name, est))
    present.sort(key=lambda p: (-sign * p[1]["value"], p[0]))
    order = [{"architecture": n, "rank": 1 + sum(sign * o["value"] > sign * e["value"]
                                                  for _, o in present),
              "value": e["value"], "low": e["low"], "high": e["high"], "n": int(e["n"])}
             for n, e in present]
    if per_seed is not None:
        for i, x in enumerate(order):
            if i > 0:
                x["vs_top"] = compare_shared_seeds(per_seed.get(order[0]["architecture"]),
                                                   per_seed.get(x["architecture"]))
            if i + 1 < len(order):
                x["vs_next"] = compare_shared_seeds(per_seed.get(x["architecture"]),
                                                    per_seed.get(order[i + 1]["architecture"]))
    separated = None
    if len(order) >= 2:
        a, b = order[0], order[1]
        if a["value"] == b["value"]:
            separated = False
        elif per_seed is not None:
            separated = _called_better(b["vs_top"], bool(higher_is_better))
        elif a["n"] >= 2 and b["n"] >= 2:
            separated = bool(a["low"] > b["high"]) if higher_is_better \
                else bool(a["high"] < b["low"])
    return {"order": order, "top": order[0]["architecture"] if order else None,
            "second": order[1]["architecture"] if len(order) > 1 else None,
            "separated": separated, "missing": missing, "paired": per_seed is not None}


def claim_status(ordering: dict, claimed: str = "matryoshka") -> str:
    """Whether ``claimed`` is the best, read from an `order_architectures` result.

    "holds": it is the top and separated from the second; "top, not separated": top but
    the second is within noise of it (or, without per-seed values, its interval
    overlaps); "not separated from the top": another is ahead but within noise; "does not
    hold": the top is called better than it (paired; without per-seed values, the top's
    interval lies strictly beyond its own); "not measured" when it is missing.
    """
    order = {o["architecture"]: o for o in ordering["order"]}
    if claimed not in order:
        return "not measured"
    if ordering["top"] == claimed:
        return "holds" if ordering["separated"] else "top, not separated"
    top, mine = order[ordering["top"]], order[claimed]
    if top["value"] == mine["value"]:
        return "not separated from the top"
    higher = top["value"] > mine["value"]
    if ordering.get("paired"):
        beyond = _called_better(mine.get("vs_top"), higher)
    elif top["n"] < 2 or mine["n"] < 2:
        beyond = False
    else:
        beyond = top["low"] > mine["high"] if higher else top["high"] < mine["low"]
    return "does not hold" if beyond else "not separated from the top"


def per_seed_values(rows: list[dict], metric: str, multiple: float) -> dict:
    """architecture -> {seed: value} of ``metric`` at a target multiple, finite values only
    (what `order_architectures` pairs)."""
    out: dict = {}
    for r in rows:
        v = r.get(metric)
        if r["target_multiple"] == multiple and v is not None and np.isfinite(v):
            out.setdefault(r["architecture"], {})[int(r["seed"])] = float(v)
    return out


def orderings(summary: list[dict], rows: list[dict] | None = None) -> list[dict]:
    """`order_architectures` for every target and `ORDERED` metric, with `claim_status`;
    paired over the shared seeds when the per-seed ``rows`` are given."""
    out = []
    for mult in sorted({s["target_multiple"] for s in summary}):
        group = [s for s in summary if s["target_multiple"] == mult]
        for metric, higher in ORDERED.items():
            per_seed = None if rows is None else per_seed_values(rows, metric, mult)
            o = order_architectures({s["architecture"]: s[metric] for s in group}, higher,
                                    per_seed)
            o.update(target_multiple=mult, target_l0=group[0]["target_l0"], metric=metric,
                     higher_is_better=higher, matryoshka=claim_status(o))
            out.append(o)
    return out


# --- the study ------------------------------------------------------------------------------


def run(profile="quick", seeds=None, jobs: int = 1, architectures=None,
        multiples=TARGET_MULTIPLES) -> dict:
    """Run the study and return its JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict, default="quick"
        A `PROFILES` name, or a profile dict of the same keys (tests use tiny ones).
    seeds : sequence of int, optional
        Seeds (default: the profile's).
    jobs : int, default=1
        Worker processes; one task is one architecture at one seed (calibration, then its
        targets' fits). The numbers do not depend on ``jobs``.
    architectures : sequence of str, optional
        Names in `ARCHITECTURES` (default: all six).
    multiples : sequence of float, default=TARGET_MULTIPLES

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "architectures", "expected_l0",
        "target_multiples", "targets", "tolerance", "rows", "summary", "ordering",
        "cost_estimate" (the full profile's, else None), "jobs", "wall_s", "cpu_s"}``;
        ``cpu_s`` is the process time of the run and its workers.
    """
    prof = _profile(profile)
    names = list(ARCHITECTURES) if architectures is None else list(architectures)
    for n in names:
        if n not in ARCHITECTURES:
            raise ValueError(f"architectures must name entries of {list(ARCHITECTURES)}, "
                             f"got {n!r}")
    if not names:
        raise ValueError("architectures must name at least one architecture")
    seed_list = study_seeds(seeds, prof["seeds"])
    check_int(jobs, "jobs")
    mults = [_positive(m, "multiples") for m in multiples]
    if not mults or len(set(mults)) != len(mults) or max(mults) >= 1000:
        raise ValueError(f"multiples must hold distinct target multiples in (0, 1000), got "
                         f"{multiples!r}")
    tasks = [(n, int(s)) for n in names for s in seed_list]
    wall, cpu = time.perf_counter(), time.process_time()
    if jobs == 1:
        results = [run_architecture_seed(n, s, prof, mults) for n, s in tasks]
        child_cpu = 0.0
    else:
        ctx = study_context()
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            futures = [pool.submit(_timed_task, n, s, prof, mults) for n, s in tasks]
            pairs = [f.result() for f in futures]
        results = [p[0] for p in pairs]
        child_cpu = sum(p[1] for p in pairs)
    rows = [r for res in results for r in res]
    summary = summarise(rows)
    expected, targets = targets_for(prof, mults)
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "architectures": names, "expected_l0": expected,
            "target_multiples": mults, "targets": targets, "tolerance": TOLERANCE,
            "rows": rows, "summary": summary, "ordering": orderings(summary, rows),
            "cost_estimate": FULL_COST_NOTE if profile == "full" else None,
            "jobs": int(jobs), "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


def _timed_task(name, seed, prof, mults):
    start = time.process_time()
    rows = run_architecture_seed(name, seed, prof, mults)
    return rows, time.process_time() - start


# --- findings and figures -------------------------------------------------------------------


def _link(x: dict, higher: bool) -> str:
    """Between an architecture and the next one down: ">" ("<" when lower is better) when
    the paired comparison calls it, "≈" when within noise, or, on a document ordered
    without per-seed values, the rank's own sign."""
    if "vs_next" not in x:
        return " > " if higher else " < "
    return (" > " if higher else " < ") if _called_better(x["vs_next"], higher) else " ≈ "


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """The measured ordering in words: ``(term, sentence with numbers, note)`` per target
    and metric of MCC, F1, absorption and held-out FVU, then the claim's verdict.

    Neighbours in the ranking are joined by ">" ("<" when lower is better) only where the
    paired comparison over the shared seeds calls the difference, by "≈" where it is within
    noise (`metrics.noise_floor.compare`); the top against the second is given with its
    paired difference and interval.
    """
    summary = {(s["architecture"], s["target_multiple"]): s for s in doc["summary"]}
    out = []
    for o in doc["ordering"]:
        if o["metric"] not in ("mcc", "f1", "absorption", "full_absorption", "fvu"):
            continue
        mult, higher = o["target_multiple"], o["higher_is_better"]
        digits = 3 if o["metric"] == "fvu" else 2
        sentence = ""
        for i, x in enumerate(o["order"]):
            sentence += (f"{x['architecture']} {format_estimate(x, digits)} (L0 "
                         f"{summary[(x['architecture'], mult)]['l0']['value']:.2f})")
            if i + 1 < len(o["order"]):
                sentence += _link(x, higher)
        term = f"{LABELS[o['metric']]} at {mult:g}x the true L0 ({o['target_l0']:.2f})"
        if o.get("paired") and len(o["order"]) > 1:
            second = o["order"][1]
            sentence += (f"; top against second, paired over the shared seeds: "
                         f"{format_difference(second.get('vs_top'), digits + 1)}, "
                         f"{_separated_words(o['separated'])}")
        else:
            sentence += f"; top separated from second: {_yes(o['separated'])}"
        if o["metric"] != "fvu":
            sentence += f"; Matryoshka first (published claim): {o['matryoshka']}"
        rule = ("separated = the paired difference over the shared seeds has a 95% interval "
                "excluding 0, ≈ = within noise" if o.get("paired") else
                "separated = non-overlapping intervals")
        note = (f"seed means, 95% Student-t intervals over {len(doc['seeds'])} seeds; "
                f"{rule}; " + ("higher" if higher else "lower") + " is better")
        out.append((term, sentence, note))
    out.append(_claim_finding(doc))
    return out


def _separated_words(flag) -> str:
    return {True: "separated", False: WITHIN,
            None: "not assessable (fewer than 2 shared seeds)"}[flag]


def _yes(flag) -> str:
    return {True: "yes", False: "no", None: "not assessable (one seed)"}[flag]


def _claim_finding(doc):
    checks = [o for o in doc["ordering"] if o["metric"] in ("mcc", "f1", "absorption")]
    holds = [o for o in checks if o["matryoshka"] == "holds"]
    fails = [o for o in checks if o["matryoshka"] == "does not hold"]
    rank = {(o["metric"], o["target_multiple"]): next(
        (x["rank"] for x in o["order"] if x["architecture"] == "matryoshka"), None)
        for o in checks}
    ranks = ", ".join(f"{LABELS[m]} {mult:g}x: {r}" for (m, mult), r in rank.items())
    if checks and len(holds) == len(checks):
        verdict = "holds on every target for MCC, F1 and absorption"
    elif fails:
        verdict = (f"does not hold: another architecture is separated above Matryoshka in "
                   f"{len(fails)} of {len(checks)} (metric, target) cases")
    else:
        verdict = (f"is not resolved: Matryoshka is separated first in {len(holds)} of "
                   f"{len(checks)} cases and never separated below the top")
    return ("Matryoshka at matched L0 (Bussmann et al. 2025)",
            f"the published ordering (Matryoshka best on MCC, F1 and absorption) {verdict}; "
            f"Matryoshka's rank of {len(doc['architectures'])}: {ranks}",
            "rank 1 = best; ties share a rank; separated = "
            + ("called by the paired comparison over the shared seeds (95%)"
               if any(o.get("paired") for o in checks) else "non-overlapping 95% intervals"))


def draw(doc: dict):
    """Pareto plots from the document: held-out FVU, MCC, F1 and absorption against L0.

    One marker and colour per architecture, one point per target (seed means, 95% interval
    bars on both axes), joined in target order; the dotted line is the expected true L0.
    Yields ``(caption, file name, Figure)``; architecture names are drawn through
    `benchmarks.figure_labels`.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullLocator

    from benchmarks.figure_labels import add_key, figure_legend, method_labels

    panels = [("matched_l0_fvu.png", ("fvu",),
               "Held-out FVU against achieved L0 (lower-left is better)"),
              ("matched_l0_mcc_f1.png", ("mcc", "f1"),
               "Matched MCC and mean per-latent F1 against achieved L0 (higher is better)"),
              ("matched_l0_absorption.png", ("absorption", "full_absorption"),
               "Absorption and full absorption against achieved L0 (lower is better)")]
    names = doc["architectures"]
    labels = method_labels(names)
    cmap = plt.get_cmap("tab10")
    markers = "osD^vP*X"
    for filename, metrics, caption in panels:
        fig, axes = plt.subplots(1, len(metrics), figsize=(max(7.0, 5.2 * len(metrics)), 4.4),
                                 squeeze=False)
        fig.subplots_adjust(left=0.10, right=0.98, bottom=0.13, top=0.80, wspace=0.28)
        for ax, metric in zip(axes[0], metrics, strict=True):
            for i, name in enumerate(names):
                pts = sorted((s for s in doc["summary"] if s["architecture"] == name
                              and s[metric] is not None), key=lambda s: s["target_multiple"])
                if not pts:
                    continue
                x = np.array([p["l0"]["value"] for p in pts])
                y = np.array([p[metric]["value"] for p in pts])
                xerr = np.array([[p["l0"]["value"] - p["l0"]["low"] for p in pts],
                                 [p["l0"]["high"] - p["l0"]["value"] for p in pts]])
                yerr = np.array([[p[metric]["value"] - p[metric]["low"] for p in pts],
                                 [p[metric]["high"] - p[metric]["value"] for p in pts]])
                ax.errorbar(x, y, xerr=xerr, yerr=yerr, color=cmap(i % 10),
                            marker=markers[i % len(markers)], capsize=2, lw=1, ms=5,
                            label=labels[name])
            ax.axvline(doc["expected_l0"], color="grey", ls=":", lw=1)
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(FixedLocator(doc["targets"]))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xticklabels([f"{t:g}" for t in doc["targets"]])
            ax.set_xlabel("achieved held-out L0 (log; ticks at the targets)")
            ax.set_ylabel(LABELS[metric])
        fig.suptitle(f"{caption}; {len(doc['seeds'])} seeds, 95% intervals", fontsize=9)
        handles, entries = axes[0][0].get_legend_handles_labels()
        figure_legend(fig, handles, entries, len(names), loc="upper center", fontsize=7,
                      bbox_to_anchor=(0.5, 0.93), frameon=False)
        yield caption, filename, add_key(fig, labels)


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, "matched_l0.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
