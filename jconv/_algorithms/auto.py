"""Every per-shape decision of jconv's numerics, in one place.

* :func:`choose`: the transposed-convolution algorithm ``algorithm="auto"`` runs
  (and so the derivatives of ``jconv.conv``);
* :func:`phase_derivatives`: whether ``jconv.conv`` is differentiated by jconv's rules;
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

from jconv._algorithms.phase_plan import DimPlan
from jconv._canonical.spec import Spec, TransposeSpec

_MIN_STACKED_EFFICIENCY = 0.65


def choose(spec: TransposeSpec, backend: str | None = None) -> str:
    """The algorithm ``"auto"`` runs for this configuration.

    The rule comes from ``python -m benchmarks.sweep`` and ``benchmarks/run.py``
    as recorded in ``benchmarks/README.md`` (2-core x86 CPU, float32):

    * CPU: ``"phase"``. XLA:CPU's lhs-dilated convolution (``"lhs_dilation"``,
      and ``"hybrid"``'s forward) multiplies the inserted zeros in 1-D and
      3-D (1.3x to 100x slower) and its kernel gradient is 10-40x slower
      everywhere. Its 2-D kernel skips the zeros, which used to win where the
      stacked phase kernel is mostly zero taps (kernel 3, stride 2); with one
      convolution per phase there (:func:`exact_phases`) ``"phase"`` is
      faster on every layer of the sweep.
    * GPU, TPU and anything else: ``"lhs_dilation"``, XLA's own transposed
      convolution (cuDNN and the TPU compiler have dedicated kernels for it),
      until ``benchmarks/gpu_check.py`` has been run there.

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
    del spec
    if (backend or jax.default_backend()) != "cpu":
        return "lhs_dilation"
    return "phase"


def phase_derivatives(spec: Spec, backend: str | None = None) -> bool:
    """Whether ``jconv.conv`` runs as the ``jconv_conv`` primitive (jconv's derivatives).

    Where :func:`choose` runs XLA's transposed convolution (accelerators) it
    does not. On CPU it does for strided and for 3-D convolutions: JAX derives
    an lhs-dilated input gradient and a whole-window kernel gradient that
    XLA:CPU runs 15-40x slower (the 3-D and grouped layers of
    ``benchmarks/run.py --conv``). A 2-D or 1-D stride-1 convolution's derived
    gradients dilate nothing and run as fast as the primitive's (ResNet's 3x3
    stride-1 layer: 37.9 vs 42.9 ms forward + backward) in half the memory.
    """
    if choose(spec, backend) == "lhs_dilation":
        return False
    return spec.layout.ndim == 3 or any(s > 1 for s in spec.stride)


def exact_phases(spec: TransposeSpec, plans: tuple[DimPlan, ...]) -> bool:
    """Whether ``"phase"`` runs one convolution per phase rather than one for all phases.

    The stacked convolution right-aligns every phase's taps in a common
    window, so kernels that do not divide by the stride compute zero taps
    (kernel 3, stride 2: 9 of 16). In 1-D and 2-D, below 65% useful taps,
    one convolution per phase with exactly its taps is 1.1x to 1.5x faster
    (``python -m benchmarks.sweep``), although each has fewer output channels;
    at 69% (kernel 5, stride 2) and in 3-D (8 small convolutions) the stacked
    one wins.
    """
    efficiency = math.prod(p.efficiency for p in plans)
    return spec.layout.ndim <= 2 and efficiency < _MIN_STACKED_EFFICIENCY


def conv_method(spec: Spec, c_in: int, c_out: int, backend: str | None = None) -> str:
    """How a strided convolution with these channel counts runs.

    Measured by ``python -m benchmarks.sweep`` (grouped ``jconv.conv``, forward
    and forward + backward, every strided convolution of the step run each way):

    * ``"lax"``: ``lax.conv_general_dilated``, for every ungrouped
      convolution, and for everything off CPU (cuDNN and the TPU compiler
      handle groups).
    * ``"correlate"``: one input channel per group (depthwise) on CPU: one
      shifted product per tap, 10x faster than XLA:CPU's grouped convolution,
      which falls back to a slow generic loop.
    * ``"per_group"``: other grouped convolutions on CPU: a loop of ungrouped
      convolutions, one per group, up to 10x faster than
      ``feature_group_count`` (which XLA:CPU runs at a fraction of its
      ungrouped speed; ResNeXt's g=32 layer: 6x) and than shifted products
      with many channels. A loop rather than unrolled: one convolution to
      compile (32 unrolled took 0.9 s to compile, 3 s with their gradients)
      and half the memory.

    Args:
      spec: the configuration.
      c_in: input channels (all groups).
      c_out: output channels (all groups).
      backend: ``jax.default_backend()`` when ``None``.
    """
    del c_out
    g = spec.groups
    if g == 1 or (backend or jax.default_backend()) != "cpu":
        return "lax"
    if c_in == g:
        return "correlate"
    return "per_group"


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
