"""What the curves family asks, and what each generator and headline metric is.

The report opens the family's section with these sentences; a generator's sentence may name
facts of its ground truth in braces, filled from the record's ``ground_truth``.
"""

from __future__ import annotations

# The title of the family's section of the report.
TITLE = "Score distributions: does looking Gaussian tell the mechanism?"

QUESTION = (
    "\"These score distributions look Gaussian, so the model is a bunch of small independent "
    "heuristics\": does looking Gaussian tell the mechanism? Each generator is one law at a "
    "sample size people plot (n = 200 points per histogram on the quick profile, 1000 on "
    "the full), many independent samples per seed; a method calls each sample Gaussian or "
    "not: a Gaussian overlay judged by eye (R^2 against the histogram), or a choice "
    "between a Gaussian and a shifted exponential by held-out log-likelihood or by AIC, or "
    "a normality test (D'Agostino-Pearson K^2 at 5%) as the contrast. Only the Gaussian and "
    "a sum of small independent terms should be called Gaussian.")

GENERATORS = {
    "gaussian": "A Gaussian sample (skewness {skewness:g}, excess kurtosis "
                "{excess_kurtosis:g}): calling it Gaussian is right.",
    "clt_sum": "A sum of {n_terms} independent Exp(1) waiting times, standardised (the "
               "claim's mechanism; skewness {skewness:.2f}, excess kurtosis "
               "{excess_kurtosis:.2f}): calling it Gaussian is right.",
    "exponential": "A constant-hazard waiting time, {loc:g} + Exp({rate:g}) (skewness "
                   "{skewness:g}): one mechanism; the right call is exponential.",
    "lognormal": "A log-normal, exp(N(0, {sigma:g}^2)): a product of many small factors, "
                 "not a sum (skewness {skewness:.2f}, excess kurtosis "
                 "{excess_kurtosis:.2f}); not Gaussian.",
    "student_t": "A Student-t with {df:g} degrees of freedom: a Gaussian whose variance is "
                 "random, heavy tails (excess kurtosis {excess_kurtosis:g}); not Gaussian.",
    "gaussian_mixture": "Two unit Gaussians {separation:g} apart at equal weights: two "
                        "mechanisms, one flat-topped hump (excess kurtosis "
                        "{excess_kurtosis:.2f}); not Gaussian.",
}

METRICS = {
    "called_gaussian": "share of samples the method calls Gaussian (pooled over seeds, 99.9% "
                       "Wilson interval)",
    "family_correct": "share of samples called right, where the law is Gaussian, a CLT sum "
                      "or exponential",
    "mean_r2": "eyeball test: mean R^2 of the Gaussian overlay against the histogram",
    "heldout_gaussian_advantage": "the law's truth, not the method's: mean held-out "
                                  "log-likelihood per point, Gaussian fit minus exponential "
                                  "fit (positive: the Gaussian predicts better)",
}
