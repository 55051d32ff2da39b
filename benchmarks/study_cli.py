"""What every study shares: its profile lookup and its command line.

A study (`reports.studies`) runs with the report; alone, its module's ``__main__`` calls
`study_main` (``python -m <study module> --out DIR [...]``), which runs it at a profile,
writes its document as JSON and its figures into ``--out``, and prints its findings and its
time. `study_profile` reads a named profile, or takes a profile dict as it is (tests pass
small ones).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from types import ModuleType


def study_main(module: ModuleType, profiles, json_name: str, argv=None) -> int:
    """Run ``module`` (a study) from the command line; returns the exit status.

    Parameters
    ----------
    module : module
        The study: ``run(profile, seeds=..., jobs=...)``, ``figures(doc, out)`` or
        ``draw(doc)`` (`study_figures`) and ``findings(doc)``.
    profiles : iterable of str
        The profiles it accepts (``--profile``).
    json_name : str
        File name of its document in ``--out``.
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    parser = argparse.ArgumentParser(prog=f"python -m {module.__name__}",
                                     description=(module.__doc__ or "").splitlines()[0])
    parser.add_argument("--profile", default="quick", choices=sorted(profiles))
    parser.add_argument("--out", required=True, help=f"folder for {json_name} and its PNGs")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seeds", type=int, nargs="*", default=None)
    # A study's own options (``CLI_OPTIONS``: flag -> argparse keywords), passed to its run
    # by their destination names.
    extra = getattr(module, "CLI_OPTIONS", {})
    for flag, kwargs in extra.items():
        parser.add_argument(flag, **kwargs)
    args = parser.parse_args(argv)
    own = {flag.lstrip("-").replace("-", "_") for flag in extra}
    doc = module.run(args.profile, seeds=args.seeds, jobs=args.jobs,
                     **{name: getattr(args, name) for name in own})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    doc["figures"] = [(caption, str(path)) for caption, path in study_figures(module, doc, out)]
    (out / json_name).write_text(json.dumps(doc, indent=1))
    for caption, path in doc["figures"]:
        print(f"{path}: {caption}")
    for term, sentence, note in module.findings(doc):
        print(f"{term}: {sentence}" + (f" ({note})" if note else ""))
    wall = doc.get("wall_s", doc.get("wall_time_s"))
    cpu = doc.get("cpu_s")
    print("wall " + ("?" if wall is None else f"{wall:.1f} s")
          + ("" if cpu is None else f", cpu {cpu:.1f} s")
          + f", jobs {args.jobs}", file=sys.stderr)
    return 0


def study_figures(module: ModuleType, doc: dict, out) -> list[tuple[str, str]]:
    """A study's figures written to ``out``: ``[(caption, png path)]``.

    Its own ``figures(doc, out)`` where it has one; else its ``draw(doc)`` (which yields
    ``(caption, file name, Figure)``, see `benchmarks.figure_labels`) saved by
    `benchmarks.figure_labels.save_figures`.
    """
    own = getattr(module, "figures", None)
    if own is not None:
        return own(doc, out)
    from benchmarks.figure_labels import save_figures

    return [(caption, str(path)) for caption, path in save_figures(module.draw(doc), out)]


# Modules the study workers' fork server imports once (`study_context`).
WORKER_PRELOAD = ("numpy", "scipy.stats", "sklearn.linear_model", "sklearn.neural_network",
                  "benchmarks.sparse", "benchmarks.erasure", "benchmarks.truth",
                  "benchmarks.weights", "benchmarks.curves")


def study_context():
    """The multiprocessing context of every study's worker pool: a fork server.

    A spawned worker imports the suite anew, about 3 CPU s a worker and more than many a
    study's own work; a fork server imports `WORKER_PRELOAD` once per run of the report and
    forks each worker of every later pool from that clean, single-threaded process (no BLAS
    or torch threads to inherit, unlike a fork of the main process). What a worker computes
    is unchanged: each task seeds from its own arguments.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(WORKER_PRELOAD))
    return ctx


def run_tasks(fn, tasks: list[tuple], jobs: int) -> tuple[list, float]:
    """``fn(*task)`` for every task (in order), where ``fn`` returns ``(result, its process
    time)``: in ``jobs`` worker processes of `study_context` when ``jobs > 1`` and there is
    more than one task, else here. Returns the results and the workers' summed process time
    (0 when run here: the caller's own clock has it)."""
    from concurrent.futures import ProcessPoolExecutor

    from floor.validation import check_int

    check_int(jobs, "jobs")
    if jobs == 1 or len(tasks) == 1:
        return [fn(*t)[0] for t in tasks], 0.0
    with ProcessPoolExecutor(min(jobs, len(tasks)), mp_context=study_context()) as pool:
        pairs = [f.result() for f in [pool.submit(fn, *t) for t in tasks]]
    return [p[0] for p in pairs], float(sum(p[1] for p in pairs))


def study_seeds(seeds, default) -> list[int]:
    """The seeds of a study's run: ``seeds`` (or ``default`` when None) as a non-empty list
    of ints >= 0; a clear error naming ``seeds`` otherwise."""
    from floor.validation import check_int

    chosen = default if seeds is None else seeds
    if isinstance(chosen, (str, bytes)) or not hasattr(chosen, "__iter__"):
        raise ValueError(f"seeds must be a non-empty list of ints >= 0, got {seeds!r}")
    seed_list = [check_int(s, "seeds", minimum=0) for s in chosen]
    if not seed_list:
        raise ValueError(f"seeds must be a non-empty list of ints >= 0, got {seeds!r}")
    return seed_list


def study_profile(profile, profiles: dict) -> dict:
    """``profiles[profile]`` for a name, ``profile`` itself for a dict; a clear error else."""
    if isinstance(profile, dict):
        return profile
    if profile not in profiles:
        raise ValueError(f"profile must be one of {sorted(profiles)} or a profile dict, "
                         f"got {profile!r}")
    return profiles[profile]
