"""The reference transposed convolution: zeros inserted between inputs (lhs dilation).

The adjoint of ``conv(z, w, s, (lo, hi), d, g)`` is one stride-1 convolution of
the zero-inserted input (``lhs_dilation = s``) with the kernel flipped in space
and its channel axes swapped within each group, padded by ``d * (k - 1) - lo``
before and ``O - 1 - (I - 1) * s + lo`` after (negative values crop), so that
the result has exactly the requested size ``O``.
"""

from __future__ import annotations

import jax
from jax import lax

from jconv._spec import TransposeSpec
from jconv.layouts import to_lhs_dilated


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
        to_lhs_dilated(kernel, groups=spec.groups),
        window_strides=(1,) * spec.layout.ndim,
        padding=pads,
        lhs_dilation=spec.stride,
        rhs_dilation=spec.dilation,
        dimension_numbers=spec.layout.dimension_numbers(),
        feature_group_count=spec.groups,
        precision=spec.precision,
        preferred_element_type=spec.preferred_element_type,
    )
