"""Tests of the amortisation-gap metric (metrics/amortisation.py) on hand-built dictionaries."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.decomposition import sparse_encode

from metrics.amortisation import (
    L0_TOLERANCE,
    amortisation_gap,
    code_mcc,
    gap_scores,
    lasso_codes,
    lasso_codes_at_l0,
    omp_codes,
    recovery,
)
from metrics.dictionary_similarity import mean_l0

# float64 round-off of a handful of products of unit vectors: exact answers are met to this.
EXACT = 1e-10
# Coordinate descent stops on a duality gap of 1e-4 (scikit-learn's default tol, relative to
# ||x||^2): the lasso's KKT conditions and its agreement with another run hold to this.
LASSO_TOL = 1e-3


def _unit(rng, m, d):
    A = rng.standard_normal((m, d))
    return A / np.linalg.norm(A, axis=1, keepdims=True)


def _orthonormal(rng, d):
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return Q  # rows orthonormal


def _sparse_codes(rng, n, m, k):
    """(n, m) non-negative codes, exactly k active per row, magnitudes in [0.5, 1.5)."""
    C = np.zeros((n, m))
    for i in range(n):
        C[i, rng.choice(m, k, replace=False)] = 0.5 + rng.random(k)
    return C


def _topk(P, k):
    """A TopK encoder's nonlinearity: the k largest entries of each row, ReLU'd."""
    out = np.zeros_like(P)
    idx = np.argsort(P, axis=1)[:, -k:]
    np.put_along_axis(out, idx, np.take_along_axis(P, idx, axis=1), axis=1)
    return np.maximum(out, 0.0)


# --- OMP ------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 3, 6])
def test_omp_equals_scikit_learns_sparse_encode(k):
    rng = np.random.default_rng(0)
    A = _unit(rng, 24, 12)
    X = rng.standard_normal((40, 12))
    ours = omp_codes(X, A, k)
    theirs = sparse_encode(X, A, algorithm="omp", n_nonzero_coefs=k)
    np.testing.assert_allclose(ours, theirs, atol=EXACT)
    assert np.all((ours != 0).sum(axis=1) <= k)


def test_omp_per_row_budgets_equal_row_by_row_calls():
    rng = np.random.default_rng(1)
    A = _unit(rng, 20, 10)
    X = rng.standard_normal((15, 10))
    k = rng.integers(0, 5, size=15)
    ours = omp_codes(X, A, k)
    for i in range(15):
        want = (np.zeros(20) if k[i] == 0 else
                sparse_encode(X[i:i + 1], A, algorithm="omp", n_nonzero_coefs=int(k[i]))[0])
        np.testing.assert_allclose(ours[i], want, atol=EXACT)
    assert np.all(ours[k == 0] == 0)


def test_omp_uses_unit_atoms_and_returns_codes_for_the_atoms_as_given():
    rng = np.random.default_rng(2)
    A = _unit(rng, 16, 8)
    scale = rng.uniform(0.2, 5.0, size=16)
    X = rng.standard_normal((10, 8))
    unit = omp_codes(X, A, 3)
    scaled = omp_codes(X, A * scale[:, None], 3)
    np.testing.assert_allclose(scaled * scale, unit, atol=EXACT)
    np.testing.assert_allclose(scaled @ (A * scale[:, None]), unit @ A, atol=EXACT)


def test_omp_subtracts_the_offset_and_skips_zero_atoms():
    rng = np.random.default_rng(3)
    A = _unit(rng, 12, 6)
    A[4] = 0.0
    X = rng.standard_normal((9, 6))
    b = rng.standard_normal(6)
    np.testing.assert_allclose(omp_codes(X + b, A, 2, offset=b), omp_codes(X, A, 2),
                               atol=EXACT)
    assert np.all(omp_codes(X, A, 5)[:, 4] == 0)


def test_omp_recovers_codes_exactly_on_an_orthonormal_dictionary():
    rng = np.random.default_rng(4)
    Q = _orthonormal(rng, 8)
    C = _sparse_codes(rng, 30, 8, 3)
    np.testing.assert_allclose(omp_codes(C @ Q, Q, 3), C, atol=EXACT)
    # A budget above d is clipped to d: the least-squares fit on all atoms, still exact.
    np.testing.assert_allclose(omp_codes(C @ Q, Q, 50), C, atol=EXACT)


# --- the non-negative lasso -----------------------------------------------------------------


def test_lasso_equals_scikit_learns_positive_lasso_and_meets_its_kkt_conditions():
    rng = np.random.default_rng(5)
    A = _unit(rng, 24, 12)
    X = _sparse_codes(rng, 30, 24, 3) @ A
    alpha = 0.1
    Z = lasso_codes(X, A, alpha)
    ref = sparse_encode(X, A, algorithm="lasso_cd", alpha=alpha, positive=True)
    np.testing.assert_allclose(Z, ref, atol=LASSO_TOL)
    assert np.all(Z >= 0)
    # KKT of min (1/2)||x - zA||^2 + alpha |z|_1, z >= 0: the correlation of each atom with
    # the residual is alpha where z > 0 and at most alpha where z = 0.
    G = (X - Z @ A) @ A.T
    assert np.all(np.abs(G[Z > 0] - alpha) < LASSO_TOL)
    assert np.all(G[Z == 0] < alpha + LASSO_TOL)


def test_lasso_on_an_orthonormal_dictionary_is_soft_thresholding():
    rng = np.random.default_rng(6)
    Q = _orthonormal(rng, 8)
    C = _sparse_codes(rng, 20, 8, 3)
    np.testing.assert_allclose(lasso_codes(C @ Q, Q, 0.6), np.maximum(C - 0.6, 0.0),
                               atol=LASSO_TOL)


def test_lasso_at_l0_reaches_the_target_and_is_empty_above_alpha_max():
    rng = np.random.default_rng(7)
    A = _unit(rng, 32, 16)
    X = _sparse_codes(rng, 200, 32, 4) @ A
    for target in (1.5, 2.0, 3.0, 4.0):
        Z, info = lasso_codes_at_l0(X, A, target)
        assert info["within_tolerance"], info
        assert abs(mean_l0(Z) / target - 1) <= L0_TOLERANCE
        assert info["l0"] == mean_l0(Z) and 1 <= info["solves"]
    # Exactly 4-sparse data: as alpha falls the lasso tends to the minimum-L1 code, which
    # is the 4-sparse truth here (basis pursuit), so L0 8 is out of reach; the search says so.
    Z, info = lasso_codes_at_l0(X, A, 8.0)
    assert not info["within_tolerance"] and info["l0"] < 8.0
    alpha_max = (X @ A.T).max()
    assert np.all(lasso_codes(X, A, alpha_max * 1.001) == 0)


# --- the code MCC ---------------------------------------------------------------------------


@pytest.fixture()
def planted():
    rng = np.random.default_rng(8)
    T = _unit(rng, 6, 10)
    C = _sparse_codes(rng, 400, 6, 2)
    return T, C


@pytest.mark.parametrize("match", ["atoms", "codes"])
def test_code_mcc_is_one_for_the_truth_permuted_and_rescaled(planted, match):
    T, C = planted
    assert code_mcc(C, C, T, T, match)["mcc"] == pytest.approx(1.0, abs=EXACT)
    perm = np.array([3, 0, 5, 1, 4, 2])
    # Latent i is truth perm[i]: atoms and codes permuted together, codes scaled and shifted.
    Z = 2.5 * C[:, perm] + 0.3
    out = code_mcc(Z, C, T[perm], T, match)
    assert out["mcc"] == pytest.approx(1.0, abs=EXACT)
    assert np.array_equal(perm[out["latents"]], out["truths"])


def test_code_mcc_signs_by_the_atom_and_counts_a_silent_latent_zero(planted):
    T, C = planted
    A = T.copy()
    A[2] *= -1
    Z = C.copy()
    Z[:, 2] *= -1  # the negated atom with the negated code reconstructs the same x
    assert code_mcc(Z, C, A, T)["mcc"] == pytest.approx(1.0, abs=EXACT)
    assert code_mcc(-C, C, T, T)["mcc"] == pytest.approx(-1.0, abs=EXACT)  # backwards
    Z = C.copy()
    Z[:, 4] = 0.0
    out = code_mcc(Z, C, T, T)
    assert out["mcc"] == pytest.approx(5 / 6, abs=EXACT)
    assert out["correlations"][list(out["latents"]).index(4)] == 0.0


def test_code_mcc_codes_matching_is_the_best_permutation_of_absolute_correlations():
    # O'Neill et al.'s definition by brute force over the 3! pairings.
    from itertools import permutations

    rng = np.random.default_rng(9)
    Z, C = rng.random((50, 3)), rng.random((50, 3))
    R = np.abs(np.corrcoef(Z.T, C.T)[:3, 3:])
    best = max(np.mean([R[i, p[i]] for i in range(3)]) for p in permutations(range(3)))
    assert code_mcc(Z, C, match="codes")["mcc"] == pytest.approx(best, abs=EXACT)


def test_code_mcc_reads_sparse_truth_as_dense(planted):
    T, C = planted
    rng = np.random.default_rng(10)
    Z = C + 0.3 * rng.random(C.shape)
    for match in ("atoms", "codes"):
        assert code_mcc(Z, sparse.csr_array(C), T, T, match)["mcc"] == \
            pytest.approx(code_mcc(Z, C, T, T, match)["mcc"], abs=EXACT)


def test_code_mcc_of_independent_codes_is_near_zero(planted):
    T, C = planted
    rng = np.random.default_rng(11)
    Z = _sparse_codes(rng, 400, 6, 2)
    # 400 rows: each correlation has a standard error of about 1/sqrt(400) = 0.05.
    assert abs(code_mcc(Z, C, T, T)["mcc"]) < 0.15


# --- the gap: exactly zero for an encoder that is sparse coding -----------------------------


def _orthonormal_problem(seed=12, n=300, d=8, k=3):
    rng = np.random.default_rng(seed)
    Q = _orthonormal(rng, d)
    C = _sparse_codes(rng, n, d, k)
    b = rng.standard_normal(d)
    return Q, C, C @ Q + b, b


def test_gap_of_a_topk_encoder_on_an_orthonormal_dictionary_is_zero():
    # On orthonormal atoms TopK of Q (x - b) is exactly the k-sparse code and OMP at the
    # encoder's own L0 finds it too: the encoder *is* sparse coding, the gap is 0.
    Q, C, X, b = _orthonormal_problem()
    codes = _topk((X - b) @ Q.T, 3)
    np.testing.assert_allclose(codes, C, atol=EXACT)
    out = amortisation_gap(X, codes, Q, C, Q, offset=b, solver="omp")
    for metric in ("f1", "mcc", "fvu"):
        assert out["gap"][metric] == pytest.approx(0.0, abs=EXACT), metric
    assert out["encoder"]["f1"] == pytest.approx(1.0) and out["encoder"]["mcc"] == \
        pytest.approx(1.0) and out["encoder"]["fvu"] == pytest.approx(0.0, abs=EXACT)
    assert out["lasso"] is None and out["solver"] == "omp"


def test_gap_of_the_suites_topk_sae_set_to_an_orthonormal_dictionary_is_zero():
    # The same bar with methods.sparse.topk_sae.TopKSAE itself: fitted briefly, then its
    # encoder and decoder set to the orthonormal truth (W_enc = W_dec = Q, b_enc = 0,
    # b_pre = b); its transform is then TopK of Q (x - b), which is the planted code.
    from methods.sparse.topk_sae import TopKSAE

    Q, C, X, b = _orthonormal_problem(seed=20)
    sae = TopKSAE(8, k=3, n_steps=2, batch_size=16, random_state=0).fit(X)
    sae.components_, sae.encoder_weights_ = Q.copy(), Q.copy()
    sae.encoder_bias_, sae.decoder_bias_ = np.zeros(8), b.copy()
    codes = sae.transform(X)
    np.testing.assert_allclose(codes, C, atol=EXACT)
    out = amortisation_gap(X, codes, sae.components_, sparse.csr_array(C), Q,
                           offset=sae.decoder_bias_)
    assert out["gap"]["f1"] == pytest.approx(0.0, abs=EXACT)
    assert out["gap"]["mcc"] == pytest.approx(0.0, abs=EXACT)
    assert out["gap"]["fvu"] == pytest.approx(0.0, abs=EXACT)


@pytest.mark.parametrize("solver", ["omp", "lasso"])
def test_gap_of_the_sparse_coders_own_codes_is_zero(solver):
    rng = np.random.default_rng(13)
    T = _unit(rng, 24, 12)
    A = T + 0.2 * rng.standard_normal(T.shape)  # a learned, imperfect dictionary
    C = _sparse_codes(rng, 200, 24, 3)
    X = C @ T
    if solver == "omp":
        S = omp_codes(X, A, 3)
    else:
        S, _ = lasso_codes_at_l0(X, A, 3.0)
    out = gap_scores(S, S, X, A, C, T)
    assert out["gap"] == {"f1": 0.0, "mcc": 0.0, "fvu": 0.0}
    # And through amortisation_gap with OMP: OMP's codes at OMP's own per-row L0 are OMP's.
    if solver == "omp":
        again = amortisation_gap(X, S, A, C, T, solver="omp")
        assert again["gap"] == {"f1": 0.0, "mcc": 0.0, "fvu": 0.0}


# --- the gap: a known positive case ---------------------------------------------------------


def test_gap_of_an_encoder_that_merges_two_features_has_its_closed_form():
    # One feature per row, on orthonormal atoms; the encoder reads feature 0 as latent 1
    # (as an absorbing latent would). OMP with the encoder's L0 (1 per row) is exact.
    rng = np.random.default_rng(14)
    d, per = 6, 50
    Q = _orthonormal(rng, d)
    which = np.repeat(np.arange(d), per)  # every feature fires on exactly 50 rows
    C = np.zeros((d * per, d))
    C[np.arange(d * per), which] = 0.5 + rng.random(d * per)
    X = C @ Q
    codes = C.copy()
    codes[:, 1] += codes[:, 0]
    codes[:, 0] = 0.0
    out = amortisation_gap(X, codes, Q, C, Q, solver="omp")
    sc = out["sparse_coding"]
    assert sc["f1"] == pytest.approx(1.0) and sc["mcc"] == pytest.approx(1.0)
    assert sc["fvu"] == pytest.approx(0.0, abs=EXACT)
    # F1: latent 0 never fires (0); latent 1 fires on 100 rows, 50 of them its own
    # (precision 1/2, recall 1, F1 2/3); the other d - 2 are perfect.
    assert out["gap"]["f1"] == pytest.approx((1 + 1 / 3) / d, abs=EXACT)
    # MCC: latent 0 is constant (0); latent 1 correlates r with feature 1.
    r = np.corrcoef(codes[:, 1], C[:, 1])[0, 1]
    assert out["gap"]["mcc"] == pytest.approx((1 + (1 - r)) / d, abs=EXACT)
    # FVU: a feature-0 row is rebuilt on atom 1: residual c0 (q0 - q1), squared 2 c0^2.
    total = np.sum((X - X.mean(axis=0)) ** 2)
    assert out["gap"]["fvu"] == pytest.approx(2 * np.sum(C[:, 0] ** 2) / total, abs=EXACT)


def test_gap_of_a_thresholding_encoder_is_all_in_reconstruction():
    # ReLU(Q x - theta) on orthonormal atoms fires exactly where the code exceeds theta, so
    # OMP at its L0 picks the same atoms (F1 gap 0) but fits them without shrinkage: the
    # encoder loses theta^2 per active entry of reconstruction.
    Q, C, X, b = _orthonormal_problem(seed=15)
    theta = 0.8
    codes = np.maximum((X - b) @ Q.T - theta, 0.0)
    out = amortisation_gap(X, codes, Q, C, Q, offset=b, solver="omp")
    assert out["gap"]["f1"] == pytest.approx(0.0, abs=EXACT)
    total = np.sum((X - X.mean(axis=0)) ** 2)
    assert out["gap"]["fvu"] == pytest.approx(theta**2 * np.sum(C > theta) / total,
                                              abs=EXACT)
    assert out["gap"]["fvu"] > 0


def test_recovery_of_the_mean_predictor_has_fvu_one():
    Q, C, X, b = _orthonormal_problem(seed=16)
    zero = np.zeros_like(C)
    out = recovery(zero, X, Q, C, Q, offset=X.mean(axis=0))
    assert out["fvu"] == pytest.approx(1.0, abs=EXACT)
    assert out["f1"] == 0.0 and out["mcc"] == 0.0 and out["l0"] == 0.0


def test_lasso_gap_reports_its_search():
    Q, C, X, b = _orthonormal_problem(seed=17)
    codes = _topk((X - b) @ Q.T, 3)
    out = amortisation_gap(X, codes, Q, C, Q, offset=b, solver="lasso")
    info = out["lasso"]
    assert info["target_l0"] == pytest.approx(3.0) and info["within_tolerance"]
    assert out["sparse_coding"]["l0"] == pytest.approx(info["l0"])
    # Shrinkage costs the lasso reconstruction the encoder (exact here) does not lose.
    assert out["gap"]["fvu"] < 0


# --- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize("call, name", [
    (lambda X, A: omp_codes(X, A[:, :3], 2), "X"),
    (lambda X, A: omp_codes(X, A, -1), "n_nonzero"),
    (lambda X, A: omp_codes(X, A, 2.0), "n_nonzero"),
    (lambda X, A: omp_codes(X, A, np.ones(3, int)), "n_nonzero"),
    (lambda X, A: omp_codes(X, A, 2, offset=np.ones(4)), "offset"),
    (lambda X, A: omp_codes(X, A[0], 2), "atoms"),
    (lambda X, A: lasso_codes(X, A, -0.1), "alpha"),
    (lambda X, A: lasso_codes(X, A, 0.1, init=np.ones((2, 2))), "init"),
    (lambda X, A: lasso_codes_at_l0(X, A, 0.0), "target_l0"),
    (lambda X, A: lasso_codes_at_l0(X, A, 2.0, tolerance=1.5), "tolerance"),
    (lambda X, A: amortisation_gap(X, np.ones((5, 8)), A, np.ones((5, 8)), A,
                                   solver="fista"), "solver"),
    (lambda X, A: amortisation_gap(X, np.ones((5, 3)), A, np.ones((5, 8)), A), "codes"),
    (lambda X, A: code_mcc(np.ones((5, 8)), np.ones((5, 8)), A, A, match="cos"), "match"),
    (lambda X, A: code_mcc(np.ones((5, 8)), np.ones((4, 8)), A, A), "true_codes"),
    (lambda X, A: code_mcc(np.ones((5, 8)), np.ones((5, 8))), "atoms"),
    (lambda X, A: code_mcc(np.ones((5, 8)), np.ones((5, 7)), A, A), "truth"),
])
def test_errors_name_the_argument(call, name):
    rng = np.random.default_rng(18)
    A = _unit(rng, 8, 6)
    X = rng.standard_normal((5, 6))
    with pytest.raises((ValueError, TypeError), match=name):
        call(X, A)


def test_nan_input_is_refused():
    rng = np.random.default_rng(19)
    A = _unit(rng, 8, 6)
    X = rng.standard_normal((5, 6))
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="X"):
        omp_codes(X, A, 2)
