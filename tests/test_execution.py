"""Parallel, distributed and resumable runs give the serial run's records.

`benchmarks.execution.run_cells` on local processes (``jobs=2``) and on a loopback Dask
`LocalCluster` against the serial run, cell by cell, timings aside; resuming from a
`CellStore` runs only the missing cells, in-process and across a SIGKILLed
``python -m reports``; a ``.tmp`` left by a kill mid-write is ignored. Worker deaths,
damaged cell files and Ctrl-C are in tests/test_faults.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import benchmarks.execution as execution
from benchmarks.cell_store import CellRef, CellStore, without_timings
from benchmarks.execution import logged_cells, run_cells
from benchmarks.grid import build_grid
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family

REPO = Path(__file__).resolve().parents[1]
# Four fast cells (~0.5-0.8 s each on the quick profile): two erasers x two generators.
SUBSET = {("leace", "two_class_gaussian"), ("leace", "outlier_equal_means"),
          ("mean_projection", "two_class_gaussian"),
          ("mean_projection", "outlier_equal_means")}


def _dump(record: dict) -> str:
    return json.dumps(without_timings(record), sort_keys=True, default=float)


def _dumps(records: list[dict]) -> list[str]:
    return [_dump(r) for r in records]


def _stored(data: str | bytes) -> dict:
    """The record inside a cell file's envelope."""
    doc = json.loads(data)
    assert set(doc) == {"format", "sha256", "record"}
    return doc["record"]


class Recorder:
    """A progress object that remembers every update instead of printing it."""

    def __init__(self):
        self.updates: list[tuple[tuple, bool]] = []

    def update(self, ref, record, running, resumed=False):
        self.updates.append((ref.key, resumed))


def test_a_worker_builds_the_same_cell_alone():
    """`execution.resolve` builds one cell, equal to the grid's (built-in and user methods)."""
    user = ["methods.erasure.leace:LeaceEraser"]
    for cells, methods in ((build_grid("quick"), ()),
                           (build_grid("quick", methods=user, n_seeds=2), user)):
        for cell in cells:
            found = execution.resolve(CellRef.of(cell, methods))
            assert found.key == cell.key and found.profile == cell.profile
            assert found.method.name == cell.method.name
            assert found.generator == cell.generator
    with pytest.raises(KeyError):
        execution.resolve(CellRef("erasure", "no_such_method", "xor_concept", "quick"))


@pytest.fixture(scope="module")
def refs() -> list[CellRef]:
    cells = [c for c in build_grid("quick", family="erasure")
             if (c.method.name, c.generator.name) in SUBSET]
    assert len(cells) == len(SUBSET)
    return [CellRef.of(c) for c in cells]


@pytest.fixture(scope="module")
def serial(refs) -> list[dict]:
    """The reference: every cell of the subset run in this process, one after another."""
    records = run_cells(refs, jobs=1, progress=Recorder())
    assert [r["status"] for r in records] == ["ok"] * len(refs)
    return records


def _assert_same_records(records, reference, refs):
    assert [(r["family"], r["method"], r["generator"], r["profile"]) for r in records] == \
        [ref.key for ref in refs]  # in the order asked for, whatever order they finished in
    for ref, got, want in zip(refs, records, reference, strict=True):
        assert _dump(got) == _dump(want), f"{ref.key}: record differs from the serial run's"


def test_without_timings_drops_only_wall_clock_fields(serial):
    rec = serial[0]
    assert "elapsed_s" in rec and "fit_time_s" in rec["metrics"]
    assert all("fit_time_s" in s for s in rec["seeds"])
    bare = without_timings(rec)
    assert "elapsed_s" not in bare and "fit_time_s" not in bare["metrics"]
    assert not any("fit_time_s" in s for s in bare["seeds"])
    assert set(rec) - set(bare) == {"elapsed_s"}
    assert bare["metrics"]["leakage_logistic"] == rec["metrics"]["leakage_logistic"]


def test_local_processes_give_the_serial_records(refs, serial):
    records = run_cells(refs, jobs=2, progress=Recorder())
    _assert_same_records(records, serial, refs)
    # The comparison is not vacuous: the wall-clock fields were measured in each run.
    assert all(r["elapsed_s"] > 0 for r in records)


def test_dask_local_cluster_gives_the_serial_records(refs, serial, monkeypatch, tmp_path):
    distributed = pytest.importorskip("distributed")
    # Worker processes must import benchmarks/ and methods/. A LocalCluster's spawned
    # workers inherit this process's sys.path already; a `dask worker` started by hand
    # does not, and PYTHONPATH is how it gets the repo. Set it as a user would.
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(REPO) + (os.pathsep + path if path else ""))
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None,
                                       local_directory=str(tmp_path))
    try:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        progress = Recorder()
        records = run_cells(refs, scheduler=cluster.scheduler_address, progress=progress)
        with distributed.Client(cluster.scheduler_address) as client:
            workers = client.scheduler_info()["workers"]
            assert len(workers) == 2
            assert all(w["host"] == "127.0.0.1" for w in workers.values())
    finally:
        cluster.close()
    _assert_same_records(records, serial, refs)
    assert sorted(key for key, _ in progress.updates) == sorted(r.key for r in refs)


def test_resume_runs_only_the_missing_cells(refs, serial, monkeypatch, tmp_path):
    store = CellStore(tmp_path / "cells")
    first = run_cells(refs, store=store, progress=Recorder())
    assert sorted(p.name for p in store.folder.iterdir()) == \
        sorted(ref.filename() for ref in refs)
    for ref, rec in zip(refs, first, strict=True):  # the store holds what the run returned
        assert _stored(store.path(ref).read_text()) == json.loads(json.dumps(rec))
    missing = [refs[1], refs[3]]
    kept = {ref: store.path(ref).read_bytes() for ref in refs if ref not in missing}
    for ref in missing:
        store.path(ref).unlink()

    ran = []
    real = execution.run_ref

    def spy(ref):
        ran.append(ref)
        return real(ref)

    monkeypatch.setattr(execution, "run_ref", spy)
    progress = Recorder()
    records = run_cells(refs, store=store, resume=True, progress=progress)
    assert ran == missing  # exactly the deleted cells, once each
    assert progress.updates.count((refs[0].key, True)) == 1
    assert sorted(key for key, resumed in progress.updates if resumed) == \
        sorted(ref.key for ref in kept)
    assert sorted(key for key, resumed in progress.updates if not resumed) == \
        sorted(ref.key for ref in missing)
    _assert_same_records(records, serial, refs)
    for ref, before in kept.items():  # resumed cells are read back, not rewritten
        assert store.path(ref).read_bytes() == before
        assert records[refs.index(ref)] == _stored(before)
    for ref in missing:
        assert store.path(ref).exists()

    # Without resume the store is cleared and every cell is dispatched again (the spy hands
    # back the known records instead of recomputing them).
    known = {ref.key: rec for ref, rec in zip(refs, first, strict=True)}
    ran.clear()
    monkeypatch.setattr(execution, "run_ref", lambda ref: ran.append(ref) or known[ref.key])
    run_cells(refs, store=store, resume=False, progress=Recorder())
    assert ran == refs


def test_tmp_leftover_from_a_kill_mid_write_is_ignored(refs, serial, monkeypatch, tmp_path):
    store = CellStore(tmp_path / "cells")
    run_cells(refs[:2], store=store, progress=Recorder())
    done, cut = refs[0], refs[1]
    # A kill between write_text and os.replace: the .tmp holds a truncated record and the
    # .json was never made. Another cell's stale .tmp sits beside its finished file.
    text = store.path(cut).read_text()
    store.path(cut).unlink()
    store.path(cut).with_suffix(".tmp").write_text(text[: len(text) // 2])
    store.path(done).with_suffix(".tmp").write_text('{"family": "erasure", "met')
    done_bytes = store.path(done).read_bytes()

    ran = []
    real = execution.run_ref
    monkeypatch.setattr(execution, "run_ref", lambda ref: ran.append(ref) or real(ref))
    records = run_cells(refs[:2], store=store, resume=True, progress=Recorder())
    assert ran == [cut]  # the half-written cell runs again; the finished one is kept
    _assert_same_records(records, serial[:2], refs[:2])
    assert store.path(done).read_bytes() == done_bytes
    assert _stored(store.path(cut).read_text()) == json.loads(json.dumps(records[1]))
    assert not store.path(cut).with_suffix(".tmp").exists()  # replaced by the new write


def test_killed_report_resumes_without_rerunning_finished_cells(tmp_path):
    out = tmp_path / "out"
    cells_dir = out / "cells"
    # Cheap cells: two user methods (mean difference) x the truth generators, one seed; each
    # fit of the killed run sleeps 0.3 s so that the kill lands mid-grid.
    methods = ["tests/test_faults.py:Counted", "tests/test_faults.py:Twin"]
    cmd = [sys.executable, "-m", "reports", "--out", str(out), "--n-seeds", "1",
           "--no-references"]
    cmd += [a for m in methods for a in ("--method", m)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    n_cells = 2 * len(get_family("truth").generators(get_profile("quick")))
    proc = subprocess.Popen(cmd + ["--jobs", "1"], cwd=REPO,
                            env={**env, "TOYGROUND_FAULTS_SLEEP": "0.3"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list(cells_dir.glob("*.json"))) < 2:
            assert proc.poll() is None, f"python -m reports exited early ({proc.returncode})"
            assert time.monotonic() < deadline, "no 2 finished cells within 120 s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before = {p.name: p.read_bytes() for p in cells_dir.glob("*.json")}
    assert 2 <= len(before) < n_cells, "the run was not interrupted"
    assert not (out / "results.json").exists()
    kept = {}
    for data in before.values():
        rec = _stored(data)
        kept[f"{rec['method']}-{rec['generator']}"] = rec

    start = time.perf_counter()
    # Resumed on two local processes: a store is not tied to the executor that wrote it.
    done = subprocess.run(cmd + ["--resume", "--jobs", "2"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=240)
    resume_s = time.perf_counter() - start
    assert done.returncode == 0, done.stderr[-3000:]
    print(f"\nkilled after {len(before)} of {n_cells} cells; resume took {resume_s:.1f} s")

    # Every pre-kill cell file is untouched: byte-identical, so not recomputed.
    for name, data in before.items():
        assert (cells_dir / name).read_bytes() == data, f"{name} was rewritten"
    # The progress output says "resumed" for exactly those cells, and each cell once.
    lines = logged_cells(done.stderr)
    assert len(lines) == n_cells, done.stderr[-3000:]
    assert sorted(ident for ident, _ in lines) == \
        sorted({ident for ident, _ in lines}), "a cell was reported twice"
    assert {ident for ident, status in lines if status == "resumed"} == set(kept)
    assert all(status == "ok" for ident, status in lines if ident not in kept)
    # results.json has every cell once; the resumed ones are the pre-kill records exactly
    # (wall-clock fields included: a re-run would have measured other times).
    doc = json.loads((out / "results.json").read_text())
    idents = [f"{r['method']}-{r['generator']}" for r in doc["records"]]
    assert len(idents) == n_cells == len(set(idents))
    assert len(list(cells_dir.glob("*.json"))) == n_cells
    by_ident = dict(zip(idents, doc["records"], strict=True))
    for ident, rec in kept.items():
        assert by_ident[ident] == rec, f"{ident}: results.json differs from the pre-kill file"
    assert not list(cells_dir.glob("*.tmp"))
