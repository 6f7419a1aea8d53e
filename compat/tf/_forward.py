"""Forward convolution kernels (``Conv2D``, ``Conv3D``, ``DepthwiseConv2dNative``).

Each function validates its arguments as the TensorFlow kernel does, works out
TensorFlow's output shape (which may be empty, §3.1), and makes one
``jconv.conv`` call for the values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax

import jconv
from compat.tf import _dtypes
from compat.tf._checks import Attrs, check_attrs
from compat.tf._sizes import negative_size_error, output_size
from compat.tf.errors import InvalidArgumentError


def with_batch_dims(x: jax.Array, inner_rank: int, op: Callable[[jax.Array], jax.Array]):
    """Applies ``op`` to ``x`` with all dims before the last ``inner_rank`` flattened into one."""
    if x.ndim <= inner_rank + 1:
        return op(x)
    lead = x.shape[:-inner_rank]
    out = op(x.reshape((math.prod(lead), *x.shape[-inner_rank:])))
    return out.reshape((*lead, *out.shape[1:]))


def _ranks(op: str, x: jax.Array, f: jax.Array, n: int, filter_name: str = "filters") -> None:
    if x.ndim != n + 2:
        raise InvalidArgumentError(
            f"{op}: input must be {n + 2}-dimensional: {list(x.shape)}. Give the input as "
            f"(batch, {n} spatial dims, channels) (or channels-first); "
            f"{_dtypes.received('input', x)}."
        )
    if f.ndim != n + 2:
        raise InvalidArgumentError(
            f"{op}: filter must be {n + 2}-dimensional: {list(f.shape)}. The filter is "
            f"({n} window sizes, in_channels, out_channels); "
            f"{_dtypes.received(filter_name, f)}."
        )


def _out_sizes(x: jax.Array, window: tuple[int, ...], a: Attrs) -> list[int]:
    """TensorFlow's output size per spatial dim; raises where it would be negative."""
    sizes = []
    for dim, ax in enumerate(a.spatial_axes()):
        i, k, s, d = x.shape[ax], window[dim], a.strides[dim], a.dilations[dim]
        o = output_size(i, k, s, d, a.dim_padding(dim))
        if o < 0:
            negative_size_error(o, i, k, s, d, a.pads[dim])
        sizes.append(o)
    return sizes


def _layout(a: Attrs, batch: int, sizes: list[int], channels: int) -> tuple[int, ...]:
    if a.channels_first:
        return (batch, channels, *sizes)
    return (batch, *sizes, channels)


def conv(
    op: str,
    x: jax.Array,
    f: jax.Array,
    strides: Any,
    padding: Any,
    explicit: Any,
    data_format: Any,
    dilations: Any,
    *,
    n: int,
) -> jax.Array:
    """TensorFlow's ``Conv2D`` (``n=2``) or ``Conv3D`` (``n=3``) on converted arrays.

    Unlike TensorFlow's CPU kernels this also computes channels-first
    layouts, dilated and grouped 3-D convolutions (as TensorFlow's GPU/XLA
    kernels do).
    """
    _dtypes.check_op_dtypes(op, (x, f))
    a = check_attrs(
        op,
        n,
        strides,
        padding,
        explicit,
        data_format,
        dilations,
        paddings_allowed=("SAME", "VALID", "EXPLICIT") if n == 2 else ("SAME", "VALID"),
        unimplemented=n == 2,
    )
    _ranks(op, x, f, n)
    window, f_in, f_out = f.shape[:-2], f.shape[-2], f.shape[-1]
    c_in = x.shape[a.channel_axis]
    if any(k == 0 for k in window):
        raise InvalidArgumentError(
            f"{op}: filter must not have zero elements (i.e. all dimensions must be non-zero). "
            f"Received: filter shape {list(f.shape)}; every window size must be >= 1."
        )
    if f_in == 0:
        raise InvalidArgumentError(
            f"{op}: filter depth must be strictly positive, got 0. The filter's second-last "
            f"dimension is the number of input channels ({c_in} here)."
        )
    if c_in % f_in:
        raise InvalidArgumentError(
            f"{op}: input depth must be evenly divisible by filter depth: {c_in} vs {f_in}. "
            f"The filter's second-last dimension must be the input's channel count ({c_in}) "
            f"or, for a grouped convolution, a divisor of it. The input's channels are its "
            f"axis {a.channel_axis} for data_format={data_format!r}; received input of shape "
            f"{list(x.shape)}."
        )
    groups = c_in // f_in
    if groups and f_out % groups:
        raise InvalidArgumentError(
            f"{op}: output depth must be evenly divisible by number of groups: {f_out} vs "
            f"{groups}. With {c_in} input channels and filter depth {f_in} there are {groups} "
            f"groups, so the filter's last dimension must be a multiple of {groups}."
        )
    sizes = _out_sizes(x, window, a)
    shape = _layout(a, x.shape[0], sizes, f_out)
    if 0 in shape or c_in == 0:  # empty, or no input channels: all zeros, as in TF
        return _dtypes.zeros(op, shape, x.dtype, "padding", a.jconv_padding())
    return jconv.conv(
        x,
        f,
        a.strides,
        a.jconv_padding(),
        dilation=a.dilations,
        groups=groups,
        data_format=a.data_format(),
    )


def depthwise(
    x: jax.Array,
    f: jax.Array,
    strides: Any,
    padding: Any,
    explicit: Any,
    data_format: Any,
    dilations: Any,
) -> jax.Array:
    """TensorFlow's ``DepthwiseConv2dNative`` (output channel ``c * multiplier + m``).

    Computes ``NCHW``, unequal row/column strides and dilation, which
    TensorFlow's CPU kernel refuses.
    """
    op = "DepthwiseConv2dNative"
    _dtypes.check_op_dtypes(op, (x, f))
    a = check_attrs(op, 2, strides, padding, explicit, data_format, dilations, unimplemented=False)
    _ranks(op, x, f, 2, "filter")
    c_in = x.shape[a.channel_axis]
    if c_in != f.shape[2]:
        raise InvalidArgumentError(
            f"{op}: input and filter must have the same depth: {c_in} vs {f.shape[2]}. The "
            f"depthwise filter is (height, width, in_channels, channel_multiplier). The "
            f"input's channels are its axis {a.channel_axis} for data_format={data_format!r}; "
            f"received input of shape {list(x.shape)}."
        )
    if any(k == 0 for k in f.shape[:2]):
        raise InvalidArgumentError(
            f"{op}: filter must not have zero elements. Received: filter shape {list(f.shape)}."
        )
    sizes = _out_sizes(x, f.shape[:2], a)
    shape = _layout(a, x.shape[0], sizes, c_in * f.shape[3])
    if 0 in shape:
        return _dtypes.zeros(op, shape, x.dtype, "padding", a.jconv_padding())
    kernel = f.reshape((*f.shape[:2], 1, c_in * f.shape[3]))
    return jconv.conv(
        x,
        kernel,
        a.strides,
        a.jconv_padding(),
        dilation=a.dilations,
        groups=c_in,
        data_format=a.data_format(),
    )
