"""``tf.nn.conv1d``, ``conv2d``, ``conv3d``, ``convolution``, ``atrous_conv2d``.

Each function does what TensorFlow's Python wrapper does to its arguments
(``tensorflow/python/ops/nn_ops.py``) and hands them to the kernel model in ``_forward``.
The ``_``-prefixed helpers take the arguments by position and are shared
with the v1 signatures in ``_v1``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from compat.tf import _dtypes, _forward
from compat.tf._args import (
    attr_ints,
    check_int32,
    convert_padding,
    get_sequence,
    list_attr,
    show,
)
from compat.tf.errors import InvalidArgumentError

# Channels-last spellings that tf.nn.convolution recognises (any other is channels-first).
_CHANNELS_LAST = {
    "NWC",
    "NHC",
    "NHWC",
    "NWHC",
    "NDHWC",
    "NDWHC",
    "NHDWC",
    "NHWDC",
    "NWDHC",
    "NWHDC",
}
_DILATED_FORMATS = {
    1: (None, "NWC", "NCW", "NHWC", "NCHW"),
    2: (None, "NHWC", "NCHW"),
    3: (None, "NDHWC", "NCDHW"),
}


def _channels_first(data_format: Any) -> bool:
    if not isinstance(data_format, str):
        raise TypeError(f"Expected string for argument 'data_format' not {data_format!r}.")
    return data_format.startswith("NC")


def _conv1d(
    value: Any, filters: Any, stride: Any, padding: Any, data_format: Any, dilations: Any
) -> jax.Array:
    if data_format is None or data_format in ("NWC", "NHWC"):
        fmt, axis, channel_index = "NHWC", -3, 2
    elif data_format in ("NCW", "NCHW"):
        fmt, axis, channel_index = "NCHW", -2, 1
    else:
        raise InvalidArgumentError(
            f"`data_format` must be 'NWC' or 'NCW'. Received: data_format={data_format}"
        )
    strides = [1, *get_sequence(stride, 1, channel_index, "stride")]
    dilations = [1, *get_sequence(dilations, 1, channel_index, "dilations")]
    x, f = (
        _dtypes.convert(value, name="input", operand=True),
        _dtypes.convert(filters, name="filters", operand=True),
    )
    if x.ndim < 2:
        raise InvalidArgumentError(
            f"conv1d: input must be at least 3-dimensional (batch, width, channels); received "
            f"shape {list(x.shape)}."
        )
    x, f = jnp.expand_dims(x, axis), jnp.expand_dims(f, 0)
    out = _forward.with_batch_dims(
        x, 3, lambda v: _forward.conv("Conv2D", v, f, strides, padding, [], fmt, dilations, n=2)
    )
    return jnp.squeeze(out, axis)


def _conv2d(
    input: Any, filters: Any, strides: Any, padding: Any, data_format: Any, dilations: Any
) -> jax.Array:
    padding, explicit = convert_padding(padding)
    if data_format is None:
        data_format = "NHWC"
    channel_index = 1 if _channels_first(data_format) else 3
    strides = get_sequence(strides, 2, channel_index, "strides")
    dilations = get_sequence(dilations, 2, channel_index, "dilations")
    x, f = _dtypes.convert_together((input, filters), ("input", "filters"))
    return _forward.with_batch_dims(
        x,
        3,
        lambda v: _forward.conv(
            "Conv2D", v, f, strides, padding, explicit, data_format, dilations, n=2
        ),
    )


def _conv3d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: Any,
    dilations: Any,
    *,
    batch_dims: bool = True,
) -> jax.Array:
    strides = list_attr("conv3d", "strides", strides, minimum=5)
    dilations = list_attr("conv3d", "dilations", dilations)
    x, f = _dtypes.convert_together((input, filters), ("input", "filters"))

    def op(v: jax.Array) -> jax.Array:
        return _forward.conv("Conv3D", v, f, strides, padding, [], data_format, dilations, n=3)

    return _forward.with_batch_dims(x, 4, op) if batch_dims else op(x)


def _convolution(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: Any,
    dilations: Any,
    *,
    dname: str = "dilations",
) -> jax.Array:
    """``dname``: the dilation argument the caller took (``dilations``, ``dilation_rate``,
    ``rate``), for messages."""
    f, x = (
        _dtypes.convert(filters, name="filters", operand=True),
        _dtypes.convert(input, name="input", operand=True),
    )
    n = f.ndim - 2 if f.ndim else x.ndim - 2
    if n not in (1, 2, 3):
        raise InvalidArgumentError(
            f"`num_spatial_dims` must be 1, 2, or 3. Received: num_spatial_dims={n}. The "
            f"number of spatial dims is the filter's rank minus 2; received filter shape "
            f"{list(f.shape)}."
        )
    batch_dims = x.ndim - n - 1
    if batch_dims < 1:
        # TF 2.21 returns a wrongly shaped result here (a (2, 5, 6, 4) input with a
        # (1, 3, 2, 4, 6) filter gives shape (2, 5, 6, 4, 6)); refused naming both.
        raise InvalidArgumentError(
            f"`input.shape.rank` must be >= than `num_spatial_dims + 2`: `filters` of rank "
            f"{f.ndim} means {n} spatial dimensions, so `input` "
            f"must have rank >= {n + 2} (batch, {n} spatial dims, channels); received input of "
            f"shape {list(x.shape)} and filters of shape {list(f.shape)}."
        )
    if data_format is not None:
        _channels_first(data_format)  # a non-string is a TypeError naming data_format
    last = data_format is None or data_format in _CHANNELS_LAST
    channel_index = batch_dims + n if last else batch_dims
    dilated = dilations is not None
    dilations = get_sequence(dilations, n, channel_index, "dilations")
    dilated = dilated and any(v != 1 for v in dilations)
    strides = get_sequence(strides, n, channel_index, "strides")
    if not dilated:
        if n == 1:
            return _conv1d(x, f, strides, padding, data_format, dilations)
        inner = n + 1
        return _forward.with_batch_dims(
            x,
            inner,
            lambda v: _forward.conv(
                f"Conv{n}D", v, f, strides, padding, [], data_format, dilations, n=n
            ),
        )
    return _dilated(x, f, n, strides, padding, data_format, dilations, last, dname)


def _dilated(
    x: jax.Array,
    f: jax.Array,
    n: int,
    strides: list[Any],
    padding: Any,
    data_format: Any,
    dilations: list[Any],
    last: bool,
    dname: str = "dilations",
) -> jax.Array:
    """TensorFlow's dilated path (``with_space_to_batch``): stride 1, its own checks."""
    if x.ndim < n + 2:
        raise InvalidArgumentError(
            f"`input.shape.rank` must be >= than `num_spatial_dims + 2`. Received: input.shape="
            f"{tuple(x.shape)} of rank {x.ndim} and num_spatial_dims={n}"
        )
    first = isinstance(data_format, str) and data_format.startswith("NC")
    c_in = x.shape[1 if first else -1]
    if f.shape[n] == 0 or c_in % f.shape[n]:
        raise InvalidArgumentError(
            f"The number of input channels is not divisible by the corresponding number of "
            f"output filters. Received: input.shape={tuple(x.shape)} with {c_in} channels and "
            f"filters.shape={tuple(f.shape)} with {f.shape[n]} output filters."
        )
    full_strides, full_dilations = (
        attr_ints("convolution", "strides", strides),
        attr_ints("convolution", "dilations", dilations),
    )
    spatial = slice(2, None) if not last else slice(1, -1)
    rates, steps = full_dilations[spatial], full_strides[spatial]
    for name, values in (("dilations", full_dilations), ("strides", full_strides)):
        others = values[:2] if not last else [values[0], values[-1]]
        if any(v != 1 for v in others):
            raise InvalidArgumentError(
                f"convolution: with a dilation > 1, `{name}` must be 1 in the batch and channel "
                f"entries (TensorFlow would silently ignore them). Received: {name}={values}."
            )
    if any(v < 1 for v in rates):
        raise InvalidArgumentError(
            f"all values of `dilation_rate` must be positive. Received: dilation_rate="
            f"{np.array(rates)} (the `{dname}` argument: {dname}={show(dilations)})"
        )
    if any(v < 1 for v in steps):
        raise InvalidArgumentError(
            f"all values of `strides` must be positive. Received: strides={np.array(steps)}"
        )
    if any(v > 1 for v in steps):
        raise InvalidArgumentError(
            f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
            f"strides={np.array(steps)} and dilation_rate={np.array(rates)}. Use strides 1 here "
            f"(conv2d and conv1d do accept both together)."
        )
    padding, explicit = convert_padding(padding)
    if not isinstance(padding, str) or padding not in ("SAME", "VALID", "EXPLICIT"):
        raise InvalidArgumentError(
            f"`padding` must be one of 'SAME' or 'VALID'. Received: padding={padding}"
        )
    if padding == "EXPLICIT" and n != 2:
        raise InvalidArgumentError(
            f"convolution: explicit padding is only supported for 2 spatial dimensions; "
            f"received padding={show(explicit)} for {n}. Use 'SAME' or 'VALID'."
        )
    if data_format not in _DILATED_FORMATS[n]:
        raise InvalidArgumentError(
            f"`data_format` must be one of {', '.join(map(repr, _DILATED_FORMATS[n][1:]))}. "
            f"Received: data_format={data_format}"
        )
    if n == 1:
        return _conv1d(x, f, 1, padding, data_format, rates)
    ones = [1] * (n + 2)
    full = [1, 1, *rates] if first else [1, *rates, 1]
    return _forward.with_batch_dims(
        x,
        n + 1,
        lambda v: _forward.conv(f"Conv{n}D", v, f, ones, padding, explicit, data_format, full, n=n),
    )


# ---------------------------------------------------------------------------
# TF2 signatures.


def conv1d(
    input: Any,
    filters: Any,
    stride: Any,
    padding: Any,
    data_format: str | None = "NWC",
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.conv1d``: 1-D convolution of ``[batch, width, in_channels]`` input.

    Args:
      input: ``(*batch, W, C_in)`` (``"NWC"``) or ``(*batch, C_in, W)`` (``"NCW"``).
      filters: ``(k, C_in // groups, C_out)``.
      stride: an int, or a list of length 1 or 3 (TensorFlow's forms).
      padding: ``"SAME"`` or ``"VALID"``.
      data_format: ``"NWC"`` (default) or ``"NCW"`` (``"NHWC"``/``"NCHW"`` too).
      dilations: an int or a list of length 1 or 3.
      name: accepted for compatibility; unused.

    Returns:
      ``(*batch, W_out, C_out)`` in the layout of ``input``, with ``input``'s dtype.

    Raises:
      InvalidArgumentError: wherever TensorFlow raises (bad shapes, strides,
        padding, dtypes), with what would work.

    Examples:
      >>> from compat import tf
      >>> tf.nn.conv1d(tf.ones([1, 5, 1]), tf.ones([3, 1, 1]), 1, "VALID")[0, :, 0]
      Array([3., 3., 3.], dtype=float32)
    """
    del name
    return _conv1d(input, filters, stride, padding, data_format, dilations)


def conv2d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: str | None = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.conv2d``: 2-D convolution (cross-correlation).

    Args:
      input: ``(*batch, H, W, C_in)`` (``"NHWC"``) or ``(*batch, C_in, H, W)``.
      filters: ``(kH, kW, C_in // groups, C_out)``.
      strides: an int or a list of length 1, 2 or 4 (data_format order).
      padding: ``"SAME"``, ``"VALID"``, or explicit pairs for all 4 dims, e.g.
        ``[[0, 0], [1, 1], [2, 2], [0, 0]]``.
      data_format: ``"NHWC"`` (default) or ``"NCHW"`` (computed on every device).
      dilations: an int or a list of length 1, 2 or 4.
      name: accepted for compatibility; unused.

    Returns:
      ``(*batch, H_out, W_out, C_out)`` in the layout of ``input``. A VALID
      window slightly larger than the input gives an empty result, as in
      TensorFlow.

    Raises:
      InvalidArgumentError: wherever TensorFlow raises, with what would work.

    Examples:
      >>> from compat import tf
      >>> x = tf.constant([i * 0.1 for i in range(16)], shape=[1, 4, 4, 1], dtype=tf.float32)
      >>> tf.nn.conv2d(x, tf.ones([3, 3, 1, 1]), strides=[1, 1, 1, 1], padding="VALID")[0, ..., 0]
      Array([[4.5     , 5.4     ],
             [8.099999, 9.      ]], dtype=float32)
    """
    del name
    return _conv2d(input, filters, strides, padding, data_format, dilations)


def conv3d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: str | None = "NDHWC",
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.conv3d``: 3-D convolution; ``strides`` and ``dilations`` are lists of 5.

    Args:
      input: ``(*batch, D, H, W, C_in)`` (``"NDHWC"``) or ``(*batch, C_in, D, H, W)``.
      filters: ``(kD, kH, kW, C_in // groups, C_out)``.
      strides: a list or tuple of 5 ints in data_format order (as in TensorFlow).
      padding: ``"SAME"`` or ``"VALID"``. SAME pads ``max((o - 1) * s + k - i, 0)``
        in total, the smaller half first, as ``conv2d`` does and as TensorFlow's
        documentation, its default (oneDNN) CPU kernel and its XLA path compute.
        (TensorFlow's Eigen ``Conv3D`` kernel, used when oneDNN is off, shifts the
        window instead when a stride exceeds the filter by 2 or more.)
      data_format: ``"NDHWC"`` (default) or ``"NCDHW"``.
      dilations: a list of 5 ints, default all 1 (dilation works on every device here).
      name: accepted for compatibility; unused.

    Returns:
      ``(*batch, D_out, H_out, W_out, C_out)`` in the layout of ``input``.

    Raises:
      TypeError: ``strides`` or ``dilations`` is not a list or tuple.
      InvalidArgumentError: wherever TensorFlow raises, with what would work.
    """
    del name
    if dilations is None:
        dilations = [1, 1, 1, 1, 1]
    return _conv3d(input, filters, strides, padding, data_format, dilations)


def convolution(
    input: Any,
    filters: Any,
    strides: Any = None,
    padding: Any = "VALID",
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.convolution``: N-d convolution, N = ``filters.ndim - 2`` (1, 2 or 3).

    Without dilation this is ``conv1d``/``conv2d``/``conv3d``; with a dilation
    > 1 it follows TensorFlow's dilated path: strides must be 1, explicit
    padding is accepted (2-D), and channel counts are checked up front.

    Args:
      input: ``(*batch, *spatial, C_in)`` or channels-first.
      filters: ``(*window, C_in // groups, C_out)``.
      strides: an int or a list of length 1, N or N + 2.
      padding: ``"SAME"``, ``"VALID"`` (or explicit pairs when dilated, 2-D).
      data_format: ``None`` (channels-last) or a format string such as ``"NCHW"``.
      dilations: an int or a list of length 1, N or N + 2.
      name: accepted for compatibility; unused.

    Returns:
      The convolution, in the layout of ``input``.

    Raises:
      InvalidArgumentError: wherever TensorFlow raises, and where TensorFlow's
        dilated path would silently ignore a batch or channel stride, dilation
        or padding.

    Examples:
      >>> from compat import tf
      >>> tf.nn.convolution(tf.ones([1, 7, 7, 1]), tf.ones([3, 3, 1, 1]), padding="SAME",
      ...                   dilations=2).shape
      (1, 7, 7, 1)
    """
    del name
    return _convolution(input, filters, strides, padding, data_format, dilations)


def atrous_conv2d(
    value: Any, filters: Any, rate: Any, padding: Any, name: str | None = None
) -> jax.Array:
    """``tf.nn.atrous_conv2d``: 2-D convolution with dilation ``rate`` (NHWC, stride 1).

    Args:
      value: ``(N, H, W, C_in)``.
      filters: ``(kH, kW, C_in, C_out)``.
      rate: an int, or one per spatial dimension.
      padding: ``"SAME"``, ``"VALID"`` (or explicit pairs when ``rate`` > 1).
      name: accepted for compatibility; unused.

    Returns:
      ``(N, H_out, W_out, C_out)``.

    Raises:
      InvalidArgumentError: wherever TensorFlow raises.
    """
    del name
    try:
        rates = np.broadcast_to(np.asarray(rate), (2,))
    except ValueError as e:
        raise InvalidArgumentError(
            f"atrous_conv2d: `rate` must be an int or 2 ints; received rate={show(rate)} ({e})."
        ) from None
    rates_ = attr_ints("atrous_conv2d", "rate", list(rates))
    check_int32("atrous_conv2d", "rate", rates_)
    if any(r < 1 for r in rates_):
        raise InvalidArgumentError(
            f"atrous_conv2d: `rate` must be >= 1 (it is the dilation of both spatial "
            f"dimensions); received rate={show(rate)}."
        )
    x = _dtypes.convert(value, name="value", operand=True)
    f = _dtypes.convert(filters, name="filters", operand=True)
    if x.ndim != 4 or f.ndim != 4:
        raise InvalidArgumentError(
            f"atrous_conv2d: `value` and `filters` must be 4-dimensional (NHWC value, HWIO "
            f"filters); received value.shape={tuple(x.shape)} and filters.shape={tuple(f.shape)}."
        )
    if x.dtype != f.dtype:
        raise InvalidArgumentError(
            f"atrous_conv2d: `value` and `filters` must share a dtype; received value of dtype "
            f"{_dtypes.tf_name(x.dtype)} and filters of dtype {_dtypes.tf_name(f.dtype)}."
        )
    if f.shape[2] == 0 or x.shape[3] % f.shape[2]:
        raise InvalidArgumentError(
            f"atrous_conv2d: the channel count of `value` ({x.shape[3]}) must be a multiple of "
            f"the input channels of `filters` ({f.shape[2]}); received value.shape="
            f"{tuple(x.shape)} and filters.shape={tuple(f.shape)}."
        )
    for i, (k, r) in enumerate(zip(f.shape[:2], rates_)):
        if (k - 1) * r + 1 > 2**31 - 1:
            raise InvalidArgumentError(
                f"atrous_conv2d: `rate` is too large: the dilated window (k - 1) * rate + 1 "
                f"of dimension {i} exceeds 2**31 - 1; received rate={show(rate)} and "
                f"filters.shape={tuple(f.shape)}."
            )
    return _convolution(x, f, None, padding, None, rates_, dname="rate")
