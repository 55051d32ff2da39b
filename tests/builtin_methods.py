"""Every built-in method of every family at the tiny scale, built from the families' lists.

The one builder of the tests that run every built-in method: scikit-learn's checks and the
contract batteries of ``tests/test_common*.py`` and the property tests of
``tests/test_properties_methods.py``. The list is each family's own
(``Family.methods``, in ``benchmarks/<family>/family.py``): a method is covered the moment
it is listed there. Each factory builds a fresh instance for data of width ``d``
(`benchmarks.families.Family.tiny_instance`: the grid's build, then the spec's ``tiny``
budgets, a few steps and a handful of atoms, so that each fit costs milliseconds; the
contracts do not depend on them).
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Callable

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from benchmarks.profiles import get_profile
from benchmarks.registry import get_family

#: Public estimator classes of ``methods/<family>/`` that are parts of a method, not methods
#: of the grid, ``{class name: reason}``. The contract tests check them beside the methods
#: (tests/test_common_curves.py); `test_every_builtin_method_is_checked` lets them be.
NOT_METHODS: dict[str, str] = {
    "GaussianMLE": "the maximum-likelihood Gaussian the curves selectors fit per column: "
                   "a density, not a call (it sets no family_)",
    "ShiftedExponentialMLE": "the maximum-likelihood shifted exponential the curves "
                             "selectors fit per column: a density, not a call",
}


def tiny_factories(family: str) -> dict[str, Callable[..., object]]:
    """``{spec name: factory}`` of every method in ``family``'s list, in its order.

    ``factory(d=5)`` returns a fresh instance at the tiny scale for data of width
    ``d`` (only the erasure oracle's width matters: its planted directions fix it).
    """
    fam = get_family(family)
    return {spec.name: partial(fam.tiny_instance, spec)
            for spec in fam.methods(get_profile("quick"))}


def is_ours(factory: Callable[..., object]) -> bool:
    """Whether the method is a class of this repository (``methods/``), not a library's
    own estimator the grid lists as a baseline (scikit-learn's PCA, FastICA,
    MiniBatchDictionaryLearning)."""
    return type(factory()).__module__.split(".")[0] == "methods"


ERASERS = tiny_factories("erasure")
#: Every dictionary learner of the sparse list, scikit-learn's own baselines included.
SPARSE = tiny_factories("sparse")
#: The dictionary learners of this repository (scikit-learn's checks apply to them).
DICTIONARIES = {name: make for name, make in SPARSE.items() if is_ours(make)}
#: The sparse list's scikit-learn estimators, checked through the family's wrapping.
SKLEARN_BASELINES = {name: make for name, make in SPARSE.items() if not is_ours(make)}
TRUTH = tiny_factories("truth")
WEIGHTS = tiny_factories("weights")
CURVES = tiny_factories("curves")


def parametrize_with_named_checks(named: dict[str, object], **kwargs):
    """scikit-learn's `parametrize_with_checks` over the instances of ``named``, each test id
    ``<name>-<check>``: the method's name in its family's list, so that ``-k <name>`` selects
    its checks (``kwargs``: the expected failures, as `parametrize_with_checks` takes them).
    """
    mark = parametrize_with_checks(list(named.values()), **kwargs)
    names = {id(est): name for name, est in named.items()}
    check_id = mark.kwargs["ids"]  # scikit-learn's own ids, for the checks

    return pytest.mark.parametrize(*mark.args, ids=lambda v: names.get(id(v)) or check_id(v))


def erase(est, X, y):
    """``est.transform(X)``, or ``est.transform(X, y)`` for an eraser that needs labels."""
    if "y" in inspect.signature(est.transform).parameters:
        return est.transform(X, y)
    return est.transform(X)
