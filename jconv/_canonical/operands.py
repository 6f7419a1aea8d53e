"""Array operands: conversion, rank/dtype/channel checks, and the layout.

Runs at trace time on static shapes, before any compute.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jconv._canonical.args import channels_last, static_int


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where the channel and spatial axes of an operand are."""

    ndim: int  # number of spatial dimensions
    channels_last: bool

    @property
    def channel_axis(self) -> int:
        return self.ndim + 1 if self.channels_last else 1

    @property
    def spatial_axes(self) -> range:
        first = 1 if self.channels_last else 2
        return range(first, first + self.ndim)

    def spatial(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(shape[a] for a in self.spatial_axes)

    def dimension_numbers(self) -> lax.ConvDimensionNumbers:
        """lax dimension numbers for this layout and a ``(*window, I, O)`` kernel."""
        n = self.ndim
        lhs = (0, self.channel_axis, *self.spatial_axes)
        rhs = (n + 1, n, *range(n))
        return lax.ConvDimensionNumbers(lhs, rhs, lhs)


def pad_spatial(x: jax.Array, layout: Layout, pads: Sequence[tuple[int, int]]) -> jax.Array:
    """Zero-pads (or, for negative values, crops) the spatial axes of ``x``."""
    widths = [(0, 0, 0)] * x.ndim
    for axis, (lo, hi) in zip(layout.spatial_axes, pads):
        widths[axis] = (lo, hi, 0)
    return lax.pad(x, jnp.zeros((), x.dtype), widths)


def as_array(fn: str, name: str, value: Any) -> jax.Array:
    if isinstance(value, jax.Array):
        return value
    try:
        return jnp.asarray(value)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"{fn}: `{name}` must be an array (jax or numpy) or nested lists of numbers; "
            f"received a {type(value).__name__} ({e})."
        ) from None


def spatial_array(fn: str, x: Any) -> jax.Array:
    """``x`` as an array of rank >= 3: a batch, at least one spatial axis, channels."""
    x = as_array(fn, "x", x)
    if x.ndim < 3:
        raise ValueError(
            f"{fn}: `x` must have shape (N, *spatial, C) (or (N, C, *spatial)) with at least "
            f"one spatial dimension, so rank >= 3; received x.shape={x.shape} (rank {x.ndim}). "
            f"Add a batch axis with x[None] if needed."
        )
    return x


def operands(fn: str, x: Any, kernel: Any, data_format: Any) -> tuple[jax.Array, jax.Array, Layout]:
    """Converts and checks ``x`` and ``kernel``; returns them with the layout."""
    x = as_array(fn, "x", x)
    kernel = as_array(fn, "kernel", kernel)
    x = spatial_array(fn, x)  # the rank check, after both are arrays
    if kernel.ndim != x.ndim:
        raise ValueError(
            f"{fn}: `kernel` must have the same rank as `x` ({x.ndim}: *window plus two channel "
            f"axes); received kernel.shape={kernel.shape} and x.shape={x.shape}."
        )
    for name, a in (("x", x), ("kernel", kernel)):
        dt = np.dtype(a.dtype)
        if dt == np.bool_ or not (jnp.issubdtype(dt, jnp.number)):
            raise TypeError(
                f"{fn}: `{name}` must have a numeric dtype (floating, complex or integer); "
                f"received {name}.dtype={dt.name}."
            )
    if x.dtype != kernel.dtype:
        raise TypeError(
            f"{fn}: `x` and `kernel` must have the same dtype; received x.dtype="
            f"{np.dtype(x.dtype).name} and kernel.dtype={np.dtype(kernel.dtype).name}. Cast one "
            f"with .astype() (use `preferred_element_type` for a wider accumulator)."
        )
    layout = Layout(x.ndim - 2, channels_last(fn, data_format, x.ndim - 2))
    concrete(fn, "x", x.shape[1:])
    concrete(fn, "kernel", kernel.shape)
    window = kernel.shape[:-2]
    if any(k < 1 for k in window):
        raise ValueError(
            f"{fn}: every window size of `kernel` must be >= 1; received kernel.shape="
            f"{kernel.shape} (window {window})."
        )
    return x, kernel, layout


def concrete(fn: str, name: str, sizes: tuple[Any, ...]) -> None:
    """Only the batch may be symbolic (``jax.export``): jconv resolves the rest at trace time."""
    symbolic = [str(d) for d in sizes if not isinstance(d, int)]
    if symbolic:
        raise NotImplementedError(
            f"{fn}: `{name}` has symbolic sizes ({', '.join(symbolic)}) outside the batch "
            f"dimension; jconv resolves padding, output sizes and its algorithm at trace time "
            f"from concrete spatial and channel sizes. Export with a symbolic batch only "
            f"(e.g. jax.export.symbolic_shape('b, 32, 32, 3'))."
        )


def positive_groups(fn: str, groups: Any) -> int:
    """``groups`` as a positive int."""
    g = static_int(fn, "groups", groups)
    if g < 1:
        raise ValueError(f"{fn}: `groups` must be a positive int; received groups={g}.")
    return g


def check_divisible(fn: str, what: str, value: int, groups: int) -> None:
    """Raises unless a channel count divides evenly into ``groups``."""
    if value % groups:
        raise ValueError(f"{fn}: {what} (={value}) must be divisible by `groups` (={groups}).")
