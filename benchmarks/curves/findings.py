"""Expected findings of the built-in Gaussianity calls, measured on the quick profile.

Filled in from ``python -m reports --family curves`` (3 seeds x 200 samples of n = 200).
"""

FINDINGS: dict[tuple[str, str, str], str] = {}
