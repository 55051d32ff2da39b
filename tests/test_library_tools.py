"""The study of concept-erasure's OT tools against QLEACE (benchmarks/erasure/library_tools.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.erasure import library_tools as st
from benchmarks.erasure.family import erasure_generators, score_erasure_seed
from benchmarks.profiles import get_profile
from benchmarks.seeding import SeedStreams
from benchmarks.study_cli import study_figures

# The grid's quick fit split (n_fit = 20000: the erasers' moments are the grid's) with small
# probe splits (300 rows) so that the 24 cells cost a few CPU seconds.
TINY = {"generators": ("two_class_gaussian", "multiclass_gaussian"), "sizes": "quick",
        "n_samples": 300, "seeds": (0, 1, 2)}


def test_profiles_use_the_family_generators_and_at_least_three_seeds():
    family = {g.name for g in erasure_generators(get_profile("quick"))}
    for name, prof in st.PROFILES.items():
        assert set(prof["generators"]) <= family, name
        assert len(prof["seeds"]) >= 3, name
    assert set(st.PROFILES["full"]["generators"]) == family
    assert st.ERASERS[-1] == st.REFERENCE == "qleace"


def test_skipped_without_the_library(monkeypatch, tmp_path):
    monkeypatch.setattr(st, "available", lambda: False)
    doc = st.run(TINY)
    assert doc["skipped"] == st.INSTALL and "requirements-adapters.txt" in doc["skipped"]
    assert st.findings(doc) == [("not run", st.INSTALL, "")]
    assert st.tables(doc) == [] and study_figures(st, doc, tmp_path) == []
    json.dumps(doc)


def test_refuses_unknown_names_before_any_work():
    with pytest.raises(ValueError, match="generators"):
        st.run({**TINY, "generators": ("nope",)})
    with pytest.raises(ValueError, match="profile"):
        st.run("medium")
    with pytest.raises(ValueError, match="sizes"):
        st.run({**TINY, "sizes": "huge"})
    with pytest.raises(ValueError, match="seeds"):
        st.run(TINY, seeds=[])
    with pytest.raises(ValueError, match="eraser"):
        st.method_spec("leace")


# Everything below needs the library.
needs_library = pytest.mark.skipif(not st.available(), reason=st.INSTALL)


@pytest.fixture(scope="module")
def doc():
    if not st.available():
        pytest.skip(st.INSTALL)
    return st.run(TINY)


@needs_library
def test_a_cell_is_scored_exactly_as_the_grid_scores_it():
    prof = get_profile("quick")
    spec = st.generator_spec("two_class_gaussian", TINY)
    grid = score_erasure_seed(st.method_spec("ot_barycentre"), spec,
                              SeedStreams("two_class_gaussian", 1), prof)
    row = st.run_cell("two_class_gaussian", "ot_barycentre", 1, TINY)
    assert row["probes"] == grid["probes"]
    assert row["distortion"] == grid["distortion"]
    assert spec.kwargs["n_samples"] == 300


@needs_library
def test_document_is_json_and_complete(doc):
    json.dumps(doc)
    n_gen, n_seeds = len(TINY["generators"]), len(TINY["seeds"])
    assert len(doc["rows"]) == n_gen * n_seeds * len(st.ERASERS)
    for g in TINY["generators"]:
        assert list(doc["summary"][g]) == list(st.ERASERS)
    # 3 erasers against QLEACE and the editor against the barycentre, 5 metrics each.
    assert len(doc["comparisons"]) == n_gen * 4 * len(st.METRICS)
    assert doc["sizes"]["n_fit"] == 20000 and doc["sizes"]["n_samples"] == 300


@needs_library
def test_every_eraser_equalises_the_class_means_on_its_fit_data(doc):
    # Closed forms: every class is mapped onto one mean; what is left is float64 rounding
    # of means of 20000 rows of scale ~1 (measured below 1e-14).
    for g in TINY["generators"]:
        for e, cell in doc["summary"][g].items():
            assert cell["fit_class_mean_gap"] < 1e-10, (g, e)


@needs_library
def test_the_editor_moves_about_twice_what_the_barycentre_moves(doc):
    # Two balanced classes differing by a mean shift: the barycentre moves each by half the
    # shift, the editor one class by all of it: twice the mean squared displacement.
    rows = [c for c in doc["comparisons"] if c["generator"] == "two_class_gaussian"
            and c["eraser"] == "quadratic_editor" and c["against"] == "ot_barycentre"
            and c["metric"] == "distortion"]
    assert rows[0]["comparison"]["verdict"] == "above"
    cell = doc["summary"]["two_class_gaussian"]
    ratio = cell["quadratic_editor"]["distortion"]["value"] / \
        cell["ot_barycentre"]["distortion"]["value"]
    assert 1.8 < ratio < 2.2


@needs_library
def test_the_barycentre_map_and_the_library_qleace_are_qleace(doc):
    # Same barycentre and maps up to shrinkage (n_fit = 20000 rows in 16 dims: the shrunk
    # covariances move by ~d / n) and the target mean: distortion within 1e-3 of QLEACE's.
    for c in doc["comparisons"]:
        if c["against"] == "qleace" and c["eraser"] in ("ot_barycentre", "qleace_library") \
                and c["metric"] == "distortion":
            assert abs(c["comparison"]["difference"]["value"]) < 1e-3, c


@needs_library
def test_findings_tables_and_figures_read_the_document(doc, tmp_path):
    found = st.findings(doc)
    terms = [t for t, _, _ in found]
    assert "where they erase, two_class_gaussian" in terms
    assert terms[0] == "against QLEACE, every generator"
    assert terms[-1] == "why the distortions differ"
    for _, sentence, _ in found:
        assert any(ch.isdigit() for ch in sentence)
    text = " ".join(s for _, s, _ in found)
    assert "within noise" in text or "above" in text or "below" in text
    (head, rows), (dhead, drows) = [(h, r) for _, h, r in st.tables(doc)]
    assert len(rows) == len(TINY["generators"]) * len(st.ERASERS)
    assert all(len(r) == len(head) for r in rows) and all(len(r) == len(dhead) for r in drows)
    figs = study_figures(st, doc, tmp_path)
    assert len(figs) == 1 and figs[0][1].endswith(".png")
    assert np.isfinite(doc["cpu_s"]) and doc["cpu_s"] > 0


@needs_library
def test_one_seed_gives_findings_without_comparisons():
    one = st.run({**TINY, "generators": ("two_class_gaussian",)}, seeds=[4])
    assert one["comparisons"] == []
    terms = [t for t, _, _ in st.findings(one)]
    assert terms == ["where they erase, two_class_gaussian", "against QLEACE"]
    assert len(st.tables(one)[1][2]) == 0
