"""Tests of `methods.sparse.streaming.streamed_fit`: streamed where the method can learn
from a stream (``fit_stream``, ``partial_fit``), a finite sample of the stream's first rows
otherwise, and which of the two it was, with the rows seen."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import PCA

from generators.planted_sparse import make_planted_sparse
from methods.sparse.kmeans_atoms import KMeansAtoms
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.streaming import streamed_fit

B, D = 32, 6


def _batches(n: int) -> list[np.ndarray]:
    return [make_planted_sparse(B, n_features=D, n_atoms=12, random_state=0, split=i).X
            for i in range(n)]


class _Pulls:
    """A generator over ``arrays`` that counts the arrays drawn from it."""

    def __init__(self, arrays):
        self.arrays, self.drawn = arrays, 0

    def __iter__(self):
        for X in self.arrays:
            self.drawn += 1
            yield X


def test_streamed_fit_uses_fit_stream():
    arrays = _batches(10)
    stream = _Pulls(arrays)
    sae = ReluSAE(8, batch_size=B, learning_rate=1e-2, random_state=0)
    est, info = streamed_fit(sae, iter(stream), 6, finite_sample=50)
    assert info == {"streamed": True, "n_rows_seen": 6 * B}
    assert est is sae and est.n_steps_ == 6 and stream.drawn == 6
    ref = ReluSAE(8, batch_size=B, learning_rate=1e-2, random_state=0).fit_stream(arrays[:6])
    np.testing.assert_array_equal(est.components_, ref.components_)
    # n_steps None: the whole stream.
    assert streamed_fit(sae, arrays, None, 50)[1] == {"streamed": True, "n_rows_seen": 10 * B}
    assert sae.n_steps_ == 10


def test_streamed_fit_uses_partial_fit():
    arrays = _batches(5)
    est, info = streamed_fit(MiniBatchKMeans(3, n_init=1, random_state=0), iter(arrays), 4,
                             finite_sample=50)
    assert info == {"streamed": True, "n_rows_seen": 4 * B}
    ref = MiniBatchKMeans(3, n_init=1, random_state=0)
    for X in arrays[:4]:
        ref.partial_fit(X)
    np.testing.assert_array_equal(est.cluster_centers_, ref.cluster_centers_)


@pytest.mark.parametrize("make", [lambda: PCA(3), lambda: KMeansAtoms(3, random_state=0)],
                         ids=["pca", "kmeans_atoms"])
def test_streamed_fit_fits_the_first_rows_once_otherwise(make):
    arrays = _batches(6)
    stream = _Pulls(arrays)
    n = 2 * B + 5  # across an array boundary
    est, info = streamed_fit(make(), iter(stream), None, finite_sample=n)
    assert info == {"streamed": False, "n_rows_seen": n}
    assert stream.drawn == 3  # no array drawn beyond the sample
    ref = make().fit(np.vstack(arrays)[:n])
    np.testing.assert_array_equal(est.components_, ref.components_)
    # The sample comes from the first n_steps arrays only, and shrinks with a short stream.
    assert streamed_fit(make(), iter(arrays), 2, finite_sample=n)[1]["n_rows_seen"] == 2 * B
    assert streamed_fit(make(), arrays[:1], None, finite_sample=n)[1]["n_rows_seen"] == B


def test_streamed_fit_refuses_bad_arguments_before_drawing():
    stream = _Pulls(_batches(2))
    bad = [
        ("n_steps", dict(n_steps=0)),
        ("n_steps", dict(n_steps=1.5)),
        ("finite_sample", dict(finite_sample="10")),
        ("finite_sample", dict(finite_sample=0)),
    ]
    for name, kwargs in bad:
        args = dict(n_steps=2, finite_sample=10) | kwargs
        with pytest.raises(ValueError, match=name):
            streamed_fit(PCA(2), iter(stream), **args)
    with pytest.raises(ValueError, match="estimator must have a fit method"):
        streamed_fit(object(), iter(stream), 2, 10)
    with pytest.raises(ValueError, match="batches must be an iterable"):
        streamed_fit(PCA(2), 5, 2, 10)
    assert stream.drawn == 0
    for est in (PCA(2), MiniBatchKMeans(2, n_init=1), ReluSAE(4)):
        with pytest.raises(ValueError, match="batches is empty"):
            streamed_fit(est, [], None, 10)
