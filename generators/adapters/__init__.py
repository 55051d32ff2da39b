"""Generators from the field's libraries, through adapters.

Each adapter loads its library inside its functions (`floor.optional.import_optional`), so
importing ``generators`` never needs torch or sae-lens; the library does the sampling, the
adapter keeps the suite's contract (a pure function of its arguments and seed returning a
`generators.dataset.Dataset` with its ground truth).

- `generators.adapters.saelens_synthetic`: SynthSAEBench (Chanin and Garriga-Alonso 2026),
  SAELens's ``sae_lens.synthetic.SyntheticModel``.
"""
