"""The stride-phase transposed convolution in plain ``lax`` ops (the forward computation).

The kernel is split, per spatial dimension, into the phase sub-kernels planned
by :mod:`jconv._algorithms.phase_plan` (taps ``t0 + m*s'``, flipped, right-aligned in a
common window). All ``prod(live phases)`` sub-kernels are stacked along the
output channels, *inside* each channel group, as ``(G, *phases, C_out // G)``,
so that one stride-1 convolution of the undilated input
(:func:`jconv._algorithms.strided.strided_conv`) computes every phase; or,
where that would compute mostly zero taps, one convolution per phase with
exactly its taps, stacked in the same channel order. The phases are then
interleaved (depth-to-space, zeros for phases no tap reaches) and cropped to
the output size.

Differentiation does not go through these ops: :mod:`jconv._algorithms.primitives` wraps
them in a primitive whose kernel transpose is in :mod:`jconv._algorithms.phase_grad`.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import operator

import jax
import jax.numpy as jnp
from jax import lax

from jconv._algorithms import auto
from jconv._algorithms.phase_plan import DimPlan, Phase, plan
from jconv._algorithms.strided import strided_conv
from jconv._canonical.spec import Spec, TransposeSpec


def _phase_taps(w: jax.Array, axis: int, p: DimPlan) -> jax.Array:
    """Replaces window ``axis`` by two axes: ``p.window`` taps, then the live phases."""
    if p.dense:
        widths = [(0, 0, 0)] * w.ndim
        widths[axis] = (0, p.window * p.stride - w.shape[axis], 0)
        w = lax.pad(w, jnp.zeros((), w.dtype), widths)
        w = w.reshape(*w.shape[:axis], p.window, p.stride, *w.shape[axis + 1 :])
        return lax.rev(w, (axis,))
    subs = []
    for ph in p.phases:
        end = ph.first_tap + (ph.taps - 1) * p.tap_step + 1
        sub = lax.slice_in_dim(w, ph.first_tap, end, stride=p.tap_step, axis=axis)
        sub = lax.rev(sub, (axis,))
        widths = [(0, 0, 0)] * w.ndim
        widths[axis] = (p.window - ph.taps, 0, 0)
        subs.append(lax.pad(sub, jnp.zeros((), w.dtype), widths))
    return jnp.stack(subs, axis=axis + 1)


def phase_kernel(kernel: jax.Array, plans: tuple[DimPlan, ...], groups: int) -> jax.Array:
    """``(*window, C_out // G, C_in)`` -> stacked ``(*W, C_in // G, G * P * (C_out // G))``.

    ``P`` is the number of live phase combinations; the output channel order is
    ``(group, phase_1, ..., phase_n, channel)`` so that ``feature_group_count``
    keeps each group's phases together.
    """
    n = len(plans)
    *window, c_out, c_in = kernel.shape
    w = kernel.reshape(*window, c_out, groups, c_in // groups)
    for a, p in enumerate(plans):
        w = _phase_taps(w, 2 * a, p)
    # (W_1, P_1, ..., W_n, P_n, Co, G, Ci) -> (*W, Ci, G, *P, Co)
    taps, phases = tuple(range(0, 2 * n, 2)), tuple(range(1, 2 * n, 2))
    w = jnp.transpose(w, (*taps, 2 * n + 2, 2 * n + 1, *phases, 2 * n))
    count = math.prod(len(p.phases) for p in plans)
    return w.reshape(*w.shape[:n], c_in // groups, groups * count * c_out)


def _fill_phases(z: jax.Array, axis: int, phase_axis: int, p: DimPlan) -> jax.Array:
    """Along one dimension: every residue ``0..s-1`` on ``phase_axis``, ``p.length`` long."""
    if p.regular:
        return lax.slice_in_dim(z, 0, p.length, axis=axis)
    live = {ph.residue: (k, ph.delta) for k, ph in enumerate(p.phases)}
    shape = list(z.shape)
    shape[axis] = p.length
    del shape[phase_axis]
    zero = jnp.zeros(shape, z.dtype)
    parts = []
    for r in range(p.stride):
        if r not in live:
            parts.append(zero)
            continue
        k, delta = live[r]
        part = lax.slice_in_dim(z, delta, delta + p.length, axis=axis)
        parts.append(lax.index_in_dim(part, k, axis=phase_axis, keepdims=False))
    return jnp.stack(parts, axis=phase_axis)


def _sparse(p: DimPlan) -> bool:
    """True when interleaving every residue would dwarf the output (stride >> output)."""
    return p.stride * p.length > 4 * p.size + 64


def _scatter_phases(z: jax.Array, axis: int, phase_axis: int, p: DimPlan) -> jax.Array:
    """Along one dimension: each live phase put straight into its output positions.

    Phase ``r``'s value ``j`` belongs at output ``s*j + r - start``: a pad with
    ``s - 1`` interior zeros (negative edges crop). The sum over live phases is
    the cropped output, of size ``p.size``, with a phase axis of size one; the
    cost is ``O(live phases * size)``, not ``O(stride)``.
    """
    parts = []
    for k, ph in enumerate(p.phases):
        part = lax.slice_in_dim(z, ph.delta, ph.delta + p.length, axis=axis)
        part = lax.index_in_dim(part, k, axis=phase_axis, keepdims=True)
        low = ph.residue - p.start
        high = p.size - 1 - (p.stride * (p.length - 1) + low)
        widths = [(0, 0, 0)] * part.ndim
        widths[axis] = (low, high, p.stride - 1)
        parts.append(lax.pad(part, jnp.zeros((), part.dtype), widths))
    return functools.reduce(operator.add, parts)


def _placed(p: DimPlan) -> DimPlan:
    """The plan of a dimension :func:`_scatter_phases` has already put in place."""
    return dataclasses.replace(p, stride=1, phases=(Phase(0, 0, 1, 0),), length=p.size, start=0)


def interleave(
    z: jax.Array, plans: tuple[DimPlan, ...], groups: int, channels_last: bool
) -> jax.Array:
    """Depth-to-space: the stacked convolution's output -> the cropped transposed output."""
    n = len(plans)
    batch = z.shape[0]
    if channels_last:
        spatial = tuple(range(1, n + 1))
        phase_axes = tuple(range(n + 2, 2 * n + 2))
        c_out = z.shape[-1] // (groups * math.prod(len(p.phases) for p in plans))
        z = z.reshape(batch, *z.shape[1 : n + 1], groups, *(len(p.phases) for p in plans), c_out)
    else:
        spatial = tuple(range(n + 3, 2 * n + 3))
        phase_axes = tuple(range(2, n + 2))
        c_out = z.shape[1] // (groups * math.prod(len(p.phases) for p in plans))
        z = z.reshape(batch, groups, *(len(p.phases) for p in plans), c_out, *z.shape[2:])
    placed = []
    for a, p in enumerate(plans):
        if _sparse(p):
            z = _scatter_phases(z, spatial[a], phase_axes[a], p)
            placed.append(_placed(p))
        else:
            z = _fill_phases(z, spatial[a], phase_axes[a], p)
            placed.append(p)
    plans = tuple(placed)
    pairs = [ax for a in range(n) for ax in (spatial[a], phase_axes[a])]
    sizes = [p.length * p.stride for p in plans]
    if channels_last:
        z = jnp.transpose(z, (0, *pairs, n + 1, 2 * n + 2))
        z = z.reshape(batch, *sizes, groups * c_out)
        first = 1
    else:
        z = jnp.transpose(z, (0, 1, n + 2, *pairs))
        z = z.reshape(batch, groups * c_out, *sizes)
        first = 2
    for a, p in enumerate(plans):
        z = lax.slice_in_dim(z, p.start, p.start + p.size, axis=first + a)
    return z


def _conv_spec(spec: TransposeSpec, plans, window, pads) -> Spec:
    """The stride-1 convolution, in the phase domain, that computes some of the phases."""
    return dataclasses.replace(
        spec,
        out_size=tuple(p.conv_length for p in plans),
        window=tuple(window),
        stride=(1,) * len(plans),
        dilation=tuple(p.dilation for p in plans),
        pads=tuple(pads),
    )


def _stacked(x: jax.Array, kernel: jax.Array, plans: tuple[DimPlan, ...], spec: TransposeSpec):
    """Every phase at once: one convolution with the stacked phase kernel."""
    wc = phase_kernel(kernel, plans, spec.groups)
    conv = _conv_spec(spec, plans, [p.window for p in plans], [p.pads for p in plans])
    return strided_conv(x, wc, conv)


def _sub_kernel(kernel: jax.Array, phases: tuple[Phase, ...], plans, groups: int) -> jax.Array:
    """One phase's taps, flipped, as a convolution kernel ``(*taps, C_in // G, C_out)``."""
    n = len(plans)
    w = kernel
    for a, (ph, p) in enumerate(zip(phases, plans)):
        end = ph.first_tap + (ph.taps - 1) * p.tap_step + 1
        w = lax.rev(lax.slice_in_dim(w, ph.first_tap, end, stride=p.tap_step, axis=a), (a,))
    *taps, c_out, c_in = w.shape
    w = w.reshape(*taps, c_out, groups, c_in // groups)
    w = jnp.transpose(w, (*range(n), n + 2, n + 1, n))
    return w.reshape(*taps, c_in // groups, groups * c_out)


def _exact(x: jax.Array, kernel: jax.Array, plans: tuple[DimPlan, ...], spec: TransposeSpec):
    """One convolution per phase with exactly its taps, in the stacked output's channel order.

    Phases with fewer taps than the longest start later (their low padding is
    smaller by the missing taps), so no multiply touches a zero tap.
    """
    outs = []
    for phases in itertools.product(*(p.phases for p in plans)):
        pads = [
            (p.pads[0] - p.dilation * (p.window - ph.taps), p.pads[1])
            for ph, p in zip(phases, plans)
        ]
        conv = _conv_spec(spec, plans, [ph.taps for ph in phases], pads)
        outs.append(strided_conv(x, _sub_kernel(kernel, phases, plans, spec.groups), conv))
    axis, g = spec.layout.channel_axis, spec.groups
    z = jnp.stack(outs, axis)  # channels (P, G, C_out // G)
    z = z.reshape(*z.shape[:axis], len(outs), g, -1, *z.shape[axis + 2 :])
    z = jnp.swapaxes(z, axis, axis + 1)
    return z.reshape(*z.shape[:axis], -1, *z.shape[axis + 3 :])


def phase_forward(x: jax.Array, kernel: jax.Array, spec: TransposeSpec) -> jax.Array:
    """Transposed convolution as stride-1 convolutions of the phase sub-kernels.

    All phases run as one convolution of the stacked sub-kernels, or, where
    that would compute mostly zero taps (:func:`jconv._algorithms.auto.exact_phases`),
    as one convolution per phase. Either is
    :func:`jconv._algorithms.strided.strided_conv` (depthwise layers sum
    shifted products).

    Args:
      x: ``(N, *spatial, C_in)`` or channels-first, as ``spec.layout`` says.
      kernel: the forward convolution's kernel, ``(*window, C_out // groups, C_in)``.
      spec: the validated configuration.

    Returns:
      The same array as :func:`jconv._algorithms.reference.lhs_dilation`.
    """
    plans = plan(spec)
    compute = _exact if auto.exact_phases(spec, plans) else _stacked
    return interleave(
        compute(x, kernel, plans, spec), plans, spec.groups, spec.layout.channels_last
    )
