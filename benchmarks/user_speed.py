"""The speed of a user's method at its family's standard size: measured and reported.

A ``--method`` run does not run the built-in speed benchmarks (their bars are about the
built-in methods, and a busy machine can fail them). It times the user's method twice at
the size of its family's speed benchmarks (`benchmarks.families.Family.time_method`) with
one BLAS thread, and shows the seconds in the terminal summary and in results.json
(``"speed"``). Nothing is asserted: how fast the machine is, is not the method's finding.

Why twice: the first fit in a process carries one-time costs that are not the method's
(measured for the example torch SAE at the sparse standard size: 5.0 s first, 3.2 s again,
in two fresh processes; torch's first-call initialisation). The second fit is reported as
``fit_s``, the first as ``first_fit_s``; both are wall-clock seconds on a machine that may be
busy, so they compare methods within one run, not runs on different days.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits

from benchmarks.cells import error_message
from benchmarks.registry import get_family
from benchmarks.seeding import SeedStreams
from benchmarks.spec import MethodSpec

# The stream the timing data and the method's seed come from (not a grid seed).
SPEED_STREAM = "standard_speed"


def measure_speed(method: MethodSpec) -> dict:
    """``{"family", "method", "status", "size", "fit_s", "apply_s", "first_fit_s"}`` for
    ``method``: the second of two timings, and the first fit's seconds.

    A method that raises gives ``status: "error"`` and the message, not an exception: the
    grid cells report the failure as a finding already.
    """
    family = get_family(method.family)
    row = {"family": family.name, "method": method.name}
    if family.time_method is None:
        return {**row, "status": "error", "error": f"family {family.name} has no timing"}
    try:
        with threadpool_limits(limits=1):
            first = family.time_method(method, SeedStreams(SPEED_STREAM, 0))
            timing = family.time_method(method, SeedStreams(SPEED_STREAM, 0))
    except Exception as exc:  # noqa: BLE001 - any failure of the method
        return {**row, "status": "error", "error": error_message(exc)}
    return {**row, "status": "ok", **timing, "first_fit_s": first["fit_s"]}


def format_speed(rows: list[dict]) -> str:
    """One line per method: its size and seconds (or its error)."""
    lines = []
    for r in rows:
        if r["status"] == "ok":
            first = (f" (first call {r['first_fit_s']:.3f} s)" if "first_fit_s" in r
                     else "")
            lines.append(f"{r['family']} {r['method']}: fit {r['fit_s']:.3f} s{first}, apply "
                         f"{r['apply_s']:.3f} s ({r['size']}, one BLAS thread)")
        else:
            lines.append(f"{r['family']} {r['method']}: {r['error']}")
    return "\n".join(lines)
