"""The wrong L0: SAEs swept from a quarter to four times the true L0 on correlated features.

Chanin and Garriga-Alonso (2025) show that a sparse autoencoder whose L0 is below the true
L0 of its data *mixes* correlated features into one latent (it lowers its reconstruction
error that way), and that one above it finds other degenerate mixtures; they propose a
ground-truth-free proxy for the right L0, the n-th decoder projection ``s_n``
(`metrics.feature_mixing.nth_decoder_projection`), minimised over a sweep of L0 at the
true L0 of their toy model. This study sweeps each architecture's sparsity knob on two
generators with known true L0 and asks: how do MCC, F1 and mixing move with the achieved
L0, and does the proxy's pick land within 20% of the true L0?

Generators (width ``m`` = the number of planted features, as in the paper's toy model):

- ``correlated_pairs`` (`generators.correlated_features`): 8 pairs of orthonormal features
  in d = 16, firing correlation 0.6 within a pair, rates 0.3 x 0.85^g (true L0 2.91);
- ``hierarchical`` (`generators.hierarchical_features`): 4 roots x 3 children in d = 16
  (a child fires only with its parent; partners = parent and child), true L0 2.625.

Architectures and knobs: ``topk`` (`TopKSAE`, ``k = round(multiple * true L0)``, distinct
values in [1, m]) and ``batchtopk`` (`BatchTopKSAE`, ``k = multiple * true L0``, which may
be fractional) at the multiples `MULTIPLES` (0.25x to 4x); ``relu`` (`ReluSAE`) over a
fixed grid of ``l1_coeff`` chosen once (a one-seed pilot) so that its achieved L0 spans
about 0.3x to 5x the true L0 on both generators (its L0 is what it achieves, not a target).

Scores, on the held-out split (codes active where > 0): L0, matched MCC
(`metrics.dictionary_similarity.matched_mcc`), mean per-latent F1 (``mean_f1`` of
`latent_precision_recall`), mean latent mixing over the live latents
(`metrics.feature_mixing.latent_mixing`) and ``s_n`` for ``n`` in `PROXY_FRACTIONS` of the
width (`nth_decoder_projection` on the held-out inputs with the SAE's ``W_dec`` and
``b_dec``). The proxy's pick: the knob whose seed-mean ``s_n`` is smallest, its seed-mean
achieved L0 against the true L0 (within 20%: ``|pick / true - 1| <= 0.2``), and per seed
the same on that seed's curve. The headline ``n`` is a quarter of the width, chosen before
any run (the paper's toy used n = 12-25 of 50 latents, its LLM SAE n = 12000 of 32768);
the other fractions are reported beside it.

Seeding: per generator and seed, ``SeedStreams(generator, seed)``: split 0 trains, split
1 is held out; the fit at knob index ``j`` draws from ``streams.method(j)`` (the same
stream for every architecture). Comparisons (`metrics.noise_floor.compare`, paired over
the shared seeds): MCC and mixing at the knob nearest the true L0 against the knobs
nearest 0.5x and 2x.

The full profile adds the paper's toy size (50 orthonormal features in d = 100, true L0
about 11), 5 seeds and longer budgets (not run here).

References
----------
Chanin, Garriga-Alonso (2025), "Sparse but Wrong: Incorrect L0 Leads to Incorrect Features
in Sparse Autoencoders", arXiv 2508.16560; code ``chanind/sparse-but-wrong-paper``.
Chanin, Garriga-Alonso (2026), "SynthSAEBench", arXiv 2602.14687 (MCC, F1).
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.seeding import SeedStreams, sklearn_seed
from benchmarks.study_cli import run_tasks, study_main, study_profile, study_seeds
from floor.validation import check_int
from generators.correlated_features import make_correlated_features
from generators.hierarchical_features import make_hierarchical_features
from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.topk_sae import TopKSAE
from metrics.dictionary_similarity import latent_precision_recall, matched_mcc, mean_l0
from metrics.feature_mixing import (
    latent_mixing,
    nth_decoder_projection,
    partners_from_parent,
    pick_by_projection,
    within_fraction,
)
from metrics.noise_floor import compare
from metrics.reconstruction import explained_variance
from metrics.statistics import mean_over_seeds

TITLE = "The wrong L0: mixing, recovery and the n-th decoder projection across L0"
QUESTION = ("Swept from a quarter to four times the true L0 on correlated features, how do "
            "an SAE's MCC, F1 and mixing move with its L0, and does the ground-truth-free "
            "n-th decoder projection of Chanin & Garriga-Alonso (2025) pick an L0 within 20% "
            "of the true one, per generator and architecture?")

STUDY = "wrong_l0"
TRAIN, HELDOUT = 0, 1
CONFIDENCE = 0.95
# The verdict's tolerance: the brief's "within 20% of the true L0".
PICK_TOLERANCE = 0.2
# n of s_n as fractions of the width; the first is the headline, fixed before any run.
PROXY_FRACTIONS = (0.25, 0.125, 0.375)
# Target multiples of the true L0 for the k architectures: a quarter to four times, dense
# near 1 so that a pick within 20% is possible at all.
MULTIPLES = (0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 4.0)
# ReLU's l1 grid: a one-seed pilot (seed 1, quick sizes) gave L0 14-15 at 0.001, 2.8-3.0 at
# 0.1 and 0.9-1.9 at 1.0 on both generators; at 3.0 every latent died (L0 0).
RELU_L1 = (0.001, 0.003, 0.01, 0.02, 0.03, 0.06, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class Architecture:
    name: str
    cls: type
    knob: str
    kind: str  # "k_int", "k_float" or "penalty"


ARCHITECTURES = {
    "topk": Architecture("topk", TopKSAE, "k", "k_int"),
    "batchtopk": Architecture("batchtopk", BatchTopKSAE, "k", "k_float"),
    "relu": Architecture("relu", ReluSAE, "l1_coeff", "penalty"),
}

# Quick budgets: the grid's quick budgets (benchmarks/sparse/family.py SIZES) at this
# smaller size; BatchTopK at 500 steps (its grid budget is 1000 at m = 64; at m = 16 the
# one-seed pilot reached MCC 0.84 at the true L0 with 500).
_QUICK_BUDGET = {
    "topk": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
    "batchtopk": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
    "relu": {"n_steps": 1000, "batch_size": 512, "learning_rate": 1e-2},
}
_FULL_BUDGET = {name: {"n_steps": 4000, "batch_size": 1024, "learning_rate": 3e-3}
                for name in ARCHITECTURES}

GENERATORS = ("correlated_pairs", "hierarchical")
PROFILES = {
    "quick": {
        "generators": {
            "correlated_pairs": {"n_features": 16, "n_groups": 8, "group_size": 2,
                                 "firing_probability": 0.3, "decay": 0.85,
                                 "correlation": 0.6},
            "hierarchical": {"n_features": 16, "n_roots": 4, "branching": 3, "depth": 2,
                             "mean_active_roots": 1.5},
        },
        "n_train": 8192, "n_heldout": 4096, "seeds": (0, 1, 2),
        "multiples": MULTIPLES, "relu_l1": RELU_L1, "budget": _QUICK_BUDGET,
    },
    "full": {
        "generators": {
            "correlated_pairs": {"n_features": 100, "n_groups": 25, "group_size": 2,
                                 "firing_probability": 0.4, "decay": 0.95,
                                 "correlation": 0.6},
            "hierarchical": {"n_features": 64, "n_roots": 16, "branching": 3, "depth": 2,
                             "mean_active_roots": 6.0},
        },
        "n_train": 100_000, "n_heldout": 10_000, "seeds": (0, 1, 2, 3, 4),
        "multiples": MULTIPLES, "relu_l1": RELU_L1, "budget": _FULL_BUDGET,
    },
}
LABELS = {"mcc": "MCC", "f1": "mean per-latent F1", "mixing": "mean latent mixing",
          "s_n": "n-th decoder projection", "l0": "L0"}
SUMMARISED = ("l0", "mcc", "f1", "mixing", "fvu", "dead_fraction", "fit_time_s")


# --- data, fits, scores -----------------------------------------------------------------------


def make_data(generator: str, params: dict, random_state, split: int, n: int):
    """One split of a generator of the study, and its partner matrix."""
    if generator == "correlated_pairs":
        data = make_correlated_features(n, **params, random_state=random_state, split=split)
        return data, data.ground_truth["partners"]
    if generator == "hierarchical":
        data = make_hierarchical_features(n, **params, random_state=random_state, split=split)
        return data, partners_from_parent(data.ground_truth["parent"])
    raise ValueError(f"generator must be one of {GENERATORS}, got {generator!r}")


def true_l0(generator: str, params: dict) -> float:
    """The generator's expected L0 (a structure fact: the sum of the firing rates)."""
    data, _ = make_data(generator, params, 0, 0, 1)
    return float(data.ground_truth["expected_l0"])


def knobs_for(arch: Architecture, prof: dict, truth_l0: float, m: int) -> list[dict]:
    """The sweep of one architecture: ``[{"knob", "multiple"}]`` in increasing L0 order.

    k kinds: ``multiple * truth_l0`` (rounded for TopK, distinct values kept, clipped to
    [1, m]); penalty: `RELU_L1` from the largest penalty (lowest L0) down, multiple None.
    """
    if arch.kind == "penalty":
        return [{"knob": float(v), "multiple": None}
                for v in sorted(prof["relu_l1"], reverse=True)]
    out, seen = [], set()
    for mult in prof["multiples"]:
        k = mult * truth_l0
        k = float(min(m, max(1, round(k)))) if arch.kind == "k_int" else float(min(m, k))
        if k not in seen:
            seen.add(k)
            out.append({"knob": k, "multiple": float(mult)})
    return out


def fit_sae(arch: Architecture, m: int, knob: float, budget: dict, stream, X):
    """Build and fit one SAE; returns it and the fit's process time."""
    value = int(knob) if arch.kind == "k_int" else float(knob)
    est = arch.cls(m, **{arch.knob: value}, **budget, random_state=sklearn_seed(stream))
    start = time.process_time()
    est.fit(X)
    return est, time.process_time() - start


def proxy_ns(m: int) -> list[int]:
    """``n`` of ``s_n`` for each of `PROXY_FRACTIONS` of the width ``m`` (at least 1)."""
    return [max(1, min(m - 1, int(round(f * m)))) for f in PROXY_FRACTIONS]


def score_sae(est, test, partners) -> dict:
    """Held-out scores of one fitted SAE (module docstring)."""
    truth = test.ground_truth
    F, C = truth["features"], truth["codes"]
    codes = np.asarray(est.transform(test.X), dtype=np.float64)
    A = est.components_
    alive = (codes > 0).any(axis=0)
    mix = latent_mixing(A, F, partners, alive=alive)
    X_hat = est.inverse_transform(codes)
    out = {"l0": mean_l0(codes), "mcc": matched_mcc(A, F),
           "f1": latent_precision_recall(codes, C, A, F)["mean_f1"],
           "mixing": mix["mean_mixing"] if mix["n_scored"] else None,
           "fvu": 1.0 - explained_variance(test.X, X_hat),
           "dead_fraction": float(1.0 - alive.mean())}
    b = getattr(est, "decoder_bias_", np.zeros(A.shape[1]))
    out["s_n"] = {str(n): nth_decoder_projection(test.X, A, b, n)
                  for n in proxy_ns(A.shape[0])}
    return out


def run_task(generator: str, arch_name: str, seed: int, profile="quick") -> list[dict]:
    """Rows of one (generator, architecture, seed): the whole sweep of the knob."""
    prof = study_profile(profile, PROFILES)
    arch = ARCHITECTURES[arch_name]
    params = prof["generators"][generator]
    streams = SeedStreams(generator, int(seed))
    with threadpool_limits(limits=1):
        train, partners = make_data(generator, params, streams.data, TRAIN, prof["n_train"])
        test, _ = make_data(generator, params, streams.data, HELDOUT, prof["n_heldout"])
        t_l0 = float(train.ground_truth["expected_l0"])
        m = int(train.ground_truth["n_true_features"])
        rows = []
        for j, kn in enumerate(knobs_for(arch, prof, t_l0, m)):
            est, fit_s = fit_sae(arch, m, kn["knob"], prof["budget"][arch_name],
                                 streams.method(j), train.X)
            row = {"generator": generator, "architecture": arch_name, "seed": int(seed),
                   "knob_index": j, "knob_name": arch.knob, "knob": kn["knob"],
                   "multiple": kn["multiple"], "true_l0": t_l0, "m": m,
                   "fit_time_s": fit_s}
            row.update(score_sae(est, test, partners))
            rows.append(row)
    return rows


def _timed(generator, arch_name, seed, prof):
    start = time.process_time()
    rows = run_task(generator, arch_name, seed, prof)
    return rows, time.process_time() - start


# --- summaries --------------------------------------------------------------------------------


def seed_interval(values) -> dict | None:
    """Seed mean with its 95% Student-t interval of the finite values (None: none)."""
    vals = [v for v in values if v is not None and np.isfinite(v)]
    return mean_over_seeds(vals, confidence=CONFIDENCE).to_dict() if vals else None


def _groups(rows: list[dict]) -> dict:
    out: dict = {}
    for r in rows:
        out.setdefault((r["generator"], r["architecture"]), {}).setdefault(
            r["knob_index"], []).append(r)
    return out


def summarise(rows: list[dict]) -> list[dict]:
    """Per (generator, architecture, knob): seed means and intervals of `SUMMARISED` and of
    every ``s_n``."""
    out = []
    for (gen, arch), knobs in _groups(rows).items():
        for j in sorted(knobs):
            group = sorted(knobs[j], key=lambda r: r["seed"])
            entry = {"generator": gen, "architecture": arch, "knob_index": j,
                     "knob": group[0]["knob"], "multiple": group[0]["multiple"],
                     "true_l0": group[0]["true_l0"], "seeds": [r["seed"] for r in group]}
            for metric in SUMMARISED:
                entry[metric] = seed_interval([r[metric] for r in group])
            entry["s_n"] = {n: seed_interval([r["s_n"][n] for r in group])
                            for n in group[0]["s_n"]}
            out.append(entry)
    return out


def proxy_picks(rows: list[dict], summary: list[dict]) -> list[dict]:
    """The proxy's pick per (generator, architecture, n): from the seed-mean curve and per
    seed, with the within-20% verdicts; beside it, where MCC peaks (needs the truth), the
    curve's relative spread ``(max - min) / max |s_n|`` and, when the pick is not the knob
    nearest the true L0, the paired comparison of ``s_n`` there against ``s_n`` at the pick
    (is the proxy's preference beyond the seed noise?)."""
    out = []
    groups = _groups(rows)
    for gen, arch in groups:
        entries = sorted((s for s in summary if (s["generator"], s["architecture"])
                          == (gen, arch)), key=lambda s: s["knob_index"])
        t_l0 = entries[0]["true_l0"]
        l0s = [s["l0"]["value"] for s in entries]
        mcc = [s["mcc"]["value"] for s in entries]
        peak = int(np.argmax(mcc))
        seeds = sorted({r["seed"] for r in rows if (r["generator"], r["architecture"])
                        == (gen, arch)})
        at = nearest(entries, t_l0)["knob_index"]
        for i, n in enumerate(entries[0]["s_n"]):
            curve = np.array([s["s_n"][n]["value"] for s in entries])
            pick = pick_by_projection(l0s, curve)
            by_seed = {j: [r["s_n"][n] for r in sorted(groups[(gen, arch)][j],
                                                      key=lambda r: r["seed"])]
                       for j in (at, pick["index"])}
            vs_true = None if at == pick["index"] else compare(by_seed[at],
                                                               by_seed[pick["index"]])
            per_seed = []
            for seed in seeds:
                mine = sorted((r for r in rows if (r["generator"], r["architecture"],
                                                    r["seed"]) == (gen, arch, seed)),
                              key=lambda r: r["knob_index"])
                p = pick_by_projection([r["l0"] for r in mine], [r["s_n"][n] for r in mine])
                per_seed.append({"seed": seed, "l0": p["l0"], "ratio": p["l0"] / t_l0,
                                 "within": within_fraction(p["l0"], t_l0, PICK_TOLERANCE)})
            out.append({"generator": gen, "architecture": arch, "n": int(n),
                        "headline": i == 0, "true_l0": t_l0, "pick_index": pick["index"],
                        "pick_knob": entries[pick["index"]]["knob"], "pick_l0": pick["l0"],
                        "ratio": pick["l0"] / t_l0,
                        "within": within_fraction(pick["l0"], t_l0, PICK_TOLERANCE),
                        "per_seed": per_seed,
                        "seeds_within": int(sum(p["within"] for p in per_seed)),
                        "mcc_peak_l0": l0s[peak], "mcc_peak_ratio": l0s[peak] / t_l0,
                        "mcc_peak_value": mcc[peak],
                        "spread": float((curve.max() - curve.min())
                                        / max(np.abs(curve).max(), 1e-12)),
                        "true_knob_index": at, "true_vs_pick": vs_true})
    return out


def nearest(entries: list[dict], target: float) -> dict:
    """The summary entry whose seed-mean L0 is nearest ``target`` in ``|log(L0 / target)|``."""
    return min(entries, key=lambda s: abs(math.log(max(s["l0"]["value"], 1e-3) / target)))


def comparisons(rows: list[dict], summary: list[dict]) -> list[dict]:
    """Paired comparisons (`metrics.noise_floor.compare`) per (generator, architecture):
    MCC and mixing at the knob nearest the true L0 against those nearest 0.5x and 2x."""
    out = []
    for (gen, arch), knobs in _groups(rows).items():
        entries = [s for s in summary if (s["generator"], s["architecture"]) == (gen, arch)]
        t_l0 = entries[0]["true_l0"]
        at = nearest(entries, t_l0)
        for side, mult in (("below", 0.5), ("above", 2.0)):
            other = nearest(entries, mult * t_l0)
            if other["knob_index"] == at["knob_index"]:
                continue
            a = sorted(knobs[at["knob_index"]], key=lambda r: r["seed"])
            b = sorted(knobs[other["knob_index"]], key=lambda r: r["seed"])
            for metric in ("mcc", "mixing"):
                va, vb = [r[metric] for r in a], [r[metric] for r in b]
                if any(v is None for v in va + vb):
                    continue
                out.append({"generator": gen, "architecture": arch, "metric": metric,
                            "side": side, "at_l0": at["l0"]["value"],
                            "other_l0": other["l0"]["value"], "true_l0": t_l0,
                            **compare(va, vb, paired=True)})
    return out


# --- the study --------------------------------------------------------------------------------


def run(profile="quick", seeds=None, jobs: int = 1, architectures=None,
        generators=None) -> dict:
    """Run the study; a JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict
    seeds : sequence of int, optional
    jobs : int, default=1
        Worker processes; one task is one (generator, architecture, seed) sweep. The
        numbers do not depend on ``jobs``.
    architectures, generators : sequence of str, optional
        Subsets of `ARCHITECTURES` and `GENERATORS` (default: all).

    Returns
    -------
    dict
        ``study``, ``profile``, ``seeds``, ``architectures``, ``generators``,
        ``true_l0`` ({generator: L0}), ``rows``, ``summary``, ``picks``,
        ``comparisons``, ``tolerance``, ``jobs``, ``wall_s``, ``cpu_s``.
    """
    prof = study_profile(profile, PROFILES)
    archs = list(ARCHITECTURES) if architectures is None else list(architectures)
    gens = [g for g in GENERATORS if g in prof["generators"]] if generators is None \
        else list(generators)
    for a in archs:
        if a not in ARCHITECTURES:
            raise ValueError(f"architectures must name entries of {list(ARCHITECTURES)}, "
                             f"got {a!r}")
    for g in gens:
        if g not in prof["generators"]:
            raise ValueError(f"generators must name entries of {list(prof['generators'])}, "
                             f"got {g!r}")
    if not archs or not gens:
        raise ValueError("architectures and generators must name at least one entry")
    seed_list = study_seeds(seeds, prof["seeds"])
    check_int(jobs, "jobs")
    tasks = [(g, a, int(s), prof) for g in gens for a in archs for s in seed_list]
    wall, cpu = time.perf_counter(), time.process_time()
    results, child_cpu = run_tasks(_timed, tasks, jobs)
    rows = [r for res in results for r in res]
    summary = summarise(rows)
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "architectures": archs, "generators": gens,
            "true_l0": {g: true_l0(g, prof["generators"][g]) for g in gens},
            "tolerance": PICK_TOLERANCE, "proxy_fractions": list(PROXY_FRACTIONS),
            "rows": rows, "summary": summary, "picks": proxy_picks(rows, summary),
            "comparisons": comparisons(rows, summary), "jobs": int(jobs),
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


# --- words, tables, figures -------------------------------------------------------------------


def fmt(e: dict | None, digits: int = 2) -> str:
    """``value [low, high]`` of an Estimate dict, "n/a" for None."""
    if e is None:
        return "n/a"
    return f"{e['value']:.{digits}f} [{e['low']:.{digits}f}, {e['high']:.{digits}f}]"


def fmt_comparison(c: dict, digits: int = 2) -> str:
    """``a - b = x [lo, hi]: verdict`` of a `compare` record."""
    d = c["difference"]
    return (f"difference {d['value']:+.{digits}f} [{d['low']:+.{digits}f}, "
            f"{d['high']:+.{digits}f}], {c['verdict']}")


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """The proxy's verdicts, what a wrong L0 does to MCC and mixing, and the papers'
    numbers beside ours; read from the document only."""
    out = []
    n_seeds = len(doc["seeds"])
    for gen in doc["generators"]:
        picks = [p for p in doc["picks"] if p["generator"] == gen and p["headline"]]
        parts = []
        for p in picks:
            parts.append(f"{p['architecture']}: s_{p['n']} minimised at L0 {p['pick_l0']:.2f} "
                         f"({p['ratio']:.2f}x), {'within' if p['within'] else 'NOT within'} "
                         f"20%, {p['seeds_within']} of {len(p['per_seed'])} seeds within; "
                         f"MCC peaks at L0 {p['mcc_peak_l0']:.2f} ({p['mcc_peak_ratio']:.2f}x); "
                         f"s_n varies by {100 * p['spread']:.0f}% over the sweep"
                         + ("" if p["true_vs_pick"] is None else
                            f", s_n nearest the true L0 minus at the pick: "
                            f"{fmt_comparison(p['true_vs_pick'], 3)}"))
        out.append((f"The n-th decoder projection's pick on {gen} (true L0 "
                    f"{doc['true_l0'][gen]:.2f})", "; ".join(parts),
                    f"seed-mean curves over {n_seeds} seeds; n = a quarter of the width, "
                    "fixed before the runs; pick = the swept L0 of smallest s_n"))
    others = [p for p in doc["picks"] if not p["headline"]]
    if others:
        ok = sum(p["within"] for p in others)
        out.append(("The pick at other n",
                    f"at n = {sorted({p['n'] for p in others})} the pick is within 20% in "
                    f"{ok} of {len(others)} (generator, architecture, n) cases: "
                    + "; ".join(f"{p['generator']}/{p['architecture']} n={p['n']}: "
                                f"{p['ratio']:.2f}x" for p in others),
                    "the paper's toy reads n from 12 to 25 of 50 latents"))
    for gen in doc["generators"]:
        for arch in doc["architectures"]:
            cs = [c for c in doc["comparisons"] if (c["generator"], c["architecture"])
                  == (gen, arch)]
            if not cs:
                continue
            parts = [f"{LABELS[c['metric']]} at L0 {c['at_l0']:.2f} minus at "
                     f"{c['other_l0']:.2f} ({'below' if c['side'] == 'below' else 'above'} "
                     f"the true L0): {fmt_comparison(c)}" for c in cs]
            out.append((f"A wrong L0 on {gen}, {arch}", "; ".join(parts),
                        f"paired over {cs[0]['difference']['n']} seeds, 95% intervals; the "
                        "knobs whose seed-mean L0 is nearest 1x, 0.5x and 2x the true L0"))
    for gen in doc["generators"]:
        relu = sorted((s for s in doc["summary"] if (s["generator"], s["architecture"])
                       == (gen, "relu")), key=lambda s: -s["knob"])
        if relu:
            out.append((f"ReLU's achieved L0 against its penalty on {gen}",
                        ", ".join(f"l1 {s['knob']:g}: L0 {fmt(s['l0'])}" for s in relu),
                        f"true L0 {doc['true_l0'][gen]:.2f}; the penalty sets L0 only "
                        "indirectly, so the sweep's points are where the fits land"))
    out.append(("Published (Chanin & Garriga-Alonso 2025, arXiv 2508.16560)",
                "their toy model (50 orthogonal features in d = 100, firing correlations "
                "in [0.3, 0.9], true L0 about 11, BatchTopK SAEs of width 50) has s_n "
                "minimised at the true L0 for n from 12 to 25; in their 5-feature toy (true "
                "L0 2) an L0 of 1.8, 10% low, already mixes the correlated feature into every "
                "latent; they report that most open-source LLM SAEs have an L0 that is too "
                "low", "from the paper's code and notebooks, chanind/sparse-but-wrong-paper"))
    return out


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """The verdict table: the proxy's pick per generator x architecture (headline n)."""
    head = ["generator", "architecture", "true L0", "n", "picked L0", "ratio",
            "within 20%", "seeds within", "MCC-peak L0"]
    rows = [[p["generator"], p["architecture"], f"{p['true_l0']:.2f}", str(p["n"]),
             f"{p['pick_l0']:.2f}", f"{p['ratio']:.2f}", "yes" if p["within"] else "no",
             f"{p['seeds_within']}/{len(p['per_seed'])}", f"{p['mcc_peak_l0']:.2f}"]
            for p in doc["picks"] if p["headline"]]
    return [("The n-th decoder projection's pick against the true L0 (seed-mean curves)",
             head, rows)]


def draw(doc: dict):
    """One figure: rows = generators, columns = MCC, F1, mixing, s_n (headline n) against
    the achieved L0 (log), one line per architecture, the true L0 dotted, the proxy's pick
    circled. Yields ``(caption, file name, Figure)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import method_labels

    metrics = ("mcc", "f1", "mixing", "s_n")
    gens, archs = doc["generators"], doc["architectures"]
    labels = method_labels(archs)
    fig, axes = plt.subplots(len(gens), len(metrics), figsize=(14, 3.3 * len(gens)),
                             squeeze=False)
    cmap = plt.get_cmap("tab10")
    for gi, gen in enumerate(gens):
        for mi, metric in enumerate(metrics):
            ax = axes[gi][mi]
            for ai, arch in enumerate(archs):
                pts = sorted((s for s in doc["summary"] if (s["generator"], s["architecture"])
                              == (gen, arch)), key=lambda s: s["l0"]["value"])
                pick = next(p for p in doc["picks"] if (p["generator"], p["architecture"])
                            == (gen, arch) and p["headline"])
                est = [s["s_n"][str(pick["n"])] if metric == "s_n" else s[metric]
                       for s in pts]
                keep = [(s["l0"]["value"], e) for s, e in zip(pts, est, strict=True)
                        if e is not None]
                if not keep:
                    continue
                x = np.array([k[0] for k in keep])
                y = np.array([k[1]["value"] for k in keep])
                err = np.array([[k[1]["value"] - k[1]["low"] for k in keep],
                                [k[1]["high"] - k[1]["value"] for k in keep]])
                ax.errorbar(x, y, yerr=err, color=cmap(ai), marker="o", ms=3, lw=1,
                            capsize=2, label=labels[arch])
                if metric == "s_n":
                    ax.plot([pick["pick_l0"]], [y[np.argmin(np.abs(x - pick["pick_l0"]))]],
                            "o", mfc="none", mec=cmap(ai), ms=10)
            ax.axvline(doc["true_l0"][gen], color="grey", ls=":", lw=1)
            ax.set_xscale("log")
            ax.set_xlabel("achieved held-out L0 (log)")
            ax.set_ylabel(LABELS[metric] if metric != "s_n"
                          else f"s_n, n = {PROXY_FRACTIONS[0]:g} x width")
            ax.set_title(f"{gen}", fontsize=8)
    axes[0][0].legend(fontsize=7)
    caption = ("MCC, F1, mixing and the n-th decoder projection against achieved L0 (dotted: "
               f"true L0; circles: the proxy's pick); {len(doc['seeds'])} seeds, 95% "
               "intervals")
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    yield caption, "wrong_l0.png", fig



def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, "wrong_l0.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
