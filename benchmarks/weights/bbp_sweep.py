"""The BBP study: top singular vectors of one planted pair against the closed form, across the
threshold, and how many directions each counting rule calls structure in pure noise.

Part 1 (overlap curve): for each shape and each strength ratio ``r`` (strength over the BBP
threshold ``tau (d_out d_in)^(1/4)``), ``W = r thr u v^T + noise`` (`generators.planted_weights`,
one orthonormal pair) is drawn ``reps`` times; the top singular pair's ``cos^2`` with ``u``
and ``v`` is averaged and compared with the limits of Benaych-Georges & Nadakuditi (2012)
(`floor.random_matrix.bbp_overlaps`). Part 2 (null): ``n_null`` pure-noise matrices of the
family's shape; the count claimed by the elbow, 90%-variance and MP-edge rules (noise
estimated, and known).

Every draw has its own stream: ``cell_seed("bbp_sweep", seed, DATA, shape, ratio, rep)`` and
``cell_seed("bbp_sweep_null", seed, DATA, rep)``. Cost (quick, measured): a few seconds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.profiles import get_profile
from benchmarks.seeding import DATA, cell_seed
from generators.planted_weights import make_planted_weights
from methods.weights.svd_directions import SVDDirections
from metrics.statistics import mean_over_seeds

TITLE = "Singular vectors across the BBP threshold, and counting rules on pure noise"
QUESTION = (
    "How close are a planted pair's top singular vectors to it, as a function of its strength "
    "over the BBP threshold, against the closed-form limit; and how many directions does each "
    "counting rule (eyeball elbow, 90% of the squared norm, Marchenko-Pastur edge) call "
    "structure in a matrix of pure noise?")
STUDY = "bbp_sweep"
RATIOS = (0.5, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 6.0)
# Ratios at which the finite-size curve is compared with the limit in the findings: the
# limit's slope is infinite at 1, where finite matrices smear the transition.
COMPARED_FROM = 1.5
PROFILES = {
    "quick": {"shapes": ((64, 48), (256, 192)), "reps": 30, "null_shape": (64, 48),
              "n_null": 120},
    "full": {"shapes": ((64, 48), (512, 384), (1024, 768)), "reps": 200,
             "null_shape": (512, 384), "n_null": 500},
}
RULES = {"gap": dict(rule="gap"), "variance": dict(rule="variance"),
         "mp_edge": dict(rule="mp_edge"), "mp_edge_known_noise": dict(rule="mp_edge")}


def _top_overlaps(ds) -> tuple[float, float]:
    U, _, Vt = np.linalg.svd(ds.X, full_matrices=False)
    gt = ds.ground_truth
    return (float((U[:, 0] @ gt["write_directions"][0]) ** 2),
            float((Vt[0] @ gt["read_directions"][0]) ** 2))


def run(profile: str = "quick", seeds=None, jobs: int = 1) -> dict:
    """The study at ``profile`` as a JSON-able dict.

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "curves": [one per shape x ratio: "d_out", "d_in",
        "ratio", "n", "write_cos2", "read_cos2" (means), "write_predicted",
        "read_predicted"], "null": {"shape", "n", rule: {"mean", "rate_claiming"}}}``.
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {profile!r}")
    cfg = PROFILES[profile]
    seeds = list(get_profile(profile).seeds) if seeds is None else [int(s) for s in seeds]
    per_seed = max(1, cfg["reps"] // len(seeds))
    curves = []
    with threadpool_limits(1):
        for si, (d_out, d_in) in enumerate(cfg["shapes"]):
            for ri, ratio in enumerate(RATIOS):
                wu, wv, pred = [], [], None
                for seed in seeds:
                    for rep in range(per_seed):
                        ds = make_planted_weights(
                            d_out=d_out, d_in=d_in, strength_ratios=(ratio,),
                            random_state=cell_seed(STUDY, seed, DATA, si, ri, rep))
                        cu2, cv2 = _top_overlaps(ds)
                        wu.append(cu2)
                        wv.append(cv2)
                        pred = ds.ground_truth
                curves.append({
                    "d_out": d_out, "d_in": d_in, "ratio": ratio, "n": len(wu),
                    "write_cos2": mean_over_seeds(wu).to_dict(),
                    "read_cos2": mean_over_seeds(wv).to_dict(),
                    "write_predicted": float(pred["predicted_write_overlap"][0] ** 2),
                    "read_predicted": float(pred["predicted_read_overlap"][0] ** 2)})
        d_out, d_in = cfg["null_shape"]
        claims = {rule: [] for rule in RULES}
        per_seed_null = max(1, cfg["n_null"] // len(seeds))
        for seed in seeds:
            for rep in range(per_seed_null):
                ds = make_planted_weights(d_out=d_out, d_in=d_in, strength_ratios=(),
                                          random_state=cell_seed(STUDY + "_null", seed, DATA,
                                                                 rep))
                for rule, kwargs in RULES.items():
                    extra = ({"noise_std": ds.ground_truth["noise_entry_std"]}
                             if rule == "mp_edge_known_noise" else {})
                    claims[rule].append(SVDDirections(**kwargs, **extra).fit(ds.X).n_directions_)
    null = {"shape": [d_out, d_in], "n": len(claims["gap"])}
    for rule, values in claims.items():
        v = np.asarray(values)
        null[rule] = {"mean": float(v.mean()), "min": int(v.min()), "max": int(v.max()),
                      "rate_claiming": float(np.mean(v > 0))}
    return {"study": STUDY, "profile": profile, "seeds": seeds, "curves": curves, "null": null}


def _deviation(doc: dict, d_out: int, d_in: int, low: float) -> float:
    rows = [c for c in doc["curves"] if c["d_out"] == d_out and c["d_in"] == d_in
            and c["ratio"] >= low]
    return max(max(abs(c["write_cos2"]["value"] - c["write_predicted"]),
                   abs(c["read_cos2"]["value"] - c["read_predicted"])) for c in rows)


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """(term, sentence with numbers, note): the curve's distance from the limit per shape, the
    smearing at the threshold, and the null counts per rule."""
    out = []
    shapes = list(dict.fromkeys((c["d_out"], c["d_in"]) for c in doc["curves"]))
    for d_out, d_in in shapes:
        dev = _deviation(doc, d_out, d_in, COMPARED_FROM)
        at = next(c for c in doc["curves"] if c["d_out"] == d_out and c["d_in"] == d_in
                  and c["ratio"] == 1.0)
        below = next(c for c in doc["curves"] if c["d_out"] == d_out and c["d_in"] == d_in
                     and c["ratio"] == 0.5)
        out.append((f"SVD overlap, {d_out}x{d_in}",
                    f"mean cos^2 of the top singular vectors within {dev:.3f} of the closed "
                    f"form at every strength >= {COMPARED_FROM}x the BBP threshold "
                    f"({at['n']} draws per strength); at the threshold the limit is 0, "
                    f"measured {at['write_cos2']['value']:.3f} (write) / "
                    f"{at['read_cos2']['value']:.3f} (read); at 0.5x "
                    f"{below['write_cos2']['value']:.3f} / {below['read_cos2']['value']:.3f} "
                    f"(chance about 1/d)",
                    "finite-size smearing at the threshold"))
    null = doc["null"]
    names = {"gap": "the eyeball elbow", "variance": "90% of the squared norm",
             "mp_edge": "the MP edge (noise from the median, TW 0.99 margin)",
             "mp_edge_known_noise": "the MP edge with the true noise level"}
    for rule, name in names.items():
        r = null[rule]
        out.append((f"null {null['shape'][0]}x{null['shape'][1]}: {rule}",
                    f"{name} claims {r['mean']:.2f} directions on average (range {r['min']}-"
                    f"{r['max']}) in pure noise; claims any on {r['rate_claiming']:.1%} of "
                    f"{null['n']} matrices", ""))
    return out


def figures(doc: dict, out) -> list[tuple[str, Path]]:
    """Measured mean cos^2 (write and read) against the strength ratio per shape, beside the
    closed-form limits."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    shapes = list(dict.fromkeys((c["d_out"], c["d_in"]) for c in doc["curves"]))
    fig, axes = plt.subplots(1, len(shapes), figsize=(4.6 * len(shapes), 3.6), squeeze=False)
    for ax, (d_out, d_in) in zip(axes[0], shapes, strict=True):
        rows = [c for c in doc["curves"] if c["d_out"] == d_out and c["d_in"] == d_in]
        x = [c["ratio"] for c in rows]
        for side, colour in (("write", "C0"), ("read", "C1")):
            ax.plot(x, [c[f"{side}_predicted"] for c in rows], color=colour, lw=1.5,
                    label=f"{side}: closed form")
            ax.errorbar(x, [c[f"{side}_cos2"]["value"] for c in rows],
                        yerr=[[c[f"{side}_cos2"]["value"] - c[f"{side}_cos2"]["low"]
                               for c in rows],
                              [c[f"{side}_cos2"]["high"] - c[f"{side}_cos2"]["value"]
                               for c in rows]],
                        fmt="o", ms=4, color=colour, label=f"{side}: measured")
        ax.axvline(1.0, color="k", ls=":", lw=1)
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(RATIOS[::2], [f"{r:g}" for r in RATIOS[::2]])
        ax.set_title(f"{d_out} x {d_in}", fontsize=9)
        ax.set_xlabel("strength / BBP threshold")
        ax.set_ylim(-0.02, 1.02)
    axes[0][0].set_ylabel("mean cos^2 with the planted pair")
    axes[0][0].legend(fontsize=7, loc="lower right")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.9, wspace=0.25)
    path = out / "weights_bbp_sweep.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return [("Weights study: mean cos^2 of the top singular vectors with a planted pair "
             "against its strength (in BBP thresholds), 95% intervals, beside the limits of "
             "Benaych-Georges & Nadakuditi (2012)", path)]
