"""Token embeddings plus noise: a "layer 0" baseline for the sparse-feature family.

At the embedding layer of a language model every activation is one of V token vectors
(plus positional and other noise). Its true feature count is V, with Zipf-distributed
frequencies, and exactly one feature is active per sample. A dictionary learner should
find the frequent tokens and may miss the rare ones; it should not find more than V.
"""

from __future__ import annotations

import numpy as np

from floor.validation import check_int, check_positive_float
from generators.dataset import Dataset
from generators.planted_sparse import random_unit_rows
from generators.seeding import SeedLike, split_rng, structure_rng


def zipf_frequencies(vocab_size: int, exponent: float) -> np.ndarray:
    """Token probabilities ``q_r = (r + 1)^-exponent / Z`` for ranks ``r = 0..V-1``, shape (V,)."""
    q = np.arange(1, vocab_size + 1, dtype=np.float64) ** -exponent
    return q / q.sum()


def make_embedding_vocabulary(
    n_samples: int,
    n_features: int = 64,
    vocab_size: int = 512,
    zipf_exponent: float = 1.0,
    noise: float = 0.05,
    random_state: SeedLike = 0,
    split: int = 0,
) -> Dataset:
    """One random token embedding per sample, tokens drawn with Zipf frequencies, plus noise.

    Structure (shared by all splits): a vocabulary ``E`` (V, d) of rows uniform on the unit
    sphere, and frequencies ``q_r`` proportional to ``(r + 1)^-zipf_exponent`` (token 0 the
    most frequent). Samples: a token ``t ~ q`` and ``x = E_t + (noise / sqrt(d)) e`` with
    ``e ~ N(0, I_d)``, so the noise has expected squared norm ``noise^2`` against unit-norm
    signal.

    Parameters
    ----------
    n_samples : int
        Rows of this split (>= 1).
    n_features : int, default=64
        Dimension ``d`` (>= 1).
    vocab_size : int, default=512
        Number of tokens ``V`` (>= 1); ``V > d`` puts them in superposition.
    zipf_exponent : float, default=1.0
        Exponent of the Zipf law (>= 0; 0 gives uniform frequencies).
    noise : float, default=0.05
        Root-mean-square norm of the isotropic noise (>= 0).
    random_state : int or SeedSequence, default=0
        Seed of the dataset; its structure and each split draw from separate child streams.
    split : int, default=0
        Which sample of the dataset (0 = train, 1, 2, ... held out).

    Returns
    -------
    Dataset
        ``X`` (n_samples, d) float64; ``y`` the token ids. ``ground_truth``: ``features``
        (V, d) unit rows; ``token_ids`` (n_samples,); ``n_true_features`` = V;
        ``token_frequency`` (V,); ``noise``.
    """
    n = check_int(n_samples, "n_samples")
    d = check_int(n_features, "n_features")
    V = check_int(vocab_size, "vocab_size")
    s = check_positive_float(zipf_exponent, "zipf_exponent", allow_zero=True)
    sigma = check_positive_float(noise, "noise", allow_zero=True)

    E = random_unit_rows(structure_rng(random_state), V, d)
    q = zipf_frequencies(V, s)

    rng = split_rng(random_state, split)
    tokens = rng.choice(V, size=n, p=q)
    X = np.ascontiguousarray(E[tokens] + (sigma / np.sqrt(d)) * rng.standard_normal((n, d)))

    truth = {"features": E, "token_ids": tokens, "n_true_features": V,
             "token_frequency": q, "noise": sigma}
    params = dict(n_samples=n, n_features=d, vocab_size=V, zipf_exponent=s, noise=sigma,
                  random_state=repr(random_state), split=split)
    return Dataset("embedding_vocabulary", X=X, y=tokens, ground_truth=truth, params=params)
