"""A user's declared findings: known failures of their own method, as strict xfails.

``--expect-fail 'check@generator=reason'`` (repeatable), or ``--expect-fail FILE`` with
one such line per line (blank lines and ``#`` comments ignored), declares that ``check``
fails for the run's ``--method`` on ``generator``, as a built-in method's entry in
``benchmarks/<family>/findings.py`` does: the check's test becomes a strict xfail (it
fails, and says so, the day the weakness disappears), the report lists it among the
user's declared findings, and the record carries it in ``expected_findings``. ``*`` as the
generator declares the check on every generator of the family. A declaration applies to
every ``--method`` of the run whose family has that check.

A borderline failure that depends on the seeds (0.897 against a bar of 0.9) is declared
seed-dependent with ``~=``: ``'check@generator~=reason'``. It becomes a non-strict xfail
(it may pass, it may fail, never an error), as a built-in method's entry in
``VARIABLE_FINDINGS``: the record carries it in ``variable_findings`` and the report shows
it as seed-dependent, with this run's outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

# (generator, check) -> reason; generator "*" means every generator of the family.
Declared = dict[tuple[str, str], str]
EVERY_GENERATOR = "*"
# How a seed-dependent declaration's reason starts once parsed (``check@gen~=reason``).
SEED_DEPENDENT = "seed-dependent: "


def parse_declaration(text: str, where: str = "--expect-fail") -> tuple[tuple[str, str], str]:
    """``'check@generator=reason'`` -> ``((generator, check), reason)``; with ``~=`` the
    reason starts with `SEED_DEPENDENT`.

    The generator may be a user's (``--generator``) with its arguments,
    ``'check@pkg.mod:make(n=5)=reason'``: the ``=`` that ends it is the first one outside
    brackets and quotes.
    """
    head, eq, reason = _split_at_reason(text)
    variable = head.endswith("~")
    check, at, generator = head.rstrip("~").strip().partition("@")
    if not (eq and at and check.strip() and generator.strip() and reason.strip()):
        raise ValueError(f"{where}: expected 'check@generator=reason' (or '~=' for a "
                         f"seed-dependent failure), got {text!r}")
    return (generator.strip(), check.strip()), (SEED_DEPENDENT if variable else "") + \
        reason.strip()


def _split_at_reason(text: str) -> tuple[str, str, str]:
    """``text`` split at its first ``=`` outside brackets and quotes, as ``str.partition``."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth <= 0:
            return text[:i], "=", text[i + 1:]
    return text, "", ""


def split_declared(findings: Mapping[tuple[str, str], str]) -> tuple[dict, dict]:
    """A method's declared findings as ``(strict, seed_dependent)``."""
    strict = {k: r for k, r in findings.items() if not r.startswith(SEED_DEPENDENT)}
    variable = {k: r for k, r in findings.items() if r.startswith(SEED_DEPENDENT)}
    return strict, variable


def parse_expect_fail(values: Iterable[str]) -> Declared:
    """Every declaration of ``values`` (each a declaration or a file of them)."""
    declared: Declared = {}
    for value in values:
        path = Path(value)
        if "=" not in value and path.is_file():
            lines = [(f"{path}:{i}", line.strip()) for i, line in
                     enumerate(path.read_text().splitlines(), start=1)]
            entries = [(w, t) for w, t in lines if t and not t.startswith("#")]
        elif "=" not in value:
            raise ValueError(f"--expect-fail {value!r}: neither 'check@generator=reason' nor "
                             "an existing file of such lines")
        else:
            entries = [("--expect-fail", value)]
        for where, text in entries:
            key, reason = parse_declaration(text, where)
            declared[key] = reason
    return declared


def declared_for(declared: Mapping[tuple[str, str], str], checks: Iterable[str],
                 generators: Iterable[str]) -> Declared:
    """The declarations that apply to a family with ``checks`` and ``generators``,
    ``*`` expanded to every generator."""
    checks, generators = set(checks), list(generators)
    out: Declared = {}
    for (generator, check), reason in declared.items():
        if check not in checks:
            continue
        for g in generators if generator == EVERY_GENERATOR else [generator]:
            if g in generators:
                out[(g, check)] = reason
    return out


def check_declarations(declared: Mapping[tuple[str, str], str],
                       families: Mapping[str, tuple[Iterable[str], Iterable[str]]]) -> None:
    """Refuse a declaration that names no check or generator of the run's families.

    ``families`` maps each family of the run's methods to ``(checks, generators)``. A typo
    in a declaration would otherwise silently declare nothing.
    """
    for (generator, check), _ in declared.items():
        ok = any(check in set(checks) and (generator == EVERY_GENERATOR
                                           or generator in set(gens))
                 for checks, gens in families.values())
        if not ok:
            known = {name: (sorted(set(c)), sorted(set(g)))
                     for name, (c, g) in families.items()}
            raise ValueError(f"--expect-fail {check}@{generator}: no such check on such a "
                             f"generator for the run's methods; known (checks, generators) "
                             f"per family: {known}")
