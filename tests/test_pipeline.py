"""Tests for the erasure pipeline: cells, the grid, and user methods plugged in by path."""

import dataclasses
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator
from sklearn.decomposition import FastICA
from sklearn.linear_model import LogisticRegression

from benchmarks.cells import Cell, run_cell
from benchmarks.erasure.checks import ERASURE_CHECKS
from benchmarks.grid import build_grid, user_method_spec
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from benchmarks.user_methods import infer_family
from floor.import_paths import load_object
from methods.curves.eyeball import EyeballGaussian
from methods.erasure.leace import LeaceEraser
from methods.truth.ccs import CCS
from methods.truth.supervised_logistic import SupervisedLogistic
from methods.weights.svd_directions import SVDDirections

REPO = Path(__file__).resolve().parents[1]
# One seed of the quick profile: a good eraser's cell takes ~0.5 s.
ONE_SEED = dataclasses.replace(get_profile("quick"), n_seeds=1)

USER_ERASERS = textwrap.dedent('''
    import numpy as np


    class MeanDiffEraser:
        """Good: project out the class-mean difference around the mean."""

        def fit(self, X, y):
            d = X[y == 1].mean(0) - X[y == 0].mean(0)
            self.u_, self.mu_ = d / np.linalg.norm(d), X.mean(0)
            return self

        def transform(self, X):
            return X - np.outer((X - self.mu_) @ self.u_, self.u_)


    class RaisingEraser:
        def fit(self, X, y):
            raise RuntimeError("boom in fit")

        def transform(self, X):
            return X


    class NaNEraser:
        def fit(self, X, y):
            return self

        def transform(self, X):
            return np.full_like(X, np.nan)


    class WrongShapeEraser:
        def fit(self, X, y):
            return self

        def transform(self, X):
            return X[:, :-1]


    class ZeroEraser:
        def fit(self, X, y):
            return self

        def transform(self, X):
            return np.zeros_like(X)
''')


@pytest.fixture(scope="module")
def user_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("user") / "my_erasers.py"
    path.write_text(USER_ERASERS)
    return path


def two_class_cell(spec):
    gens = {g.name: g for g in get_family("erasure").generators(ONE_SEED)}
    return Cell("erasure", spec, gens["two_class_gaussian"], ONE_SEED)


@pytest.mark.parametrize("name, message", [
    ("RaisingEraser", "RuntimeError: boom in fit"),
    ("NaNEraser", "transform returned NaN or inf"),
    ("WrongShapeEraser", r"transform returned shape \(\d+, 15\), expected \(\d+, 16\)"),
])
def test_misbehaving_user_eraser_becomes_error_cell(user_file, name, message):
    record = run_cell(two_class_cell(user_method_spec(f"{user_file}:{name}")))
    assert record["status"] == "error"
    assert re.search(message, record["error"]), record["error"]
    assert record["metrics"] == {} and record["checks"] == {}
    assert record["seeds"][0]["status"] == "error" and record["builtin"] is False


def test_good_user_eraser_gives_ok_record_with_every_check(user_file):
    record = run_cell(two_class_cell(user_method_spec(f"{user_file}:MeanDiffEraser")))
    assert record["status"] == "ok" and record["error"] is None
    assert set(record["checks"]) == set(ERASURE_CHECKS)
    for name, check in record["checks"].items():
        assert set(check) == {"passed", "value", "threshold", "rule"}, name
        assert check["passed"], (name, check)
    # A rank-1 eraser of a rank-1 concept: measured distortion 0.21 vs limit 0.41.
    assert record["metrics"]["rank_removed"]["value"] == 1
    assert record["metrics"]["fit_class_mean_gap"]["value"] < 1e-10


def test_user_methods_span_every_erasure_generator(user_file):
    cells = build_grid("quick", methods=[f"{user_file}:MeanDiffEraser"])
    assert {c.generator.name for c in cells} == {
        g.name for g in get_family("erasure").generators(get_profile("quick"))}
    assert all(c.family == "erasure" and not c.method.builtin for c in cells)


class _Eraser:
    def fit(self, X, y):
        return self

    def transform(self, X):
        return X


class _Truth:
    """The truth protocol: contrast pairs as one matrix X = [x_plus | x_minus]."""

    def fit(self, X, y=None):
        return self

    def predict_proba(self, X):
        return X[:, 0]


class _LegacyTruth:
    """The truth interface before the pairs became one matrix: two arrays."""

    def fit(self, X_pos, X_neg, y=None):
        return self

    def predict_proba(self, X_pos, X_neg):
        return X_pos[:, 0]


class _TaggedEraser(BaseEstimator):
    """A scikit-learn eraser whose fit has ``y=None`` but whose tags require labels."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class _Ambiguous:
    def fit(self, X):
        return self

    def transform(self, X):
        return X


class _NoFit:
    def transform(self, X):
        return X


@pytest.mark.parametrize("cls, family", [
    (_Eraser, "erasure"), (LeaceEraser, "erasure"), (_TaggedEraser, "erasure"),
    (FastICA, "sparse"), (_Truth, "truth"), (CCS, "truth"), (SupervisedLogistic, "truth"),
    (LogisticRegression, "truth"),  # any classifier of the stacked pairs is a truth method
])
def test_infer_family_from_interface(cls, family):
    """truth: predict_proba and no transform; erasure: transform and fit needs y (signature
    or tags); sparse: transform, no y, n_components or inverse_transform."""
    assert infer_family(cls) == family


def test_infer_family_explains_the_old_truth_interface():
    with pytest.raises(ValueError, match=r"X = \[x_plus \| x_minus\].*fit\(X, y=None\)"):
        infer_family(_LegacyTruth)


@pytest.mark.parametrize("cls, match", [(_Ambiguous, "matches no family.*pass --family"),
                                        (_NoFit, "has no fit method")])
def test_infer_family_refuses_ambiguous_interface(cls, match):
    with pytest.raises(ValueError, match=match):
        infer_family(cls)


@pytest.mark.parametrize("cls", [SVDDirections, EyeballGaussian])
def test_weights_and_curves_methods_need_the_family_option(cls):
    """Their interfaces are not told apart by a class: their rules accept none."""
    with pytest.raises(ValueError, match="matches no family.*pass --family"):
        infer_family(cls)


def test_infer_family_asks_every_registered_family(monkeypatch):
    """A family's rule is its own (``Family.accepts_interface``): a new family is inferred
    with nothing else to edit."""
    from benchmarks.registry import FAMILIES

    def rule(cls) -> bool:
        return cls is _Ambiguous

    monkeypatch.setitem(FAMILIES, "weights",
                        dataclasses.replace(FAMILIES["weights"], accepts_interface=rule))
    assert infer_family(_Ambiguous) == "weights"


def test_load_object_from_file_and_module(user_file):
    cls = load_object(f"{user_file}:ZeroEraser")
    assert cls.__name__ == "ZeroEraser" and hasattr(cls, "transform")
    assert load_object("methods.erasure.leace:LeaceEraser") is LeaceEraser


@pytest.mark.parametrize("path, match", [
    ("methods.erasure.leace.LeaceEraser", "must look like"),
    ("methods.erasure.leace:Nope", "has no attribute 'Nope'"),
    ("no/such/file.py:Thing", "file not found"),
])
def test_load_object_rejects_bad_paths(path, match):
    with pytest.raises(ValueError, match=match):
        load_object(path)


def test_user_method_spec_rejects_unknown_family(user_file):
    with pytest.raises(ValueError, match="--family must be one of"):
        user_method_spec(f"{user_file}:ZeroEraser", family="bogus")


def run_benchmark(method):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks/test_grid.py", "--method", method,
         "-k", "two_class_gaussian", "-q", "-p", "no:cacheprovider"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def test_user_eraser_failing_a_check_fails_its_test(user_file):
    proc = run_benchmark(f"{user_file}:ZeroEraser")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-3000:]
    match = re.search(r"bounded_distortion failed: .*; measured ([\d.e+-]+), threshold "
                      r"([\d.e+-]+)", out)
    assert match, out[-3000:]
    measured, threshold = map(float, match.groups())
    # Zeroing moves each row by ||x||^2: distortion 1 + ||mu||^2 / tr Cov ~ 1 on centred
    # data; the limit is twice the oracle's 0.18.
    assert measured == pytest.approx(1.0, abs=0.01) and threshold < measured
    assert re.search(r"1 failed, \d+ passed", out), out[-3000:]


def test_leace_by_import_path_passes_two_class_cells():
    proc = run_benchmark("methods.erasure.leace:LeaceEraser")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    passed = int(re.search(r"(\d+) passed", out).group(1))
    assert passed == len(ERASURE_CHECKS) + get_profile("quick").n_seeds
