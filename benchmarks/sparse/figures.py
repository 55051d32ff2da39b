"""Sparse-feature figures, drawn from results records only (per-seed numbers in ``seeds``).

(The cross-size curve and recovery against dictionary size are the feature-count study's,
`benchmarks.sparse.ladder`, which fits the whole ladder of sizes.)

- false-positive rate of `no_false_features` per method and feature-less generator, with
  95% Wilson intervals;
- train against held-out reconstruction loss (FVU = 1 - R^2), with the `generalises` limit.

Method names are drawn through `benchmarks.figure_labels` (a long name as a short label and a
key below the figure).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from benchmarks.figure_labels import (  # noqa: E402
    add_key,
    draw_specs,
    figure_legend,
    generator_labels,
    method_labels,
    save_figures,
)
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


def false_positive_figure(records: list[dict]) -> Figure | None:
    """Per-seed false-positive rate of no_false_features, method x feature-less generator."""
    rows = [r for r in _ok(records) if "false_positive_rate" in r["metrics"]]
    if not rows:
        return None
    gens = _generators(rows, planted=False)
    methods = _methods(rows)
    labels = method_labels(methods).joined(generator_labels(gens))
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
        ax.bar(x, vals, width, yerr=[lo, hi], capsize=2, color=colour[m], label=labels[m])
    ax.set_xticks(np.arange(len(gens)), labels.of(gens))
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("seeds failing no_false_features")
    n = rows[0]["metrics"]["false_positive_rate"]["n"]
    ax.set_title(f"False-positive rate per seed ({n} seeds; 95% Wilson intervals)", fontsize=10)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.32, top=0.9)  # fixed margins
    handles, entries = ax.get_legend_handles_labels()
    # below the axes, in fewer columns (and more rows, with room of their own) where four
    # would be wider than the figure
    figure_legend(fig, handles, entries, 4, fontsize=7, loc="upper center",
                  bbox_to_anchor=(0.5, 0.2), frameon=False)
    return add_key(fig, labels)


def loss_figure(records: list[dict]) -> Figure | None:
    """Held-out against train FVU per cell, with the generalises limit."""
    rows = _ok(records)
    if not rows:
        return None
    gens = _generators(rows)
    methods = _methods(rows)
    labels = method_labels(methods).joined(generator_labels(gens))
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
        ax.scatter([], [], color=colour[m], label=labels[m])
    for g in gens:
        ax.scatter([], [], color="w", edgecolor="k", marker=markers[g], label=labels[g])
    ax.set_xlabel("train FVU (1 - R^2, split the dictionary was fitted on)")
    ax.set_ylabel("held-out FVU")
    ax.set_title("Reconstruction loss: train vs held-out (seed means)", fontsize=10)
    ax.legend(fontsize=6.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.subplots_adjust(left=0.1, right=0.68, bottom=0.11, top=0.93)  # fixed margins
    return add_key(fig, labels)


SPECS = (
    (false_positive_figure, "sparse_false_positive_rate.png",
     "Sparse: fraction of seeds on which no_false_features fails, per method and "
     "feature-less generator, with 95% Wilson intervals."),
    (loss_figure, "sparse_train_vs_heldout_loss.png",
     "Sparse: train vs held-out reconstruction loss (FVU) per cell; points above the "
     "dashed line fail generalises (planted_sparse_small_n trains on fewer rows than the "
     "SAEs have parameters)."),
)


def draw(records: list[dict]) -> Iterator[tuple[str, str, Figure]]:
    """The sparse figures the records support, as ``(caption, file name, Figure)``."""
    return draw_specs(SPECS, records)


def figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The sparse figures the records support, written to ``out``: ``(caption, path)``."""
    return save_figures(draw(records), out)
