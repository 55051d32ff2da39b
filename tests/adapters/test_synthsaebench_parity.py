"""SynthSAEBench parity: on the same SAELens SAE and the same rows, every number of
``sae_lens.synthetic.eval_sae_on_synthetic_data`` equals the suite's.

The suite's side is `metrics.synthetic_eval.SyntheticEval` fed batch by batch with the SAE's
own ``encode`` / ``decode`` outputs (converted to numpy float64), the module's single
functions on all rows at once, and the suite's functions of the same names
(`metrics.dictionary_similarity.matched_mcc`, `uniqueness`, the ``mean_*`` of
`latent_precision_recall`, `metrics.reconstruction`). Same rows: the feature activations of
a small hierarchical `SyntheticModel` (128 features in 24 dimensions, correlated through
the hierarchy) are drawn once, and the library reads them through a stand-in generator
whose ``sample(n)`` replays them batch by batch, so both sides see identical rows in
identical batches.

Cases: standard (ReLU), TopK and JumpReLU SAEs at random init, with weights set to the
features plus noise, and after 40 training steps of SAELens' own trainer; more latents than
features and fewer; latents made dead (zero encoder column, negative bias) and a zero
decoder row (the library matches it to feature 0); zero rows and rows of norm 1e-7 (both
left out of shrinkage), a negative true activation (counted by true L0, not firing for the
classification metrics); dense and sparse true codes; five batches of 600, 600, 600, 600 and
100 rows.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import sparse

torch = pytest.importorskip("torch")
# sae_lens takes ~12 s to import: skip on its presence and import it in a fixture (not at
# collection, which every pytest-xdist worker would pay); keep its tests on one worker.
pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("sae_lens") is None,
                       reason="sae-lens not installed (requirements-adapters.txt)"),
    pytest.mark.xdist_group("sae_lens"),
]

from metrics import dictionary_similarity as ds  # noqa: E402
from metrics import reconstruction, synthetic_eval  # noqa: E402
from metrics.synthetic_eval import SyntheticEval  # noqa: E402

# Float numbers agree to float32 precision. The library computes in float32 on torch
# (cosines, per-latent rates and their means, the per-batch sums of squares and norm
# ratios), and accumulates across batches in float64 (`.item()`); torch's reductions are
# pairwise, so a float32 sum of N terms is off by about log2(N) * 6e-8 relative, at most
# ~1.3e-6 for the 2500 x 24 squares here (measured: 1e-8 to 1.4e-7). RTOL leaves a decade.
# ATOL is for means near 0 (rates of a random SAE, ~1e-3), a decade above their float32
# rounding. Explained variance is compared as 1 - R^2, a ratio of two such sums, whose
# relative error is bounded (R^2 itself can be -40 for a random SAE, or near 0).
RTOL, ATOL = 1e-5, 1e-6
# Counts are exact on both sides: float32 sums of 0/1 below 2^24 are exact, so true L0,
# SAE L0, dead latents and uniqueness (a ratio of two integers) are compared with ==.
EXACT_KEYS = ("true_l0", "sae_l0", "dead_latents", "uniqueness")
ROUNDED_KEYS = ("shrinkage", "mcc", "precision", "recall", "f1_score", "accuracy")
N_ROWS, BATCH = 2500, 600
N_FEATURES, D = 128, 24


@pytest.fixture(scope="module")
def lib():
    """``sae_lens`` and the parts of it this file uses, imported when a test needs them."""
    sae_lens = pytest.importorskip("sae_lens")
    torch.set_num_threads(1)
    from sae_lens import saes, synthetic
    from sae_lens.synthetic import training
    from sae_lens.synthetic.synthetic_model import SyntheticModelConfig

    return {"sae_lens": sae_lens, "saes": saes, "synthetic": synthetic,
            "training": training, "SyntheticModelConfig": SyntheticModelConfig}


class Replay:
    """A stand-in activation generator: ``sample(n)`` returns the next ``n`` stored rows."""

    def __init__(self, rows):
        self.rows, self.start = rows, 0

    def sample(self, n: int):
        out = self.rows[self.start:self.start + n]
        self.start += n
        return out


@dataclass
class Data:
    model: object         # the SyntheticModel (hierarchy, feature dictionary with a bias)
    plain: object         # a FeatureDictionary without bias: zero codes give x = 0
    acts: object          # (N_ROWS, N_FEATURES) feature activations, drawn once
    edge_acts: object     # the same with zero rows, rows of norm 1e-7, a negative code


@pytest.fixture(scope="module")
def data(lib):
    syn = lib["synthetic"]
    # Zipfian rates 0.3 to 0.03, raised where the hierarchy gates children (some clamp at
    # 1, which the library logs): about 5 features per row.
    cfg = lib["SyntheticModelConfig"](
        num_features=N_FEATURES, hidden_dim=D, seed=0, std_firing_magnitudes=0.3,
        firing_probability=syn.ZipfianFiringProbabilityConfig(exponent=0.7, max_prob=0.3,
                                                              min_prob=0.03),
        hierarchy=syn.HierarchyConfig(total_root_nodes=16, branching_factor=3, max_depth=2,
                                      mutually_exclusive_portion=0.5,
                                      compensate_probabilities=True))
    model = syn.SyntheticModel(cfg)
    plain = syn.FeatureDictionary(N_FEATURES, D, bias=False, initializer=None, seed=1)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        acts = model.activation_generator.sample(N_ROWS)
    edge = acts.clone()
    edge[:10] = 0.0                      # x = 0: skipped by shrinkage
    edge[10:15] = 0.0
    edge[10:15, 3] = 1e-7                # ||x|| = 1e-7 <= 1e-6 (unit features): skipped
    edge[15:20, 5] = -0.5                # non-zero for true L0, not firing (> 0) for F1
    edge[700:705] = 0.0                  # zero rows in another batch too
    return Data(model, plain, acts, edge)


def _seeded(build, seed: int):
    """``build()`` with torch's global generator seeded, then restored."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return build()


def _library(lib, sae, feature_dict, acts) -> dict:
    res = lib["synthetic"].eval_sae_on_synthetic_data(
        sae, feature_dict, Replay(acts), num_samples=len(acts), batch_size=BATCH)
    out = res.to_dict()
    return {**{k: v for k, v in out.items() if k != "classification"},
            **out["classification"]}


def _ours(sae, feature_dict, acts, sparse_truth: bool):
    """SyntheticEval over the same batches, and all rows as numpy float64."""
    sae.eval()
    W = sae.W_dec.detach().double().numpy()
    V = feature_dict.feature_vectors.detach().double().numpy()
    ev = SyntheticEval(W, V)
    rows = {"X": [], "X_hat": [], "Z": [], "C": []}
    with torch.no_grad():
        for start in range(0, len(acts), BATCH):
            f = acts[start:start + BATCH]
            h = feature_dict(f)
            z = sae.encode(h)
            batch = {"X": h, "X_hat": sae.decode(z), "Z": z, "C": f}
            batch = {k: v.double().numpy() for k, v in batch.items()}
            truth = sparse.csr_array(batch["C"]) if sparse_truth else batch["C"]
            ev.add_batch(batch["X"], batch["X_hat"], batch["Z"], truth)
            for k, v in batch.items():
                rows[k].append(v)
    return ev, W, V, {k: np.concatenate(v) for k, v in rows.items()}


def _assert_same(ours: dict, theirs: dict, what: str):
    for key in EXACT_KEYS:
        assert ours[key] == theirs[key], (what, key, ours[key], theirs[key])
    for key in ROUNDED_KEYS:
        assert ours[key] == pytest.approx(theirs[key], rel=RTOL, abs=ATOL), (what, key)
    assert 1 - ours["explained_variance"] == pytest.approx(
        1 - theirs["explained_variance"], rel=RTOL), what


# --- the SAEs ---------------------------------------------------------------------------------

def _standard(lib, d_sae):
    s = lib["saes"]
    return s.StandardSAE(s.StandardSAEConfig(d_in=D, d_sae=d_sae))


def _topk(lib, d_sae, k=4):
    s = lib["saes"]
    return s.TopKSAE(s.TopKSAEConfig(d_in=D, d_sae=d_sae, k=k))


def _jumprelu(lib, d_sae):
    s = lib["saes"]
    return s.JumpReLUSAE(s.JumpReLUSAEConfig(d_in=D, d_sae=d_sae))


@torch.no_grad()
def _near_features(lib, sae, feature_dict, noise: float):
    """Encoder and decoder set to the features plus noise (SAELens' own initialiser), and
    an encoder bias of -0.5 against the interference of 128 features in 24 dimensions."""
    lib["synthetic"].init_sae_to_match_feature_dict(sae, feature_dict, noise_level=noise)
    sae.b_enc[:] = -0.5
    return sae


@torch.no_grad()
def _kill(sae, latents, zero_decoder=()):
    """Latents that never fire (zero encoder column, bias -1) and zero decoder rows."""
    sae.W_enc[:, latents] = 0.0
    sae.b_enc[list(latents)] = -1.0
    sae.W_dec[list(zero_decoder)] = 0.0
    return sae


def _trained(lib, kind, d_sae, data):
    s = lib["saes"]
    cfg = {"topk": lambda: s.TopKTrainingSAE(s.TopKTrainingSAEConfig(d_in=D, d_sae=d_sae,
                                                                     k=4)),
           "standard": lambda: s.StandardTrainingSAE(s.StandardTrainingSAEConfig(
               d_in=D, d_sae=d_sae, l1_coefficient=0.3))}[kind]

    def build():
        sae = cfg()
        lib["training"].train_toy_sae(sae, data.model.feature_dict,
                                      data.model.activation_generator,
                                      training_samples=40 * 256, batch_size=256, lr=1e-2)
        return sae

    return _seeded(build, 3)


@torch.no_grad()
def _jumprelu_near(lib, data):
    sae = _near_features(lib, _jumprelu(lib, N_FEATURES), data.plain, 0.05)
    sae.b_enc[:] = 0.0
    sae.threshold[:] = 0.5
    return _kill(sae, [2, 9, 40])


CASES = {
    # id: (build(lib, data) -> SAE, which feature dictionary and rows, sparse truth)
    "standard-random-wide": (lambda lib, data: _standard(lib, 192), "model", False),
    "topk-random-narrow": (lambda lib, data: _topk(lib, 64), "model", True),
    "jumprelu-random": (lambda lib, data: _jumprelu(lib, 96), "model", False),
    "standard-near-features-dead": (
        lambda lib, data: _kill(_near_features(lib, _standard(lib, N_FEATURES), data.plain,
                                               0.1), [0, 1, 2, 3], zero_decoder=[7]),
        "plain", False),
    "jumprelu-near-features-dead": (_jumprelu_near, "plain", True),
    "topk-wide-near-features": (
        lambda lib, data: _near_features(lib, _topk(lib, 160, k=6), data.plain, 0.2),
        "plain", True),
    "topk-trained": (lambda lib, data: _trained(lib, "topk", 96, data), "model", True),
    "standard-trained": (lambda lib, data: _trained(lib, "standard", 160, data), "model",
                         False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_number_equals_the_librarys(lib, data, case):
    build, which, sparse_truth = CASES[case]
    sae = _seeded(lambda: build(lib, data), 1)
    fd, acts = ((data.model.feature_dict, data.acts) if which == "model"
                else (data.plain, data.edge_acts))
    theirs = _library(lib, sae, fd, acts)
    ev, W, V, rows = _ours(sae, fd, acts, sparse_truth)
    ours = ev.result()
    assert set(ours) == set(theirs)
    _assert_same(ours, theirs, "SyntheticEval")
    # The library's per-latent match, latent by latent.
    best = lib["synthetic"].ClassificationMetricsCalculator(sae.W_dec, fd.feature_vectors)
    assert np.array_equal(ev.matched_, best.best_matches.numpy())

    # The single functions on all rows at once.
    X, X_hat, Z, C = rows["X"], rows["X_hat"], rows["Z"], rows["C"]
    cls = synthetic_eval.classification_metrics(Z, C, W, V)
    single = {"true_l0": synthetic_eval.l0(sparse.csr_array(C)), "sae_l0": synthetic_eval.l0(Z),
              "dead_latents": synthetic_eval.dead_latents(Z),
              "shrinkage": synthetic_eval.shrinkage(X, X_hat),
              "explained_variance": synthetic_eval.explained_variance(X, X_hat),
              "mcc": synthetic_eval.mcc(W, V), "uniqueness": synthetic_eval.uniqueness(W, V),
              **{k: cls[k] for k in ("precision", "recall", "f1_score", "accuracy")}}
    _assert_same(single, theirs, "single functions")

    # The suite's functions of the same names.
    suite = {"true_l0": single["true_l0"], "sae_l0": ds.mean_l0(Z),
             "dead_latents": int(round(ds.dead_fraction(Z) * Z.shape[1])),
             "shrinkage": reconstruction.shrinkage(X, X_hat),
             "explained_variance": reconstruction.explained_variance(X, X_hat),
             "mcc": ds.matched_mcc(W, V), "uniqueness": ds.uniqueness(W, V)}
    pr = ds.latent_precision_recall(Z, C, W, V)
    plain_case = not np.any(C < 0) and np.all(np.linalg.norm(W, axis=1) > 0)
    if plain_case:
        # Non-negative truth and no zero decoder row: the suite's reading is the library's.
        suite.update(precision=pr["mean_precision"], recall=pr["mean_recall"],
                     f1_score=pr["mean_f1"], accuracy=theirs["accuracy"])
    else:
        # Here they part, as documented: the zero decoder row matches nothing in the
        # suite's latent_precision_recall, and a negative code fires there (!= 0).
        suite.update({k: theirs[k] for k in ("precision", "recall", "f1_score", "accuracy")})
        assert pr["mean_recall"] != pytest.approx(theirs["recall"], rel=RTOL, abs=ATOL)
    _assert_same(suite, theirs, "the suite's functions")


def test_the_cases_cover_what_they_claim(lib, data):
    """Dead latents, more and fewer latents than features, zero and tiny rows, several
    batches: read from the library's own numbers, so the parity above is not vacuous."""
    dead = {}
    for case in ("standard-near-features-dead", "topk-random-narrow", "standard-random-wide"):
        build, which, _ = CASES[case]
        sae = _seeded(lambda build=build: build(lib, data), 1)
        fd, acts = ((data.model.feature_dict, data.acts) if which == "model"
                    else (data.plain, data.edge_acts))
        dead[case] = (_library(lib, sae, fd, acts), sae.W_dec.shape[0])
    res, m = dead["standard-near-features-dead"]
    assert res["dead_latents"] >= 4 and m == N_FEATURES
    assert 0.5 < res["mcc"] < 1 and res["f1_score"] > 0.2  # a near-perfect SAE, noised
    assert dead["topk-random-narrow"][1] < N_FEATURES < dead["standard-random-wide"][1]
    norms = np.linalg.norm(data.plain(data.edge_acts).detach().numpy(), axis=1)
    # 15 rows zeroed by hand (and rows where no feature fires), 5 of norm 1e-7.
    assert np.sum(norms == 0) >= 15 and np.sum((norms > 0) & (norms <= 1e-6)) == 5
    assert N_ROWS > 4 * BATCH and N_ROWS % BATCH  # five batches, the last one short
    true_l0 = float((data.acts != 0).sum(dim=1).float().mean())
    assert 2 < true_l0 < 12  # correlated (hierarchical) features, several per row
