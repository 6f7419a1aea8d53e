"""Circular ("wrap") padding, and its exact adjoint for the transpose.

A circular convolution is ``valid_conv(wrap_pad(z))``. Its adjoint is therefore
``wrap_fold(valid_conv_transpose(y))``: the transpose computed on the padded
extent, then every padded position added back onto the position of the period
it copied (``(p - lo) mod size``). That is the true adjoint; "pad circularly
then transpose" is not.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jconv._canonical.operands import Layout


def wrap_pad(x: jax.Array, pads: list[tuple[int, int]], layout: Layout) -> jax.Array:
    """Pads every spatial axis periodically (any amount, wrapping as often as needed)."""
    width = [(0, 0)] * x.ndim
    for axis, pair in zip(layout.spatial_axes, pads):
        width[axis] = pair
    return jnp.pad(x, width, mode="wrap")


def wrap_fold(
    v: jax.Array, pads: list[tuple[int, int]], sizes: tuple[int, ...], layout: Layout
) -> jax.Array:
    """The adjoint of :func:`wrap_pad`: sums each padded cell onto its source."""
    for axis, (lo, _), size in zip(layout.spatial_axes, pads, sizes):
        source = (jnp.arange(v.shape[axis]) - lo) % size
        shape = list(v.shape)
        shape[axis] = size
        index = (slice(None),) * axis + (source,)
        v = jnp.zeros(shape, v.dtype).at[index].add(v)
    return v
