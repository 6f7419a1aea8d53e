"""The transposed-convolution algorithms, by name, and the rule behind ``"auto"``.

Every algorithm has the signature ``(x, kernel, spec: TransposeSpec) -> Array``
and must agree with ``"lhs_dilation"`` (the reference) on every input:

* ``"lhs_dilation"``: the reference, XLA's convolution of the zero-inserted
  input, differentiated by JAX's own rules.
* ``"phase"``: the stride-phase decomposition (:mod:`jconv._algorithms.phase_ops`), with
  derivatives that never dilate an input (:mod:`jconv._algorithms.phase`).
* ``"hybrid"``: the reference's forward pass with ``"phase"``'s derivatives.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax

from jconv._algorithms import reach
from jconv._algorithms.bias import add_bias
from jconv._algorithms.padding_modes import mode_fold
from jconv._algorithms.phase import hybrid, phase
from jconv._algorithms.phase_ops import plan
from jconv._algorithms.reference import lhs_dilation
from jconv._canonical.spec import Call, TransposeSpec

Algorithm = Callable[[jax.Array, jax.Array, TransposeSpec], jax.Array]

ALGORITHMS: dict[str, Algorithm] = {
    "lhs_dilation": lhs_dilation,
    "phase": phase,
    "hybrid": hybrid,
}

_MIN_PHASE_EFFICIENCY_2D = 0.6


def choose(spec: TransposeSpec, backend: str | None = None) -> str:
    """The algorithm ``"auto"`` runs for this configuration.

    The rule comes from ``benchmarks/run.py`` and the sweeps recorded in
    ``benchmarks/README.md`` (2-core x86 CPU, float32):

    * CPU: ``"phase"``, except for ungrouped 2-D layers whose stacked phase
      kernel is mostly zero taps (taps of the kernel / taps computed below
      0.6, e.g. kernel 3 with stride 2: 9/16). XLA:CPU runs 2-D lhs-dilated
      convolutions with a dedicated kernel that skips the inserted zeros, and
      beats ``"phase"`` there by ~25%; those get ``"hybrid"`` (its forward
      pass, ``"phase"``'s gradients). In 1-D and 3-D, and for grouped
      layers, XLA's lhs-dilated convolution is 1.3x to 100x slower than
      ``"phase"``; its kernel gradient is 10-40x slower everywhere.
    * GPU, TPU and anything else: ``"lhs_dilation"``, XLA's own transposed
      convolution (cuDNN and the TPU compiler have dedicated kernels for it),
      until the benchmark has been run there.

    Args:
      spec: the configuration.
      backend: ``jax.default_backend()`` when ``None``.

    Returns:
      A key of :data:`ALGORITHMS`.
    """
    if (backend or jax.default_backend()) != "cpu":
        return "lhs_dilation"
    if spec.layout.ndim == 2 and spec.groups == 1:
        efficiency = math.prod(p.efficiency for p in plan(spec))
        if efficiency < _MIN_PHASE_EFFICIENCY_2D:
            return "hybrid"
    return "phase"


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
