"""The sparse-feature family: does a dictionary learner report features that are not there?

The question for a user: "my dictionary-learning method says my activations contain N
features; would it say the same about data that has no such features?" Every method runs
on planted sparse features (the positive control: Sharkey et al. 2022, scaled down in the
quick profile), on token embeddings (one feature per sample), and on data without sparse
features (a Gaussian mixture, an isotropic Gaussian, the unit square and the unit cube).

Per seed, with every random stream from the seed's `benchmarks.seeding.SeedStreams`:

- two dictionaries of size ``m`` are fitted, each on its **own split** and with its **own
  method stream** (``streams.method(i)``): the main one (split 0) and a repeat (split 1, for
  cross-seed stability). Other sizes (Sharkey et al.'s "next larger dictionary" and the whole
  ladder from a quarter of the true count to 8x it, with the cross-size signal) are the
  feature-count study's (`benchmarks.sparse.ladder`): the grid reads the claim at size
  ``m`` only. Fitting the comparison dictionary on another sample matters:
  with one shared sample, 8 MiniBatchDictionaryLearning atoms on an isotropic Gaussian were
  all "stable" across seeds, locked onto chance structure of that sample's covariance.
- split 5 (``n_heldout`` rows) is held out: codes, liveness, reconstruction and every
  similarity to ground truth are measured there; the training loss is measured on split 0.
- the random-atom band (`metrics.feature_count.ladder_band`) draws from the ``PROBE``
  stream: it is the chance reference the claimed count is read against.

Dictionary size (the rule for every method, built-in or a user's): the family calls
``method.build(train, seed)`` and then sets ``n_components`` to the cell's size, through
``set_params`` when the estimator has it, else as an attribute when it has one; an
estimator with neither keeps its own size. Methods
that cannot be overcomplete (scikit-learn's `PCA` and `FastICA`, and subclasses) get
``min(size, d)``: they have at most ``d`` components, which is exactly why they cannot
recover 64 features in 32 dimensions.

Centring: the data are given to every method as generated, uncentred (real activations
are). The mean of uncentred data is one genuinely stable direction (the unit cube's
diagonal), so `no_false_features` allows one claimed feature beyond the true count.

Reconstruction: ``inverse_transform(codes)`` when the method has one (PCA's and
FastICA's add the mean back), else ``codes @ components_``; the loss is the fraction of
variance unexplained, ``FVU = 1 - R^2`` (`metrics.reconstruction.explained_variance`,
where the mean predictor scores R^2 = 0).

The ``planted_sparse_small_n`` generator trains on ``n_small`` rows, fewer than a quick
SAE's parameters (``2 m d`` weights), so train and held-out loss can part (`generalises`).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.decomposition import PCA, FastICA, MiniBatchDictionaryLearning
from sklearn.exceptions import ConvergenceWarning

from benchmarks.profiles import Profile
from benchmarks.seeding import SeedStreams
from benchmarks.signatures import fit_parameters, needs_labels, parameters, required
from benchmarks.sparse.false_claims import claim_limit, seed_false_positive
from benchmarks.spec import GeneratorSpec, MethodSpec, seeded
from generators.embedding_vocabulary import make_embedding_vocabulary
from generators.gaussian_mixture import make_gaussian_mixture
from generators.hierarchical_features import make_hierarchical_features
from generators.isotropic_gaussian import make_isotropic_gaussian
from generators.planted_sparse import make_planted_sparse
from generators.uniform_cube import make_uniform_cube
from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.frozen_sae import FrozenSAE
from methods.sparse.gated_sae import GatedSAE
from methods.sparse.jumprelu_sae import JumpReluSAE
from methods.sparse.kmeans_atoms import KMeansAtoms
from methods.sparse.matching_pursuit_sae import MatchingPursuitSAE
from methods.sparse.matryoshka_sae import MatryoshkaSAE
from methods.sparse.random_atoms import RandomAtoms
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.topk_sae import TopKSAE
from metrics.absorption import absorption, feature_splitting, l0_ratio
from metrics.claimed_features import alive_atoms, stable_atoms
from metrics.dictionary_similarity import (
    cross_mmcs,
    dead_fraction,
    latent_precision_recall,
    live_uniqueness,
    matched_mcc,
    mean_l0,
    mmcs,
    recovery_rate,
    uniqueness,
)
from metrics.feature_count import beyond_chance, ladder_band, size_statistics
from metrics.reconstruction import explained_variance, shrinkage
from metrics.statistics import mean_over_seeds, rate_over_seeds

NAME = "sparse"

# Per-profile sizes. ``d``: dimension; ``n_atoms``: planted features (2 d, as Sharkey et
# al.'s 512 in 256); ``m``: main dictionary size (= the planted count; the grid also fits
# m/4, m/2 and 2m); ``n_train``: rows of each fitting split; ``n_small``: rows of each
# fitting split of ``planted_sparse_small_n``; ``n_heldout``: rows of the scoring split.
# Budgets are in optimiser steps, batch sizes and passes over the data, never seconds.
# Quick SAE budgets, measured on the quick planted data (3 data seeds, m = 64): ReluSAE at
# lr 1e-2, 1000 x 512 reaches MMCS 0.96-0.99, recovery 0.92-1.00 (lr 3e-3 needs 2000
# steps for 0.94 / 0.88); TopKSAE at lr 1e-2, 500 x 256 reaches 0.97 / 0.89-0.92.
# MatchingPursuitSAE (k = 5) at lr 1e-2, 500 x 256: MMCS 0.986-0.987, recovery 0.94-0.95,
# 0.5 s a fit (250 steps: recovery 0.91-0.95). The frozen baselines (FrozenSAE, BatchTopK
# k = 5) at lr 1e-2, 500 x 256 are at their plateau: 1000 steps move held-out FVU by under
# 0.006 (frozen decoder 0.548 -> 0.542, soft-frozen 0.247 -> 0.243, frozen encoder 0.452 ->
# 0.452) and MMCS by under 0.004; 0.6-0.85 s a fit on the loaded 2 cores.
# MiniBatchDictionaryLearning keeps scikit-learn's objective and defaults (alpha 1, OMP
# codes) but is fitted by coordinate descent: the same result as LARS on the planted data
# (MMCS 0.675 both) and 10x faster on the isotropic Gaussian (0.4 s vs 4-5 s per fit);
# two passes (max_iter = 2, 32 minibatches of 256 each) give the same MMCS as ten
# (0.675 at m = 64; its early stopping ends most fits after about 43 steps anyway).
# Fixed budgets leave solvers unconverged by design: ConvergenceWarning is silenced.
SIZES = {
    "quick": {
        "d": 32, "n_atoms": 64, "m": 64, "n_train": 8192, "n_small": 256, "n_heldout": 4096,
        "n_centres": 12, "vocab_size": 64,
        "relu_sae": {"n_steps": 1000, "batch_size": 512, "learning_rate": 1e-2},
        "topk_sae": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
        "batchtopk_sae": {"n_steps": 1000, "batch_size": 256, "learning_rate": 1e-2},
        "jumprelu_sae": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
        "gated_sae": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
        "matryoshka_sae": {"n_steps": 1000, "batch_size": 256, "learning_rate": 1e-2},
        "matching_pursuit_sae": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
        "frozen_sae": {"n_steps": 500, "batch_size": 256, "learning_rate": 1e-2},
        "dictionary_learning": {"max_iter": 2, "fit_algorithm": "cd"},
        "kmeans": {"max_iter": 100},
        "forest": {"n_roots": 16, "branching": 3, "depth": 2, "mean_active_roots": 2.0},
    },
    "full": {
        "d": 256, "n_atoms": 512, "m": 512, "n_train": 200_000, "n_small": 2048,
        "n_heldout": 20_000, "n_centres": 12, "vocab_size": 512,
        "relu_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "topk_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "batchtopk_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "jumprelu_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "gated_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "matryoshka_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "matching_pursuit_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "frozen_sae": {"n_steps": 2000, "batch_size": 4096, "learning_rate": 3e-3},
        "dictionary_learning": {"max_iter": 10, "fit_algorithm": "cd"},
        "kmeans": {"max_iter": 100},
        "forest": {"n_roots": 128, "branching": 3, "depth": 2, "mean_active_roots": 8.0},
    },
}

# The contract tests' budgets (`MethodSpec.tiny`): a handful of atoms and steps, so that
# a fit costs milliseconds. k = 1: scikit-learn's checks set n_components = 1 on estimators
# that have it, and k cannot exceed it.
TINY_SAE = {"n_components": 4, "n_steps": 5, "batch_size": 8}
TINY_ATOMS = {"n_components": 4}

# Splits of a generator at one grid seed (see the module docstring; splits 2-4 are no
# longer fitted: the ladder study measures other sizes).
MAIN, REPEAT, HELDOUT = 0, 1, 5
# (name, split, size as a multiple of m), fitted in this order with method streams 0, 1.
FITS = (("main", MAIN, 1.0), ("repeat", REPEAT, 1.0))
# Estimators with at most d components.
COMPLETE_BASIS = (PCA, FastICA)
# Seed means (MMCS, losses, counts) are described with a 95% Student-t interval and the
# false-positive rate with a 95% Wilson interval: with 3 seeds they describe, the checks
# read point values.
DESCRIPTIVE_CONFIDENCE = 0.95


def sparse_generators(profile: Profile) -> list[GeneratorSpec]:
    """The sparse generators at the profile's size (``n_samples`` = rows of a fitting split)."""
    s = SIZES[profile.name]
    d, n = s["d"], s["n_train"]
    planted = dict(n_samples=n, n_features=d, n_atoms=s["n_atoms"])
    return [
        GeneratorSpec("planted_sparse", NAME, make_planted_sparse, planted),
        GeneratorSpec("planted_sparse_correlated", NAME, make_planted_sparse,
                      dict(planted, correlated=True)),
        GeneratorSpec("planted_sparse_small_n", NAME, make_planted_sparse,
                      dict(planted, n_samples=s["n_small"])),
        GeneratorSpec("hierarchical_features", NAME, make_hierarchical_features,
                      dict(n_samples=n, n_features=d, **s["forest"])),
        GeneratorSpec("embedding_vocabulary", NAME, make_embedding_vocabulary,
                      dict(n_samples=n, n_features=d, vocab_size=s["vocab_size"])),
        GeneratorSpec("gaussian_mixture", NAME, make_gaussian_mixture,
                      dict(n_samples=n, n_features=d, n_centres=s["n_centres"])),
        GeneratorSpec("isotropic_gaussian", NAME, make_isotropic_gaussian,
                      dict(n_samples=n, n_features=d)),
        GeneratorSpec("uniform_square", NAME, make_uniform_cube,
                      dict(n_samples=n, n_features=2)),
        GeneratorSpec("uniform_cube", NAME, make_uniform_cube,
                      dict(n_samples=n, n_features=d)),
    ]


def sparse_methods(profile: Profile) -> list[MethodSpec]:
    """The built-in dictionary learners with the profile's fixed budgets.

    ``n_components`` is set by the family after ``build`` (see the module docstring).
    The SAEs' l1 / k and learning rate are passed explicitly so that a change of their
    defaults does not silently change these cells.

    The family's one list of built-in dictionary learners: a new one is its file in
    ``methods/sparse/`` and one line here (docs/adding.md). ``tiny`` holds the budgets the
    contract tests fit it with (`benchmarks.families.Family.tiny_instance`).
    """
    s = SIZES[profile.name]
    return [
        MethodSpec("relu_sae", NAME,
                   seeded(ReluSAE, l1_coeff=0.1, **s["relu_sae"]), tiny=TINY_SAE,
                   description="ReLU + L1 sparse autoencoder (Sharkey+ 2022)"),
        MethodSpec("topk_sae", NAME,
                   seeded(TopKSAE, k=5, **s["topk_sae"]),
                   tiny=dict(TINY_SAE, k=1, dead_after=8),
                   description="TopK sparse autoencoder, k=5, AuxK (Gao+ 2024)"),
        MethodSpec("batchtopk_sae", NAME,
                   seeded(BatchTopKSAE, k=5, **s["batchtopk_sae"]), tiny=dict(TINY_SAE, k=1),
                   description="BatchTopK sparse autoencoder, k=5 per sample on average "
                               "(Bussmann+ 2024)"),
        MethodSpec("jumprelu_sae", NAME,
                   seeded(JumpReluSAE, l0_coeff=0.05, **s["jumprelu_sae"]), tiny=TINY_SAE,
                   description="JumpReLU sparse autoencoder, L0 penalty 0.05 "
                               "(Rajamanoharan+ 2024)"),
        MethodSpec("gated_sae", NAME,
                   seeded(GatedSAE, l1_coeff=0.6, **s["gated_sae"]), tiny=TINY_SAE,
                   description="Gated sparse autoencoder, L1 0.6 (Rajamanoharan+ 2024)"),
        MethodSpec("matryoshka_sae", NAME,
                   seeded(MatryoshkaSAE, k=5, **s["matryoshka_sae"]),
                   tiny=dict(TINY_SAE, k=1),
                   description="Matryoshka BatchTopK SAE, k=5, groups (1/4, 1/4, 1/2) "
                               "(Bussmann+ 2025)"),
        MethodSpec("matching_pursuit_sae", NAME,
                   seeded(MatchingPursuitSAE, k=5, **s["matching_pursuit_sae"]),
                   tiny=dict(TINY_SAE, k=2),
                   description="matching-pursuit SAE, at most k=5 greedy steps on the decoder's "
                               "atoms (Costa+ 2025)"),
        MethodSpec("frozen_decoder_sae", NAME,
                   seeded(FrozenSAE, frozen="decoder", k=5, **s["frozen_sae"]),
                   tiny=dict(TINY_SAE, k=1),
                   description="BatchTopK SAE, k=5, decoder frozen at random: a training null "
                               "(Korznikov+ 2026)"),
        MethodSpec("soft_frozen_sae", NAME,
                   seeded(FrozenSAE, frozen="soft_decoder", min_cosine=0.8, k=5,
                          **s["frozen_sae"]),
                   tiny=dict(TINY_SAE, k=1),
                   description="BatchTopK SAE, k=5, decoder rows within cos 0.8 of a random "
                               "start: a training null (Korznikov+ 2026)"),
        MethodSpec("frozen_encoder_sae", NAME,
                   seeded(FrozenSAE, frozen="encoder", k=5, **s["frozen_sae"]),
                   tiny=dict(TINY_SAE, k=1),
                   description="BatchTopK SAE, k=5, encoder frozen at random: a training null "
                               "(Korznikov+ 2026)"),
        MethodSpec("dictionary_learning", NAME,
                   seeded(MiniBatchDictionaryLearning, **s["dictionary_learning"]),
                   tiny=TINY_ATOMS,
                   description="scikit-learn MiniBatchDictionaryLearning (alpha 1, OMP codes; "
                               "fitted by coordinate descent)"),
        MethodSpec("kmeans", NAME, seeded(KMeansAtoms, **s["kmeans"]),
                   tiny={"n_components": 2, "max_iter": 5},
                   description="k-means centres, one-hot codes (L0 = 1)"),
        MethodSpec("pca", NAME, seeded(PCA), tiny=TINY_ATOMS,
                   description="scikit-learn PCA (at most d components)"),
        MethodSpec("fastica", NAME, seeded(FastICA), tiny=TINY_ATOMS,
                   description="scikit-learn FastICA (at most d components)"),
        MethodSpec("random_atoms", NAME, seeded(RandomAtoms), tiny=TINY_ATOMS,
                   description="random unit atoms, least-squares codes: the null dictionary"),
    ]


def sparse_interface(cls) -> bool:
    """Whether a user's class is a dictionary learner: it has ``transform``, its ``fit``
    needs no labels and requires at most ``X``, and it has ``n_components`` in its
    constructor or an ``inverse_transform``."""
    if not hasattr(cls, "transform") or needs_labels(cls) \
            or len(required(fit_parameters(cls))) > 1:
        return False
    init = [p.name for p in parameters(cls.__init__)]
    return "n_components" in init or hasattr(cls, "inverse_transform")


def set_size(estimator, size: int, n_features: int):
    """Set ``n_components`` of an unfitted estimator to ``size`` (the family's size rule).

    ``set_params`` when the estimator has it and lists ``n_components``; else the attribute
    when it exists; else nothing. `COMPLETE_BASIS` estimators get ``min(size, d)``.
    """
    if isinstance(estimator, COMPLETE_BASIS):
        size = min(size, n_features)
    get = getattr(estimator, "get_params", None)
    if callable(get) and hasattr(estimator, "set_params") and "n_components" in get():
        estimator.set_params(n_components=size)
    elif hasattr(estimator, "n_components"):
        estimator.n_components = size
    return estimator


def _finite(name: str, arr: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _codes(estimator, X: np.ndarray, n_atoms: int) -> np.ndarray:
    """``transform(X)`` checked: shape (n, n_atoms), finite, float64."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        codes = np.asarray(estimator.transform(X), dtype=np.float64)
    if codes.shape != (X.shape[0], n_atoms):
        raise ValueError(f"transform returned shape {codes.shape}, expected "
                         f"({X.shape[0]}, {n_atoms}) (n_samples, rows of components_)")
    return _finite("transform output", codes)


def _components(estimator, n_features: int) -> np.ndarray:
    """``components_`` checked: 2-D (m, d) with m >= 1, finite, float64."""
    if not hasattr(estimator, "components_"):
        raise ValueError("fitted method has no components_ (the dictionary, shape (m, d))")
    W = np.asarray(estimator.components_, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] < 1 or W.shape[1] != n_features:
        raise ValueError(f"components_ has shape {W.shape}, expected (m, {n_features})")
    return _finite("components_", W)


def reconstruct(estimator, codes: np.ndarray, n_samples: int, n_features: int) -> np.ndarray:
    """``inverse_transform(codes)`` when the method has one, else ``codes @ components_``."""
    if hasattr(estimator, "inverse_transform"):
        X_hat = np.asarray(estimator.inverse_transform(codes), dtype=np.float64)
    else:
        X_hat = codes @ np.asarray(estimator.components_, dtype=np.float64)
    if X_hat.shape != (n_samples, n_features):
        raise ValueError(f"reconstruction has shape {X_hat.shape}, expected "
                         f"({n_samples}, {n_features})")
    return _finite("reconstruction", X_hat)


def _fit(method: MethodSpec, generator: GeneratorSpec, streams: SeedStreams, index: int,
         split: int, size: int):
    """Build, size and fit one dictionary on ``split``; return (estimator, train, seconds)."""
    train = generator.dataset(streams, split)
    est = method.build(train, streams.method(index))
    set_size(est, size, train.n_features)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = est.fit(train.X)
    elapsed = time.perf_counter() - start
    return (fitted if fitted is not None else est), train, elapsed


def _fvu(X: np.ndarray, X_hat: np.ndarray) -> float:
    """Fraction of variance unexplained, ``1 - R^2``."""
    return 1.0 - explained_variance(X, X_hat)


def score_sparse_seed(method: MethodSpec, generator: GeneratorSpec, streams: SeedStreams,
                      profile: Profile) -> dict:
    """Everything measured for one seed of one cell (raises if the method misbehaves)."""
    s = SIZES[profile.name]
    m = s["m"]
    test = generator.dataset(streams, HELDOUT, n_samples=s["n_heldout"])
    truth = test.ground_truth
    d = test.n_features
    fits, heldout_codes, atoms, fit_time = {}, {}, {}, 0.0
    for index, (name, split, mult) in enumerate(FITS):
        est, train, elapsed = _fit(method, generator, streams, index, split,
                                   max(1, int(round(mult * m))))
        W = _components(est, d)
        fits[name], atoms[name] = est, W
        heldout_codes[name] = _codes(est, test.X, W.shape[0])
        if name == "main":
            main_train, fit_time = train, elapsed

    A, codes = atoms["main"], heldout_codes["main"]
    X_hat = reconstruct(fits["main"], codes, test.n_samples, d)
    tr_codes = _codes(fits["main"], main_train.X, A.shape[0])
    tr_hat = reconstruct(fits["main"], tr_codes, main_train.n_samples, d)
    alive = alive_atoms(codes)
    beyond = _claimed_beyond_chance(atoms, heldout_codes, d, streams)
    # None: a user's generator that does not say how many features its data hold
    n_true = int(truth["n_true_features"]) if "n_true_features" in truth else None
    has_features = "features" in truth
    result = {
        "seed": streams.seed,
        "status": "ok",
        "ground_truth": main_train.facts(),
        "n_features": d,
        "n_true_features": n_true,
        "has_features": has_features,
        "n_atoms": int(A.shape[0]),
        "n_alive": int(alive.sum()),
        "dead_fraction": dead_fraction(codes),
        "mean_l0": mean_l0(codes),
        "fvu_train": _fvu(main_train.X, tr_hat),
        "fvu_heldout": _fvu(test.X, X_hat),
        "n_train": main_train.n_samples,
        "shrinkage": shrinkage(test.X, X_hat),
        "n_claimed_beyond_chance": beyond,
        "n_stable_seed": int(np.sum(alive & stable_atoms(A, atoms["repeat"]))),
        "cross_mmcs_seed": cross_mmcs(A[alive], atoms["repeat"]) if alive.any() else 0.0,
        "fit_time_s": fit_time,
        "sizes": {name: int(atoms[name].shape[0]) for name, _, _ in FITS},
    }
    if has_features:
        F = truth["features"]
        result.update({
            "mmcs": mmcs(A, F),
            "recovery_rate": recovery_rate(A, F),
            "uniqueness": uniqueness(A, F),
            "live_uniqueness": live_uniqueness(A, F, alive),
            "matched_mcc": matched_mcc(A, F),
            **_code_scores(codes, truth, A, F),
        })
    elif n_true is not None:
        result["claim_limit"] = claim_limit(n_true)
        result["false_positive"] = seed_false_positive(result)
    return result


# The probe stream of the chance band of the distinct-direction count (streams 0-3 were
# the uncorrected count's band and a cross-size curve's, now the ladder study's; kept
# unused so that this stream stays that of earlier runs).
BEYOND_CHANCE_STREAM = 4


def _claimed_beyond_chance(atoms: dict, heldout_codes: dict, d: int,
                           streams: SeedStreams) -> float:
    """The ladder study's reading of the claim at size m, with the fits the grid already has.

    Distinct directions (atoms within |cos| 0.9 count once) alive on held-out rows in the
    main dictionary and stable in the repeat (`metrics.feature_count.size_statistics`),
    minus the 0.99 quantile of the same count for random unit atoms of the same live counts
    and dimension (`ladder_band`), clipped at 0: random atoms exceed it at most at that
    rate. `no_false_features` reads it (`benchmarks.sparse.false_claims`).
    """
    stats = size_statistics(atoms["main"], heldout_codes["main"], atoms["repeat"],
                            heldout_codes["repeat"])
    band = ladder_band(stats["n_alive"], stats["n_other_alive"], d,
                       random_state=streams.probe(BEYOND_CHANCE_STREAM))
    return float(beyond_chance(stats["n_distinct"], band["n_distinct"]["high"]))


def _code_scores(codes: np.ndarray, truth: dict, atoms: np.ndarray, features: np.ndarray
                 ) -> dict:
    """Per-latent F1 and L0 against the planted codes of the held-out rows, where given.

    ``mean_f1``: mean over all latents of the F1 of each latent's firing as a detector of
    its best-matched feature's firing, 0 where undefined (SynthSAEBench's averaging: a dead
    latent counts 0); ``live_mean_f1``: the same mean over the latents whose F1 is defined
    (the suite's earlier reading; both from `latent_precision_recall`); ``l0_ratio``:
    held-out L0 over the planted L0 of the same rows (`metrics.absorption.l0_ratio`).
    On a hierarchy (the generator returns each feature's ``parent``): ``absorption`` and
    ``full_absorption``, means over the scored parents of `metrics.absorption.absorption`
    (the parent latent's miss rate when a child fires minus its miss rate alone; Chanin et
    al.'s full-absorption criterion), and ``feature_splitting``, the fraction of features
    split over several partial latents (`metrics.absorption.feature_splitting`).
    """
    if "codes" not in truth:
        return {}
    C = truth["codes"]
    pr = latent_precision_recall(codes, C, atoms, features)
    out = {"mean_f1": pr["mean_f1"], "live_mean_f1": pr["live_mean_f1"],
           "l0_ratio": float(l0_ratio(codes, C)["ratio"])}
    if "parent" in truth:
        ab = absorption(codes, C, atoms, features, truth["parent"])
        out["feature_splitting"] = float(
            feature_splitting(codes, C, atoms, features)["split_fraction"])
        # NaN when no parent could be scored (no live latent, too few samples): left out,
        # and `aggregate_sparse` then reports no absorption for the cell.
        for key, name in (("mean_absorption", "absorption"),
                          ("mean_full_absorption", "full_absorption")):
            if np.isfinite(ab[key]):
                out[name] = float(ab[key])
    return out


def _point(value: float, n: int) -> dict:
    """A degenerate Estimate dict: a fact of the cell, not a measurement with spread."""
    return {"value": float(value), "low": float(value), "high": float(value), "n": int(n),
            "confidence": 1.0}


_MEANS = ("n_atoms", "n_alive", "dead_fraction", "mean_l0", "fvu_train", "fvu_heldout",
          "shrinkage", "n_claimed_beyond_chance", "n_stable_seed", "cross_mmcs_seed",
          "fit_time_s")
_PLANTED_MEANS = ("mmcs", "recovery_rate", "uniqueness", "live_uniqueness", "matched_mcc")
# Where the generator returns its planted codes (not the vocabulary: one token per sample);
# the last three on a hierarchy only. A key is pooled when every seed has it.
_CODE_MEANS = ("mean_f1", "live_mean_f1", "l0_ratio", "absorption", "full_absorption",
               "feature_splitting")


def aggregate_sparse(seed_results: list[dict]) -> dict:
    """Pool per-seed results into metric estimates (name -> Estimate dict).

    Seed means carry a 95% Student-t interval. ``false_positive_rate`` is the fraction of
    seeds on which `no_false_features` fails by its own rule, with a 95% Wilson interval
    (feature-less generators only). ``has_features``, ``n_true_features`` and
    ``claim_limit`` are facts of the generator (degenerate intervals).
    """
    first = seed_results[0]
    n = len(seed_results)
    keys = _MEANS + (_PLANTED_MEANS if first["has_features"] else ()) + tuple(
        k for k in _CODE_MEANS if all(k in r for r in seed_results))
    metrics = {k: mean_over_seeds([r[k] for r in seed_results],
                                  confidence=DESCRIPTIVE_CONFIDENCE).to_dict() for k in keys}
    metrics["has_features"] = _point(float(first["has_features"]), n)
    if first["n_true_features"] is not None:
        metrics["n_true_features"] = _point(first["n_true_features"], n)
    metrics["n_features"] = _point(first["n_features"], n)
    if "claim_limit" in first:
        metrics["claim_limit"] = _point(first["claim_limit"], n)
        metrics["false_positive_rate"] = rate_over_seeds(
            [r["false_positive"] for r in seed_results],
            confidence=DESCRIPTIVE_CONFIDENCE).to_dict()
    return metrics


# The family's standard size for timing a user's method: the built-in speed benchmarks'
# data (`benchmarks.sparse.test_speed`), 512 planted features in d = 256, 4096 rows, and
# a dictionary of 512 atoms.
SPEED_SIZE = {"n_samples": 4096, "n_features": 256, "n_atoms": 512}
SPEED_COMPONENTS = 512


def time_sparse_method(method: MethodSpec, streams: SeedStreams) -> dict:
    """Seconds of one ``fit`` and one ``transform`` of the same rows, at `SPEED_SIZE`.

    Reported beside a user's method, not asserted (the machine's speed is not theirs).
    """
    spec = GeneratorSpec("planted_sparse", NAME, make_planted_sparse, SPEED_SIZE)
    est, data, fit_s = _fit(method, spec, streams, 0, MAIN, SPEED_COMPONENTS)
    start = time.perf_counter()
    est.transform(data.X)
    return {"size": "planted_sparse, n=4096, d=256, 512 atoms", "fit_s": fit_s,
            "apply_s": time.perf_counter() - start}
