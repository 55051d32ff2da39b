"""Tests for reports/: rendering a results document into HTML, Markdown, PNGs and JSON."""

import base64
import dataclasses
import json
import re

import pytest

from benchmarks.cells import Cell, run_cell
from benchmarks.grid import user_method_spec
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from benchmarks.results import SCHEMA_VERSION, read_results, write_results
from reports.cli import main

# One seed of the quick profile keeps each cell under a second.
ONE_SEED = dataclasses.replace(get_profile("quick"), n_seeds=1)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _cell(method_spec):
    gens = {g.name: g for g in get_family("erasure").generators(ONE_SEED)}
    return Cell("erasure", method_spec, gens["two_class_gaussian"], ONE_SEED)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    methods = {m.name: m for m in get_family("erasure").methods(ONE_SEED)}
    user = tmp_path_factory.mktemp("user") / "broken.py"
    user.write_text("class Broken:\n    def fit(self, X, y):\n        raise ValueError('no')\n"
                    "    def transform(self, X):\n        return X\n")
    specs = [methods["leace"], methods["identity"], user_method_spec(f"{user}:Broken")]
    return [run_cell(_cell(spec)) for spec in specs]


@pytest.fixture(scope="module")
def report(records, tmp_path_factory):
    src = write_results(records, tmp_path_factory.mktemp("src") / "results.json", "quick")
    out = tmp_path_factory.mktemp("out")
    assert main(["--from", str(src), "--out", str(out)]) == 0
    return out


def test_report_writes_every_file(report):
    names = {p.name for p in report.iterdir()}
    assert {"report.html", "report.md", "results.json"} <= names
    pngs = sorted(p for p in report.iterdir() if p.suffix == ".png")
    assert {p.name for p in pngs} == {"erasure_leakage_two_class_gaussian.png",
                                      "erasure_distortion.png"}
    assert all(p.read_bytes().startswith(PNG_MAGIC) for p in pngs)


def test_report_html_is_self_contained(report):
    page = (report / "report.html").read_text()
    sources = re.findall(r'src="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert len(sources) == len(list(report.glob("*.png")))
    for s in sources:
        assert base64.b64decode(s.split(",", 1)[1]).startswith(PNG_MAGIC)
    assert "<link" not in page and not re.search(r'href="(?!#|https?:)', page)


def test_report_shows_findings_and_errors(records, report):
    page = (report / "report.html").read_text()
    md = (report / "report.md").read_text()
    identity = next(r for r in records if r["method"] == "identity")
    reason = identity["expected_findings"]["erases_linear"]
    assert reason and reason.split(" (")[0] in page and reason.split(" (")[0] in md
    broken = next(r for r in records if r["status"] == "error")
    assert "ValueError: no" in broken["error"] and "ValueError: no" in md
    for png in report.glob("*.png"):
        assert f"]({png.name})" in md


def test_report_results_round_trip(records, report):
    doc = read_results(report / "results.json")
    assert doc["schema_version"] == SCHEMA_VERSION and doc["profile"] == "quick"
    assert doc["records"] == json.loads(json.dumps(records, default=float))
    assert [r["status"] for r in doc["records"]] == ["ok", "ok", "error"]


def test_read_results_rejects_unknown_schema(report, tmp_path):
    doc = json.loads((report / "results.json").read_text())
    doc["schema_version"] = "0.1"
    bad = tmp_path / "results.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="schema_version '0.1', expected"):
        read_results(bad)
