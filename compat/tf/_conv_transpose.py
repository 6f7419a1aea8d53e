"""``tf.nn.conv_transpose`` and its 1-D, 2-D, 3-D and atrous forms.

Each function does what TensorFlow's Python wrapper does to its arguments
and hands them to the kernel model in ``_backprop``. ``output_shape`` may be
a list, tuple, NumPy array or concrete JAX array, in data_format order; its
batch entry may be ``None`` or ``-1`` (taken from ``input``).
"""

from __future__ import annotations

import math
from collections.abc import Sized
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from compat.tf import _backprop, _dtypes
from compat.tf._args import (
    check_int32,
    convert_padding,
    get_sequence,
    naming,
    output_shape_list,
    show,
)
from compat.tf.errors import InvalidArgumentError


def _channel_index(data_format: Any, last: int) -> int:
    if not isinstance(data_format, str):
        raise TypeError(f"Expected string for argument 'data_format' not {data_format!r}.")
    return 1 if data_format.startswith("NC") else last


def conv1d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str | None = "NWC",
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.conv1d_transpose``: the transpose (gradient) of ``conv1d``.

    Args:
      input: ``(N, W, C_in)`` (``"NWC"``) or ``(N, C_in, W)`` (``"NCW"``).
      filters: ``(k, C_out, C_in)`` (out before in, as in TensorFlow).
      output_shape: 3 entries ``(N, W_out, C_out)`` in data_format order.
      strides: an int or a list of length 1 or 3.
      padding: ``"SAME"`` (default) or ``"VALID"`` (the forward conv's padding).
      data_format: ``"NWC"`` or ``"NCW"``.
      dilations: an int or a list of length 1 or 3 (computed on every device).
      name: accepted for compatibility; unused.

    Returns:
      ``output_shape``-shaped array with ``input``'s dtype.

    Raises:
      InvalidArgumentError: wherever TensorFlow raises; for a wrong
        ``output_shape`` the message lists the sizes that work.

    Examples:
      >>> from compat import tf
      >>> tf.nn.conv1d_transpose(tf.ones([1, 2, 1]), tf.ones([3, 1, 1]), [1, 5, 1], 2, "VALID")[0, :, 0]
      Array([1., 1., 2., 1., 1.], dtype=float32)
    """
    del name
    if data_format is None or data_format == "NWC":
        fmt, axis, channel_index = "NHWC", 1, 2
    elif data_format == "NCW":
        fmt, axis, channel_index = "NCHW", 2, 1
    else:
        raise InvalidArgumentError(
            f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}"
        )
    strides = [1, *get_sequence(strides, 1, channel_index, "stride")]
    dilations = [1, *get_sequence(dilations, 1, channel_index, "dilations")]
    x, f = (
        _dtypes.convert(input, name="input", operand=True),
        _dtypes.convert(filters, name="filters", operand=True),
    )
    if x.ndim < axis:
        raise InvalidArgumentError(
            f"conv1d_transpose: input must be 3-dimensional (batch, width, channels); received "
            f"shape {list(x.shape)}."
        )
    x, f = jnp.expand_dims(x, axis), jnp.expand_dims(f, 0)
    sizes = output_shape_list(output_shape)
    sizes = [*sizes[:axis], 1, *sizes[axis:]]
    out = _backprop.backprop_input(2, sizes, f, x, strides, padding, [], fmt, dilations, dummy=axis)
    return jnp.squeeze(out, axis)


def conv2d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str | None = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.conv2d_transpose``: the transpose (gradient) of ``conv2d``.

    Args:
      input: ``(N, H, W, C_in)`` (``"NHWC"``) or ``(N, C_in, H, W)`` (``"NCHW"``).
      filters: ``(kH, kW, C_out, C_in)`` (out before in, as in TensorFlow).
      output_shape: ``(N, H_out, W_out, C_out)`` in data_format order, or just
        ``(H_out, W_out)``. Sizes that the forward ``conv2d`` maps back to the
        input size are accepted (with stride ``s``, ``s`` of them per dimension).
      strides: an int or a list of length 1, 2 or 4.
      padding: ``"SAME"`` (default), ``"VALID"`` or explicit pairs for all 4
        dims (the forward conv's padding).
      data_format: ``"NHWC"`` or ``"NCHW"`` (computed on every device).
      dilations: an int or a list of length 1, 2 or 4 (computed on every device).
      name: accepted for compatibility; unused.

    Returns:
      ``output_shape``-shaped array with ``input``'s dtype (the filter's, for
      NumPy arguments, as in TensorFlow).

    Raises:
      InvalidArgumentError: wherever TensorFlow raises; for a wrong
        ``output_shape`` the message lists the sizes that work.

    Examples:
      >>> from compat import tf
      >>> x = tf.constant([4.5, 5.4, 8.1, 9.0], shape=[1, 2, 2, 1], dtype=tf.float32)
      >>> y = tf.nn.conv2d_transpose(x, tf.ones([3, 3, 1, 1]), [1, 4, 4, 1], [1, 1, 1, 1], "VALID")
      >>> y[0, ..., 0]
      Array([[ 4.5,  9.9,  9.9,  5.4],
             [12.6, 27. , 27. , 14.4],
             [12.6, 27. , 27. , 14.4],
             [ 8.1, 17.1, 17.1,  9. ]], dtype=float32)
    """
    del name
    if data_format is None:
        data_format = "NHWC"
    channel_index = _channel_index(data_format, 3)
    strides = get_sequence(strides, 2, channel_index, "strides")
    dilations = get_sequence(dilations, 2, channel_index, "dilations")
    padding, explicit = convert_padding(padding)
    sizes = output_shape_list(output_shape, numpy_floats=True)
    f, x = _dtypes.convert_together((filters, input), ("filters", "input"))
    return _backprop.backprop_input(
        2, sizes, f, x, strides, padding, explicit, data_format, dilations
    )


def conv3d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str | None = "NDHWC",
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.conv3d_transpose``: the transpose (gradient) of ``conv3d``.

    Args:
      input: ``(N, D, H, W, C_in)`` (``"NDHWC"``) or ``(N, C_in, D, H, W)``.
      filters: ``(kD, kH, kW, C_out, C_in)``.
      output_shape: 5 entries in data_format order.
      strides: an int or a list of length 1, 3 or 5.
      padding: ``"SAME"`` (default) or ``"VALID"``.
      data_format: ``"NDHWC"`` or ``"NCDHW"`` (computed on every device).
      dilations: an int or a list of length 1, 3 or 5 (computed on every device).
      name: accepted for compatibility; unused.

    Returns:
      ``output_shape``-shaped array.

    Raises:
      InvalidArgumentError: wherever TensorFlow raises; for a wrong
        ``output_shape`` the message lists the sizes that work.
    """
    del name
    if data_format is None:
        data_format = "NDHWC"
    channel_index = _channel_index(data_format, 4)
    strides = get_sequence(strides, 3, channel_index, "strides")
    dilations = get_sequence(dilations, 3, channel_index, "dilations")
    sizes = output_shape_list(output_shape, numpy_floats=True, bits=64)
    f, x = _dtypes.convert_together((filters, input), ("filters", "input"))
    return _backprop.backprop_input(3, sizes, f, x, strides, padding, [], data_format, dilations)


def conv_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.conv_transpose``: N-d transposed conv, N = ``len(output_shape) - 2``.

    Dispatches to :func:`conv1d_transpose`, :func:`conv2d_transpose` or
    :func:`conv3d_transpose` with the same arguments.

    Raises:
      InvalidArgumentError: ``output_shape`` is not of length 3, 4 or 5, or
        wherever the function it dispatches to raises.
    """
    del name
    if hasattr(output_shape, "shape") and not isinstance(output_shape, (list, tuple)):
        shape = np.shape(output_shape)
        n = shape[0] - 2 if len(shape) == 1 else -1
    elif isinstance(output_shape, Sized):
        n = len(output_shape) - 2
    else:
        raise InvalidArgumentError(
            f"`output_shape` must be a tensor or sized collection. Received: output_shape="
            f"{show(output_shape)}. Pass the full output shape, e.g. [1, 8, 8, 3]."
        )
    if not 1 <= n <= 3:
        raise InvalidArgumentError(
            f"`output_shape` must be of length 3, 4 or 5. Received: output_shape="
            f"{show(output_shape)} of length {n + 2}. Include the batch and channel entries."
        )
    f_rank = np.ndim(filters) if isinstance(filters, (np.ndarray, jax.Array)) else None
    if f_rank is not None and f_rank != n + 2:
        # TensorFlow picks the op from len(output_shape) and then says only "filter must be
        # N-dimensional"; both arguments are named here.
        raise InvalidArgumentError(
            f"conv_transpose: `output_shape` of length {n + 2} means {n} spatial dimensions, "
            f"so `filters` must be {n + 2}-dimensional; received output_shape="
            f"{show(output_shape)} and filters of shape {list(np.shape(filters))}."
        )
    op = (conv1d_transpose, conv2d_transpose, conv3d_transpose)[n - 1]
    return op(
        input,
        filters,
        output_shape,
        strides,
        padding=padding,
        data_format=data_format,
        dilations=dilations,
    )


def atrous_conv2d_transpose(
    value: Any, filters: Any, output_shape: Any, rate: Any, padding: Any, name: str | None = None
) -> jax.Array:
    """``tf.nn.atrous_conv2d_transpose``: transpose of ``atrous_conv2d`` (NHWC, stride 1).

    With ``rate`` > 1 exactly one output size works per dimension: the input
    size for ``"SAME"``, input size + ``(k - 1) * rate`` for ``"VALID"``.

    Args:
      value: ``(N, H, W, C_in)``.
      filters: ``(kH, kW, C_out, C_in)``.
      output_shape: 4 entries ``(N, H_out, W_out, C_out)``.
      rate: a positive int (the dilation).
      padding: ``"SAME"`` or ``"VALID"``.
      name: accepted for compatibility; unused.

    Returns:
      ``output_shape``-shaped array.

    Raises:
      InvalidArgumentError: wherever TensorFlow raises.
    """
    del name
    with naming("value", "input or out_backprop"):
        return _atrous_transpose(value, filters, output_shape, rate, padding)


def _atrous_transpose(
    value: Any, filters: Any, output_shape: Any, rate: Any, padding: Any
) -> jax.Array:
    x, f = (
        _dtypes.convert(value, name="value", operand=True),
        _dtypes.convert(filters, name="filters", operand=True),
    )
    if x.ndim != 4 or f.ndim != 4:
        raise InvalidArgumentError(
            f"atrous_conv2d_transpose: `value` and `filters` must be 4-dimensional; received "
            f"value.shape={tuple(x.shape)} and filters.shape={tuple(f.shape)}."
        )
    if x.shape[3] != f.shape[3]:
        raise InvalidArgumentError(
            f"`value` channel count must be compatible with `filters` input channel count. "
            f"Received: value.shape={tuple(x.shape)} with channel count {x.shape[3]} and "
            f"filters.shape={tuple(f.shape)} with input channel count {f.shape[3]}."
        )
    if x.dtype != f.dtype:
        raise InvalidArgumentError(
            f"atrous_conv2d_transpose: `value` and `filters` must share a dtype; received value "
            f"of dtype {_dtypes.tf_name(x.dtype)} and filters of dtype "
            f"{_dtypes.tf_name(f.dtype)}."
        )
    r = _rate(rate)
    if r == 1:
        return conv2d_transpose(x, f, output_shape, [1, 1, 1, 1], padding, "NHWC")
    sizes = output_shape_list(output_shape)
    if len(sizes) != 4:
        raise InvalidArgumentError(
            f"`output_shape` must have shape (4,). Received: output_shape=({len(sizes)},). "
            f"Pass [batch, height, width, channels]."
        )
    if sizes[3] != f.shape[2]:
        raise InvalidArgumentError(
            f"`output_shape` channel count must be compatible with `filters` output channel "
            f"count. Received: output_shape={show(sizes)} with channel count {sizes[3]} and "
            f"filters.shape={tuple(f.shape)} with output channel count {f.shape[2]}."
        )
    if not isinstance(padding, str) or padding not in ("SAME", "VALID"):
        raise InvalidArgumentError(
            f"`padding` must be either 'VALID' or 'SAME'. Received: padding={padding}"
        )
    return _backprop.backprop_input(2, sizes, f, x, [1, 1, 1, 1], padding, [], "NHWC", [1, r, r, 1])


def _rate(rate: Any) -> int:
    """``atrous_conv2d_transpose``'s ``rate``: one number >= 1; above 1 it must be an int.

    TensorFlow compares ``rate`` with 1 and, above 1, computes integer paddings
    from it: a float rate of 1 works, a float rate above 1 is refused (its
    SpaceToBatchND paddings would be floats), and a bool counts as 0 or 1.
    """
    if isinstance(rate, np.ndarray) and rate.ndim == 0 and rate.dtype.kind in "biuf":
        rate = rate[()]  # TensorFlow compares a 0-d array with 1 as it does a number
    if isinstance(rate, (bool, np.bool_)):
        rate = int(rate)
    if isinstance(rate, (float, np.floating)) and not math.isfinite(rate):
        raise InvalidArgumentError(
            f"atrous_conv2d_transpose: `rate` must be a finite int >= 1; received rate={rate!r}."
        )
    if not isinstance(rate, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"'<' not supported between instances of '{type(rate).__name__}' and 'int': "
            f"atrous_conv2d_transpose takes one int `rate`; received rate={show(rate)}."
        )
    if rate < 1:
        raise InvalidArgumentError(f"`rate` cannot be less than one. Received: rate={rate}")
    if rate == 1:
        return 1
    if isinstance(rate, (float, np.floating)):
        raise InvalidArgumentError(
            f"Value for attr 'Tpaddings' of float is not in the list of allowed values: int32, "
            f"int64. atrous_conv2d_transpose computes integer paddings from a `rate` above 1, "
            f"so it must be an int; received rate={rate!r}."
        )
    check_int32("atrous_conv2d_transpose", "rate", [int(rate)])
    return int(rate)
