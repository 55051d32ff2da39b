"""The report's blocks as one self-contained HTML page (figures inlined, no network).

The page is laid out for a 1300 px window: the verdict matrices sit side by side where they
fit and every table wraps its long names instead of growing past the page.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from reports import blocks as b

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1240px;margin:1em auto;
 padding:0 12px;color:#1d1d1f;font-size:14px;line-height:1.4}
h1{font-size:22px;margin:.3em 0}h2{font-size:18px;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:1.1em 0 .3em}p{margin:.4em 0}.small{font-size:12px;color:#555}
table{border-collapse:collapse;font-size:12.5px;margin:.4em 0;max-width:100%}
td,th{border:1px solid #d5d5d5;padding:2px 5px;text-align:left;vertical-align:top;
 overflow-wrap:anywhere}
th{background:#f2f2f2;font-weight:600}
table.sortable th{cursor:pointer}table.sortable th:hover{background:#e4e4e4}
td .sub{display:block;font-size:10px;color:#666}
table.sortable td:nth-child(-n+2){min-width:125px}
table.sortable td.num{padding:2px 3px}
td.num{text-align:right;white-space:nowrap}
.group{display:flex;flex-wrap:wrap;gap:10px 28px;align-items:flex-start}
.matrix{flex:0 0 auto;width:min-content;max-width:100%}.matrix table{width:max-content}
.matrix h3{margin:.2em 0}
.matrix table td.v{width:19px;min-width:19px;text-align:center;font-weight:700;padding:1px 2px;
 cursor:default}
.matrix th.gen{font-size:10.5px;text-align:center;max-width:120px;overflow-wrap:normal;
 word-break:normal;line-height:1.15}
.matrix th.chk{font-size:10.5px;text-align:center;font-weight:500;padding:1px 2px}
.matrix td.m{max-width:260px;font-size:12px;white-space:nowrap}
.matrix tr.user td.m{white-space:normal}.matrix td.m .sub{white-space:normal}
.matrix .sum{font-size:12px;color:#333;max-width:600px;margin:0}
.matrix p.small{margin:.2em 0 0}
.v-pass{background:#d8f0d8;color:#1b6e1b}.v-fail{background:#f7c9c9;color:#a40000}
.v-known{background:#fbe5bf;color:#8a5200}.v-fixed{background:#cfe3fb;color:#0b4f9c}
.v-variable{background:#eee7f6;color:#5b3b8c}.v-na{background:#fafafa;color:#bbb}
.v-other_scale{background:#e9f1e1;color:#41602a}.v-not_claimed{background:#f3f3f3;color:#555}
.v-error{background:#a40000;color:#fff}
tr.user td.m{font-weight:700}
.problem{border-left:4px solid #a40000;background:#fdf3f3;padding:4px 10px;margin:.5em 0}
.problem code{display:block;font-size:12px;background:#fff;padding:2px 5px;margin-top:3px;
 overflow-wrap:anywhere}
dl{margin:.3em 0}dt{font-weight:600;font-family:ui-monospace,monospace;font-size:12.5px}
dd{margin:0 0 .35em 1.4em}dd .small{display:block}
.figs{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:12px}
figure{margin:0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:12px;color:#444}
"""

# Click a column head of a sortable table to sort by it (again: the other way).
SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
  var body=t.tBodies[0],rows=Array.from(body.rows),dir=th.dataset.dir==='1'?-1:1;
  th.dataset.dir=dir===1?'1':'-1';
  rows.sort(function(a,b){var x=a.cells[i].dataset.sort,y=b.cells[i].dataset.sort;
   var nx=parseFloat(x),ny=parseFloat(y);
   if(!isNaN(nx)&&!isNaN(ny))return dir*(nx-ny);return dir*String(x).localeCompare(String(y));});
  rows.forEach(function(r){body.appendChild(r);});});});});
"""


def _e(text) -> str:
    return html.escape(str(text))


def _breakable(name: str) -> str:
    """A long identifier that may wrap after its underscores."""
    return _e(name).replace("_", "_<wbr>")


def _heading(h: b.Heading) -> str:
    anchor = f' id="{_e(h.anchor)}"' if h.anchor else ""
    return f"<h{h.level}{anchor}>{_e(h.text)}</h{h.level}>"


def _text(t: b.Text) -> str:
    return f"<p class=\"small\">{_e(t.text)}</p>" if t.small else f"<p>{_e(t.text)}</p>"


def _definitions(d: b.Definitions) -> str:
    items = "".join(
        f"<dt>{_breakable(term)}</dt><dd>{_e(text)}"
        + (f"<span class=\"small\">{_e(note)}</span>" if note else "") + "</dd>"
        for term, text, note in d.items)
    return f"<dl>{items}</dl>"


def _cell(c: b.Cell) -> str:
    attrs = ""
    if c.sort is not None:
        attrs += f' data-sort="{_e(c.sort)}"'
    if c.hover:
        attrs += f' title="{_e(c.hover)}"'
    numeric = isinstance(c.sort, float)
    if numeric:
        attrs += ' class="num"'
    text = f"<b>{_breakable(c.text)}</b>" if c.strong else _breakable(c.text)
    sub = f'<span class="sub">{_e(c.sub)}</span>' if c.sub else ""
    return f"<td{attrs}>{text}{sub}</td>"


def _table(t: b.Table) -> str:
    if not t.rows:
        return "<p>none</p>"
    cls = ' class="sortable"' if t.sortable else ""
    head = "".join(f"<th>{_breakable(h)}</th>" for h in t.head)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in t.rows)
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _matrix(m: b.VerdictMatrix) -> str:
    number = {c: i + 1 for i, c in enumerate(m.checks)}
    gens = "".join(f'<th class="gen" colspan="{len(checks)}">{_breakable(g)}</th>'
                   for g, checks in m.columns if checks)
    chks = "".join(f'<th class="chk" title="{_e(c)}">{number[c]}</th>'
                   for _, checks in m.columns for c in checks)
    rows = []
    for row in m.rows:
        cells = []
        for g, checks in m.columns:
            for c in checks:
                v = row.cells.get((g, c))
                if v is None:
                    cells.append('<td class="v" title="not run">·</td>')
                else:
                    cells.append(f'<td class="v v-{v.kind}" title="{_e(g)}, {_e(v.hover(c))}">'
                                 f"{v.symbol}</td>")
        # A built-in's description goes to the hover; a user's row and a reference's role
        # are said on the row itself.
        shown = row.user or row.method.startswith("[ref]")
        note = f'<span class="sub">{_e(row.note)}</span>' if shown and row.note else ""
        hover = (f"{row.note}. " if row.note and not shown else "") + f"Checks passed: {row.tally}"
        rows.append(f'<tr class="{"user" if row.user else ""}"><td class="m" '
                    f'title="{_e(hover)}">{_breakable(row.method)}{note}'
                    f"</td>{''.join(cells)}</tr>")
    key = " · ".join(f"{number[c]} {c}" for c in m.checks)
    return (f'<div class="matrix"><h3><a href="#{_e(m.anchor)}-details">{_e(m.title)}</a></h3>'
            f'<table><thead><tr><th rowspan="2">method</th>{gens}</tr><tr>{chks}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            f'<p class="small">Checks: {_e(key)}</p><p class="sum">{_e(m.summary)}</p></div>')


def _problem(p: b.Problem) -> str:
    return (f'<div class="problem"><b>{_e(p.title)}</b><br>{_e(p.detail)}'
            f"<code>{_e(p.command)}</code></div>")


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{_e(Path(path).stem)}">'


def _figures(f: b.Figures) -> str:
    figs = "".join(f"<figure>{_img(p)}<figcaption>{_e(cap)}</figcaption></figure>"
                   for cap, p in f.items)
    return f'<div class="figs">{figs}</div>'


def _block(block) -> str:
    if isinstance(block, b.Group):
        return '<div class="group">' + "".join(_block(x) for x in block.blocks) + "</div>"
    render = {b.Heading: _heading, b.Text: _text, b.Definitions: _definitions,
              b.Table: _table, b.VerdictMatrix: _matrix, b.Problem: _problem,
              b.Figures: _figures}[type(block)]
    return render(block)


def render(blocks: list) -> str:
    """The page: ``<style>`` and a small sorting script inline, figures as data URIs."""
    body = "\n".join(_block(x) for x in blocks)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>toyground report</title><style>{STYLE}</style></head><body>\n{body}\n"
            f"<script>{SCRIPT}</script></body></html>")
