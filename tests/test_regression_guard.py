"""The regression guard catches an SAE trained for a tenth of its budget (issue 5's bar)."""

from __future__ import annotations

import pytest

from benchmarks.cells import Cell, run_cell
from benchmarks.grid import build_grid
from benchmarks.regression_guard import DEFAULT_BASELINE, compare, load_baseline, threshold
from benchmarks.seeding import sklearn_seed
from benchmarks.sparse.family import SIZES
from benchmarks.spec import MethodSpec
from methods.sparse.relu_sae import ReluSAE

GENERATOR = "planted_sparse"
BUDGET_FRACTION = 10  # train for a tenth of the quick profile's steps


@pytest.fixture(scope="module")
def relu_cell() -> Cell:
    return next(c for c in build_grid("quick", family="sparse")
                if c.method.name == "relu_sae" and c.generator.name == GENERATOR)


def test_sae_at_a_tenth_of_its_budget_fails_the_guard(relu_cell):
    budget = dict(SIZES["quick"]["relu_sae"])
    budget["n_steps"] //= BUDGET_FRACTION

    def build(train, seed):
        return ReluSAE(l1_coeff=0.1, random_state=sklearn_seed(seed), **budget)

    spec = MethodSpec("relu_sae", "sparse", build, builtin=False,
                      description="ReluSAE at a tenth of its step budget")
    cell = Cell("sparse", spec, relu_cell.generator, relu_cell.profile)
    base = load_baseline(DEFAULT_BASELINE)[cell.key]
    record = run_cell(cell)
    assert record["status"] == "ok", record["error"]
    changes = {c.metric: c for c in compare(record, base) if c.worse}
    worse = {name: c.message() for name, c in changes.items()}
    assert {"mmcs", "recovery_rate"} <= set(worse), worse
    assert worse["mmcs"].startswith("mmcs worse than baseline"), worse["mmcs"]
    # The guard's decision is the threshold reports.false_alarms measures the rate of.
    th = threshold(base, "mmcs", len(record["seeds"]))
    assert changes["mmcs"].bound == max(th.median_bound, th.worst_shift)
    assert th.run_is_worse([s["mmcs"] for s in record["seeds"]])
