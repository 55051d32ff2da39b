"""TorchSAE: the module's own encode / decode / W_dec, trained by a user function or
pretrained."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

torch = pytest.importorskip("torch")

from generators.planted_sparse import make_planted_sparse  # noqa: E402
from methods.adapters.torch_module import TorchSAE  # noqa: E402


class ReluSAE(torch.nn.Module):
    """SAEBench-style SAE: z = ReLU((x - b_dec) W_enc + b_enc), x_hat = z W_dec + b_dec."""

    def __init__(self, d_in: int, d_sae: int):
        super().__init__()
        self.W_dec = torch.nn.Parameter(torch.randn(d_sae, d_in) / d_in**0.5)
        self.W_enc = torch.nn.Parameter(self.W_dec.detach().T.clone())
        self.b_enc = torch.nn.Parameter(torch.zeros(d_sae))
        self.b_dec = torch.nn.Parameter(torch.zeros(d_in))

    def encode(self, x):
        return torch.relu((x - self.b_dec) @ self.W_enc + self.b_enc)

    def decode(self, z):
        return z @ self.W_dec + self.b_dec


def train_relu_sae(module, X, generator, n_steps=300, batch_size=128, l1=0.05):
    opt = torch.optim.Adam(module.parameters(), lr=1e-2)
    for _ in range(n_steps):
        idx = torch.randint(0, X.shape[0], (batch_size,), generator=generator)
        x = X[idx]
        z = module.encode(x)
        loss = ((module.decode(z) - x) ** 2).sum(-1).mean() + l1 * z.abs().sum(-1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        with torch.no_grad():  # unit decoder rows, so the L1 penalty cannot be shrunk away
            module.W_dec /= module.W_dec.norm(dim=1, keepdim=True)


def _fvu(est, X):
    X_hat = est.inverse_transform(est.transform(X))
    return ((X - X_hat) ** 2).sum() / ((X - X.mean(axis=0)) ** 2).sum()


@pytest.fixture(scope="module")
def data():
    return make_planted_sparse(2048, n_features=8, n_atoms=16, random_state=2, split=0)


def test_trained_outputs_are_the_module(data):
    X = data.X
    est = TorchSAE(ReluSAE, 32, train_fn=train_relu_sae, random_state=0).fit(X)
    with torch.no_grad():
        z = est.module_.encode(torch.as_tensor(X, dtype=torch.float32))
        x_hat = est.module_.decode(z)
    codes = est.transform(X)
    assert codes.dtype == np.float64 and codes.shape == (2048, 32)
    np.testing.assert_array_equal(codes, z.numpy())
    np.testing.assert_array_equal(est.inverse_transform(codes), x_hat.numpy())
    np.testing.assert_array_equal(est.components_, est.module_.W_dec.detach().numpy())
    assert not est.module_.training
    # It trained: the reconstruction error is far below that of the initial weights.
    init = TorchSAE(ReluSAE, 32, train_fn=lambda *args: None, random_state=0).fit(X)
    assert _fvu(est, X) < 0.5 * _fvu(init, X)


def test_reproducible_and_global_rng_untouched(data):
    torch.manual_seed(7)
    state = torch.get_rng_state()
    a = TorchSAE(ReluSAE, 16, train_fn=train_relu_sae, random_state=1).fit(data.X)
    assert torch.equal(torch.get_rng_state(), state)
    b = TorchSAE(ReluSAE, 16, train_fn=train_relu_sae, random_state=1).fit(data.X)
    c = TorchSAE(ReluSAE, 16, train_fn=train_relu_sae, random_state=2).fit(data.X)
    np.testing.assert_array_equal(a.components_, b.components_)
    assert not np.allclose(a.components_, c.components_)


def test_pretrained_module_is_scored_as_is(data):
    torch.manual_seed(0)
    sae = ReluSAE(8, 12)
    before = sae.W_dec.detach().clone()
    est = TorchSAE(sae).fit(data.X)
    assert est.module_ is sae
    np.testing.assert_array_equal(est.components_, before.numpy())
    with torch.no_grad():
        z = sae.encode(torch.as_tensor(data.X, dtype=torch.float32))
    np.testing.assert_array_equal(est.transform(data.X), z.numpy())
    # With a train_fn, a copy is fine-tuned and the module passed in is left alone.
    tuned = TorchSAE(sae, train_fn=train_relu_sae, random_state=0).fit(data.X)
    assert tuned.module_ is not sae
    assert torch.equal(sae.W_dec.detach(), before)
    assert not np.allclose(tuned.components_, before.numpy())
    # clone deep-copies the module parameter.
    assert clone(est).module is not sae


def test_errors_name_the_argument(data):
    X = data.X
    with pytest.raises(ValueError, match="module must be given"):
        TorchSAE().fit(X)
    with pytest.raises(ValueError, match="n_components must be given"):
        TorchSAE(ReluSAE, train_fn=train_relu_sae).fit(X)
    with pytest.raises(ValueError, match="train_fn must be given"):
        TorchSAE(ReluSAE, 8).fit(X)
    for bad in (0, 2.5):
        with pytest.raises(ValueError, match="n_components"):
            TorchSAE(ReluSAE, bad, train_fn=train_relu_sae).fit(X)
    with pytest.raises(ValueError, match=r"W_dec must have shape .*\(m, 8\), got \(12, 5\)"):
        TorchSAE(ReluSAE(5, 12)).fit(X)
    with pytest.raises(ValueError, match="n_components=10 but module.W_dec has 12 rows"):
        TorchSAE(ReluSAE(8, 12), 10).fit(X)
    with pytest.raises(ValueError, match="lacks \\['encode', 'decode', 'W_dec'\\]"):
        TorchSAE(torch.nn.Linear(8, 4)).fit(X)
    with pytest.raises(ValueError, match="codes has 11 columns|codes has 11 features"):
        TorchSAE(ReluSAE(8, 12)).fit(X).inverse_transform(np.zeros((3, 11)))


def test_import_paths_name_the_module_and_the_training_function():
    """The one-line --method form: module and train_fn as 'pkg.module:name' strings."""
    from generators.planted_sparse import make_planted_sparse
    from metrics.dictionary_similarity import mmcs

    data = make_planted_sparse(4096, n_features=32, n_atoms=64, random_state=0)
    est = TorchSAE(module="methods.adapters.torch_example:TopKModule",
                   train_fn="methods.adapters.torch_example:train", n_components=64,
                   random_state=0).fit(data.X)
    assert est.components_.shape == (64, 32)
    # The example TopK SAE recovers the planted features (measured 0.9+ on this seed).
    assert mmcs(est.components_, data.ground_truth["features"]) > 0.85
    np.testing.assert_array_equal(est.transform(data.X[:5]),
                                  est.module_.encode(torch.as_tensor(
                                      data.X[:5], dtype=torch.float32)).detach().numpy())
    with pytest.raises(ValueError, match="module must look like 'pkg.module:Name'"):
        TorchSAE(module="no_colon", train_fn="x:y", n_components=4).fit(data.X)
    with pytest.raises(ValueError, match="torch_example has no attribute 'Nope'"):
        TorchSAE(module="methods.adapters.torch_example:Nope", train_fn="x:y",
                 n_components=4).fit(data.X)
    with pytest.raises(ValueError, match="module 'nopkg.sae:MySAE': cannot import nopkg.sae"):
        TorchSAE(module="nopkg.sae:MySAE(k=8)", train_fn="x:y", n_components=4).fit(data.X)


def test_import_strings_carry_the_modules_and_the_trainings_hyperparameters():
    """module="pkg:Factory(k=2)" builds Factory(d_in, n_components, k=2); train_fn's
    arguments reach every call: the --method syntax, one level down."""
    from generators.planted_sparse import make_planted_sparse

    data = make_planted_sparse(512, n_features=16, n_atoms=32, random_state=0)
    est = TorchSAE(module="methods.adapters.torch_example:TopKModule(k=2)",
                   train_fn="methods.adapters.torch_example:train(n_steps=3)",
                   n_components=32, random_state=0).fit(data.X)
    assert est.module_.k == 2
    assert (np.count_nonzero(est.transform(data.X[:50]), axis=1) <= 2).all()


def test_a_method_run_resolves_the_modules_import_string_before_any_cell():
    """A --method naming a torch module of a package that is not there is one error when
    the grid is built, not an error cell per generator; extra keywords to TorchSAE itself
    are refused there too, pointing at the module's import string."""
    from benchmarks.grid import user_method_spec

    base = ("methods.adapters.torch_module:TorchSAE(module='{m}', n_components=8, "
            "train_fn='methods.adapters.torch_example:train'{extra})")
    with pytest.raises(ValueError, match="cannot import nopkg.sae .* Install your package"):
        user_method_spec(base.format(m="nopkg.sae:MySAE(k=8)", extra=""))
    with pytest.raises(ValueError, match="refused its arguments.*'k'.*MySAE\\(k=8\\)"):
        user_method_spec(base.format(m="methods.adapters.torch_example:TopKModule",
                                     extra=", k=8"))
    spec = user_method_spec(base.format(m="methods.adapters.torch_example:TopKModule(k=3)",
                                        extra=""))
    assert spec.family == "sparse"
