"""What each element actually touches: trims a call to the part that contributes.

With zero padding, a convolution output whose window sees only padding is
zero, and a kernel tap that reads only padding adds nothing; in a transposed
convolution, an input element (or tap) whose scatter lands outside the output
adds nothing. :func:`conv_reach` and :func:`transpose_reach` drop those parts,
so that every algorithm works on a problem whose padding stays within the
kernel's reach and whose cost scales with the data, never with the magnitude
of a stride, padding or dilation (a stride of ``2**17`` on a one-element
output computes one element). The dropped outputs are put back as zeros.

The per-dimension arithmetic (:func:`conv_dim`, :func:`transpose_dim`) is pure
Python; :func:`trim` and :func:`restore` apply it to arrays.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jconv._canonical.args import lower_bound
from jconv._canonical.operands import pad_spatial
from jconv._canonical.sizes import effective
from jconv._canonical.spec import Spec

MIN_BUDGET = 2**28
"""Bytes of intermediate any call may use, whatever its data (256 MiB)."""
BUDGET_FACTOR = 16
"""Beyond :data:`MIN_BUDGET`, intermediates may be this many times the data."""


class Cut(NamedTuple):
    """One dimension of a trimmed call.

    ``data``: the ``[start, stop)`` slice of the input that contributes;
    ``taps``: the ``[start, stop)`` slice of the window that contributes;
    ``out``: the ``[start, stop)`` range of outputs computed (the rest is zero);
    ``lo``: the forward low padding of the trimmed problem.
    """

    data: tuple[int, int]
    taps: tuple[int, int]
    out: tuple[int, int]
    lo: int


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _taps(first: int, last: int, s: int, d: int, base: int, k: int, size: int):
    """Taps ``t`` for which some ``j`` in ``[first, last]`` has ``j*s - base + t*d`` in range.

    ``size`` is the length of the range ``[0, size)``; returns ``[t0, t1)``.
    """
    # position of (j, t) is j*s - base + t*d; it lies in [0, size) for some j in
    # [first, last] iff t*d in [base - last*s, base - first*s + size - 1].
    lo_pos, hi_pos = base - last * s, base - first * s + size - 1
    t0 = max(0, _ceil_div(lo_pos, d))
    t1 = min(k - 1, hi_pos // d)
    return t0, t1 + 1


def conv_dim(i: int, o: int, k: int, s: int, d: int, lo: int) -> Cut | None:
    """Trims one dimension of a convolution; ``None`` when every output is zero.

    Output ``p`` reads input ``p*s - lo + t*d`` for taps ``t < k``.
    """
    reach = (k - 1) * d
    first = max(0, _ceil_div(lo - reach, s))
    last = min(o - 1, (i - 1 + lo) // s)
    if first > last or i < 1:
        return None
    t0, t1 = _taps(first, last, s, d, lo, k, i)
    if t0 >= t1:
        return None
    start = first * s - lo + t0 * d
    stop = last * s - lo + (t1 - 1) * d + 1
    begin, end = max(start, 0), min(stop, i)
    return Cut((begin, end), (t0, t1), (first, last + 1), begin - start)


def transpose_dim(i: int, o: int, k: int, s: int, d: int, lo: int) -> Cut | None:
    """Trims one dimension of a transposed convolution; ``None`` when the output is zero.

    Input ``j`` scatters to output ``j*s - lo + t*d`` for taps ``t < k``.
    """
    reach = (k - 1) * d
    first = max(0, _ceil_div(lo - reach, s))
    last = min(i - 1, (o - 1 + lo) // s)
    if first > last or o < 1:
        return None
    t0, t1 = _taps(first, last, s, d, lo, k, o)
    if t0 >= t1:
        return None
    return Cut((first, last + 1), (t0, t1), (0, o), lo - first * s - t0 * d)


@dataclasses.dataclass(frozen=True)
class Trimmed:
    """A trimmed call: the sub-problem's spec and how to get back to the full one."""

    spec: Spec
    cuts: tuple[Cut, ...]
    full: Spec


def plan(spec: Spec, transpose: bool) -> Trimmed | None:
    """The trimmed problem, or ``None`` when the result is all zeros."""
    dim = transpose_dim if transpose else conv_dim
    cuts = []
    for i, o, k, s, d, (lo, _) in zip(
        spec.in_size, spec.out_size, spec.window, spec.stride, spec.dilation, spec.pads
    ):
        cut = dim(i, o, k, s, d, lo)
        if cut is None:
            return None
        cuts.append(cut)
    sizes = tuple(b - a for a, b in (c.data for c in cuts))
    window = tuple(b - a for a, b in (c.taps for c in cuts))
    outs = tuple(b - a for a, b in (c.out for c in cuts))
    pads = []
    for c, i, o, k, s, d in zip(cuts, sizes, outs, window, spec.stride, spec.dilation):
        span = effective(k, d)
        hi = (i - 1) * s + span - c.lo - o if transpose else (o - 1) * s + span - c.lo - i
        pads.append((c.lo, hi))
    sub = dataclasses.replace(spec, in_size=sizes, out_size=outs, window=window, pads=tuple(pads))
    return Trimmed(sub, tuple(cuts), spec)


def check_budget(
    fn: str, spec: Spec, transpose: bool, batch: int, channels: int, dtype, data: int
) -> None:
    """Raises ``NotImplementedError`` when an intermediate would dwarf the data.

    After trimming, the largest intermediate of every algorithm is the padded
    input of one convolution: the read extent ``(O-1)*s + (k-1)*d + 1`` of a
    convolution, or the zero-inserted input padded by the dilated kernel's
    reach, ``(I-1)*s + 1 + 2*(k-1)*d``, of a transpose (``channels`` is the
    larger channel count, ``data`` the bytes of the input and the output).
    Normally that is a small multiple of the data; only a dilation far larger
    than the data makes it large.
    """
    if transpose:
        extent = [
            (i - 1) * s + 1 + 2 * (k - 1) * d
            for i, k, s, d in zip(spec.in_size, spec.window, spec.stride, spec.dilation)
        ]
    else:
        extent = [
            (o - 1) * s + effective(k, d)
            for o, k, s, d in zip(spec.out_size, spec.window, spec.stride, spec.dilation)
        ]
    item = np.dtype(dtype).itemsize
    need = batch * math.prod(extent) * channels * item
    if need > max(MIN_BUDGET, BUDGET_FACTOR * data):
        raise NotImplementedError(
            f"{fn}: this configuration needs an intermediate of {need:.3g} bytes for "
            f"{data:.3g} bytes of data (a dilation of {max(spec.dilation)} spans far more "
            f"than the input and output); jconv does not compute such configurations. "
            f"The part that contributes has stride={spec.stride}, dilation={spec.dilation} "
            f"and padding={list(spec.pads)}."
        )


def prepare(
    fn: str, x: jax.Array, kernel: jax.Array, spec: Spec, *, transpose: bool, c_out: int
) -> tuple[jax.Array, jax.Array, Trimmed] | None:
    """Plans, checks the budget and trims a call; ``None`` when the result is all zeros.

    Empty operands also give ``None``: the result is the zeros they sum to.
    """
    t = plan(spec, transpose)
    if t is None or x.size == 0 or kernel.size == 0:
        return None
    batch, c_in = lower_bound(x.shape[0]), x.shape[spec.layout.channel_axis]
    dtype = spec.preferred_element_type or x.dtype
    item = np.dtype(dtype).itemsize
    data = batch * (math.prod(spec.in_size) * c_in + math.prod(spec.out_size) * c_out) * item
    check_budget(fn, t.spec, transpose, batch, max(c_in, c_out), dtype, data)
    x, kernel = trim(x, kernel, t)
    return x, kernel, t


def trim(x: jax.Array, kernel: jax.Array, t: Trimmed) -> tuple[jax.Array, jax.Array]:
    """Slices the contributing part of ``x`` and of the kernel's window."""
    layout = t.full.layout
    start, limit = [0] * x.ndim, list(x.shape)
    for axis, cut in zip(layout.spatial_axes, t.cuts):
        start[axis], limit[axis] = cut.data
    if start != [0] * x.ndim or limit != list(x.shape):
        x = lax.slice(x, start, limit)
    kstart, klimit = [0] * kernel.ndim, list(kernel.shape)
    for axis, cut in enumerate(t.cuts):
        kstart[axis], klimit[axis] = cut.taps
    if kstart != [0] * kernel.ndim or klimit != list(kernel.shape):
        kernel = lax.slice(kernel, kstart, klimit)
    return x, kernel


def restore(out: jax.Array, t: Trimmed) -> jax.Array:
    """Pads the computed outputs back to the full output size with zeros."""
    pads = [(a, o - b) for (a, b), o in zip((c.out for c in t.cuts), t.full.out_size)]
    if not any(lo or hi for lo, hi in pads):
        return out
    return pad_spatial(out, t.full.layout, pads)


def zeros(spec: Spec, batch: int, channels: int, dtype) -> jax.Array:
    """The all-zero result, for calls where nothing contributes."""
    return jnp.zeros(spec.out_shape(batch, channels), spec.preferred_element_type or dtype)
