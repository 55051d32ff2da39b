"""Generators of the sparse-feature family: determinism, splits, rates, ground truth."""

import numpy as np
import pytest
from scipy import sparse

from generators.embedding_vocabulary import make_embedding_vocabulary
from generators.gaussian_mixture import make_gaussian_mixture
from generators.isotropic_gaussian import make_isotropic_gaussian
from generators.planted_sparse import firing_probabilities, make_planted_sparse
from generators.uniform_cube import make_uniform_cube

# Small instances of every generator, with the keys of what each split must share.
SMALL = {
    "planted_sparse": (lambda **kw: make_planted_sparse(300, 16, 32, 3.0, **kw),
                       ["features", "firing_probability"]),
    "planted_sparse_correlated": (
        lambda **kw: make_planted_sparse(300, 16, 32, 3.0, correlated=True, **kw),
        ["features", "firing_probability", "copula_loadings"]),
    "gaussian_mixture": (lambda **kw: make_gaussian_mixture(300, **kw), ["centres"]),
    "uniform_cube": (lambda **kw: make_uniform_cube(300, 3, **kw), ["dimension"]),
    "isotropic_gaussian": (lambda **kw: make_isotropic_gaussian(300, 3, **kw), ["dimension"]),
    "embedding_vocabulary": (lambda **kw: make_embedding_vocabulary(300, 8, 20, **kw),
                             ["features", "token_frequency"]),
}

# Tail width of the checks on sample means: 5 standard errors. Across the ~1000 such
# comparisons in this file a Gaussian tail beyond 5 sigma has probability ~ 6e-4 in total,
# and the seeds are fixed, so a failure means a real bias, not luck.
N_SIGMA = 5.0


@pytest.mark.parametrize("name", sorted(SMALL))
def test_generator_deterministic(name):
    make, _ = SMALL[name]
    a, b = make(random_state=3), make(random_state=3)
    assert np.array_equal(a.X, b.X)
    assert a.X.dtype == np.float64 and a.X.flags.c_contiguous
    assert a.params == b.params
    for key, value in a.ground_truth.items():
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, b.ground_truth[key]), key


@pytest.mark.parametrize("name", sorted(SMALL))
def test_generator_splits_share_truth_but_not_samples(name):
    make, shared = SMALL[name]
    train, held = make(random_state=3, split=0), make(random_state=3, split=1)
    assert not np.array_equal(train.X, held.X)
    for key in shared:
        assert np.array_equal(np.asarray(train.ground_truth[key]),
                              np.asarray(held.ground_truth[key])), key
    other_seed = make(random_state=4)
    assert not np.array_equal(train.X, other_seed.X)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_generator_records_params_and_shape(name):
    ds = SMALL[name][0](random_state=2, split=1)
    assert ds.X.shape[0] == 300
    assert ds.params["split"] == 1 and ds.params["random_state"] == "2"
    assert "n_true_features" in ds.ground_truth


def test_firing_probabilities_sum_to_mean_active():
    p = firing_probabilities(512, 5.0, 0.99)
    assert p.sum() == pytest.approx(5.0, rel=1e-12)
    assert np.all(np.diff(p) < 0)
    # The paper's defaults need no clipping: p_0 = 5 / sum(0.99^i) ~ 0.0503.
    assert p[0] == pytest.approx(5.0 * 0.01 / (1 - 0.99**512), rel=1e-12)


def test_firing_probabilities_clip_at_one_and_keep_the_mean():
    p = firing_probabilities(10, 9.5, 0.5)
    assert np.all(p <= 1.0) and p.sum() == pytest.approx(9.5, rel=1e-12)
    assert np.array_equal(firing_probabilities(4, 4.0, 0.5), np.ones(4))


def test_planted_sparse_reconstructs_and_has_unit_features():
    ds = make_planted_sparse(500, 32, 64, 4.0)
    F, C = ds.ground_truth["features"], ds.ground_truth["codes"]
    assert sparse.issparse(C) and C.format == "csr" and C.dtype == np.float64
    assert F.shape == (64, 32) and C.shape == (500, 64)
    np.testing.assert_allclose(np.linalg.norm(F, axis=1), 1.0, rtol=1e-12)
    C = C.toarray()
    np.testing.assert_allclose(ds.X, C @ F, rtol=0, atol=0)
    assert C.min() >= 0.0 and C.max() < 1.0
    assert ds.ground_truth["n_true_features"] == 64


@pytest.mark.parametrize("correlated", [False, True])
def test_planted_sparse_mean_l0_close_to_mean_active(correlated):
    n = 4000
    ds = make_planted_sparse(n, correlated=correlated, random_state=1)
    l0 = np.diff(ds.ground_truth["codes"].indptr)  # non-zeros per CSR row
    # Samples are i.i.d., so the sample mean of L0 has standard error sd(L0) / sqrt(n)
    # (about 0.035 here for independent firing, where Var(L0) = sum p(1-p) < 5).
    tol = N_SIGMA * l0.std() / np.sqrt(n)
    assert abs(l0.mean() - 5.0) < tol


def test_planted_sparse_correlated_keeps_marginal_rates():
    n = 20000
    kw = dict(n_features=8, n_atoms=64, mean_active=4.0, decay=0.97, random_state=5)
    ind = make_planted_sparse(n, **kw)
    cor = make_planted_sparse(n, correlated=True, correlation=0.8, **kw)
    p = ind.ground_truth["firing_probability"]
    assert np.array_equal(p, cor.ground_truth["firing_probability"])
    assert np.array_equal(ind.ground_truth["features"], cor.ground_truth["features"])
    se = np.sqrt(p * (1 - p) / n)  # binomial standard error of each atom's rate
    for ds in (ind, cor):
        rate = (ds.ground_truth["codes"] > 0).sum(axis=0) / n
        assert np.all(np.abs(rate - p) < N_SIGMA * se)


def test_planted_sparse_correlated_firing_is_correlated():
    kw = dict(n_features=8, n_atoms=32, mean_active=8.0, decay=1.0, random_state=5)
    off = ~np.eye(32, dtype=bool)

    def mean_abs_corr(ds):
        fire = (ds.ground_truth["codes"] > 0).toarray().astype(float)
        return np.abs(np.corrcoef(fire.T)[off]).mean()

    ind = mean_abs_corr(make_planted_sparse(5000, **kw))
    cor = mean_abs_corr(make_planted_sparse(5000, correlated=True, correlation=0.9, **kw))
    # Independent: |corr| ~ sqrt(2/pi)/sqrt(5000) ~ 0.011; the copula gives ~ 0.1 and more.
    assert ind < 0.03 and cor > 3 * ind


def test_embedding_vocabulary_has_exactly_v_unit_features():
    ds = make_embedding_vocabulary(2000, 16, 40, zipf_exponent=1.0, noise=0.0)
    E, ids = ds.ground_truth["features"], ds.ground_truth["token_ids"]
    assert E.shape == (40, 16) and ds.ground_truth["n_true_features"] == 40
    np.testing.assert_allclose(np.linalg.norm(E, axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(ds.X, E[ids])  # noise 0: every row is its token's vector
    assert ids.min() >= 0 and ids.max() < 40
    q = ds.ground_truth["token_frequency"]
    assert q.sum() == pytest.approx(1.0) and q[0] / q[1] == pytest.approx(2.0)
    # The most frequent token's empirical rate is q_0 within N_SIGMA binomial errors.
    assert abs((ids == 0).mean() - q[0]) < N_SIGMA * np.sqrt(q[0] * (1 - q[0]) / 2000)


def test_embedding_vocabulary_noise_has_requested_rms():
    ds = make_embedding_vocabulary(4000, 32, 10, noise=0.3)
    E, ids = ds.ground_truth["features"], ds.ground_truth["token_ids"]
    rms = np.sqrt(((ds.X - E[ids]) ** 2).sum(axis=1).mean())
    # Mean of 4000 * 32 squared N(0, 0.3^2/32) terms: relative error ~ sqrt(2/128000).
    assert rms == pytest.approx(0.3, rel=0.02)


def test_gaussian_mixture_samples_around_their_centres():
    ds = make_gaussian_mixture(3000, 2, 12, cluster_std=0.05)
    centres, labels = ds.ground_truth["centres"], ds.ground_truth["labels"]
    assert centres.shape == (12, 2) and ds.ground_truth["n_true_features"] == 12
    assert np.array_equal(ds.y, labels) and set(np.unique(labels)) == set(range(12))
    resid = ds.X - centres[labels]
    assert resid.std() == pytest.approx(0.05, rel=0.05)


def test_null_generators_have_no_features():
    cube = make_uniform_cube(2000, 3)
    assert cube.ground_truth == {"n_true_features": 0, "dimension": 3}
    assert cube.X.min() >= 0.0 and cube.X.max() < 1.0
    gauss = make_isotropic_gaussian(2000, 4, scale=2.0)
    assert gauss.ground_truth["n_true_features"] == 0 and gauss.ground_truth["dimension"] == 4
    assert gauss.X.std() == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize("call, match", [
    (lambda: make_planted_sparse(0), "n_samples"),
    (lambda: make_planted_sparse(10, n_atoms=0), "n_atoms"),
    (lambda: make_planted_sparse(10, n_features=0), "n_features"),
    (lambda: make_planted_sparse(10, n_atoms=4, mean_active=5.0), "mean_active"),
    (lambda: make_planted_sparse(10, mean_active=0.0), "mean_active"),
    (lambda: make_planted_sparse(10, decay=1.5), "decay"),
    (lambda: make_planted_sparse(10, decay=0.0), "decay"),
    (lambda: make_planted_sparse(10, correlated=True, correlation=-0.1), "correlation"),
    (lambda: make_planted_sparse(10, split=-1), "split"),
    (lambda: make_gaussian_mixture(10, n_centres=0), "n_centres"),
    (lambda: make_gaussian_mixture(10, cluster_std=0.0), "cluster_std"),
    (lambda: make_uniform_cube(0), "n_samples"),
    (lambda: make_uniform_cube(10, n_features=0), "n_features"),
    (lambda: make_isotropic_gaussian(10, scale=-1.0), "scale"),
    (lambda: make_embedding_vocabulary(10, vocab_size=0), "vocab_size"),
    (lambda: make_embedding_vocabulary(10, noise=-0.1), "noise"),
    (lambda: make_embedding_vocabulary(10, zipf_exponent=-1.0), "zipf_exponent"),
])
def test_generator_rejects_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _dense_reference(n, d, m, mean_active, correlated, random_state, split):
    """The planted generator's old, dense algorithm: (n, m) uniforms or normals drawn in one
    call, ``codes[fire] = rng.random(nnz)``, ``X = codes @ F`` in one BLAS product."""
    from scipy.stats import norm

    from generators.seeding import split_rng

    ds = make_planted_sparse(n, d, m, mean_active, correlated=correlated,
                             random_state=random_state, split=split)
    F, p = ds.ground_truth["features"], ds.ground_truth["firing_probability"]
    rng = split_rng(random_state, split)
    if correlated:
        A = ds.ground_truth["copula_loadings"]
        rho = ds.ground_truth["correlation"]
        g = rng.standard_normal((n, A.shape[1]))
        e = rng.standard_normal((n, m))
        fire = np.sqrt(rho) * (g @ A.T) + np.sqrt(1.0 - rho) * e > norm.isf(p)
    else:
        fire = rng.random((n, m)) < p
    codes = np.zeros((n, m))
    codes[fire] = rng.random(int(fire.sum()))
    return ds, codes, np.ascontiguousarray(codes @ F)


@pytest.mark.parametrize("correlated", [False, True])
@pytest.mark.parametrize("n, d, m", [(8192, 32, 64), (4096, 32, 64), (300, 16, 32),
                                     (4096, 256, 512)])
def test_planted_sparse_codes_and_x_are_bit_identical_to_the_dense_reference(n, d, m,
                                                                             correlated):
    # (8192, 32, 64) and (4096, 32, 64) are the quick profile's train and held-out splits
    # (one block); (4096, 256, 512) is two 2048-row blocks at the full profile's widths.
    ds, codes, X = _dense_reference(n, d, m, 5.0, correlated, random_state=7, split=5)
    C = ds.ground_truth["codes"]
    assert sparse.issparse(C) and C.format == "csr" and C.dtype == np.float64
    assert C.shape == (n, m) and C.has_canonical_format
    assert np.array_equal(C.toarray(), codes)
    assert np.array_equal(ds.X, X)  # bit for bit, not approximately
    assert ds.X.flags.c_contiguous and ds.X.dtype == np.float64


@pytest.mark.parametrize("correlated", [False, True])
def test_planted_sparse_blocks_draw_the_same_codes_whatever_their_size(monkeypatch, correlated):
    import generators.planted_sparse as ps

    whole = make_planted_sparse(500, 8, 32, 3.0, correlated=correlated, random_state=2)
    monkeypatch.setattr(ps, "BLOCK_ELEMENTS", 7 * 32 + 5)  # 7-row blocks, the last shorter
    blocked = make_planted_sparse(500, 8, 32, 3.0, correlated=correlated, random_state=2)
    assert np.array_equal(whole.ground_truth["codes"].toarray(),
                          blocked.ground_truth["codes"].toarray())
    # Another BLAS call shape may round differently: equal to a few ulps, not bit for bit.
    np.testing.assert_allclose(blocked.X, whole.X, rtol=0, atol=1e-14)


def test_planted_sparse_memory_stays_far_below_one_dense_code_matrix():
    import tracemalloc

    n, d, m = 20_000, 8, 512
    dense_codes_bytes = n * m * 8  # 82 MB: what codes alone used to take (plus the uniforms)
    tracemalloc.start()
    try:
        ds = make_planted_sparse(n, d, m, 5.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    C = ds.ground_truth["codes"]
    assert C.nnz == pytest.approx(5.0 * n, rel=0.05)
    # X (1.3 MB), one 8 MB block of uniforms and its mask, the CSR arrays (~2.4 MB): ~13 MB.
    assert peak < dense_codes_bytes / 4, peak


def test_latent_precision_recall_reads_sparse_true_codes_as_their_dense_copy():
    from metrics.dictionary_similarity import latent_precision_recall

    ds = make_planted_sparse(600, 16, 32, 4.0, random_state=1)
    F, C = ds.ground_truth["features"], ds.ground_truth["codes"]
    rng = np.random.default_rng(0)
    atoms = F[rng.permutation(32)[:20]] + 0.1 * rng.standard_normal((20, 16))
    codes = np.maximum(ds.X @ atoms.T - 0.2, 0.0)
    a = latent_precision_recall(codes, C, atoms, F)
    b = latent_precision_recall(codes, C.toarray(), atoms, F)
    for key in ("precision", "recall", "f1", "matched"):
        assert np.array_equal(a[key], b[key], equal_nan=True), key
    assert a["mean_f1"] == b["mean_f1"] and 0.0 < a["mean_f1"] < 1.0
    bad = C.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="true_codes"):
        latent_precision_recall(codes, bad, atoms, F)


def test_firing_probabilities_survive_underflowing_decay():
    # decay**2 underflows to 0: the plain water-filling divided by a zero tail and returned
    # probabilities summing to 1 whatever mean_active was (found by the property tests).
    assert np.array_equal(firing_probabilities(3, 3.0, 1e-300), np.ones(3))
    p = firing_probabilities(5, 2.5, 1e-300)
    assert p[:2].tolist() == [1.0, 1.0] and p[2] == 0.5 and p.sum() == pytest.approx(2.5)
