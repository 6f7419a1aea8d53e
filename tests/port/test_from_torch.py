"""jconv.port.from_torch against live PyTorch modules: values, autograd gradients, errors."""

from __future__ import annotations

import subprocess
import sys

import jax
import ml_dtypes
import numpy as np
import pytest

import jconv.port
from jconv import layouts
from tests import tolerances

torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
torch.set_num_threads(1)

F64 = tolerances.tolerance(np.float64)._asdict()
MODES = ("zeros", "reflect", "replicate", "circular")


def _conv_module(rng, n, mode):
    g = int(rng.integers(1, 3))
    c_in, c_out = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, n))
    d = tuple(int(v) for v in rng.integers(1, 3, n))
    form = rng.choice(["int", "tuple", "same", "valid"])
    s = (1,) * n if form == "same" else tuple(int(v) for v in rng.integers(1, 3, n))
    padding = {
        "int": int(rng.integers(0, 3)),
        "tuple": tuple(int(v) for v in rng.integers(0, 3, n)),
        "same": "same",
        "valid": "valid",
    }[str(form)]
    module = torch.nn.Conv1d if n == 1 else torch.nn.Conv2d if n == 2 else torch.nn.Conv3d
    bias = bool(rng.integers(0, 2))
    m = module(c_in, c_out, k, s, padding, d, g, bias, mode, dtype=torch.float64)
    size = tuple(di * (ki - 1) + 1 + int(rng.integers(2, 4)) for ki, di in zip(k, d))
    return m, (int(rng.integers(1, 3)), c_in, *size)


def _transpose_module(rng, n):
    g = int(rng.integers(1, 3))
    c_in, c_out = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, n))
    s = tuple(int(v) for v in rng.integers(1, 4, n))
    d = tuple(int(v) for v in rng.integers(1, 3, n))
    extra = tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
    size = tuple(int(v) for v in rng.integers(2, 5, n))
    # padding small enough that every output size stays positive
    pad = tuple(
        int(rng.integers(0, 1 + min(2, ((i - 1) * si + di * (ki - 1)) // 2)))
        for i, si, di, ki in zip(size, s, d, k)
    )
    module = [torch.nn.ConvTranspose1d, torch.nn.ConvTranspose2d, torch.nn.ConvTranspose3d][n - 1]
    bias = bool(rng.integers(0, 2))
    m = module(c_in, c_out, k, s, pad, extra, g, bias, d, dtype=torch.float64)
    return m, (int(rng.integers(1, 3)), c_in, *size)


def _check_against_torch(module, x_shape, seed, from_weight):
    """Forward values and the gradients in x, weight and bias, under jax.jit."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    fn, params = jconv.port.from_torch(module)
    assert set(params) == ({"kernel", "bias"} if module.bias is not None else {"kernel"})
    tx = torch.tensor(x, requires_grad=True)
    ty = module(tx)
    got = jax.jit(fn)(params, x)
    tolerances.assert_close(got, ty.detach().numpy(), err_msg=repr(module))

    cot = rng.standard_normal(ty.shape)
    ty.backward(torch.tensor(cot))
    grads = jax.jit(jax.grad(lambda p, x: (fn(p, x) * cot).sum(), argnums=(0, 1)))(params, x)
    g_params, g_x = grads
    tolerances.assert_close(g_x, tx.grad.numpy(), err_msg=f"x grad {module!r}")
    tolerances.assert_close(
        g_params["kernel"], from_weight(module.weight.grad.numpy()), err_msg=f"w grad {module!r}"
    )
    if module.bias is not None:
        tolerances.assert_close(g_params["bias"], module.bias.grad.numpy(), err_msg="bias grad")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("seed", range(2))
def test_conv_matches_torch(n, mode, seed):
    rng = np.random.default_rng([n, MODES.index(mode), seed])
    module, x_shape = _conv_module(rng, n, mode)
    _check_against_torch(module, x_shape, seed, layouts.from_torch_conv)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("seed", range(3))
def test_conv_transpose_matches_torch(n, seed):
    rng = np.random.default_rng([10 + n, seed])
    module, x_shape = _transpose_module(rng, n)
    _check_against_torch(module, x_shape, seed, layouts.from_torch_conv_transpose)


def test_same_padding_with_even_kernel_and_copying_modes():
    """PyTorch's "same" puts the odd unit after; with a copying mode too."""
    for mode in MODES:
        module = torch.nn.Conv2d(2, 3, (4, 2), padding="same", dilation=(1, 3), padding_mode=mode)
        module = module.double()
        _check_against_torch(module, (1, 2, 6, 7), 0, layouts.from_torch_conv)


@pytest.mark.parametrize(
    ("dtype", "np_dtype"),
    [(torch.float32, np.float32), (torch.bfloat16, ml_dtypes.bfloat16)],
)
def test_keeps_parameter_dtype(dtype, np_dtype):
    module = torch.nn.Conv2d(3, 4, 3, padding=1, dtype=dtype)
    fn, params = jconv.port.from_torch(module)
    assert params["kernel"].dtype == np_dtype and params["bias"].dtype == np_dtype
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np_dtype)
    got = fn(params, x)
    assert got.dtype == np_dtype
    expected = module(torch.tensor(x.astype(np.float32)).to(dtype)).detach().float().numpy()
    tolerances.assert_close(got, expected, np_dtype, scale="max")


def test_unbatched_input_and_vmap():
    module = torch.nn.Conv1d(2, 3, 3, padding=1, padding_mode="circular").double()
    fn, params = jconv.port.from_torch(module)
    x = np.random.default_rng(1).standard_normal((4, 2, 7))
    expected = module(torch.tensor(x)).detach().numpy()
    unbatched = module(torch.tensor(x[0])).detach().numpy()
    tolerances.assert_close(fn(params, x[0]), unbatched)
    tolerances.assert_close(jax.vmap(fn, in_axes=(None, 0))(params, x), expected)
    tolerances.assert_close(jax.vmap(fn, in_axes=(None, 0))(params, x[:, None])[:, 0], expected)


def test_parametrized_module_gives_its_current_weight():
    module = torch.nn.Conv2d(2, 2, 3).double()
    module = torch.nn.utils.parametrizations.weight_norm(module)
    fn, params = jconv.port.from_torch(module)
    x = np.random.default_rng(2).standard_normal((1, 2, 5, 5))
    tolerances.assert_close(fn(params, x), module(torch.tensor(x)).detach().numpy())


def test_import_needs_no_framework():
    code = (
        "import sys, jconv, jconv.port\n"
        "loaded = {'torch', 'keras', 'onnx', 'tensorflow', 'onnxruntime'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# ---------------------------------------------------------------------------
# Every raise site (the shared fn checks are exercised here, once).


class _Overrides(torch.nn.Conv2d):
    def forward(self, x):
        return super().forward(x) * 2


def test_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match=r"from_torch: `module` must be a torch.nn.Module.*Tensor"):
        jconv.port.from_torch(torch.zeros(3, 3, 3))
    with pytest.raises(TypeError, match=r"`module` must be a torch.nn.Module.*builtins.str"):
        jconv.port.from_torch("Conv2d")


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: torch.nn.Linear(3, 4), r"torch.nn.modules.linear.Linear is not supported"),
        (lambda: torch.nn.MaxPool2d(2), r"MaxPool2d is not supported.*torch.nn.Conv1d"),
        (
            lambda: _Overrides(2, 2, 3),
            r"_Overrides subclasses torch.nn.Conv2d but overrides forward",
        ),
        (lambda: torch.nn.Conv2d(2, 2, 3, device="meta"), r"meta device"),
    ],
)
def test_unsupported_modules(make, match):
    with pytest.raises(NotImplementedError, match=match):
        jconv.port.from_torch(make())


def test_rejects_forward_hooks():
    module = torch.nn.Conv1d(2, 2, 3)
    handle = module.register_forward_hook(lambda m, args, out: out * 2)
    with pytest.raises(NotImplementedError, match=r"Conv1d module has forward hooks"):
        jconv.port.from_torch(module)
    handle.remove()
    module.register_forward_pre_hook(lambda m, args: None)
    with pytest.raises(NotImplementedError, match=r"forward hooks"):
        jconv.port.from_torch(module)


def test_rejects_uninitialized_lazy_module():
    with pytest.raises(ValueError, match=r"lazy module LazyConv2d has no weights yet"):
        jconv.port.from_torch(torch.nn.LazyConv2d(4, 3))


def test_rejects_transpose_with_copying_padding_mode():
    module = torch.nn.ConvTranspose2d(2, 2, 3)
    module.padding_mode = "reflect"  # the constructor refuses it; forward would too
    with pytest.raises(ValueError, match="Only `zeros` padding mode"):
        module(torch.zeros(1, 2, 4, 4))
    with pytest.raises(
        ValueError, match=r"only padding_mode='zeros'.*received padding_mode='reflect'"
    ):
        jconv.port.from_torch(module)


def test_fn_checks_params_and_x():
    fn, params = jconv.port.from_torch(torch.nn.Conv2d(2, 3, 3).double())
    x = np.zeros((1, 2, 5, 5))
    with pytest.raises(TypeError, match=r"from_torch\(Conv2d\): `params` must be the dict"):
        fn([params["kernel"]], x)
    with pytest.raises(ValueError, match=r"exactly the keys \['bias', 'kernel'\].*\['kernel'\]"):
        fn({"kernel": params["kernel"]}, x)
    with pytest.raises(ValueError, match=r"`x` must have shape \(N, C, H, W\) \(rank 4 or, unb"):
        fn(params, np.zeros((1, 1, 2, 5, 5)))
