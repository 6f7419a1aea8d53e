"""The transposed-convolution algorithms, by name, and the rule behind ``"auto"``.

Every algorithm has the signature ``(x, kernel, spec: TransposeSpec) -> Array``
and must agree with ``"lhs_dilation"`` (the reference) on every input:

* ``"lhs_dilation"``: the reference, XLA's convolution of the zero-inserted
  input, differentiated by JAX's own rules.
* ``"phase"``: the stride-phase decomposition (:mod:`jconv._algorithms.phase_ops`), with
  derivatives that never dilate an input (:mod:`jconv._algorithms.primitives`).
* ``"hybrid"``: the reference's forward pass with ``"phase"``'s derivatives.

``"auto"`` is :func:`jconv._algorithms.auto.choose`.
"""

from __future__ import annotations

from collections.abc import Callable

import jax

from jconv._algorithms import reach
from jconv._algorithms.auto import choose
from jconv._algorithms.bias import add_bias
from jconv._algorithms.padding_modes import mode_fold
from jconv._algorithms.primitives import hybrid, phase
from jconv._algorithms.reference import lhs_dilation
from jconv._canonical.spec import Call, TransposeSpec

Algorithm = Callable[[jax.Array, jax.Array, TransposeSpec], jax.Array]

ALGORITHMS: dict[str, Algorithm] = {
    "lhs_dilation": lhs_dilation,
    "phase": phase,
    "hybrid": hybrid,
}


def transpose(fn: str, call: Call, algorithm: str) -> jax.Array:
    """Runs ``jconv.conv_transpose``'s canonical call with the named algorithm.

    Every algorithm gets the trimmed problem (:mod:`jconv._algorithms.reach`):
    only the inputs and taps whose scatter reaches the output, so none does
    work that grows with a stride, padding or dilation rather than the data.
    Empty operands give the zeros they sum to.
    """
    x, kernel, spec = call.x, call.kernel, call.spec
    c_out = spec.groups * kernel.shape[-2]
    trimmed = reach.prepare(fn, x, kernel, spec, transpose=True, c_out=c_out)
    if trimmed is None:
        out = reach.zeros(spec, x.shape[0], c_out, x.dtype)
    else:
        x, kernel, t = trimmed
        name = choose(t.spec) if algorithm == "auto" else algorithm
        out = reach.restore(ALGORITHMS[name](x, kernel, t.spec), t)
    if call.wrap is not None:
        size = tuple(o - lo - hi for o, (lo, hi) in zip(spec.out_size, call.wrap))
        out = mode_fold(out, call.wrap, size, spec.layout, call.mode)
    return add_bias(out, call.bias, spec.layout)
