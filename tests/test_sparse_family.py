"""Tests of the sparse family's scoring: oracle and null dictionaries, checks, error cells."""

import dataclasses

import numpy as np
import pytest
from sklearn.decomposition import PCA, FastICA

from benchmarks.cells import Cell, run_cell
from benchmarks.profiles import get_profile
from benchmarks.seeding import SeedStreams, sklearn_seed
from benchmarks.sparse.checks import (
    FVU_SLACK,
    MEAN_ALLOWANCE,
    claim_limit,
    generalises,
    no_false_features,
    recovers_planted,
)
from benchmarks.sparse.family import (
    FITS,
    SIZES,
    reconstruct,
    score_sparse_seed,
    set_size,
    sparse_generators,
)
from benchmarks.spec import MethodSpec
from methods.sparse.random_atoms import RandomAtoms

QUICK = get_profile("quick")
ONE_SEED = dataclasses.replace(QUICK, n_seeds=1)
M = SIZES["quick"]["m"]



def _score(method, generator: str, seed: int) -> dict:
    """One seed of a sparse cell on the quick profile, with that seed's streams."""
    return score_sparse_seed(method, _generator(generator), SeedStreams(generator, seed), QUICK)

def _generator(name):
    return next(g for g in sparse_generators(QUICK) if g.name == name)


class TrueFeatures:
    """The oracle: the planted features as the dictionary, least-squares codes."""

    def __init__(self, features):
        self.features = features

    def fit(self, X, y=None):
        self.components_ = np.array(self.features)
        self._pinv = np.linalg.pinv(self.components_)
        return self

    def transform(self, X):
        return X @ self._pinv


class TrueFeaturesPlusDead(TrueFeatures):
    """The oracle plus ``N_DEAD`` copies of its first atoms that never fire (zero codes)."""

    N_DEAD = 8

    def fit(self, X, y=None):
        super().fit(X)
        self.components_ = np.vstack([self.components_, self.components_[:self.N_DEAD]])
        return self

    def transform(self, X):
        return np.hstack([X @ self._pinv, np.zeros((len(X), self.N_DEAD))])


def _spec(name, build):
    return MethodSpec(name, "sparse", build, builtin=False)


def _oracle():
    return _spec("oracle", lambda train, seed: TrueFeatures(train.ground_truth["features"]))


def _random_atoms():
    return _spec("random", lambda train, seed: RandomAtoms(random_state=sklearn_seed(seed)))


def _metrics(**values):
    return {k: {"value": v, "low": v, "high": v, "n": 1, "confidence": 1.0}
            for k, v in values.items()}


def test_true_features_score_mmcs_one_on_planted():
    result = _score(_oracle(), "planted_sparse", 0)
    assert result["mmcs"] == pytest.approx(1.0)
    assert result["recovery_rate"] == 1.0
    assert result["uniqueness"] == 1.0
    assert result["live_uniqueness"] == 1.0
    assert result["matched_mcc"] == pytest.approx(1.0)
    # All planted atoms reappear in the repeat: ~64 distinct stable directions beyond chance.
    assert result["n_claimed_beyond_chance"] > 0.9 * SIZES["quick"]["n_atoms"]
    assert result["cross_mmcs_seed"] == pytest.approx(1.0)


def test_dead_atoms_count_in_the_fields_uniqueness_and_f1_not_in_the_live_ones():
    # 64 planted features + 8 dead duplicates. SynthSAEBench's uniqueness: 64 distinct / 72
    # atoms; the live one: 64 / 64. F1: each dead latent counts 0 in the field's mean over
    # 72 latents (its F1 is undefined: it never fires), and is left out of the live mean.
    method = _spec("oracle_dead", lambda train, seed: TrueFeaturesPlusDead(
        train.ground_truth["features"]))
    result = _score(method, "planted_sparse", 0)
    n = M + TrueFeaturesPlusDead.N_DEAD
    assert result["n_alive"] == M and result["dead_fraction"] == pytest.approx(8 / n)
    assert result["uniqueness"] == pytest.approx(M / n, abs=1e-12)
    assert result["live_uniqueness"] == 1.0
    assert 0.0 < result["live_mean_f1"] < 1.0
    assert result["mean_f1"] == pytest.approx(result["live_mean_f1"] * M / n, rel=1e-12)
    # recovers_planted reads the live measure: the dead duplicates do not fail it.
    record = run_cell(Cell("sparse", method, _generator("planted_sparse"), ONE_SEED))
    assert record["status"] == "ok", record["error"]
    assert record["checks"]["recovers_planted"]["passed"]
    assert record["metrics"]["live_uniqueness"]["value"] == 1.0


def test_oracle_cell_passes_recovery_and_vacuously_no_false_features():
    cell = Cell("sparse", _oracle(), _generator("planted_sparse"), ONE_SEED)
    record = run_cell(cell)
    assert record["status"] == "ok", record["error"]
    assert record["checks"]["recovers_planted"]["passed"]
    nff = record["checks"]["no_false_features"]
    assert nff["passed"] and nff["rule"].startswith("not applicable")


def test_random_atoms_stay_inside_the_band_on_the_isotropic_gaussian():
    result = _score(_random_atoms(), "isotropic_gaussian", 0)
    assert result["n_claimed_beyond_chance"] == 0.0
    assert not result["false_positive"]
    assert result["fvu_heldout"] == pytest.approx(0.0, abs=1e-12)  # m >= d: exact


def test_random_atoms_claim_nothing_beyond_chance_in_two_dimensions():
    """In d = 2 any two dictionaries look alike: the null dictionary's stable count is near
    its size, and exactly what the random band expects, so it claims nothing beyond chance."""
    result = _score(_random_atoms(), "uniform_square", 0)
    assert result["n_stable_seed"] >= 0.9 * M
    assert result["n_claimed_beyond_chance"] == 0.0
    assert not result["false_positive"]


class NaNComponents:
    def __init__(self, n_components=4, random_state=None):
        self.n_components = n_components

    def fit(self, X, y=None):
        self.components_ = np.full((self.n_components, X.shape[1]), np.nan)
        return self

    def transform(self, X):
        return np.zeros((X.shape[0], self.n_components))


class WrongShapeCodes(NaNComponents):
    def fit(self, X, y=None):
        self.components_ = np.eye(self.n_components, X.shape[1])
        return self

    def transform(self, X):
        return np.zeros((X.shape[0], self.n_components + 1))


class Raising(NaNComponents):
    def fit(self, X, y=None):
        raise RuntimeError("boom in fit")


@pytest.mark.parametrize("cls, message", [(NaNComponents, "NaN"),
                                          (WrongShapeCodes, "shape"),
                                          (Raising, "boom in fit")])
def test_misbehaving_method_becomes_an_error_cell(cls, message):
    spec = _spec(cls.__name__, lambda train, seed: cls())
    record = run_cell(Cell("sparse", spec, _generator("isotropic_gaussian"), ONE_SEED))
    assert record["status"] == "error"
    assert message in record["error"]
    assert record["metrics"] == {} and record["checks"] == {}


def test_set_size_rule():
    assert set_size(RandomAtoms(), 7, 32).n_components == 7  # plain attribute
    assert set_size(PCA(), 64, 32).n_components == 32  # at most d components
    assert set_size(FastICA(), 16, 32).n_components == 16
    oracle = set_size(TrueFeatures(np.eye(3)), 64, 3)  # no n_components: unchanged
    assert not hasattr(oracle, "n_components")


def test_fit_streams_and_splits_are_distinct():
    assert len({split for _, split, _ in FITS}) == len(FITS)


def test_pca_reconstruction_adds_the_mean_back():
    X = np.random.default_rng(0).random((200, 5)) + 3.0
    pca = PCA(n_components=5).fit(X)
    X_hat = reconstruct(pca, pca.transform(X), 200, 5)
    np.testing.assert_allclose(X_hat, X, atol=1e-10)


def test_recovers_planted_is_not_applicable_without_features():
    check = recovers_planted(_metrics(has_features=0.0))
    assert check.passed and check.rule.startswith("not applicable")
    fail = recovers_planted(_metrics(has_features=1.0, mmcs=0.95, recovery_rate=0.5,
                                     uniqueness=0.9, live_uniqueness=0.9))
    assert not fail.passed and fail.value == 0.5 and "recovered" in fail.rule


def test_recovers_planted_reads_live_uniqueness_not_the_fields():
    good = dict(has_features=1.0, mmcs=0.95, recovery_rate=0.9)
    # Dead atoms pull the field's uniqueness down; the check's verdict does not move.
    ok = recovers_planted(_metrics(**good, uniqueness=0.5, live_uniqueness=0.9))
    assert ok.passed and "live_uniqueness" in ok.rule
    fail = recovers_planted(_metrics(**good, uniqueness=0.95, live_uniqueness=0.7))
    assert not fail.passed and fail.value == 0.7 and "live_uniqueness" in fail.rule


def test_no_false_features_reads_the_count_beyond_chance():
    base = dict(has_features=0.0, n_claimed=50.0)
    null = no_false_features(_metrics(**base, n_claimed_beyond_chance=0.0,
                                      n_true_features=0.0, claim_limit=claim_limit(0)))
    assert null.passed and null.value == 0.0 and null.threshold == MEAN_ALLOWANCE
    over = no_false_features(_metrics(**base, n_claimed_beyond_chance=1.5,
                                      n_true_features=0.0, claim_limit=claim_limit(0)))
    assert not over.passed and over.value == 1.5 and over.threshold == MEAN_ALLOWANCE
    mixture = no_false_features(_metrics(**base, n_claimed_beyond_chance=19.0,
                                         n_true_features=12.0, claim_limit=claim_limit(12)))
    assert mixture.passed and mixture.threshold == 19.0
    assert not no_false_features(_metrics(**base, n_claimed_beyond_chance=19.5,
                                          n_true_features=12.0,
                                          claim_limit=claim_limit(12))).passed


def test_generalises_has_an_absolute_slack():
    assert generalises(_metrics(fvu_train=1e-30, fvu_heldout=2e-30)).passed
    assert not generalises(_metrics(fvu_train=0.04, fvu_heldout=0.06 + FVU_SLACK + 1e-3)).passed
