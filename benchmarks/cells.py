"""Run one cell (family x method x generator over the profile's seeds) into one record.

This is the only place scores are computed: ``pytest benchmarks/`` and
``python -m reports`` both call `run_cell`. A method that raises, or returns NaN/inf or
the wrong shape, turns its cell into an error record carrying the message; the grid goes
on.
"""

from __future__ import annotations

import math
import time
import traceback
from dataclasses import dataclass

from threadpoolctl import threadpool_limits

from benchmarks.expected_findings import (
    expected_findings_for,
    other_scale_findings_for,
    variable_findings_for,
)
from benchmarks.profiles import Profile
from benchmarks.registry import get_family
from benchmarks.results import CellKey, cell_key
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec, MethodSpec


@dataclass(frozen=True)
class Cell:
    """One grid cell: a method on a generator, under a profile."""

    family: str
    method: MethodSpec
    generator: GeneratorSpec
    profile: Profile

    @property
    def key(self) -> CellKey:
        return cell_key(self.family, self.method.name, self.generator.name, self.profile.name)

    @property
    def id(self) -> str:
        return f"{self.method.name}-{self.generator.name}"


def error_message(exc: BaseException) -> str:
    """``"Type: message (at file.py:line)"``: what an error record says about ``exc``."""
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    loc = f" (at {where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return f"{type(exc).__name__}: {exc}{loc}"


def run_cell(cell: Cell) -> dict:
    """Score ``cell`` over its profile's seeds and return its results.json record.

    BLAS is held to one thread while a cell runs: the quick grid's matrices are small,
    where threads cost more than they give, and parallel runs (one cell per core) must
    not oversubscribe the cores.
    """
    with threadpool_limits(limits=1):
        return _run_cell(cell)


def describe_cell(cell: Cell) -> dict:
    """The fields of ``cell``'s record that describe it rather than score it.

    What the score table and the report read besides the scores travels in the record
    (the family's headline metrics, the findings of a built-in method), so that nothing
    downstream imports a family to render a record.
    """
    builtin = cell.method.builtin
    gen = cell.generator
    # A user's generator (--generator) says so, in words, with the ground-truth keys it
    # provides; a built-in generator's record is as it always was.
    user_generator = {} if gen.builtin else {
        "generator_builtin": False, "generator_description": gen.description,
        "ground_truth_keys": sorted(gen.provides or ())}
    return {
        "family": cell.family,
        "method": cell.method.name,
        "generator": cell.generator.name,
        "profile": cell.profile.name,
        "builtin": builtin,
        "method_description": cell.method.description,
        "generator_params": {k: v for k, v in cell.generator.kwargs.items()},
        "headline": list(get_family(cell.family).headline),
        "expected_findings": expected_findings_for(cell),
        "variable_findings": variable_findings_for(cell),
        "other_scale_findings": other_scale_findings_for(cell),
        **user_generator,
    }


def per_seed_headline(aggregate, headline, seeds: list[dict]) -> dict[str, list[float]]:
    """Each headline metric's value on each seed: the family's own ``aggregate`` of that
    seed alone (so a pooled rate is that seed's rate, a seed mean that seed's number).

    What the noise floor reads (`benchmarks.results.noise_floors`): per-seed values of
    every method on the same seeds, for paired differences. A metric missing, or not
    finite, on some seed is left out. ``{metric: [value per seed, in the seeds' order]}``.
    An aggregate that cannot pool one seed alone leaves the cell's scores as they are and
    the cell out of the floor (its record says why, ``per_seed_error``).
    """
    singles = [aggregate([s]) for s in seeds]
    out = {}
    for m in headline:
        values = [one.get(m, {}).get("value") for one in singles]
        if all(v is not None and math.isfinite(v) for v in values):
            out[m] = [float(v) for v in values]
    return out


def _run_cell(cell: Cell) -> dict:
    family = get_family(cell.family)
    start = time.perf_counter()
    seeds, error = [], None
    for seed in cell.profile.seeds:
        try:
            streams = SeedStreams(cell.generator.name, seed)
            result = family.score_seed(cell.method, cell.generator, streams, cell.profile)
            seeds.append({**result, "guarded": family.guarded_values(result)})
        except Exception as exc:  # noqa: BLE001 - any failure of the method is the finding
            error = f"seed {seed}: {error_message(exc)}"
            seeds.append({"seed": seed, "status": "error", "error": error})
    record = {
        **describe_cell(cell),
        "status": "ok" if error is None else "error",
        "error": error,
        "metrics": {},
        "checks": {},
        "seeds": seeds,
    }
    if error is None:
        try:
            record["metrics"] = family.aggregate(seeds)
            record["checks"] = family.check(record["metrics"], cell.generator.provides)
        except Exception as exc:  # noqa: BLE001
            record["status"], record["error"] = "error", f"aggregation: {error_message(exc)}"
    if record["status"] == "ok":
        try:
            record["per_seed"] = per_seed_headline(family.aggregate, family.headline, seeds)
        except Exception as exc:  # noqa: BLE001 - the scores stand; the floor leaves it out
            record["per_seed_error"] = error_message(exc)
    record["ground_truth"] = next(
        (s["ground_truth"] for s in seeds if s.get("status") == "ok" and "ground_truth" in s), {})
    record["elapsed_s"] = time.perf_counter() - start
    return record


class CellCache:
    """Records computed in this process, so that every test of a cell shares one run."""

    def __init__(self):
        self._records: dict[tuple, dict] = {}
        self.improvements: list[str] = []  # scores better than the baseline, for the summary
        self.within_tolerance: list[str] = []  # worse, within the guard's tolerance: likewise

    def get(self, cell: Cell) -> dict:
        if cell.key not in self._records:
            self._records[cell.key] = run_cell(cell)
        return self._records[cell.key]

    def records(self) -> list[dict]:
        return list(self._records.values())
