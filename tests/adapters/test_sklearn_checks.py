"""scikit-learn's estimator checks on the adapters (small budgets)."""

from __future__ import annotations

import importlib.util
import warnings

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

torch = pytest.importorskip("torch")
if importlib.util.find_spec("sae_lens") is None or \
        importlib.util.find_spec("concept_erasure") is None:
    pytest.skip("sae-lens or concept-erasure not installed (requirements-adapters.txt)",
                allow_module_level=True)

from methods.adapters.concept_erasure import (  # noqa: E402
    LeaceEraser,
    OracleEraser,
    QuadraticEraser,
)
from methods.adapters.saelens import SAELensSAE  # noqa: E402
from methods.adapters.torch_module import TorchSAE  # noqa: E402
from tests.test_common import TRANSFORM_WITHOUT_Y_CHECKS  # noqa: E402


class TinySAE(torch.nn.Module):
    """ReLU encoder, linear decoder (module level, so that it pickles)."""

    def __init__(self, d_in: int, d_sae: int):
        super().__init__()
        self.W_dec = torch.nn.Parameter(torch.randn(d_sae, d_in))
        self.W_enc = torch.nn.Parameter(torch.randn(d_in, d_sae))
        self.b_dec = torch.nn.Parameter(torch.zeros(d_in))

    def encode(self, x):
        return torch.relu((x - self.b_dec) @ self.W_enc)

    def decode(self, z):
        return z @ self.W_dec + self.b_dec


def few_steps(module, X, generator):
    opt = torch.optim.SGD(module.parameters(), lr=1e-3)
    for _ in range(3):
        x = X[torch.randint(0, X.shape[0], (8,), generator=generator)]
        loss = ((module.decode(module.encode(x)) - x) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


_TRANSFORM_NEEDS_Y = (
    "transform needs y: quadratic and oracle LEACE move each row according to its own "
    "label, so a transform of X alone, which this check calls, is undefined")

#: ``{class name: {check name: reason it does not apply}}``.
EXPECTED_FAILED_CHECKS = {
    name: dict.fromkeys(("check_fit_score_takes_y", "check_pipeline_consistency",
                         *TRANSFORM_WITHOUT_Y_CHECKS), _TRANSFORM_NEEDS_Y)
    for name in ("QuadraticEraser", "OracleEraser")
}


# The SAELens checks import sae_lens (~12 s): on one pytest-xdist worker, with its tests.
pytestmark = pytest.mark.xdist_group("sae_lens")


@parametrize_with_checks(
    [LeaceEraser(), QuadraticEraser(), OracleEraser(),
     SAELensSAE("topk", 4, n_steps=5, batch_size=16, k=1, random_state=0),
     # By import path: a function's repr holds its address, which differs between
     # pytest-xdist workers, and the test ids (built from the repr) must not.
     TorchSAE("tests.adapters.test_sklearn_checks:TinySAE", 4,
              train_fn="tests.adapters.test_sklearn_checks:few_steps", random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible_adapter(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)
