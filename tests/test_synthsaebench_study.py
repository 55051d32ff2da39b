"""The SynthSAEBench study (benchmarks/sparse/synthsaebench.py): targets, reading a sweep at
a target, the published claims' verdicts, the published table, and a tiny end-to-end run."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from benchmarks.sparse import synthsaebench as study

REPO = Path(__file__).resolve().parents[1]


def _est(value, half=0.01, n=3):
    return {"value": value, "low": value - half, "high": value + half, "n": n,
            "confidence": 0.95}


def test_targets_scale_the_published_pair_by_the_presets_true_l0():
    assert study.targets_for(25.0) == {"25": 25.0, "20": 20.0}
    assert study.targets_for(3.5) == {"25": 3.5, "20": 2.8}
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="expected_l0_width"):
            study.targets_for(bad)


def test_settings_deduplicate_k_and_take_the_sweep_for_penalties():
    prof = study.PROFILES["quick"]
    targets = {"25": 3.49, "20": 2.79}
    arch = study.ARCHITECTURES
    assert study.settings(arch["topk_sae"], targets, prof) == [3.0]
    assert study.settings(arch["batchtopk_sae"], targets, prof) == [2.79, 3.49]
    assert study.settings(arch["relu_sae"], targets, prof) == list(prof["sweeps"]["relu_sae"])


def _row(knob, l0, **metrics):
    base = {m: 0.0 for m in study.SUMMARISED}
    base.update(metrics, sae_l0=l0)
    return {"knob": knob, **base}


def test_at_target_interpolates_a_penalty_sweep_in_log_l0():
    arch = study.ARCHITECTURES["relu_sae"]
    rows = [_row(1.0, 4.0, mcc=0.4), _row(2.0, 2.0, mcc=0.8), _row(4.0, 1.0, mcc=0.6)]
    got = study.at_target(rows, arch, math.sqrt(8.0))  # halfway between log 2 and log 4
    assert got["mcc"] == pytest.approx(0.6)
    assert got["sae_l0"] == math.sqrt(8.0)  # what the interpolated numbers stand for
    assert got["l0_read"] == math.sqrt(8.0) and got["bracket"] == [2.0, 1.0]
    w = (math.log(1.5) - math.log(1.0)) / (math.log(2.0) - math.log(1.0))
    assert study.at_target(rows, arch, 1.5)["mcc"] == pytest.approx((1 - w) * 0.6 + w * 0.8)
    assert study.at_target(rows, arch, 4.5) is None  # beyond the sweep: not bracketed
    assert study.at_target(rows, arch, 0.9) is None
    # a pair further apart than MAX_BRACKET_RATIO is not read across (a collapse between)
    wide = [_row(1.0, 9.0, mcc=0.5), _row(2.0, 1.0, mcc=0.1)]
    assert study.MAX_BRACKET_RATIO < 9.0
    assert study.at_target(wide, arch, 3.0) is None


def test_at_target_reads_the_row_of_the_k_architectures():
    rows = [_row(3.0, 3.1, f1_score=0.5), _row(2.79, 2.8, f1_score=0.4)]
    assert study.at_target(rows, study.ARCHITECTURES["topk_sae"], 3.49)["f1_score"] == 0.5
    assert study.at_target(rows, study.ARCHITECTURES["batchtopk_sae"], 2.79)["f1_score"] == 0.4
    assert study.at_target(rows, study.ARCHITECTURES["batchtopk_sae"], 3.49) is None


@pytest.mark.parametrize(("estimates", "position", "verdict"), [
    ({"a": _est(0.9), "b": _est(0.7), "c": _est(0.5)}, "first", "holds"),
    ({"a": _est(0.9), "b": _est(0.895), "c": _est(0.5)}, "first", "holds, not separated"),
    ({"a": _est(0.5), "b": _est(0.9)}, "first", "does not hold"),
    ({"a": _est(0.89), "b": _est(0.9)}, "first", "not separated"),
    ({"a": _est(0.1), "b": _est(0.5), "c": _est(0.9)}, "last", "holds"),
    ({"a": _est(0.9), "b": _est(0.5)}, "last", "does not hold"),
    ({"a": _est(0.9, n=1), "b": _est(0.5, n=1)}, "first", "holds, not separated"),
    ({"b": _est(0.5), "c": _est(0.9)}, "first", "not measured"),
    ({"a": _est(0.5)}, "first", "not measured"),
])
def test_claim_verdicts(estimates, position, verdict):
    assert study.claim_verdict(estimates, "a", position, True)["verdict"] == verdict


def test_published_table_is_the_papers():
    """The published rows at L0 25 as the issue quotes them (F1 / MCC / uniqueness / EV)."""
    quoted = {"BatchTopK": (0.732, 0.757, 0.984, 0.792),
              "Matryoshka": (0.879, 0.793, 0.999, 0.779),
              "MatchPursuit": (0.446, 0.693, 0.828, 0.835),
              "Standard L1": (0.556, 0.604, 0.898, 0.765),
              "JumpReLU": (0.732, 0.753, 0.989, 0.795)}
    for name, values in quoted.items():
        got = tuple(round(study.PUBLISHED["25"][name][m][0], 3)
                    for m in study.PUBLISHED_METRICS)
        assert got == values, name
    assert set(study.PUBLISHED["20"]) == set(quoted)
    published = {a.published for a in study.ARCHITECTURES.values() if a.published}
    assert published == set(quoted)  # every published row has an architecture here


def test_without_sae_lens_the_study_says_what_to_install(monkeypatch):
    monkeypatch.setattr(study, "available", lambda: False)
    doc = study.run("quick")
    assert doc["skipped"] == study.INSTALL
    assert study.findings(doc) == [("not run", study.INSTALL, "")]
    assert study.tables(doc) == []
    assert "requirements-adapters.txt" in study.INSTALL


TINY = {
    "architectures": ("topk_sae", "batchtopk_sae", "relu_sae"),
    "preset": "synthsaebench_ci", "width": 16,
    "overrides": {"num_features": 64, "hidden_dim": 12,
                  "hierarchy": {"total_root_nodes": 1},
                  "orthogonalization": {"num_steps": 5}},
    "n_steps": 30, "batch_size": 64, "learning_rate": 1e-2, "n_heldout": 512,
    "eval_batch": 200, "seeds": (0,), "device": "cpu",
    "sweeps": {"relu_sae": (0.3, 1.0, 3.0, 10.0)},
}


@pytest.fixture(scope="module")
def tiny_doc(tmp_path_factory):
    pytest.importorskip("sae_lens")
    mp = pytest.MonkeyPatch()
    mp.setenv("TOYGROUND_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        yield study.run(TINY, seeds=[0, 1])
    finally:
        mp.undo()


def test_tiny_run_document(tiny_doc):
    doc = tiny_doc
    assert doc["architectures"] == list(TINY["architectures"])
    assert set(doc["targets"]) == {"25", "20"}
    assert doc["samples_per_sae"] == 30 * 64
    # rows: topk one k (deduplicated only if both targets round alike), batchtopk two,
    # relu the sweep, per seed
    n_topk = len({max(1, round(t)) for t in doc["targets"].values()})
    assert len(doc["rows"]) == 2 * (n_topk + 2 + 4)
    for r in doc["rows"]:
        assert r["n_steps"] == 30
        for m in ("mcc", "uniqueness", "f1_score", "explained_variance"):
            assert 0.0 <= r[m] <= 1.0 or m == "explained_variance"
    by = {(s["architecture"], s["target"]): s for s in doc["summary"]}
    bt = by[("batchtopk_sae", "25")]
    assert bt["n_read"] == 2 and bt["sae_l0"]["n"] == 2
    # BatchTopK's training L0 is the target; its inference threshold keeps it close
    assert bt["sae_l0"]["value"] == pytest.approx(doc["targets"]["25"], rel=0.6)
    assert {c["claim"] for c in doc["claims"]} == {c[0] for c in study.CLAIMS}
    mp_claims = [c for c in doc["claims"] if c["claimed"] == "matching_pursuit_sae"]
    assert all(c["verdict"] == "not measured" for c in mp_claims)
    caption, head, rows = study.tables(doc)[0]
    assert "published, 16k" in {r[1] for r in rows}
    assert any(r[0] == "Matryoshka" and r[3] == "0.879 ± 0.002" for r in rows)
    assert study.findings(doc)


def test_tiny_run_is_a_function_of_its_seeds(tiny_doc, monkeypatch, tmp_path):
    """The same seed gives the same rows, whichever architectures share its task."""
    pytest.importorskip("sae_lens")
    alone = study.run_task(1, ["batchtopk_sae"], TINY)["rows"]
    mine = [r for r in tiny_doc["rows"] if r["seed"] == 1 and r["architecture"]
            == "batchtopk_sae"]
    assert len(alone) == len(mine) == 2
    for a, b in zip(alone, mine, strict=True):
        for key in ("mcc", "f1_score", "explained_variance", "sae_l0"):
            np.testing.assert_allclose(a[key], b[key], rtol=1e-12)


def test_tiny_run_on_a_dask_cluster_gives_the_same_rows(tiny_doc, tmp_path, monkeypatch):
    """--scheduler: the tasks run on Dask workers; the rows equal the local run's."""
    distributed = pytest.importorskip("distributed")
    path = os.environ.get("PYTHONPATH")  # the workers import the repository, as a user's
    monkeypatch.setenv("PYTHONPATH", str(REPO) + (os.pathsep + path if path else ""))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  local_directory=str(tmp_path)) as cluster:
        doc = study.run(TINY, seeds=[1], architectures=["batchtopk_sae"],
                        scheduler=cluster.scheduler_address)
    mine = [r for r in tiny_doc["rows"] if r["seed"] == 1
            and r["architecture"] == "batchtopk_sae"]
    assert doc["n_tasks"] == 1 and len(doc["rows"]) == len(mine) == 2
    for a, b in zip(doc["rows"], mine, strict=True):
        np.testing.assert_allclose(a["f1_score"], b["f1_score"], rtol=1e-12)


def test_a_users_sae_trains_beside_the_built_in_ones(tiny_doc):
    """--method: a user's estimator is trained on the same stream at the preset's width,
    with its own sparsity; one without partial_fit/fit_stream gets a finite sample."""
    pytest.importorskip("sae_lens")
    doc = study.run(TINY, seeds=[0], architectures=["batchtopk_sae"],
                    method=["methods.sparse.topk_sae:TopKSAE(k=2, n_steps=5)",
                            "sklearn.decomposition:PCA"])
    names = doc["architectures"]
    assert names[0] == "batchtopk_sae" and len(names) == 3
    users = [s for s in doc["summary"] if s["user"]]
    assert len(users) == 4  # two methods at two targets
    topk = next(s for s in users if "TopKSAE" in s["architecture"])
    assert topk["streamed"] and topk["sae_l0"]["value"] == pytest.approx(2.0, abs=0.5)
    pca = next(s for s in users if "PCA" in s["architecture"])
    assert not pca["streamed"] and pca["n_rows_seen"] == 30 * 64
    rows = study.tables(doc)[0][2]
    assert any("fitted on the first 1,920 rows" in r[1] for r in rows)
    with pytest.raises(ValueError, match="cannot import"):
        study.run(TINY, seeds=[0], method=["nosuch.module:SAE"])


# --- the paired comparison over shared seeds (metrics.noise_floor) --------------------------


def _seeds(*values):
    return {str(s): v for s, v in enumerate(values)}


def test_claim_verdict_paired_calls_what_overlapping_intervals_miss():
    # a above b by 0.01-0.02 on every seed, the seeds' spread 0.1: the intervals overlap,
    # the paired difference does not.
    est = {"a": _est(0.82, half=0.12), "b": _est(0.805, half=0.12)}
    per_seed = {"a": _seeds(0.72, 0.82, 0.92), "b": _seeds(0.71, 0.80, 0.905)}
    assert study.claim_verdict(est, "a", "first", True)["verdict"] == "holds, not separated"
    v = study.claim_verdict(est, "a", "first", True, per_seed)
    assert v["verdict"] == "holds" and v["paired"] and v["links"] == ["separated"]
    assert v["versus"]["b"]["difference"]["value"] == pytest.approx(0.015)
    assert study.claim_verdict(est, "b", "first", True, per_seed)["verdict"] == "does not hold"


def test_claim_verdict_paired_within_noise():
    # Disjoint intervals, per-seed differences of both signs: within noise.
    est = {"a": _est(0.9, half=0.001), "b": _est(0.88, half=0.001)}
    per_seed = {"a": _seeds(0.95, 0.85, 0.90), "b": _seeds(0.86, 0.91, 0.87)}
    assert study.claim_verdict(est, "a", "first", True)["verdict"] == "holds"
    v = study.claim_verdict(est, "a", "first", True, per_seed)
    assert v["verdict"] == "holds, not separated" and v["links"] == ["within noise"]
    assert study.claim_verdict(est, "b", "first", True, per_seed)["verdict"] == "not separated"


def test_a_claim_about_the_last_reads_lowest_first_with_less_than():
    # "relu lowest F1": the order runs up from the lowest, and a called step is "<".
    summary = [_entry("relu_sae", False, (0.10, 0.11, 0.12), (0.5, 0.5, 0.5)),
               _entry("topk_sae", False, (0.30, 0.32, 0.31), (0.6, 0.6, 0.6))]
    c = study.claim_verdict({s["architecture"]: s["f1_score"] for s in summary}, "relu_sae",
                            "last", True, {s["architecture"]: s["per_seed"]["f1_score"]
                                           for s in summary})
    c.update(target="25", metric="f1_score", position="last", ascending=True)
    joined = study._joined(c, {(s["architecture"], "25"): s for s in summary})
    assert c["verdict"] == "holds"
    assert joined.startswith("relu_sae 0.110") and " < topk_sae 0.310" in joined


def _entry(name, null, f1, mcc):
    return {"architecture": name, "target": "25", "null": null, "published": not null,
            "f1_score": study.seed_interval(f1), "mcc": study.seed_interval(mcc),
            "per_seed": {"f1_score": _seeds(*f1), "mcc": _seeds(*mcc)}}


def test_nulls_beaten_is_paired():
    summary = [_entry("sae", False, (0.50, 0.60, 0.70), (0.50, 0.60, 0.70)),
               _entry("null_a", True, (0.48, 0.57, 0.68), (0.52, 0.55, 0.72)),
               _entry("null_b", True, (0.10, 0.10, 0.10), (0.10, 0.10, 0.10))]
    (entry,) = study.nulls_beaten(summary)
    # F1: +0.02, +0.03, +0.02 over the best null: called; MCC: -0.02, +0.05, -0.02: noise.
    assert entry["f1_score"] is True and entry["mcc"] is False
    assert entry["f1_score_vs_null"]["null"] == "null_a"
    assert entry["mcc_vs_null"]["comparison"]["verdict"] == "within noise"
    found = study.findings({"claims": [], "summary": summary, "targets": {"25": 5.0},
                            "nulls_beaten": [entry], "samples_per_sae": 1000, "width": 16,
                            "published": study.PUBLISHED, "preset": "p",
                            "expected_l0_width": 5.0})
    null_line = next(s for t, s, _ in found if t.startswith("beats the training null"))
    assert null_line == ("called above the best random baseline on F1 and MCC, paired over "
                         "the shared seeds: none; not: sae")
