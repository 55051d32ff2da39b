"""Property-based tests of every public metric function, on bad and odd inputs.

One test id per metric function (``test_metric_properties[module.function]``), so
``--hypothesis-show-statistics`` counts the cases tried on each. Every target draws either
a bad input, which must be refused with ValueError or TypeError naming the argument, or an
odd but valid one (integer or float32 dtype, constant columns, scales 1e-150 .. 1e150, the
fewest rows, string labels), which must give a finite result in the metric's documented
range that keeps the metric's invariances. A hang would stall the run: every loop in the
metrics is bounded, and the ``ci`` profile's run time is quoted in docs/bad-input-and-memory.md.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import sparse

from floor import geometric_median  # a solver the metrics use, checked here as before
from metrics import (
    ccs_loss,
    claimed_features,
    dictionary_similarity,
    direction_count,
    eigenvalue_ratio,
    labels_needed,
    probes,
    reconstruction,
    statistics,
    subspace,
    synthetic_eval,
    truth_accuracy,
    zero_one_probe,
)
from tests.bad_inputs import (
    SCALES,
    bad_labels,
    bad_matrices,
    bad_scalars,
    bad_vectors,
    finite_matrices,
    odd_labels,
    odd_matrices,
)

TARGETS: dict[str, Callable] = {}
# Relative tolerance of an invariance that only rounding can break.
RTOL = 1e-9


def target(*names: str):
    """Register a property check under one or more ``module.function`` names."""
    def register(check):
        for name in names:
            TARGETS[name] = check
        return check
    return register


def refused(name: str):
    """``pytest.raises`` for an error whose message names the argument ``name``."""
    return pytest.raises((ValueError, TypeError), match=rf"(?<!\w){re.escape(name)}(?!\w)")


def draw_case(data, odd, bad, label: str):
    """Draw ``(is_bad, case_label, value)``: half the time from ``bad``, else from ``odd``."""
    is_bad = data.draw(st.booleans(), label=f"{label} is bad")
    case, value = data.draw(bad if is_bad else odd, label=label)
    return is_bad, case, value


def matrix_of_width(data, d: int, label: str, min_rows: int = 1, max_rows: int = 8,
                    scale: float | None = 1.0) -> np.ndarray:
    return data.draw(finite_matrices(min_rows=min_rows, max_rows=max_rows, min_cols=d,
                                     max_cols=d, scale=scale), label=label)


def seeded_rng(data) -> np.random.Generator:
    return np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))


def assert_unit_interval(value: float, what: str = "value") -> None:
    assert isinstance(value, float) and math.isfinite(value), (what, value)
    assert 0.0 <= value <= 1.0, (what, value)


# --- dictionary_similarity -----------------------------------------------------------------

def _rescaled_rows(data, A: np.ndarray) -> np.ndarray:
    """``A`` with rows permuted, signs flipped, each row scaled by 10^[-3, 3] and the whole
    matrix by one of SCALES: the changes a dictionary score must not see."""
    rng = seeded_rng(data)
    s = data.draw(st.sampled_from(SCALES), label="overall scale")
    factors = 10.0 ** rng.uniform(-3, 3, A.shape[0]) * rng.choice([-1.0, 1.0], A.shape[0])
    return (A * factors[:, None] * s)[rng.permutation(A.shape[0])]


def _near_threshold(A, T, threshold: float) -> bool:
    C = dictionary_similarity.abs_cosine_matrix(A, T)
    return bool(np.any(np.abs(C - threshold) < 1e-6))


def _atoms_and_truth(data, first: str = "atoms", second: str = "truth"):
    """Either ``(bad_name, first, second)`` with one argument bad, or ``(None, A, T)`` valid."""
    which = data.draw(st.sampled_from([None, first, second]), label="bad argument")
    if which is None:
        _, A = data.draw(odd_matrices(min_rows=1, max_rows=8), label=first)
        T = matrix_of_width(data, A.shape[1], second)
        if data.draw(st.booleans(), label="odd truth"):
            T = T * data.draw(st.sampled_from(SCALES), label="truth scale")
        return None, A, T
    d = data.draw(st.integers(1, 5), label="d")
    good = matrix_of_width(data, d, "good")
    _, bad = data.draw(bad_matrices(n_features=d), label=which)
    return (which, bad, good) if which == first else (which, good, bad)


@target("dictionary_similarity.mmcs", "dictionary_similarity.matched_mcc",
        "dictionary_similarity.recovery_rate", "dictionary_similarity.cross_mmcs")
def check_dictionary_score(data, name):
    fn = getattr(dictionary_similarity, name.split(".")[1])
    second = "reference" if name.endswith("cross_mmcs") else "truth"
    bad, A, T = _atoms_and_truth(data, "atoms", second)
    if bad is not None:
        with refused(bad):
            fn(A, T)
        return
    value = fn(A, T)
    assert_unit_interval(value)
    if name.endswith("recovery_rate") and _near_threshold(A, T, 0.9):
        return
    # Permuting, sign-flipping and scaling atoms (and truth rows) changes nothing.
    assert fn(_rescaled_rows(data, A), T) == pytest.approx(value, rel=RTOL, abs=1e-12)
    assert fn(A, _rescaled_rows(data, T)) == pytest.approx(value, rel=RTOL, abs=1e-12)
    if name.endswith(".mmcs"):
        # Every truth row among the atoms: MMCS is 1 on the live truth rows.
        # (at A's scale: a row 1e12 times shorter than the longest is dead by design)
        live = dictionary_similarity.unit_rows(T)[1]
        T_like_A = T / np.abs(T).max() * (np.abs(A).max() or 1.0)
        assert fn(np.vstack([A, T_like_A]), T) == pytest.approx(live.mean(), abs=1e-12)


@target("dictionary_similarity.abs_cosine_matrix", "dictionary_similarity.best_match")
def check_cosines(data, name):
    fn = getattr(dictionary_similarity, name.split(".")[1])
    bad, A, T = _atoms_and_truth(data)
    if bad is not None:
        with refused(bad):
            fn(A, T)
        return
    C = dictionary_similarity.abs_cosine_matrix(A, T)
    assert C.shape == (A.shape[0], T.shape[0]) and np.all((C >= 0) & (C <= 1))
    _, live = dictionary_similarity.unit_rows(np.asarray(A, dtype=np.float64))
    idx = dictionary_similarity.best_match(A, T)
    assert np.array_equal(idx < 0, ~live)
    assert np.all(idx < T.shape[0])
    assert np.allclose(C[live, idx[live]], C[live].max(axis=1), rtol=0, atol=1e-12)
    assert np.array_equal(dictionary_similarity.best_match(-np.asarray(A), T), idx)


@target("dictionary_similarity.unit_rows")
def check_unit_rows(data, name):
    is_bad, case, A = draw_case(data, odd_matrices(min_rows=1, max_rows=8), bad_matrices(), "A")
    if is_bad:
        with refused("A"):
            dictionary_similarity.unit_rows(A)
        return
    U, alive = dictionary_similarity.unit_rows(A)
    assert U.dtype == np.float64 and U.shape == A.shape
    assert np.allclose(np.linalg.norm(U[alive], axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.all(U[~alive] == 0)
    assert np.array_equal(alive, np.any(np.asarray(A) != 0, axis=1))
    s = data.draw(st.sampled_from(SCALES), label="scale")
    U2, alive2 = dictionary_similarity.unit_rows(np.asarray(A, dtype=np.float64) * s)
    assert np.array_equal(alive2, alive) and np.allclose(U2, U, rtol=0, atol=1e-12)


@target("dictionary_similarity.uniqueness")
def check_uniqueness(data, name):
    bad, A, T = _atoms_and_truth(data)
    if bad is not None:
        with refused(bad):
            dictionary_similarity.uniqueness(A, T)
        return
    m = A.shape[0]
    value = dictionary_similarity.uniqueness(A, T)
    assert_unit_interval(value)
    assert value >= 1.0 / m - 1e-12
    # Every atom counts, zero ones too (matched to truth 0, the first of their ties).
    match = dictionary_similarity.abs_cosine_matrix(A, T).argmax(axis=1)
    assert value == np.unique(match).size / m


@target("dictionary_similarity.live_uniqueness")
def check_live_uniqueness(data, name):
    bad, A, T = _atoms_and_truth(data)
    if bad is not None:
        with refused(bad):
            dictionary_similarity.live_uniqueness(A, T)
        return
    m = A.shape[0]
    mask_case = data.draw(st.sampled_from(["none", "ok", "short", "strings", "2-d"]),
                          label="alive")
    mask = {"none": None, "ok": np.arange(m) % 2 == 0, "short": np.ones(m + 1, bool),
            "strings": np.array(["no"] * m), "2-d": np.ones((m, 1), bool)}[mask_case]
    if mask_case in ("short", "strings", "2-d"):
        with refused("alive"):
            dictionary_similarity.live_uniqueness(A, T, alive=mask)
        return
    value = dictionary_similarity.live_uniqueness(A, T, alive=mask)
    assert_unit_interval(value)
    live = dictionary_similarity.unit_rows(np.asarray(A, dtype=np.float64))[1]
    if mask is not None:
        live &= mask
    assert (value > 0) == bool(live.any())
    if live.any():
        assert value >= 1.0 / live.sum() - 1e-12


def _codes_case(data, label="codes"):
    return draw_case(data, odd_matrices(min_rows=1, max_rows=10), bad_matrices(), label)


@target("dictionary_similarity.active", "dictionary_similarity.dead_latents",
        "dictionary_similarity.dead_fraction", "dictionary_similarity.mean_l0")
def check_activity(data, name):
    fn = getattr(dictionary_similarity, name.split(".")[1])
    is_bad, case, codes = _codes_case(data)
    if is_bad:
        with refused("codes"):
            fn(codes)
        return
    n, m = codes.shape
    fires = np.asarray(codes) != 0
    value = fn(codes)
    expected = {"active": fires, "dead_latents": ~fires.any(axis=0),
                "dead_fraction": float((~fires.any(axis=0)).mean()),
                "mean_l0": float(fires.sum(axis=1).mean())}[name.split(".")[1]]
    if isinstance(value, float):
        assert math.isfinite(value) and value == pytest.approx(expected, rel=1e-12)
        assert 0 <= value <= (m if name.endswith("mean_l0") else 1)
    else:
        assert np.array_equal(value, expected)
    assert np.array_equal(np.asarray(fn(-np.asarray(codes))), np.asarray(value))


def _classification_case(data, truth: str) -> tuple[dict, str | None]:
    """Codes, true codes, atoms and truth (named ``truth``) of a random case, and the
    argument made bad (None: a valid case), shape-mismatched or not finite."""
    n = data.draw(st.integers(1, 10), label="n")
    m, t, d = (data.draw(st.integers(1, 4), label=k) for k in "mtd")
    rng = seeded_rng(data)
    args = {
        "codes": np.maximum(rng.standard_normal((n, m)), 0),
        "true_codes": np.maximum(rng.standard_normal((n, t)), 0),
        "atoms": rng.standard_normal((m, d)),
        truth: rng.standard_normal((t, d)),
    }
    bad = data.draw(st.sampled_from([None, *args]), label="bad argument")
    if bad is not None:
        if data.draw(st.booleans(), label="shape mismatch"):
            X = args[bad]
            args[bad] = np.vstack([X, X[:1]]) if bad in ("codes", "true_codes") and \
                data.draw(st.booleans(), label="extra row") else np.hstack([X, X[:, :1]])
        else:
            args[bad] = data.draw(bad_matrices(), label=bad)[1]
    return args, bad


@target("dictionary_similarity.latent_precision_recall")
def check_precision_recall(data, name):
    args, bad = _classification_case(data, "truth")
    if bad is not None:
        with refused(bad):
            dictionary_similarity.latent_precision_recall(**args)
        return
    s = data.draw(st.sampled_from(SCALES), label="scale")
    out = dictionary_similarity.latent_precision_recall(args["codes"] * s, args["true_codes"],
                                                         args["atoms"] * s, args["truth"])
    fires = args["codes"] > 0
    for key in ("precision", "recall", "f1"):
        v = out[key]
        assert np.all(np.isnan(v) | ((v >= 0) & (v <= 1))), (key, v)
        for mean in (f"mean_{key}", f"live_mean_{key}"):
            assert_unit_interval(out[mean], mean)
        # The field's mean reads NaN as 0 over every latent; the live mean skips NaN.
        assert out[f"mean_{key}"] == pytest.approx(np.nan_to_num(v).mean(), rel=1e-12,
                                                   abs=1e-15)
        assert out[f"mean_{key}"] <= out[f"live_mean_{key}"] + 1e-12
    # NaN only where documented: a latent that never fires has no precision.
    assert np.array_equal(np.isnan(out["precision"]), ~fires.any(axis=0))


# --- claimed_features ------------------------------------------------------------------------

@target("claimed_features.alive_atoms")
def check_alive_atoms(data, name):
    is_bad, case, codes = _codes_case(data)
    min_count = data.draw(st.integers(1, 3), label="min_count")
    if is_bad:
        with refused("codes"):
            claimed_features.alive_atoms(codes, min_count=min_count)
        return
    alive = claimed_features.alive_atoms(codes, min_count=min_count)
    counts = (np.asarray(codes) != 0).sum(axis=0)
    assert alive.dtype == bool and np.array_equal(alive, counts >= min_count)
    with refused("min_count"):
        claimed_features.alive_atoms(codes, min_count=data.draw(st.sampled_from([0, -1, 1.5])))


def _dictionaries(data, first="atoms", second="other"):
    return _atoms_and_truth(data, first, second)


@target("claimed_features.stable_atoms")
def check_stable_atoms(data, name):
    bad, A, B = _dictionaries(data)
    if bad is not None:
        with refused(bad):
            claimed_features.stable_atoms(A, B)
        return
    stable = claimed_features.stable_atoms(A, B)
    assert stable.shape == (A.shape[0],) and stable.dtype == bool
    assert not np.any(stable & ~dictionary_similarity.unit_rows(np.asarray(A, float))[1])
    if not _near_threshold(A, B, 0.9):
        assert np.array_equal(claimed_features.stable_atoms(A, _rescaled_rows(data, B)), stable)
        # Stable against two dictionaries = stable against each.
        both = claimed_features.stable_atoms(A, [B, np.vstack([B, -B])])
        assert np.array_equal(both, stable)


@target("claimed_features.stable_alive_atoms", "claimed_features.claimed_features")
def check_claims(data, name):
    fn = getattr(claimed_features, name.split(".")[1])
    kwargs = {"n_draws": 3} if name.endswith("claimed_features") else {}
    bad, A, B = _dictionaries(data)
    m = np.shape(A)[0] if np.ndim(A) == 2 else np.shape(B)[0] if np.ndim(B) == 2 else 1
    rng = seeded_rng(data)
    codes = np.maximum(rng.standard_normal((5, m)), 0)
    bad_codes = bad is None and data.draw(st.booleans(), label="bad heldout_codes")
    if bad_codes:
        codes = data.draw(st.sampled_from([np.hstack([codes, codes[:, :1]]),
                                           np.where(codes > 0, np.nan, codes), codes[0]]))
        bad = "heldout_codes"
    if bad is not None:
        with refused(bad):
            fn(A, codes, B, **kwargs)
        return
    out = fn(A, codes, B, **kwargs)
    n_claimed = out if isinstance(out, int) else out.n_claimed
    assert isinstance(n_claimed, int) and 0 <= n_claimed <= A.shape[0]
    if not isinstance(out, int):
        assert out.n_claimed <= out.n_alive <= out.n_atoms == A.shape[0]
        assert_unit_interval(out.cross_mmcs, "cross_mmcs")
        assert math.isfinite(out.excess)
        if not _near_threshold(A, B, 0.9):
            # The claim does not see the atoms' scale.
            again = fn(np.asarray(A, dtype=np.float64) * 1e-150, codes, B, **kwargs)
            assert again.n_claimed == out.n_claimed and again.n_alive == out.n_alive


@target("claimed_features.random_unit_atoms")
def check_random_unit_atoms(data, name):
    bad = data.draw(st.sampled_from([None, "n_atoms", "n_features"]), label="bad argument")
    m, d = data.draw(st.integers(1, 6), label="m"), data.draw(st.integers(1, 6), label="d")
    if bad is not None:
        value = data.draw(bad_scalars(integer=True), label=bad)[1]
        args = {"n_atoms": m, "n_features": d, bad: value}
        with refused(bad):
            claimed_features.random_unit_atoms(**args)
        return
    seed = data.draw(st.integers(0, 2**32 - 1), label="random_state")
    A = claimed_features.random_unit_atoms(m, d, seed)
    assert A.shape == (m, d)
    assert np.allclose(np.linalg.norm(A, axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.array_equal(A, claimed_features.random_unit_atoms(m, d, seed))


@target("claimed_features.random_atom_band")
def check_random_atom_band(data, name):
    args = {"n_atoms": data.draw(st.integers(1, 5), label="n_atoms"),
            "n_features": data.draw(st.integers(1, 5), label="n_features"),
            "n_other": data.draw(st.none() | st.integers(1, 5), label="n_other"),
            "n_draws": data.draw(st.integers(1, 6), label="n_draws"),
            "quantile": data.draw(st.floats(0.01, 1.0), label="quantile"),
            "threshold": data.draw(st.floats(0.0, 1.0), label="threshold")}
    bad = data.draw(st.sampled_from([None, *args]), label="bad argument")
    if bad is not None:
        if bad in ("quantile", "threshold"):
            values = [np.nan, np.inf, "0.5"] + ([-0.5, 1.5] if bad == "quantile" else [])
            args[bad] = data.draw(st.sampled_from(values))
        else:
            args[bad] = data.draw(bad_scalars(integer=True), label=bad)[1]
            if bad == "n_other" and args[bad] is None:
                return  # None means "as many as n_atoms"
        with refused(bad):
            claimed_features.random_atom_band(**args)
        return
    band = claimed_features.random_atom_band(**args)
    m = args["n_atoms"]
    for key, top in (("cross_mmcs", 1.0), ("stable_count", m)):
        b = band[key]
        assert b.n_draws == args["n_draws"] == b.values.size
        assert np.all((b.values >= 0) & (b.values <= top + 1e-12))
        assert b.values.min() <= b.high <= b.values.max() and b.high in b.values
        assert b.values.min() <= b.mean <= b.values.max() + 1e-12
    assert band["cross_mmcs"].values == pytest.approx(
        claimed_features.random_atom_band(**args)["cross_mmcs"].values)


# --- direction_count -------------------------------------------------------------------------

@target("direction_count.count_distinct_directions")
def check_count_distinct(data, name):
    is_bad, case, V = draw_case(data, odd_matrices(min_rows=1, max_rows=8), bad_matrices(),
                                "directions")
    zero_row = not is_bad and np.any(np.all(np.asarray(V) == 0, axis=1))
    if is_bad or zero_row:
        with refused("directions"):
            direction_count.count_distinct_directions(V)
        return
    k = direction_count.count_distinct_directions(V)
    assert isinstance(k, int) and 1 <= k <= V.shape[0]
    V = np.asarray(V, dtype=np.float64)
    rng = seeded_rng(data)
    flipped = V * rng.choice([-1.0, 1.0], (V.shape[0], 1)) * 10.0 ** rng.uniform(-3, 3,
                                                                                 (V.shape[0], 1))
    C = np.abs(dictionary_similarity.abs_cosine_matrix(V, V))
    if not np.any(np.abs(C - direction_count.SAME_DIRECTION_COS) < 1e-6):
        assert direction_count.count_distinct_directions(flipped) == k
        assert direction_count.count_distinct_directions(np.vstack([V, -V, 3 * V])) == k


def _fact_args(data):
    f = data.draw(st.integers(1, 5), label="n_facts")
    d = data.draw(st.integers(1, 5), label="d")
    rng = seeded_rng(data)
    return {"direction": rng.standard_normal(d), "fact_directions": rng.standard_normal((f, d)),
            "fact_signs": rng.choice([-1.0, 1.0], f)}


def _spoil(data, value: np.ndarray, label: str, axis: int = 0):
    """A bad version of a valid vector or matrix: NaN, inf, strings, a wrong shape."""
    return data.draw(bad_vectors(value, axis), label=label)[1]


@target("direction_count.fact_sign_agreement")
def check_fact_sign_agreement(data, name):
    args = _fact_args(data)
    bad = data.draw(st.sampled_from([None, *args]), label="bad argument")
    if bad is not None:
        args[bad] = _spoil(data, args[bad], bad)
        if bad == "fact_signs" and data.draw(st.booleans(), label="0/1 signs"):
            args[bad] = np.ones(args["fact_directions"].shape[0]) * 2.0
        with refused(bad):
            direction_count.fact_sign_agreement(**args)
        return
    value = direction_count.fact_sign_agreement(**args)
    assert_unit_interval(value)
    s = data.draw(st.sampled_from(SCALES), label="scale")
    flipped = dict(args, direction=-s * args["direction"])
    assert direction_count.fact_sign_agreement(**flipped) == pytest.approx(1.0 - value)
    assert direction_count.fact_sign_agreement(
        args["fact_signs"] @ args["fact_directions"] * 0 + args["direction"],
        args["fact_directions"], args["fact_signs"]) == value


@target("direction_count.sign_retention")
def check_sign_retention(data, name):
    r, d, k = (data.draw(st.integers(1, 4), label=x) for x in ("runs", "d", "axes"))
    rng = seeded_rng(data)
    args = {"init_directions": rng.standard_normal((r, d)),
            "final_directions": rng.standard_normal((r, d)),
            "axes": rng.standard_normal((k, d))}
    bad = data.draw(st.sampled_from([None, *args]), label="bad argument")
    if bad is not None:
        args[bad] = _spoil(data, args[bad], bad, axis=1 if bad == "axes" else 0)
        with refused(bad):
            direction_count.sign_retention(**args)
        return
    value = direction_count.sign_retention(**args)
    assert_unit_interval(value)
    s = data.draw(st.sampled_from(SCALES), label="scale")
    same = direction_count.sign_retention(args["init_directions"], s * args["init_directions"],
                                          args["axes"])
    assert same == 1.0


# --- eigenvalue_ratio ------------------------------------------------------------------------

@target("eigenvalue_ratio.top_eigenvalue_ratio")
def check_eigenvalue_ratio(data, name):
    rng = seeded_rng(data)
    lam = np.abs(rng.standard_normal(data.draw(st.integers(2, 6), label="n")))
    case = data.draw(st.sampled_from(["ok", "bad", "negative", "zeros", "one"]), label="case")
    if case != "ok":
        bad = {"negative": -lam, "zeros": np.zeros_like(lam), "one": lam[:1],
               "bad": _spoil(data, lam, "eigenvalues") if case == "bad" else None}[case]
        if bad.ndim == 1 and bad.size == lam.size + 1 and np.all(np.isfinite(bad)):
            return  # one eigenvalue more is still a valid spectrum
        with refused("eigenvalues"):
            eigenvalue_ratio.top_eigenvalue_ratio(bad)
        return
    value = eigenvalue_ratio.top_eigenvalue_ratio(lam)
    assert value >= 1.0 and not math.isnan(value)
    s = data.draw(st.sampled_from(SCALES), label="scale")
    assert eigenvalue_ratio.top_eigenvalue_ratio(lam * s) == pytest.approx(value, rel=RTOL)
    assert eigenvalue_ratio.top_eigenvalue_ratio(lam[::-1].astype(np.float32)) == \
        pytest.approx(value, rel=1e-5)


# --- geometric_median ------------------------------------------------------------------------

def _distance_sum(X, m):
    X = np.asarray(X, dtype=np.float64)
    s = np.abs(X).max() or 1.0
    return float(np.linalg.norm((X - m) / s, axis=1).sum() * s)


@target("geometric_median.geometric_median")
def check_geometric_median(data, name):
    is_bad, case, X = draw_case(data, odd_matrices(min_rows=1, max_rows=12), bad_matrices(), "X")
    if is_bad:
        with refused("X"):
            geometric_median.geometric_median(X)
        return
    Xf = np.asarray(X, dtype=np.float64)
    if data.draw(st.booleans(), label="coincident points"):
        X = Xf = np.repeat(Xf[:1], Xf.shape[0], axis=0)
        assert np.allclose(geometric_median.geometric_median(Xf), Xf[0], rtol=1e-12, atol=0)
    m = geometric_median.geometric_median(X)
    assert m.shape == (Xf.shape[1],) and np.all(np.isfinite(m))
    f = _distance_sum(Xf, m)
    # Weiszfeld descends from the coordinate-wise median.
    spread = np.abs(Xf - Xf.mean(axis=0)).max() * len(Xf)
    assert f <= _distance_sum(Xf, np.median(Xf, axis=0)) * (1 + 1e-9) + 1e-12 * spread
    # Rotation equivariance, judged by the objective (the minimiser need not be unique).
    Q, _ = np.linalg.qr(seeded_rng(data).standard_normal((Xf.shape[1],) * 2))
    f_rot = _distance_sum(Xf @ Q, geometric_median.geometric_median(Xf @ Q))
    assert f_rot == pytest.approx(f, rel=1e-6, abs=1e-9 * spread)


# --- labels_needed ---------------------------------------------------------------------------

@target("labels_needed.labels_needed")
def check_labels_needed(data, name):
    k, n = data.draw(st.integers(1, 4), label="k"), data.draw(st.integers(1, 12), label="n")
    rng = seeded_rng(data)
    args = {"candidate_proba": rng.uniform(0, 1, (k, n)), "y": rng.integers(0, 2, n),
            "candidate_accuracy": rng.uniform(0, 1, k)}
    bad = data.draw(st.sampled_from([None, "no candidates", *args]), label="bad argument")
    if bad == "no candidates":
        with refused("candidate_proba"):
            labels_needed.labels_needed(np.zeros((0, n)), args["y"], np.zeros(0))
        return
    if bad is not None:
        args[bad] = _spoil(data, args[bad], bad)
        if bad == "candidate_accuracy" and data.draw(st.booleans(), label="above 1"):
            args[bad] = np.full(k, 1.5)
        if bad == "y" and data.draw(st.booleans(), label="string y"):
            args[bad] = np.where(rng.integers(0, 2, n) == 1, "yes", "no")
        with refused(bad):
            labels_needed.labels_needed(**args)
        return
    value = labels_needed.labels_needed(**args)
    assert value == math.inf or (value == int(value) and 0 <= value <= n)
    # A higher target never needs fewer labels.
    assert labels_needed.labels_needed(**args, target=0.99) >= \
        labels_needed.labels_needed(**args, target=0.5)
    assert labels_needed.labels_needed(args["candidate_proba"], args["y"], np.ones(k),
                                       sign_agnostic=False) == 0
    with refused("target"):
        labels_needed.labels_needed(**args, target=np.nan)


# --- probes ----------------------------------------------------------------------------------

def _labelled_data(data, n_min: int):
    n = data.draw(st.integers(n_min, 24), label="n_train")
    n_test = data.draw(st.integers(4, 12), label="n_test")
    d = data.draw(st.integers(1, 3), label="d")
    rng = seeded_rng(data)
    y, y_test = np.arange(n) % 2, np.arange(n_test) % 2
    X = rng.standard_normal((n, d)) + 2.0 * y[:, None]
    X_test = rng.standard_normal((n_test, d)) + 2.0 * y_test[:, None]
    return X, y, X_test, y_test


def _oddly(data, X, X_test):
    case = data.draw(st.sampled_from(["float", "int64", "float32", "constant column",
                                      *(f"scale {s:g}" for s in SCALES)]), label="X case")
    if case == "int64":
        return np.round(X * 3).astype(np.int64), np.round(X_test * 3).astype(np.int64)
    if case == "float32":
        return X.astype(np.float32), X_test.astype(np.float32)
    if case == "constant column":
        return np.hstack([X, np.full((len(X), 1), 2.5)]), np.hstack(
            [X_test, np.full((len(X_test), 1), 2.5)])
    s = float(case.split()[1]) if case.startswith("scale") else 1.0
    return X * s, X_test * s


_PROBE_ARGS = ("name", "X_train", "y_train", "X_test", "y_test", "seed")


@target(*(f"probes.score_probe[{kind}]" for kind in probes.PROBE_KINDS))
def check_score_probe(data, name):
    kind = name.split("[")[1].rstrip("]")
    bad = data.draw(st.sampled_from([None, None, *_PROBE_ARGS]), label="bad argument")
    # With one argument bad, the others are valid for every probe (mlp needs 12 rows).
    X, y, X_test, y_test = _labelled_data(data, n_min=2 if bad is None else 12)
    seed = np.random.SeedSequence(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    args = {"name": kind, "X_train": X, "y_train": y, "X_test": X_test, "y_test": y_test,
            "seed": seed}
    if bad is not None:
        if bad == "X_train":
            args[bad] = data.draw(bad_matrices(n_features=X_test.shape[1]), label=bad)[1]
        elif bad == "X_test":
            args[bad] = data.draw(bad_matrices(n_features=X.shape[1]), label=bad)[1]
        elif bad in ("y_train", "y_test"):
            args[bad] = data.draw(bad_labels(len(args[bad])), label=bad)[1]
        else:
            args[bad] = data.draw(st.sampled_from(["svm", 3, None]), label=bad)
        with refused(bad):
            probes.score_probe(**args)
        return
    X, X_test = _oddly(data, X, X_test)
    # Classes with one training row, or (mlp) too few rows for its early-stopping split,
    # are refused naming y_train / X_train.
    n_val = math.ceil(0.1 * len(y))
    span = zero_one_probe.numerical_span(X)[1].shape[0]
    few = min(np.bincount(y)) < 2 or (kind == "qda" and 0 < span >= min(np.bincount(y)))
    too_small = few or (kind == "mlp" and (n_val < 2 or len(y) - n_val < 2))
    if too_small:
        with refused("y_train" if few else "X_train"):
            probes.score_probe(kind, X, y, X_test, y_test, seed)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = probes.score_probe(kind, X, y, X_test, y_test, seed)
        assert_unit_interval(result.balanced_accuracy)
        assert result.chance == 0.5 and result.n_test == len(y_test)
        label_case, y_odd = data.draw(odd_labels(len(y)), label="y encoding")
        codes = {0: y_odd[np.argmax(y == 0)], 1: y_odd[np.argmax(y == 1)]}
        y_test_odd = np.where(y_test == 1, codes[1], codes[0])
        again = probes.score_probe(kind, X, y_odd, X_test, y_test_odd, seed)
    assert again.balanced_accuracy == result.balanced_accuracy, label_case
    assert again.chance == result.chance


@target("probes.make_probe")
def check_make_probe(data, name):
    kind = data.draw(st.sampled_from([*probes.PROBE_KINDS, "svm", None, 3]), label="name")
    seed = data.draw(st.sampled_from([np.random.SeedSequence(1), 7, None, "seed"]), label="seed")
    if kind not in probes.PROBE_KINDS:
        with refused("name"):
            probes.make_probe(kind, np.random.SeedSequence(1))
    elif not isinstance(seed, np.random.SeedSequence):
        with refused("seed"):
            probes.make_probe(kind, seed)
    else:
        assert hasattr(probes.make_probe(kind, seed), "fit")


# --- reconstruction --------------------------------------------------------------------------

def _data_and_hat(data):
    bad = data.draw(st.sampled_from([None, "X", "X_hat"]), label="bad argument")
    if bad is not None:
        d = data.draw(st.integers(1, 5), label="d")
        good = matrix_of_width(data, d, "good", min_rows=3, max_rows=8)
        value = data.draw(bad_matrices(n_features=d), label=bad)[1]
        return bad, (value, good) if bad == "X" else (good, value)
    _, X = data.draw(odd_matrices(min_rows=1, max_rows=10), label="X")
    noise = seeded_rng(data).standard_normal(X.shape)
    return None, (X, np.asarray(X, dtype=np.float64) + noise * np.abs(X).max())


@target("reconstruction.explained_variance")
def check_explained_variance(data, name):
    bad, (X, X_hat) = _data_and_hat(data)
    if bad is not None:
        with refused(bad):
            reconstruction.explained_variance(X, X_hat)
        return
    Xf = np.asarray(X, dtype=np.float64)
    if np.all(Xf == Xf[0]):
        with refused("X"):
            reconstruction.explained_variance(X, X_hat)
        return
    value = reconstruction.explained_variance(X, X_hat)
    assert math.isfinite(value) and value <= 1.0
    mean = np.broadcast_to(Xf.mean(axis=0), Xf.shape)
    assert reconstruction.explained_variance(X, mean) == 0.0
    assert reconstruction.explained_variance(X, X) == 1.0
    s = data.draw(st.sampled_from([1e-8, 1e8, 2.0 ** -100]), label="scale")
    assert reconstruction.explained_variance(Xf * s, X_hat * s) == pytest.approx(value, rel=1e-9,
                                                                                 abs=1e-12)


@target("reconstruction.shrinkage")
def check_shrinkage(data, name):
    bad, (X, X_hat) = _data_and_hat(data)
    if bad is not None:
        with refused(bad):
            reconstruction.shrinkage(X, X_hat)
        return
    Xf = np.asarray(X, dtype=np.float64)
    if not np.any(Xf):
        with refused("X"):
            reconstruction.shrinkage(X, X_hat, min_norm=0.0)
        return
    # The field's floor is absolute (rows with ||x|| <= 1e-6 skipped): data of scale 1e-8
    # has no row left, and is refused unless min_norm=0.
    if np.all(np.linalg.norm(Xf, axis=1) <= reconstruction.SHRINKAGE_MIN_NORM):
        with refused("X"):
            reconstruction.shrinkage(X, X_hat)
    value = reconstruction.shrinkage(X, X_hat, min_norm=0.0)
    assert math.isfinite(value) and value >= 0
    c = data.draw(st.sampled_from([0.0, 0.5, 1.0, 3.0]), label="c")
    assert reconstruction.shrinkage(X, c * Xf, min_norm=0.0) == pytest.approx(c, rel=1e-12)


@target("reconstruction.reconstruct")
def check_reconstruct(data, name):
    n, m, d = (data.draw(st.integers(1, 5), label=k) for k in "nmd")
    rng = seeded_rng(data)
    args = {"codes": rng.standard_normal((n, m)), "components": rng.standard_normal((m, d)),
            "mean": rng.standard_normal(d)}
    bad = data.draw(st.sampled_from([None, *args]), label="bad argument")
    if bad is not None:
        args[bad] = _spoil(data, args[bad], bad, axis=1 if bad == "codes" else 0)
        with refused(bad):
            reconstruction.reconstruct(**args)
        return
    s = data.draw(st.sampled_from(SCALES), label="scale")
    out = reconstruction.reconstruct(args["codes"] * s, args["components"], args["mean"] * s)
    assert out.shape == (n, d) and np.all(np.isfinite(out))
    expected = (args["codes"] @ args["components"] + args["mean"]) * s
    assert np.allclose(out, expected, rtol=1e-9, atol=1e-9 * s * (1 + np.abs(expected).max() / s))
    assert np.array_equal(reconstruction.reconstruct(args["codes"], args["components"]),
                          args["codes"] @ args["components"])


# --- synthetic_eval (SynthSAEBench's conventions) ---------------------------------------------

@target("synthetic_eval.l0", "synthetic_eval.dead_latents")
def check_field_counts(data, name):
    fn = getattr(synthetic_eval, name.split(".")[1])
    is_bad, case, codes = _codes_case(data)
    if is_bad:
        with refused("codes"):
            fn(codes)
        return
    fires = np.asarray(codes) != 0
    value = fn(codes)
    if name.endswith("l0"):
        assert value == pytest.approx(fires.sum(axis=1).mean(), rel=1e-12)
        assert fn(sparse.csr_array(np.asarray(codes, dtype=np.float64))) == value
    else:
        assert isinstance(value, int) and value == int((~fires.any(axis=0)).sum())


@target("synthetic_eval.shrinkage")
def check_field_shrinkage(data, name):
    bad, (X, X_hat) = _data_and_hat(data)
    if bad is not None:
        with refused(bad):
            synthetic_eval.shrinkage(X, X_hat)
        return
    value = synthetic_eval.shrinkage(X, X_hat)
    norms = np.linalg.norm(np.asarray(X, dtype=np.float64), axis=1)
    if np.any(norms > reconstruction.SHRINKAGE_MIN_NORM):
        assert value == reconstruction.shrinkage(X, X_hat)
    else:
        assert value == 0.0  # the library's value where no row qualifies


@target("synthetic_eval.explained_variance")
def check_field_explained_variance(data, name):
    bad, (X, X_hat) = _data_and_hat(data)
    if bad is not None:
        with refused(bad):
            synthetic_eval.explained_variance(X, X_hat)
        return
    value = synthetic_eval.explained_variance(X, X_hat)
    assert math.isfinite(value) and value <= 1.0
    variance = np.asarray(X, dtype=np.float64).var(axis=0).sum()
    if variance < synthetic_eval.VARIANCE_FLOOR / 2:
        assert value in (0.0, 1.0)  # the library's convention below its floor
    elif variance > 2 * synthetic_eval.VARIANCE_FLOOR:
        assert value == pytest.approx(reconstruction.explained_variance(X, X_hat), rel=1e-9,
                                      abs=1e-12)


@target("synthetic_eval.classification_metrics")
def check_field_classification(data, name):
    args, bad = _classification_case(data, "features")
    if bad is not None:
        with refused(bad):
            synthetic_eval.classification_metrics(**args)
        return
    out = synthetic_eval.classification_metrics(**args)
    suite = dictionary_similarity.latent_precision_recall(*args.values())
    for key, ours in (("precision", "precision"), ("recall", "recall"), ("f1", "f1_score")):
        assert_unit_interval(out[ours], ours)
        # No zero atom, non-negative truth: the suite's rates with NaN read as 0.
        np.testing.assert_allclose(out[f"{ours}_per_latent"], np.nan_to_num(suite[key]),
                                   rtol=1e-12, atol=0)
        assert out[ours] == pytest.approx(suite[f"mean_{key}"], rel=1e-12, abs=1e-15)
    assert_unit_interval(out["accuracy"], "accuracy")


# --- statistics ------------------------------------------------------------------------------

def _check_estimate(est, lo=-math.inf, hi=math.inf):
    assert all(math.isfinite(v) for v in (est.value, est.low, est.high)), est
    assert lo <= est.low <= est.value <= est.high <= hi, est
    shifted = est.shifted(0.5)
    assert shifted.low <= shifted.value <= shifted.high and shifted.n == est.n
    assert est.to_dict()["n"] == est.n


@target("statistics.wilson_interval")
def check_wilson(data, name):
    n = data.draw(st.integers(1, 10**6), label="n")
    k = data.draw(st.integers(0, n), label="successes")
    conf = data.draw(st.floats(0.5, 0.9999), label="confidence")
    bad = data.draw(st.sampled_from([None, "successes", "n", "confidence"]), label="bad")
    if bad is not None:
        args = {"successes": k, "n": n, "confidence": conf}
        args[bad] = data.draw(st.sampled_from(
            {"successes": [-1, n + 1, 2.5, np.nan, "3"], "n": [0, -3, 2.5, np.nan, "10"],
             "confidence": [0.0, 1.0, 1.5, -0.1, np.nan, "0.9"]}[bad]), label="bad value")
        with refused(bad):
            statistics.wilson_interval(**args)
        return
    est = statistics.wilson_interval(k, n, conf)
    _check_estimate(est, 0.0, 1.0)
    assert est.value == k / n
    # Shrinks with n at the same proportion, widens with the confidence level.
    big = statistics.wilson_interval(2 * k, 2 * n, conf)
    assert big.high - big.low < est.high - est.low
    wider = statistics.wilson_interval(k, n, (1 + conf) / 2)
    assert wider.low <= est.low and wider.high >= est.high
    assert statistics.wilson_interval(np.int64(k), np.int64(n), conf) == est


@target("statistics.rate_over_seeds")
def check_rate_over_seeds(data, name):
    outcomes = data.draw(st.lists(st.booleans(), min_size=1, max_size=30), label="outcomes")
    case = data.draw(st.sampled_from(["bool", "int", "float", "empty", "nan", "strings",
                                      "twos", "bad confidence"]), label="case")
    if case in ("empty", "nan", "strings", "twos"):
        bad = {"empty": [], "nan": [1.0, np.nan], "strings": ["no", "no"], "twos": [2, 0]}[case]
        with refused("outcomes"):
            statistics.rate_over_seeds(bad)
        return
    if case == "bad confidence":
        with refused("confidence"):
            statistics.rate_over_seeds(outcomes, confidence=1.0)
        return
    values = {"bool": outcomes, "int": np.array(outcomes, int),
              "float": np.array(outcomes, float)}[case]
    est = statistics.rate_over_seeds(values)
    _check_estimate(est, 0.0, 1.0)
    assert est.value == pytest.approx(np.mean(outcomes)) and est.n == len(outcomes)


@target("statistics.mean_over_seeds")
def check_mean_over_seeds(data, name):
    is_bad, case, X = draw_case(data, odd_matrices(min_rows=1, max_rows=20, max_cols=1),
                                bad_matrices(), "values")
    if is_bad:
        if case in ("1-d", "3-d", "0-d", "no columns") or np.asarray(X).size == 0:
            if np.asarray(X).size > 0:
                return  # a 1-D, 3-D or 0-d array of values is ravelled: valid
        with refused("values"):
            statistics.mean_over_seeds(X)
        return
    values = np.asarray(X, dtype=np.float64).ravel()
    est = statistics.mean_over_seeds(values)
    _check_estimate(est)
    assert est.value == pytest.approx(values.mean(), rel=1e-12, abs=1e-300)
    if values.size >= 2 and values.std() > 1e-9 * np.abs(values).max():
        twice = statistics.mean_over_seeds(np.concatenate([values, values]))
        assert twice.high - twice.low < est.high - est.low
    with refused("confidence"):
        statistics.mean_over_seeds(values, confidence=data.draw(
            st.sampled_from([0.0, 1.0, 2.0, np.nan])))


# --- subspace --------------------------------------------------------------------------------

@target("subspace.distortion", "subspace.removed_subspace")
def check_subspace_pair(data, name):
    fn = getattr(subspace, name.split(".")[1])
    bad = data.draw(st.sampled_from([None, "X", "X_erased"]), label="bad argument")
    if bad is not None:
        d = data.draw(st.integers(1, 5), label="d")
        good = matrix_of_width(data, d, "good", min_rows=3, max_rows=8)
        value = data.draw(bad_matrices(n_features=d), label=bad)[1]
        if bad == "X_erased" and data.draw(st.booleans(), label="one row"):
            value = good[:1]
        with refused(bad):
            fn(*((value, good) if bad == "X" else (good, value)))
        return
    _, X = data.draw(odd_matrices(min_rows=2, max_rows=10), label="X")
    Xf = np.asarray(X, dtype=np.float64)
    rng = seeded_rng(data)
    direction = rng.standard_normal(Xf.shape[1])
    u = direction / np.linalg.norm(direction)
    X_erased = Xf - np.outer((Xf - Xf.mean(axis=0)) @ u, u)
    if name.endswith("distortion"):
        if np.all(Xf == Xf[0]):
            with refused("X"):
                fn(X, X_erased)
            return
        value = fn(X, X_erased)
        assert math.isfinite(value) and 0.0 <= value <= 1.0 + 1e-9
        assert fn(X, X) == 0.0
        mean = np.broadcast_to(Xf.mean(axis=0), Xf.shape)
        assert fn(X, mean) == pytest.approx(1.0, rel=1e-9)
        return
    B = fn(X, X_erased)
    d = Xf.shape[1]
    assert B.ndim == 2 and B.shape[0] == d and B.shape[1] <= 1
    assert np.allclose(B.T @ B, np.eye(B.shape[1]), atol=1e-9)
    if B.shape[1] == 1:
        assert abs(abs(B[:, 0] @ u) - 1.0) < 1e-6
    assert fn(X, X).shape == (d, 0)


def _basis(data, d, label):
    r = data.draw(st.integers(0, d), label=f"rank {label}")
    M = seeded_rng(data).standard_normal((d, r))
    return M * data.draw(st.sampled_from(SCALES), label=f"scale {label}")


@target("subspace.subspace_consistency")
def check_subspace_consistency(data, name):
    d = data.draw(st.integers(1, 5), label="d")
    A, B = _basis(data, d, "A"), _basis(data, d, "B")
    bad = data.draw(st.sampled_from([None, "A", "B"]), label="bad argument")
    if bad is not None:
        value = data.draw(st.sampled_from(["nan", "wrong d", "1-d", "strings"]), label=bad)
        M = np.ones((d, 1))
        spoilt = {"nan": M * np.nan, "wrong d": np.ones((d + 1, 1)), "1-d": np.ones(d),
                  "strings": M.astype(str)}[value]
        with refused(bad):
            subspace.subspace_consistency(*((spoilt, B) if bad == "A" else (A, spoilt)))
        return
    value = subspace.subspace_consistency(A, B)
    assert_unit_interval(value)
    assert value == pytest.approx(subspace.subspace_consistency(B, A), rel=1e-9, abs=1e-12)
    assert subspace.subspace_consistency(A, A) == pytest.approx(1.0, rel=1e-9)
    # A repeated column spans nothing new.
    if A.shape[1] >= 1:
        assert subspace.subspace_consistency(np.hstack([A, A[:, :1]]), B) == pytest.approx(
            value, rel=1e-9, abs=1e-12)
    Q, _ = np.linalg.qr(np.hstack([A, seeded_rng(data).standard_normal((d, d))]))
    r = np.linalg.matrix_rank(A) if A.size else 0
    if 0 < r < d:
        assert subspace.subspace_consistency(A, Q[:, r:]) == pytest.approx(0.0, abs=1e-9)


# --- truth_accuracy --------------------------------------------------------------------------

@target("truth_accuracy.pair_correctness", "truth_accuracy.pair_accuracy",
        "truth_accuracy.sign_agnostic_accuracy")
def check_pair_accuracy(data, name):
    fn = getattr(truth_accuracy, name.split(".")[1])
    n = data.draw(st.integers(1, 20), label="n")
    rng = seeded_rng(data)
    proba = rng.uniform(0, 1, n)
    y = rng.integers(0, 2, n)
    bad = data.draw(st.sampled_from([None, None, "proba", "y"]), label="bad argument")
    if bad == "proba":
        with refused("proba"):
            fn(data.draw(st.sampled_from([proba[:0], proba[:, None], np.where(
                np.arange(n) == 0, np.nan, proba), proba.astype(str)]), label="proba"), y)
        return
    if bad == "y":
        label, y_bad = data.draw(bad_labels(n), label="y")
        if label == "one class":
            y_bad = np.where(y_bad == 0, "no", "yes")  # a single class is valid here
        with refused("y"):
            fn(proba, y_bad)
        return
    out = fn(proba, y)
    if name.endswith("pair_correctness"):
        assert out.shape == (n,) and np.all(np.isin(out, [0.0, 0.5, 1.0]))
        assert np.array_equal(fn(1.0 - proba, y), 1.0 - out)
        return
    assert_unit_interval(out)
    if name.endswith("sign_agnostic_accuracy"):
        assert out >= 0.5 and fn(1.0 - proba, y) == pytest.approx(out)
    else:
        assert fn(1.0 - proba, y) == pytest.approx(1.0 - out)
    assert fn(proba, y.astype(bool)) == out


def _counts_case(data):
    case = data.draw(st.sampled_from(["ok", "ok", "empty", "2-d", "negative", "fraction",
                                      "nan", "strings", "zeros", "huge", "inf"]),
                     label="counts case")
    c = np.array(data.draw(st.lists(st.integers(0, 12), min_size=1, max_size=8),
                           label="counts"))
    c[0] = max(c[0], 1)
    return case, {"ok": c, "empty": c[:0], "2-d": c[None, :], "negative": c - 20,
                  "fraction": c + 0.5, "nan": np.append(c, np.nan), "strings": c.astype(str),
                  "zeros": c * 0, "huge": np.append(c, 1e150), "inf": np.append(c, np.inf)}[case]


@target("truth_accuracy.random_truthlike_distribution", "truth_accuracy.random_truthlike_summary",
        "truth_accuracy.random_truthlike_pvalue")
def check_truthlike(data, name):
    case, counts = _counts_case(data)
    fn = getattr(truth_accuracy, name.split(".")[1])
    args = (0.6, counts) if name.endswith("pvalue") else (counts,)
    if case != "ok":
        with refused("counts"):
            fn(*args)
        return
    acc, prob = truth_accuracy.random_truthlike_distribution(counts)
    n = int(counts.sum())
    assert acc.shape == prob.shape == (n + 1,) and np.all(prob >= 0)
    assert prob.sum() == pytest.approx(1.0) and np.allclose(prob, prob[::-1])
    if name.endswith("summary"):
        out = fn(counts)
        assert out["mean"] == pytest.approx(0.5)
        assert out["std"] == pytest.approx(np.sqrt(np.sum(counts.astype(float) ** 2)) / (2 * n))
        assert 0.5 <= out["sign_agnostic_mean"] <= 1.0 and out["n_pairs"] == n
    if name.endswith("pvalue"):
        scores = sorted(data.draw(st.lists(st.floats(0, 1), min_size=2, max_size=4)))
        p = [fn(s, counts) for s in scores]
        assert all(0.0 <= v <= 1.0 + 1e-12 for v in p) and p == sorted(p, reverse=True)
        assert fn(0.5, counts) == pytest.approx(1.0)
        with refused("score"):
            fn(data.draw(st.sampled_from([np.nan, "0.7", None])), counts)


@target("truth_accuracy.truthlike_counts")
def check_truthlike_counts(data, name):
    case = data.draw(st.sampled_from(["group", "fact", "both", "none", "list"]), label="case")
    gt = {"group": {"group_counts": [1, 2]}, "fact": {"fact_counts": [3]},
          "both": {"group_counts": [1, 2], "fact_counts": [3]}, "none": {},
          "list": [("fact_counts", [3])]}[case]
    if case == "list":
        with refused("ground_truth"):
            truth_accuracy.truthlike_counts(gt)
        return
    out = truth_accuracy.truthlike_counts(gt)
    expected = {"group": [1, 2], "fact": [3], "both": [1, 2], "none": None}[case]
    assert (out is None) if expected is None else np.array_equal(out, expected)


# --- zero_one_probe --------------------------------------------------------------------------

@target("zero_one_probe.best_thresholds")
def check_best_thresholds(data, name):
    is_bad, case, proj = draw_case(data, odd_matrices(min_rows=2, max_rows=12), bad_matrices(),
                                   "proj")
    n = np.shape(proj)[0] if np.ndim(proj) >= 1 else 3
    tcase = data.draw(st.sampled_from(["ok", "ok", "one class", "short", "nan"]), label="target")
    target_ = np.arange(n) % 2 == 0
    if is_bad:
        with refused("proj"):
            zero_one_probe.best_thresholds(proj, target_)
        return
    if tcase != "ok":
        bad_target = {"one class": np.ones(n, bool), "short": target_[:-1],
                      "nan": np.where(target_, np.nan, 0.0)}[tcase]
        with refused("target"):
            zero_one_probe.best_thresholds(proj, bad_target)
        return
    thr, scores = zero_one_probe.best_thresholds(proj, target_)
    P = np.asarray(proj, dtype=np.float64)
    assert np.all((scores[:, 0] >= 0.5) & (scores[:, 0] <= 1.0)) and np.all(np.isfinite(thr))
    pred = scores[:, 1] * P > thr
    got = 0.5 * (pred[target_].mean(axis=0) + (~pred[~target_]).mean(axis=0))
    # The returned rule scores what it claims, exactly (counts over small n).
    assert np.allclose(got, scores[:, 0], rtol=0, atol=1e-12), (got, scores[:, 0])


@target("zero_one_probe.numerical_span")
def check_numerical_span(data, name):
    is_bad, case, X = draw_case(data, odd_matrices(min_rows=1, max_rows=12), bad_matrices(), "X")
    if is_bad and case != "1-d":
        with refused("X"):
            zero_one_probe.numerical_span(X)
        return
    if is_bad:
        with refused("X"):
            zero_one_probe.numerical_span(X)
        return
    mean, basis = zero_one_probe.numerical_span(X)
    Xf = np.asarray(X, dtype=np.float64)
    assert np.allclose(mean, Xf.mean(axis=0), rtol=1e-12, atol=0)
    assert basis.shape[1] == Xf.shape[1] and basis.shape[0] <= min(len(Xf) - 1, Xf.shape[1]) \
        or basis.shape[0] == 0
    assert np.allclose(basis @ basis.T, np.eye(basis.shape[0]), atol=1e-9)
    s = data.draw(st.sampled_from(SCALES), label="scale")
    peak = np.abs(Xf).max() or 1.0
    assert zero_one_probe.numerical_span(Xf / peak * s)[1].shape == basis.shape


@target("zero_one_probe.ZeroOneLinearProbe")
def check_zero_one_probe(data, name):
    X, y, X_test, y_test = _labelled_data(data, n_min=3)
    bad = data.draw(st.sampled_from([None, None, "X", "y", "X test", "y test"]), label="bad")
    probe = zero_one_probe.ZeroOneLinearProbe(n_angles=4)
    if bad in ("X", "y"):
        value = data.draw(bad_matrices(n_features=X.shape[1]) if bad == "X" else
                          bad_labels(len(y)), label=bad)[1]
        with refused(bad):
            probe.fit(value, y) if bad == "X" else probe.fit(X, value)
        return
    X, X_test = _oddly(data, X, X_test)
    if data.draw(st.booleans(), label="constant data"):
        X = np.ones_like(X)
    probe.fit(X, y)
    assert 0.5 <= probe.train_balanced_accuracy_ <= 1.0
    if bad == "X test":
        with refused("X"):
            probe.decision(data.draw(bad_matrices(n_features=X.shape[1]), label="X test")[1])
        return
    if bad == "y test":
        y_bad = data.draw(st.sampled_from([y_test[:-1], y_test + 5, np.zeros_like(y_test)]))
        with refused("y"):
            probe.balanced_accuracy(X_test, y_bad)
        return
    score, chance = probe.balanced_accuracy(X_test, y_test)
    assert_unit_interval(score) and chance == 0.5
    assert probe.balanced_accuracy(X, y)[0] == pytest.approx(probe.train_balanced_accuracy_,
                                                             abs=1e-9)
    _, y_odd = data.draw(odd_labels(len(y)), label="y encoding")
    codes = {0: y_odd[np.argmax(y == 0)], 1: y_odd[np.argmax(y == 1)]}
    other = zero_one_probe.ZeroOneLinearProbe(n_angles=4).fit(X, y_odd)
    assert other.balanced_accuracy(X_test, np.where(y_test == 1, codes[1], codes[0]))[0] == score


# --- ccs_loss --------------------------------------------------------------------------------

def _pairs(data):
    n = data.draw(st.integers(2, 10), label="n_pairs")
    d = data.draw(st.integers(1, 4), label="d")
    rng = seeded_rng(data)
    s = data.draw(st.sampled_from(SCALES), label="scale")
    return rng.standard_normal((n, d)) * s, rng.standard_normal((n, d)) * s, rng


@target("ccs_loss.ccs_loss")
def check_ccs_loss(data, name):
    Xp, Xn, rng = _pairs(data)
    d = Xp.shape[1]
    args = {"coef": rng.standard_normal(d), "X_pos": Xp, "X_neg": Xn}
    bad = data.draw(st.sampled_from([None, None, *args, "bias"]), label="bad argument")
    if bad in ("X_pos", "X_neg"):
        args[bad] = data.draw(bad_matrices(n_features=d), label=bad)[1]
    elif bad == "coef":
        args[bad] = _spoil(data, args[bad], bad)
    elif bad == "bias":
        args[bad] = data.draw(st.sampled_from([np.nan, np.inf, "1"]), label="bias")
    if bad is not None:
        with refused(bad):
            ccs_loss.ccs_loss(**args)
        return
    normalize = data.draw(st.sampled_from(["mean", "std", "none"]), label="normalize")
    value = ccs_loss.ccs_loss(**args, normalize=normalize)
    assert math.isfinite(value) and 0.0 <= value <= 2.0
    swapped = ccs_loss.ccs_loss(args["coef"], Xn, Xp, normalize=normalize)
    assert swapped == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert ccs_loss.ccs_loss(0 * args["coef"], Xp, Xn) == pytest.approx(0.25)


@target("ccs_loss.min_ccs_loss_along")
def check_min_ccs_loss(data, name):
    Xp, Xn, rng = _pairs(data)
    d = Xp.shape[1]
    direction = rng.standard_normal(d)
    bad = data.draw(st.sampled_from([None, None, "direction", "zero direction", "max_norm"]),
                    label="bad argument")
    if bad is not None:
        value = {"direction": _spoil(data, direction, "direction") if bad == "direction" else
                 None, "zero direction": np.zeros(d)}.get(bad, direction)
        max_norm = data.draw(st.sampled_from([0.0, -1.0, np.nan, np.inf])) \
            if bad == "max_norm" else 10.0
        with refused(bad.split()[-1]):
            ccs_loss.min_ccs_loss_along(value, Xp, Xn, max_norm=max_norm)
        return
    loss, alpha, bias = ccs_loss.min_ccs_loss_along(direction, Xp, Xn, max_norm=10.0)
    assert all(math.isfinite(v) for v in (loss, alpha, bias))
    assert 0.0 <= loss <= 0.25 + 1e-9 and 0.0 <= alpha <= 10.0
    u = direction / np.linalg.norm(direction)
    assert ccs_loss.ccs_loss(alpha * u, Xp, Xn, bias) == pytest.approx(loss, rel=1e-9, abs=1e-12)


# --- the test --------------------------------------------------------------------------------

PUBLIC_FUNCTIONS = sorted(TARGETS)


def test_every_public_metric_function_has_a_target():
    """A public function added to metrics/ without a property target fails here."""
    import inspect

    modules = (ccs_loss, claimed_features, dictionary_similarity, direction_count,
               eigenvalue_ratio, geometric_median, labels_needed, probes, reconstruction,
               statistics, subspace, synthetic_eval, truth_accuracy, zero_one_probe)
    missing = []
    covered = {name.split("[")[0] for name in TARGETS}
    for module in modules:
        short = module.__name__.split(".")[1]
        for fname, obj in vars(module).items():
            if fname.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or (inspect.isclass(obj) and hasattr(obj, "fit")):
                if f"{short}.{fname}" not in covered:
                    missing.append(f"{short}.{fname}")
    assert not missing, missing


@pytest.mark.parametrize("name", PUBLIC_FUNCTIONS)
@given(data=st.data())
def test_metric_properties(name, data):
    TARGETS[name](data, name)
