"""Where a results document came from: the command, the suite's git commit, seeds, workers.

The report prints this at its bottom, so that a number in it can be traced to the code and
the command that produced it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# The suite's checkout (the folder holding benchmarks/).
SUITE_ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(SUITE_ROOT), *args], capture_output=True,
                             text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def git_state() -> dict:
    """``{"commit", "dirty"}`` of the suite's checkout; both None outside a git checkout.

    ``dirty`` lists nothing, only says whether tracked files differ from the commit (the
    numbers may then come from code no commit holds).
    """
    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def provenance(command: str, seeds: list[int], *, jobs: int | None = None,
               wall_s: float | None = None) -> dict:
    """What the report's provenance section prints about a run.

    Parameters
    ----------
    command : str
        The command line as typed (``python -m reports --out OUT ...``).
    seeds : list of int
        The grid seeds of every cell.
    jobs : int, optional
        Local worker processes (None: a Dask scheduler or a pytest session).
    wall_s : float, optional
        Wall-clock seconds of the whole grid.

    Returns
    -------
    dict
        ``{"command", "git_commit", "git_dirty", "seeds", "jobs", "wall_s",
        "python_executable"}``.
    """
    git = git_state()
    return {"command": command, "git_commit": git["commit"], "git_dirty": git["dirty"],
            "seeds": [int(s) for s in seeds], "jobs": jobs,
            "wall_s": None if wall_s is None else float(wall_s),
            "python_executable": sys.executable}
