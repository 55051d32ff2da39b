"""The matching-pursuit SAE against SAELens's own: the built-in `MatchingPursuitSAE` encodes
as SAELens's ``MatchingPursuitSAE`` given the same weights, and ``SAELensSAE(
"matching_pursuit")`` trains and recovers the quick planted features."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("sae_lens") is None,
                       reason="sae-lens not installed (requirements-adapters.txt)"),
    pytest.mark.xdist_group("sae_lens"),
]

from generators.planted_sparse import make_planted_sparse, random_unit_rows  # noqa: E402
from methods.adapters.saelens import SAELensSAE  # noqa: E402
from methods.sparse.matching_pursuit_sae import MatchingPursuitSAE  # noqa: E402
from metrics.dictionary_similarity import mmcs, recovery_rate  # noqa: E402

# float32 SAELens against the float64 built-in: k steps of O(1) correlations, each with
# rounding of a few float32 ulps (1.2e-7) of |x| ~ 3.
FLOAT32_ATOL = 1e-5
# Both in float64: rounding of a few ulps of |x|.
FLOAT64_ATOL = 1e-12


@pytest.fixture(scope="module")
def sae_lens():
    import sae_lens

    return sae_lens


def _library_sae(sae_lens, W, b_dec, dtype, **cfg):
    m, d = W.shape
    config = sae_lens.MatchingPursuitSAEConfig(d_in=d, d_sae=m, dtype=dtype, **cfg)
    sae = sae_lens.MatchingPursuitSAE(config)
    sae.load_state_dict({"W_dec": torch.as_tensor(W, dtype=sae.dtype),
                         "b_dec": torch.as_tensor(b_dec, dtype=sae.dtype)})
    return sae.eval()


def _builtin(W, b_dec, **params):
    m, d = W.shape
    est = MatchingPursuitSAE(m, n_steps=1, batch_size=4, **params).fit(
        np.random.default_rng(0).standard_normal((8, d)))
    est.components_, est.decoder_bias_ = W, b_dec
    return est


@pytest.mark.parametrize("params", [
    dict(k=5, residual_threshold=1e-2, stop_on_duplicate_support=True),
    dict(k=12, residual_threshold=0.0, stop_on_duplicate_support=True),
    dict(k=7, residual_threshold=0.0, stop_on_duplicate_support=False),
    dict(k=40, residual_threshold=0.5, stop_on_duplicate_support=False),
])
@pytest.mark.parametrize("dtype,atol", [("float32", FLOAT32_ATOL), ("float64", FLOAT64_ATOL)])
def test_codes_equal_the_library_encode(sae_lens, params, dtype, atol):
    rng = np.random.default_rng(3)
    m, d = 48, 16
    W = random_unit_rows(rng, m, d)
    b_dec = 0.2 * rng.standard_normal(d)
    X = make_planted_sparse(1000, n_features=d, n_atoms=m, random_state=3).X
    est = _builtin(W, b_dec, **params)
    sae = _library_sae(sae_lens, W, b_dec, dtype,
                       max_iterations=params["k"],
                       residual_threshold=params["residual_threshold"],
                       stop_on_duplicate_support=params["stop_on_duplicate_support"])
    with torch.no_grad():
        lib = sae.encode(torch.as_tensor(X, dtype=sae.dtype))
        lib_recon = sae.decode(lib).numpy()
    lib = lib.numpy().astype(np.float64)
    codes = est.transform(X)
    # the same atoms are selected (no near-ties on random data), with the same values
    np.testing.assert_array_equal(codes > 0, lib > 0)
    np.testing.assert_allclose(codes, lib, atol=atol)
    np.testing.assert_allclose(est.inverse_transform(codes), lib_recon, atol=atol)
    assert (codes > 0).sum(axis=1).max() <= params["k"]


def test_saelens_matching_pursuit_recovers_planted_features(sae_lens):
    # Measured with the adapter's defaults (500 x 256, lr 1e-2, max_iterations 5; seeds 0,
    # 1, 2): MMCS 0.985 / 0.984 / 0.994, recovery 0.969 / 0.953 / 0.984, held-out L0 4.4,
    # FVU 0.06-0.07 (methods/adapters/saelens.py). About 2.5 s.
    train = make_planted_sparse(8192, n_features=32, n_atoms=64, random_state=0, split=0)
    test = make_planted_sparse(2048, n_features=32, n_atoms=64, random_state=0, split=5)
    est = SAELensSAE("matching_pursuit", 64, random_state=0).fit(train.X)
    assert isinstance(est.sae_, sae_lens.MatchingPursuitSAE)
    assert est.config_["max_iterations"] == 5
    F = train.ground_truth["features"]
    assert mmcs(est.components_, F) >= 0.95
    assert recovery_rate(est.components_, F) >= 0.85
    codes = est.transform(test.X)
    assert codes.min() >= 0 and (codes > 0).sum(axis=1).max() <= 5
    with torch.no_grad():
        lib = est.sae_.encode(torch.as_tensor(test.X, dtype=est.sae_.dtype)).numpy()
    np.testing.assert_array_equal(codes, lib)
    # The same weights in the built-in give the same codes (to float32 precision).
    W = est.sae_.W_dec.detach().numpy().astype(np.float64)
    b_dec = est.sae_.b_dec.detach().numpy().astype(np.float64)
    builtin = _builtin(W, b_dec, k=5)
    np.testing.assert_allclose(builtin.transform(test.X), codes, atol=FLOAT32_ATOL)
