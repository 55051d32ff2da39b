"""The grid's random streams: one root, one child stream per (generator, seed, component).

Every random number of the grid is drawn from a stream of this module: the data of a
generator at a grid seed, each fit of a method, each probe, the random band. A stream
depends on the generator, the seed and the component, never on the method, so every
method sees the same data, and a method's stream is distinct from the data's and the
probes'.
"""

from __future__ import annotations

import zlib

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


def sklearn_seed(seed: np.random.SeedSequence) -> int:
    """A 32-bit int drawn from ``seed``, for estimators that only accept an int."""
    return int(seed.generate_state(1)[0])
