"""Feature hedging: SAE width from half to twice the feature count on correlated pairs.

Chanin, Dulka and Garriga-Alonso (2025) find that an SAE narrower than the number of true
features, on features whose firing is correlated, merges components of correlated features
into one latent ("hedging"), more so the narrower it is, and that the cause is the
reconstruction loss. This study measures it on `generators.correlated_features`: 8 pairs
of orthonormal features in d = 16 (rates 0.3 x 0.85^g per pair, so the true L0 is 2.91),
with firing correlation 0.6 within each pair and, as the control, 0 (independent
features); SAEs of width 8, 12, 16, 24 and 32 (0.5x to 2x the 16 features).

Architecture: `BatchTopKSAE` with ``k`` = the true L0 (set directly, so that only the width
varies; the papers' LLM experiments use BatchTopK too), the quick budget of
`benchmarks.sparse.wrong_l0`. Scores on the held-out split: mean latent mixing over the
live latents and mean feature hedging (`metrics.feature_mixing`: the same quantity read per
latent and per feature), matched MCC and held-out FVU.

Seeding: per correlation and seed, ``SeedStreams("hedging_rho<correlation>", seed)``
(`stream_name`: two correlations draw their own data); split 0 trains, split 1 is held
out; the fit at width index ``j`` draws from ``streams.method(j)``. Comparisons
(`metrics.noise_floor.compare`, paired over seeds): mixing at 0.5x against 1x and 2x the
feature count, per correlation, and correlated against independent at each width (paired
by seed: the two share directions and rates; their firing streams differ).

The full profile adds ReLU SAEs, a third correlation (0.9), 5 seeds and the paper-sized
toy size (50 features in d = 100).

References
----------
Chanin, Dulka, Garriga-Alonso (2025), "Feature Hedging: Correlated Features Break Narrow
Sparse Autoencoders", arXiv 2505.11756; code ``chanind/feature-hedging-paper``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.seeding import SeedStreams
from benchmarks.sparse.wrong_l0 import (
    ARCHITECTURES,
    fit_sae,
    fmt,
    fmt_comparison,
    make_data,
    seed_interval,
)
from benchmarks.study_cli import run_tasks, study_main, study_profile, study_seeds
from floor.validation import check_int
from metrics.dictionary_similarity import matched_mcc, mean_l0
from metrics.feature_mixing import feature_hedging, latent_mixing
from metrics.noise_floor import compare
from metrics.reconstruction import explained_variance

TITLE = "Feature hedging: mixing of correlated features against SAE width"
QUESTION = ("Does an SAE narrower than the number of features merge correlated features "
            "into one latent (Chanin et al. 2025's feature hedging), and how does the "
            "mixing fall as the width grows from half to twice the feature count, against "
            "the same SAEs on independent features?")

STUDY = "hedging"
TRAIN, HELDOUT = 0, 1
WIDTH_MULTIPLES = (0.5, 0.75, 1.0, 1.5, 2.0)
SUMMARISED = ("mixing", "hedging", "mcc", "fvu", "l0", "dead_fraction", "fit_time_s")
LABELS = {"mixing": "mean latent mixing", "hedging": "mean feature hedging", "mcc": "MCC",
          "fvu": "held-out FVU"}

_PAIRS = {"n_features": 16, "n_groups": 8, "group_size": 2, "firing_probability": 0.3,
          "decay": 0.85}
PROFILES = {
    "quick": {"generator": _PAIRS, "correlations": (0.0, 0.6), "widths": WIDTH_MULTIPLES,
              "architectures": ("batchtopk",), "n_train": 8192, "n_heldout": 4096,
              "seeds": (0, 1, 2),
              "budget": {"batchtopk": {"n_steps": 500, "batch_size": 256,
                                       "learning_rate": 1e-2},
                         "relu": {"n_steps": 1000, "batch_size": 512, "learning_rate": 1e-2,
                                  "l1_coeff": 0.03}}},
    "full": {"generator": {"n_features": 100, "n_groups": 25, "group_size": 2,
                           "firing_probability": 0.4, "decay": 0.95},
             "correlations": (0.0, 0.6, 0.9), "widths": WIDTH_MULTIPLES,
             "architectures": ("batchtopk", "relu"), "n_train": 100_000,
             "n_heldout": 10_000, "seeds": (0, 1, 2, 3, 4),
             "budget": {"batchtopk": {"n_steps": 4000, "batch_size": 1024,
                                      "learning_rate": 3e-3},
                        "relu": {"n_steps": 4000, "batch_size": 1024, "learning_rate": 3e-3,
                                 "l1_coeff": 0.03}}},
}


def stream_name(correlation: float) -> str:
    """The seeding name of one correlation's data: ``"hedging_rho0.6"``."""
    return f"hedging_rho{correlation:g}"


def run_task(arch_name: str, correlation: float, seed: int, profile="quick") -> list[dict]:
    """Rows of one (architecture, correlation, seed): every width."""
    prof = study_profile(profile, PROFILES)
    arch = ARCHITECTURES[arch_name]
    params = dict(prof["generator"], correlation=float(correlation))
    streams = SeedStreams(stream_name(correlation), int(seed))
    budget = dict(prof["budget"][arch_name])
    with threadpool_limits(limits=1):
        train, partners = make_data("correlated_pairs", params, streams.data, TRAIN,
                                    prof["n_train"])
        test, _ = make_data("correlated_pairs", params, streams.data, HELDOUT,
                            prof["n_heldout"])
        truth = test.ground_truth
        n_true, t_l0 = int(truth["n_true_features"]), float(truth["expected_l0"])
        knob = budget.pop("l1_coeff", None) if arch.kind == "penalty" else t_l0
        rows = []
        for j, mult in enumerate(prof["widths"]):
            m = max(1, int(round(mult * n_true)))
            est, fit_s = fit_sae(arch, m, min(float(knob), m), budget, streams.method(j),
                                 train.X)
            codes = np.asarray(est.transform(test.X), dtype=np.float64)
            alive = (codes > 0).any(axis=0)
            A, F = est.components_, truth["features"]
            mix = latent_mixing(A, F, partners, alive=alive)
            hed = feature_hedging(A, F, partners, alive=alive)
            rows.append({"architecture": arch_name, "correlation": float(correlation),
                         "seed": int(seed), "width_index": j, "width_multiple": float(mult),
                         "m": m, "n_features": n_true, "true_l0": t_l0,
                         "partner_correlation": truth["mean_partner_correlation"],
                         "realised_partner_correlation":
                             truth["realised_mean_partner_correlation"],
                         "mixing": mix["mean_mixing"] if mix["n_scored"] else None,
                         "hedging": hed["mean_hedging"] if hed["n_scored"] else None,
                         "mcc": matched_mcc(A, F), "l0": mean_l0(codes),
                         "fvu": 1.0 - explained_variance(test.X, est.inverse_transform(codes)),
                         "dead_fraction": float(1.0 - alive.mean()), "fit_time_s": fit_s})
    return rows


def _timed(arch_name, correlation, seed, prof):
    start = time.process_time()
    rows = run_task(arch_name, correlation, seed, prof)
    return rows, time.process_time() - start


def summarise(rows: list[dict]) -> list[dict]:
    """Per (architecture, correlation, width): seed means and 95% intervals."""
    keys = sorted({(r["architecture"], r["correlation"], r["width_index"]) for r in rows})
    out = []
    for a, c, j in keys:
        group = sorted((r for r in rows if (r["architecture"], r["correlation"],
                                            r["width_index"]) == (a, c, j)),
                       key=lambda r: r["seed"])
        entry = {"architecture": a, "correlation": c, "width_index": j,
                 "width_multiple": group[0]["width_multiple"], "m": group[0]["m"],
                 "seeds": [r["seed"] for r in group],
                 "realised_partner_correlation": seed_interval(
                     [r["realised_partner_correlation"] for r in group])}
        for metric in SUMMARISED:
            entry[metric] = seed_interval([r[metric] for r in group])
        out.append(entry)
    return out


def _per_seed(rows, arch, corr, mult, metric):
    group = sorted((r for r in rows if (r["architecture"], r["correlation"],
                                        r["width_multiple"]) == (arch, corr, mult)),
                   key=lambda r: r["seed"])
    vals = [r[metric] for r in group]
    return None if not vals or any(v is None for v in vals) else vals


def comparisons(rows: list[dict]) -> list[dict]:
    """Paired comparisons of mean latent mixing: narrowest width against 1x and the widest,
    per correlation; and each correlation against the first (the control) at each width."""
    out = []
    archs = sorted({r["architecture"] for r in rows})
    corrs = sorted({r["correlation"] for r in rows})
    mults = sorted({r["width_multiple"] for r in rows})
    for a in archs:
        for c in corrs:
            lo = _per_seed(rows, a, c, mults[0], "mixing")
            for other in [x for x in (1.0, mults[-1]) if x in mults and x != mults[0]]:
                hi = _per_seed(rows, a, c, other, "mixing")
                if lo and hi and len(lo) == len(hi):
                    out.append({"kind": "width", "architecture": a, "correlation": c,
                                "a": mults[0], "b": other, **compare(lo, hi, paired=True)})
        for c in corrs[1:]:
            for w in mults:
                x = _per_seed(rows, a, c, w, "mixing")
                y = _per_seed(rows, a, corrs[0], w, "mixing")
                if x and y and len(x) == len(y):
                    out.append({"kind": "correlation", "architecture": a, "width": w,
                                "a": c, "b": corrs[0], **compare(x, y, paired=True)})
    return out


def run(profile="quick", seeds=None, jobs: int = 1) -> dict:
    """Run the study; a JSON-able document (``rows``, ``summary``, ``comparisons``, ...).

    One task is one (architecture, correlation, seed); the numbers do not depend on
    ``jobs``.
    """
    prof = study_profile(profile, PROFILES)
    seed_list = study_seeds(seeds, prof["seeds"])
    check_int(jobs, "jobs")
    for a in prof["architectures"]:
        if a not in ARCHITECTURES:
            raise ValueError(f"architectures must name entries of {list(ARCHITECTURES)}, "
                             f"got {a!r}")
    tasks = [(a, float(c), int(s), prof) for a in prof["architectures"]
             for c in prof["correlations"] for s in seed_list]
    wall, cpu = time.perf_counter(), time.process_time()
    results, child_cpu = run_tasks(_timed, tasks, jobs)
    rows = [r for res in results for r in res]
    first = rows[0]
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "architectures": list(prof["architectures"]),
            "correlations": [float(c) for c in prof["correlations"]],
            "width_multiples": [float(w) for w in prof["widths"]],
            "n_features": first["n_features"], "true_l0": first["true_l0"],
            "rows": rows, "summary": summarise(rows), "comparisons": comparisons(rows),
            "jobs": int(jobs), "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """Mixing against width per correlation, the paired comparisons, the paper beside it."""
    out = []
    n = len(doc["seeds"])
    for a in doc["architectures"]:
        for c in doc["correlations"]:
            ss = sorted((s for s in doc["summary"] if (s["architecture"], s["correlation"])
                         == (a, c)), key=lambda s: s["width_multiple"])
            if not ss:
                continue
            realised = ss[0]["realised_partner_correlation"]
            curve = ", ".join(f"width {s['m']}: {fmt(s['mixing'])}" for s in ss)
            hedge = ", ".join(f"{s['m']}: {fmt(s['hedging'])}" for s in ss)
            comps = [x for x in doc["comparisons"] if x["kind"] == "width"
                     and (x["architecture"], x["correlation"]) == (a, c)]
            words = "; ".join(f"width {x['a']:g}x minus {x['b']:g}x: {fmt_comparison(x)}"
                              for x in comps)
            out.append((f"Mixing against width, {a}, partner correlation {c:g}",
                        f"mean latent mixing {curve} (feature hedging {hedge}); {words}",
                        f"{doc['n_features']} features, k = true L0 {doc['true_l0']:.2f}; "
                        f"realised partner correlation {fmt(realised)}; an even merge of "
                        f"two orthonormal partners, (f1 + f2)/sqrt 2, reads 0.71; {n} seeds, "
                        "95% intervals, comparisons paired over seeds"))
        corr = [x for x in doc["comparisons"] if x["kind"] == "correlation"
                and x["architecture"] == a]
        if corr:
            out.append((f"Correlated against independent pairs, {a}",
                        "; ".join(f"width {x['width']:g}x, mixing at correlation {x['a']:g} "
                                  f"minus at {x['b']:g}: {fmt_comparison(x)}" for x in corr),
                        f"paired over {n} seeds (shared directions and rates)"))
    out.append(("Published (Chanin, Dulka & Garriga-Alonso 2025, arXiv 2505.11756)",
                "hedging is caused by the reconstruction loss and is more severe the "
                "narrower the SAE; their single-latent toy (2 orthogonal features in d = 50, "
                "the parent firing 0.25, the child 0.2 when the parent fires) learns a latent "
                "that mixes in part of the child instead of the parent alone; on LLM SAEs "
                "they measure a hedging degree: the share of a decoder row's change, when "
                "latents are added, that lies in the new latents' span, above 50 random-span "
                "baselines",
                "from the paper's abstract and its code, chanind/feature-hedging-paper"))
    return out


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """Mixing and hedging per width and correlation."""
    head = ["architecture", "correlation", "width", "mixing", "hedging", "MCC", "FVU", "L0"]
    rows = [[s["architecture"], f"{s['correlation']:g}", f"{s['m']} "
             f"({s['width_multiple']:g}x)", fmt(s["mixing"]), fmt(s["hedging"]),
             fmt(s["mcc"]), fmt(s["fvu"], 3), fmt(s["l0"])]
            for s in sorted(doc["summary"], key=lambda s: (s["architecture"],
                                                           s["correlation"], s["m"]))]
    return [("Mixing and hedging against SAE width (seed means, 95% intervals)", head, rows)]


def draw(doc: dict):
    """Mixing and hedging against width (log), one line per (architecture, correlation)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    cmap = plt.get_cmap("tab10")
    keys = sorted({(s["architecture"], s["correlation"]) for s in doc["summary"]})
    for ax, metric in zip(axes, ("mixing", "hedging", "mcc"), strict=True):
        for i, (a, c) in enumerate(keys):
            ss = sorted((s for s in doc["summary"] if (s["architecture"], s["correlation"])
                         == (a, c) and s[metric] is not None), key=lambda s: s["m"])
            if not ss:
                continue
            x = np.array([s["m"] for s in ss])
            y = np.array([s[metric]["value"] for s in ss])
            err = np.array([[s[metric]["value"] - s[metric]["low"] for s in ss],
                            [s[metric]["high"] - s[metric]["value"] for s in ss]])
            ax.errorbar(x, y, yerr=err, color=cmap(i), marker="o", ms=3, lw=1, capsize=2,
                        label=f"{a}, correlation {c:g}")
        ax.axvline(doc["n_features"], color="grey", ls=":", lw=1)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("SAE width (latents; dotted: number of features)")
        ax.set_ylabel(LABELS[metric])
    axes[0].legend(fontsize=7)
    caption = (f"Mixing, hedging and MCC against SAE width on correlated pairs; "
               f"{len(doc['seeds'])} seeds, 95% intervals")
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    yield caption, "hedging.png", fig



def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, "hedging.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
