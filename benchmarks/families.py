"""What a family is: one record declaring its grid, scoring, checks, findings, guarded
scores and figures (one code path per family).

Each family lives in its own folder ``benchmarks/<name>/`` whose ``__init__`` defines
``FAMILY = Family(...)``; `benchmarks.registry` lists them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np

from benchmarks.check_result import NOT_PROVIDED, CheckResult, not_provided  # noqa: F401
from benchmarks.profiles import PROFILES, Profile
from benchmarks.seeding import SeedStreams
from benchmarks.spec import GeneratorSpec, MethodSpec
from generators.dataset import Dataset

# Which way a guarded score is better.
LOWER, HIGHER = "lower", "higher"
# A finding's key: (method, generator, check).
FindingKey = tuple[str, str, str]


@dataclass(frozen=True)
class Guarded:
    """A score the regression guard holds a cell to.

    Attributes
    ----------
    per_seed : callable
        Reads the score from one seed's result (a per-seed dict of the record).
    better : {"lower", "higher"}
        Which way is better.
    tol : float
        The smallest change that counts as one.
    needs : str
        A per-seed key that must be present on every seed for the score to exist
        (scores that only some generators have); empty: always present.
    """

    per_seed: Callable[[dict], float]
    better: str
    tol: float
    needs: str = ""


@dataclass(frozen=True)
class GeneratorKeyword:
    """A keyword argument a family passes to its generators on some calls, beyond the
    spec's own arguments, ``random_state`` and ``split`` (a user's factory receives it too).

    Attributes
    ----------
    when : str
        On which calls, and what value, in words (the contract page, docs/your-generator.md).
    required : bool
        Whether every generator of the family must take it; False: passed only to a
        generator that has a parameter of that name.
    """

    when: str
    required: bool = True


def imported_on_call(target: str) -> Callable:
    """The function ``target`` (``"package.module:function"``), imported at its first call.

    A family declares its figures this way so that matplotlib stays out of the processes
    that only run the grid; the path is written out in the family's record, never guessed.
    """
    module_name, _, attr = target.partition(":")

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module_name), attr)(*args, **kwargs)

    call.__name__ = attr
    call.__qualname__ = target
    return call


def _first_line(obj) -> str:
    doc = (getattr(obj, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


def needs_family_option(cls: type) -> bool:
    """The interface rule of a family whose methods cannot be told by their class: never.

    A user's method of such a family is run with ``--family <name>``.
    """
    return False


def stand_in(n_features: int) -> Dataset:
    """The training set a method is built from at the tiny scale (`Family.tiny_instance`),
    for a family whose builds read none: two rows of zeros of width ``n_features`` with two
    labels. A family whose builds read their training set declares its own ``tiny_train``.
    """
    return Dataset("tiny", X=np.zeros((2, n_features)), y=np.array([0, 1]))


# The width of the tiny scale's data when a test names none (the contract tests' default).
TINY_WIDTH = 5


def seed_key(name: str) -> Callable[[dict], float]:
    """A `Guarded.per_seed` reading the per-seed value stored under ``name``."""
    return lambda seed: seed[name]


@dataclass(frozen=True)
class MeasuredAt:
    """The scale a family's findings were measured at: a profile and its seeds.

    A built-in method's finding is enforced (a strict xfail; a seed-dependent one a
    non-strict xfail with its rate) only on a run at exactly this profile and these seeds.
    At any other scale it is reported, holding or not with its value, and enforced nowhere:
    a finding can flip with size (the curves findings do at n = 1000) or with the seed set.
    """

    profile: str = "quick"
    seeds: tuple[int, ...] = PROFILES["quick"].seeds

    def covers(self, profile) -> bool:
        """Whether ``profile`` (a `benchmarks.profiles.Profile`) is this scale."""
        return profile.name == self.profile and tuple(profile.seeds) == tuple(self.seeds)

    def text(self) -> str:
        """``"the quick profile at seeds 0-2"``."""
        s = self.seeds
        seeds = f"{s[0]}-{s[-1]}" if s == tuple(range(s[0], s[-1] + 1)) else \
            ", ".join(map(str, s))
        return f"the {self.profile} profile at seeds {seeds}"


@dataclass(frozen=True)
class Family:
    """How a family builds its grid, scores a seed, pools seeds, checks a cell, and what the
    guard, the findings tables and the report read from it.

    Attributes
    ----------
    name : str
    generators, methods : callable
        ``(profile) -> [GeneratorSpec]`` and ``(profile) -> [MethodSpec]``: the grid.
        ``methods`` is the one list of the family's built-in methods: the grid, the
        baseline, the references and every contract test (`tiny_instance`) read it.
    score_seed : callable
        ``(method, generator, streams, profile) -> dict``: raw numbers of one seed, every
        random draw from ``streams`` (`benchmarks.seeding.SeedStreams`); raises
        when the method misbehaves (the cell becomes an error cell).
    aggregate : callable
        ``(seed_results) -> metrics``: names to Estimate dicts.
    checks : mapping of str to callable
        ``name -> (metrics) -> CheckResult``, in the order they are reported.
    headline : tuple of str
        Metric names shown in the score table.
    findings, variable_findings : mapping
        Known weaknesses of the built-in methods, ``(method, generator, check) -> reason``:
        strict (fail on every seed set measured) and seed-dependent (a rate).
    findings_measured_at : MeasuredAt
        The profile and seeds the findings were measured at, the only scale where they are
        enforced.
    guarded : mapping of str to Guarded
        The scores the regression guard holds each cell to.
    figures : callable
        ``(records, out) -> [(caption, path)]``: the family's figures, drawn from records.
    references : tuple of (str, str)
        ``(method, role)``: the built-in methods shown beside a user's method as fixed
        references (an oracle, the identity, random atoms, a supervised ceiling);
        `benchmarks.references` adds the best built-in method per check.
    time_method : callable, optional
        ``(method, streams) -> {"size", "fit_s", "apply_s"}``: seconds of one fit and one
        application at the family's standard size (that of its speed benchmarks), for a
        user's method; reported, never asserted.
    title : str
        The family's name in the report's headings (``TITLE`` of
        ``benchmarks/<family>/about.py``).
    question : str
        What the family asks, in words (``benchmarks/<family>/about.py``): the report's
        opening of the family's section.
    generator_notes : mapping of str to str
        One sentence per generator, naming its ground truth; facts of the record's
        ``ground_truth`` may appear in braces (``{bayes_accuracy:.2f}``).
    metric_notes : mapping of str to str
        One line per headline metric.
    studies : tuple of str
        Import paths of the family's studies (`reports.studies`): descriptive measurements
        that are not grid cells, run by ``python -m reports`` and shown in its section.
    rounding_level : mapping of str to RoundingLevel or tuple of them
        Metrics, checks and per-seed fields whose value, at or below the bound, is float64
        rounding noise (its last bits are the processor's, `benchmarks.record_numbers`):
        numbers from two machines are equal there by the bound and the check's verdict,
        not by value.
    accepts_interface : callable
        ``(cls) -> bool``: whether a user's ``--method`` class has the family's interface
        (`benchmarks.user_methods.infer_family` asks every registered family); it may
        raise a ValueError saying how to port a class of an outdated interface. A family
        whose methods cannot be told by their class says so in its rule and never accepts
        (`needs_family_option`): its users pass ``--family``.
    tiny_train : callable
        ``(n_features) -> Dataset``: what a method's ``build`` reads at the tiny scale
        (`tiny_instance`); `stand_in` unless a build reads its training set (the erasure
        oracle reads the planted directions).
    dataset_fields : tuple of str
        The `Dataset` fields the family's scoring reads (``X``, ``y``, ``X_pos``,
        ``X_neg``): what a user's generator must return, and how its family is told from
        what it returns (`benchmarks.user_generators.infer_generator_family`).
    check_needs : mapping of str to tuple of str
        ``check -> ground-truth keys`` it reads: on a user's generator that lacks one, the
        check is not applicable, "because the generator provides no <key>" (`check`). A
        check not listed needs none.
    generator_keywords : mapping of str to GeneratorKeyword
        Keyword arguments the family's scoring passes to its generators on some calls (a
        larger ``n_samples`` for the split a method is fitted on), beyond the spec's own,
        ``random_state`` and ``split``.
    """

    name: str
    generators: Callable[[Profile], list[GeneratorSpec]]
    methods: Callable[[Profile], list[MethodSpec]]
    score_seed: Callable[[MethodSpec, GeneratorSpec, SeedStreams, Profile], dict]
    aggregate: Callable[[list[dict]], dict]
    checks: Mapping[str, Callable[[dict], CheckResult]]
    headline: tuple[str, ...]
    findings: Mapping[FindingKey, str] = field(default_factory=dict)
    variable_findings: Mapping[FindingKey, str] = field(default_factory=dict)
    findings_measured_at: MeasuredAt = MeasuredAt()
    guarded: Mapping[str, Guarded] = field(default_factory=dict)
    figures: Callable[[list[dict], Path], list[tuple[str, Path]]] = lambda records, out: []
    references: tuple[tuple[str, str], ...] = ()
    time_method: Callable[[MethodSpec, SeedStreams], dict] | None = None
    question: str = ""
    generator_notes: Mapping[str, str] = field(default_factory=dict)
    metric_notes: Mapping[str, str] = field(default_factory=dict)
    studies: tuple[str, ...] = ()
    rounding_level: Mapping[str, object] = field(default_factory=dict)
    title: str = ""
    accepts_interface: Callable[[type], bool] = needs_family_option
    tiny_train: Callable[[int], Dataset] = stand_in
    dataset_fields: tuple[str, ...] = ("X",)
    check_needs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    generator_keywords: Mapping[str, GeneratorKeyword] = field(default_factory=dict)

    @property
    def check_names(self) -> tuple[str, ...]:
        """Names of the family's checks, in order."""
        return tuple(self.checks)

    def describe(self) -> dict:
        """The family in words, as the results document carries it for the report.

        ``{"title", "question", "generators", "checks", "metrics", "figures", "studies"}``:
        the title of its section, the question, one sentence per generator
        (`generator_notes`), what each check asks (the first line of its docstring), one
        line per headline metric, the import path of the figures and of the family's studies.
        """
        return {
            "title": self.title or self.name,
            "question": self.question,
            "generators": dict(self.generator_notes),
            "checks": {name: _first_line(check) for name, check in self.checks.items()},
            "metrics": {m: self.metric_notes.get(m, "") for m in self.headline},
            "figures": getattr(self.figures, "__qualname__", ""),
            "studies": list(self.studies),
        }

    def tiny_instance(self, spec: MethodSpec, n_features: int = TINY_WIDTH):
        """A fresh instance of ``spec`` at the tiny scale, for data of width ``n_features``.

        What every contract test checks (tests/builtin_methods.py): the spec's own build (the
        grid's configuration) from the family's `tiny_train`, then the spec's ``tiny``
        hyperparameters (a few steps, a handful of atoms: a fit costs milliseconds) and
        ``random_state=0`` where the estimator has one (an int, as scikit-learn's checks
        expect), both through ``set_params``.
        """
        est = spec.build(self.tiny_train(n_features), np.random.SeedSequence(0))
        params = dict(spec.tiny)
        if "random_state" in est.get_params():
            params.setdefault("random_state", 0)
        return est.set_params(**params) if params else est

    def guarded_values(self, seed_result: dict) -> dict[str, float]:
        """The guarded scores of one seed's result, as the record stores them per seed.

        Read once, when the cell is scored (`benchmarks.cells.run_cell`); the regression
        guard reads them from the record and recomputes nothing. A score whose ``needs``
        key the seed lacks (a score only some generators have) is absent.
        """
        return {name: float(g.per_seed(seed_result)) for name, g in self.guarded.items()
                if not g.needs or g.needs in seed_result}

    def check(self, metrics: dict, provides: Iterable[str] | None = None) -> dict:
        """Every check of the family on a cell's aggregated metrics: name -> check dict.

        ``provides`` are the ground-truth keys of a user's generator (None: a built-in
        generator, which provides what the family reads); a check whose `check_needs` it
        lacks is not applicable (`not_provided`) and is not called.
        """
        have = None if provides is None else set(provides)
        out = {}
        for name, check in self.checks.items():
            missing = [k for k in self.check_needs.get(name, ())
                       if have is not None and k not in have]
            out[name] = (not_provided(name, missing) if missing else check(metrics)).to_dict()
        return out
