"""The truth family's scoring path: controls with known scores, the floor, error cells."""

import re

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from benchmarks.cells import Cell, run_cell
from benchmarks.profiles import Profile
from benchmarks.registry import get_family
from benchmarks.seeding import SeedStreams
from benchmarks.spec import MethodSpec
from benchmarks.truth import FAMILY
from benchmarks.truth.checks import FINDS_TRUTH_ACCURACY, finds_truth
from benchmarks.truth.family import (
    N_FITS,
    aggregate_truth,
    score_truth_seed,
    truth_generators,
)
from methods.truth.pairs import split_pairs
from methods.truth.random_direction import RandomDirection
from metrics.truth_accuracy import random_truthlike_summary

QUICK = Profile("quick", n_seeds=3)


def _score(method, gen, seed: int) -> dict:
    """One seed of a truth cell, with that seed's streams."""
    return score_truth_seed(method, gen, SeedStreams(gen.name, seed), QUICK)
GENERATORS = {g.name: g for g in truth_generators(QUICK)}


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """As `run_cell` does: the products are small, and threads only add overhead."""
    with threadpool_limits(limits=1):
        yield


class TrueDirection:
    """A perfect finder: calls pairs by the sign of the planted true direction.

    A user method of the truth protocol: ``X = [x_plus | x_minus]``, and a 1-D
    ``predict_proba`` (P(x_plus true)), which the family accepts besides sklearn's (n, 2).
    """

    def __init__(self, direction):
        self.direction_ = np.asarray(direction, dtype=float)

    def fit(self, X, y=None):
        return self

    def predict_proba(self, X):
        X_pos, X_neg = split_pairs(X)
        return 1.0 / (1.0 + np.exp(-100.0 * (X_pos - X_neg) @ self.direction_))


def _oracle(train, seed):
    return TrueDirection(train.ground_truth["true_direction"])


def _spec(name, build, builtin=False):
    return MethodSpec(name, "truth", build, builtin=builtin)


def test_family_is_registered():
    assert get_family("truth") is FAMILY
    assert FAMILY.check_names == ("finds_truth",)
    assert set(GENERATORS) == {"onehot_facts", "grouped_facts", "single_truth",
                               "distractor_facts"}


@pytest.mark.parametrize("generator", sorted(GENERATORS))
def test_perfect_method_scores_one(generator):
    """Positive control: the true direction scores 1.0, needs no label and passes the check."""
    record = run_cell(Cell("truth", _spec("oracle", _oracle), GENERATORS[generator], QUICK))
    assert record["status"] == "ok", record["error"]
    m = record["metrics"]
    assert m["accuracy"]["value"] == m["sign_agnostic_accuracy"]["value"] == 1.0
    assert m["labels_needed"]["value"] == 0.0
    assert m["distinct_directions"]["value"] == 1.0
    assert m["cos_true_direction"]["value"] == pytest.approx(1.0)
    # The oracle's CCS loss is the truth's, computed by the same call.
    assert m["ccs_loss"]["value"] == pytest.approx(m["true_direction_ccs_loss"]["value"])
    assert record["checks"]["finds_truth"]["passed"]
    if generator not in ("single_truth", "distractor_facts"):
        assert m["fact_sign_agreement"]["value"] == 1.0
        assert m["random_truthlike_sign_agnostic_mean"]["value"] < 0.7


def test_flipped_perfect_method_is_right_up_to_sign():
    """Raw accuracy 0 and sign-agnostic 1: one label to learn the sign."""
    def flipped(train, seed):
        return TrueDirection(-train.ground_truth["true_direction"])

    record = run_cell(Cell("truth", _spec("flipped", flipped), GENERATORS["single_truth"], QUICK))
    m = record["metrics"]
    assert m["accuracy"]["value"] == 0.0 and m["sign_agnostic_accuracy"]["value"] == 1.0
    assert m["labels_needed"]["value"] == 1.0
    assert record["checks"]["finds_truth"]["passed"]


def test_single_truth_reference_is_the_truth():
    """With one truth-like direction (+-u), its sign-agnostic score is 1 with certainty."""
    r = _score(_spec("oracle", _oracle), GENERATORS["single_truth"], 0)
    ref = r["random_truthlike"]
    assert ref["sign_agnostic_mean"] == 1.0 and ref["sign_agnostic_std"] == 0.0
    assert ref["n_units"] == 1 and ref["mean"] == 0.5


def test_reference_matches_the_heldout_fact_counts():
    gen = GENERATORS["onehot_facts"]
    r = _score(_spec("oracle", _oracle), gen, 1)
    data = gen.dataset(SeedStreams(gen.name, 1), 1)
    expected = random_truthlike_summary(data.ground_truth["fact_counts"])
    assert r["random_truthlike"]["sign_agnostic_mean"] == expected["sign_agnostic_mean"]
    low, high = r["random_truthlike"]["sign_agnostic_band"]
    assert 0.5 <= low < expected["sign_agnostic_mean"] < high < 1.0


def test_random_floor_matches_the_closed_form():
    """On unrotated one-hot facts a random direction calls fact i by sign(v_i): its score has
    the law of a random truth-like direction, E max(acc, 1 - acc) = 0.5497 over 64 facts."""
    method = _spec("random", lambda t, s: RandomDirection(random_state=s))
    gen = GENERATORS["onehot_facts"]
    n_seeds = 40
    scores = [_score(method, gen, seed) for seed in range(n_seeds)]
    acc = np.array([r["sign_agnostic_accuracy"] for r in scores])
    ref = scores[0]["random_truthlike"]
    # 4 standard errors of a mean over 40 seeds (sd 0.038 each): a 1-in-15000 false alarm.
    assert abs(acc.mean() - ref["sign_agnostic_mean"]) < 4 * ref["sign_agnostic_std"] / np.sqrt(
        n_seeds)
    metrics = aggregate_truth(scores)
    # P(max(acc, 1 - acc) >= 0.9) over 64 fair facts is below 1e-9: no seed gets there.
    assert metrics["seeds_above_target"]["value"] == 0.0
    assert metrics["distinct_directions"]["value"] == N_FITS
    assert not FAMILY.check(metrics)["finds_truth"]["passed"]


def test_scoring_is_reproducible_and_method_independent_data():
    gen = GENERATORS["grouped_facts"]
    method = _spec("random", lambda t, s: RandomDirection(random_state=s))
    a, b = (_score(method, gen, 2) for _ in range(2))
    a.pop("fit_time_s"), b.pop("fit_time_s")
    assert a == b
    oracle = _score(_spec("oracle", _oracle), gen, 2)
    assert oracle["random_truthlike"] == a["random_truthlike"]  # same held-out pairs


class _Broken:
    def __init__(self, mode):
        self.mode = mode

    def fit(self, X, y=None):
        if self.mode == "raise":
            raise RuntimeError("boom")
        self.direction_ = np.ones(X.shape[1] // 2 + (self.mode == "direction"))
        return self

    def predict_proba(self, X):
        n = X.shape[0]
        return {"nan": np.full(n, np.nan), "shape": np.full((n, 3), 0.5),
                "range": np.full((n, 2), 1.5)}.get(self.mode, np.full(n, 0.5))


@pytest.mark.parametrize("mode, match", [("raise", "RuntimeError: boom"),
                                         ("nan", "NaN or inf"),
                                         ("shape", r"shape \(640, 3\)"),
                                         ("range", "outside"),
                                         ("direction", "direction_ has shape")])
def test_misbehaving_method_becomes_an_error_cell(mode, match):
    spec = _spec(f"broken_{mode}", lambda t, s, m=mode: _Broken(m))
    record = run_cell(Cell("truth", spec, GENERATORS["onehot_facts"], QUICK))
    assert record["status"] == "error"
    assert record["error"].startswith("seed ")
    assert re.search(match, record["error"]), record["error"]
    assert record["metrics"] == {} and record["checks"] == {}


class _NoDirectionNoLabels:
    """Follows the protocol minimally: no ``direction_``, and ``fit`` takes no labels."""

    def fit(self, X):
        X_pos, X_neg = split_pairs(X)
        self.w_ = np.linalg.svd(X_pos - X_neg, full_matrices=False)[2][0]
        return self

    def predict_proba(self, X):
        X_pos, X_neg = split_pairs(X)
        return 0.5 * (1 + np.sign((X_pos - X_neg) @ self.w_))


def test_minimal_method_scores_without_direction_metrics():
    spec = _spec("minimal", lambda t, s: _NoDirectionNoLabels())
    record = run_cell(Cell("truth", spec, GENERATORS["single_truth"], QUICK))
    assert record["status"] == "ok", record["error"]
    assert "ccs_loss" not in record["metrics"]
    assert record["metrics"]["sign_agnostic_accuracy"]["value"] > 0.99


def _metrics(low):
    return {"sign_agnostic_accuracy": {"value": low + 0.01, "low": low, "high": low + 0.02,
                                       "n": 1920, "confidence": 0.999}}


def test_finds_truth_reads_the_lower_bound():
    assert finds_truth(_metrics(FINDS_TRUTH_ACCURACY)).passed
    assert not finds_truth(_metrics(FINDS_TRUTH_ACCURACY - 1e-3)).passed


def test_aggregate_pools_pairs_and_counts_never_as_more_than_all_labels():
    seeds = [_score(_spec("oracle", _oracle), GENERATORS["single_truth"], s)
             for s in range(2)]
    seeds[1] = dict(seeds[1], labels_needed=None, sign_agnostic_hits=320.0,
                    sign_agnostic_accuracy=0.5)
    m = aggregate_truth(seeds)
    assert m["sign_agnostic_accuracy"]["value"] == pytest.approx(0.75)
    assert m["sign_agnostic_accuracy"]["n"] == 1280
    assert m["labels_needed"]["value"] == seeds[1]["n_labelled"] + 1
    assert m["labels_needed"]["low"] == 0.0
    assert m["label_selection_rate"]["value"] == 0.5
    assert m["seeds_above_target"]["value"] == 0.5
