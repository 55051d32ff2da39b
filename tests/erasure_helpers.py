"""Shared by the INLP and RLACE tests: the leakage bar's data and its held-out probe."""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score

from generators.two_class_gaussian import make_two_class_gaussian

# Leakage bar of the brief: held-out balanced accuracy minus chance of a fresh probe.
LEAKAGE_BAR = 0.02
# The eraser is fitted on 20000 rows. An eraser fitted on n rows leaves the population
# class means apart by the sampling error of its own mean difference, Mahalanobis length
# about sqrt((d - 1)(1/n0 + 1/n1)); at d = 64 and n = 3000 that alone lets a fresh probe
# reach ~0.04 leakage even after exact LEACE (measured), so the bar needs a larger fit set.
N_FIT, N_PROBE, D = 20000, 4000, 64


def bar_splits():
    """Fit split (N_FIT rows) and two probe splits (N_PROBE) of the d=64 two-class Gaussian."""
    sizes = (N_FIT, N_PROBE, N_PROBE)
    return [make_two_class_gaussian(n, D, separation=3.0, random_state=0, split=s)
            for s, n in enumerate(sizes)]


def probe_leakage(eraser, train, test, n_classes=2):
    """Balanced accuracy minus chance of a logistic probe fitted on erased ``train``."""
    probe = LogisticRegression(max_iter=2000).fit(eraser.transform(train.X), train.y)
    return balanced_accuracy_score(test.y, probe.predict(eraser.transform(test.X))) - 1 / n_classes
