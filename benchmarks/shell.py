"""Commands the suite prints for a person to read and paste into a POSIX shell.

`shlex.join` quotes an argument holding a single quote as ``'a'"'"'b'``: correct, but
unreadable for a ``--method 'pkg:TorchSAE(module='pkg.sae:MySAE')'``. `readable_join` keeps
plain arguments bare, puts an argument in single quotes when it has none, in double quotes
when it holds single quotes but nothing a double-quoted string expands (``$``, backquote,
backslash, ``"``, ``!``), and falls back to `shlex.quote` otherwise: every result splits back
(``shlex.split``) into the same arguments.
"""

from __future__ import annotations

import shlex
from typing import Iterable

_EXPANDED_IN_DOUBLE_QUOTES = set('$`\\"!')


def readable_quote(arg: str) -> str:
    """One argument, quoted for a POSIX shell as a person would write it."""
    quoted = shlex.quote(arg)
    if quoted == arg or "'" not in arg or set(arg) & _EXPANDED_IN_DOUBLE_QUOTES:
        return quoted
    return f'"{arg}"'


def readable_join(argv: Iterable[str]) -> str:
    """``argv`` as one command line (`readable_quote` for each argument)."""
    return " ".join(readable_quote(str(a)) for a in argv)
