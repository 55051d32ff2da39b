"""How a study writes an estimate and a paired difference in its findings and tables.

One format for every study (`reports.studies`): an Estimate dict (`metrics.statistics`) is
``value [low, high]``, a comparison dict (`metrics.noise_floor.compare`) is its signed
difference ``+value [+low, +high]``, optionally followed by the verdict.
"""

from __future__ import annotations


def format_estimate(e: dict | None, digits: int = 3) -> str:
    """``value [low, high]`` of an Estimate dict with ``digits`` decimals; "n/a" for None."""
    if e is None:
        return "n/a"
    return f"{e['value']:.{digits}f} [{e['low']:.{digits}f}, {e['high']:.{digits}f}]"


def format_difference(c: dict | None, digits: int = 3, verdict: bool = False) -> str:
    """``+value [+low, +high]`` of a comparison dict's difference with ``digits`` decimals,
    followed by `` (verdict)`` when ``verdict``; "n/a" for None."""
    if c is None:
        return "n/a"
    d = c["difference"]
    text = f"{d['value']:+.{digits}f} [{d['low']:+.{digits}f}, {d['high']:+.{digits}f}]"
    return f"{text} ({c['verdict']})" if verdict else text
