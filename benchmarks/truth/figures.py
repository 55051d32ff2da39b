"""Truth-direction figures: per-seed accuracy against the random truth-like band, CCS loss
against accuracy, labels needed. Drawn from the records' per-seed numbers only; method names
through `benchmarks.figure_labels` (a long name as a short label and a key below the
figure)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from benchmarks.figure_labels import (  # noqa: E402
    add_key,
    draw_specs,
    figure_legend,
    generator_labels,
    method_labels,
    save_figures,
)

TARGET = 0.9  # the finds_truth bar (benchmarks/truth/checks.py), drawn as a dashed line
# Losses below this are drawn at it on the log axis (separable pairs reach 1e-25).
LOSS_FLOOR = 1e-12
MARKERS = "osD^v<>p*h"


def _ok(records: list[dict]) -> list[dict]:
    return [r for r in records if r["family"] == "truth" and r["status"] == "ok"]


def _axes(records: list[dict]):
    """The ok rows, their methods and generators (sorted), and the labels of both."""
    rows = _ok(records)
    methods = sorted({r["method"] for r in rows})
    gens = sorted({r["generator"] for r in rows})
    return rows, methods, gens, method_labels(methods).joined(generator_labels(gens))


def _cell(rows, method, generator):
    return next((r for r in rows if r["method"] == method and r["generator"] == generator), None)


def _layout(fig, **margins) -> None:
    """Fixed margins (``subplots_adjust`` keywords; default: one row of panels with rotated
    method names below). Not tight_layout: it draws each figure once more to measure it,
    most of the report's re-rendering time."""
    fig.subplots_adjust(**{"left": 0.07, "right": 0.98, "bottom": 0.26, "top": 0.9,
                           "wspace": 0.08, **margins})


def truth_accuracy_figure(records: list[dict]) -> Figure | None:
    """Per-seed held-out accuracy per method, one panel per generator.

    Filled: sign-agnostic ``max(acc, 1 - acc)`` (what finds_truth reads); hollow: raw.
    Grey line and band: mean and central 99% of a random truth-like direction's
    sign-agnostic score on the same pairs (exact, averaged over seeds); dashed: 0.9.
    """
    rows, methods, gens, labels = _axes(records)
    if not rows:
        return None
    fig, axes = plt.subplots(1, len(gens), figsize=(4.2 * len(gens), 3.8), sharey=True,
                             squeeze=False)
    x = np.arange(len(methods))
    for ax, g in zip(axes[0], gens, strict=True):
        # (none where a user's generator does not say what its truth-like directions are)
        refs = [s["random_truthlike"] for r in rows if r["generator"] == g for s in r["seeds"]
                if "random_truthlike" in s]
        if refs:
            mean = np.mean([f["sign_agnostic_mean"] for f in refs])
            low = np.mean([f["sign_agnostic_band"][0] for f in refs])
            high = np.mean([f["sign_agnostic_band"][1] for f in refs])
            ax.axhspan(low, high, color="0.85", zorder=0, label="random truth-like, 99%")
            ax.axhline(mean, color="0.4", lw=1.5, label="random truth-like, mean")
        ax.axhline(TARGET, color="k", ls="--", lw=1, label="finds_truth bar")
        for i, m in enumerate(methods):
            r = _cell(rows, m, g)
            if r is None:
                continue
            seeds = r["seeds"]
            jitter = np.linspace(-0.15, 0.15, len(seeds))
            ax.scatter(i + jitter, [s["sign_agnostic_accuracy"] for s in seeds], color=f"C{i}",
                       s=30, zorder=3)
            ax.scatter(i + jitter, [s["accuracy"] for s in seeds], facecolors="none",
                       edgecolors=f"C{i}", s=30, zorder=3)
        ax.set_xticks(x, labels.of(methods), rotation=35, ha="right", fontsize=8)
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(labels[g])
    axes[0, 0].set_ylabel("held-out accuracy (filled: sign-agnostic, hollow: raw)", fontsize=8)
    axes[0, -1].legend(fontsize=7, loc="lower right")
    _layout(fig)
    return add_key(fig, labels)


def truth_loss_figure(records: list[dict]) -> Figure | None:
    """CCS loss of each seed's direction against its sign-agnostic accuracy, per generator.

    The loss is the direction's best CCS loss at norm <= 100 on the held-out pairs; the
    black crosses are the true direction on the same pairs.
    """
    rows, methods, gens, labels = _axes(records)
    rows = [r for r in rows if all("ccs_loss" in s for s in r["seeds"])]
    if not rows:
        return None
    fig, axes = plt.subplots(1, len(gens), figsize=(4.2 * len(gens), 3.8), sharey=True,
                             squeeze=False)
    for ax, g in zip(axes[0], gens, strict=True):
        truth_done = False
        for i, m in enumerate(methods):
            r = _cell(rows, m, g)
            if r is None:
                continue
            seeds = r["seeds"]
            loss = np.maximum([s["ccs_loss"] for s in seeds], LOSS_FLOOR)
            ax.scatter(loss, [s["sign_agnostic_accuracy"] for s in seeds], color=f"C{i}",
                       marker=MARKERS[i % len(MARKERS)], s=36, alpha=0.8, label=labels[m])
            if not truth_done and all("true_direction_ccs_loss" in s
                                      and "true_direction_accuracy" in s for s in seeds):
                t_loss = np.maximum([s["true_direction_ccs_loss"] for s in seeds], LOSS_FLOOR)
                t_acc = [max(s["true_direction_accuracy"], 1 - s["true_direction_accuracy"])
                         for s in seeds]
                ax.scatter(t_loss, t_acc, color="k", marker="x", s=50, label="true direction",
                           zorder=4)
                truth_done = True
        ax.set_xscale("log")
        ax.axhline(TARGET, color="k", ls="--", lw=1)
        ax.set_xlabel("CCS loss on held-out pairs (best at norm <= 100)", fontsize=8)
        ax.set_title(labels[g])
    axes[0, 0].set_ylabel("sign-agnostic held-out accuracy")
    _layout(fig, bottom=0.22)
    handles, entries = axes[0, 0].get_legend_handles_labels()
    figure_legend(fig, handles, entries, len(entries), fontsize=7, loc="lower center")
    return add_key(fig, labels)


def truth_labels_figure(records: list[dict]) -> Figure | None:
    """Labelled pairs needed to pick a candidate direction (and sign) reaching 0.9 held-out.

    Bars: worst seed; dots: each seed. "never" (no candidate reaches 0.9, whatever the
    labels) is drawn hatched at the top of the axis.
    """
    rows, methods, gens, labels = _axes(records)
    if not rows:
        return None
    n_lab = max(s["n_labelled"] for r in rows for s in r["seeds"])
    never = 2.0 * n_lab
    width = 0.8 / len(gens)
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(methods)), 3.8))
    for j, g in enumerate(gens):
        offset = (j - (len(gens) - 1) / 2) * width
        for i, m in enumerate(methods):
            r = _cell(rows, m, g)
            if r is None:
                continue
            vals = [never if s["labels_needed"] is None else s["labels_needed"]
                    for s in r["seeds"]]
            worst = max(vals)
            ax.bar(i + offset, worst, width, color=f"C{j}", hatch="//" if worst == never else None,
                   alpha=0.6, edgecolor="k", lw=0.5)
            ax.scatter(i + offset + np.linspace(-width / 4, width / 4, len(vals)), vals,
                       color="k", s=8, zorder=3)
    ax.set_yscale("symlog", linthresh=1)
    ax.set_ylim(0, never * 1.5)
    ticks = [0, 1, 10, 100, n_lab, never]
    ax.set_yticks(ticks, [str(t) for t in ticks[:-1]] + ["never"])
    ax.set_xticks(np.arange(len(methods)), labels.of(methods), rotation=30, ha="right")
    ax.set_ylabel("labelled pairs needed")
    ax.set_title(f"Labels to pick a candidate and sign reaching {TARGET} ({n_lab} available)",
                 fontsize=9)
    ax.legend([Patch(color=f"C{j}", alpha=0.6) for j in range(len(gens))], labels.of(gens),
              fontsize=7)
    _layout(fig, left=0.14, right=0.97)
    return add_key(fig, labels)


SPECS = (
    (truth_accuracy_figure, "truth_accuracy.png",
     "Truth directions: held-out accuracy per seed (filled: sign-agnostic, hollow: raw); grey: "
     "a random truth-like direction's sign-agnostic score, mean and central 99% (exact); "
     "dashed: the finds_truth bar 0.9"),
    (truth_loss_figure, "truth_ccs_loss.png",
     "Truth directions: CCS loss of each seed's direction vs its sign-agnostic accuracy; wrong "
     "truth-like directions reach the true direction's loss (crosses). Losses below "
     f"{LOSS_FLOOR:g} are drawn at it."),
    (truth_labels_figure, "truth_labels_needed.png",
     "Truth directions: labelled pairs needed to choose a candidate direction and sign "
     "reaching 0.9 held-out (bars: worst seed; dots: seeds; hatched: never). Supervised "
     "methods also used their training labels in fit."),
)


def draw(records: list[dict]) -> Iterator[tuple[str, str, Figure]]:
    """The truth figures the records support, as ``(caption, file name, Figure)``."""
    return draw_specs(SPECS, records)


def figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The truth figures the records support, written to ``out``: ``(caption, path)``."""
    return save_figures(draw(records), out)
