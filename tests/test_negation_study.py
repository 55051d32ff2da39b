"""The truth family's negation study (`benchmarks.truth.negation`) on tiny profiles."""

import json

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from benchmarks.profiles import Profile
from benchmarks.spec import MethodSpec
from benchmarks.study_cli import study_figures
from benchmarks.truth import negation as study
from benchmarks.truth.family import truth_methods
from generators.polarity_facts import make_polarity_facts
from methods.truth.pairs import split_pairs
from metrics.statistics import mean_over_seeds


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


TINY = {"n_pairs": 200, "n_features": 8, "noise": 0.5, "ratios": (0.5, 2.0), "n_seeds": 3}
FAST = ["contrast_pca", "supervised_logistic", "mean_difference"]


@pytest.fixture(scope="module")
def tiny_doc():
    with threadpool_limits(limits=1):
        return study.run(TINY, methods=FAST)


def _summary(doc, method, ratio, regime):
    return next(s for s in doc["summary"]
                if (s["method"], s["ratio"], s["regime"]) == (method, ratio, regime))


def test_methods_come_from_the_familys_list():
    doc = study.run({**TINY, "ratios": (1.0,), "n_seeds": 1}, seeds=[0])
    assert doc["methods"] == [m.name for m in truth_methods(Profile("quick", 1))]
    assert study.PROFILES["quick"]["n_seeds"] >= 3


def test_tiny_rows_and_intervals(tiny_doc):
    assert len(tiny_doc["rows"]) == len(FAST) * 2 * 2 * 3
    assert all(r["status"] == "ok" for r in tiny_doc["rows"])
    s = _summary(tiny_doc, "mean_difference", 2.0, "affirmative")
    neg = [r["negated_accuracy"] for r in tiny_doc["rows"]
           if (r["method"], r["ratio"], r["regime"]) == ("mean_difference", 2.0, "affirmative")]
    assert s["negated_accuracy"] == mean_over_seeds(neg, 0.95).to_dict()
    json.dumps(tiny_doc)


def test_affirmative_probes_reverse_on_negation_when_t_P_dominates(tiny_doc):
    """s = 2 g: the affirmative direction (t_G + 2 t_P) / sqrt 5 scores Phi(-3 sqrt(2/5) /
    0.5) = 1e-6 on negated pairs (closed form); trained on both polarities the supervised
    probes find t_G and generalise."""
    ref = next(r for r in tiny_doc["references"] if r["ratio"] == 2.0)
    assert ref["affirmative_on_negated_accuracy"] < 1e-3
    for method in ("supervised_logistic", "mean_difference"):
        aff = _summary(tiny_doc, method, 2.0, "affirmative")
        assert aff["affirmative_accuracy"]["value"] > 0.95
        assert aff["negated_accuracy"]["value"] < 0.1
        assert aff["generalisation"] == "fails"
        both = _summary(tiny_doc, method, 2.0, "both")
        assert both["negated_accuracy"]["low"] > 0.9 and both["generalisation"] == "generalises"
        assert both["cos_general"]["value"] > 0.9
        assert abs(both["cos_polarity_truth"]["value"]) < 0.2
    # Unsupervised PCA on both polarities finds the larger of the two: t_P.
    pca = _summary(tiny_doc, "contrast_pca", 2.0, "both")
    assert pca["cos_polarity_truth"]["value"] > 0.9 and pca["generalisation"] == "fails"


def test_sign_is_fixed_on_affirmative_pairs_and_kept_on_negated():
    data = make_polarity_facts(40, 6, noise=0.0, random_state=1)
    gt = data.ground_truth
    truth = data.y.astype(float)
    neg = gt["is_negated"]
    # A probe that is backwards on affirmative pairs and right on negated ones.
    proba = np.where(neg, truth, 1 - truth)
    out = study.polarity_scores(proba, data, -gt["general_direction"])
    assert out["sign"] == -1.0
    assert out["raw_affirmative_accuracy"] == 0.0 and out["affirmative_accuracy"] == 1.0
    assert out["raw_negated_accuracy"] == 1.0 and out["negated_accuracy"] == 0.0
    assert out["cos_general"] == pytest.approx(1.0)  # the direction's sign flipped with it


class _PolarityProbe:
    """A TTPD-like fake: OLS of the members on (tau, tau p) gives t_G; needs both polarities
    (as TTPD's polarity regression does) and records what fit received."""

    seen = []

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None, polarity=None):
        type(self).seen.append((None if y is None else np.asarray(y).copy(),
                                None if polarity is None else np.asarray(polarity).copy()))
        if polarity is None or len(np.unique(polarity)) < 2:
            raise ValueError("polarity must hold both affirmative and negated statements")
        Xp, Xn = split_pairs(X)
        tau = 2.0 * np.asarray(y) - 1.0
        members = np.vstack([Xp, Xn])
        t = np.r_[tau, -tau]
        design = np.column_stack([t, t * np.r_[polarity, polarity]])
        coef = np.linalg.lstsq(design, members - members.mean(0), rcond=None)[0]
        self.direction_ = coef[0] / np.linalg.norm(coef[0])
        return self

    def predict_proba(self, X):
        Xp, Xn = split_pairs(X)
        p = 1.0 / (1.0 + np.exp(-5.0 * (Xp - Xn) @ self.direction_))
        return np.column_stack([1 - p, p])


def _with_fake_ttpd(monkeypatch):
    fake = MethodSpec("ttpd", "truth", lambda train, seed: _PolarityProbe(random_state=0))
    real = study.truth_methods
    monkeypatch.setattr(study, "truth_methods", lambda profile: [*real(profile), fake])


def test_polarity_is_passed_and_a_failing_fit_is_an_error_row(monkeypatch):
    _with_fake_ttpd(monkeypatch)
    _PolarityProbe.seen.clear()
    doc = study.run({**TINY, "ratios": (2.0,)}, methods=["mean_difference", "ttpd"])
    y_seen, pol_seen = zip(*_PolarityProbe.seen, strict=True)
    assert all(p is not None and set(np.unique(p)) <= {-1.0, 1.0} for p in pol_seen)
    assert any(set(np.unique(p)) == {-1.0, 1.0} for p in pol_seen)
    assert all(y is not None for y in y_seen)
    aff = _summary(doc, "ttpd", 2.0, "affirmative")
    assert "both affirmative and negated" in aff["error"]
    both = _summary(doc, "ttpd", 2.0, "both")
    assert both["error"] is None and both["generalisation"] == "generalises"
    words = dict((t, s) for t, s, _ in study.findings(doc))
    assert "error (ValueError" in words["ttpd, trained on affirmative statements only"]
    claim = words["Buerger et al.: TTPD's t_G generalises"]
    assert "generalises" in claim and "Against logistic" in claim
    json.dumps(doc)


def test_jobs_do_not_change_the_numbers(tiny_doc):
    two = study.run(TINY, methods=FAST, jobs=2)

    def strip(rows):
        return [{k: v for k, v in r.items() if k != "fit_time_s"} for r in rows]

    assert strip(two["rows"]) == strip(tiny_doc["rows"])


def test_findings_and_figures_read_the_document(tiny_doc, tmp_path):
    words = {t: s for t, s, _ in study.findings(tiny_doc)}
    assert len(words) == len(FAST) * 2 + 6
    assert words["Buerger et al.: TTPD's t_G generalises"].startswith("not measured")
    assert words["Buerger et al.: affirmative-only probes fail on negated statements"] \
        .startswith("confirmed")
    mm = words["Marks & Tegmark: mass-mean generalises better than logistic"]
    assert "mass-mean minus logistic" in mm
    assert "s/g = 2: supervised_logistic, mean_difference" in \
        words["generalise across polarity (both training)"]
    figs = study_figures(study, tiny_doc, tmp_path)
    assert len(figs) == 1 and all((tmp_path / p).stat().st_size > 1000 for _, p in figs)


@pytest.mark.parametrize("kwargs, match", [
    ({"methods": ["nope"]}, "methods"), ({"methods": []}, "methods"),
    ({"seeds": []}, "seeds"), ({"jobs": 0}, "jobs"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        study.run(TINY, **kwargs)


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="profile"):
        study.run("huge")


def test_a_method_inaccurate_on_affirmative_statements_is_weak_not_generalising():
    # A random direction on both polarities: 0.72 affirmative and 0.70 negated (measured in
    # the quick run), negated not below affirmative, which alone would read "generalises".
    rows = [{"method": "random_direction", "ratio": 0.5, "regime": "both", "seed": s,
             "status": "ok", "error": None, "affirmative_accuracy": a, "negated_accuracy": n,
             "cos_general": 0.1, "cos_polarity_truth": 0.1}
            for s, (a, n) in enumerate([(0.70, 0.69), (0.74, 0.71), (0.72, 0.70)])]
    (s,) = study.summarise(rows, ["random_direction"])
    assert s["negated_accuracy"]["low"] > study.CHANCE
    assert s["negated_vs_affirmative"]["verdict"] != "below"
    assert s["generalisation"] == "weak"
    accurate = [{**r, "affirmative_accuracy": r["affirmative_accuracy"] + 0.25,
                 "negated_accuracy": r["negated_accuracy"] + 0.25} for r in rows]
    assert study.summarise(accurate, ["random_direction"])[0]["generalisation"] \
        == "generalises"
