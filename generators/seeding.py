"""Pure, explicit random streams built on `numpy.random.SeedSequence`.

Every random component of the suite (a dataset's structure, each of its splits, a
method, a probe) draws from its own child of a root `SeedSequence`. Children are
addressed by a path of integers, so the same path always gives the same stream and two
different paths never share bits. Unlike ``SeedSequence.spawn``, `child_seed` does not
mutate its argument, which keeps generators pure functions of their arguments.
"""

from __future__ import annotations

from typing import Union

import numpy as np

SeedLike = Union[int, np.random.SeedSequence]

# Fixed child indices of a dataset's seed: where its structure and its samples come from.
STRUCTURE = 0
SAMPLES = 1


def as_seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Return ``seed`` as a `SeedSequence` (an int becomes ``SeedSequence(seed)``)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"random_state must be a non-negative int, got {seed}")
        return np.random.SeedSequence(int(seed))
    raise TypeError(
        f"random_state must be an int or a numpy.random.SeedSequence, got {type(seed).__name__}"
    )


def child_seed(seed: SeedLike, *path: int) -> np.random.SeedSequence:
    """The descendant of ``seed`` at ``path``, without mutating ``seed``.

    ``child_seed(s, 2, 0)`` equals ``s.spawn(3)[2].spawn(1)[0]`` for a fresh ``s``.
    """
    root = as_seed_sequence(seed)
    return np.random.SeedSequence(
        entropy=root.entropy,
        spawn_key=tuple(root.spawn_key) + tuple(int(p) for p in path),
        pool_size=root.pool_size,
    )


def rng_at(seed: SeedLike, *path: int) -> np.random.Generator:
    """A `numpy.random.Generator` drawing from ``child_seed(seed, *path)``."""
    return np.random.default_rng(child_seed(seed, *path))


def structure_rng(random_state: SeedLike) -> np.random.Generator:
    """Stream for what a dataset *is* (planted directions, centres): shared by its splits."""
    return rng_at(random_state, STRUCTURE)


def split_rng(random_state: SeedLike, split: int) -> np.random.Generator:
    """Stream for the samples of split number ``split`` (0 = train, 1, 2, ... held out)."""
    if isinstance(split, (bool, np.bool_)) or not isinstance(split, (int, np.integer)):
        raise TypeError(
            f"split must be a non-negative int, got {type(split).__name__} {split!r}"
        )
    if split < 0:
        raise ValueError(f"split must be a non-negative int, got {split}")
    return rng_at(random_state, SAMPLES, int(split))
