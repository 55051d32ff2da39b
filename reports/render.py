"""Render a results document as a self-contained HTML page and a Markdown file.

Both come from the same blocks (`reports.content.build`), so they say the same thing.
"""

from __future__ import annotations

from pathlib import Path

from reports import html_page, markdown_page
from reports.content import build

Figures = dict[str, list[tuple[str, Path]]]


def render_markdown(doc: dict, figures: Figures) -> str:
    """The report as Markdown (figures referenced by file name)."""
    return markdown_page.render(build(doc, figures))


def render_html(doc: dict, figures: Figures) -> str:
    """The report as one self-contained HTML page (figures inlined as base64 PNG)."""
    return html_page.render(build(doc, figures))
