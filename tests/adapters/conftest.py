"""One torch thread for the adapter tests: their matrices are tiny (at most 8192 x 64), so
extra threads only contend for the cores (a 2 s fit took 20 s with two busy threads)."""

from __future__ import annotations

import importlib.util

import pytest


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    if importlib.util.find_spec("torch") is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
