"""Truth against a distractor word: which feature do the unsupervised finders pick, by strength?

Farquhar et al. (2023, arXiv 2312.10029, Section 4.1) append one of two random words to the
members of every contrast pair; CCS and contrast-pair PCA then classify the word instead of
the truth. This study sweeps the word's amplitude relative to truth's (``r``, the
``distractor_strength`` of `generators.distractor_facts`) and, for every built-in
unsupervised finder of the truth family (those whose ``fit`` does not require labels: CCS,
contrast-pair PCA and the random-direction floor), measures per strength

- the rate of seeds on which the method found the truth, the distractor, or neither
  (`benchmarks.truth.family.feature_verdict`: sign-agnostic held-out accuracy >= 0.9 against
  the truth labels, else against the distractor labels, else neither), with 95% Wilson
  intervals over seeds;
- the labels it takes to recover the truth from the method's candidates (its restarts, if
  it has several) with their sign: the family's ``labels_needed`` (replayed one labelled
  pair at a time, `metrics.labels_needed`); "never" when no candidate reaches 0.9 on truth;
- the mean sign-agnostic held-out accuracy against each label set.

Where the distractor wins: for each method, the smallest swept strength at which its
distractor rate exceeds its truth rate (point estimates), and the smallest at which the two
95% Wilson intervals are separated (distractor above truth).

Streams: seed ``s`` draws its data from ``SeedStreams("distractor_facts", s)`` exactly as the
grid cell does (train split 0, held-out split 1, labelled split 2) and the method from that
seed's first method stream, so the row at strength 2 and seeds 0-2 reproduces the grid's
``distractor_facts`` cells (`tests/test_distractor_study.py` checks it). The generator
draws the labels, content and noise independently of the strength, so at one seed every
strength sees the same pairs with only the word's amplitude changed.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from sklearn.utils import get_tags
from threadpoolctl import threadpool_limits

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec, MethodSpec
from benchmarks.study_cli import study_context, study_main, study_profile, study_seeds
from benchmarks.truth.family import (
    HELDOUT,
    LABELLED,
    MAIN_FIT,
    SIZES,
    TARGET_ACCURACY,
    TRAIN,
    VERDICTS,
    _direction,
    _fit,
    _hits,
    _labels_needed,
    _proba,
    feature_verdict,
    truth_methods,
)
from floor.validation import check_int
from generators.distractor_facts import make_distractor_facts
from metrics.statistics import mean_over_seeds, rate_over_seeds

# The report's heading and question (`reports.studies`).
TITLE = "Truth against a distractor word, by the word's strength"
QUESTION = (
    "A random word appended to each contrast pair (one member gets each of two words, at "
    "random: Farquhar et al. 2023) is a second perfectly consistent feature. As its "
    "amplitude in the pair differences grows from 0 to 4x truth's, how often does each "
    "unsupervised finder find the truth, the word, or neither (sign-agnostic held-out "
    "accuracy >= 0.9 on that label set), and how many labels does it take to recover the "
    "truth from its candidates?")

STUDY = "distractor"
GENERATOR = "distractor_facts"
CONFIDENCE = 0.95
# The sweep: the word's amplitude relative to truth's (its variance in the differences is
# r^2 times truth's). Quick: 20 seeds per strength (a 95% Wilson interval of +-0.2 at a
# rate of 1/2), measured 8.4-10 s of CPU for the three unsupervised finders; full: the
# family's full size, 100 seeds and a finer grid, measured 11.6 s of CPU per seed (about
# 20 CPU-minutes; not run here).
PROFILES = {
    "quick": {"n_pairs": SIZES["quick"]["n_pairs"], "n_features": SIZES["quick"]["n_features"],
              "noise": SIZES["quick"]["single_noise"],
              "strengths": (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0), "n_seeds": 20},
    "full": {"n_pairs": SIZES["full"]["n_pairs"], "n_features": SIZES["full"]["n_features"],
             "noise": SIZES["full"]["single_noise"],
             "strengths": (0.0, 0.25, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 4.0, 8.0),
             "n_seeds": 100},
}
COLOURS = {"truth": "tab:green", "distractor": "tab:red", "neither": "tab:grey"}


def _profile(profile) -> dict:
    return study_profile(profile, PROFILES)


def requires_labels(method: MethodSpec) -> bool:
    """Whether the method's estimator needs ``y`` to fit (scikit-learn's target tag)."""
    est = method.build(None, np.random.SeedSequence(0))
    return bool(get_tags(est).target_tags.required)


def unsupervised_methods() -> list[MethodSpec]:
    """The truth family's built-in methods that fit without labels, in the family's order."""
    return [m for m in truth_methods(Profile("quick", 1)) if not requires_labels(m)]


def _generator(prof: dict) -> GeneratorSpec:
    """The grid's distractor generator at the profile's size; the strength is set per call."""
    return GeneratorSpec(GENERATOR, "truth", make_distractor_facts,
                         {"n_pairs": prof["n_pairs"], "n_features": prof["n_features"],
                          "noise": prof["noise"]})


def score_seed(seed: int, prof: dict, method_names: list[str]) -> list[dict]:
    """Every (method, strength) row of one seed: the grid's fit and scoring at that seed.

    Per strength the three splits are drawn once and every method is fitted on the same
    training split with its grid stream (``streams.method(MAIN_FIT)``).
    """
    methods = {m.name: m for m in truth_methods(Profile("quick", 1))}
    gen = _generator(prof)
    streams = SeedStreams(GENERATOR, int(seed))
    rows = []
    with threadpool_limits(limits=1):
        for r in prof["strengths"]:
            train, heldout, labelled = (gen.dataset(streams, s, distractor_strength=float(r))
                                        for s in (TRAIN, HELDOUT, LABELLED))
            gt = heldout.ground_truth
            n = heldout.n_samples
            for name in method_names:
                start = time.perf_counter()
                est = _fit(methods[name], streams, MAIN_FIT, train)
                fit_s = time.perf_counter() - start
                proba = _proba(est, heldout)
                truth_acc = _hits(proba, heldout.y)[1] / n
                word_acc = _hits(proba, gt["distractor_labels"])[1] / n
                v = _direction(est, heldout.n_features)
                rows.append({
                    "method": name, "strength": float(r), "seed": int(seed),
                    "truth_accuracy": truth_acc, "distractor_accuracy": word_acc,
                    "verdict": feature_verdict(truth_acc, word_acc),
                    "labels_needed": _labels_needed(est, heldout, labelled),
                    "n_labelled": labelled.n_samples,
                    "cos_true_direction": None if v is None
                    else float(abs(v @ gt["true_direction"])),
                    "cos_distractor_direction": None if v is None
                    else float(abs(v @ gt["distractor_direction"])),
                    "fit_time_s": fit_s,
                })
    return rows


def _labels_or_more(row: dict) -> float:
    """One seed's labels needed, "never" counted as one more than the labelled split."""
    needed = row["labels_needed"]
    return float(row["n_labelled"] + 1 if needed is None else needed)


def summarise(rows: list[dict]) -> list[dict]:
    """Per (method, strength): verdict counts and rates (95% Wilson), mean accuracies
    (95% Student-t), labels needed (median and worst over seeds, "never" counted as
    ``n_labelled + 1``) and the rate of seeds on which labels recover the truth at all."""
    out = []
    keys = sorted({(r["method"], r["strength"]) for r in rows},
                  key=lambda k: (_order(rows, k[0]), k[1]))
    for method, strength in keys:
        group = [r for r in rows if r["method"] == method and r["strength"] == strength]
        verdicts = [r["verdict"] for r in group]
        labels = [_labels_or_more(r) for r in group]
        s = {"method": method, "strength": strength, "n_seeds": len(group),
             "n_labelled": group[0]["n_labelled"],
             "counts": {v: verdicts.count(v) for v in VERDICTS},
             "truth_accuracy": mean_over_seeds(
                 [r["truth_accuracy"] for r in group], CONFIDENCE).to_dict(),
             "distractor_accuracy": mean_over_seeds(
                 [r["distractor_accuracy"] for r in group], CONFIDENCE).to_dict(),
             "labels_needed_median": float(np.median(labels)),
             "labels_needed_worst": float(max(labels)),
             "recovered_rate": rate_over_seeds(
                 [r["labels_needed"] is not None for r in group], CONFIDENCE).to_dict()}
        for v in VERDICTS:
            s[f"{v}_rate"] = rate_over_seeds([x == v for x in verdicts], CONFIDENCE).to_dict()
        out.append(s)
    return out


def _order(rows: list[dict], method: str) -> int:
    return next(i for i, r in enumerate(rows) if r["method"] == method)


def crossover(summary: list[dict], method: str) -> dict:
    """Where the distractor wins for ``method``, read from its `summarise` rows.

    Returns
    -------
    dict
        ``wins_from``: the smallest swept strength at which the distractor rate exceeds the
        truth rate (point estimates), or None; ``separated_from``: the smallest at which the
        distractor's 95% Wilson interval lies entirely above the truth's, or None;
        ``truth_separated_until``: the largest at which the truth's interval lies entirely
        above the distractor's, or None.

    Raises ValueError naming ``method`` when the summary has no row of it.
    """
    rows = sorted((s for s in summary if s["method"] == method), key=lambda s: s["strength"])
    if not rows:
        raise ValueError(f"method {method!r} has no row in the summary")

    def first(pred):
        return next((s["strength"] for s in rows if pred(s)), None)

    above = [s["strength"] for s in rows
             if s["truth_rate"]["low"] > s["distractor_rate"]["high"]]
    return {"method": method,
            "wins_from": first(lambda s: s["distractor_rate"]["value"]
                               > s["truth_rate"]["value"]),
            "separated_from": first(lambda s: s["distractor_rate"]["low"]
                                    > s["truth_rate"]["high"]),
            "truth_separated_until": max(above) if above else None}


def run(profile="quick", seeds=None, jobs: int = 1, methods=None) -> dict:
    """Run the study and return its JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict, default="quick"
        A `PROFILES` name, or a dict of the same keys (tests use tiny ones).
    seeds : sequence of int, optional
        Seeds (default ``0 .. n_seeds - 1`` of the profile).
    jobs : int, default=1
        Worker processes, one task per seed; the numbers do not depend on ``jobs``.
    methods : sequence of str, optional
        Names among the truth family's methods (default: the unsupervised ones,
        `unsupervised_methods`).

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "methods", "strengths", "target", "rows",
        "summary", "crossover", "jobs", "wall_s", "cpu_s"}``.
    """
    prof = _profile(profile)
    known = [m.name for m in truth_methods(Profile("quick", 1))]
    names = [m.name for m in unsupervised_methods()] if methods is None else list(methods)
    if not names or any(n not in known for n in names):
        raise ValueError(f"methods must name entries of {known}, got {methods!r}")
    seed_list = study_seeds(seeds, range(prof["n_seeds"]))
    check_int(jobs, "jobs")
    wall, cpu = time.perf_counter(), time.process_time()
    if jobs == 1:
        per_seed = [score_seed(s, prof, names) for s in seed_list]
        child_cpu = 0.0
    else:
        ctx = study_context()
        with ProcessPoolExecutor(min(jobs, len(seed_list)), mp_context=ctx) as pool:
            pairs = list(pool.map(_timed_seed, seed_list, [prof] * len(seed_list),
                                  [names] * len(seed_list)))
        per_seed = [p[0] for p in pairs]
        child_cpu = sum(p[1] for p in pairs)
    rows = [r for seed_rows in per_seed for r in seed_rows]
    summary = summarise(rows)
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "methods": names,
            "strengths": [float(r) for r in prof["strengths"]], "target": TARGET_ACCURACY,
            "rows": rows, "summary": summary,
            "crossover": [crossover(summary, n) for n in names], "jobs": int(jobs),
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


def _timed_seed(seed, prof, names):
    start = time.process_time()
    rows = score_seed(seed, prof, names)
    return rows, time.process_time() - start


# --- findings and figures -------------------------------------------------------------------

def _strength(r: float | None) -> str:
    return "no swept strength" if r is None else f"{r:g}x"


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """Per method: its verdicts at every strength and where the distractor wins; then the
    labels it takes to recover the truth at every strength."""
    out = []
    n_seeds = len(doc["seeds"])
    for method in doc["methods"]:
        rows = [s for s in doc["summary"] if s["method"] == method]
        cross = next(c for c in doc["crossover"] if c["method"] == method)
        counts = "; ".join(
            f"{s['strength']:g}x: {s['counts']['truth']}/{s['counts']['distractor']}/"
            f"{s['counts']['neither']}" for s in rows)
        sentence = (f"seeds finding truth/distractor/neither of {n_seeds}, by strength: "
                    f"{counts}. The distractor's rate first exceeds truth's at "
                    f"{_strength(cross['wins_from'])}, their intervals first separated (the "
                    f"distractor's above) at {_strength(cross['separated_from'])}; truth's "
                    f"interval lies above the distractor's up to "
                    f"{_strength(cross['truth_separated_until'])}")
        out.append((f"{method}: truth or the word", sentence,
                    f"verdict at sign-agnostic held-out accuracy >= {doc['target']:g}; 95% "
                    "Wilson intervals over seeds; strengths are the word's amplitude "
                    "relative to truth's"))
        labels = "; ".join(
            f"{s['strength']:g}x: median {_labels(s['labels_needed_median'], s)}, "
            f"recovered on {s['recovered_rate']['value']:.0%}" for s in rows)
        out.append((f"{method}: labels to recover truth",
                    f"labelled pairs until the chosen candidate (and sign) reaches "
                    f"{doc['target']:g} on truth, by strength: {labels}",
                    "median over seeds, a seed where no candidate reaches the target counted "
                    f"as never (n_labelled + 1 = {rows[0]['n_labelled'] + 1}); recovered = "
                    "the fraction of seeds where some candidate does"))
    return out


def _labels(value: float, s: dict) -> str:
    return "never" if value > s["n_labelled"] else f"{value:g}"


def draw(doc: dict):
    """Verdict rates against strength, one panel per method (95% Wilson bars), and the
    labels needed to recover truth against strength. Yields ``(caption, file name,
    Figure)``; method names are drawn through `benchmarks.figure_labels`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import add_key, method_labels

    methods, strengths = doc["methods"], doc["strengths"]
    labels = method_labels(methods)
    x = np.arange(len(strengths))
    fig, axes = plt.subplots(1, len(methods), figsize=(4.0 * len(methods), 3.6), sharey=True,
                             squeeze=False)
    for ax, method in zip(axes[0], methods, strict=True):
        rows = {s["strength"]: s for s in doc["summary"] if s["method"] == method}
        for j, verdict in enumerate(VERDICTS):
            est = [rows[r][f"{verdict}_rate"] for r in strengths]
            y = np.array([e["value"] for e in est])
            err = np.array([[e["value"] - e["low"] for e in est],
                            [e["high"] - e["value"] for e in est]])
            ax.errorbar(x + (j - 1) * 0.08, y, yerr=err, color=COLOURS[verdict], marker="o",
                        ms=4, lw=1.2, capsize=2, label=verdict)
        ax.set_xticks(x)
        ax.set_xticklabels([f"{r:g}" for r in strengths])
        ax.set_xlabel("word amplitude / truth amplitude")
        ax.set_title(labels[method], fontsize=9)
        ax.set_ylim(-0.03, 1.03)
    axes[0][0].set_ylabel(f"rate of seeds (of {len(doc['seeds'])})")
    axes[0][0].legend(fontsize=7, loc="center left")
    fig.suptitle("What each unsupervised finder finds as the distractor word grows "
                 "(95% Wilson intervals)", fontsize=9)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.84, wspace=0.08)
    yield ("Rate of seeds on which each unsupervised finder finds the truth, the distractor "
           "word or neither, against the word's strength", "distractor_rates.png",
           add_key(fig, labels))

    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    never = doc["summary"][0]["n_labelled"] + 1
    for i, method in enumerate(methods):
        rows = {s["strength"]: s for s in doc["summary"] if s["method"] == method}
        y = [rows[r]["labels_needed_median"] for r in strengths]
        ax.plot(x + (i - 1) * 0.06, np.maximum(y, 0.5), marker="os^Dv"[i % 5], lw=1.2,
                label=labels[method])
    ax.axhline(never, color="grey", ls=":", lw=1)
    ax.text(x[0], never * 0.7, f"never (= {never})", fontsize=7, color="grey")
    ax.set_yscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{r:g}" for r in strengths])
    ax.set_xlabel("word amplitude / truth amplitude")
    ax.set_ylim(0.35, never * 1.8)
    ax.set_ylabel("labels to recover truth\n(median over seeds; 0 drawn at 0.5)")
    ax.legend(fontsize=7)
    fig.subplots_adjust(left=0.15, right=0.97, bottom=0.14, top=0.96)
    yield ("Labels needed to recover the truth from each finder's candidates (median over "
           "seeds), against the word's strength", "distractor_labels.png",
           add_key(fig, labels))



def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, "distractor.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
