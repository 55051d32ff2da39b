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
    ("rlace_sgd", "outlier_equal_means", "erases_accuracy"): (
        "the SGD solver's logistic adversary is at chance from the start (equal means), so "
        "the rank-1 projection it keeps misses the concept: 0-1 probe leakage 0.40 (0.90 "
        "balanced accuracy), as the fast solver's"),
    ("rlace_sgd", "outlier_equal_means", "consistent"): _OUTLIER_RANDOM.replace(
        "consistency 0.05", "consistency 0.10 on seeds 0-2, median 0.08 on seeds 1000-1029"),
    ("rlace_sgd", "xor_concept", "erases_accuracy"): _XOR_LINEAR,
    ("rlace_sgd", "xor_concept", "erases_nonlinear"): _XOR_LINEAR,
    ("rlace_sgd", "xor_concept", "consistent"): _XOR_RANDOM,
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
# --first-seed 1000`): each fails its check on all 33 disjoint 3-seed sets. The rlace_sgd
# cells (added later, ~60 s of CPU per 30 seeds) were checked on seeds 1000-1029 only:
# each of their findings fails on all 10 disjoint 3-seed sets.
FINDINGS = {key: reason + (" [stable: fails on 10 of 10 disjoint 3-seed sets of seeds "
                           "1000-1029]" if key[0] == "rlace_sgd" else
                           " [stable: fails on 33 of 33 disjoint 3-seed sets of seeds "
                           "1000-1098]") for key, reason in FINDINGS.items()}

# The cells of QLEACE and of the weak concept, measured on the quick grid (seeds 0-2) and
# checked with `python -m reports.findings_stability --from DIR` on those 13 cells scored on
# seeds 1000-1098 (`benchmarks.cells.run_cell` on the cells of `build_grid("quick",
# families=["erasure"], first_seed=1000, n_seeds=99)` whose method is qleace or generator
# weak_concept, one record file per cell in DIR).
_QLEACE_OUTLIER = (
    "QLEACE equalises the class means and covariances (QDA falls to 0.517, at chance), but "
    "the outlier set's concept is in the medians: the 0-1 linear probe still reads 0.90 and "
    "the MLP 0.998, as after LEACE")
_QLEACE_XOR = (
    "QLEACE matches the first and second moments of the XOR classes (logistic 0.494, QDA "
    "0.513: at chance), but each class stays two clusters along its own diagonal, which no "
    "class-wise affine map can merge: a line still reads 0.601 and the MLP 0.586; the Bayes "
    "classifier of the erased classes reads 0.839 (tests/test_qleace.py), so the quick MLP "
    "sees only part of what is left")
_WEAK_NOISE = (
    "the fit split's class-mean gap is mostly sampling noise (planted Mahalanobis gap 0.02, "
    "sampling gap sqrt(4 d / n) = 0.057 at 20000 rows), so the direction removed differs "
    "from sample to sample: consistency {}; the erasure itself is exact where "
    "guards_fit_data applies (LEACE, mean projection, mean matching: fit-data gap ratio "
    "~2e-14)")
NEW_FINDINGS = {
    ("qleace", "outlier_equal_means", "erases_accuracy"): _QLEACE_OUTLIER,
    ("qleace", "outlier_equal_means", "erases_nonlinear"): _QLEACE_OUTLIER,
    ("qleace", "xor_concept", "erases_accuracy"): _QLEACE_XOR,
    ("qleace", "xor_concept", "erases_nonlinear"): _QLEACE_XOR,
    ("leace", "weak_concept", "consistent"): _WEAK_NOISE.format("0.16"),
    ("mean_projection", "weak_concept", "consistent"): _WEAK_NOISE.format("0.16"),
    ("mean_matching", "weak_concept", "consistent"): _WEAK_NOISE.format("0.16"),
    ("rlace", "weak_concept", "consistent"): _WEAK_NOISE.format("0.16"),
    ("inlp", "weak_concept", "consistent"): _WEAK_NOISE.format("0.25"),
    ("median_projection", "weak_concept", "consistent"): _WEAK_NOISE.format("0.08"),
}
FINDINGS.update({key: reason + " [stable: fails on 33 of 33 disjoint 3-seed sets of seeds "
                                "1000-1098]" for key, reason in NEW_FINDINGS.items()})
FINDINGS[("rlace_sgd", "weak_concept", "consistent")] = _WEAK_NOISE.format("0.12") + (
    " [stable: fails on 10 of 10 disjoint 3-seed sets of seeds 0-29]")

# The generator built for injection (`generators.injection_concept`), measured on the quick
# grid (seeds 0-2) and checked with `python -m reports.findings_stability --from DIR` on its
# 11 cells scored on seeds 1000-1098 (`benchmarks.cells.run_cell`, one record file per
# cell in DIR): each fails its check on all 33 disjoint 3-seed sets; every other check of
# every eraser there passes on all 33.
_INJECTED = (
    "{how}: each class is moved onto the overall mean by its own class mean, which pulls "
    "the two clusters the classes share apart by class, so the four clusters along u now "
    "separate the classes (Bayes 1.00 after, 0.70 before; Quirke & Belrose 2025): logistic "
    "falls to 0.49, but the MLP reads 0.995 where it read 0.703 before erasure "
    "(does_not_inject: +0.29), and the 0-1 linear probe still reads 0.703")
INJECTION_FINDINGS = {
    ("identity", "injection_concept", "erases_linear"): _IDENTITY + " (logistic 0.703)",
    ("identity", "injection_concept", "erases_accuracy"): _IDENTITY + " (0-1 probe 0.699)",
    ("identity", "injection_concept", "erases_nonlinear"): _IDENTITY + " (MLP 0.703)",
    **{("mean_matching", "injection_concept", c): _INJECTED.format(how="oracle LEACE")
       for c in ("erases_accuracy", "erases_nonlinear", "does_not_inject")},
    **{("qleace", "injection_concept", c): _INJECTED.format(
        how="QLEACE (its covariance maps are near the identity here, the classes sharing "
            "their covariance: it acts as oracle LEACE)")
       for c in ("erases_accuracy", "erases_nonlinear", "does_not_inject")},
    ("inlp", "injection_concept", "consistent"): (
        "INLP removes u, then keeps removing directions while its classifiers fit noise "
        "(rank 4 on seeds 0-2), different on every sample: consistency 0.35"),
    **{("rlace_sgd", "injection_concept", c): (
        "at the quick SGD budget (600 iterations) the projection stops near u, not at it "
        "(consistency 0.987), and this concept is strong along u (clusters 20 noise widths "
        "apart), so what is left of it is read: logistic 0.616, 0-1 probe 0.617, MLP 0.590 "
        "(the fast solver: 0.494)")
       for c in ("erases_linear", "erases_accuracy", "erases_nonlinear")},
}
FINDINGS.update({key: reason + " [stable: fails on 33 of 33 disjoint 3-seed sets of seeds "
                                "1000-1098]" for key, reason in INJECTION_FINDINGS.items()})

# SPLINCE without a target (every grid generator but one with target labels) is LEACE: its
# map equals LEACE's to 1e-10 (tests/test_splince.py), so it fails where LEACE fails, on the
# same seeds.
FINDINGS.update({("splince", g, c): "without a target SPLINCE is LEACE (the same map): "
                 + reason for (m, g, c), reason in list(FINDINGS.items()) if m == "leace"})

# Seed-dependent (non-strict xfails): pass on some seed sets, fail on others. Rates from
# `python -m reports.findings_stability` on many-seed records.
VARIABLE_FINDINGS = {
    ("rlace_sgd", "multiclass_gaussian", "erases_linear"): (
        "at the quick budget (600 SGD iterations, lr 0.05; benchmarks/erasure/family.py "
        "RLACE_SGD_BUDGET) the SGD solver stops short of the rank-3 saddle point on 4 "
        "classes: logistic leakage 0.027 on seeds 0-2 (per seed median 0.031, max 0.066 on "
        "seeds 1000-1029), where the fast solver's exact start leaves -0.001; its held-out "
        "adversary loss is 1.384 against log 4 = 1.386. It passes on 1 of 10 disjoint 3-seed "
        "sets of seeds 0-29 and on 0 of 10 sets of seeds 1000-1029"),
    ("rlace_sgd", "multiclass_gaussian", "erases_accuracy"): (
        "the same shortfall of the quick SGD budget on 4 classes, read by the 0-1 probe: "
        "leakage 0.037 on seeds 0-2 (per seed median 0.043 on seeds 1000-1029); the fast "
        "solver -0.004. It passes on 1 of 10 disjoint 3-seed sets of seeds 0-29 and on 0 "
        "of 10 sets of seeds 1000-1029"),
    ("rlace", "outlier_equal_means", "erases_nonlinear"): (
        "RLACE removes an arbitrary direction here (its logistic adversary is at chance from "
        "the start; consistency 0.08) and the concept stays (0-1 probe 0.90), but whether the "
        "MLP probe then learns the outlier structure is a matter of seed and floating point: "
        "it reads it on 12 of 60 seeds (on the unerased data 30 of 30); on seeds 0-2 its "
        "balanced accuracy was 0.998 on all three on one machine, 0.50 on all three on "
        "another, 0.50 / 0.51 / 1.00 on a third. erases_nonlinear passes on 13 of 33 "
        "disjoint 3-seed sets of seeds 1000-1098 (95% Wilson [0.25, 0.56]): a false pass of "
        "the nonlinear probe, not an erasure"),
    ("rlace_sgd", "outlier_equal_means", "erases_nonlinear"): (
        "as for the fast solver: the SGD solver removes an arbitrary direction (consistency "
        "0.10) and the concept stays (0-1 probe 0.90); whether the MLP then reads the outlier "
        "structure is luck: MLP leakage above 0.1 on 6 of 30 seeds 1000-1029, 0.012 on "
        "seeds 0-2; erases_nonlinear passes on 5 of 10 disjoint 3-seed sets"),
    ("rlace_sgd", "two_class_gaussian", "erases_linear"): (
        "a fragile pass of the quick SGD budget (600 iterations): the kept projection is "
        "near, not at, the class-mean direction (consistency 0.97 on seeds 0-2), and on "
        "some seeds enough of the concept stays for the logistic probe: per seed leakage "
        "median 0.010, max 0.056 on seeds 1000-1029; passes on seeds 0-2 (0.020) and on 8 "
        "of 10 disjoint 3-seed sets (the fast solver: 0.006, every set)"),
    ("rlace_sgd", "two_class_gaussian", "erases_accuracy"): (
        "the same fragile pass read by the 0-1 probe: per seed leakage median 0.010, max "
        "0.034 on seeds 1000-1029; passes on seeds 0-2 (0.013) and on 9 of 10 disjoint "
        "3-seed sets"),
    ("rlace_sgd", "multiclass_gaussian", "erases_nonlinear"): (
        "the quick SGD budget's shortfall on 4 classes (see erases_linear) is read by the MLP "
        "on some seed sets: MLP leakage median 0.015, max 0.055 per seed on seeds "
        "1000-1029; passes on seeds 0-2 (0.008) and on 3 of 10 disjoint 3-seed sets"),
    ("rlace_sgd", "multiclass_gaussian", "consistent"): (
        "at the quick SGD budget the rank-3 subspaces of two samples differ more than the "
        "fast solver's (0.996): consistency 0.900 on seeds 0-2, at the 0.9 bar; per seed "
        "median 0.953, min 0.81 on seeds 1000-1029; passes on 9 of 10 disjoint 3-seed sets"),
    ("inlp", "two_class_gaussian", "consistent"): (
        "a fragile pass: INLP removes 13 of 16 dimensions (see bounded_distortion) and which "
        "of the last ones it removes varies between samples: the 3-seed consistency ranges "
        "0.81-0.98 (median 0.907) against the 0.9 bar; it passes on the CI seeds 0-2 and on "
        "17 of 33 disjoint 3-seed sets of seeds 1000-1098 (95% Wilson [0.35, 0.67]), so 0.9 "
        "is a rate here, not a property"),
    ("qleace", "two_class_gaussian", "erases_nonlinear"): (
        "QLEACE's class maps are estimated from the fit split, and each held-out class is moved "
        "by its own map, so each carries its own estimation error into its covariance: QDA "
        "reads it, held-out leakage +0.0095 on average over seeds 1000-1098 (logistic +0.0014, "
        "MLP +0.0006), falling to +0.001 with a ten times larger fit split. erases_nonlinear "
        "passes on 32 of 33 disjoint 3-seed sets (95% Wilson [0.85, 0.99]), on the CI seeds "
        "0-2 too"),
    ("qleace", "multiclass_gaussian", "erases_nonlinear"): (
        "the same estimation leak as on the two-class Gaussian, larger with 4 classes of 5000 "
        "fit rows each: QDA leakage +0.0138 on average over seeds 1000-1098; "
        "erases_nonlinear passes on 25 of 33 disjoint 3-seed sets (95% Wilson [0.59, 0.87]), "
        "on the CI seeds 0-2 too"),
    ("inlp", "weak_concept", "bounded_distortion"): (
        "INLP keeps removing directions while its classifiers fit sampling noise (the planted "
        "gap, Mahalanobis 0.02, is below the fit split's sampling gap 0.057): its 3-seed "
        "distortion ranges 0.03-0.37 (median 0.11) against a limit of about 0.30 (2x the "
        "oracle's); it passes on 29 of 33 disjoint 3-seed sets of seeds 1000-1098 (95% Wilson "
        "[0.73, 0.95]), on the CI seeds 0-2 too"),
    ("inlp", "outlier_equal_means", "erases_accuracy"): (
        "a fragile pass: INLP's classifiers find no mean difference here, and the directions "
        "it removes before stopping usually take the outlier coordinate with them, but on "
        "about one seed in thirty they do not (0-1 leakage bound up to 0.116); it "
        "passes on the CI seeds 0-2 and on 30 of 33 disjoint 3-seed sets of seeds 1000-1098 "
        "(95% Wilson [0.76, 0.97])"),
}
