"""``compat.tf`` without TensorFlow: every raise site, the messages, and the deliberate
differences from TensorFlow.

Each rejection is hit once with its message matched: TensorFlow's own text
first, then what would work. The deliberate differences (cases TensorFlow's
CPU kernels refuse, or get wrong) are asserted against definitions: a
channels-first result is the channels-last one transposed, a dilated or
grouped transposed conv is the gradient (VJP) of the forward conv.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from compat import tf

F32 = np.float32
nn, v1 = tf.nn, tf.compat.v1.nn
IAE = tf.errors.InvalidArgumentError


def ramp(*shape: int, dtype=F32) -> np.ndarray:
    return (np.arange(int(np.prod(shape))) % 7 - 3).reshape(shape).astype(dtype)


X, W = ramp(1, 5, 5, 2), ramp(3, 3, 2, 4)  # conv2d input and filter
Y, G = ramp(1, 3, 3, 4), ramp(3, 3, 2, 4)  # conv2d_transpose input and filter (out 2, in 4)
X1, W1 = ramp(2, 7, 2), ramp(3, 2, 3)
X3, W3 = ramp(1, 4, 4, 4, 2), ramp(2, 2, 2, 2, 3)


# ---------------------------------------------------------------------------
# The tutorial's error, word for word, then what would work.


def test_tutorial_error_message() -> None:
    x1 = tf.constant([4.5, 5.4, 8.1, 9.0], shape=[1, 2, 2, 1], dtype=tf.float32)
    kernel = tf.ones(shape=[3, 3, 1, 1], dtype=tf.float32)
    with pytest.raises(IAE) as e:
        nn.conv2d_transpose(
            x1, kernel, output_shape=[1, 7, 7, 1], strides=[1, 2, 2, 1], padding="VALID"
        )
    msg = str(e.value)
    assert msg.startswith(
        "Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = 2, "
        "computed = 3 spatial_dim: 1 input: 7 filter: 3 output: 2 stride: 2 dilation: 1"
    )
    assert "dimension 1: [5, 6], dimension 2: [5, 6]" in msg
    assert "output_shape=[1, 5, 5, 1]" in msg
    assert e.value.message == msg
    assert isinstance(e.value, ValueError)


def test_error_classes() -> None:
    assert issubclass(tf.errors.InvalidArgumentError, ValueError)
    assert issubclass(tf.errors.InvalidArgumentError, tf.errors.OpError)
    assert issubclass(tf.errors.UnimplementedError, tf.errors.InvalidArgumentError)
    assert tf.compat.v1.errors is tf.errors


# ---------------------------------------------------------------------------
# Every raise site.

RAISES = [
    # _args: aliases, int attributes, strides forms, padding lists, output_shape
    (
        lambda: v1.conv2d(X, filter=W, filters=W, strides=1, padding="SAME"),
        IAE,
        r"Cannot specify both 'filter' and 'filters'\. Pass the array once, as `filters`",
    ),
    (lambda: nn.conv2d(X, W, "a", "SAME"), TypeError, r"`strides` must hold Python ints .* str"),
    (
        lambda: jax.jit(lambda s: nn.conv2d(X, W, s, "SAME"))(2),
        TypeError,
        r"`strides` must hold Python ints known when the function is traced; .*traced value",
    ),
    (
        lambda: nn.conv2d(X, W, np.array(2), "SAME"),
        TypeError,
        r"Cannot iterate over a scalar tensor: `strides` must be an int or a sequence",
    ),
    (
        lambda: nn.conv2d(X, W, [1, 1, 1], "SAME"),
        IAE,
        r"strides should be of length 1, 2 or 4\. Received: strides=\[1, 1, 1\] of length 3\. "
        r"For example strides=2",
    ),
    (
        lambda: nn.conv2d(X, W, 1, "EXPLICIT"),
        IAE,
        r"'EXPLICIT' is not a valid value for `padding`\. To use explicit padding, `padding` "
        r"must be a list",
    ),
    (
        lambda: nn.conv2d(X, W, 1, [0, 0, 0, 0]),
        IAE,
        r"each element of `padding` must be a list/tuple of size 2\. .*index 0 of type <class 'int'>",
    ),
    (
        lambda: nn.conv2d(X, W, 1, [[0, 0], [1], [0, 0], [0, 0]]),
        IAE,
        r"must be a list/tuple of size 2\. .* with element at index 1 of size 1",
    ),
    (
        lambda: nn.conv2d(X, W, 1, [[0, 0], [1, 1], [0, 0]]),
        IAE,
        r"When padding is a list, it must be of size 4\. Received: .* of size 3\. Give one",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [[1, 3, 3, 2]], 1),
        IAE,
        r"input_sizes input must be 1-dim, not 2\. Pass output_shape as a flat list",
    ),
    (lambda: nn.conv2d_transpose(Y, G, np.ones((1, 4), int), 1), IAE, r"must be 1-dim, not 2"),
    (
        lambda: jax.jit(lambda s: nn.conv2d_transpose(Y, G, s, 1))(jnp.array([1, 3, 3, 2])),
        TypeError,
        r"`output_shape` must be known when the function is traced",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [1.0, 3, 3, 2], 1),
        TypeError,
        r"Cannot convert \[1\.0, 3, 3, 2\] to EagerTensor of dtype int32",
    ),
    (
        lambda: nn.conv1d_transpose(Y[0], G[0], np.array([1.0, 3, 2]), 1),
        TypeError,
        r"Cannot convert \[1\.0, 3\.0, 2\.0\] to EagerTensor .* of dtype float64",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, np.array([1.0, np.nan, 3, 2]), 1),
        IAE,
        r"`output_shape` must hold finite sizes below 2\*\*31; received output_shape=\[1\.0, nan",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [1, 3.0, 3, 2], 1),
        TypeError,
        r"to EagerTensor of dtype int32: `output_shape` must hold ints",
    ),
    # _backprop: output_shape forms, shapes, channels, sizes
    (
        lambda: nn.conv2d_transpose(Y, G, [3, -3], 1),
        IAE,
        r"elements of input_sizes must be >= 0, not \[3, -3\]\. A 2-entry output_shape is "
        r"\[height, width\]",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [1, 3, 3], 1),
        IAE,
        r"Conv2DBackpropInput requires input_sizes to contain 4 values or 2 values, but got: 3",
    ),
    (
        lambda: nn.conv3d_transpose(X3, W3.transpose(0, 1, 2, 4, 3), [1, 4, 4, 4], 1),
        IAE,
        r"Conv3DBackpropInputV2 requires input_sizes to contain 5 values, but got: 4",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [1, -3, 3, 2], 1),
        IAE,
        r"Dimension -3 must be >= 0\. .*only the batch entry may be None or -1",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G[0], [1, 3, 3, 2], 1),
        IAE,
        r"Conv2DCustomBackpropInput: filter must be 4-dimensional, got shape \[3, 2, 4\]",
    ),
    (
        lambda: nn.conv2d_transpose(Y[0], G, [1, 3, 3, 2], 1),
        IAE,
        r"Conv2DCustomBackpropInput: out_backprop must be 4-dimensional, got shape \[3, 3, 4\]",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [2, 3, 3, 2], 1),
        IAE,
        r"input and out_backprop must have the same batch size\. Input batch: 2, outbackprop "
        r"batch: 1, batch_dim: 0\. Use output_shape\[0\]=1 \(or None\)",
    ),
    (
        lambda: nn.conv2d_transpose(ramp(1, 3, 3, 3), G, [1, 3, 3, 2], 1),
        IAE,
        r"filter and out_backprop must have the same out_depth: the input has 3 channels but the "
        r"filter's last dimension is 4",
    ),
    (
        lambda: nn.conv2d_transpose(Y, ramp(3, 3, 0, 4), [1, 3, 3, 0], 1),
        IAE,
        r"filter depth must be strictly greater than zero",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [1, 3, 3, 3], 1),
        IAE,
        r"input depth must be evenly divisible by filter depth: output_shape has 3 channels but "
        r"the filter's out_channels .* is 2; use 2 channels",
    ),
    (
        lambda: nn.conv2d_transpose(ramp(1, 3, 3, 3), ramp(3, 3, 1, 3), [1, 3, 3, 2], 1),
        IAE,
        r"a grouped filter \(2 groups: 2 output channels from filter depth 1\) needs input "
        r"channels divisible by 2, got 3",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [1, 1, 3, 2], 1, "VALID"),
        IAE,
        r"Computed output size would be negative: -1 \[input_size: 1, effective_filter_size: 3, "
        r"stride: 1\]\. For this input .* output_shape accepts dimension 1: \[5\]",
    ),
    (
        lambda: nn.conv2d_transpose(Y, G, [1, 6, 5, 2], 1, "VALID"),
        IAE,
        r"Size of out_backprop doesn't match computed: actual = 3, computed = 4 spatial_dim: 1 "
        r"input: 6 filter: 3 output: 3 stride: 1 dilation: 1\. .*dimension 1: \[5\], "
        r"dimension 2: \[5\]; for example output_shape=\[1, 5, 5, 2\]",
    ),
    (
        lambda: nn.conv1d_transpose(X1[..., :2], W1.transpose(0, 2, 1)[:, :, :2], [2, 9, 3], 2),
        IAE,
        r"spatial_dim: 2 input: 9 .* For this input \(spatial \[7\]\), filter \[3\], strides "
        r"\[2\], .*dimension 1: \[13, 14\]; for example output_shape=\[2, 14, 3\]",
    ),
    # _checks: the kernels' attributes
    (
        lambda: nn.conv2d_transpose(Y, G, [1, 3, 3, 2], 1, data_format=4),
        TypeError,
        r"Expected string for argument 'data_format' not 4",
    ),
    (
        lambda: nn.conv2d(X, W, 1, "SAME", data_format="NWC"),
        IAE,
        r"Value for attr 'data_format' of \"NWC\" is not in the list of allowed values: \"NHWC\", "
        r"\"NCHW\"",
    ),
    (
        lambda: nn.conv2d(X, W, 1, None),
        TypeError,
        r"Expected string for argument 'padding' not None\. Use 'SAME' or 'VALID'",
    ),
    (
        lambda: nn.conv3d(X3, W3, [1] * 5, [[0, 0]] * 5),
        TypeError,
        r"Expected string for argument 'padding' not .*explicit padding lists are only accepted by "
        r"the 2-D ops",
    ),
    (
        lambda: nn.conv2d(X, W, 1, "same"),
        IAE,
        r"Value for attr 'padding' of \"same\" is not in the list of allowed values: \"SAME\", "
        r"\"VALID\", \"EXPLICIT\"\. Padding names are upper case",
    ),
    (
        lambda: nn.conv2d(X, W, [2, 1, 1, 1], "SAME"),
        tf.errors.UnimplementedError,
        r"does not yet support strides in the batch and depth dimensions\. Received: strides="
        r"\[2, 1, 1, 1\] for data_format NHWC; .* e\.g\. strides=\[1, 1, 1, 1\]",
    ),
    (
        lambda: nn.conv2d(X, W, 1, "SAME", dilations=[1, 1, 1, 2]),
        tf.errors.UnimplementedError,
        r"does not yet support dilations in the batch and depth dimensions",
    ),
    (
        lambda: nn.conv2d(X, W, 0, "SAME"),
        IAE,
        r"Row and column strides should be larger than 0\. Received: strides=\[1, 0, 0, 1\]",
    ),
    (
        lambda: nn.conv3d(X3, W3, [1, 0, 1, 1, 1], "SAME"),
        IAE,
        r"Spatial strides should be larger than 0",
    ),
    (
        lambda: nn.conv2d(X, W, 1, "SAME", dilations=0),
        IAE,
        r"Dilated rates should be larger than 0",
    ),
    (
        lambda: nn.depthwise_conv2d(X, W[..., :2], [1, 1], "SAME"),
        IAE,
        r"Sliding window strides field must specify 4 dimensions\. Received: strides=\[1, 1\]",
    ),
    (
        lambda: nn.conv3d(X3, W3, [1] * 5, "SAME", dilations=[2, 2, 2]),
        IAE,
        r"Dilation rates field must specify 5 dimensions",
    ),
    (
        lambda: nn.conv1d(X1, W1, 1, "EXPLICIT"),
        IAE,
        r"explicit_paddings attribute must contain 8 values, but got: 0",
    ),
    (
        lambda: nn.conv2d(X, W, 1, [[0, 0], [-1, 1], [0, 0], [0, 0]]),
        IAE,
        r"All elements of explicit_paddings must be nonnegative",
    ),
    (
        lambda: nn.conv2d(X, W, 1, [[0, 0], [1, 1], [0, 0], [0, 1]]),
        IAE,
        r"Nonzero explicit padding in the batch or depth dimensions is not supported",
    ),
    (
        lambda: nn.conv2d(ramp(1, 4, 4, 2), ramp(6, 6, 2, 4), 1, "VALID"),
        IAE,
        r"Computed output size would be negative: -1 \[input_size: 4, effective_filter_size: 6, "
        r"stride: 1\]\. The filter spans 6 .* use padding='SAME'",
    ),
    # _constructors
    (lambda: tf.ones(None), TypeError, r"tf\.ones: `shape` must be an int or a sequence of ints"),
    (lambda: tf.zeros([2, 1.5]), TypeError, r"tf\.zeros: `shape` must be an int"),
    (lambda: tf.zeros([2, -1]), ValueError, r"every entry of `shape` must be >= 0"),
    (
        lambda: tf.constant([1, 2, 3, 4], shape=[1, 4, 4, 1]),
        TypeError,
        r"Eager execution of tf\.constant with unsupported shape\. .* has 4 elements, but got "
        r"`shape` \(1, 4, 4, 1\) with 16 elements",
    ),
    # _conv
    (
        lambda: (
            nn.conv2d(X, W, 1, "SAME", data_format=None).shape
            and nn.conv2d(X, W, 1, "SAME", data_format=1)
        ),
        TypeError,
        r"Expected string for argument 'data_format'",
    ),
    (
        lambda: nn.conv3d(X3, W3, 1, "SAME"),
        TypeError,
        r"Expected list for 'strides' argument to 'conv3d' Op, not 1\.",
    ),
    (
        lambda: nn.conv3d(X3, W3, [1, 1, 1], "SAME"),
        IAE,
        r"Length for attr 'strides' of 3 must be at least minimum 5",
    ),
    (
        lambda: nn.conv1d(X1, W1, 1, "SAME", data_format="NCDHW"),
        IAE,
        r"`data_format` must be 'NWC' or 'NCW'\. Received: data_format=NCDHW",
    ),
    (
        lambda: nn.conv1d(ramp(7), W1, 1, "SAME"),
        IAE,
        r"conv1d: input must be at least 3-dimensional \(batch, width, channels\)",
    ),
    (
        lambda: nn.convolution(ramp(1, 4, 4, 4, 4, 2), ramp(1, 1, 1, 1, 2, 3)),
        IAE,
        r"`num_spatial_dims` must be 1, 2, or 3\. Received: num_spatial_dims=4",
    ),
    (
        lambda: nn.convolution(X[0], W, dilations=2),
        IAE,
        r"`input.shape.rank` must be >= than `num_spatial_dims \+ 2`",
    ),
    (
        lambda: nn.convolution(ramp(1, 5, 5, 3), W, dilations=2),
        IAE,
        r"The number of input channels is not divisible by the corresponding number of output "
        r"filters\. Received: input.shape=\(1, 5, 5, 3\) with 3 channels",
    ),
    (
        lambda: nn.convolution(X, W, strides=[2, 1, 1, 1], dilations=2),
        IAE,
        r"convolution: with a dilation > 1, `strides` must be 1 in the batch and channel entries "
        r"\(TensorFlow would silently ignore them\)",
    ),
    (
        lambda: nn.convolution(X, W, dilations=[1, 0]),
        IAE,
        r"all values of `dilation_rate` must be positive\. Received: dilation_rate=\[1 0\]",
    ),
    (
        lambda: nn.convolution(X, W, strides=[0, 1], dilations=2),
        IAE,
        r"all values of `strides` must be positive",
    ),
    (
        lambda: nn.convolution(X, W, strides=2, dilations=2),
        IAE,
        r"`strides > 1` not supported in conjunction with `dilation_rate > 1`\. Received: "
        r"strides=\[2 2\] and dilation_rate=\[2 2\]\. Use strides 1 here",
    ),
    (
        lambda: nn.convolution(X, W, padding="same", dilations=2),
        IAE,
        r"`padding` must be one of 'SAME' or 'VALID'\. Received: padding=same",
    ),
    (
        lambda: nn.convolution(X1, W1, padding=[[0, 0]] * 4, dilations=2),
        IAE,
        r"convolution: explicit padding is only supported for 2 spatial dimensions",
    ),
    (
        lambda: nn.convolution(X, W, padding="SAME", dilations=2, data_format="NWHC"),
        IAE,
        r"`data_format` must be one of 'NHWC', 'NCHW'\. Received: data_format=NWHC",
    ),
    (
        lambda: nn.atrous_conv2d(X, W, [2, 1, 1], "SAME"),
        IAE,
        r"atrous_conv2d: `rate` must be an int or 2 ints; received rate=\[2, 1, 1\]",
    ),
    # _conv_transpose
    (
        lambda: nn.conv3d_transpose(X3, W3, [1, 4, 4, 4, 2], 1, data_format=5),
        TypeError,
        r"Expected string for argument 'data_format' not 5",
    ),
    (
        lambda: nn.conv1d_transpose(X1, W1, [2, 7, 3], 1, data_format="NHWC"),
        IAE,
        r"`data_format` must be 'NWC' or 'NCW'\. Received: data_format=NHWC",
    ),
    (
        lambda: nn.conv1d_transpose(np.float32(1), W1, [2, 7, 3], 1),
        IAE,
        r"conv1d_transpose: input must be 3-dimensional",
    ),
    (
        lambda: nn.conv_transpose(Y, G, 6, 2),
        IAE,
        r"`output_shape` must be a tensor or sized collection\. Received: output_shape=6",
    ),
    (
        lambda: nn.conv_transpose(Y, G, [6, 6], 2),
        IAE,
        r"`output_shape` must be of length 3, 4 or 5\. Received: output_shape=\[6, 6\] of length 2",
    ),
    (
        lambda: nn.atrous_conv2d_transpose(Y[0], G, [1, 3, 3, 2], 2, "SAME"),
        IAE,
        r"atrous_conv2d_transpose: `value` and `filters` must be 4-dimensional",
    ),
    (
        lambda: nn.atrous_conv2d_transpose(ramp(1, 3, 3, 3), G, [1, 3, 3, 2], 2, "SAME"),
        IAE,
        r"`value` channel count must be compatible with `filters` input channel count",
    ),
    (
        lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], [2, 2], "SAME"),
        TypeError,
        r"atrous_conv2d_transpose takes one int `rate`; received rate=\[2, 2\]",
    ),
    (
        lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], 0, "SAME"),
        IAE,
        r"`rate` cannot be less than one\. Received: rate=0",
    ),
    (
        lambda: nn.atrous_conv2d_transpose(Y, G, [3, 3], 2, "SAME"),
        IAE,
        r"`output_shape` must have shape \(4,\)\. Received: output_shape=\(2,\)",
    ),
    (
        lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 3], 2, "SAME"),
        IAE,
        r"`output_shape` channel count must be compatible with `filters` output channel count",
    ),
    (
        lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], 2, "same"),
        IAE,
        r"`padding` must be either 'VALID' or 'SAME'\. Received: padding=same",
    ),
    # _depthwise
    (
        lambda: nn.depthwise_conv2d(X, W[..., :2], [1, 1, 1, 1], "SAME", dilations=2),
        TypeError,
        r"'int' object is not iterable: depthwise_conv2d takes `dilations` \(v1: `rate`\) as a "
        r"sequence of 2 ints, e\.g\. \[2, 2\]",
    ),
    (
        lambda: nn.depthwise_conv2d(X, W[..., :2], [1, 1, 1, 1], "SAME", dilations=[2]),
        IAE,
        r"depthwise_conv2d: `dilations` must have 2 entries \(rows, columns\); received "
        r"dilations=\[2\] of length 1",
    ),
    (
        lambda: nn.depthwise_conv2d(X, W[..., :2], [1, 2, 2, 1], "SAME", dilations=[2, 2]),
        IAE,
        r"depthwise_conv2d: a dilation > 1 needs all strides 1 \(TensorFlow only warns and returns "
        r"a wrong result\)",
    ),
    (
        lambda: nn.depthwise_conv2d(X, W[..., :2], [1, 1, 1, 1], "SAME", dilations=[0, 1]),
        IAE,
        r"`dilation_rate` must be positive\. Received: dilation_rate=\[0, 1\]",
    ),
    (
        lambda: nn.depthwise_conv2d(X, W[..., :2], [1, 1, 1, 1], "same", dilations=[2, 2]),
        IAE,
        r"`padding` must be one of 'SAME' or 'VALID'\. Received: padding=same",
    ),
    # _dtypes
    (
        lambda: nn.conv2d(X, [[1.0, 2.0], [3.0]], 1, "SAME"),
        TypeError,
        r"Cannot convert \[\[1\.0, 2\.0\], \[3\.0\]\] to a tensor",
    ),
    (lambda: tf.constant("abc"), TypeError, r"Cannot convert 'abc' to a tensor: it holds str"),
    (
        lambda: nn.conv2d(jnp.asarray(X.astype(np.int32)), W.tolist(), 1, "SAME"),
        TypeError,
        r"Cannot convert \[\[\[\[.* \.\.\. .* to EagerTensor of dtype int32",
    ),
    (
        lambda: nn.conv2d(jnp.asarray(X), jnp.asarray(W, jnp.float64), 1, "SAME"),
        IAE,
        r"cannot compute Conv2D as input #1\(zero-based\) was expected to be a float tensor but is "
        r"a double tensor",
    ),
    (
        lambda: nn.conv2d(X.astype(np.int64), W.astype(np.int64), 1, "SAME"),
        IAE,
        r"Value for attr 'T' of int64 is not in the list of allowed values: half, bfloat16, float, "
        r"double, int32",
    ),
    # _forward
    (
        lambda: nn.conv2d(X[0], W, 1, "SAME"),
        IAE,
        r"Conv2D: input must be 4-dimensional: \[5, 5, 2\]",
    ),
    (
        lambda: nn.conv2d(X, W[0], 1, "SAME"),
        IAE,
        r"Conv2D: filter must be 4-dimensional: \[3, 2, 4\]",
    ),
    (
        lambda: nn.conv2d(X, ramp(0, 3, 2, 4), 1, "SAME"),
        IAE,
        r"filter must not have zero elements \(i\.e\. all dimensions must be non-zero\)",
    ),
    (
        lambda: nn.conv2d(X, ramp(3, 3, 0, 4), 1, "SAME"),
        IAE,
        r"filter depth must be strictly positive, got 0",
    ),
    (
        lambda: nn.conv2d(ramp(1, 5, 5, 3), W, 1, "SAME"),
        IAE,
        r"Conv2D: input depth must be evenly divisible by filter depth: 3 vs 2",
    ),
    (
        lambda: nn.conv2d(ramp(1, 5, 5, 4), ramp(3, 3, 2, 5), 1, "SAME"),
        IAE,
        r"output depth must be evenly divisible by number of groups: 5 vs 2",
    ),
    (
        lambda: nn.depthwise_conv2d(X, ramp(3, 3, 3, 2), [1, 1, 1, 1], "SAME"),
        IAE,
        r"DepthwiseConv2dNative: input and filter must have the same depth: 2 vs 3",
    ),
    (
        lambda: nn.depthwise_conv2d(X, ramp(3, 0, 2, 2), [1, 1, 1, 1], "SAME"),
        IAE,
        r"DepthwiseConv2dNative: filter must not have zero elements",
    ),
]


@pytest.mark.parametrize(("call", "exc", "pattern"), RAISES, ids=[p for _, _, p in RAISES])
def test_raises(call, exc, pattern) -> None:
    with pytest.raises(exc, match=pattern):
        call()


# ---------------------------------------------------------------------------
# Deliberate differences from TensorFlow.


def _nchw(a):
    return np.moveaxis(np.asarray(a), -1, 1)


def test_channels_first_is_computed() -> None:
    """TF's CPU kernels refuse NCHW/NCDHW; here it is the NHWC result, transposed."""
    want = nn.conv2d(X, W, [1, 2, 1, 1], "SAME", dilations=[1, 1, 2, 1])
    got = nn.conv2d(_nchw(X), W, [1, 1, 2, 1], "SAME", data_format="NCHW", dilations=[1, 1, 1, 2])
    np.testing.assert_array_equal(got, _nchw(want))
    want = nn.conv2d_transpose(Y, G, [1, 6, 5, 2], [2, 2], "SAME")
    got = nn.conv2d_transpose(_nchw(Y), G, [1, 2, 6, 5], [2, 2], "SAME", data_format="NCHW")
    np.testing.assert_array_equal(got, _nchw(want))
    want = nn.conv3d(X3, W3, [1, 2, 1, 1, 1], "VALID")
    got = nn.conv3d(_nchw(X3), W3, [1, 1, 2, 1, 1], "VALID", data_format="NCDHW")
    np.testing.assert_array_equal(got, _nchw(want))
    want = nn.depthwise_conv2d(X, W[..., :3], [1, 2, 2, 1], "SAME")
    got = nn.depthwise_conv2d(_nchw(X), W[..., :3], [1, 1, 2, 2], "SAME", data_format="NCHW")
    np.testing.assert_array_equal(got, _nchw(want))
    want = nn.conv1d_transpose(X1, W1.transpose(0, 2, 1), [2, 14, 3], 2)
    got = nn.conv1d_transpose(_nchw(X1), W1.transpose(0, 2, 1), [2, 3, 14], 2, data_format="NCW")
    np.testing.assert_array_equal(got, _nchw(want))


def _vjp_of_forward(forward, x_shape, y):
    """The gradient of a forward conv w.r.t. its input: what a transposed conv computes."""
    x0 = jnp.zeros(x_shape, jnp.float32)
    _, pullback = jax.vjp(forward, x0)
    return pullback(jnp.asarray(y))[0]


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_dilated_and_grouped_transposes_are_computed(padding: str) -> None:
    """TF's CPU kernels refuse these; here they are the VJP of the forward conv."""
    out = [1, 6, 5, 2] if padding == "SAME" else [1, 9, 10, 2]
    got = nn.conv2d_transpose(Y, G, out, 2, padding, dilations=2)
    want = _vjp_of_forward(lambda x: nn.conv2d(x, G, 2, padding, dilations=2), out, Y)
    np.testing.assert_allclose(got, want, atol=1e-4)
    g = ramp(3, 3, 1, 4)  # 2 groups: 2 output channels from filter depth 1
    got = nn.conv2d_transpose(Y, g, [1, 6, 6, 2], 2, padding if padding == "SAME" else "SAME")
    want = _vjp_of_forward(lambda x: nn.conv2d(x, g, 2, "SAME"), [1, 6, 6, 2], Y)
    np.testing.assert_allclose(got, want, atol=1e-4)
    w3 = ramp(2, 2, 2, 2, 3)
    y3 = nn.conv3d(X3, w3, [1, 1, 1, 1, 1], padding, dilations=[1, 2, 1, 2, 1])
    got = nn.conv3d_transpose(y3, w3, X3.shape, 1, padding, dilations=[1, 2, 1, 2, 1])
    want = _vjp_of_forward(
        lambda x: nn.conv3d(x, w3, [1] * 5, padding, dilations=[1, 2, 1, 2, 1]), X3.shape, y3
    )
    np.testing.assert_allclose(got, want, atol=1e-3)


def test_depthwise_unequal_strides_and_dilated_native_are_computed() -> None:
    got = nn.depthwise_conv2d(X, W[..., :2], [1, 2, 1, 1], "SAME")
    full = nn.depthwise_conv2d(X, W[..., :2], [1, 1, 1, 1], "SAME")
    np.testing.assert_array_equal(got, np.asarray(full)[:, ::2])
    got = v1.depthwise_conv2d_native(X, W[..., :2], [1, 1, 1, 1], "SAME", dilations=[1, 2, 2, 1])
    np.testing.assert_array_equal(
        got, nn.depthwise_conv2d(X, W[..., :2], [1, 1, 1, 1], "SAME", dilations=[2, 2])
    )


def test_int32_where_tf_has_only_floats() -> None:
    """TF refuses int32 for 3-D and depthwise convs; here they are exact integer sums."""
    got = nn.conv3d(X3.astype(np.int32), W3.astype(np.int32), [1] * 5, "SAME")
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, nn.conv3d(X3, W3, [1] * 5, "SAME"))
    got = nn.depthwise_conv2d(X.astype(np.int32), W[..., :2].astype(np.int32), [1] * 4, "VALID")
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, nn.depthwise_conv2d(X, W[..., :2], [1] * 4, "VALID"))


def test_batch_entry_of_output_shape_may_be_none_or_minus_one() -> None:
    want = nn.conv2d_transpose(Y, G, [1, 6, 6, 2], 2)
    for batch in (None, -1):
        np.testing.assert_array_equal(nn.conv2d_transpose(Y, G, [batch, 6, 6, 2], 2), want)
    np.testing.assert_array_equal(
        nn.conv1d_transpose(X1, W1.transpose(0, 2, 1), [None, 14, 3], 2),
        nn.conv1d_transpose(X1, W1.transpose(0, 2, 1), [2, 14, 3], 2),
    )


@pytest.mark.parametrize("form", ["list", "tuple", "np", "jax", "jax64", "np2", "jax2"])
def test_output_shape_forms(form: str) -> None:
    want = nn.conv2d_transpose(Y, G, [1, 6, 5, 2], 2)
    value = {
        "list": [1, 6, 5, 2],
        "tuple": (1, 6, 5, 2),
        "np": np.array([1, 6, 5, 2], np.int32),
        "jax": jnp.array([1, 6, 5, 2], jnp.int32),
        "jax64": jnp.array([1, 6, 5, 2], jnp.int64),
        "np2": np.array([6, 5]),
        "jax2": jnp.array([6, 5]),
    }[form]
    np.testing.assert_array_equal(nn.conv2d_transpose(Y, G, value, 2), want)


def test_inputs_as_lists_and_tf_silent_cases() -> None:
    """conv2d accepts Python lists (TF raises AttributeError); TF's rate overflow computes."""
    np.testing.assert_array_equal(nn.conv2d(X.tolist(), W, 1, "SAME"), nn.conv2d(X, W, 1, "SAME"))
    x, w = np.ones((1, 1, 1, 5), F32), np.ones((1, 1, 5, 1), F32)
    np.testing.assert_array_equal(nn.atrous_conv2d(x, w, 2147483647, "SAME"), [[[[5.0]]]])
    with pytest.raises(IAE, match="TensorFlow would silently ignore them"):
        nn.convolution(X, W, padding="SAME", dilations=[2, 1, 1, 1])
    with pytest.raises(IAE, match="Nonzero explicit padding in the batch or depth"):
        nn.convolution(X, W, padding=[[0, 0], [1, 1], [1, 1], [1, 1]], dilations=2)


def test_conv3d_same_uses_the_documented_padding() -> None:
    """conv3d SAME pads ``max((o - 1) * s + k - i, 0)``, smaller half first, as conv2d does.

    TensorFlow's Eigen Conv3D kernel (oneDNN off) does not clamp the need at 0
    and shifts the window; its default oneDNN kernel and its XLA path do not.
    """
    x = np.arange(6, dtype=F32).reshape(1, 6, 1, 1, 1)
    w = np.ones((1, 1, 1, 1, 1), F32)
    # size 6, stride 3, kernel 1: rows 0 and 3 (the Eigen kernel reads rows 1 and 4).
    np.testing.assert_array_equal(np.ravel(nn.conv3d(x, w, [1, 3, 1, 1, 1], "SAME")), [0, 3])
    np.testing.assert_array_equal(
        np.ravel(nn.conv2d(x[..., 0], w[..., 0], [1, 3, 1, 1], "SAME")), [0, 3]
    )
    # Every stride/filter pair: conv3d == conv2d on the same data (the third dim of size 1).
    rng = np.random.default_rng(0)
    for i, k, s in [(5, 2, 4), (7, 3, 5), (6, 1, 3), (4, 1, 5), (9, 2, 7)]:
        x3 = rng.standard_normal((1, i, i + 1, 1, 2)).astype(F32)
        w3 = rng.standard_normal((k, k, 1, 2, 3)).astype(F32)
        got = nn.conv3d(x3, w3, [1, s, s, 1, 1], "SAME")[:, :, :, 0]
        want = nn.conv2d(x3[:, :, :, 0], w3[:, :, 0], [1, s, s, 1], "SAME")
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # The transpose is its adjoint (the gradient of conv3d is conv3d_transpose).
    y = np.ones((1, 2, 1, 1, 1), F32)
    np.testing.assert_array_equal(
        np.ravel(nn.conv3d_transpose(y, w, [1, 6, 1, 1, 1], [1, 3, 1, 1, 1], "SAME")),
        [1, 0, 0, 1, 0, 0],
    )
    grad = jax.grad(lambda v: jnp.sum(nn.conv3d(v, w, [1, 3, 1, 1, 1], "SAME")))(jnp.asarray(x))
    np.testing.assert_array_equal(np.ravel(grad), [1, 0, 0, 1, 0, 0])


# ---------------------------------------------------------------------------
# Empty outputs, dtypes, jit.


@pytest.mark.parametrize(
    ("call", "shape"),
    [
        (lambda: nn.conv2d(ramp(1, 5, 5, 2), ramp(6, 6, 2, 4), 1, "VALID"), (1, 0, 0, 4)),
        (lambda: nn.conv2d(ramp(1, 4, 4, 2), ramp(6, 6, 2, 4), 3, "VALID"), (1, 0, 0, 4)),
        (lambda: nn.conv2d(ramp(1, 0, 5, 2), W, 1, "SAME"), (1, 0, 5, 4)),
        (lambda: nn.conv2d(ramp(0, 5, 5, 2), W, 1, "SAME"), (0, 5, 5, 4)),
        (lambda: nn.conv2d(X, ramp(3, 3, 2, 0), 1, "SAME"), (1, 5, 5, 0)),
        (lambda: nn.conv1d(ramp(2, 2, 2), W1, 2, "VALID"), (2, 0, 3)),
        (lambda: nn.conv2d_transpose(ramp(1, 0, 3, 4), G, [1, 2, 5, 2], 1, "VALID"), (1, 2, 5, 2)),
        (lambda: nn.conv2d_transpose(ramp(0, 3, 3, 4), G, [0, 3, 3, 2], 1), (0, 3, 3, 2)),
    ],
)
def test_empty_outputs(call, shape) -> None:
    out = call()
    assert out.shape == shape
    assert out.dtype == np.float32
    assert not np.any(np.asarray(out))


def test_dtype_rules() -> None:
    f64 = np.float64
    assert nn.conv2d(X.astype(f64), W, 1, "SAME").dtype == f64  # NumPy: the input's dtype
    assert nn.conv2d(jnp.asarray(X), W.astype(f64), 1, "SAME").dtype == F32  # a tensor's dtype
    assert nn.conv2d_transpose(Y.astype(f64), G, [1, 3, 3, 2], 1).dtype == F32  # the filter's
    ints = nn.conv2d_transpose([[[[1], [2]], [[3], [4]]]], [[[[1]]]], [1, 2, 2, 1], 1)
    assert ints.dtype == np.int32  # Python ints become int32, as in TF
    with pytest.raises(IAE, match="cannot compute Conv2D"):
        nn.conv1d(X1, W1.astype(f64), 1, "SAME")  # conv1d converts its arguments separately
    bf16 = nn.conv2d(X.astype(jnp.bfloat16), W.astype(jnp.bfloat16), 1, "SAME")
    assert bf16.dtype == jnp.bfloat16
    np.testing.assert_allclose(np.asarray(bf16, F32), nn.conv2d(X, W, 1, "SAME"), rtol=1e-2)


def test_int32_transposed_sums_are_exact() -> None:
    x = tf.constant([[1, 2], [3, 4]], shape=[1, 2, 2, 1])
    y = nn.conv2d_transpose(x, tf.ones([3, 3, 1, 1], tf.int32), [1, 4, 4, 1], 1, "VALID")
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y[0, :2, :, 0], [[1, 3, 3, 2], [4, 10, 10, 6]])


JIT_CALLS = [  # (call, input shape, filter shape); every function, traced by jax.jit
    (lambda x, w: nn.conv1d(x, w, 2, "SAME"), (2, 7, 2), (3, 2, 3)),
    (lambda x, w: nn.conv2d(x, w, [1, 2, 2, 1], "VALID", dilations=1), (1, 5, 5, 2), (3, 3, 2, 4)),
    (lambda x, w: nn.conv3d(x, w, [1, 2, 1, 1, 1], "SAME"), (1, 4, 4, 4, 2), (2, 2, 2, 2, 3)),
    (lambda x, w: nn.convolution(x, w, padding="SAME", dilations=2), (1, 5, 5, 2), (3, 3, 2, 4)),
    (lambda x, w: nn.atrous_conv2d(x, w, 2, "VALID"), (1, 5, 5, 2), (3, 3, 2, 4)),
    (lambda x, w: nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"), (1, 5, 5, 2), (3, 3, 2, 2)),
    (lambda x, w: nn.conv1d_transpose(x, w, [2, 14, 2], 2), (2, 7, 3), (3, 2, 3)),
    (lambda x, w: nn.conv2d_transpose(x, w, [1, 10, 10, 2], 2), (1, 5, 5, 4), (3, 3, 2, 4)),
    (
        lambda x, w: nn.conv3d_transpose(x, w, [1, 8, 4, 4, 2], [1, 2, 1, 1, 1]),
        (1, 4, 4, 4, 3),
        (2, 2, 2, 2, 3),
    ),
    (lambda x, w: nn.conv_transpose(x, w, (1, 7, 7, 2), 1, "VALID"), (1, 5, 5, 4), (3, 3, 2, 4)),
    (
        lambda x, w: nn.atrous_conv2d_transpose(x, w, [1, 5, 5, 2], 2, "SAME"),
        (1, 5, 5, 4),
        (3, 3, 2, 4),
    ),
    (
        lambda x, w: v1.conv2d_backprop_input([1, 5, 5, 2], w, x, [1, 1, 1, 1], "SAME"),
        (1, 5, 5, 4),
        (3, 3, 2, 4),
    ),
    (lambda x, w: nn.conv2d(x, w, 1, "VALID"), (1, 5, 5, 2), (6, 6, 2, 4)),  # empty result
    (lambda x, w: nn.conv2d_transpose(x, w, [1, 2, 5, 2], 1, "VALID"), (1, 0, 3, 4), (3, 3, 2, 4)),
]


@pytest.mark.parametrize(("call", "x_shape", "w_shape"), JIT_CALLS)
def test_jit(call, x_shape, w_shape) -> None:
    x, w = ramp(*x_shape), ramp(*w_shape)
    np.testing.assert_allclose(jax.jit(call)(x, w), call(x, w), atol=1e-5)


def test_jit_shape_from_input_and_grad() -> None:
    """TF's ShapeInference test: output_shape built from the input's static shape."""

    @jax.jit
    def up(x):
        return nn.conv2d_transpose(x, jnp.ones((3, 3, 5, 1)), [x.shape[0], 10, 5, 5], 1)

    assert up(jnp.ones((3, 10, 5, 1))).shape == (3, 10, 5, 5)
    grad = jax.grad(lambda x: jnp.sum(nn.conv2d(x, W, 2, "SAME") ** 2))(jnp.asarray(X))
    assert grad.shape == X.shape


# ---------------------------------------------------------------------------
# Constructors and namespaces.


def test_constructors() -> None:
    assert tf.constant(1.0, shape=[1, 4, 4, 3]).dtype == np.float32
    assert tf.constant(1.0, shape=[1, 4, 4, 3]).shape == (1, 4, 4, 3)
    assert tf.constant([1, 2]).dtype == np.int32
    assert tf.constant(3000000000).dtype == np.int64
    assert tf.constant(np.ones(2)).dtype == np.float64
    assert tf.constant([1, 2, 3, 4], shape=[2, 2], dtype=tf.float32).tolist() == [[1, 2], [3, 4]]
    assert tf.constant(np.array([1.5, 2]), dtype=tf.int32).tolist() == [1, 2]
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.constant([1.5, 2], dtype=tf.int32)
    assert tf.ones(3, dtype=tf.int32).tolist() == [1, 1, 1]
    assert tf.zeros((2,), tf.float64).dtype == np.float64
    assert tf.ones([2], tf.bfloat16).dtype == jnp.bfloat16
    assert tf.zeros([1], tf.float16).dtype == np.float16


NN = [
    "atrous_conv2d",
    "atrous_conv2d_transpose",
    "conv1d",
    "conv1d_transpose",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "conv_transpose",
    "convolution",
    "depthwise_conv2d",
]
V1 = [*NN, "conv2d_backprop_input", "depthwise_conv2d_native"]


def test_namespaces() -> None:
    assert sorted(tf.nn.__all__) == sorted(NN)
    for name in NN:
        assert callable(getattr(tf.nn, name))
    for name in V1:
        assert callable(getattr(tf.compat.v1.nn, name))
    for name in ("atrous_conv2d", "conv1d_transpose", "conv_transpose", "atrous_conv2d_transpose"):
        assert getattr(tf.compat.v1.nn, name) is getattr(tf.nn, name)


def test_v1_aliases() -> None:
    want = nn.conv2d_transpose(Y, G, [1, 6, 6, 2], 2)
    np.testing.assert_array_equal(
        v1.conv2d_transpose(value=Y, filter=G, output_shape=[1, 6, 6, 2], strides=[1, 2, 2, 1]),
        want,
    )
    np.testing.assert_array_equal(
        v1.conv2d_transpose(input=Y, filters=G, output_shape=[1, 6, 6, 2], strides=2), want
    )
    np.testing.assert_array_equal(
        v1.conv1d(input=X1, filters=W1, stride=1, padding="SAME"), nn.conv1d(X1, W1, 1, "SAME")
    )
    with pytest.raises(IAE, match=re.escape("Cannot specify both 'value' and 'input'.")):
        v1.conv1d(X1, W1, 1, "SAME", input=X1)
    with pytest.raises(TypeError, match="missing 1 required positional argument"):
        v1.convolution(X, filters=W, padding="SAME")  # pylint: disable=missing-kwoa
