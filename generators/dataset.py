"""The `Dataset` record every generator returns: the data and everything true about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Synthetic data together with its ground truth.

    Parameters
    ----------
    name : str
        The generator's registry name (for example ``"two_class_gaussian"``).
    X : ndarray of shape (n_samples, n_features), float64, or None
        The samples (erasure and sparse families). ``None`` for contrast-pair data.
    y : ndarray of shape (n_samples,) or (n_pairs,), int, or None
        Class labels (erasure family) or, for contrast pairs, 1 when the first member
        (``X_pos``) is the true one and 0 otherwise.
    X_pos, X_neg : ndarray of shape (n_pairs, n_features), or None
        Contrast pairs (truth family): a statement and its negation.
    ground_truth : mapping
        What a perfect method would return, documented by each generator
        (planted directions, Bayes accuracy, number of features, ...).
    params : mapping
        The arguments the generator was called with, so the data can be remade.
    """

    name: str
    X: np.ndarray | None = None
    y: np.ndarray | None = None
    X_pos: np.ndarray | None = None
    X_neg: np.ndarray | None = None
    ground_truth: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_samples(self) -> int:
        """Number of rows (samples, or pairs for contrast data)."""
        arr = self.X if self.X is not None else self.X_pos
        return 0 if arr is None else int(arr.shape[0])

    @property
    def n_features(self) -> int:
        """Number of columns of the data."""
        arr = self.X if self.X is not None else self.X_pos
        return 0 if arr is None else int(arr.shape[1])

    def facts(self) -> dict[str, float | int | bool | str]:
        """The scalar entries of ``ground_truth`` as plain Python values.

        What a record carries about its generator (the report's sentences name them: Bayes
        accuracy, the planted count, the number of truth-like directions); arrays are left
        out. Integers stay exact (``2**64`` truth-like directions).
        """
        out: dict[str, float | int | bool | str] = {}
        for key, value in self.ground_truth.items():
            if isinstance(value, np.ndarray) and value.ndim == 0:
                value = value.item()
            if isinstance(value, np.generic):
                value = value.item()
            if isinstance(value, (bool, int, float, str)):
                out[key] = value
        return out
