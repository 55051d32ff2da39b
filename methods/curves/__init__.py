"""Score-distribution methods: maximum-likelihood fits, model selectors, the eyeball test.

Every method takes ``X`` of shape (n_samples, n_columns) and treats each column as one
independent 1-D sample (as `generators.score_distributions` lays them out), so that many
samples are fitted in one vectorised call. Each selector sets ``family_``, one name per
column: "gaussian", "exponential", or "not_gaussian" (the eyeball test's rejection).
"""
