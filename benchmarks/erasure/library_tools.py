"""concept-erasure's other tools against QLEACE: the Gaussian-barycentre map and the editor.

Issue 24, item 5. EleutherAI's concept-erasure (0.2.4) ships, besides LEACE and its
quadratic eraser (QLEACE), its optimal-transport functions
(``concept_erasure.optimal_transport``: ``ot_barycenter``, the fixed point of
Alvarez-Esteban et al. 2016, and ``ot_map``) and a quadratic *editor*
(``QuadraticFitter.editor()``) that moves rows from one class to another. Both erase the
first two moments of a concept when every class is moved to one common Gaussian:

- ``ot_barycentre`` (`methods.adapters.concept_erasure.BarycentreEraser`): every class to
  the prior-weighted Gaussian W2 barycentre ``N(mu, S_bar)`` (fixed point for every K);
- ``quadratic_editor`` (`methods.adapters.concept_erasure.QuadraticEditorEraser`): every
  class to the most frequent class's Gaussian (the editor's ``transport``);

beside the library's QLEACE (``qleace_library``, the adapter
`methods.adapters.concept_erasure.QuadraticEraser`: closed-form midpoint for two classes,
unweighted mean of the class means as target) and the built-in QLEACE (``qleace``,
`methods.erasure.qleace.QuadraticLeaceEraser`, the reference of every comparison). The
library's erasers run at its defaults (optimal linear shrinkage of the class covariances);
the built-in one uses Bessel-corrected covariances.

Every eraser is scored exactly as the erasure grid scores a cell
(`benchmarks.erasure.family.score_erasure_seed` with a `MethodSpec`, the family's sizes
``SIZES[sizes]``, its generators `erasure_generators` and its seeding `SeedStreams`):
held-out leakage (balanced accuracy - chance) of the grid's four probes (logistic, 0-1
linear, MLP, QDA), distortion (mean squared displacement / total variance) and the rank of
the change. Seed means carry 95% Student-t intervals; what each tool keeps and loses
against QLEACE is the paired difference to ``qleace`` on the same seeds
(`metrics.noise_floor.compare`: "above", "below" or "within noise", 95%).

One task is one (generator, eraser, seed), run with one BLAS thread. Without torch or
concept-erasure the study returns a document whose ``skipped`` says what to install.

Profiles: ``quick`` (two_class_gaussian, multiclass_gaussian (K = 4) and xor_concept at the
grid's quick sizes, n = 2000 probe rows, n_fit = 20000, d = 16, 3 seeds: 36 cells at 0.2-1.3
CPU s each, torch's import in each worker included; measured 14.3 CPU s of the run and its
workers, ~8 s wall with 2 idle workers) and ``full`` (adds outlier_equal_means,
weak_concept and injection_concept, the grid's full sizes n = 20000, n_fit = 200000, d = 64,
and 10 seeds; not run here: 240 cells at 5-8 CPU s each, measured on two_class_gaussian and
xor_concept, so ~24 CPU min, ~12 min wall with 2 workers). Every generator of the grid,
injection_concept included, is also run for both new erasers by ``pytest benchmarks/
--method`` (docs/adapters.md). The two generators the quick
profile leaves out show nothing new at quick sizes (measured, 3 seeds): on
outlier_equal_means the class means and covariances are already equal, so every map is the
identity up to sampling (distortion 1e-4 or less) and all four leave the 0-1 threshold, MLP
and QDA reading the concept as before; on weak_concept the shift is below what the probes
resolve, before and after.
"""

from __future__ import annotations

import importlib.util
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.erasure.family import SIZES, erasure_generators, score_erasure_seed
from benchmarks.profiles import get_profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec, MethodSpec
from benchmarks.study_cli import run_tasks, study_main, study_profile, study_seeds
from benchmarks.study_text import format_estimate
from floor.validation import check_int
from metrics.noise_floor import compare
from metrics.probes import PROBE_KINDS
from metrics.statistics import mean_over_seeds

TITLE = "concept-erasure's optimal-transport tools against QLEACE"
QUESTION = ("concept-erasure ships Gaussian optimal-transport maps and a quadratic editor "
            "besides its QLEACE. Moving every class to the classes' W2 barycentre, or to one "
            "class, erases the first two moments of the concept: where do they erase, and "
            "what do they keep and lose against QLEACE (leakage of each probe, distortion)?")

STUDY = "library_tools"
REFERENCE = "qleace"
ERASERS = ("ot_barycentre", "quadratic_editor", "qleace_library", REFERENCE)
PROBES = tuple(PROBE_KINDS)
DESCRIPTIVE_CONFIDENCE = 0.95
INSTALL = ("needs torch and concept-erasure (the erasers are the library's): python -m pip "
           "install -r requirements-adapters.txt -c constraints.txt")

_ALL = ("two_class_gaussian", "outlier_equal_means", "xor_concept", "multiclass_gaussian",
        "weak_concept", "injection_concept")
PROFILES = {
    "quick": {"generators": ("two_class_gaussian", "multiclass_gaussian", "xor_concept"),
              "sizes": "quick",
              "seeds": (0, 1, 2)},
    "full": {"generators": _ALL, "sizes": "full", "seeds": tuple(range(10))},
}
FULL_COST_NOTE = ("estimated ~24 CPU min: 6 generators x 4 erasers x 10 seeds at the grid's "
                  "full sizes (n = 20000, n_fit = 200000, d = 64), 5-8 CPU s a cell "
                  "(measured)")


def available() -> bool:
    """Whether torch and concept-erasure (the library's erasers) are installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("torch", "concept_erasure"))


def method_spec(name: str) -> MethodSpec:
    """The `MethodSpec` of eraser ``name`` of `ERASERS` (the library's at its defaults)."""
    from methods.erasure.qleace import QuadraticLeaceEraser

    if name == REFERENCE:
        return MethodSpec(name, "erasure", lambda t, s: QuadraticLeaceEraser())
    if name not in ERASERS:
        raise ValueError(f"eraser must be one of {ERASERS}, got {name!r}")
    from methods.adapters import concept_erasure as ce

    cls = {"ot_barycentre": ce.BarycentreEraser, "quadratic_editor": ce.QuadraticEditorEraser,
           "qleace_library": ce.QuadraticEraser}[name]
    return MethodSpec(name, "erasure", lambda t, s: cls(), builtin=False)


def generator_spec(name: str, prof: dict) -> GeneratorSpec:
    """The family's generator ``name`` at the family's sizes ``prof["sizes"]`` (a profile
    dict may override its ``n_samples``, the probe splits' rows)."""
    family = {g.name: g for g in erasure_generators(get_profile(prof["sizes"]))}
    if name not in family:
        raise ValueError(f"generators must name entries of {sorted(family)}, got {name!r}")
    kwargs = dict(family[name].kwargs)
    if "n_samples" in prof:
        kwargs["n_samples"] = check_int(prof["n_samples"], "n_samples", minimum=50)
    return GeneratorSpec(name, "erasure", family[name].make, kwargs)


def _profile(profile) -> dict:
    prof = study_profile(profile, PROFILES)
    missing = {"generators", "sizes", "seeds"} - set(prof)
    if missing:
        raise ValueError(f"profile dict lacks {sorted(missing)}")
    if prof["sizes"] not in SIZES:
        raise ValueError(f"sizes must be one of {sorted(SIZES)}, got {prof['sizes']!r}")
    return prof


KEPT = ("distortion", "rank_removed", "fit_class_mean_gap", "fit_time_s")


def run_cell(generator: str, eraser: str, seed: int, prof: dict) -> dict:
    """`score_erasure_seed` of one eraser on one generator at one seed: a row of the
    document (``probes`` balanced accuracies and chance, `KEPT` numbers)."""
    spec = generator_spec(generator, prof)
    score = score_erasure_seed(method_spec(eraser), spec, SeedStreams(generator, int(seed)),
                               get_profile(prof["sizes"]))
    return {"generator": generator, "eraser": eraser, "seed": int(seed),
            "probes": score["probes"], **{k: score[k] for k in KEPT}}


def _timed_cell(generator: str, eraser: str, seed: int, prof: dict):
    start = time.process_time()
    with threadpool_limits(limits=1):
        row = run_cell(generator, eraser, seed, prof)
    return row, time.process_time() - start


def _series(rows, g, e, key):
    """Per-seed values (sorted by seed) of ``key`` (a `KEPT` name or ``leakage_<probe>``)."""
    sub = sorted((r for r in rows if r["generator"] == g and r["eraser"] == e),
                 key=lambda r: r["seed"])
    if key.startswith("leakage_"):
        p = key[len("leakage_"):]
        return [r["probes"][p]["balanced_accuracy"] - r["probes"][p]["chance"] for r in sub]
    return [float(r[key]) for r in sub]


METRICS = (*(f"leakage_{p}" for p in PROBES), "distortion")


def summarise(rows: list[dict]) -> dict:
    """``{generator: {eraser: {metric: Estimate dict}}}``: seed means with 95% t intervals
    of each probe's leakage, distortion and rank removed; the largest fit-data class-mean
    gap over seeds (``fit_class_mean_gap``, a number read, not estimated)."""
    out = {}
    for g in dict.fromkeys(r["generator"] for r in rows):
        out[g] = {}
        for e in ERASERS:
            if not _series(rows, g, e, "distortion"):
                continue
            cell = {m: mean_over_seeds(_series(rows, g, e, m), DESCRIPTIVE_CONFIDENCE).to_dict()
                    for m in (*METRICS, "rank_removed")}
            cell["fit_class_mean_gap"] = max(_series(rows, g, e, "fit_class_mean_gap"))
            out[g][e] = cell
    return out


def comparisons(rows: list[dict]) -> list[dict]:
    """Every eraser against `REFERENCE` (and the editor against the barycentre map), per
    generator and metric: ``{generator, eraser, against, metric, comparison}`` where
    ``comparison`` is `metrics.noise_floor.compare(eraser, against, paired=True)`."""
    out = []
    pairs = [(e, REFERENCE) for e in ERASERS if e != REFERENCE]
    pairs.append(("quadratic_editor", "ot_barycentre"))
    for g in dict.fromkeys(r["generator"] for r in rows):
        for e, ref in pairs:
            for m in METRICS:
                a, b = _series(rows, g, e, m), _series(rows, g, ref, m)
                if len(a) < 2 or len(a) != len(b):
                    continue
                out.append({"generator": g, "eraser": e, "against": ref, "metric": m,
                            "comparison": compare(a, b, paired=True)})
    return out


def run(profile="quick", seeds=None, jobs: int = 1) -> dict:
    """Run the study; returns its JSON-able document.

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "generators", "erasers", "probes", "sizes", "rows",
        "summary", "comparisons", "cost_estimate", "jobs", "wall_s", "cpu_s"}``, or, without
        torch or concept-erasure, ``{"study", "profile", "seeds": [], "skipped"}``.
    """
    name = profile if isinstance(profile, str) else "custom"
    prof = _profile(profile)
    seed_list = study_seeds(seeds, prof["seeds"])
    check_int(jobs, "jobs")
    for g in prof["generators"]:
        generator_spec(g, prof)  # refuses an unknown name before any work
    if not available():
        return {"study": STUDY, "profile": name, "seeds": [], "skipped": INSTALL}
    tasks = [(g, e, s, prof) for g in prof["generators"] for s in seed_list for e in ERASERS]
    wall, cpu = time.perf_counter(), time.process_time()
    rows, child = run_tasks(_timed_cell, tasks, jobs)
    sizes = {**SIZES[prof["sizes"]], **({"n_samples": prof["n_samples"]}
                                         if "n_samples" in prof else {})}
    return {"study": STUDY, "profile": name, "seeds": seed_list,
            "generators": list(prof["generators"]), "erasers": list(ERASERS),
            "probes": list(PROBES), "sizes": sizes, "rows": rows,
            "summary": summarise(rows), "comparisons": comparisons(rows),
            "cost_estimate": FULL_COST_NOTE if name == "full" else None,
            "jobs": int(jobs), "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child}


# --- findings, tables and figures -----------------------------------------------------------


def _diff(c: dict, digits: int = 3) -> str:
    """``+0.055 [+0.005, +0.105] (above)``; in scientific notation when the interval is
    below what ``digits`` decimals show (a difference of rounding or shrinkage)."""
    d = c["difference"]
    tiny = max(abs(d["low"]), abs(d["high"])) < 10.0 ** (1 - digits)
    form = "+.1e" if tiny else f"+.{digits}f"
    return (f"{d['value']:{form}} [{d['low']:{form}}, {d['high']:{form}}] "
            f"({c['verdict']})")


def _erases(cell: dict) -> list[str]:
    """The probes whose leakage interval lies above 0 (the concept is read)."""
    return [p for p in PROBES if cell[f"leakage_{p}"]["low"] > 0]


def _where_finding(doc: dict, g: str) -> tuple[str, str, str]:
    parts = []
    for e, cell in doc["summary"][g].items():
        read = _erases(cell)
        worst = max(PROBES, key=lambda p: cell[f"leakage_{p}"]["value"])
        parts.append(f"{e}: " + (f"read by {', '.join(read)}" if read else "erased for every "
                                 "probe") + f" (largest leakage {worst} "
                     f"{format_estimate(cell[f'leakage_{worst}'])}), distortion "
                     f"{format_estimate(cell['distortion'])}, rank of the change "
                     f"{cell['rank_removed']['value']:.0f}, fit-data class-mean gap "
                     f"{cell['fit_class_mean_gap']:.1e}")
    return (f"where they erase, {g}", "; ".join(parts),
            f"leakage = held-out balanced accuracy - chance of the grid's probes; seed means, "
            f"95% t intervals over {len(doc['seeds'])} seeds; a probe reads the concept when "
            f"its interval lies above 0")


def _why_finding(doc: dict) -> tuple[str, str, str]:
    """Why each tool's distortion sits where it does against QLEACE (the numbers per
    generator are in the paired-differences table)."""
    ratios = {g: doc["summary"][g]["quadratic_editor"]["distortion"]["value"]
              / max(doc["summary"][g]["ot_barycentre"]["distortion"]["value"], 1e-300)
              for g in doc["generators"]}
    same = [abs(c["comparison"]["difference"]["value"]) for c in doc["comparisons"]
            if c["metric"] == "distortion" and c["against"] == REFERENCE
            and c["eraser"] in ("ot_barycentre", "qleace_library")]
    sentence = (
        "the barycentre map and the library's QLEACE build the same maps as the built-in "
        "QLEACE from shrunk class covariances (the library's default), which are nearer each "
        f"other, so they move rows a little less (distortion differences at most "
        f"{max(same):.1e}; without shrinkage the barycentre map equals QLEACE to 1e-6, "
        "tests/adapters/test_ot_tools.py). The editor moves class k's mean by ||mu_k - "
        "mu_t||, and sum_k p_k ||mu_k - mu_t||^2 = sum_k p_k ||mu_k - mu||^2 + ||mu_t - "
        "mu||^2: twice the barycentre's when the target class sits as far from the mean as "
        "the classes do on average, as with two balanced classes or a symmetric simplex of "
        "means; measured, editor over barycentre: " + ", ".join(
            f"{g} {r:.2f}" for g, r in ratios.items()))
    return ("why the distortions differ", sentence,
            "the per-generator paired differences (distortion and each probe's leakage, "
            "against QLEACE and the editor against the barycentre map) are in the table "
            "below")


def _headline(doc: dict) -> tuple[str, str, str]:
    """Across generators: how far each tool is from QLEACE, and the editor's price."""
    parts = []
    for e in ERASERS[:-1]:
        mine = [c for c in doc["comparisons"] if c["eraser"] == e and c["against"] == REFERENCE]
        leaks = [c for c in mine if c["metric"] != "distortion"]
        called = [f"{c['generator']}/{c['metric'][len('leakage_'):]} "
                  f"{c['comparison']['difference']['value']:+.1e}" for c in leaks
                  if c["comparison"]["verdict"] != "within noise"]
        dist = [c["comparison"]["difference"]["value"] for c in mine
                if c["metric"] == "distortion"]
        ratios = [doc["summary"][g][e]["distortion"]["value"]
                  / max(doc["summary"][g][REFERENCE]["distortion"]["value"], 1e-300)
                  for g in doc["generators"]]
        parts.append(f"{e}: distortion {min(ratios):.2f}-{max(ratios):.2f} times QLEACE's "
                     f"(largest difference {max(dist, key=abs):+.1e}); "
                     f"{len(leaks) - len(called)} of {len(leaks)} probe leakages within noise "
                     f"of QLEACE's" + (f" (called: {', '.join(called)})" if called else ""))
    return ("against QLEACE, every generator", "; ".join(parts),
            f"paired differences over {len(doc['seeds'])} shared seeds (95%); a leakage "
            f"difference of one held-out row in {doc['sizes']['n_samples']} is "
            f"{1 / doc['sizes']['n_samples']:.1e} and is called when every seed shows it")


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """The study in words, read from the document: ``(term, sentence, note)``."""
    if doc.get("skipped"):
        return [("not run", doc["skipped"], "")]
    out = [_headline(doc)] if doc["comparisons"] else []
    out += [_where_finding(doc, g) for g in doc["generators"]]
    if not doc["comparisons"]:  # one seed: nothing to pair
        return out + [("against QLEACE", f"not compared: paired differences need at least 2 "
                       f"seeds, the run had {len(doc['seeds'])}", "")]
    return out + [_why_finding(doc)]


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """Leakage, distortion and rank per generator and eraser; the paired differences."""
    if doc.get("skipped"):
        return []
    head = ["generator", "eraser", *(f"leakage {p}" for p in PROBES), "distortion", "rank"]
    rows = [[g, e, *(format_estimate(cell[f"leakage_{p}"]) for p in PROBES),
             format_estimate(cell["distortion"]),
             f"{cell['rank_removed']['value']:.0f}"]
            for g in doc["generators"] for e, cell in doc["summary"][g].items()]
    diff_head = ["generator", "eraser - reference", *METRICS]
    diff_rows = []
    for g in doc["generators"]:
        for e, ref in dict.fromkeys((c["eraser"], c["against"]) for c in doc["comparisons"]
                                    if c["generator"] == g):
            by = {c["metric"]: c["comparison"] for c in doc["comparisons"]
                  if c["generator"] == g and c["eraser"] == e and c["against"] == ref}
            diff_rows.append([g, f"{e} - {ref}", *(_diff(by[m], 4) for m in METRICS)])
    return [("Held-out leakage (balanced accuracy - chance), distortion and rank of the "
             "change per eraser; seed means with 95% Student-t intervals", head, rows),
            ("What each tool keeps and loses against QLEACE: paired differences over seeds "
             "with 95% intervals and verdicts", diff_head, diff_rows)]


def draw(doc: dict):
    """Per generator: leakage of each probe (bars) per eraser, and distortion per eraser.
    Yields ``(caption, file name, Figure)``; nothing for a skipped document."""
    if doc.get("skipped"):
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import estimate_bars

    gens = doc["generators"]
    fig, axes = plt.subplots(len(gens), 2, figsize=(10, 3.0 * len(gens)), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 1.4]})
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.1, top=0.9, hspace=0.6, wspace=0.3)
    cmap = plt.get_cmap("tab10")
    width = 0.8 / len(PROBES)
    for (left, right), g in zip(axes, gens, strict=True):
        erasers = list(doc["summary"][g])
        x = np.arange(len(erasers))
        for j, p in enumerate(PROBES):
            estimate_bars(left, x + (j - (len(PROBES) - 1) / 2) * width,
                          [doc["summary"][g][e][f"leakage_{p}"] for e in erasers], width,
                          capsize=1.5, color=cmap(j), label=p)
        left.axhline(0, color="grey", lw=0.8)
        left.set_xticks(x, erasers, fontsize=7)
        left.set_title(f"{g}: leakage", fontsize=9)
        left.set_ylabel("balanced acc. - chance", fontsize=8)
        estimate_bars(right, x, [doc["summary"][g][e]["distortion"] for e in erasers], 0.6,
                      color="grey", capsize=2)
        right.set_xticks(x, erasers, fontsize=6, rotation=30)
        right.set_title(f"{g}: distortion", fontsize=9)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=len(labels), fontsize=7,
               frameon=False)
    caption = (f"Held-out leakage of the grid's probes and distortion after the library's OT "
               f"barycentre map, its editor, its QLEACE and the built-in QLEACE; "
               f"{len(doc['seeds'])} seeds, 95% intervals")
    yield caption, f"{STUDY}.png", fig


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, f"{STUDY}.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
