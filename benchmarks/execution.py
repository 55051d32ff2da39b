"""Run many cells: serially, on local processes, or on a Dask cluster; resumable.

Cells are independent and every random stream depends only on (generator, seed, component),
so the order and the place a cell runs in cannot change its numbers: a parallel or
distributed run gives the serial run's records (timings aside). A cell travels as a
`CellRef` (plain strings), and the worker builds that one cell from the grid's definition
(`benchmarks.grid.find_cell`).

Faults: every cell gets exactly one record, saved once in the `CellStore`
(`benchmarks.cell_store`). A local worker process that dies mid-cell is replaced and the
cell started again (`MAX_ATTEMPTS` in all); Dask re-runs a cell whose worker died, up to
its ``allowed-failures``. A cell that still has no record becomes an error record whose
message starts with `WORKER_DIED` (or `NOT_RUN` when it could not be run at all), and the
grid goes on; ``--resume`` runs those cells again, and so it does every cell whose file in
the store is damaged. Ctrl-C stops every local worker process before `KeyboardInterrupt`
leaves `run_cells`.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections import Counter, deque
from contextlib import closing, nullcontext
from typing import Callable

from benchmarks.cell_store import NOT_RUN, WORKER_DIED, CellRef, CellStore
from benchmarks.cells import Cell, describe_cell, run_cell
from benchmarks.grid import find_cell
from benchmarks.profiles import get_profile
from benchmarks.progress import progress_bar, say, step

# A cell whose worker process dies is started at most this many times on local processes.
MAX_ATTEMPTS = 2


def resolve(ref: CellRef) -> Cell:
    """The `Cell` a reference names, built alone from the grid definition."""
    profile = get_profile(ref.profile, ref.first_seed, ref.n_seeds)
    return find_cell(ref.family, ref.method, ref.generator, profile, ref.user_methods,
                     ref.user_family, ref.expect_fail, ref.user_generators)


def run_ref(ref: CellRef) -> dict:
    """Rebuild and run one cell (what a worker process or a Dask worker executes)."""
    return run_cell(resolve(ref))


class Progress:
    """A progress bar of the cells (`benchmarks.progress`): done, failed, elapsed and time
    left, the cell just finished beside it; in a log one line per finished cell, and an
    error cell's message on a line of its own. Use as a context manager."""

    def __init__(self, total: int, stream=None):
        self.total, self.stream = total, stream
        self.failed = 0
        self._bar = None
        self._context = None

    def __enter__(self) -> Progress:
        self._context = progress_bar(self.total, "cells", stream=self.stream)
        self._bar = self._context.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._context.__exit__(*exc)

    def update(self, ref: CellRef, record: dict, running: int, resumed: bool = False) -> None:
        self.failed += record["status"] != "ok"
        status = "resumed" if resumed else record["status"]
        if record["status"] != "ok":
            status = "ERROR"
            say(self._bar, f"error cell {ref.family} {ref.method}-{ref.generator}: "
                           f"{record['error']}")
        step(self._bar, f"{self.failed} failed, {running} running; {ref.family} "
                        f"{ref.method}-{ref.generator}: {status}")


# A cell's line in a log: "cells: 3/8 [... left, 0 failed, 1 running; <family>
# <method>-<generator>: <status>]".
CELL_LINE = re.compile(r"^cells: (\d+)/(\d+) \[.*; (\S+) (\S+): (.*)\]$")


def logged_cells(text: str) -> list[tuple[str, str]]:
    """``(method-generator, status)`` of each finished cell in a log of `Progress` lines
    (a heartbeat's redraw of the same count is not another cell)."""
    out, seen = [], set()
    for line in text.splitlines():
        m = CELL_LINE.match(line)
        if m and m.group(1) not in seen:
            seen.add(m.group(1))
            out.append((m.group(4), m.group(5)))
    return out


def executor_error_record(ref: CellRef, message: str) -> dict:
    """The error record of a cell that produced no record of its own (``message`` says why).

    Same fields as `benchmarks.cells.run_cell`'s error records: one error entry per seed,
    no metrics, no checks.
    """
    try:
        described = describe_cell(resolve(ref))
    except Exception:  # noqa: BLE001 - the record must exist even if the grid cannot load
        described = {
            "family": ref.family, "method": ref.method, "generator": ref.generator,
            "profile": ref.profile, "builtin": not ref.user_methods,
            "method_description": "", "generator_params": {}, "headline": [],
            "expected_findings": {}, "variable_findings": {}}
    seeds = get_profile(ref.profile, ref.first_seed, ref.n_seeds).seeds
    return {
        **described,
        "status": "error", "error": message, "metrics": {}, "checks": {},
        "seeds": [{"seed": s, "status": "error", "error": message} for s in seeds],
        "elapsed_s": 0.0,
    }


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is None:
        return "its pipe closed"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


def _run_guarded(ref: CellRef) -> dict:
    """`run_ref`, with a failure outside the method's own code turned into an error record."""
    try:
        return run_ref(ref)
    except Exception as exc:  # noqa: BLE001 - e.g. a user method file missing on this host
        return executor_error_record(ref, f"{NOT_RUN}: {type(exc).__name__}: {exc}")


def _worker_main(conn) -> None:
    """A local worker process: run each cell received on ``conn``, send its record back."""
    # Ctrl-C in a terminal reaches every process of the group: the parent alone decides
    # what it means (it stops the workers), so a worker does not die half-way on its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Cells hold BLAS to one thread themselves; this also covers libraries that start
    # their thread pools at import time.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    while True:
        try:
            ref = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if ref is None:
            return
        try:
            conn.send(_run_guarded(ref))
        except (BrokenPipeError, OSError):
            return


class _LocalWorker:
    """One worker process and the pipe to it; ``ref`` is the cell it is running, if any."""

    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.ref: CellRef | None = None

    def give(self, ref: CellRef) -> bool:
        try:
            self.conn.send(ref)
        except OSError:  # died while idle
            return False
        self.ref = ref
        return True

    def collect(self) -> dict | None:
        """The record of the running cell, or None when the process died before sending it."""
        if self.conn.poll():
            try:
                record = self.conn.recv()
            except (EOFError, OSError):
                record = None
            if record is not None:
                self.ref = None
                return record
        return None

    def stop(self, wait: float = 5.0) -> None:
        """End the process: ask an idle one to leave, terminate a busy one, kill if needed."""
        if self.proc.is_alive():
            if self.ref is None:
                try:
                    self.conn.send(None)
                except OSError:
                    pass
            else:
                self.proc.terminate()
            self.proc.join(wait)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(wait)
        self.conn.close()


def _run_local(refs: list[CellRef], jobs: int, max_attempts: int = MAX_ATTEMPTS):
    """Yield ``(ref, record, n_running)`` from ``jobs`` worker processes, surviving deaths.

    Each worker has its own pipe, so the death of one (killed, out of memory, a crash in
    native code) touches only the cell it was running: the other workers go on, a new
    process takes the dead one's place, and the cell is started again, up to
    ``max_attempts`` times in all; after that it becomes an error record starting with
    `WORKER_DIED`. Every cell is yielded exactly once. On any exit (the last cell done, an
    exception, Ctrl-C, the generator closed) every worker process is ended.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("spawn")
    queue = deque(refs)
    attempts: Counter = Counter()
    workers: list[_LocalWorker] = []
    try:
        while queue or any(w.ref is not None for w in workers):
            for w in [w for w in workers if w.ref is None]:
                if queue and not w.give(queue[0]):
                    w.stop(0)
                    workers.remove(w)
                elif queue:
                    queue.popleft()
            while queue and len(workers) < jobs:
                w = _LocalWorker(ctx)
                workers.append(w)
                if w.give(queue[0]):
                    queue.popleft()
            busy = [w for w in workers if w.ref is not None]
            if not busy:
                continue
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy]))
            for w in busy:
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                ref = w.ref
                record = w.collect()
                if record is None:  # the process ended (or its pipe broke) mid-cell
                    w.proc.join(5)
                    how = _describe_exit(w.proc.exitcode)
                    w.ref = None
                    w.stop(0)
                    workers.remove(w)
                    attempts[ref] += 1
                    if attempts[ref] < max_attempts:
                        print(f"{ref.family} {ref.method}-{ref.generator}: worker process "
                              f"{how}; starting the cell again (attempt "
                              f"{attempts[ref] + 1} of {max_attempts})",
                              file=sys.stderr, flush=True)
                        queue.append(ref)
                        continue
                    record = executor_error_record(
                        ref, f"{WORKER_DIED}: the worker process running this cell ended "
                             f"({how}) on each of {max_attempts} attempts")
                running = sum(x.ref is not None for x in workers)
                yield ref, record, running
    finally:
        for w in workers:
            w.stop()


def _run_dask(refs: list[CellRef], scheduler: str):
    """Yield ``(ref, record, n_running)`` from a Dask cluster, as cells finish.

    Dask starts a cell again on another worker when its worker dies, until
    ``distributed.scheduler.allowed-failures`` workers (default 3) have died with it; then
    its future raises `KilledWorker`, and the cell becomes an error record starting with
    `WORKER_DIED`. Any other exception of a future (cancelled, lost connection) becomes an
    error record starting with `NOT_RUN`. Both are run again by ``--resume``.
    """
    from distributed import Client, KilledWorker
    from distributed import as_completed as dask_completed

    with Client(scheduler) as client:
        futures = {client.submit(_run_guarded, ref, pure=False, key=f"cell-{ref.filename()}"):
                   ref for ref in refs}
        pending = len(futures)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        for fut in dask_completed(futures):
            ref = futures[fut]
            pending -= 1
            try:
                record = fut.result()
            except KilledWorker as exc:
                record = executor_error_record(ref, f"{WORKER_DIED}: {exc}")
            except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001
                record = executor_error_record(ref, f"{NOT_RUN}: {type(exc).__name__}: {exc}")
            fut.release()
            yield ref, record, min(pending, n_workers)


def _submit_all(refs: list[CellRef], jobs: int, scheduler: str | None):
    """Yield ``(ref, record, n_running)`` as cells finish, on the chosen executor."""
    if scheduler:
        yield from _run_dask(refs, scheduler)
    elif jobs <= 1:
        for ref in refs:  # one at a time: nothing else is running when a cell finishes
            yield ref, _run_guarded(ref), 0
    else:
        yield from _run_local(refs, jobs)


def run_cells(refs: list[CellRef], jobs: int = 1, scheduler: str | None = None,
              store: CellStore | None = None, resume: bool = False,
              progress: Callable | None = None) -> list[dict]:
    """Records of ``refs`` in the given order, however and wherever they ran.

    Every cell gets exactly one record, saved once: a method that fails gives an error
    record (`benchmarks.cells.run_cell`), and so does a cell whose worker process died on
    every attempt (see `_run_local`, `_run_dask`) or that could not be run at all.

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
        store is cleared first). A file that fails `CellStore.inspect` is reported on
        stderr and its cell runs again.

    Raises
    ------
    KeyboardInterrupt
        Passed on after the worker processes are stopped; the cells finished before it
        are in ``store``.
    """
    with Progress(len(refs)) if progress is None else nullcontext(progress) as tracker:
        return _run_tracked(refs, jobs, scheduler, store, resume, tracker)


def _run_tracked(refs, jobs, scheduler, store, resume, tracker) -> list[dict]:
    records: dict[tuple, dict] = {}
    if store is not None and not resume:
        store.clear()
    todo = []
    for ref in refs:
        rec, why = store.inspect(ref) if (store is not None and resume) else (None, None)
        if why is not None:
            print(f"{store.path(ref)}: {why}; running the cell again", file=sys.stderr,
                  flush=True)
        if rec is not None:
            records[ref.key] = rec
            tracker.update(ref, rec, 0, resumed=True)
        else:
            todo.append(ref)
    with closing(_submit_all(todo, jobs, scheduler)) as finished:
        for ref, rec, running in finished:
            if store is not None:
                store.save(ref, rec)
            records[ref.key] = rec
            tracker.update(ref, rec, running)
    return [records[ref.key] for ref in refs]
