"""Padding modes other than zeros, and their exact adjoints for the transpose.

A convolution with ``padding_mode`` ``"circular"``, ``"reflect"`` or
``"replicate"`` (PyTorch's names) is ``valid_conv(mode_pad(z))``: the input is
padded by copying its own cells (periodically; mirrored without repeating the
edge cell; repeating the edge cell), then convolved without padding. Its
adjoint is therefore ``mode_fold(valid_conv_transpose(y))``: the transpose
computed on the padded extent, then every padded cell added back onto the cell
it was copied from. That is the true adjoint; "pad, then transpose" is not.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jconv._canonical.operands import Layout

# PyTorch's padding_mode names -> jnp.pad's modes.
_NUMPY_MODES = {"circular": "wrap", "reflect": "reflect", "replicate": "edge"}


def mode_pad(
    x: jax.Array, pads: tuple[tuple[int, int], ...], layout: Layout, mode: str
) -> jax.Array:
    """Pads every spatial axis by copying cells (``circular`` wraps as often as needed)."""
    width = [(0, 0)] * x.ndim
    for axis, pair in zip(layout.spatial_axes, pads):
        width[axis] = pair
    return jnp.pad(x, width, mode=_NUMPY_MODES[mode])


def mode_fold(
    v: jax.Array,
    pads: tuple[tuple[int, int], ...],
    sizes: tuple[int, ...],
    layout: Layout,
    mode: str,
) -> jax.Array:
    """The adjoint of :func:`mode_pad`: sums each padded cell onto its source.

    ``sizes`` are the unpadded spatial sizes. :func:`mode_pad` is linear, so its
    transpose is exact (JAX transposes the slices and concatenations it is made of).
    """
    shape = list(v.shape)
    for axis, size in zip(layout.spatial_axes, sizes):
        shape[axis] = size
    primal = jax.ShapeDtypeStruct(tuple(shape), v.dtype)
    (folded,) = jax.linear_transpose(lambda z: mode_pad(z, pads, layout, mode), primal)(v)
    return folded
