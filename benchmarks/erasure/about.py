"""What the erasure family asks, and what each generator and headline metric is, in words.

The report opens the family's section with these sentences. A generator's sentence may name
facts of its ground truth in braces (``{bayes_accuracy:.2f}``); the report fills them from
the record's ``ground_truth`` (the generator's own numbers, never recomputed).
"""

from __future__ import annotations

# The title of the family's section of the report.
TITLE = "Concept erasure"

QUESTION = (
    "Does an eraser remove a concept so that no fresh probe can read it back from held-out "
    "data, linear or not, without moving the data much more than removing the true concept "
    "would? Each eraser is fitted on one split; fresh probes (logistic regression, a linear "
    "probe that optimises 0-1 accuracy, an MLP, QDA) are trained on a second erased split and "
    "scored on a third. Leakage is balanced accuracy minus chance, with 99.9% Wilson "
    "intervals pooled over seeds. An eraser that claims linear guardedness (LEACE, mean "
    "projection, mean matching, QLEACE) is also held to the claim itself: equal class means "
    "on the data it was fitted on, to 1e-6 of the whitened gap before erasure.")

GENERATORS = {
    "two_class_gaussian": (
        "Two Gaussian classes, shared anisotropic covariance, one planted concept direction: "
        "the positive control, where equalising the class means makes the classes identical "
        "(Bayes accuracy {bayes_accuracy:.2f}, all of it linear)."),
    "outlier_equal_means": (
        "Equal class means, different medians: 10% mirrored outliers per class, so mean-based "
        "erasers have nothing to remove (best linear 0-1 accuracy {best_linear_accuracy:.2f}, "
        "Bayes {bayes_accuracy:.2f}); equal means guard convex losses, not accuracy."),
    "xor_concept": (
        "The label is the XOR of the signs along two directions: equal class means, a "
        "nonlinear concept (Bayes accuracy {bayes_accuracy:.3f}, best linear 0-1 "
        "{best_linear_accuracy:.2f})."),
    "multiclass_gaussian": (
        "{n_classes} Gaussian classes with a shared anisotropic covariance, pairwise "
        "Mahalanobis separation {pairwise_mahalanobis:.1f}: erasing a K-class concept needs "
        "rank K - 1."),
    "weak_concept": (
        "The two-class Gaussian turned down to a Mahalanobis gap of {mahalanobis_gap:.2f} "
        "(Bayes accuracy {bayes_accuracy:.3f}), below the sampling gap of the fit split "
        "({sampling_gap:.3f}): no probe resolves it, so every leakage check passes even the "
        "identity; only guards_fit_data, LEACE's guarantee read on the fit data, tells an "
        "eraser that skips it."),
    "injection_concept": (
        "Two shared clusters along one direction, visited by the two classes at different "
        "rates (Bayes accuracy {bayes_accuracy:.2f}, all of it linear): an eraser that moves "
        "each class by its own mean (mean matching, QLEACE) pulls the clusters apart by "
        "class and leaves the concept more readable than before (Bayes "
        "{bayes_accuracy_after_oracle_leace:.2f} after; Quirke & Belrose 2025), which "
        "does_not_inject flags; one that removes the direction leaves nothing."),
}

METRICS = {
    "leakage_logistic": "held-out balanced accuracy of a fresh logistic probe, minus chance",
    "leakage_zero_one": "the same for a linear probe that maximises 0-1 accuracy directly",
    "leakage_mlp": "the same for a fresh MLP probe",
    "leakage_qda": "the same for quadratic discriminant analysis",
    "distortion": "mean squared displacement of held-out rows / their total variance",
    "consistency": "mean cos^2 of the principal angles between the subspaces erased by two "
                   "fits on independent samples (1 = the same subspace)",
}
