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
    raise ValueError(f"probe must be one of {sorted(PROBE_KINDS)}, got {name!r}")


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
    """
    mean, basis = numerical_span(X_train)
    if basis.shape[0] == 0:  # nothing but round-off left: every probe is a constant rule
        chance = 0.5 if name == "zero_one" else 1.0 / np.unique(y_train).size
        return ProbeScore(name, chance, chance, int(len(y_test)))
    if basis.shape[0] < X_train.shape[1]:
        X_train, X_test = (X_train - mean) @ basis.T, (X_test - mean) @ basis.T
    probe = make_probe(name, seed).fit(X_train, y_train)
    if isinstance(probe, ZeroOneLinearProbe):
        score, chance = probe.balanced_accuracy(X_test, y_test)
    else:
        score = float(balanced_accuracy_score(y_test, probe.predict(X_test)))
        chance = 1.0 / np.unique(y_train).size
    return ProbeScore(name, score, chance, int(len(y_test)))
