"""Figures of the report, drawn from results records only (never rescoring).

Each family declares its figures (``Family.figures``, written in
``benchmarks/<family>/figures.py``): ``figures(records, out) -> [(caption, path)]``. The
results document names each family's figure function (``families[f]["figures"]``), so
rendering a document imports only the figure modules, not the families' methods.

The figure modules draw method names through `benchmarks.figure_labels` (a name longer than
the built-in ones as a short label, with a key below the figure giving it whole); it lives in
``benchmarks``, beside them, since ``benchmarks`` may not import ``reports``.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from benchmarks.options import USABLE_CORES
from benchmarks.progress import progress_bar, step
from reports.studies import figures_of_study, study_module


def _figure_function(family: str, about: dict):
    target = about.get("figures", "")
    if not target:
        from benchmarks.registry import get_family  # an older document: ask the registry

        return get_family(family).figures
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _draw(family: str, about: dict, records: list[dict], out: Path) -> list[tuple[str, Path]]:
    return _figure_function(family, about)(records, out)


def make_figures(doc: dict, out: Path, jobs: int | None = None
                 ) -> dict[str, list[tuple[str, Path]]]:
    """Every figure of the document: ``family -> [(caption, path)]``, and likewise per study
    (keyed by the study's module path).

    The figures are drawn in parallel, one forked process per family or study up to
    ``jobs`` (default: the usable cores), where the platform forks; serially otherwise or
    with ``jobs=1``. Each family writes only its own files, so the order does not matter.
    A progress bar counts the families and studies drawn (`benchmarks.progress`).
    """
    out.mkdir(parents=True, exist_ok=True)
    records = doc["records"]
    about = doc.get("families") or {}
    families = list(dict.fromkeys(r["family"] for r in records))
    tasks = {f: (_draw, f, about.get(f, {}), records, out) for f in families}
    # Each study's figures, keyed by its module path (`reports.studies`).
    tasks.update({target: (_draw_study, target, study, out)
                  for target, study in (doc.get("studies") or {}).items()})
    jobs = min(len(tasks), jobs or USABLE_CORES)
    done: dict[str, list[tuple[str, Path]]] = {}
    with progress_bar(len(tasks), "figures", unit="family") as bar:
        if jobs <= 1 or "fork" not in mp.get_all_start_methods():
            for key, task in tasks.items():
                done[key] = task[0](*task[1:])
                step(bar, key)
        else:
            with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
                futures = {pool.submit(*task): key for key, task in tasks.items()}
                for future in as_completed(futures):
                    done[futures[future]] = future.result()
                    step(bar, futures[future])
    return {key: done[key] for key in tasks}


def _draw_study(target: str, study: dict, out: Path) -> list[tuple[str, Path]]:
    return figures_of_study(study_module(target), study, out)
