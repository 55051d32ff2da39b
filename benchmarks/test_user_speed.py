"""The speed of each ``--method`` at its family's standard size: reported, not asserted.

Collected only when ``--method`` is given (`benchmarks.conftest.pytest_ignore_collect`);
the seconds appear in the terminal summary and in ``--results-json`` under ``"speed"``.
"""

from __future__ import annotations

from benchmarks.user_speed import measure_speed


def test_user_speed(user_speed_case, speed_rows):
    """The method fits and applies at the standard size (its seconds are recorded)."""
    row = measure_speed(user_speed_case)
    speed_rows.append(row)
    assert row["status"] == "ok", f"{row['method']} at the standard size: {row['error']}"
