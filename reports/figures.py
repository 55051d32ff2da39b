"""Figures of the report, drawn from results records only (never rescoring).

Each family declares its figures (``Family.figures``, written in
``benchmarks/<family>/figures.py``): ``figures(records, out) -> [(caption, path)]``.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.registry import FAMILIES


def make_figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """Every figure the records support, family by family, as ``(caption, path)`` pairs."""
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name, family in FAMILIES.items():
        if any(r["family"] == name for r in records):
            made += family.figures(records, out)
    return made
