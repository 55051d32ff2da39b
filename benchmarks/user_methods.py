"""Load a user's method by import path and tell which family it belongs to.

``pkg.module:Class`` imports ``pkg.module``; ``path/to/file.py:Class`` loads the file;
``pkg.module:Class(k=32, lr=1e-3)`` passes hyperparameters (keyword arguments, each a
Python literal) to the class or factory function. Any class following a family's protocol
(see the README) works; its constructor gets ``random_state`` (an int from the method's
own stream) when it accepts one and the string does not set it, and the sparse family
sets ``n_components`` when the grid sweeps dictionary size. Without ``--family``, the
family is the registered family whose interface rule accepts the class (`infer_family`).
"""

from __future__ import annotations

from benchmarks.registry import FAMILIES, FAMILY_NAMES


def infer_family(cls) -> str:
    """The family of ``cls`` from its interface, or a ValueError saying why it is ambiguous.

    Every registered family is asked (``Family.accepts_interface``: the rule
    ``<family>_interface`` in ``benchmarks/<family>/family.py``, whose docstring states it);
    the one family that accepts ``cls`` is its family. A family whose methods a class cannot
    tell (weights, curves) accepts none: its methods need ``--family``. A rule may raise
    itself, saying how to port a class of an outdated interface (the truth rule, for a
    ``fit(X_pos, X_neg)`` from before the contrast pairs became one matrix).
    """
    if getattr(cls, "fit", None) is None:
        raise ValueError(f"{cls!r} has no fit method")
    candidates = [name for name, family in FAMILIES.items() if family.accepts_interface(cls)]
    if len(candidates) != 1:
        found = " or ".join(candidates) if candidates else "no family"
        raise ValueError(
            f"cannot infer the family of {cls.__name__} from its interface (matches {found}); "
            f"pass --family {'|'.join(FAMILY_NAMES)}"
        )
    return candidates[0]
