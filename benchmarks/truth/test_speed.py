"""Speed of every built-in truth finder against floors measured in the same run.

CCS, with its default 10 restarts on 2000 pairs in d = 768, against the supervised
logistic probe on the same pairs. Timing (`benchmarks.speed_timing`): one BLAS thread for
both, the probe's fit in pytest-benchmark's untimed setup before each timed CCS fit, minima
over ``CCS_ROUNDS`` rounds; `check_ratio` re-measures a ratio beyond ``MAX_CCS_RATIO`` and
warns (default run) or fails (``--speed-gates``). Measured range and margin: the test
docstring.

The simple truth finders (the comparison methods). Size: 2000 pairs in d = 768, float64,
``make_single_truth(noise=1.0)`` (Bayes accuracy 0.92), as CCS's benchmark above. Each
test times ``fit(X, y)`` on the stacked pairs ``X = [X_pos | X_neg]`` (stacked untimed)
with the default ``normalize="mean"`` against its floor, computed on the same pairs:

- `ContrastPCA`: one thin SVD of the (n_pairs, d) differences (all singular values: the
  method keeps every eigenvalue);
- `SupervisedLogistic`: the reference fit, scikit-learn ``LogisticRegression(C=1,
  max_iter=1000)`` on the centred differences (the method's own problem, precomputed);
- `MeanDifference`: the differences ``X_pos - X_neg``, ``theta = (2 y - 1)^T D`` and the
  projections ``D theta``;
- `RandomDirection`: the differences and the projections ``D v``.

Timing (`benchmarks.speed_timing`): one BLAS thread, floors in the untimed setup before each
timed round, minima over the rounds. One thread because the ratio is meant to measure work,
not thread scheduling (under load, two OpenBLAS threads slowed small products and
decompositions 40-130x here, measured). Measured ratios (4 runs at load 3-4, then the bar-
setting runs) are in each test's docstring; the bars (``MAX_RATIO``) sit 1.3x above the
worst ratio of the bar-setting runs on the shared 2 cores (load 10-21 from other helpers'
jobs; the spread includes them), never below the previous bar; `check_ratio` warns (default
run) or fails (``--speed-gates``). These four take ~10 s idle.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from benchmarks.speed_timing import check_ratio, interleaved_minima, repeated
from generators.onehot_facts import make_onehot_facts
from generators.single_truth import make_single_truth
from methods.truth.ccs import CCS
from methods.truth.contrast_pca import ContrastPCA
from methods.truth.mean_difference import MeanDifference
from methods.truth.pairs import stack_pairs
from methods.truth.random_direction import RandomDirection
from methods.truth.supervised_logistic import SupervisedLogistic

N_PAIRS, N_FEATURES = 2000, 768
# 2.5 until the floor lost its extra (n_pairs, d) temporaries (`_fit_differences`): measured in
# one run, 10 SupervisedLogistic fits went 0.662 -> 0.512 s (x1.29) on the noisy single truth
# and 0.399 -> 0.340 s (x1.17) on the facts, CCS unchanged (1.224 s, 0.574 s); the bar is
# scaled by the larger factor (2.5 x 1.29 = 3.2), so the same CCS speed passes as before.
# 4.8 since 2026-12-06: on this project's "AMD EPYC" machine (OpenBLAS SkylakeX kernels) the
# same code reads higher than where 3.2 was set: the noisy single truth 3.04-3.45 kept (the
# lowest of up to 3 attempts; single attempts up to 3.71) in 4 idle runs of this code, and
# 3.47-3.71 for the code of 32ac4ec in the same session, so 3.2 failed unchanged code about
# half the time (one fresh-clone CI of 5 failed on it); the facts 2.27-2.38. Bar = 1.3x the
# worst single attempt (3.71), as every bar of this file.
MAX_CCS_RATIO = 4.8
CCS_ROUNDS = 3
# The logistic fit (~45 ms) is repeated to last about as long as the CCS fit (0.5-0.8 s):
# against a single 45 ms floor the ratio read 18.3 on an idle machine and 26.5 with one
# CPU-bound competitor per core (the short floor catches idle windows, the long fit cannot).
CCS_FLOOR_REPEATS = 10

DATASETS = {
    # Not separable (Bayes accuracy 0.92): the CCS loss has a finite minimiser.
    "single_truth_noisy": lambda: make_single_truth(N_PAIRS, N_FEATURES, noise=1.0),
    # Separable +-one-hot facts rotated into d = 768: the loss tends to 0 at infinite norm.
    "onehot_facts_768": lambda: make_onehot_facts(N_PAIRS, 64, noise=0.03,
                                                  n_features=N_FEATURES),
}
# The simple truth finders: rounds, floor repeats and bars.
ROUNDS = 5
FAST_ROUNDS = 20  # fits of 5-15 ms: more rounds to find quiet windows
# Floors of ~1 ms against fits of ~5 ms are repeated this many times, so that floor and fit
# last about as long (`benchmarks.speed_timing.repeated`); their ratios are per 5 floors.
FLOOR_REPEATS = 5
THREADS = 1
MAX_RATIO = {
    "contrast_pca": 1.6,
    "supervised_logistic": 2.6,
    "mean_difference": 1.6,
    "random_direction": 1.8,
}

pytestmark = [pytest.mark.speed, pytest.mark.benchmark(group="truth")]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_ccs_speed_against_logistic_probe(benchmark, pytestconfig, dataset):
    """CCS (10 restarts) fit against the supervised logistic probe's fit on the same pairs.

    Against ten logistic fits. Measured (2 cores, one BLAS thread): idle 1.88 / 1.90 (noisy
    single truth) and 1.36 / 1.18 (one-hot facts); with one CPU-bound competitor per core
    1.77 / 1.66 and 1.15 / 1.25. Bar 2.5 = 1.3x the worst, rounded up: CCS twice as slow
    fails. Since the floor's fit writes one (n_pairs, d) array instead of three (x1.29
    faster, CCS unchanged; see ``MAX_CCS_RATIO``): idle 1.90-2.38 / 1.47-1.78 (4 runs,
    2026-12-02, a machine on which the old floor read 1.85 / 1.44); bar 3.2. On the "AMD
    EPYC" machine of 2026-12-06: 3.04-3.71 / 2.27-2.38 for the same code; bar 4.8
    (``MAX_CCS_RATIO``).
    """
    ds = DATASETS[dataset]()
    X = stack_pairs(ds.X_pos, ds.X_neg)  # the pairs [x_plus | x_minus], stacked untimed

    def fit_ccs():
        return CCS(n_restarts=10, random_state=0).fit(X)

    def fit_logistic():
        return SupervisedLogistic().fit(X, ds.y)

    check_ratio(benchmark, pytestconfig,
                lambda b: interleaved_minima(
                    b, fit_ccs, {"logistic_probe_x10": repeated(fit_logistic, CCS_FLOOR_REPEATS)},
                    CCS_ROUNDS, THREADS),
                MAX_CCS_RATIO, label=f"CCS (10 restarts) fit on {dataset}", n_pairs=N_PAIRS,
                n_features=N_FEATURES, n_restarts=10, threads=THREADS)


@pytest.fixture(scope="module")
def pairs():
    ds = make_single_truth(N_PAIRS, N_FEATURES, noise=1.0)
    D = (ds.X_pos - ds.X_pos.mean(axis=0)) - (ds.X_neg - ds.X_neg.mean(axis=0))
    return ds.X_pos, ds.X_neg, ds.y, D, stack_pairs(ds.X_pos, ds.X_neg)


def _check(benchmark, config, name, method, floors, rounds):
    check_ratio(benchmark, config,
                lambda b: interleaved_minima(b, method, floors, rounds, THREADS),
                MAX_RATIO[name], label=f"{name} fit", n_pairs=N_PAIRS, n_features=N_FEATURES,
                threads=THREADS)


def test_contrast_pca_against_svd(benchmark, pytestconfig, pairs):
    """Measured 1.01-1.05: the SVD is the whole cost.

    Bar-setting runs (shared 2 cores, load 13-21 from other jobs, one BLAS thread): 0.878-1.09
    (5 runs); bar 1.6 kept (above 1.3x the worst).
    """
    _, _, _, D, X = pairs
    _check(benchmark, pytestconfig, "contrast_pca", lambda: ContrastPCA().fit(X),
           {"svd": lambda: np.linalg.svd(D, full_matrices=False)}, ROUNDS)


def test_supervised_logistic_against_sklearn_fit(benchmark, pytestconfig, pairs):
    """Measured 1.55-1.73: the logistic fit takes only ~9 ms here, so validation and
    normalisation (~5 ms) weigh.

    Bar-setting runs (shared 2 cores, load 13-21 from other jobs, one BLAS thread): 1.12-1.64 (5
    runs); bar 2.6 kept (above 1.3x the worst). With the differences written once
    (`_fit_differences`): 1.20-1.58 (6 runs, idle, 2026-12-02).
    """
    _, _, y, D, X = pairs
    _check(benchmark, pytestconfig, "supervised_logistic",
           lambda: SupervisedLogistic().fit(X, y),
           {"logistic_regression": lambda: LogisticRegression(C=1.0, max_iter=1000).fit(D, y)},
           FAST_ROUNDS)


def test_mean_difference_against_differences_and_products(benchmark, pytestconfig, pairs):
    """Measured 4.79-5.46 against one floor (before FLOOR_REPEATS): the floor takes ~1 ms;
    validation (two isfinite passes, labels) and the normalisation's three (n_pairs, d)
    temporaries take the rest.

    Bar-setting runs (shared 2 cores, load 13-19 from other jobs, one BLAS thread): 1-1.19 (4
    runs); bar 1.6 = 1.3x the worst, rounded up. Later the same code read 1.61-2.24 on this
    machine (fresh clones too: the machine, not the code), fit ~29 ms against a ~3 ms floor.
    The fit now writes the differences once (`PairNormalizer.difference`): 29.1 -> 13.2 ms,
    x2.20 in one run; ratio 0.82-1.03 (2 runs, idle, 2026-12-02). Bar 1.6 kept.
    """
    Xp, Xn, y, _, X = pairs
    sigma = 2.0 * y - 1.0

    def floor():
        D = Xp - Xn
        return D @ (sigma @ D)

    _check(benchmark, pytestconfig, "mean_difference", lambda: MeanDifference().fit(X, y),
           {"differences_and_products_x5": repeated(floor, FLOOR_REPEATS)}, FAST_ROUNDS)


def test_random_direction_against_differences_and_projection(benchmark, pytestconfig, pairs):
    """Measured 6.29-6.60 against one floor (before FLOOR_REPEATS; floor ~0.8 ms; the same
    overheads as mean difference).

    Bar-setting runs (shared 2 cores, load 13-19 from other jobs, one BLAS thread): 1.1-1.38 (4
    runs); bar 1.8 = 1.3x the worst, rounded up.
    """
    Xp, Xn, _, _, X = pairs
    v = np.random.default_rng(0).standard_normal(N_FEATURES)
    _check(benchmark, pytestconfig, "random_direction",
           lambda: RandomDirection(random_state=0).fit(X),
           {"differences_and_projection_x5": repeated(lambda: (Xp - Xn) @ v, FLOOR_REPEATS)},
           FAST_ROUNDS)
