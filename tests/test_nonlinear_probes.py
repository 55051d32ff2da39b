"""The probes that break linear erasure (metrics/probes.py: rbf_svm, boosted_trees) and the
study that runs them (benchmarks/erasure/nonlinear_probes.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import norm

from benchmarks.erasure import nonlinear_probes as st
from benchmarks.erasure.family import erasure_generators
from benchmarks.profiles import get_profile
from benchmarks.study_cli import study_figures
from generators.two_class_gaussian import make_two_class_gaussian
from generators.xor_concept import make_xor_concept
from metrics import probes
from metrics.probes import (
    ALL_PROBE_KINDS,
    BREAKER_PROBE_KINDS,
    PROBE_KINDS,
    SVM_C_GRID,
    SVM_GAMMA_GRID,
    make_probe,
    score_probe,
)
from metrics.statistics import wilson_interval

BREAKERS = tuple(BREAKER_PROBE_KINDS)
SEED = np.random.SeedSequence(7)
N = 800  # rows per split: a balanced accuracy's 99.9% interval is about +-0.06 at 0.5


def _split(make, **kwargs):
    train = make(N, 16, random_state=3, split=1, **kwargs)
    test = make(N, 16, random_state=3, split=2, **kwargs)
    return train.X, train.y, test.X, test.y, train


def _chance_interval(n: int = N):
    """99.9% Wilson interval of an accuracy of 1/2 on ``n`` held-out rows."""
    return wilson_interval(n // 2, n)


def test_the_grid_keeps_its_four_probes_and_the_breakers_are_apart():
    assert list(PROBE_KINDS) == ["logistic", "zero_one", "mlp", "qda"]
    assert set(BREAKERS) == {"rbf_svm", "boosted_trees"}
    assert not set(BREAKERS) & set(PROBE_KINDS)
    assert list(ALL_PROBE_KINDS) == [*PROBE_KINDS, *BREAKERS]


def test_xor_linear_probe_at_chance_breakers_near_one():
    # XOR of two signs at noise 0.3: Bayes p^2 + (1 - p)^2 with p = Phi(1 / 0.3) = 0.9996,
    # equal class means, so the logistic probe has nothing convex to read.
    Xtr, ytr, Xte, yte, train = _split(make_xor_concept)
    assert train.ground_truth["bayes_accuracy"] > 0.999
    chance = _chance_interval()
    logistic = score_probe("logistic", Xtr, ytr, Xte, yte, SEED)
    assert chance.low <= logistic.balanced_accuracy <= chance.high
    assert score_probe("rbf_svm", Xtr, ytr, Xte, yte, SEED).balanced_accuracy > 0.97
    # 30 rounds of 15-leaf trees on 800 rows: measured 0.97-0.99; 0.93 leaves room.
    assert score_probe("boosted_trees", Xtr, ytr, Xte, yte, SEED).balanced_accuracy > 0.93


@pytest.mark.parametrize("name", BREAKERS)
def test_breaker_reaches_bayes_on_two_gaussians(name):
    # Mahalanobis separation 2: Bayes Phi(1) = 0.841; a probe scored on 800 rows is within
    # its 99.9% sampling interval (+-0.043) of that, less what the fit costs (0.05 allowed).
    Xtr, ytr, Xte, yte, _ = _split(make_two_class_gaussian)
    acc = score_probe(name, Xtr, ytr, Xte, yte, SEED).balanced_accuracy
    assert norm.cdf(1.0) - 0.09 <= acc <= norm.cdf(1.0) + 0.045


@pytest.mark.parametrize("name", BREAKERS)
def test_breaker_at_chance_when_labels_are_independent(name):
    rng = np.random.default_rng(0)
    X, Xt = rng.standard_normal((N, 8)), rng.standard_normal((N, 8))
    y, yt = rng.integers(0, 2, N), rng.integers(0, 2, N)
    acc = score_probe(name, X, y, Xt, yt, SEED).balanced_accuracy
    chance = _chance_interval()
    assert chance.low <= acc <= chance.high


@pytest.mark.parametrize("name", BREAKERS)
def test_breaker_on_round_off_only_is_exactly_chance(name):
    # An eraser's ~1e-16 residue: `score_probe` drops it and scores a constant rule.
    rng = np.random.default_rng(1)
    y = np.tile([0, 1], 50)
    X = 1.0 + 1e-17 * rng.standard_normal((100, 4))
    score = score_probe(name, X, y, X.copy(), y, SEED)
    assert score.balanced_accuracy == score.chance == 0.5


@pytest.mark.parametrize("name", BREAKERS)
def test_breaker_chance_is_one_over_k_and_reads_four_clusters(name):
    # Four classes at the corners of a square (side 4, noise 1): Bayes Phi(2)^2 = 0.955.
    rng = np.random.default_rng(2)
    corners = np.array([[0, 0], [4, 0], [0, 4], [4, 4]], dtype=float)
    y, yt = rng.integers(0, 4, 600), rng.integers(0, 4, 600)
    X = corners[y] + rng.standard_normal((600, 2))
    Xt = corners[yt] + rng.standard_normal((600, 2))
    score = score_probe(name, X, y, Xt, yt, SEED)
    assert score.chance == 0.25
    assert score.balanced_accuracy > norm.cdf(2.0) ** 2 - 0.05


@pytest.mark.parametrize("name", BREAKERS)
def test_breaker_is_deterministic_given_its_seed(name):
    Xtr, ytr, Xte, yte, _ = _split(make_xor_concept)
    a = score_probe(name, Xtr, ytr, Xte, yte, np.random.SeedSequence(5))
    b = score_probe(name, Xtr, ytr, Xte, yte, np.random.SeedSequence(5))
    assert a == b


def test_rbf_svm_states_its_cross_validated_settings():
    Xtr, ytr, Xte, yte, _ = _split(make_xor_concept)
    score = score_probe("rbf_svm", Xtr, ytr, Xte, yte, SEED)
    assert score.params["C"] in SVM_C_GRID
    assert score.params["gamma_times_d"] in SVM_GAMMA_GRID
    assert score.params["gamma"] == pytest.approx(score.params["gamma_times_d"] / 16)
    assert score_probe("boosted_trees", Xtr, ytr, Xte, yte, SEED).params == {}
    assert score_probe("logistic", Xtr, ytr, Xte, yte, SEED).params == {}


def test_rbf_svm_cross_validation_picks_the_best_cell():
    # A radius concept (inside / outside a sphere) is read well by a wide kernel and not by
    # an extremely narrow one: the CV table must rank them so and the argmax be chosen.
    rng = np.random.default_rng(4)
    X = rng.standard_normal((400, 3))
    y = (np.linalg.norm(X, axis=1) > 1.54).astype(int)  # median radius of chi_3: balanced
    probe = probes._RBFSVMProbe(C_grid=(1.0,), gamma_grid=(1.0, 500.0), random_state=0)
    probe.fit(X, y)
    assert probe.cv_scores_.shape == (1, 2)
    assert probe.cv_scores_[0, 0] > probe.cv_scores_[0, 1] + 0.1
    assert probe.gamma_multiple_ == 1.0 and probe.gamma_ == pytest.approx(1.0 / 3)


def test_make_probe_refuses_unknown_names_listing_the_breakers():
    with pytest.raises(ValueError, match="rbf_svm"):
        make_probe("svm", SEED)
    assert hasattr(make_probe("boosted_trees", SEED), "fit")


# --- the study --------------------------------------------------------------------------------

TINY = {"generators": ("xor_concept", "two_class_gaussian", "injection_concept"),
        "n_probe": 300, "n_fit": 20000, "n_features": 6, "seeds": (0, 1, 2)}


@pytest.fixture(scope="module")
def doc():
    return st.run(TINY)


def test_study_profiles_use_the_family_generators():
    family = {g.name for g in erasure_generators(get_profile("quick"))}
    for prof in st.PROFILES.values():
        assert set(prof["generators"]) - {st.INJECTION_GENERATOR} <= family
        assert len(prof["seeds"]) >= 3
    assert set(st.BEYOND_MEANS) <= family and set(st.WHY) >= set(st.PROFILES["quick"]
                                                                   ["generators"])


def test_study_document_is_json_and_complete(doc):
    json.dumps(doc)
    n_rows = len(TINY["generators"]) * 3 * len(st.CONDITIONS) * len(st.PROBES)
    assert len(doc["rows"]) == n_rows
    for g in TINY["generators"]:
        assert set(doc["summary"][g]) == set(st.CONDITIONS)
    assert len(doc["injection"]) == len(TINY["generators"]) * len(st.ERASERS) * 6


def test_study_reads_xor_after_leace_with_breakers_not_with_logistic(doc):
    cell = doc["summary"]["xor_concept"]["leace"]
    assert cell["rbf_svm"]["accuracy"]["value"] > 0.8
    assert cell["boosted_trees"]["accuracy"]["value"] > 0.8
    assert abs(cell["logistic"]["leakage"]["value"]) < 0.06
    gauss = doc["summary"]["two_class_gaussian"]["leace"]
    for p in st.PROBES:  # a mean shift with shared covariance: nothing left for anyone
        assert abs(gauss[p]["leakage"]["value"]) < 0.06, p


def test_study_findings_read_the_document(doc, tmp_path):
    words = st.findings(doc)
    terms = [t for t, _, _ in words]
    assert "after LEACE, xor_concept" in terms
    published = dict((t, s) for t, s, _ in words)[
        "the published figure (RBF SVM recovers 70-95% after LEACE, 2026)"]
    assert "xor_concept" in published and "70-95%" in published
    assert any(t == "the injection reading: where it fires" for t in terms)
    (caption, head, rows), = st.tables(doc)
    assert head[:2] == ["generator", "eraser"] and len(rows) == 3 * len(st.CONDITIONS)
    figs = study_figures(st, doc, tmp_path)
    assert len(figs) == 1 and (tmp_path / "nonlinear_probes.png").exists()


def test_study_refuses_unknown_generators_and_profiles():
    with pytest.raises(ValueError, match="generators"):
        st.run({**TINY, "generators": ("nope",)})
    with pytest.raises(ValueError, match="profile"):
        st.run("medium")
    with pytest.raises(ValueError, match="eraser"):
        st.build_eraser("inlp", None)
