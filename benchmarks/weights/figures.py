"""Weights figures: recovered overlap per planted pair against its strength, beside the
closed-form BBP curve, and the count each method claims per generator. Drawn from the
records' per-seed numbers only; method names through `benchmarks.figure_labels` (a long name
as a short label and a key below the figure)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from benchmarks.figure_labels import (  # noqa: E402
    MethodLabels,
    add_key,
    draw_specs,
    generator_labels,
    method_labels,
    save_figures,
)

MARKERS = "osD^v<>p*h"


def _ok(records: list[dict]) -> list[dict]:
    return [r for r in records if r["family"] == "weights" and r["status"] == "ok"]


def _finish(fig, labels: MethodLabels) -> Figure:
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.2, top=0.9, wspace=0.25)
    return add_key(fig, labels)


def overlap_figure(records: list[dict]) -> Figure | None:
    """Per planted pair of the spikes and near-equal generators: matched |cos| (mean of write
    and read) against strength / BBP threshold, per method and seed; grey: the closed form."""
    rows = [r for r in _ok(records)
            if any("per_pair_predicted" in s for s in r["seeds"])
            and all("strength_ratios" in s for s in r["seeds"])]
    if not rows:
        return None
    gens = sorted({r["generator"] for r in rows})
    methods = sorted({r["method"] for r in rows})
    labels = method_labels(methods).joined(generator_labels(gens))
    fig, axes = plt.subplots(1, len(gens), figsize=(5 * len(gens), 3.8), squeeze=False)
    for ax, g in zip(axes[0], gens, strict=True):
        pred_drawn = False
        for i, m in enumerate(methods):
            rec = next((r for r in rows if r["generator"] == g and r["method"] == m), None)
            if rec is None:
                continue
            xs = [x for s in rec["seeds"] for x in s["strength_ratios"]]
            ys = [y for s in rec["seeds"] for y in s["per_pair_cos"]]
            jitter = (i - len(methods) / 2) * 0.03
            ax.scatter(np.asarray(xs) + jitter, ys, s=14, marker=MARKERS[i % len(MARKERS)],
                       label=labels[m], alpha=0.8)
            if not pred_drawn:
                s0 = rec["seeds"][0]
                order = np.argsort(s0["strength_ratios"])
                ax.plot(np.asarray(s0["strength_ratios"])[order],
                        np.asarray(s0["per_pair_predicted"])[order], color="grey", lw=2,
                        alpha=0.6, label="closed form (BBP)")
                pred_drawn = True
        ax.axvline(1.0, color="k", ls=":", lw=1)
        ax.set_title(labels[g], fontsize=9)
        ax.set_xlabel("strength / BBP threshold")
        ax.set_ylim(-0.02, 1.02)
    axes[0][0].set_ylabel("matched |cos|")
    axes[0][0].legend(fontsize=7, loc="lower right")
    return _finish(fig, labels)


def count_figure(records: list[dict]) -> Figure | None:
    """Directions claimed per method and generator (seed means), against the detectable
    count (black ticks)."""
    rows = _ok(records)
    if not rows:
        return None
    gens = list(dict.fromkeys(r["generator"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    labels = method_labels(methods).joined(generator_labels(gens))
    fig, ax = plt.subplots(figsize=(9, 3.8))
    width = 0.8 / max(len(methods), 1)
    for i, m in enumerate(methods):
        vals = [next((r["metrics"]["n_claimed"]["value"] for r in rows
                      if r["generator"] == g and r["method"] == m), np.nan) for g in gens]
        ax.bar(np.arange(len(gens)) + i * width, vals, width, label=labels[m])
    for j, g in enumerate(gens):
        rec = next(r for r in rows if r["generator"] == g)
        if "n_detectable" in rec["metrics"]:  # a user's generator may not say
            ax.hlines(rec["metrics"]["n_detectable"]["value"], j - 0.05, j + 0.85, color="k")
    ax.set_xticks(np.arange(len(gens)) + 0.4 - width / 2, labels.of(gens), fontsize=8)
    ax.set_ylabel("directions claimed")
    ax.legend(fontsize=7, ncol=3)
    return _finish(fig, labels)


SPECS = (
    (overlap_figure, "weights_overlap.png",
     "Weights: matched |cos| of each planted pair against its strength in units of the BBP "
     "threshold (dotted), every seed; grey: the closed-form limit of the top singular "
     "vectors' overlap (Benaych-Georges & Nadakuditi 2012)."),
    (count_figure, "weights_counts.png",
     "Weights: directions each method calls structure (seed means); black: planted pairs "
     "above the BBP threshold."),
)


def draw(records: list[dict]) -> Iterator[tuple[str, str, Figure]]:
    """The weights figures the records support, as ``(caption, file name, Figure)``."""
    return draw_specs(SPECS, records)


def figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The weights figures the records support, written to ``out``: ``(caption, path)``."""
    return save_figures(draw(records), out)
