"""Truth probes across negation: trained on affirmative statements, scored on negated ones.

Buerger et al. (NeurIPS 2024, arXiv 2407.12831, "Truth is Universal") decompose the
activations of true and false statements into a general truth direction ``t_G`` (same sign
for affirmative and negated statements) and a polarity-sensitive one ``t_P`` (its sign flips
with polarity). Their claims: a probe trained on affirmative statements only learns
``t_G + t_P`` and fails on negated statements (as Levinstein & Herrmann 2023, arXiv
2307.00175, found for CCS and logistic probes); with both polarities in training, ``t_G``
(TTPD) generalises. Marks & Tegmark (2024, arXiv 2310.06824) report that mass-mean probes
generalise better than logistic regression.

On `generators.polarity_facts` (the planted ``t_G``, ``t_P`` and polarity ``v``), for every
method of the truth family's list (`benchmarks.truth.family.truth_methods`, read at run
time, so methods added to the list appear here) and every swept ratio ``s / g`` of the
strengths along ``t_P`` and ``t_G``, per seed:

- two fits: on affirmative statements only (``regime="affirmative"``, the study's question)
  and on both polarities (``regime="both"``, where TTPD's claim is made). ``y`` is passed
  when ``fit`` takes it, and the pairs' polarities (+1 affirmative, -1 negated, Buerger et
  al.'s convention) when ``fit`` takes ``polarity``; a fit that raises is stored as an error
  row with its message;
- held-out accuracy on the affirmative and on the negated pairs of one fresh split. The sign
  is fixed as the family fixes it for unsupervised probes (`metrics.truth_accuracy`,
  ``max(acc, 1 - acc)``), but once, on the affirmative pairs: the negated pairs are read with
  the same sign, so a probe that reverses on negation scores below 1/2 there instead of being
  flipped back;
- the cosines of the method's ``direction_`` (with that sign) with ``t_G`` and ``t_P``.

References: the closed forms of the generator, ``t_G``'s accuracy ``Phi(sqrt(2) g / noise)``
on both polarities and the affirmative truth direction's on negated pairs,
``Phi(sqrt(2) (g^2 - s^2) / (sqrt(g^2 + s^2) noise))`` (1/2 at ``s = g``). Labels are drawn
Bernoulli(1/2) (``first_true_fraction=0.5``): the per-side normalisation of the truth
methods subtracts the training offset ``2 (2 q - 1) (g t_G + s t_P)``, which on negated pairs
(where the probe reads nothing else) would call all of them one way and score the held-out
label balance rather than the probe.

Streams: seed ``s`` draws its data from ``SeedStreams("polarity_facts", s)`` (split 0 the
affirmative training pairs, split 1 the training pairs of both polarities, split 2 the
held-out pairs), the affirmative fit from ``streams.method(0)`` and the other from
``streams.method(1)``. The full profile adds the family's full size (2000 pairs in d = 256),
20 seeds and a finer sweep of the ratio.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.signatures import accepts
from benchmarks.spec import GeneratorSpec, MethodSpec
from benchmarks.study_cli import study_context, study_main, study_profile, study_seeds
from benchmarks.study_text import format_difference, format_estimate
from benchmarks.truth.family import TARGET_ACCURACY, _check_proba, _direction, truth_methods
from floor.validation import check_int
from generators.polarity_facts import make_polarity_facts
from methods.truth.pairs import stack_pairs
from metrics.noise_floor import compare
from metrics.statistics import mean_over_seeds
from metrics.truth_accuracy import pair_correctness

TITLE = "Truth probes across negation: trained on affirmative statements, scored on negated ones"
QUESTION = (
    "Activations carry a general truth direction t_G and a polarity-sensitive one t_P whose "
    "sign flips on negated statements (Buerger et al. 2024). Trained on affirmative "
    "statements only, or on both polarities, which truth methods stay accurate on held-out "
    "negated statements, and how close is each method's direction to t_G and to t_P?")

STUDY = "negation"
GENERATOR = "polarity_facts"
REGIMES = ("affirmative", "both")
TRAINED_ON = {"affirmative": "affirmative statements only", "both": "both polarities"}
TRAIN_AFFIRMATIVE, TRAIN_BOTH, HELDOUT = 0, 1, 2
CONFIDENCE = 0.95
# The generalisation verdict: "weak" when the method is not accurate on the statements it
# was trained like (affirmative held-out accuracy's lower 95% bound below the truth
# family's finds-truth accuracy, 0.9): there is nothing to generalise, and a random
# direction at 0.72 on both would otherwise read "generalises"; else "generalises" when the
# negated accuracy's 95% interval lies above 1/2 and it is not below the affirmative
# accuracy (paired over seeds, `metrics.noise_floor.compare`); "partly" when it lies above
# 1/2 but below the affirmative accuracy; "fails" when its interval reaches 1/2 or below
# (chance, or reversed).
CHANCE = 0.5
ACCURATE = TARGET_ACCURACY
GENERALISATION = ("generalises", "partly", "fails", "weak")
# Noise 0.5 with g = 1 puts t_G at Phi(2 sqrt 2) = 0.998 and keeps every supervised fit's
# direction within cos 0.99 of its target at 400 pairs in d = 32. Quick: measured about
# 0.15 CPU s per seed for the five built-in methods (CCS the dearest); 6 seeds (Student-t
# intervals over 6 values): 0.8 CPU s in all. A spawned worker spends about 3 s importing
# the suite, more than the whole quick study, so the quick profile runs in the calling
# process whatever ``jobs`` is ("parallel": False); the full profile uses the workers.
PROFILES = {
    "quick": {"n_pairs": 400, "n_features": 32, "noise": 0.5, "ratios": (0.5, 1.0, 2.0),
              "n_seeds": 6, "parallel": False},
    "full": {"n_pairs": 2000, "n_features": 256, "noise": 0.5,
             "ratios": (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0), "n_seeds": 20,
             "parallel": True},
}
# The methods whose published claims the findings read, where the family's list has them.
LOGISTIC, MASS_MEAN, TTPD = "supervised_logistic", "mean_difference", "ttpd"


def _profile(profile) -> dict:
    return study_profile(profile, PROFILES)


def _generator(prof: dict, ratio: float) -> GeneratorSpec:
    return GeneratorSpec(GENERATOR, "truth", make_polarity_facts,
                         {"n_pairs": prof["n_pairs"], "n_features": prof["n_features"],
                          "noise": prof["noise"], "general_strength": 1.0,
                          "polarity_truth_strength": float(ratio), "first_true_fraction": 0.5})


def fit_method(method: MethodSpec, seed: np.random.SeedSequence, train):
    """A fresh instance of ``method`` fitted on ``train``'s pairs, with ``y`` when its ``fit``
    takes it and the pairs' polarities (+-1) when it takes ``polarity``."""
    est = method.build(train, seed)
    kwargs = {}
    if accepts(est.fit, "y"):
        kwargs["y"] = train.y
    if accepts(est.fit, "polarity"):
        kwargs["polarity"] = np.asarray(train.ground_truth["polarity"])
    fitted = est.fit(stack_pairs(train.X_pos, train.X_neg), **kwargs)
    return fitted if fitted is not None else est


def polarity_scores(proba: np.ndarray, heldout, direction: np.ndarray | None) -> dict:
    """Accuracies on the affirmative and negated held-out pairs, with the sign fixed on the
    affirmative ones, and the direction's cosines with ``t_G`` and ``t_P`` (same sign)."""
    gt = heldout.ground_truth
    right = pair_correctness(proba, heldout.y)
    neg = np.asarray(gt["is_negated"])
    raw_aff, raw_neg = float(right[~neg].mean()), float(right[neg].mean())
    sign = 1.0 if raw_aff >= CHANCE else -1.0
    flip = (lambda a: a) if sign > 0 else (lambda a: 1.0 - a)
    out = {"raw_affirmative_accuracy": raw_aff, "raw_negated_accuracy": raw_neg,
           "sign": sign, "affirmative_accuracy": flip(raw_aff),
           "negated_accuracy": flip(raw_neg), "cos_general": None, "cos_polarity_truth": None}
    if direction is not None:
        out["cos_general"] = float(sign * direction @ gt["general_direction"])
        out["cos_polarity_truth"] = float(sign * direction @ gt["polarity_truth_direction"])
    return out


def _one(method: MethodSpec, seed, train, heldout) -> dict:
    start = time.perf_counter()
    try:
        est = fit_method(method, seed, train)
        fit_s = time.perf_counter() - start
        proba = _check_proba(est.predict_proba(stack_pairs(heldout.X_pos, heldout.X_neg)),
                             heldout.n_samples)
        scores = polarity_scores(proba, heldout, _direction(est, heldout.n_features))
    except Exception as exc:  # an error row, as the grid's error cells: the study goes on
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    return {"status": "ok", "error": None, **scores, "fit_time_s": fit_s}


def score_seed(seed: int, prof: dict, method_names: list[str]) -> list[dict]:
    """Every (method, ratio, regime) row of one seed; every method sees the same splits."""
    methods = {m.name: m for m in truth_methods(Profile("quick", 1))}
    streams = SeedStreams(GENERATOR, int(seed))
    rows = []
    with threadpool_limits(limits=1):
        for ratio in prof["ratios"]:
            gen = _generator(prof, ratio)
            trains = {"affirmative": gen.dataset(streams, TRAIN_AFFIRMATIVE,
                                                 polarity="affirmative"),
                      "both": gen.dataset(streams, TRAIN_BOTH, polarity="both")}
            heldout = gen.dataset(streams, HELDOUT, polarity="both")
            for name in method_names:
                for i, regime in enumerate(REGIMES):
                    row = _one(methods[name], streams.method(i), trains[regime], heldout)
                    rows.append({"method": name, "ratio": float(ratio), "regime": regime,
                                 "seed": int(seed), **row})
    return rows


def references(prof: dict) -> list[dict]:
    """Closed forms per ratio: ``t_G``'s accuracy (both polarities), the affirmative truth
    direction's on negated pairs, and the Bayes accuracy given the polarity."""
    out = []
    for ratio in prof["ratios"]:
        gt = make_polarity_facts(n_pairs=2, n_features=prof["n_features"],
                                 noise=prof["noise"], polarity_truth_strength=float(ratio),
                                 first_true_fraction=0.5).ground_truth
        out.append({"ratio": float(ratio), "general_accuracy": gt["general_accuracy"],
                    "affirmative_on_negated_accuracy": gt["affirmative_on_negated_accuracy"],
                    "bayes_accuracy": gt["bayes_accuracy"]})
    return out


def _estimate(values) -> dict | None:
    return None if any(v is None for v in values) else \
        mean_over_seeds(values, CONFIDENCE).to_dict()


def summarise(rows: list[dict], methods: list[str]) -> list[dict]:
    """Per (method, ratio, regime): mean accuracies and cosines over the seeds (95%
    Student-t), the paired comparison of negated against affirmative accuracy, and whether
    the method generalises (`GENERALISATION`: "generalises", "partly", "fails" or "weak").
    A group with an error row keeps its first error and no numbers."""
    out = []
    keys = sorted({(r["method"], r["ratio"], r["regime"]) for r in rows},
                  key=lambda k: (methods.index(k[0]), k[1], REGIMES.index(k[2])))
    for method, ratio, regime in keys:
        group = sorted((r for r in rows if (r["method"], r["ratio"], r["regime"])
                        == (method, ratio, regime)), key=lambda r: r["seed"])
        s = {"method": method, "ratio": ratio, "regime": regime, "n_seeds": len(group)}
        errors = [r["error"] for r in group if r["status"] != "ok"]
        if errors:
            out.append({**s, "error": errors[0]})
            continue
        aff = [r["affirmative_accuracy"] for r in group]
        neg = [r["negated_accuracy"] for r in group]
        gap = compare(neg, aff, paired=True, confidence=CONFIDENCE)
        s.update({"error": None, "affirmative_accuracy": _estimate(aff),
                  "negated_accuracy": _estimate(neg),
                  "cos_general": _estimate([r["cos_general"] for r in group]),
                  "cos_polarity_truth": _estimate([r["cos_polarity_truth"] for r in group]),
                  "negated_vs_affirmative": gap})
        above = s["negated_accuracy"]["low"] > CHANCE
        s["generalisation"] = ("weak" if s["affirmative_accuracy"]["low"] < ACCURATE else
                               "fails" if not above else
                               "partly" if gap["verdict"] == "below" else "generalises")
        out.append(s)
    return out


def _per_seed(rows, method, ratio, regime, key):
    group = sorted((r for r in rows if (r["method"], r["ratio"], r["regime"])
                    == (method, ratio, regime) and r["status"] == "ok"),
                   key=lambda r: r["seed"])
    return [r[key] for r in group]


def claims(rows: list[dict], methods: list[str], ratios) -> list[dict]:
    """Paired comparisons over seeds behind the published claims, per ratio and regime:
    mass-mean against logistic on negated accuracy (Marks & Tegmark), and TTPD against
    logistic on negated accuracy (Buerger et al.), each where both methods are in the list
    and ran on every seed."""
    out = []
    for a, b in ((MASS_MEAN, LOGISTIC), (TTPD, LOGISTIC)):
        if a not in methods or b not in methods:
            continue
        for ratio in ratios:
            for regime in REGIMES:
                va = _per_seed(rows, a, float(ratio), regime, "negated_accuracy")
                vb = _per_seed(rows, b, float(ratio), regime, "negated_accuracy")
                if len(va) != len(vb) or len(va) < 2:
                    continue
                out.append({"a": a, "b": b, "ratio": float(ratio), "regime": regime,
                            "metric": "negated_accuracy",
                            **compare(va, vb, paired=True, confidence=CONFIDENCE)})
    return out


def run(profile="quick", seeds=None, jobs: int = 1, methods=None) -> dict:
    """Run the study and return its JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict, default="quick"
        A `PROFILES` name, or a dict of the same keys (tests use tiny ones).
    seeds : sequence of int, optional
        Seeds (default ``0 .. n_seeds - 1`` of the profile).
    jobs : int, default=1
        Worker processes, one task per seed, where the profile is ``"parallel"`` (default
        True for a profile dict); the numbers do not depend on ``jobs``.
    methods : sequence of str, optional
        Names among the truth family's methods (default: all of them, in the list's order).

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "methods", "ratios", "regimes", "noise",
        "references", "rows", "summary", "claims", "jobs", "wall_s", "cpu_s"}``.
    """
    prof = _profile(profile)
    known = [m.name for m in truth_methods(Profile("quick", 1))]
    names = known if methods is None else list(methods)
    if not names or any(n not in known for n in names):
        raise ValueError(f"methods must name entries of {known}, got {methods!r}")
    seed_list = study_seeds(seeds, range(prof["n_seeds"]))
    check_int(jobs, "jobs")
    wall, cpu = time.perf_counter(), time.process_time()
    if jobs == 1 or not prof.get("parallel", True):
        per_seed = [score_seed(s, prof, names) for s in seed_list]
        child_cpu = 0.0
    else:
        ctx = study_context()
        with ProcessPoolExecutor(min(jobs, len(seed_list)), mp_context=ctx) as pool:
            done = list(pool.map(_timed_seed, seed_list, [prof] * len(seed_list),
                                 [names] * len(seed_list)))
        per_seed = [d[0] for d in done]
        child_cpu = sum(d[1] for d in done)
    rows = [r for seed_rows in per_seed for r in seed_rows]
    ratios = [float(r) for r in prof["ratios"]]
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "methods": names, "ratios": ratios, "regimes": list(REGIMES),
            "noise": float(prof["noise"]), "references": references(prof), "rows": rows,
            "summary": summarise(rows, names), "claims": claims(rows, names, ratios),
            "jobs": int(jobs), "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


def _timed_seed(seed, prof, names):
    start = time.process_time()
    rows = score_seed(seed, prof, names)
    return rows, time.process_time() - start


# --- findings and figures -------------------------------------------------------------------


def _row(doc, method, ratio, regime) -> dict | None:
    return next((s for s in doc["summary"] if (s["method"], s["ratio"], s["regime"])
                 == (method, ratio, regime)), None)


def _method_sentence(doc, method, regime) -> str:
    parts = []
    for ratio in doc["ratios"]:
        s = _row(doc, method, ratio, regime)
        if s is None:
            continue
        if s["error"]:
            parts.append(f"s/g = {ratio:g}: error ({s['error']})")
            continue
        cos = "" if s["cos_general"] is None else (
            f", cos t_G {s['cos_general']['value']:+.2f}, cos t_P "
            f"{s['cos_polarity_truth']['value']:+.2f}")
        parts.append(f"s/g = {ratio:g}: affirmative "
                     f"{format_estimate(s['affirmative_accuracy'])}, negated "
                     f"{format_estimate(s['negated_accuracy'])} (negated - affirmative "
                     f"{format_difference(s['negated_vs_affirmative'])}, "
                     f"{s['negated_vs_affirmative']['verdict']}){cos}; "
                     f"{s['generalisation']}")
    return "; ".join(parts)


def _generalisers(doc, regime, ratio, verdict="generalises") -> list[str]:
    return [m for m in doc["methods"]
            if (s := _row(doc, m, ratio, regime)) is not None and not s["error"]
            and s["generalisation"] == verdict]


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """Per method and training regime its held-out accuracies and cosines at every ratio;
    then which methods generalise, and the published claims read with numbers."""
    out = []
    note = (f"mean over {len(doc['seeds'])} seeds [95% Student-t]; sign fixed on the affirmative "
            "held-out pairs and kept on the negated ones; s/g the strength of t_P over t_G; "
            "verdicts paired over seeds (metrics.noise_floor)")
    for regime in doc["regimes"]:
        for method in doc["methods"]:
            out.append((f"{method}, trained on {TRAINED_ON[regime]}",
                        _method_sentence(doc, method, regime), note))
    refs = "; ".join(f"s/g = {r['ratio']:g}: t_G {r['general_accuracy']:.3f}, t_A on negated "
                     f"{r['affirmative_on_negated_accuracy']:.3f}" for r in doc["references"])
    out.append(("references (closed forms)", f"held-out accuracy of the planted directions: {refs}",
                "t_A = (g t_G + s t_P) / |.|, the only truth direction the affirmative pairs "
                "show; generators.polarity_facts"))
    for regime in doc["regimes"]:
        gen = "; ".join(
            f"s/g = {r:g}: {', '.join(_generalisers(doc, regime, r)) or 'none'} (partly: "
            f"{', '.join(_generalisers(doc, regime, r, 'partly')) or 'none'}; weak: "
            f"{', '.join(_generalisers(doc, regime, r, 'weak')) or 'none'})"
            for r in doc["ratios"])
        out.append((f"generalise across polarity ({regime} training)",
                    f"methods accurate on affirmative statements whose negated accuracy is "
                    f"above 1/2 and not below their affirmative accuracy: {gen}",
                    "partly: above 1/2 but below the affirmative accuracy; weak: the "
                    f"affirmative accuracy's lower bound is below {ACCURATE:g} (the truth "
                    "family's finds-truth accuracy), so there is nothing to generalise"))
    out.extend(_claim_findings(doc))
    return out


def _claim_findings(doc: dict) -> list[tuple[str, str, str]]:
    out = []
    probes = [m for m in (LOGISTIC, MASS_MEAN) if m in doc["methods"]]
    if probes:
        parts = []
        for m in probes:
            for ratio in doc["ratios"]:
                s = _row(doc, m, ratio, "affirmative")
                if s is None or s["error"]:
                    continue
                parts.append(f"{m} at s/g = {ratio:g}: negated "
                             f"{format_estimate(s['negated_accuracy'])} "
                             f"against affirmative {format_estimate(s['affirmative_accuracy'])}")
        fails = all(s["generalisation"] == "fails" for m in probes for r in doc["ratios"]
                    if (s := _row(doc, m, r, "affirmative")) and not s["error"]
                    and r >= 1.0)
        out.append(("Buerger et al.: affirmative-only probes fail on negated statements",
                    f"{'confirmed' if fails else 'not confirmed'} where t_P is at least as "
                    f"strong as t_G (s/g >= 1): " + "; ".join(parts),
                    "at s/g < 1 the affirmative direction still leans to t_G and scores above "
                    "1/2 on negated pairs (closed form in the references)"))
    ttpd = [c for c in doc["claims"] if c["a"] == TTPD]
    if TTPD not in doc["methods"]:
        out.append(("Buerger et al.: TTPD's t_G generalises",
                    "not measured: the family's list has no method named ttpd", ""))
    else:
        out.append(("Buerger et al.: TTPD's t_G generalises",
                    _method_sentence(doc, TTPD, "both") + ". Against logistic on negated "
                    "accuracy: " + "; ".join(
                        f"{c['regime']}, s/g = {c['ratio']:g}: {format_difference(c)} "
                        f"({c['verdict']})"
                        for c in ttpd), "TTPD trained on both polarities, as published"))
    mm = [c for c in doc["claims"] if c["a"] == MASS_MEAN]
    if mm:
        calls = [c["verdict"] for c in mm]
        word = ("confirmed" if all(v == "above" for v in calls) else
                "refuted" if "below" in calls and "above" not in calls else
                "not reproduced (within noise everywhere)" if set(calls) == {"within noise"}
                else "confirmed only in part")
        out.append(("Marks & Tegmark: mass-mean generalises better than logistic",
                    f"{word} here: mass-mean minus logistic on negated accuracy, " + "; ".join(
                        f"{c['regime']} training, s/g = {c['ratio']:g}: {format_difference(c)} "
                        f"({c['verdict']})" for c in mm),
                    "paired over seeds; with isotropic noise the two read the same class "
                    "means, and only an anisotropic covariance could tell them apart"))
    return out


def draw(doc: dict):
    """Negated against affirmative held-out accuracy per method, by ratio, one panel per
    training regime, with the closed-form references. Yields ``(caption, file name,
    Figure)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import add_key, method_labels

    labels = method_labels(doc["methods"])
    x = np.arange(len(doc["ratios"]))
    fig, axes = plt.subplots(1, len(doc["regimes"]), figsize=(5.0 * len(doc["regimes"]), 3.8),
                             sharey=True, squeeze=False)
    k = len(doc["methods"])
    for ax, regime in zip(axes[0], doc["regimes"], strict=True):
        for i, method in enumerate(doc["methods"]):
            rows = [_row(doc, method, r, regime) for r in doc["ratios"]]
            ok = [(j, s) for j, s in enumerate(rows) if s is not None and not s["error"]]
            if not ok:
                continue
            xs = np.array([j for j, _ in ok]) + (i - (k - 1) / 2) * 0.04
            est = [s["negated_accuracy"] for _, s in ok]
            y = np.array([e["value"] for e in est])
            err = np.array([[e["value"] - e["low"] for e in est],
                            [e["high"] - e["value"] for e in est]])
            ax.errorbar(xs, y, yerr=err, marker="os^Dv<>p"[i % 8], ms=4, lw=1.2, capsize=2,
                        label=labels[method])
        refs = doc["references"]
        ax.plot(x, [r["affirmative_on_negated_accuracy"] for r in refs], "k:", lw=1,
                label="t_A on negated (closed form)")
        ax.plot(x, [r["general_accuracy"] for r in refs], "k--", lw=1,
                label="t_G (closed form)")
        ax.axhline(CHANCE, color="grey", lw=0.6)
        ax.set_xticks(x)
        ax.set_xticklabels([f"{r:g}" for r in doc["ratios"]])
        ax.set_xlabel("s / g (strength of t_P over t_G)")
        ax.set_title(f"trained on {TRAINED_ON[regime]}", fontsize=9)
        ax.set_ylim(-0.03, 1.03)
    axes[0][0].set_ylabel("held-out accuracy on negated\n(sign fixed on affirmative)")
    axes[0][0].legend(fontsize=6, loc="lower left")
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.92, wspace=0.06)
    yield ("Held-out accuracy on negated statements, by the strength of t_P over t_G, per "
           "training regime (95% Student-t over seeds); dotted: the affirmative truth "
           "direction's closed form, dashed: t_G's", "negation_accuracy.png",
           add_key(fig, labels))


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, "negation.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
