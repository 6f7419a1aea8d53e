"""``tf.nn.depthwise_conv2d`` (and v1's ``depthwise_conv2d_native``).

TensorFlow computes a dilated depthwise conv through ``with_space_to_batch``;
that path ignores the strides' meaning (with a dilation > 1 and a stride > 1 it
warns and returns a scrambled result, and a 1-entry rate dilates only the
rows while turning the columns' SAME padding into VALID). Both cases are
refused here; everything else is the plain depthwise convolution.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from compat.tf import _dtypes, _forward
from compat.tf._args import attr_ints, convert_padding, list_attr, show
from compat.tf.errors import InvalidArgumentError


def _rates(rate: Any) -> list[int]:
    if rate is None:
        return [1, 1]
    try:
        items = list(rate)
    except TypeError:
        raise TypeError(
            f"'{type(rate).__name__}' object is not iterable: depthwise_conv2d takes "
            f"`dilations` (v1: `rate`) as a sequence of 2 ints, e.g. [{rate}, {rate}]."
        ) from None
    if len(items) != 2:
        raise InvalidArgumentError(
            f"depthwise_conv2d: `dilations` must have 2 entries (rows, columns); received "
            f"dilations={show(rate)} of length {len(items)}. (TensorFlow silently misreads a "
            f"1-entry rate and fails on 4 entries.)"
        )
    if any(isinstance(v, (float, np.floating)) for v in items):
        # TensorFlow turns the rate into an int32 tensor, which takes no Python floats.
        raise TypeError(
            f"Cannot convert {show(items)} to EagerTensor of dtype int32: depthwise_conv2d's "
            f"`dilations` (v1: `rate`) must hold ints; received dilations={show(rate)}."
        )
    return attr_ints("depthwise_conv2d", "dilations", items)


def _depthwise(
    input: Any, filter: Any, strides: Any, padding: Any, rate: Any, data_format: Any
) -> jax.Array:
    x, f = (
        _dtypes.convert(input, name="input", operand=True),
        _dtypes.convert(filter, name="filter", operand=True),
    )
    rates = _rates(rate)
    if any(r > 1 for r in rates) and any(
        s != 1 for s in list_attr("depthwise_conv2d_native", "strides", strides)
    ):
        raise InvalidArgumentError(
            f"depthwise_conv2d: a dilation > 1 needs all strides 1 (TensorFlow only warns and "
            f"returns a wrong result). Received: dilations={rates} and strides={show(strides)}; "
            f"use strides=[1, 1, 1, 1], or dilations=[1, 1] with these strides."
        )
    if any(r < 1 for r in rates):
        raise InvalidArgumentError(
            f"`dilation_rate` must be positive. Received: dilation_rate={rates} (the "
            f"`dilations` argument, v1: `rate`)"
        )
    first = isinstance(data_format, str) and data_format.startswith("NC")
    if all(r == 1 for r in rates):
        return _native(x, f, strides, padding, data_format, [1, 1, 1, 1])
    padding_, _ = convert_padding(padding)
    if not isinstance(padding_, str) or padding_ not in ("SAME", "VALID", "EXPLICIT"):
        raise InvalidArgumentError(
            f"`padding` must be one of 'SAME' or 'VALID'. Received: padding={padding_}"
        )
    dilations = [1, 1, *rates] if first else [1, *rates, 1]
    return _native(x, f, strides, padding, data_format, dilations)


def _native(
    input: Any, filter: Any, strides: Any, padding: Any, data_format: Any, dilations: Any
) -> jax.Array:
    padding, explicit = convert_padding(padding)
    strides = list_attr("depthwise_conv2d_native", "strides", strides)
    dilations = list_attr("depthwise_conv2d_native", "dilations", dilations)
    x, f = _dtypes.convert_together((input, filter), ("input", "filter"))
    return _forward.depthwise(x, f, strides, padding, explicit, data_format, dilations)


def depthwise_conv2d(
    input: Any,
    filter: Any,
    strides: Any,
    padding: Any,
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> jax.Array:
    """``tf.nn.depthwise_conv2d``: one filter bank per input channel.

    ``out[b, i, j, c * M + m] = sum_{di, dj} x[b, s*i + r*di, s*j + r*dj, c] * filter[di, dj, c, m]``.

    Args:
      input: ``(N, H, W, C)`` (``"NHWC"``, default) or ``(N, C, H, W)`` (``"NCHW"``).
      filter: ``(kH, kW, C, M)``; the output has ``C * M`` channels.
      strides: a list of 4 ints in data_format order (batch and channel 1).
      padding: ``"SAME"``, ``"VALID"`` or explicit pairs for all 4 dims.
      data_format: ``None``/``"NHWC"`` or ``"NCHW"`` (computed on every device).
      dilations: ``None`` or 2 ints (rows, columns); with a dilation > 1 the
        strides must be 1.
      name: accepted for compatibility; unused.

    Returns:
      ``(N, H_out, W_out, C * M)`` in the layout of ``input``.

    Raises:
      TypeError: ``strides`` is not a list, or ``dilations`` is not a sequence.
      InvalidArgumentError: wherever TensorFlow raises, and for dilation > 1
        with stride > 1 (TensorFlow returns a wrong result there).

    Examples:
      >>> import numpy as np
      >>> from compat import tf
      >>> x = np.array([[1., 2.], [3., 4.], [5., 6.]], np.float32).reshape((1, 3, 2, 1))
      >>> kernel = np.array([[1., 2.], [3., 4.]], np.float32).reshape((2, 1, 1, 2))
      >>> tf.nn.depthwise_conv2d(x, kernel, strides=[1, 1, 1, 1], padding="VALID")[0]
      Array([[[10., 14.],
              [14., 20.]],
      <BLANKLINE>
             [[18., 26.],
              [22., 32.]]], dtype=float32)
    """
    del name
    return _depthwise(input, filter, strides, padding, dilations, data_format)
