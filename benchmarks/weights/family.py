"""The weights family: its grid (generators x direction finders) and how a cell is scored.

One seed of one cell: split 0 of the generator (`benchmarks.spec.GeneratorSpec.dataset`)
is the weight matrix ``W`` (d_out, d_in); the method is built with method stream 0 and
fitted on ``W``. It returns its ranked pairs (`methods.weights`): ``write_directions_``
(r, d_out), ``components_`` (r, d_in) read directions, ``n_directions_`` (how many it calls
structure). Scored against the planted pairs (`generators.planted_weights`):

- ``pair_cos``: the method's top ``t`` pairs (``t`` planted pairs) matched one to one with
  the planted ones (`metrics.weight_spectrum.matched_pair_cosines`); the mean over the
  *detectable* planted pairs (above the BBP threshold) of ``(|cos_write| + |cos_read|) / 2``.
  ``predicted_cos``: the same mean of the closed-form limits (orthonormal pairs only).
- ``span_angle_deg``: the largest principal angle between the span of the method's top
  ``k`` write (read) directions and that of the ``k`` detectable planted ones, the larger of
  the two sides (orthonormal pairs with ``k <= min(d_out, d_in) / 2``, so that the span is
  not most of the space); ``span_bar_deg`` is ``arccos`` of the smallest predicted overlap.
- ``n_claimed``, ``n_detectable``, ``count_error = |n_claimed - n_detectable|``.

There is no held-out split: the object of study is one matrix. Each seed draws new planted
directions and noise.
"""

from __future__ import annotations

import math
import time

import numpy as np

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec, MethodSpec, seeded
from generators.planted_weights import make_planted_weights
from methods.weights.random_directions import RandomDirections
from methods.weights.sparse_directions import SparseDictionaryDirections
from methods.weights.svd_directions import SVDDirections
from metrics.statistics import mean_over_seeds
from metrics.weight_spectrum import matched_pair_cosines, span_angles_deg

NAME = "weights"
# Strengths in units of the BBP threshold. Spikes: two below it, three above, far enough
# from it (>= 2x) that the finite-size smearing at 64 x 48 does not blur which side they are
# on (at 2x the top singular value sits 3.7 noise units above the edge). Near-equal: three
# pairs within 2% of each other (1% steps). Superposition: twice as many pairs as the rank,
# sparse reads (each input read by 48 * 6 / 192 = 1.5 pairs on average).
SIZES = {
    "quick": {"shape": (64, 48), "spikes": (0.5, 0.8, 2.0, 3.0, 4.0),
              "near_equal": (3.0, 3.03, 3.06), "superposition_shape": (24, 192),
              "superposition_pairs": 48, "superposition_ratio": 3.0, "read_support": 6},
    "full": {"shape": (512, 384), "spikes": (0.5, 0.8, 1.5, 2.0, 3.0, 4.0),
             "near_equal": (3.0, 3.015, 3.03, 3.045), "superposition_shape": (48, 384),
             "superposition_pairs": 96, "superposition_ratio": 3.0, "read_support": 12},
}
MAIN_FIT = 0
DESCRIPTIVE_CONFIDENCE = 0.95


def weights_generators(profile: Profile) -> list[GeneratorSpec]:
    """Planted spikes across the BBP threshold, near-equal strengths, superposition, null."""
    s = SIZES[profile.name]
    d_out, d_in = s["shape"]
    so, si = s["superposition_shape"]
    return [
        GeneratorSpec("weights_spikes", NAME, make_planted_weights,
                      dict(d_out=d_out, d_in=d_in, strength_ratios=s["spikes"])),
        GeneratorSpec("weights_near_equal", NAME, make_planted_weights,
                      dict(d_out=d_out, d_in=d_in, strength_ratios=s["near_equal"])),
        GeneratorSpec("weights_superposition", NAME, make_planted_weights,
                      dict(d_out=so, d_in=si, orthogonal=False,
                           strength_ratios=(s["superposition_ratio"],)
                           * s["superposition_pairs"], read_support=s["read_support"])),
        GeneratorSpec("weights_null", NAME, make_planted_weights,
                      dict(d_out=d_out, d_in=d_in, strength_ratios=())),
    ]


def weights_methods(profile: Profile) -> list[MethodSpec]:
    """SVD with three counting rules, sparse dictionary learning, random directions.

    The family's one list of built-in direction finders: a new one is its file in
    ``methods/weights/`` and one line here (docs/adding.md). ``tiny`` holds the budgets the
    contract tests fit it with (`benchmarks.families.Family.tiny_instance`).
    """
    return [
        MethodSpec("svd_gap", NAME, seeded(SVDDirections, rule="gap"),
                   description="singular vectors, count by the largest gap (eyeball elbow)"),
        MethodSpec("svd_variance", NAME, seeded(SVDDirections, rule="variance"),
                   description="singular vectors, count by 90% of the squared norm"),
        MethodSpec("svd_mp_edge", NAME, seeded(SVDDirections, rule="mp_edge"),
                   description="singular vectors above the Marchenko-Pastur edge "
                               "(noise from the median, Tracy-Widom 0.99 margin)"),
        MethodSpec("sparse_dictionary", NAME, seeded(SparseDictionaryDirections),
                   tiny={"max_iter": 3},
                   description="scikit-learn DictionaryLearning on the longer side of W, "
                               "2x rank atoms"),
        MethodSpec("random_directions", NAME, seeded(RandomDirections),
                   description="random unit read/write pairs (floor)"),
    ]


def weights_interface(cls) -> bool:
    """Never: a user's weights method needs ``--family weights``.

    Its interface (``fit(W)`` on one matrix, then ``components_``, ``write_directions_``
    and ``n_directions_``, and usually ``transform``) is a dictionary learner's until it is
    fitted: a class alone does not tell the two apart.
    """
    return False


def _ranked(est, d_out: int, d_in: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The method's ranked write and read directions and its claimed count, validated."""
    read = np.asarray(getattr(est, "components_", None), dtype=np.float64)
    write = np.asarray(getattr(est, "write_directions_", None), dtype=np.float64)
    if read.ndim != 2 or read.shape[1] != d_in:
        raise ValueError(f"components_ has shape {read.shape}, expected (r, {d_in})")
    if write.shape != (read.shape[0], d_out):
        raise ValueError(f"write_directions_ has shape {write.shape}, expected "
                         f"({read.shape[0]}, {d_out})")
    if not (np.all(np.isfinite(read)) and np.all(np.isfinite(write))):
        raise ValueError("components_ or write_directions_ contain NaN or inf")
    k = getattr(est, "n_directions_", None)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= len(read):
        raise ValueError(f"n_directions_ must be an int in [0, {len(read)}], got {k!r}")
    return write, read, int(k)


def score_weights_seed(method: MethodSpec, generator: GeneratorSpec, streams: SeedStreams,
                       profile: Profile) -> dict:
    """Everything measured for one seed of one cell (raises if the method misbehaves).

    Each score is measured where the generator provides the ground truth it needs: the
    detectable count (``strengths``, ``bbp_threshold``), the matched pairs (``n_pairs``,
    ``write_directions``, ``read_directions``), the closed form (``predicted_write_overlap``,
    ``predicted_read_overlap``) and the span (``rank_limit``); a user's generator may lack
    any of them.
    """
    data = generator.dataset(streams, 0)
    gt = data.ground_truth
    d_out, d_in = data.X.shape
    start = time.perf_counter()
    est = method.build(data, streams.method(MAIN_FIT))
    fitted = est.fit(data.X)
    est = fitted if fitted is not None else est
    fit_time = time.perf_counter() - start
    write, read, n_claimed = _ranked(est, d_out, d_in)
    detectable = (np.asarray(gt["strengths"]) > gt["bbp_threshold"]
                  if "strengths" in gt and "bbp_threshold" in gt else None)
    n_det = None if detectable is None else int(detectable.sum())
    counted = {} if n_det is None else {"n_detectable": n_det,
                                        "count_error": abs(n_claimed - n_det)}
    result = {
        "seed": streams.seed, "status": "ok", "ground_truth": data.facts(),
        "n_claimed": n_claimed, **counted, "fit_time_s": fit_time,
    }
    if all(k in gt for k in PAIR_KEYS):
        result.update(_pair_scores(gt, write, read, detectable))
    return result


# The ground truth the matched pairs are scored against.
PAIR_KEYS = ("n_pairs", "write_directions", "read_directions")


def _pair_scores(gt, write: np.ndarray, read: np.ndarray, detectable: np.ndarray | None
                 ) -> dict:
    """Matched |cos| per planted pair, their mean over the detectable ones, the closed form's
    prediction and the span angle, each where ``gt`` has what it needs."""
    t = int(gt["n_pairs"])
    if not t:
        return {}
    cu, cv = matched_pair_cosines(write[:t], read[:t], gt["write_directions"],
                                  gt["read_directions"])
    result = {"per_pair_cos": ((cu + cv) / 2).tolist()}
    if "strength_ratios" in gt:
        result["strength_ratios"] = np.asarray(gt["strength_ratios"]).tolist()
    predicted = "predicted_write_overlap" in gt and "predicted_read_overlap" in gt
    pred_u, pred_v = (gt["predicted_write_overlap"], gt["predicted_read_overlap"]) \
        if predicted else (None, None)
    orthonormal = predicted and not np.any(np.isnan(pred_u))
    if orthonormal:
        result["per_pair_predicted"] = ((pred_u + pred_v) / 2).tolist()
    n_det = 0 if detectable is None else int(detectable.sum())
    if not n_det:
        return result
    result["pair_cos"] = float(np.mean(((cu + cv) / 2)[detectable]))
    result["write_cos"] = float(np.mean(cu[detectable]))
    result["read_cos"] = float(np.mean(cv[detectable]))
    if not orthonormal:
        return result
    result["predicted_cos"] = float(np.mean(((pred_u + pred_v) / 2)[detectable]))
    if "rank_limit" in gt and n_det <= gt["rank_limit"] // 2 and len(read) >= n_det:
        angle = max(
            span_angles_deg(write[:n_det], gt["write_directions"][detectable]).max(),
            span_angles_deg(read[:n_det], gt["read_directions"][detectable]).max())
        low = float(min(pred_u[detectable].min(), pred_v[detectable].min()))
        result["span_angle_deg"] = float(angle)
        result["span_bar_deg"] = math.degrees(math.acos(min(max(low, 0.0), 1.0)))
    return result


def _described(values) -> dict:
    return mean_over_seeds(values, confidence=DESCRIPTIVE_CONFIDENCE).to_dict()


AGGREGATED = ("pair_cos", "predicted_cos", "write_cos", "read_cos", "span_angle_deg",
              "span_bar_deg", "n_claimed", "n_detectable", "count_error", "fit_time_s")


def aggregate_weights(seed_results: list[dict]) -> dict:
    """Mean over seeds with a 95% Student-t interval of each per-seed number every seed has.

    ``pair_cos``, ``predicted_cos``, ``write_cos``, ``read_cos``, ``span_angle_deg``,
    ``span_bar_deg``, ``n_claimed``, ``n_detectable``, ``count_error``, ``fit_time_s``.
    """
    metrics = {}
    for key in AGGREGATED:
        values = [r.get(key) for r in seed_results]
        if all(v is not None for v in values):
            metrics[key] = _described(values)
    return metrics


# The family's standard size for timing a user's method: a d_model = 768 weight matrix with
# 1024 outputs and the spikes' strengths (no speed benchmark of its own: an SVD of it takes
# about 0.3 s on one core).
SPEED_SIZE = {"d_out": 1024, "d_in": 768, "strength_ratios": (0.5, 0.8, 2.0, 3.0, 4.0)}


def time_weights_method(method: MethodSpec, streams: SeedStreams) -> dict:
    """Seconds of one ``fit`` on a 1024 x 768 planted matrix and one ``transform`` of its rows
    (if the method has one). Reported beside a user's method, not asserted."""
    data = make_planted_weights(**SPEED_SIZE, random_state=streams.data)
    start = time.perf_counter()
    est = method.build(data, streams.method(0))
    fitted = est.fit(data.X)
    est = fitted if fitted is not None else est
    fit_s = time.perf_counter() - start
    _ranked(est, *data.X.shape)
    start = time.perf_counter()
    if hasattr(est, "transform"):
        est.transform(data.X)
    return {"size": "planted weights, 1024 x 768", "fit_s": fit_s,
            "apply_s": time.perf_counter() - start}
