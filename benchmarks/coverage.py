"""Does every built-in cell of the quick profile have its committed baseline entry and its
reference record, and if not, which command writes them?

A method added to a family's list (or a generator added to its grid) makes cells that
``reports/baseline.json`` (the regression guard's, `benchmarks.regression_guard`) and
``reports/references.json`` (the references beside a user's method,
`benchmarks.references`) do not hold yet. The tests that read those files
(tests/test_baseline.py, tests/test_references.py) call `baseline_gap` and
`references_gap`, which name the missing cells and the command that writes their entries:

- the baseline: ``python -m benchmarks.rebaseline 'family/method/*'`` (`rebaseline_command`:
  60 seeds of those cells only, merged into the file, the other entries kept);
- the references: a quick run of the whole built-in grid, then
  ``python -m benchmarks.references --from OUT/results.json`` (`REFERENCES_COMMAND`: the
  file holds every built-in quick cell at the default seeds, so it is written whole).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from benchmarks.profiles import get_profile
from benchmarks.registry import FAMILIES
from benchmarks.shell import readable_join

# A cell's name: (family, method, generator).
CellName = tuple[str, str, str]

QUICK = "quick"
REFERENCES_COMMAND = ("python -m reports --no-studies --out /tmp/quick-run && "
                      "python -m benchmarks.references --from /tmp/quick-run/results.json")


def builtin_cells(profile: str = QUICK) -> list[CellName]:
    """Every built-in cell of ``profile``: each family's list of methods x its generators."""
    prof = get_profile(profile)
    return [(name, m.name, g.name) for name, fam in FAMILIES.items()
            for m in fam.methods(prof) for g in fam.generators(prof)]


def missing_from_baseline(baseline: Mapping, profile: str = QUICK) -> list[CellName]:
    """The built-in cells of ``profile`` without an entry in ``baseline`` (as
    `benchmarks.regression_guard.load_baseline` returns it, keyed by
    ``(family, method, generator, profile)``)."""
    return [c for c in builtin_cells(profile) if (*c, profile) not in baseline]


def rebaseline_command(cells: Iterable[CellName]) -> str:
    """The ``python -m benchmarks.rebaseline`` command that writes the entries of ``cells``.

    One pattern ``family/method/*`` for a method missing on every generator of its family
    (a new method), else one ``family/method/generator`` per cell.
    """
    cells = sorted(set(cells))
    everywhere = {c[:2] for c in cells if all(
        (c[0], c[1], g) in cells for g in _generators(c[0]))}
    patterns = [f"{f}/{m}/*" for f, m in sorted(everywhere)]
    patterns += [f"{f}/{m}/{g}" for f, m, g in cells if (f, m) not in everywhere]
    return readable_join(["python", "-m", "benchmarks.rebaseline", *patterns])


def _generators(family: str) -> list[str]:
    return [g.name for g in FAMILIES[family].generators(get_profile(QUICK))]


def _names(cells: list[CellName], limit: int = 10) -> str:
    shown = ", ".join("/".join(c) for c in cells[:limit])
    return shown + (f" and {len(cells) - limit} more" if len(cells) > limit else "")


def baseline_gap(baseline: Mapping) -> str:
    """Empty when ``baseline`` has every built-in quick cell; else the missing cells and the
    command that writes their entries."""
    missing = missing_from_baseline(baseline)
    if not missing:
        return ""
    return (f"reports/baseline.json has no entry for {len(missing)} built-in quick cell(s): "
            f"{_names(missing)}. Write them (60 seeds of these cells; the other entries "
            f"are kept) with:\n    {rebaseline_command(missing)}")


def references_gap(doc: dict | None) -> str:
    """Empty when the reference document ``doc`` holds exactly the built-in quick cells,
    all ok; else what is missing, extra or failed, and the command that rewrites it."""
    want = builtin_cells()
    records = (doc or {}).get("records", [])
    have = {(r["family"], r["method"], r["generator"]) for r in records}
    problems = []
    if missing := [c for c in want if c not in have]:
        problems.append(f"no record of {len(missing)} built-in quick cell(s): "
                        f"{_names(missing)}")
    if extra := sorted(have - set(want)):
        problems.append(f"records of {len(extra)} cell(s) no family lists: {_names(extra)}")
    if failed := sorted((r["family"], r["method"], r["generator"]) for r in records
                        if r["status"] != "ok"):
        problems.append(f"{len(failed)} error cell(s): {_names(failed)}")
    if not problems:
        return ""
    return ("reports/references.json has " + "; ".join(problems) + ". Rewrite it from a "
            f"quick run of every built-in cell (after the baseline) with:\n    "
            f"{REFERENCES_COMMAND}")
