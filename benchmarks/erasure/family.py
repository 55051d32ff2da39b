"""The erasure family: its grid (generators x erasers per profile) and how a cell is scored.

Per seed, with the seed's streams (`benchmarks.seeding.SeedStreams`, made once per seed):
split 0 (``n_fit`` rows) fits the eraser; split 1 (``n_samples`` rows, erased) trains each
probe; split 2 (erased) scores it, so an eraser that only scrubs the rows it was fitted on
shows its leak. Split 3 (``n_fit`` rows) fits a second copy of the eraser with another
method stream, for seed-to-seed consistency.

The fit split is ten times the probe splits: an eraser estimated from ``n`` rows in ``d``
dimensions leaves a residual class-mean difference of Mahalanobis size about
``sqrt(4 d / n)`` (the estimation error of the mean difference), which a held-out probe
can read: measured, LEACE fitted on 2000 rows of the 16-d Gaussian left logistic leakage
0.035 [0.014, 0.056]. At ``n_fit = 10 n`` that residual is below what the probes resolve.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.erasure.checks import GUARD_RTOL
from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams, sklearn_seed
from benchmarks.signatures import accepts, needs_labels
from benchmarks.spec import GeneratorSpec, MethodSpec, seeded
from generators.dataset import Dataset
from generators.injection_concept import make_injection_concept
from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.outlier_equal_means import make_outlier_equal_means
from generators.two_class_gaussian import make_two_class_gaussian
from generators.weak_concept import make_weak_concept
from generators.xor_concept import make_xor_concept
from methods.erasure.identity import IdentityEraser
from methods.erasure.leace import LeaceEraser
from methods.erasure.mean_matching import MeanMatchingEraser
from methods.erasure.mean_projection import MeanProjectionEraser
from methods.erasure.median_projection import MedianProjectionEraser
from methods.erasure.oracle import OracleEraser
from methods.erasure.qleace import QuadraticLeaceEraser
from methods.erasure.splince import SplinceEraser
from metrics.guardedness import rounding_gap, whitened_class_mean_gap, whitening
from metrics.injection import injection_reading
from metrics.probes import PROBE_KINDS, score_probe
from metrics.statistics import mean_over_seeds, wilson_interval
from metrics.subspace import distortion, removed_subspace, subspace_consistency

NAME = "erasure"
# Rows per probe split, rows of the split an eraser is fitted on, and dimension.
SIZES = {
    "quick": {"n_samples": 2000, "n_fit": 20000, "n_features": 16},
    "full": {"n_samples": 20000, "n_fit": 200000, "n_features": 64},
}
FIT, PROBE_TRAIN, PROBE_TEST, REFIT = 0, 1, 2, 3
# Budgets of `methods.erasure.rlace_sgd.RLACESGDEraser` (R-LACE by alternating SGD, the
# reference algorithm) per profile. Full: the reference code's defaults (75000 iterations,
# SGD lr 0.005 for both players, batch 128, evaluation every 1000 iterations). Quick: the
# grid's cost bar (~25 s of cell CPU for its four cells x 3 seeds, two fits per seed) leaves
# ~0.4 s a fit, about 600 iterations at ~0.5 ms each (d = 16, one core); at the reference's
# lr 0.005 the 16-d Gaussian's adversary loss is still climbing at 3000 (held-out
# cross-entropy 0.69 of log 2 only after ~4000 iterations, measured), so the quick budget
# takes 10x the learning rate (lr 0.05: log 2 within 0.003 by iteration 600 on the two-class
# Gaussian, 4-class within 0.002 of log 4), with evaluations every 150 iterations (4 per run).
RLACE_SGD_BUDGET = {
    "quick": {"n_steps": 600, "evaluate_every": 150, "lr_projection": 0.05,
              "lr_predictor": 0.05},
    "full": {"n_steps": 75000, "evaluate_every": 1000, "lr_projection": 0.005,
             "lr_predictor": 0.005},
}
# Means over a handful of seeds (distortion, consistency, time) are described with a 95%
# Student-t interval; checks read their point value. Leakage intervals use CONFIDENCE.
DESCRIPTIVE_CONFIDENCE = 0.95


def erasure_generators(profile: Profile) -> list[GeneratorSpec]:
    """The erasure generators at the profile's size (``n`` rows per split, ``d`` dims)."""
    s = SIZES[profile.name]
    size = dict(n_samples=s["n_samples"], n_features=s["n_features"])
    return [
        GeneratorSpec("two_class_gaussian", NAME, make_two_class_gaussian, size),
        GeneratorSpec("outlier_equal_means", NAME, make_outlier_equal_means, size),
        GeneratorSpec("xor_concept", NAME, make_xor_concept, size),
        GeneratorSpec("multiclass_gaussian", NAME, make_multiclass_gaussian,
                      dict(size, n_classes=4)),
        GeneratorSpec("weak_concept", NAME, make_weak_concept, size),
        GeneratorSpec("injection_concept", NAME, make_injection_concept, size),
    ]


def erasure_methods(profile: Profile) -> list[MethodSpec]:
    """The built-in erasers; INLP and RLACE budgets come from the profile.

    The family's one list of built-in erasers: a new eraser is its file in
    ``methods/erasure/`` and one line here (docs/adding.md). ``tiny`` holds the budgets the
    contract tests fit it with (`benchmarks.families.Family.tiny_instance`).
    """
    from methods.erasure.inlp import INLPEraser
    from methods.erasure.rlace import RLACEEraser
    from methods.erasure.rlace_sgd import RLACESGDEraser

    def rlace(train, seed):
        rank = max(1, np.unique(train.y).size - 1)
        return RLACEEraser(rank=rank, random_state=sklearn_seed(seed))

    def rlace_sgd(train, seed):
        rank = max(1, np.unique(train.y).size - 1)
        return RLACESGDEraser(rank=rank, random_state=seed, **RLACE_SGD_BUDGET[profile.name])

    def oracle(train, seed):
        return OracleEraser(directions=train.ground_truth["concept_directions"])

    return [
        MethodSpec("identity", NAME, lambda t, s: IdentityEraser(), description="no-op"),
        MethodSpec("mean_projection", NAME, lambda t, s: MeanProjectionEraser(),
                   description="project out class-mean differences (Haghighatkhah+ 2022)"),
        MethodSpec("mean_matching", NAME, lambda t, s: MeanMatchingEraser(),
                   description="translate classes onto the mean; needs labels (Singh+ 2024)"),
        MethodSpec("leace", NAME, lambda t, s: LeaceEraser(),
                   description="closed-form LEACE (Belrose+ 2023)"),
        MethodSpec("splince", NAME, lambda t, s: SplinceEraser(),
                   description="LEACE keeping a target's covariance; LEACE without one "
                               "(Holstege+ 2025)"),
        MethodSpec("qleace", NAME, lambda t, s: QuadraticLeaceEraser(),
                   description="quadratic LEACE: classes transported to their Wasserstein "
                               "barycentre; needs labels (Belrose+ 2023, sec. 7)"),
        MethodSpec("inlp", NAME, seeded(INLPEraser), tiny={"n_iter": 2},
                   description="iterative nullspace projection (Ravfogel+ 2020)"),
        MethodSpec("rlace", NAME, rlace, tiny={"max_iter": 2, "max_inner_iter": 20},
                   description="rank-(K-1) adversarial erasure (Ravfogel+ 2022)"),
        MethodSpec("rlace_sgd", NAME, rlace_sgd,
                   tiny={"n_steps": 5, "evaluate_every": 2, "batch_size": 8},
                   description="R-LACE by the reference's alternating SGD (Ravfogel+ 2022)"),
        MethodSpec("median_projection", NAME, lambda t, s: MedianProjectionEraser(),
                   description="project out class geometric-median differences"),
        MethodSpec("oracle", NAME, oracle, needs=("concept_directions",),
                   description="removes the planted directions (uses ground truth)"),
    ]


# What the family passes to a generator beyond its own arguments (`Family.generator_keywords`).
N_FIT_WHEN = ("the splits an eraser is fitted on (0 and 3) get n_samples = n_fit, ten times "
              "the probe splits' rows (" + ", ".join(f"{p} {s['n_fit']}" for p, s in
                                                     SIZES.items()) +
              "); the probe splits (1 and 2) get the generator's own arguments")


def erasure_interface(cls) -> bool:
    """Whether a user's class is an eraser: it has ``transform`` and its ``fit`` needs ``y``
    (a required parameter, or a scikit-learn estimator whose tags require a target)."""
    return hasattr(cls, "transform") and needs_labels(cls)


def erasure_tiny_train(n_features: int) -> Dataset:
    """What an eraser is built from at the contract tests' tiny scale
    (`benchmarks.families.Family.tiny_instance`): two classes (R-LACE's rank is the number of
    classes minus one) and the first axis as the planted concept direction, which the
    oracle removes. An axis leaves every other column alone, so the oracle keeps the
    contract that constant columns are left alone (tests/test_properties_methods.py).
    """
    return Dataset("tiny", X=np.zeros((2, n_features)), y=np.array([0, 1]),
                   ground_truth={"concept_directions": np.eye(n_features)[:, :1]})


def _apply(eraser, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``eraser.transform(X)``, passing labels to erasers whose transform takes ``y``."""
    out = eraser.transform(X, y) if accepts(eraser.transform, "y") else eraser.transform(X)
    out = np.asarray(out)
    if out.shape != X.shape:
        raise ValueError(f"transform returned shape {out.shape}, expected {X.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError("transform returned NaN or inf")
    return out.astype(np.float64, copy=False)


def _oracle_erased(data) -> np.ndarray:
    """``data.X`` with the planted concept subspace projected out around its own mean."""
    oracle = OracleEraser(directions=data.ground_truth["concept_directions"])
    return oracle.fit(data.X, data.y).transform(data.X)


def _class_mean_gap(X: np.ndarray, y: np.ndarray) -> float:
    """Largest absolute coordinate of (class mean - overall mean) over classes."""
    mu = X.mean(axis=0)
    return float(max(np.abs(X[y == c].mean(axis=0) - mu).max() for c in np.unique(y)))


def claims_linear_guardedness(eraser) -> bool:
    """Whether the eraser claims linear guardedness: equal class means on its fit data.

    Read from the eraser's own class attribute ``claims_linear_guardedness`` (True on the
    built-in LEACE, mean projection, mean matching and QLEACE, whose closed forms make every
    class mean equal the overall mean on the fit data; absent elsewhere). A user's eraser
    declares the claim the same way, and `checks.guards_fit_data` then holds it to it.
    """
    return getattr(eraser, "claims_linear_guardedness", False) is True


def _fit(eraser, data: Dataset):
    """``eraser.fit(X, y)``, with ``y_target=`` the generator's target labels when it has
    them and the eraser's ``fit`` takes that keyword (an eraser that keeps a target's
    covariance, `methods.erasure.splince`); what ``fit`` returns."""
    target = data.ground_truth.get("target_labels")
    if target is not None and accepts(eraser.fit, "y_target"):
        return eraser.fit(data.X, data.y, y_target=target)
    return eraser.fit(data.X, data.y)


# `_probes_before`'s memo: the raw data's probe accuracies depend on the generator, its
# arguments, the seed and the profile only (the probe streams are the seed's, not the
# method's), so every eraser's cell on that generator and seed reads the same numbers. A
# worker scores many cells; each computes them once (the quick grid's 11 erasers
# x 5 generators x 3 seeds then pay 15 raw scorings per worker, not 165: the erasure grid
# in one process took 52.0 CPU s against 48.4 without the check, ratio 1.08).
_BEFORE_CACHE: dict[tuple, dict] = {}
_BEFORE_CACHE_SIZE = 64


def _probes_before(generator: GeneratorSpec, streams: SeedStreams, profile: Profile,
                   ptrain: Dataset, ptest: Dataset) -> dict:
    """Held-out balanced accuracy of each grid probe on the *raw* probe splits, with the
    probe streams the erased data get (``streams.probe(i)``): the before-erasure value of
    the ``does_not_inject`` check (`benchmarks.erasure.checks`), paired by seed."""
    key = (generator.name, generator.make.__module__, generator.make.__qualname__,
           repr(sorted(generator.kwargs.items())), streams.seed, profile.name)
    if key not in _BEFORE_CACHE:
        if len(_BEFORE_CACHE) >= _BEFORE_CACHE_SIZE:
            _BEFORE_CACHE.pop(next(iter(_BEFORE_CACHE)))
        _BEFORE_CACHE[key] = {
            name: score_probe(name, ptrain.X, ptrain.y, ptest.X, ptest.y,
                              streams.probe(i)).balanced_accuracy
            for i, name in enumerate(PROBE_KINDS)}
    return dict(_BEFORE_CACHE[key])


def score_erasure_seed(method: MethodSpec, generator: GeneratorSpec, streams: SeedStreams,
                       profile: Profile) -> dict:
    """Everything measured for one seed of one cell (raises if the method misbehaves)."""
    n_fit = SIZES[profile.name]["n_fit"]
    fit, refit = (generator.dataset(streams, s, n_samples=n_fit) for s in (FIT, REFIT))
    ptrain, ptest = (generator.dataset(streams, s) for s in (PROBE_TRAIN, PROBE_TEST))
    eraser = method.build(fit, streams.method(0))
    start = time.perf_counter()
    fitted = _fit(eraser, fit)
    fit_time = time.perf_counter() - start
    eraser = fitted if fitted is not None else eraser
    second = method.build(refit, streams.method(1))
    second = _fit(second, refit) or second

    Xtr, Xte = _apply(eraser, ptrain.X, ptrain.y), _apply(eraser, ptest.X, ptest.y)
    probes = {}
    for i, name in enumerate(PROBE_KINDS):
        score = score_probe(name, Xtr, ptrain.y, Xte, ptest.y,
                            streams.probe(i))
        probes[name] = {"balanced_accuracy": score.balanced_accuracy, "chance": score.chance,
                        "n_test": score.n_test}
    before = _probes_before(generator, streams, profile, ptrain, ptest)
    fit_erased = _apply(eraser, fit.X, fit.y)
    whiten = whitening(fit.X)
    basis = removed_subspace(ptest.X, Xte)
    other = removed_subspace(ptest.X, _apply(second, ptest.X, ptest.y))
    # The oracle's distortion, what bounded_distortion is held to, needs the planted
    # directions: absent on a user's generator that does not provide them.
    oracle = ({"oracle_distortion": distortion(ptest.X, _oracle_erased(ptest))}
              if "concept_directions" in ptest.ground_truth else {})
    return {
        "seed": streams.seed,
        "status": "ok",
        "ground_truth": fit.facts(),
        "probes": probes,
        "probes_before": before,
        "distortion": distortion(ptest.X, Xte),
        **oracle,
        "rank_removed": int(basis.shape[1]),
        "consistency": subspace_consistency(basis, other),
        "fit_class_mean_gap": _class_mean_gap(fit_erased, fit.y),
        "claims_linear_guardedness": claims_linear_guardedness(eraser),
        "builtin": method.builtin,
        "guard_gap_before": whitened_class_mean_gap(fit.X, fit.y, whiten),
        "guard_gap_after": whitened_class_mean_gap(fit_erased, fit.y, whiten),
        "guard_rounding": rounding_gap(fit.X, whiten),
        "fit_time_s": fit_time,
    }


def aggregate_erasure(seed_results: list[dict]) -> dict:
    """Pool per-seed results into metric estimates (name -> Estimate dict).

    Leakage of each probe pools its held-out balanced accuracy over seeds (weighted by
    test size) with a Wilson interval on the pooled count, then subtracts chance; the
    count is exact for balanced classes and an approximation otherwise.
    """
    metrics = {}
    for name in PROBE_KINDS:
        rows = [r["probes"][name] for r in seed_results]
        n = sum(r["n_test"] for r in rows)
        hits = int(round(sum(r["balanced_accuracy"] * r["n_test"] for r in rows)))
        chance = rows[0]["chance"]
        metrics[f"balanced_accuracy_{name}"] = wilson_interval(hits, n).to_dict()
        metrics[f"leakage_{name}"] = wilson_interval(hits, n).shifted(chance).to_dict()
    for key in ("distortion", "oracle_distortion", "rank_removed", "consistency", "fit_time_s"):
        if all(key in r for r in seed_results):  # oracle_distortion: where it was measured
            values = [r[key] for r in seed_results]
            metrics[key] = mean_over_seeds(values, confidence=DESCRIPTIVE_CONFIDENCE).to_dict()
    metrics.update(_injection_metrics(seed_results))
    gap = max(r["fit_class_mean_gap"] for r in seed_results)
    metrics["fit_class_mean_gap"] = _exact(gap, len(seed_results))
    # The guarantee check: does every seed carry the claim; the largest gap left on the fit
    # data, relative to the gap before (descriptive) and to what the check allows, GUARD_RTOL
    # of the gap before or the rounding bound, whichever is larger (a gap that was rounding
    # to begin with cannot shrink by a factor 1e6). Seeds of records written before the
    # check carry no claim (not applicable). A user's eraser (seeds with builtin False) that
    # does not claim gets the same gap metrics, measured, not held to a bound
    # (`checks.guards_fit_data`); a built-in one's metrics and checks stay as they were.
    n = len(seed_results)
    claims = all(r.get("claims_linear_guardedness", False) for r in seed_results)
    metrics["claims_linear_guardedness"] = _exact(float(claims), n)
    if claims or not all(r.get("builtin", True) for r in seed_results):
        metrics["guard_gap_ratio"] = _exact(max(
            _ratio(r["guard_gap_after"], r["guard_gap_before"]) for r in seed_results), n)
        metrics["guard_gap_excess"] = _exact(max(
            _ratio(r["guard_gap_after"], max(GUARD_RTOL * r["guard_gap_before"],
                                             r["guard_rounding"]))
            for r in seed_results), n)
        metrics["guard_gap_before"] = _exact(min(r["guard_gap_before"] for r in seed_results),
                                             n)
    return metrics


def _injection_metrics(seed_results: list[dict]) -> dict:
    """Per probe, the rise of its held-out balanced accuracy from the raw data to the erased
    data (`metrics.injection.injection_reading`, paired over the seeds): ``injection_<probe>``
    (the mean rise, its 95% paired interval) and ``injection_margin``, the largest over
    probes of ``min(lower end of the paired interval, mean rise - the per-seed sampling
    half-width at 99.9%)``: positive exactly when some probe's reading fires. Absent on
    records scored before the check (their seeds have no ``probes_before``) and on a single
    seed (no paired interval)."""
    if len(seed_results) < 2 or not all("probes_before" in r for r in seed_results):
        return {}
    out, margins = {}, []
    for name in PROBE_KINDS:
        reading = injection_reading([r["probes_before"][name] for r in seed_results],
                                    [r["probes"][name]["balanced_accuracy"]
                                     for r in seed_results],
                                    [r["probes"][name]["n_test"] for r in seed_results])
        out[f"injection_{name}"] = reading["comparison"]["difference"]
        margins.append(min(reading["comparison"]["difference"]["low"],
                           reading["rise"] - reading["split_interval"]))
    out["injection_margin"] = _exact(max(margins), len(seed_results))
    return out


def _exact(value: float, n: int) -> dict:
    """An Estimate dict of a number read, not estimated (max or min over seeds)."""
    return {"value": value, "low": value, "high": value, "n": n, "confidence": 1.0}


def _ratio(after: float, before: float) -> float:
    """``after / before``; 0 when both are 0 (nothing to erase, nothing left), inf when
    only ``before`` is."""
    if before > 0:
        return after / before
    return 0.0 if after == 0 else float("inf")


# The family's standard size for timing a user's method: the built-in speed benchmarks'
# data (`benchmarks.erasure.test_speed`), n = 20000 rows in d = 768.
SPEED_SIZE = {"n_samples": 20000, "n_features": 768, "separation": 3.0}


def time_erasure_method(method: MethodSpec, streams: SeedStreams) -> dict:
    """Seconds of one ``fit(X, y)`` and one ``transform`` of the same rows, at `SPEED_SIZE`.

    Reported beside a user's method, not asserted (the machine's speed is not theirs).
    """
    data = make_two_class_gaussian(**SPEED_SIZE, random_state=streams.data)
    eraser = method.build(data, streams.method(0))
    start = time.perf_counter()
    eraser = eraser.fit(data.X, data.y) or eraser
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    _apply(eraser, data.X, data.y)
    return {"size": "two_class_gaussian, n=20000, d=768", "fit_s": fit_s,
            "apply_s": time.perf_counter() - start}
