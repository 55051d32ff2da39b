"""Run many cells: serially, on local processes, or on a Dask cluster; resumable.

Cells are independent and every random stream depends only on (generator, seed, component),
so the order and the place a cell runs in cannot change its numbers: a parallel or
distributed run gives the serial run's records (timings aside). A cell travels as a
`CellRef` (plain strings), and the worker rebuilds it from the same grid definition.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from benchmarks.cells import Cell, run_cell
from benchmarks.grid import build_grid

# Per-seed and per-cell fields that measure wall-clock time, not the method's output.
TIMING_FIELDS = ("elapsed_s", "fit_time_s")


@dataclass(frozen=True)
class CellRef:
    """Everything a worker needs to rebuild a cell of the grid."""

    family: str
    method: str
    generator: str
    profile: str
    user_methods: tuple[str, ...] = ()
    user_family: str | None = None
    first_seed: int = 0
    n_seeds: int | None = None

    @classmethod
    def of(cls, cell: Cell, user_methods: Iterable[str] = (), user_family: str | None = None):
        return cls(cell.family, cell.method.name, cell.generator.name, cell.profile.name,
                   tuple(user_methods), user_family, cell.profile.first_seed,
                   cell.profile.n_seeds)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.family, self.method, self.generator, self.profile)

    def filename(self) -> str:
        """A stable file name for this cell's record."""
        ident = "|".join(self.key) + f"|{self.first_seed}|{self.n_seeds}"
        digest = hashlib.sha1(ident.encode()).hexdigest()[:12]
        safe = f"{self.family}-{self.method}-{self.generator}".replace("/", "_").replace(":", "_")
        return f"{safe[:80]}-{digest}.json"


def resolve(ref: CellRef) -> Cell:
    """The `Cell` a reference names, rebuilt from the grid definition."""
    cells = build_grid(ref.profile, methods=ref.user_methods, family=ref.user_family,
                       first_seed=ref.first_seed, n_seeds=ref.n_seeds)
    for cell in cells:
        if (cell.family, cell.method.name, cell.generator.name) == ref.key[:3]:
            return cell
    raise KeyError(f"no cell {ref.key} in the grid")


def run_ref(ref: CellRef) -> dict:
    """Rebuild and run one cell (what a worker process or a Dask worker executes)."""
    return run_cell(resolve(ref))


class CellStore:
    """One JSON file per finished cell, written atomically as soon as the cell finishes.

    An interrupted run loses no finished cell; ``--resume`` reads them back and runs only
    the cells that have no file.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, ref: CellRef) -> Path:
        return self.folder / ref.filename()

    def load(self, ref: CellRef) -> dict | None:
        path = self.path(ref)
        if not path.exists():
            return None
        record = json.loads(path.read_text())
        same = (record["family"], record["method"], record["generator"], record["profile"])
        seeds = [s["seed"] for s in record["seeds"]]
        wanted = [ref.first_seed] if ref.n_seeds is None else \
            list(range(ref.first_seed, ref.first_seed + ref.n_seeds))
        ok = seeds == wanted if ref.n_seeds is not None else seeds[:1] == wanted
        return record if same == ref.key and ok else None

    def save(self, ref: CellRef, record: dict) -> None:
        tmp = self.path(ref).with_suffix(".tmp")
        tmp.write_text(json.dumps(record, default=float))
        os.replace(tmp, self.path(ref))

    def clear(self) -> None:
        for path in self.folder.glob("*.json"):
            path.unlink()


class Progress:
    """One line per finished cell: done, running, failed, elapsed and estimated time left."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.stream = total, stream
        self.done = self.failed = 0
        self.start = time.perf_counter()

    def update(self, ref: CellRef, record: dict, running: int, resumed: bool = False) -> None:
        self.done += 1
        self.failed += record["status"] != "ok"
        elapsed = time.perf_counter() - self.start
        left = elapsed / max(self.done, 1) * (self.total - self.done)
        status = "resumed" if resumed else record["status"]
        if record["status"] != "ok":
            status = f"ERROR {record['error']}"
        print(f"[{self.done}/{self.total} done, {running} running, {self.failed} failed, "
              f"{elapsed:.0f}s, ~{left:.0f}s left] {ref.family} {ref.method}-{ref.generator}: "
              f"{status}", file=self.stream, flush=True)


def _init_worker() -> None:
    # Cells hold BLAS to one thread themselves; this also covers libraries that start
    # their thread pools at import time.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def _submit_all(refs: list[CellRef], jobs: int, scheduler: str | None):
    """Yield ``(ref, record, n_running)`` as cells finish, on the chosen executor."""
    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = {client.submit(run_ref, ref, pure=False, key=f"cell-{ref.filename()}"):
                       ref for ref in refs}
            pending = len(futures)
            n_workers = max(1, len(client.scheduler_info().get("workers", {})))
            for fut in dask_completed(futures):
                pending -= 1
                yield futures[fut], fut.result(), min(pending, n_workers)
        return
    if jobs <= 1:
        for ref in refs:  # one at a time: nothing else is running when a cell finishes
            yield ref, run_ref(ref), 0
        return
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker) as pool:
        futures = {pool.submit(run_ref, ref): ref for ref in refs}
        pending = len(futures)
        for fut in as_completed(futures):
            pending -= 1
            yield futures[fut], fut.result(), min(pending, jobs)


def run_cells(refs: list[CellRef], jobs: int = 1, scheduler: str | None = None,
              store: CellStore | None = None, resume: bool = False,
              progress: Callable | None = None) -> list[dict]:
    """Records of ``refs`` in the given order, however and wherever they ran.

    Parameters
    ----------
    jobs : int
        Local worker processes (1 = in this process).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); overrides ``jobs``.
    store : CellStore, optional
        Where each finished cell is written as it completes.
    resume : bool
        Keep the cells already in ``store`` and run only the others (without it the
        store is cleared first).
    """
    records: dict[tuple, dict] = {}
    tracker = Progress(len(refs)) if progress is None else progress
    if store is not None and not resume:
        store.clear()
    todo = []
    for ref in refs:
        rec = store.load(ref) if (store is not None and resume) else None
        if rec is not None:
            records[ref.key] = rec
            tracker.update(ref, rec, 0, resumed=True)
        else:
            todo.append(ref)
    for ref, rec, running in _submit_all(todo, jobs, scheduler):
        if store is not None:
            store.save(ref, rec)
        records[ref.key] = rec
        tracker.update(ref, rec, running)
    return [records[ref.key] for ref in refs]


def without_timings(record: dict) -> dict:
    """``record`` minus wall-clock fields, for comparing runs bit for bit."""
    out = {k: v for k, v in record.items() if k not in TIMING_FIELDS}
    out["metrics"] = {k: v for k, v in record.get("metrics", {}).items()
                      if k not in TIMING_FIELDS}
    out["seeds"] = [{k: v for k, v in s.items() if k not in TIMING_FIELDS}
                    for s in record.get("seeds", [])]
    return out
