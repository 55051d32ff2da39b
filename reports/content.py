"""The report's content, in reading order, as blocks (`reports.blocks`) built from a results doc.

1. the answer: one verdict matrix per family (methods x generator checks) with a line of
   pass counts per method; a user's methods first, the references under them;
2. what needs attention: error cells, unexpected failures and known findings that now pass,
   each with its message and the command that reruns that one cell;
3. one section per family: its question, its generators (ground truth in one sentence) and
   checks (what each asks, its threshold), its score table (values within noise of the
   next one down marked), its noise floor, its figures, its findings;
4. provenance: profile, seeds, versions, command line, the suite's commit, time per cell.

Everything shown is read from the document (records, ``families``, ``provenance``,
``speed``); nothing is rescored. A document written before ``families`` existed gets the
words from the registry.
"""

from __future__ import annotations

import dataclasses
import string
from pathlib import Path

from benchmarks.check_result import NOT_PROVIDED, describe_check
from benchmarks.profiles import PROFILES
from benchmarks.shell import readable_join
from metrics.noise_floor import WITHIN
from reports import blocks as b
from reports.studies import study_words
from reports.verdicts import (
    FAIL,
    FIXED,
    LABEL,
    NOT_APPLICABLE,
    NOT_CLAIMED,
    SYMBOL,
    is_reference,
    tally,
    verdict,
)

# --- reading the document ----------------------------------------------------------------

def _families(doc: dict) -> dict[str, dict]:
    """Each family present in the records, in words (the document's, else the registry's)."""
    present = []
    for r in doc["records"]:
        if r["family"] not in present:
            present.append(r["family"])
    about = dict(doc.get("families") or {})
    missing = [f for f in present if f not in about]
    if missing:
        from benchmarks.registry import describe_families  # an older document: its words

        about.update(describe_families(missing))
    order = [f for f in about if f in present] + [f for f in present if f not in about]
    return {f: about.get(f, {}) for f in order}


def _title(family: str, about: dict) -> str:
    """The family's title, as its description in the document gives it (else its name)."""
    return about.get("title") or family


def _unique(values) -> list:
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _method_order(records: list[dict]) -> list[str]:
    """A user's methods first, then the references, then the built-ins in grid order."""
    users = [r["method"] for r in records if not r.get("builtin", True)]
    refs = [r["method"] for r in records if is_reference(r)]
    rest = [r["method"] for r in records]
    return _unique(users + refs + rest)


def _checks(about: dict, records: list[dict]) -> list[str]:
    named = list(about.get("checks", {}))
    return _unique(named + [c for r in records for c in r.get("checks", {})])


def _label(record: dict) -> tuple[str, str]:
    """(method, note) of a record's matrix row: references carry their role."""
    if is_reference(record):
        return f"[ref] {record['method']}", record.get("reference_role", "")
    if not record.get("builtin", True):
        return record["method"], "your method"
    return record["method"], record.get("method_description", "")


def fmt(value: float | None) -> str:
    """A number as the tables print it (three decimals, fewer for large values)."""
    if value is None:
        return "-"
    v = float(value)
    if v != v:
        return "nan"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3f}"


def generator_sentence(note: str, facts: dict) -> str:
    """``note`` with the generator's ground-truth facts filled in (``{bayes_accuracy:.2f}``).

    A fact the record lacks (a document written before records carried ``ground_truth``)
    reads "?" in the sentence.
    """
    out = []
    for literal, name, spec, _ in string.Formatter().parse(note):
        out.append(literal)
        if name is None:
            continue
        try:
            out.append(format(facts[name], spec or ""))
        except (KeyError, ValueError, TypeError):
            out.append("?")
    return "".join(out)


# --- reproducing a cell ------------------------------------------------------------------

def reproduce_command(record: dict, check: str | None, doc: dict) -> str:
    """The pytest command that reruns ``record``'s cell (and ``check``, if given).

    Test ids read ``<method>-<generator>-<check>`` and ``<method>-<generator>-seed<k>``;
    with ``--method`` only the user's methods are collected, so the generator and check
    select. The profile and seeds of the run are repeated when they are not the defaults.
    """
    parts = ["python", "-m", "pytest", "benchmarks/"]
    user = not record.get("builtin", True)
    user_generator = is_user_generator(record)
    if user:
        parts += ["--method", record["method"]]
    if user_generator:
        parts += ["--generator", record["generator"]]
    if user or user_generator:
        parts += ["--family", record["family"]]
    profile = record.get("profile", doc.get("profile", "quick"))
    if profile != "quick":
        parts += ["--profile", profile]
    seeds = (doc.get("provenance") or {}).get("seeds") or [s["seed"] for s in record["seeds"]]
    if seeds and seeds[0] != 0:
        parts += ["--first-seed", str(seeds[0])]
    default = PROFILES[profile].n_seeds if profile in PROFILES else len(seeds)
    if seeds and len(seeds) != default:
        parts += ["--n-seeds", str(len(seeds))]
    if user_generator:
        # A user's generator (with its arguments, unfit for -k) scopes the run: the method
        # and the check select (ids read <method>-<generator>-<check>).
        expression = " and ".join(([] if user else [f"{record['method']}-"])
                                  + ([check] if check else []))
    else:
        cell = record["generator"] if user else f"{record['method']}-{record['generator']}"
        expression = f"{cell}-{check}" if check else f"{cell}-"
    if not user:
        # ``-k`` matches substrings: ``leace-two_class_gaussian-`` also selects qleace's
        # cell. Exclude every other built-in method whose name contains this one.
        for other in _builtin_method_names(record["family"], profile):
            if other != record["method"] and record["method"] in other:
                expression += f" and not {other}-"
    if expression:
        parts += ["-k", expression]
    return readable_join(parts)


def is_user_generator(record: dict) -> bool:
    """A record of a user's generator (``--generator``)."""
    return record.get("generator_builtin", True) is False


def _builtin_method_names(family: str, profile: str) -> list[str]:
    """Names of the family's built-in methods (none for a family this suite lacks)."""
    from benchmarks.registry import FAMILIES

    fam = FAMILIES.get(family)
    if fam is None or profile not in PROFILES:
        return []
    return [m.name for m in fam.methods(PROFILES[profile])]


# --- 1. verdicts -------------------------------------------------------------------------

def verdict_matrix(family: str, about: dict, records: list[dict]) -> b.VerdictMatrix:
    """The family's methods x (generator, check) verdicts and its line of pass counts."""
    checks = _checks(about, records)
    generators = _unique(r["generator"] for r in records)
    columns = []
    for g in generators:
        on_g = [r for r in records if r["generator"] == g]
        # A check shows where it applies to some method, and where a user's generator lacks
        # the ground truth it needs (its – says why on hover)
        shown = [c for c in checks
                 if any((v := verdict(r, c)) is not None and (
                     v.kind != NOT_APPLICABLE or v.rule.startswith(NOT_PROVIDED))
                        for r in on_g)]
        columns.append((g, shown))
    rows, counts = [], []
    for m in _method_order(records):
        mine = [r for r in records if r["method"] == m]
        method, note = _label(mine[0])
        t = tally(mine, checks)
        cells = {(r["generator"], c): verdict(r, c) for r in mine for c in checks}
        user = not mine[0].get("builtin", True)
        rows.append(b.MatrixRow(method, note, cells, t.text(), user))
        counts.append(f"{method} {t.passed}/{t.applicable}")
    summary = "Checks passed (of those that apply): " + " · ".join(counts)
    return b.VerdictMatrix(family, _title(family, about), f"family-{family}", checks,
                           columns, rows, summary)


def legend() -> str:
    return "Legend: " + " · ".join(f"{SYMBOL[k]} {LABEL[k]}" for k in SYMBOL) + "."


# --- 2. attention ------------------------------------------------------------------------

def problems(doc: dict) -> list[b.Problem]:
    """Error cells, unexpected failures and known findings that now pass (not references)."""
    out = []
    for r in doc["records"]:
        if is_reference(r):
            continue
        where = f"{r['method']} · {r['generator']}"
        if r["status"] != "ok":
            out.append(b.Problem(f"{where}: error", r.get("error") or "error",
                                 reproduce_command(r, None, doc)))
            continue
        for check, c in r["checks"].items():
            v = verdict(r, check)
            if v is None or v.kind not in (FAIL, FIXED):
                continue
            detail = describe_check(check, c)
            if v.kind == FIXED:
                where_declared = (f"benchmarks/{r['family']}/findings.py"
                                  if r.get("builtin", True) else
                                  f"your --expect-fail declaration {check}@"
                                  f"{r['generator']} (the flag, or its line in your "
                                  f"--expect-fail file)")
                detail += (f". A known finding that now passes: remove it from "
                           f"{where_declared} (reason: {v.reason})")
            if v.kind == FAIL:
                detail += _shared_failure(doc["records"], r, check)
            out.append(b.Problem(f"{where} · {check}", detail,
                                 reproduce_command(r, check, doc)))
    return out


def _shared_failure(records: list[dict], record: dict, check: str) -> str:
    """``". Also failed by [ref] a, [ref] b"`` when reference rows of the same generator
    fail the same check: a failure every built-in of the family shares is the data's, not
    the method's alone."""
    others = [r["method"] for r in records if is_reference(r) and r["status"] == "ok"
              and r["family"] == record["family"] and r["generator"] == record["generator"]
              and check in r["checks"] and not r["checks"][check]["passed"]
              and not r["checks"][check]["rule"].startswith(("not applicable", "not claimed"))]
    if not others:
        return ""
    return ". Also failed by " + ", ".join(f"[ref] {m}" for m in others) + \
        " (references on the same generator)"


# --- 3. family sections ------------------------------------------------------------------

def _threshold_text(records: list[dict], check: str) -> str:
    # The bound of the cells held to one: not those where the check does not apply, nor
    # those that measure what the method does not claim (their rule carries the number).
    applicable = [r["checks"][check] for r in records
                  if r["status"] == "ok" and check in r["checks"]
                  and not r["checks"][check]["rule"].startswith(("not applicable",
                                                                 "not claimed"))]
    if not applicable:
        if any(r["status"] == "ok" and r["checks"].get(check, {}).get("rule", "")
               .startswith("not claimed") for r in records):
            return "not claimed by the methods here: measured, not held to a bound"
        return "not applicable to any generator here"
    rules = _unique(c["rule"] for c in applicable)
    ts = [c["threshold"] for c in applicable]
    limit = fmt(ts[0]) if min(ts) == max(ts) else f"{fmt(min(ts))} to {fmt(max(ts))} by cell"
    return f"threshold {limit}; " + " / ".join(rules)


def _generators(about: dict, records: list[dict]) -> b.Definitions:
    items = []
    for g in _unique(r["generator"] for r in records):
        r = next(r for r in records if r["generator"] == g)
        note = about.get("generators", {}).get(g) or r.get("generator_description", "")
        params = ", ".join(f"{k} {v}" for k, v in r.get("generator_params", {}).items())
        items.append((g, generator_sentence(note, r.get("ground_truth", {}))
                      + _not_provided_text(records, g), params))
    return b.Definitions(items)


def _not_provided_text(records: list[dict], generator: str) -> str:
    """``". Not applicable here: check (not applicable, because the generator provides no
    key); ..."``: the checks a user's generator lacks the ground truth of, read from its
    records ("" when there are none)."""
    rules = {}
    for r in records:
        if r["generator"] == generator and r["status"] == "ok":
            for check, c in r["checks"].items():
                if str(c.get("rule", "")).startswith(NOT_PROVIDED):
                    rules.setdefault(check, c["rule"])
    if not rules:
        return ""
    return ". Checks not applicable here: " + "; ".join(f"{check} ({rule})"
                                                        for check, rule in rules.items())


def _check_defs(about: dict, records: list[dict]) -> b.Definitions:
    return b.Definitions([(c, about.get("checks", {}).get(c, ""), _threshold_text(records, c))
                          for c in _checks(about, records)])


def _metric_cell(metric: dict | None) -> b.Cell:
    if not metric:
        return b.Cell("-", sort=float("-inf"))
    value, low, high = metric["value"], metric["low"], metric["high"]
    sub = "" if low == high else f"[{fmt(low)}, {fmt(high)}]"
    hover = (f"{value:.6g}" + (f", {metric.get('confidence', 0.95):.1%} interval "
                               f"[{low:.4g}, {high:.4g}]" if low != high else "")
             + f", n = {metric.get('n')}")
    return b.Cell(fmt(value), sub=sub, hover=hover, sort=float(value))


# The mark of a value within noise of the next one down (`score_table`); not "≈", which the
# verdict matrix uses for a finding measured at another scale.
WITHIN_MARK = "≃"


def _neighbour(floor: dict | None, record: dict, metric: str) -> tuple[str, str]:
    """(mark, hover sentence) of ``record``'s value of ``metric`` against the method ranked
    next below it on its generator, read from the document's noise floor ("", "" where the
    floor has no ranking for it)."""
    ranked = ((floor or {}).get("ranked", {}).get(record["generator"], {}).get(metric))
    if not ranked or record["method"] not in ranked["order"]:
        return "", ""
    i = ranked["order"].index(record["method"])
    if i + 1 >= len(ranked["order"]):
        return "", f"; the lowest of {len(ranked['order'])} on this generator"
    below, verdict = ranked["order"][i + 1], ranked["verdict"][i]
    d, low, high = ranked["difference"][i]
    words = (f"{d:+.4g} [{low:.4g}, {high:.4g}] above {below}, the next one down "
             f"({ranked['test']}, 95%)")
    if verdict == WITHIN:
        return WITHIN_MARK, f"; within noise of {below}: {words}"
    return "", f"; called: {words}"


def score_table(records: list[dict], floor: dict | None = None) -> b.Table:
    """Held-out scores: one row per cell, the family's headline metrics, sortable.

    With the family's noise floor (``doc["noise_floor"][family]``), a value within noise of
    the method ranked next below it on the same generator carries `WITHIN_MARK`, and every
    value's hover gives its paired difference from that method.
    """
    headline = _unique(m for r in records for m in r.get("headline", []))
    order = {m: i for i, m in enumerate(_method_order(records))}
    gens = {g: i for i, g in enumerate(_unique(r["generator"] for r in records))}
    rows = []
    for r in sorted(records, key=lambda r: (gens[r["generator"]], order[r["method"]])):
        method, note = _label(r)
        first = [b.Cell(method, sub=note if is_reference(r) else "",
                        strong=not r.get("builtin", True), sort=order[r["method"]]),
                 b.Cell(r["generator"], sort=gens[r["generator"]])]
        if r["status"] != "ok":
            rows.append(first + [b.Cell("error", hover=r.get("error") or "")] * len(headline))
            continue
        cells = []
        for m in headline:
            cell = _metric_cell(r["metrics"].get(m))
            mark, said = _neighbour(None if is_reference(r) else floor, r, m)
            if said:
                cell = dataclasses.replace(cell, text=cell.text + (f" {mark}" if mark else ""),
                                           hover=cell.hover + said)
            cells.append(cell)
        rows.append(first + cells)
    return b.Table(["method", "generator", *headline], rows, sortable=True)


def _floor_text(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def noise_floor_table(floor: dict) -> list:
    """The family's noise floor per headline metric, as the document stores it.

    Per metric: seeds, the spread of one method across them, the spread of two methods'
    paired differences, the smallest difference of two means a paired comparison calls at
    95% (median over generators, and its range), the same for two independent runs, and
    how many adjacent pairs of the score table's ranking are within noise.
    """
    rows = []
    for metric, f in floor["metrics"].items():
        n = f["n_seeds"]
        if f.get("n_pairs") == 0:
            callable_ = ("none to call: every method gives the same value on every seed "
                         "(the metric does not depend on the method here)")
        elif f["floor"] is None:
            callable_ = (f"none at {n} seeds (0/1 per seed: McNemar's exact test needs 6 "
                         "seeds that all disagree one way)" if f["binary"]
                         else f"none at {n} seeds")
        else:
            spread = ("" if f["n_generators"] < 2 or f["floor_low"] == f["floor_high"] else
                      f" ({_floor_text(f['floor_low'])}-{_floor_text(f['floor_high'])} over "
                      f"{f['n_generators']} generators)")
            callable_ = _floor_text(f["floor"]) + spread
        rows.append([b.Cell(metric, strong=True), b.Cell(str(n)),
                     b.Cell(_floor_text(f["seed_sd"])), b.Cell(_floor_text(f["paired_sd"])),
                     b.Cell(callable_), b.Cell(_floor_text(f["unpaired_floor"])),
                     b.Cell(f"{f['adjacent_within']} of {f['adjacent']}")])
    head = ["metric", "seeds", "spread across seeds (sd of one method)",
            "sd of paired differences", "smallest callable difference, paired",
            "same, two independent runs", "adjacent ranks within noise"]
    return [b.Heading(3, "Noise floor: the smallest difference between two methods the "
                         "suite can call"),
            b.Table(head, rows),
            b.Text("Per headline metric, from the per-seed values in the records (seed s "
                   "gives every method the same data, so two methods are compared by their "
                   "per-seed differences). Spreads are medians over methods (or method "
                   "pairs) and generators; the smallest callable difference is t(0.975, "
                   "n-1) x sd / sqrt(n) of the paired differences (median over generators, "
                   "range in brackets): two means closer than it are within noise, and no "
                   f"ranking or sentence of this report calls them. {WITHIN_MARK} in the "
                   "score table marks a value within noise of the method ranked next below "
                   "it on the same generator; the last column counts those adjacent pairs. "
                   "Chanin (2026, arXiv 2605.18229): metric noise across reseeds spans two "
                   "orders of magnitude.", small=True)]


def _metric_defs(about: dict, records: list[dict]) -> b.Definitions:
    headline = _unique(m for r in records for m in r.get("headline", []))
    notes = about.get("metrics", {})
    return b.Definitions([(m, notes.get(m, ""), "") for m in headline])


def _shown_name(record: dict) -> str:
    """A record's method as the matrix names it: ``[ref] name`` for a reference."""
    return f"[ref] {record['method']}" if is_reference(record) else record["method"]


def _finding_items(records: list[dict], key: str, builtin: bool = True
                   ) -> list[tuple[str, str, str]]:
    """Findings (``expected_findings``, ``variable_findings`` or ``other_scale_findings``)
    in words, with numbers.

    Methods sharing a finding (same generator, check and reason) share one item, listing
    each method's measured value: ``(generator · check, reason, measured values)``.
    """
    groups: dict[tuple[str, str, str], list[tuple[dict, dict | None]]] = {}
    for r in records:
        # A reference row's findings are listed (marked [ref]) as the matrix marks them.
        if r.get("builtin", True) != builtin:
            continue
        for check, reason in r.get(key, {}).items():
            groups.setdefault((r["generator"], check, reason), []).append(
                (r, r["checks"].get(check)))
    gens = {g: i for i, g in enumerate(_unique(r["generator"] for r in records))}
    items = []
    for (generator, check, reason), members in sorted(
            groups.items(), key=lambda kv: (gens[kv[0][0]], kv[0][1])):
        values, rule = [], ""
        for r, c in members:
            if c is None:
                values.append(f"{_shown_name(r)} not measured (error cell)")
                continue
            rule = f"threshold {c['threshold']:.4g}: {c['rule']}"
            values.append(f"{_shown_name(r)} {c['value']:.4g}"
                          + (" (passes on this run)" if c["passed"] else ""))
        methods = ", ".join(_unique(_shown_name(r) for r, _ in members))
        items.append((f"{methods} on {generator} · {check}", reason,
                      "measured: " + ", ".join(values) + (f" ({rule})" if rule else "")))
    return items


def _not_claimed_items(records: list[dict]) -> list[tuple[str, str, str]]:
    """Checks that measured what a method does not claim (`reports.verdicts.NOT_CLAIMED`):
    ``(method on generator · check, the rule with its measured value, "")``."""
    items = []
    for r in records:
        if is_reference(r) or r["status"] != "ok":
            continue
        for check in r["checks"]:
            v = verdict(r, check)
            if v is not None and v.kind == NOT_CLAIMED:
                items.append((f"{r['method']} on {r['generator']} · {check}", v.rule, ""))
    return items


def family_section(family: str, about: dict, records: list[dict],
                   figures: list[tuple[str, Path]], floor: dict | None = None) -> list:
    """The family's section: question, generators, checks, scores (with the noise floor
    when the document has one: ``doc["noise_floor"][family]``), figures, findings."""
    out: list = [b.Heading(2, _title(family, about), f"family-{family}-details")]
    if about.get("question"):
        out.append(b.Text(about["question"]))
    out += [b.Heading(3, "Generators and their ground truth"), _generators(about, records),
            b.Heading(3, "Checks: what each asks, and its threshold"),
            _check_defs(about, records),
            b.Heading(3, "Scores (held-out; click a column to sort)"),
            score_table(records, floor),
            b.Text("Second line of a cell: its interval (99.9% Wilson for rates pooled over "
                   "seeds, 95% Student t for seed means). Hover for n"
                   + (f" and the paired difference from the method ranked next below; "
                      f"{WITHIN_MARK}: within noise of it (the noise floor below)." if floor
                      else "."), small=True),
            _metric_defs(about, records)]
    if floor:
        out += noise_floor_table(floor)
    if figures:
        out += [b.Heading(3, "Figures"), b.Figures(figures)]
    known = _finding_items(records, "expected_findings")
    declared = (_finding_items(records, "expected_findings", builtin=False)
                + _finding_items(records, "variable_findings", builtin=False))
    variable = _finding_items(records, "variable_findings")
    elsewhere = _finding_items(records, "other_scale_findings")
    out.append(b.Heading(3, "Findings: known weaknesses of the built-in methods, measured"))
    out.append(b.Definitions(known) if known else b.Text("none"))
    if declared:
        out += [b.Heading(3, "Your declared findings (--expect-fail)"), b.Definitions(declared)]
    unclaimed = _not_claimed_items(records)
    if unclaimed:
        out += [b.Heading(3, f"Measured, not claimed ({SYMBOL[NOT_CLAIMED]}): properties the "
                             "method does not claim, not held to a bound"),
                b.Definitions(unclaimed)]
    if variable:
        out += [b.Heading(3, "Seed-dependent findings (a rate over seed sets, not a verdict)"),
                b.Definitions(variable)]
    if elsewhere:
        out += [b.Heading(3, "Findings measured at another scale: do they hold here? "
                             "(reported, not enforced)"),
                b.Definitions(elsewhere)]
    return out


def study_section(target: str, doc: dict, figures: list[tuple[str, Path]]) -> list:
    """One study of a family (`reports.studies`): its question, findings and figures."""
    words = study_words(target, doc)
    seeds = ", ".join(str(s) for s in doc.get("seeds", []))
    out: list = [b.Heading(3, f"Study: {words['title']}")]
    if words["question"]:
        out.append(b.Text(words["question"]))
    out.append(b.Text(f"Profile {doc.get('profile', '-')}, seeds {seeds or '-'}; "
                      f"{_seconds(doc.get('wall_s'))} of wall time. Descriptive: no check, "
                      "no baseline.", small=True))
    out.append(b.Definitions(words["findings"]) if words["findings"] else b.Text("none"))
    for caption, head, rows in words["tables"]:
        out += [b.Table(head, [[b.Cell(str(v)) for v in row] for row in rows]),
                b.Text(caption, small=True)]
    if figures:
        out.append(b.Figures(figures))
    return out


# --- 4. provenance -----------------------------------------------------------------------

def _seconds(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min"


def _references_text(records: list[dict]) -> str:
    """How many references the run shows, and whether they were read or scored."""
    refs = [r for r in records if is_reference(r)]
    scored = [r for r in refs if r.get("reference_source") == "scored"]
    if not refs:
        return "no references"
    if not scored:
        return f"{len(refs)} references read from reports/references.json beside them"
    return (f"{len(refs)} references beside them, {len(scored)} scored for this run's seeds "
            f"in {_seconds(sum(r.get('elapsed_s') or 0.0 for r in scored))} of cell time")


def provenance_section(doc: dict, families: dict) -> list:
    """Profile, seeds, versions, command line, the suite's commit, time per cell."""
    prov = doc.get("provenance") or {}
    records = doc["records"]
    seeds = prov.get("seeds") or _unique(s["seed"] for r in records for s in r.get("seeds", []))
    commit = prov.get("git_commit")
    commit_text = ("unknown (not a git checkout, or written before provenance was recorded)"
                   if not commit else commit + (" with uncommitted changes"
                                                if prov.get("git_dirty") else ""))
    env = ", ".join(f"{k} {v}" for k, v in doc.get("environment", {}).items())
    own = [r for r in records if not is_reference(r)]
    total = sum(r.get("elapsed_s") or 0.0 for r in own)
    items = [
        ("profile", doc.get("profile", "-"), ""),
        ("seeds", ", ".join(str(s) for s in seeds), ""),
        ("created", doc.get("created", "-"), ""),
        ("command", prov.get("command") or "unknown", ""),
        ("suite commit", commit_text, ""),
        ("versions", env, ""),
        ("results schema", str(doc.get("schema_version", "-")), ""),
        ("cells", f"{len(own)} run ({_references_text(records)}); "
                  f"{_seconds(total)} of cell time"
                  + (f", {_seconds(prov['wall_s'])} wall on {prov.get('jobs') or '?'} "
                     f"worker(s)" if prov.get("wall_s") else ""), ""),
    ]
    out: list = [b.Heading(2, "Provenance", "provenance"), b.Definitions(items),
                 b.Heading(3, "Time per cell (seconds, all seeds of the cell)")]
    for family in families:
        rows = [r for r in own if r["family"] == family]
        if not rows:
            continue
        gens = _unique(r["generator"] for r in rows)
        table_rows = []
        for m in _method_order(rows):
            cells = [b.Cell(m, sort=m)]
            for g in gens:
                r = next((r for r in rows if r["method"] == m and r["generator"] == g), None)
                s = None if r is None else r.get("elapsed_s")
                cells.append(b.Cell(fmt(s), sort=float("-inf") if s is None else float(s)))
            table_rows.append(cells)
        out += [b.Text(_title(family, families[family]), small=True),
                b.Table(["method", *gens], table_rows, sortable=True)]
    return out


# --- the whole report --------------------------------------------------------------------

SPEED_HEAD = ["method", "standard size", "fit", "first fit", "apply"]


GUARD_LISTS = (("regressions", "Worse than the baseline beyond its uncertainty (pytest fails)"),
               ("within_tolerance", "Worse, within tolerance (listed, never a failure)"),
               ("improvements", "Better than the baseline beyond its uncertainty (raise it)"),
               ("no_entry", "Cells the baseline has no entry for"))


def guard_section(guard: dict) -> list:
    """The regression guard's lists (``--baseline``), read from the document."""
    out: list = [b.Heading(3, f"Regression guard against {guard['baseline']}")]
    for key, title in GUARD_LISTS:
        lines = guard.get(key, [])
        out.append(b.Text(f"{title}: " + ("none" if not lines else f"{len(lines)}"),
                          small=True))
        if lines:
            out.append(b.Definitions([(line.split(": ", 1)[0], line.split(": ", 1)[-1], "")
                                      for line in lines]))
    return out


def _speed_table(doc: dict) -> b.Table:
    rows = [[b.Cell(r["method"], strong=True), b.Cell(str(r.get("size", "-"))),
             b.Cell(f"{r['fit_s']:.3f} s" if r["status"] == "ok" else r.get("error", "error")),
             b.Cell(f"{r['first_fit_s']:.3f} s" if "first_fit_s" in r else "-"),
             b.Cell(f"{r['apply_s']:.3f} s" if r["status"] == "ok" else "-")]
            for r in doc.get("speed", [])]
    return b.Table(SPEED_HEAD, rows)


def build(doc: dict, figures: dict[str, list[tuple[str, Path]]]) -> list:
    """The whole report as blocks, in reading order.

    Parameters
    ----------
    doc : dict
        A results document (`benchmarks.results.read_results`).
    figures : dict
        ``family -> [(caption, png path)]`` (`reports.figures.make_figures`).
    """
    records = doc["records"]
    families = _families(doc)
    by_family = {f: [r for r in records if r["family"] == f] for f in families}
    own = [r for r in records if not is_reference(r)]
    seeds = (doc.get("provenance") or {}).get("seeds") or _unique(
        s["seed"] for r in own for s in r.get("seeds", []))
    found = problems(doc)
    user = any(not r.get("builtin", True) for r in own)
    user_generators = any(is_user_generator(r) for r in own)
    summary = (f"Profile {doc.get('profile', '-')}, seeds {', '.join(map(str, seeds))}: "
               f"{len(own)} cells in {len(families)} famil{'y' if len(families) == 1 else 'ies'}"
               + (" on your generators" if user_generators else "")
               + (" (your methods first, references under them)" if user else "")
               + (f". {len(found)} need{'s' if len(found) == 1 else ''} attention" if found
                  else ". Nothing needs attention")
               + (" (listed below the verdicts)." if found else "."))
    out: list = [b.Heading(1, "toyground sanity-check report"), b.Text(summary),
                 b.Heading(2, "Verdicts", "verdicts"),
                 b.Text("One row per method, one column per check of each generator (numbered "
                        "below each matrix; hover a cell for its value and threshold). "
                        + legend(), small=True),
                 b.Group([verdict_matrix(f, families[f], by_family[f]) for f in families])]
    if doc.get("guard"):
        out += guard_section(doc["guard"])
    if doc.get("speed"):
        out += [b.Heading(3, "Speed"),
                b.Text("Your methods timed twice at their family's standard size (one BLAS "
                       "thread): reported, not asserted. The first fit in a process carries "
                       "one-time costs (imports, torch's first-call initialisation: 5.0 s "
                       "against 3.2 s for the example torch SAE), so the second is the "
                       "method's. Wall-clock seconds on a machine that may be busy: compare "
                       "methods within one run, not across runs.", small=True),
                _speed_table(doc)]
    out.append(b.Heading(2, "Needs attention: errors and unexpected results", "attention"))
    if found:
        out += found
    else:
        out.append(b.Text("Nothing: every check passed, or failed as a known finding."))
    studies = doc.get("studies") or {}
    for f in families:
        out += family_section(f, families[f], by_family[f], figures.get(f, []),
                              (doc.get("noise_floor") or {}).get(f))
        for target, study in studies.items():
            if study.get("family") == f:
                out += study_section(target, study, figures.get(target, []))
    out += provenance_section(doc, families)
    return out
