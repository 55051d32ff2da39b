"""Applying a torch function to a numpy array in chunks (shared by the torch adapters)."""

from __future__ import annotations

from typing import Callable

import numpy as np

# Rows encoded or decoded at once.
CHUNK = 8192


def apply_in_chunks(torch, fn: Callable, arr: np.ndarray, dtype, device,
                    chunk: int = CHUNK) -> np.ndarray:
    """``fn`` on ``chunk``-row tensors of ``arr`` (as ``dtype`` on ``device``, no grad);
    float64 numpy out, the rows concatenated (a sparse result is densified)."""
    parts = []
    with torch.no_grad():
        for start in range(0, arr.shape[0], chunk):
            x = torch.as_tensor(arr[start:start + chunk], dtype=dtype, device=device)
            out = fn(x)
            parts.append((out.to_dense() if out.is_sparse else out).cpu().numpy())
    return np.concatenate(parts).astype(np.float64, copy=False)
