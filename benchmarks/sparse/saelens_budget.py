"""The budget table of `methods.adapters.saelens`: the built-in TopKSAE against SAELensSAE.

On the quick planted data (``make_planted_sparse(8192, n_features=32, n_atoms=64,
random_state=seed, split=0)``), prints per seed the MMCS and recovery (|cos| > 0.9) of each
fit's ``components_`` against the 64 planted atoms, and its fit time. The adapter's module
docstring quotes the numbers; ``OMP_NUM_THREADS=1 python -m benchmarks.sparse.saelens_budget``
reruns them (needs the optional adapters' libraries, requirements-adapters.txt).
"""

from __future__ import annotations

import contextlib
import time

from generators.planted_sparse import make_planted_sparse
from methods.adapters.saelens import SAELensSAE
from methods.sparse.topk_sae import TopKSAE
from metrics.dictionary_similarity import mmcs, recovery_rate


def measure(seeds=(0, 1, 2)) -> None:  # pragma: no cover - the docstring's numbers
    """Print MMCS / recovery of the built-in TopKSAE and SAELensSAE on the quick data."""
    for seed in seeds:
        data = make_planted_sparse(8192, n_features=32, n_atoms=64, random_state=seed,
                                   split=0)
        F = data.ground_truth["features"]
        for name, est in (("built-in", TopKSAE(64, k=5, n_steps=500, batch_size=256,
                                               learning_rate=1e-2, random_state=seed)),
                          ("saelens", SAELensSAE("topk", 64, random_state=seed))):
            start = time.perf_counter()
            est.fit(data.X)
            took = time.perf_counter() - start
            print(f"seed {seed} {name:9s} MMCS {mmcs(est.components_, F):.3f} recovery "
                  f"{recovery_rate(est.components_, F):.3f} ({took:.1f} s)")


if __name__ == "__main__":  # pragma: no cover
    with contextlib.suppress(KeyboardInterrupt):
        measure()
