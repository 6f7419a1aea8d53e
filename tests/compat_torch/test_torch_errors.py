"""compat.torch: every rejection, with its wording; needs no torch.

Whether PyTorch rejects the same calls is checked in ``test_torch_parity.py``
(live) and ``test_torch_golden.py`` (recorded); here each raise site of
``compat/torch`` is hit once, and the message is checked to name the argument,
echo the value and say what would work.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from compat import torch

F = torch.nn.functional
X = np.ones((1, 4, 5, 5))
W = np.ones((6, 2, 3, 3))  # conv2d, groups=2
WT = np.ones((4, 3, 3, 3))  # conv_transpose2d, groups=2 -> 6 channels


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(stride=1.0), TypeError, r"conv2d\(\): argument 'stride' must be tuple of ints, not float"),
        (dict(stride=True), TypeError, r"argument 'stride' must be tuple of ints, not bool"),
        (dict(stride=(1, "2")), TypeError, r"not str \(received stride=\(1, '2'\)\)"),
        (dict(padding=((1, 1), (1, 1))), TypeError, r"'padding' must be tuple of ints, not tuple"),
        (dict(padding=None), TypeError, r"'padding' must be tuple of ints, not NoneType"),
        (dict(groups=2.0), TypeError, r"argument 'groups' must be int, not float"),
        (dict(stride=(1, 1, 1)), ValueError, r"expected stride to be a single integer value or a list of 2 values"),
        (dict(dilation=()), ValueError, r"list of 2 values .* but got dilation=\[\]"),
        (dict(stride=(2, 0)), ValueError, r"non-positive stride is not supported, but got stride=\[2, 0\]; use values >= 1"),
        (dict(dilation=0), ValueError, r"dilation should be greater than zero, but got dilation=\[0, 0\]"),
        (dict(padding=-1), ValueError, r"negative padding is not supported, but got padding=\[-1, -1\]"),
        (dict(padding="SAME"), ValueError, r"Invalid padding string: 'SAME'; use 'same' or 'valid' \(lower case\)"),
        (dict(padding="same", stride=(1, 2)), ValueError, r"padding='same' is not supported for strided convolutions \(received stride=\[1, 2\]\)"),
        (dict(groups=0), ValueError, r"non-positive groups is not supported, but got groups=0"),
        (dict(groups=4), ValueError, r"Given groups=4, expected weight to be divisible by 4 at dimension 0, but got weight of size \[6, 2, 3, 3\].*divides 6"),
        (dict(groups=8), ValueError, r"expected weight to be at least 8 at dimension 0"),
        (dict(groups=3), ValueError, r"Given groups=3, weight of size \[6, 2, 3, 3\], expected input\[1, 4, 5, 5\] to have 6 channels, but got 4 channels instead"),
        (dict(dilation=3), ValueError, r"padded input size per channel: \(5 x 5\). Kernel size: \(7 x 7\). .*padding='same'"),
    ],
)  # fmt: skip
def test_conv_rejections(kwargs, error, match):
    kwargs = {"groups": 2, **kwargs}
    with pytest.raises(error, match=match):
        F.conv2d(X, W, **kwargs)


def test_conv_rank_bias_dtype_and_empty_rejections():
    with pytest.raises(
        ValueError,
        match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[5, 5\]",
    ):
        F.conv2d(X[0, 0], W, groups=2)
    with pytest.raises(
        ValueError,
        match=r"conv1d\(\): expected weight to be 3-dimensional, \(C_out, C_in // groups, \*kernel_size\), but got weight of size \[6, 2, 3, 3\]",
    ):
        F.conv1d(X[0], W)
    with pytest.raises(
        ValueError, match=r"kernel size should be greater than zero, but got kernel size \(0 x 3\)"
    ):
        F.conv2d(X, np.ones((6, 2, 0, 3)), groups=2)
    with pytest.raises(
        ValueError,
        match=r"expected bias to be 1-dimensional with 6 elements, but got bias of size \[6, 1\]",
    ):
        F.conv2d(X, W, np.ones((6, 1)), groups=2)
    with pytest.raises(
        TypeError, match=r"expected scalar type float64 but found float32: .*astype"
    ):
        F.conv2d(X, W.astype(np.float32), groups=2)
    with pytest.raises(
        TypeError, match=r"Input type \(float64\) and bias type \(float32\) should be the same"
    ):
        F.conv2d(X, W, np.ones(6, np.float32), groups=2)
    with pytest.raises(
        ValueError,
        match=r"Only zero batch or zero channel inputs are supported, but got input shape: \[1, 4, 0, 5\]",
    ):
        F.conv2d(X[:, :, :0], W, padding=2, groups=2)
    assert F.conv2d(X[:0], W, groups=2).shape == (0, 6, 3, 3)  # an empty batch is fine
    assert F.conv2d(X[0], W, padding="same", groups=2).shape == (6, 5, 5)  # unbatched
    assert F.conv2d(X, W, padding="valid", groups=2).shape == (1, 6, 3, 3)
    assert F.conv2d(X, W, padding=(1,), stride=[2], groups=2).shape == (1, 6, 3, 3)  # 1-lists
    assert F.conv2d(X, W, padding=np.array([1, 0]), groups=2).shape == (1, 6, 5, 3)  # ndarray
    assert F.conv2d(X, W, stride=np.int64(2), groups=2).shape == (1, 6, 2, 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(padding="same"), TypeError, r"conv_transpose2d\(\): argument 'padding' must be tuple of ints, not str .*jconv.conv_transpose takes 'SAME'"),
        (dict(output_padding=1.0, stride=2), TypeError, r"argument 'output_padding' must be tuple of ints, not float"),
        (dict(padding=(1, -1)), ValueError, r"negative padding is not supported, but got padding=\[1, -1\]"),
        (dict(output_padding=-1, stride=2), ValueError, r"negative output_padding is not supported, but got output_padding=\[-1, -1\]"),
        (dict(output_padding=(1, 1), stride=(2, 1)), ValueError, r"output padding must be smaller than either stride or dilation, but got output_padding=\[1, 1\], stride=\[2, 1\], dilation=\[1, 1\]; use at most \[1, 0\]"),
        (dict(output_padding=(1, 1, 1), stride=2), ValueError, r"expected output_padding to be a single integer value or a list of 2 values"),
        (dict(padding=4), ValueError, r"Given input size per channel: \(5 x 5\). Calculated output size per channel: \(-1 x -1\). Output size is too small; use less padding"),
        (dict(groups=3), ValueError, r"Given groups=3, expected weight to be divisible by 3 at dimension 0"),
        (dict(groups=-2), ValueError, r"non-positive groups is not supported"),
        (dict(stride=0), ValueError, r"non-positive stride is not supported"),
    ],
)  # fmt: skip
def test_conv_transpose_rejections(kwargs, error, match):
    kwargs = {"groups": 2, **kwargs}
    with pytest.raises(error, match=match):
        F.conv_transpose2d(X, WT, **kwargs)


def test_conv_transpose_channel_bias_and_rank_rejections():
    with pytest.raises(
        ValueError,
        match=r"Given transposed=1, weight of size \[5, 3, 3, 3\], expected input\[1, 4, 5, 5\] to have 5 channels, but got 4 channels instead; the weight is \(C_in, C_out // groups",
    ):
        F.conv_transpose2d(X, np.ones((5, 3, 3, 3)))
    with pytest.raises(
        ValueError,
        match=r"Given transposed=1, weight of size \[4, 3, 3, 3\], expected bias to be 1-dimensional with 6 elements, but got bias of size \[3\]",
    ):
        F.conv_transpose2d(X, WT, np.ones(3), groups=2)
    with pytest.raises(
        ValueError, match=r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv_transpose1d"
    ):
        F.conv_transpose1d(X, WT)
    with pytest.raises(
        ValueError,
        match=r"conv_transpose3d\(\): expected weight to be 5-dimensional, \(C_in, C_out // groups",
    ):
        F.conv_transpose3d(X[None], WT)


def test_traced_shape_argument_is_a_type_error_that_says_static():
    with pytest.raises(
        TypeError, match=r"argument 'stride' must be tuple of ints, not .*Tracer.*static"
    ):
        jax.jit(lambda s: F.conv2d(X, W, stride=s, groups=2))(2)


def test_results_are_jax_arrays_and_jit_matches_eager():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 5))  # unbatched
    w = rng.standard_normal((4, 1, 2, 3))
    b = rng.standard_normal(8)
    kwargs = dict(stride=(2, 1), padding=(1, 2), output_padding=(1, 0), groups=4, dilation=(1, 2))
    eager = F.conv_transpose2d(x, w, np.ones(4), **kwargs)
    assert isinstance(eager, jax.Array) and eager.shape == (4, 9, 5)
    jitted = jax.jit(lambda x, w, b: F.conv_transpose2d(x, w, b, **kwargs))(x, w, np.ones(4))
    np.testing.assert_allclose(eager, jitted, rtol=1e-12, atol=1e-12)
    lists = F.conv2d(x.tolist(), rng.standard_normal((8, 1, 3, 3)).tolist(), b.tolist(), 1, 1, 1, 4)
    assert lists.shape == (8, 5, 5)


@pytest.mark.parametrize("fn", ["conv2d", "conv_transpose2d"])
@pytest.mark.parametrize("name", ["input", "weight", "bias"])
@pytest.mark.parametrize(
    ("value", "match"),
    [
        (None, r"not NoneType \(received {name}=None\)"),
        ("x", r"not str \(received {name}='x'\)"),
        ({}, r"not dict"),
        ([[1.0, 2.0], [3.0]], r"not list \(received {name}=\[\[1.0, 2.0\], \[3.0\]\]\)"),
        (np.array(["a"]), r"not an array of <U1"),
        (np.array([object()]), r"not an array of object"),
    ],
    ids=["None", "str", "dict", "ragged", "strings", "objects"],
)
def test_operands_of_the_wrong_kind_name_the_argument(fn, name, value, match):
    args = dict(input=X, weight=W if fn == "conv2d" else WT, bias=None)
    if name == "bias" and value is None:  # bias=None means no bias: it must compute
        out = getattr(F, fn)(X, args["weight"], None, groups=2)
        assert out.shape[:2] == (1, 6)
        return
    args[name] = value
    with pytest.raises(
        TypeError,
        match=rf"{fn}\(\): argument '{name}' must be a NumPy or JAX array .*"
        + match.format(name=name),
    ):
        getattr(F, fn)(args["input"], args["weight"], args["bias"], groups=2)


def test_bool_operands_and_shape_arguments_beyond_int64():
    with pytest.raises(
        TypeError, match=r"conv2d\(\): argument 'input' must have a numeric dtype, not bool"
    ):
        F.conv2d(X.astype(bool), W.astype(bool), groups=2)
    with pytest.raises(TypeError, match=r"argument 'weight' must have a numeric dtype, not bool"):
        F.conv_transpose2d(X, WT.astype(bool), groups=2)
    for name in ("stride", "padding", "dilation", "output_padding"):
        with pytest.raises(
            ValueError,
            match=rf"conv_transpose2d\(\): argument '{name}' must fit in int64, as in PyTorch, but got {name}=\(1, 9223372036854775808\)",
        ):
            F.conv_transpose2d(X, WT, **{name: (1, 2**63)}, groups=2)
    with pytest.raises(
        ValueError, match=r"argument 'groups' must fit in int64.*groups=-9223372036854775809"
    ):
        F.conv2d(X, W, groups=-(2**63) - 1)


def test_bias_dtype_messages():
    with pytest.raises(
        TypeError,
        match=r"conv_transpose3d\(\): Input type \(float64\) and bias type \(float32\) should be the same; cast the bias",
    ):
        F.conv_transpose3d(X[..., None], WT[..., None], np.ones(6, np.float32), groups=2)
    with pytest.raises(
        TypeError,
        match=r"conv_transpose2d\(\): Input type \(int64\) and bias type \(float64\) can't be added: a float64 bias can't be cast to the int64 output",
    ):
        F.conv_transpose2d(X.astype(np.int64), WT.astype(np.int64), np.ones(6), groups=2)
    y = F.conv_transpose2d(X, WT, np.ones(6, np.float32), groups=2)  # as torch: float64 result
    assert y.dtype == np.float64


def test_jconv_limits_are_reported_under_the_torch_function_name():
    # jconv.shapes / jconv.conv reject sizes that cannot exist; compat names its function.
    with pytest.raises(ValueError, match=r"^conv2d\(\): jconv\.[a-z_.]+: .*padding"):
        jax.eval_shape(lambda x, w: F.conv2d(x, w, padding=10**12, groups=2), X, W)
    with pytest.raises(ValueError, match=r"^conv_transpose2d\(\): jconv\.[a-z_.]+: .*dilation"):
        jax.eval_shape(lambda x, w: F.conv_transpose2d(x, w, dilation=(1, 2**62), groups=2), X, WT)
