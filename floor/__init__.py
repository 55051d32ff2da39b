"""The ground floor: the shared closed forms and input validation.

What `methods`, `generators` and `metrics` all import, and none of them may take from
another: the argument and input checks (`floor.validation`), the geometric median
(`floor.geometric_median`), the random-matrix closed forms of a noisy weight matrix
(`floor.random_matrix`) and the per-side normalisation of contrast pairs with the CCS
objective (`floor.contrast_pairs`), and the whitening of a covariance that LEACE and the
guardedness test share (`floor.whitening`). The floor imports nothing of the project.
"""
