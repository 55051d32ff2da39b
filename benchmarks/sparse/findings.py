"""Expected findings of the built-in dictionary learners, measured on the quick profile (3 seeds).

Quick profile: d = 32; planted data are the Sharkey et al. recipe scaled down (64 unit
features in 32 dims, mean L0 5); main dictionary m = 64 (and 2m = 128 for the cross-size
statistic); 8192 training rows per split (256 for ``planted_sparse_small_n``), 4096
held-out rows. Numbers are seed means from ``python -m reports --family sparse``.
The claim `no_false_features` reads is the count beyond chance: distinct directions alive
on held-out rows and stable in a same-size dictionary fitted on another split with another
seed, minus the 0.99 quantile of the same count for random unit atoms
(`benchmarks.sparse.false_claims`). The per-seed false-positive rate is in each record's
metrics (``false_positive_rate``, 95% Wilson).

Not a failing check, so not in the table but worth knowing: with the count read against
chance, no method claims anything on the unit square (the uncorrected count was 46-64 for
every method, random atoms included: in d = 2 any two dictionaries look alike) or on the
isotropic Gaussian; on the Gaussian mixture the ReLU SAE and k-means claim exactly its 12
centres and PCA 10.3; k-means on the unit cube claims 1 direction (the mean, which the limit
allows); the SAEs claim nothing on the cube although the data are uncentred (their decoder
bias absorbs the mean).
"""

_PCA_ICA = (
    "at most d = 32 components for 64 features in superposition: {mmcs} MMCS, "
    "recovery {rec}"
)
_RANDOM = "the null dictionary recovers nothing: MMCS {mmcs}, recovery 0.000 (negative control)"
_SMALL_N = "trained on 256 rows, fewer than the {params} parameters"
_KSPLIT = (
    "one token per sample but k = 5 active latents per sample on average ({arch}): each "
    "token is split over several atoms, MMCS {mmcs}, recovery {rec}")
_MATRYOSHKA = (
    "nested groups (m/4, m/4, m/2 latents, each prefix trained to reconstruct alone): the "
    "first group must cover 64 near-equally frequent features with 16 latents and learns "
    "blends, so MMCS {mmcs}, recovery {rec}, matched MCC {mcc} (BatchTopK at the same k: "
    "0.958 / 0.901 / 0.934 on flat features); longer training does not close it (2000 "
    "steps: MCC 0.77-0.79, tests/test_matryoshka_sae.py)")

_FROZEN = {
    "frozen_decoder_sae": "decoder frozen at its random start, only the encoder trained",
    "soft_frozen_sae": "every decoder row kept within cos 0.8 of its random start",
    "frozen_encoder_sae": "encoder frozen at its random start, the decoder trained",
}
_NULL = (
    "a training null (Korznikov et al. 2026), expected to fail: {what}; MMCS {mmcs}, "
    "recovery {rec} at held-out FVU {fvu}")
_MP = "matching_pursuit_sae"

FINDINGS = {
    # recovers_planted: complete-basis and null methods cannot, by construction.
    ("pca", "planted_sparse", "recovers_planted"): _PCA_ICA.format(mmcs="0.486", rec="0.000"),
    ("pca", "planted_sparse_correlated", "recovers_planted"):
        _PCA_ICA.format(mmcs="0.472", rec="0.000"),
    ("pca", "planted_sparse_small_n", "recovers_planted"):
        _PCA_ICA.format(mmcs="0.472", rec="0.000"),
    ("pca", "embedding_vocabulary", "recovers_planted"):
        "at most 32 components for 64 token vectors: MMCS 0.486, recovery 0.016",
    ("fastica", "planted_sparse", "recovers_planted"): _PCA_ICA.format(mmcs="0.518", rec="0.000")
        + " (its 32 atoms are unique, 1.000, but each mixes several features)",
    ("fastica", "planted_sparse_correlated", "recovers_planted"):
        _PCA_ICA.format(mmcs="0.516", rec="0.000"),
    ("fastica", "planted_sparse_small_n", "recovers_planted"):
        _PCA_ICA.format(mmcs="0.470", rec="0.000"),
    ("fastica", "embedding_vocabulary", "recovers_planted"):
        "at most 32 components for 64 token vectors: MMCS 0.489, recovery 0.000",
    ("random_atoms", "planted_sparse", "recovers_planted"): _RANDOM.format(mmcs="0.443"),
    ("random_atoms", "planted_sparse_correlated", "recovers_planted"):
        _RANDOM.format(mmcs="0.438"),
    ("random_atoms", "planted_sparse_small_n", "recovers_planted"): _RANDOM.format(mmcs="0.454"),
    ("random_atoms", "embedding_vocabulary", "recovers_planted"): _RANDOM.format(mmcs="0.442"),
    # recovers_planted: scikit-learn's dictionary learning at its defaults.
    ("dictionary_learning", "planted_sparse", "recovers_planted"): (
        "at scikit-learn's default alpha = 1 the atoms stay mixtures: MMCS 0.691, recovery "
        "0.010; its default OMP transform keeps 10% of d = 3 non-zeros per sample against a "
        "true L0 of 5 (measured: alpha 0.3 reaches MMCS 0.935, recovery 0.84 at 5x the time)"),
    ("dictionary_learning", "planted_sparse_correlated", "recovers_planted"):
        "as on independent firing: MMCS 0.654, recovery 0.000 at alpha = 1, L0 = 3 (OMP)",
    ("dictionary_learning", "planted_sparse_small_n", "recovers_planted"):
        "MMCS 0.625, recovery 0.021 at alpha = 1 on 256 rows",
    ("dictionary_learning", "embedding_vocabulary", "recovers_planted"): (
        "finds the frequent tokens twice and misses the rare ones: MMCS 0.692, recovery "
        "0.359, live uniqueness 0.505"),
    # recovers_planted: the SAEs and k-means where their assumptions break.
    ("topk_sae", "embedding_vocabulary", "recovers_planted"): (
        "one token per sample but k = 5 active latents forced on every sample: each token "
        "is split over several atoms, MMCS 0.603, recovery 0.010 (the ReLU SAE, whose L0 "
        "adapts, reaches 0.930 / 0.932)"),
    ("topk_sae", "planted_sparse_small_n", "recovers_planted"): (
        _SMALL_N.format(params="4,128 weights of a 64-latent SAE (2 m d + m + d)") +
        ": MMCS 0.749, recovery 0.161 (8192 rows: 0.962 / 0.880)"),
    ("kmeans", "planted_sparse_correlated", "recovers_planted"): (
        "one centre per sample (L0 = 1) against 5 co-firing features: MMCS 0.872, recovery "
        "0.771 (0.912 / 0.880 when features fire independently)"),
    ("kmeans", "planted_sparse_small_n", "recovers_planted"):
        "64 centres from 256 rows fit the rows, not the features: MMCS 0.680, recovery 0.068",
    # generalises: the small-sample regime.
    ("relu_sae", "planted_sparse_small_n", "generalises"): (
        _SMALL_N.format(params="4,128 weights") + " and 1000 steps over them: train FVU "
        "0.037, held-out 0.242 (its atoms still recover the features: MMCS 0.944) [stable: "
        "fails on 20 of 20 disjoint 3-seed sets of seeds 5000-5059, best set held-out FVU "
        "0.227 vs limit 0.067]"),
    ("topk_sae", "planted_sparse_small_n", "generalises"): (
        _SMALL_N.format(params="4,128 weights") + ": train FVU 0.079, held-out 0.482"),
    ("kmeans", "planted_sparse_small_n", "generalises"): (
        "64 centres on 256 rows memorise them: train FVU 0.382, held-out 0.760"),
    # The BatchTopK, JumpReLU, Gated and Matryoshka SAEs and the hierarchical features
    # (added later; stability from `python -m benchmarks.rebaseline` records of seeds 0-29:
    # each fails on all 10 disjoint 3-seed sets).
    ("batchtopk_sae", "embedding_vocabulary", "recovers_planted"):
        _KSPLIT.format(arch="BatchTopK", mmcs="0.592", rec="0.010"),
    ("matryoshka_sae", "embedding_vocabulary", "recovers_planted"):
        _KSPLIT.format(arch="Matryoshka BatchTopK", mmcs="0.544", rec="0.000"),
    ("jumprelu_sae", "embedding_vocabulary", "recovers_planted"): (
        "one token per sample, yet its L0 penalty settles at several latents per sample: "
        "tokens are shared between latents, MMCS 0.580, recovery 0.016"),
    ("gated_sae", "embedding_vocabulary", "recovers_planted"): (
        "one token per sample: MMCS 0.684, recovery 0.068 (the gate fires several latents "
        "per token at L1 0.6)"),
    ("batchtopk_sae", "planted_sparse_small_n", "recovers_planted"):
        _SMALL_N.format(params="4,128 weights") + ": MMCS 0.784, recovery 0.339",
    ("jumprelu_sae", "planted_sparse_small_n", "recovers_planted"):
        _SMALL_N.format(params="4,192 weights") + ": MMCS 0.757, recovery 0.188",
    ("gated_sae", "planted_sparse_small_n", "recovers_planted"):
        _SMALL_N.format(params="4,320 weights") + ": MMCS 0.852, recovery 0.526",
    ("matryoshka_sae", "planted_sparse_small_n", "recovers_planted"):
        _SMALL_N.format(params="4,128 weights") + ": MMCS 0.681, recovery 0.062",
    ("batchtopk_sae", "planted_sparse_small_n", "generalises"):
        _SMALL_N.format(params="4,128 weights") + ": train FVU 0.061, held-out 0.450",
    ("jumprelu_sae", "planted_sparse_small_n", "generalises"):
        _SMALL_N.format(params="4,192 weights") + ": train FVU 0.143, held-out 0.605",
    ("gated_sae", "planted_sparse_small_n", "generalises"):
        _SMALL_N.format(params="4,320 weights") + ": train FVU 0.086, held-out 0.329",
    ("matryoshka_sae", "planted_sparse_small_n", "generalises"):
        _SMALL_N.format(params="4,128 weights") + ": train FVU 0.120, held-out 0.373",
    ("matryoshka_sae", "planted_sparse", "recovers_planted"): _MATRYOSHKA.format(
        mmcs="0.835", rec="0.396", mcc="0.783"),
    ("matryoshka_sae", "planted_sparse_correlated", "recovers_planted"): _MATRYOSHKA.format(
        mmcs="0.803", rec="0.312", mcc="0.754"),
    ("matryoshka_sae", "hierarchical_features", "recovers_planted"): (
        _MATRYOSHKA.format(mmcs="0.743", rec="0.229", mcc="0.706") + "; on the hierarchy its "
        "absorption, -0.029, is below TopK's 0.098 (paired difference -0.127 [-0.146, "
        "-0.107] over seeds 0-2), BatchTopK's and ReLU's, the published advantage, but "
        "within noise of Gated's 0.031 (-0.060 [-0.128, 0.008]) and JumpReLU's 0.046 "
        "(-0.075 [-0.154, 0.003]), so not called the least of the SAEs; nor is the recovery"),
    ("batchtopk_sae", "hierarchical_features", "recovers_planted"): (
        "MMCS 0.881, recovery 0.625 on the forest (0.958 / 0.901 on flat features): L0 "
        "ratio 1.43, k = 5 latents against a true L0 of 3.6, so parents and children are "
        "shared out over extra latents"),
    ("topk_sae", "hierarchical_features", "recovers_planted"): (
        "MMCS 0.902 but recovery 0.750 on the forest (0.962 / 0.880 on flat features): "
        "absorption 0.098 (a parent's latent silent when a child fires), above BatchTopK's "
        "and Matryoshka's but within noise of ReLU's 0.054 (paired difference +0.044 "
        "[-0.009, 0.097] over seeds 0-2) and below matching pursuit's 0.173; L0 ratio "
        "1.26 with k = 5 against a true L0 of 3.6"),
    ("dictionary_learning", "hierarchical_features", "recovers_planted"): (
        "at scikit-learn's default alpha = 1, as on flat features: MMCS 0.629, recovery "
        "0.000, live uniqueness 0.552"),
    ("kmeans", "hierarchical_features", "recovers_planted"): (
        "one centre per sample (L0 = 1) against a true L0 of 3.6 with parents and children "
        "firing together: centres are blends, MMCS 0.755, recovery 0.255"),
    ("pca", "hierarchical_features", "recovers_planted"):
        _PCA_ICA.format(mmcs="0.468", rec="0.000"),
    ("fastica", "hierarchical_features", "recovers_planted"):
        _PCA_ICA.format(mmcs="0.487", rec="0.000"),
    ("random_atoms", "hierarchical_features", "recovers_planted"):
        _RANDOM.format(mmcs="0.445"),
    # no_false_features: the count beyond chance (distinct stable directions at size m minus
    # the random band's 0.99 quantile). The unit cube in d = 32 (no features; limit 0 + 1
    # for the mean of uncentred data).
    ("dictionary_learning", "uniform_cube", "no_false_features"): (
        "uncentred data: 55.0 distinct stable directions beyond chance (per seed 56, 54, 55; "
        "limit 1): copies of the mean direction (0.5, ..., 0.5) it does not remove, each "
        "mixed with a few coordinates, reproducible across splits and seeds"),
    ("fastica", "uniform_cube", "no_false_features"): (
        "32.0 directions beyond chance (limit 1): all 32 axes. The cube's coordinates are "
        "real independent non-Gaussian sources, so ICA is right that they are stable; they "
        "are not sparse features. The count measures stability, not sparsity"),
}

# The matching-pursuit SAE (Costa et al. 2025; flat planted features: MMCS 0.990,
# recovery 0.979, FVU 0.067 on seeds 0-2: the highest of the SAEs, but within noise of
# ReLU's 0.978 / 0.964 / 0.081 and BatchTopK's MMCS 0.958, paired over the seeds).
# Stability from 30-seed records (seeds 0-29, `python -m reports.findings_stability`): each
# fails on all 10 disjoint 3-seed sets; its forest finding is seed-dependent
# (VARIABLE_FINDINGS).
FINDINGS.update({
    (_MP, "embedding_vocabulary", "recovers_planted"): (
        "one token per sample, yet the pursuit goes on past it: the noise (0.05 per "
        "coordinate, residual norm about 0.28) stays above the residual threshold 0.01, so "
        "L0 is 4.95 and tokens are split over atoms: MMCS 0.596, recovery 0.000 (held-out "
        "FVU 0.004)"),
    (_MP, "planted_sparse_small_n", "recovers_planted"):
        _SMALL_N.format(params="2,080 weights of a 64-latent MP-SAE (m d + d, tied)")
        + ": MMCS 0.704, recovery 0.052",
    (_MP, "planted_sparse_small_n", "generalises"):
        _SMALL_N.format(params="2,080 weights") + ": train FVU 0.079, held-out 0.273",
})

# The random baselines of Korznikov et al. (2026): a BatchTopK SAE (k = 5) with a random
# part (methods/sparse/frozen_sae.py). Failing recovers_planted is what they are for: they
# are the floor a trained SAE's recovery must clear (BatchTopK: MMCS 0.958, recovery 0.90,
# FVU 0.11). The frozen decoder's atoms are the random atoms' own (same stream): the same
# MMCS, to the digit. Each fails on all 10 disjoint 3-seed sets of seeds 0-29 (MMCS at
# most 0.456 / 0.754 / 0.584 over the sets); the frozen decoder's small-sample
# generalises passes on all 10 (its held-out FVU is high on train rows too).
FINDINGS.update({
    ("frozen_decoder_sae", gen, "recovers_planted"): _NULL.format(
        what=_FROZEN["frozen_decoder_sae"], mmcs=mmcs, rec="0.000", fvu=fvu)
    for gen, mmcs, fvu in (("planted_sparse", "0.443", "0.538"),
                           ("planted_sparse_correlated", "0.438", "0.529"),
                           ("planted_sparse_small_n", "0.454", "0.682"),
                           ("hierarchical_features", "0.445", "0.478"),
                           ("embedding_vocabulary", "0.442", "0.478"))
})
FINDINGS.update({
    ("soft_frozen_sae", gen, "recovers_planted"): _NULL.format(
        what=_FROZEN["soft_frozen_sae"], mmcs=mmcs, rec=rec, fvu=fvu) + extra
    for gen, mmcs, rec, fvu, extra in (
        ("planted_sparse", "0.749", "0.047", "0.248",
         " (per seed 0.078, 0.016, 0.047): 75% of the variance explained while recovering "
         "5% of the features, Korznikov et al.'s 71% / 9% for trained SAEs on their "
         "synthetic data; an atom within 36.9 degrees of a random start rarely comes within "
         "25.8 degrees (|cos| 0.9) of a feature"),
        ("planted_sparse_correlated", "0.737", "0.036", "0.233", ""),
        ("planted_sparse_small_n", "0.585", "0.000", "0.505", ""),
        ("hierarchical_features", "0.637", "0.010", "0.136", ""),
        ("embedding_vocabulary", "0.493", "0.000", "0.014", ""))
})
FINDINGS.update({
    ("frozen_encoder_sae", gen, "recovers_planted"): _NULL.format(
        what=_FROZEN["frozen_encoder_sae"], mmcs=mmcs, rec="0.000", fvu=fvu)
    for gen, mmcs, fvu in (("planted_sparse", "0.569", "0.447"),
                           ("planted_sparse_correlated", "0.569", "0.432"),
                           ("planted_sparse_small_n", "0.558", "0.619"),
                           ("hierarchical_features", "0.572", "0.338"),
                           ("embedding_vocabulary", "0.557", "0.122"))
})
FINDINGS.update({
    ("soft_frozen_sae", "planted_sparse_small_n", "generalises"):
        _SMALL_N.format(params="4,192 weights (2 m d + m + d)")
        + ": train FVU 0.148, held-out 0.505",
    ("frozen_encoder_sae", "planted_sparse_small_n", "generalises"):
        _SMALL_N.format(params="2,144 trained (W_dec, b_enc, b_dec: m d + m + d)")
        + ": train FVU 0.308, held-out 0.619",
})

# Seed-dependent (non-strict xfails): pass on some seed sets, fail on others. Rates from
# `python -m reports.findings_stability` on many-seed records.
VARIABLE_FINDINGS = {
    ("dictionary_learning", "gaussian_mixture", "no_false_features"): (
        "its count beyond chance sits on the limit: 19.7 distinct stable directions for 12 "
        "clusters on seeds 0-2 (per seed 22, 15, 22; limit 1.5 x 12 + 1 = 19): near-copies "
        "of the centres at |cos| below 0.9 to one another count separately; the 3-seed mean "
        "ranges 16.7-20.3 and passes on 5 of 10 disjoint 3-seed sets of seeds 0-29"),
    ("gated_sae", "hierarchical_features", "recovers_planted"): (
        "recovery sits on the 0.8 bar on the forest: 0.797 on seeds 0-2 (MMCS 0.916, "
        "absorption 0.031, L0 ratio 0.76); the 3-seed check passes "
        "on 8 of 10 disjoint 3-seed sets of seeds 0-29"),
    ("jumprelu_sae", "hierarchical_features", "recovers_planted"): (
        "a fragile pass on the forest: MMCS 0.918, recovery 0.812 on seeds 0-2 (absorption "
        "0.047, L0 ratio 0.69: its L0 penalty keeps fewer latents than the true L0); passes "
        "on 3 of 10 disjoint 3-seed sets of seeds 0-29"),
    ("relu_sae", "planted_sparse_small_n", "recovers_planted"): (
        "a fragile pass: on 256 rows the ReLU SAE's recovery sits on the 0.8 bar (per seed "
        "0.66-0.92, median 0.81; MMCS 0.88-0.96): the 3-seed mean passes on the CI seeds 0-2 "
        "and on 10 of 20 disjoint 3-seed sets of seeds 5000-5059 (95% Wilson [0.30, 0.70]), "
        "so at this sample size recovery is a coin flip, not a property"),
    (_MP, "hierarchical_features", "recovers_planted"): (
        "MMCS 0.928 but recovery 0.755 on the forest on seeds 0-2 (per seed 0.750, 0.734, "
        "0.781; 0.990 / 0.979 on flat features): the most absorption of the SAEs (0.173: a "
        "parent's latent silent when a child fires; above TopK's 0.098, the next, by "
        "+0.075 [0.009, 0.142], paired over seeds 0-2) and L0 ratio 1.38, k = 5 "
        "steps against a true L0 of 3.6, so the published advantage of pursuit on "
        "hierarchies does not show at this scale; the 3-seed check passes on 2 of 10 "
        "disjoint 3-seed sets of seeds 0-29 (recovery median 0.753)"),
}
