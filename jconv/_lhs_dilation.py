"""The reference transposed convolution: zeros inserted between inputs (lhs dilation).

The adjoint of ``conv(z, w, s, (lo, hi), d, g)`` is one stride-1 convolution of
the zero-inserted input (``lhs_dilation = s``) with the kernel flipped in space
and its channel axes swapped within each group, padded by ``d * (k - 1) - lo``
before and ``O - 1 - (I - 1) * s + lo`` after (negative values crop), so that
the result has exactly the requested size ``O``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from jconv._spec import TransposeSpec


def transposed_kernel(kernel: jax.Array, groups: int) -> jax.Array:
    """``(*window, C_in // g, C_out)`` -> flipped ``(*window, C_out // g, C_in)``.

    Swaps the channel axes group by group: output channel ``grp * (C_in // g) + j``
    of the new kernel reads forward input channel ``j`` of group ``grp``.
    """
    *window, a, c_out = kernel.shape
    b = c_out // groups
    w = kernel.reshape(*window, a, groups, b)
    n = len(window)
    w = jnp.transpose(w, (*range(n), n + 2, n + 1, n))
    w = w.reshape(*window, b, groups * a)
    return jnp.flip(w, axis=tuple(range(n)))


def lhs_dilation(x: jax.Array, kernel: jax.Array, spec: TransposeSpec) -> jax.Array:
    """Transposed convolution via ``lax.conv_general_dilated(lhs_dilation=stride)``."""
    pads = [
        (d * (k - 1) - lo, o - 1 - (i - 1) * s + lo)
        for i, o, k, s, d, (lo, _) in zip(
            spec.in_size, spec.out_size, spec.window, spec.stride, spec.dilation, spec.pads
        )
    ]
    return lax.conv_general_dilated(
        x,
        transposed_kernel(kernel, spec.groups),
        window_strides=(1,) * spec.layout.ndim,
        padding=pads,
        lhs_dilation=spec.stride,
        rhs_dilation=spec.dilation,
        dimension_numbers=spec.layout.dimension_numbers(),
        feature_group_count=spec.groups,
        precision=spec.precision,
        preferred_element_type=spec.preferred_element_type,
    )
