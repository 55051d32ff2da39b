"""The noise floor from the records to the report: per-seed headline values (cells), the
floor and the rankings in the results document (results), the floor table and the marks of
the score table (reports), on hand-built records whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from benchmarks.cells import per_seed_headline
from benchmarks.results import noise_floors, results_document
from metrics.statistics import mean_over_seeds
from reports.render import render_html, render_markdown

T2 = stats.t.ppf(0.975, 2)  # three seeds


def _record(method, per_seed, generator="g", seeds=(0, 1, 2), **extra):
    metrics = {m: mean_over_seeds(v).to_dict() for m, v in per_seed.items()}
    return {"family": "fam", "method": method, "generator": generator, "profile": "quick",
            "builtin": True, "status": "ok", "error": None, "headline": list(per_seed),
            "metrics": metrics, "checks": {}, "seeds": [{"seed": s} for s in seeds],
            "per_seed": {m: list(map(float, v)) for m, v in per_seed.items()}, **extra}


BASE = np.array([0.50, 0.60, 0.70])
# a - b: +0.01, -0.01, +0.03 (within noise); b - c: 0.10 on every seed (called);
# outcome: 0/1 per seed (a check's failure), never callable at 3 seeds.
RECORDS = [
    _record("a", {"score": BASE + [0.11, 0.09, 0.13], "outcome": [1, 1, 1]}),
    _record("b", {"score": BASE + 0.10, "outcome": [0, 0, 0]}),
    _record("c", {"score": BASE, "outcome": [0, 1, 0]}),
]
FAMILIES = {"fam": {"title": "A family", "question": "", "generators": {}, "checks": {},
                    "metrics": {"score": "a score", "outcome": "a 0/1 outcome"}}}


def test_per_seed_headline_is_the_aggregate_of_each_seed_alone():
    def aggregate(seeds):
        return {"x": {"value": float(np.mean([s["x"] for s in seeds]))},
                "y": {"value": float(np.mean([s["y"] for s in seeds]))}}

    seeds = [{"x": 1.0, "y": 2.0}, {"x": 3.0, "y": float("nan")}]
    assert per_seed_headline(aggregate, ("x", "y", "z"), seeds) == {"x": [1.0, 3.0]}


def test_floor_and_ranking_have_their_closed_forms():
    fam = noise_floors(RECORDS)["fam"]
    score = fam["metrics"]["score"]
    # paired sds: a-b sd(0.01, -0.01, 0.03) = 0.02, a-c sd(0.11, 0.09, 0.13) = 0.02, b-c 0
    assert score["paired_sd"] == pytest.approx(0.02)
    assert score["floor"] == pytest.approx(T2 * 0.02 / np.sqrt(3))
    assert score["n_seeds"] == 3 and score["n_methods"] == 3 and not score["binary"]
    ranked = fam["ranked"]["g"]["score"]
    assert ranked["order"] == ["a", "b", "c"]
    assert ranked["verdict"] == ["within noise", "above"]
    assert ranked["difference"][1] == pytest.approx([0.1, 0.1, 0.1])
    assert (score["adjacent"], score["adjacent_within"]) == (2, 1)
    outcome = fam["metrics"]["outcome"]
    assert outcome["binary"] and outcome["floor"] is None
    assert fam["ranked"]["g"]["outcome"]["test"] == "McNemar exact"
    assert fam["ranked"]["g"]["outcome"]["verdict"] == ["within noise", "within noise"]


def test_floor_pairs_only_records_on_the_same_seeds():
    other = _record("d", {"score": BASE + 5.0}, seeds=(7, 8, 9))
    err = {**_record("e", {"score": BASE}), "status": "error"}
    ref = _record("a", {"score": BASE - 9.0}, reference=True)  # a reference of a's name
    fam = noise_floors(RECORDS + [other, err, ref])["fam"]
    assert fam["ranked"]["g"]["score"]["order"] == ["a", "b", "c"]
    assert noise_floors([RECORDS[0]]) == {}  # one method: nothing to compare
    assert noise_floors([{**r, "per_seed": {}} for r in RECORDS]) == {}


def test_report_shows_the_floor_table_and_marks_values_within_noise():
    doc = results_document(RECORDS, "quick", families=FAMILIES)
    md = render_markdown(doc, {})
    assert "### Noise floor: the smallest difference between two methods the suite can call" \
        in md
    floor = f"{T2 * 0.02 / np.sqrt(3):.3g}"  # 0.0497
    assert f"| **score** | 3 | 0.1 | 0.02 | {floor} | " in md
    assert "| **outcome** | 3 |" in md and "none at 3 seeds (0/1 per seed: McNemar" in md
    rows = {line.split(" | ")[0].strip("| "): line for line in md.splitlines()
            if line.startswith(("| a | g |", "| b | g |", "| c | g |"))}
    assert "0.710 ≃" in rows["a"]  # a within noise of b
    assert "| 0.700 [" in rows["b"] and "| 0.600 [" in rows["c"]  # b called above c
    assert "| 0.333 ≃ [" in rows["c"]  # outcomes: nothing is callable at 3 seeds
    page = render_html(doc, {})
    assert "within noise of b: +0.01 [" in page and "called: +0.1 [0.1, 0.1] above c" in page


def test_a_metric_the_same_for_every_method_says_so():
    same = [_record(m, {"score": BASE, "count": [4.0, 4.0, 4.0]}) for m in "ab"]
    fam = noise_floors(same)["fam"]
    assert fam["metrics"]["count"]["n_pairs"] == 0 and fam["metrics"]["score"]["n_pairs"] == 0
    md = render_markdown(results_document(same, "quick", families=FAMILIES), {})
    assert "| **count** | 3 | 0 | 0 | none to call: every method gives the same value" in md


def test_a_document_without_per_seed_values_renders_without_a_floor():
    old = [{k: v for k, v in r.items() if k != "per_seed"} for r in RECORDS]
    doc = results_document(old, "quick", families=FAMILIES)
    assert "noise_floor" not in doc
    md = render_markdown(doc, {})
    assert "Noise floor" not in md and "≃" not in md


def test_a_cell_whose_seed_cannot_be_pooled_alone_keeps_its_scores(monkeypatch):
    import dataclasses

    from benchmarks import cells
    from benchmarks.profiles import get_profile
    from benchmarks.registry import get_family

    profile = dataclasses.replace(get_profile("quick"), n_seeds=2)
    fam = get_family("weights")
    gen = fam.generators(profile)[0]
    method = next(m for m in fam.methods(profile) if m.name == "random_directions")

    plain = cells.run_cell(cells.Cell("weights", method, gen, profile))
    # Each headline metric on each seed; a seed mean's mean is the record's value.
    assert set(plain["per_seed"]) <= set(fam.headline) and "pair_cos" in plain["per_seed"]
    assert np.mean(plain["per_seed"]["pair_cos"]) == pytest.approx(
        plain["metrics"]["pair_cos"]["value"])

    def aggregate(seeds):
        if len(seeds) < 2:
            raise ValueError("needs two seeds")
        return fam.aggregate(seeds)

    monkeypatch.setattr(cells, "get_family",
                        lambda name: dataclasses.replace(fam, aggregate=aggregate))
    record = cells.run_cell(cells.Cell("weights", method, gen, profile))
    assert record["status"] == "ok" and record["metrics"]
    assert "per_seed" not in record and "needs two seeds" in record["per_seed_error"]
