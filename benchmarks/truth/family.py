"""The truth-direction family: its grid (generators x truth finders) and how a cell is scored.

Per seed, with data streams from ``GeneratorSpec.dataset`` and method streams from
``SeedStreams.method(i)`` (`benchmarks.seeding`):

- split 0 (``TRAIN``) fits the method (with labels: unsupervised methods ignore them);
- split 1 (``HELDOUT``, same facts, fresh noise and labels) gives the main score;
- split 2 (``LABELLED``, same facts) is the labelled set revealed one pair at a time to pick
  among the method's candidate directions (``labels_needed``);
- where the generator plants a distractor (``distractor_facts``: a random word appended to
  each pair, Farquhar et al. 2023), the held-out predictions are also scored against the
  distractor labels, and each seed gets a verdict (`feature_verdict`): the method found
  the truth, the distractor, or neither;
- where the generator takes ``facts=`` (one-hot and grouped facts), a second instance is
  fitted on split 3 restricted to the train facts and scored on split 4 restricted to the
  held-out facts (``disjoint_facts_accuracy``: generalisation to facts never seen). The
  single-truth control has fresh content in every pair, so its held-out split already is
  about new facts, and it has no disjoint-facts metric;
- ``N_FITS - 1`` further instances with their own method streams are fitted on split 0, to
  count the distinct directions a method returns on the same data (different data seeds
  have different truths, so their directions are not comparable).

A method is fitted and scored on contrast pairs as one matrix ``X = [x_plus | x_minus]``
(`methods.truth.pairs.stack_pairs`): ``fit(X, y)`` (``y`` only if ``fit`` takes it) and
``predict_proba(X)``, whose column 1 (scikit-learn's binary layout) or single column is
``P(x_plus is true)``. A method's ``direction_`` (unit input-space direction) is optional in
the protocol; without it the direction metrics (CCS loss, distinct directions, fact-sign
agreement) are absent.

The random truth-like reference: a direction drawn uniformly among the data's ``2^k``
truth-like directions calls every pair of one truth-like unit (a one-hot fact, a group)
right or wrong together, so its held-out score has the exact law of
`metrics.truth_accuracy.random_truthlike_distribution`. On the single-truth control the
only truth-like directions are ``+-u``: one unit holding every pair (sign-agnostic score 1).
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.signatures import accepts, fit_parameters, parameters, required
from benchmarks.spec import GeneratorSpec, MethodSpec, seeded
from generators.distractor_facts import make_distractor_facts
from generators.grouped_facts import make_grouped_facts
from generators.onehot_facts import make_onehot_facts
from generators.single_truth import make_single_truth
from methods.truth.ccs import CCS
from methods.truth.contrast_pca import ContrastPCA
from methods.truth.kmeans_pairs import KMeansPairs
from methods.truth.lat import LAT
from methods.truth.mass_mean_iid import MassMeanIID
from methods.truth.mean_difference import MeanDifference
from methods.truth.pairs import stack_pairs
from methods.truth.random_direction import RandomDirection
from methods.truth.supervised_logistic import SupervisedLogistic
from methods.truth.ttpd import TTPD
from methods.truth.vinc import VINC
from metrics.ccs_loss import min_ccs_loss_along
from metrics.direction_count import count_distinct_directions, fact_sign_agreement, sign_retention
from metrics.eigenvalue_ratio import top_eigenvalue_ratio
from metrics.labels_needed import labels_needed
from metrics.statistics import mean_over_seeds, rate_over_seeds, wilson_interval
from metrics.truth_accuracy import (
    pair_correctness,
    random_truthlike_distribution,
    random_truthlike_pvalue,
    random_truthlike_summary,
    truthlike_counts,
)

NAME = "truth"
# Pairs per split and the generators' sizes. Noise 0.03 on the facts generators keeps the
# supervised ceilings at held-out accuracy 1.000 at d = 64 (REFERENCES.md: 0.944 at noise
# 0.1). The single-truth control's noise 0.3 keeps its Bayes accuracy at Phi(sqrt(2)/0.3)
# = 1 - 1e-6 while a random direction stays far below it: its accuracy is
# Phi(sqrt(2) |v.u| / 0.3) with |v.u| ~ 1/sqrt(d), about 0.7 at d = 64 (at noise 0.1 a
# random direction scored 0.99 on one quick seed).
# The distractor generator is the single-truth control (same noise) plus an appended random
# word at twice truth's amplitude in the pair differences (four times its variance): the
# strength at which the built-in unsupervised finders find the word on most seeds
# (`benchmarks.truth.distractor` sweeps the strength).
SIZES = {
    "quick": {"n_pairs": 640, "n_features": 64, "n_facts": 64, "n_groups": 8,
              "facts_per_group": 8, "facts_noise": 0.03, "single_noise": 0.3,
              "distractor_strength": 2.0},
    "full": {"n_pairs": 4000, "n_features": 256, "n_facts": 64, "n_groups": 16,
             "facts_per_group": 16, "facts_noise": 0.03, "single_noise": 0.3,
             "distractor_strength": 2.0},
}
TRAIN, HELDOUT, LABELLED, TRAIN_FACTS, HELDOUT_FACTS = 0, 1, 2, 3, 4
# Method streams: the main fit, the disjoint-facts fit, then the further copies on split 0.
MAIN_FIT, DISJOINT_FIT, FIRST_COPY = 0, 1, 2
# Instances fitted on the same training split (the main one included) for distinct_directions.
# The held-out accuracy a method is meant to reach: ``labels_needed`` counts the labels it
# takes to get there and ``seeds_above_target`` is the rate of seeds that do; `finds_truth`
# (benchmarks/truth/checks.py) uses the same number as its bar. It sits far above what a
# random truth-like direction scores on the quick facts generators (sign-agnostic mean 0.55
# over 64 one-hot facts, 0.64 over 8 groups) and below what the supervised ceilings reach
# at noise 0.03 (1.000).
TARGET_ACCURACY = 0.9
N_FITS = 3
# Norm bound of `min_ccs_loss_along`: the CCS loss of separable pairs only vanishes at
# infinite norm, so directions are compared at their best norm up to this bound (at 100 a
# perfect truth-like direction on the quick facts reaches losses below 1e-2).
CCS_MAX_NORM = 100.0
# Means over a handful of seeds of descriptive quantities (losses, counts, ratios) carry a
# 95% Student-t interval, as in the erasure family; checks read pooled Wilson intervals.
DESCRIPTIVE_CONFIDENCE = 0.95
# Central mass of the random truth-like band drawn in the report.
BAND_MASS = 0.99
# What the family passes to a generator beyond its own arguments (`Family.generator_keywords`).
FACTS_WHEN = ("facts='train' for split 3 and facts='heldout' for split 4, the fit and the "
              "score of disjoint_facts_accuracy (generalisation to facts never seen), only to "
              "a generator with a parameter named facts; splits 0-2 get its own arguments")


def truth_generators(profile: Profile) -> list[GeneratorSpec]:
    """The truth generators at the profile's size: +-one-hot facts, grouped facts, the
    single-truth control and the control with a distractor word."""
    s = SIZES[profile.name]
    n, d = s["n_pairs"], s["n_features"]
    return [
        GeneratorSpec("onehot_facts", NAME, make_onehot_facts,
                      dict(n_pairs=n, n_facts=s["n_facts"], n_features=max(d, s["n_facts"]),
                           noise=s["facts_noise"])),
        GeneratorSpec("grouped_facts", NAME, make_grouped_facts,
                      dict(n_pairs=n, n_groups=s["n_groups"],
                           facts_per_group=s["facts_per_group"], n_features=d,
                           noise=s["facts_noise"])),
        GeneratorSpec("single_truth", NAME, make_single_truth,
                      dict(n_pairs=n, n_features=d, noise=s["single_noise"])),
        GeneratorSpec("distractor_facts", NAME, make_distractor_facts,
                      dict(n_pairs=n, n_features=d, noise=s["single_noise"],
                           distractor_strength=s["distractor_strength"])),
    ]


def truth_methods(profile: Profile) -> list[MethodSpec]:
    """The built-in truth finders: CCS and CRC-TPC, two supervised ceilings, a random floor.

    The family's one list of built-in truth finders: a new one is its file in
    ``methods/truth/`` and one line here (docs/adding.md). ``tiny`` holds the budgets the
    contract tests fit it with (`benchmarks.families.Family.tiny_instance`).
    """
    return [
        MethodSpec("ccs", NAME, seeded(CCS), tiny={"n_restarts": 2, "max_iter": 30},
                   description="Contrast-Consistent Search, 10 L-BFGS restarts (Burns+ 2022)"),
        MethodSpec("contrast_pca", NAME, seeded(ContrastPCA),
                   description="CRC-TPC: top PC of normalised differences (Burns+ 2022)"),
        MethodSpec("supervised_logistic", NAME, seeded(SupervisedLogistic),
                   description="logistic regression on differences, with labels (ceiling)"),
        MethodSpec("mean_difference", NAME, seeded(MeanDifference),
                   description="true minus false mean, with labels (Marks & Tegmark 2023)"),
        MethodSpec("random_direction", NAME, seeded(RandomDirection),
                   description="a uniformly random direction (floor)"),
        MethodSpec("mass_mean_iid", NAME, seeded(MassMeanIID),
                   description="mass-mean with inverse covariance, labels (Marks & Tegmark 2024)"),
        MethodSpec("vinc", NAME, seeded(VINC),
                   description="VINC / eigen-CCS: elk's closed-form reporter (EleutherAI)"),
        MethodSpec("kmeans_pairs", NAME, seeded(KMeansPairs),
                   description="k-means, 2 clusters of differences (Farquhar+ 2023)"),
        MethodSpec("ttpd", NAME, seeded(TTPD),
                   description="truth and polarity directions, with labels (Buerger+ 2024)"),
        MethodSpec("lat", NAME, seeded(LAT),
                   description="LAT: top PC of random-pair differences (Zou+ 2023)"),
    ]


def truth_interface(cls) -> bool:
    """Whether a user's class is a truth finder: it has ``predict_proba`` and no
    ``transform`` (a classifier of the contrast pairs ``X = [x_plus | x_minus]``,
    `methods.truth.pairs`).

    Raises
    ------
    ValueError
        For a class whose ``fit`` takes the two sides of the pairs separately
        (``fit(X_pos, X_neg)``, the interface before the pairs became one matrix), saying how
        to port it.
    """
    if not hasattr(cls, "predict_proba") or hasattr(cls, "transform"):
        return False
    params = fit_parameters(cls)
    names, needed = [p.name for p in params], required(params)
    if {"X_pos", "X_neg"} <= set(names) or (len(needed) >= 2 and needed[1] != "y"):
        raise ValueError(
            f"{cls.__name__}.fit takes the two sides of the contrast pairs separately; "
            "truth methods now take one matrix X = [x_plus | x_minus] of shape "
            "(n_pairs, 2 d): fit(X, y=None) and predict_proba(X) "
            "(see methods.truth.pairs.split_pairs)"
        )
    return True


# --- calling the method, refusing misbehaviour ------------------------------------------

def _fit(method: MethodSpec, streams: SeedStreams, index: int, data):
    """A fresh instance built with method stream ``index``, fitted on ``data`` (with labels)."""
    est = method.build(data, streams.method(index))
    X = stack_pairs(data.X_pos, data.X_neg)
    fitted = est.fit(X, y=data.y) if accepts(est.fit, "y") else est.fit(X)
    return fitted if fitted is not None else est


def _check_proba(p, n: int, what: str = "predict_proba") -> np.ndarray:
    """``P(x_plus is true)`` per pair: ``p`` itself (n,) or its column 1 (n, 2), validated."""
    arr = np.asarray(p, dtype=np.float64)
    if arr.shape == (n, 2):
        arr = arr[:, 1]
    if arr.shape != (n,):
        raise ValueError(f"{what} returned shape {arr.shape}, expected ({n}, 2) or ({n},)")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} returned NaN or inf")
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{what} returned values outside [0, 1]")
    return arr


def _proba(est, data) -> np.ndarray:
    """``P(x_plus is true)`` from ``est.predict_proba`` on ``data``'s pairs, validated."""
    return _check_proba(est.predict_proba(stack_pairs(data.X_pos, data.X_neg)), data.n_samples)


def _direction(est, d: int) -> np.ndarray | None:
    """The method's unit ``direction_`` (None when it has none); raises if malformed."""
    v = getattr(est, "direction_", None)
    if v is None:
        return None
    v = np.asarray(v, dtype=np.float64)
    if v.shape != (d,):
        raise ValueError(f"direction_ has shape {v.shape}, expected ({d},)")
    if not np.all(np.isfinite(v)) or not np.any(v):
        raise ValueError("direction_ is zero or contains NaN or inf")
    return v / np.linalg.norm(v)


def _restart_directions(est, d: int) -> np.ndarray | None:
    V = getattr(est, "restart_directions_", None)
    if V is None:
        return None
    V = np.asarray(V, dtype=np.float64)
    if V.ndim != 2 or V.shape[1] != d or not np.all(np.isfinite(V)):
        raise ValueError(f"restart_directions_ has shape {V.shape} or non-finite entries")
    return V


# --- per-seed pieces ---------------------------------------------------------------------

def _hits(proba: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(raw, sign-agnostic) number of correctly called pairs (ties count one half)."""
    raw = float(pair_correctness(proba, y).sum())
    return raw, max(raw, y.size - raw)


def _units(ground_truth: dict, n_pairs: int) -> np.ndarray | None:
    """Pairs per truth-like unit; one unit holding every pair when there is one truth.

    None when the generator says nothing of its truth-like directions (neither
    ``group_counts``, ``fact_counts`` nor ``n_truthlike_directions``: a user's generator),
    and the random truth-like reference is then not measured.
    """
    counts = truthlike_counts(ground_truth)
    if counts is not None:
        return counts
    return np.array([n_pairs]) if "n_truthlike_directions" in ground_truth else None


def _truthlike_reference(counts: np.ndarray) -> dict:
    """Exact mean, spread and central ``BAND_MASS`` band of a random truth-like direction."""
    ref = random_truthlike_summary(counts)
    acc, prob = random_truthlike_distribution(counts)
    folded = np.maximum(acc, 1.0 - acc)
    order = np.argsort(folded, kind="stable")
    cdf = np.cumsum(prob[order])
    tail = (1.0 - BAND_MASS) / 2
    low = folded[order][min(np.searchsorted(cdf, tail), cdf.size - 1)]
    high = folded[order][min(np.searchsorted(cdf, 1.0 - tail), cdf.size - 1)]
    return {"mean": ref["mean"], "std": ref["std"],
            "sign_agnostic_mean": ref["sign_agnostic_mean"],
            "sign_agnostic_std": ref["sign_agnostic_std"],
            "sign_agnostic_band": [float(low), float(high)], "n_units": ref["n_units"]}


def _candidates(est, data) -> np.ndarray:
    """Candidate probabilities on ``data``, best candidate first (restarts by loss, if any)."""
    if hasattr(est, "restart_predict_proba"):
        P = np.asarray(est.restart_predict_proba(stack_pairs(data.X_pos, data.X_neg)),
                       dtype=np.float64)
        if P.ndim != 2 or P.shape[1] != data.n_samples:
            raise ValueError(f"restart_predict_proba returned shape {P.shape}")
        P = np.stack([_check_proba(p, data.n_samples, "restart_predict_proba") for p in P])
        losses = getattr(est, "losses_", None)
        if losses is not None and np.shape(losses) == (P.shape[0],):
            P = P[np.argsort(np.asarray(losses), kind="stable")]
        return P
    return _proba(est, data)[None, :]


def _labels_needed(est, heldout, labelled) -> float | None:
    """Labelled pairs needed to pick a candidate (and sign) at 0.9 held-out; None: never."""
    P_lab, P_test = _candidates(est, labelled), _candidates(est, heldout)
    acc = np.array([pair_correctness(p, heldout.y).mean() for p in P_test])
    m = labels_needed(P_lab, labelled.y, acc, target=TARGET_ACCURACY)
    return None if np.isinf(m) else float(m)


def _sign_axes(truth: dict):
    """(axes, signs) of the truth-like units, or None for the single-truth control."""
    for axes, signs in (("group_directions", "group_signs"), ("fact_directions", "fact_signs")):
        if axes in truth and signs in truth:
            return truth[axes], truth[signs]
    return None


def _direction_metrics(fits, train, heldout) -> dict:
    """CCS loss, agreement with the true signs and distinct directions of the fits' directions."""
    d = train.n_features
    dirs = [_direction(est, d) for est in fits]
    if any(v is None for v in dirs):
        return {}
    truth = heldout.ground_truth
    out = {
        "ccs_loss": min_ccs_loss_along(dirs[0], heldout.X_pos, heldout.X_neg, CCS_MAX_NORM)[0],
        "distinct_directions": count_distinct_directions(np.stack(dirs)),
    }
    if "true_direction" in truth:
        out["true_direction_ccs_loss"] = min_ccs_loss_along(
            truth["true_direction"], heldout.X_pos, heldout.X_neg, CCS_MAX_NORM)[0]
        out["cos_true_direction"] = float(abs(dirs[0] @ truth["true_direction"]))
    if "distractor_direction" in truth:
        out["cos_distractor_direction"] = float(abs(dirs[0] @ truth["distractor_direction"]))
    restarts = [_restart_directions(est, d) for est in fits]
    if all(r is not None for r in restarts):
        out["distinct_restart_directions"] = count_distinct_directions(np.vstack(restarts))
    axes = _sign_axes(truth)
    if axes is not None:
        out["fact_sign_agreement"] = fact_sign_agreement(dirs[0], *axes)
        init = getattr(fits[0], "init_directions_", None)
        if init is not None and restarts[0] is not None:
            out["sign_retention"] = sign_retention(init, restarts[0], axes[0])
    return out


def _disjoint_facts(method: MethodSpec, generator: GeneratorSpec, streams: SeedStreams) -> dict:
    """Sign-agnostic accuracy on held-out facts of a fit on the train facts only."""
    if "facts" not in {p.name for p in parameters(generator.make)}:
        return {}
    train = generator.dataset(streams, TRAIN_FACTS, facts="train")
    test = generator.dataset(streams, HELDOUT_FACTS, facts="heldout")
    est = _fit(method, streams, DISJOINT_FIT, train)
    raw, agnostic = _hits(_proba(est, test), test.y)
    units = _units(test.ground_truth, test.n_samples)
    ref = {} if units is None else {"disjoint_random_truthlike_sign_agnostic_mean":
                                    random_truthlike_summary(units)["sign_agnostic_mean"]}
    return {"disjoint_hits": raw, "disjoint_sign_agnostic_hits": agnostic,
            "disjoint_n": test.n_samples, **ref}


VERDICTS = ("truth", "distractor", "neither")


def feature_verdict(truth_accuracy: float, distractor_accuracy: float,
                    threshold: float = TARGET_ACCURACY) -> str:
    """What a method found on one seed of a distractor dataset: "truth", "distractor", "neither".

    The rule: "truth" when the sign-agnostic held-out accuracy against the truth labels is
    at least ``threshold`` (the family's target, 0.9), else "distractor" when that against
    the distractor labels is, else "neither". The labels are independent, so a method
    cannot score 0.9 on both except by a fluke of the labels (``y`` and ``z`` agreeing or
    disagreeing on >= 80% of pairs: probability 3e-32 at the grid's 640 pairs, at the
    worst label fractions 0.3 and 0.3); truth is read first so that the verdict is defined
    even then.

    Raises ValueError naming the argument when an accuracy is not in [0.5, 1] (sign-agnostic
    accuracies are ``max(acc, 1 - acc)``) or the threshold is not in (0.5, 1].
    """
    for value, name in ((truth_accuracy, "truth_accuracy"),
                        (distractor_accuracy, "distractor_accuracy")):
        if not (isinstance(value, (int, float, np.floating, np.integer))
                and 0.5 <= float(value) <= 1.0):
            raise ValueError(f"{name} must be a sign-agnostic accuracy in [0.5, 1], got "
                             f"{value!r}")
    if not (isinstance(threshold, (int, float, np.floating)) and 0.5 < threshold <= 1.0):
        raise ValueError(f"threshold must be in (0.5, 1], got {threshold!r}")
    if truth_accuracy >= threshold:
        return "truth"
    return "distractor" if distractor_accuracy >= threshold else "neither"


def _distractor_scores(proba: np.ndarray, heldout, agnostic_truth_hits: float) -> dict:
    """Held-out hits against the distractor labels and the seed's verdict (if planted)."""
    z = heldout.ground_truth.get("distractor_labels")
    if z is None:
        return {}
    n = heldout.n_samples
    raw, agnostic = _hits(proba, np.asarray(z))
    out = {"distractor_hits": raw, "distractor_sign_agnostic_hits": agnostic,
           "distractor_sign_agnostic_accuracy": agnostic / n}
    if "distractor_direction_accuracy" in heldout.ground_truth:
        out["distractor_direction_accuracy"] = float(
            heldout.ground_truth["distractor_direction_accuracy"])
    return {**out, "verdict": feature_verdict(agnostic_truth_hits / n, agnostic / n)}


def _truth_references(ground_truth: dict, counts: np.ndarray | None,
                      sign_agnostic_accuracy: float) -> dict:
    """The true direction's held-out accuracy and the random truth-like reference (its
    band and the method's p-value against it), each where the generator provides what it
    needs (``true_direction_accuracy``; the truth-like units, `_units`)."""
    out = {}
    if "true_direction_accuracy" in ground_truth:
        out["true_direction_accuracy"] = float(ground_truth["true_direction_accuracy"])
    if counts is not None:
        out["random_truthlike"] = _truthlike_reference(counts)
        out["random_truthlike_pvalue"] = random_truthlike_pvalue(sign_agnostic_accuracy, counts)
    return out


def score_truth_seed(method: MethodSpec, generator: GeneratorSpec, streams: SeedStreams,
                     profile: Profile) -> dict:
    """Everything measured for one seed of one cell (raises if the method misbehaves)."""
    train, heldout, labelled = (generator.dataset(streams, s) for s in (TRAIN, HELDOUT, LABELLED))
    start = time.perf_counter()
    est = _fit(method, streams, MAIN_FIT, train)
    fit_time = time.perf_counter() - start
    proba = _proba(est, heldout)
    raw, agnostic = _hits(proba, heldout.y)
    n = heldout.n_samples
    counts = _units(heldout.ground_truth, n)
    copies = [_fit(method, streams, FIRST_COPY + i, train) for i in range(N_FITS - 1)]
    eig = getattr(est, "eigenvalues_", None)
    ratio = None if eig is None else top_eigenvalue_ratio(eig)
    result = {
        "seed": streams.seed,
        "status": "ok",
        "ground_truth": train.facts(),
        "n_heldout": n,
        "hits": raw,
        "sign_agnostic_hits": agnostic,
        "accuracy": raw / n,
        "sign_agnostic_accuracy": agnostic / n,
        **_truth_references(heldout.ground_truth, counts, agnostic / n),
        "labels_needed": _labels_needed(est, heldout, labelled),
        "n_labelled": labelled.n_samples,
        # inf (a single non-zero eigenvalue) is stored as None: results.json is strict JSON.
        "eigenvalue_ratio": ratio if ratio is not None and np.isfinite(ratio) else None,
        "fit_time_s": fit_time,
    }
    result.update(_distractor_scores(proba, heldout, agnostic))
    result.update(_direction_metrics([est, *copies], train, heldout))
    result.update(_disjoint_facts(method, generator, streams))
    return result


# --- pooling seeds -----------------------------------------------------------------------

def _pooled(seed_results: list[dict], hits_key: str, n_key: str) -> dict:
    """Wilson interval on correctly called pairs pooled over seeds (ties count one half)."""
    hits = int(round(sum(r[hits_key] for r in seed_results)))
    return wilson_interval(hits, sum(r[n_key] for r in seed_results)).to_dict()


def _described(values) -> dict:
    return mean_over_seeds(values, confidence=DESCRIPTIVE_CONFIDENCE).to_dict()


def _exact(value: float, n: int) -> dict:
    """An exactly known (or worst-case) number as an Estimate dict with a zero-width interval."""
    return {"value": float(value), "low": float(value), "high": float(value), "n": int(n),
            "confidence": 1.0}


def labels_needed_or_more(result: dict) -> float:
    """One seed's labels needed, "never" counted as one more than the whole labelled split."""
    needed = result["labels_needed"]
    return float(result["n_labelled"] + 1 if needed is None else needed)


def _labels_estimate(seed_results: list[dict]) -> dict:
    """Worst case over seeds, "never" counted as one more than the whole labelled split."""
    vals = [labels_needed_or_more(r) for r in seed_results]
    return {"value": float(max(vals)), "low": float(min(vals)), "high": float(max(vals)),
            "n": len(vals), "confidence": 1.0}


def aggregate_truth(seed_results: list[dict]) -> dict:
    """Pool per-seed results into metric estimates (name -> Estimate dict).

    - ``accuracy``, ``sign_agnostic_accuracy``, ``disjoint_facts_accuracy``: held-out pairs
      pooled over seeds with a 99.9% Wilson interval (the value is the mean over seeds, as
      every seed has the same number of pairs); sign-agnostic takes ``max(acc, 1 - acc)``
      per seed before pooling.
    - ``seeds_above_target``: fraction of seeds whose sign-agnostic accuracy is >= 0.9, with
      a Wilson interval.
    - ``random_truthlike_*``: the exact mean (raw 0.5, and sign-agnostic) and standard
      deviation of a random truth-like direction's score on the same held-out pairs,
      averaged over seeds (zero-width intervals: exact, not estimated).
    - ``labels_needed``: worst case over seeds (``low`` the best seed); a seed where no
      candidate reaches 0.9 counts as ``n_labelled + 1`` (more than every label given).
      ``label_selection_rate``: fraction of seeds where some candidate does.
    - on a distractor dataset: ``distractor_accuracy``, the sign-agnostic held-out
      accuracy against the distractor labels pooled like ``sign_agnostic_accuracy``, and
      ``found_truth_rate``, ``found_distractor_rate``, ``found_neither_rate``: the fraction
      of seeds with each `feature_verdict`, with Wilson intervals.
    - the rest (CCS loss, distinct directions, eigenvalue ratio, ...): mean over seeds with
      a 95% Student-t interval; present only when every seed has the quantity.
    """
    n_seeds = len(seed_results)
    metrics = {
        "accuracy": _pooled(seed_results, "hits", "n_heldout"),
        "sign_agnostic_accuracy": _pooled(seed_results, "sign_agnostic_hits", "n_heldout"),
        "seeds_above_target": rate_over_seeds(
            [r["sign_agnostic_accuracy"] >= TARGET_ACCURACY for r in seed_results]).to_dict(),
    }
    for key in ("mean", "std", "sign_agnostic_mean", "sign_agnostic_std"):
        if all("random_truthlike" in r for r in seed_results):
            value = np.mean([r["random_truthlike"][key] for r in seed_results])
            metrics[f"random_truthlike_{key}"] = _exact(value, n_seeds)
    metrics["labels_needed"] = _labels_estimate(seed_results)
    metrics["label_selection_rate"] = rate_over_seeds(
        [r["labels_needed"] is not None for r in seed_results]).to_dict()
    if all("disjoint_n" in r for r in seed_results):
        metrics["disjoint_facts_accuracy"] = _pooled(
            seed_results, "disjoint_sign_agnostic_hits", "disjoint_n")
    if all("disjoint_random_truthlike_sign_agnostic_mean" in r for r in seed_results):
        metrics["disjoint_random_truthlike_sign_agnostic_mean"] = _exact(np.mean(
            [r["disjoint_random_truthlike_sign_agnostic_mean"] for r in seed_results]), n_seeds)
    if all("verdict" in r for r in seed_results):
        metrics["distractor_accuracy"] = _pooled(
            seed_results, "distractor_sign_agnostic_hits", "n_heldout")
        for verdict in VERDICTS:
            metrics[f"found_{verdict}_rate"] = rate_over_seeds(
                [r["verdict"] == verdict for r in seed_results]).to_dict()
    for key in ("ccs_loss", "true_direction_ccs_loss", "cos_true_direction",
                "cos_distractor_direction", "distractor_direction_accuracy",
                "distinct_directions", "distinct_restart_directions", "fact_sign_agreement",
                "sign_retention", "eigenvalue_ratio", "true_direction_accuracy", "fit_time_s"):
        values = [r.get(key) for r in seed_results]
        if all(v is not None for v in values):
            metrics[key] = _described(values)
    return metrics


# The family's standard size for timing a user's method: the built-in speed benchmarks'
# data (`benchmarks.truth.test_speed`), 2000 pairs in d = 768.
SPEED_SIZE = {"n_pairs": 2000, "n_features": 768, "noise": 1.0}


def time_truth_method(method: MethodSpec, streams: SeedStreams) -> dict:
    """Seconds of one ``fit`` and one ``predict_proba`` of the same pairs, at `SPEED_SIZE`.

    Reported beside a user's method, not asserted (the machine's speed is not theirs).
    """
    data = make_single_truth(**SPEED_SIZE, random_state=streams.data)
    start = time.perf_counter()
    est = _fit(method, streams, 0, data)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    _check_proba(est.predict_proba(stack_pairs(data.X_pos, data.X_neg)), data.y.shape[0])
    return {"size": "single_truth, 2000 pairs, d=768", "fit_s": fit_s,
            "apply_s": time.perf_counter() - start}
