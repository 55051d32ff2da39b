"""The truth probes published since CCS: what each promises, on hand-built data with known answers.

The estimator contract (fit returns self, widths, labels, seeding, scikit-learn's checks) is
`tests/test_common_truth.py`'s, which builds every method of the family's list; here each
method's own theory: closed forms on data whose empirical moments are set exactly, and the
recovery of a planted direction where the theory says it is recovered.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from benchmarks.profiles import get_profile
from benchmarks.truth.family import truth_methods
from generators.single_truth import make_single_truth
from methods.truth.contrast_pca import ContrastPCA
from methods.truth.kmeans_pairs import KMeansPairs
from methods.truth.lat import LAT, random_pair_differences
from methods.truth.mass_mean_iid import MassMeanIID, pinv_symmetric
from methods.truth.mean_difference import MeanDifference
from methods.truth.pairs import stack_pairs
from methods.truth.ttpd import TTPD
from methods.truth.vinc import VINC, vinc_matrix
from metrics.truth_accuracy import pair_accuracy, sign_agnostic_accuracy

# Closed forms computed two ways in float64 on O(1) data: agreement to ~1e-12 relative.
CLOSED_FORM_RTOL = 1e-9
NEW = ("mass_mean_iid", "vinc", "kmeans_pairs", "ttpd", "lat")


def _X(ds):
    return stack_pairs(ds.X_pos, ds.X_neg)


def _exact_moments(n: int, cov: np.ndarray, rng) -> np.ndarray:
    """``n`` rows with mean exactly 0 and (biased) covariance exactly ``cov``."""
    G = rng.standard_normal((n, cov.shape[0]))
    G -= G.mean(axis=0)
    W = np.linalg.cholesky(G.T @ G / n)
    return np.linalg.solve(W, G.T).T @ np.linalg.cholesky(cov).T


def _members_to_pairs(T: np.ndarray, F: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pairs whose first member is the true one where ``y`` is 1."""
    first = (y == 1)[:, None]
    return stack_pairs(np.where(first, T, F), np.where(first, F, T))


def test_every_new_method_is_in_the_family_list_with_a_short_name():
    names = {m.name for m in truth_methods(get_profile("quick"))}
    assert set(NEW) <= names
    assert all(len(name) <= 20 for name in NEW)


# --- covariance-corrected mass-mean ---------------------------------------------------------

def test_mass_mean_iid_is_sigma_inverse_theta_on_exact_moments():
    """True members at mu + noise, false at -mu + noise, noise of covariance exactly C:
    theta = 2 mu and Sigma = C exactly, so w = 2 C^{-1} mu."""
    rng = np.random.default_rng(0)
    C = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.2], [0.0, 0.2, 0.5]])
    mu = np.array([1.0, 0.0, 0.3])
    n = 200
    T, F = mu + _exact_moments(n, C, rng), -mu + _exact_moments(n, C, rng)
    y = rng.permutation(np.arange(n) % 2)
    m = MassMeanIID(atol=0.0, normalize="none").fit(_members_to_pairs(T, F, y), y)
    np.testing.assert_allclose(m.mass_mean_, 2 * mu, rtol=CLOSED_FORM_RTOL, atol=1e-12)
    np.testing.assert_allclose(m.covariance_, C, rtol=CLOSED_FORM_RTOL, atol=1e-12)
    np.testing.assert_allclose(m.coef_, 2 * np.linalg.solve(C, mu), rtol=CLOSED_FORM_RTOL)


def test_mass_mean_iid_is_lda_on_the_members():
    """Each pair gives one member to each class, so the classes are balanced and w is
    scikit-learn's LDA coefficient on the members (pooled covariance weighted by priors)."""
    rng = np.random.default_rng(1)
    n, d = 300, 5
    A = rng.standard_normal((d, d))
    T = rng.standard_normal((n, d)) @ A + 0.5
    F = rng.standard_normal((n, d)) @ A - 0.5
    y = (rng.random(n) < 0.4).astype(int)
    m = MassMeanIID(atol=0.0, normalize="none").fit(_members_to_pairs(T, F, y), y)
    lda = LinearDiscriminantAnalysis(solver="lsqr").fit(
        np.vstack([T, F]), np.r_[np.ones(n), np.zeros(n)])
    np.testing.assert_allclose(m.coef_, lda.coef_[0], rtol=1e-8)


def test_mass_mean_iid_drops_directions_at_or_below_atol():
    """The reference code's absolute cut-off: theta's part in an eigendirection of Sigma with
    variance <= atol is dropped (what happens to the truth on the grid's one-hot facts,
    whose within-class variance along the truth is the noise variance 0.03^2 = 9e-4)."""
    rng = np.random.default_rng(2)
    C = np.diag([5e-4, 1.0])
    mu = np.array([1.0, 0.1])
    n = 100
    T, F = mu + _exact_moments(n, C, rng), -mu + _exact_moments(n, C, rng)
    y = np.arange(n) % 2
    X = _members_to_pairs(T, F, y)
    cut = MassMeanIID(atol=1e-3, normalize="none").fit(X, y)
    np.testing.assert_allclose(cut.coef_, [0.0, 0.2], atol=1e-9)
    for kept in (MassMeanIID(atol=1e-6, normalize="none").fit(X, y),
                 MassMeanIID(normalize="none").fit(X, y)):  # default: a relative cut-off
        np.testing.assert_allclose(kept.coef_, [2.0 / 5e-4, 0.2], rtol=1e-8)


def test_pinv_symmetric_matches_numpy_above_the_cut():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((6, 4))
    S = A @ A.T  # rank 4: two zero eigenvalues
    for atol in (1e-9, None):
        np.testing.assert_allclose(pinv_symmetric(S, atol), np.linalg.pinv(S, hermitian=True),
                                   atol=1e-10)


def test_mass_mean_iid_beats_mass_mean_under_correlated_noise():
    """Truth along e1 with noise correlated between e1 and e2 (corr 0.95): Sigma^{-1} theta is
    the Bayes direction, theta alone is not."""
    C = np.array([[1.0, 0.95], [0.95, 1.0]])
    L = np.linalg.cholesky(C)

    def pairs(n, seed):
        r = np.random.default_rng(seed)
        y = r.integers(0, 2, n)
        T = np.array([0.3, 0.0]) + r.standard_normal((n, 2)) @ L.T
        F = np.array([-0.3, 0.0]) + r.standard_normal((n, 2)) @ L.T
        return _members_to_pairs(T, F, y), y

    (Xtr, ytr), (Xte, yte) = pairs(4000, 5), pairs(4000, 6)
    iid = MassMeanIID().fit(Xtr, ytr)
    plain = MeanDifference().fit(Xtr, ytr)
    w_bayes = np.linalg.solve(C, [1.0, 0.0])
    assert abs(iid.direction_ @ w_bayes / np.linalg.norm(w_bayes)) > 0.999
    acc_iid = pair_accuracy(iid.predict_proba(Xte)[:, 1], yte)
    acc_plain = pair_accuracy(plain.predict_proba(Xte)[:, 1], yte)
    # Population pair accuracies, the differences' signal (0.6, 0) in noise of covariance
    # 2 C: Phi(sqrt(0.36 (C^{-1})_11 / 2)) = Phi(1.36) = 0.91 along Sigma^{-1} theta, against
    # Phi(0.6 / sqrt(2)) = 0.66 along theta; a binomial sd at n = 4000 is below 0.008.
    assert acc_iid > acc_plain + 0.1, (acc_iid, acc_plain)


def test_mass_mean_iid_refuses_a_negative_atol():
    X, y = _X(make_single_truth(20, n_features=3)), make_single_truth(20, n_features=3).y
    with pytest.raises(ValueError, match=r"^atol"):
        MassMeanIID(atol=-1.0).fit(X, y)


# --- VINC ----------------------------------------------------------------------------------

def _hadamard_pairs(a: float = 3.0) -> np.ndarray:
    """x+ = (s, a t), x- = (-s, 0) with s, t orthogonal balanced +-1 patterns: exactly
    C++ = diag(1, a^2), C-- = diag(1, 0), C+- = diag(-1, 0)."""
    s = np.array([1.0, 1.0, -1.0, -1.0])
    t = np.array([1.0, -1.0, 1.0, -1.0])
    return stack_pairs(np.column_stack([s, a * t]), np.column_stack([-s, 0 * s]))


def test_vinc_recovers_the_anticorrelated_direction_where_crc_does_not():
    """A = (C++ + C--) - 5 (C+- + C-+) = diag(12, 9): the truth (e1, the two members move
    oppositely) wins. The differences (2 s, 3 t) have variances (4, 9): CRC-TPC picks e2."""
    X = _hadamard_pairs()
    m = VINC().fit(X)
    np.testing.assert_allclose(m.objective_eigenvalues_, [12.0, 9.0], rtol=CLOSED_FORM_RTOL)
    np.testing.assert_allclose(m.coef_, [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ContrastPCA().fit(X).coef_, [0.0, 1.0], atol=1e-12)
    assert sign_agnostic_accuracy(m.predict_proba(X)[:, 1], np.array([1, 1, 0, 0])) == 1.0


def test_vinc_with_unit_weights_is_contrast_pca():
    """var_weight = neg_cov_weight = 1: A is the covariance of z+ - z-, CRC-TPC's matrix."""
    ds = make_single_truth(200, n_features=8, noise=1.0, random_state=0)
    v = VINC(var_weight=1.0, neg_cov_weight=1.0).fit(_X(ds))
    c = ContrastPCA().fit(_X(ds))
    np.testing.assert_allclose(v.coef_, c.coef_, atol=1e-10)
    np.testing.assert_allclose(v.objective_eigenvalues_[:8], c.eigenvalues_, rtol=1e-9)


def test_vinc_matrix_is_the_objective_it_names():
    """v^T A v = w_v [Var(v.z+) + Var(v.z-)] - 2 w_c Cov(v.z+, v.z-) for any v."""
    rng = np.random.default_rng(7)
    Zp, Zn = rng.standard_normal((50, 4)), rng.standard_normal((50, 4)) + 0.3
    v = rng.standard_normal(4)
    p, q = Zp @ v, Zn @ v
    cov = np.mean((p - p.mean()) * (q - q.mean()))
    expected = 1.5 * (p.var() + q.var()) - 2 * 4.0 * cov
    assert v @ vinc_matrix(Zp, Zn, 1.5, 4.0) @ v == pytest.approx(expected, rel=1e-12)


def test_vinc_finds_the_single_truth():
    tr = make_single_truth(400, n_features=32, random_state=0)
    te = make_single_truth(400, n_features=32, random_state=0, split=1)
    m = VINC().fit(_X(tr))
    assert abs(m.direction_ @ tr.ground_truth["true_direction"]) > 0.99
    assert sign_agnostic_accuracy(m.predict_proba(_X(te))[:, 1], te.y) >= 0.99


@pytest.mark.parametrize("name", ["var_weight", "neg_cov_weight"])
def test_vinc_refuses_negative_weights(name):
    ds = make_single_truth(20, n_features=3)
    with pytest.raises(ValueError, match=rf"^{name}"):
        VINC(**{name: -1.0}).fit(_X(ds))


# --- k-means -------------------------------------------------------------------------------

def test_kmeans_recovers_symmetric_planted_clusters():
    """Differences sigma_j c + e_j, the e_j summing to zero inside each cluster: the
    centroids are exactly +-c, so coef_ = 2 c (sign convention: largest entry positive) and
    bias_ = 0."""
    c = np.array([0.2, -1.0, 0.5])
    e = 0.05 * np.array([[1.0, 0, 0], [-1.0, 0, 0], [0, 1.0, 0], [0, -1.0, 0]])
    sigma = np.repeat([1.0, -1.0], 4)
    D = sigma[:, None] * c + np.vstack([e, e])
    X = stack_pairs(D, np.zeros_like(D))
    m = KMeansPairs(random_state=0).fit(X)
    np.testing.assert_allclose(m.coef_, -2 * c, atol=1e-12)  # -c's largest entry is +1.0
    assert abs(m.bias_) < 1e-12
    y = (sigma > 0).astype(int)
    assert sign_agnostic_accuracy(m.predict_proba(X)[:, 1], y) == 1.0


def test_kmeans_call_is_the_nearer_centroid():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((60, 8))
    m = KMeansPairs(random_state=1).fit(X)
    D = m._differences(X)
    dist = ((D[:, None, :] - m.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(m.predict(X), np.argmin(dist, axis=1))


def test_kmeans_finds_the_single_truth():
    tr = make_single_truth(400, n_features=32, random_state=0)
    te = make_single_truth(400, n_features=32, random_state=0, split=1)
    m = KMeansPairs(random_state=0).fit(_X(tr))
    assert abs(m.direction_ @ tr.ground_truth["true_direction"]) > 0.99
    assert sign_agnostic_accuracy(m.predict_proba(_X(te))[:, 1], te.y) >= 0.99


@pytest.mark.parametrize("name", ["n_init", "max_iter"])
def test_kmeans_refuses_bad_budgets(name):
    ds = make_single_truth(20, n_features=3)
    with pytest.raises(ValueError, match=rf"^{name}"):
        KMeansPairs(**{name: 0}).fit(_X(ds))


# --- TTPD ----------------------------------------------------------------------------------

def _polar_pairs(n: int, t_G, t_P, c, noise: float, seed: int, polarity=None):
    """Pairs of statements ``a = tau t_G + tau p t_P + p c + noise`` (Buerger et al.'s
    model; ``c`` a polarity offset), both members of a pair sharing the polarity ``p``."""
    r = np.random.default_rng(seed)
    y = np.arange(n) % 2
    pol = np.where(np.arange(n) % 4 < 2, 1.0, -1.0) if polarity is None else polarity
    d = len(t_G)

    def member(tau):
        return (tau * (np.asarray(t_G) + pol[:, None] * np.asarray(t_P)) + pol[:, None] * c
                + noise * r.standard_normal((n, d)))

    T, F = member(np.ones((n, 1))), member(-np.ones((n, 1)))
    return _members_to_pairs(T, F, y), y, pol


def test_ttpd_recovers_the_planted_truth_and_polarity_directions():
    """Noiseless balanced statements: the least-squares fit on [tau, tau p] is exact."""
    t_G, t_P, c = np.array([1.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.0]), np.array([0, 0, 3.0])
    X, y, pol = _polar_pairs(40, t_G, t_P, c, 0.0, 0)
    m = TTPD().fit(X, y, polarity=pol)
    np.testing.assert_allclose(m.truth_direction_, t_G, atol=1e-12)
    np.testing.assert_allclose(m.polarity_truth_direction_, t_P, atol=1e-12)
    assert m.polarity_direction_ is not None and m.plane_coef_.shape == (2,)


def test_ttpd_on_affirmative_pairs_is_the_mass_mean_probe():
    """No polarity: t_G = mean(tau z) = theta / 2, and every pair is called as MeanDifference
    calls it."""
    tr = make_single_truth(200, n_features=8, noise=1.0, random_state=0)
    te = make_single_truth(200, n_features=8, noise=1.0, random_state=0, split=1)
    m = TTPD().fit(_X(tr), tr.y)
    mm = MeanDifference().fit(_X(tr), tr.y)
    np.testing.assert_allclose(m.truth_direction_, mm.coef_ / 2, rtol=1e-12)
    assert m.polarity_direction_ is None and m.plane_coef_[1] == 0.0
    np.testing.assert_array_equal(m.predict(_X(te)), mm.predict(_X(te)))
    np.testing.assert_array_equal(TTPD().fit(_X(tr), tr.y, polarity=np.ones(200)).coef_,
                                  m.coef_)


def test_ttpd_generalises_across_polarity_where_the_mass_mean_does_not():
    """|t_P| > |t_G|: on affirmative statements truth reads along t_G + t_P, on negated ones
    along t_G - t_P. A mass-mean probe fitted on affirmative pairs calls negated pairs
    backwards; TTPD fitted on both polarities reads t_G and calls both right."""
    t_G, t_P, c = np.array([1.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.0]), np.zeros(3)
    X, y, pol = _polar_pairs(400, t_G, t_P, c, 0.3, 1)
    Xn, yn, _ = _polar_pairs(400, t_G, t_P, c, 0.3, 2, polarity=-np.ones(400))
    aff = pol > 0
    mm = MeanDifference().fit(X[aff], y[aff])
    ttpd = TTPD().fit(X, y, polarity=pol)
    # Noise 0.3 per coordinate against a margin of 2 |t_G| = 2 along t_G: no pair is wrong
    # for TTPD; the mass-mean's direction (t_G + t_P) reads t_G - t_P with the sign of -3.
    assert pair_accuracy(ttpd.predict_proba(Xn)[:, 1], yn) == 1.0
    assert pair_accuracy(mm.predict_proba(Xn)[:, 1], yn) < 0.05


@pytest.mark.parametrize("polarity, match", [
    (np.zeros(20), "only -1"), (np.ones(19), r"shape \(20,\)"), (np.full(20, "a"), "only -1")])
def test_ttpd_refuses_bad_polarities(polarity, match):
    ds = make_single_truth(20, n_features=3)
    with pytest.raises(ValueError, match=match):
        TTPD().fit(_X(ds), ds.y, polarity=polarity)


# --- LAT -----------------------------------------------------------------------------------

def test_random_pair_differences_use_every_row_once():
    Z = np.eye(7)
    H = random_pair_differences(Z, np.random.default_rng(0))
    assert H.shape == (3, 7)
    assert np.all(H.sum(axis=1) == 0) and np.all(np.abs(H).sum(axis=0) <= 1)
    assert np.abs(H).sum() == 6  # six distinct rows used, one left out


def test_lat_recovers_the_truth_when_it_is_the_only_variation():
    """Members tau u with nothing else: random-pair differences are 0 or +-2 u, so the top
    principal component is u exactly."""
    u = np.array([0.6, -0.8, 0.0])
    y = np.arange(20) % 2
    sigma = (2 * y - 1)[:, None]
    X = stack_pairs(sigma * u, -sigma * u)
    m = LAT(random_state=0).fit(X)
    np.testing.assert_allclose(abs(m.coef_ @ u), 1.0, rtol=1e-12)
    assert m.eigenvalues_[1] < 1e-20
    assert sign_agnostic_accuracy(m.predict_proba(X)[:, 1], y) == 1.0


@pytest.mark.parametrize("content_scale, finds", [(0.2, True), (1.0, False)])
def test_lat_reads_the_truth_only_above_the_content_of_unrelated_statements(content_scale,
                                                                            finds):
    """Random pairs keep the two statements' content (unlike a contrast pair's difference):
    along u they vary by tau_a - tau_b (variance 2 at signal 1), along each content axis by
    c_a - c_b (variance 2 content_scale^2). At scale 0.2 the truth stands out; at 1 (the
    grid's single-truth control) every direction has the same variance."""
    tr = make_single_truth(640, n_features=32, content_scale=content_scale, noise=0.1,
                           random_state=0)
    cos = abs(LAT(random_state=0).fit(_X(tr)).direction_ @ tr.ground_truth["true_direction"])
    assert (cos > 0.99) if finds else (cos < 0.5), cos


def test_lat_pairing_is_seeded():
    tr = make_single_truth(100, n_features=8, random_state=0)
    a, b = LAT(random_state=1).fit(_X(tr)), LAT(random_state=1).fit(_X(tr))
    c = LAT(random_state=2).fit(_X(tr))
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)
