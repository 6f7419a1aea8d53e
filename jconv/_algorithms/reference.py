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

from jconv._canonical.operands import pad_spatial
from jconv._canonical.spec import TransposeSpec
from jconv.layouts import to_lhs_dilated


def lhs_dilation(x: jax.Array, kernel: jax.Array, spec: TransposeSpec) -> jax.Array:
    """Transposed convolution via ``lax.conv_general_dilated(lhs_dilation=stride)``.

    Padding wider than the dilated kernel only adds outputs that see nothing
    but zeros; those are padded onto the result instead, because XLA:CPU
    (jaxlib 0.10) aborts the process on an lhs-dilated convolution padded
    wider than its kernel next to a dilated dimension.
    """
    pads, zeros = [], []
    for i, o, k, s, d, (lo, _) in zip(
        spec.in_size, spec.out_size, spec.window, spec.stride, spec.dilation, spec.pads
    ):
        reach = d * (k - 1)
        before, after = reach - lo, o - 1 - (i - 1) * s + lo
        pads.append((min(before, reach), min(after, reach)))
        zeros.append((before - pads[-1][0], after - pads[-1][1]))
        if (i - 1) * s + 1 + sum(pads[-1]) - reach < 1:  # every output sees only padding
            return _zeros(x, kernel, spec)
    out = lax.conv_general_dilated(
        x,
        jnp.asarray(to_lhs_dilated(kernel, groups=spec.groups)),
        window_strides=(1,) * spec.layout.ndim,
        padding=pads,
        lhs_dilation=spec.stride,
        rhs_dilation=spec.dilation,
        dimension_numbers=spec.layout.dimension_numbers(),
        feature_group_count=spec.groups,
        precision=spec.precision,
        preferred_element_type=spec.preferred_element_type,
    )
    if not any(lo or hi for lo, hi in zeros):
        return out
    return pad_spatial(out, spec.layout, zeros)


def _zeros(x: jax.Array, kernel: jax.Array, spec: TransposeSpec) -> jax.Array:
    """The all-zero result, for outputs no input reaches."""
    channels = spec.groups * kernel.shape[-2]
    shape = (
        (x.shape[0], *spec.out_size, channels)
        if spec.layout.channels_last
        else (x.shape[0], channels, *spec.out_size)
    )
    return jnp.zeros(shape, spec.preferred_element_type or x.dtype)
