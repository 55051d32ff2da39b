"""Erasure figures: leakage per probe with chance lines and intervals, distortion.

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
    file_safe,
    generator_labels,
    method_labels,
    save_figures,
)
from metrics.probes import PROBE_KINDS  # noqa: E402


def _ok(records: list[dict], family: str) -> list[dict]:
    return [r for r in records if r["family"] == family and r["status"] == "ok"]


def erasure_leakage_figure(records: list[dict], generator: str) -> Figure | None:
    """Grouped bars: held-out leakage per probe for every eraser on one generator.

    Error bars are the 99.9% Wilson intervals; the line at 0 is chance.
    """
    rows = sorted((r for r in _ok(records, "erasure") if r["generator"] == generator),
                  key=lambda r: r["method"])
    if not rows:
        return None
    labels = method_labels(r["method"] for r in rows).joined(generator_labels([generator]))
    probes = list(PROBE_KINDS)
    width = 0.8 / len(probes)
    x = np.arange(len(rows))
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(rows)), 3.6))
    for j, probe in enumerate(probes):
        m = [r["metrics"][f"leakage_{probe}"] for r in rows]
        val = np.array([e["value"] for e in m])
        err = np.array([[e["value"] - e["low"] for e in m], [e["high"] - e["value"] for e in m]])
        ax.bar(x + (j - (len(probes) - 1) / 2) * width, val, width, yerr=err, capsize=2,
               label=probe)
    ax.axhline(0, color="k", lw=1, ls="--", label="chance")
    ax.set_xticks(x, labels.of(r["method"] for r in rows), rotation=30, ha="right")
    ax.set_ylabel("held-out balanced acc - chance")
    ax.set_title(f"Leakage after erasure: {labels[generator]}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    # Fixed margins rather than tight_layout, which draws the figure once more to measure
    # it (most of the report's re-rendering time): room for the rotated names below and
    # the legend on the right.
    fig.subplots_adjust(left=0.09, right=0.87, bottom=0.3, top=0.9)
    return add_key(fig, labels)


def erasure_distortion_figure(records: list[dict]) -> Figure | None:
    """Distortion (mean squared displacement / total variance) per eraser and generator."""
    rows = _ok(records, "erasure")
    if not rows:
        return None
    methods = sorted({r["method"] for r in rows})
    gens = sorted({r["generator"] for r in rows})
    labels = method_labels(methods).joined(generator_labels(gens))
    width = 0.8 / len(gens)
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(methods)), 3.4))
    for j, g in enumerate(gens):
        vals = []
        for m in methods:
            r = next((r for r in rows if r["method"] == m and r["generator"] == g), None)
            vals.append(r["metrics"]["distortion"]["value"] if r else np.nan)
        ax.bar(np.arange(len(methods)) + (j - (len(gens) - 1) / 2) * width, vals, width,
               label=labels[g])
    ax.set_xticks(np.arange(len(methods)), labels.of(methods), rotation=30, ha="right")
    ax.set_ylabel("distortion")
    ax.set_title("Distortion: mean squared displacement / total variance (held-out)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.subplots_adjust(left=0.08, right=0.8, bottom=0.3, top=0.9)  # as in the leakage figure
    return add_key(fig, labels)


def draw(records: list[dict]) -> Iterator[tuple[str, str, Figure]]:
    """The erasure figures the records support, as ``(caption, file name, Figure)``."""
    for g in sorted({r["generator"] for r in _ok(records, "erasure")}):
        fig = erasure_leakage_figure(records, g)
        if fig is not None:
            yield (f"Erasure leakage per probe on {g} (99.9% intervals; dashed: chance)",
                   f"erasure_leakage_{file_safe(g)}.png", fig)
    fig = erasure_distortion_figure(records)
    if fig is not None:
        yield "Erasure distortion per eraser and generator", "erasure_distortion.png", fig


def figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """The erasure figures the records support, written to ``out``: ``(caption, path)``."""
    return save_figures(draw(records), out)
