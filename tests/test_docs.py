"""The README and docs/: generated parts up to date, links resolving, the README short.

The generated parts are compared with `benchmarks.docs_pages` run in memory; a hand edit
to one, or a change to the code it restates, fails here until
``python -m benchmarks.docs_pages`` is run.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from benchmarks import docs_pages

ROOT = docs_pages.ROOT
README = ROOT / "README.md"
# The README is the front door: what it is, two commands, the report, your own method.
MAX_README_LINES = 300
# The README's two commands, exactly (set up and report; set up and test).
TWO_COMMANDS = (
    "python -m pip install -r requirements.txt -c constraints.txt && python -m reports",
    "python -m pip install -r requirements.txt -r requirements-adapters.txt "
    "-c constraints.txt && python -m pytest -n auto",
)
# [text](target) outside code; images too. Targets with a scheme are not ours to check.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_BLOCK = re.compile(r"^(?: {4}|\t).*$", re.MULTILINE)
_CODE = re.compile(_BLOCK.pattern + r"|`[^`\n]*`", re.MULTILINE)


def _pages() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = _BLOCK.sub("", path.read_text())
    return {_slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.MULTILINE)}


def _broken_links(page: Path) -> list[str]:
    broken = []
    for target in _LINK.findall(_CODE.sub("", page.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue
        file_part, _, anchor = target.partition("#")
        dest = (page.parent / file_part).resolve() if file_part else page
        rel = dest.relative_to(ROOT).as_posix() if dest.is_relative_to(ROOT) else str(dest)
        if not dest.exists():
            broken.append(f"{target} (no file {rel})")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{target} (no heading #{anchor} in {rel})")
    return broken


def test_docs_generated_sections_are_up_to_date():
    stale = docs_pages.stale_pages()
    assert not stale, "\n".join(stale)


@pytest.mark.parametrize("page", sorted(docs_pages.expected_sections()))
def test_docs_hand_edit_to_generated_section_is_stale(page):
    sections = docs_pages.expected_sections()[page]
    text = (ROOT / page).read_text()
    for name, body in sections.items():
        edited = docs_pages.splice(text, page, name, body + "\nA hand-written line.")
        assert docs_pages.stale_sections(edited, page, sections) == [name], (
            f"a hand edit to section {name!r} of {page} was not reported stale")
        edited = docs_pages.splice(text, page, name, body.replace("`", "'", 1))
        assert docs_pages.stale_sections(edited, page, sections) == [name], (
            f"a changed character in section {name!r} of {page} was not reported stale")


def test_docs_stale_message_names_the_page_and_the_command(tmp_path):
    page = "docs/regression-guard.md"
    (tmp_path / "docs" / "families").mkdir(parents=True)
    for name in docs_pages.expected_sections():
        (tmp_path / name).write_text((ROOT / name).read_text())
    text = (tmp_path / page).read_text()
    body = docs_pages.section(text, page, "rule")
    (tmp_path / page).write_text(docs_pages.splice(text, page, "rule", body.replace("4.5", "5")))
    stale = docs_pages.stale_pages(tmp_path)
    assert stale == [f"{page} is stale: run python -m benchmarks.docs_pages (sections rule)"]
    assert docs_pages.write_pages(tmp_path) == [page]
    assert docs_pages.stale_pages(tmp_path) == []


def test_docs_missing_markers_are_an_error_naming_them():
    with pytest.raises(ValueError, match="docs/x.md has no generated section 'rule'"):
        docs_pages.section("no markers here", "docs/x.md", "rule")


def test_docs_generation_is_deterministic():
    assert docs_pages.expected_sections() == docs_pages.expected_sections()


def test_docs_family_title_is_the_familys_own():
    from benchmarks.registry import FAMILIES

    about = importlib.import_module("benchmarks.erasure.about")
    assert docs_pages.family_title("erasure") == about.TITLE == FAMILIES["erasure"].title


def test_readme_fits_on_a_few_screens():
    n = len(README.read_text().splitlines())
    assert n <= MAX_README_LINES, (
        f"README.md has {n} lines (at most {MAX_README_LINES}): move the detail to docs/")


def test_readme_keeps_the_two_commands():
    text = README.read_text()
    for command in TWO_COMMANDS:
        assert command in text, f"README.md lost the command: {command}"


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_relative_links_resolve(page):
    broken = _broken_links(page)
    assert not broken, f"{page.relative_to(ROOT)}: broken links: " + "; ".join(broken)


def test_docs_index_links_every_page():
    index = ROOT / "docs" / "index.md"
    linked = {(index.parent / t.partition("#")[0]).resolve()
              for t in _LINK.findall(index.read_text()) if not t.startswith("#")}
    missing = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "docs").rglob("*.md"))
               if p != index and p.resolve() not in linked]
    assert not missing, f"docs/index.md does not link: {', '.join(missing)}"
    assert (ROOT / "docs" / "adding.md").resolve() in linked, "docs/index.md: link adding.md"


def test_docs_link_check_reports_missing_files_and_headings(tmp_path):
    (tmp_path / "there.md").write_text("# A heading\n\n## The field's libraries, `x`\n")
    page = tmp_path / "page.md"
    page.write_text("[ok](there.md) [ok](there.md#a-heading) [ok](there.md#the-fields-libraries-x)"
                    " [web](https://example.org/x) `[code](nowhere.md)`\n"
                    "[gone](nowhere.md) [bad anchor](there.md#nope)\n")
    broken = _broken_links(page)
    assert len(broken) == 2 and broken[0].startswith("nowhere.md") and "#nope" in broken[1], broken
