"""The convolution itself: one ``jconv_conv`` primitive on the trimmed problem.

:func:`forward` runs a canonical :class:`~jconv._canonical.spec.Call` of
``jconv.conv``: circular, reflect or replicate padding first (:mod:`.padding_modes`), then only the part
of the input, the window and the output that contributes
(:mod:`.reach`), so that XLA sees padding within the kernel's reach (XLA:CPU,
jaxlib 0.10, aborts the process on an lhs-dilated convolution, as in the
gradient of a strided one, padded wider than its kernel next to a dilated
dimension) and work that scales with the data.
"""

from __future__ import annotations

import jax

from jconv._algorithms import primitives, reach
from jconv._algorithms.bias import add_bias
from jconv._algorithms.padding_modes import mode_pad
from jconv._canonical.spec import Call, Spec


def strided(x: jax.Array, kernel: jax.Array, spec: Spec, *, fn: str = "jconv.conv") -> jax.Array:
    """``conv(x, kernel)`` for a zero-padded spec, trimmed (:func:`.primitives.conv`)."""
    c_out = kernel.shape[-1]
    trimmed = reach.prepare(fn, x, kernel, spec, transpose=False, c_out=c_out)
    if trimmed is None:
        return reach.zeros(spec, x.shape[0], c_out, x.dtype)
    x, kernel, t = trimmed
    return reach.restore(primitives.conv(x, kernel, t.spec), t)


def forward(fn: str, call: Call) -> jax.Array:
    """Runs ``jconv.conv``'s canonical call (copying padding, :func:`strided`, the bias)."""
    x = call.x
    if call.wrap is not None:
        x = mode_pad(x, call.wrap, call.spec.layout, call.mode)
    return add_bias(strided(x, call.kernel, call.spec, fn=fn), call.bias, call.spec.layout)
