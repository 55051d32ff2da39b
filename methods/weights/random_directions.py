"""Random read/write pairs: the chance level of every overlap."""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, check_random_state
from methods.weights._base import BaseWeightDirections


class RandomDirections(BaseWeightDirections):
    """``min(d_out, d_in)`` independent uniformly random unit read and write directions,
    ignoring ``W`` (only its shape is read), all claimed unless ``n_directions`` says fewer.

    A planted unit vector's ``|cos|`` to a random one in ``R^d`` is about ``sqrt(2 / (pi
    d))``: the floor any method must beat.

    Parameters
    ----------
    n_directions : int or None, default=None
        Pairs claimed; None: all of them.
    random_state : None, int, SeedSequence or Generator, default=None

    Attributes
    ----------
    components_ : ndarray of shape (min(d_out, d_in), d_in)
    write_directions_ : ndarray of shape (min(d_out, d_in), d_out)
    strengths_ : ndarray of shape (min(d_out, d_in),)
        All 1: no ranking.
    n_directions_ : int
    n_features_in_ : int
    """

    def __init__(self, n_directions=None, random_state=None):
        self.n_directions = n_directions
        self.random_state = random_state

    def _directions(self, W):
        d_out, d_in = W.shape
        r = min(d_out, d_in)
        k = r if self.n_directions is None else min(check_int(self.n_directions,
                                                              "n_directions", 0), r)
        rng = check_random_state(self.random_state)
        write = rng.standard_normal((r, d_out))
        read = rng.standard_normal((r, d_in))
        write /= np.linalg.norm(write, axis=1, keepdims=True)
        read /= np.linalg.norm(read, axis=1, keepdims=True)
        return write, read, np.ones(r), k
