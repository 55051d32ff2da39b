"""Adapters that run the field's own libraries through the suite.

Each adapter is a scikit-learn estimator with the protocol of a built-in family, whose
``fit`` and ``transform`` call the library and never re-implement its math:

- `methods.adapters.concept_erasure`: ``LeaceEraser``, ``QuadraticEraser`` and
  ``OracleEraser`` of EleutherAI's ``concept-erasure`` (erasure family).
- `methods.adapters.saelens`: ``SAELensSAE``, any SAELens training architecture trained by
  SAELens' own trainer (sparse family).
- `methods.adapters.torch_module`: ``TorchSAE``, any torch module with ``encode``,
  ``decode`` and ``W_dec`` (the SAEBench custom-SAE protocol; sparse family).

The libraries are optional (``requirements-adapters.txt``) and imported only when an
adapter is fitted, so importing these modules needs neither torch nor the libraries::

    python -m pip install -r requirements-adapters.txt -c constraints.txt
"""
