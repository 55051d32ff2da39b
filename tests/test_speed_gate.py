"""The rule every speed benchmark reads its ratio through (`benchmarks.speed_timing`).

`check_ratio` re-measures a ratio beyond its bar (``ATTEMPTS`` measurements at most, the
lowest ratio kept), records it in ``extra_info``, and then warns (default run) or fails
(``--speed-gates``). Measurements here are fakes returning fixed `Timings`, so these tests
take milliseconds and read the same on any machine.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from benchmarks.speed_timing import (
    ATTEMPTS,
    SpeedRatioWarning,
    Timings,
    check_ratio,
    interleaved_minima,
    speed_gates,
)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
BAR = 1.5


class FakeBenchmark:
    """What `check_ratio` uses of the pytest-benchmark fixture: a name and extra_info."""

    name = "test_fake_speed"

    def __init__(self):
        self.extra_info: dict = {}
        self.pedantic_calls = 0

    def pedantic(self, target, setup=None, rounds=1, iterations=1):
        self.pedantic_calls += 1
        for _ in range(rounds):
            if setup is not None:
                setup()
            out = target()
        return out


class FakeMeasure:
    """Returns the given ratios in turn (method 10 ms x ratio, floor 10 ms)."""

    def __init__(self, *ratios):
        self.ratios = list(ratios)
        self.benchmarks = []

    def __call__(self, benchmark) -> Timings:
        self.benchmarks.append(benchmark)
        ratio = self.ratios[min(len(self.benchmarks), len(self.ratios)) - 1]
        return Timings(0.010 * ratio, {"products": 0.010}, result=ratio, rounds=3)


@pytest.mark.parametrize("gates", [False, True])
def test_ratio_within_bar_is_measured_once(gates):
    bench, measure = FakeBenchmark(), FakeMeasure(1.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = check_ratio(bench, gates, measure, BAR, label="fake", n_samples=7)
    assert len(measure.benchmarks) == 1 and measure.benchmarks[0] is bench
    assert t.ratio == pytest.approx(1.2)
    info = bench.extra_info
    assert info["ratio"] == pytest.approx(1.2) and info["bar"] == BAR
    assert info["bar_met"] is True and info["attempts"] == 1 and info["n_samples"] == 7
    assert info["method_min_s"] == pytest.approx(0.012)
    assert info["floor_min_s"] == pytest.approx(0.010)
    assert info["floor_products_min_s"] == pytest.approx(0.010)


@pytest.mark.parametrize("gates", [False, True])
def test_ratio_beyond_bar_once_passes_after_remeasuring(gates):
    bench, measure = FakeBenchmark(), FakeMeasure(2.0, 1.4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no SpeedRatioWarning either
        t = check_ratio(bench, gates, measure, BAR, label="fake")
    assert t.ratio == pytest.approx(1.4)
    # The first measurement is pytest-benchmark's; the repeat gets a stand-in.
    assert measure.benchmarks[0] is bench and measure.benchmarks[1] is not bench
    assert bench.extra_info["attempts"] == 2 and bench.extra_info["bar_met"] is True
    assert bench.extra_info["attempt_ratios"] == pytest.approx([2.0, 1.4])
    assert bench.extra_info["ratio"] == pytest.approx(1.4)


def test_ratio_always_beyond_bar_fails_under_speed_gates():
    bench, measure = FakeBenchmark(), FakeMeasure(2.5, 1.9, 2.2)
    with pytest.raises(pytest.fail.Exception) as failure:
        check_ratio(bench, True, measure, BAR, label="fake fit")
    message = str(failure.value)
    assert len(measure.benchmarks) == ATTEMPTS == 3
    # The best attempt (1.9) is reported: ratio, both times and the bar.
    for part in ("test_fake_speed", "fake fit", "ratio 1.9 ", "19.0 ms", "10.0 ms",
                 "bar 1.5", "2.5, 1.9, 2.2"):
        assert part in message, (part, message)
    assert bench.extra_info["bar_met"] is False
    assert bench.extra_info["ratio"] == pytest.approx(1.9)


def test_ratio_always_beyond_bar_only_warns_by_default():
    bench, measure = FakeBenchmark(), FakeMeasure(2.5, 1.9, 2.2)
    with pytest.warns(SpeedRatioWarning, match=r"ratio 1\.9 > bar 1\.5") as record:
        t = check_ratio(bench, False, measure, BAR, label="fake fit")
    assert len(record) == 1 and "test_fake_speed" in str(record[0].message)
    assert len(measure.benchmarks) == ATTEMPTS
    assert t.ratio == pytest.approx(1.9)
    assert bench.extra_info["bar_met"] is False and bench.extra_info["attempts"] == 3


def test_attempts_must_be_positive():
    with pytest.raises(ValueError, match="attempts must be >= 1"):
        check_ratio(FakeBenchmark(), False, FakeMeasure(1.0), BAR, label="fake", attempts=0)


def test_interleaved_minima_runs_every_round_on_a_repeat():
    """A repeat's stand-in runs one round; `interleaved_minima` adds the rest, alternated."""
    calls = []
    bench = FakeBenchmark()

    def measure(b):
        return interleaved_minima(b, lambda: calls.append("m") or "fit",
                                  {"floor": lambda: calls.append("f")}, rounds=4,
                                  companions={"plain": lambda: calls.append("p")})

    t = check_ratio(bench, False, measure, bar=float("inf"), label="fake")
    assert t.rounds == 4 and t.result == "fit" and set(t.companions_s) == {"plain"}
    assert calls == ["f", "p", "m"] * 5  # warm-up, then four alternated rounds
    calls.clear()
    bench, stand_in_calls = FakeBenchmark(), []

    def always_slow(b):
        stand_in_calls.append(b)
        t = interleaved_minima(b, lambda: calls.append("m"), {"floor": lambda: None}, 4)
        return Timings(t.method_s + 1.0, t.floors_s, rounds=t.rounds)

    with pytest.warns(SpeedRatioWarning):
        check_ratio(bench, False, always_slow, bar=1.0, label="fake")
    assert bench.pedantic_calls == 1  # only the first measurement is pytest-benchmark's
    assert calls == ["m"] * 5 * ATTEMPTS


def test_speed_gates_reads_the_option():
    class Config:
        def __init__(self, value):
            self.value = value

        def getoption(self, name, default=None):
            assert name == "speed_gates"
            return self.value

    assert speed_gates(Config(True)) is True and speed_gates(Config(False)) is False
    assert speed_gates(True) is True and speed_gates(False) is False


SLOW_TEST = '''
from benchmarks.speed_timing import Timings, check_ratio


def measure(b):
    b.pedantic(lambda: None, rounds=1, iterations=1)
    return Timings(0.030, {"floor": 0.010}, rounds=1)


def test_always_slow(benchmark, pytestconfig):
    check_ratio(benchmark, pytestconfig, measure, 2.0, label="slow fit")
'''


@pytest.mark.parametrize("gates", [False, True])
def test_option_turns_the_warning_into_a_failure(pytester, gates):
    """The root conftest's ``--speed-gates`` in a real pytest run, on a fake benchmark."""
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    pytester.makepyfile(test_slow=SLOW_TEST)
    pytester.syspathinsert(ROOT)
    args = ["-p", "no:cacheprovider"] + (["--speed-gates"] if gates else [])
    result = pytester.runpytest_inprocess(*args)
    line = "*test_always_slow: slow fit 30.0 ms vs floor 10.0 ms*ratio 3 > bar 2*"
    if gates:
        result.assert_outcomes(failed=1)
    else:
        result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([line])
