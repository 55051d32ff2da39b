"""SynthSAEBench's evaluation in numpy (metrics/synthetic_eval.py): hand-built cases with
known answers, streaming equal to one batch, sparse truth never densified, bad input.

The parity with the library itself is tests/adapters/test_synthsaebench_parity.py.
"""

import tracemalloc

import numpy as np
import pytest
from scipy import sparse

from metrics.dictionary_similarity import latent_precision_recall, live_uniqueness
from metrics.reconstruction import explained_variance as suite_explained_variance
from metrics.reconstruction import shrinkage as suite_shrinkage
from metrics.synthetic_eval import (
    SyntheticEval,
    classification_metrics,
    dead_latents,
    explained_variance,
    l0,
    mcc,
    shrinkage,
    uniqueness,
)

# float64 sums of at most a few thousand terms: rounding ~1e-13 relative; 1e-12 is far
# below any difference of definition.
EXACT = 1e-12
FIELD_KEYS = {"true_l0", "sae_l0", "dead_latents", "shrinkage", "explained_variance", "mcc",
              "uniqueness", "precision", "recall", "f1_score", "accuracy"}

# A dictionary with a dead latent (as in tests/test_dictionary_similarity.py). Features
# e_0, e_1, e_2 in d = 3; truth fires on rows {0}, {1}, {2}, {0, 1}. Latent 0 (e_0) fires
# on rows 0, 3: TP 2, TN 2. Latent 1 (e_1) on row 1: TP 1, FN 1 (row 3), TN 2. Latent 2
# (e_2) on rows 0, 2: TP 1, FP 1, TN 2. Latent 3 (0.9 e_0 + 0.1 e_1, matched to e_0)
# never fires: FN 2, TN 2.
T = np.eye(3)
ATOMS = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0], [0.9, 0.1, 0]])
TRUE_CODES = np.array([[1.0, 0, 0], [0, 0.5, 0], [0, 0, 2.0], [0.3, 0.7, 0]])
CODES = np.array([[1.0, 0, 0.2, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0], [0.5, 0, 0, 0]])


def _known_batch():
    X = TRUE_CODES @ T
    return X, CODES @ ATOMS


def test_dead_latent_case_by_hand():
    X, X_hat = _known_batch()
    out = SyntheticEval(ATOMS, T).add_batch(X, X_hat, CODES, TRUE_CODES).result()
    assert set(out) == FIELD_KEYS
    assert out["true_l0"] == 5 / 4 and out["sae_l0"] == 5 / 4
    assert out["dead_latents"] == 1 and isinstance(out["dead_latents"], int)
    assert out["mcc"] == pytest.approx(1.0, abs=EXACT)  # e_0, e_1, e_2 matched exactly
    # Matches (0, 1, 2, 0): 3 distinct over all 4 latents (the live reading: 3 / 3).
    assert out["uniqueness"] == 3 / 4
    assert live_uniqueness(ATOMS, T, ~np.all(CODES == 0, axis=0)) == 1.0
    # precision (1, 1, 1/2, 0), recall (1, 1/2, 1, 0), F1 (1, 2/3, 2/3, 0), accuracy
    # (1, 3/4, 3/4, 1/2): the dead latent counts 0 (accuracy 1/2) in every mean.
    assert out["precision"] == pytest.approx(2.5 / 4, abs=EXACT)
    assert out["recall"] == pytest.approx(2.5 / 4, abs=EXACT)
    assert out["f1_score"] == pytest.approx(7 / 12, abs=EXACT)
    assert out["accuracy"] == pytest.approx(3 / 4, abs=EXACT)
    cls = classification_metrics(CODES, TRUE_CODES, ATOMS, T)
    np.testing.assert_allclose(cls["precision_per_latent"], [1, 1, 0.5, 0], atol=EXACT)
    np.testing.assert_allclose(cls["recall_per_latent"], [1, 0.5, 1, 0], atol=EXACT)
    np.testing.assert_allclose(cls["f1_score_per_latent"], [1, 2 / 3, 2 / 3, 0], atol=EXACT)
    np.testing.assert_allclose(cls["accuracy_per_latent"], [1, 0.75, 0.75, 0.5], atol=EXACT)
    assert np.array_equal(cls["matched"], [0, 1, 2, 0])
    # The suite's F1 averaged over the latents where it is defined leaves latent 3 out.
    assert latent_precision_recall(CODES, TRUE_CODES, ATOMS, T)["live_mean_f1"] == \
        pytest.approx(7 / 9, abs=EXACT)
    # Reconstruction numbers: the suite's functions, on these rows.
    assert out["explained_variance"] == pytest.approx(suite_explained_variance(X, X_hat),
                                                      abs=EXACT)
    assert out["shrinkage"] == pytest.approx(suite_shrinkage(X, X_hat), abs=EXACT)


def test_zero_decoder_row_and_negative_truth_read_as_the_library_does():
    # Features e_0, e_1. Latent 0 is e_1; latent 1 has a zero decoder row, which the
    # library matches to feature 0 (the first of its all-zero |cos| ties) and the suite's
    # best_match to nothing. Row 2 holds a negative code of feature 1: non-zero (true L0
    # counts it), not firing (the library's truth fires where the code is > 0).
    features = np.eye(2)
    atoms = np.array([[0.0, 1.0], [0.0, 0.0]])
    true_codes = np.array([[1.0, 0], [0, 1.0], [1.0, -1.0], [0, 0]])
    codes = np.array([[0, 2.0], [1.0, 0], [0, 3.0], [0, 0]])
    cls = classification_metrics(codes, true_codes, atoms, features)
    assert np.array_equal(cls["matched"], [1, 0])
    # Latent 0 vs feature 1 (> 0 on row 1 only): fires on row 1: P = R = 1, accuracy 1.
    # Latent 1 vs feature 0 (rows 0, 2): fires on rows 0, 2: P = R = 1, accuracy 1.
    for key in ("precision", "recall", "f1_score", "accuracy"):
        assert cls[key] == 1.0, key
    assert l0(true_codes) == 1.0 and l0(sparse.csr_array(true_codes)) == 1.0  # 4 / 4
    assert l0(codes) == 0.75
    # The suite's reading: the zero row matches nothing, and feature 1 fires where != 0.
    suite = latent_precision_recall(codes, true_codes, atoms, features)
    assert np.array_equal(suite["matched"], [1, -1])
    assert suite["recall"][0] == 0.5 and suite["precision"][1] == 0.0
    assert uniqueness(atoms, features) == 1.0  # matches (1, 0): 2 distinct / 2


def _random_case(seed=0, n=1000, d=8, m=24, n_features=40):
    rng = np.random.default_rng(seed)
    V = rng.standard_normal((n_features, d))
    A = V[rng.permutation(n_features)[:m]] + 0.3 * rng.standard_normal((m, d))
    C = np.maximum(rng.standard_normal((n, n_features)) - 1.5, 0.0)
    X = C @ V + 3.0
    X[:5] = 0.0                       # zero rows: skipped by shrinkage
    X[5:8] = 0.0
    X[5:8, 0] = 1e-7                  # norm 1e-7 <= 1e-6: skipped too
    Z = np.maximum(X @ A.T - 4.0, 0.0)
    Z[:, :3] = 0.0                    # three dead latents
    return X, Z @ A + 0.1, Z, C, A, V


def test_streaming_equals_one_batch_and_the_single_functions():
    X, X_hat, Z, C, A, V = _random_case()
    whole = SyntheticEval(A, V).add_batch(X, X_hat, Z, C).result()
    ev = SyntheticEval(A, V)
    for start, stop in ((0, 1), (1, 300), (300, 301), (301, 777), (777, 1000)):
        ev.add_batch(X[start:stop], X_hat[start:stop], Z[start:stop],
                     sparse.csr_array(C[start:stop]))
    out = ev.result()
    for key in ("true_l0", "sae_l0", "dead_latents", "uniqueness", "mcc"):
        assert out[key] == whole[key], key
    for key in FIELD_KEYS:
        assert out[key] == pytest.approx(whole[key], rel=EXACT, abs=EXACT), key
    cls = classification_metrics(Z, sparse.csc_array(C), A, V)
    expected = {"true_l0": l0(C), "sae_l0": l0(Z), "dead_latents": dead_latents(Z),
                "shrinkage": shrinkage(X, X_hat),
                "explained_variance": explained_variance(X, X_hat), "mcc": mcc(A, V),
                "uniqueness": uniqueness(A, V),
                **{k: cls[k] for k in ("precision", "recall", "f1_score", "accuracy")}}
    for key in FIELD_KEYS:
        assert out[key] == pytest.approx(expected[key], rel=EXACT, abs=EXACT), key
    assert out["dead_latents"] == int(np.all(Z == 0, axis=0).sum()) >= 3  # 3 zeroed + 1
    # Where the definitions are the same, the suite's functions give the same numbers.
    assert out["shrinkage"] == pytest.approx(suite_shrinkage(X, X_hat), rel=EXACT)
    assert out["explained_variance"] == pytest.approx(suite_explained_variance(X, X_hat),
                                                      rel=EXACT)
    # The shrinkage skipped the 8 zero and near-zero rows (with them, a 1e6 ratio).
    kept = np.linalg.norm(X, axis=1) > 1e-6
    assert kept.sum() == 992
    assert out["shrinkage"] == pytest.approx(
        np.mean(np.linalg.norm(X_hat[kept], axis=1) / np.linalg.norm(X[kept], axis=1)),
        rel=EXACT)
    # No zero atom, non-negative truth: the suite's per-latent F1 with NaN read as 0.
    pr = latent_precision_recall(Z, C, A, V)
    assert cls["f1_score"] == pytest.approx(pr["mean_f1"], rel=EXACT)
    assert pr["live_mean_f1"] > pr["mean_f1"]  # the dead latents count 0 in the field's


def _state_bytes(ev: SyntheticEval) -> int:
    return sum(v.nbytes for v in vars(ev).values() if isinstance(v, np.ndarray)) + \
        ev._sums.mean.nbytes


def test_memory_does_not_grow_with_batches_and_sparse_truth_is_never_densified():
    X, X_hat, Z, C, A, V = _random_case(n=200)
    ev = SyntheticEval(A, V).add_batch(X, X_hat, Z, C)
    size = _state_bytes(ev)
    for _ in range(30):
        ev.add_batch(X, X_hat, Z, C)
    assert _state_bytes(ev) == size
    assert ev.n_samples_ == 31 * 200
    # 2000 rows of truth over 200,000 features (4 non-zeros a row): dense, 3.2 GB.
    n, n_features, d, m = 2000, 200_000, 8, 16
    rng = np.random.default_rng(1)
    V = rng.standard_normal((n_features, d))
    A = V[:m] + 0.1 * rng.standard_normal((m, d))
    rows = np.repeat(np.arange(n), 4)
    cols = rng.integers(0, n_features, rows.size)
    cols[::4] = rng.integers(0, m, n)     # each row fires one of the matched features
    C = sparse.csr_array((rng.random(rows.size) + 0.1, (rows, cols)), shape=(n, n_features))
    X = C @ V
    Z = np.maximum(X @ A.T - 0.5, 0.0)
    ev = SyntheticEval(A, V)
    tracemalloc.start()
    try:
        ev.add_batch(X, Z @ A, Z, C)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The batch's own arrays are a few (n, m) and (n, d) copies (~0.3 MB each) and the
    # sparse truth (~0.2 MB): a dense copy of C would be 3.2 GB.
    assert peak < 20e6, peak
    out = ev.result()
    assert out["true_l0"] == pytest.approx(C.nnz / n) and 0 < out["recall"] <= 1


def test_explained_variance_streams_without_cancellation():
    # A mean of 1e8 against unit spread: E||x||^2 - ||E x||^2 from running sums would
    # lose every digit in float64 (1e16 * d against a difference of about d); the pairwise
    # merge keeps the two-pass value.
    rng = np.random.default_rng(2)
    X = rng.standard_normal((3000, 4)) + 1e8
    X_hat = X + 0.5 * rng.standard_normal(X.shape)
    ev = SyntheticEval(np.eye(4), np.eye(4))
    codes, truth = np.zeros((3000, 4)), np.zeros((3000, 4))
    for s in range(0, 3000, 700):
        ev.add_batch(X[s:s + 700], X_hat[s:s + 700], codes[s:s + 700], truth[s:s + 700])
    two_pass = suite_explained_variance(X, X_hat)
    assert 0.7 < two_pass < 0.8  # 1 - 0.25 / 1
    assert ev.result()["explained_variance"] == pytest.approx(two_pass, abs=1e-7)


def test_explained_variance_and_shrinkage_use_the_librarys_values_where_undefined():
    X = np.random.default_rng(3).standard_normal((50, 3)) + 2.0
    mean = np.broadcast_to(X.mean(axis=0), X.shape)
    assert explained_variance(X, X) == 1.0
    assert explained_variance(X, mean) == pytest.approx(0.0, abs=EXACT)
    # Constant data (total variance 0 < 1e-10): 1.0 when reconstructed exactly, else 0.0.
    const = np.ones((4, 3))
    assert explained_variance(const, const) == 1.0
    assert explained_variance(const, const + 0.1) == 0.0
    with pytest.raises(ValueError, match="zero variance"):
        suite_explained_variance(const, const)  # the suite's function refuses
    # No row with ||x|| > 1e-6: the library's shrinkage is 0.0; the suite's refuses.
    tiny = np.full((3, 2), 1e-8)
    assert shrinkage(tiny, np.ones((3, 2))) == 0.0
    with pytest.raises(ValueError, match="no row of X"):
        suite_shrinkage(tiny, np.ones((3, 2)))


@pytest.mark.parametrize("call, match", [
    (lambda: SyntheticEval(np.full((2, 3), np.nan), np.eye(3)), "atoms"),
    (lambda: SyntheticEval(np.eye(3), np.eye(4)), "features"),
    (lambda: SyntheticEval(np.eye(3), np.eye(3)).result(), "no batch"),
    (lambda: classification_metrics(np.ones((4, 2)), TRUE_CODES, ATOMS, T), "codes"),
    (lambda: classification_metrics(CODES, TRUE_CODES[:, :2], ATOMS, T), "true_codes"),
    (lambda: l0(np.ones(3)), "codes"),
    (lambda: dead_latents(np.full((2, 2), np.inf)), "codes"),
    (lambda: shrinkage(np.eye(3), np.eye(2)), "X_hat"),
    (lambda: explained_variance(np.ones((0, 3)), np.ones((0, 3))), "X"),
])
def test_bad_input_is_refused_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("bad, match", [
    ({"codes": CODES[:, :3]}, "codes"),
    ({"true_codes": TRUE_CODES[:3]}, "true_codes"),
    ({"X": np.ones((4, 2))}, "X"),
    ({"X_hat": np.ones((3, 3))}, "X_hat"),
    ({"true_codes": sparse.csr_array(np.where(TRUE_CODES > 0.6, np.nan, TRUE_CODES))},
     "true_codes"),
])
def test_a_refused_batch_adds_nothing(bad, match):
    X, X_hat = _known_batch()
    args = {"X": X, "X_hat": X_hat, "codes": CODES, "true_codes": TRUE_CODES, **bad}
    ev = SyntheticEval(ATOMS, T)
    with pytest.raises(ValueError, match=match):
        ev.add_batch(**args)
    assert ev.n_samples_ == 0
    ev.add_batch(X, X_hat, CODES, TRUE_CODES)
    assert ev.result()["f1_score"] == pytest.approx(7 / 12, abs=EXACT)
