"""SynthSAEBench through `generators.adapters.saelens_synthetic`: the published config, pure
and seeded datasets, ground truth equal to the library's objects, the disk cache, streamed
batches, bad input, and the sparse family scoring it."""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import json
import math
import threading
import tracemalloc

import numpy as np
import pytest
from scipy import sparse

torch = pytest.importorskip("torch")
# sae_lens takes seconds to import: skip on its presence rather than importing it at
# collection (every pytest-xdist worker would pay), and keep these tests on one worker.
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("sae_lens") is None,
                       reason="sae-lens not installed (requirements-adapters.txt)"),
    pytest.mark.xdist_group("sae_lens"),
]

from benchmarks.profiles import get_profile  # noqa: E402
from benchmarks.seeding import SeedStreams, sklearn_seed  # noqa: E402
from benchmarks.sparse.family import score_sparse_seed  # noqa: E402
from benchmarks.spec import GeneratorSpec, MethodSpec  # noqa: E402
from generators.adapters import saelens_synthetic as S  # noqa: E402
from methods.sparse.random_atoms import RandomAtoms  # noqa: E402
from metrics.absorption import absorption, feature_splitting, l0_ratio  # noqa: E402
from metrics.dictionary_similarity import latent_precision_recall  # noqa: E402

CI = "synthsaebench_ci"
N = 4096
# A model that builds in about a second: another config for the cache tests.
TINY = {"num_features": 256, "hidden_dim": 12, "hierarchy": {"total_root_nodes": 2},
        "orthogonalization": {"num_steps": 10}}
# float32 rounding of x = c F + b: each of the (row L0 + 1) terms is rounded once and each
# sum too, so |error| <= (L0 + 2) eps32 sum |terms| (Higham's bound for a dot product).
EPS32 = float(np.finfo(np.float32).eps)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    S._MEMO.clear()
    yield tmp_path_factory.mktemp("toyground-cache")
    S._MEMO.clear()


@pytest.fixture(scope="module")
def model(cache):
    return S.load_synthetic_model(CI, cache_dir=cache, progress=False)


@pytest.fixture(scope="module")
def data(cache, model):
    return S.make_saelens_synthetic(N, preset=CI, random_state=0, cache_dir=cache)


def _same(a, b) -> bool:
    return (np.array_equal(a.X, b.X)
            and all(np.array_equal(getattr(a.ground_truth["codes"], k),
                                   getattr(b.ground_truth["codes"], k))
                    for k in ("data", "indices", "indptr")))


def test_16k_preset_is_the_published_config():
    syn = pytest.importorskip("sae_lens.synthetic")
    published = syn.SyntheticModelConfig(
        num_features=16_384, hidden_dim=768,
        firing_probability=syn.ZipfianFiringProbabilityConfig(exponent=0.5, max_prob=0.4,
                                                               min_prob=5e-4),
        hierarchy=syn.HierarchyConfig(total_root_nodes=128, branching_factor=4, max_depth=3,
                                      mutually_exclusive_portion=1.0,
                                      mutually_exclusive_min_depth=0,
                                      compensate_probabilities=True,
                                      scale_children_by_parent=True),
        orthogonalization=syn.OrthogonalizationConfig(num_steps=100, lr=3e-4),
        correlation=syn.LowRankCorrelationConfig(rank=25, correlation_scale=0.1),
        mean_firing_magnitudes=syn.LinearMagnitudeConfig(start=5.0, end=4.0),
        std_firing_magnitudes=syn.FoldedNormalMagnitudeConfig(mean=0.5, std=0.5), bias=0.5,
        seed=42)
    ours = S.synthetic_config("synthsaebench_16k")
    for field in dataclasses.fields(published):
        assert getattr(ours, field.name) == getattr(published, field.name), field.name
    assert S.PRESETS["synthsaebench_16k"].width == 4096
    # The reduced presets: the recipe with F / d, roots = F / 128 and width = F / 4 kept.
    sizes = {"num_features", "hidden_dim"}
    for name in ("synthsaebench_ci", "synthsaebench_hour"):
        cfg, preset = S.synthetic_config(name), S.PRESETS[name]
        assert cfg.num_features / cfg.hidden_dim == pytest.approx(16_384 / 768)
        assert cfg.hierarchy.total_root_nodes == cfg.num_features // 128
        assert preset.width == cfg.num_features // 4
        assert dataclasses.replace(cfg.hierarchy, total_root_nodes=128) == published.hierarchy
        for field in dataclasses.fields(published):
            if field.name not in sizes | {"hierarchy"}:
                assert getattr(cfg, field.name) == getattr(published, field.name), field.name


def test_overrides_merge_over_the_preset():
    cfg = S.synthetic_config(CI, hierarchy={"total_root_nodes": 4}, bias=0.25)
    assert cfg.hierarchy.total_root_nodes == 4 and cfg.hierarchy.branching_factor == 4
    assert cfg.hierarchy.scale_children_by_parent and cfg.bias == 0.25
    syn = pytest.importorskip("sae_lens.synthetic")
    cfg = S.synthetic_config(CI, hierarchy=syn.HierarchyConfig(total_root_nodes=3),
                             correlation=None, mean_firing_magnitudes=2.0)
    assert cfg.hierarchy == syn.HierarchyConfig(total_root_nodes=3)
    assert cfg.correlation is None and cfg.mean_firing_magnitudes == 2.0


def test_dataset_is_a_pure_function_of_its_seed_and_split(cache, data):
    again = S.make_saelens_synthetic(N, preset=CI, random_state=np.random.SeedSequence(0),
                                     cache_dir=cache)
    assert _same(data, again)
    other_seed = S.make_saelens_synthetic(N, preset=CI, random_state=1, cache_dir=cache)
    other_split = S.make_saelens_synthetic(N, preset=CI, random_state=0, split=1,
                                           cache_dir=cache)
    assert not np.allclose(data.X, other_seed.X)
    assert not np.allclose(data.X, other_split.X)
    # Fewer rows are the first rows of the same stream.
    head = S.make_saelens_synthetic(100, preset=CI, random_state=0, cache_dir=cache)
    assert np.array_equal(head.X, data.X[:100])
    assert data.X.dtype == np.float64 and data.X.shape == (N, 48)


def test_global_torch_rng_is_untouched(cache, model):
    torch.manual_seed(123)
    before = torch.get_rng_state()
    S.make_saelens_synthetic(64, preset=CI, random_state=5, cache_dir=cache)
    list(S.synthetic_batches(model, 32, 2, 5))
    assert torch.equal(before, torch.get_rng_state())


def test_caller_draws_between_batches_do_not_move_the_stream(model):
    batches = S.synthetic_batches(model, 32, 2, 5)
    first = next(batches)
    torch.randn(10)  # the caller draws between two batches
    second = next(batches)
    undisturbed = list(S.synthetic_batches(model, 32, 2, 5))
    assert np.array_equal(first, undisturbed[0]) and np.array_equal(second, undisturbed[1])


def test_ground_truth_is_the_library_objects(model, data):
    truth = data.ground_truth
    F, d = model.cfg.num_features, model.cfg.hidden_dim
    assert np.array_equal(truth["features"],
                          model.feature_dict.feature_vectors.detach().numpy().astype(float))
    assert np.array_equal(truth["bias"], model.feature_dict.bias.detach().numpy().astype(float))
    assert np.array_equal(truth["sampler_probabilities"],
                          model.activation_generator.firing_probabilities.numpy().astype(float))
    assert truth["n_true_features"] == F == 1024 and truth["features"].shape == (F, d)
    np.testing.assert_allclose(np.linalg.norm(truth["features"], axis=1), 1.0, atol=1e-6)
    codes = truth["codes"]
    assert isinstance(codes, sparse.csr_array) and codes.shape == (N, F)
    assert codes.dtype == np.float64 and np.all(codes.data > 0)
    # X = codes @ features + bias, up to float32 rounding of the library's product.
    terms = abs(codes) @ np.abs(truth["features"]) + np.abs(truth["bias"])
    l0 = np.diff(codes.indptr)[:, None]
    err = np.abs(data.X - (codes @ truth["features"] + truth["bias"]))
    assert np.all(err <= (l0 + 2) * EPS32 * terms), float(err.max())


def test_children_fire_only_with_their_parent(data):
    truth = data.ground_truth
    parent, codes = truth["parent"], sparse.csc_array(truth["codes"])
    # 8 trees of 1 + 4 + 16 + 64 features; the other 344 features are outside any tree.
    assert int(truth["in_hierarchy"].sum()) == 8 * 85 and int((parent >= 0).sum()) == 8 * 84
    assert np.all(np.bincount(parent[parent >= 0])[np.unique(parent[parent >= 0])] == 4)
    fired = 0
    for child in np.flatnonzero(parent >= 0):
        rows = codes.indices[codes.indptr[child]:codes.indptr[child + 1]]
        p = parent[child]
        parent_rows = codes.indices[codes.indptr[p]:codes.indptr[p + 1]]
        assert np.all(np.isin(rows, parent_rows)), f"feature {child} fired without {p}"
        fired += rows.size
    assert fired > 1000  # the check saw children fire
    # Mutually exclusive siblings: at most one active child per parent and row.
    group = truth["exclusive_group"]
    assert np.array_equal(group, parent)  # every group is exclusive in this recipe
    csr = truth["codes"]
    rows = np.repeat(np.arange(N), np.diff(csr.indptr))
    g = group[csr.indices]
    keys = rows[g >= 0] * codes.shape[1] + g[g >= 0]
    assert np.unique(keys).size == keys.size


def test_l0_entries(data, model):
    truth = data.ground_truth
    codes = truth["codes"]
    assert truth["true_l0"] == codes.nnz / N
    assert np.array_equal(truth["width_features"], np.arange(256))  # Zipf: descending
    assert truth["true_l0_width"] == sparse.csr_array(codes[:, :256]).nnz / N
    assert truth["width"] == 256 and truth["preset"] == CI
    assert truth["expected_l0"] == pytest.approx(truth["marginal_rates"].sum())
    # The reference mean and these rows' mean agree within their sampling error.
    sd = np.diff(codes.indptr).std()
    assert abs(truth["true_l0"] - truth["expected_l0"]) < 5 * sd * math.sqrt(1 / N + 2**-16)
    assert 6.0 < truth["expected_l0"] < 8.5  # the lead's 7.1 on one core
    assert truth["expected_l0_width"] < truth["expected_l0"]
    facts = data.facts()
    assert {"true_l0", "true_l0_width", "expected_l0", "expected_l0_width", "width",
            "n_true_features", "preset"} <= set(facts)


def test_second_load_reads_the_cache(cache, model, monkeypatch):
    S._MEMO.clear()

    def no_build(*args, **kwargs):
        raise AssertionError("rebuilt a cached model")

    monkeypatch.setattr(S, "_build_model", no_build)
    again = S.load_synthetic_model(CI, cache_dir=cache)
    assert again is not model
    assert S.load_synthetic_model(CI, cache_dir=cache) is again  # the in-process memo
    assert torch.equal(again.feature_dict.feature_vectors, model.feature_dict.feature_vectors)
    assert torch.equal(again.activation_generator.firing_probabilities,
                       model.activation_generator.firing_probabilities)


def test_loaded_model_samples_as_a_fresh_build(model):
    syn = pytest.importorskip("sae_lens.synthetic")
    fresh = S._build_model(S.synthetic_config(CI), progress=False)
    assert isinstance(fresh, syn.SyntheticModel)
    assert torch.equal(fresh.feature_dict.feature_vectors, model.feature_dict.feature_vectors)
    assert torch.equal(fresh.feature_dict.bias, model.feature_dict.bias)
    assert torch.equal(fresh.activation_generator.firing_probabilities,
                       model.activation_generator.firing_probabilities)
    assert fresh.hierarchy == model.hierarchy
    assert torch.equal(fresh.correlation_matrix.correlation_factor,
                       model.correlation_matrix.correlation_factor)
    for (xa, ca), (xb, cb) in zip(S.synthetic_batches(fresh, 512, 2, 9, with_codes=True),
                                  S.synthetic_batches(model, 512, 2, 9, with_codes=True),
                                  strict=True):
        assert np.array_equal(xa, xb) and (ca != cb).nnz == 0


def test_cache_folders(cache, model, monkeypatch, tmp_path):
    folder = S.model_folder(CI, cache_dir=cache)
    assert folder.parent == cache.resolve() / "saelens-synthetic"
    meta = json.loads((folder / S.META_FILE).read_text())
    assert meta["key"] == folder.name and len(meta["marginal_rates"]) == 1024
    tiny = S.model_folder(CI, cache_dir=cache, **TINY)
    assert tiny != folder and tiny.parent == folder.parent
    monkeypatch.setenv("TOYGROUND_CACHE", str(tmp_path / "a"))
    assert S.cache_root() == tmp_path / "a"
    monkeypatch.delenv("TOYGROUND_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert S.cache_root() == tmp_path / "xdg" / "toyground"
    with pytest.raises(ValueError, match="inside the repository"):
        S.cache_root(S.REPOSITORY / "cache")
    assert not list(S.REPOSITORY.rglob("saelens-synthetic"))
    assert not list(S.REPOSITORY.rglob("*.safetensors"))


def test_a_writer_that_loses_the_race_uses_the_winners_model(cache):
    S.load_synthetic_model(CI, cache_dir=cache, progress=False, **TINY)
    folder = S.model_folder(CI, cache_dir=cache, **TINY)
    winner = (folder / "synthetic_model.safetensors").read_bytes()
    S._build_into(folder, S.synthetic_config(CI, **TINY), progress=False)  # loses: no error
    assert (folder / "synthetic_model.safetensors").read_bytes() == winner
    assert [p.name for p in folder.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_process_waits_for_another_building_the_same_model(cache, monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    folder = S.model_folder(CI, cache_dir=cache, **TINY, bias=0.25)
    folder.parent.mkdir(parents=True, exist_ok=True)
    builds, errors = [], []
    monkeypatch.setattr(S, "_build_into", lambda *args: builds.append(args))

    def load():
        try:
            S.load_synthetic_model(CI, cache_dir=cache, progress=False, **TINY, bias=0.25)
        except FileNotFoundError as exc:  # the stubbed build wrote nothing
            errors.append(exc)

    with open(folder.parent / f"{folder.name}.lock", "w") as other:
        fcntl.flock(other, fcntl.LOCK_EX)  # another process is building this model
        waiter = threading.Thread(target=load)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive() and builds == []  # it waits, without building
        fcntl.flock(other, fcntl.LOCK_UN)
    waiter.join(60)  # a ceiling for a busy machine: the waiter ends as soon as it is free
    assert not waiter.is_alive() and len(builds) == 1 and len(errors) == 1


def test_synthetic_batches_are_deterministic_and_flat_in_memory(model):
    a = list(S.synthetic_batches(model, 128, 3, 7))
    b = list(S.synthetic_batches(model, 128, 3, np.random.SeedSequence(7)))
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert a[0].shape == (128, 48) and a[0].dtype == np.float32
    assert not np.array_equal(a[0], a[1])
    with_codes = list(S.synthetic_batches(model, 128, 3, 7, with_codes=True))
    assert all(np.array_equal(x, xc) for x, (xc, _) in zip(a, with_codes, strict=True))
    endless = list(itertools.islice(S.synthetic_batches(model, 128, None, 7), 3))
    assert all(np.array_equal(x, y) for x, y in zip(a, endless, strict=True))

    def peak(n_batches: int) -> int:
        tracemalloc.start()
        for _ in S.synthetic_batches(model, 256, n_batches, 1, with_codes=True):
            pass
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    p10, p100 = peak(10), peak(100)
    assert p10 > 256 * 48 * 4  # it sees at least one batch
    assert p100 < 1.5 * p10, (p10, p100)


def test_rows_of_a_dataset_are_the_stream_of_its_split(cache, model, data):
    seq = S.child_seed(0, S.SAMPLES, 0)
    B = S.chunk_rows(1024)
    first = next(S.synthetic_batches(model, B, 1, seq, dtype=np.float64))
    assert np.array_equal(first, data.X[:B])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_samples": 0}, "n_samples"),
    ({"n_samples": 10, "preset": "synthsaebench_1m"}, "synthsaebench_16k"),
    ({"n_samples": 10, "num_feature": 64}, "num_features"),
    ({"n_samples": 10, "hierarchy": {"roots": 2}}, "total_root_nodes"),
    ({"n_samples": 10, "seed": None}, "seed must be an int"),
    ({"n_samples": 10, "width": 2048}, "width"),
    ({"n_samples": 10, "split": -1}, "split"),
    ({"n_samples": 10, "random_state": "a"}, "random_state"),
    ({"n_samples": 10, "device": "tpu"}, "device"),
    ({"n_samples": 10, "cache_dir": S.REPOSITORY}, "inside the repository"),
    ({"n_samples": 10, "firing_probability": {"generator_name": "nope"}}, "zipfian"),
])
def test_bad_input_is_refused_before_any_work(kwargs, match, monkeypatch):
    monkeypatch.setattr(S, "load_synthetic_model", lambda *a, **k: pytest.fail("loaded"))
    with pytest.raises(ValueError, match=match):
        S.make_saelens_synthetic(**kwargs)


def test_bad_batches_input(model):
    with pytest.raises(ValueError, match="batch_size"):
        S.synthetic_batches(model, 0, 1, 0)
    with pytest.raises(ValueError, match="n_batches"):
        S.synthetic_batches(model, 8, -1, 0)
    with pytest.raises(ValueError, match="SyntheticModel"):
        S.synthetic_batches(object(), 8, 1, 0)


def test_sparse_family_scores_it(cache):
    spec = GeneratorSpec("saelens_synthetic", "sparse", S.make_saelens_synthetic,
                         {"n_samples": 2048, "preset": CI, "cache_dir": cache})
    method = MethodSpec("random", "sparse",
                        lambda train, seed: RandomAtoms(random_state=sklearn_seed(seed)),
                        builtin=False)
    result = score_sparse_seed(method, spec, SeedStreams("saelens_synthetic", 0),
                               get_profile("quick"))
    assert result["n_true_features"] == 1024 and result["has_features"]
    assert result["ground_truth"]["true_l0"] > 0
    for key in ("mmcs", "mean_f1", "l0_ratio", "feature_splitting", "matched_mcc"):
        assert np.isfinite(result[key]), key
    assert result["mmcs"] < 0.9  # random atoms recover nothing


def test_code_metrics_read_the_sparse_codes_without_densifying(data):
    truth = data.ground_truth
    C, T = truth["codes"], truth["features"]
    rng = np.random.default_rng(0)
    atoms = T[:64] + 0.1 * rng.standard_normal((64, T.shape[1]))
    codes = np.maximum(data.X @ atoms.T, 0.0)  # a crude encoder, (N, 64)
    dense_bytes = C.shape[0] * C.shape[1] * 8

    def run(true_codes):
        return (absorption(codes, true_codes, atoms, T, truth["parent"]),
                latent_precision_recall(codes, true_codes, atoms, T),
                feature_splitting(codes, true_codes, atoms, T),
                l0_ratio(codes, true_codes))

    tracemalloc.start()
    from_sparse = run(C)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < dense_bytes / 4, (peak, dense_bytes)
    from_dense = run(C.toarray())
    for a, b in zip(from_sparse, from_dense, strict=True):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert from_sparse[0]["n_scored"] > 0
