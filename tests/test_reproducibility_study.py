"""The reproducibility study (tiny profiles) and the ``init_components`` start it relies on."""

import json

import numpy as np
import pytest
from sklearn.base import clone

from benchmarks.seeding import SeedStreams
from benchmarks.sparse import reproducibility as rs
from benchmarks.sparse.family import SIZES
from benchmarks.study_cli import study_figures
from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.frozen_sae import FrozenSAE
from methods.sparse.gated_sae import GatedSAE
from methods.sparse.jumprelu_sae import JumpReluSAE
from methods.sparse.matching_pursuit_sae import MatchingPursuitSAE
from methods.sparse.matryoshka_sae import MatryoshkaSAE
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.topk_sae import TopKSAE
from metrics.claimed_features import alive_atoms
from metrics.reproducibility import pairwise_mcc

SAES = (ReluSAE, TopKSAE, BatchTopKSAE, MatryoshkaSAE, JumpReluSAE, GatedSAE,
        MatchingPursuitSAE, FrozenSAE)
# float32 training: a unit row cast to float32 is within a few float32 ulps of the float64
# one (eps32 = 1.2e-7).
FLOAT32_ROW = 1e-6


def _tiny(cls, **kw):
    k = {"k": 1} if "k" in cls().get_params() else {}
    return cls(n_components=4, n_steps=1, batch_size=8, **k, **kw)


def _data(n=64, d=3, seed=0):
    return np.random.default_rng(seed).standard_normal((n, d))


def _start(d=3, m=4, seed=1):
    return 3.0 * np.random.default_rng(seed).standard_normal((m, d))


# --- the init_components hyperparameter of every numpy SAE ---------------------------------


@pytest.mark.parametrize("cls", SAES, ids=lambda c: c.__name__)
def test_init_components_is_the_start(cls):
    # A learning rate far below float32's resolution of a unit row: one step leaves the
    # decoder where it started, the given rows scaled to unit norm.
    W = _start()
    est = _tiny(cls, init_components=W, learning_rate=1e-12, random_state=0).fit(_data())
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    assert np.allclose(est.components_, unit, atol=FLOAT32_ROW)
    assert "init_components" in est.get_params()
    assert np.array_equal(clone(est).get_params()["init_components"], W)


def test_frozen_decoder_keeps_the_given_rows_exactly():
    W = _start(d=5, m=6)
    est = FrozenSAE(6, k=2, n_steps=20, batch_size=16, init_components=W,
                    random_state=3).fit(_data(d=5))
    unit = (W / np.linalg.norm(W, axis=1, keepdims=True)).astype(np.float32)
    assert np.array_equal(est.components_, unit.astype(np.float64))
    assert np.array_equal(est.initial_components_, est.components_)


def test_same_start_different_seeds_differ_only_in_training():
    W, X = _start(d=5, m=6), _data(n=256, d=5)
    a = FrozenSAE(6, k=2, frozen="encoder", n_steps=30, batch_size=16, init_components=W,
                  random_state=1).fit(X)
    b = clone(a).set_params(random_state=2).fit(X)
    assert np.array_equal(a.initial_components_, b.initial_components_)
    assert not np.array_equal(a.components_, b.components_)  # batch orders differ
    c = clone(a).fit(X)
    assert np.array_equal(a.components_, c.components_)  # same seed: bit-identical


def test_default_start_is_unchanged_by_the_mechanism():
    # init_components=None draws the random start from random_state exactly as before:
    # the frozen decoder is the rows random_unit_rows draws first from the seed.
    from methods.sparse.sae_training import random_unit_rows

    est = FrozenSAE(4, k=1, n_steps=1, batch_size=8, random_state=5).fit(_data())
    expected = random_unit_rows(np.random.default_rng(5), 4, 3, np.float32)
    assert np.array_equal(est.components_, expected.astype(np.float64))


@pytest.mark.parametrize("cls", SAES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 3)), r"shape \(n_components, n_features\) = \(4, 3\)"),
    (np.ones((4, 2)), r"shape \(n_components, n_features\) = \(4, 3\)"),
    (np.ones(12), "must be 2-D"),
    (np.vstack([np.ones((3, 3)), np.zeros((1, 3))]), r"rows of norm 0 \(rows \[3\]\)"),
    (np.full((4, 3), np.nan), "contains NaN"),
    ([["a", "b", "c"]] * 4, "numeric"),
])
def test_bad_init_components_is_named_before_training(cls, bad, match):
    est = _tiny(cls, init_components=bad)
    with pytest.raises(ValueError, match=f"init_components.*{match}|{match}.*"):
        est.fit(_data())
    assert not hasattr(est, "components_")


# --- the study -------------------------------------------------------------------------------

_BUDGET = {"n_steps": 40, "batch_size": 64, "learning_rate": 1e-2}
# A problem small enough that one generator-seed task (13 fits) takes ~0.2 s.
TINY = {"d": 8, "m": 12, "n_atoms": 12, "n_train": 512, "n_heldout": 256, "seeds": (0, 1, 2),
        "n_draws": 30, "kmeans_iter": 20,
        "generators": ("planted_sparse", "isotropic_gaussian", "uniform_cube"),
        "methods": tuple(rs.METHODS), "shared_start": ("topk",),
        "shared_start_generators": ("planted_sparse", "isotropic_gaussian"),
        "control_generators": rs.NULL_GENERATORS, "control_methods": ("topk", "relu"),
        "budget": {name: dict(_BUDGET) for name in rs.METHODS}}


@pytest.fixture(scope="module")
def doc():
    return rs.run(TINY)


def _numbers(d):
    return {k: v for k, v in d.items() if k not in ("wall_s", "cpu_s", "jobs")}


def _without_times(rows):
    return [{k: v for k, v in r.items() if k != "pair_cpu_s"} for r in rows]


def test_document_has_every_pair_and_start_and_is_json(doc):
    assert len(doc["pairs"]) == 3 * 3 * len(rs.METHODS)
    assert len(doc["starts"]) == 2 * 3 * len(rs.STARTS)
    assert len(doc["summary"]) == 3 * len(rs.METHODS)
    assert len(doc["controls"]) == 2 * 3 * 2 and len(doc["control_summary"]) == 2 * 2
    assert [v["generator"] for v in doc["null_verdicts"]] == list(rs.NULL_GENERATORS)
    json.dumps(doc)
    for r in doc["pairs"]:
        assert 0.0 <= r["mcc"] <= 1.0
        assert 0 < r["p_random"] <= 1 and r["random_band"]["n_draws"] == 30


def test_study_is_reproducible_and_independent_of_jobs(doc):
    again = rs.run(TINY)
    assert _without_times(again["pairs"]) == _without_times(doc["pairs"])
    assert again["starts"] == doc["starts"] and again["controls"] == doc["controls"]
    one_seed = dict(TINY, seeds=(1,), generators=("isotropic_gaussian",))
    serial, parallel = rs.run(one_seed, jobs=1), rs.run(one_seed, jobs=2)
    assert _without_times(serial["pairs"]) == _without_times(parallel["pairs"])
    assert serial["starts"] == parallel["starts"]


def test_frozen_decoder_pair_is_the_mcc_of_its_two_random_starts():
    streams = SeedStreams("isotropic_gaussian", 0)
    spec = rs._spec("isotropic_gaussian", TINY)
    X, T = spec.dataset(streams, rs.TRAIN).X, spec.dataset(streams, rs.HELDOUT, n_samples=256).X
    a, b = (rs._fit("frozen_decoder", TINY, streams.method(r), X) for r in (0, 1))
    read = rs._Bands(streams, 30).read(a, b, T)
    live = [e.initial_components_[alive_atoms(e.transform(T))] for e in (a, b)]
    assert read["mcc"] == pytest.approx(pairwise_mcc(*live), abs=1e-12)


def test_runs_that_do_not_move_agree_exactly_when_their_start_is_shared():
    # A learning rate below float32's resolution: every run stays at its start, so a shared
    # start gives PW-MCC 1 and independent k-means starts give the MCC of the two starts.
    frozen_lr = dict(TINY, seeds=(0, 1, 2), generators=("isotropic_gaussian",),
                     methods=("topk",), control_generators=(),
                     budget={"topk": dict(_BUDGET, learning_rate=1e-12)})
    out = rs.run(frozen_lr)
    for r in out["starts"]:
        if r["start"].startswith("shared"):
            assert r["mcc"] == pytest.approx(1.0, abs=1e-6) and r["start_mcc"] == 1.0
        if r["start"] == "independent k-means":
            assert r["mcc"] == pytest.approx(r["start_mcc"], abs=1e-5)
    e = out["start_summary"][0]
    assert e["shared_kmeans_effect"]["verdict"] == "above"
    assert e["shared_random_effect"]["verdict"] == "above"


def test_random_band_is_drawn_once_per_pair_of_live_counts():
    bands = rs._Bands(SeedStreams("uniform_cube", 4), 25)
    first = bands.random_band(10, 12, 8)
    assert bands.random_band(10, 12, 8) is first
    fresh = rs._Bands(SeedStreams("uniform_cube", 4), 25)
    fresh.random_band(3, 3, 8)  # another count first: the stream does not depend on order
    assert np.array_equal(fresh.random_band(10, 12, 8).values, first.values)
    other_seed = rs._Bands(SeedStreams("uniform_cube", 5), 25).random_band(10, 12, 8)
    assert not np.array_equal(other_seed.values, first.values)


def test_kmeans_start_is_centres_minus_the_mean():
    X = np.random.default_rng(0).standard_normal((200, 4)) + 5.0
    D = rs.kmeans_start(X, 6, np.random.SeedSequence(0))
    assert D.shape == (6, 4)
    assert abs(D.mean(axis=0) @ np.ones(4)) < 5.0  # centred: the +5 offset is gone


def test_quick_profile_uses_the_family_budgets():
    quick = rs.PROFILES["quick"]
    for name, key in (("topk", "topk_sae"), ("batchtopk", "batchtopk_sae"),
                      ("relu", "relu_sae")):
        assert quick["budget"][name] == SIZES["quick"][key]
    assert quick["budget"]["frozen_decoder"]["n_steps"] == 100
    assert len(quick["seeds"]) >= 3 and set(quick["methods"]) >= {"topk", "batchtopk", "relu"}


def _entry(verdict, n_beyond, n=3):
    return {"seeds": list(range(n)), "vs_random": {"verdict": verdict},
            "mcc": {"value": 0.45, "low": 0.44, "high": 0.46},
            "n_beyond_random": n_beyond, "vs_orthogonal": {"verdict": "within noise"},
            "n_beyond_orthogonal": 0}


@pytest.mark.parametrize("verdict, n_beyond, reading", [
    ("above", 2, "beyond chance"), ("above", 3, "beyond chance"),
    ("above", 1, "above chance's mean, inside its band"), ("within noise", 1, "at chance"),
    ("within noise", 2, "beyond chance"), ("below", 0, "below chance"),
])
def test_chance_reading(verdict, n_beyond, reading):
    assert rs.chance_reading(_entry(verdict, n_beyond), "random") == reading


def test_null_verdict_names_the_methods_beyond_chance_and_why():
    summary = [dict(_entry("above", 3), generator="uniform_cube", method="relu"),
               dict(_entry("within noise", 0), generator="uniform_cube", method="topk")]
    (v,) = rs.null_verdicts(summary)
    assert not v["all_at_chance"]
    assert v["per_method"]["relu"]["at_chance"] is False
    assert v["per_method"]["topk"]["at_chance"] is True
    term, sentence, note = rs._null_finding(v)
    assert "ReLU-L1 0.450 [0.440, 0.460] is beyond chance (seeds above the 0.99 quantile: " \
        "3/3 of random atoms', 0/3" in sentence and "geometry" in sentence
    assert "at chance: TopK" in sentence and "with its reason" in note


def _oriented(generator, control_beyond):
    entry = dict(_entry("within noise", 1), generator=generator, method="batchtopk",
                 vs_orthogonal={"verdict": "above"}, n_beyond_orthogonal=3)
    control = dict(_entry("within noise", 0), generator=generator, method="batchtopk",
                   mcc={"value": 0.4, "low": 0.39, "high": 0.41},
                   vs_orthogonal={"verdict": "above" if control_beyond else "within noise"},
                   n_beyond_orthogonal=3 if control_beyond else 0)
    return rs.null_verdicts([entry], [control])[0]


def test_null_verdict_reads_the_another_sample_control():
    shared = rs._null_finding(_oriented("isotropic_gaussian", control_beyond=False))[1]
    assert "one training sample both runs shared" in shared
    law = rs._null_finding(_oriented("uniform_cube", control_beyond=True))[1]
    assert "generator's law" in law and "0.400 [0.390, 0.410]" in law
    (bare,) = rs.null_verdicts([dict(_entry("within noise", 0), generator="uniform_cube",
                                     method="topk", vs_orthogonal={"verdict": "above"},
                                     n_beyond_orthogonal=2)])
    assert "no control run" in rs._null_finding(bare)[1]


def test_findings_and_figure_read_the_document(doc, tmp_path):
    found = rs.findings(doc)
    terms = [t for t, _, _ in found]
    assert sum(t.startswith("PW-MCC across seeds") for t in terms) == 3
    assert sum(t.startswith("Reproducibility on a null") for t in terms) == 2
    assert sum(t.startswith("Shared start") for t in terms) == 2
    for _, sentence, _ in found:
        assert any(ch.isdigit() for ch in sentence)
    figs = study_figures(rs, doc, tmp_path)
    assert len(figs) == 1 and (tmp_path / "reproducibility.png").stat().st_size > 0


@pytest.mark.parametrize("change, match", [
    ({"generators": ("planted_sparse", "moons")}, "generators"),
    ({"methods": ()}, "methods"),
    ({"methods": ("topk", "sparsenet")}, "methods"),
    ({"shared_start": ("nope",)}, "shared_start"),
    ({"control_methods": ("nope",)}, "control_methods"),
])
def test_bad_profiles_are_named(change, match):
    with pytest.raises(ValueError, match=match):
        rs.run(dict(TINY, **change))


def test_bad_seeds_and_jobs_are_named():
    with pytest.raises(ValueError, match="seeds"):
        rs.run(TINY, seeds=[])
    with pytest.raises(ValueError, match="seeds"):
        rs.run(TINY, seeds=[-1])
    with pytest.raises(ValueError, match="jobs"):
        rs.run(TINY, jobs=0)
    with pytest.raises(ValueError, match="profile"):
        rs.run("medium")
