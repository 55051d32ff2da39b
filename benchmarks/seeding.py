"""The grid's random streams: one root, one child stream per (generator, seed, component).

Every random number of the grid is drawn from a stream of this module: the data of a
generator at a grid seed, each fit of a method, each probe, the random band. A stream
depends on the generator, the seed and the component, never on the method, so every
method sees the same data, and a method's stream is distinct from the data's and the
probes'.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from generators.seeding import child_seed

# Root of every random stream the grid uses. Changing it changes every number.
ROOT_ENTROPY = 20261124

# Child indices of a (generator, seed) stream: one per random component.
DATA, METHOD, PROBE, SPLIT = 0, 1, 2, 3


def _axis_key(name: str) -> int:
    return zlib.crc32(name.encode())


def cell_seed(generator: str, seed: int, component: int, *path: int) -> np.random.SeedSequence:
    """The stream of one random ``component`` (DATA, METHOD, PROBE) for a generator and seed.

    Parameters
    ----------
    generator : str
        Name of the generator (the stream does not depend on the method).
    seed : int
        Grid seed.
    component : int
        `DATA`, `METHOD`, `PROBE` or `SPLIT`.
    *path : int
        Further child indices (e.g. which fit of the method).

    Returns
    -------
    numpy.random.SeedSequence
    """
    root = np.random.SeedSequence(ROOT_ENTROPY)
    return child_seed(root, _axis_key(generator), int(seed), component, *path)


def data_seed(generator: str, seed: int) -> np.random.SeedSequence:
    """The dataset seed of a generator at a grid seed (its splits are children of it)."""
    return cell_seed(generator, seed, DATA)


@dataclass(frozen=True)
class SeedStreams:
    """Every random stream of one seed of one cell, in one place.

    Created once, at the start of a seed's scoring (`benchmarks.cells.run_cell`), and
    handed down to everything that draws: ``data`` seeds every split of the generator
    (`benchmarks.spec.GeneratorSpec.dataset`), ``method(i)`` the ``i``-th fit of the method,
    ``probe(i)`` the ``i``-th probe or random band. All are children of
    ``cell_seed(generator, seed, component, i)``, so they depend on the generator and the
    seed, never on the method.
    """

    generator: str
    seed: int

    @property
    def data(self) -> np.random.SeedSequence:
        """The dataset stream (its splits are children of it)."""
        return data_seed(self.generator, self.seed)

    def method(self, index: int) -> np.random.SeedSequence:
        """The stream of the method's fit number ``index``."""
        return cell_seed(self.generator, self.seed, METHOD, index)

    def probe(self, index: int) -> np.random.SeedSequence:
        """The stream of probe (or random band) number ``index``."""
        return cell_seed(self.generator, self.seed, PROBE, index)


def sklearn_seed(seed: np.random.SeedSequence) -> int:
    """A 32-bit int drawn from ``seed``, for estimators that only accept an int."""
    return int(seed.generate_state(1)[0])
