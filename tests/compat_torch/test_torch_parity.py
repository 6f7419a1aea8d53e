"""compat.torch against live PyTorch: equal values and equal accept/reject decisions.

The cases come from ``tests/golden/make_torch_golden.py`` (fixed seed); the same
cases run without torch in ``test_torch_golden.py`` against recorded answers.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from compat import torch as ctorch
from tests import tolerances
from tests.golden import make_torch_golden as cases

torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
torch.set_num_threads(1)

F = ctorch.nn.functional
PARITY = cases.parity_cases()
TOL = {d: tolerances.tolerance(d)._asdict() for d in (np.float64, np.float32)}


def _ids(items):
    return [f"{i}-{c['fn']}" for i, c in enumerate(items)]


def _compat(case, arrays):
    """The compat call of a case under jax.jit: one compile per case, and jit-compatibility."""
    x, w, b = arrays
    fn = getattr(F, case["fn"])
    kwargs = cases.call_kwargs(case)
    return jax.jit(lambda x, w, b: fn(x, w, b, **kwargs))(
        x, w, b if case["b"] is not None else None
    )


# float64 on every case, float32 on every third (the translation does not depend on dtype).
DTYPE_CASES = [(i, np.float64) for i in range(len(PARITY))]
DTYPE_CASES += [(i, np.float32) for i in range(0, len(PARITY), 3)]


@pytest.mark.parametrize(
    ("index", "dtype"),
    DTYPE_CASES,
    ids=[f"{i}-{PARITY[i]['fn']}-{np.dtype(d).name}" for i, d in DTYPE_CASES],
)
def test_values_match_torch(index, dtype):
    case = PARITY[index]
    arrays = cases.case_arrays(case, cases.SEED + index, dtype)
    expected = cases.run_torch(case, arrays)
    got = _compat(case, arrays)
    assert got.dtype == dtype
    assert got.shape == expected.shape, case
    np.testing.assert_allclose(np.asarray(got), expected, **TOL[dtype], err_msg=str(case))


@pytest.mark.parametrize("index", range(len(cases.DECISION_CASES)), ids=_ids(cases.DECISION_CASES))
def test_decisions_match_torch(index):
    case = cases.DECISION_CASES[index]
    arrays = cases.case_arrays(case, cases.SEED + 1000 + index)
    try:
        expected = cases.run_torch(case, arrays)
    except Exception as e:  # torch raises RuntimeError, TypeError, ValueError...
        with pytest.raises((ValueError, TypeError)):
            _compat(case, arrays)
        assert str(e)  # torch said why; compat's own wording is tested in test_torch_errors
        return
    got = _compat(case, arrays)
    assert got.shape == expected.shape
    np.testing.assert_allclose(np.asarray(got), expected, **TOL[np.float64], err_msg=str(case))


def test_positional_arguments_follow_torch_order():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5, 6))
    w = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal((6,))
    # conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)
    args = ((2, 1), (1, 0), (1, 0), 2, (1, 2))
    tx, tw, tb = map(torch.from_numpy, (x, w, b))
    expected = torch.nn.functional.conv_transpose2d(tx, tw, tb, *args).numpy()
    np.testing.assert_allclose(F.conv_transpose2d(x, w, b, *args), expected, **TOL[np.float64])
    # conv2d(input, weight, bias, stride, padding, dilation, groups)
    w2 = rng.standard_normal((6, 2, 3, 2))
    args2 = ((2, 1), (1, 0), (1, 2), 2)
    expected = torch.nn.functional.conv2d(tx, torch.from_numpy(w2), tb, *args2).numpy()
    np.testing.assert_allclose(F.conv2d(x, w2, b, *args2), expected, **TOL[np.float64])


def test_under_jit_and_grad_match_torch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 3, 5))
    w = rng.standard_normal((4, 1, 3, 3))  # depthwise transpose: groups == C_in
    b = rng.standard_normal((4,))
    kwargs = dict(stride=2, padding=1, output_padding=(1, 0), groups=4, dilation=(1, 2))
    jitted = jax.jit(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs))
    tx, tw, tb = (torch.from_numpy(a).requires_grad_() for a in (x, w, b))
    ty = torch.nn.functional.conv_transpose2d(tx, tw, tb, **kwargs)
    np.testing.assert_allclose(jitted(x, w, b), ty.detach().numpy(), **TOL[np.float64])
    cot = rng.standard_normal(ty.shape)
    ty.backward(torch.from_numpy(cot))

    def loss(x, w, b):
        return (F.conv_transpose2d(x, w, b, **kwargs) * cot).sum()

    grads = jax.grad(loss, argnums=(0, 1, 2))(x, w, b)
    for got, t in zip(grads, (tx, tw, tb)):
        np.testing.assert_allclose(got, t.grad.numpy(), **TOL[np.float64])
