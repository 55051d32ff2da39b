"""The built-in QLEACE (methods.erasure.qleace) equals concept-erasure's QuadraticFitter.

On the same arrays, with the library's exact setting (``shrinkage=False``: Bessel-corrected
class covariances, as the built-in), the two differ only by a constant translation: the
library moves every class to the unweighted average of the class means, the built-in to the
frequency-weighted one (the overall mean, the barycentre's mean). Besides that:

- the library stores class counts in float32 (``torch.zeros`` default dtype), so its class
  priors carry relative rounding ~6e-8 and its two-class barycentre moves by that much:
  measured 1.4e-7 on unbalanced 6-d classes of size ~5; with priors exact in float32
  (balanced: 1/2) the outputs agree to 2e-14;
- for more than two classes the library stops its fixed point when the loss decreases by
  less than float64 eps, i.e. at a barycentre error ~sqrt(eps); measured 1.5e-9 with
  balanced 4 classes (priors 1/4, exact).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ce = pytest.importorskip("concept_erasure")

from methods.adapters.concept_erasure import QuadraticEraser  # noqa: E402
from methods.erasure.qleace import QuadraticLeaceEraser  # noqa: E402

# Float64 rounding of the same closed form (balanced two classes).
EXACT_ATOL = 1e-11
# The library's float32 class priors (unbalanced) or its sqrt(eps) fixed-point stop.
LIBRARY_ROUNDING_ATOL = 1e-6


def _data(k: int, balanced: bool, n: int = 600, d: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k if balanced else rng.integers(0, k, n)
    rng.shuffle(y)
    scales = 1.0 + 0.5 * rng.random((k, d))
    X = rng.standard_normal((n, d)) * scales[y] + 1.5 * np.eye(k, d)[y]
    return X, y


def _library(X, y):
    fitted = ce.QuadraticFitter.fit(torch.from_numpy(X), torch.from_numpy(y), shrinkage=False)
    eraser = fitted.eraser
    return eraser(torch.from_numpy(X), torch.from_numpy(y)).numpy(), eraser


@pytest.mark.parametrize(("k", "balanced", "atol"), [
    (2, True, EXACT_ATOL), (2, False, LIBRARY_ROUNDING_ATOL),
    (3, False, LIBRARY_ROUNDING_ATOL), (4, True, LIBRARY_ROUNDING_ATOL)])
def test_builtin_equals_library_up_to_the_target_mean(k, balanced, atol):
    X, y = _data(k, balanced)
    ours = QuadraticLeaceEraser().fit(X, y)
    out = ours.transform(X, y)
    expected, lib = _library(X, y)
    shift = X.mean(axis=0) - lib.class_means.numpy().mean(axis=0)
    if balanced:
        np.testing.assert_allclose(shift, 0.0, atol=1e-12)
    else:
        assert np.abs(shift).max() > 1e-3  # the translation is real for unbalanced classes
    np.testing.assert_allclose(out, expected + shift, rtol=0, atol=atol)
    np.testing.assert_allclose(ours.maps_, lib.ot_maps.numpy(), rtol=0, atol=atol)


def test_builtin_equals_the_adapter_without_shrinkage():
    X, y = _data(2, balanced=True, seed=4)
    adapter = QuadraticEraser(shrinkage=False).fit(X, y).transform(X, y)
    np.testing.assert_allclose(QuadraticLeaceEraser().fit(X, y).transform(X, y), adapter,
                               rtol=0, atol=EXACT_ATOL)
