"""``jconv.equinox`` against PyTorch's layers, equinox.nn's layers and jconv's own functions.

PyTorch (weights copied with ``jconv.layouts``) is the oracle for values and
gradients; ``eqx.nn.Conv`` / ``eqx.nn.ConvTranspose`` (parameters copied) for
Equinox's conventions (unbatched channels-first input, padding forms, modes).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jconv
from jconv import layouts
from tests import tolerances
from tests.layers import case_id, normal, run_torch, torch_cases

eqx = pytest.importorskip("equinox", reason="needs equinox (pip install 'jconv[equinox]')")

from jconv.equinox import Conv, ConvTranspose  # noqa: E402

TOL64 = tolerances.tolerance(np.float64)._asdict()
# Fewer than test_flax's twelve: both front ends share jconv/_layers.py; these check Equinox's.
CONV_CASES = torch_cases(False, 6, seed=7)
TRANSPOSE_CASES = torch_cases(True, 6, seed=7)
KEY = jax.random.key(0)


def _with(layer, kernel, bias=None):
    """The layer with its parameters replaced (Equinox modules are immutable)."""
    layer = eqx.tree_at(lambda m: m.kernel, layer, jnp.asarray(kernel))
    if bias is not None:
        layer = eqx.tree_at(lambda m: m.bias, layer, jnp.asarray(bias))
    return layer


def _abstract(cls, *args, **kwargs):
    """The layer built (and validated) without drawing parameters: no PRNG compile per shape."""
    return eqx.filter_eval_shape(cls, *args, **kwargs)


@eqx.filter_jit
def _run(layer, x):
    return layer(x)


@eqx.filter_jit
def _run_batch(layer, x):
    return jax.vmap(layer)(x)


# ---------------------------------------------------------------------------
# PyTorch: values and gradients (input, kernel, bias), float64, vmapped over the batch.


@pytest.mark.parametrize("transpose", [False, True], ids=["Conv", "ConvTranspose"])
@pytest.mark.parametrize("index", range(6))
def test_matches_torch(transpose, index):
    case = (TRANSPOSE_CASES if transpose else CONV_CASES)[index]
    w, b, x, ct, y, dx, dw, db = run_torch(case, transpose, seed=100 + index)
    cls, from_torch = (
        (ConvTranspose, layouts.from_torch_conv_transpose)
        if transpose
        else (Conv, layouts.from_torch_conv)
    )
    extra = {"output_padding": case["output_padding"]} if transpose else {}
    layer = _abstract(
        cls,
        case["c_in"],
        case["c_out"],
        case["kernel"],
        case["stride"],
        case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
        use_bias=case["bias"],
        padding_mode=case["padding_mode"].upper(),  # Equinox's spelling is accepted too
        dtype=jnp.float64,
        key=jax.random.key(index),
        **extra,
    )
    assert layer.kernel.shape == from_torch(w).shape
    layer = _with(layer, from_torch(w), b)

    @eqx.filter_jit
    @eqx.filter_grad(has_aux=True)
    def grads(pair):
        layer, x = pair
        out = jax.vmap(layer)(x)
        return jnp.sum(out * ct), out

    (glayer, gx), got = grads((layer, jnp.asarray(x)))
    np.testing.assert_allclose(got, y, **TOL64, err_msg=case_id(case))
    np.testing.assert_allclose(gx, dx, **TOL64)
    np.testing.assert_allclose(glayer.kernel, from_torch(dw), **TOL64)
    if case["bias"]:
        np.testing.assert_allclose(glayer.bias, db, **TOL64)
    else:
        assert layer.bias is None


# ---------------------------------------------------------------------------
# The layer is the functional call on its own parameters.


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(padding="VALID", stride=2, dilation=(2, 1), groups=2),
        dict(padding=((2, 0), (1, 1)), padding_mode="reflect", use_bias=False),
        dict(padding="SAME", stride=(1, 2), padding_mode="circular"),
    ],
)
@pytest.mark.parametrize("transpose", [False, True], ids=["Conv", "ConvTranspose"])
def test_layer_is_the_functional_call(kwargs, transpose):
    cls, fn = (ConvTranspose, jconv.conv_transpose) if transpose else (Conv, jconv.conv)
    layer = cls(4, 6, (3, 2), key=KEY, **kwargs)
    x = normal(2, (4, 7, 6))
    call = dict(kwargs)
    call.pop("use_bias", None)
    stride, padding = call.pop("stride", 1), call.pop("padding", 0)
    expected = jax.jit(
        lambda x, k, b: fn(x[None], k, stride, padding, bias=b, data_format="NCHW", **call)
    )(x, layer.kernel, layer.bias)
    np.testing.assert_allclose(_run(layer, x), expected[0], **TOL64)
    assert (layer.bias is None) == (kwargs.get("use_bias") is False)


def test_transpose_output_shape_is_the_functional_call():
    layer = ConvTranspose(3, 2, (3,), 2, 1, key=KEY)
    x = normal(0, (3, 5))
    for size in (9, 10):
        got = layer(x, output_shape=(size,))
        want = jconv.conv_transpose(
            x[None], layer.kernel, 2, 1, output_shape=(size,), bias=layer.bias, data_format="NCW"
        )
        np.testing.assert_array_equal(got, want[0])


def test_conv_kernel_serves_the_transpose_as_its_adjoint():
    conv = _abstract(Conv, 3, 5, (3, 3), 2, 1, use_bias=False, key=KEY)
    up = _abstract(ConvTranspose, 5, 3, (3, 3), 2, 1, output_padding=1, use_bias=False, key=KEY)
    kernel = normal(0, (3, 3, 3, 5))
    conv, up = _with(conv, kernel), _with(up, kernel)
    z, y = normal(3, (3, 8, 8)), normal(4, (5, 4, 4))
    lhs, rhs = jnp.vdot(conv(z), y), jnp.vdot(z, up(y))
    assert abs(lhs - rhs) <= tolerances.ADJOINT * abs(lhs)


# ---------------------------------------------------------------------------
# eqx.nn.Conv / ConvTranspose with the same parameters.

EQX_CONV = [
    dict(),
    dict(stride=2, padding=1),
    dict(padding="SAME", dilation=2),
    dict(padding="SAME_LOWER", stride=(2, 1)),
    dict(padding=((2, 0), (0, 1)), groups=2),
    dict(padding=1, padding_mode="REFLECT"),
    dict(padding=2, padding_mode="REPLICATE", stride=2),
    dict(padding="SAME", padding_mode="CIRCULAR"),
    dict(use_bias=False, groups=4),
]


@pytest.mark.parametrize("kwargs", EQX_CONV)
def test_conv_matches_equinox(kwargs):
    ref = _abstract(eqx.nn.Conv, 2, 4, 8, (3, 3), key=KEY, **kwargs)
    layer = _abstract(Conv, 4, 8, (3, 3), key=KEY, **kwargs)
    ref = eqx.tree_at(lambda m: m.weight, ref, jnp.asarray(normal(0, ref.weight.shape)))
    bias = None
    if ref.bias is not None:
        ref = eqx.tree_at(lambda m: m.bias, ref, jnp.asarray(normal(1, ref.bias.shape)))
        bias = ref.bias.reshape(-1)
    layer = _with(layer, layouts.from_torch_conv(ref.weight), bias)
    x = normal(2, (3, 4, 9, 8))
    np.testing.assert_allclose(_run_batch(layer, x), _run_batch(ref, x), **TOL64)


EQX_TRANSPOSE = [
    dict(),
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=3, padding=(0, 2), dilation=2, output_padding=(2, 1)),
    dict(padding="SAME", stride=2),
    dict(padding="SAME_LOWER", stride=(2, 3), dilation=(1, 2)),
    dict(padding="VALID", stride=2, groups=2),
    dict(padding=((2, 0), (0, 1)), stride=2, groups=4),
    dict(padding="SAME", stride=2, padding_mode="CIRCULAR"),
    dict(use_bias=False, stride=2),
]


@pytest.mark.parametrize("kwargs", EQX_TRANSPOSE)
def test_conv_transpose_matches_equinox(kwargs):
    ref = _abstract(eqx.nn.ConvTranspose, 2, 4, 8, (3, 4), key=KEY, **kwargs)
    layer = _abstract(ConvTranspose, 4, 8, (3, 4), key=KEY, **kwargs)
    ref = eqx.tree_at(lambda m: m.weight, ref, jnp.asarray(normal(0, ref.weight.shape)))
    bias = None
    if ref.bias is not None:
        ref = eqx.tree_at(lambda m: m.bias, ref, jnp.asarray(normal(1, ref.bias.shape)))
        bias = ref.bias.reshape(-1)
    groups = kwargs.get("groups", 1)
    layer = _with(layer, layouts.from_equinox_conv_transpose(ref.weight, groups=groups), bias)
    x = normal(2, (3, 4, 5, 6))
    np.testing.assert_allclose(_run_batch(layer, x), _run_batch(ref, x), **TOL64)


# ---------------------------------------------------------------------------
# Initialization and dtypes.


@pytest.mark.parametrize("transpose", [False, True], ids=["Conv", "ConvTranspose"])
def test_default_init_is_pytorchs(transpose):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    c_in, c_out, groups = 32, 48, 4
    ref = (torch.nn.ConvTranspose3d if transpose else torch.nn.Conv3d)(
        c_in, c_out, (2, 3, 3), groups=groups
    )
    fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(ref.weight)
    bound = 1 / math.sqrt(fan_in)
    layer = (ConvTranspose if transpose else Conv)(c_in, c_out, (2, 3, 3), groups=groups, key=KEY)
    k, b = np.asarray(layer.kernel), np.asarray(layer.bias)
    assert np.abs(k).max() <= bound and np.abs(k).max() >= 0.99 * bound
    assert k.min() < 0 < k.max()
    assert np.abs(b).max() <= bound
    assert np.abs(ref.bias.detach().numpy()).max() <= bound
    if transpose:  # eqx.nn.ConvTranspose bounds by in_channels // groups instead (larger here)
        theirs = eqx.nn.ConvTranspose(3, c_in, c_out, (2, 3, 3), groups=groups, key=KEY)
        assert np.abs(np.asarray(theirs.weight)).max() > bound


def test_dtype_defaults_like_equinox():
    layer, ref = Conv(2, 2, (3,), key=KEY), eqx.nn.Conv(1, 2, 2, 3, key=KEY)
    assert layer.kernel.dtype == ref.weight.dtype == jnp.float64  # the tests run with x64
    layer = ConvTranspose(2, 2, (3,), dtype=jnp.float32, key=KEY)
    assert layer.kernel.dtype == layer.bias.dtype == jnp.float32
    assert layer(np.ones((2, 4), np.float32)).dtype == jnp.float32
    raw = Conv(2, 2, (3,), key=jax.random.PRNGKey(0))  # a raw uint32 key works too
    assert raw.kernel.shape == (3, 2, 2)


def test_filter_jit_grad_and_vmap():
    layer = Conv(3, 4, (3, 3), padding=1, key=KEY)
    x = normal(0, (5, 3, 6, 6))
    loss = eqx.filter_jit(eqx.filter_value_and_grad(lambda m: jnp.mean(jax.vmap(m)(x) ** 2)))
    value, grads = loss(layer)
    assert grads.kernel.shape == layer.kernel.shape and grads.bias.shape == (4,)
    assert value > 0 and grads.config == layer.config


# ---------------------------------------------------------------------------
# Every raise site of the constructors and calls.

BAD_CONSTRUCTOR = [
    (dict(kernel_size=3), TypeError, r"jconv\.equinox\.Conv: `kernel_size` must be a sequence"),
    (
        dict(in_channels=-2),
        ValueError,
        r"`in_channels` must be a positive int; received in_channels=-2",
    ),
    (dict(groups=3), ValueError, r"`in_channels` \(=4\) must be divisible by `groups` \(=3\)"),
    (dict(groups=2, out_channels=5), ValueError, r"`out_channels` \(=5\) must be divisible"),
    (dict(padding="full"), ValueError, r"`padding` must be 'SAME'"),
    (dict(padding_mode="edge"), ValueError, r"`padding_mode` must be one of 'zeros'"),
    (dict(dtype=jnp.int32), TypeError, r"`dtype` must be a floating or complex dtype"),
    (dict(key=0), TypeError, r"`key` must be a JAX PRNG key, e.g. jax.random.key\(0\)"),
    (dict(key=jnp.zeros(3, jnp.uint32)), TypeError, r"`key` must be a JAX PRNG key"),
    (dict(key=jax.random.split(KEY)), TypeError, r"`key` must be a JAX PRNG key"),
]


@pytest.mark.parametrize(("change", "error", "match"), BAD_CONSTRUCTOR)
def test_conv_rejects(change, error, match):
    args = dict(in_channels=4, out_channels=6, kernel_size=(3, 3), key=KEY)
    args.update(change)
    with pytest.raises(error, match=match):
        Conv(**args)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            dict(output_padding=2, stride=2),
            r"output_padding\[0\]=2 must be smaller than the stride",
        ),
        (dict(output_padding=1, stride=2, padding="SAME"), r"cannot be used with SAME padding"),
        (
            dict(output_padding=(1, 1, 1), stride=2),
            r"`output_padding` must be an int or a sequence of 2",
        ),
    ],
)
def test_conv_transpose_rejects(change, match):
    args = dict(in_channels=4, out_channels=6, kernel_size=(3, 3), key=KEY)
    args.update(change)
    with pytest.raises(ValueError, match=r"jconv\.equinox\.ConvTranspose: .*" + match):
        ConvTranspose(**args)


def test_calls_reject_bad_inputs():
    layer = _abstract(Conv, 4, 6, (3, 3), key=KEY)  # every check runs before any compute
    with pytest.raises(
        ValueError, match=r"needs rank 3, \(C, \*spatial\) without a batch axis \(jax.vmap"
    ):
        layer(np.ones((2, 4, 5, 5)))
    with pytest.raises(ValueError, match=r"the input has 5 channels \(axis 0 of shape \(5, 6, 6\)\), but "
                       r"the layer was built with in_channels=4"):  # fmt: skip
        layer(np.ones((5, 6, 6)))
    with pytest.raises(
        TypeError, match=r"the input's dtype \(float32\) must be the parameters' \(float64\)"
    ):
        layer(np.ones((4, 6, 6), np.float32))
    up = _abstract(ConvTranspose, 4, 6, (3,), 2, output_padding=1, key=KEY)
    with pytest.raises(
        ValueError, match=r"the layer has output_padding=\(1,\); a call's `output_shape`"
    ):
        up(np.ones((4, 5)), output_shape=(12,))
