"""compat.torch against PyTorch's recorded answers: runs where torch is not installed.

``tests/golden/torch_golden.npz`` holds, for the cases of
``tests/golden/make_torch_golden.py``, the inputs, PyTorch's float64 outputs
and whether PyTorch rejected each edge-case call, with the torch version that
produced them.
"""

from __future__ import annotations

import json

import jax
import numpy as np
import pytest

from compat import torch as ctorch
from tests import tolerances
from tests.golden import make_torch_golden as cases

F = ctorch.nn.functional
GOLDEN = np.load(cases.GOLDEN)
PARITY = json.loads(str(GOLDEN["cases"]))
DECISIONS = json.loads(str(GOLDEN["decisions"]))


def _compat(case, x, w, b, *, shape_only=False):
    """The compat call of a case, jitted (one compile per case) or traced only (eval_shape)."""
    fn = getattr(F, case["fn"])
    kwargs = cases.call_kwargs(case)

    def call(x, w, b):
        return fn(x, w, b, **kwargs)

    b = b if case["b"] is not None else None
    return jax.eval_shape(call, x, w, b) if shape_only else jax.jit(call)(x, w, b)


def test_golden_file_matches_the_case_generator():
    assert str(GOLDEN["torch_version"]).startswith("2.")
    stale = "stale golden file: run `python tests/golden/make_torch_golden.py` with torch installed"
    assert cases.parity_cases() == PARITY, stale
    assert [d["case"] for d in DECISIONS] == json.loads(json.dumps(cases.DECISION_CASES)), stale


@pytest.mark.parametrize("index", range(len(PARITY)), ids=lambda i: f"{i}-{PARITY[i]['fn']}")
def test_values_match_recorded_torch(index):
    case = PARITY[index]
    x, w, b = (GOLDEN[f"{k}{index}"] for k in "xwb")
    expected = GOLDEN[f"y{index}"]
    got = _compat(case, x, w, b)
    assert got.shape == expected.shape, case
    tolerances.assert_close(got, expected, np.float64, err_msg=str(case))


@pytest.mark.parametrize(
    "index", range(len(DECISIONS)), ids=lambda i: f"{i}-{DECISIONS[i]['case']['fn']}"
)
def test_decisions_match_recorded_torch(index):
    record = DECISIONS[index]
    case = record["case"]
    arrays = cases.case_arrays(case, cases.SEED + 1000 + index)
    # Every decision is made while tracing, so eval_shape decides without computing.
    if record["raised"]:
        with pytest.raises((ValueError, TypeError)):
            _compat(case, *arrays, shape_only=True)
    else:
        assert list(_compat(case, *arrays, shape_only=True).shape) == record["shape"]
