"""The bias: one ``(C_out,)`` vector added along the output's channel axis."""

from __future__ import annotations

import jax

from jconv._canonical.operands import Layout


def add_bias(out: jax.Array, bias: jax.Array | None, layout: Layout) -> jax.Array:
    """``out + bias`` broadcast along ``layout``'s channel axis (in ``out``'s dtype)."""
    if bias is None:
        return out
    shape = [1] * out.ndim
    shape[layout.channel_axis] = bias.shape[0]
    return out + bias.astype(out.dtype).reshape(shape)
