"""Speed of CCS against the supervised probe it is compared with, measured in one run.

CCS with its default 10 restarts on 2000 pairs in d = 768, against the supervised
logistic probe on the same pairs. Timing (`benchmarks.speed_timing`): one BLAS thread for
both, the probe's fit in pytest-benchmark's untimed setup before each timed CCS fit, minima
over ``REPEATS`` rounds; `check_ratio` re-measures a ratio beyond ``MAX_RATIO`` and warns
(default run) or fails (``--speed-gates``). Measured range and margin: the test docstring.
"""

from __future__ import annotations

import pytest

from benchmarks.speed_timing import check_ratio, interleaved_minima, repeated
from generators.onehot_facts import make_onehot_facts
from generators.single_truth import make_single_truth
from methods.truth.ccs import CCS
from methods.truth.supervised_logistic import SupervisedLogistic

N_PAIRS, N_FEATURES = 2000, 768
MAX_RATIO = 2.5
REPEATS = 3
THREADS = 1
# The logistic fit (~45 ms) is repeated to last about as long as the CCS fit (0.5-0.8 s):
# against a single 45 ms floor the ratio read 18.3 on an idle machine and 26.5 with one
# CPU-bound competitor per core (the short floor catches idle windows, the long fit cannot).
FLOOR_REPEATS = 10

DATASETS = {
    # Not separable (Bayes accuracy 0.92): the CCS loss has a finite minimiser.
    "single_truth_noisy": lambda: make_single_truth(N_PAIRS, N_FEATURES, noise=1.0),
    # Separable +-one-hot facts rotated into d = 768: the loss tends to 0 at infinite norm.
    "onehot_facts_768": lambda: make_onehot_facts(N_PAIRS, 64, noise=0.03,
                                                  n_features=N_FEATURES),
}

pytestmark = [pytest.mark.speed, pytest.mark.benchmark(group="truth")]


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_ccs_speed_against_logistic_probe(benchmark, pytestconfig, dataset):
    """CCS (10 restarts) fit against the supervised logistic probe's fit on the same pairs.

    Against ten logistic fits. Measured (2 cores, one BLAS thread): idle 1.88 / 1.90 (noisy
    single truth) and 1.36 / 1.18 (one-hot facts); with one CPU-bound competitor per core
    1.77 / 1.66 and 1.15 / 1.25. Bar 2.5 = 1.3x the worst, rounded up: CCS twice as slow
    fails.
    """
    ds = DATASETS[dataset]()

    def fit_ccs():
        return CCS(n_restarts=10, random_state=0).fit(ds.X_pos, ds.X_neg)

    def fit_logistic():
        return SupervisedLogistic().fit(ds.X_pos, ds.X_neg, ds.y)

    check_ratio(benchmark, pytestconfig,
                lambda b: interleaved_minima(
                    b, fit_ccs, {"logistic_probe_x10": repeated(fit_logistic, FLOOR_REPEATS)},
                    REPEATS, THREADS),
                MAX_RATIO, label=f"CCS (10 restarts) fit on {dataset}", n_pairs=N_PAIRS,
                n_features=N_FEATURES, n_restarts=10, threads=THREADS)
