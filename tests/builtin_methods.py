"""Every built-in eraser and dictionary learner, with small, fast hyperparameters.

One registry for the tests that run every built-in method: the scikit-learn checks and the
contract battery of ``tests/test_common.py`` and the property tests of
``tests/test_properties_methods.py``. Each entry builds a fresh instance for data of width
``d`` (only the oracle needs it: its planted directions fix the width). The budgets are
tiny (a few iterations, a handful of atoms) so that each fit costs milliseconds; the
contracts do not depend on them.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

from methods.erasure.identity import IdentityEraser
from methods.erasure.inlp import INLPEraser
from methods.erasure.leace import LeaceEraser
from methods.erasure.mean_matching import MeanMatchingEraser
from methods.erasure.mean_projection import MeanProjectionEraser
from methods.erasure.median_projection import MedianProjectionEraser
from methods.erasure.oracle import OracleEraser
from methods.erasure.qleace import QuadraticLeaceEraser
from methods.erasure.rlace import RLACEEraser
from methods.erasure.rlace_sgd import RLACESGDEraser
from methods.sparse.batchtopk_sae import BatchTopKSAE
from methods.sparse.gated_sae import GatedSAE
from methods.sparse.jumprelu_sae import JumpReluSAE
from methods.sparse.kmeans_atoms import KMeansAtoms
from methods.sparse.matryoshka_sae import MatryoshkaSAE
from methods.sparse.random_atoms import RandomAtoms
from methods.sparse.relu_sae import ReluSAE
from methods.sparse.topk_sae import TopKSAE


def _oracle(d: int) -> OracleEraser:
    return OracleEraser(directions=np.eye(d)[:, :1])


ERASERS: dict[str, Callable[[int], object]] = {
    "identity": lambda d: IdentityEraser(),
    "leace": lambda d: LeaceEraser(),
    "mean_projection": lambda d: MeanProjectionEraser(),
    "median_projection": lambda d: MedianProjectionEraser(),
    "mean_matching": lambda d: MeanMatchingEraser(),
    "qleace": lambda d: QuadraticLeaceEraser(),
    "oracle": _oracle,
    "inlp": lambda d: INLPEraser(n_iter=2, random_state=0),
    "rlace": lambda d: RLACEEraser(rank=1, max_iter=2, max_inner_iter=20, random_state=0),
    "rlace_sgd": lambda d: RLACESGDEraser(rank=1, n_steps=5, evaluate_every=2, batch_size=8,
                                          random_state=0),
}

# k=1: scikit-learn's checks set n_components=1 on estimators that have it.
DICTIONARIES: dict[str, Callable[[], object]] = {
    "relu_sae": lambda: ReluSAE(n_components=4, n_steps=5, batch_size=8, random_state=0),
    "topk_sae": lambda: TopKSAE(n_components=4, k=1, dead_after=8, n_steps=5, batch_size=8,
                                random_state=0),
    "batchtopk_sae": lambda: BatchTopKSAE(n_components=4, k=1, n_steps=5, batch_size=8,
                                          random_state=0),
    "matryoshka_sae": lambda: MatryoshkaSAE(n_components=4, k=1, n_steps=5, batch_size=8,
                                            random_state=0),
    "jumprelu_sae": lambda: JumpReluSAE(n_components=4, n_steps=5, batch_size=8,
                                        random_state=0),
    "gated_sae": lambda: GatedSAE(n_components=4, n_steps=5, batch_size=8, random_state=0),
    "random_atoms": lambda: RandomAtoms(n_components=4, random_state=0),
    "kmeans_atoms": lambda: KMeansAtoms(n_components=2, max_iter=5, random_state=0),
}


def erase(est, X, y):
    """``est.transform(X)``, or ``est.transform(X, y)`` for an eraser that needs labels."""
    if "y" in inspect.signature(est.transform).parameters:
        return est.transform(X, y)
    return est.transform(X)
