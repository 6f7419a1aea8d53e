"""``tf.compat.v1.nn``: the TF1 signatures, with their argument names and aliases.

TF1 code calls ``conv2d(input, filter, ...)``, ``conv2d_transpose(value,
filter, output_shape, ...)``, ``conv1d(value, filters, stride, ...)``, and
may use the newer names (``input``, ``filters``, ``dilations``) instead;
giving both names of one argument is an error, as in TensorFlow.
Functions whose signature did not change are the TF2 ones.
"""

from __future__ import annotations

from typing import Any

import jax

from compat.tf import _backprop, _dtypes
from compat.tf._args import convert_padding, list_attr, lookup, naming, output_shape_list
from compat.tf._conv import _conv1d, _conv2d, _conv3d, _convolution, atrous_conv2d
from compat.tf._conv_transpose import (
    atrous_conv2d_transpose,
    conv1d_transpose,
    conv_transpose,
)
from compat.tf._conv_transpose import (
    conv2d_transpose as _conv2d_transpose_v2,
)
from compat.tf._conv_transpose import (
    conv3d_transpose as _conv3d_transpose_v2,
)
from compat.tf._depthwise import _depthwise, _native

__all__ = [
    "atrous_conv2d",
    "atrous_conv2d_transpose",
    "conv1d",
    "conv1d_transpose",
    "conv2d",
    "conv2d_backprop_input",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "conv_transpose",
    "convolution",
    "depthwise_conv2d",
    "depthwise_conv2d_native",
]


def conv1d(
    value: Any = None,
    filters: Any = None,
    stride: Any = None,
    padding: Any = None,
    use_cudnn_on_gpu: Any = None,
    data_format: str | None = None,
    name: str | None = None,
    input: Any = None,
    dilations: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.conv1d``: as ``tf.nn.conv1d``; ``input`` aliases ``value``.

    ``use_cudnn_on_gpu`` and ``name`` are accepted and have no effect.
    """
    del use_cudnn_on_gpu, name
    passed = input is None
    value = lookup("input", input, "value", value)
    with naming("value", "input", passed):
        return _conv1d(value, filters, stride, padding, data_format, dilations)


def conv2d(
    input: Any,
    filter: Any = None,
    strides: Any = None,
    padding: Any = None,
    use_cudnn_on_gpu: bool = True,
    data_format: str | None = "NHWC",
    dilations: Any = (1, 1, 1, 1),
    name: str | None = None,
    filters: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.conv2d``: as ``tf.nn.conv2d``; ``filters`` aliases ``filter``.

    >>> from compat import tf
    >>> tf.compat.v1.nn.conv2d(tf.ones([1, 4, 4, 3]), filter=tf.ones([3, 3, 3, 1]),
    ...                        strides=[1, 2, 2, 1], padding="SAME").shape
    (1, 2, 2, 1)
    """
    del use_cudnn_on_gpu, name
    filter = lookup("filters", filters, "filter", filter)
    return _conv2d(input, filter, strides, padding, data_format, dilations)


def conv3d(
    input: Any,
    filter: Any = None,
    strides: Any = None,
    padding: Any = None,
    data_format: str | None = "NDHWC",
    dilations: Any = (1, 1, 1, 1, 1),
    name: str | None = None,
    filters: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.conv3d``: as ``tf.nn.conv3d`` (input of rank 5 only)."""
    del name
    filter = lookup("filters", filters, "filter", filter)
    return _conv3d(input, filter, strides, padding, data_format, dilations, batch_dims=False)


def convolution(
    input: Any,
    filter: Any,
    padding: Any,
    strides: Any = None,
    dilation_rate: Any = None,
    name: str | None = None,
    data_format: str | None = None,
    filters: Any = None,
    dilations: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.convolution``: ``padding`` is positional; ``dilation_rate``."""
    del name
    filter = lookup("filters", filters, "filter", filter)
    dname = "dilations" if dilations is not None else "dilation_rate"
    dilation_rate = lookup("dilations", dilations, "dilation_rate", dilation_rate)
    return _convolution(input, filter, strides, padding, data_format, dilation_rate, dname=dname)


def conv2d_transpose(
    value: Any = None,
    filter: Any = None,
    output_shape: Any = None,
    strides: Any = None,
    padding: Any = "SAME",
    data_format: str | None = "NHWC",
    name: str | None = None,
    input: Any = None,
    filters: Any = None,
    dilations: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.conv2d_transpose``: every argument optional, v1 names.

    >>> from compat import tf
    >>> x = tf.constant([4.5, 5.4, 8.1, 9.0], shape=[1, 2, 2, 1], dtype=tf.float32)
    >>> tf.compat.v1.nn.conv2d_transpose(x, tf.ones([3, 3, 1, 1]), output_shape=[1, 6, 6, 1],
    ...                                  strides=[1, 2, 2, 1], padding="VALID").shape
    (1, 6, 6, 1)
    """
    del name
    passed = input is None
    value = lookup("input", input, "value", value)
    filter = lookup("filters", filters, "filter", filter)
    with naming("value", "input or out_backprop", passed):
        return _conv2d_transpose_v2(
            value,
            filter,
            output_shape,
            strides,
            padding=padding,
            data_format=data_format,
            dilations=dilations,
        )


def conv3d_transpose(
    value: Any,
    filter: Any = None,
    output_shape: Any = None,
    strides: Any = None,
    padding: Any = "SAME",
    data_format: str | None = "NDHWC",
    name: str | None = None,
    input: Any = None,
    filters: Any = None,
    dilations: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.conv3d_transpose``: ``value`` is positional, v1 names."""
    del name
    filter = lookup("filters", filters, "filter", filter)
    passed = input is None
    value = lookup("input", input, "value", value)
    with naming("value", "input or out_backprop", passed):
        return _conv3d_transpose_v2(
            value,
            filter,
            output_shape,
            strides,
            padding=padding,
            data_format=data_format,
            dilations=dilations,
        )


def depthwise_conv2d(
    input: Any,
    filter: Any,
    strides: Any,
    padding: Any,
    rate: Any = None,
    name: str | None = None,
    data_format: str | None = None,
    dilations: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.depthwise_conv2d``: ``rate`` (alias ``dilations``) is 2 ints."""
    del name
    rate = lookup("dilations", dilations, "rate", rate)
    return _depthwise(input, filter, strides, padding, rate, data_format)


def depthwise_conv2d_native(
    input: Any,
    filter: Any,
    strides: Any,
    padding: Any,
    data_format: str | None = "NHWC",
    dilations: Any = (1, 1, 1, 1),
    name: str | None = None,
) -> jax.Array:
    """``tf.compat.v1.nn.depthwise_conv2d_native``: strides and dilations as lists of 4."""
    del name
    return _native(input, filter, strides, padding, data_format, dilations)


def conv2d_backprop_input(
    input_sizes: Any,
    filter: Any = None,
    out_backprop: Any = None,
    strides: Any = None,
    padding: Any = None,
    use_cudnn_on_gpu: bool = True,
    data_format: str | None = "NHWC",
    dilations: Any = (1, 1, 1, 1),
    name: str | None = None,
    filters: Any = None,
) -> jax.Array:
    """``tf.compat.v1.nn.conv2d_backprop_input``: ``conv2d_transpose`` by its op's name."""
    del use_cudnn_on_gpu, name
    filter = lookup("filters", filters, "filter", filter)
    padding, explicit = convert_padding(padding)
    strides = list_attr("Conv2DBackpropInput", "strides", strides)
    dilations = list_attr("Conv2DBackpropInput", "dilations", dilations)
    sizes = output_shape_list(input_sizes, numpy_floats=True)
    f, x = _dtypes.convert_together((filter, out_backprop), ("filter", "out_backprop"))
    return _backprop.backprop_input(
        2, sizes, f, x, strides, padding, explicit, data_format, dilations
    )
