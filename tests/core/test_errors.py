"""Every raise site of the core, hit once, with its message matched.

Each call is made under ``jax.eval_shape`` where arrays are involved: the
error must come at trace time, before any compute.
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jconv
from jconv import shapes

F32 = np.float32


def x2d(n=1, h=5, w=5, c=2, dtype=F32):
    return np.ones((n, h, w, c), dtype)


def k2d(kh=3, kw=3, i=2, o=4, dtype=F32):
    return np.ones((kh, kw, i, o), dtype)


def traced(fn, *args, **kwargs):
    """Runs ``fn`` abstractly: shapes only, no compute."""
    return jax.eval_shape(lambda: fn(*args, **kwargs))


CONV_CASES = [
    # (kwargs overrides, exception, message pattern)
    (dict(x=np.ones((5, 5), F32)), ValueError, r"`x` must have shape .*\(rank 2\)"),
    (dict(kernel=np.ones((3, 2, 4), F32)), ValueError, r"`kernel` must have the same rank as `x`"),
    (
        dict(x=np.ones((1, 5, 5, 2), bool), kernel=np.ones((3, 3, 2, 4), bool)),
        TypeError,
        r"`x` must have a numeric dtype .* received x.dtype=bool",
    ),
    (
        dict(kernel=k2d(dtype=np.float64)),
        TypeError,
        r"must have the same dtype; received x.dtype=float32 and kernel.dtype=float64",
    ),
    (dict(x=object()), TypeError, r"`x` must be an array"),
    (dict(kernel=np.ones((0, 3, 2, 4), F32)), ValueError, r"window size of `kernel` must be >= 1"),
    (dict(stride=0), ValueError, r"every entry of `stride` must be positive; received stride=0"),
    (
        dict(stride=(1, 2, 1)),
        ValueError,
        r"`stride` must be an int or a sequence of 2 ints .* received stride=\(1, 2, 1\) of length 3",
    ),
    (dict(stride=1.5), TypeError, r"`stride` must be an int; received stride=1.5 of type float"),
    (dict(stride=True), TypeError, r"`stride` must be an int; received stride=True \(a bool\)"),
    (dict(dilation=(1, -1)), ValueError, r"every entry of `dilation` must be positive"),
    (
        dict(padding="FULL"),
        ValueError,
        r"`padding` must be 'SAME', 'SAME_LOWER', 'VALID', 'CAUSAL' .*"
        r"received padding='FULL'",
    ),
    (dict(padding=None), TypeError, r"`padding` must be .* received padding=None of type NoneType"),
    (dict(padding=1.0), TypeError, r"received padding=1.0 of type float"),
    (
        dict(padding=[1, 1, 1]),
        ValueError,
        r"received padding=\[1, 1, 1\] with 3 entries for an "
        r"input with 2 spatial",
    ),
    (
        dict(padding=[(1, 1, 1), (0, 0)]),
        ValueError,
        r"`padding\[0\]` must be an int or a \(lo, hi\) pair; received padding\[0\]=\(1, 1, 1\)",
    ),
    (dict(padding=[(1, "a"), (0, 0)]), TypeError, r"`padding\[0\]\[1\]` must be an int"),
    (
        dict(padding=-2),
        ValueError,
        r"spatial dimension 0 has no output: the kernel spans 3 .*"
        r"padded input spans only 1",
    ),
    (dict(x=x2d(h=2), kernel=k2d()), ValueError, r"spatial dimension 0 has no output"),
    (
        dict(x=x2d(h=0), padding="SAME"),
        ValueError,
        r"spatial dimension 0 of the input \(`x`\) has size 0; SAME padding gives a zero-size output",
    ),
    (dict(groups=0), ValueError, r"`groups` must be a positive int; received groups=0"),
    (dict(groups=2.0), TypeError, r"`groups` must be an int"),
    (
        dict(x=x2d(c=3)),
        ValueError,
        r"the input has 3 channels, but the kernel expects groups \(=1\) times kernel.shape\[-2\] "
        r"\(=2\) = 2",
    ),
    (
        dict(x=x2d(c=4), kernel=k2d(i=2, o=5), groups=2),
        ValueError,
        r"kernel.shape\[-1\] \(=5\) must be divisible by `groups` \(=2\)",
    ),
    (
        dict(data_format="NCHWX"),
        ValueError,
        r"`data_format` must be one of 'NWC', .* received "
        r"data_format='NCHWX'",
    ),
    (dict(data_format=3), TypeError, r"`data_format` must be a string or None"),
    (
        dict(data_format="NDHWC"),
        ValueError,
        r"data_format='NDHWC' is for 3 spatial dimension\(s\), but the input has 2; use 'NHWC' or "
        r"'channels_last'",
    ),
    (dict(data_format="NCW"), ValueError, r"use 'NCHW' or 'channels_first'"),
]


@pytest.mark.parametrize("overrides, exc, pattern", CONV_CASES)
def test_conv_rejects(overrides, exc, pattern):
    args = dict(x=x2d(), kernel=k2d())
    args.update(overrides)
    with pytest.raises(exc, match=pattern) as info:
        traced(jconv.conv, **args)
    assert str(info.value).startswith("jconv.conv: ")


def xt(h=2, w=2, c=4, dtype=F32):
    return np.ones((1, h, w, c), dtype)


def kt(kh=3, kw=3, o=2, i=4):
    return np.ones((kh, kw, o, i), F32)


TRANSPOSE_CASES = [
    (dict(algorithm="fast"), ValueError, r"`algorithm` must be 'auto' or one of 'lhs_dilation'"),
    (dict(algorithm=None), TypeError, r"`algorithm` must be a string; received algorithm=None"),
    (dict(x=xt(c=3)), ValueError, r"the input has 3 channels, but kernel.shape\[-1\] is 4"),
    (
        dict(x=xt(c=3), kernel=kt(i=3), groups=2),
        ValueError,
        r"the input channels \(=3\) must be divisible by `groups` \(=2\)",
    ),
    (
        dict(output_shape=(4, 4), output_padding=1),
        ValueError,
        r"pass either `output_shape` or `output_padding`, not both",
    ),
    (
        dict(output_shape=(5, 4)),
        ValueError,
        r"output_shape\[0\]=5 is not reachable: with stride 1, kernel 3, VALID, an input of size 2 "
        r"comes from size 4; pass one of \[4\]",
    ),
    (
        dict(output_shape=(7, 6), stride=2),
        ValueError,
        r"output_shape\[0\]=7 is not reachable: with stride 2, kernel 3, VALID, an input of size 2 "
        r"comes from sizes 5 to 6; pass one of \[5, 6\]",
    ),
    (
        dict(output_shape=(4, 5), stride=2, padding="SAME"),
        ValueError,
        r"output_shape\[1\]=5 is not reachable: with stride 2, kernel 3, SAME, .* sizes 3 to 4",
    ),
    (
        dict(output_shape=(1, 4, 4, 2)),
        ValueError,
        r"`output_shape` takes the 2 spatial sizes only; received output_shape=\(1, 4, 4, 2\)",
    ),
    (dict(output_shape=(4,)), ValueError, r"`output_shape` must be an int or a sequence of 2 ints"),
    (dict(output_shape=4.0), TypeError, r"`output_shape` must be an int"),
    (
        dict(output_padding=1),
        ValueError,
        r"output_padding\[0\]=1 must be smaller than the stride \(1\) or the dilation \(1\) of that "
        r"dimension; use 0 to 0",
    ),
    (
        dict(output_padding=-1, stride=2),
        ValueError,
        r"every entry of `output_padding` must be >= 0",
    ),
    (
        dict(output_padding=1, stride=2, padding="SAME"),
        ValueError,
        r"`output_padding` cannot be used with SAME padding",
    ),
    (
        dict(x=xt(h=0)),
        ValueError,
        r"spatial dimension 0 of the input \(`x`\) has size 0; a transposed convolution needs at least 1",
    ),
    (
        dict(kernel=kt(kh=1, kw=1), padding=1),
        ValueError,
        r"spatial dimension 0 has no output: with stride 1, kernel 1, padding \(1, 1\), an input of "
        r"size 2 would come from size 0; reduce the padding",
    ),
    (
        dict(x=xt(h=1, w=1), kernel=kt(kh=1, kw=1), stride=2, padding=[(1, 0), (1, 0)]),
        ValueError,
        r"spatial dimension 0 has no output: with stride 2, kernel 1, padding \(1, 0\) and "
        r"output_padding 0, the default output size is 0; pass output_shape with one of \[1\]",
    ),
]


@pytest.mark.parametrize("overrides, exc, pattern", TRANSPOSE_CASES)
def test_conv_transpose_rejects(overrides, exc, pattern):
    args = dict(x=xt(), kernel=kt())
    args.update(overrides)
    with pytest.raises(exc, match=pattern) as info:
        traced(jconv.conv_transpose, **args)
    assert str(info.value).startswith("jconv.conv_transpose: ")


def test_traced_output_shape_is_rejected():
    def f(size):
        return jconv.conv_transpose(xt(), kt(), 2, output_shape=(size, size))

    with pytest.raises(
        TypeError,
        match=r"`output_shape\[0\]` must be a static Python int, known "
        r"at trace time; received a traced value",
    ):
        jax.jit(f)(5)
    # Marked static, the same call works.
    assert jax.jit(f, static_argnums=0)(5).shape == (1, 5, 5, 2)


def test_traced_stride_is_rejected():
    with pytest.raises(TypeError, match=r"`stride` must be a static Python int"):
        jax.jit(lambda s: jconv.conv(x2d(), k2d(), s))(1)


def test_shared_messages_also_hold_for_the_transpose():
    # The argument normalisation is shared: spot-check that it names the right function.
    with pytest.raises(ValueError, match=r"^jconv.conv_transpose: every entry of `dilation`"):
        traced(jconv.conv_transpose, xt(), kt(), dilation=0)
    with pytest.raises(
        TypeError,
        match=r"^jconv.conv_transpose: `x` and `kernel` must have the "
        r"same dtype",
    ):
        traced(jconv.conv_transpose, xt(dtype=np.float64), kt())


SHAPES_CASES = [
    (
        shapes.conv_output_size,
        (5, 0),
        ValueError,
        r"jconv.shapes.conv_output_size: `kernel_size` must be >= 1; received kernel_size=0",
    ),
    (shapes.conv_output_size, (-1, 3), ValueError, r"`input_size` must be >= 0"),
    (shapes.conv_output_size, (5, 3, 0), ValueError, r"`stride` must be >= 1"),
    (shapes.conv_output_size, (5, 3, 1, "VALID", 0), ValueError, r"`dilation` must be >= 1"),
    (
        shapes.conv_output_size,
        (5, 3, 1, "same_upper"),
        ValueError,
        r"received padding='same_upper'",
    ),
    (shapes.conv_output_size, (2, 3), ValueError, r"spatial dimension 0 has no output"),
    (shapes.conv_output_size, (5.0, 3), TypeError, r"`input_size` must be an int"),
    (shapes.resolve_padding, (5, 3, 1, (1, 2, 3)), ValueError, r"must be an int or a \(lo, hi\)"),
    (shapes.same_padding, (5, 3, -1), ValueError, r"jconv.shapes.same_padding: `stride` must be"),
    (shapes.effective_kernel_size, (0,), ValueError, r"`kernel_size` must be >= 1"),
    (shapes.transpose_output_sizes, (0, 3), ValueError, r"input \(`input_size`\) has size 0"),
    (
        shapes.transpose_output_size,
        (2, 3, 2, "SAME", 1, 1),
        ValueError,
        r"`output_padding` cannot be used with SAME",
    ),
    (
        shapes.transpose_output_size,
        (2, 3, 2, "VALID", 1, 2),
        ValueError,
        r"output_padding\[0\]=2 must be smaller than the stride \(2\)",
    ),
    (
        shapes.conv_output_shape,
        (5, (3,)),
        TypeError,
        r"`input_shape` and `kernel_shape` must be sequences of spatial sizes",
    ),
    (shapes.conv_output_shape, ((5, 5), (3,)), ValueError, r"must list the same number"),
    (
        shapes.transpose_output_shape,
        ((2, 2), (3, 3), 1, "VALID", 1, (0, 0, 0)),
        ValueError,
        r"`output_padding` must be an int or a sequence of 2 ints",
    ),
    (
        shapes.transpose_output_shapes,
        ((2, 2), (3, 3), (1, 0)),
        ValueError,
        r"every entry of `stride` must be positive",
    ),
]


@pytest.mark.parametrize("fn, args, exc, pattern", SHAPES_CASES)
def test_shapes_rejects(fn, args, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        fn(*args)
    assert str(info.value).startswith(f"jconv.shapes.{fn.__name__}: ")


def test_errors_name_the_value_received():
    # Values are echoed as the user wrote them, arrays included.
    with pytest.raises(ValueError, match=re.escape("received stride=[1, 2, 3] of length 3")):
        traced(jconv.conv, x2d(), k2d(), np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=re.escape("received output_padding=[0, 0, 1]")):
        traced(jconv.conv_transpose, xt(), kt(), output_padding=jnp.array([0, 0, 1]))


def test_channel_errors_recognise_pytorch_layouts_and_channels_first_data():
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    conv = torch.nn.Conv2d(4, 6, 3)
    weight = conv.weight.detach().numpy()  # (6, 4, 3, 3)
    x_first = np.ones((1, 4, 9, 9), np.float32)
    x_last = np.ones((1, 9, 9, 4), np.float32)
    with pytest.raises(
        ValueError,
        match=r"The kernel's shape fits PyTorch's and ONNX's \(C_out, C_in // groups, \*window\) "
        r"layout: convert the weight with jconv.layouts.from_torch_conv\(weight\)\.$",
    ):
        jconv.conv(x_last, weight)
    with pytest.raises(
        ValueError,
        match=r"from_torch_conv\(weight\) and pass data_format='channels_first' for "
        r"channels-first x\.$",
    ):
        jconv.conv(x_first, weight)
    kernel = jconv.layouts.from_torch_conv(weight)
    with pytest.raises(
        ValueError,
        match=r"`x` looks channels-first: x.shape\[1\] \(=4\) matches the kernel; pass "
        r"data_format='channels_first'\.$",
    ):
        jconv.conv(x_first, kernel)
    assert jconv.conv(x_first, kernel, data_format="channels_first").shape == (1, 6, 7, 7)
    # Transposed: PyTorch's weight is (C_in, C_out // groups, *window).
    t_weight = torch.nn.ConvTranspose2d(4, 6, 3, groups=2).weight.detach().numpy()  # (4, 3, 3, 3)
    with pytest.raises(
        ValueError, match=r"convert the weight with jconv.layouts.from_torch_conv_transpose"
    ):
        jconv.conv_transpose(x_last, t_weight, groups=2)
    t_kernel = jconv.layouts.from_torch_conv_transpose(t_weight)
    with pytest.raises(ValueError, match=r"`x` looks channels-first: x.shape\[1\] \(=4\)"):
        jconv.conv_transpose(x_first, t_kernel, groups=2)
    # An explicit data_format is taken at its word: no channels-first suggestion.
    with pytest.raises(ValueError) as info:
        jconv.conv(x_first, kernel, data_format="channels_last")
    assert "channels_first" not in str(info.value)
