"""Fitting a dictionary learner on a stream of fresh batches, whether or not it can stream.

The published SAE benchmark (SynthSAEBench-16k) trains on 200M fresh samples of d = 768:
600 GB as float32, more than any array holds. Methods that learn from a stream (the
built-in SAEs and `SAELensSAE` through ``fit_stream``; scikit-learn's
``MiniBatchDictionaryLearning``, ``MiniBatchKMeans``, ``IncrementalPCA`` and any estimator
with ``partial_fit``) see the whole stream; methods that need the whole array at once
(k-means, PCA, FastICA, dictionary learning, random atoms, a user's estimator with only
``fit``) cannot, and are fitted once on a finite sample: the first rows of the same
stream. `streamed_fit` does either and says which, so that a study can state which methods
saw a finite sample and how large.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import numpy as np

from floor.validation import InvalidArgumentError, check_int

__all__ = ["streamed_fit"]


class _Counted:
    """An iterable of arrays that counts the rows it hands out (``n_rows``)."""

    def __init__(self, batches: Iterable, n_steps: int | None):
        self._source = batches
        self._n_steps = n_steps
        self.n_rows = 0
        self.n_arrays = 0

    def __iter__(self) -> Iterator:
        for X in islice(self._source, self._n_steps):
            self.n_rows += len(X)
            self.n_arrays += 1
            yield X


class _CountedSized(_Counted):
    """`_Counted` keeping the source's ``len`` (capped at ``n_steps``): an estimator whose
    ``fit_stream`` reads ``len(batches)`` (`SAELensSAE`) sees it."""

    def __len__(self) -> int:
        n = len(self._source)
        return n if self._n_steps is None else min(n, self._n_steps)


def _finite_sample(batches: Iterable, finite_sample: int) -> np.ndarray:
    """The first ``finite_sample`` rows of ``batches`` (fewer if it ends first), one array."""
    parts, need = [], finite_sample
    for X in batches:
        part = np.asarray(X)[:need]
        parts.append(part)
        need -= len(part)
        if need == 0:
            break
    if not parts:
        raise ValueError("batches is empty: streamed_fit needs at least one array")
    return np.concatenate(parts)


def streamed_fit(estimator, batches: Iterable, n_steps: int | None,
                 finite_sample: int) -> tuple[object, dict]:
    """Fit ``estimator`` on a stream of arrays, streamed if it can learn from one.

    In order of preference:

    1. ``estimator.fit_stream(batches, n_steps=n_steps)`` (the built-in SAEs,
       `SAELensSAE`): trained afresh on the stream, at most ``n_steps`` arrays drawn and
       ``n_steps`` optimiser steps taken;
    2. ``estimator.partial_fit(X)`` for each of the first ``n_steps`` arrays (scikit-learn's
       incremental estimators). It continues whatever state ``estimator`` has: pass a
       fresh (cloned) one;
    3. otherwise ``estimator.fit(X)`` once on ``X``, the first ``finite_sample`` rows of
       the first ``n_steps`` arrays (only those rows are held in memory): the finite
       sample of a method that needs the whole array (k-means, PCA, FastICA, dictionary
       learning, random atoms, a user's estimator without ``partial_fit``).

    Every method thus sees a prefix of the same stream, the finite-sample ones its first
    rows only.

    Parameters
    ----------
    estimator : object
        Has ``fit``; ``fit_stream`` or ``partial_fit`` if it can stream.
    batches : iterable of array-like of shape (n_i, n_features)
        The stream, e.g. a generator drawing fresh samples.
    n_steps : int or None
        Arrays drawn from ``batches`` at most (None: all of them); for ``fit_stream``,
        also its budget of optimiser steps (one per array of ``batch_size`` rows).
    finite_sample : int
        Rows of the finite sample for an estimator that cannot stream.

    Returns
    -------
    estimator : object
        The fitted estimator (what ``fit`` / ``fit_stream`` returned, or ``estimator``).
    info : dict
        ``{"streamed": bool, "n_rows_seen": int}``: whether it learnt from the stream, and
        how many rows it was given (streamed: every row of the arrays drawn, remainders a
        method drops included; finite sample: its size).

    Raises
    ------
    ValueError
        Naming the argument, before any array is drawn: ``n_steps`` or ``finite_sample``
        not a positive int, ``estimator`` without ``fit``, ``batches`` not iterable; and
        ``batches`` empty.
    """
    if n_steps is not None:
        n_steps = check_int(n_steps, "n_steps")
    finite_sample = check_int(finite_sample, "finite_sample")
    if not callable(getattr(estimator, "fit", None)):
        raise InvalidArgumentError(f"estimator must have a fit method, got "
                                   f"{type(estimator).__name__}")
    if not isinstance(batches, Iterable):
        raise InvalidArgumentError(f"batches must be an iterable of arrays, got "
                                   f"{type(batches).__name__}")
    sized = hasattr(batches, "__len__")
    counted = (_CountedSized if sized else _Counted)(batches, n_steps)
    if callable(getattr(estimator, "fit_stream", None)):
        fitted = estimator.fit_stream(counted, n_steps=n_steps)
    elif callable(getattr(estimator, "partial_fit", None)):
        fitted = estimator
        for X in counted:
            estimator.partial_fit(X)
        if not counted.n_arrays:
            raise ValueError("batches is empty: streamed_fit needs at least one array")
    else:
        X = _finite_sample(counted, finite_sample)
        fitted = estimator.fit(X)
        return (fitted if fitted is not None else estimator,
                {"streamed": False, "n_rows_seen": len(X)})
    return (fitted if fitted is not None else estimator,
            {"streamed": True, "n_rows_seen": counted.n_rows})
