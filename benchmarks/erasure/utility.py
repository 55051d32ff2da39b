"""Utility: what does erasing a concept cost a correlated target task, for every eraser?

The question of Holstege, Ravfogel & Wouters (NeurIPS 2025, arXiv 2506.10703): erasing a
concept ``z`` should keep what a target task ``y`` needs, and when ``z`` and ``y`` are
correlated every eraser that zeroes ``Cov(x, z)`` moves directions the target uses. SPLINCE
(`methods.erasure.splince`) zeroes ``Cov(x, z)`` and keeps ``Cov(x, y)`` exactly, with the
least distortion among erasers that do both. This study runs every eraser of the erasure
family's list (`benchmarks.erasure.family.erasure_methods`, built from it: a new eraser
there is measured here too) and SPLINCE given the target, on
`generators.concept_and_target` at several label correlations ``rho``.

Per setting and seed ``s`` (``SeedStreams("utility:concept_and_target", s)``; the data
stream is shared by the settings, so the planted structure is the same across ``rho`` and
only the labels' coupling changes): split 0 (``n_fit`` rows) fits every eraser, split 1
(``n_samples`` rows, erased) trains the probes, split 2 (erased) scores them. Every eraser
gets the method stream ``method(0)``; probe ``k`` gets ``probe(k)`` whatever the eraser, so
per-seed differences between erasers are paired. Erasers whose transform needs the concept
labels (mean matching, QLEACE) are given them, as in the family's grid.

Measured per eraser (all on held-out rows unless said):

- target accuracy after: a logistic probe (`metrics.probes`, balanced accuracy) trained
  on the erased split 1 for ``y``, scored on the erased split 2; beside the same probe on
  the raw data (before). The loss is before - after.
- target accuracy, probe frozen: the probe trained on the *raw* split 1, scored on the
  erased split 2: the paper's frozen last layer, where the covariance kept matters (a
  probe retrained on erased data sees the same kernel after LEACE and after SPLINCE and,
  unregularised, predicts the same: the paper's Sec. 4 equivalence).
- target accuracy, frozen mean-difference probe: ``w = mean(x | y=1) - mean(x | y=0)``
  and the midpoint threshold, from the raw split 1, scored on the erased split 2. An eraser
  that keeps ``Cov(x, y)`` and the mean keeps both class means of a binary ``y`` (they are
  ``mu + Cov(x, y) / p`` and ``mu - Cov(x, y) / (1 - p)``), so this rule's class means
  survive SPLINCE exactly; only the spread along ``w`` changes.
- target covariance kept: ``||Cov(x', y)|| / ||Cov(x, y)||`` on split 2, and on the fit
  split (where SPLINCE's is 1 to float64 precision).
- concept leakage after: logistic balanced accuracy for ``z`` minus 1/2.
- distortion: `metrics.subspace.distortion` (mean squared displacement over total variance;
  SPLINCE is optimal for every PSD norm, this one included).

Summaries are seed means with 95% Student-t intervals; comparisons are paired over the
shared seeds (`metrics.noise_floor.compare`). Quick: d = 16, the family's quick sizes,
``rho`` in {0, 0.5, 0.8} at a whitened angle of 60 degrees, 3 seeds. Full: the family's
full sizes (d = 64, 200000 fit rows), ``rho`` in {0, 0.25, 0.5, 0.8, 0.95}, angles 30, 60
and 90 degrees, 10 seeds.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from threadpoolctl import threadpool_limits

from benchmarks.erasure.family import SIZES, _apply, erasure_methods
from benchmarks.erasure.family import _fit as fit_eraser
from benchmarks.profiles import PROFILES as GRID_PROFILES
from benchmarks.seeding import SeedStreams
from benchmarks.spec import MethodSpec
from benchmarks.study_cli import study_context, study_main, study_profile, study_seeds
from benchmarks.study_text import format_difference, format_estimate
from floor.validation import check_int
from generators.concept_and_target import make_concept_and_target
from metrics.noise_floor import ABOVE, BELOW, compare
from metrics.probes import make_probe, score_probe
from metrics.statistics import mean_over_seeds
from metrics.subspace import distortion

TITLE = "Utility: what erasing a concept costs a correlated target task"
QUESTION = ("When the concept to erase is correlated with a target task, how much target "
            "accuracy (a retrained logistic probe, and a probe frozen before erasure) and "
            "how much of Cov(x, target) does each eraser keep, at what concept leakage and "
            "distortion? SPLINCE (Holstege et al. 2025) claims to keep the target "
            "covariance exactly with the least distortion among erasers that do.")

STUDY = "utility"
GENERATOR = "concept_and_target"
SPLINCE = "splince"
FIT, PROBE_TRAIN, PROBE_TEST = 0, 1, 2
# Probe streams: the same index for every eraser, so erasers are compared on equal probes.
TARGET_BEFORE, CONCEPT_BEFORE, TARGET_AFTER, CONCEPT_AFTER = 0, 1, 2, 3
CONFIDENCE = 0.95

PROFILES = {
    "quick": {"grid_profile": "quick", "n_samples": SIZES["quick"]["n_samples"],
              "n_fit": SIZES["quick"]["n_fit"], "n_features": SIZES["quick"]["n_features"],
              "correlations": (0.0, 0.5, 0.8), "angles": (60.0,), "seeds": (0, 1, 2)},
    "full": {"grid_profile": "full", "n_samples": SIZES["full"]["n_samples"],
             "n_fit": SIZES["full"]["n_fit"], "n_features": SIZES["full"]["n_features"],
             "correlations": (0.0, 0.25, 0.5, 0.8, 0.95), "angles": (30.0, 60.0, 90.0),
             "seeds": tuple(range(10))},
}
# Per-seed scores summarised and compared (name -> higher is better).
SCORES = {"target_accuracy": True, "target_loss": False, "target_accuracy_frozen": True,
          "target_accuracy_meandiff": True,
          "target_cov_kept": True, "target_cov_kept_fit": True, "concept_leakage": False,
          "distortion": False}


def _profile(profile) -> dict:
    if isinstance(profile, str):
        return study_profile(profile, PROFILES)
    if not isinstance(profile, dict) or not set(PROFILES["quick"]) <= set(profile):
        raise ValueError(f"profile must be a name or a dict with keys "
                         f"{sorted(PROFILES['quick'])}, got {profile!r}")
    return profile


def study_methods(grid_profile: str) -> list[MethodSpec]:
    """The erasure family's erasers at ``grid_profile``'s budgets (SPLINCE among them: the
    family's fit passes it the generator's target labels, `benchmarks.erasure.family._fit`)."""
    return list(erasure_methods(GRID_PROFILES[grid_profile]))


def _cov_norm(X: np.ndarray, labels: np.ndarray) -> float:
    """``||Cov(X, labels)||_2`` for labels (n,)."""
    t = labels - labels.mean()
    return float(np.linalg.norm((X - X.mean(axis=0)).T @ t) / len(t))


def _fit(method: MethodSpec, fit, seed):
    eraser = method.build(fit, seed)
    fitted = fit_eraser(eraser, fit)
    return fitted if fitted is not None else eraser


def _probe(X_train, y_train, X_test, y_test, seed) -> float:
    return score_probe("logistic", X_train, y_train, X_test, y_test, seed).balanced_accuracy


def run_setting_seed(rho: float, angle: float, seed: int, prof: dict) -> list[dict]:
    """Rows of every eraser at one label correlation, angle and seed."""
    streams = SeedStreams(f"{STUDY}:{GENERATOR}", int(seed))
    kw = dict(n_features=prof["n_features"], label_correlation=rho, angle=angle,
              random_state=streams.data)
    fit = make_concept_and_target(n_samples=prof["n_fit"], split=FIT, **kw)
    tr, te = (make_concept_and_target(n_samples=prof["n_samples"], split=s, **kw)
              for s in (PROBE_TRAIN, PROBE_TEST))
    ytr, yte = tr.ground_truth["target_labels"], te.ground_truth["target_labels"]
    yfit = fit.ground_truth["target_labels"]
    # The raw-data target probe (score_probe's logistic probe), kept to score erased rows
    # frozen; the raw data span every direction, so score_probe would fit the same one.
    frozen = make_probe("logistic", streams.probe(TARGET_BEFORE)).fit(tr.X, ytr)
    target_before = float(balanced_accuracy_score(yte, frozen.predict(te.X)))
    concept_before = _probe(tr.X, tr.y, te.X, te.y, streams.probe(CONCEPT_BEFORE))
    w = tr.X[ytr == 1].mean(axis=0) - tr.X[ytr == 0].mean(axis=0)
    cut = 0.5 * (tr.X[ytr == 1].mean(axis=0) + tr.X[ytr == 0].mean(axis=0)) @ w
    cov_before, cov_before_fit = _cov_norm(te.X, yte), _cov_norm(fit.X, yfit)
    rows = []
    for method in study_methods(prof["grid_profile"]):
        eraser = _fit(method, fit, streams.method(0))
        Xtr, Xte = _apply(eraser, tr.X, tr.y), _apply(eraser, te.X, te.y)
        Xfit = _apply(eraser, fit.X, fit.y)
        after = _probe(Xtr, ytr, Xte, yte, streams.probe(TARGET_AFTER))
        frozen_acc = balanced_accuracy_score(yte, frozen.predict(Xte))
        meandiff_acc = balanced_accuracy_score(yte, (Xte @ w > cut).astype(int))
        rows.append({
            "eraser": method.name, "label_correlation": float(rho), "angle": float(angle),
            "seed": int(seed),
            "target_accuracy_before": target_before, "concept_accuracy_before": concept_before,
            "target_accuracy": after, "target_loss": target_before - after,
            "target_accuracy_frozen": float(frozen_acc),
            "target_accuracy_meandiff": float(meandiff_acc),
            "target_cov_kept": _cov_norm(Xte, yte) / cov_before,
            "target_cov_kept_fit": _cov_norm(Xfit, yfit) / cov_before_fit,
            "concept_leakage": _probe(Xtr, tr.y, Xte, te.y,
                                      streams.probe(CONCEPT_AFTER)) - 0.5,
            "distortion": distortion(te.X, Xte),
        })
    return rows


def _timed_task(rho, angle, seed, prof):
    start = time.process_time()
    with threadpool_limits(limits=1):
        rows = run_setting_seed(rho, angle, seed, prof)
    return rows, time.process_time() - start


def summarise(rows: list[dict]) -> list[dict]:
    """Per (setting, eraser): every `SCORES` entry and the before-accuracies as seed means
    with 95% Student-t intervals."""
    keys = sorted({(r["label_correlation"], r["angle"], r["eraser"]) for r in rows},
                  key=lambda k: (k[0], k[1]))
    out = []
    for rho, angle, eraser in keys:
        sub = sorted((r for r in rows if (r["label_correlation"], r["angle"], r["eraser"])
                      == (rho, angle, eraser)), key=lambda r: r["seed"])
        entry = {"label_correlation": rho, "angle": angle, "eraser": eraser}
        for name in (*SCORES, "target_accuracy_before"):
            entry[name] = mean_over_seeds([r[name] for r in sub], CONFIDENCE).to_dict()
        out.append(entry)
    return out


def _per_seed(rows, rho, angle, eraser, name) -> np.ndarray:
    sub = sorted((r for r in rows if r["label_correlation"] == rho and r["angle"] == angle
                  and r["eraser"] == eraser), key=lambda r: r["seed"])
    return np.array([r[name] for r in sub])


def comparisons(rows: list[dict]) -> list[dict]:
    """Paired comparisons over the shared seeds, per setting: every eraser's target accuracy
    after against before; SPLINCE against every other eraser on each `SCORES` entry."""
    out = []
    settings = sorted({(r["label_correlation"], r["angle"]) for r in rows})
    erasers = list(dict.fromkeys(r["eraser"] for r in rows))
    for rho, angle in settings:
        for e in erasers:
            c = compare(_per_seed(rows, rho, angle, e, "target_accuracy"),
                        _per_seed(rows, rho, angle, e, "target_accuracy_before"), paired=True)
            out.append({"label_correlation": rho, "angle": angle, "a": e, "b": "before",
                        "metric": "target_accuracy", **c})
        if SPLINCE not in erasers:
            continue
        for e in erasers:
            if e == SPLINCE:
                continue
            for name in SCORES:
                c = compare(_per_seed(rows, rho, angle, SPLINCE, name),
                            _per_seed(rows, rho, angle, e, name), paired=True)
                out.append({"label_correlation": rho, "angle": angle, "a": SPLINCE, "b": e,
                            "metric": name, **c})
    return out


def run(profile="quick", seeds=None, jobs: int = 1) -> dict:
    """Run the study; returns its JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict
        A `PROFILES` name or a dict of the same keys (tests use tiny ones).
    seeds : sequence of int, optional
        Seeds (default: the profile's).
    jobs : int, default=1
        Worker processes; one task is one (correlation, angle, seed). The numbers do not
        depend on ``jobs``.

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "settings", "erasers", "rows", "summary",
        "comparisons", "jobs", "wall_s", "cpu_s"}``; ``cpu_s`` sums the process time of the
        run and its workers.
    """
    prof = _profile(profile)
    seed_list = study_seeds(seeds, prof["seeds"])
    jobs = check_int(jobs, "jobs")
    tasks = [(float(r), float(a), s) for r in prof["correlations"] for a in prof["angles"]
             for s in seed_list]
    wall, cpu = time.perf_counter(), time.process_time()
    if jobs == 1:
        pairs = [_timed_task(*t, prof) for t in tasks]
    else:
        ctx = study_context()
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            pairs = [f.result() for f in [pool.submit(_timed_task, *t, prof) for t in tasks]]
    child_cpu = sum(p[1] for p in pairs) if jobs > 1 else 0.0
    rows = [r for p in pairs for r in p[0]]
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list,
            "settings": [{"label_correlation": float(r), "angle": float(a)}
                         for r in prof["correlations"] for a in prof["angles"]],
            "erasers": [m.name for m in study_methods(prof["grid_profile"])],
            "sizes": {k: prof[k] for k in ("n_samples", "n_fit", "n_features")},
            "rows": rows, "summary": summarise(rows), "comparisons": comparisons(rows),
            "jobs": int(jobs), "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


# --- findings, tables and figures ---------------------------------------------------------------


def _verdict_words(c: dict, higher: str, lower: str) -> str:
    return {ABOVE: higher, BELOW: lower}.get(c["verdict"], "within noise")


def _find(doc, rho, angle, a, b, metric):
    return next(c for c in doc["comparisons"] if c["label_correlation"] == rho
                and c["angle"] == angle and c["a"] == a and c["b"] == b
                and c["metric"] == metric)


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """Per setting: the target accuracy each eraser keeps (and which lose it beyond noise),
    then SPLINCE against LEACE on every score; read from the document only."""
    summary = {(s["label_correlation"], s["angle"], s["eraser"]): s for s in doc["summary"]}
    note = (f"held-out logistic probes, balanced accuracy; seed means with 95% Student-t "
            f"intervals over {len(doc['seeds'])} seeds; verdicts paired over the shared seeds "
            f"(metrics.noise_floor, 95%)")
    out = []
    for st in doc["settings"]:
        rho, angle = st["label_correlation"], st["angle"]
        before = summary[(rho, angle, doc["erasers"][0])]["target_accuracy_before"]
        lost = [e for e in doc["erasers"]
                if _find(doc, rho, angle, e, "before", "target_accuracy")["verdict"] == BELOW]
        kept = ", ".join(f"{e} {summary[(rho, angle, e)]['target_accuracy']['value']:.3f}"
                         for e in doc["erasers"])
        out.append((f"target accuracy after erasure, rho = {rho:g}, angle {angle:g} deg",
                    f"before {format_estimate(before)}; after: {kept}; below before beyond noise: "
                    f"{', '.join(lost) if lost else 'none'}",
                    note + "; mean_matching and qleace are given the concept labels at "
                           "transform time, as in the family's grid"))
        if SPLINCE not in doc["erasers"] or "leace" not in doc["erasers"]:
            continue
        s, le = summary[(rho, angle, SPLINCE)], summary[(rho, angle, "leace")]
        parts = []
        for name, label in (("target_cov_kept_fit", "target covariance kept (fit rows)"),
                            ("target_cov_kept", "kept (held out)"),
                            ("target_accuracy", "retrained-probe target accuracy"),
                            ("target_accuracy_frozen", "frozen-probe target accuracy"),
                            ("target_accuracy_meandiff",
                             "frozen mean-difference probe target accuracy"),
                            ("concept_leakage", "concept leakage"),
                            ("distortion", "distortion")):
            c = _find(doc, rho, angle, SPLINCE, "leace", name)
            parts.append(f"{label} {format_estimate(s[name])} against {format_estimate(le[name])} "
                         f"(difference {format_difference(c)}, "
                         f"{_verdict_words(c, 'higher', 'lower')})")
        out.append((f"SPLINCE against LEACE, rho = {rho:g}, angle {angle:g} deg",
                    "; ".join(parts), note))
    if SPLINCE in doc["erasers"] and "leace" in doc["erasers"]:
        out.append(_claim(doc))
    return out


def _claim(doc: dict) -> tuple[str, str, str]:
    """SPLINCE's claim read from the rows: the target covariance kept on its fit rows, and
    what it buys a retrained probe against LEACE."""
    mine = [r for r in doc["rows"] if r["eraser"] == SPLINCE]
    worst = max(abs(r["target_cov_kept_fit"] - 1.0) for r in mine)
    same = [c for c in doc["comparisons"] if c["a"] == SPLINCE and c["b"] == "leace"
            and c["metric"] == "target_accuracy"]
    within = sum(c["verdict"] not in (ABOVE, BELOW) for c in same)
    ratios = ", ".join(
        f"rho {st['label_correlation']:g}: "
        f"{_ratio(doc, st, 'distortion'):.2f}x" for st in doc["settings"])
    return ("SPLINCE's claim (Holstege et al. 2025)",
            f"Cov(x', target) equals Cov(x, target) on its fit rows to {worst:.1e} (relative, "
            f"largest over {len(mine)} fits); a probe retrained on the erased data gets the "
            f"same target accuracy as after LEACE in {within} of {len(same)} settings "
            f"(within noise: both erasers collapse the same direction, the paper's own "
            f"equivalence for a retrained last layer); SPLINCE's distortion over LEACE's: "
            f"{ratios}",
            "least distortion among target-keeping erasers is tested in tests/test_splince.py "
            "against hand-built ones; distortion ratio = ratio of seed means")


def _ratio(doc: dict, st: dict, name: str) -> float:
    summary = {s["eraser"]: s for s in doc["summary"]
               if s["label_correlation"] == st["label_correlation"]
               and s["angle"] == st["angle"]}
    return summary[SPLINCE][name]["value"] / summary["leace"][name]["value"]


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """One table per setting: every eraser's scores (seed means [95% interval])."""
    head = ["eraser", "target acc. after", "frozen-probe acc.", "Cov(x,y) kept (held out)",
            "Cov(x,y) kept (fit)", "concept leakage", "distortion"]
    out = []
    for st in doc["settings"]:
        rho, angle = st["label_correlation"], st["angle"]
        rows = [[s["eraser"]] + [format_estimate(s[k]) for k in (
            "target_accuracy", "target_accuracy_frozen", "target_cov_kept",
            "target_cov_kept_fit", "concept_leakage", "distortion")]
            for s in doc["summary"] if s["label_correlation"] == rho and s["angle"] == angle]
        out.append((f"Utility on concept_and_target, rho = {rho:g}, whitened angle "
                    f"{angle:g} deg ({len(doc['seeds'])} seeds)", head, rows))
    return out


def draw(doc: dict):
    """Target accuracy kept (retrained and frozen probe) against the label correlation,
    one line per eraser. Yields ``(caption, file name, Figure)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    angle = doc["settings"][0]["angle"]
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.0), sharey=True)
    cmap = plt.get_cmap("tab20")
    for i, eraser in enumerate(doc["erasers"]):
        pts = sorted((s for s in doc["summary"] if s["eraser"] == eraser
                      and s["angle"] == angle), key=lambda s: s["label_correlation"])
        x = [p["label_correlation"] for p in pts]
        for ax, key in zip(axes, ("target_accuracy", "target_accuracy_frozen"), strict=True):
            y = [p[key]["value"] for p in pts]
            err = [[p[key]["value"] - p[key]["low"] for p in pts],
                   [p[key]["high"] - p[key]["value"] for p in pts]]
            ax.errorbar(x, y, yerr=err, color=cmap(i % 20), marker="o", ms=3, lw=1,
                        capsize=2, label=eraser, ls="-" if eraser != SPLINCE else "--")
    for ax, title in zip(axes, ("probe retrained on erased data", "probe frozen (raw data)"),
                         strict=True):
        ax.set_xlabel("label correlation rho = corr(z, y)")
        ax.set_title(title, fontsize=9)
    axes[0].set_ylabel("held-out target balanced accuracy")
    axes[1].legend(fontsize=6, ncol=2, loc="lower left")
    caption = (f"Target accuracy after erasure against the concept-target correlation "
               f"(angle {angle:g} deg, {len(doc['seeds'])} seeds, 95% intervals)")
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    yield caption, "utility_target_accuracy.png", fig


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, f"{STUDY}.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
