"""The strided convolution itself, on a trimmed, zero-padded spec.

One function, :func:`strided_conv`, computes ``jconv.conv``'s forward pass,
the input gradient of every transposed convolution (the adjoint identity) and
the phase algorithm's stride-1 convolutions, in one of three ways that
:func:`jconv._algorithms.auto.conv_method` picks: ``lax.conv_general_dilated``;
for depthwise convolutions (one input channel per group)
:func:`jconv._algorithms.depthwise.correlate`, one shifted product per tap;
or a loop of ungrouped convolutions, one per group.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from jconv._algorithms import auto
from jconv._algorithms.depthwise import correlate
from jconv._canonical.operands import pad_spatial
from jconv._canonical.spec import Spec


def strided_conv(x: jax.Array, kernel: jax.Array, spec: Spec) -> jax.Array:
    """``conv(x, kernel)`` with ``spec``'s stride, padding, dilation and groups.

    Args:
      x: ``(N, *spec.in_size, C_in)`` or channels-first.
      kernel: ``(*window, C_in // groups, C_out)``.
      spec: the configuration (padding within the kernel's reach: trimmed).

    Returns:
      ``(N, *spec.out_size, C_out)`` in the layout of ``x``, of
      ``spec.preferred_element_type`` or ``x``'s dtype.
    """
    groups, n = spec.groups, spec.layout.ndim
    method = auto.conv_method(spec, kernel.shape[-2] * groups, kernel.shape[-1])
    if method == "correlate":
        taps = kernel.reshape(*kernel.shape[:n], kernel.shape[-2], groups, -1)
        taps = jnp.moveaxis(taps, n + 1, n)  # (*window, G, C_in // G, C_out // G)
        return correlate(
            pad_spatial(x, spec.layout, spec.pads),
            taps,
            spec.layout,
            spec.out_size,
            stride=spec.stride,
            dilation=spec.dilation,
            dtype=spec.preferred_element_type or x.dtype,
        )
    if method == "per_group" and jax.typeof(x).sharding.mesh.empty:
        # (under explicit sharding or jax.shard_map the loop's carry would need
        # the steps' sharding and varying axes: XLA's grouped convolution there)
        return _per_group(x, kernel, spec)
    return _lax(x, kernel, spec, groups)


def _lax(x: jax.Array, kernel: jax.Array, spec: Spec, groups: int) -> jax.Array:
    return lax.conv_general_dilated(
        x,
        kernel,
        window_strides=spec.stride,
        padding=spec.pads,
        rhs_dilation=spec.dilation,
        dimension_numbers=spec.layout.dimension_numbers(),
        feature_group_count=groups,
        precision=spec.precision,
        preferred_element_type=spec.preferred_element_type,
    )


def _per_group(x: jax.Array, kernel: jax.Array, spec: Spec) -> jax.Array:
    """A grouped convolution as a loop of ungrouped ones, one per group.

    Each step slices its group's channels and writes its output channels in
    place (``dynamic_update_slice`` in a ``fori_loop``), so that one
    convolution is compiled, and nothing but the output and one group's
    slices is allocated.
    """
    g, axis = spec.groups, spec.layout.channel_axis
    c_in, c_out = kernel.shape[-2], kernel.shape[-1] // g
    dtype = spec.preferred_element_type or x.dtype
    out = jnp.zeros(spec.out_shape(x.shape[0], g * c_out), dtype)

    def step(i, out):
        xi = lax.dynamic_slice_in_dim(x, i * c_in, c_in, axis=axis)
        wi = lax.dynamic_slice_in_dim(kernel, i * c_out, c_out, axis=kernel.ndim - 1)
        return lax.dynamic_update_slice_in_dim(out, _lax(xi, wi, spec, 1), i * c_out, axis=axis)

    return lax.fori_loop(0, g, step, out)
