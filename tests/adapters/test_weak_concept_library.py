"""concept-erasure's LEACE skips the weak concept at the full profile's size; the built-in does not.

The library drops singular values of ``W S_xz`` below an absolute ``svd_tol = 0.01``. For
two balanced classes that singular value is ``p_0 p_1 ||W (mu_1 - mu_0)||``, so a sample
Mahalanobis gap below ~0.04 is treated as no concept and the eraser is the identity. On
the weak concept (planted gap 0.02) fitted on 200000 rows (the full profile's fit size)
the sample gap is ~0.02-0.025 and the library leaves it whole: the guards_fit_data ratio is
1.0 on seeds 0-2 (d = 16 and d = 64), against ~5e-14 for the built-in. On 20000 rows (the
quick profile) sampling noise inflates the sample gap to ~0.055, above the tolerance, and
the library erases it (ratio ~2e-14): the quick grid cannot show this.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("concept_erasure")

from generators.weak_concept import make_weak_concept  # noqa: E402
from methods.adapters.concept_erasure import LeaceEraser as LibraryLeace  # noqa: E402
from methods.erasure.leace import LeaceEraser  # noqa: E402
from metrics.guardedness import whitened_class_mean_gap, whitening  # noqa: E402


def _ratio(eraser, ds) -> float:
    W = whitening(ds.X)
    after = whitened_class_mean_gap(eraser.fit(ds.X, ds.y).transform(ds.X), ds.y, W)
    return after / whitened_class_mean_gap(ds.X, ds.y, W)


def test_library_svd_tol_skips_the_weak_concept_at_full_size():
    ds = make_weak_concept(200_000, 16, random_state=0)
    assert _ratio(LibraryLeace(), ds) == pytest.approx(1.0, abs=1e-9)  # measured 1.00
    assert _ratio(LeaceEraser(), ds) < 1e-12  # measured 3.8e-14


def test_library_erases_it_at_quick_size():
    ds = make_weak_concept(20_000, 16, random_state=0)
    assert _ratio(LibraryLeace(), ds) < 1e-12  # measured 1.7e-14
