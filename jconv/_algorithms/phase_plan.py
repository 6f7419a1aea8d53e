"""Integer planning for the stride-phase (sub-pixel) transposed convolution.

Pure Python, no JAX import. One spatial dimension at a time: with forward
stride ``s``, dilation ``d``, window ``k`` and low padding ``lo``, the
transposed convolution scatters ``x[i] * w[t]`` to output ``p = i*s + t*d - lo``.
Write ``q = p + lo = s*j + r`` with ``0 <= r < s``: output phase ``r`` only
receives the taps ``t`` with ``t*d ≡ r (mod s)``.

Let ``g = gcd(s, d)``, ``s' = s/g``, ``d' = d/g``. Phases with ``r % g != 0``
receive no tap at all (they are zero). For ``r = g*r'`` the taps are
``t = t0 + m*s'`` with ``t0 = r' * d'^-1 mod s'`` (``d'`` is invertible mod
``s'``), and then ``j = i + c + m*d'`` with ``c = (t0*d' - r') / s'``. So phase
``r`` is a stride-1 correlation of the *undilated* input with the flipped
sub-kernel ``w[t0::s']`` at dilation ``d'`` (not ``d``), shifted by ``c``:

    y_r[j] = sum_m x[j - c - m*d'] * w[t0 + m*s']

All live phases run as one convolution, their sub-kernels right-aligned in a
common window of ``max(M)`` taps (``M`` = taps of a phase) and stacked along
output channels. A phase whose shift ``c`` differs from the largest is read
``delta = max(c) - c`` positions later from that convolution's output; with
``d == 1`` every ``c`` is 0 and the interleave is one transpose. No multiply
ever touches an inserted zero; the only wasted taps are the left zero padding
of phases with one tap fewer than the longest (``k`` not a multiple of ``s'``).
"""

from __future__ import annotations

import dataclasses
import math


@dataclasses.dataclass(frozen=True)
class Phase:
    """One live output phase of one dimension.

    Attributes:
      residue: ``r``: this phase fills the outputs with ``(p + lo) % s == r``.
      first_tap: ``t0``, the first kernel tap of the phase.
      taps: ``M``, the number of taps ``t0, t0 + s', ...`` below ``k``.
      delta: where the phase starts in the stacked convolution's output.
    """

    residue: int
    first_tap: int
    taps: int
    delta: int


@dataclasses.dataclass(frozen=True)
class DimPlan:
    """How one spatial dimension is computed by the phase algorithm.

    Attributes:
      stride: ``s``, the number of output phases (live or zero).
      tap_step: ``s' = s / gcd(s, d)``: the kernel stride within one phase.
      dilation: ``d' = d / gcd(s, d)``: the dilation of the stacked convolution.
      window: taps of the stacked convolution (``max`` over live phases).
      phases: the live phases, by increasing residue.
      pads: ``(lo, hi)`` padding of the stacked convolution (may be negative).
      length: ``J``, positions per phase after the interleave.
      start: first output position within the interleaved ``J * s`` positions.
      size: ``O``, the output size.
      kernel_size: ``k``.
    """

    stride: int
    tap_step: int
    dilation: int
    window: int
    phases: tuple[Phase, ...]
    pads: tuple[int, int]
    length: int
    start: int
    size: int
    kernel_size: int

    @property
    def conv_length(self) -> int:
        """Output length of the stacked convolution in this dimension."""
        return self.length + max(p.delta for p in self.phases)

    @property
    def efficiency(self) -> float:
        """Kernel taps over taps computed by the stacked convolution (1: no zero taps)."""
        return self.kernel_size / (self.window * len(self.phases))

    @property
    def dense(self) -> bool:
        """True when phase ``r`` has taps ``r, r + s, ...`` (``d == 1`` and ``k >= s``).

        Then the phase sub-kernels are a reshape of the kernel (padded to a
        multiple of ``s`` taps), reversed.
        """
        return (
            self.tap_step == self.stride and self.dilation == 1 and len(self.phases) == self.stride
        )

    @property
    def regular(self) -> bool:
        """True when the interleave is a pure reshape (every phase live, no shifts)."""
        return len(self.phases) == self.stride and all(p.delta == 0 for p in self.phases)


def _live_phases(k: int, s: int, d: int) -> list[tuple[int, int, int, int]]:
    """``(residue, t0, taps, c)`` for every phase that receives at least one tap.

    Taps ``t`` and ``t + s'`` land in the same phase and the first ``s'`` taps
    in distinct ones, so the live phases are those of the taps
    ``t0 < min(k, s')``: the work is ``O(min(k, s))``, whatever the stride.
    """
    s1 = s // math.gcd(s, d)
    live = []
    for t0 in range(min(k, s1)):
        residue = (t0 * d) % s
        taps = (k - 1 - t0) // s1 + 1
        live.append((residue, t0, taps, (t0 * d - residue) // s))
    return sorted(live)


def plan_dim(i: int, o: int, k: int, s: int, d: int, lo: int) -> DimPlan:
    """Plans one dimension: input size ``i``, output size ``o``, forward padding low ``lo``.

    Args:
      i: input size of the transposed convolution (the forward conv's output).
      o: output size (any size in the accepted range, output padding included).
      k: window size.
      s: forward stride.
      d: forward (kernel) dilation.
      lo: forward low padding (may be negative).

    Returns:
      The :class:`DimPlan`.
    """
    g = math.gcd(s, d)
    s1, d1 = s // g, d // g
    j_lo = lo // s
    length = (lo + o - 1) // s - j_lo + 1
    live = _live_phases(k, s, d)
    window = max(m for _, _, m, _ in live)
    c_max = max(c for *_, c in live)
    phases = tuple(Phase(r, t0, m, c_max - c) for r, t0, m, c in live)
    pad_lo = c_max - j_lo + d1 * (window - 1)
    conv_length = max(p.delta for p in phases) + length
    pad_hi = conv_length - i - pad_lo + d1 * (window - 1)
    return DimPlan(
        stride=s,
        tap_step=s1,
        dilation=d1,
        window=window,
        phases=phases,
        pads=(pad_lo, pad_hi),
        length=length,
        start=lo - s * j_lo,
        size=o,
        kernel_size=k,
    )


def plan(spec) -> tuple[DimPlan, ...]:
    """The per-dimension plans of a transposed convolution's spec (:class:`jconv._canonical.spec.Spec`)."""
    return tuple(
        plan_dim(i, o, k, s, d, lo)
        for i, o, k, s, d, (lo, _) in zip(
            spec.in_size, spec.out_size, spec.window, spec.stride, spec.dilation, spec.pads
        )
    )
