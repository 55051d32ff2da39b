"""What the weights family asks, and what each generator and headline metric is.

The report opens the family's section with these sentences; facts of the record's
``ground_truth`` in braces are filled from the generator's own numbers.
"""

from __future__ import annotations

# The title of the family's section of the report.
TITLE = "Weight-matrix read and write directions"

QUESTION = (
    "Are the singular vectors of a weight matrix its read and write directions, in decreasing "
    "order of importance, and are they the interpretable ones? W = sum_i s_i u_i v_i^T + noise "
    "with noise entries N(0, noise^2 / d_in); random-matrix theory (Benaych-Georges & "
    "Nadakuditi 2012) says a pair leaves the noise bulk only above the BBP threshold "
    "noise (d_out d_in)^(1/4) / sqrt(d_in), with a closed-form overlap; near-equal strengths "
    "mix within their span; more pairs than the rank cannot all be singular vectors. How many "
    "directions each counting rule calls structure is read against the detectable count, and "
    "against 0 on pure noise.")

GENERATORS = {
    "weights_spikes": (
        "{n_pairs} orthonormal pairs in a {d_out}x{d_in} matrix, from 0.5 to 4 times the BBP "
        "threshold {bbp_threshold:.3f} ({n_detectable} above it; noise bulk edge "
        "{mp_edge:.3f})."),
    "weights_near_equal": (
        "{n_pairs} orthonormal pairs at about 3 times the BBP threshold {bbp_threshold:.3f}, "
        "strengths {min_relative_gap:.3f} apart (relative): identifiable only up to a "
        "rotation within their span."),
    "weights_superposition": (
        "{n_pairs} unit, non-orthogonal pairs in a {d_out}x{d_in} matrix of rank limit "
        "{rank_limit}, each read from a few inputs, all at 3x the BBP threshold "
        "{bbp_threshold:.3f}."),
    "weights_null": (
        "Pure noise, {d_out}x{d_in}: no planted pair; the Marchenko-Pastur edge "
        "{mp_edge:.3f} is where the top singular value sits."),
}

METRICS = {
    "pair_cos": "mean matched |cos| (write and read averaged) of the detectable planted pairs",
    "predicted_cos": "the same from the closed-form limits (orthonormal pairs)",
    "span_angle_deg": "largest principal angle between found and planted detectable spans",
    "n_claimed": "directions the method calls structure",
    "n_detectable": "planted pairs above the BBP threshold",
    "count_error": "|n_claimed - n_detectable|, mean over seeds",
}
