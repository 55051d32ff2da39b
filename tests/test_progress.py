"""Progress on stderr (`benchmarks.progress`): lines in a log, a heartbeat while nothing
finishes, and the count and estimate on every line."""

from __future__ import annotations

import io
import re
import time

from benchmarks import progress
from benchmarks.progress import progress_bar, say, step
from reports.content import _references_text


def test_a_log_gets_one_line_per_step_with_count_and_estimate():
    log = io.StringIO()
    with progress_bar(3, "cells", stream=log) as bar:
        for i in range(3):
            step(bar, f"cell {i}: ok")
        say(bar, "error cell x: boom")
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    counted = [line for line in lines if re.match(r"^cells: \d/3 \[.* elapsed, ~.* left", line)]
    assert [re.match(r"^cells: (\d)", line).group(1) for line in counted][:4] == \
        ["0", "1", "2", "3"]
    assert counted[1].endswith(", cell 0: ok]")
    assert "error cell x: boom" in lines


def test_the_heartbeat_writes_while_nothing_finishes(monkeypatch):
    """A step that takes longer than the heartbeat still gets lines: a log is never quiet
    longer than `HEARTBEAT_S` while work goes on."""
    monkeypatch.setattr(progress, "HEARTBEAT_S", 0.05)
    log = io.StringIO()

    def beats() -> int:
        return sum(line.startswith("studies: 0/1") and "running a slow study" in line
                   for line in log.getvalue().splitlines())

    with progress_bar(1, "studies", stream=log) as bar:
        bar.set_postfix_str("running a slow study")
        # Wait for the beats rather than a fixed time: a busy machine only delays them.
        deadline = time.monotonic() + 30
        while beats() < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        step(bar, "done")
    assert beats() >= 4


def test_provenance_says_whether_references_were_read_or_scored():
    def ref(source, elapsed=2.0):
        return {"reference": True, "reference_source": source, "elapsed_s": elapsed}

    assert _references_text([]) == "no references"
    assert _references_text([ref("committed")] * 3) == \
        "3 references read from reports/references.json beside them"
    assert _references_text([ref("scored")] * 2) == \
        "2 references beside them, 2 scored for this run's seeds in 4.0 s of cell time"
