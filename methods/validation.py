"""Input checks shared by every method and metric: clear errors, never silent wrong scores."""

from __future__ import annotations

import numpy as np


def check_array(
    X, name: str = "X", *, dtype=np.float64, min_samples: int = 2, n_features: int | None = None
) -> np.ndarray:
    """Validate a 2-D finite numeric array and return it as ``dtype``.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, has fewer than ``min_samples`` rows, has the wrong number of
        columns, contains NaN or inf, or holds strings, bytes or complex numbers (which
        numpy would silently parse, or silently drop the imaginary part of). The message
        names ``name``.
    """
    try:
        raw = np.asarray(X)
        if raw.dtype.kind in "USc":
            raise TypeError(f"dtype {raw.dtype} is not a real number type")
        arr = np.asarray(raw, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from exc
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {arr.shape}")
    if arr.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} samples, got n={arr.shape[0]}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} needs at least one feature, got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} has {arr.shape[1]} features, but this method was fitted with {n_features}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def check_labels(y, n_samples: int, name: str = "y", *, min_classes: int = 2) -> np.ndarray:
    """Validate a 1-D label vector matching ``n_samples`` rows with at least two classes.

    Returns the labels re-coded as ``0..K-1`` (int64) in sorted order of the original values.
    """
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.shape[0] != n_samples:
        raise ValueError(f"{name} has length {arr.shape[0]}, but X has {n_samples} samples")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    classes, codes = np.unique(arr, return_inverse=True)
    if classes.size < min_classes:
        raise ValueError(
            f"{name} needs at least {min_classes} classes, got {classes.size} ({classes.tolist()})"
        )
    return codes.astype(np.int64)


def check_random_state(random_state) -> np.random.Generator:
    """Turn ``random_state`` into a `numpy.random.Generator` without touching global state.

    ``None`` gives fresh OS entropy; an int or `SeedSequence` seeds a new generator; a
    `Generator` is returned as is.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or isinstance(random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, an int, a numpy SeedSequence or Generator, "
        f"got {type(random_state).__name__}"
    )


def check_is_fitted(estimator, attribute: str) -> None:
    """Raise a clear error when ``estimator`` has not been fitted yet."""
    if not hasattr(estimator, attribute):
        raise RuntimeError(f"{type(estimator).__name__} is not fitted yet: call fit first")
