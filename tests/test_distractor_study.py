"""The truth family's distractor study (`benchmarks.truth.distractor`) on tiny profiles."""

import json

import pytest
from threadpoolctl import threadpool_limits

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.study_cli import study_figures
from benchmarks.truth import FAMILY
from benchmarks.truth import distractor as study
from benchmarks.truth.family import score_truth_seed, truth_generators, truth_methods
from metrics.statistics import wilson_interval


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """As `run_cell` does: the products are small, and threads only add overhead."""
    with threadpool_limits(limits=1):
        yield


TINY = {"n_pairs": 200, "n_features": 16, "noise": 0.3, "strengths": (0.0, 4.0), "n_seeds": 3}


@pytest.fixture(scope="module")
def tiny_doc():
    return study.run(TINY, methods=["ccs", "contrast_pca"])


def test_registered_and_sweeps_the_unsupervised_methods():
    assert "benchmarks.truth.distractor" in FAMILY.studies
    # the truth family's finders whose fit needs no labels (TTPD and the mass-mean probes
    # take them; a new unsupervised finder joins here by its line in the family's list)
    assert [m.name for m in study.unsupervised_methods()] == [
        "ccs", "contrast_pca", "random_direction", "vinc", "kmeans_pairs", "lat"]
    assert study.PROFILES["quick"]["strengths"][0] == 0.0
    assert study.PROFILES["quick"]["n_seeds"] >= 20


def test_tiny_sweep_finds_truth_without_the_word_and_the_word_when_it_dominates(tiny_doc):
    rows = {(s["method"], s["strength"]): s for s in tiny_doc["summary"]}
    assert rows[("contrast_pca", 0.0)]["counts"] == {"truth": 3, "distractor": 0, "neither": 0}
    assert rows[("contrast_pca", 4.0)]["counts"] == {"truth": 0, "distractor": 3, "neither": 0}
    assert rows[("ccs", 0.0)]["counts"]["truth"] == 3
    # Without the word the truth needs at most the sign's label; with it PCA never recovers.
    assert rows[("contrast_pca", 0.0)]["labels_needed_worst"] <= 1
    assert rows[("contrast_pca", 4.0)]["labels_needed_median"] == 201  # never: 200 + 1
    assert rows[("contrast_pca", 4.0)]["recovered_rate"]["value"] == 0.0
    for s in tiny_doc["summary"]:
        assert sum(s["counts"].values()) == s["n_seeds"] == 3
        assert sum(s[f"{v}_rate"]["value"] for v in ("truth", "distractor", "neither")) \
            == pytest.approx(1.0)
        # The rates carry 95% Wilson intervals over the seeds.
        assert s["truth_rate"] == wilson_interval(s["counts"]["truth"], 3, 0.95).to_dict()
    pca = next(c for c in tiny_doc["crossover"] if c["method"] == "contrast_pca")
    assert pca["wins_from"] == 4.0
    # 3 of 3 against 0 of 3: 95% Wilson [0.44, 1] and [0, 0.56] overlap, nothing separated.
    assert pca["separated_from"] is None and pca["truth_separated_until"] is None
    json.dumps(tiny_doc)  # the document is JSON-able as results.json stores it


def _row(strength, truth, distractor, n=20):
    return {"method": "m", "strength": strength,
            "truth_rate": wilson_interval(truth, n, 0.95).to_dict(),
            "distractor_rate": wilson_interval(distractor, n, 0.95).to_dict()}


def test_crossover_rule():
    summary = [_row(0.0, 20, 0), _row(1.0, 10, 10), _row(1.5, 8, 12), _row(2.0, 2, 18),
               _row(4.0, 0, 20)]
    c = study.crossover(summary, "m")
    assert c["wins_from"] == 1.5 and c["separated_from"] == 2.0
    assert c["truth_separated_until"] == 0.0
    never = study.crossover([_row(0.0, 20, 0), _row(1.0, 15, 5)], "m")
    assert never["wins_from"] is None and never["separated_from"] is None
    with pytest.raises(ValueError, match="'other'"):
        study.crossover(summary, "other")


def test_strength_two_reproduces_the_grid_cells():
    """Same data and method streams as the grid: the verdicts of seeds 0-2 at strength 2."""
    quick = Profile("quick", n_seeds=3)
    gen = {g.name: g for g in truth_generators(quick)}["distractor_facts"]
    assert gen.kwargs["distractor_strength"] == 2.0
    prof = {**study.PROFILES["quick"], "strengths": (2.0,), "n_seeds": 3}
    doc = study.run(prof, methods=["ccs", "contrast_pca"])
    for method in truth_methods(quick):
        if method.name not in ("ccs", "contrast_pca"):
            continue
        grid = [score_truth_seed(method, gen, SeedStreams(gen.name, s), quick) for s in range(3)]
        mine = sorted((r for r in doc["rows"] if r["method"] == method.name),
                      key=lambda r: r["seed"])
        assert [r["verdict"] for r in mine] == [g["verdict"] for g in grid]
        assert [r["truth_accuracy"] for r in mine] == [g["sign_agnostic_accuracy"] for g in grid]
        assert [r["labels_needed"] for r in mine] == [g["labels_needed"] for g in grid]


def test_jobs_do_not_change_the_numbers(tiny_doc):
    two = study.run(TINY, methods=["ccs", "contrast_pca"], jobs=2)
    strip = [{k: v for k, v in r.items() if k != "fit_time_s"} for r in two["rows"]]
    assert strip == [{k: v for k, v in r.items() if k != "fit_time_s"}
                     for r in tiny_doc["rows"]]


def test_findings_and_figures_read_the_document(tiny_doc, tmp_path):
    words = study.findings(tiny_doc)
    assert len(words) == 4  # two per method
    term, sentence, _ = words[2]
    assert term == "contrast_pca: truth or the word"
    assert "0x: 3/0/0; 4x: 0/3/0" in sentence and "first exceeds truth's at 4x" in sentence
    assert "4x: median never, recovered on 0%" in words[3][1]
    figs = study_figures(study, tiny_doc, tmp_path)
    assert len(figs) == 2 and all((tmp_path / p).stat().st_size > 1000 for _, p in figs)


@pytest.mark.parametrize("kwargs, match", [
    ({"methods": ["nope"]}, "methods"), ({"methods": []}, "methods"),
    ({"seeds": []}, "seeds"), ({"seeds": [-1]}, "seeds"), ({"jobs": 0}, "jobs"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        study.run(TINY, **kwargs)


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="profile"):
        study.run("huge")
