"""What a grid is made of: generator specs and method specs.

A *cell* is one (family, method, generator) under one profile (`benchmarks.profiles`); it
runs over the profile's seeds and yields one record of results.json. Random streams come
from `benchmarks.seeding`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from benchmarks.seeding import SeedStreams, sklearn_seed
from generators.dataset import Dataset


@dataclass(frozen=True)
class GeneratorSpec:
    """A named generator with the keyword arguments the profile gives it.

    ``provides`` is the set of ``ground_truth`` keys of a user's generator (``--generator``,
    `benchmarks.user_generators`), read from the one call made when the grid is built;
    None for a built-in generator, which provides what its family reads. ``builtin`` is
    False for a user's generator, and ``description`` says in words what it is (the
    report's sentence where the family has none for it).
    """

    name: str
    family: str
    make: Callable[..., Dataset]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    provides: frozenset[str] | None = None
    builtin: bool = True
    description: str = ""

    def lacks(self, keys: Iterable[str]) -> tuple[str, ...]:
        """Those of the ground-truth ``keys`` this generator does not provide (none for a
        built-in generator)."""
        if self.provides is None:
            return ()
        return tuple(k for k in keys if k not in self.provides)

    def dataset(self, streams: SeedStreams, split: int, **overrides) -> Dataset:
        """Split ``split`` of this generator's dataset at the seed of ``streams``.

        ``overrides`` replace keyword arguments for this split only (e.g. a larger
        ``n_samples`` for the split a method is fitted on); the structure is unchanged.
        """
        kwargs = {**self.kwargs, **overrides}
        return self.make(**kwargs, random_state=streams.data, split=split)


@dataclass(frozen=True)
class MethodSpec:
    """A named method and how to build a fresh, unfitted instance of it.

    ``build(train, seed)`` receives the training `Dataset` (only the oracle reads its ground
    truth) and the method's own `SeedSequence`; it returns the estimator. ``findings`` are
    a user method's declared known failures, ``(generator, check) -> reason``
    (`benchmarks.declared_findings`); a built-in method's are in its family's table.
    ``tiny`` are the hyperparameters the contract tests set (``set_params``) on a built
    instance, budgets of a few steps and a handful of atoms so that a fit costs
    milliseconds (`benchmarks.families.Family.tiny_instance`); the grid never reads them.
    ``needs`` are the ground-truth keys ``build`` reads (the erasure oracle reads the planted
    directions): on a user's generator that lacks one, the method is not run.
    """

    name: str
    family: str
    build: Callable[[Dataset, np.random.SeedSequence], Any]
    builtin: bool = True
    description: str = ""
    findings: Mapping[tuple[str, str], str] = field(default_factory=dict)
    tiny: Mapping[str, Any] = field(default_factory=dict)
    needs: tuple[str, ...] = ()


def seeded(cls: type, **kwargs) -> Callable[[Dataset, np.random.SeedSequence], Any]:
    """A `MethodSpec` build for a built-in estimator: ``cls(**kwargs, random_state=r)``.

    ``r`` is a 32-bit int drawn from the fit's method stream (`sklearn_seed`), the form
    every scikit-learn estimator accepts; the training data are not read.
    """
    def build(train: Dataset, seed: np.random.SeedSequence):
        return cls(**kwargs, random_state=sklearn_seed(seed))

    return build

