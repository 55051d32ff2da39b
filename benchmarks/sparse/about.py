"""What the sparse-feature family asks, and what each generator and headline metric is.

The report opens the family's section with these sentences. A generator's sentence may name
facts of its ground truth in braces (``{n_true_features}``); the report fills them from the
record's ``ground_truth`` (the generator's own numbers, never recomputed).
"""

from __future__ import annotations

# The title of the family's section of the report.
TITLE = "Sparse features"

QUESTION = (
    "Does a dictionary learner recover planted sparse features, and does its "
    "ground-truth-free feature-count signal stay silent on data that has few or no "
    "features? Every dictionary is fitted on its own split and scored on held-out rows; the "
    "count a method 'claims' is read against random unit atoms of the same size (the "
    "random-atom band), and held-out against train loss shows a dictionary fitting noise.")

GENERATORS = {
    "planted_sparse": (
        "{n_true_features} planted unit feature directions in superposition, about "
        "{mean_active:g} active per sample with exponentially decaying firing rates "
        "(Sharkey et al. 2022): the positive control."),
    "planted_sparse_correlated": (
        "The same {n_true_features} planted features, their firing correlated through a "
        "Gaussian copula (correlation {correlation:g})."),
    "planted_sparse_small_n": (
        "The same {n_true_features} planted features, trained on fewer rows than an SAE has "
        "weights: where train and held-out loss part."),
    "hierarchical_features": (
        "A forest of {n_true_features} planted features (SynthSAEBench-style): a child fires "
        "only with its parent, some siblings exclude each other, Zipfian root rates; true L0 "
        "{true_l0:.2f}. Where absorption shows: a parent latent silent when a child fires."),
    "embedding_vocabulary": (
        "Token embeddings plus noise: {n_true_features} vocabulary vectors with Zipfian "
        "frequencies, exactly one active per sample (a 'layer 0')."),
    "gaussian_mixture": (
        "A mixture of {n_true_features} tight isotropic Gaussians: about {n_true_features} "
        "'features' (the centres) and no sparse linear structure."),
    "isotropic_gaussian": (
        "An isotropic Gaussian in {dimension} dimensions: no preferred direction at all, "
        "{n_true_features} features (the pure null)."),
    "uniform_square": (
        "Uniform points in the unit square ({dimension} dimensions): {n_true_features} "
        "sparse features; does the signal fire on random points?"),
    "uniform_cube": (
        "Uniform points in the unit cube in {dimension} dimensions: {n_true_features} sparse "
        "features, corners and axes only."),
}

METRICS = {
    "mmcs": "mean over planted features of the best |cos| to an atom (size-m dictionary)",
    "recovery_rate": "fraction of planted features with an atom at |cos| > 0.9",
    "uniqueness": "distinct best-matched features / all atoms, dead ones included "
                  "(SynthSAEBench's definition; 1 = no duplicated atoms)",
    "live_uniqueness": "distinct best-matched features / live atoms (the suite's: atoms "
                       "silent on held-out rows left out; what recovers_planted reads)",
    "matched_mcc": "mean |cos| of a one-to-one (Hungarian) matching of atoms to features "
                   "(SynthSAEBench's MCC)",
    "mean_f1": "mean over all latents of the F1 of a latent's firing as a detector of its "
               "best-matched planted feature's firing, 0 where undefined, so a dead latent "
               "counts 0 (SynthSAEBench's definition)",
    "live_mean_f1": "the same F1 averaged over the latents where it is defined (the "
                    "suite's: a latent that never fires left out)",
    "l0_ratio": "held-out L0 / the planted L0 of the same rows (1 is right; below: merged or "
                "absorbed features, above: split or duplicated)",
    "absorption": "hierarchy only: mean over parents of the parent latent's miss rate when "
                  "a child fires minus its miss rate alone (0: none; 1: always absorbed)",
    "n_claimed_beyond_chance": "distinct stable directions at size m minus the 0.99 "
                               "quantile of the same count for random atoms of the same "
                               "size: the claim no_false_features reads",
    "cross_mmcs_seed": "MMCS of the live atoms against the repeat dictionary (same size, "
                       "other split and seed)",
    "false_positive_rate": "fraction of seeds on which no_false_features fails",
    "fvu_train": "fraction of variance unexplained on the training split",
    "fvu_heldout": "fraction of variance unexplained on held-out rows",
}
