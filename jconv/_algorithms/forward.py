"""The convolution itself: one ``lax.conv_general_dilated`` on the trimmed problem.

:func:`forward` runs a canonical :class:`~jconv._canonical.spec.Call` of
``jconv.conv``: circular padding first (:mod:`.circular`), then only the part
of the input, the window and the output that contributes
(:mod:`.reach`), so that XLA sees padding within the kernel's reach (XLA:CPU,
jaxlib 0.10, aborts the process on an lhs-dilated convolution, as in the
gradient of a strided one, padded wider than its kernel next to a dilated
dimension) and work that scales with the data.
"""

from __future__ import annotations

import math

import jax
import numpy as np
from jax import lax

from jconv._algorithms import reach
from jconv._algorithms.circular import wrap_pad
from jconv._canonical.spec import Call, Spec


def strided(x: jax.Array, kernel: jax.Array, spec: Spec, *, fn: str = "jconv.conv") -> jax.Array:
    """``conv(x, kernel)`` for a zero-padded spec: the trimmed ``lax`` convolution.

    Also the input gradient of the phase algorithms (the adjoint identity).
    """
    batch, c_out = x.shape[0], kernel.shape[-1]
    dtype = spec.preferred_element_type or x.dtype
    t = reach.plan(spec, transpose=False)
    if t is None or x.size == 0 or kernel.size == 0:
        return reach.zeros(spec, batch, c_out, x.dtype)
    c_in = x.shape[spec.layout.channel_axis]
    data = batch * (math.prod(spec.in_size) * c_in + math.prod(spec.out_size) * c_out)
    reach.check_budget(
        fn, t.spec, False, batch, max(c_in, c_out), dtype, data * np.dtype(dtype).itemsize
    )
    x, kernel = reach.trim(x, kernel, t)
    out = lax.conv_general_dilated(
        x,
        kernel,
        window_strides=t.spec.stride,
        padding=t.spec.pads,
        rhs_dilation=t.spec.dilation,
        dimension_numbers=spec.layout.dimension_numbers(),
        feature_group_count=spec.groups,
        precision=spec.precision,
        preferred_element_type=spec.preferred_element_type,
    )
    return reach.restore(out, t)


def forward(fn: str, call: Call) -> jax.Array:
    """Runs ``jconv.conv``'s canonical call (circular padding, then :func:`strided`)."""
    x = call.x
    if call.wrap is not None:
        x = wrap_pad(x, list(call.wrap), call.spec.layout)
    return strided(x, call.kernel, call.spec, fn=fn)
