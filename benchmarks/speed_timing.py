"""Interleaved minimum timing for the speed benchmarks, and the one rule that reads a ratio.

Timing. A speed check reads the ratio of a method's time to the time of a *floor* (the
matrix products or decompositions the method cannot avoid, or a reference fit) measured in
the same process. On a shared machine absolute times drift with the load, so the two are
taken alternately: every floor runs in pytest-benchmark's untimed ``setup`` right before
each timed round of the method, and each time is the minimum over the rounds (the least
noisy estimate of an uncontended run). A change of load then hits both alike.

When pytest-benchmark is disabled (``--benchmark-disable``, or under pytest-xdist) its
``pedantic`` runs one round only; `interleaved_minima` then runs the remaining rounds itself
(same alternation), so a check reads the same statistic either way.

Reading. `check_ratio` is the only place where a ratio meets its bar. Every ratio is a time
ratio ``method_s / floor_s`` that must stay at or below its bar (a throughput bar
``floor_s / method_s >= b`` is the time bar ``1 / b``). A ratio beyond its bar is measured
again, up to ``attempts`` measurements in all, and the best attempt is kept: the minimum
over rounds is meant to catch idle windows, and a busy spell can swallow every round of one
attempt. What happens to a ratio still beyond its bar depends on ``--speed-gates``:

- default run (``python -m pytest``): a `SpeedRatioWarning` naming the benchmark, the ratio,
  both times and the bar (pytest's warnings summary); the test does not fail on speed;
- ``--speed-gates``: the test fails with the same message.

Either way ``benchmark.extra_info`` records the kept attempt's ratio and times, the bar,
every attempt's ratio and whether the bar was met.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
from threadpoolctl import threadpool_limits

#: Measurements of a ratio beyond its bar before it is reported (or failed): 1 + 2 repeats.
ATTEMPTS = 3


class SpeedRatioWarning(UserWarning):
    """A speed ratio stayed beyond its bar after re-measurement (default run: not failed)."""


@dataclass
class Timings:
    """Minimum wall times (seconds) of a method and of each of its floors.

    Attributes
    ----------
    method_s : float
        Minimum over the rounds of the timed method.
    floors_s : dict of str to float
        Minimum over the rounds of each floor, by name (same rounds, interleaved).
    floor_s : float
        Sum of the floors' minima: the whole floor (at most the minimum of the sums).
    result : object
        What the method returned in its last round (e.g. the fitted estimator).
    rounds : int
        Number of rounds taken.
    companions_s : dict of str to float
        Minimum over the rounds of each companion: timed alongside (same alternation) for
        the record, not part of the floor.
    """

    method_s: float
    floors_s: dict[str, float] = field(default_factory=dict)
    result: Any = None
    rounds: int = 0
    companions_s: dict[str, float] = field(default_factory=dict)

    @property
    def floor_s(self) -> float:
        return sum(self.floors_s.values())

    @property
    def ratio(self) -> float:
        """``method_s / floor_s``: how many floors the method costs."""
        return self.method_s / self.floor_s


class IterationCount:
    """The iteration count of a method's latest run, for a floor repeated that many times.

    A floor of one iteration's products would last far less than the method, and the
    minimum of a short run catches idle windows of a loaded machine that a long one does
    not; repeating the floor as many times as the method iterated keeps the two alike.
    The count is 1 until the method has run once (the warm-up, which is not counted).

    Parameters
    ----------
    attribute : str
        Fitted attribute holding the count (``"n_iter_"``, ``"n_steps_"``).
    """

    def __init__(self, attribute: str):
        self.attribute = attribute
        self.n = 1

    def track(self, method: Callable[[], Any]) -> Callable[[], Any]:
        """``method`` that records its result's ``attribute`` after each call."""
        def run():
            out = method()
            self.n = int(getattr(out, self.attribute))
            return out
        return run

    def repeat(self, floor: Callable[[], Any]) -> Callable[[], None]:
        """``floor`` called ``n`` times in a row (the latest count)."""
        def run():
            for _ in range(self.n):
                floor()
        return run


def repeated(fn: Callable[[], Any], times: int) -> Callable[[], None]:
    """``fn`` called ``times`` times in a row: a floor as long as the method it is read with.

    A floor much shorter than its method fits in one scheduler time slice while the method
    does not: on a machine with N runnable processes per core the method then waits ~N
    slices per slice of work and the floor none, and the ratio grows with the load (seen:
    a 0.8 ms floor against a 5 ms fit gave 6.5 idle and 86 at load 21 on 2 cores). Floor
    and method of about the same length are cut alike.
    """
    def run():
        for _ in range(times):
            fn()
    return run


def _timed(fn: Callable[[], Any], times: list[float]) -> Callable[[], Any]:
    """Wrap ``fn`` so that each call appends its wall time to ``times``."""
    def run():
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
        return out
    return run


def interleaved_minima(benchmark, method: Callable[[], Any],
                       floors: dict[str, Callable[[], Any]], rounds: int,
                       threads: int | None = None,
                       companions: dict[str, Callable[[], Any]] | None = None) -> Timings:
    """Time ``method`` with pytest-benchmark, each floor in the untimed setup of each round.

    Parameters
    ----------
    benchmark : pytest-benchmark fixture, or the stand-in `check_ratio` passes on a repeat
    method : callable with no arguments
        What the benchmark records (its stats are the method's, not the floors').
    floors : dict of str to callable with no arguments
        Run in this order, untimed by pytest-benchmark but timed here, before every round.
    rounds : int
        Timed rounds after one warm-up call of everything (first-call costs: allocation,
        BLAS thread start-up, imports).
    threads : int or None, default=None
        Limit of BLAS and OpenMP threads (`threadpoolctl.threadpool_limits`) while timing;
        None leaves the libraries' defaults.
    companions : dict of str to callable, optional
        Timed after the floors in each round's setup and reported in
        ``Timings.companions_s``, outside the floor (e.g. a plain version for the record).

    Returns
    -------
    Timings
    """
    with threadpool_limits(limits=threads):
        return _interleave(benchmark, method, floors, companions or {}, rounds)


def _interleave(benchmark, method, floors, companions, rounds) -> Timings:
    method_times: list[float] = []
    floor_times = {name: [] for name in floors}
    companion_times = {name: [] for name in companions}
    timed_floors = [_timed(fn, floor_times[name]) for name, fn in floors.items()]
    timed_floors += [_timed(fn, companion_times[name]) for name, fn in companions.items()]
    timed_method = _timed(method, method_times)

    def setup() -> None:  # pedantic's setup must return None (a value would become args)
        for fn in timed_floors:
            fn()

    setup(), timed_method()  # warm-up
    for times in [method_times, *floor_times.values(), *companion_times.values()]:
        times.clear()
    result = benchmark.pedantic(timed_method, setup=setup, rounds=rounds, iterations=1)
    while len(method_times) < rounds:  # benchmark disabled or a repeat: it ran one round
        setup()
        result = timed_method()
    return Timings(min(method_times), {k: min(v) for k, v in floor_times.items()}, result,
                   len(method_times), {k: min(v) for k, v in companion_times.items()})


class _Repeat:
    """Stand-in for the benchmark fixture on a repeated measurement.

    pytest-benchmark records one ``pedantic`` call per test; a repeat runs one round here
    and `interleaved_minima` the rest, exactly as with a disabled benchmark.
    """

    def pedantic(self, target, setup=None, rounds=1, iterations=1):
        if setup is not None:
            setup()
        return target()


def speed_gates(config) -> bool:
    """Whether ``--speed-gates`` is on (``config``: a pytest config, or a bool)."""
    if isinstance(config, bool):
        return config
    return bool(config.getoption("speed_gates", default=False))


def check_ratio(benchmark, config, measure: Callable[[Any], Timings], bar: float, *,
                label: str, attempts: int = ATTEMPTS, **extra) -> Timings:
    """Measure a ratio, re-measure it while beyond ``bar``, record it, warn or fail.

    Parameters
    ----------
    benchmark : pytest-benchmark fixture
        Passed to the first measurement (the one pytest-benchmark records); repeats get a
        stand-in. ``extra_info`` receives the record (see `record`).
    config : pytest config or bool
        Its ``--speed-gates`` option (or that value): fail, rather than warn, on a ratio
        still beyond ``bar`` after ``attempts`` measurements.
    measure : callable taking a benchmark, returning Timings
        One measurement, e.g. ``lambda b: interleaved_minima(b, method, floors, rounds)``.
    bar : float
        Largest acceptable ``Timings.ratio`` (``method_s / floor_s``).
    label : str
        What is timed against what, for the message (e.g. ``"PCA fit+transform"``).
    attempts : int, default=ATTEMPTS
        Measurements at most; a later one is taken only if every earlier one was beyond
        ``bar``. The attempt with the lowest ratio is kept.
    **extra
        More entries for ``extra_info`` (sizes, iteration counts).

    Returns
    -------
    Timings
        The kept (lowest-ratio) attempt.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    ratios: list[float] = []
    best = None
    for attempt in range(attempts):
        timings = measure(benchmark if attempt == 0 else _Repeat())
        ratios.append(timings.ratio)
        if best is None or timings.ratio < best.ratio:
            best = timings
        if best.ratio <= bar:
            break
    met = best.ratio <= bar
    record(benchmark, best, bar=bar, bar_met=met, attempts=len(ratios),
           attempt_ratios=ratios, **extra)
    if not met:
        message = (f"{benchmark.name}: {label} {describe(best)}: ratio {best.ratio:.3g} > "
                   f"bar {bar:.3g} in each of {len(ratios)} measurements (ratios "
                   + ", ".join(f"{r:.3g}" for r in ratios) + ")")
        if speed_gates(config):
            pytest.fail(message, pytrace=False)
        warnings.warn(SpeedRatioWarning(message), stacklevel=2)
    return best


def record(benchmark, timings: Timings, **extra) -> None:
    """Put both minima, each floor's minimum, the ratio and ``extra`` in ``extra_info``."""
    benchmark.extra_info.update(method_min_s=timings.method_s, floor_min_s=timings.floor_s,
                                ratio=timings.ratio, rounds=timings.rounds, **extra)
    benchmark.extra_info.update({f"floor_{k}_min_s": v for k, v in timings.floors_s.items()})
    benchmark.extra_info.update({f"{k}_min_s": v for k, v in timings.companions_s.items()})


def describe(timings: Timings) -> str:
    """``"<method> ms vs floor <total> ms (<name> <t> ms + ...)"`` for messages."""
    parts = " + ".join(f"{k} {v * 1e3:.1f} ms" for k, v in timings.floors_s.items())
    return (f"{timings.method_s * 1e3:.1f} ms vs floor {timings.floor_s * 1e3:.1f} ms "
            f"({parts})")
