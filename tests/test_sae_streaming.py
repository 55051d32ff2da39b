"""Streaming training of the built-in SAEs (`SparseAutoencoderBase.partial_fit`,
``fit_stream``): ``fit`` replayed through ``partial_fit``, state carried across calls,
the counters, bad input, the training state and pickling, and memory that does not grow
with the number of batches and stays within a bound computed from the model's size.

Every SAE of the sparse family's list built on `SparseAutoencoderBase` is tested (the list
is the family's own, `tests/builtin_methods.py`): a new architecture is covered the moment
it is listed.
"""

from __future__ import annotations

import gc
import pickle
import tracemalloc

import numpy as np
import pytest
from sklearn.utils.estimator_checks import (
    check_estimators_partial_fit_n_features,
    check_fit_score_takes_y,
    check_n_features_in_after_fitting,
)
from threadpoolctl import threadpool_limits

from benchmarks.sparse.streaming_costs import memory_bound
from generators.planted_sparse import make_planted_sparse
from methods.sparse import sae_training
from methods.sparse.sae_training import BatchSampler, SparseAutoencoderBase
from tests.builtin_methods import DICTIONARIES

#: The SAEs of the sparse list, at the tiny scale (4 latents, batch 8, 5 steps).
SAES = {name: make for name, make in DICTIONARIES.items()
        if isinstance(make(), SparseAutoencoderBase)}
D = 5  # the tiny factories' width
B = 8  # their batch size


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    with threadpool_limits(limits=1):
        yield


def _planted(n: int, d: int = D, seed: int = 0, split: int = 0) -> np.ndarray:
    return make_planted_sparse(n, n_features=d, n_atoms=2 * d, random_state=seed,
                               split=split).X


def _dyadic(n: int, seed: int = 0) -> np.ndarray:
    """Planted rows rounded to multiples of 1/16: their sums (hence the mean, the spread
    and the median that initialise the SAEs) are exact in float64 in any row order, so a
    row permutation of the data initialises an SAE bit for bit as the data do."""
    return np.round(_planted(n, seed=seed) * 16) / 16


def _learned(est) -> dict:
    """Every learned attribute (name ending in ``_``): arrays, floats, ints."""
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


def assert_same_fit(a, b) -> None:
    la, lb = _learned(a), _learned(b)
    assert la.keys() == lb.keys()
    for key in la:
        np.testing.assert_array_equal(la[key], lb[key], err_msg=key)


class _RecordingSampler(BatchSampler):
    """`BatchSampler` that records the indices it hands out (the batches ``fit`` draws)."""

    drawn: list[np.ndarray] = []

    def next(self) -> np.ndarray:
        idx = super().next()
        type(self).drawn.append(idx)
        return idx


# --- fit replayed through partial_fit -------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAES))
def test_partial_fit_on_fits_batches_gives_fits_parameters(name, monkeypatch):
    """``fit(X)`` and ``partial_fit`` fed the batches ``fit`` drew, in its order, give
    bit-identical parameters, losses and bookkeeping (dead counters, thresholds).

    The first ``partial_fit`` call gets the first epoch (4 batches, a row permutation of
    X: the same initialisation, see `_dyadic`), then one batch per call for two more
    epochs: initialisation, the step, and the state carried across calls all agree.
    """
    X = _dyadic(4 * B)
    monkeypatch.setattr(sae_training, "BatchSampler", _RecordingSampler)
    _RecordingSampler.drawn = []
    fitted = SAES[name]().set_params(n_steps=12).fit(X)
    drawn = _RecordingSampler.drawn
    assert len(drawn) == 12 and sorted(np.concatenate(drawn[:4])) == list(range(4 * B))

    streamed = SAES[name]().partial_fit(X[np.concatenate(drawn[:4])])
    for idx in drawn[4:]:
        streamed.partial_fit(X[idx])
    assert streamed.n_steps_ == 12 and streamed.loss_curve_.shape == (12,)
    assert_same_fit(fitted, streamed)


@pytest.mark.parametrize("name", sorted(SAES))
def test_partial_fit_one_batch_per_call_equals_fit_on_that_batch(name):
    """With n = batch_size, ``fit`` draws all of X at every step: ``n_steps`` calls of
    ``partial_fit(X)`` are the same training, the first call initialising from X."""
    X = _planted(B, seed=3)
    fitted = SAES[name]().set_params(n_steps=7).fit(X)
    streamed = SAES[name]()
    for _ in range(7):
        streamed.partial_fit(X)
    assert_same_fit(fitted, streamed)


@pytest.mark.parametrize("name", sorted(SAES))
def test_partial_fit_state_persists_two_halves_equal_one_call(name):
    """After the first call, one call on ``X1 + X2`` == a call on X1 then one on X2
    (Adam's moments and step count and the model's bookkeeping carry over)."""
    X0, X1, X2 = _planted(2 * B, split=0), _planted(3 * B, split=1), _planted(2 * B, split=2)
    whole = SAES[name]().partial_fit(X0).partial_fit(np.vstack([X1, X2]))
    halves = SAES[name]().partial_fit(X0).partial_fit(X1).partial_fit(X2)
    assert whole.n_steps_ == 7
    assert_same_fit(whole, halves)
    # Restarting Adam at the second call would not give the same parameters.
    restarted = SAES[name]().partial_fit(X0)
    restarted._training.opt.t = 0
    restarted._training.opt.m[:] = 0.0
    restarted._training.opt.v[:] = 0.0
    restarted.partial_fit(np.vstack([X1, X2]))
    # (a frozen baseline keeps its decoder or its encoder: one of the two has moved)
    assert not all(np.array_equal(getattr(restarted, a), getattr(whole, a))
                   for a in ("components_", "encoder_weights_") if hasattr(whole, a))


@pytest.mark.parametrize("name", sorted(SAES))
def test_partial_fit_continues_fit_and_fit_resets(name):
    X = _planted(64)
    fitted = SAES[name]().fit(X)
    curve = fitted.loss_curve_.copy()
    fitted.partial_fit(_planted(3 * B, split=1))
    assert fitted.n_steps_ == 5 + 3 and fitted.batch_size_ == B
    np.testing.assert_array_equal(fitted.loss_curve_[:5], curve)
    fresh = SAES[name]().fit(X)
    assert_same_fit(fitted.fit(X), fresh)


# --- counters ---------------------------------------------------------------------------


def test_partial_fit_counters_and_batch_size():
    name = sorted(SAES)[0]
    est = SAES[name]()
    est.partial_fit(_planted(2 * B + 3))  # 2 steps, 3 rows dropped
    assert (est.n_steps_, est.n_rows_dropped_, est.batch_size_) == (2, 3, B)
    assert est.loss_curve_.shape == (2,) and est.loss_ == est.loss_curve_[-1]
    before = est.components_.copy()
    est.partial_fit(_planted(B - 1, split=1))  # too few rows for a step: all dropped
    assert (est.n_steps_, est.n_rows_dropped_) == (2, 3 + B - 1)
    np.testing.assert_array_equal(est.components_, before)
    est.partial_fit(_planted(5 * B, split=2))
    assert (est.n_steps_, est.n_rows_dropped_) == (7, 3 + B - 1)
    assert est.loss_curve_.shape == (7,) and np.all(np.isfinite(est.loss_curve_))
    # The first call fixes the batch size: a first call on fewer rows clips it, as fit.
    small = SAES[name]().partial_fit(_planted(3))
    assert small.batch_size_ == 3 and small.n_steps_ == 1
    small.partial_fit(_planted(4 * B, split=1))
    assert small.batch_size_ == 3 and small.n_steps_ == 1 + (4 * B) // 3


def test_loss_record_grows_beyond_its_first_capacity():
    name = sorted(SAES)[0]
    est = SAES[name]()
    X = _planted(B * 300)
    for _ in range(4):
        est.partial_fit(X)
    assert est.n_steps_ == 1200 and est.loss_curve_.shape == (1200,)
    assert np.all(np.isfinite(est.loss_curve_))


@pytest.mark.parametrize("name", sorted(SAES))
def test_fit_stream_stops_after_n_steps_and_equals_partial_fit(name):
    batches = [_planted(B, split=i) for i in range(10)]
    pulled = []

    def stream():
        for X in batches:
            pulled.append(1)
            yield X

    est = SAES[name]().fit_stream(stream(), n_steps=6)
    assert est.n_steps_ == 6 and len(pulled) == 6  # no batch drawn beyond the budget
    ref = SAES[name]()
    for X in batches[:6]:
        ref.partial_fit(X)
    assert_same_fit(est, ref)
    # n_steps=None: the whole stream; a stream array of 3 batches gives 3 steps, and the
    # budget can stop inside an array.
    assert SAES[name]().fit_stream(iter(batches)).n_steps_ == 10
    assert SAES[name]().fit_stream([np.vstack(batches)], n_steps=4).n_steps_ == 4
    # fit_stream starts afresh, as fit.
    again = est.fit_stream(stream(), n_steps=6)
    assert again.n_steps_ == 6
    assert_same_fit(again, ref)


# --- bad input -------------------------------------------------------------------------


def test_partial_fit_bad_input_names_X_and_changes_nothing():
    name = sorted(SAES)[0]
    est = SAES[name]().partial_fit(_planted(2 * B))
    state = pickle.dumps(_learned(est))
    bad = {
        "X has 4 features, but .* is expecting 5 features": _planted(2 * B)[:, :4],
        "X contains NaN or inf": np.full((B, D), np.nan),
        "X must be numeric": np.full((B, D), "a"),
        "X must be real": np.ones((B, D), complex),
        "X has largest |value| 1e\\+20": np.full((B, D), 1e20),
        "X must be 2-D": np.ones(D),
    }
    for match, X in bad.items():
        with pytest.raises(ValueError, match=match):
            est.partial_fit(X)
    assert pickle.dumps(_learned(est)) == state
    with pytest.raises(ValueError, match="X needs at least 2 samples"):
        SAES[name]().partial_fit(_planted(1))


def test_fit_stream_bad_input_names_the_batch_and_n_steps():
    name = sorted(SAES)[0]
    pulled = []

    def stream():
        pulled.append(1)
        yield _planted(B)

    for bad in (0, 2.0, "3"):
        with pytest.raises(ValueError, match="n_steps"):
            SAES[name]().fit_stream(stream(), n_steps=bad)
    assert not pulled  # refused before a batch was drawn
    with pytest.raises(ValueError, match="batches is empty"):
        SAES[name]().fit_stream([])
    batches = [_planted(B), _planted(B, split=1), _planted(B)[:, :3]]
    est = SAES[name]()
    with pytest.raises(ValueError, match=r"batches\[2\] has 3 features"):
        est.fit_stream(batches)
    assert est.n_steps_ == 2  # the attributes say where the stream stopped
    with pytest.raises(ValueError, match=r"batches\[0\] contains NaN"):
        SAES[name]().fit_stream([np.full((B, D), np.inf)])


def test_partial_fit_after_unpickling_raises_and_pickle_stays_small():
    name = sorted(SAES)[0]
    est = SAES[name]().partial_fit(_planted(4 * B))
    copy = pickle.loads(pickle.dumps(est))
    X = _planted(B, split=1)
    np.testing.assert_array_equal(copy.transform(X), est.transform(X))
    assert not hasattr(copy, "_training") and hasattr(est, "_training")
    with pytest.raises(ValueError, match="unpickled without its training state"):
        copy.partial_fit(X)
    # fit (or fit_stream) starts afresh and works again.
    assert copy.fit(_planted(4 * B)).n_steps_ == 5
    copy.partial_fit(X)
    assert copy.n_steps_ == 6


@pytest.mark.parametrize("name", sorted(SAES))
def test_scikit_learns_partial_fit_checks(name):
    """scikit-learn runs these for classifiers, regressors and clusterers only: a change
    of width between ``partial_fit`` calls is refused with its wording."""
    check_estimators_partial_fit_n_features(name, SAES[name]())
    check_n_features_in_after_fitting(name, SAES[name]())
    check_fit_score_takes_y(name, SAES[name]())


# --- memory -----------------------------------------------------------------------------

#: 200 batches may use more than 20 by the data-dependent temporaries of a step, bytes per
#: (B, d + 1) and per (B, m) element: three float64 (B, d + 1) and one float64 (B, m)
#: array. They cover AuxK's residual arrays in TopK once latents die and the indices of
#: the positive pre-activations in BatchTopK and Matryoshka, whose count changes in
#: training: measured up to 198 kB at the quick size (TopK, dead_after 8: AuxK runs from
#: the second step), 111 kB at the wide one (Matryoshka); dense architectures grow by 7
#: kB. Retaining the stream's batches would add 8 B d bytes per batch, 180 batches: 11.8
#: MB at the quick size, 35 times the slack.
GROWTH_SLACK_PER_ELEMENT = (24, 8)


def traced_peak(make, pool: list[np.ndarray], n_batches: int):
    """(estimator, peak bytes traced by tracemalloc) of ``fit_stream`` on ``n_batches``
    fresh copies of the arrays of ``pool`` (each batch a new allocation, as a stream
    drawing fresh samples makes)."""
    def stream():
        for i in range(n_batches):
            yield pool[i % len(pool)].copy()

    est = make()
    gc.collect()
    tracemalloc.start()
    try:
        est.fit_stream(stream())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return est, peak


@pytest.mark.parametrize("size", [(32, 64, 256), (64, 512, 128)], ids=["quick", "wide"])
@pytest.mark.parametrize("name", sorted(SAES))
def test_streamed_fit_memory_is_bounded_and_flat(name, size):
    """A streamed fit of 200 batches uses no more memory than one of 20 (within
    `GROWTH_SLACK_PER_ELEMENT`), and its peak stays within `memory_bound` (the model, Adam
    and the per-batch buffers of each architecture, counted in
    ``benchmarks/sparse/streaming_costs.py``)."""
    d, m, batch = size
    pool = [_planted(batch, d=d, split=i) for i in range(4)]

    def make():
        return SAES[name]().set_params(n_components=m, batch_size=batch,
                                       learning_rate=1e-3)

    traced_peak(make, pool, 2)  # first-call costs of the process (imports, caches)
    est20, peak20 = traced_peak(make, pool, 20)
    est200, peak200 = traced_peak(make, pool, 200)
    assert est20.n_steps_ == 20 and est200.n_steps_ == 200
    per_bd, per_bm = GROWTH_SLACK_PER_ELEMENT
    slack = batch * (per_bd * (d + 1) + per_bm * m)
    assert peak200 <= peak20 + slack, (peak20, peak200, slack)
    bound = memory_bound(est200, d, m, batch)
    assert peak200 <= bound, (peak200, bound)
