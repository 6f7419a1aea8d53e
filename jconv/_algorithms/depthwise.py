"""Depthwise convolutions as sums of shifted products, one per tap of the window.

XLA:CPU runs a convolution with ``feature_group_count == C_in`` through a
slow generic loop (10-20x slower than PyTorch on the depthwise layer of the
benchmark). With one input channel per group there is no channel contraction
to hand to a matrix kernel anyway: each tap of the window is one broadcast
multiply of a shifted (and, for a strided convolution, strided) slice of the
input, and XLA fuses the sum over taps into a single loop.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax import lax

from jconv._canonical.operands import Layout


def _window_slice(x, layout: Layout, starts, sizes, steps) -> jax.Array:
    start, limit, stride = [0] * x.ndim, list(x.shape), [1] * x.ndim
    for axis, b, m, st in zip(layout.spatial_axes, starts, sizes, steps):
        start[axis] = b
        limit[axis] = b + (m - 1) * st + 1
        stride[axis] = st
    return lax.slice(x, start, limit, stride)


def _times(x: jax.Array, taps: jax.Array, layout: Layout) -> jax.Array:
    """``x`` with channels ``(G, C)`` times ``taps (G, C, F)``, summed over ``C``."""
    g, c, f = taps.shape
    if layout.channels_last:
        x = x.reshape(*x.shape[:-1], g, c, 1)
        prod = x * taps.reshape(*(1,) * (x.ndim - 3), g, c, f)
        axis = prod.ndim - 2
    else:
        x = x.reshape(x.shape[0], g, c, 1, *x.shape[2:])
        prod = x * taps.reshape(1, g, c, f, *(1,) * layout.ndim)
        axis = 2
    if c == 1:  # a reshape, not a reduction: XLA compiles it much faster
        return prod.reshape(*prod.shape[:axis], *prod.shape[axis + 1 :])
    return jnp.sum(prod, axis=axis)


def correlate(
    x: jax.Array,
    taps: jax.Array,
    layout: Layout,
    out_size: Sequence[int],
    *,
    stride: Sequence[int],
    dilation: Sequence[int],
    dtype,
) -> jax.Array:
    """Grouped correlation of an already padded ``x`` with few channels per group.

    ``out[b, o, g, f] = sum_{t, c} x[b, o * stride + t * dilation, g, c] * taps[t, g, c, f]``.

    Args:
      x: ``(N, *spatial, G * C)`` (or channels-first), padded.
      taps: ``(*window, G, C, F)``.
      layout: the layout of ``x`` and of the result.
      out_size: the output's spatial sizes.
      stride: the correlation's stride per dimension.
      dilation: the tap spacing per dimension.
      dtype: result dtype (half-precision floats accumulate in float32).

    Returns:
      ``(N, *out_size, G * F)`` (or channels-first).
    """
    acc = _accumulator(dtype)
    x, taps = x.astype(acc), taps.astype(acc)
    window = taps.shape[: layout.ndim]
    terms = (
        _times(
            _window_slice(x, layout, [i * d for i, d in zip(t, dilation)], out_size, stride),
            taps[t],
            layout,
        )
        for t in itertools.product(*(range(k) for k in window))
    )
    total = functools.reduce(operator.add, terms)
    axis = layout.channel_axis
    return total.reshape(*total.shape[:axis], -1, *total.shape[axis + 2 :]).astype(dtype)


def tap_products(
    x: jax.Array,
    z: jax.Array,
    layout: Layout,
    window: Sequence[int],
    *,
    dilation: Sequence[int],
    dtype,
) -> jax.Array:
    """The taps' cotangent for :func:`correlate` with one input channel per group, stride 1.

    ``taps[t, g, f] = sum_{b, o} x[b, o + t * dilation, g] * z[b, o, g, f]``.

    Args:
      x: ``(N, *spatial, G)`` (or channels-first), padded.
      z: ``(N, *out, G * F)`` (or channels-first): the cotangent of the output.
      layout: the layout of ``x`` and ``z``.
      window: the number of taps per dimension.
      dilation: the tap spacing per dimension.
      dtype: result dtype (half-precision floats accumulate in float32).

    Returns:
      ``(*window, G, F)``.
    """
    acc = _accumulator(dtype)
    x, z = x.astype(acc), z.astype(acc)
    g = x.shape[layout.channel_axis]
    n = layout.ndim
    if layout.channels_last:
        z = z.reshape(*z.shape[:-1], g, -1)
        out_size, reduce = z.shape[1 : n + 1], (0, *range(1, n + 1))
    else:
        z = z.reshape(z.shape[0], g, -1, *z.shape[2:])
        out_size, reduce = z.shape[3:], (0, *range(3, n + 3))
    taps = []
    for t in itertools.product(*(range(k) for k in window)):
        starts = [i * d for i, d in zip(t, dilation)]
        xs = _window_slice(x, layout, starts, out_size, [1] * n)
        xs = xs[..., None] if layout.channels_last else xs[:, :, None]
        taps.append(jnp.sum(xs * z, axis=reduce))
    return jnp.stack(taps).reshape(*window, *taps[0].shape).astype(dtype)


def _accumulator(dtype) -> jnp.dtype:
    acc = jnp.dtype(dtype)
    if jnp.issubdtype(acc, jnp.floating) and acc.itemsize < 4:
        return jnp.dtype(jnp.float32)
    return acc
