"""Expected findings of the built-in weight-direction methods, measured on the quick profile
(3 seeds, ``python -m reports --family weights``).

Numbers: seed means of ``pair_cos`` (mean matched |cos| of the detectable planted pairs,
write and read averaged), ``n_claimed`` and the largest principal angle; per seed in
parentheses. Stability: the same cells on seeds 1000-1098 (33 disjoint 3-seed sets; the
sparse dictionary on seeds 1000-1044, 15 sets), ``/tmp``-style reruns of `run_cell` with
``get_profile("quick", first_seed=1000, n_seeds=99)``.

The three SVD rules share their directions (the singular vectors), so they share their
recovery findings; they differ only in how many directions they claim.
"""

_SVD = ("svd_gap", "svd_variance", "svd_mp_edge")
_NEAR_EQUAL = (
    "three pairs 1% apart in strength at 3x the BBP threshold mix within their span: the "
    "span is recovered (largest principal angle 22.0 deg, the closed form's 20.7 deg) but "
    "the singular vectors are an arbitrary rotation inside it: ")
_SUPERPOSITION = (
    "48 pairs in a 24 x 192 matrix: at most 24 singular vectors, each a blend of many "
    "pairs: matched |cos| 0.197 (0.197, 0.202, 0.193), the random floor's 0.137 "
    "[stable: fails on 33 of 33 sets, 0.186-0.200]")
_FLOOR = "the random floor (unit pairs drawn independently of W): "
_DICT_DENSE = (
    "dictionary learning on the 64 rows of a 64 x 48 matrix of 3 orthonormal dense pairs "
    "(96 atoms, more than samples) learns rows, not pairs: ")

FINDINGS: dict[tuple[str, str, str], str] = {}
for _m in _SVD:
    FINDINGS[(_m, "weights_superposition", "recovers_pairs")] = _SUPERPOSITION
    FINDINGS[(_m, "weights_superposition", "counts_directions")] = {
        "svd_gap": "claims 4 (1, 8, 3) of 48 pairs: the elbow sits anywhere in a spectrum "
                   "filled by structure [stable: 33 of 33 sets fail, error 36-47]",
        "svd_variance": "claims 17 (17, 16, 18) of 48: no rank-24 rule can reach 48 [stable: "
                        "33 of 33 sets fail, error 30.7-31.7]",
        "svd_mp_edge": "claims 5 (5, 5, 5) of 48: with structure in every direction the "
                       "median singular value overestimates the noise 2.5x (0.18 vs 0.072), "
                       "the cut rises above most of the spectrum; and the rank caps any "
                       "count at 24 [stable: 33 of 33 sets fail, error 42.7-44.3]",
    }[_m]
FINDINGS.update({
    ("svd_variance", "weights_spikes", "counts_directions"): (
        "90% of the squared norm takes 25 directions for 3 detectable pairs: the noise bulk "
        "carries most of ||W||_F^2 [stable: 33 of 33 sets fail, 21.3-22.7 too many]"),
    ("svd_variance", "weights_near_equal", "counts_directions"): (
        "claims 25 for 3 detectable pairs, as on the spikes [stable: 33 of 33 sets fail]"),
    ("svd_variance", "weights_null", "counts_directions"): (
        "claims 28.3 (28, 28, 29) directions in pure noise: a variance fraction has no notion "
        "of noise [stable: 33 of 33 sets fail, 28.0-28.7]"),
    ("svd_gap", "weights_null", "counts_directions"): (
        "the eyeball elbow claims 9 (2, 21, 4) directions in pure noise, where the MP edge "
        "claims 0: a largest gap exists in every spectrum [stable: 33 of 33 sets fail, "
        "3-20 claimed]"),
})
for _check in ("matches_bbp_overlap", "recovers_span", "recovers_pairs", "counts_directions"):
    for _g, _cos, _ang in (("weights_spikes", "0.468 (0.473, 0.500, 0.432)", 84.6),
                           ("weights_near_equal", "0.440 (0.404, 0.489, 0.428)", 78.7)):
        FINDINGS[("sparse_dictionary", _g, _check)] = _DICT_DENSE + (
            f"matched |cos| {_cos}, largest principal angle {_ang} deg; no atom's strength "
            "reaches the noise edge, so it claims 0 of 3 [stable: fails on 15 of 15 sets of "
            "seeds 1000-1044]")
FINDINGS[("sparse_dictionary", "weights_superposition", "counts_directions")] = (
    "finds the pairs (matched |cos| 0.841, recovers_pairs passes) but claims 0 of 48: its cut "
    "is the MP edge at the noise read from the median singular value, 2.5x the true noise "
    "when structure fills the spectrum (0.178 vs 0.072); with the true noise level "
    "(noise_std=) it claims 29, 21, 29 of 48, lasso shrinkage pulling the rest under the edge "
    "[stable: 15 of 15 sets fail]")
for _g, _cos, _n, _checks in (
        ("weights_spikes", "0.152", 48, ("matches_bbp_overlap", "recovers_span",
                                         "recovers_pairs", "counts_directions")),
        ("weights_near_equal", "0.130", 48, ("matches_bbp_overlap", "recovers_span",
                                             "recovers_pairs", "counts_directions")),
        ("weights_superposition", "0.137", 24, ("recovers_pairs", "counts_directions")),
        ("weights_null", None, 48, ("counts_directions",))):
    for _check in _checks:
        FINDINGS[("random_directions", _g, _check)] = _FLOOR + (
            f"matched |cos| {_cos}, " if _cos else "") + (
            f"claims all {_n} pairs it draws [stable: 33 of 33 sets fail]")

# Seed-dependent (non-strict xfails): the rates are over the 33 disjoint 3-seed sets of
# seeds 1000-1098.
VARIABLE_FINDINGS: dict[tuple[str, str, str], str] = {}
for _m in _SVD:
    VARIABLE_FINDINGS[(_m, "weights_near_equal", "recovers_pairs")] = _NEAR_EQUAL + (
        "per-vector |cos| 0.742 (0.898, 0.677, 0.651) against the 0.944 the closed form gives "
        "a lone pair of that strength; the 3-seed mean passes on 10 of 33 seed sets at the 0.8 "
        "bar (range 0.700-0.922; mean over 99 seeds 0.781)")
    VARIABLE_FINDINGS[(_m, "weights_near_equal", "matches_bbp_overlap")] = _NEAR_EQUAL + (
        "per-vector |cos| 0.742 against the predicted 0.944 (bar 0.894); passes on 1 of 33 "
        "seed sets (range 0.700-0.922)")
VARIABLE_FINDINGS[("svd_gap", "weights_spikes", "counts_directions")] = (
    "the elbow claims 2.33 (3, 2, 2) of 3 detectable pairs: the largest ratio of consecutive "
    "singular values often falls after the 4x and 3x pairs, dropping the 2x one (mean 2.08 "
    "over 99 seeds); passes on 2 of 33 seed sets")
