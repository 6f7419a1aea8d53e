"""``jconv.conv``: N-d convolution (cross-correlation) on ``lax.conv_general_dilated``."""

from __future__ import annotations

from typing import Any

import jax
from jax import lax

from jconv._algorithms.circular import check_pads, is_circular, wrap_pad
from jconv._canonical.args import per_dim_ints
from jconv._canonical.operands import Layout, check_divisible, operands, positive_groups
from jconv._canonical.padding import normalize_padding
from jconv._canonical.sizes import conv_out, dims_of, forward_pads

Precision = Any  # None, a lax.Precision, a string, or a pair of them


def conv(
    x: jax.typing.ArrayLike,
    kernel: jax.typing.ArrayLike,
    stride: int | tuple[int, ...] = 1,
    padding: Any = "VALID",
    *,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    data_format: str | None = None,
    precision: Precision = None,
    preferred_element_type: Any = None,
) -> jax.Array:
    """N-dimensional convolution (cross-correlation, kernel not flipped), as in TF and PyTorch.

    ``out[b, o, co] = sum_{t, ci} x_padded[b, o * stride + t * dilation, g(co) + ci] * kernel[t, ci, co]``
    per spatial dimension, where ``g(co)`` is the first input channel of
    output channel ``co``'s group.

    Args:
      x: input, ``(N, *spatial, C_in)`` (channels-last, the default) or
        ``(N, C_in, *spatial)`` with a channels-first ``data_format``.
      kernel: ``(*window, C_in // groups, C_out)`` (HWIO, as in JAX and TF).
      stride: an int, or one int per spatial dimension.
      padding: ``"SAME"``, ``"SAME_LOWER"``, ``"VALID"`` (any case), an int
        (both sides of every dimension), one int per dimension, or one
        ``(lo, hi)`` pair per dimension (negative values crop).
      dilation: kernel dilation, an int or one per spatial dimension.
      groups: number of channel groups; ``groups == C_in`` is depthwise.
      padding_mode: ``"zeros"`` (the default) or ``"circular"`` (the input is
        padded periodically, as PyTorch's ``padding_mode="circular"``).
      data_format: ``None`` or ``"channels_last"``/``"NWC"``/``"NHWC"``/``"NDHWC"``,
        or ``"channels_first"``/``"NCW"``/``"NCHW"``/``"NCDHW"``.
      precision: passed to XLA (``None``, ``"highest"``, a ``lax.Precision``...).
      preferred_element_type: accumulation and result dtype (e.g. ``jnp.float32``
        for bfloat16 inputs).

    Returns:
      ``(N, *out_spatial, C_out)`` in the same layout as ``x``, with
      ``out_spatial`` given by :func:`jconv.shapes.conv_output_shape`.

    Raises:
      TypeError: an argument of the wrong kind (non-int stride, mismatched or
        non-numeric dtypes, traced shape argument).
      ValueError: a bad value (wrong rank, channels not matching the kernel or
        not divisible by ``groups``, non-positive stride/dilation, unknown
        padding or data_format, or a zero-size output).

    Examples:
      >>> import numpy as np, jconv
      >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1) / 10
      >>> jconv.conv(x, np.ones((3, 3, 1, 1), np.float32))[0, ..., 0]
      Array([[4.5     , 5.4     ],
             [8.099999, 9.      ]], dtype=float32)
      >>> jconv.conv(np.ones((1, 6, 6, 3)), np.ones((3, 3, 3, 1)), 2, "SAME").shape
      (1, 3, 3, 1)
    """
    fn = "jconv.conv"
    x, kernel, layout = operands(fn, x, kernel, data_format)
    n = layout.ndim
    strides = per_dim_ints(fn, "stride", stride, n, minimum=1)
    dilations = per_dim_ints(fn, "dilation", dilation, n, minimum=1)
    pad_specs = normalize_padding(fn, padding, n)
    g = positive_groups(fn, groups)
    circular = is_circular(fn, padding_mode)
    c_in = x.shape[layout.channel_axis]
    if c_in != g * kernel.shape[-2]:
        raise ValueError(
            f"{fn}: the input has {c_in} channels, but the kernel expects groups (={g}) times "
            f"kernel.shape[-2] (={kernel.shape[-2]}) = {g * kernel.shape[-2]}; kernel shape is "
            f"(*window, C_in // groups, C_out), received kernel.shape={kernel.shape}."
        )
    check_divisible(fn, "the kernel's output channels kernel.shape[-1]", kernel.shape[-1], g)
    sizes = layout.spatial(x.shape)
    window = kernel.shape[:-2]
    dims = dims_of(sizes, window, strides, pad_specs, dilations)
    out_size = [conv_out(fn, dim) for dim in dims]
    pads = [forward_pads(i, k, s, p, d) for _, i, k, s, p, d in dims]
    if circular:
        check_pads(fn, pads)
        x = wrap_pad(x, pads, layout)
        pads = [(0, 0)] * n
    x, pads = _trim(x, layout, pads, out_size, window, strides, dilations)
    return lax.conv_general_dilated(
        x,
        kernel,
        window_strides=strides,
        padding=pads,
        rhs_dilation=dilations,
        dimension_numbers=layout.dimension_numbers(),
        feature_group_count=g,
        precision=precision,
        preferred_element_type=preferred_element_type,
    )


def _trim(
    x: jax.Array,
    layout: Layout,
    pads: list[tuple[int, int]],
    out_size: list[int],
    window: tuple[int, ...],
    strides: tuple[int, ...],
    dilations: tuple[int, ...],
) -> tuple[jax.Array, list[tuple[int, int]]]:
    """Slices off the input the convolution never reads, leaving padding ``>= 0``.

    Negative padding becomes a slice, and rows past the last window (input or
    padding) are dropped. The result is the same; the gain is in the gradient,
    whose lhs-dilated convolution then has padding within the kernel's reach
    (XLA:CPU, jaxlib 0.10, aborts the process on wider padding next to a
    dilated dimension).
    """
    start, limit = [0] * x.ndim, list(x.shape)
    trimmed = []
    for axis, (lo, hi), o, k, s, d in zip(
        layout.spatial_axes, pads, out_size, window, strides, dilations
    ):
        begin, end = max(-lo, 0), x.shape[axis] - max(-hi, 0)
        lo, hi = max(lo, 0), max(hi, 0)
        unread = (end - begin + lo + hi) - ((o - 1) * s + d * (k - 1) + 1)
        cut = min(hi, unread)
        hi, end = hi - cut, end - (unread - cut)
        start[axis], limit[axis] = begin, end
        trimmed.append((lo, hi))
    if start != [0] * x.ndim or limit != list(x.shape):
        x = lax.slice(x, start, limit)
    return x, trimmed
