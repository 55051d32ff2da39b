"""Studies: descriptive measurements that are not a grid cell (a ladder of dictionary sizes,
architectures at matched L0), run by ``python -m reports`` and shown in their family's section.

A study is a module named in its family's record (``Family.studies``) that provides

- ``TITLE`` (str) and ``QUESTION`` (str): its heading and what it asks, in words;
- ``run(profile="quick", seeds=None, jobs=1) -> dict``: a JSON-able document
  (``{"study": name, "profile", "seeds", ...}``), computed once, stored in results.json under
  ``"studies"``;
- ``figures(doc, out) -> [(caption, png path)]``, or ``draw(doc)`` yielding ``(caption,
  file name, Figure)`` that `benchmarks.study_cli.study_figures` saves; and
  ``findings(doc) -> [(term, sentence, note)]``: what the report shows, read from the
  document only (never recomputed);
- optionally ``tables(doc) -> [(caption, head, rows)]``: tables of text cells (a study
  whose result is a table beside a published one).

Studies describe; they hold no pass/fail check, so they have no baseline and do not run in
the pytest grid (their unit tests do).
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from benchmarks.progress import progress_bar, step
from benchmarks.study_cli import study_figures as figures_of_study


def study_module(target: str):
    """The study module at import path ``target`` (``"benchmarks.sparse.ladder"``)."""
    return importlib.import_module(target)


def run_studies(targets: dict[str, list[str]], profile: str, seeds: list[int] | None,
                jobs: int) -> dict[str, dict]:
    """Run every study of the named families: ``{study module path: document}``.

    ``targets`` maps a family to its studies' import paths. Each document gets the family
    and the study's wall time (``"family"``, ``"wall_s"``); progress goes to stderr
    (`benchmarks.progress`: in a log, a line at least every few seconds while a study runs).
    """
    out = {}
    todo = [(family, target) for family, paths in targets.items() for target in paths]
    with progress_bar(len(todo), f"studies ({profile} profile)", unit="study") as bar:
        for family, target in todo:
            module = study_module(target)
            bar.set_postfix_str(f"running {target}")  # the heartbeat shows it running
            start = time.perf_counter()
            doc = module.run(profile=profile, seeds=seeds, jobs=jobs)
            doc = {**doc, "family": family, "wall_s": time.perf_counter() - start}
            step(bar, f"{target}: {doc['wall_s']:.0f} s")
            out[target] = doc
    return out


def study_figures(studies: dict[str, dict], out: Path) -> dict[str, list[tuple[str, Path]]]:
    """Each study's figures: ``{study module path: [(caption, path)]}``."""
    return {target: figures_of_study(study_module(target), doc, out)
            for target, doc in studies.items()}


def study_words(target: str, doc: dict) -> dict:
    """``{"title", "question", "findings", "tables"}`` of one study document, for the report."""
    module = study_module(target)
    tables = getattr(module, "tables", None)
    return {"title": getattr(module, "TITLE", target),
            "question": getattr(module, "QUESTION", ""),
            "findings": module.findings(doc),
            "tables": tables(doc) if tables is not None else []}
