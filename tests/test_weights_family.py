"""The weights family end to end: registry, a perfect method, a broken one, the study."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from benchmarks.cells import Cell, run_cell
from benchmarks.profiles import get_profile
from benchmarks.registry import FAMILY_NAMES, get_family
from benchmarks.spec import MethodSpec
from benchmarks.weights import FAMILY, bbp_sweep

QUICK = get_profile("quick")
GENERATORS = {g.name: g for g in FAMILY.generators(QUICK)}


class _Oracle(BaseEstimator):
    """Returns the planted pairs, claiming the detectable ones."""

    def __init__(self, truth=None):
        self.truth = truth

    def fit(self, X, y=None):
        gt = self.truth
        self.write_directions_ = gt["write_directions"]
        self.components_ = gt["read_directions"]
        self.n_directions_ = int(gt["n_detectable"])
        return self


def _spec(name, build):
    return MethodSpec(name, "weights", build, builtin=False)


def test_registered():
    assert "weights" in FAMILY_NAMES and get_family("weights") is FAMILY
    assert set(GENERATORS) == {"weights_spikes", "weights_near_equal", "weights_superposition",
                               "weights_null"}


@pytest.mark.parametrize("generator", ["weights_spikes", "weights_near_equal",
                                       "weights_superposition"])
def test_the_planted_pairs_pass_every_check(generator):
    spec = _spec("oracle", lambda train, seed: _Oracle(truth=train.ground_truth))
    record = run_cell(Cell("weights", spec, GENERATORS[generator], QUICK))
    assert record["status"] == "ok", record["error"]
    assert record["metrics"]["pair_cos"]["value"] == pytest.approx(1.0)
    assert record["metrics"]["count_error"]["value"] == 0.0
    assert all(c["passed"] for c in record["checks"].values()), record["checks"]
    if generator != "weights_superposition":
        assert record["metrics"]["span_angle_deg"]["value"] == pytest.approx(0.0, abs=1e-5)


def test_mp_edge_svd_passes_the_spikes_and_the_null():
    svd = next(m for m in FAMILY.methods(QUICK) if m.name == "svd_mp_edge")
    for name in ("weights_spikes", "weights_null"):
        record = run_cell(Cell("weights", svd, GENERATORS[name], QUICK))
        assert all(c["passed"] for c in record["checks"].values()), (name, record["checks"])
    spikes = run_cell(Cell("weights", svd, GENERATORS["weights_spikes"], QUICK))
    m = spikes["metrics"]
    # The closed form predicts the SVD's overlap: measured 0.923 against 0.925.
    assert abs(m["pair_cos"]["value"] - m["predicted_cos"]["value"]) < 0.02


class _Broken(BaseEstimator):
    def fit(self, X, y=None):
        self.components_ = np.ones((2, X.shape[1] + 1))
        self.write_directions_ = np.ones((2, X.shape[0]))
        self.n_directions_ = 1
        return self


class _BadCount(_Broken):
    def fit(self, X, y=None):
        self.components_ = np.ones((2, X.shape[1]))
        self.write_directions_ = np.ones((2, X.shape[0]))
        self.n_directions_ = 3
        return self


@pytest.mark.parametrize("cls, match", [(_Broken, "components_ has shape"),
                                        (_BadCount, "n_directions_")])
def test_a_malformed_method_is_an_error_cell(cls, match):
    record = run_cell(Cell("weights", _spec("bad", lambda train, seed: cls()),
                           GENERATORS["weights_spikes"], QUICK))
    assert record["status"] == "error" and match in record["error"]


def test_study_document_findings_and_figure(monkeypatch, tmp_path):
    monkeypatch.setitem(bbp_sweep.PROFILES, "quick",
                        {"shapes": ((16, 12),), "reps": 3, "null_shape": (16, 12),
                         "n_null": 6})
    doc = bbp_sweep.run("quick", seeds=[0, 1, 2])
    assert len(doc["curves"]) == len(bbp_sweep.RATIOS) and doc["null"]["n"] == 6
    assert doc == bbp_sweep.run("quick", seeds=[0, 1, 2])  # seeded: the same document
    top = next(c for c in doc["curves"] if c["ratio"] == 6.0)
    assert top["write_cos2"]["value"] > 0.8 and top["write_predicted"] > 0.9
    assert doc["null"]["gap"]["min"] >= 1 and doc["null"]["variance"]["mean"] > 3
    terms = [t for t, _, _ in bbp_sweep.findings(doc)]
    assert terms[0] == "SVD overlap, 16x12" and any("mp_edge" in t for t in terms)
    (caption, path), = bbp_sweep.figures(doc, tmp_path)
    assert path.exists() and "BBP" in caption
    with pytest.raises(ValueError, match="profile"):
        bbp_sweep.run("medium")
