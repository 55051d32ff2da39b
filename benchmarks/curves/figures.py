"""Curves figures: the share of samples each method calls Gaussian, per law. Drawn from the
records' pooled metrics only; method names through `benchmarks.figure_labels` (a long name as
a short label and a key below the figure)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from benchmarks.curves.checks import MAX_FALSE_GAUSSIAN, MIN_CORRECT  # noqa: E402
from benchmarks.figure_labels import (  # noqa: E402
    add_key,
    figure_legend,
    generator_labels,
    method_labels,
    save_figures,
)


def called_gaussian_figure(records: list[dict]) -> Figure | None:
    """Share of samples called Gaussian, one group per law, one marker per method.

    Bars: 99.9% Wilson intervals pooled over seeds. Laws Gaussian by construction are
    shaded; dashed lines: the checks' bars (at least 0.9 there, at most 0.1 elsewhere).
    """
    rows = [r for r in records if r["family"] == "curves" and r["status"] == "ok"]
    if not rows:
        return None
    laws = list(dict.fromkeys(r["generator"] for r in rows))
    methods = list(dict.fromkeys(r["method"] for r in rows))
    labels = method_labels(methods).joined(generator_labels(laws))
    fig, ax = plt.subplots(figsize=(max(6.5, 1.3 * len(laws)), 3.8))
    width = 0.8 / max(len(methods), 1)
    for j, law in enumerate(laws):
        rec = next(r for r in rows if r["generator"] == law)
        if "gaussian_by_construction" not in rec["metrics"]:  # a law the generator does not
            continue                                          # name: no bar to draw
        gaussian = rec["metrics"]["gaussian_by_construction"]["value"]
        if gaussian:
            ax.axvspan(j - 0.45, j + 0.45, color="0.92", zorder=0)
        bar = MIN_CORRECT if gaussian else MAX_FALSE_GAUSSIAN
        ax.hlines(bar, j - 0.45, j + 0.45, colors="k", linestyles="--", lw=0.8)
    for i, m in enumerate(methods):
        for j, law in enumerate(laws):
            r = next((r for r in rows if r["method"] == m and r["generator"] == law), None)
            if r is None:
                continue
            e = r["metrics"]["called_gaussian"]
            x = j - 0.4 + width * (i + 0.5)
            yerr = [[e["value"] - e["low"]], [e["high"] - e["value"]]]
            ax.errorbar([x], [e["value"]], yerr=yerr, fmt="os^Dv"[i % 5], color=f"C{i}",
                        capsize=2, ms=5, label=labels[m] if j == 0 else None)
    ax.set_xticks(np.arange(len(laws)), labels.of(laws), rotation=20, ha="right", fontsize=8)
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("share of samples called Gaussian")
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.22, top=0.88)
    handles, entries = ax.get_legend_handles_labels()
    figure_legend(fig, handles, entries, len(methods), loc="upper center", fontsize=7,
                  frameon=False)
    return add_key(fig, labels)


def draw(records: list[dict]) -> Iterator[tuple[str, str, Figure]]:
    """The curves figures the records support, as ``(caption, file name, Figure)``."""
    fig = called_gaussian_figure(records)
    if fig is not None:
        yield ("Score distributions: share of samples each method calls Gaussian, per law "
               "(99.9% Wilson intervals over all samples of all seeds); shaded: laws that are "
               "Gaussian or a sum of small independent terms (bar: at least 0.9), elsewhere "
               "calling Gaussian is an error (bar: at most 0.1)",
               "curves_called_gaussian.png", fig)


def figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The curves figures the records support, written to ``out``: ``(caption, path)``."""
    return save_figures(draw(records), out)
