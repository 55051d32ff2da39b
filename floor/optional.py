"""Lazy imports of the optional libraries (torch, sae-lens, concept-erasure) that the adapters
of methods and generators load inside their functions, with an error saying how to install them."""

from __future__ import annotations

import importlib
from types import ModuleType

# The pip distribution that provides each top-level module an adapter imports.
PACKAGES = {
    "torch": "torch",
    "sae_lens": "sae-lens",
    "concept_erasure": "concept-erasure",
}

INSTALL_HINT = ("install the optional adapters: python -m pip install -r "
                "requirements-adapters.txt -c constraints.txt")


def import_optional(module_name: str, adapter: str = "this adapter") -> ModuleType:
    """Import ``module_name`` (a dotted name allowed) or raise an ImportError saying how to
    install it.

    The top-level package is imported first, so a package blocked or missing (for example
    ``sys.modules["sae_lens"] = None``) fails here even when one of its submodules is
    already loaded.

    Parameters
    ----------
    module_name : str
        Module to import, e.g. ``"sae_lens"`` or ``"sae_lens.training.sae_trainer"``.
    adapter : str, default="this adapter"
        Name of the adapter that needs it, for the message.

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    ImportError
        ``"<adapter> needs <package>; install the optional adapters: python -m pip install
        -r requirements-adapters.txt -c constraints.txt"``, chained to the original error.
    """
    top = module_name.split(".", 1)[0]
    package = PACKAGES.get(top, top)
    try:
        importlib.import_module(top)
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"{adapter} needs {package}; {INSTALL_HINT}") from exc
