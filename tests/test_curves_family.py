"""The score-distribution generator, the curves family's scoring and checks, and its study."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from scipy import stats

from benchmarks.cells import run_cell
from benchmarks.curves import FAMILY
from benchmarks.curves import family as cf
from benchmarks.curves import looks_gaussian as lg
from benchmarks.curves.checks import no_false_gaussian, picks_true_family
from benchmarks.grid import Cell
from benchmarks.profiles import get_profile
from benchmarks.registry import get_family
from benchmarks.spec import MethodSpec
from generators.score_distributions import LAWS, law_shape, make_score_distribution
from tests.bad_inputs import bad_scalars

QUICK = get_profile("quick")
GENERATORS = {g.name: g for g in FAMILY.generators(QUICK)}


# --- the generator ------------------------------------------------------------------------


@pytest.mark.parametrize("law", LAWS)
def test_generator_is_a_pure_function_of_seed_and_split(law):
    a = make_score_distribution(law, 30, 4, random_state=5, split=0)
    b = make_score_distribution(law, 30, 4, random_state=5, split=0)
    c = make_score_distribution(law, 30, 4, random_state=5, split=1)
    assert a.X.shape == (30, 4) and a.X.dtype == np.float64
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert a.ground_truth["law"] == law and a.ground_truth["n_draws"] == 4


@pytest.mark.parametrize("law, kwargs, ref", [
    ("gaussian", {"loc": 2.0, "scale": 3.0}, stats.norm(2.0, 3.0)),
    ("clt_sum", {"n_terms": 30, "term_law": "exponential"},
     stats.gamma(30, loc=-30 / np.sqrt(30), scale=1 / np.sqrt(30))),
    ("exponential", {"loc": 1.0, "rate": 2.0}, stats.expon(1.0, 0.5)),
    ("lognormal", {"sigma": 0.25}, stats.lognorm(0.25)),
    ("student_t", {"df": 7.0, "loc": 1.0, "scale": 2.0}, stats.t(7.0, 1.0, 2.0)),
])
def test_law_shape_matches_scipy_and_the_samples_follow_the_law(law, kwargs, ref):
    shape = law_shape(law, **kwargs)
    m, v, s, k = (float(x) for x in ref.stats(moments="mvsk"))
    assert shape["mean"] == pytest.approx(m, rel=1e-12, abs=1e-12)
    assert shape["std"] == pytest.approx(np.sqrt(v), rel=1e-12)
    assert shape["skewness"] == pytest.approx(s, rel=1e-10, abs=1e-12)
    assert shape["excess_kurtosis"] == pytest.approx(k, rel=1e-10, abs=1e-12)
    X = make_score_distribution(law, 2000, 10, **kwargs, random_state=0).X
    # Kolmogorov-Smirnov on the pooled 20,000 draws: a wrong law fails at p << 1e-6.
    assert stats.kstest(X.ravel(), ref.cdf).pvalue > 1e-4


def test_clt_sum_of_uniform_terms_and_the_mixture_moments():
    shape = law_shape("clt_sum", n_terms=12, term_law="uniform")
    assert shape["excess_kurtosis"] == pytest.approx(-1.2 / 12) and shape["skewness"] == 0
    # 10^6 draws: the sample excess kurtosis has standard error sqrt(24 / 10^6) = 0.005, so
    # -0.1 is told from a Gaussian's 0 at 20 standard errors.
    X = make_score_distribution("clt_sum", 20_000, 50, n_terms=12, term_law="uniform",
                                random_state=1).X.ravel()
    assert X.mean() == pytest.approx(0, abs=0.005) and X.std() == pytest.approx(1, abs=0.005)
    assert stats.kurtosis(X) == pytest.approx(-0.1, abs=0.025)
    shape = law_shape("gaussian_mixture", separation=2.0, weight=0.5)
    # Equal weights at +-1: variance 2, fourth moment 1 + 6 + 3 = 10, kurtosis 10/4 - 3.
    assert shape == {"mean": 0.0, "std": pytest.approx(np.sqrt(2)), "skewness": 0.0,
                     "excess_kurtosis": pytest.approx(-0.5)}
    X = make_score_distribution("gaussian_mixture", 4000, 20, random_state=2).X.ravel()
    assert stats.kurtosis(X) == pytest.approx(-0.5, abs=0.03)
    shape = law_shape("gaussian_mixture", separation=3.0, weight=0.2)
    X = make_score_distribution("gaussian_mixture", 4000, 50, separation=3.0, weight=0.2,
                                random_state=3).X.ravel()
    assert stats.skew(X) == pytest.approx(shape["skewness"], abs=0.03)


def test_ground_truth_names_the_family_and_the_mechanism():
    truth = {law: make_score_distribution(law, 10, 1).ground_truth for law in LAWS}
    assert [law for law in LAWS if truth[law]["gaussian_by_construction"]] == [
        "gaussian", "clt_sum"]
    assert truth["exponential"]["true_family"] == "exponential"
    assert truth["student_t"]["true_family"] == "none"
    # df <= 4: the kurtosis is infinite, left out rather than stored as inf.
    assert "excess_kurtosis" not in make_score_distribution(
        "student_t", 10, 1, df=3.0).ground_truth


@pytest.mark.parametrize("name", ["n_samples", "n_draws", "scale", "rate", "n_terms", "sigma",
                                  "df"])
@given(case=bad_scalars())
def test_generator_refuses_bad_sizes_and_scales(name, case):
    _, value = case
    with pytest.raises((ValueError, TypeError), match=name):
        make_score_distribution("gaussian", **{"n_samples": 10, name: value})


@pytest.mark.parametrize("kwargs, match", [({"law": "cauchy"}, "law"), ({"weight": 1.0}, "weight"),
                                           ({"term_law": "gamma"}, "term_law"),
                                           ({"n_samples": 1}, "n_samples")])
def test_generator_refuses_bad_choices(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_score_distribution(**{"law": "gaussian", **kwargs})


# --- the family ---------------------------------------------------------------------------


def test_registered_with_its_grid():
    assert get_family("curves") is FAMILY
    assert set(GENERATORS) == set(LAWS)
    assert {m.name for m in FAMILY.methods(QUICK)} == {"heldout_loglik", "aic", "eyeball",
                                                       "normality_test"}


def _cell(method: str, generator: str):
    spec = next(m for m in FAMILY.methods(QUICK) if m.name == method)
    return run_cell(Cell("curves", spec, GENERATORS[generator], QUICK))


def test_a_cell_counts_calls_and_pools_them_over_seeds():
    record = _cell("aic", "exponential")
    assert record["status"] == "ok"
    seeds = record["seeds"]
    assert [s["n_draws"] for s in seeds] == [200] * 3
    m = record["metrics"]
    assert m["called_gaussian"]["n"] == 600
    assert m["called_gaussian"]["value"] == sum(s["n_called_gaussian"] for s in seeds) / 600
    assert m["family_correct"]["value"] == sum(s["n_correct"] for s in seeds) / 600
    assert record["checks"]["picks_true_family"]["passed"]
    assert record["checks"]["no_false_gaussian"]["passed"]
    assert m["heldout_gaussian_advantage"]["value"] < 0  # the exponential predicts better
    assert set(seeds[0]["guarded"]) == {"correct_rate", "false_gaussian_rate"}


def test_the_score_matches_the_methods_calls_on_the_same_data():
    from benchmarks.seeding import SeedStreams
    from methods.curves.eyeball import EyeballGaussian

    gen = GENERATORS["student_t"]
    streams = SeedStreams(gen.name, 0)
    spec = next(m for m in FAMILY.methods(QUICK) if m.name == "eyeball")
    result = cf.score_curves_seed(spec, gen, streams, QUICK)
    est = EyeballGaussian().fit(gen.dataset(streams, 0).X)
    assert result["n_called_gaussian"] == int(est.looks_gaussian_.sum())
    assert result["mean_r2"] == pytest.approx(est.r2_.mean())
    assert "n_correct" not in result and "false_gaussian_rate" in result


@pytest.mark.parametrize("family_, match", [
    (None, "no family_"), (np.array(["gaussian"] * 3, dtype=object), "one per column"),
    (np.zeros(200), "strings")])
def test_a_malformed_call_makes_an_error_cell(family_, match):
    class Bad:
        def fit(self, X):
            if family_ is not None:
                self.family_ = family_
            return self

    spec = MethodSpec("bad", "curves", lambda train, seed: Bad(), builtin=False)
    record = run_cell(Cell("curves", spec, GENERATORS["gaussian"], get_profile("quick",
                                                                                n_seeds=1)))
    assert record["status"] == "error" and match in record["error"]


def _est(value, low, high):
    return {"value": value, "low": low, "high": high, "n": 600, "confidence": 0.999}


def test_checks_read_the_conservative_bound_and_know_where_they_apply():
    gauss = {"has_candidate_family": _est(1, 1, 1), "gaussian_by_construction": _est(1, 1, 1),
             "family_correct": _est(0.95, 0.89, 0.98), "called_gaussian": _est(0.95, 0.89, 0.98)}
    assert not picks_true_family(gauss).passed  # 0.95 but the lower bound is 0.89
    assert no_false_gaussian(gauss).rule.startswith("not applicable")
    t = {"has_candidate_family": _est(0, 0, 0), "gaussian_by_construction": _est(0, 0, 0),
         "called_gaussian": _est(0.05, 0.02, 0.11)}
    assert picks_true_family(t).rule.startswith("not applicable")
    assert not no_false_gaussian(t).passed  # 0.05 but the upper bound is 0.11
    t["called_gaussian"] = _est(0.05, 0.02, 0.09)
    assert no_false_gaussian(t).passed


# --- the study ----------------------------------------------------------------------------

TINY = {"sizes": (20, 200), "n_draws": 50, "seeds": (0,)}


def test_study_counts_every_call_on_the_same_samples_and_renders(tmp_path):
    doc = lg.run(TINY)
    again = lg.run(TINY)
    assert doc["rows"] == again["rows"]  # deterministic
    assert len(doc["rows"]) == len(lg.LAWS) * 2
    row = next(r for r in doc["rows"] if r["law"] == "exponential" and r["n"] == 200)
    data = make_score_distribution(
        "exponential", 200, 50, **cf.LAW_PARAMS["exponential"],
        random_state=lg.SeedStreams("looks_gaussian/exponential/200", 0).data)
    from methods.curves.eyeball import EyeballGaussian
    assert row["called_gaussian"]["eyeball"] == int(EyeballGaussian().fit(data.X)
                                                    .looks_gaussian_.sum())
    json.dumps(doc)  # JSON-able
    words = lg.findings(doc)
    assert any("exponential" in term and "picks exponential in" in sentence
               for term, sentence, _ in words)
    assert words[-1][0].startswith("the claim")
    figs = lg.figures(doc, tmp_path)
    assert figs and all((tmp_path / p.split("/")[-1]).exists() for _, p in figs)


def test_study_refuses_bad_arguments():
    with pytest.raises(ValueError, match="profile"):
        lg.run("huge")
    with pytest.raises(ValueError, match="seeds"):
        lg.run(TINY, seeds=[])
    with pytest.raises((ValueError, TypeError), match="sizes"):
        lg.run({**TINY, "sizes": (2,)})


def test_study_strict_eyeball_is_the_same_r2_at_095():
    from methods.curves.eyeball import EyeballGaussian

    row = lg.run_point("student_t", 500, 0, 60)
    data = make_score_distribution(
        "student_t", 500, 60, **cf.LAW_PARAMS["student_t"],
        random_state=lg.SeedStreams("looks_gaussian/student_t/500", 0).data)
    strict = EyeballGaussian(threshold=0.95).fit(data.X)
    assert row["called_gaussian"]["eyeball_95"] == int(strict.looks_gaussian_.sum())
    assert list(row["called_gaussian"]) == list(lg.CALLS)


def test_a_user_curves_method_runs_with_family_curves_and_the_hint_names_it():
    from benchmarks.grid import build_grid

    cells = build_grid("quick", methods=["methods.curves.eyeball:EyeballGaussian(bins='fd')"],
                       family="curves")
    assert {c.generator.name for c in cells} == set(LAWS)
    record = run_cell(next(c for c in cells if c.generator.name == "exponential"))
    assert record["status"] == "ok" and record["checks"]["picks_true_family"]["passed"]
    # A curves method has no interface to infer the family from: the hint lists curves.
    with pytest.raises(ValueError, match=r"pass --family .*curves"):
        build_grid("quick", methods=["methods.curves.eyeball:EyeballGaussian"])
