"""Generators from outside, as a user writes them (`--generator 'tests.generator_factories:...'`).

Each wraps a built-in generator at tiny sizes and can drop ground-truth keys
(``drop=('concept_directions',)``), to test what a family does with a generator that does
not provide them (tests/test_user_generators.py). Called as the grid calls every generator:
``factory(**fixed arguments, random_state=<SeedSequence>, split=<int>)`` plus the keywords
the family passes on some splits (``n_samples``: erasure's fit splits, sparse's held-out one).
"""

from __future__ import annotations

import dataclasses

from generators.dataset import Dataset
from generators.onehot_facts import make_onehot_facts
from generators.planted_sparse import make_planted_sparse
from generators.planted_weights import make_planted_weights
from generators.score_distributions import make_score_distribution
from generators.single_truth import make_single_truth
from generators.two_class_gaussian import make_two_class_gaussian
from generators.uniform_cube import make_uniform_cube


def _without(data: Dataset, drop: tuple[str, ...]) -> Dataset:
    """``data`` with the ground-truth keys ``drop`` left out (an error for a key it lacks,
    so that a test cannot drop nothing by a typo)."""
    unknown = set(drop) - set(data.ground_truth)
    if unknown:
        raise KeyError(f"no such ground-truth keys: {sorted(unknown)}")
    truth = {k: v for k, v in data.ground_truth.items() if k not in drop}
    return dataclasses.replace(data, ground_truth=truth)


def two_class(n_samples: int = 300, n_features: int = 4, drop: tuple[str, ...] = (),
              random_state=None, split: int = 0) -> Dataset:
    """Erasure: the two-class Gaussian with a planted concept direction, tiny."""
    data = make_two_class_gaussian(n_samples=n_samples, n_features=n_features,
                                   random_state=random_state, split=split)
    return _without(data, drop)


def planted(n_samples: int = 256, n_features: int = 8, n_atoms: int = 16,
            drop: tuple[str, ...] = (), random_state=None, split: int = 0) -> Dataset:
    """Sparse: planted sparse features, tiny."""
    data = make_planted_sparse(n_samples=n_samples, n_features=n_features, n_atoms=n_atoms,
                               random_state=random_state, split=split)
    return _without(data, drop)


def cube(n_samples: int = 256, n_features: int = 4, drop: tuple[str, ...] = (),
         random_state=None, split: int = 0) -> Dataset:
    """Sparse: uniform points in the unit cube (no sparse features), tiny."""
    data = make_uniform_cube(n_samples=n_samples, n_features=n_features,
                             random_state=random_state, split=split)
    return _without(data, drop)


def onehot(n_pairs: int = 64, n_facts: int = 8, facts: str = "all",
           drop: tuple[str, ...] = (), random_state=None, split: int = 0) -> Dataset:
    """Truth: +-one-hot facts, tiny; takes ``facts`` (the family's disjoint-facts splits)."""
    data = make_onehot_facts(n_pairs=n_pairs, n_facts=n_facts, noise=0.03, facts=facts,
                             random_state=random_state, split=split)
    return _without(data, drop)


def single_truth(n_pairs: int = 64, n_features: int = 8, drop: tuple[str, ...] = (),
                 random_state=None, split: int = 0) -> Dataset:
    """Truth: one true direction in contrast pairs, tiny."""
    data = make_single_truth(n_pairs=n_pairs, n_features=n_features, noise=0.3,
                             random_state=random_state, split=split)
    return _without(data, drop)


def spikes(drop: tuple[str, ...] = (), random_state=None, split: int = 0) -> Dataset:
    """Weights: a 16 x 12 matrix with two planted pairs above the BBP threshold."""
    data = make_planted_weights(d_out=16, d_in=12, strength_ratios=(3.0, 4.0),
                                random_state=random_state, split=split)
    return _without(data, drop)


def law(name: str = "exponential", drop: tuple[str, ...] = (), random_state=None,
        split: int = 0) -> Dataset:
    """Curves: 20 samples of 50 points of one law."""
    data = make_score_distribution(law=name, n_samples=50, n_draws=20,
                                   random_state=random_state, split=split)
    return _without(data, drop)


def fixed_size(random_state=None, split: int = 0) -> Dataset:
    """Erasure data from a factory that takes no n_samples (the family passes one)."""
    return make_two_class_gaussian(n_samples=100, n_features=4, random_state=random_state,
                                   split=split)


def returns_tuple(random_state=None, split: int = 0):
    """Not a Dataset: the arrays alone."""
    data = make_two_class_gaussian(n_samples=50, n_features=4, random_state=random_state)
    return data.X, data.y


def raises(random_state=None, split: int = 0):
    """A factory that fails."""
    raise RuntimeError("no data today")


NOT_CALLABLE = 3
