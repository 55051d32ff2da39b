"""Probes that break linear erasure, and erasers that inject the concept they erase.

Two questions of issue 24 on one set of fits.

**Which probes recover a concept after LEACE, on which data, and why?** After LEACE
(`methods.erasure.leace.LeaceEraser`), QLEACE (`methods.erasure.qleace.QuadraticLeaceEraser`),
oracle LEACE (EleutherAI's ``OracleEraser``: ``x - E[x | z] + E[x]`` with the label at
transform time; in the suite `methods.erasure.mean_matching.MeanMatchingEraser`, reported as
``oracle_leace``) and the suite's oracle projection of the planted directions
(`methods.erasure.oracle.OracleEraser`, reported as ``oracle``), six probes
(`metrics.probes`: logistic, 0-1 linear, MLP, QDA, and the two breakers, an RBF-kernel SVM
whose C and gamma are chosen by 2-fold cross-validation on 200 rows of its fit split and
gradient-boosted trees) are fitted on the erased probe-train split and scored on the erased
held-out split, on each generator of the erasure family
(`benchmarks.erasure.family.erasure_generators`) and on `generators.injection_concept`.
Leakage = held-out balanced accuracy - chance, as a mean over seeds with a 95% Student-t
interval. Published figure: an RBF SVM recovers LEACE-erased concepts of real
representations at 70-95% (Scherlis, Bishka et al. 2026, "Discovering concept-editing
algorithms with LLM agents").

**Does an eraser inject information?** (Quirke & Belrose 2025, arXiv 2502.02820; EleutherAI
on oracle LEACE.) An eraser that applies a per-class map with the label at transform time
can leave the classes *more* separable than before. `metrics.injection.injection_reading`
(the rule of the family's ``does_not_inject`` check on every grid cell) flags an (eraser,
probe) pair when the probe's held-out balanced accuracy after erasure rises above its
accuracy on the raw data (same seed, same data, same probe stream) beyond both intervals:
the paired comparison over seeds calls the rise (`metrics.noise_floor.compare`, 95%) and
the mean rise exceeds the sampling interval of two held-out accuracies (99.9%, the suite's
check confidence). Its per-seed rate (seeds whose own rise is beyond that sampling interval)
is given with a Wilson interval. An eraser is flagged on a generator when any probe is.

Per seed ``s`` (``SeedStreams(generator, s)``): split 0 (``n_fit`` rows) fits every eraser,
split 1 trains the probes, split 2 scores them;
probe ``i`` draws from ``streams.probe(i)`` in every condition (raw and after each eraser),
so a before/after difference is the eraser's. One task is one (generator, seed), run with
one BLAS/OpenMP thread. The fit split is 100 times the probe splits (the grid's is 10
times): an eraser fitted on ``n_fit`` rows in ``d`` dimensions leaves a class-mean gap of
Mahalanobis size about ``sqrt(4 d / n_fit)`` (`benchmarks.erasure.family`), which a probe
reads at ``Phi(sqrt(d / n_fit))``: measured at ``n_fit = 5000`` (d = 16), the RBF SVM read
LEACE-erased two-class Gaussians at 0.52 [0.51, 0.54]; at 50000 that residual is 0.507,
below what 3 seeds x 500 held-out rows resolve. The fit split costs only its generation
and the erasers' moment estimates.

Profiles: ``quick`` (n = 500 rows per probe split, d = 16, 3 seeds, ~17 CPU s of tasks plus
~3 s of imports per worker: ~11 s wall with 2 workers) and ``full`` (n = 5000, d = 64, 10
seeds; not run here: the SVM's cost grows as n^2, its final fit ~100x the quick one's;
~40 CPU min in all, estimated). At 500 rows the grid's MLP probe (early stopping on 10% of
its fit rows, 50 here) often stops at chance: on the outlier set it reads 0.51 where it
reads 0.99 with 1000 rows (measured); the full profile's 5000 rows give it its grid size.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.erasure.family import _apply, erasure_generators, erasure_methods
from benchmarks.profiles import get_profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec
from benchmarks.study_cli import study_context, study_main, study_profile, study_seeds
from benchmarks.study_text import format_estimate
from floor.validation import check_int
from generators.injection_concept import make_injection_concept
from metrics.injection import injection_reading
from metrics.probes import ALL_PROBE_KINDS, score_probe
from metrics.statistics import mean_over_seeds

TITLE = "Probes that break linear erasure, and erasers that inject the concept"
QUESTION = ("After LEACE, QLEACE, oracle LEACE and the oracle projection, which probes "
            "(logistic, 0-1 linear, MLP, QDA, RBF-kernel SVM, boosted trees) still read the "
            "concept, on which generators, and why? Published: an RBF SVM recovers "
            "LEACE-erased concepts at 70-95% on real representations. And does any eraser "
            "leave a probe reading more than before erasure (Quirke & Belrose 2025)?")

STUDY = "nonlinear_probes"
PROBES = tuple(ALL_PROBE_KINDS)
BREAKERS = ("rbf_svm", "boosted_trees")
RAW = "none"  # the condition without erasure
ERASERS = ("leace", "qleace", "oracle_leace", "oracle")
CONDITIONS = (RAW, *ERASERS)
INJECTION_GENERATOR = "injection_concept"
FIT, PROBE_TRAIN, PROBE_TEST = 0, 1, 2
# Seed means are described with this two-sided confidence (Student t over seeds).
DESCRIPTIVE_CONFIDENCE = 0.95

_FAMILY = ("two_class_gaussian", "outlier_equal_means", "xor_concept", "multiclass_gaussian",
           "weak_concept")
PROFILES = {
    "quick": {"generators": (*_FAMILY, INJECTION_GENERATOR), "n_probe": 500,
              "n_fit": 50000, "n_features": 16, "seeds": (0, 1, 2)},
    "full": {"generators": (*_FAMILY, INJECTION_GENERATOR), "n_probe": 5000,
             "n_fit": 200000, "n_features": 64, "seeds": tuple(range(10))},
}
FULL_COST_NOTE = ("estimated ~40 CPU min: 6 generators x 10 seeds x 5 conditions x 6 probes "
                  "at n = 5000 (the RBF SVM's final fit ~25x the quick one's)")

# The generators whose concept is carried beyond the class means (by what they plant): the
# ones where a probe that reads more than means should recover the concept after LEACE.
BEYOND_MEANS = ("outlier_equal_means", "xor_concept")
# Why a concept survives LEACE on each generator (what the generator plants, read from
# its docstring): the finding states it beside the measured leakage.
WHY = {
    "two_class_gaussian": "the concept is a mean shift with a shared covariance, so equal "
                          "class means leave identical class distributions: nothing for "
                          "any probe",
    "multiclass_gaussian": "the concept is K mean shifts with a shared covariance: after "
                           "LEACE (rank K-1) the classes are identical in distribution",
    "weak_concept": "the mean shift is far below what a probe resolves, before and after",
    "outlier_equal_means": "the class means are already equal, so LEACE has nothing to "
                           "remove; the concept lives in where the rows sit along u (+1 "
                           "vs -9 atoms, medians +-1), which a threshold, trees or a "
                           "kernel read",
    "xor_concept": "the concept is the XOR of two signs: equal class means, the signal is "
                   "in the product of two coordinates, which no mean-equalising eraser "
                   "removes; only nonlinear probes read it. LEACE still removes one "
                   "direction, that of the sampled class-mean gap (pure sampling noise "
                   "here), with its full oblique update, which moves rows inside the "
                   "concept plane (the change there has std 0.3-0.6 against cluster "
                   "noise 0.3, measured at n_fit = 50000) and blurs the clusters: the "
                   "probes fall from their raw accuracy, not to chance",
    "injection_concept": "LEACE removes u, the only direction that carries the concept",
}


def _profile(profile) -> dict:
    prof = study_profile(profile, PROFILES)
    missing = set(PROFILES["quick"]) - set(prof)
    if missing:
        raise ValueError(f"profile dict lacks {sorted(missing)}")
    return prof


def generator_spec(name: str, prof: dict) -> GeneratorSpec:
    """The family's generator ``name`` (or `make_injection_concept`) at the profile's size."""
    size = {"n_samples": prof["n_probe"], "n_features": prof["n_features"]}
    if name == INJECTION_GENERATOR:
        return GeneratorSpec(name, "erasure", make_injection_concept, size)
    family = {g.name: g for g in erasure_generators(get_profile("quick"))}
    if name not in family:
        raise ValueError(f"generators must name entries of "
                         f"{sorted([*family, INJECTION_GENERATOR])}, got {name!r}")
    return GeneratorSpec(name, "erasure", family[name].make, {**family[name].kwargs, **size})


# The erasers of `ERASERS` by their names in the family's list (`erasure_methods`): oracle
# LEACE is the family's mean matching.
FAMILY_NAMES = {"leace": "leace", "qleace": "qleace", "oracle_leace": "mean_matching",
                "oracle": "oracle"}


def build_eraser(name: str, fit, seed: np.random.SeedSequence | None = None):
    """A fresh eraser ``name`` of `ERASERS`, built as the family's list builds it; None
    when it needs ground truth ``fit`` lacks (the oracle's planted directions)."""
    if name not in FAMILY_NAMES:
        raise ValueError(f"eraser must be one of {ERASERS}, got {name!r}")
    spec = next(m for m in erasure_methods(get_profile("quick"))
                if m.name == FAMILY_NAMES[name])
    if any(key not in fit.ground_truth for key in spec.needs):
        return None
    return spec.build(fit, seed)


def run_seed(name: str, seed: int, prof: dict) -> list[dict]:
    """Every probe on the raw and erased splits of generator ``name`` at ``seed``: rows
    ``{generator, seed, condition, probe, balanced_accuracy, chance, n_test, params}``."""
    spec = generator_spec(name, prof)
    streams = SeedStreams(name, int(seed))
    fit = spec.dataset(streams, FIT, n_samples=prof["n_fit"])
    ptrain, ptest = spec.dataset(streams, PROBE_TRAIN), spec.dataset(streams, PROBE_TEST)
    splits = {RAW: (ptrain.X, ptest.X)}
    for eraser_name in ERASERS:
        eraser = build_eraser(eraser_name, fit, streams.method(0))
        if eraser is None:
            continue
        eraser = eraser.fit(fit.X, fit.y) or eraser
        splits[eraser_name] = (_apply(eraser, ptrain.X, ptrain.y),
                               _apply(eraser, ptest.X, ptest.y))
    rows = []
    for condition, (Xtr, Xte) in splits.items():
        for i, probe in enumerate(PROBES):
            score = score_probe(probe, Xtr, ptrain.y, Xte, ptest.y, streams.probe(i))
            rows.append({"generator": name, "seed": int(seed), "condition": condition,
                         "probe": probe, "balanced_accuracy": score.balanced_accuracy,
                         "chance": score.chance, "n_test": score.n_test,
                         "params": dict(score.params)})
    return rows


def _timed_task(name: str, seed: int, prof: dict):
    start = time.process_time()
    with threadpool_limits(limits=1):
        rows = run_seed(name, seed, prof)
    return rows, time.process_time() - start


# --- the injection reading ------------------------------------------------------------------


# --- the run --------------------------------------------------------------------------------


def _rows_of(rows, generator, condition, probe):
    return sorted((r for r in rows if r["generator"] == generator
                   and r["condition"] == condition and r["probe"] == probe),
                  key=lambda r: r["seed"])


def summarise(rows: list[dict]) -> dict:
    """``{generator: {condition: {probe: {"accuracy", "leakage"}}}}``: seed means with 95%
    Student-t intervals, and the RBF SVM's chosen settings per condition."""
    out = {}
    for g in dict.fromkeys(r["generator"] for r in rows):
        out[g] = {}
        for c in CONDITIONS:
            cell = {}
            for p in PROBES:
                sub = _rows_of(rows, g, c, p)
                if not sub:
                    continue
                acc = [r["balanced_accuracy"] for r in sub]
                leak = [r["balanced_accuracy"] - r["chance"] for r in sub]
                cell[p] = {"accuracy": mean_over_seeds(acc, DESCRIPTIVE_CONFIDENCE).to_dict(),
                           "leakage": mean_over_seeds(leak, DESCRIPTIVE_CONFIDENCE).to_dict(),
                           "chance": sub[0]["chance"]}
                if p == "rbf_svm":
                    cell[p]["chosen"] = [r["params"] for r in sub]
            if cell:
                out[g][c] = cell
    return out


def injection_table(rows: list[dict]) -> list[dict]:
    """`injection_reading` for every (generator, eraser, probe) with both conditions."""
    out = []
    for g in dict.fromkeys(r["generator"] for r in rows):
        for e in ERASERS:
            for p in PROBES:
                before, after = _rows_of(rows, g, RAW, p), _rows_of(rows, g, e, p)
                if not after:
                    continue
                reading = injection_reading([r["balanced_accuracy"] for r in before],
                                            [r["balanced_accuracy"] for r in after],
                                            [r["n_test"] for r in before])
                out.append({"generator": g, "eraser": e, "probe": p, **reading})
    return out


def run(profile="quick", seeds=None, jobs: int = 1) -> dict:
    """Run the study; returns its JSON-able document.

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "generators", "probes", "erasers", "sizes", "rows",
        "summary", "injection", "cost_estimate", "jobs", "wall_s", "cpu_s"}``; ``cpu_s`` is
        the process time of the run and its workers.
    """
    prof = _profile(profile)
    seed_list = study_seeds(seeds, prof["seeds"])
    check_int(jobs, "jobs")
    for g in prof["generators"]:
        generator_spec(g, prof)  # refuses an unknown name before any work
    tasks = [(g, s) for g in prof["generators"] for s in seed_list]
    wall, cpu = time.perf_counter(), time.process_time()
    if jobs == 1:
        pairs = [_timed_task(g, s, prof) for g, s in tasks]
        child = 0.0
    else:
        ctx = study_context()
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            pairs = [f.result() for f in [pool.submit(_timed_task, g, s, prof)
                                          for g, s in tasks]]
        child = sum(p[1] for p in pairs)
    rows = [r for p in pairs for r in p[0]]
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "generators": list(prof["generators"]),
            "probes": list(PROBES), "erasers": list(ERASERS),
            "sizes": {k: prof[k] for k in ("n_probe", "n_fit", "n_features")},
            "rows": rows, "summary": summarise(rows), "injection": injection_table(rows),
            "cost_estimate": FULL_COST_NOTE if profile == "full" else None,
            "jobs": int(jobs), "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + (child if jobs > 1 else 0.0)}


# --- findings, tables and figures -----------------------------------------------------------


def _recovers(cell: dict) -> bool:
    """The probe reads the concept: its accuracy's interval lies above chance."""
    return cell["accuracy"]["low"] > cell["chance"]


def _leace_finding(doc: dict, g: str) -> tuple[str, str, str]:
    cell = doc["summary"][g]["leace"]
    raw = doc["summary"][g][RAW]
    readers = [p for p in PROBES if _recovers(cell[p])]
    text = "; ".join(f"{p} {format_estimate(cell[p]['leakage'], 2)}" for p in PROBES)
    who = (f"read by {', '.join(readers)}" if readers else "read by no probe")
    sentence = (f"leakage after LEACE: {text}. The concept is {who}; the RBF SVM's "
                f"accuracy goes from {format_estimate(raw['rbf_svm']['accuracy'], 2)} before "
                f"erasure to {format_estimate(cell['rbf_svm']['accuracy'], 2)} after. Why: "
                f"{WHY.get(g, 'n/a')}")
    return (f"after LEACE, {g}", sentence,
            f"held-out balanced accuracy - chance ({cell['logistic']['chance']:g}); seed "
            f"means, 95% Student-t intervals over {len(doc['seeds'])} seeds; a probe reads "
            f"the concept when its accuracy's interval lies above chance")


def _published_finding(doc: dict) -> tuple[str, str, str]:
    svm = {g: doc["summary"][g]["leace"]["rbf_svm"] for g in doc["generators"]
           if "leace" in doc["summary"].get(g, {})}
    inside = [g for g, c in svm.items() if 0.70 <= c["accuracy"]["value"] <= 0.95]
    above = [g for g, c in svm.items() if c["accuracy"]["value"] > 0.95]
    chance = [g for g, c in svm.items() if not _recovers(c)]
    parts = ", ".join(f"{g} {format_estimate(c['accuracy'], 2)}" for g, c in svm.items())
    recovered = sorted(g for g in svm if g not in chance)
    planted = sorted(g for g in svm if g in BEYOND_MEANS)
    if recovered == planted:
        why = ("the SVM recovers a concept after LEACE exactly on the generators whose "
               "concept is carried beyond the class means (" + ", ".join(planted) + ": an "
               "atom-valued or XOR signal LEACE does not touch), and on none whose classes "
               "differ only by mean shifts with a shared covariance. The published 70-95% "
               "on real representations says that their concepts, too, are carried beyond "
               "the class means, by a signal a kernel reads less cleanly than this suite's "
               "atoms and XOR clusters")
    else:
        why = (f"the SVM's recoveries ({', '.join(recovered) or 'none'}) differ from the "
               f"generators whose concept is carried beyond the class means "
               f"({', '.join(planted) or 'none'})")
    sentence = (f"RBF-SVM accuracy after LEACE: {parts}. Inside the published 70-95% band: "
                f"{', '.join(inside) or 'none'}; above it: {', '.join(above) or 'none'}; at "
                f"chance: {', '.join(chance) or 'none'}. Here {why}")
    return ("the published figure (RBF SVM recovers 70-95% after LEACE, 2026)", sentence,
            "balanced accuracy, seed means with 95% intervals")


def _other_erasers_finding(doc: dict, g: str) -> tuple[str, str, str]:
    parts = []
    for e in ERASERS[1:]:
        cell = doc["summary"][g].get(e)
        if cell is None:
            continue
        readers = [p for p in PROBES if _recovers(cell[p])]
        best = max(PROBES, key=lambda p: cell[p]["leakage"]["value"])
        parts.append(f"{e}: read by {', '.join(readers) or 'no probe'} (largest leakage "
                     f"{best} {format_estimate(cell[best]['leakage'], 2)})")
    return (f"after QLEACE, oracle LEACE and the oracle projection, {g}", "; ".join(parts),
            "leakage = balanced accuracy - chance, 95% intervals over seeds")


def _injection_findings(doc: dict) -> list[tuple[str, str, str]]:
    out = []
    n = len(doc["seeds"])
    note = ("fires when the paired comparison over seeds calls the rise (95%) and the mean "
            "rise exceeds the 99.9% sampling interval of two held-out accuracies; rate = "
            "seeds whose own rise is beyond its own interval, Wilson 99.9%")
    by_gen = {}
    for r in doc["injection"]:
        by_gen.setdefault(r["generator"], []).append(r)
    for g, readings in by_gen.items():
        parts = []
        for e in ERASERS:
            mine = [r for r in readings if r["eraser"] == e]
            if not mine:
                continue
            fired = [r for r in mine if r["fires"]]
            top = max(mine, key=lambda r: r["rise"])
            d = top["comparison"]["difference"]
            parts.append(
                f"{e} {'FIRES' if fired else 'does not fire'}"
                + (f" ({', '.join(r['probe'] for r in fired)})" if fired else "")
                + f", largest rise {top['probe']} {d['value']:+.3f} [{d['low']:+.3f}, "
                f"{d['high']:+.3f}] (sampling interval +-{top['split_interval']:.3f}), "
                f"rate {top['rate']['value'] * n:.0f}/{n} seeds")
        out.append((f"injection, {g}", "; ".join(parts), note))
    family = [r for r in doc["injection"] if r["generator"] != INJECTION_GENERATOR]
    pairs = {(r["generator"], r["eraser"]) for r in family}
    flagged = sorted({(r["generator"], r["eraser"]) for r in family if r["fires"]})
    seed_fires = sum(sum(r["per_seed"]) for r in family)
    seed_total = sum(len(r["per_seed"]) for r in family)
    planted = [r for r in doc["injection"] if r["generator"] == INJECTION_GENERATOR]
    if planted:
        fired = [r for r in planted if r["fires"]]
        erasers = sorted({r["eraser"] for r in fired})
        rates = ", ".join(f"{r['eraser']}/{r['probe']} {r['rate']['value'] * n:.0f}/{n}"
                          for r in fired)
        where = (f"on {INJECTION_GENERATOR} it fires for {', '.join(erasers)} (per-seed "
                 f"rate: {rates}) and for no other eraser" if fired else
                 f"on {INJECTION_GENERATOR} it fires for no eraser")
    else:
        where = f"{INJECTION_GENERATOR} was not run"
    where += (f"; on the family's generators it fires on {len(flagged)} of {len(pairs)} "
              f"(generator, eraser) pairs"
              + (f" ({', '.join(f'{g}/{e}' for g, e in flagged)})" if flagged else "")
              + f", and {seed_fires} of {seed_total} per-seed readings (generator, eraser, "
              f"probe, seed) rise beyond their own sampling interval")
    out.append(("the injection reading: where it fires", where,
                note + "; the family's does_not_inject check applies the same reading "
                "(`metrics.injection`) to every eraser of every grid cell, with the grid's "
                "four probes"))
    return out


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """The study in words, read from the document: ``(term, sentence, note)``."""
    out = [_leace_finding(doc, g) for g in doc["generators"]]
    out.append(_published_finding(doc))
    out += [_other_erasers_finding(doc, g) for g in doc["generators"]]
    out += _injection_findings(doc)
    chosen = [c for g in doc["generators"] for cond in doc["summary"][g].values()
              for c in cond["rbf_svm"].get("chosen", [])]
    if chosen:
        counts = {}
        for c in chosen:
            key = f"C={c['C']:g}, gamma={c['gamma_times_d']:g}/d"
            counts[key] = counts.get(key, 0) + 1
        out.append(("the RBF SVM's settings",
                    "chosen by 2-fold cross-validation on 200 rows of each fit split, over "
                    "C in {1, 10} and gamma in {0.5, 2}/d (standardised data): "
                    + ", ".join(f"{k} ({v} fits)" for k, v in sorted(counts.items(),
                                                                    key=lambda kv: -kv[1])),
                    f"{len(chosen)} fits"))
    return out


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """Leakage of every probe per generator and condition (seed means, 95% intervals)."""
    head = ["generator", "eraser", *doc["probes"]]
    rows = []
    for g in doc["generators"]:
        for c, cell in doc["summary"][g].items():
            rows.append([g, c, *(format_estimate(cell[p]["leakage"], 2) for p in doc["probes"])])
    return [("Held-out leakage (balanced accuracy - chance) of six probes, raw data ('none') "
             "and after each eraser; seed means with 95% Student-t intervals", head, rows)]


def draw(doc: dict):
    """One panel per generator: leakage of each probe (bars) per condition (groups).
    Yields ``(caption, file name, Figure)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import estimate_bars

    gens = doc["generators"]
    cols = min(3, len(gens))
    nrows = -(-len(gens) // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(4.2 * cols, 3.2 * nrows), squeeze=False)
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.12, top=0.88, hspace=0.55, wspace=0.25)
    cmap = plt.get_cmap("tab10")
    width = 0.8 / len(doc["probes"])
    for ax, g in zip(axes.ravel()[:len(gens)], gens, strict=True):
        conds = list(doc["summary"][g])
        x = np.arange(len(conds))
        for j, p in enumerate(doc["probes"]):
            estimate_bars(ax, x + (j - (len(doc["probes"]) - 1) / 2) * width,
                          [doc["summary"][g][c][p]["leakage"] for c in conds], width,
                          capsize=1.5, color=cmap(j), label=p)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xticks(x, conds, fontsize=7)
        ax.set_title(g, fontsize=9)
        ax.set_ylabel("leakage", fontsize=8)
    for ax in axes.ravel()[len(gens):]:
        ax.axis("off")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=7,
               frameon=False)
    caption = (f"Held-out leakage of six probes before ('none') and after each eraser, per "
               f"generator; {len(doc['seeds'])} seeds, 95% intervals")
    yield caption, f"{STUDY}.png", fig


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, f"{STUDY}.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
