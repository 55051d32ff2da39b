"""The report's blocks as Markdown, for a terminal or a pull request (figures as files).

The same blocks as the HTML page (`reports.content`): a verdict matrix becomes one column
per generator whose cell lists the verdicts of its checks in their numbered order.
"""

from __future__ import annotations

from pathlib import Path

from reports import blocks as b


def _cell_text(text: str) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def _table_md(head: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "none"
    lines = ["| " + " | ".join(_cell_text(h) for h in head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _heading(h: b.Heading) -> str:
    return "#" * h.level + " " + h.text


def _text(t: b.Text) -> str:
    return f"_{t.text}_" if t.small else t.text


def _definitions(d: b.Definitions) -> str:
    return "\n".join(f"- **{term}**: {text}" + (f" _({note})_" if note else "")
                     for term, text, note in d.items)


def _table(t: b.Table) -> str:
    rows = [[("**" + c.text + "**" if c.strong else c.text) + (f" {c.sub}" if c.sub else "")
             for c in row] for row in t.rows]
    return _table_md(t.head, rows)


def _matrix(m: b.VerdictMatrix) -> str:
    number = {c: i + 1 for i, c in enumerate(m.checks)}
    shown = [(g, checks) for g, checks in m.columns if checks]
    head = ["method"] + [f"{g} ({','.join(str(number[c]) for c in checks)})"
                         for g, checks in shown]
    rows = []
    for row in m.rows:
        method = f"**{row.method}**" if row.user else row.method
        cells = ["".join((row.cells.get((g, c)).symbol if row.cells.get((g, c)) else "·")
                         for c in checks) for g, checks in shown]
        rows.append([method + (f" ({row.note})" if row.note else ""), *cells])
    key = " · ".join(f"{number[c]} {c}" for c in m.checks)
    return "\n\n".join([f"### {m.title}", _table_md(head, rows), f"_Checks: {key}_",
                        m.summary])


def _problem(p: b.Problem) -> str:
    return f"- **{p.title}**: {p.detail}\n  `{p.command}`"


def _figures(f: b.Figures) -> str:
    return "\n\n".join(f"![{cap}]({Path(path).name})" for cap, path in f.items)


def _block(block) -> str:
    if isinstance(block, b.Group):
        return "\n\n".join(_block(x) for x in block.blocks)
    render = {b.Heading: _heading, b.Text: _text, b.Definitions: _definitions,
              b.Table: _table, b.VerdictMatrix: _matrix, b.Problem: _problem,
              b.Figures: _figures}[type(block)]
    return render(block)


def render(blocks: list) -> str:
    """The report as Markdown text."""
    return "\n\n".join(_block(x) for x in blocks) + "\n"
