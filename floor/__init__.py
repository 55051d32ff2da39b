"""The ground floor: the shared closed forms and input validation.

What `methods`, `generators` and `metrics` all import, and none of them may take from
another: the argument and input checks (`floor.validation`), the geometric median
(`floor.geometric_median`) and the random-matrix closed forms of a noisy weight matrix
(`floor.random_matrix`). The floor imports nothing of the project.
"""
