"""What a grid is made of: profiles, generator specs, method specs, families.

A *cell* is one (family, method, generator) under one profile; it runs over the
profile's seeds and yields one record of results.json.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from generators.dataset import Dataset
from generators.seeding import child_seed

# Root of every random stream the grid uses. Changing it changes every number.
ROOT_ENTROPY = 20261124

# Child indices of a (generator, seed) stream: one per random component.
DATA, METHOD, PROBE, SPLIT = 0, 1, 2, 3


@dataclass(frozen=True)
class Profile:
    """A grid scale: ``quick`` for CI, ``full`` for papers. Same code, other sizes."""

    name: str
    n_seeds: int
    first_seed: int = 0

    @property
    def seeds(self) -> tuple[int, ...]:
        """The grid seeds ``first_seed, ..., first_seed + n_seeds - 1``."""
        return tuple(range(self.first_seed, self.first_seed + self.n_seeds))


@dataclass(frozen=True)
class GeneratorSpec:
    """A named generator with the keyword arguments the profile gives it."""

    name: str
    family: str
    make: Callable[..., Dataset]
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def dataset(self, seed: int, split: int, **overrides) -> Dataset:
        """Split ``split`` of this generator's dataset for grid seed ``seed``.

        ``overrides`` replace keyword arguments for this split only (e.g. a larger
        ``n_samples`` for the split a method is fitted on); the structure is unchanged.
        """
        kwargs = {**self.kwargs, **overrides}
        return self.make(**kwargs, random_state=data_seed(self.name, seed), split=split)


@dataclass(frozen=True)
class MethodSpec:
    """A named method and how to build a fresh, unfitted instance of it.

    ``build(train, seed)`` receives the training `Dataset` (only the oracle reads its ground
    truth) and the method's own `SeedSequence`; it returns the estimator.
    """

    name: str
    family: str
    build: Callable[[Dataset, np.random.SeedSequence], Any]
    builtin: bool = True
    description: str = ""


def _axis_key(name: str) -> int:
    return zlib.crc32(name.encode())


def cell_seed(generator: str, seed: int, component: int, *path: int) -> np.random.SeedSequence:
    """The stream of one random ``component`` (DATA, METHOD, PROBE) for a generator and seed.

    It depends on the generator and the seed, never on the method: every method sees the
    same data, and a method's stream is distinct from the data's and the probes'.
    """
    root = np.random.SeedSequence(ROOT_ENTROPY)
    return child_seed(root, _axis_key(generator), int(seed), component, *path)


def data_seed(generator: str, seed: int) -> np.random.SeedSequence:
    """The dataset seed of a generator at a grid seed (its splits are children of it)."""
    return cell_seed(generator, seed, DATA)


def sklearn_seed(seed: np.random.SeedSequence) -> int:
    """A 32-bit int drawn from ``seed``, for estimators that only accept an int."""
    return int(seed.generate_state(1)[0])
