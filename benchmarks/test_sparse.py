"""The sparse-feature grid: every dictionary learner x generator x seed runs, and every check holds.

Checks that do not apply to a generator pass vacuously (their rule says "not applicable").
Known weaknesses of built-in methods are strict xfails (benchmarks/expected_findings.py).
"""

from __future__ import annotations


def test_sparse_seed(sparse_seed_case, cell_cache):
    """The method fits and transforms without error, NaN or a wrong shape on this seed."""
    cell, seed = sparse_seed_case
    record = cell_cache.get(cell)
    result = next(r for r in record["seeds"] if r["seed"] == seed)
    assert result["status"] == "ok", f"{cell.id} seed {seed}: {result.get('error')}"


def test_sparse_check(sparse_check_case, cell_cache):
    """The named check holds on this cell (pooled over the profile's seeds)."""
    cell, check = sparse_check_case
    record = cell_cache.get(cell)
    assert record["status"] == "ok", f"{cell.id} is an error cell: {record['error']}"
    result = record["checks"][check]
    assert result["passed"], (
        f"{cell.id}: {check} failed: {result['rule']}; measured {result['value']:.4g}, "
        f"threshold {result['threshold']:.4g}"
    )
