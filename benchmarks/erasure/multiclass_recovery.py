"""Multiclass recovery: a concept erased for every binary probe, read back by a softmax.

Ravfogel, Goldberg & Cotterell (ACL 2023, arXiv 2210.10012), "Log-linear guardedness and
its implications": when no *binary* log-linear model (logistic regression) predicts a
binary concept ``Z`` better than chance, a *multiclass* log-linear model (softmax over
``K >= 3`` classes, whose argmax regions are convex cells, not halfspaces) can still
recover ``Z`` through its argmax. On `generators.grouped_concept` the concept ``C`` has
``k`` values at ordered positions along ``u``, ``Z`` groups them inner/outer (equal class
means along ``u`` by construction) and ``v`` carries ``Z``'s mean difference.

LEACE's theorem (Belrose et al. 2023, Thm. 3.1): with one-hot labels, every class mean
equal to the overall mean <=> no affine predictor beats the constant for any convex loss.
Fitted on the binary ``Z``, an eraser that equalises ``Z``'s class means removes ``v`` and
guards the logistic loss on ``Z``; the softmax trained on ``C`` is not a predictor of ``Z``,
and its argmax, grouped, reads ``Z`` along ``u``. Fitted on the ``k``-valued ``C`` (one-hot
labels), the eraser equalises the ``k`` class means, removes ``u`` as well and guards
every convex loss, the softmax's cross-entropy included (the remedy). The exact 0-1 linear
probe (`metrics.zero_one_probe`) is not held by the theorem (0-1 accuracy is not convex): a
halfspace along ``u`` cuts one end value off, balanced accuracy up to the generator's
``best_linear_accuracy_after`` (3/4 at zero noise).

Per seed ``s`` (``SeedStreams("multiclass_recovery:grouped_concept", s)``): split 0
(``n_fit`` rows) fits every eraser of the family's list
(`benchmarks.erasure.family.erasure_methods`, built from the list: a new eraser there is
measured here too), once on ``Z`` and once on ``C``, the family's way (`family._fit`;
erasers whose transform takes labels get those they were fitted on); split 1 (erased)
trains the probes, split 2 (erased) scores them. Probe ``i`` draws ``streams.probe(i)``
whatever the eraser, so differences between erasers are paired. Probes, held-out balanced
accuracy: the binary logistic probe on ``Z`` and the 0-1 linear probe on ``Z``
(`metrics.probes.score_probe`), and the multinomial logistic probe (the family's logistic
probe, standardised, L2 C=1, trained on ``C``) scored on ``C`` and, its argmax grouped, on
``Z`` (`grouped_multiclass_probe`). Beside them: the fraction of ``u`` and of ``v`` inside
the span of the eraser's displacements (`metrics.subspace.removed_subspace`; 1 = that
direction is moved) and that span's dimension, and the ratio of the ``Z``-groups'
variances along ``u`` (outer over inner: 7.4 in the population at the defaults; QLEACE,
which also equalises the groups' covariances, brings it to 1).

Summaries are seed means with 95% Student-t intervals; every comparison (a probe against
chance, against the generator's closed form, QLEACE against LEACE) is
`metrics.noise_floor.compare`, paired over the shared seeds.

Profiles: ``quick`` (d = 16, 2000 probe rows per split, 20000 fit rows, ``k = 4``, 5
seeds; ~8 CPU s of tasks, measured: ~1.5 s a seed, of which R-LACE by SGD 0.6 s) and
``full`` (the family's full sizes: d = 64, 20000 probe rows, 200000 fit rows, the full INLP
and R-LACE budgets, 10 seeds; not run here, `FULL_COST_NOTE`). The full profile adds
narrower intervals (10 seeds of 10 times the held-out rows; the quick profile's paired
differences to the closed forms have half-widths ~0.004 to ~0.02), the larger fit split
(its residual class-mean gap ``sqrt(4 d / n_fit)`` falls from 0.057 to 0.036) and the
reference R-LACE budget.
"""

from __future__ import annotations

import dataclasses
import sys
import time

import numpy as np
from sklearn.metrics import balanced_accuracy_score
from threadpoolctl import threadpool_limits

from benchmarks.erasure.family import SIZES, _apply, erasure_methods
from benchmarks.erasure.family import _fit as fit_eraser
from benchmarks.profiles import PROFILES as GRID_PROFILES
from benchmarks.seeding import SeedStreams
from benchmarks.study_cli import run_tasks, study_main, study_profile, study_seeds
from benchmarks.study_text import format_difference, format_estimate
from floor.validation import check_int
from generators.grouped_concept import inner_grouping, make_grouped_concept, value_positions
from metrics.noise_floor import ABOVE, BELOW, compare
from metrics.probes import make_probe, score_probe
from metrics.statistics import mean_over_seeds
from metrics.subspace import removed_subspace
from metrics.zero_one_probe import numerical_span

TITLE = "Multiclass recovery: binary guardedness is not multiclass guardedness"
QUESTION = ("A concept C with k > 2 values and its binary view Z (inner vs outer values, "
            "equal class means along C's direction): after an eraser fitted on Z, the "
            "binary logistic probe cannot read Z; can a multiclass log-linear probe trained "
            "on C read Z through its argmax (Ravfogel, Goldberg & Cotterell 2023)? Which "
            "erasers leave C recoverable, and does fitting them on C (one-hot) guard it?")

STUDY = "multiclass_recovery"
GENERATOR = "grouped_concept"
FIT, PROBE_TRAIN, PROBE_TEST = 0, 1, 2
# What the erasers are fitted on: the binary view Z (the family's label), or the k values.
FIT_ON = ("binary", "values")
# Probe streams, the same for every eraser.
LOGISTIC_Z, ZERO_ONE_Z, MULTICLASS = 0, 1, 2
# The per-seed scores: held-out balanced accuracies, and what each is read against.
SCORES = ("logistic_z", "zero_one_z", "multiclass_values", "multiclass_z")
DIAGNOSTICS = ("moved_u", "moved_v", "rank_moved", "group_variance_ratio")
CONFIDENCE = 0.95
# The reference with nothing left: the oracle projection of the planted span of u and v
# (the same rows and probe streams as every eraser, so a paired difference to it cancels
# the held-out split's own sampling noise, which a comparison with the constant chance
# level does not).
ORACLE = "oracle"
# Why an eraser fitted on Z moves u (stated for those whose measured displacement holds u).
MOVES_U = {
    "qleace": "its per-group maps rescale u, along which the two groups' variances differ",
    "inlp": "its stopping rule scores each classifier's held-out 0-1 accuracy, and a "
            "logistic classifier whose weight on u is sampling noise still thresholds u off "
            "centre and beats chance (a halfspace along u reads Z), so INLP keeps removing "
            "directions until u is among them",
    "oracle": "it removes the planted span of u and v (it knows the concept's directions)",
}

_GENERATOR_ARGS = {"n_values": 4, "spacing": 2.0, "group_separation": 2.0, "noise": 0.5}
PROFILES = {
    "quick": {"grid_profile": "quick", "n_samples": SIZES["quick"]["n_samples"],
              "n_fit": SIZES["quick"]["n_fit"], "n_features": SIZES["quick"]["n_features"],
              **_GENERATOR_ARGS, "seeds": (0, 1, 2, 3, 4)},
    "full": {"grid_profile": "full", "n_samples": SIZES["full"]["n_samples"],
             "n_fit": SIZES["full"]["n_fit"], "n_features": SIZES["full"]["n_features"],
             **_GENERATOR_ARGS, "seeds": tuple(range(10))},
}


FULL_COST_NOTE = ("estimated up to ~1 CPU hour: R-LACE by SGD at its reference budget of 75000 "
                  "steps costs ~2.5 ms a step at d = 64 on 200000 fit rows (measured over "
                  "2000 steps), fitted twice per seed (on Z and on C) over 10 seeds; every "
                  "other eraser and probe ~10 s a seed")


def _profile(profile) -> dict:
    prof = study_profile(profile, PROFILES)
    missing = set(PROFILES["quick"]) - set(prof)
    if missing:
        raise ValueError(f"profile dict lacks {sorted(missing)}")
    return prof


def grouped_multiclass_probe(X_train, c_train, X_test, c_test, grouping, seed):
    """The multiclass log-linear probe of ``C`` and its argmax, grouped, as a reader of ``Z``.

    A softmax (multinomial logistic regression, the family's logistic probe: standardised,
    L2 ``C = 1``; `metrics.probes.make_probe`) ``p(c | x) ~ exp(w_c^T x + b_c)`` trained on
    ``(X_train, c_train)``; its argmax ``c_hat`` on ``X_test`` is scored on ``c_test`` and,
    through ``Z_hat = grouping[c_hat]``, on ``Z = grouping[c_test]``. Directions of the
    training data that are float64 round-off are dropped first, as `score_probe` does (a
    standardised probe would blow an eraser's residue up to unit scale).

    Parameters
    ----------
    X_train, X_test : ndarray of shape (n, d)
    c_train, c_test : ndarray of shape (n,), ints in ``0..k-1``
    grouping : ndarray of shape (k,), ints in {0, 1}
        ``Z`` of every value.
    seed : numpy.random.SeedSequence

    Returns
    -------
    tuple of float
        ``(balanced accuracy on C (chance 1/k), balanced accuracy on Z (chance 1/2))``.
    """
    grouping = np.asarray(grouping)
    mean, basis = numerical_span(np.asarray(X_train, dtype=np.float64))
    if basis.shape[0] == 0:  # nothing but round-off: a constant rule
        pred = np.zeros(len(c_test), dtype=np.int64)
    else:
        probe = make_probe("logistic", seed).fit((X_train - mean) @ basis.T, c_train)
        pred = probe.predict((X_test - mean) @ basis.T)
    values = float(balanced_accuracy_score(c_test, pred))
    z_test = grouping[c_test]
    return values, float(balanced_accuracy_score(z_test, grouping[pred]))


def qleace_prediction(n_values: int, spacing: float, noise: float) -> dict:
    """Where QLEACE fitted on ``Z`` puts every value along ``u``, in the population.

    Each group ``z`` is, along ``u``, a mixture with mean 0 and variance ``S_z = mean_{c in
    z}(s p_c)^2 + sigma^2``; along ``v`` and every other direction both groups have variance
    ``sigma^2`` and no covariance with ``u``. QLEACE's map for group ``z`` (Gaussian optimal
    transport to the barycentre) is therefore the identity off ``u`` (plus the translation
    of the group means along ``v``) and the scaling ``a_z = sd_bar / sqrt(S_z)`` along ``u``,
    where the 1-D 2-Wasserstein barycentre has ``sd_bar = sum_z pi_z sqrt(S_z)`` (``pi_z``
    the group's frequency, its share of the ``k`` uniform values). A value ``c`` lands at
    ``a_{g(c)} s p_c`` with spread ``a_{g(c)} sigma``.

    Returns
    -------
    dict
        ``positions`` and ``spreads`` (k,) along ``u``; ``variance_ratio`` the outer/inner
        variance ratio along ``u`` before erasure, ``S_0 / S_1``.
    """
    p, g = spacing * value_positions(n_values), inner_grouping(n_values)
    var = np.array([np.mean(p[g == z] ** 2) + noise**2 for z in (0, 1)])
    share = np.array([np.mean(g == z) for z in (0, 1)])
    scale = float(share @ np.sqrt(var)) / np.sqrt(var)
    return {"positions": (scale[g] * p).tolist(), "spreads": (scale[g] * noise).tolist(),
            "variance_ratio": float(var[0] / var[1])}


def _moved(basis: np.ndarray, direction: np.ndarray) -> float:
    """``||B^T w||^2``: the fraction of the unit vector ``w`` inside the span of the
    orthonormal basis ``B`` (d, r) of the displacements ``x - r(x)`` (0 = untouched, 1 =
    moved)."""
    return float(np.sum((basis.T @ direction) ** 2)) if basis.shape[1] else 0.0


def _along_u(X: np.ndarray, c: np.ndarray, z: np.ndarray, u: np.ndarray, k: int):
    """Per value, the mean and standard deviation of ``u^T x``; and the variance of the
    outer group along ``u`` over the inner group's."""
    t = X @ u
    means = [float(t[c == j].mean()) for j in range(k)]
    spreads = [float(t[c == j].std()) for j in range(k)]
    return means, spreads, float(t[z == 0].var() / t[z == 1].var())


def _data(seed: int, prof: dict):
    streams = SeedStreams(f"{STUDY}:{GENERATOR}", int(seed))
    kw = dict(n_features=prof["n_features"], n_values=prof["n_values"],
              spacing=prof["spacing"], group_separation=prof["group_separation"],
              noise=prof["noise"], random_state=streams.data)
    fit = make_grouped_concept(n_samples=prof["n_fit"], split=FIT, **kw)
    tr, te = (make_grouped_concept(n_samples=prof["n_samples"], split=s, **kw)
              for s in (PROBE_TRAIN, PROBE_TEST))
    return streams, fit, tr, te


def run_seed(seed: int, prof: dict) -> list[dict]:
    """Rows of every eraser of the family's list, fitted on ``Z`` and on ``C``, at one seed."""
    streams, fit, tr, te = _data(seed, prof)
    truth = te.ground_truth
    g, u, v = truth["grouping"], truth["value_direction"], truth["group_direction"]
    k = int(truth["n_values"])
    ctr, cte = tr.ground_truth["value_labels"], te.ground_truth["value_labels"]
    rows = []
    for fit_on in FIT_ON:
        data = fit if fit_on == "binary" else dataclasses.replace(
            fit, y=fit.ground_truth["value_labels"])
        # What a label-taking transform is given: the labels the eraser was fitted on.
        ltr, lte = (tr.y, te.y) if fit_on == "binary" else (ctr, cte)
        for method in erasure_methods(GRID_PROFILES[prof["grid_profile"]]):
            eraser = method.build(data, streams.method(0))
            eraser = fit_eraser(eraser, data) or eraser
            Xtr, Xte = _apply(eraser, tr.X, ltr), _apply(eraser, te.X, lte)
            values, grouped = grouped_multiclass_probe(Xtr, ctr, Xte, cte, g,
                                                       streams.probe(MULTICLASS))
            means, spreads, ratio = _along_u(Xte, cte, te.y, u, k)
            basis = removed_subspace(te.X, Xte)
            rows.append({
                "seed": int(seed), "fit_on": fit_on, "eraser": method.name,
                "logistic_z": score_probe("logistic", Xtr, tr.y, Xte, te.y,
                                          streams.probe(LOGISTIC_Z)).balanced_accuracy,
                "zero_one_z": score_probe("zero_one", Xtr, tr.y, Xte, te.y,
                                          streams.probe(ZERO_ONE_Z)).balanced_accuracy,
                "multiclass_values": values, "multiclass_z": grouped,
                "moved_u": _moved(basis, u), "moved_v": _moved(basis, v),
                "rank_moved": int(basis.shape[1]),
                "group_variance_ratio": ratio, "positions_u": means, "spreads_u": spreads,
            })
    return rows


def _timed_task(seed: int, prof: dict):
    start = time.process_time()
    with threadpool_limits(limits=1):
        rows = run_seed(seed, prof)
    return rows, time.process_time() - start


def _per_seed(rows, fit_on, eraser, name) -> np.ndarray:
    sub = sorted((r for r in rows if r["fit_on"] == fit_on and r["eraser"] == eraser),
                 key=lambda r: r["seed"])
    return np.array([r[name] for r in sub], dtype=np.float64)


def summarise(rows: list[dict]) -> list[dict]:
    """Per (fit_on, eraser): every score and diagnostic as a seed mean with its 95% Student-t
    interval, and the per-value positions and spreads along ``u`` (seed means)."""
    out = []
    erasers = list(dict.fromkeys(r["eraser"] for r in rows))
    for fit_on in FIT_ON:
        for e in erasers:
            sub = [r for r in rows if r["fit_on"] == fit_on and r["eraser"] == e]
            if not sub:
                continue
            entry = {"fit_on": fit_on, "eraser": e}
            for name in (*SCORES, *DIAGNOSTICS):
                entry[name] = mean_over_seeds(_per_seed(rows, fit_on, e, name),
                                              CONFIDENCE).to_dict()
            for name in ("positions_u", "spreads_u"):
                entry[name] = np.mean([r[name] for r in sub], axis=0).tolist()
            out.append(entry)
    return out


def comparisons(rows: list[dict], truth: dict, n_values: int) -> list[dict]:
    """Paired comparisons over the shared seeds (`metrics.noise_floor.compare`).

    Per (fit_on, eraser): every score against its chance level (``1/k`` for the multiclass
    probe on ``C``, 1/2 otherwise); the grouped multiclass probe against the binary logistic
    probe; the grouped multiclass probe against the closed form ``bayes_accuracy_grouped``
    and the 0-1 probe against ``best_linear_accuracy_after``; both multiclass scores against
    the oracle projection's (`ORACLE`). And QLEACE against LEACE (fitted on ``Z``) on every
    score.
    """
    chance = {"logistic_z": 0.5, "zero_one_z": 0.5, "multiclass_values": 1.0 / n_values,
              "multiclass_z": 0.5}
    closed = {"multiclass_z": truth["bayes_accuracy_grouped"],
              "zero_one_z": truth["best_linear_accuracy_after"],
              "multiclass_values": truth["bayes_accuracy_values"]}
    out = []
    erasers = list(dict.fromkeys(r["eraser"] for r in rows))
    for fit_on in FIT_ON:
        for e in erasers:
            per = {name: _per_seed(rows, fit_on, e, name) for name in SCORES}
            if per["logistic_z"].size == 0:
                continue
            for name in SCORES:
                out.append({"fit_on": fit_on, "a": e, "metric": name, "b": "chance",
                            **compare(per[name], np.full_like(per[name], chance[name]))})
            for name, value in closed.items():
                out.append({"fit_on": fit_on, "a": e, "metric": name, "b": "closed form",
                            **compare(per[name], np.full_like(per[name], value))})
            out.append({"fit_on": fit_on, "a": e, "metric": "multiclass_z - logistic_z",
                        "b": "logistic_z",
                        **compare(per["multiclass_z"], per["logistic_z"])})
            if ORACLE in erasers and e != ORACLE:
                for name in ("multiclass_values", "multiclass_z"):
                    out.append({"fit_on": fit_on, "a": e, "metric": name, "b": ORACLE,
                                **compare(per[name], _per_seed(rows, fit_on, ORACLE, name))})
    if {"qleace", "leace"} <= set(erasers):
        for name in (*SCORES, "group_variance_ratio"):
            out.append({"fit_on": "binary", "a": "qleace", "metric": name, "b": "leace",
                        **compare(_per_seed(rows, "binary", "qleace", name),
                                  _per_seed(rows, "binary", "leace", name))})
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
        Worker processes; one task is one seed. The numbers do not depend on ``jobs``.

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "erasers", "sizes", "generator", "truth", "rows",
        "summary", "qleace_prediction", "comparisons", "jobs", "wall_s", "cpu_s"}``;
        ``truth`` holds the generator's scalar ground truth (closed forms),
        ``qleace_prediction`` where QLEACE puts the values along ``u``
        (`qleace_prediction`); ``cpu_s`` sums the process time of the run and its workers.
    """
    prof = _profile(profile)
    seed_list = study_seeds(seeds, prof["seeds"])
    jobs = check_int(jobs, "jobs")
    erasers = [m.name for m in erasure_methods(GRID_PROFILES[prof["grid_profile"]])]
    wall, cpu = time.perf_counter(), time.process_time()
    results, child = run_tasks(_timed_task, [(s, prof) for s in seed_list], jobs)
    rows = [r for rs in results for r in rs]
    truth = _data(seed_list[0], {**prof, "n_fit": 2, "n_samples": 2})[3].facts()
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "erasers": erasers,
            "sizes": {k: prof[k] for k in ("n_samples", "n_fit", "n_features")},
            "generator": {"name": GENERATOR, **{k: prof[k] for k in _GENERATOR_ARGS}},
            "truth": truth, "rows": rows, "summary": summarise(rows),
            "qleace_prediction": qleace_prediction(prof["n_values"], prof["spacing"],
                                                   prof["noise"]),
            "comparisons": comparisons(rows, truth, int(prof["n_values"])),
            "cost_estimate": FULL_COST_NOTE if profile == "full" else None,
            "jobs": int(jobs), "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child}


# --- findings, tables and figures ---------------------------------------------------------------


def _cmp(doc, fit_on, a, metric, b) -> dict:
    return next(c for c in doc["comparisons"] if c["fit_on"] == fit_on and c["a"] == a
                and c["metric"] == metric and c["b"] == b)


def _summary(doc, fit_on, eraser) -> dict:
    return next(s for s in doc["summary"] if s["fit_on"] == fit_on and s["eraser"] == eraser)


def _above_chance(doc, fit_on, metric) -> list[str]:
    return [e for e in doc["erasers"]
            if _cmp(doc, fit_on, e, metric, "chance")["verdict"] == ABOVE]


def _words(c: dict) -> str:
    return {ABOVE: "above", BELOW: "below"}.get(c["verdict"], "within noise of")


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """The study in words, read from the document only: ``(term, sentence, note)``."""
    t, n = doc["truth"], len(doc["seeds"])
    note = (f"held-out balanced accuracy, seed means with 95% Student-t intervals over {n} "
            f"seeds; verdicts paired over the shared seeds (metrics.noise_floor, 95%)")
    out = [_binary_finding(doc, note), _multiclass_finding(doc, t, note),
           _zero_one_finding(doc, t, note), _remedy_finding(doc, note)]
    if {"qleace", "leace"} <= set(doc["erasers"]):
        out.append(_qleace_finding(doc, t, note))
    out.append(_why_finding(doc))
    return out


def _binary_finding(doc, note):
    guarded = [e for e in doc["erasers"]
               if _cmp(doc, "binary", e, "logistic_z", "chance")["verdict"] != ABOVE]
    parts = ", ".join(f"{e} {format_estimate(_summary(doc, 'binary', e)['logistic_z'])}"
                      for e in doc["erasers"])
    return ("the binary logistic probe on Z after erasers fitted on Z",
            f"{parts}. Within noise of chance (0.5) after: {', '.join(guarded) or 'none'}; "
            f"every eraser that equalises Z's class means guards the logistic loss on Z "
            f"(LEACE's theorem)", note)


def _multiclass_finding(doc, t, note):
    fitted = [e for e in doc["erasers"]
              if _cmp(doc, "binary", e, "logistic_z", "chance")["verdict"] != ABOVE]
    recover = [e for e in fitted if e in _above_chance(doc, "binary", "multiclass_z")]
    parts = []
    for e in recover:
        s = _summary(doc, "binary", e)
        c = _cmp(doc, "binary", e, "multiclass_z", "closed form")
        parts.append(f"{e} {format_estimate(s['multiclass_z'])} ({_words(c)} the closed form, "
                     f"{format_difference(c)}; on C {format_estimate(s['multiclass_values'])})")
    return ("the multiclass probe on C, grouped, reads Z where the binary probe cannot",
            f"after erasers fitted on Z that leave the binary logistic probe at chance, the "
            f"softmax over the {doc['generator']['n_values']} values, its argmax grouped, "
            f"reads Z above chance after {len(recover)} of {len(fitted)}: "
            f"{'; '.join(parts) or 'none'}. The closed form (the grouped Bayes rule along "
            f"u) is {t['bayes_accuracy_grouped']:.3f}, on C "
            f"{t['bayes_accuracy_values']:.3f}; a probe learned from "
            f"{doc['sizes']['n_samples']} rows falls short of the Bayes rule by its "
            f"estimation error, so a shortfall of a few thousandths is expected. Binary "
            f"log-linear guardedness of Z is not multiclass guardedness (Ravfogel et al. "
            f"2023)", note)


def _zero_one_finding(doc, t, note):
    parts = []
    for e in _above_chance(doc, "binary", "zero_one_z"):
        if e == "identity":
            continue
        c = _cmp(doc, "binary", e, "zero_one_z", "closed form")
        parts.append(f"{e} {format_estimate(_summary(doc, 'binary', e)['zero_one_z'])} "
                     f"({_words(c)} the closed form, {format_difference(c)})")
    return ("what the 0-1 linear probe reads after erasers fitted on Z",
            f"{'; '.join(parts) or 'nothing above chance'}. The best halfspace along u "
            f"reads Z at {t['best_linear_accuracy_after']:.3f} (closed form; 3/4 at zero "
            f"noise): a threshold between the two largest positions cuts one outer value "
            f"off from the rest. 0-1 accuracy is not a convex loss, so equal class means do "
            f"not guard it; the paper's 'every binary probe' is the logistic one", note)


def _remedy_finding(doc, note):
    def guarded(e):
        return all(_cmp(doc, "values", e, m, "chance")["verdict"] != ABOVE
                   for m in ("multiclass_values", "multiclass_z"))

    at_chance = [e for e in doc["erasers"] if guarded(e)]
    left = []
    for e in doc["erasers"]:
        if e in at_chance:
            continue
        c = _cmp(doc, "values", e, "multiclass_values", "chance")
        z = _cmp(doc, "values", e, "multiclass_z", "chance")
        text = f"{e}: on C {format_difference(c)} over chance, grouped on Z {format_difference(z)}"
        if e != ORACLE and ORACLE in doc["erasers"]:
            o = _cmp(doc, "values", e, "multiclass_values", ORACLE)
            text += (f", on C against the oracle projection (nothing left, same rows) "
                     f"{format_difference(o)}, {_words(o)} it")
        left.append(text)
    parts = ", ".join(f"{e} {format_estimate(_summary(doc, 'values', e)['multiclass_z'])}"
                      for e in doc["erasers"])
    return ("the remedy: erasers fitted on the k-valued C (one-hot)",
            f"the grouped multiclass probe on Z: {parts}. Within noise of chance on both C "
            f"and Z after {len(at_chance)} of {len(doc['erasers'])}: equal class means of "
            f"C's one-hot labels guard every convex loss, the softmax's cross-entropy "
            f"included. Above chance: {'; '.join(left) or 'none'}", note)


def _qleace_finding(doc, t, note):
    q, le = _summary(doc, "binary", "qleace"), _summary(doc, "binary", "leace")
    c = _cmp(doc, "binary", "qleace", "multiclass_z", "leace")
    r = _cmp(doc, "binary", "qleace", "group_variance_ratio", "leace")
    pos = ", ".join(f"{p:.2f} (sd {s:.2f})" for p, s in zip(q["positions_u"], q["spreads_u"],
                                                            strict=True))
    pos_le = ", ".join(f"{p:.2f} (sd {s:.2f})"
                       for p, s in zip(le["positions_u"], le["spreads_u"], strict=True))
    pred = doc["qleace_prediction"]
    pos_pred = ", ".join(f"{p:.2f} (sd {s:.2f})" for p, s in zip(
        pred["positions"], pred["spreads"], strict=True))
    return ("QLEACE fitted on Z: equalising the Z-groups' covariances too",
            f"the outer/inner variance ratio along u goes from "
            f"{format_estimate(le['group_variance_ratio'], 2)} after LEACE to "
            f"{format_estimate(q['group_variance_ratio'], 2)} after QLEACE (difference "
            f"{format_difference(r, 2)}; {pred['variance_ratio']:.2f} in the population before): "
            f"its per-group maps stretch the inner values and shrink the outer ones along u, so "
            f"the values' positions (sd) go from {pos_le} to {pos} (Gaussian transport "
            f"predicts {pos_pred}). "
            f"The grouped multiclass probe falls from {format_estimate(le['multiclass_z'])} to "
            f"{format_estimate(q['multiclass_z'])} ({format_difference(c)}, {_words(c)} LEACE), "
            f"on C {format_estimate(q['multiclass_values'])}: the values now overlap, but the maps "
            f"need Z at transform time and leave C above chance", note)


def _why_finding(doc):
    movers = [e for e in doc["erasers"]
              if _summary(doc, "binary", e)["moved_u"]["value"] >= 0.5]
    parts = []
    for e in doc["erasers"]:
        s = _summary(doc, "binary", e)
        parts.append(f"{e} u {s['moved_u']['value']:.2f}, v {s['moved_v']['value']:.2f} "
                     f"(rank {s['rank_moved']['value']:.1f})")
    return ("why: which planted directions each eraser fitted on Z moves",
            f"fraction of u and of v inside the span of the displacements (its dimension, "
            f"of {doc['sizes']['n_features']}): " + "; ".join(parts)
            + ". The erasers of Z's class means move v only (u carries no mean difference "
              "of Z), so C stays along u. Those that move u: "
            + ("; ".join(f"{e}, {MOVES_U.get(e, 'reason not recorded')}" for e in movers)
               or "none"),
            "1 = the direction is moved, 0 = untouched; seed means")


def tables(doc: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every eraser fitted on Z and on C: the four probes and the diagnostics."""
    head = ["fitted on", "eraser", "logistic on Z", "0-1 linear on Z", "softmax on C",
            "softmax grouped, on Z", "u moved", "v moved", "rank moved",
            "outer/inner var. along u"]
    rows = [[s["fit_on"], s["eraser"], *(format_estimate(s[k]) for k in SCORES),
             *(f"{s[k]['value']:.2f}" for k in DIAGNOSTICS)] for s in doc["summary"]]
    t = doc["truth"]
    return [(f"Held-out balanced accuracy on grouped_concept (k = {t['n_values']}; closed "
             f"forms: softmax grouped {t['bayes_accuracy_grouped']:.3f}, on C "
             f"{t['bayes_accuracy_values']:.3f}, best halfspace "
             f"{t['best_linear_accuracy_after']:.3f}; {len(doc['seeds'])} seeds, 95% "
             f"intervals)", head, rows)]


def draw(doc: dict):
    """Two panels (erasers fitted on Z, on C): three readers of Z per eraser, beside the
    closed forms. Yields ``(caption, file name, Figure)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.figure_labels import estimate_bars

    probes = (("logistic_z", "binary logistic"), ("zero_one_z", "0-1 linear"),
              ("multiclass_z", "softmax on C, grouped"))
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 3.8), sharey=True)
    x = np.arange(len(doc["erasers"]))
    width = 0.8 / len(probes)
    t = doc["truth"]
    for ax, fit_on in zip(axes, FIT_ON, strict=True):
        for j, (key, label) in enumerate(probes):
            estimate_bars(ax, x + (j - 1) * width,
                          [_summary(doc, fit_on, e)[key] for e in doc["erasers"]], width,
                          capsize=1.5, label=label)
        ax.axhline(0.5, color="grey", lw=0.8)
        ax.axhline(t["bayes_accuracy_grouped"], color="C2", ls="--", lw=0.8)
        ax.axhline(t["best_linear_accuracy_after"], color="C1", ls="--", lw=0.8)
        ax.set_xticks(x, doc["erasers"], rotation=45, ha="right", fontsize=7)
        ax.set_title(f"erasers fitted on {'Z (binary)' if fit_on == 'binary' else 'C (one-hot)'}",
                     fontsize=9)
    axes[0].set_ylabel("held-out balanced accuracy on Z")
    axes[0].set_ylim(0.4, 1.02)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=3, fontsize=7, frameon=False)
    caption = (f"Reading Z after erasure on grouped_concept: binary logistic, 0-1 linear, and "
               f"the softmax over C's values grouped; dashed: closed forms (grouped Bayes "
               f"{t['bayes_accuracy_grouped']:.3f}, best halfspace "
               f"{t['best_linear_accuracy_after']:.3f}); {len(doc['seeds'])} seeds, 95% "
               f"intervals")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    yield caption, f"{STUDY}.png", fig


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, f"{STUDY}.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
