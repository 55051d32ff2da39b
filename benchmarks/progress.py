"""Progress of every phase that takes more than a few seconds, on stderr, through tqdm.

Cells, references, studies, the timing of a ``--method`` and the figures each get a bar with
a count, the elapsed time and an estimate of the time left. On a terminal tqdm redraws one
line. In a log (CI, a pipe, a file) every redraw becomes a line of its own, and a heartbeat
redraws the bar every `HEARTBEAT_S` seconds even when nothing finished (a cell of 60 seeds,
a slow study step), so that a log never goes quiet longer than that while work goes on.

tqdm rather than hand-written lines: it computes the rate and estimate, sizes the line to
the terminal, and its ``write`` keeps a message (an error cell) above the bar.
"""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from typing import Iterator, TextIO

from tqdm import tqdm

# Seconds between two redraws in a log when nothing advances.
HEARTBEAT_S = 5.0
# A log line: no bar drawing, the count, elapsed and estimated time left, and what finished.
LOG_FORMAT = "{desc}: {n_fmt}/{total_fmt} [{elapsed} elapsed, ~{remaining} left{postfix}]"


class _Lines:
    """A stream for tqdm in a log: each carriage-return redraw becomes one line."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> None:
        for part in text.replace("\r", "\n").split("\n"):
            if part.strip():
                self.stream.write(part.rstrip() + "\n")
        self.stream.flush()

    def flush(self) -> None:
        self.stream.flush()


def _is_terminal(stream) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def progress_bar(total: int, desc: str, unit: str = "cell",
                 stream: TextIO | None = None) -> Iterator[tqdm]:
    """A tqdm bar of ``total`` steps named ``desc`` on ``stream`` (stderr), with a heartbeat.

    Use as ``with progress_bar(n, "cells") as bar: ... step(bar, "what finished")``; the bar
    is closed (its last line written) on leaving. In a log every step is a line of its own
    (each grid cell, study or figure names itself).
    """
    stream = sys.stderr if stream is None else stream
    terminal = _is_terminal(stream)
    interval = 0.1 if terminal else 0.0
    bar = tqdm(total=total, desc=desc, unit=unit, file=stream if terminal else _Lines(stream),
               mininterval=interval, miniters=1, dynamic_ncols=terminal, leave=True,
               bar_format=None if terminal else LOG_FORMAT)
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_S):
            bar.refresh()

    beater = threading.Thread(target=beat, daemon=True)
    beater.start()
    try:
        yield bar
    finally:
        stop.set()
        beater.join()
        bar.close()


def say(bar: tqdm, text: str) -> None:
    """``text`` on a line of its own above ``bar``, on the bar's stream."""
    tqdm.write(text, file=bar.fp)


def step(bar: tqdm, label: str) -> None:
    """Advance ``bar`` by one, showing ``label`` (what just finished) beside it."""
    bar.set_postfix_str(label, refresh=False)
    bar.update(1)
