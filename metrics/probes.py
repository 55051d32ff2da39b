"""Probes that measure what is left of a concept after erasure.

Every probe is fitted on one split and scored on another, by balanced accuracy
(mean per-class recall), whose chance level is ``1 / K`` for K classes whatever the class
balance. Leakage = held-out balanced accuracy - chance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from floor.validation import check_array, check_labels, reject_strings
from metrics.zero_one_probe import ZeroOneLinearProbe, numerical_span

# Every probe the suite knows, with what it can see.
PROBE_KINDS = {
    "logistic": "linear, convex loss (logistic regression, L2 C=1, standardised)",
    "zero_one": "linear, maximises balanced 0-1 accuracy exactly along candidate directions",
    "mlp": "nonlinear, one hidden layer of 64 ReLU units (Adam, early stopping)",
    "qda": "nonlinear, quadratic discriminant (class covariances, reg 0.01, standardised)",
}
LINEAR_PROBES = ("logistic", "zero_one")
NONLINEAR_PROBES = ("mlp", "qda")


@dataclass(frozen=True)
class ProbeScore:
    """Held-out balanced accuracy of one probe on one split, and its chance level."""

    probe: str
    balanced_accuracy: float
    chance: float
    n_test: int

    @property
    def leakage(self) -> float:
        """Balanced accuracy minus chance (0 = nothing left, 1 - chance = everything)."""
        return self.balanced_accuracy - self.chance


def make_probe(name: str, seed: np.random.SeedSequence):
    """A fresh, unfitted probe called ``name``; randomness from ``seed`` only."""
    if not isinstance(name, str) or name not in PROBE_KINDS:
        raise ValueError(f"probe name must be one of {sorted(PROBE_KINDS)}, got {name!r}")
    if not isinstance(seed, np.random.SeedSequence):
        raise TypeError(f"seed must be a numpy SeedSequence, got {type(seed).__name__}")
    int_seed = int(seed.generate_state(1)[0])
    if name == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    if name == "zero_one":
        return ZeroOneLinearProbe()
    if name == "mlp":
        mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=300, early_stopping=True,
                            n_iter_no_change=15, random_state=int_seed)
        return make_pipeline(StandardScaler(), mlp)
    if name == "qda":
        return make_pipeline(StandardScaler(), QuadraticDiscriminantAnalysis(reg_param=0.01))
    raise AssertionError(name)  # unreachable: every PROBE_KINDS entry is handled above


def score_probe(
    name: str,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    seed: np.random.SeedSequence,
) -> ProbeScore:
    """Fit probe ``name`` on the train split and score it on the test split.

    Directions of the training data that are float64 round-off (`numerical_span`) are
    dropped first: a probe that standardises features would otherwise blow an eraser's
    ~1e-16 residue back up to unit scale and read the labels out of it. When nothing but
    round-off is left, every probe is a constant rule and scores chance exactly.

    Returns
    -------
    ProbeScore
        Balanced accuracy on ``(X_test, y_test)`` and chance ``1 / K`` (``1 / 2`` for the
        one-vs-rest 0-1 probe).

    Raises
    ------
    ValueError
        Naming the argument: non-finite or non-numeric features, widths that differ,
        labels of the wrong length, a training class with fewer than 2 rows (for ``qda``,
        with no more rows than the dimensions the training data span), test labels
        that do not contain exactly the training classes, and (``mlp``) fewer training rows
        than its early-stopping split needs. TypeError for a seed that is not a
        `numpy.random.SeedSequence`.
    """
    make_probe(name, seed)  # refuses an unknown name or a bad seed before any work
    X_train, y_train, X_test, y_test = _check_split(name, X_train, y_train, X_test, y_test)
    mean, basis = numerical_span(X_train)
    if basis.shape[0] == 0:  # nothing but round-off left: every probe is a constant rule
        chance = 0.5 if name == "zero_one" else 1.0 / np.unique(y_train).size
        return ProbeScore(name, chance, chance, int(len(y_test)))
    if basis.shape[0] < X_train.shape[1]:
        X_train, X_test = (X_train - mean) @ basis.T, (X_test - mean) @ basis.T
    if name == "qda" and np.unique(y_train, return_counts=True)[1].min() <= X_train.shape[1]:
        raise ValueError(f"y_train: the qda probe needs more rows of every class than the "
                         f"{X_train.shape[1]} dimensions the training data span")
    probe = make_probe(name, seed).fit(X_train, y_train)
    if isinstance(probe, ZeroOneLinearProbe):
        score, chance = probe.balanced_accuracy(X_test, y_test)
    else:
        score = float(balanced_accuracy_score(y_test, probe.predict(X_test)))
        chance = 1.0 / np.unique(y_train).size
    return ProbeScore(name, score, chance, int(len(y_test)))


# MLPClassifier's early stopping holds out this fraction of the training rows, stratified.
_MLP_VALIDATION_FRACTION = 0.1


def _check_split(name, X_train, y_train, X_test, y_test):
    """Validate one train/test split for `score_probe`; every error names its argument."""
    for arg, value in (("X_train", X_train), ("X_test", X_test)):
        reject_strings(value, arg)
    X_train = check_array(X_train, "X_train")
    X_test = check_array(X_test, "X_test", min_samples=1)
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test has {X_test.shape[1]} features, but X_train has "
                         f"{X_train.shape[1]}")
    codes = check_labels(y_train, X_train.shape[0], "y_train")
    y_test = np.asarray(y_test)
    if y_test.ndim != 1 or y_test.shape[0] != X_test.shape[0]:
        raise ValueError(f"y_test has shape {y_test.shape}, but X_test has {X_test.shape[0]} rows")
    classes, counts = np.unique(np.asarray(y_train), return_counts=True)
    if counts.min() < 2:
        raise ValueError(f"y_train needs at least 2 rows of every class, got counts "
                         f"{dict(zip(classes.tolist(), counts.tolist(), strict=True))}")
    if not np.array_equal(np.unique(y_test), classes):
        raise ValueError(f"y_test must contain exactly the classes of y_train "
                         f"({classes.tolist()}), got {np.unique(y_test).tolist()}")
    if name == "mlp":
        n_val = int(np.ceil(_MLP_VALIDATION_FRACTION * len(codes)))
        if n_val < max(classes.size, 2) or len(codes) - n_val < classes.size:
            raise ValueError(f"X_train has {len(codes)} rows: the mlp probe's early-stopping "
                             f"split needs at least {max(classes.size, 2)} validation rows")
    return X_train, np.asarray(y_train), X_test, y_test
