"""What the truth-direction family asks, and what each generator and headline metric is.

The report opens the family's section with these sentences. A generator's sentence may name
facts of its ground truth in braces (``{log2_truthlike:g}``); the report fills them from the
record's ``ground_truth`` (the generator's own numbers, never recomputed).
"""

from __future__ import annotations

# The title of the family's section of the report.
TITLE = "Unsupervised truth directions"

QUESTION = (
    "Does an unsupervised method (CCS, contrast-pair PCA) find the truth direction of "
    "contrast pairs, or just one of the many directions that are as consistent and confident "
    "as truth? Held-out accuracy is read up to the probe's sign and against the exact law of a "
    "random truth-like direction; supervised probes are the ceiling, a random direction the "
    "floor; labels_needed counts the labels it takes to pick the true sign and direction. "
    "With a random word appended to each pair (distractor_facts), does it find the truth "
    "or the more prominent word?")

GENERATORS = {
    "onehot_facts": (
        "+-one-hot facts: every sign vector is a perfectly truth-like direction, "
        "2^{log2_truthlike:g} of them, one of which is truth (Farquhar et al. 2023)."),
    "grouped_facts": (
        "Facts in groups sharing a group direction: 2^{log2_truthlike:g} truth-like "
        "combinations of the group signs, one of which is truth."),
    "single_truth": (
        "One planted direction along which every pair flips, strong shared content that does "
        "not: the positive control, {n_truthlike_directions} truth-like direction up to sign "
        "(Bayes accuracy {bayes_accuracy:.3f})."),
    "distractor_facts": (
        "The single-truth control plus a random word appended to each pair, one member "
        "getting each of two words at random (Farquhar et al. 2023): a second perfectly "
        "consistent direction, at {distractor_strength:g}x truth's amplitude in the pair "
        "differences, with labels independent of truth (Bayes accuracy "
        "{bayes_accuracy:.3f} on truth, {distractor_bayes_accuracy:.3f} on the word). "
        "Verdict per seed: truth, distractor or neither at sign-agnostic accuracy 0.9."),
}

METRICS = {
    "accuracy": "held-out accuracy with the method's own sign",
    "sign_agnostic_accuracy": "held-out accuracy up to sign, max(acc, 1 - acc)",
    "random_truthlike_sign_agnostic_mean": "the same for a random truth-like direction "
                                           "(exact mean): what being fooled scores",
    "ccs_loss": "CCS loss of the method's direction on the training pairs",
    "labels_needed": "labelled pairs revealed before the method's candidates give the truth",
    "disjoint_facts_accuracy": "held-out accuracy on facts never seen in training",
    "distractor_accuracy": "held-out accuracy up to sign against the distractor labels "
                           "(distractor_facts: the appended word), beside truth's",
}
