"""Expected findings of the built-in erasers, measured on the quick profile (3 seeds).

Numbers: held-out balanced accuracy (chance 0.5 for binary labels and for the one-vs-rest
0-1 probe, 0.25 for 4 classes), from ``python -m reports --family erasure``.
"""

_IDENTITY = "the no-op baseline erases nothing: the negative control of every leakage check"
_OUTLIER = (
    "equal class means guard every convex loss, not accuracy: logistic 0.500, but the 0-1 "
    "linear probe reads the median gap at 0.90 and the MLP at 0.998"
)
_XOR_LINEAR = (
    "the concept is XOR of two directions, with equal class means: a linear eraser has "
    "nothing to remove; a line cutting one cluster off keeps 0-1 accuracy at 0.74 and the "
    "MLP/QDA read 0.98"
)
_XOR_RANDOM = (
    "with no mean difference to remove, the eraser removes a direction fitted to noise, "
    "different on every sample (mean cos^2 of principal angles about 0.1)"
)
_OUTLIER_RANDOM = (
    "class means are equal to rounding, so the removed direction is fitted to noise and "
    "changes from sample to sample (consistency 0.05)"
)

FINDINGS = {
    ("identity", "two_class_gaussian", "erases_linear"): _IDENTITY + " (logistic 0.835)",
    ("identity", "two_class_gaussian", "erases_accuracy"): _IDENTITY + " (0-1 probe 0.835)",
    ("identity", "two_class_gaussian", "erases_nonlinear"): _IDENTITY + " (MLP 0.831)",
    ("identity", "multiclass_gaussian", "erases_linear"): _IDENTITY + " (logistic 0.66 of 4)",
    ("identity", "multiclass_gaussian", "erases_accuracy"): _IDENTITY + " (0-1 probe 0.79)",
    ("identity", "multiclass_gaussian", "erases_nonlinear"): _IDENTITY + " (MLP 0.65 of 4)",
    ("identity", "outlier_equal_means", "erases_accuracy"): _OUTLIER,
    ("identity", "outlier_equal_means", "erases_nonlinear"): _OUTLIER,
    ("identity", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("identity", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("leace", "outlier_equal_means", "erases_accuracy"): (
        "LEACE finds nothing to erase (rank 0: the class means are already equal) and leaves "
        "the 0-1 linear probe at 0.90 while logistic sits at 0.500: linear guardedness "
        "covers convex losses only (Belrose et al. 2023, Thm 3.1)"),
    ("leace", "outlier_equal_means", "erases_nonlinear"): _OUTLIER,
    ("leace", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("leace", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("leace", "xor_concept", "consistent"): _XOR_RANDOM,
    ("mean_projection", "outlier_equal_means", "erases_accuracy"): _OUTLIER,
    ("mean_projection", "outlier_equal_means", "erases_nonlinear"): _OUTLIER,
    ("mean_projection", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("mean_projection", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("mean_projection", "xor_concept", "consistent"): _XOR_RANDOM,
    ("mean_matching", "outlier_equal_means", "erases_accuracy"): _OUTLIER,
    ("mean_matching", "outlier_equal_means", "erases_nonlinear"): _OUTLIER,
    ("mean_matching", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("mean_matching", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("mean_matching", "xor_concept", "consistent"): _XOR_RANDOM,
    ("rlace", "outlier_equal_means", "erases_accuracy"): (
        "RLACE's adversary is a logistic classifier, at chance from the start (equal means), "
        "so the rank-1 projection it returns misses the concept: 0-1 probe 0.90"),
    ("rlace", "outlier_equal_means", "consistent"): _OUTLIER_RANDOM,
    ("rlace", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("rlace", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("rlace", "xor_concept", "consistent"): _XOR_RANDOM,
    ("inlp", "two_class_gaussian", "bounded_distortion"): (
        "INLP over-removes: its classifiers keep finding residual signal and it projects out "
        "13 of 16 dimensions (distortion 0.70 against the oracle's 0.18)"),
    ("inlp", "multiclass_gaussian", "bounded_distortion"): (
        "INLP removes all 16 dimensions on 4 classes (distortion 1.00 against the oracle's "
        "0.45): one-vs-rest rows add up to 4 directions per iteration"),
    ("inlp", "outlier_equal_means", "consistent"): (
        "INLP's logistic classifiers find no signal (equal means), and the two directions it "
        "removes before stopping differ between samples (consistency 0.58)"),
    ("inlp", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("inlp", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("inlp", "xor_concept", "consistent"): _XOR_RANDOM,
    ("median_projection", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("median_projection", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("median_projection", "xor_concept", "consistent"): _XOR_RANDOM,
}

# Every finding above was checked with `python -m reports.findings_stability` on the
# quick grid scored on seeds 1000-1099 (`python -m reports --family erasure --n-seeds 100
# --first-seed 1000`): each fails its check on all 33 disjoint 3-seed sets.
FINDINGS = {key: reason + " [stable: fails on 33 of 33 disjoint 3-seed sets of seeds "
                          "1000-1098]" for key, reason in FINDINGS.items()}

# Seed-dependent (non-strict xfails): pass on some seed sets, fail on others. Rates from
# `python -m reports.findings_stability` on many-seed records.
VARIABLE_FINDINGS = {
    ("rlace", "outlier_equal_means", "erases_nonlinear"): (
        "RLACE removes an arbitrary direction here (its logistic adversary is at chance from "
        "the start; consistency 0.08) and the concept stays (0-1 probe 0.90), but whether the "
        "MLP probe then learns the outlier structure is a matter of seed and floating point: "
        "it reads it on 12 of 60 seeds (on the unerased data 30 of 30); on seeds 0-2 its "
        "balanced accuracy was 0.998 on all three on one machine, 0.50 on all three on "
        "another, 0.50 / 0.51 / 1.00 on a third. erases_nonlinear passes on 13 of 33 "
        "disjoint 3-seed sets of seeds 1000-1098 (95% Wilson [0.25, 0.56]): a false pass of "
        "the nonlinear probe, not an erasure"),
    ("inlp", "two_class_gaussian", "consistent"): (
        "a fragile pass: INLP removes 13 of 16 dimensions (see bounded_distortion) and which "
        "of the last ones it removes varies between samples: the 3-seed consistency ranges "
        "0.81-0.98 (median 0.907) against the 0.9 bar; it passes on the CI seeds 0-2 and on "
        "17 of 33 disjoint 3-seed sets of seeds 1000-1098 (95% Wilson [0.35, 0.67]), so 0.9 "
        "is a rate here, not a property"),
    ("inlp", "outlier_equal_means", "erases_accuracy"): (
        "a fragile pass: INLP's classifiers find no mean difference here, and the directions "
        "it removes before stopping usually take the outlier coordinate with them, but on "
        "about one seed in thirty they do not (0-1 leakage bound up to 0.116); it "
        "passes on the CI seeds 0-2 and on 30 of 33 disjoint 3-seed sets of seeds 1000-1098 "
        "(95% Wilson [0.76, 0.97])"),
}
