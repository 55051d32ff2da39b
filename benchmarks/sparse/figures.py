"""Sparse-feature figures, drawn from results records only (per-seed numbers in ``seeds``).

- cross-size MMCS (Sharkey et al. 2022): each dictionary's live atoms against the next
  larger one, per generator, beside the random-atom band;
- recovery of the planted features against dictionary size;
- false-positive rate of `no_false_features` per method and feature-less generator, with
  95% Wilson intervals;
- train against held-out reconstruction loss (FVU = 1 - R^2), with the `generalises` limit.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.sparse.checks import FVU_SLACK, GENERALISATION_FACTOR  # noqa: E402

FAMILY = "sparse"


def _ok(records: list[dict]) -> list[dict]:
    return [r for r in records if r["family"] == FAMILY and r["status"] == "ok"]


def _generators(rows: list[dict], planted: bool | None = None) -> list[str]:
    seen = []
    for r in rows:
        has = bool(r["metrics"]["has_features"]["value"])
        if r["generator"] not in seen and (planted is None or has == planted):
            seen.append(r["generator"])
    return seen


def _methods(rows: list[dict]) -> list[str]:
    return sorted({r["method"] for r in rows})


def _colours(methods: list[str]) -> dict:
    cmap = plt.get_cmap("tab10")
    return {m: cmap(i % 10) for i, m in enumerate(methods)}


def _curve(record: dict, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Seed-mean of ``seeds[i][key]`` points: x = smaller size, y = cross-size MMCS."""
    seeds = [s[key] for s in record["seeds"] if s.get("status") == "ok" and key in s]
    x = np.array([p["small"] for p in seeds[0]], dtype=float)
    y = np.mean([[p["cross_mmcs"] for p in s] for s in seeds], axis=0)
    return x, y


def cross_size_figure(records: list[dict], path: Path) -> Path | None:
    """Cross-size MMCS against dictionary size, one panel per generator, with the band."""
    rows = _ok(records)
    if not rows:
        return None
    gens = _generators(rows)
    methods = _methods(rows)
    colour = _colours(methods)
    ncol = min(4, len(gens))
    nrow = int(np.ceil(len(gens) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.3 * ncol, 2.9 * nrow), squeeze=False,
                             sharey=True)
    for ax, g in zip(axes.ravel(), gens, strict=False):
        band_x, band_lo, band_hi = {}, {}, {}
        for r in (r for r in rows if r["generator"] == g):
            x, y = _curve(r, "cross_size")
            ax.plot(x, y, "o-", ms=3, color=colour[r["method"]], label=r["method"])
            for s in (s for s in r["seeds"] if "cross_size" in s):
                for p in s["cross_size"]:
                    k = p["small"]
                    band_x[k] = k
                    band_lo[k] = min(band_lo.get(k, 1.0), p["band_mean"])
                    band_hi[k] = max(band_hi.get(k, 0.0), p["band_high"])
        ks = sorted(band_x)
        ax.fill_between(ks, [band_lo[k] for k in ks], [band_hi[k] for k in ks], color="0.6",
                        alpha=0.35, label="random-atom band")
        ax.set_xscale("log", base=2)
        ax.set_title(g, fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("dictionary size (vs 2x larger)", fontsize=8)
    for ax in axes.ravel()[len(gens):]:
        ax.axis("off")
    axes[0, 0].set_ylabel("cross-size MMCS")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(8, len(labels)), fontsize=7)
    fig.suptitle("Cross-size MMCS (live atoms of size m vs size 2m, other split and seed)",
                 fontsize=10)
    # Fixed margins, not tight_layout: on this 2 x 4 grid it took a third of the report's
    # re-rendering time (it draws every axis to measure it).
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.18, top=0.89, wspace=0.08,
                        hspace=0.42)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def recovery_figure(records: list[dict], path: Path) -> Path | None:
    """MMCS and recovery rate to the planted features against dictionary size."""
    rows = [r for r in _ok(records) if r["metrics"]["has_features"]["value"]]
    if not rows:
        return None
    gens = _generators(rows)
    methods = _methods(rows)
    colour = _colours(methods)
    fig, axes = plt.subplots(2, len(gens), figsize=(3.2 * len(gens), 5.4), squeeze=False,
                             sharey=True)
    for j, g in enumerate(gens):
        for r in (r for r in rows if r["generator"] == g):
            seeds = [s["per_size"] for s in r["seeds"] if "per_size" in s]
            x = [p["size"] for p in seeds[0]]
            for i, key in enumerate(("mmcs", "recovery_rate")):
                y = np.mean([[p[key] for p in s] for s in seeds], axis=0)
                axes[i, j].plot(x, y, "o-", ms=3, color=colour[r["method"]], label=r["method"])
        n_true = rows[0]["metrics"]["n_true_features"]["value"]
        for i, key in enumerate(("MMCS", "recovery (|cos| > 0.9)")):
            ax = axes[i, j]
            ax.axvline(n_true, color="k", lw=0.8, ls=":")
            ax.set_xscale("log", base=2)
            ax.set_ylim(0, 1.02)
            if j == 0:
                ax.set_ylabel(key)
        axes[0, j].set_title(g, fontsize=9)
        axes[1, j].set_xlabel("dictionary size (dotted: true count)", fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(8, len(labels)), fontsize=7)
    fig.suptitle("Recovery of the planted features against dictionary size (held-out "
                 "liveness; seed means)", fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.17, top=0.9, wspace=0.08,
                        hspace=0.25)  # fixed margins, as in cross_size_figure
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def false_positive_figure(records: list[dict], path: Path) -> Path | None:
    """Per-seed false-positive rate of no_false_features, method x feature-less generator."""
    rows = [r for r in _ok(records) if "false_positive_rate" in r["metrics"]]
    if not rows:
        return None
    gens = _generators(rows, planted=False)
    methods = _methods(rows)
    colour = _colours(methods)
    width = 0.8 / len(methods)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(gens)), 3.6))
    for j, m in enumerate(methods):
        vals, lo, hi = [], [], []
        for g in gens:
            r = next((r for r in rows if r["method"] == m and r["generator"] == g), None)
            e = r["metrics"]["false_positive_rate"] if r else None
            vals.append(e["value"] if e else np.nan)
            lo.append(e["value"] - e["low"] if e else 0)
            hi.append(e["high"] - e["value"] if e else 0)
        x = np.arange(len(gens)) + (j - (len(methods) - 1) / 2) * width
        ax.bar(x, vals, width, yerr=[lo, hi], capsize=2, color=colour[m], label=m)
    ax.set_xticks(np.arange(len(gens)), gens)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("seeds failing no_false_features")
    n = rows[0]["metrics"]["false_positive_rate"]["n"]
    ax.set_title(f"False-positive rate per seed ({n} seeds; 95% Wilson intervals)", fontsize=10)
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.32, top=0.9)  # as in cross_size
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def loss_figure(records: list[dict], path: Path) -> Path | None:
    """Held-out against train FVU per cell, with the generalises limit."""
    rows = _ok(records)
    if not rows:
        return None
    gens = _generators(rows)
    methods = _methods(rows)
    colour = _colours(methods)
    markers = dict(zip(gens, "osD^v<>P*X", strict=False))
    fig, ax = plt.subplots(figsize=(7.5, 5))
    top = 0.0
    for r in rows:
        x, y = r["metrics"]["fvu_train"]["value"], r["metrics"]["fvu_heldout"]["value"]
        top = max(top, x, y)
        ax.scatter(x, y, color=colour[r["method"]], marker=markers.get(r["generator"], "o"),
                   s=30, edgecolor="k", linewidth=0.3)
    t = np.linspace(0, max(top, 0.05) * 1.05, 50)
    ax.plot(t, t, "k-", lw=0.8, label="held-out = train")
    ax.plot(t, GENERALISATION_FACTOR * t + FVU_SLACK, "k--", lw=0.8,
            label=f"generalises limit ({GENERALISATION_FACTOR} x train + {FVU_SLACK})")
    for m in methods:
        ax.scatter([], [], color=colour[m], label=m)
    for g in gens:
        ax.scatter([], [], color="w", edgecolor="k", marker=markers[g], label=g)
    ax.set_xlabel("train FVU (1 - R^2, split the dictionary was fitted on)")
    ax.set_ylabel("held-out FVU")
    ax.set_title("Reconstruction loss: train vs held-out (seed means)", fontsize=10)
    ax.legend(fontsize=6.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.subplots_adjust(left=0.1, right=0.68, bottom=0.11, top=0.93)  # as in cross_size
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The sparse figures the records support, as ``(caption, path)`` pairs."""
    made = []
    specs = (
        (cross_size_figure, "sparse_cross_size_mmcs.png",
         "Sparse: cross-size MMCS (each dictionary's live atoms vs the next larger one, fitted "
         "on another split with another seed) per generator; grey: random unit atoms of the "
         "same live count (band mean to 0.99 quantile). In d=2 (uniform_square) the band is "
         "at 1: any two dictionaries look alike."),
        (recovery_figure, "sparse_recovery_vs_size.png",
         "Sparse: MMCS and recovery (|cos| > 0.9) of the planted features against dictionary "
         "size; PCA and FastICA stop at d components."),
        (false_positive_figure, "sparse_false_positive_rate.png",
         "Sparse: fraction of seeds on which no_false_features fails, per method and "
         "feature-less generator, with 95% Wilson intervals."),
        (loss_figure, "sparse_train_vs_heldout_loss.png",
         "Sparse: train vs held-out reconstruction loss (FVU) per cell; points above the "
         "dashed line fail generalises (planted_sparse_small_n trains on fewer rows than the "
         "SAEs have parameters)."),
    )
    for draw, name, caption in specs:
        p = draw(records, out / name)
        if p:
            made.append((caption, p))
    return made
