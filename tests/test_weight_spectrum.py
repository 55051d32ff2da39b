"""The recovery metrics of `metrics.weight_spectrum` on hand-built cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from metrics.weight_spectrum import matched_pair_cosines, span_angles_deg


def test_matched_pair_cosines_hand_built():
    I5, I4 = np.eye(5), np.eye(4)
    U, V = I5[:3], I4[:3]
    # The same pairs, permuted and with flipped signs: |cos| 1 each.
    cu, cv = matched_pair_cosines(-U[[2, 0, 1]], V[[2, 0, 1]], U, V)
    np.testing.assert_allclose(cu, 1.0)
    np.testing.assert_allclose(cv, 1.0)
    # A 45-degree rotation within the span of the first two pairs: 0.707 each, span exact.
    c = 1 / math.sqrt(2)
    R = np.array([[c, c], [-c, c]])
    cu, cv = matched_pair_cosines(R @ U[:2], R @ V[:2], U[:2], V[:2])
    np.testing.assert_allclose(cu, c)
    np.testing.assert_allclose(cv, c)
    np.testing.assert_allclose(span_angles_deg(R @ U[:2], U[:2]), 0.0, atol=1e-6)
    # Fewer found than planted: the unmatched planted pair scores 0; a dead row matches nothing.
    cu, cv = matched_pair_cosines(U[:1], V[:1], U, V)
    assert sorted(cu) == [0.0, 0.0, 1.0]
    cu, cv = matched_pair_cosines(np.zeros((1, 5)), np.zeros((1, 4)), U[:1], V[:1])
    assert cu[0] == 0.0 and cv[0] == 0.0
    # The matching maximises the mean of both sides: write and read must come together.
    cu, cv = matched_pair_cosines(U[[0, 1]], V[[1, 0]], U[:2], V[:2])
    assert np.all((cu + cv) / 2 == pytest.approx(0.5))
    with pytest.raises(ValueError, match="read has"):
        matched_pair_cosines(U, V[:2], U, V)
    with pytest.raises(ValueError, match="true_write has a zero row"):
        matched_pair_cosines(U, V, np.zeros((3, 5)), V)


def test_span_angles_hand_built():
    e = np.eye(3)
    np.testing.assert_allclose(span_angles_deg(e[:1], e[1:2]), [90.0])
    v = np.array([[1.0, 1.0, 0.0]])
    np.testing.assert_allclose(span_angles_deg(v, e[:1]), [45.0])
    np.testing.assert_allclose(sorted(span_angles_deg(e[:2], np.array([[1, 1, 0], [0, 0, 1.]]))),
                               [0.0, 90.0], atol=1e-5)
