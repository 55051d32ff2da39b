"""Render a results document as a self-contained HTML page and a Markdown file."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from benchmarks.check_result import describe_check
from benchmarks.results import format_table


def _variable(r: dict) -> dict[str, str]:
    """Seed-dependent findings of a built-in record (check -> reason with its rate)."""
    if not r.get("builtin", True) or r.get("reference"):
        return {}
    return r.get("variable_findings", {})


def _variable_rows(records: list[dict]) -> list[tuple[str, str, str, str, str]]:
    """(method, generator, check, this run, reason and rate) for every variable finding."""
    rows = []
    for r in records:
        for check, reason in sorted(_variable(r).items()):
            c = r["checks"].get(check)
            measured = (f"{c['value']:.3f} vs {c['threshold']:.3f} "
                        f"({'passes' if c['passed'] else 'fails'} on this run)") if c else "-"
            rows.append((r["method"], r["generator"], check, measured, reason))
    return rows


def _findings_rows(records: list[dict], builtin: bool = True
                   ) -> list[tuple[str, str, str, str, str]]:
    """(method, generator, check, measured, reason) for every expected finding of the
    built-in methods (``builtin``), or every finding the user declared (``--expect-fail``)."""
    rows = []
    for r in records:
        if r.get("builtin", True) != builtin or r.get("reference"):
            continue
        for check, reason in sorted(r.get("expected_findings", {}).items()):
            c = r["checks"].get(check)
            measured = (f"{c['value']:.3f} vs {c['threshold']:.3f} "
                        f"({'still fails' if not c['passed'] else 'NOW PASSES'})") if c else "-"
            rows.append((r["method"], r["generator"], check, measured, reason))
    return rows


def _failures(records: list[dict]) -> list[tuple[str, str, str, str]]:
    """Failed checks that are not expected findings, and error cells."""
    rows = []
    for r in records:
        if r.get("reference"):  # a built-in shown beside a --method: not the run's verdict
            continue
        if r["status"] != "ok":
            rows.append((r["method"], r["generator"], "error", r["error"]))
            continue
        for check, c in r["checks"].items():
            known = check in r.get("expected_findings", {}) or check in _variable(r)
            if not c["passed"] and not known:
                rows.append((r["method"], r["generator"], check, describe_check(check, c)))
    return rows


def _speed_rows(doc: dict) -> list[tuple[str, str, str, str]]:
    """(method, size, fit, apply) of each user method timed at its family's standard size."""
    return [(r["method"], r.get("size", "-"),
             f"{r['fit_s']:.3f} s" if r["status"] == "ok" else r["error"],
             f"{r['apply_s']:.3f} s" if r["status"] == "ok" else "-")
            for r in doc.get("speed", [])]


SPEED_HEAD = ["method", "standard size", "fit", "apply"]
SPEED_NOTE = ("Your methods timed once at their family's standard size (one BLAS thread): "
              "reported, not asserted.")
DECLARED_HEAD = ["method", "generator", "check", "measured", "why (your --expect-fail)"]


def _md_table(head: list[str], rows: list) -> str:
    if not rows:
        return "none"
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(doc: dict, figures: list[tuple[str, Path]]) -> str:
    """The report as Markdown (figures referenced by file name)."""
    records = doc["records"]
    parts = [
        "# toyground sanity-check report",
        f"Profile `{doc['profile']}`, created {doc['created']}, "
        f"schema {doc['schema_version']}, environment {doc['environment']}.",
        "## Scores", "Held-out; leakage = balanced accuracy - chance, with 99.9% intervals.",
        "```", format_table(records), "```",
        "## Findings (known weaknesses of built-in methods, measured)",
        _md_table(["method", "generator", "check", "measured", "why"], _findings_rows(records)),
        *(["## Your declared findings (--expect-fail)",
            _md_table(DECLARED_HEAD, _findings_rows(records, builtin=False))]
          if _findings_rows(records, builtin=False) else []),
        *(["## Speed", SPEED_NOTE, _md_table(SPEED_HEAD, _speed_rows(doc))]
          if doc.get("speed") else []),
        "## Variable findings (pass on some seed sets, fail on others: a rate, not a verdict)",
        _md_table(["method", "generator", "check", "this run", "why, and how often it passes"],
                  _variable_rows(records)),
        "## Unexpected failures and errors",
        (_md_table(["method", "generator", "check", "detail"], _failures(records))
         if _failures(records) else "none"),
        "## Figures",
    ]
    parts += [f"![{cap}]({p.name})" for cap, p in figures]
    return "\n\n".join(parts) + "\n"


def _html_table(head: list[str], rows: list) -> str:
    if not rows:
        return "<p>none</p>"
    h = "".join(f"<th>{html.escape(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(path.stem)}">'


_STYLE = """body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:left;vertical-align:top}th{background:#f0f0f0}
pre{font-size:12px;background:#f8f8f8;padding:1em;overflow-x:auto}
figure{margin:1.5em 0}img{max-width:100%}.fail{color:#a00}"""


def render_html(doc: dict, figures: list[tuple[str, Path]]) -> str:
    """The report as one self-contained HTML page (figures inlined as base64 PNG)."""
    records = doc["records"]
    failures = _failures(records)
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>toyground report</title>"
        f"<style>{_STYLE}</style></head><body>",
        "<h1>toyground sanity-check report</h1>",
        f"<p>Profile <b>{html.escape(doc['profile'])}</b>, created {html.escape(doc['created'])},"
        f" results schema {html.escape(doc['schema_version'])}. "
        f"{html.escape(str(doc['environment']))}</p>",
        "<h2>Scores</h2><p>All scores on held-out data. Leakage = balanced accuracy minus "
        "chance, with 99.9% Wilson intervals pooled over seeds.</p>",
        f"<pre>{html.escape(format_table(records))}</pre>",
        "<h2>Findings: known weaknesses of built-in methods, measured</h2>",
        _html_table(["method", "generator", "check", "measured", "why"],
                    _findings_rows(records)),
        *(["<h2>Your declared findings (--expect-fail)</h2>",
            _html_table(DECLARED_HEAD, _findings_rows(records, builtin=False))]
          if _findings_rows(records, builtin=False) else []),
        *([f"<h2>Speed</h2><p>{html.escape(SPEED_NOTE)}</p>",
           _html_table(SPEED_HEAD, _speed_rows(doc))] if doc.get("speed") else []),
        "<h2>Variable findings: pass on some seed sets, fail on others (a rate, not a "
        "verdict)</h2>",
        _html_table(["method", "generator", "check", "this run", "why, and how often it passes"],
                    _variable_rows(records)),
        "<h2>Unexpected failures and errors</h2>",
        _html_table(["method", "generator", "check", "detail"], failures) if failures
        else "<p>none</p>",
        "<h2>Figures</h2>",
    ]
    parts += [f"<figure>{_img(p)}<figcaption>{html.escape(cap)}</figcaption></figure>"
              for cap, p in figures]
    parts.append("</body></html>")
    return "\n".join(parts)
