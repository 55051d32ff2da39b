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
    per_seed           {metric: [value per seed]}   each headline metric on each seed
                       alone (the family's aggregate of one seed), what the noise floor
                       reads (`benchmarks.cells.per_seed_headline`); absent, with
                       ``per_seed_error`` saying why, when one seed cannot be pooled alone
    generator_params, method_description, elapsed_s
    generator_builtin  false   (only on a user's --generator) with ``ground_truth_keys``
                       [str], the keys its ground truth provides, and
                       ``generator_description``, what it is in words

Optional top-level keys: ``"families"`` (each family in words, `Family.describe`: its
question, one sentence per generator, what each check asks, its figures), ``"provenance"``
(command line, git commit of the suite, seeds, workers, wall time), ``"studies"`` (each
family study's document, `reports.studies`), ``"noise_floor"`` (per family, computed when
the document is assembled from the records' ``per_seed``, `noise_floors`)::

    {family: {"confidence": 0.95,
              "metrics": {metric: {n_seeds, binary, seed_sd, paired_sd, floor,
                                   floor_low, floor_high, unpaired_floor, n_generators,
                                   n_methods, n_pairs (method pairs that differ on
                                   some seed), adjacent, adjacent_within}},
              "ranked": {generator: {metric: {"order": [method, highest mean first],
                                              "value": [mean], "verdict": [against the
                                              next one down], "difference": [[value,
                                              low, high]], "test": str}}}}}

``floor`` is the smallest difference of two methods' means a paired comparison calls at
95% (`metrics.noise_floor.smallest_callable` of the median spread of paired differences;
`floor_of_metric`), the median over the generators (``floor_low``/``floor_high`` their
range); None where nothing is callable (0/1 outcomes below 6 seeds). ``ranked`` compares
each method with the next one down on the same generator (`ranked_neighbours`). And, per
record,
``ground_truth`` (the generator's scalar ground truth, `Dataset.facts`). A document without
them renders with the registry's words and without provenance.

A run with ``--baseline PATH`` adds ``"guard"``: ``{baseline, regressions, improvements,
within_tolerance, no_entry}``, lists of lines (`benchmarks.regression_guard.guard_summary`).

A run with ``--method`` adds ``"speed"``: one row per user method, ``{family, method,
status, size, fit_s, apply_s, first_fit_s}``, its seconds at the family's standard size
(`benchmarks.user_speed`; reported, never asserted).

``headline``, ``variable_findings``, ``other_scale_findings``, the seeds' ``guarded`` and
``per_seed`` were added after the first records were written: a record without the first
three shows no headline metric in the table and no variable or other-scale finding; the
guard refuses a record without the fourth; a record without the fifth is left out of the
noise floor.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
from pathlib import Path

import numpy as np

from benchmarks.check_result import NOT_APPLICABLE
from metrics.noise_floor import COMPARISON_CONFIDENCE, floor_of_metric, ranked_neighbours

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
    floors = noise_floors(records)
    if floors:
        doc["noise_floor"] = floors
    return json.loads(json.dumps(doc, default=float))


def _comparable(records: list[dict]) -> dict[tuple[str, str], dict[str, dict]]:
    """``(family, generator) -> {method: per_seed}`` of the ok records that share the
    generator's most common seed list (a reference read from a file at other seeds is left
    out; a reference never displaces a run's own method of the same name)."""
    groups: dict[tuple, dict] = {}
    for r in sorted(records, key=lambda r: bool(r.get("reference"))):
        if r.get("status") != "ok" or not r.get("per_seed"):
            continue
        seeds = tuple(s.get("seed") for s in r.get("seeds", []))
        groups.setdefault((r["family"], r["generator"]), {}).setdefault(seeds, {}) \
            .setdefault(r["method"], r["per_seed"])
    out = {}
    for key, by_seeds in groups.items():
        seeds, methods = max(by_seeds.items(), key=lambda kv: (len(kv[1]), len(kv[0])))
        if len(seeds) >= 2 and len(methods) >= 2:
            out[key] = methods
    return out


def _finite(x: float) -> float | None:
    return float(x) if x == x and abs(x) != float("inf") else None


def noise_floors(records: list[dict], confidence: float = COMPARISON_CONFIDENCE) -> dict:
    """Each family's noise floor per headline metric, and each generator's ranking with
    the paired comparison of every method against the next one down.

    Read from the records' ``per_seed`` (one value per seed, computed once when the cell
    was scored): nothing is rescored. Per generator, the methods on one seed list are
    paired by seed (seed ``s`` gives every method the same data); the floor of a metric
    is `metrics.noise_floor.floor_of_metric` there, summarised over the generators by its
    median and range. A metric whose per-seed values are 0 or 1 on every cell of the family
    is read as an outcome (a check failed on that seed or not): McNemar's exact test.
    See the module docstring for the shape.
    """
    by_family: dict[str, dict] = {}
    for (family, generator), methods in _comparable(records).items():
        by_family.setdefault(family, {})[generator] = methods
    out = {}
    for family, gens in by_family.items():
        names = []
        for methods in gens.values():
            for per in methods.values():
                names += [m for m in per if m not in names]
        binary = {m: all(v in (0.0, 1.0) for methods in gens.values()
                         for per in methods.values() for v in per.get(m, ()))
                  for m in names}
        metrics, ranked = {}, {}
        for metric in names:
            floors = []
            for generator, methods in gens.items():
                cols = {name: per[metric] for name, per in methods.items() if metric in per}
                if len(cols) < 2:
                    continue
                floors.append({**floor_of_metric(cols, confidence, binary[metric]),
                               "n_methods": len(cols)})
                steps = ranked_neighbours(cols, confidence, binary[metric])
                ranked.setdefault(generator, {})[metric] = {
                    "order": [x["method"] for x in steps],
                    "value": [x["value"] for x in steps],
                    "verdict": [x["comparison"]["verdict"] for x in steps[:-1]],
                    "difference": [[x["comparison"]["difference"][k]
                                    for k in ("value", "low", "high")] for x in steps[:-1]],
                    "test": steps[0]["comparison"]["test"]}
            if floors:
                metrics[metric] = _summary(floors, ranked, metric, binary[metric])
        if metrics:
            out[family] = {"confidence": float(confidence), "metrics": metrics,
                           "ranked": ranked}
    return out


def _summary(floors: list[dict], ranked: dict, metric: str, binary: bool) -> dict:
    """One metric's floor over the generators (medians; the floor's range)."""
    values = [f["floor"] for f in floors]
    verdicts = [v for by_metric in ranked.values() if metric in by_metric
                for v in by_metric[metric]["verdict"]]
    return {"n_seeds": max(f["n_seeds"] for f in floors), "binary": binary,
            "seed_sd": float(np.median([f["seed_sd"] for f in floors])),
            "paired_sd": float(np.median([f["paired_sd"] for f in floors])),
            "floor": _finite(float(np.median(values))),
            "floor_low": _finite(min(values)), "floor_high": _finite(max(values)),
            "unpaired_floor": _finite(float(np.median([f["unpaired_floor"] for f in floors]))),
            "n_generators": len(floors), "n_methods": max(f["n_methods"] for f in floors),
            "n_pairs": int(sum(f["n_pairs"] for f in floors)),
            "adjacent": len(verdicts),
            "adjacent_within": sum(v == "within noise" for v in verdicts)}


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
            # a check that does not apply (the report's –: a user's generator lacks its
            # ground truth, or the cell lacks what it reads) is not counted, as in the report
            checks = [c for c in r["checks"].values()
                      if not str(c.get("rule", "")).startswith(NOT_APPLICABLE)]
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
