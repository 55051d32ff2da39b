"""SAELensSAE.fit_stream: SAELens' trainer pulls its batches from a stream of numpy arrays.

It replays ``fit`` when fed ``fit``'s own batches, learns the planted features from a
stream of fresh batches, holds its memory flat however many batches pass, and refuses bad
streams with a message naming the argument.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("sae_lens") is None,
                       reason="sae-lens not installed (requirements-adapters.txt)"),
    pytest.mark.xdist_group("sae_lens"),
]

from generators.planted_sparse import make_planted_sparse  # noqa: E402
from methods.adapters.saelens import SAELensSAE  # noqa: E402
from methods.sparse.streaming import streamed_fit  # noqa: E402
from metrics.dictionary_similarity import mmcs  # noqa: E402

# The quick planted data: 64 features in d = 32.
D, ATOMS = 32, 64


def planted_stream(batch: int, n_batches: int, d: int = D, n_atoms: int = ATOMS):
    """Fresh planted batches: split ``i`` of the same planted features (seed 0)."""
    for i in range(n_batches):
        yield make_planted_sparse(batch, n_features=d, n_atoms=n_atoms, random_state=0,
                                  split=i + 1).X


def fits_batches(X: np.ndarray, batch: int, n_steps: int, random_state: int):
    """The batches `SAELensSAE.fit` draws from ``X``, in order, as numpy arrays (its
    shuffle: a torch generator seeded by the second draw of the random state)."""
    seed = int(np.random.default_rng(random_state).integers(0, 2**63 - 1, size=2)[1])
    order = torch.Generator(device="cpu").manual_seed(seed)
    n, drawn = X.shape[0], []
    while len(drawn) < n_steps:
        perm = torch.randperm(n, generator=order).numpy()
        drawn += [X[perm[s:s + batch]] for s in range(0, n - batch + 1, batch)]
    return drawn[:n_steps]


@pytest.mark.parametrize("architecture", ["topk", "batchtopk", "standard"])
def test_fit_stream_on_fits_batches_equals_fit(architecture):
    X = make_planted_sparse(200, n_features=8, n_atoms=16, random_state=1).X
    kw = dict(n_steps=7, batch_size=64, random_state=3)
    fitted = SAELensSAE(architecture, 16, **kw).fit(X)
    streamed = SAELensSAE(architecture, 16, **kw).fit_stream(fits_batches(X, 64, 7, 3))
    np.testing.assert_array_equal(streamed.components_, fitted.components_)
    np.testing.assert_array_equal(streamed.transform(X), fitted.transform(X))
    assert streamed.n_steps_ == fitted.n_steps_ == 7 and streamed.batch_size_ == 64


def test_fit_stream_learns_planted_features_from_a_stream():
    """TopK with the quick defaults on 300 fresh batches of 256 (no sample seen twice).

    Measured: MMCS 0.49 after 1 step, 0.945 after 300, held-out FVU 1.01 and 0.16 (the
    fit of 8192 rows reaches MMCS 0.969 in 500 steps); the bars leave 0.045 and 0.1.
    """
    F = make_planted_sparse(1, n_features=D, n_atoms=ATOMS, random_state=0).ground_truth[
        "features"]
    start = SAELensSAE("topk", ATOMS, random_state=0).fit_stream(planted_stream(256, 1),
                                                                 n_steps=1)
    est = SAELensSAE("topk", ATOMS, random_state=0).fit_stream(planted_stream(256, 300),
                                                               n_steps=300)
    assert mmcs(start.components_, F) < 0.6
    assert mmcs(est.components_, F) >= 0.9
    held_out = make_planted_sparse(2048, n_features=D, n_atoms=ATOMS, random_state=0,
                                   split=999).X
    fvu = [((held_out - e.inverse_transform(e.transform(held_out))) ** 2).sum()
           / ((held_out - held_out.mean(axis=0)) ** 2).sum() for e in (start, est)]
    assert fvu[1] < 0.26 and fvu[0] > 0.9, fvu


def _resident_bytes() -> int:
    """Resident set size of this process now (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_fit_stream_memory_does_not_grow_with_the_batches():
    """The resident size, read each time the trainer pulls a batch, is the same at the
    200th batch as at the 20th within 16 MB (measured: +0.25 MB; it moves by 3.3 MB
    between batches, the allocator's pools). Each batch is 1024 x 64 (0.5 MB as float64):
    a stream whose batches are kept grows by 90 MB from the 20th to the 200th
    (measured)."""
    pool = [make_planted_sparse(1024, n_features=64, n_atoms=128, random_state=0,
                                split=i).X for i in range(4)]
    rss = []

    def stream():
        for i in range(220):
            rss.append(_resident_bytes())
            yield pool[i % 4].copy()

    est = SAELensSAE("topk", 128, batch_size=1024, random_state=0)
    est.fit_stream(stream(), n_steps=220)
    assert est.n_steps_ == 220 and len(rss) == 220
    growth = rss[199] - rss[19]
    assert growth <= 16 * 2**20, f"resident size grew by {growth / 2**20:.1f} MB"


def test_fit_stream_counts_and_lengths():
    X = make_planted_sparse(3 * 64 + 5, n_features=8, n_atoms=16, random_state=1).X
    est = SAELensSAE("topk", 16, batch_size=64, k=2, random_state=0)
    est.fit_stream([X], n_steps=3)  # one array cut into 3 batches, 5 rows left over
    assert (est.n_steps_, est.batch_size_, est.n_rows_dropped_) == (3, 64, 5)
    assert est.n_features_in_ == 8
    est.fit_stream([X[:64], X[64:128]])  # with len(): one step per array
    assert (est.n_steps_, est.n_rows_dropped_) == (2, 0)
    est.fit_stream([X[:40], X[40:80]])  # the first array fixes batch_size_ = 40
    assert (est.n_steps_, est.batch_size_) == (2, 40)


def test_fit_stream_errors_name_the_argument():
    X = make_planted_sparse(256, n_features=8, n_atoms=16, random_state=1).X
    pulled = []

    def stream():
        pulled.append(1)
        yield X

    with pytest.raises(ValueError, match="n_steps is required when batches has no len"):
        SAELensSAE("topk", 16, k=2).fit_stream(stream())
    for bad in (0, 1.5):
        with pytest.raises(ValueError, match="n_steps"):
            SAELensSAE("topk", 16, k=2).fit_stream(stream(), n_steps=bad)
    assert not pulled  # refused before an array was drawn
    with pytest.raises(ValueError, match="batches is empty"):
        SAELensSAE("topk", 16, k=2).fit_stream([], n_steps=2)
    with pytest.raises(ValueError, match=r"batches\[1\] has 7 features, but SAELensSAE is "
                                         r"expecting 8"):
        SAELensSAE("topk", 16, k=2, batch_size=64).fit_stream([X, X[:, :7]], n_steps=8)
    with pytest.raises(ValueError, match=r"batches\[0\] contains NaN"):
        SAELensSAE("topk", 16, k=2).fit_stream([np.full((64, 8), np.nan)])
    with pytest.raises(ValueError, match=r"batches\[1\] has largest \|value\| 1e\+20"):
        SAELensSAE("topk", 16, k=2, batch_size=64).fit_stream([X, np.full((64, 8), 1e20)],
                                                              n_steps=8)
    with pytest.raises(ValueError, match="batches ran out after 4 steps of 64 rows"):
        SAELensSAE("topk", 16, k=2, batch_size=64).fit_stream([X], n_steps=5)


def test_streamed_fit_passes_the_streams_length_to_saelens():
    X = make_planted_sparse(4 * 64, n_features=8, n_atoms=16, random_state=1).X
    arrays = [X[i * 64:(i + 1) * 64] for i in range(4)]
    est, info = streamed_fit(SAELensSAE("topk", 16, batch_size=64, k=2, random_state=0),
                             arrays, None, finite_sample=100)
    assert info == {"streamed": True, "n_rows_seen": 4 * 64} and est.n_steps_ == 4
    _, info = streamed_fit(SAELensSAE("topk", 16, batch_size=64, k=2, random_state=0),
                           arrays, 3, finite_sample=100)
    assert info == {"streamed": True, "n_rows_seen": 3 * 64}
