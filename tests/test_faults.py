"""Runs survive faults: dead workers, damaged cell files, Ctrl-C.

- A local worker process killed mid-cell (``--jobs``) is replaced and the cell started again;
  a cell whose worker dies on every attempt becomes an error record saying so. Every cell
  gets one record, saved once, and no cell is computed twice.
- On a Dask cluster a worker killed once is survived by the scheduler; a cell that kills
  every worker it lands on becomes an error record (`KilledWorker`), not a crash.
- ``--resume`` runs again exactly the cells whose file is cut short, garbage, edited, of
  the wrong structure or another cell's.
- Ctrl-C on ``python -m reports`` exits 130 (SIGTERM: 143), keeps every finished cell,
  leaves no worker process behind and never touches results.json; ``--resume`` then
  finishes the grid with the serial run's records.

The methods under test are the user methods below (truth family, mean difference), loaded
by workers from this file with ``--method tests/test_faults.py:Class``. Each fit appends
``Class random_state`` to ``$TOYGROUND_FAULTS_DIR/fits.log``: the method stream differs
for every fit of every cell, so a line seen twice means a fit was run twice.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import benchmarks.cell_store as cell_store
import benchmarks.execution as execution
from benchmarks.cell_store import WORKER_DIED, CellRef, CellStore, without_timings
from benchmarks.execution import MAX_ATTEMPTS, logged_cells, run_cells
from benchmarks.grid import build_grid
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from methods.truth.mean_difference import MeanDifference

REPO = Path(__file__).resolve().parents[1]
HERE = str(Path(__file__).resolve())
FAULTS_DIR = "TOYGROUND_FAULTS_DIR"  # where fits.log and the DiesOnce marker go
SLEEP = "TOYGROUND_FAULTS_SLEEP"  # seconds each fit sleeps (to interrupt a run mid-way)
PROTECTED = "TOYGROUND_FAULTS_PROTECTED_PID"  # the pytest process: never killed


def _log_fit(est) -> Path | None:
    folder = os.environ.get(FAULTS_DIR)
    if folder is None:
        return None
    with open(Path(folder) / "fits.log", "a") as f:  # one short append: atomic
        f.write(f"{type(est).__name__} {est.random_state}\n")
    return Path(folder)


def _die() -> None:
    if str(os.getpid()) == os.environ.get(PROTECTED):
        raise RuntimeError("refusing to SIGKILL the test process itself")
    os.kill(os.getpid(), signal.SIGKILL)


class Counted(MeanDifference):
    """Mean difference that logs each fit (and sleeps ``$TOYGROUND_FAULTS_SLEEP`` s)."""

    def fit(self, X, y=None):
        _log_fit(self)
        time.sleep(float(os.environ.get(SLEEP, "0")))
        return super().fit(X, y)


class Twin(Counted):
    """A second method (two user methods x the truth generators)."""


class DiesOnce(Counted):
    """Kills its own process on its first fit ever (a marker file remembers), then works."""

    def fit(self, X, y=None):
        folder = _log_fit(self)
        marker = folder / "died-DiesOnce"
        if not marker.exists():
            marker.touch()
            _die()
        return MeanDifference.fit(self, X, y)


class DiesAlways(Counted):
    """Kills its own process on every fit."""

    def fit(self, X, y=None):
        _log_fit(self)
        _die()


class Recorder:
    """A progress object that remembers every update instead of printing it."""

    def __init__(self):
        self.updates: list[tuple[tuple, bool]] = []

    def update(self, ref, record, running, resumed=False):
        self.updates.append((ref.key, resumed))


class CountingStore(CellStore):
    """A CellStore that counts how often each cell is saved."""

    def __init__(self, folder):
        super().__init__(folder)
        self.saves: Counter = Counter()

    def save(self, ref, record):
        self.saves[ref.key] += 1
        super().save(ref, record)


def _refs(cells: list[tuple[str, str]]) -> list[CellRef]:
    """Refs of the (class, generator) cells of this file's methods, one seed each."""
    paths = sorted({f"{HERE}:{cls}" for cls, _ in cells})
    grid = build_grid("quick", methods=paths, n_seeds=1)
    by_id = {(c.method.name.rsplit(":", 1)[1], c.generator.name): c for c in grid}
    return [CellRef.of(by_id[cell], paths) for cell in cells]


def _fits(folder: Path) -> Counter:
    log = folder / "fits.log"
    return Counter(log.read_text().splitlines()) if log.exists() else Counter()


def _of(counter: Counter, cls: str) -> Counter:
    return Counter({k: n for k, n in counter.items() if k.split()[0] == cls})


def _reference(refs: list[CellRef], folder: Path, monkeypatch) -> tuple[list[dict], Counter]:
    """Records and fit log of ``refs`` run serially in this process, DiesOnce disarmed."""
    folder.mkdir()
    (folder / "died-DiesOnce").touch()
    monkeypatch.setenv(FAULTS_DIR, str(folder))
    records = run_cells(refs, progress=Recorder())
    return records, _fits(folder)


@pytest.fixture(autouse=True)
def _protect(monkeypatch):
    monkeypatch.setenv(PROTECTED, str(os.getpid()))
    monkeypatch.setenv(SLEEP, "0")


def _same(got: dict, want: dict) -> bool:
    dump = lambda r: json.dumps(without_timings(r), sort_keys=True, default=float)  # noqa: E731
    return dump(got) == dump(want)


# --- 1. a worker killed mid-cell, on local processes --------------------------------------

def test_local_worker_killed_mid_cell_is_retried_then_recorded(tmp_path, monkeypatch):
    good = [("Counted", g) for g in ("onehot_facts", "grouped_facts", "single_truth")]
    refs = _refs(good + [("DiesOnce", "single_truth"), ("DiesAlways", "single_truth")])
    ref_records, ref_fits = _reference(refs[:4], tmp_path / "reference", monkeypatch)

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    monkeypatch.setenv(FAULTS_DIR, str(run_dir))
    store, progress = CountingStore(tmp_path / "cells"), Recorder()
    start = time.perf_counter()
    records = run_cells(refs, jobs=2, store=store, progress=progress)
    print(f"\n5 cells on 2 processes, 3 worker deaths: {time.perf_counter() - start:.1f} s")

    # Every cell has one record, saved once and reported once, in the order asked for.
    assert [(r["method"].rsplit(":", 1)[1], r["generator"]) for r in records] == \
        [(ref.method.rsplit(":", 1)[1], ref.generator) for ref in refs]
    assert store.saves == Counter({ref.key: 1 for ref in refs})
    assert sorted(key for key, _ in progress.updates) == sorted(ref.key for ref in refs)
    # The cell that died once was run again and gives the undisturbed run's record.
    for got, want in zip(records[:4], ref_records, strict=True):
        assert got["status"] == "ok", got["error"]
        assert _same(got, want)
    # The cell that always dies is an error record naming the death; the grid went on.
    dead = records[4]
    assert dead["status"] == "error"
    assert dead["error"].startswith(WORKER_DIED)
    assert "SIGKILL" in dead["error"] and f"{MAX_ATTEMPTS} attempts" in dead["error"]
    assert [s["seed"] for s in dead["seeds"]] == [0] and dead["seeds"][0]["status"] == "error"
    assert dead["metrics"] == {} and dead["checks"] == {}
    # Its file is valid, and --resume would run it again (the machine may have been at fault).
    on_disk, why = store.inspect(refs[4])
    assert on_disk is None and WORKER_DIED in why
    assert all(store.load(ref) is not None for ref in refs[:4])

    # No fit ran twice except the ones that killed their process: DiesOnce's first fit
    # once more, DiesAlways's first fit on each attempt.
    fits = _fits(run_dir)
    assert _of(fits, "Counted") == _of(ref_fits, "Counted")
    assert max(_of(fits, "Counted").values()) == 1
    extra = _of(fits, "DiesOnce") - _of(ref_fits, "DiesOnce")
    assert sum(extra.values()) == 1 and _of(fits, "DiesOnce") - extra == _of(ref_fits, "DiesOnce")
    assert list(_of(fits, "DiesAlways").values()) == [MAX_ATTEMPTS]
    assert multiprocessing.active_children() == []  # every worker process was ended


# --- 1b. a worker killed mid-cell, on Dask ------------------------------------------------

def test_dask_worker_killed_mid_cell_is_rerun_then_recorded(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import dask

    refs = _refs([("DiesOnce", "single_truth"), ("Counted", "single_truth"),
                  ("DiesAlways", "single_truth")])
    ref_records, _ = _reference(refs[:2], tmp_path / "reference", monkeypatch)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    monkeypatch.setenv(FAULTS_DIR, str(run_dir))
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(REPO) + (os.pathsep + path if path else ""))
    start = time.perf_counter()
    # One death is survived (re-run elsewhere), a second one fails the task (KilledWorker).
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None,
                                           local_directory=str(tmp_path))
    try:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        # Two runs, so that each has a single killer: Dask also counts a death against the
        # cells merely queued on the dying worker, which would make the test depend on
        # placement.
        store, progress = CountingStore(tmp_path / "cells"), Recorder()
        once = run_cells(refs[:2], scheduler=cluster.scheduler_address, store=store,
                         progress=progress)
        always = run_cells(refs[2:], scheduler=cluster.scheduler_address, store=store,
                           resume=True, progress=progress)
    finally:
        cluster.close()
    print(f"\nDask: 3 cells, 3 worker deaths: {time.perf_counter() - start:.1f} s")

    assert store.saves == Counter({ref.key: 1 for ref in refs})
    assert sorted(key for key, _ in progress.updates) == sorted(ref.key for ref in refs)
    for got, want in zip(once, ref_records, strict=True):
        assert got["status"] == "ok", got["error"]
        assert _same(got, want)
    assert sum(_of(_fits(run_dir), "DiesOnce").values()) > 0
    (dead,) = always
    assert dead["status"] == "error"
    assert dead["error"].startswith(WORKER_DIED) and "died" in dead["error"][len(WORKER_DIED):]
    assert dead["method"] == refs[2].method and dead["metrics"] == {}
    assert sum(_of(_fits(run_dir), "DiesAlways").values()) == 2  # allowed-failures + 1


# --- 2. damaged cell files on --resume ----------------------------------------------------

def _truncate(path: Path, other: Path) -> None:
    text = path.read_text()
    path.write_text(text[: len(text) // 2])


def _garbage(path: Path, other: Path) -> None:
    path.write_bytes(bytes(range(256)) * 4)


def _flip_value(path: Path, other: Path) -> None:
    doc = json.loads(path.read_text())
    metric = next(m for m in doc["record"]["metrics"].values() if m["value"] is not None)
    metric["value"] = 1.0 - metric["value"]  # still a plausible score; the checksum is not
    path.write_text(json.dumps(doc))


def _wrong_structure(path: Path, other: Path) -> None:
    doc = json.loads(path.read_text())
    doc["record"]["seeds"] = {"0": doc["record"]["seeds"][0]}
    doc["sha256"] = cell_store._checksum(cell_store._canonical(doc["record"])[1])
    path.write_text(json.dumps(doc))


def _not_a_record(path: Path, other: Path) -> None:
    path.write_text("[1, 2, 3]")


def _other_cells_file(path: Path, other: Path) -> None:
    path.write_bytes(other.read_bytes())


def _empty(path: Path, other: Path) -> None:
    path.write_bytes(b"")


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Three cells run once into a store: (refs, records, {file name: bytes})."""
    folder = tmp_path_factory.mktemp("stored")
    refs = _refs([("Counted", g) for g in ("onehot_facts", "grouped_facts", "single_truth")])
    store = CellStore(folder / "cells")
    records = run_cells(refs, store=store, progress=Recorder())
    assert [r["status"] for r in records] == ["ok"] * 3
    return refs, records, {p.name: p.read_bytes() for p in store.folder.iterdir()}


@pytest.mark.parametrize("damage", [_truncate, _garbage, _flip_value, _wrong_structure,
                                    _not_a_record, _other_cells_file, _empty],
                         ids=lambda f: f.__name__.strip("_"))
def test_resume_reruns_exactly_the_damaged_cell(damage, stored, tmp_path, monkeypatch,
                                                capsys):
    refs, first, files = stored
    store = CellStore(tmp_path / "cells")
    for name, data in files.items():
        (store.folder / name).write_bytes(data)
    hit, other = refs[1], refs[2]
    damage(store.path(hit), store.path(other))
    assert store.load(hit) is None

    ran = []
    real = execution.run_ref
    monkeypatch.setattr(execution, "run_ref", lambda ref: ran.append(ref) or real(ref))
    records = run_cells(refs, store=store, resume=True, progress=Recorder())
    assert ran == [hit]
    assert f"{store.path(hit)}: " in capsys.readouterr().err  # said why it runs again
    for got, want in zip(records, first, strict=True):
        assert _same(got, want)
    for ref in (refs[0], other):  # the sound files are kept byte for byte
        assert store.path(ref).read_bytes() == files[ref.filename()]
    assert store.load(hit) is not None  # rewritten whole


def test_plain_record_files_from_before_the_checksum_are_still_read(stored, tmp_path,
                                                                    monkeypatch):
    refs, first, files = stored
    store = CellStore(tmp_path / "cells")
    for name, data in files.items():  # unwrap: the format written before the envelope
        (store.folder / name).write_text(json.dumps(json.loads(data)["record"]))
    monkeypatch.setattr(execution, "run_ref", lambda ref: pytest.fail(f"re-ran {ref.key}"))
    records = run_cells(refs, store=store, resume=True, progress=Recorder())
    assert records == [json.loads(json.dumps(r)) for r in first]


def test_checksum_survives_the_json_round_trip():
    record = {"family": "truth", "method": "m", "generator": "g", "profile": "quick",
              "status": "ok", "error": None, "metrics": {"a": {"value": 0.1 + 0.2}},
              "checks": {}, "seeds": [{"seed": 0, "x": float("nan"), "y": -0.0, "z": 10**20}],
              "extra": {2: "int key", "b": [1e-300, 3]}}
    plain, text = cell_store._canonical(record)
    again = json.loads(json.dumps({"record": plain}))["record"]
    assert cell_store._canonical(again)[1] == text
    assert cell_store._malformed(plain) is None


# --- 3. Ctrl-C on python -m reports -------------------------------------------------------

def _descendants(pid: int) -> set[int]:
    """Processes below ``pid``, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _default_sigint() -> None:
    # A shell that starts a job in the background makes it ignore SIGINT, and so would
    # its children be; a user's Ctrl-C reaches a foreground process, as here.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(cmd: list[str], env: dict, cells_dir: Path,
               sig: int = signal.SIGINT) -> tuple[subprocess.Popen, str]:
    """Start ``cmd``, send it ``sig`` once a cell file exists; return it and its stderr."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    try:
        deadline = time.monotonic() + 120
        while not list(cells_dir.glob("*.json")):
            assert proc.poll() is None, f"exited early ({proc.returncode}): {proc.stderr.read()}"
            assert time.monotonic() < deadline, "no finished cell within 120 s"
            time.sleep(0.05)
        workers = _descendants(proc.pid)
        assert len(workers) >= 2  # the two worker processes (and multiprocessing's tracker)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in workers if _alive(p)], f"worker processes outlived signal {sig}"
    return proc, err


def test_ctrl_c_keeps_finished_cells_and_resume_completes(tmp_path, monkeypatch):
    methods = [f"{HERE}:Counted", f"{HERE}:Twin"]
    out, run_dir = tmp_path / "out", tmp_path / "run"
    cells_dir = out / "cells"
    run_dir.mkdir()
    cmd = [sys.executable, "-m", "reports", "--out", str(out), "--n-seeds", "1", "--no-references",
           "--jobs", "2"] + [a for m in methods for a in ("--method", m)]
    env = {**os.environ, "PYTHONPATH": str(REPO), FAULTS_DIR: str(run_dir), SLEEP: "0.4"}
    env.pop(PROTECTED)
    refs = [CellRef.of(c, methods) for c in build_grid("quick", methods=methods, n_seeds=1)]
    assert len(refs) == 2 * len(get_family("truth").generators(get_profile("quick")))
    store = CellStore(cells_dir)

    start = time.perf_counter()
    proc, err = _interrupt(cmd, env, cells_dir)
    assert proc.returncode == 130, err[-3000:]
    assert "interrupted:" in err and "--resume" in err.splitlines()[-1], err[-3000:]
    assert not (out / "results.json").exists()  # only a complete run writes it
    kept = {p.name: p.read_bytes() for p in cells_dir.glob("*.json")}
    assert 1 <= len(kept) < len(refs), "the run was not interrupted mid-way"
    valid = [ref for ref in refs if store.load(ref) is not None]
    assert sorted(ref.filename() for ref in valid) == sorted(kept)  # every file is whole
    assert f"{len(kept)} of {len(refs)} cells finished" in err

    # The resume command the message gives finishes the grid, running only the others.
    resume = shlex.split(err.splitlines()[-1].split("python -m reports ", 1)[1])
    done = subprocess.run([sys.executable, "-m", "reports"] + resume, cwd=REPO,
                          env={**env, SLEEP: "0"}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    for name, data in kept.items():
        assert (cells_dir / name).read_bytes() == data, f"{name} was rewritten"
    cells = logged_cells(done.stderr)
    resumed = [ident for ident, status in cells if status == "resumed"]
    ran = [ident for ident, status in cells if status == "ok"]
    assert len(resumed) == len(kept) and len(ran) == len(refs) - len(kept)
    doc = json.loads((out / "results.json").read_text())

    monkeypatch.setenv(FAULTS_DIR, str(tmp_path))
    fresh = run_cells(refs, progress=Recorder())  # a fresh serial run
    assert len(doc["records"]) == len(refs)
    for got, want in zip(doc["records"], fresh, strict=True):
        assert _same(got, want)

    # Stopping a new run (SIGTERM, as a batch system does) leaves that complete
    # results.json untouched.
    before = (out / "results.json").read_bytes()
    shutil.rmtree(cells_dir)  # so that the wait is for a file of the new run
    proc, err = _interrupt(cmd, env, cells_dir, signal.SIGTERM)
    assert proc.returncode == 128 + signal.SIGTERM, err[-3000:]
    assert (out / "results.json").read_bytes() == before
    assert "left as it was" in err
    print(f"\nSIGINT, resume, SIGTERM: {time.perf_counter() - start:.1f} s")
