"""Expected findings of the built-in Gaussianity calls, measured on the quick profile.

Numbers: the share of samples called Gaussian (or called right) pooled over the CI seeds
0-2, 3 x 200 samples of n = 200 points, with its 99.9% Wilson interval, from ``python -m
reports --family curves``. Stability: the same cell on 33 disjoint 3-seed sets of seeds
1000-1098 (every cell run with ``first_seed = 1000 + 3 k``): each strict finding below fails
on 33 of 33; the range is that of the bound the check reads.
"""

_FORCED = ("a choice between a Gaussian and a shifted exponential cannot answer 'neither': "
           "on this law the Gaussian is the less wrong of the two (held-out Gaussian "
           "advantage {adv} nats per point), so 'Gaussian' here means 'not exponential'. ")
_EYE = ("the eyeball test (R^2 of the Gaussian overlay against the sqrt(n)-bin histogram "
        ">= 0.9) ")

FINDINGS = {
    ("heldout_loglik", "lognormal", "no_false_gaussian"): _FORCED.format(adv="+0.32") + (
        "Called Gaussian: 0.982 [0.953, 0.993]; upper bound 0.989-0.999 on 33 seed sets"),
    ("heldout_loglik", "student_t", "no_false_gaussian"): _FORCED.format(adv="+1.00") + (
        "Called Gaussian: 1.000 [0.982, 1.000]; upper bound 0.999-1.000 on 33 seed sets"),
    ("heldout_loglik", "gaussian_mixture", "no_false_gaussian"): _FORCED.format(adv="+0.54") + (
        "Called Gaussian: 1.000 [0.982, 1.000] on every seed set"),
    ("aic", "lognormal", "no_false_gaussian"): _FORCED.format(adv="+0.32") + (
        "Called Gaussian: 0.998 [0.979, 1.000]; upper bound 0.999-1.000 on 33 seed sets"),
    ("aic", "student_t", "no_false_gaussian"): _FORCED.format(adv="+1.00") + (
        "Called Gaussian: 1.000 [0.982, 1.000] on every seed set"),
    ("aic", "gaussian_mixture", "no_false_gaussian"): _FORCED.format(adv="+0.54") + (
        "Called Gaussian: 1.000 [0.982, 1.000] on every seed set"),
    ("eyeball", "gaussian", "picks_true_family"): _EYE + (
        "calls only 0.512 [0.445, 0.578] of true Gaussian samples Gaussian at n = 200 (mean "
        "R^2 0.89): with 15 bins of ~13 points the bars' sampling noise alone keeps R^2 "
        "below 0.9 half the time (lower bound 0.43-0.52 on 33 seed sets; the study: 6% at "
        "n = 20, 94% at n = 500)"),
    ("eyeball", "clt_sum", "picks_true_family"): _EYE + (
        "calls 0.430 [0.365, 0.497] of sums of 30 Exp(1) terms Gaussian at n = 200 (mean "
        "R^2 0.88): the claim's own mechanism fails the eyeball as often as a Gaussian "
        "does (lower bound 0.33-0.42 on 33 seed sets)"),
    ("eyeball", "lognormal", "no_false_gaussian"): _EYE + (
        "calls 0.237 [0.185, 0.298] of log-normal (sigma 0.25, skewness 0.78) samples "
        "Gaussian at n = 200, a product of factors, not a sum (upper bound 0.27-0.36 on 33 "
        "seed sets; the study: 84% at n = 1000, 100% at 5000)"),
    ("eyeball", "student_t", "no_false_gaussian"): _EYE + (
        "calls 0.733 [0.670, 0.788] of Student-t (5 df, excess kurtosis 6) samples Gaussian "
        "at n = 200, more than it calls true Gaussians (0.512): the heavy tails stretch the "
        "range, the central bins carry the fit (mean R^2 0.92; upper bound 0.76-0.85 on 33 "
        "seed sets)"),
    ("eyeball", "gaussian_mixture", "no_false_gaussian"): _EYE + (
        "calls 0.128 [0.090, 0.180] of two-Gaussian mixtures (separation 2) Gaussian at "
        "n = 200 (upper bound 0.16-0.23 on 33 seed sets; the study: 76% at n = 1000, 100% "
        "at 5000)"),
    ("normality_test", "clt_sum", "picks_true_family"): (
        "the K^2 test rejects 41% of sums of 30 Exp(1) terms at n = 200 (called Gaussian "
        "0.593 [0.526, 0.657]): Gamma(30) keeps skewness 0.37, which 200 points detect; the "
        "test is right that the law is not exactly Gaussian, so a sum of small independent "
        "terms need not pass a normality test either (lower bound 0.49-0.57 on 33 seed "
        "sets)"),
    ("normality_test", "student_t", "no_false_gaussian"): (
        "the K^2 test at 5% misses 0.198 [0.150, 0.257] of Student-t (5 df) samples at "
        "n = 200: its power is 80% here (upper bound 0.20-0.26 on 33 seed sets; the study: "
        "power 99% at n = 500)"),
    ("normality_test", "gaussian_mixture", "no_false_gaussian"): (
        "the K^2 test at 5% misses 0.628 [0.562, 0.690] of two-Gaussian mixtures "
        "(separation 2, excess kurtosis -0.5) at n = 200: power 37% (upper bound 0.68-0.76 "
        "on 33 seed sets; the study: power 97% at n = 1000)"),
}

VARIABLE_FINDINGS = {
    ("normality_test", "gaussian", "picks_true_family"): (
        "a test at level 5% calls about 95% of Gaussian samples Gaussian, which sits just "
        "above the 0.9 bar read at its lower 99.9% bound: 0.958 [0.922, 0.978] on seeds 0-2; "
        "passes on 22 of 33 disjoint 3-seed sets of seeds 1000-1098 (lower bound 0.88-0.93)"),
    ("normality_test", "lognormal", "no_false_gaussian"): (
        "the K^2 test at 5% misses 0.068 [0.042, 0.110] of log-normal (sigma 0.25) samples "
        "at n = 200 on seeds 0-2, upper bound just above the 0.1 bar; passes on 19 of 33 "
        "disjoint 3-seed sets of seeds 1000-1098 (upper bound 0.065-0.128): power ~95%"),
}
