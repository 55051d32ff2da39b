"""Expected findings of the built-in weight-direction methods (quick profile, 3 seeds)."""

FINDINGS: dict[tuple[str, str, str], str] = {}
