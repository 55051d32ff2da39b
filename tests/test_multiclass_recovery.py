"""Tests of the multiclass-recovery study (benchmarks/erasure/multiclass_recovery.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.erasure import multiclass_recovery as mr
from benchmarks.erasure.family import erasure_methods
from benchmarks.profiles import PROFILES as GRID_PROFILES
from benchmarks.study_cli import study_figures

# A second or two per seed: d = 6, 4000 fit rows, 800 probe rows, the generator's defaults.
TINY = {**mr.PROFILES["quick"], "n_samples": 800, "n_fit": 4000, "n_features": 6,
        "seeds": (0, 1, 2)}


@pytest.fixture(scope="module")
def doc():
    return mr.run(TINY, jobs=1)


def _cmp(doc, fit_on, eraser, metric, b):
    return next(c for c in doc["comparisons"] if c["fit_on"] == fit_on and c["a"] == eraser
                and c["metric"] == metric and c["b"] == b)


def _summary(doc, fit_on, eraser):
    return next(s for s in doc["summary"] if s["fit_on"] == fit_on and s["eraser"] == eraser)


def test_study_runs_every_eraser_of_the_family_list_on_z_and_on_c(doc):
    family = [m.name for m in erasure_methods(GRID_PROFILES["quick"])]
    assert doc["erasers"] == family
    assert len(doc["rows"]) == len(mr.FIT_ON) * len(family) * len(TINY["seeds"])
    assert {(s["fit_on"], s["eraser"]) for s in doc["summary"]} == {
        (f, e) for f in mr.FIT_ON for e in family}


def test_document_is_json_and_reproducible(doc):
    json.dumps(doc)
    again = mr.run(TINY, seeds=[1], jobs=1)
    mine = [r for r in doc["rows"] if r["seed"] == 1]
    for a, b in zip(mine, again["rows"], strict=True):
        for key in (*mr.SCORES, *mr.DIAGNOSTICS):
            assert a[key] == b[key], (a["fit_on"], a["eraser"], key)


def test_leace_on_z_guards_the_binary_probe_but_not_the_multiclass_one(doc):
    assert _cmp(doc, "binary", "leace", "logistic_z", "chance")["verdict"] != "above"
    assert _cmp(doc, "binary", "leace", "multiclass_z", "chance")["verdict"] == "above"
    # within the closed form's interval: the paired difference to it covers 0
    closed = _cmp(doc, "binary", "leace", "multiclass_z", "closed form")
    assert closed["verdict"] == "within noise", closed
    s = _summary(doc, "binary", "leace")
    assert s["multiclass_z"]["value"] > 0.9  # the grouped Bayes rule: 0.977
    # the 0-1 probe reads the halfspace along u (0.739 at the defaults)
    assert _cmp(doc, "binary", "leace", "zero_one_z", "chance")["verdict"] == "above"
    # why: LEACE moved v and left u
    assert s["moved_v"]["value"] > 0.99 and s["moved_u"]["value"] < 0.01


def test_leace_on_c_guards_the_multiclass_probe_too(doc):
    n_test, n_seeds = TINY["n_samples"], len(TINY["seeds"])
    for metric, chance in (("multiclass_values", 0.25), ("multiclass_z", 0.5),
                           ("logistic_z", 0.5)):
        # At chance: the seed mean within 4 binomial standard errors of a held-out balanced
        # accuracy (sd sqrt(p (1 - p) / n) per seed, sqrt(n_seeds) seeds). A paired t
        # interval against the constant alone ignores that sampling noise (three seeds of
        # the same held-out rows may all land on one side).
        tol = 4 * np.sqrt(chance * (1 - chance) / n_test / n_seeds)
        mean = _summary(doc, "values", "leace")[metric]["value"]
        assert abs(mean - chance) < tol, (metric, mean, tol)
    for metric in ("multiclass_values", "multiclass_z"):
        # and within noise of the oracle projection (nothing left), paired on the same rows
        assert _cmp(doc, "values", "leace", metric, mr.ORACLE)["verdict"] == "within noise"
    s = _summary(doc, "values", "leace")
    assert s["moved_u"]["value"] > 0.99 and s["moved_v"]["value"] > 0.99


def test_identity_reads_everything(doc):
    s = _summary(doc, "binary", "identity")
    for metric in mr.SCORES:
        assert s[metric]["value"] > 0.9, metric  # positive control: before erasure


def test_qleace_equalises_the_groups_variances_along_u(doc):
    # Population outer/inner variance ratio along u: (9 + 0.25) / (1 + 0.25) = 7.4.
    assert _summary(doc, "binary", "leace")["group_variance_ratio"]["value"] == pytest.approx(
        7.4, rel=0.1)
    assert _summary(doc, "binary", "qleace")["group_variance_ratio"]["value"] == pytest.approx(
        1.0, abs=0.15)
    # ... and moves every value where Gaussian transport predicts (+-1.86 sd 0.93 inner,
    # +-2.05 sd 0.34 outer); 800 held-out rows, 3 seeds: a value's mean is within ~0.05.
    q, pred = _summary(doc, "binary", "qleace"), doc["qleace_prediction"]
    np.testing.assert_allclose(q["positions_u"], pred["positions"], atol=0.1)
    np.testing.assert_allclose(q["spreads_u"], pred["spreads"], atol=0.1)
    assert pred["variance_ratio"] == pytest.approx(9.25 / 1.25, rel=1e-12)


def test_grouped_probe_on_hand_built_data():
    rng = np.random.default_rng(0)
    c = np.repeat(np.arange(4), 50)
    grouping = np.array([0, 1, 1, 0])
    X = np.stack([3.0 * c, rng.standard_normal(200)], axis=1)  # values far apart on axis 0
    seed = np.random.SeedSequence(0)
    assert mr.grouped_multiclass_probe(X, c, X, c, grouping, seed) == (1.0, 1.0)
    # Round-off only: a constant rule, exactly chance on C (1/4) and on Z (1/2).
    const = np.ones((200, 2)) + 1e-17 * rng.standard_normal((200, 2))
    assert mr.grouped_multiclass_probe(const, c, const, c, grouping, seed) == (0.25, 0.5)


def test_findings_tables_and_figure_read_the_document(doc, tmp_path):
    found = mr.findings(doc)
    terms = [f[0] for f in found]
    assert len(found) == 6 and any("remedy" in t for t in terms)
    for _, sentence, _ in found:
        assert sentence and "nan" not in sentence
    ((caption, head, rows),) = mr.tables(doc)
    assert len(rows) == len(doc["summary"]) and len(head) == len(rows[0])
    ((caption, path),) = study_figures(mr, doc, tmp_path)
    assert path.endswith(".png") and (tmp_path / "multiclass_recovery.png").stat().st_size > 0


def test_bad_profile_and_seeds_are_refused():
    with pytest.raises(ValueError, match="profile"):
        mr.run("huge")
    with pytest.raises(ValueError, match="lacks"):
        mr.run({"n_samples": 10})
    with pytest.raises(ValueError, match="seeds"):
        mr.run(TINY, seeds=[])
