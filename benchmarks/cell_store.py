"""The cell store: one checksummed JSON file per finished cell, and what a cell record is.

A cell is named by a `CellRef` (plain strings: family, method, generator, profile and
seeds), the name its file is stored under and what an executor sends to a worker
(`benchmarks.execution`). Each finished cell's record is saved at once in a file of its own
(`CellStore`), in a checksummed envelope (`CELL_FORMAT`), so an interrupted run loses no
finished cell and ``--resume`` runs again exactly the cells without a valid file: none yet,
a damaged one (cut short, edited, another cell's or other seeds' record), or the record of
a cell the executor could not run (its error starts with `WORKER_DIED` or `NOT_RUN`).
`without_timings` drops a record's wall-clock fields, for comparing runs bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from benchmarks.profiles import get_profile
from benchmarks.results import CellKey, cell_key, record_key

if TYPE_CHECKING:
    from benchmarks.cells import Cell

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
    # The run's declared findings as ``check@generator=reason`` lines (files already read,
    # so that a worker on another host needs none of them).
    expect_fail: tuple[str, ...] = ()
    # The run's --generator strings (a worker calls the named one's factory to rebuild it).
    user_generators: tuple[str, ...] = ()

    @classmethod
    def of(cls, cell: Cell, user_methods: Iterable[str] = (), user_family: str | None = None,
           user_generators: Iterable[str] = ()):
        lines = tuple(f"{check}@{generator}={reason}"
                      for (generator, check), reason in cell.method.findings.items())
        return cls(cell.family, cell.method.name, cell.generator.name, cell.profile.name,
                   tuple(user_methods), user_family, cell.profile.first_seed,
                   cell.profile.n_seeds, lines, tuple(user_generators))

    @property
    def key(self) -> CellKey:
        return cell_key(self.family, self.method, self.generator, self.profile)

    def filename(self) -> str:
        """A stable file name for this cell's record."""
        ident = "|".join(self.key) + f"|{self.first_seed}|{self.n_seeds}"
        digest = hashlib.sha1(ident.encode()).hexdigest()[:12]
        safe = re.sub(r"[^A-Za-z0-9._=-]+", "_", f"{self.family}-{self.method}-{self.generator}")
        return f"{safe[:80]}-{digest}.json"


# Error messages of cells that the executor could not get a record for. They start with
# these words, and `--resume` runs such cells again: the cause may have been the machine.
WORKER_DIED = "worker died"
NOT_RUN = "could not run the cell"
EXECUTOR_ERRORS = (WORKER_DIED, NOT_RUN)
# Version tag of a cell file's envelope.
CELL_FORMAT = "toyground-cell/1"


def _canonical(record: dict) -> tuple[dict, str]:
    """``record`` as plain JSON values, and the text its checksum is taken over.

    The text is the sorted-keys JSON of the JSON round trip, so reading the file back and
    serialising the record again gives the same text, byte for byte.
    """
    plain = json.loads(json.dumps(record, default=float))
    return plain, json.dumps(plain, sort_keys=True)


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _malformed(record) -> str | None:
    """Why ``record`` is not a cell record of results.json, or None when it is one."""
    if not isinstance(record, dict):
        return f"a {type(record).__name__}, not an object"
    for key in ("family", "method", "generator", "profile"):
        if not isinstance(record.get(key), str):
            return f"{key!r} missing or not a string"
    if record.get("status") not in ("ok", "error"):
        return f"status {record.get('status')!r} is neither 'ok' nor 'error'"
    if record["status"] == "error" and not isinstance(record.get("error"), str):
        return "an error record without an error message"
    if record["status"] == "ok" and record.get("error") is not None:
        return "an ok record with an error message"
    for key in ("metrics", "checks"):
        if not isinstance(record.get(key), dict):
            return f"{key!r} missing or not an object"
    seeds = record.get("seeds")
    if not isinstance(seeds, list) or not all(
            isinstance(s, dict) and isinstance(s.get("seed"), int) for s in seeds):
        return "'seeds' missing or not a list of per-seed objects"
    return None


class CellStore:
    """One JSON file per finished cell, written atomically as soon as the cell finishes.

    A file is an envelope ``{"format", "sha256", "record"}``: ``sha256`` is the SHA-256 of
    the record's sorted-keys JSON, so a file cut short, overwritten or edited is refused
    when it is read back. Writing goes to a ``.tmp`` file, flushed to disk, then renamed
    over the cell's file: a run killed at any moment leaves either the previous file or the
    new one, never half of one (a ``.tmp`` left behind is ignored).

    An interrupted run loses no finished cell; ``--resume`` reads them back and runs only
    the cells that have no valid file. A file that cannot be trusted (not JSON, not a cell
    record, a checksum that does not match, another cell's or other seeds' record) counts as
    missing, and so does a record of a cell the executor could not run (its worker died):
    those cells run again. Plain-record files written before the envelope existed are still
    read (they were written atomically too); they carry no checksum, so only their
    structure is checked.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, ref: CellRef) -> Path:
        return self.folder / ref.filename()

    def inspect(self, ref: CellRef) -> tuple[dict | None, str | None]:
        """``(record, None)`` for a valid file, ``(None, why)`` for one to run again.

        ``why`` is None when the cell simply has no file.
        """
        path = self.path(ref)
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None, None
        except (OSError, UnicodeDecodeError) as exc:
            return None, f"unreadable ({type(exc).__name__}: {exc})"
        try:
            doc = json.loads(text)
        except ValueError:
            return None, "not valid JSON (cut short or overwritten)"
        if isinstance(doc, dict) and "sha256" in doc:
            record = doc.get("record")
            if doc.get("format") != CELL_FORMAT:
                return None, f"unknown cell file format {doc.get('format')!r}"
            why = _malformed(record)
            if why is not None:
                return None, f"not a cell record: {why}"
            if _checksum(_canonical(record)[1]) != doc["sha256"]:
                return None, "checksum mismatch (the record was changed or cut after writing)"
        else:  # a plain record, as written before the envelope
            record = doc
            why = _malformed(record)
            if why is not None:
                return None, f"not a cell record: {why}"
        same = record_key(record)
        if same != ref.key:
            return None, f"holds the record of another cell {same}"
        wanted = list(get_profile(ref.profile, ref.first_seed, ref.n_seeds).seeds)
        if [s["seed"] for s in record["seeds"]] != wanted:
            return None, f"holds other seeds than {wanted}"
        if record["status"] == "error" and record["error"].startswith(EXECUTOR_ERRORS):
            return None, f"last run ended with '{record['error'][:120]}'"
        return record, None

    def load(self, ref: CellRef) -> dict | None:
        """The stored record of ``ref``, or None when it has no valid file."""
        return self.inspect(ref)[0]

    def save(self, ref: CellRef, record: dict) -> None:
        plain, text = _canonical(record)
        envelope = {"format": CELL_FORMAT, "sha256": _checksum(text), "record": plain}
        tmp = self.path(ref).with_suffix(".tmp")
        with open(tmp, "w") as f:
            f.write(json.dumps(envelope))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path(ref))

    def clear(self) -> None:
        for path in self.folder.glob("*.json"):
            path.unlink()


# Per-seed and per-cell fields that measure wall-clock time, not the method's output.
TIMING_FIELDS = ("elapsed_s", "fit_time_s")


def without_timings(record: dict) -> dict:
    """``record`` minus wall-clock fields, for comparing runs bit for bit."""
    out = {k: v for k, v in record.items() if k not in TIMING_FIELDS}
    out["metrics"] = {k: v for k, v in record.get("metrics", {}).items()
                      if k not in TIMING_FIELDS}
    out["seeds"] = [{k: v for k, v in s.items() if k not in TIMING_FIELDS}
                    for s in record.get("seeds", [])]
    return out
