"""The grid: every method x generator x seed runs, and every check of its family holds.

One pair of tests for every family (erasure, sparse, truth, weights, curves); test ids read
``<method>-<generator>-seed<k>`` and ``<method>-<generator>-<check>``, so
``pytest benchmarks/ -k erases_accuracy`` or ``-k leace`` selects. Known weaknesses of
built-in methods are strict xfails (``benchmarks/<family>/findings.py``). A check whose
ground truth a user's generator does not provide (``--generator``) is skipped, its reason
"not applicable, because the generator provides no <key>" (``pytest -rs`` lists them).
"""

from __future__ import annotations

import pytest

from benchmarks.check_result import NOT_PROVIDED, describe_check


def test_seed(seed_case, cell_cache):
    """The method fits and runs without error, NaN or a wrong shape on this seed."""
    cell, seed = seed_case
    record = cell_cache.get(cell)
    result = next(r for r in record["seeds"] if r["seed"] == seed)
    assert result["status"] == "ok", f"{cell.id} seed {seed}: {result.get('error')}"


def test_check(check_case, cell_cache):
    """The named check holds on this cell (pooled over the profile's seeds)."""
    cell, check = check_case
    record = cell_cache.get(cell)
    assert record["status"] == "ok", f"{cell.id} is an error cell: {record['error']}"
    result = record["checks"][check]
    if result["rule"].startswith(NOT_PROVIDED):  # a user's generator without its ground
        pytest.skip(f"{cell.id}: {check} is {result['rule']}")  # truth: said, not passed
    assert result["passed"], f"{cell.id}: {describe_check(check, result)}"
