"""``jconv.flax`` against PyTorch's layers, flax.nnx's layers and jconv's own functions.

PyTorch (weights copied with ``jconv.layouts``) is the oracle for values and
gradients; ``flax.nnx.Conv`` / ``ConvTranspose`` (parameters copied) for
Flax's conventions (leading batch axes, dtype promotion, padding strings).
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
from tests.layers import case_id, normal, run_torch, torch_cases, zeros_init

flax = pytest.importorskip("flax", reason="needs flax (pip install 'jconv[flax]')")
from flax import nnx  # noqa: E402

from jconv.flax import Conv, ConvTranspose  # noqa: E402

TOL64 = tolerances.tolerance(np.float64)._asdict()
TOL32 = tolerances.tolerance(np.float32)._asdict()
CONV_CASES = torch_cases(False, 12)
TRANSPOSE_CASES = torch_cases(True, 12)


def _set(layer, kernel, bias=None):
    layer.kernel.set_value(jnp.asarray(kernel))
    if bias is not None:
        layer.bias.set_value(jnp.asarray(bias))


def _to_last(a):
    return np.moveaxis(a, 1, -1)


@nnx.jit
def _run(layer, x):
    """The layer's call compiled once (eagerly, each of its ops would compile apart)."""
    return layer(x)


# ---------------------------------------------------------------------------
# PyTorch: values and gradients (input, kernel, bias), float64.


@pytest.mark.parametrize("transpose", [False, True], ids=["Conv", "ConvTranspose"])
@pytest.mark.parametrize("index", range(12))
def test_matches_torch(transpose, index):
    case = (TRANSPOSE_CASES if transpose else CONV_CASES)[index]
    w, b, x, ct, y, dx, dw, db = run_torch(case, transpose, seed=index)
    first = index % 2 == 1  # odd cases run channels-first, as PyTorch's tensors are
    cls, from_torch = (
        (ConvTranspose, layouts.from_torch_conv_transpose)
        if transpose
        else (Conv, layouts.from_torch_conv)
    )
    extra = {"output_padding": case["output_padding"]} if transpose else {}
    layer = cls(
        case["c_in"],
        case["c_out"],
        case["kernel"],
        case["stride"],
        case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
        use_bias=case["bias"],
        padding_mode=case["padding_mode"],
        data_format="channels_first" if first else None,
        param_dtype=jnp.float64,
        kernel_init=zeros_init,
        bias_init=zeros_init,
        rngs=nnx.Rngs(index),
        **extra,
    )
    assert layer.kernel.shape == from_torch(w).shape
    _set(layer, from_torch(w), b)
    xin, ctin = (x, ct) if first else (_to_last(x), _to_last(ct))

    def loss(layer, x):
        out = layer(x)
        return jnp.sum(out * ctin), out

    # One compile for the values and both gradients (eager autodiff compiles op by op).
    (grads, gx), got = nnx.jit(nnx.grad(loss, argnums=(0, 1), has_aux=True))(layer, xin)
    np.testing.assert_allclose(got, y if first else _to_last(y), **TOL64, err_msg=case_id(case))
    np.testing.assert_allclose(gx, dx if first else _to_last(dx), **TOL64)
    np.testing.assert_allclose(grads.kernel[...], from_torch(dw), **TOL64)
    if case["bias"]:
        np.testing.assert_allclose(grads.bias[...], db, **TOL64)
    else:
        assert layer.bias is None


# ---------------------------------------------------------------------------
# The layer is the functional call on its own parameters.


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        (dict(stride=2), (2, 9, 9, 4)),
        (dict(padding="VALID", dilation=(2, 1), groups=2), (3, 8, 7, 4)),
        (dict(padding=((2, 0), (1, 1)), padding_mode="reflect"), (1, 6, 5, 4)),
        (dict(padding=1, padding_mode="replicate", data_format="NCHW"), (2, 4, 6, 6)),
        (
            dict(padding="SAME", stride=(1, 2), padding_mode="circular", use_bias=False),
            (2, 5, 6, 4),
        ),
    ],
)
@pytest.mark.parametrize("transpose", [False, True], ids=["Conv", "ConvTranspose"])
def test_layer_is_the_functional_call(kwargs, shape, transpose):
    cls, fn = (ConvTranspose, jconv.conv_transpose) if transpose else (Conv, jconv.conv)
    layer = cls(4, 6, (3, 2), rngs=nnx.Rngs(1), param_dtype=jnp.float64, **kwargs)
    x = normal(2, shape)
    call = dict(kwargs)
    call.pop("use_bias", None)
    stride = call.pop("stride", 1)
    padding = call.pop("padding", "SAME")
    bias = None if layer.bias is None else layer.bias[...]
    expected = fn(x, layer.kernel[...], stride, padding, bias=bias, **call)
    np.testing.assert_array_equal(layer(x), expected)
    assert (layer.bias is None) == (kwargs.get("use_bias") is False)


def test_transpose_output_shape_is_the_functional_call():
    layer = ConvTranspose(3, 2, (3,), 2, 1, rngs=nnx.Rngs(0), param_dtype=jnp.float64)
    x = normal(0, (2, 5, 3))
    for size in (9, 10):
        got = layer(x, output_shape=(size,))
        want = jconv.conv_transpose(
            x, layer.kernel[...], 2, 1, output_shape=(size,), bias=layer.bias[...]
        )
        np.testing.assert_array_equal(got, want)
    assert layer(x).shape == (2, 9, 2)


def test_transpose_is_the_adjoint_of_conv_with_the_same_kernel():
    cheap = dict(use_bias=False, kernel_init=zeros_init, rngs=nnx.Rngs(0))
    conv = Conv(3, 5, (3, 3), 2, 1, **cheap)
    up = ConvTranspose(5, 3, (3, 3), 2, 1, output_padding=1, **cheap)
    kernel = normal(0, (3, 3, 3, 5))
    _set(conv, kernel)
    _set(up, kernel)
    z, y = normal(3, (2, 8, 8, 3)), normal(4, (2, 4, 4, 5))
    lhs, rhs = jnp.vdot(conv(z), y), jnp.vdot(z, up(y))
    assert abs(lhs - rhs) <= tolerances.ADJOINT * abs(lhs)


# ---------------------------------------------------------------------------
# flax.nnx.Conv / ConvTranspose with the same parameters.

FLAX_CONV = [
    (dict(), {}, (2, 7, 7, 4)),
    (dict(stride=2), dict(strides=2), (2, 7, 8, 4)),
    (dict(padding="VALID", dilation=2), dict(padding="VALID", kernel_dilation=2), (1, 9, 9, 4)),
    (dict(padding=1, groups=2), dict(padding=1, feature_group_count=2), (6, 6, 4)),  # unbatched
    (
        dict(padding=[(2, 0), (0, 1)], stride=(2, 1)),
        dict(padding=[(2, 0), (0, 1)], strides=(2, 1)),
        (2, 3, 5, 6, 4),  # two batch axes
    ),
    (dict(use_bias=False, groups=4), dict(use_bias=False, feature_group_count=4), (2, 5, 5, 4)),
]


@pytest.mark.parametrize(("mine", "theirs", "shape"), FLAX_CONV)
def test_conv_matches_flax_nnx_conv(mine, theirs, shape):
    cheap = dict(kernel_init=zeros_init, bias_init=zeros_init, param_dtype=jnp.float64)
    ref = nnx.Conv(4, 8, (3, 3), rngs=nnx.Rngs(0), **cheap, **theirs)
    layer = Conv(4, 8, (3, 3), rngs=nnx.Rngs(1), **cheap, **mine)
    assert layer.kernel.shape == ref.kernel.shape
    kernel, bias = normal(0, ref.kernel.shape), (normal(1, (8,)) if ref.bias is not None else None)
    _set(ref, kernel, bias)
    _set(layer, kernel, bias)
    x = normal(5, shape)
    np.testing.assert_allclose(_run(layer, x), _run(ref, x), **TOL64)


def test_causal_conv_matches_flax_nnx_conv():
    ref = nnx.Conv(3, 2, (4,), padding="CAUSAL", kernel_dilation=2, rngs=nnx.Rngs(0))
    layer = Conv(3, 2, (4,), padding="CAUSAL", dilation=2, rngs=nnx.Rngs(0))
    _set(layer, ref.kernel[...], ref.bias[...])
    x = normal(0, (2, 11, 3), np.float32)
    np.testing.assert_allclose(_run(layer, x), _run(ref, x), **TOL32)


@pytest.mark.parametrize("transpose_kernel", [False, True])
@pytest.mark.parametrize(
    ("k", "s", "d", "padding"),
    [
        (3, 2, 1, "SAME"),
        (4, 2, 1, "SAME"),
        (3, 3, 2, "SAME"),
        (3, 2, 1, "VALID"),
        (4, 3, 2, "VALID"),
        (4, 2, 1, 1),  # PyTorch padding 1 is Flax's d * (k - 1) - 1 on the dilated input
        (5, 2, 2, 3),
    ],
)
def test_conv_transpose_matches_flax_nnx_conv_transpose(k, s, d, padding, transpose_kernel):
    theirs = padding
    if isinstance(padding, int):
        theirs = [(d * (k - 1) - padding,) * 2] * 2
    cheap = dict(kernel_init=zeros_init, bias_init=zeros_init, param_dtype=jnp.float64)
    ref = nnx.ConvTranspose(
        3, 5, (k, k), strides=s, padding=theirs, kernel_dilation=d,
        transpose_kernel=transpose_kernel, rngs=nnx.Rngs(0), **cheap,
    )  # fmt: skip
    layer = ConvTranspose(3, 5, (k, k), s, padding, dilation=d, rngs=nnx.Rngs(0), **cheap)
    _set(ref, normal(0, ref.kernel.shape), normal(1, (5,)))
    kernel = layouts.from_flax_conv_transpose(ref.kernel[...], transpose_kernel=transpose_kernel)
    _set(layer, kernel, ref.bias[...])
    x = normal(6, (2, 5, 4, 3))
    np.testing.assert_allclose(_run(layer, x), _run(ref, x), **TOL64)


@pytest.mark.parametrize(
    ("dtype", "param_dtype", "x_dtype"),
    [
        (None, jnp.float32, jnp.float32),
        (jnp.bfloat16, jnp.float32, jnp.float32),
        (jnp.float32, jnp.bfloat16, jnp.bfloat16),
        (None, jnp.bfloat16, jnp.bfloat16),
    ],
)
def test_dtypes_follow_flax(dtype, param_dtype, x_dtype):
    cheap = dict(kernel_init=zeros_init, bias_init=zeros_init, rngs=nnx.Rngs(0))
    ref = nnx.Conv(4, 8, (3, 3), dtype=dtype, param_dtype=param_dtype, **cheap)
    layer = Conv(4, 8, (3, 3), dtype=dtype, param_dtype=param_dtype, **cheap)
    assert layer.kernel[...].dtype == ref.kernel[...].dtype == param_dtype
    assert layer.bias[...].dtype == param_dtype
    kernel = jnp.asarray(normal(1, (3, 3, 4, 8), np.float32)).astype(param_dtype)
    bias = jnp.asarray(normal(2, (8,), np.float32)).astype(param_dtype)
    _set(ref, kernel, bias)
    _set(layer, kernel, bias)
    x = jnp.asarray(normal(0, (2, 6, 6, 4), np.float32)).astype(x_dtype)
    got, want = _run(layer, x), _run(ref, x)
    assert got.dtype == want.dtype
    tol = tolerances.tolerance(got.dtype)
    scale = float(jnp.abs(want.astype(jnp.float32)).max())
    err = float(jnp.abs(got.astype(jnp.float32) - want.astype(jnp.float32)).max())
    assert err <= tol.atol * 4 * max(1.0, scale)  # bf16 inputs: a few roundings apart


# ---------------------------------------------------------------------------
# Initialization: PyTorch's bounds, the rngs stream, custom initializers.


@pytest.mark.parametrize("transpose", [False, True], ids=["Conv", "ConvTranspose"])
def test_default_init_is_pytorchs(transpose):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    c_in, c_out, groups = 48, 32, 2
    cls = ConvTranspose if transpose else Conv
    ref = (torch.nn.ConvTranspose2d if transpose else torch.nn.Conv2d)(
        c_in, c_out, (3, 3), groups=groups
    )
    fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(ref.weight)
    bound = 1 / math.sqrt(fan_in)
    layer = cls(c_in, c_out, (3, 3), groups=groups, rngs=nnx.Rngs(0))
    k, b = np.asarray(layer.kernel[...]), np.asarray(layer.bias[...])
    assert k.shape == (3, 3, (c_out if transpose else c_in) // groups, c_in if transpose else c_out)
    assert np.abs(k).max() <= bound and np.abs(k).max() >= 0.99 * bound
    assert k.min() < 0 < k.max()
    assert np.abs(b).max() <= bound
    assert np.abs(ref.bias.detach().numpy()).max() <= bound  # torch's own draw obeys the same


def test_rngs_draws_kernel_then_bias_like_flax():
    ref = nnx.Conv(
        3, 4, (3, 3), rngs=nnx.Rngs(7), kernel_init=jconv.init.torch_default,
        bias_init=jconv.init.torch_default_bias(27),
    )  # fmt: skip
    layer = Conv(3, 4, (3, 3), rngs=nnx.Rngs(7))
    np.testing.assert_array_equal(layer.kernel[...], ref.kernel[...])
    np.testing.assert_array_equal(layer.bias[...], ref.bias[...])


def test_custom_initializers():
    layer = ConvTranspose(
        2, 2, (4, 4), 2, 1, groups=2, rngs=nnx.Rngs(0),
        kernel_init=lambda key, shape, dtype: jconv.init.bilinear_upsample(2, 2, dtype=dtype),
        bias_init=jax.nn.initializers.zeros,
    )  # fmt: skip
    np.testing.assert_array_equal(layer.kernel[...], jconv.init.bilinear_upsample(2, 2))
    np.testing.assert_array_equal(layer.bias[...], np.zeros(2))
    x = normal(0, (1, 4, 4, 2), np.float32)
    want = jax.image.resize(x, (1, 8, 8, 2), "linear")
    np.testing.assert_allclose(layer(x)[:, 1:-1, 1:-1], want[:, 1:-1, 1:-1], **TOL32)


# ---------------------------------------------------------------------------
# Transformations: nnx.jit training step, jax.vmap over the layer.


def test_nnx_jit_train_step_reduces_the_loss():
    optax = pytest.importorskip("optax", reason="needs optax (pip install 'jconv[flax]')")
    model = Conv(2, 2, (3,), rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    x = jnp.asarray(normal(0, (4, 8, 2), np.float32))
    target = x[..., ::-1]

    @nnx.jit
    def step(model, optimizer):
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(x) - target) ** 2))(model)
        optimizer.update(model, grads)
        return loss

    first = step(model, optimizer)
    for _ in range(20):
        last = step(model, optimizer)
    assert last < first


# ---------------------------------------------------------------------------
# Every raise site of the constructors and calls.

BAD_CONSTRUCTOR = [
    (
        dict(kernel_size=3),
        TypeError,
        r"jconv\.flax\.Conv: `kernel_size` must be a sequence.*\(3, 3\)",
    ),
    (dict(kernel_size="33"), TypeError, r"`kernel_size` must be a sequence"),
    (dict(kernel_size=()), ValueError, r"`kernel_size` needs at least one entry"),
    (dict(kernel_size=(3, 0)), ValueError, r"every entry of `kernel_size` must be positive"),
    (dict(kernel_size=(3, 2.0)), TypeError, r"`kernel_size\[1\]` must be an int"),
    (
        dict(in_features=0),
        ValueError,
        r"`in_features` must be a positive int; received in_features=0",
    ),
    (dict(out_features=2.5), TypeError, r"`out_features` must be an int"),
    (dict(groups=3), ValueError, r"`in_features` \(=4\) must be divisible by `groups` \(=3\)"),
    (dict(groups=2, out_features=5), ValueError, r"`out_features` \(=5\) must be divisible"),
    (dict(groups=0), ValueError, r"`groups` must be a positive int"),
    (dict(stride=(1, 2, 3)), ValueError, r"`stride` must be an int or a sequence of 2 ints"),
    (dict(stride=0), ValueError, r"every entry of `stride` must be positive"),
    (dict(dilation=-1), ValueError, r"every entry of `dilation` must be positive"),
    (dict(padding="FULL"), ValueError, r"`padding` must be 'SAME'"),
    (
        dict(padding="circular"),
        ValueError,
        r"`padding` takes no padding mode.*padding_mode='circular'",
    ),
    (dict(padding=None), TypeError, r"`padding` must be"),
    (dict(padding="CAUSAL"), ValueError, r"padding='CAUSAL' is for 1-D inputs"),
    (dict(use_bias=1), TypeError, r"`use_bias` must be a bool; received use_bias=1"),
    (dict(padding_mode="wrap"), ValueError, r"`padding_mode` must be one of 'zeros'"),
    (dict(padding_mode=None), TypeError, r"`padding_mode` must be a string"),
    (
        dict(padding=((1, -1), (0, 0)), padding_mode="reflect"),
        ValueError,
        r"padding_mode='reflect' needs non-negative padding",
    ),
    (dict(data_format="NCW"), ValueError, r"data_format='NCW' is for 1 spatial"),
    (dict(data_format="NHCW"), ValueError, r"`data_format` must be one of"),
    (dict(data_format=2), TypeError, r"`data_format` must be a string or None"),
    (dict(kernel_init="zeros"), TypeError, r"`kernel_init` must be an initializer"),
    (dict(bias_init=0.0), TypeError, r"`bias_init` must be an initializer.* or None"),
    (
        dict(kernel_init=lambda k, s, d: jnp.zeros((3, 3, 4))),
        ValueError,
        r"`kernel_init` must return an array of shape \(\*kernel_size, C_in // groups, C_out\) = "
        r"\(3, 3, 4, 6\); it returned shape \(3, 3, 4\)",
    ),
    (
        dict(bias_init=lambda k, s, d: jnp.zeros((1,))),
        ValueError,
        r"`bias_init` must return an array of shape \(C_out,\) = \(6,\)",
    ),
    (dict(dtype="int32"), TypeError, r"`dtype` must be a floating or complex dtype .* or None"),
    (dict(param_dtype=None), TypeError, r"`param_dtype` must be a floating or complex dtype"),
    (dict(param_dtype="notadtype"), TypeError, r"`param_dtype` must be a floating"),
    (dict(precision="fast"), ValueError, r"`precision` must be None, a lax.Precision"),
    (dict(rngs=0), TypeError, r"`rngs` must be an nnx.Rngs, e.g. nnx.Rngs\(0\)"),
]


@pytest.mark.parametrize(("change", "error", "match"), BAD_CONSTRUCTOR)
def test_conv_rejects(change, error, match):
    args = dict(in_features=4, out_features=6, kernel_size=(3, 3), rngs=nnx.Rngs(0))
    args.update(change)
    with pytest.raises(error, match=match):
        Conv(**args)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (
            dict(output_padding=2, stride=2, padding=0),
            ValueError,
            r"output_padding\[0\]=2 must be smaller",
        ),
        (
            dict(output_padding=1, stride=2),
            ValueError,
            r"`output_padding` cannot be used with SAME",
        ),
        (
            dict(output_padding=-1, padding=0),
            ValueError,
            r"every entry of `output_padding` must be >= 0",
        ),
        (
            dict(kernel_init=lambda k, s, d: jnp.zeros((3, 3, 4, 6))),
            ValueError,
            r"jconv\.flax\.ConvTranspose: `kernel_init` must return an array of shape "
            r"\(\*kernel_size, C_out // groups, C_in\) = \(3, 3, 6, 4\)",
        ),
        (
            dict(kernel_size=5),
            TypeError,
            r"jconv\.flax\.ConvTranspose: `kernel_size` must be a seq",
        ),
    ],
)
def test_conv_transpose_rejects(change, error, match):
    args = dict(in_features=4, out_features=6, kernel_size=(3, 3), rngs=nnx.Rngs(0))
    args.update(change)
    with pytest.raises(error, match=match):
        ConvTranspose(**args)


def test_calls_reject_bad_inputs():
    layer = Conv(4, 6, (3, 3), rngs=nnx.Rngs(0))
    with pytest.raises(
        ValueError, match=r"jconv\.flax\.Conv: the layer has 2 spatial .* rank >= 3"
    ):
        layer(np.ones((5, 4), np.float32))
    with pytest.raises(ValueError, match=r"the input has 3 channels \(axis 3 of shape \(2, 5, 5, 3\)\), "
                       r"but the layer was built with in_features=4"):  # fmt: skip
        layer(np.ones((2, 5, 5, 3), np.float32))
    first = Conv(4, 6, (3, 3), data_format="channels_first", rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match=r"the input has 5 channels \(axis 1 of shape"):
        first(np.ones((2, 5, 5, 4), np.float32))
    up = ConvTranspose(4, 6, (3,), 2, 0, output_padding=1, rngs=nnx.Rngs(0))
    with pytest.raises(
        ValueError, match=r"the layer has output_padding=\(1,\); a call's `output_shape`"
    ):
        up(np.ones((2, 5, 4), np.float32), output_shape=(11,))
    plain = ConvTranspose(4, 6, (3,), 2, 0, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match=r"output_shape\[0\]=13 is not reachable"):
        plain(np.ones((2, 5, 4), np.float32), output_shape=(13,))
