"""The pieces a report is made of, independent of HTML or Markdown.

`reports.content` builds the report as a list of these blocks from a results document;
`reports.html_page` and `reports.markdown_page` each render the same list, so the two files
always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reports.verdicts import Verdict


@dataclass(frozen=True)
class Heading:
    """A section heading; ``anchor`` is its HTML id (links from the top of the page)."""

    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Text:
    """A paragraph of plain text; ``small`` for notes under a table or a figure."""

    text: str
    small: bool = False


@dataclass(frozen=True)
class Definitions:
    """Terms and their definitions (generators, checks, metrics): ``(term, text, note)``."""

    items: list[tuple[str, str, str]]


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, an optional second line, hover text and sort key."""

    text: str
    sub: str = ""
    hover: str = ""
    sort: float | str | None = None
    strong: bool = False


@dataclass(frozen=True)
class Table:
    """A table of `Cell` rows; sortable tables sort by a column when its head is clicked."""

    head: list[str]
    rows: list[list[Cell]]
    sortable: bool = False


@dataclass(frozen=True)
class MatrixRow:
    """One method's row of a verdict matrix: ``cells[(generator, check)]``."""

    method: str
    note: str
    cells: dict[tuple[str, str], Verdict | None]
    tally: str
    user: bool = False


@dataclass(frozen=True)
class VerdictMatrix:
    """Methods x (generator, check) verdicts of one family, with one line of pass counts.

    ``columns`` lists each generator with the checks shown for it (checks that do not apply
    to any method on a generator are left out); ``checks`` numbers the family's checks for
    the column heads.
    """

    family: str
    title: str
    anchor: str
    checks: list[str]
    columns: list[tuple[str, list[str]]]
    rows: list[MatrixRow]
    summary: str


@dataclass(frozen=True)
class Problem:
    """An error or an unexpected failure: what, the message, and the command reproducing it."""

    title: str
    detail: str
    command: str


@dataclass(frozen=True)
class Figures:
    """The figures that explain the table before them: ``(caption, png path)``."""

    items: list[tuple[str, Path]] = field(default_factory=list)


@dataclass(frozen=True)
class Group:
    """Blocks laid out side by side where the page is wide enough (verdict matrices)."""

    blocks: list


Block = Heading | Text | Definitions | Table | VerdictMatrix | Problem | Figures | Group
