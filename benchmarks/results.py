"""results.json: its schema, writing and reading it, and the plain-text score table.

Schema (``schema_version`` "1.0"): a top-level object ``{"schema_version", "created",
"profile", "environment", "records"}``; each record is one cell::

    family, method, generator, profile   str
    builtin            bool    a built-in method (False: a user's --method)
    reference          bool    (only on references) a built-in shown beside a --method,
                       with its ``reference_role`` and ``reference_source``
                       ("committed": read from the file, "scored": run now;
                       `benchmarks.references`)
    status             "ok" | "error"
    error              str | null     the failure message of an error cell
    metrics            {name: {value, low, high, n, confidence}}
    checks             {name: {passed, value, threshold, rule}}
    headline           [metric name]   the family's metrics shown in the score table
    expected_findings  {check: reason}   known weaknesses applied as strict xfails
    variable_findings  {check: reason}   seed-dependent ones (non-strict xfails, a rate)
    other_scale_findings {check: reason}   a built-in method's findings on a run at another
                       profile or seeds than they were measured at: reported, not enforced
    seeds              [per-seed results]   raw numbers behind the metrics; each ok seed's
                       ``guarded`` holds its guarded scores {name: value}, what the
                       regression guard reads
    generator_params, method_description, elapsed_s
    generator_builtin  false   (only on a user's --generator) with ``ground_truth_keys``
                       [str], the keys its ground truth provides, and
                       ``generator_description``, what it is in words

Optional top-level keys: ``"families"`` (each family in words, `Family.describe`: its
question, one sentence per generator, what each check asks, its figures), ``"provenance"``
(command line, git commit of the suite, seeds, workers, wall time), ``"studies"`` (each
family study's document, `reports.studies`) and, per record,
``ground_truth`` (the generator's scalar ground truth, `Dataset.facts`). A document without
them renders with the registry's words and without provenance.

A run with ``--baseline PATH`` adds ``"guard"``: ``{baseline, regressions, improvements,
within_tolerance, no_entry}``, lists of lines (`benchmarks.regression_guard.guard_summary`).

A run with ``--method`` adds ``"speed"``: one row per user method, ``{family, method,
status, size, fit_s, apply_s, first_fit_s}``, its seconds at the family's standard size
(`benchmarks.user_speed`; reported, never asserted).

``headline``, ``variable_findings``, ``other_scale_findings`` and the seeds' ``guarded``
were added after the first records were written: a record without the first three shows no
headline metric in the table and no variable or other-scale finding; the guard refuses a
record without the fourth.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path

from benchmarks.check_result import NOT_PROVIDED

SCHEMA_VERSION = "1.0"

# A cell's identity in results.json, the cell files, the baseline and the pytest session.
CellKey = tuple[str, str, str, str]


def cell_key(family: str, method: str, generator: str, profile: str) -> CellKey:
    """The key of one cell: ``(family, method, generator, profile)``; the one place it is built."""
    return (family, method, generator, profile)


def record_key(record: dict) -> CellKey:
    """The `cell_key` of a results.json record (or of a baseline entry)."""
    return cell_key(record["family"], record["method"], record["generator"], record["profile"])


def environment() -> dict:
    """Versions that can change a number."""
    import sys

    import numpy
    import scipy
    import sklearn

    env = {"python": platform.python_version(), "numpy": numpy.__version__,
           "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
           "machine": platform.machine()}
    # The field's libraries, when a user's adapter imported them in this process.
    for name in ("torch", "sae_lens", "concept_erasure"):
        module = sys.modules.get(name)
        if module is not None:
            env[name] = getattr(module, "__version__", "unknown")
    return env


def results_document(records: list[dict], profile: str, speed: list[dict] | None = None,
                     families: dict | None = None, provenance: dict | None = None,
                     studies: dict | None = None) -> dict:
    """``records`` as a versioned results document, in plain JSON values.

    What `write_document` writes and `read_results` reads back: numpy numbers become
    floats here, so a document rendered in memory is the one on disk. ``families``
    (`benchmarks.registry.describe_families`) and ``provenance``
    (`benchmarks.provenance.provenance`) are stored when given.
    """
    doc = {
        "schema_version": SCHEMA_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "profile": profile,
        "environment": environment(),
        "records": records,
    }
    if speed:
        doc["speed"] = speed
    if families:
        doc["families"] = families
    if provenance:
        doc["provenance"] = provenance
    if studies:
        doc["studies"] = studies
    return json.loads(json.dumps(doc, default=float))


def write_document(doc: dict, path: Path) -> Path:
    """Write a results document (`results_document`, `read_results`) at ``path`` atomically."""
    return write_atomically(path, json.dumps(doc, indent=1, default=float))


def write_results(records: list[dict], path: Path, profile: str,
                  speed: list[dict] | None = None, families: dict | None = None,
                  provenance: dict | None = None) -> Path:
    """Write ``records`` as a versioned results.json at ``path`` (atomically)."""
    return write_document(results_document(records, profile, speed, families, provenance),
                          path)


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that no reader ever sees half of it.

    The text goes to a temporary file beside ``path``, is flushed to disk, and the file is
    renamed over ``path`` (`os.replace` is atomic on POSIX and Windows): a run killed or
    interrupted at any moment leaves the previous file whole, or the new one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def read_results(path: Path) -> dict:
    """Load a results.json, refusing an unknown schema version."""
    doc = json.loads(Path(path).read_text())
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path}: schema_version {doc.get('schema_version')!r}, "
                         f"expected {SCHEMA_VERSION!r}")
    return doc


def _fmt(metric: dict | None) -> str:
    if not metric:
        return "-"
    return f"{metric['value']:+.3f}" if metric["low"] == metric["high"] else \
        f"{metric['value']:.3f} [{metric['low']:.3f},{metric['high']:.3f}]"


def _headline(rows: list[dict]) -> list[str]:
    """The headline metrics of one family's records (carried by each record)."""
    return next((list(r["headline"]) for r in rows if r.get("headline")), [])


def format_table(records: list[dict]) -> str:
    """A fixed-width table: one row per cell, headline metrics and checks passed.

    Everything it shows comes from the records, the headline metrics of each family
    included (no family is imported to render them). Reference records
    (`benchmarks.references`) follow the user's rows of each generator, marked ``[ref]``,
    with their roles listed under the family's table.
    """
    lines = []
    for fam_name in sorted({r["family"] for r in records}):
        rows = [r for r in records if r["family"] == fam_name]
        headline = _headline(rows)
        head = ["method", "generator", "status"] + headline + ["checks"]
        table = [head]
        for r in sorted(rows, key=lambda r: (r["generator"], bool(r.get("reference")),
                                             r["method"])):
            method = f"[ref] {r['method']}" if r.get("reference") else r["method"]
            if r["status"] != "ok":
                table.append([method, r["generator"], "ERROR", r["error"][:80]])
                continue
            # a check whose ground truth a user's generator lacks is not counted
            checks = [c for c in r["checks"].values()
                      if not str(c.get("rule", "")).startswith(NOT_PROVIDED)]
            passed = sum(c["passed"] for c in checks)
            table.append([method, r["generator"], "ok"]
                         + [_fmt(r["metrics"].get(m)) for m in headline]
                         + [f"{passed}/{len(checks)}"])
        widths = [max(len(row[i]) for row in table if i < len(row)) for i in range(len(head))]
        lines.append(f"[{fam_name}]")
        for row in table:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)))
        roles = {r["method"]: r["reference_role"] for r in rows if r.get("reference")}
        lines += [f"  [ref] {m}: {role}" for m, role in sorted(roles.items())]
    return "\n".join(lines)
