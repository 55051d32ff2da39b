"""Reference lines beside a user's method: the same cells, scored for built-in methods.

A number such as leakage 0.02 or MMCS 0.7 means little alone. A ``--method`` run shows,
for the same profile and seeds, each family's fixed references (`Family.references`: an
oracle, the identity, random atoms, a supervised ceiling, chance) and the best built-in
method per check: for each check, the built-in method (references aside) that passes it on
the most generators, ties going to the family's first-listed method.

Where they come from: ``reports/references.json``, the committed records of every built-in
cell of the quick profile at its default seeds (written from a quick run with
``python -m benchmarks.references --from OUT/results.json``, after the baseline). When the
run's profile and seeds are those, the references are read from it and nothing is run;
otherwise their cells are scored now, by `benchmarks.cells.run_cell` (the one scoring
path), with the best built-in methods still chosen from the committed quick records.

A ``--generator`` run has no committed records of its generators: its references are
scored on them, in the same run.

Reference records are marked ``"reference": true`` with their ``"reference_role"`` and
``"reference_source"``: ``"committed"`` (read from the file) or ``"scored"`` (run now).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Callable, Iterable

from benchmarks.cells import Cell, run_cell
from benchmarks.profiles import Profile, get_profile
from benchmarks.progress import progress_bar, step
from benchmarks.registry import FAMILIES, get_family
from benchmarks.results import SCHEMA_VERSION, environment, write_atomically
from benchmarks.spec import GeneratorSpec

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "reports" / "references.json"
KIND = "toyground-references"


def load_references(path: Path = REFERENCE_FILE) -> dict | None:
    """The committed reference document, or None when there is none."""
    path = Path(path)
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    if doc.get("kind") != KIND or doc.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{path}: not a references file of schema {SCHEMA_VERSION} "
                         f"(kind {doc.get('kind')!r}, schema {doc.get('schema_version')!r})")
    return doc


def covers(doc: dict | None, profile: Profile) -> bool:
    """Whether ``doc`` holds records of ``profile`` at exactly its seeds."""
    return bool(doc) and doc["profile"] == profile.name and \
        list(doc["seeds"]) == list(profile.seeds)


def best_builtin(records: Iterable[dict], family: str) -> dict[str, list[str]]:
    """``method -> [checks]``: for each check of ``family``, the built-in method (its fixed
    references aside) that passes it on the most generators of ``records``.

    Ties go to the method listed first by the family; a check no method passes on any
    generator has no best method.
    """
    fam = get_family(family)
    fixed = {name for name, _ in fam.references}
    order = [m.name for m in fam.methods(get_profile("quick"))]
    rows = [r for r in records if r["family"] == family and r.get("builtin", True)
            and r["method"] not in fixed and r["status"] == "ok"]
    best: dict[str, list[str]] = {}
    for check in fam.check_names:
        passes = {m: sum(r["checks"].get(check, {}).get("passed", False)
                         for r in rows if r["method"] == m) for m in order}
        top = max(passes.values(), default=0)
        if top > 0:
            winner = next(m for m in order if passes[m] == top)
            best.setdefault(winner, []).append(check)
    return best


def roles(family: str, doc: dict | None) -> dict[str, str]:
    """``method -> role`` of every reference of ``family``."""
    fam = get_family(family)
    out = dict(fam.references)
    for method, checks in best_builtin(doc["records"] if doc else [], family).items():
        out[method] = "best built-in for " + ", ".join(checks)
    return out


def reference_records(families: Iterable[str], profile: Profile,
                      path: Path = REFERENCE_FILE,
                      run: Callable[[Cell], dict] = run_cell,
                      generators: Iterable[GeneratorSpec] = ()) -> list[dict]:
    """The reference records of ``families`` for ``profile`` (its seeds), each marked.

    Read from the committed file when it covers the profile's seeds; otherwise each
    reference cell is scored with ``run``, with a progress bar per family. With
    ``generators`` (a ``--generator`` run's, `benchmarks.user_generators`) the references
    are scored on them, since no committed record holds a user's generator: each reference
    method that can run on it (not the erasure oracle on a generator without planted
    directions, `MethodSpec.needs`); the best built-in methods are still those of the
    committed quick records.
    """
    doc = load_references(path)
    user_gens = list(generators)
    out = []
    for family in sorted(set(families)):
        role = roles(family, doc)
        committed = covers(doc, profile) and not user_gens
        if committed:
            recs = [r for r in doc["records"] if r["family"] == family and r["method"] in role]
        else:
            fam = get_family(family)
            gens = [g for g in user_gens if g.family == family] or (
                [] if user_gens else fam.generators(profile))
            cells = [Cell(family, m, g, profile) for m in fam.methods(profile)
                     if m.name in role for g in gens if not g.lacks(m.needs)]
            recs = []
            with progress_bar(len(cells), f"{family} references") as bar:
                for cell in cells:
                    recs.append(run(cell))
                    step(bar, cell.id)
        source = "committed" if committed else "scored"
        out += [{**r, "reference": True, "reference_role": role[r["method"]],
                 "reference_source": source} for r in recs]
    return out


def references_document(results: dict) -> dict:
    """The references file's content from a quick run's results document.

    Raises
    ------
    ValueError
        Unless ``results`` is the quick profile at its default seeds with every built-in
        cell of every family, all ok: a partial file would silently drop references.
    """
    profile = get_profile("quick")
    records = [r for r in results["records"] if r.get("builtin", True)]
    seeds = sorted({s["seed"] for r in records for s in r["seeds"]})
    if results["profile"] != profile.name or seeds != list(profile.seeds):
        raise ValueError(f"references come from the quick profile at seeds "
                         f"{list(profile.seeds)}; got {results['profile']} at {seeds}")
    have = {(r["family"], r["method"], r["generator"]) for r in records}
    want = {(f, m.name, g.name) for f, fam in FAMILIES.items() for m in fam.methods(profile)
            for g in fam.generators(profile)}
    if want - have:
        raise ValueError(f"results lack {len(want - have)} built-in cells, e.g. "
                         f"{sorted(want - have)[:3]}")
    bad = [r for r in records if r["status"] != "ok"]
    if bad:
        raise ValueError(f"{len(bad)} error cells, e.g. {bad[0]['method']}-"
                         f"{bad[0]['generator']}: {bad[0]['error']}")
    return {"schema_version": SCHEMA_VERSION, "kind": KIND, "profile": profile.name,
            "seeds": list(profile.seeds), "created": results["created"],
            "environment": environment(),
            "records": sorted(records, key=lambda r: (r["family"], r["method"],
                                                      r["generator"]))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.references",
                                description="write reports/references.json from a quick run")
    p.add_argument("--from", dest="source", type=Path, required=True,
                   help="results.json of `python -m reports` (quick profile, default seeds)")
    p.add_argument("--out", type=Path, default=REFERENCE_FILE)
    args = p.parse_args(argv)
    doc = references_document(json.loads(args.source.read_text()))
    write_atomically(args.out, json.dumps(doc, indent=1, default=float))
    print(f"wrote {args.out}: {len(doc['records'])} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
