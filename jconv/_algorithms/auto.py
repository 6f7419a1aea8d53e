"""Every per-shape decision of jconv's numerics, in one place.

* :func:`choose`: the transposed-convolution algorithm ``algorithm="auto"`` runs
  (and so the derivatives of ``jconv.conv``);
* :func:`exact_phases`: whether ``"phase"`` computes the phases together or apart;
* :func:`conv_method`: how a strided convolution is computed;
* :func:`kernel_grad_method`: how the phase-domain kernel gradient is computed.

Pure arithmetic on the spec and the backend's name (no JAX computation),
measured by ``python -m benchmarks.sweep`` and ``benchmarks/run.py`` and
recorded in ``benchmarks/README.md``.
"""

from __future__ import annotations

import math

import jax

from jconv._algorithms.phase_plan import DimPlan, plan
from jconv._canonical.spec import Spec, TransposeSpec

_MIN_PHASE_EFFICIENCY_2D = 0.6
_MIN_STACKED_EFFICIENCY = 0.75
_MAX_SPLIT_GROUPS = 16
_MIN_SPLIT_CHANNELS = 8


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

    The same rule picks the derivatives of ``jconv.conv``: where it says
    ``"lhs_dilation"``, ``jconv.conv`` is XLA's convolution differentiated by
    JAX; elsewhere its input gradient is the transposed convolution this rule
    picks for the adjoint, and its kernel gradient the phase-domain one.

    Args:
      spec: the configuration.
      backend: ``jax.default_backend()`` when ``None``.

    Returns:
      A key of :data:`jconv._algorithms.registry.ALGORITHMS`.
    """
    if (backend or jax.default_backend()) != "cpu":
        return "lhs_dilation"
    if spec.layout.ndim == 2 and spec.groups == 1:
        efficiency = math.prod(p.efficiency for p in plan(spec))
        if efficiency < _MIN_PHASE_EFFICIENCY_2D:
            return "hybrid"
    return "phase"


def exact_phases(spec: TransposeSpec, plans: tuple[DimPlan, ...]) -> bool:
    """Whether ``"phase"`` runs one convolution per phase rather than one for all phases.

    The stacked convolution right-aligns every phase's taps in a common
    window, so kernels that do not divide by the stride compute zero taps
    (kernel 3, stride 2: 9 of 16). Below 75% useful taps, one convolution per
    phase with exactly its taps is faster (measured: ``benchmarks/sweep.py``),
    although each has fewer output channels.
    """
    del spec
    return math.prod(p.efficiency for p in plans) < _MIN_STACKED_EFFICIENCY


def conv_method(spec: Spec, c_in: int, c_out: int, backend: str | None = None) -> str:
    """How a strided convolution with these channel counts runs.

    * ``"lax"``: ``lax.conv_general_dilated`` (every ungrouped convolution,
      and everything off CPU, where cuDNN and the TPU compiler handle groups).
    * ``"correlate"``: one input or one output channel per group on CPU,
      where XLA:CPU's grouped convolution falls back to a slow generic loop
      (10-20x slower than PyTorch on the depthwise layer of the benchmark).
    * ``"per_group"``: at most 16 groups of at least 8 channels each way on
      CPU, one ungrouped convolution per group (XLA:CPU runs
      ``feature_group_count > 1`` at a fraction of its ungrouped speed: the
      g=8 layer's input gradient is 1.7x faster split). More groups of fewer
      channels would be many tiny convolutions, slow to compile and to run.

    Args:
      spec: the configuration.
      c_in: input channels (all groups).
      c_out: output channels (all groups).
      backend: ``jax.default_backend()`` when ``None``.
    """
    g = spec.groups
    if g == 1 or (backend or jax.default_backend()) != "cpu":
        return "lax"
    if c_in == g or c_out == g:
        return "correlate"
    if g <= _MAX_SPLIT_GROUPS and min(c_in, c_out) // g >= _MIN_SPLIT_CHANNELS:
        return "per_group"
    return "lax"


def kernel_grad_method(spec: TransposeSpec, c_in: int) -> str:
    """How :func:`jconv._algorithms.phase_grad.kernel_grad` correlates, per stacked tap.

    Measured on XLA:CPU (``benchmarks/README.md``): ``"dots"`` (one
    ``dot_general`` per tap) except in ungrouped 1-D, where ``"conv"`` (one
    convolution with batch and channels swapped) wins; ``"depthwise"``
    (elementwise products) with one input channel per group. XLA's
    batch-grouped convolution is 100x slower than either.

    Args:
      spec: the transposed convolution's configuration.
      c_in: its input channels (all groups).
    """
    if spec.groups > 1 and c_in == spec.groups:
        return "depthwise"
    if spec.layout.ndim == 1 and spec.groups == 1:
        return "conv"
    return "dots"
