"""R-LACE's two solvers: is it slow, and does it give different results from run to run?

The claim measured (the project brief's seed): "RLACE is slow and gives different results
from run to run". Two solvers of the same game (Ravfogel et al. 2022, Eq. 5):

- ``fast``: `methods.erasure.rlace.RLACEEraser`, the suite's solver (exact start on the
  class-mean span, then full-batch projected gradient steps only if a held-out check fails);
- ``sgd``: `methods.erasure.rlace_sgd.RLACESGDEraser`, the reference code's alternating SGD
  from a random ``P``, at the profile's budget (`benchmarks.erasure.family.RLACE_SGD_BUDGET`:
  the reference's defaults in ``full``, a 600-iteration budget with 10x its learning rate in
  ``quick``).

Per data seed ``s`` (``SeedStreams(generator, s)``): split 0 (``n_fit`` rows) fits every
eraser, split 1 (``n_probe`` rows, erased) trains a logistic probe, split 2 (erased) scores
it (`metrics.probes.score_probe`, balanced accuracy; the probe's stream ``probe(0)`` is the
same for every fit, so its spread is the eraser's). Method seed ``j`` gives both solvers the
same stream ``streams.method(j)``. Every fit runs with BLAS held to one thread, as grid cells
do; its wall time (``perf_counter``) and process time are recorded.

Measured, per solver: time per fit; run-to-run consistency on the same data (all pairs of
method seeds: mean squared cosine of the principal angles between the removed subspaces,
`metrics.subspace.subspace_consistency`, and the largest principal angle in degrees,
``scipy.linalg.subspace_angles``); the spread (max - min) over method seeds of the held-out
probe's balanced accuracy; across data seeds, the removed subspace against each data seed's
planted concept directions (each seed plants its own, so fits on different data are compared
through their truth, not with each other) and the spread of the probe accuracy over data
seeds. Between solvers: the pairs (fast, sgd) on the same data and method seed.

Verdict rule (stated in the findings): a solver "gives the same result from run to run" when
every same-data pair has consistency >= `SAME_RESULT_CONSISTENCY` (largest angle below ~5.7
degrees) and the probe-accuracy spread is at most `SAME_RESULT_ACCURACY` on every data seed.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np
from scipy.linalg import subspace_angles
from threadpoolctl import threadpool_limits

from benchmarks.erasure.family import RLACE_SGD_BUDGET, SIZES
from benchmarks.seeding import SeedStreams, sklearn_seed
from benchmarks.spec import GeneratorSpec
from benchmarks.study_cli import study_main, study_profile, study_seeds
from floor.validation import check_int
from generators.multiclass_gaussian import make_multiclass_gaussian
from generators.two_class_gaussian import make_two_class_gaussian
from methods.erasure.rlace import RLACEEraser
from methods.erasure.rlace_sgd import RLACESGDEraser
from metrics.probes import score_probe
from metrics.statistics import mean_over_seeds
from metrics.subspace import subspace_consistency

TITLE = "R-LACE: the suite's fast solver against the reference's alternating SGD"
QUESTION = ("Is R-LACE slow, and does it give different results from run to run (the "
            "brief's seed claim)? Both solvers of the same game, several method seeds on the "
            "same data and across data seeds: time per fit, principal angles between the "
            "removed subspaces of different runs, spread of the held-out probe accuracy after "
            "erasure, and agreement between the two solvers.")

STUDY = "rlace_consistency"
SOLVERS = ("fast", "sgd")
FIT, PROBE_TRAIN, PROBE_TEST = 0, 1, 2
# "Same result": every same-data pair has mean cos^2 >= 0.99 (largest angle < ~5.7 deg
# for rank 1) and the held-out probe's balanced accuracy varies by at most a point.
SAME_RESULT_CONSISTENCY = 0.99
SAME_RESULT_ACCURACY = 0.01
# The reference's iteration count (`solve_adv_game`'s ``out_iters``), for the extrapolation.
REFERENCE_STEPS = 75000

_GENERATORS = {"two_class_gaussian": (make_two_class_gaussian, {}),
               "multiclass_gaussian": (make_multiclass_gaussian, {"n_classes": 4})}

PROFILES = {
    # ~10 s of wall time on one idle core (16 SGD fits at 600 iterations dominate).
    "quick": {"generators": ("two_class_gaussian",), "data_seeds": (0, 1),
              "method_seeds": 4, "n_fit": SIZES["quick"]["n_fit"],
              "n_probe": SIZES["quick"]["n_samples"],
              "n_features": SIZES["quick"]["n_features"], "sgd": RLACE_SGD_BUDGET["quick"]},
    # Not run here: 2 generators x 3 data seeds x 5 method seeds = 30 SGD fits at the
    # reference's 75000 iterations. Measured at d = 64 on 200000 rows (one core, shared
    # machine): 4.9 s of CPU per 1000 iterations with their evaluation, ~6 min a fit,
    # ~3 core-hours in all.
    "full": {"generators": ("two_class_gaussian", "multiclass_gaussian"),
             "data_seeds": (0, 1, 2), "method_seeds": 5, "n_fit": SIZES["full"]["n_fit"],
             "n_probe": SIZES["full"]["n_samples"],
             "n_features": SIZES["full"]["n_features"], "sgd": RLACE_SGD_BUDGET["full"]},
}
FULL_COST_NOTE = "estimated ~3 core-hours (30 SGD fits at 75000 iterations, ~6 min each)"


def _profile(profile) -> dict:
    if isinstance(profile, str):
        return study_profile(profile, PROFILES)
    if not isinstance(profile, dict) or not set(PROFILES["quick"]) <= set(profile):
        raise ValueError(f"profile must be a name or a dict with keys "
                         f"{sorted(PROFILES['quick'])}, got {profile!r}")
    return profile


def _spec(name: str, prof: dict) -> GeneratorSpec:
    if name not in _GENERATORS:
        raise ValueError(f"generators must name entries of {sorted(_GENERATORS)}, "
                         f"got {name!r}")
    make, extra = _GENERATORS[name]
    return GeneratorSpec(name, "erasure", make, dict(n_samples=prof["n_probe"],
                                                     n_features=prof["n_features"], **extra))


def build_solver(solver: str, rank: int, seed: np.random.SeedSequence, prof: dict):
    """A fresh eraser of ``solver`` ("fast" or "sgd") for rank ``rank`` and method stream
    ``seed`` (the fast solver takes an int drawn from it, as in the grid)."""
    if solver == "fast":
        return RLACEEraser(rank=rank, random_state=sklearn_seed(seed))
    if solver == "sgd":
        return RLACESGDEraser(rank=rank, random_state=seed, **prof["sgd"])
    raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")


def largest_angle_deg(A: np.ndarray, B: np.ndarray) -> float:
    """Largest principal angle (degrees) between ``span(A)`` and ``span(B)``, (d, k) each."""
    return float(np.degrees(subspace_angles(A, B).max()))


def pair_stats(bases: dict, pairs) -> dict:
    """Consistency (mean cos^2) and largest angle over ``pairs`` of keys of ``bases``.

    Returns ``{"n", "consistency": {"mean", "min"}, "angle_deg": {"mean", "max"}}``;
    ``n = 0`` (and None statistics) when there is no pair.
    """
    cons = [subspace_consistency(bases[a], bases[b]) for a, b in pairs]
    angs = [largest_angle_deg(bases[a], bases[b]) for a, b in pairs]
    if not cons:
        return {"n": 0, "consistency": None, "angle_deg": None}
    return {"n": len(cons),
            "consistency": {"mean": float(np.mean(cons)), "min": float(np.min(cons))},
            "angle_deg": {"mean": float(np.mean(angs)), "max": float(np.max(angs))}}


def run_generator(name: str, prof: dict, data_seeds, method_seeds: int) -> dict:
    """Every fit of both solvers on generator ``name``: rows and pairwise statistics."""
    spec = _spec(name, prof)
    rows, bases = [], {}
    for s in data_seeds:
        streams = SeedStreams(f"{STUDY}:{name}", int(s))
        fit = spec.dataset(streams, FIT, n_samples=prof["n_fit"])
        ptrain, ptest = spec.dataset(streams, PROBE_TRAIN), spec.dataset(streams, PROBE_TEST)
        rank = max(1, np.unique(fit.y).size - 1)
        truth = fit.ground_truth["concept_directions"]
        for solver in SOLVERS:
            for j in range(method_seeds):
                eraser = build_solver(solver, rank, streams.method(j), prof)
                wall, cpu = time.perf_counter(), time.process_time()
                eraser.fit(fit.X, fit.y)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                score = score_probe("logistic", eraser.transform(ptrain.X), ptrain.y,
                                    eraser.transform(ptest.X), ptest.y, streams.probe(0))
                bases[(solver, int(s), j)] = eraser.basis_
                rows.append({"generator": name, "solver": solver, "data_seed": int(s),
                             "truth_angle_deg": largest_angle_deg(eraser.basis_, truth),
                             "method_seed": j, "fit_s": wall, "fit_cpu_s": cpu,
                             "n_iter": int(eraser.n_iter_),
                             "converged": bool(eraser.converged_),
                             "balanced_accuracy": score.balanced_accuracy,
                             "leakage": score.balanced_accuracy - score.chance,
                             "truth_consistency": subspace_consistency(eraser.basis_, truth)})
    keys = list(bases)
    out = {"rows": rows, "solvers": {}}
    for solver in SOLVERS:
        mine = [k for k in keys if k[0] == solver]
        same = [(a, b) for a, b in itertools.combinations(mine, 2) if a[1] == b[1]]
        sub = [r for r in rows if r["solver"] == solver]
        spreads = [float(np.ptp([r["balanced_accuracy"] for r in sub if r["data_seed"] == s]))
                   for s in data_seeds]
        out["solvers"][solver] = {
            "fit_s": mean_over_seeds([r["fit_s"] for r in sub]).to_dict(),
            "fit_cpu_s": mean_over_seeds([r["fit_cpu_s"] for r in sub]).to_dict(),
            # process time per iteration (wall time on a shared machine drifts with load)
            "s_per_iter": float(np.mean([r["fit_cpu_s"] / max(r["n_iter"], 1) for r in sub])),
            "n_iter": {"mean": float(np.mean([r["n_iter"] for r in sub])),
                       "max": int(max(r["n_iter"] for r in sub))},
            "same_data": pair_stats(bases, same),
            "accuracy_spread": {"per_data_seed": spreads, "max": float(max(spreads))},
            "leakage": mean_over_seeds([r["leakage"] for r in sub]).to_dict(),
            "truth_consistency": {"mean": float(np.mean([r["truth_consistency"] for r in sub])),
                                  "min": float(min(r["truth_consistency"] for r in sub))},
            "truth_angle_deg": {"mean": float(np.mean([r["truth_angle_deg"] for r in sub])),
                                "max": float(max(r["truth_angle_deg"] for r in sub))},
            "accuracy_over_data": float(np.ptp([np.mean([r["balanced_accuracy"] for r in sub
                                                         if r["data_seed"] == s])
                                                for s in data_seeds])),
        }
    between = [(("fast",) + k[1:], ("sgd",) + k[1:]) for k in keys if k[0] == "fast"]
    out["between"] = pair_stats(bases, between)
    fast, sgd = out["solvers"]["fast"], out["solvers"]["sgd"]
    out["time_ratio"] = sgd["fit_s"]["value"] / fast["fit_s"]["value"]
    out["cpu_ratio"] = sgd["fit_cpu_s"]["value"] / fast["fit_cpu_s"]["value"]
    out["sgd_reference_extrapolated_s"] = sgd["s_per_iter"] * REFERENCE_STEPS
    for solver in SOLVERS:
        d = out["solvers"][solver]
        d["same_result"] = bool(d["same_data"]["n"] > 0
                                and d["same_data"]["consistency"]["min"]
                                >= SAME_RESULT_CONSISTENCY
                                and d["accuracy_spread"]["max"] <= SAME_RESULT_ACCURACY)
    return out


def run(profile="quick", seeds=None, jobs: int = 1) -> dict:
    """Run the study; returns its JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict
        A `PROFILES` name or a dict of the same keys (tests use tiny ones).
    seeds : sequence of int, optional
        Data seeds (default: the profile's).
    jobs : int, default=1
        Accepted for the study interface; the fits run serially (their times are the
        measurement, and parallel fits on shared cores would inflate them).

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "method_seeds", "generators": {name: {"rows",
        "solvers", "between", "time_ratio", "sgd_reference_extrapolated_s"}}, "sgd_budget",
        "cost_estimate", "wall_s"}``.
    """
    prof = _profile(profile)
    seed_list = study_seeds(seeds, prof["data_seeds"])
    check_int(jobs, "jobs")
    n_method = check_int(prof["method_seeds"], "method_seeds", minimum=2)
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        gens = {g: run_generator(g, prof, seed_list, n_method) for g in prof["generators"]}
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "method_seeds": n_method, "generators": gens,
            "sgd_budget": dict(prof["sgd"]),
            "cost_estimate": FULL_COST_NOTE if profile == "full" else None,
            "wall_s": time.perf_counter() - start}


# --- findings and figures -------------------------------------------------------------------


def _cons(p: dict) -> str:
    if not p["n"]:
        return "n/a (one run)"
    return (f"mean cos^2 {p['consistency']['mean']:.4f} (min {p['consistency']['min']:.4f}), "
            f"largest angle {p['angle_deg']['max']:.2f} deg over {p['n']} pairs")


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """The measurements in words: ``(term, sentence with numbers, note)``."""
    out = []
    budget = doc["sgd_budget"]
    note_budget = (f"SGD budget: {budget['n_steps']} iterations, lr {budget['lr_projection']:g}"
                   f", evaluation every {budget['evaluate_every']}")
    for name, g in doc["generators"].items():
        f, s = g["solvers"]["fast"], g["solvers"]["sgd"]
        n_fits = f["fit_s"]["n"]
        out.append((f"time per fit, {name}",
                    f"fast {f['fit_s']['value']:.3f} s, SGD {s['fit_s']['value']:.2f} s "
                    f"(mean of {n_fits} fits each; {s['n_iter']['mean']:.0f} iterations): "
                    f"SGD/fast = {g['time_ratio']:.0f}x wall, {g['cpu_ratio']:.0f}x CPU "
                    f"({f['fit_cpu_s']['value']:.3f} s against {s['fit_cpu_s']['value']:.2f} s"
                    f"); at the reference's "
                    f"{REFERENCE_STEPS} iterations SGD would take "
                    f"~{g['sgd_reference_extrapolated_s']:.0f} s of CPU a fit "
                    f"({s['s_per_iter'] * 1e3:.2f} ms per iteration), "
                    f"{g['sgd_reference_extrapolated_s'] / f['fit_cpu_s']['value']:.0f}x the "
                    f"fast solver",
                    "wall time, one BLAS thread; " + note_budget))
        out.append((f"run-to-run consistency, {name}, same data, different method seeds",
                    f"fast: {_cons(f['same_data'])}; SGD: {_cons(s['same_data'])}",
                    "removed subspaces; cos^2 1 = identical, 0 = orthogonal"))
        out.append((f"across data seeds, {name}",
                    f"largest angle to the data's planted subspace: fast mean "
                    f"{f['truth_angle_deg']['mean']:.2f} deg (max {f['truth_angle_deg']['max']:.2f}"
                    f"), SGD mean {s['truth_angle_deg']['mean']:.2f} deg (max "
                    f"{s['truth_angle_deg']['max']:.2f}); probe accuracy range over data seeds "
                    f"fast {f['accuracy_over_data']:.4f}, SGD {s['accuracy_over_data']:.4f}",
                    "each data seed plants its own concept direction"))
        out.append((f"held-out probe accuracy after erasure, {name}",
                    f"spread over method seeds (max - min, per data seed): fast "
                    f"{', '.join(f'{v:.4f}' for v in f['accuracy_spread']['per_data_seed'])};"
                    f" SGD {', '.join(f'{v:.4f}' for v in s['accuracy_spread']['per_data_seed'])}"
                    f"; mean leakage fast {f['leakage']['value']:.4f}, SGD "
                    f"{s['leakage']['value']:.4f}",
                    "logistic probe, balanced accuracy; leakage = accuracy - chance"))
        out.append((f"agreement between the solvers, {name}",
                    f"same data and method seed: {_cons(g['between'])}; against the planted "
                    f"directions: fast mean cos^2 {f['truth_consistency']['mean']:.4f}, SGD "
                    f"{s['truth_consistency']['mean']:.4f} (min "
                    f"{s['truth_consistency']['min']:.4f})", ""))
        verdict = {True: "gives the same result", False: "gives different results"}
        out.append((f"the claim, {name}",
                    f"'slow': SGD is {g['time_ratio']:.0f}x the fast solver here; 'different "
                    f"results from run to run': fast {verdict[f['same_result']]}, SGD "
                    f"{verdict[s['same_result']]} (rule: every same-data pair cos^2 >= "
                    f"{SAME_RESULT_CONSISTENCY} and accuracy spread <= "
                    f"{SAME_RESULT_ACCURACY})",
                    f"{len(doc['seeds'])} data seeds x {doc['method_seeds']} method seeds"))
    return out


def figures(doc: dict, out) -> list[tuple[str, str]]:
    """Per generator: time per fit (log) and the pairwise consistencies, per solver."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    result = []
    colours = {"fast": "tab:blue", "sgd": "tab:orange"}
    for name, g in doc["generators"].items():
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.6))
        fig.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.85, wspace=0.35)
        for i, solver in enumerate(SOLVERS):
            t = [r["fit_s"] for r in g["rows"] if r["solver"] == solver]
            ax1.scatter(np.full(len(t), i) + np.linspace(-0.1, 0.1, len(t)), t,
                        color=colours[solver], s=14)
        ax1.set_yscale("log")
        ax1.set_xticks(range(len(SOLVERS)), SOLVERS)
        ax1.set_ylabel("wall time per fit (s, log)")
        labels, x = [], 0
        for solver in SOLVERS:
            for key, label in (("same_data", "runs, same data"),
                               ("truth_consistency", "vs planted")):
                p = g["solvers"][solver][key]
                p = p["consistency"] if key == "same_data" else p
                if p is not None:
                    ax2.errorbar([x], [p["mean"]], yerr=[[p["mean"] - p["min"]], [0.0]],
                                 fmt="o", color=colours[solver], capsize=3)
                labels.append(f"{solver}\n{label}")
                x += 1
        b = g["between"]
        ax2.errorbar([x], [b["consistency"]["mean"]],
                     yerr=[[b["consistency"]["mean"] - b["consistency"]["min"]], [0.0]],
                     fmt="s", color="grey", capsize=3)
        labels.append("fast vs\nsgd")
        ax2.set_xticks(range(len(labels)), labels, fontsize=7)
        ax2.axhline(SAME_RESULT_CONSISTENCY, color="grey", ls=":", lw=1)
        ax2.set_ylabel("mean cos^2 of principal angles\n(dot: mean, bar down to min)")
        caption = (f"R-LACE solvers on {name}: time per fit and consistency of the removed "
                   f"subspace between runs ({len(doc['seeds'])} data x "
                   f"{doc['method_seeds']} method seeds)")
        fig.suptitle(caption, fontsize=8)
        path = folder / f"rlace_consistency_{name}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        result.append((caption, str(path)))
    return result


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, f"{STUDY}.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
