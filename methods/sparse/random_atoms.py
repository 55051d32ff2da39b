"""Random unit atoms: the null dictionary every learned one should be compared against.

In low dimension any two dictionaries look alike (their MMCS is high by chance), and with
as many atoms as dimensions any dictionary reconstructs perfectly; this baseline, which
learns nothing but the data's mean, puts a number on both.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_choice, check_int, check_random_state
from methods.sparse._base import BaseDictionary
from methods.sparse.sae_training import random_unit_rows

_ENCODINGS = ("lstsq", "relu")


class RandomAtoms(BaseDictionary):
    """A dictionary of ``n_components`` random unit vectors, independent of the data.

    Atoms ``A`` (m, d) are drawn uniformly on the unit sphere (normalised Gaussians). With the
    training mean ``mu`` (d,), a row ``x`` is coded by

    - ``encoding="lstsq"``: ``c = (x - mu) A^+``, the minimum-norm least-squares codes
      (``A^+`` the Moore-Penrose pseudo-inverse, (d, m)); ``x_hat = c A + mu`` is the
      orthogonal projection of ``x - mu`` onto the span of the atoms, so it is exact when
      ``m >= d``;
    - ``encoding="relu"``: ``c = ReLU((x - mu) A^T)``, an untrained SAE encoder.

    and decoded as ``x_hat = c A + mu``.

    Parameters
    ----------
    n_components : int, default=512
        Number of atoms ``m``.
    encoding : {"lstsq", "relu"}, default="lstsq"
        The coding rule above.
    random_state : None, int, SeedSequence or Generator, default=None
        Seeds the atoms.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The atoms, unit-norm rows.
    mean_ : ndarray of shape (n_features,)
        Training mean ``mu``.
    encoder_ : ndarray of shape (n_features, n_components)
        The matrix the centred rows are multiplied by: ``A^+`` ("lstsq") or ``A^T``
        ("relu").
    n_features_in_ : int
    """

    def __init__(self, n_components=512, *, encoding="lstsq", random_state=None):
        self.n_components = n_components
        self.encoding = encoding
        self.random_state = random_state

    def fit(self, X, y=None):
        """Draw the atoms and record the mean of ``X`` (n_samples, n_features).

        Returns
        -------
        self
        """
        m = check_int(self.n_components, "n_components")
        check_choice(self.encoding, "encoding", _ENCODINGS)
        X = self._validate_fit(X)
        rng = check_random_state(self.random_state)
        self.components_ = random_unit_rows(rng, m, X.shape[1], np.float64)
        self.mean_ = X.mean(axis=0)
        if self.encoding == "lstsq":
            self.encoder_ = np.linalg.pinv(self.components_)
        else:
            self.encoder_ = self.components_.T
        return self

    def transform(self, X) -> np.ndarray:
        """Codes by the ``encoding`` rule, shape (n_samples, n_components)."""
        X = self._validate_transform(X)
        C = (X - self.mean_) @ self.encoder_
        return np.maximum(C, 0.0, out=C) if self.encoding == "relu" else C

    def inverse_transform(self, codes) -> np.ndarray:
        """``codes A + mu``, shape (n_samples, n_features)."""
        codes = self._validate_codes(codes)
        return codes @ self.components_ + self.mean_
