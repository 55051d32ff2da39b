"""Interleaved minimum timing for the speed benchmarks: a method against its floors.

A speed check reads the ratio of a method's time to the time of a *floor* (the matrix
products or decompositions the method cannot avoid) measured in the same process. On a
shared machine absolute times drift with the load, so the two are taken alternately: every
floor runs in pytest-benchmark's untimed ``setup`` right before each timed round of the
method, and each time is the minimum over the rounds (the least noisy estimate of an
uncontended run). A change of load then hits both alike.

When pytest-benchmark is disabled (``--benchmark-disable``, or under pytest-xdist) its
``pedantic`` runs one round only; `interleaved_minima` then runs the remaining rounds itself
(same alternation), so a check reads the same statistic either way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from threadpoolctl import threadpool_limits


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
    """

    method_s: float
    floors_s: dict[str, float] = field(default_factory=dict)
    result: Any = None
    rounds: int = 0

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
                       threads: int | None = None) -> Timings:
    """Time ``method`` with pytest-benchmark, each floor in the untimed setup of each round.

    Parameters
    ----------
    benchmark : pytest-benchmark fixture
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

    Returns
    -------
    Timings
    """
    with threadpool_limits(limits=threads):
        return _interleave(benchmark, method, floors, rounds)


def _interleave(benchmark, method, floors, rounds) -> Timings:
    method_times: list[float] = []
    floor_times = {name: [] for name in floors}
    timed_floors = [_timed(fn, floor_times[name]) for name, fn in floors.items()]
    timed_method = _timed(method, method_times)

    def setup() -> None:  # pedantic's setup must return None (a value would become args)
        for fn in timed_floors:
            fn()

    setup(), timed_method()  # warm-up
    method_times.clear()
    for times in floor_times.values():
        times.clear()
    result = benchmark.pedantic(timed_method, setup=setup, rounds=rounds, iterations=1)
    while len(method_times) < rounds:  # benchmark disabled: it ran one round
        setup()
        result = timed_method()
    return Timings(min(method_times), {k: min(v) for k, v in floor_times.items()}, result,
                   len(method_times))


def record(benchmark, timings: Timings, **extra) -> None:
    """Put both minima, each floor's minimum, the ratio and ``extra`` in ``extra_info``."""
    benchmark.extra_info.update(method_min_s=timings.method_s, floor_min_s=timings.floor_s,
                                ratio=timings.ratio, rounds=timings.rounds, **extra)
    benchmark.extra_info.update({f"floor_{k}_min_s": v for k, v in timings.floors_s.items()})


def describe(timings: Timings) -> str:
    """``"<method> ms vs floor <total> ms (<name> <t> ms + ...)"`` for assertion messages."""
    parts = " + ".join(f"{k} {v * 1e3:.1f} ms" for k, v in timings.floors_s.items())
    return (f"{timings.method_s * 1e3:.1f} ms vs floor {timings.floor_s * 1e3:.1f} ms "
            f"({parts})")
