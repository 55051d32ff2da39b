"""Hypothesis strategies for the inputs users get wrong: one place for every property test.

Each strategy draws a *case*: ``(label, value)``, where the label says what is wrong with
the value (it appears in hypothesis' falsifying example). The property tests then require,
for every generator, method and metric, either a clear error naming the argument or a
correct, finite result, and never a hang or a silent NaN.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

# Scales of data a numeric method must survive or refuse clearly: far from 1 both ways, but
# inside float64's range after squaring (1e150**2 = 1e300), which the covariance-based
# methods compute.
SCALES = (1e-150, 1e-8, 1.0, 1e8, 1e150)


@st.composite
def finite_matrices(draw, min_rows: int = 2, max_rows: int = 40, min_cols: int = 1,
                    max_cols: int = 6, scale: float | None = None) -> np.ndarray:
    """A float64 matrix of finite standard-normal-like values times a drawn (or given) scale."""
    n = draw(st.integers(min_rows, max_rows))
    d = draw(st.integers(min_cols, max_cols))
    seed = draw(st.integers(0, 2**32 - 1))
    s = draw(st.sampled_from(SCALES)) if scale is None else scale
    return np.random.default_rng(seed).standard_normal((n, d)) * s


def _poison(X: np.ndarray, value: float, seed: int) -> np.ndarray:
    out = X.copy()
    rng = np.random.default_rng(seed)
    out[rng.integers(out.shape[0]), rng.integers(out.shape[1])] = value
    return out


@st.composite
def bad_matrices(draw, n_features: int | None = None) -> tuple[str, object]:
    """A matrix that must be refused with an error naming it: NaN or inf, wrong ndim, empty,
    non-numeric, or (with ``n_features``) the wrong width."""
    X = draw(finite_matrices(min_rows=3, scale=1.0,
                             min_cols=n_features or 1, max_cols=n_features or 6))
    seed = draw(st.integers(0, 2**32 - 1))
    cases = {
        "nan": lambda: _poison(X, np.nan, seed),
        "inf": lambda: _poison(X, np.inf, seed),
        "-inf": lambda: _poison(X, -np.inf, seed),
        "1-d": lambda: X[:, 0].copy(),
        "3-d": lambda: X[None, :, :],
        "0-d": lambda: np.float64(1.0),
        "no rows": lambda: X[:0],
        "no columns": lambda: X[:, :0],
        "strings": lambda: X.astype(str),
    }
    if n_features is not None:
        cases["wrong width"] = lambda: np.hstack([X, X[:, :1]])
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()


@st.composite
def odd_matrices(draw, min_rows: int = 2, max_rows: int = 40, max_cols: int = 6
                 ) -> tuple[str, np.ndarray]:
    """A valid but unusual matrix that must give a correct, finite result: integer or float32
    dtype, a constant column, huge or tiny scale, or the fewest rows allowed."""
    X = draw(finite_matrices(min_rows=min_rows, max_rows=max_rows, max_cols=max_cols, scale=1.0))
    col = draw(st.integers(0, X.shape[1] - 1))
    cases = {
        "int64": lambda: np.round(X * 3).astype(np.int64),
        "float32": lambda: X.astype(np.float32),
        "constant column": lambda: np.where(np.arange(X.shape[1]) == col, 2.5, X),
        **{f"scale {s:g}": (lambda s=s: X * s) for s in SCALES},
        "fewest rows": lambda: X[:min_rows],
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()


@st.composite
def bad_labels(draw, n_samples: int) -> tuple[str, object]:
    """Labels that must be refused: one class, wrong length, 2-D, NaN, empty."""
    cases = {
        "one class": lambda: np.zeros(n_samples, dtype=int),
        "too short": lambda: np.arange(n_samples - 1) % 2,
        "too long": lambda: np.arange(n_samples + 1) % 2,
        "2-d": lambda: (np.arange(n_samples) % 2)[:, None],
        "nan": lambda: np.where(np.arange(n_samples) == 0, np.nan, np.arange(n_samples) % 2.0),
        "empty": lambda: np.array([], dtype=int),
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()


@st.composite
def odd_labels(draw, n_samples: int) -> tuple[str, np.ndarray]:
    """Valid labels in unusual encodings that must give the same result as 0/1 labels:
    strings, booleans, floats, {-1, +1}, large integers. Both classes always occur."""
    base = np.arange(n_samples) % 2
    cases = {
        "strings": lambda: np.where(base == 1, "yes", "no"),
        "bool": lambda: base.astype(bool),
        "float": lambda: base.astype(float),
        "-1/+1": lambda: 2 * base - 1,
        "large ints": lambda: base * 10**12 + 7,
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()


# ----------------------------------------------------------------------------------------
# Scalars: counts, reals and seeds as users get them wrong (generators' arguments).
# ----------------------------------------------------------------------------------------

@st.composite
def bad_ints(draw, minimum: int = 1) -> tuple[str, object]:
    """A count that must be refused: below ``minimum`` (ValueError), or not an int at all
    (TypeError): a float, even an integral one like ``3.0``, NaN, inf, bool, str, None."""
    cases = {
        "below minimum": lambda: draw(st.integers(minimum - 5, minimum - 1)),
        "below minimum, numpy": lambda: np.int64(minimum - 1),
        "fractional float": lambda: draw(st.floats(0.01, 50.0).filter(
            lambda v: not float(v).is_integer())),
        "integral float": lambda: float(draw(st.integers(max(minimum, 0), 50))),
        "numpy float": lambda: np.float64(max(minimum, 1)),
        "nan": lambda: float("nan"),
        "inf": lambda: float("inf"),
        "bool": lambda: draw(st.booleans()),
        "str": lambda: str(max(minimum, 1)),
        "None": lambda: None,
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()


@st.composite
def bad_reals(draw) -> tuple[str, object]:
    """A real argument that must be refused whatever its range: NaN or inf (ValueError), or
    not a real number (TypeError): bool, str, None, complex."""
    cases = {
        "nan": lambda: float("nan"),
        "numpy nan": lambda: np.float64("nan"),
        "inf": lambda: float("inf"),
        "-inf": lambda: float("-inf"),
        "bool": lambda: draw(st.booleans()),
        "str": lambda: "0.5",
        "None": lambda: None,
        "complex": lambda: 0.5 + 0j,
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()


@st.composite
def bad_seeds(draw) -> tuple[str, object]:
    """A ``random_state`` that must be refused: negative, float (even integral), bool, str,
    None, or a ``numpy.random.Generator`` (a seed is an int or a SeedSequence)."""
    cases = {
        "negative": lambda: draw(st.integers(-(2**63), -1)),
        "float": lambda: draw(st.floats(allow_nan=True, allow_infinity=True)),
        "integral float": lambda: 3.0,
        "bool": lambda: draw(st.booleans()),
        "str": lambda: "0",
        "None": lambda: None,
        "Generator": lambda: np.random.default_rng(0),
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()



@st.composite
def degenerate_matrices(draw, min_rows: int = 2, max_rows: int = 40, max_cols: int = 6
                        ) -> tuple[str, np.ndarray]:
    """Valid data with (almost) nothing to learn from, on which an iterative method must stop
    and no method may return NaN: every entry equal, all zeros, every row equal, all rows on
    one line through the origin (rank 1), or a single nonzero entry."""
    X = draw(finite_matrices(min_rows=min_rows, max_rows=max_rows, max_cols=max_cols,
                             scale=1.0))
    n, d = X.shape

    def one_nonzero():
        out = np.zeros((n, d))
        out[n // 2, d // 2] = 1.0
        return out

    cases = {
        "constant": lambda: np.full((n, d), 2.5),
        "zeros": lambda: np.zeros((n, d)),
        "repeated row": lambda: np.repeat(X[:1], n, axis=0),
        "rank 1": lambda: np.outer(X[:, 0], X[0]),
        "one nonzero": one_nonzero,
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()


@st.composite
def bad_pairs(draw) -> tuple[str, object, object]:
    """Contrast pairs whose two sides do not match: other row count, other width, or one
    side 1-D. Must be refused with an error naming ``X_pos`` or ``X_neg`` (by
    `methods.truth.pairs.stack_pairs`, which builds the truth methods' ``X = [x_plus |
    x_minus]``, and by the metrics that take the two sides)."""
    X = draw(finite_matrices(min_rows=3, max_rows=20, min_cols=2, scale=1.0))
    seed = draw(st.integers(0, 2**32 - 1))
    other = np.random.default_rng(seed).standard_normal(X.shape)
    cases = {
        "fewer negatives": lambda: (X, other[:-1]),
        "more negatives": lambda: (X, np.vstack([other, other[:1]])),
        "narrower negatives": lambda: (X, other[:, :-1]),
        "wider positives": lambda: (np.hstack([X, X[:, :1]]), other),
        "1-d negatives": lambda: (X, other[:, 0].copy()),
    }
    label = draw(st.sampled_from(sorted(cases)))
    return (label, *cases[label]())



@st.composite
def bad_scalars(draw, integer: bool = False) -> tuple[str, object]:
    """A count or size parameter that must be refused: zero, negative, NaN, inf, a string,
    None, a bool, and (with ``integer``) a fraction."""
    cases = {"zero": 0, "negative": -1, "nan": float("nan"), "inf": float("inf"),
             "string": "3", "none": None, "bool": True}
    if integer:
        cases["fraction"] = 2.5
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]


@st.composite
def bad_vectors(draw, value: np.ndarray, axis: int = 0) -> tuple[str, object]:
    """A spoilt copy of a valid argument ``value`` (a vector or matrix) that must be refused:
    a NaN or inf entry, strings, an extra leading axis, no entries, or one entry (row or
    column, along ``axis``) too many so that it no longer matches the other arguments."""
    v = np.asarray(value, dtype=np.float64)
    seed = draw(st.integers(0, 2**32 - 1))
    flat_index = np.random.default_rng(seed).integers(v.size)

    def poisoned(x):
        out = v.copy().ravel()
        out[flat_index] = x
        return out.reshape(v.shape)

    cases = {
        "nan": lambda: poisoned(np.nan),
        "inf": lambda: poisoned(np.inf),
        "strings": lambda: v.astype(str),
        "extra axis": lambda: v[None],
        "empty": lambda: np.take(v, [], axis=axis),
        "one too many": lambda: np.concatenate([v, np.take(v, [0], axis=axis)], axis=axis),
    }
    label = draw(st.sampled_from(sorted(cases)))
    return label, cases[label]()
