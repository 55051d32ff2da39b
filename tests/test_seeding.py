"""Tests for generators.seeding: pure, distinct, addressable random streams."""

import numpy as np
import pytest

from generators.seeding import (
    as_seed_sequence,
    child_seed,
    rng_at,
    split_rng,
    structure_rng,
)


def state(seq):
    return tuple(seq.generate_state(4))


def test_child_seed_is_pure():
    parent = np.random.SeedSequence(123)
    first, second = child_seed(parent, 2, 0), child_seed(parent, 2, 0)
    assert state(first) == state(second)
    assert parent.n_children_spawned == 0
    a = rng_at(parent, 1).standard_normal(5)
    assert np.array_equal(a, rng_at(parent, 1).standard_normal(5))


def test_child_seed_equals_spawn_on_fresh_parent():
    expected = np.random.SeedSequence(123).spawn(3)[2].spawn(1)[0]
    assert state(child_seed(123, 2, 0)) == state(expected)


def test_distinct_paths_give_distinct_streams():
    paths = [(), (0,), (1,), (0, 0), (0, 1), (1, 0), (2, 0, 0)]
    states = {state(child_seed(7, *p)) for p in paths}
    assert len(states) == len(paths)
    assert state(child_seed(7, 0)) != state(child_seed(8, 0))


def test_structure_and_split_streams_differ():
    draws = [structure_rng(5).random(), split_rng(5, 0).random(), split_rng(5, 1).random()]
    assert len(set(draws)) == 3
    with pytest.raises(ValueError, match="split must be a non-negative int"):
        split_rng(5, -1)


def test_as_seed_sequence_accepts_int_and_sequence():
    seq = np.random.SeedSequence(4)
    assert as_seed_sequence(seq) is seq
    assert state(as_seed_sequence(4)) == state(seq)
    assert state(as_seed_sequence(np.int64(4))) == state(seq)


@pytest.mark.parametrize("bad, error, match", [
    (-1, ValueError, "non-negative"),
    (True, TypeError, "got bool"),
    (1.5, TypeError, "got float"),
    (2.0, TypeError, "got float"),
    ("3", TypeError, "got str"),
])
def test_as_seed_sequence_rejects_bad_seeds(bad, error, match):
    with pytest.raises(error, match=match):
        as_seed_sequence(bad)
