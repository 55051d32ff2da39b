"""Figures of the report, drawn from results records only (never rescoring).

Each family's figures live in ``reports/<family>_figures.py`` with a function
``figures(records, out) -> [(caption, path)]``.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from benchmarks.families import FAMILY_NAMES


def make_figures(records: list[dict], out: Path) -> list[tuple[str, Path]]:
    """Every figure the records support, family by family, as ``(caption, path)`` pairs."""
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for name in FAMILY_NAMES:
        if not any(r["family"] == name for r in records):
            continue
        module = importlib.import_module(f"reports.{name}_figures")
        made += module.figures(records, out)
    return made
