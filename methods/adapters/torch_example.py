"""A small TopK sparse autoencoder in torch, written to the SAEBench custom-SAE protocol.

An example of what `methods.adapters.torch_module.TorchSAE` scores: any ``nn.Module`` with
``encode``, ``decode`` and ``W_dec`` (d_sae, d_in). Run it through the whole sparse grid
with one ``--method`` string::

    pytest benchmarks/ --method 'methods.adapters.torch_module:TorchSAE(
        module="methods.adapters.torch_example:TopKModule",
        train_fn="methods.adapters.torch_example:train", n_components=64)'

The model (Gao et al. 2024, "Scaling and evaluating sparse autoencoders", arXiv
2406.04093, without AuxK): for a row ``x`` (d,), ``z = TopK_k(ReLU(W_enc^T (x - b_dec) +
b_enc))`` (m,) keeps the ``k`` largest pre-activations, and ``x_hat = W_dec^T z + b_dec``.
`train` minimises the mean squared error with Adam on minibatches and keeps the decoder
rows at unit norm (projected after each step). Importing this module needs torch
(requirements-adapters.txt).
"""

from __future__ import annotations

import torch
from torch import nn


class TopKModule(nn.Module):
    """``encode`` / ``decode`` / ``W_dec`` of a TopK SAE with ``n_components`` latents.

    Parameters
    ----------
    d_in : int
        Input dimension ``d``.
    n_components : int
        Number of latents ``m``.
    k : int, default=5
        Active latents per row.
    """

    def __init__(self, d_in: int, n_components: int, k: int = 5):
        super().__init__()
        self.k = min(k, n_components)
        W = torch.randn(n_components, d_in)
        W = W / W.norm(dim=1, keepdim=True)
        self.W_dec = nn.Parameter(W)                       # (m, d)
        self.W_enc = nn.Parameter(W.T.clone())             # (d, m)
        self.b_enc = nn.Parameter(torch.zeros(n_components))
        self.b_dec = nn.Parameter(torch.zeros(d_in))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes (batch, m): the top ``k`` of ``ReLU((x - b_dec) W_enc + b_enc)``."""
        pre = torch.relu((x - self.b_dec) @ self.W_enc + self.b_enc)
        top = torch.topk(pre, self.k, dim=-1)
        return torch.zeros_like(pre).scatter(-1, top.indices, top.values)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstruction (batch, d): ``z W_dec + b_dec``."""
        return z @ self.W_dec + self.b_dec

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def train(module: TopKModule, X: torch.Tensor, generator: torch.Generator,
          n_steps: int = 500, batch_size: int = 256, learning_rate: float = 1e-2) -> None:
    """Adam on the mean squared reconstruction error, minibatches drawn with ``generator``;
    decoder rows renormalised to unit length after every step. Budget: the suite's built-in
    TopK SAE on the quick profile (500 steps of 256 rows, learning rate 1e-2)."""
    opt = torch.optim.Adam(module.parameters(), lr=learning_rate)
    with torch.no_grad():
        module.b_dec.copy_(X.mean(dim=0))
    for _ in range(n_steps):
        idx = torch.randint(0, X.shape[0], (batch_size,), generator=generator)
        batch = X[idx.to(X.device)]
        loss = ((module(batch) - batch) ** 2).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():
            module.W_dec /= module.W_dec.norm(dim=1, keepdim=True)
