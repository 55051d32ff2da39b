"""Reproducibility across training seeds, read against chance, and the shared-start artefact.

Song et al. (2025) measure an SAE's feature consistency as the pairwise dictionary MCC
(PW-MCC: the Hungarian-matched mean ``|cos|`` between the decoders of two runs with
different seeds on the same data) and report 0.80 for TopK SAEs on language-model
activations. This study asks what such a number means on data whose truth is known:

1. **Against chance.** Per generator, each SAE is trained twice on the same training split
   with two seeds; the PW-MCC of their live atoms (`metrics.reproducibility`) is read
   against two bands from its own random stream: random unit atoms with the same live
   counts and dimension, and the second dictionary turned by Haar-random orthogonal maps
   (each dictionary keeps its geometry; their common orientation is lost). A frozen random
   decoder (`FrozenSAE`, Korznikov et al. 2026) is the negative control: its two runs *are*
   two random dictionaries. Generators: planted sparse features (the positive control:
   runs that find the planted features agree) and the family's null generators, an
   isotropic Gaussian and the uniform cube (no sparse features: a seed-stable SAE there
   says nothing about features).
2. **The shared start.** Two runs started from the *same* dictionary (k-means atoms of the
   training data, as archetypal SAEs start, Fel et al. 2025; or the same random rows)
   agree for a reason that is not the data. Per generator, the TopK SAE is trained from
   independent k-means starts (one k-means per run, its own stream), from one shared
   k-means start, and from one shared random start (two seeds each; the random-start pair
   of part 1 is the independent random start). Each run's start goes through
   ``init_components`` (`SparseAutoencoderBase._initial_decoder`); the SAE's seed still
   draws the batch order, so a shared pair differs only in its training.

Per seed ``s``, every random number comes from ``SeedStreams(generator, s)``: the data
(split 0 trains both runs, split 5 is held out and decides which atoms are live, split 1
trains the control's second run), run
``r`` of every method from ``streams.method(r)`` (r = 0, 1: the same two streams for every
architecture and every start, so starts are the only difference between conditions), the
k-means starts from ``streams.method(KMEANS_STREAM + r)``, the shared random start from
``streams.method(RANDOM_START_STREAM)``, and the chance bands of comparison ``i`` from
``streams.probe(i)``.

3. **The another-sample control** (null generators, TopK and BatchTopK in the quick
   profile): the first run against a second run trained on *another* sample of the same
   generator. Agreement beyond the orthogonal band on the shared sample that vanishes
   here came from that sample (its chance anisotropy), not from the generator.

Readings. Per (generator, method), the seed mean of the PW-MCC with its 95% Student-t
interval, the chance bands' means and 0.99 quantiles, how many seeds lie above each band's
0.99 quantile, and paired comparisons over the shared seeds (`metrics.noise_floor.compare`)
with each band's mean. A reading is "beyond chance" when most seeds lie above the band's
0.99 quantile (`chance_reading`). The shared-start artefact is the paired difference,
shared k-means start minus independent k-means starts (and shared random minus
independent random).

Profiles. ``quick`` (the report's): d = 32, 64 atoms (the sparse family's quick size, 64
planted features), 8192 training rows, the family's quick SAE budgets
(`benchmarks.sparse.family.SIZES`; the frozen decoder at a fifth of its steps, see
`FROZEN_STEPS_FRACTION`), 3 data seeds (one pair of runs each), 100 band draws (the 0.99
quantile is then the largest draw).
``full`` adds 10 data seeds, 1000 band draws, the ReLU-L1 SAE in the shared-start part and
in the another-sample control, the shared start on the uniform cube, and the family's full
sizes (d = 256, 512 atoms, 200,000 rows, 2000 steps of 4096). Estimated, not run: about
600 fits of 1.5-3 core-minutes (a step at d = 256 with B m d = 5e8 takes 47-85 ms, the
matched-L0 study's timings) and 400 orthogonal bands of 1000 Hungarian matchings of 512 x
512 (8 ms each): about 25 core-hours, as 30 independent (generator, seed) tasks.

References
----------
Song, Muhamed, Zheng, Kong, Tang, Diab, Smith, Zhang (2025), "Position: mechanistic
interpretability should prioritize feature consistency in SAEs", arXiv 2505.20254 (PW-MCC;
0.80 for TopK SAEs on LLM activations).
Korznikov et al. (2026), "Sanity checks for sparse autoencoders: do SAEs beat random
baselines?", arXiv 2602.14111 (frozen random decoder).
Fel et al. (2025), "Archetypal SAE: adaptive and stable dictionary learning for concept
extraction in large vision models", arXiv 2502.12892 (atoms anchored to k-means
centroids of the data).
Paulo, Belrose (2025), "Sparse autoencoders trained on the same data learn different
features", arXiv 2501.16615.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks.seeding import PROBE, SeedStreams, cell_seed, sklearn_seed
from benchmarks.sparse.family import SIZES
from benchmarks.spec import GeneratorSpec
from benchmarks.study_cli import run_tasks, study_main, study_profile, study_seeds
from benchmarks.study_text import format_difference, format_estimate
from floor.validation import check_int
from generators.isotropic_gaussian import make_isotropic_gaussian
from generators.planted_sparse import make_planted_sparse
from generators.uniform_cube import make_uniform_cube
from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.frozen_sae import FrozenSAE
from methods.sparse.kmeans_atoms import KMeansAtoms
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.topk_sae import TopKSAE
from metrics.claimed_features import BAND_QUANTILE, Band, alive_atoms, random_unit_atoms
from metrics.dictionary_similarity import unit_rows
from metrics.noise_floor import compare
from metrics.reproducibility import (
    Reproducibility,
    orthogonal_mcc_band,
    pairwise_mcc,
    random_atom_mcc_band,
)
from metrics.statistics import mean_over_seeds

TITLE = "Reproducibility across seeds, read against chance"
QUESTION = ("Two runs of an SAE with different seeds on the same data: how far above chance "
            "is their pairwise dictionary MCC (Song et al. 2025: 0.80 for TopK on LLM "
            "activations), on planted features and on data without features? Chance: random "
            "atoms with the same live counts, and the same dictionaries turned by random "
            "orthogonal maps. And how much of the agreement does a shared start (k-means "
            "atoms, as archetypal SAEs use) make by itself?")

STUDY = "reproducibility"
NULL_GENERATORS = ("isotropic_gaussian", "uniform_cube")
# Splits of one seed's dataset: both runs train on TRAIN; liveness is read on HELDOUT; the
# control's second run trains on OTHER_SAMPLE.
TRAIN, OTHER_SAMPLE, HELDOUT = 0, 1, 5
# Method streams: run r of every method and start is streams.method(r); the starts' own.
KMEANS_STREAM, RANDOM_START_STREAM = 10, 20
# First index of the random-atom bands' probe streams (followed by the two live counts).
RANDOM_BAND_STREAM = 10**6
CONFIDENCE = 0.95

# name -> (class, the family's budget key, fixed sparsity knob). The knobs are the sparse
# family's (k = 5, the planted data's mean L0; ReLU l1 0.1); the frozen decoder is
# Korznikov et al.'s BatchTopK baseline.
METHODS = {
    "topk": (TopKSAE, "topk_sae", {"k": 5}),
    "batchtopk": (BatchTopKSAE, "batchtopk_sae", {"k": 5}),
    "relu": (ReluSAE, "relu_sae", {"l1_coeff": 0.1}),
    "frozen_decoder": (FrozenSAE, "frozen_sae", {"frozen": "decoder", "k": 5}),
}
# Starts of the shared-start part, in reading order; "independent random" is part 1's pair.
STARTS = ("independent random", "independent k-means", "shared k-means", "shared random")
LABELS = {"topk": "TopK", "batchtopk": "BatchTopK", "relu": "ReLU-L1",
          "frozen_decoder": "frozen random decoder", "planted_sparse": "planted sparse",
          "isotropic_gaussian": "isotropic Gaussian", "uniform_cube": "uniform cube"}


# The frozen decoder never moves: its PW-MCC is fixed at its random start, and training
# only decides which atoms are live. A fifth of the family's steps suffices for that
# (measured on the quick data, seed 0: all 64 atoms live at 100 as at 500 steps, on each
# of the three generators).
FROZEN_STEPS_FRACTION = 0.2


def _budgets(sizes: dict) -> dict:
    out = {name: dict(sizes[key]) for name, (_, key, _) in METHODS.items()}
    frozen = out["frozen_decoder"]
    frozen["n_steps"] = max(1, int(frozen["n_steps"] * FROZEN_STEPS_FRACTION))
    return out


PROFILES = {
    "quick": {"d": 32, "m": 64, "n_atoms": 64, "n_train": 8192, "n_heldout": 2048,
              "seeds": (0, 1, 2), "n_draws": 100, "kmeans_iter": 100,
              "generators": ("planted_sparse", "isotropic_gaussian", "uniform_cube"),
              "methods": tuple(METHODS), "shared_start": ("topk",),
              "shared_start_generators": ("planted_sparse", "isotropic_gaussian"),
              "control_generators": NULL_GENERATORS, "control_methods": ("topk", "batchtopk"),
              "budget": _budgets(SIZES["quick"])},
    "full": {"d": 256, "m": 512, "n_atoms": 512, "n_train": 200_000, "n_heldout": 20_000,
             "seeds": tuple(range(10)), "n_draws": 1000, "kmeans_iter": 100,
             "generators": ("planted_sparse", "isotropic_gaussian", "uniform_cube"),
             "methods": tuple(METHODS), "shared_start": ("topk", "relu"),
             "shared_start_generators": ("planted_sparse", "isotropic_gaussian",
                                         "uniform_cube"),
             "control_generators": NULL_GENERATORS,
             "control_methods": ("topk", "batchtopk", "relu"),
             "budget": _budgets(SIZES["full"])},
}


def _profile(profile) -> dict:
    return study_profile(profile, PROFILES)


def _spec(name: str, prof: dict) -> GeneratorSpec:
    d, n = prof["d"], prof["n_train"]
    if name == "planted_sparse":
        return GeneratorSpec(name, "sparse", make_planted_sparse,
                             dict(n_samples=n, n_features=d, n_atoms=prof["n_atoms"]))
    if name == "isotropic_gaussian":
        return GeneratorSpec(name, "sparse", make_isotropic_gaussian,
                             dict(n_samples=n, n_features=d))
    if name == "uniform_cube":
        return GeneratorSpec(name, "sparse", make_uniform_cube, dict(n_samples=n, n_features=d))
    raise ValueError(f"generators must name {list(PROFILES['quick']['generators'])}, "
                     f"got {name!r}")


# --- one seed of one generator --------------------------------------------------------------


def _fit(method: str, prof: dict, stream, X, start=None):
    cls, _, knob = METHODS[method]
    est = cls(prof["m"], **knob, **prof["budget"][method], init_components=start,
              random_state=sklearn_seed(stream))
    return est.fit(X)


def kmeans_start(X: np.ndarray, m: int, stream, max_iter: int = 100) -> np.ndarray:
    """``m`` k-means centres of ``X`` minus the mean of ``X``: the directions an SAE's
    decoder (applied to ``x - b_dec``, ``b_dec`` near the mean) starts from, as archetypal
    SAEs anchor their atoms to centroids of the data (Fel et al. 2025). Rows are not
    normalised (``init_components`` does it); a centre exactly at the mean is replaced by
    a tiny step along the first axis, so that every row has a direction."""
    C = KMeansAtoms(m, max_iter=max_iter, random_state=sklearn_seed(stream)).fit(X).components_
    D = C - X.mean(axis=0)
    flat = np.linalg.norm(D, axis=1) == 0
    D[flat, 0] = 1e-6
    return D


class _Bands:
    """The chance bands of one seed's comparisons, each from its own probe stream.

    The random-atom band depends only on the two live counts (and ``d``): it is drawn once
    per pair of counts, from ``cell_seed(generator, seed, PROBE, RANDOM_BAND_STREAM, n_a,
    n_b)``, and shared by every comparison of the seed with those counts. The orthogonal
    band depends on the two dictionaries: comparison ``i`` draws it from
    ``streams.probe(i)``.
    """

    def __init__(self, streams: SeedStreams, n_draws: int):
        self.streams, self.n_draws, self.used = streams, n_draws, 0
        self._random: dict[tuple[int, int], Band] = {}

    def random_band(self, n_a: int, n_b: int, d: int) -> Band:
        """The random-atom band for live counts ``n_a``, ``n_b`` in dimension ``d``."""
        if (n_a, n_b) not in self._random:
            stream = cell_seed(self.streams.generator, self.streams.seed, PROBE,
                               RANDOM_BAND_STREAM, n_a, n_b)
            self._random[n_a, n_b] = random_atom_mcc_band(n_a, n_b, d, self.n_draws,
                                                          random_state=stream)
        return self._random[n_a, n_b]

    def read(self, a, b, test_X) -> dict:
        """PW-MCC of the live atoms of two fitted runs with both chance bands
        (`metrics.reproducibility.Reproducibility`, as a dict)."""
        stream = self.streams.probe(self.used)
        self.used += 1
        A = a.components_[alive_atoms(a.transform(test_X)) & unit_rows(a.components_)[1]]
        B = b.components_[alive_atoms(b.transform(test_X)) & unit_rows(b.components_)[1]]
        d = a.components_.shape[1]
        if len(A) == 0 or len(B) == 0:  # no live atom on one side: nothing to compare
            empty = Band(0.0, 0.0, BAND_QUANTILE, 1, np.zeros(1))
            return Reproducibility(0.0, len(A), len(B), d, empty, empty).to_dict()
        return Reproducibility(pairwise_mcc(A, B), len(A), len(B), d,
                               self.random_band(len(A), len(B), d),
                               orthogonal_mcc_band(A, B, self.n_draws,
                                                   random_state=stream)).to_dict()


def run_generator_seed(generator: str, seed: int, profile="quick") -> dict:
    """One data seed of one generator: every method's pair of runs and the shared-start
    conditions, each read against its chance bands. Returns ``{"pairs": [...], "starts":
    [...]}`` rows."""
    prof = _profile(profile)
    # Small problems: one BLAS/OpenMP thread each (k-means would start one per core).
    with threadpool_limits(limits=1):
        return _generator_seed(generator, int(seed), prof)


def _generator_seed(generator: str, seed: int, prof: dict) -> dict:
    streams = SeedStreams(generator, seed)
    spec = _spec(generator, prof)
    X = spec.dataset(streams, TRAIN).X
    test_X = spec.dataset(streams, HELDOUT, n_samples=prof["n_heldout"]).X
    bands = _Bands(streams, prof["n_draws"])
    base = {"generator": generator, "seed": seed}
    pairs, runs = [], {}
    for method in prof["methods"]:
        start = time.process_time()
        a, b = (_fit(method, prof, streams.method(r), X) for r in (0, 1))
        runs[method] = (a, b)
        pairs.append({**base, "method": method, **bands.read(a, b, test_X),
                      "pair_cpu_s": time.process_time() - start})
    starts = []
    shared = prof["shared_start"] if generator in prof["shared_start_generators"] else ()
    for method in shared:
        starts.extend(_start_rows(method, prof, streams, X, test_X, bands, base,
                                  runs.get(method)))
    controls = []
    if generator in prof["control_generators"]:
        X_other = spec.dataset(streams, OTHER_SAMPLE).X
        for method in prof["control_methods"]:
            a = runs[method][0] if method in runs else _fit(method, prof, streams.method(0), X)
            b = _fit(method, prof, streams.method(1), X_other)
            controls.append({**base, "method": method, **bands.read(a, b, test_X)})
    return {"pairs": pairs, "starts": starts, "controls": controls}


def _start_rows(method, prof, streams, X, test_X, bands, base, random_pair) -> list[dict]:
    """The four start conditions of one method at one seed (`STARTS`)."""
    m = prof["m"]
    km = [kmeans_start(X, m, streams.method(KMEANS_STREAM + r), prof["kmeans_iter"])
          for r in (0, 1)]
    R = random_unit_atoms(m, X.shape[1], np.random.default_rng(
        streams.method(RANDOM_START_STREAM)))
    if random_pair is None:
        random_pair = tuple(_fit(method, prof, streams.method(r), X) for r in (0, 1))
    k0 = _fit(method, prof, streams.method(0), X, km[0])
    runs = {
        "independent random": (random_pair, None),
        "independent k-means": ((k0, _fit(method, prof, streams.method(1), X, km[1])), km),
        "shared k-means": ((k0, _fit(method, prof, streams.method(1), X, km[0])),
                           (km[0], km[0])),
        "shared random": (tuple(_fit(method, prof, streams.method(r), X, R) for r in (0, 1)),
                          (R, R)),
    }
    rows = []
    for condition in STARTS:
        (a, b), pair_start = runs[condition]
        row = {**base, "method": method, "start": condition, **bands.read(a, b, test_X)}
        if pair_start is not None:
            row["start_mcc"] = pairwise_mcc(*pair_start)
            row["kept_start"] = float(np.mean([pairwise_mcc(run.components_, s)
                                               for run, s in zip((a, b), pair_start,
                                                                 strict=True)]))
        rows.append(row)
    return rows


# --- summaries ------------------------------------------------------------------------------


def seed_interval(values) -> dict:
    """Seed mean with its 95% Student-t interval."""
    return mean_over_seeds(list(values), confidence=CONFIDENCE).to_dict()


def _against_chance(group: list[dict]) -> dict:
    """Seed summary of one (generator, method[, start]) group of rows on shared seeds."""
    mcc = [r["mcc"] for r in group]
    rand_mean = [r["random_band"]["mean"] for r in group]
    orth_mean = [r["orthogonal_band"]["mean"] for r in group]
    return {
        "seeds": [r["seed"] for r in group], "mcc": seed_interval(mcc),
        "random_mean": seed_interval(rand_mean),
        "random_high": float(np.mean([r["random_band"]["high"] for r in group])),
        "orthogonal_mean": seed_interval(orth_mean),
        "orthogonal_high": float(np.mean([r["orthogonal_band"]["high"] for r in group])),
        "vs_random": compare(mcc, rand_mean, paired=True, confidence=CONFIDENCE),
        "vs_orthogonal": compare(mcc, orth_mean, paired=True, confidence=CONFIDENCE),
        "n_beyond_random": int(sum(r["beyond_random"] for r in group)),
        "n_beyond_orthogonal": int(sum(r["beyond_orthogonal"] for r in group)),
        "n_live": [min(r["n_live_a"], r["n_live_b"]) for r in group],
    }


def summarise(pairs: list[dict]) -> list[dict]:
    """Per (generator, method): `_against_chance` over the seeds."""
    keys = list(dict.fromkeys((r["generator"], r["method"]) for r in pairs))
    return [{"generator": g, "method": m,
             **_against_chance([r for r in pairs if (r["generator"], r["method"]) == (g, m)])}
            for g, m in keys]


def summarise_starts(starts: list[dict]) -> list[dict]:
    """Per (generator, method, start): `_against_chance`, and the paired effects of sharing
    a start (shared k-means - independent k-means, shared random - independent random)."""
    out = []
    for g, m in dict.fromkeys((r["generator"], r["method"]) for r in starts):
        rows = [r for r in starts if (r["generator"], r["method"]) == (g, m)]
        by = {c: sorted((r for r in rows if r["start"] == c), key=lambda r: r["seed"])
              for c in STARTS}
        entry = {"generator": g, "method": m, "starts": {}}
        for c in STARTS:
            entry["starts"][c] = _against_chance(by[c])
            if "start_mcc" in by[c][0]:
                entry["starts"][c]["start_mcc"] = seed_interval(r["start_mcc"] for r in by[c])
                entry["starts"][c]["kept_start"] = seed_interval(r["kept_start"] for r in by[c])
        entry["shared_kmeans_effect"] = compare(
            [r["mcc"] for r in by["shared k-means"]],
            [r["mcc"] for r in by["independent k-means"]], paired=True, confidence=CONFIDENCE)
        entry["shared_random_effect"] = compare(
            [r["mcc"] for r in by["shared random"]],
            [r["mcc"] for r in by["independent random"]], paired=True, confidence=CONFIDENCE)
        out.append(entry)
    return out


def chance_reading(entry: dict, band: str) -> str:
    """How a group's PW-MCC reads against one band (``"random"`` or ``"orthogonal"``).

    - "beyond chance": on most seeds above the band's 0.99 quantile (under chance each
      seed is, with probability 0.01: two of three with probability 3e-4);
    - "above chance's mean, inside its band": above the band's mean (paired over the seeds,
      95%: `metrics.noise_floor.compare`) but on most seeds a value a chance pair reaches
      more than 1% of the time (three seeds that happen to agree make a narrow interval;
      the band's own spread says they are not exceptional);
    - "at chance": within noise of the band's mean; "below chance": below it.
    """
    if 2 * entry[f"n_beyond_{band}"] > len(entry["seeds"]):
        return "beyond chance"
    verdict = entry[f"vs_{band}"]["verdict"]
    if verdict == "above":
        return "above chance's mean, inside its band"
    return "at chance" if verdict == "within noise" else "below chance"


def _readings(entry: dict) -> dict:
    out = {band: chance_reading(entry, band) for band in ("random", "orthogonal")}
    out["at_chance"] = "beyond chance" not in out.values()
    out.update(mcc=entry.get("mcc"), n_seeds=len(entry["seeds"]),
               n_beyond_random=entry["n_beyond_random"],
               n_beyond_orthogonal=entry["n_beyond_orthogonal"])
    return out


def null_verdicts(summary: list[dict], controls: list[dict] = (),
                  nulls=NULL_GENERATORS) -> list[dict]:
    """The bar, per null generator: is every method's reproducibility at chance?

    A method is *at chance* unless its reading (`chance_reading`) is "beyond chance"
    against either band. Beyond the random-atom band only, its runs agree through their
    atoms' geometry (how they spread), not their orientation; beyond the orthogonal band,
    the two runs point the same way. The control (the second run trained on another sample
    of the same generator) says why: at chance there, the orientation came from the one
    training sample both runs shared; still beyond, from the generator's own law (not a
    sparse feature: the data have none).
    """
    ctrl = {(c["generator"], c["method"]): c for c in controls}
    out = []
    for g in nulls:
        rows = [s for s in summary if s["generator"] == g]
        if not rows:
            continue
        per = {}
        for s in rows:
            per[s["method"]] = _readings(s)
            c = ctrl.get((g, s["method"]))
            if c is not None:
                per[s["method"]]["another_sample"] = {"mcc": c["mcc"], **_readings(c)}
        out.append({"generator": g, "per_method": per,
                    "all_at_chance": all(r["at_chance"] for r in per.values())})
    return out


# --- the study ------------------------------------------------------------------------------


def _check_names(values, allowed, name: str) -> list[str]:
    vals = list(values)
    for v in vals:
        if v not in allowed:
            raise ValueError(f"{name} must name entries of {list(allowed)}, got {v!r}")
    if not vals:
        raise ValueError(f"{name} must name at least one entry")
    return vals


def run(profile="quick", seeds=None, jobs: int = 1) -> dict:
    """Run the study and return its JSON-able document.

    Parameters
    ----------
    profile : {"quick", "full"} or dict, default="quick"
        A `PROFILES` name or a profile dict with the same keys (tests use tiny ones).
    seeds : sequence of int, optional
        Data seeds (default: the profile's). Each gives one pair of runs per method.
    jobs : int, default=1
        Worker processes; one task is one generator at one seed. The numbers do not
        depend on ``jobs``.

    Returns
    -------
    dict
        ``{"study", "profile", "seeds", "generators", "methods", "shared_start", "d", "m",
        "n_draws", "pairs", "starts", "controls" (raw rows), "summary", "start_summary",
        "control_summary", "null_verdicts", "jobs", "wall_s", "cpu_s"}``.
    """
    prof = _profile(profile)
    gens = _check_names(prof["generators"], ("planted_sparse",) + NULL_GENERATORS,
                        "generators")
    _check_names(prof["methods"], METHODS, "methods")
    for key in ("shared_start", "control_methods"):
        if prof[key]:
            _check_names(prof[key], METHODS, key)
    seed_list = study_seeds(seeds, prof["seeds"])
    check_int(jobs, "jobs")
    tasks = [(g, int(s)) for g in gens for s in seed_list]
    wall, cpu = time.perf_counter(), time.process_time()
    if jobs == 1:
        results = [run_generator_seed(g, s, prof) for g, s in tasks]
        child_cpu = 0.0
    else:
        results, child_cpu = run_tasks(_timed_task, [(*t, prof) for t in tasks], jobs)
    pairs = [r for res in results for r in res["pairs"]]
    starts = [r for res in results for r in res["starts"]]
    controls = [r for res in results for r in res["controls"]]
    summary = summarise(pairs)
    control_summary = summarise(controls) if controls else []
    return {"study": STUDY, "profile": profile if isinstance(profile, str) else "custom",
            "seeds": seed_list, "generators": gens, "methods": list(prof["methods"]),
            "shared_start": list(prof["shared_start"]), "d": prof["d"], "m": prof["m"],
            "n_draws": prof["n_draws"], "pairs": pairs, "starts": starts,
            "controls": controls, "summary": summary,
            "start_summary": summarise_starts(starts) if starts else [],
            "control_summary": control_summary,
            "null_verdicts": null_verdicts(summary, control_summary), "jobs": int(jobs),
            "wall_s": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu + child_cpu}


def _timed_task(generator, seed, prof):
    start = time.process_time()
    out = run_generator_seed(generator, seed, prof)
    return out, time.process_time() - start


# --- findings and figures -------------------------------------------------------------------


def _label(name: str) -> str:
    return LABELS.get(name, name)


def _method_phrase(s: dict) -> str:
    n = len(s["seeds"])
    return (f"{_label(s['method'])} {format_estimate(s['mcc'])}: {chance_reading(s, 'random')} "
            f"against random atoms (mean {s['random_mean']['value']:.3f}, 0.99 quantile "
            f"{s['random_high']:.3f}; {s['n_beyond_random']}/{n} seeds above it), "
            f"{chance_reading(s, 'orthogonal')} against the turned dictionaries (mean "
            f"{s['orthogonal_mean']['value']:.3f}; {s['n_beyond_orthogonal']}/{n} above)")


def findings(doc: dict) -> list[tuple[str, str, str]]:
    """The study in words, read from the document: per generator every method against
    chance, the bar on each null generator, and the shared-start artefact."""
    n = len(doc["seeds"])
    note = (f"PW-MCC of live atoms, seed means with 95% Student-t intervals over {n} data "
            f"seeds (one pair of runs each); chance: {doc['n_draws']} draws per band; "
            "readings by paired comparison with the band's mean (95%) and the seeds above "
            "its 0.99 quantile")
    out = []
    for g in doc["generators"]:
        rows = [s for s in doc["summary"] if s["generator"] == g]
        out.append((f"PW-MCC across seeds on {_label(g)} (d = {doc['d']}, {doc['m']} atoms)",
                    "; ".join(_method_phrase(s) for s in rows), note))
    for v in doc["null_verdicts"]:
        out.append(_null_finding(v))
    for e in doc["start_summary"]:
        out.append(_start_finding(e, n))
    song = _song_finding(doc)
    if song is not None:
        out.append(song)
    return out


def _null_finding(v: dict) -> tuple[str, str, str]:
    g = _label(v["generator"])
    term = f"Reproducibility on a null ({g}: no features)"
    if v["all_at_chance"]:
        sentence = (f"at chance for every method ({', '.join(map(_label, v['per_method']))}): "
                    "no method's runs agree beyond random atoms with the same live counts or "
                    "beyond the same dictionaries turned at random on most seeds, so a "
                    "seed-stable SAE here would say nothing about features")
        return term, sentence, "the bar of issue 23, item 3: holds"
    parts = [f"{_label(m)} {format_estimate(r['mcc'])} is beyond chance (seeds above the 0.99 "
             f"quantile: {r['n_beyond_random']}/{r['n_seeds']} of random atoms', "
             f"{r['n_beyond_orthogonal']}/{r['n_seeds']} of the turned dictionaries'): "
             f"{_why(r)}" for m, r in v["per_method"].items() if not r["at_chance"]]
    at = [_label(m) for m, r in v["per_method"].items() if r["at_chance"]]
    sentence = "; ".join(parts) + (f"; at chance: {', '.join(at)}" if at else "")
    return term, sentence, "the bar of issue 23, item 3: a finding with its reason"


def _why(r: dict) -> str:
    """The reason of a reading beyond chance on a null, from the two bands and the control."""
    other = r.get("another_sample")
    ctrl = ("" if other is None else
            f" (second run on another sample of the generator: {format_estimate(other['mcc'])}, "
            f"{other['orthogonal']} against the turned dictionaries)")
    if r["orthogonal"] != "beyond chance":
        return ("beyond random atoms but not beyond its own dictionaries turned at random: "
                "the geometry of its atoms (how they spread), which any of its runs has on "
                "any data, not a direction of the data" + ctrl)
    if other is None:
        return ("its two runs point the same way beyond turned copies of themselves: an "
                "orientation both took from the data (the sample they shared or the "
                "generator's law; no control run on another sample), not a sparse feature")
    if other["orthogonal"] != "beyond chance":
        return ("its two runs point the same way beyond turned copies of themselves, and "
                "no longer when the second run sees another sample: an orientation taken "
                "from the one training sample both runs shared (its chance anisotropy), not "
                "a feature of the generator" + ctrl)
    return ("its two runs point the same way beyond turned copies of themselves, also "
            "with the second run on another sample: a direction of the generator's law "
            "(not rotation-invariant: the cube's axes and corners), not a sparse feature"
            + ctrl)


def _start_finding(e: dict, n: int) -> tuple[str, str, str]:
    st = e["starts"]
    ind_k, sh_k = st["independent k-means"], st["shared k-means"]
    ind_r, sh_r = st["independent random"], st["shared random"]
    sentence = (f"{_label(e['method'])}: shared k-means start {format_estimate(sh_k['mcc'])} "
                f"against independent k-means starts {format_estimate(ind_k['mcc'])}, difference "
                f"{format_difference(e['shared_kmeans_effect'], verdict=True)}; shared random "
                f"start {format_estimate(sh_r['mcc'])} against independent random starts "
                f"{format_estimate(ind_r['mcc'])}, difference "
                f"{format_difference(e['shared_random_effect'], verdict=True)}; the "
                f"two independent k-means starts themselves match at "
                f"{ind_k['start_mcc']['value']:.3f}, and a run ends at PW-MCC "
                f"{sh_k['kept_start']['value']:.3f} with its k-means start and "
                f"{sh_r['kept_start']['value']:.3f} with its random start (random atoms: "
                f"{sh_r['random_mean']['value']:.3f})")
    return (f"Shared start on {_label(e['generator'])}", sentence,
            f"paired over {n} data seeds, same two training seeds in every condition; "
            "95% intervals")


def _song_finding(doc: dict) -> tuple[str, str, str] | None:
    nulls = [e for e in doc["start_summary"] if e["generator"] in NULL_GENERATORS]
    if not nulls:
        return None
    best = max(nulls, key=lambda e: e["starts"]["shared k-means"]["mcc"]["value"])
    sh = best["starts"]["shared k-means"]
    sentence = (f"Song et al. report PW-MCC 0.80 for TopK SAEs on LLM activations; here two "
                f"{_label(best['method'])} runs from one shared k-means start reach "
                f"{format_estimate(sh['mcc'])} on {_label(best['generator'])}, data without "
                f"features, where independent starts give "
                f"{best['starts']['independent random']['mcc']['value']:.3f} and random atoms "
                f"{sh['random_mean']['value']:.3f}: a consistency number is evidence of "
                "features only from independent starts, read against chance at the same "
                "live counts and dimension")
    return ("A PW-MCC of 0.80, read", sentence, f"d = {doc['d']}, {doc['m']} atoms; "
            "the published number is at d = 768 with 16k latents, where chance is lower")


def draw(doc: dict):
    """One panel per generator: each method's PW-MCC per seed (dots), its seed mean with
    the 95% interval, the random-atom band (grey bar from its mean to its 0.99 quantile)
    and the orthogonal band's 0.99 quantile (short black tick); then the shared-start
    conditions where measured. Yields ``(caption, file name, Figure)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gens = doc["generators"]
    fig, axes = plt.subplots(1, len(gens), figsize=(4.6 * len(gens), 4.4), squeeze=False,
                             sharey=True)
    for ax, g in zip(axes[0], gens, strict=True):
        items = [(_label(s["method"]), s, [r["mcc"] for r in doc["pairs"]
                                           if r["generator"] == g and r["method"] == s["method"]])
                 for s in doc["summary"] if s["generator"] == g]
        for e in (e for e in doc["start_summary"] if e["generator"] == g):
            for c in STARTS[1:]:
                vals = [r["mcc"] for r in doc["starts"] if r["generator"] == g
                        and r["method"] == e["method"] and r["start"] == c]
                items.append((f"{_label(e['method'])}, {c} start", e["starts"][c], vals))
        for x, (_, s, vals) in enumerate(items):
            ax.bar(x, s["random_high"] - s["random_mean"]["value"],
                   bottom=s["random_mean"]["value"], width=0.7, color="0.85", zorder=1)
            ax.plot([x - 0.35, x + 0.35], [s["orthogonal_high"]] * 2, color="k", lw=1, zorder=2)
            ax.scatter([x] * len(vals), vals, s=10, color="tab:blue", alpha=0.6, zorder=3)
            m = s["mcc"]
            ax.errorbar(x, m["value"], yerr=[[m["value"] - m["low"]], [m["high"] - m["value"]]],
                        fmt="D", color="tab:red", ms=5, capsize=3, zorder=4)
        ax.set_xticks(range(len(items)))
        ax.set_xticklabels([i[0] for i in items], rotation=40, ha="right", fontsize=7)
        ax.set_title(_label(g), fontsize=9)
        ax.set_ylim(0, 1.05)
    axes[0][0].set_ylabel("PW-MCC of live atoms")
    caption = ("Pairwise dictionary MCC between two seeds on the same data (dots: data seeds; "
               "red: mean, 95% interval) against chance: grey, random atoms with the same "
               "live counts (mean to 0.99 quantile); black tick, the orthogonal band's 0.99 "
               "quantile")
    fig.suptitle(caption, fontsize=8, wrap=True)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.32, top=0.85, wspace=0.08)
    yield caption, "reproducibility.png", fig


def _main(argv=None) -> int:
    return study_main(sys.modules[__name__], PROFILES, "reproducibility.json", argv)


if __name__ == "__main__":
    sys.exit(_main())
