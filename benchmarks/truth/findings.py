"""Expected findings of the built-in truth finders, measured on the quick profile (3 seeds).

Numbers: held-out sign-agnostic accuracy ``max(acc, 1 - acc)`` pooled over seeds with its
99.9% Wilson interval, beside the exact mean of a uniformly random truth-like direction on
the same pairs, from ``python -m reports --family truth``. CCS losses are each direction's
best loss at norm <= 100 on the held-out pairs (`metrics.ccs_loss.min_ccs_loss_along`).
"""

_FLOOR = "the random-direction floor: a uniformly random direction is not the truth"
_CCS = (
    "every sign pattern is a perfectly consistent and confident probe (Farquhar et al. 2023, "
    "Thm 1), so CCS reaches near-zero loss at an arbitrary one: "
)
_WORD = (
    "a random word appended to each pair at twice truth's amplitude (Farquhar et al. 2023, "
    "Section 4.1) is as consistent as truth and more prominent: "
)
_PCA = (
    "every fact (or group) contributes equal variance to the differences (top-two "
    "eigenvalue ratio 1.005), so the top principal component is an arbitrary one of them: "
)

FINDINGS = {
    ("ccs", "onehot_facts", "finds_truth"): _CCS + (
        "sign-agnostic accuracy 0.557 [0.520, 0.594], a random truth-like direction's 0.550; "
        "CCS loss 5e-4 (the truth's 1.4e-3); 30 distinct directions in 3 fits x 10 restarts; "
        "it carries the true sign of 54% of facts and keeps its initial sign on 98% of axes"),
    ("ccs", "grouped_facts", "finds_truth"): _CCS + (
        "sign-agnostic accuracy 0.625 [0.588, 0.661], a random truth-like direction's 0.637 "
        "over 8 groups; CCS loss below 1e-16, as the truth's; 28 distinct directions in "
        "30 restarts; it carries the true sign of 46% of groups"),
    ("contrast_pca", "onehot_facts", "finds_truth"): _PCA + (
        "sign-agnostic accuracy 0.521 [0.484, 0.559], a random truth-like direction's 0.550"),
    ("contrast_pca", "grouped_facts", "finds_truth"): _PCA + (
        "sign-agnostic accuracy 0.560 [0.523, 0.597], a random truth-like direction's 0.637"),
    ("random_direction", "onehot_facts", "finds_truth"): _FLOOR + (
        ": sign-agnostic accuracy 0.568 [0.530, 0.604], a random truth-like direction's 0.550"),
    ("random_direction", "grouped_facts", "finds_truth"): _FLOOR + (
        ": sign-agnostic accuracy 0.592 [0.554, 0.628], a random truth-like direction's 0.637"),
    ("random_direction", "single_truth", "finds_truth"): _FLOOR + (
        ": sign-agnostic accuracy 0.768 [0.735, 0.798] (per seed 0.902, 0.608, 0.794: at "
        "noise 0.3 a direction at |cos| 0.17 to the truth is right on most pairs)"),
    ("ccs", "distractor_facts", "finds_truth"): _WORD + (
        "CCS finds the word on 2 of 3 seeds (truth on 1): sign-agnostic accuracy 0.704 "
        "[0.669, 0.737] on truth against 0.836 [0.807, 0.862] on the word; over seeds "
        "1000-1098 the word on 79 of 99 seeds, truth on 19, neither on 1. Of its 10 restarts, "
        "on one word seed none reaches 0.9 on truth (labels_needed: never), on the other 3 "
        "labels pick a truth restart. The study benchmarks.truth.distractor (20 seeds per "
        "strength) shows the word taking over gradually: 2 of 20 seeds at 0.75x, 10 at 1x, "
        "15 at 2x, 20 at 4x, while some restart still ends on truth on 70% of seeds at 2x"),
    ("contrast_pca", "distractor_facts", "finds_truth"): _WORD + (
        "the word has 4x truth's variance in the differences, so the top principal "
        "component is the word (|cos| 0.999 with its direction): 3 of 3 seeds (99 of 99 "
        "over seeds 1000-1098) find the word, sign-agnostic accuracy 0.541 [0.503, 0.578] "
        "on truth against 1.000 [0.994, 1.000] on the word; no labels recover truth, as "
        "there is one candidate. In the study (20 seeds per strength) it finds truth on "
        "20 of 20 seeds up to 0.75x, splits at 1x (truth 10, word 7, neither 3: equal "
        "variances leave the top component anywhere in the plane) and finds the word on "
        "20 of 20 from 1.5x"),
    ("random_direction", "distractor_facts", "finds_truth"): _FLOOR + (
        ": sign-agnostic accuracy 0.635 [0.599, 0.671] on truth, 0.740 [0.705, 0.771] on the "
        "word (the word's larger amplitude makes a random direction right on it more "
        "often); verdict neither on 3 of 3 seeds"),
}

# Stability over seed sets (`python -m reports.findings_stability` on 100-seed records,
# seeds 1000-1099): every finding above fails on all 33 disjoint 3-seed sets; the number
# is the highest lower 99.9% bound any set reached (threshold 0.9).
_BEST_SET = {
    ("ccs", "onehot_facts", "finds_truth"): 0.564,
    ("ccs", "grouped_facts", "finds_truth"): 0.716,
    ("contrast_pca", "onehot_facts", "finds_truth"): 0.574,
    ("contrast_pca", "grouped_facts", "finds_truth"): 0.739,
    ("random_direction", "onehot_facts", "finds_truth"): 0.553,
    ("random_direction", "grouped_facts", "finds_truth"): 0.660,
    ("random_direction", "single_truth", "finds_truth"): 0.802,
    ("ccs", "distractor_facts", "finds_truth"): 0.816,
    ("contrast_pca", "distractor_facts", "finds_truth"): 0.516,
    ("random_direction", "distractor_facts", "finds_truth"): 0.699,
}
FINDINGS = {key: (f"{reason} [stable: fails on 33 of 33 disjoint 3-seed sets of seeds "
                  f"1000-1098, best set {_BEST_SET[key]:.3f} vs 0.9]")
            for key, reason in FINDINGS.items()}

# The probes published since CCS (issue 24, item 7), measured the same way: quick profile,
# seeds 0-2, and their stability over the 33 disjoint 3-seed sets of seeds 1000-1098 (the
# highest lower 99.9% bound any set reached; each fails on all 33). The supervised ones
# (mass_mean_iid, ttpd) pass every check.
_VINC = (
    "VINC's matrix (elk: variance of each member minus 5x their covariance) weights every "
    "fact or group alike, as the differences' covariance does for CRC-TPC (top-two "
    "eigenvalue ratio of the matrix 1.002-1.008 on seeds 0-2), so its top eigenvector is an "
    "arbitrary one of them: ")
_KMEANS = (
    "the differences of one-hot (grouped) facts lie on 64 (8) axes, symmetric about the "
    "origin: a star with no two-cluster structure, so two-means splits the axes "
    "arbitrarily (3 distinct "
    "directions in 3 fits per seed): ")
_LAT = (
    "LAT's random pairs join unrelated statements, whose content does not cancel as it "
    "does within a contrast pair: ")
_NEW = {
    ("vinc", "onehot_facts", "finds_truth"): (_VINC + (
        "sign-agnostic accuracy 0.517 [0.479, 0.554], a random truth-like direction's "
        "0.550"), 0.548),
    ("vinc", "grouped_facts", "finds_truth"): (_VINC + (
        "sign-agnostic accuracy 0.553 [0.516, 0.590], a random truth-like direction's "
        "0.637"), 0.739),
    ("vinc", "distractor_facts", "finds_truth"): (_WORD + (
        "the word flips between the members as truth does and has 4x its variance, so it "
        "maximises VINC's objective (top-two eigenvalue ratio 3.9-4.2, |cos| 0.999 with the "
        "word's direction): the word on 3 of 3 seeds (99 of 99 over seeds 1000-1098), "
        "sign-agnostic accuracy 0.541 [0.503, 0.578] on truth against 1.000 [0.994, 1.000] "
        "on the word, as CRC-TPC"), 0.516),
    ("kmeans_pairs", "onehot_facts", "finds_truth"): (_KMEANS + (
        "sign-agnostic accuracy 0.542 [0.504, 0.579], a random truth-like direction's "
        "0.550"), 0.572),
    ("kmeans_pairs", "grouped_facts", "finds_truth"): (_KMEANS + (
        "sign-agnostic accuracy 0.500 [0.463, 0.537], a random truth-like direction's "
        "0.637"), 0.673),
    ("kmeans_pairs", "distractor_facts", "finds_truth"): (_WORD + (
        "the word's 4x variance makes the two clusters of the differences the word's two "
        "signs (|cos| 0.999 between the centroids' difference and the word's direction): "
        "the word on 3 of 3 seeds (99 of 99 over seeds 1000-1098), sign-agnostic accuracy "
        "0.541 [0.503, 0.578] on truth against 1.000 [0.994, 1.000] on the word"), 0.516),
    ("lat", "single_truth", "finds_truth"): (_LAT + (
        "along the truth they differ by tau_a - tau_b (variance 2), along each of the 63 "
        "content axes by c_a - c_b (variance 2 at content scale 1), so the spectrum is flat "
        "(top-two eigenvalue ratio 1.03-1.05) and the top component is arbitrary (|cos| "
        "with the truth 0.05, 0.14, 0.02): sign-agnostic accuracy 0.618 [0.581, 0.654] "
        "where CRC-TPC reaches 1.000"), 0.654),
    ("lat", "onehot_facts", "finds_truth"): (_LAT + (
        "every fact axis carries the same variance (top-two ratio 1.02-1.04): sign-agnostic "
        "accuracy 0.529 [0.492, 0.566], a random truth-like direction's 0.550"), 0.555),
    ("lat", "grouped_facts", "finds_truth"): (_LAT + (
        "every group carries the same variance (top-two ratio 1.02-1.06): sign-agnostic "
        "accuracy 0.558 [0.520, 0.595], a random truth-like direction's 0.637"), 0.675),
    ("lat", "distractor_facts", "finds_truth"): (_WORD + (
        "the word dominates the random-pair differences too (top-two ratio 1.8-2.0, |cos| "
        "0.99 with the word's direction): the word on 3 of 3 seeds, sign-agnostic accuracy "
        "0.541 [0.503, 0.578] on truth against 1.000 [0.994, 1.000] on the word (99 of 99 "
        "over seeds 1000-1098)"), 0.516),
}
FINDINGS.update({
    key: reason + (f" [stable: fails on 33 of 33 disjoint 3-seed sets of seeds 1000-1098, "
                   f"best set {best:.3f} vs 0.9]")
    for key, (reason, best) in _NEW.items()})
