"""The amortisation gap: how much recovery an SAE's encoder loses against sparse coding.

The question: an SAE's encoder finds each sample's code in one pass; sparse coding on the
SAE's *own* decoder finds it by solving, per sample, the problem the encoder amortises. On
the same dictionary and the same held-out rows, how much recovery of the planted codes does
the encoder give up, per architecture and L0? O'Neill et al. (2024) prove that a
linear-nonlinear encoder has a non-zero gap and, with the true dictionary known (16
sources in 8 dimensions, 3 active), their public results file records code MCC 0.69 for the
SAE encoder against 0.97 for per-sample inference (`metrics.amortisation`). Barin Pacela et
al. (2026) find, on learned dictionaries, that per-sample FISTA on the SAE's own dictionary
does not close its gap to the truth. This study measures the gap on learned dictionaries
of the suite's SAEs.

Per generator (`generators.planted_sparse`: 64 unit features in d = 32, true L0 5;
`generators.hierarchical_features`: 16 trees of 1 + 3 features in d = 32, true L0 3.5),
architecture (TopK, BatchTopK, ReLU in the quick profile; the full profile adds JumpReLU,
Gated and Matryoshka) and target L0 (0.5x, 1x and 2x the true L0), at each seed:

1. fit the SAE (``m`` latents) on the training split (split 0);
2. encode the held-out split (split 1): the **encoder** codes;
3. on the SAE's decoder (``components_``, ``decoder_bias_``) and the same rows, code by
   **OMP** with each row's budget the encoder's L0 on that row, and by the **non-negative
   lasso** with ``alpha`` searched to the encoder's mean L0 (`metrics.amortisation`);
4. score the three against the planted codes: mean per-latent F1 (SynthSAEBench's), code
   MCC (correlation of each latent's code with its matched feature's code, pairs by the
   dictionary, so all three coders are scored on the same pairs), FVU and L0.

A reference per generator and seed (`oracle_row`): OMP on the *true* features with each
row's true L0, scored the same way: what sparse coding recovers when the dictionary is
right. At 1x the true L0 it splits the recovery an SAE misses into the dictionary's share
(true dictionary's OMP minus OMP on the SAE's) and the encoder's (OMP on the SAE's minus
the encoder), compared per seed (Barin Pacela et al.'s question).

The **gap** of F1 and MCC is sparse coding minus encoder (recovery the encoder loses), of
FVU encoder minus sparse coding (reconstruction it loses). Encoder and sparse coder share
the seed's dictionary and rows, so each gap is a paired comparison over seeds
(`metrics.noise_floor.compare`): its mean difference with a 95% Student-t interval and the
verdict "above" (the encoder loses), "below" (it gains) or "within noise".

Knobs: the k family's ``k = max(1, round(target))``; ReLU's ``l1_coeff`` in the quick
profile is a fixed table per generator and target (`RELU_L1`), measured on this
generator's seeds 0-2 at the quick budget (held-out L0 within about 25% of the target; the
achieved L0 is reported beside every number). The full profile calibrates every
penalised architecture per seed with `benchmarks.sparse.matched_l0.calibrate_knob`.

Seeding: ``SeedStreams(generator, seed)``: the data (splits 0 and 1; calibration splits 2
and 3), the scored fit at target multiple ``x`` from ``streams.method(round(1000 x))``,
calibration fits from ``streams.method(CALIBRATION_STREAM + j)`` (`matched_l0`'s
streams). Sparse coding draws nothing.

Quick profile cost: 54 fits (2 generators x 3 architectures x 3 targets x 3 seeds), each
followed by OMP and a lasso search (1-5 solves) on 512 held-out rows, and 6 true-dictionary
references. Measured with ``--jobs 2`` on the shared 2-core machine: ``cpu_s`` (this
process and the workers' tasks) 22.2 s at a load of 4, when a reference TopK fit ran 1.05x
its idle time (25 s at a load of 8: fits 16.5 s, sparse coding and scoring 8 s), plus about
3 CPU s of imports per spawned worker: about 27 CPU s, 13-14 s of wall on an idle 2-core
machine (``python -m benchmarks.sparse.amortisation --out DIR --jobs 2``).

The full profile adds JumpReLU, Gated and Matryoshka (penalised knobs calibrated per
seed), ten seeds, d = 64 with 128 features (planted) or 32 trees (hierarchical, true L0
7) and 128 latents, 3000 x 1024 steps at lr 3e-3, 16384 training rows and 2048 held-out
rows. Not run here; extrapolated from 300-step fits at that size (loaded machine): 5-11
CPU s per 3000-step fit and about 1 s of sparse coding, 360 scored fits and about 450
calibration fits, about 1.5-2 core-hours in all, as 120 independent (generator,
architecture, seed) tasks.

References
----------
O'Neill, Gumran, Klindt (2024), "Compute optimal inference and provable amortisation gap
in sparse autoencoders", arXiv 2411.13117.
Barin Pacela, Joshi, Camacho, Lacoste-Julien, Klindt (2026), arXiv 2603.28744.
Chanin, Garriga-Alonso (2026), "SynthSAEBench", arXiv 2602.14687 (F1).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from benchmarks.seeding import SeedStreams, sklearn_seed
from benchmarks.sparse.matched_l0 import (
    ARCHITECTURES,
    CALIBRATION_STREAM,
    calibrate_knob,
    k_for_target,
    scored_stream,
)
from benchmarks.spec import GeneratorSpec
from benchmarks.study_cli import run_tasks, study_main, study_profile, study_seeds
from floor.validation import check_int
from generators.hierarchical_features import make_hierarchical_features
from generators.planted_sparse import make_planted_sparse
from metrics.amortisation import lasso_codes_at_l0, omp_codes, recovery
from metrics.dictionary_similarity import mean_l0
from metrics.noise_floor import compare
from metrics.statistics import mean_over_seeds

TITLE = "The amortisation gap: SAE encoders against sparse coding on their own dictionaries"
QUESTION = ("On an SAE's own dictionary and the same held-out rows, how much recovery of the "
            "planted codes (mean per-latent F1, code MCC) and of reconstruction (FVU) does "
            "the encoder lose against per-sample sparse coding at its own L0 (OMP; the "
            "non-negative lasso), per architecture and L0? O'Neill et al. (2024), with the "
            "true dictionary known: code MCC 0.69 for the SAE encoder, 0.97 for per-sample "
            "inference. And how does that compare with what the SAE's dictionary itself "
            "loses (sparse coding on the true dictionary)?")

STUDY = "amortisation"
GENERATORS = {"planted_sparse": make_planted_sparse,
              "hierarchical_features": make_hierarchical_features}
SOLVERS = ("omp", "lasso")
METRICS = ("f1", "mcc", "fvu")
CODERS = ("encoder",) + SOLVERS
LABELS = {"f1": "F1", "mcc": "code MCC", "fvu": "FVU", "omp": "OMP",
          "lasso": "non-negative lasso", "encoder": "encoder",
          "planted_sparse": "planted sparse features",
          "hierarchical_features": "hierarchical features"}
TRAIN, HELDOUT, CALIBRATION_TRAIN, CALIBRATION_HELDOUT = 0, 1, 2, 3
CONFIDENCE = 0.95
TARGET_MULTIPLES = (0.5, 1.0, 2.0)

# ReLU's l1_coeff per generator and target multiple, quick profile. Measured (ReluSAE,
# m = 64, 1000 x 512 at lr 1e-2, 4096 training rows, held-out L0 on 512 rows, seeds 0-2):
# planted (true L0 5): l1 0.8 -> 2.8-3.0, 1.2 -> 1.9-2.0, 0.35 -> 5.0-5.3, 0.12 -> 9.2-10.0;
# hierarchical (true 3.5): 0.8 -> 2.0-2.2, 1.2 -> 1.3-1.4, 0.28 -> 3.4-3.5, 0.06 -> 8.1-9.2,
# 0.1 -> 5.5-5.8. The values between were interpolated in log-log.
RELU_L1 = {"planted_sparse": {0.5: 0.9, 1.0: 0.35, 2.0: 0.12},
           "hierarchical_features": {0.5: 1.0, 1.0: 0.28, 2.0: 0.08}}

# Quick budgets: the grid's (benchmarks/sparse/family.py SIZES) for ReLU (1000 x 512) and
# TopK (500 x 256); BatchTopK at TopK's 500 x 256 rather than the grid's 1000 steps (its
# Notes: 500 steps fall a little short of TopK's MCC), which keeps the study within its
# share of the quick report (1000 steps cost 4 CPU s more over the 18 BatchTopK fits).
_QUICK_BUDGET = {
    "relu": {"n_steps": 1000, "batch_size": 512, "learning_rate": 1e-2},
    "topk": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
    "batchtopk": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
}
_FULL_BUDGET = {name: {"n_steps": 3000, "batch_size": 1024, "learning_rate": 3e-3}
                for name in ARCHITECTURES}
_FOREST = {"n_roots": 16, "branching": 3, "depth": 2, "mean_active_roots": 2.0}
PROFILES = {
    "quick": {
        "generators": {"planted_sparse": {"n_features": 32, "n_atoms": 64},
                       "hierarchical_features": {"n_features": 32, **_FOREST}},
        "architectures": ("topk", "batchtopk", "relu"),
        "multiples": TARGET_MULTIPLES, "n_train": 4096, "n_heldout": 512, "m": 64,
        "seeds": (0, 1, 2), "budget": _QUICK_BUDGET, "knobs": {"relu": RELU_L1},
    },
    "full": {
        "generators": {"planted_sparse": {"n_features": 64, "n_atoms": 128},
                       "hierarchical_features": {"n_features": 64, "n_roots": 32,
                                                 "branching": 3, "depth": 2,
                                                 "mean_active_roots": 4.0}},
        "architectures": tuple(ARCHITECTURES),
        "multiples": TARGET_MULTIPLES, "n_train": 16384, "n_heldout": 2048, "m": 128,
        "seeds": tuple(range(10)), "budget": _FULL_BUDGET, "knobs": {},
    },
}


# --- one task -------------------------------------------------------------------------------


def _profile(profile) -> dict:
    return study_profile(profile, PROFILES)


def _spec(prof: dict, generator: str) -> GeneratorSpec:
    return GeneratorSpec(generator, "sparse", GENERATORS[generator],
                         prof["generators"][generator])


def true_l0(prof: dict, generator: str) -> float:
    """The generator's expected L0 (planted: ``mean_active``; hierarchical:
    ``expected_l0``), rounded to 6 decimals so that k = round(target) is stable."""
    truth = GENERATORS[generator](1, **prof["generators"][generator]).ground_truth
    return round(float(truth.get("expected_l0", truth.get("mean_active"))), 6)


def _build(name: str, prof: dict, knob, stream):
    arch = ARCHITECTURES[name]
    kwargs = dict(prof["budget"][name], **dict(arch.extra))
    value = int(knob) if arch.kind == "k" else float(knob)
    return arch.cls(prof["m"], **{arch.knob: value}, **kwargs,
                    random_state=sklearn_seed(stream))


def _knobs(name: str, generator: str, prof: dict, streams: SeedStreams,
           targets: dict[float, float]) -> dict[float, tuple[float, dict | None]]:
    """The knob of each target multiple: k rule, the profile's table, or calibration."""
    arch = ARCHITECTURES[name]
    if arch.kind == "k":
        return {x: (k_for_target(t), None) for x, t in targets.items()}
    table = prof["knobs"].get(name, {}).get(generator)
    if table is not None:
        return {x: (table[x], None) for x in targets}
    spec = _spec(prof, generator)
    c_train = spec.dataset(streams, CALIBRATION_TRAIN, n_samples=prof["n_train"])
    c_test = spec.dataset(streams, CALIBRATION_HELDOUT, n_samples=prof["n_heldout"])

    def l0_of(knob, j):
        est = _build(name, prof, knob, streams.method(CALIBRATION_STREAM + j)).fit(c_train.X)
        return mean_l0(est.transform(c_test.X))

    history: list[tuple[float, float]] = []
    out = {}
    for x, t in targets.items():
        cal = calibrate_knob(l0_of, t, arch.start, history=history)
        out[x] = (cal["knob"], cal)
    return out


def score_gap(est, test) -> dict:
    """The encoder's, OMP's and the lasso's scores on ``test`` with ``est``'s dictionary,
    flattened (``encoder_f1``, ``omp_mcc``, ``lasso_fvu``, ..., ``lasso_alpha``): the
    parts of `metrics.amortisation.amortisation_gap`, with the encoder scored once."""
    truth = test.ground_truth
    codes = np.asarray(est.transform(test.X), dtype=np.float64)
    A, b = est.components_, est.decoder_bias_
    coded = {"encoder": codes,
             "omp": omp_codes(test.X, A, (np.abs(codes) > 0).sum(axis=1), b)}
    coded["lasso"], info = lasso_codes_at_l0(test.X, A, max(mean_l0(codes), 1e-12), b)
    row = {"lasso_alpha": info["alpha"], "lasso_within_tolerance": info["within_tolerance"],
           "lasso_solves": info["solves"]}
    for coder, Z in coded.items():
        scores = recovery(Z, test.X, A, truth["codes"], truth["features"], b)
        row.update({f"{coder}_{k}": v for k, v in scores.items()})
    return row


def run_task(generator: str, name: str, seed: int, profile="quick") -> list[dict]:
    """Rows (one per target multiple) of one generator, architecture and seed."""
    prof = _profile(profile)
    streams = SeedStreams(generator, int(seed))
    spec = _spec(prof, generator)
    expected = true_l0(prof, generator)
    targets = {float(x): round(x * expected, 6) for x in prof["multiples"]}
    with threadpool_limits(limits=1):
        train = spec.dataset(streams, TRAIN, n_samples=prof["n_train"])
        test = spec.dataset(streams, HELDOUT, n_samples=prof["n_heldout"])
        knobs = _knobs(name, generator, prof, streams, targets)
        rows = []
        for x, target in targets.items():
            knob, cal = knobs[x]
            est = _build(name, prof, knob, streams.method(scored_stream(x)))
            start = time.process_time()
            est.fit(train.X)
            fit_s = time.process_time() - start
            start = time.process_time()
            scores = score_gap(est, test)
            rows.append({"generator": generator, "architecture": name, "seed": int(seed),
                         "target_multiple": x, "target_l0": target, "true_l0": expected,
                         "knob_name": ARCHITECTURES[name].knob, "knob": float(knob),
                         "calibration": cal, "fit_s": fit_s,
                         "coding_s": time.process_time() - start, **scores})
    return rows


def _timed_task(generator, name, seed, prof):
    start = time.process_time()
    rows = run_task(generator, name, seed, prof)
    return rows, time.process_time() - start


def oracle_row(generator: str, seed: int, profile="quick") -> dict:
    """The reference with the *true* dictionary: OMP on the planted features with each
    held-out row's true L0 (no offset), scored like the SAEs' coders. What sparse coding
    recovers when the dictionary is right, at the right sparsity."""
    prof = _profile(profile)
    streams = SeedStreams(generator, int(seed))
    with threadpool_limits(limits=1):
        test = _spec(prof, generator).dataset(streams, HELDOUT, n_samples=prof["n_heldout"])
        truth = test.ground_truth
        C, F = truth["codes"], truth["features"]
        k = np.diff(sparse.csr_array(C).indptr)
        Z = omp_codes(test.X, F, k)
        scores = recovery(Z, test.X, F, C, F)
    return {"generator": generator, "seed": int(seed), **scores}


# --- summaries ------------------------------------------------------------------------------


def _keys(rows):
    seen = []
    for r in rows:
        key = (r["generator"], r["architecture"], r["target_multiple"])
        if key not in seen:
            seen.append(key)
    return seen


def summarise(rows: list[dict], oracle: list[dict] | None = None) -> list[dict]:
    """Per (generator, architecture, target): seed means with 95% intervals of every
    coder's scores, and each solver's gap as a paired comparison over the shared seeds;
    at 1x the true L0, ``dictionary`` (`_dictionary_share`) against the ``oracle`` rows.

    ``gap[solver][metric]`` is `metrics.noise_floor.compare` of sparse coding against the
    encoder for F1 and MCC (``a`` = sparse coding) and of the encoder against sparse
    coding for FVU (``a`` = encoder): the difference is the gap, "above" means the encoder
    loses.
    """
    out = []
    for key in _keys(rows):
        group = sorted((r for r in rows if (r["generator"], r["architecture"],
                                            r["target_multiple"]) == key),
                       key=lambda r: r["seed"])
        entry = {"generator": key[0], "architecture": key[1], "target_multiple": key[2],
                 "target_l0": group[0]["target_l0"], "true_l0": group[0]["true_l0"],
                 "seeds": [r["seed"] for r in group], "knob": [r["knob"] for r in group]}
        for coder in CODERS:
            for metric in METRICS + ("l0",):
                entry[f"{coder}_{metric}"] = mean_over_seeds(
                    [r[f"{coder}_{metric}"] for r in group], confidence=CONFIDENCE).to_dict()
        entry["gap"] = {}
        for solver in SOLVERS:
            gaps = {}
            for metric in METRICS:
                enc = [r[f"encoder_{metric}"] for r in group]
                sc = [r[f"{solver}_{metric}"] for r in group]
                a, b = (enc, sc) if metric == "fvu" else (sc, enc)
                gaps[metric] = compare(a, b, paired=True, confidence=CONFIDENCE)
            entry["gap"][solver] = gaps
        entry["dictionary"] = _dictionary_share(group, oracle)
        out.append(entry)
    return out


def _dictionary_share(group: list[dict], oracle: list[dict] | None) -> dict | None:
    """At 1x the true L0: the recovery the SAE's *dictionary* loses (the true dictionary's
    OMP minus OMP on the SAE's), paired over seeds, and that loss against the encoder's
    (OMP on the SAE's dictionary minus the encoder), per F1 and MCC. None at other targets
    (the oracle runs at the true L0) or without oracle rows."""
    if not oracle or group[0]["target_multiple"] != 1.0:
        return None
    ref = {(o["generator"], o["seed"]): o for o in oracle}
    pairs = [(ref[(r["generator"], r["seed"])], r) for r in group
             if (r["generator"], r["seed"]) in ref]
    if len(pairs) != len(group):
        return None
    out = {}
    for metric in ("f1", "mcc"):
        dictionary = [o[metric] - r[f"omp_{metric}"] for o, r in pairs]
        encoder = [r[f"omp_{metric}"] - r[f"encoder_{metric}"] for _, r in pairs]
        out[metric] = {"oracle": mean_over_seeds([o[metric] for o, _ in pairs],
                                                 confidence=CONFIDENCE).to_dict(),
                       "dictionary_gap": compare([o[metric] for o, _ in pairs],
                                                 [r[f"omp_{metric}"] for _, r in pairs],
                                                 paired=True, confidence=CONFIDENCE),
                       "dictionary_vs_encoder": compare(dictionary, encoder, paired=True,
                                                        confidence=CONFIDENCE)}
    return out


def verdict_counts(summary: list[dict]) -> dict:
    """``{solver: {metric: {"above": n, "below": n, "within noise": n}}}`` over all cases."""
    counts = {}
    for solver in SOLVERS:
        counts[solver] = {}
        for metric in METRICS:
            c = {"above": 0, "below": 0, "within noise": 0}
            for s in summary:
                c[s["gap"][solver][metric]["verdict"]] += 1
            counts[solver][metric] = c
    return counts


# --- the study ------------------------------------------------------------------------------


def run(profile="quick", seeds=None, jobs: int = 1, generators=None,
        architectures=None) -> dict:
    """Run the study; returns its JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict, default="quick"
    seeds : sequence of int, optional
        Default: the profile's.
    jobs : int, default=1
        Worker processes (spawned, one BLAS thread each); one task is one (generator,
        architecture, seed). The numbers do not depend on ``jobs``.
    generators, architectures : sequence of str, optional
        Subsets (default: the profile's).

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "generators", "architectures", "true_l0",
        "multiples", "rows", "oracle" (`oracle_row` per generator and seed),
        "oracle_cpu_s", "summary", "verdicts", "jobs", "wall_s", "cpu_s"}``; ``cpu_s`` sums the
        process time of this process and of every worker.
    """
    prof = _profile(profile)
    gens = list(prof["generators"] if generators is None else generators)
    names = list(prof["architectures"] if architectures is None else architectures)
    for g in gens:
        if g not in prof["generators"]:
            raise ValueError(f"generators must name entries of {list(prof['generators'])}, "
                             f"got {g!r}")
    for n in names:
        if n not in ARCHITECTURES or n not in prof["budget"]:
            raise ValueError(f"architectures must name architectures with a budget in the "
                             f"profile ({list(prof['budget'])}), got {n!r}")
    if not gens or not names:
        raise ValueError("generators and architectures must each name at least one entry")
    seed_list = study_seeds(seeds, prof["seeds"])
    check_int(jobs, "jobs")
    tasks = [(g, n, int(s)) for g in gens for n in names for s in seed_list]
    wall, cpu = time.perf_counter(), time.process_time()
    if jobs == 1:
        results, child_cpu = [run_task(g, n, s, prof) for g, n, s in tasks], 0.0
    else:
        results, child_cpu = run_tasks(_timed_task, [(*t, prof) for t in tasks], jobs)
    rows = [r for res in results for r in res]
    start = time.process_time()
    oracle = [oracle_row(g, s, prof) for g in gens for s in seed_list]
    summary = summarise(rows, oracle)
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "generators": gens, "architectures": names,
            "true_l0": {g: true_l0(prof, g) for g in gens},
            "multiples": [float(x) for x in prof["multiples"]], "rows": rows,
            "oracle": oracle, "oracle_cpu_s": time.process_time() - start,
            "summary": summary, "verdicts": verdict_counts(summary), "jobs": int(jobs),
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


# --- words, tables, figures -----------------------------------------------------------------


def _signed(e: dict, digits: int = 3) -> str:
    return (f"{e['value']:+.{digits}f} [{e['low']:+.{digits}f}, {e['high']:+.{digits}f}]"
            if np.isfinite(e["low"]) else f"{e['value']:+.{digits}f} (no interval)")


def _plain(e: dict, digits: int = 2) -> str:
    return f"{e['value']:.{digits}f}"


def _gap_words(c: dict) -> str:
    """A gap in words: the difference, its interval and its verdict."""
    words = {"above": "the encoder loses", "below": "the encoder gains",
             "within noise": "within noise"}
    return f"{_signed(c['difference'])} ({words[c['verdict']]})"


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """Per generator, what the dictionary loses against what the encoder loses; then the
    verdicts counted over every case and per target; read from the document only. Each
    gap of each architecture and L0 is in the study's tables (`tables`), not repeated
    here."""
    out = []
    for g in doc["generators"]:
        found = _dictionary_finding(doc, g)
        if found is not None:
            out.append(found)
    out.append(_overall(doc))
    out.append(_by_target(doc))
    return out


def _dictionary_finding(doc: dict, g: str) -> tuple[str, str, str] | None:
    cases = [s for s in doc["summary"] if s["generator"] == g and s.get("dictionary")]
    if not cases:
        return None
    ref = cases[0]["dictionary"]
    share = {"above": "the dictionary loses more", "below": "the encoder loses more",
             "within noise": "within noise"}
    parts = [f"with the true dictionary (OMP at each row's true L0) F1 "
             f"{_plain(ref['f1']['oracle'], 3)} and code MCC {_plain(ref['mcc']['oracle'], 3)}"]
    for metric in ("f1", "mcc"):
        per = []
        for s in cases:
            d = s["dictionary"][metric]
            lost = _signed(d["dictionary_gap"]["difference"])
            per.append(f"{s['architecture']}: dictionary {lost}, encoder "
                       f"{_signed(s['gap']['omp'][metric]['difference'])}, "
                       f"difference {_signed(d['dictionary_vs_encoder']['difference'])} "
                       f"({share[d['dictionary_vs_encoder']['verdict']]})")
        parts.append(f"at the true L0, {LABELS[metric]} lost by the SAE's dictionary (true "
                     f"dictionary's OMP minus OMP on the SAE's) and by its encoder (OMP on the "
                     f"SAE's minus the encoder): " + "; ".join(per))
    return (f"Dictionary or encoder on {LABELS.get(g, g)}", "; ".join(parts),
            f"paired over {len(doc['seeds'])} seeds, 95% Student-t intervals; "
            "metrics.noise_floor.compare of the two losses per seed")


def _overall(doc: dict) -> tuple[str, str, str]:
    v = doc["verdicts"]
    n_cases = len(doc["summary"])
    pieces = []
    for solver in SOLVERS:
        per = ", ".join(f"{LABELS[m]} {v[solver][m]['above']} loses / "
                        f"{v[solver][m]['within noise']} within noise / "
                        f"{v[solver][m]['below']} gains" for m in METRICS)
        pieces.append(f"{LABELS[solver]}: {per}")
    mcc = [s["gap"]["omp"]["mcc"]["difference"]["value"] for s in doc["summary"]]
    f1 = [s["gap"]["omp"]["f1"]["difference"]["value"] for s in doc["summary"]]
    lmcc = [s["gap"]["lasso"]["mcc"]["difference"]["value"] for s in doc["summary"]]
    span = (f"OMP's mean gaps range {min(f1):+.3f} to {max(f1):+.3f} in F1 and "
            f"{min(mcc):+.3f} to {max(mcc):+.3f} in code MCC, the lasso's {min(lmcc):+.3f} "
            f"to {max(lmcc):+.3f} in code MCC, against O'Neill et al.'s +0.28 in MCC (0.69 "
            "to 0.97) with the true dictionary known (their MCC pairs latents by code "
            "correlation, this one by the dictionary)")
    return ("The amortisation gap over every case",
            f"over {n_cases} (generator, architecture, L0) cases, how often the encoder "
            f"loses against sparse coding on its own dictionary: " + "; ".join(pieces)
            + f". {span}",
            "verdicts of 95% paired intervals over the shared seeds")


def _by_target(doc: dict) -> tuple[str, str, str]:
    parts = []
    for x in doc["multiples"]:
        group = [s for s in doc["summary"] if s["target_multiple"] == x]
        if not group:
            continue
        count = {m: sum(s["gap"]["omp"][m]["verdict"] == "above" for s in group)
                 for m in ("f1", "mcc")}
        lcount = {m: sum(s["gap"]["lasso"][m]["verdict"] == "above" for s in group)
                  for m in ("f1", "mcc")}
        parts.append(f"at {x:g}x the true L0 the encoder loses F1 to OMP in {count['f1']} "
                     f"and code MCC in {count['mcc']} of {len(group)} cases (to the lasso: "
                     f"{lcount['f1']} and {lcount['mcc']})")
    return ("The amortisation gap by L0", "; ".join(parts),
            "counts of 'above' verdicts (95% paired intervals); a count is not a "
            "comparison between targets")


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """One table per generator: per architecture and target, the three coders' scores, the
    OMP and lasso gaps with intervals and, at 1x the true L0, the F1 the SAE's dictionary
    loses against the true one (`_dictionary_share`)."""
    head = ["architecture", "target L0", "encoder L0", "F1 enc / OMP / lasso",
            "F1 gap OMP", "F1 gap lasso", "MCC enc / OMP / lasso", "MCC gap OMP",
            "MCC gap lasso", "FVU enc / OMP / lasso", "FVU gap OMP",
            "F1 lost by the dictionary (1x)"]
    out = []
    for g in doc["generators"]:
        rows = []
        for s in doc["summary"]:
            if s["generator"] != g:
                continue
            trio = {m: " / ".join(_plain(s[f"{c}_{m}"], 3 if m == "fvu" else 2)
                                  for c in CODERS) for m in METRICS}
            gap = s["gap"]
            rows.append([s["architecture"], f"{s['target_l0']:g}",
                         f"{s['encoder_l0']['value']:.2f}", trio["f1"],
                         _gap_words(gap["omp"]["f1"]), _gap_words(gap["lasso"]["f1"]),
                         trio["mcc"], _gap_words(gap["omp"]["mcc"]),
                         _gap_words(gap["lasso"]["mcc"]), trio["fvu"],
                         _gap_words(gap["omp"]["fvu"]), _dictionary_cell(s)])
        out.append((f"Amortisation gap on {LABELS.get(g, g)} (true L0 {doc['true_l0'][g]:g}): "
                    f"seed means over {len(doc['seeds'])} seeds; gaps with 95% paired "
                    "intervals", head, rows))
    return out


def _dictionary_cell(s: dict) -> str:
    """The F1 the SAE's dictionary loses against the true one (1x rows), else a dash."""
    if not s.get("dictionary"):
        return "-"
    return _signed(s["dictionary"]["f1"]["dictionary_gap"]["difference"])


def draw(doc: dict):
    """The F1 and MCC gaps against the encoder's L0, one column per generator: OMP filled
    markers and solid lines, the lasso hollow markers and dashed lines, 95% paired interval
    bars; the dotted vertical line is the true L0, the grey horizontal one no gap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, NullLocator

    from benchmarks.figure_labels import add_key, figure_legend, method_labels

    names, gens = doc["architectures"], doc["generators"]
    labels = method_labels(names)
    cmap = plt.get_cmap("tab10")
    fig, axes = plt.subplots(2, len(gens), figsize=(5.0 * len(gens), 7.0), squeeze=False)
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.08, top=0.86, hspace=0.3,
                        wspace=0.25)
    for col, g in enumerate(gens):
        for row, metric in enumerate(("f1", "mcc")):
            ax = axes[row][col]
            for i, name in enumerate(names):
                pts = sorted((s for s in doc["summary"] if s["generator"] == g
                              and s["architecture"] == name), key=lambda s: s["target_multiple"])
                if not pts:
                    continue
                x = np.array([p["encoder_l0"]["value"] for p in pts])
                for solver, style, face in (("omp", "-", cmap(i % 10)), ("lasso", "--", "none")):
                    d = [p["gap"][solver][metric]["difference"] for p in pts]
                    y = np.array([e["value"] for e in d])
                    err = np.array([[e["value"] - e["low"] for e in d],
                                    [e["high"] - e["value"] for e in d]])
                    err = np.where(np.isfinite(err), err, 0.0)
                    ax.errorbar(x * (1.0 if solver == "omp" else 1.03), y, yerr=err,
                                color=cmap(i % 10), ls=style, marker="o", mfc=face, ms=5,
                                capsize=2, lw=1,
                                label=f"{labels[name]} ({LABELS[solver]})")
            ax.axhline(0.0, color="grey", lw=0.8)
            ax.axvline(doc["true_l0"][g], color="grey", ls=":", lw=1)
            ax.set_xscale("log")
            ticks = [x * doc["true_l0"][g] for x in doc["multiples"]]
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_xticklabels([f"{t:g}" for t in ticks])
            ax.set_xlabel("encoder's held-out L0 (log; ticks at the targets)")
            ax.set_ylabel(f"{LABELS[metric]} gap (sparse coding - encoder)")
            ax.set_title(LABELS.get(g, g), fontsize=9)
    fig.suptitle(f"The amortisation gap against L0; {len(doc['seeds'])} seeds, 95% paired "
                 "intervals", fontsize=9)
    handles, entries = axes[0][0].get_legend_handles_labels()
    figure_legend(fig, handles, entries, 3, loc="upper center", fontsize=7,
                  bbox_to_anchor=(0.5, 0.955), frameon=False)
    yield ("Amortisation gap in F1 and code MCC against the encoder's L0 (above 0: the "
           "encoder loses recovery)", "amortisation_gap.png", add_key(fig, labels))



def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, "amortisation.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
