"""SAELensSAE: SAELens' own inference SAE scores it, planted features are recovered, fits
are reproducible and ``**config`` survives clone."""

from __future__ import annotations

import importlib.util
import pickle
import tempfile
import warnings

import numpy as np
import pytest
from sklearn.base import clone

torch = pytest.importorskip("torch")
# sae_lens takes ~12 s to import: skip on its presence (not by importing it at collection,
# which every pytest-xdist worker would pay), and keep its tests on one worker.
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("sae_lens") is None,
                       reason="sae-lens not installed (requirements-adapters.txt)"),
    pytest.mark.xdist_group("sae_lens"),
]

from generators.planted_sparse import make_planted_sparse  # noqa: E402
from methods.adapters.saelens import SAELensSAE  # noqa: E402
from metrics.dictionary_similarity import mmcs, recovery_rate  # noqa: E402

ARCHITECTURES = ("standard", "topk", "batchtopk", "jumprelu", "gated", "matryoshka_batchtopk")


@pytest.fixture(scope="module")
def sae_lens():
    """The library, imported when a test needs it."""
    import sae_lens

    return sae_lens


@pytest.fixture(scope="module")
def planted():
    """The quick profile's planted data, seed 0: training split 0 and held-out split 5."""
    train = make_planted_sparse(8192, n_features=32, n_atoms=64, random_state=0, split=0)
    test = make_planted_sparse(2048, n_features=32, n_atoms=64, random_state=0, split=5)
    return train, test


@pytest.fixture(scope="module")
def topk(planted):
    """SAELensSAE("topk") with the defaults on the quick planted data (about 2 s)."""
    return SAELensSAE("topk", 64, random_state=0).fit(planted[0].X)


@pytest.fixture(scope="module")
def small():
    return make_planted_sparse(512, n_features=8, n_atoms=16, random_state=1, split=0).X


def _encode_decode(sae, X):
    with torch.no_grad():
        x = torch.as_tensor(X, dtype=sae.dtype)
        codes = sae.encode(x)
        return codes.numpy().astype(np.float64), sae.decode(codes).numpy().astype(np.float64)


def test_topk_recovers_planted_features(topk, planted):
    # Measured with the defaults: MMCS 0.969, recovery 0.922 (seeds 1, 2: 0.966 / 0.922,
    # 0.976 / 0.922); the bars leave 0.03 and 0.12 of margin.
    F = planted[0].ground_truth["features"]
    assert topk.components_.shape == (64, 32)
    assert mmcs(topk.components_, F) >= 0.94
    assert recovery_rate(topk.components_, F) >= 0.80
    X = planted[1].X
    X_hat = topk.inverse_transform(topk.transform(X))
    fvu = ((X - X_hat) ** 2).sum() / ((X - X.mean(axis=0)) ** 2).sum()
    assert fvu < 0.3  # measured 0.13
    assert np.all((topk.transform(X) > 0).sum(axis=1) <= 5)


def test_outputs_are_the_library_sae(topk, planted, sae_lens):
    X = planted[1].X
    codes, recon = _encode_decode(topk.sae_, X)
    out = topk.transform(X)
    assert out.dtype == np.float64 and out.shape == (X.shape[0], 64)
    np.testing.assert_array_equal(out, codes)
    np.testing.assert_array_equal(topk.inverse_transform(out), recon)
    np.testing.assert_array_equal(topk.components_, topk.sae_.W_dec.detach().numpy())
    # The deployed TopK SAE has the decoder norms folded into the encoder.
    assert isinstance(topk.sae_, sae_lens.TopKSAE)
    np.testing.assert_allclose(np.linalg.norm(topk.components_, axis=1), 1.0, atol=1e-5)


def test_equals_the_model_after_reload(topk, planted, sae_lens):
    X = planted[1].X
    with tempfile.TemporaryDirectory() as tmp:
        topk.sae_.save_model(tmp)
        reloaded = sae_lens.SAE.load_from_disk(tmp)
    codes, recon = _encode_decode(reloaded, X)
    np.testing.assert_array_equal(topk.transform(X), codes)
    np.testing.assert_array_equal(topk.inverse_transform(codes), recon)


def test_pickle_round_trip(topk, planted):
    X = planted[1].X
    copy = pickle.loads(pickle.dumps(topk))
    np.testing.assert_array_equal(copy.transform(X), topk.transform(X))
    np.testing.assert_array_equal(copy.components_, topk.components_)
    assert copy.get_params() == topk.get_params()


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_every_architecture_trains_with_the_defaults(architecture, small, sae_lens):
    est = SAELensSAE(architecture, 16, n_steps=20, batch_size=64, random_state=0).fit(small)
    codes = est.transform(small)
    assert codes.shape == (512, 16) and np.all(np.isfinite(codes))
    lib_codes, lib_recon = _encode_decode(est.sae_, small)
    np.testing.assert_array_equal(codes, lib_codes)
    np.testing.assert_array_equal(est.inverse_transform(codes), lib_recon)
    assert est.components_.shape == (16, 8)
    if architecture in ("batchtopk", "matryoshka_batchtopk"):
        # Saved for deployment as JumpReLU with the learned batch top-k threshold.
        assert isinstance(est.sae_, sae_lens.JumpReLUSAE)


def test_reproducible_and_global_rng_untouched(small):
    kw = dict(n_steps=30, batch_size=64)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = SAELensSAE("topk", 16, random_state=3, k=3, **kw).fit(small)
    assert torch.equal(torch.get_rng_state(), state)
    b = SAELensSAE("topk", 16, random_state=3, k=3, **kw).fit(small)
    c = SAELensSAE("topk", 16, random_state=4, k=3, **kw).fit(small)
    np.testing.assert_array_equal(a.components_, b.components_)
    np.testing.assert_array_equal(a.transform(small), b.transform(small))
    assert not np.allclose(a.components_, c.components_)


def test_clone_keeps_config(small):
    est = SAELensSAE("batchtopk", 16, n_steps=10, batch_size=64, k=3,
                     aux_loss_coefficient=0.5, topk_threshold_lr=0.02)
    params = est.get_params()
    assert params["k"] == 3 and params["aux_loss_coefficient"] == 0.5
    copy = clone(est)
    assert copy.get_params() == params
    copy.fit(small)
    assert copy.sae_.cfg.metadata.training_architecture_details["topk_threshold_lr"] == 0.02
    assert copy.config_["k"] == 3
    copy.set_params(k=2, rescale_acts_by_decoder_norm=False)
    assert clone(copy).get_params()["rescale_acts_by_decoder_norm"] is False
    assert "k=3" in repr(est) and "topk_threshold_lr=0.02" in repr(est)


def test_list_config_is_not_mutated(small):
    widths = [4]
    est = SAELensSAE("matryoshka_batchtopk", 16, n_steps=5, batch_size=64,
                     matryoshka_widths=widths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SAELens warns that it appends the level m
        est.fit(small)
    assert widths == [4] and est.matryoshka_widths == [4]


def test_errors_name_the_argument(small):
    with pytest.raises(ValueError, match="architecture must be one of .*'topk'.*got 'tpok'"):
        SAELensSAE("tpok").fit(small)
    with pytest.raises(ValueError, match="unknown config field 'l1_coefficient' for SAELens "
                                         "architecture 'topk'; its fields are .*'k'"):
        SAELensSAE("topk", 16, l1_coefficient=1.0).fit(small)
    with pytest.raises(ValueError, match="'d_sae' is set by SAELensSAE"):
        SAELensSAE("topk", 16, d_sae=8).fit(small)
    for bad in (0, 2.5, "64"):
        with pytest.raises(ValueError, match="n_components"):
            SAELensSAE("topk", bad).fit(small)
    with pytest.raises(ValueError, match="k must be <= n_components=4"):
        SAELensSAE("topk", 4, k=5).fit(small)
    with pytest.raises(ValueError, match="k must be"):
        SAELensSAE("topk", 4, k="2").fit(small)
    with pytest.raises(ValueError, match="n_steps"):
        SAELensSAE("topk", 16, n_steps=0).fit(small)
    with pytest.raises(ValueError, match="learning_rate"):
        SAELensSAE("topk", 16, learning_rate=-1.0).fit(small)
    with pytest.raises(ValueError, match="X has 7 features"):
        SAELensSAE("topk", 16, n_steps=2, k=2).fit(small).transform(small[:, :7])
