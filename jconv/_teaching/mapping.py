"""The index mapping of a convolution or transposed convolution, read off ``jconv`` itself.

``python -m jconv explain``, ``jconv.viz`` and the shape report show which
input cell reaches which output cell through which kernel tap. None of that
comes from a hand-written formula: :func:`index_map` pushes one-hot inputs
through :func:`jconv.conv` / :func:`jconv.conv_transpose` with a one-hot kernel
per tap, so entry ``[i, o, t]`` is true exactly when the library multiplies
input cell ``i`` by tap ``t`` into output cell ``o``. Sizes come from
:mod:`jconv.shapes`, and the op's result shape is checked against them.

The drawing geometry (:class:`Axis`) is conv_arithmetic's picture: a window
sliding over a *canvas* — the padded input for a convolution, the
zero-inserted and padded input for a transposed one (Dumoulin & Visin,
"A guide to convolution arithmetic for deep learning", 2016, section 4).
It places the cells that the library never sees (padding, inserted zeros);
:func:`index_map` checks, for every output and tap, that the geometry lands
on exactly the input cell the library used, and raises if it ever does not.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from jconv import shapes
from jconv._canonical.args import is_sequence, per_dim_ints
from jconv._canonical.padding import normalize_padding
from jconv._teaching.names import KINDS, SYNONYMS

DEFAULT_NDIM = 2  # spatial dims when only ints are given: every command and jconv.viz
MAX_CELLS = 20_000_000  # inputs x outputs x taps pushed through the library


@dataclasses.dataclass(frozen=True)
class Axis:
    """Geometry of one spatial dimension: where each cell sits on the canvas.

    Canvas positions run from 0 to ``length - 1``; output ``o`` reads the
    window whose ``j``-th cell is at ``o * step + j * dilation``, and that cell
    holds tap ``k - 1 - j`` for a transpose (the kernel is flipped), ``j``
    for a convolution. Input cell ``i`` sits at ``origin + i * spacing``; a
    negative ``origin`` (or an input reaching past ``length``) means the
    padding crops the input.
    """

    in_size: int
    out_size: int
    kernel: int
    stride: int
    dilation: int
    pads: tuple[int, int]  # the forward convolution's (lo, hi)
    origin: int
    spacing: int
    step: int
    length: int
    flipped: bool

    def input_pos(self, i: int) -> int:
        return self.origin + i * self.spacing

    def tap_at(self, j: int) -> int:
        """The kernel tap in window cell ``j``."""
        return self.kernel - 1 - j if self.flipped else j

    def window(self, o: int) -> list[tuple[int, int]]:
        """``(canvas position, tap)`` of every window cell of output ``o``."""
        return [(o * self.step + j * self.dilation, self.tap_at(j)) for j in range(self.kernel)]

    def input_at(self, c: int) -> int | None:
        """The input cell at canvas position ``c``, if any."""
        q, r = divmod(c - self.origin, self.spacing)
        return q if r == 0 and 0 <= q < self.in_size else None

    @property
    def extent(self) -> range:
        """Canvas positions to draw: the canvas plus any input cells it crops."""
        last_input = self.input_pos(self.in_size - 1)
        return range(min(0, self.origin), max(self.length, last_input + 1))

    def cell(self, c: int) -> str:
        """What sits at canvas position ``c``.

        One of ``"input"``, ``"zero"`` (inserted between inputs), ``"pad"``,
        ``"cropped"`` (an input cell the padding removes) or ``"cropped_zero"``.
        """
        inside = 0 <= c < self.length
        if self.input_at(c) is not None:
            return "input" if inside else "cropped"
        if self.origin < c < self.input_pos(self.in_size - 1):
            return "zero" if inside else "cropped_zero"
        return "pad"


@dataclasses.dataclass(frozen=True)
class IndexMap:
    """Which input cell reaches which output cell through which tap, per the library.

    ``links[(*i, *o, *t)]`` is true iff input cell ``i`` times kernel tap
    ``t`` is summed into output cell ``o`` (all multi-indices). ``call`` is
    the library call that produced it (for messages and for printing).
    """

    kind: str
    axes: tuple[Axis, ...]
    links: np.ndarray
    groups: int
    padding: Any
    call: str

    @property
    def ndim(self) -> int:
        return len(self.axes)

    @property
    def in_size(self) -> tuple[int, ...]:
        return tuple(a.in_size for a in self.axes)

    @property
    def out_size(self) -> tuple[int, ...]:
        return tuple(a.out_size for a in self.axes)

    @property
    def window(self) -> tuple[int, ...]:
        return tuple(a.kernel for a in self.axes)

    def outputs(self) -> list[tuple[int, ...]]:
        """Every output position, in row-major order (one animation frame each)."""
        return list(itertools.product(*(range(o) for o in self.out_size)))

    def sources(self, o: Sequence[int]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """``(input cell, tap)`` pairs summed into output ``o``, in input order."""
        n = self.ndim
        sub = self.links[(slice(None),) * n + tuple(o)]  # (*in, *window)
        found = [
            (tuple(int(v) for v in ix[:n]), tuple(int(v) for v in ix[n:]))
            for ix in np.argwhere(sub)
        ]
        return sorted(found)

    def receptive_field(self, o: Sequence[int]) -> set[tuple[int, ...]]:
        """The input cells that feed output ``o``."""
        return {i for i, _ in self.sources(o)}

    def footprint(self, o: Sequence[int]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """``(canvas position, tap)`` of every cell of output ``o``'s window."""
        per_axis = [ax.window(oi) for ax, oi in zip(self.axes, o)]
        return [
            (tuple(c for c, _ in cells), tuple(t for _, t in cells))
            for cells in itertools.product(*per_axis)
        ]

    def tap_counts(self) -> np.ndarray:
        """How many (input, tap) products each output cell sums, shape ``out_size``."""
        n = self.ndim
        axes = tuple(range(n)) + tuple(range(2 * n, 3 * n))
        return self.links.sum(axis=axes)


def as_sizes(name: str, value: Any, ndim: int) -> tuple[int, ...]:
    """An int broadcast to ``ndim`` dims, or a sequence of exactly ``ndim`` ints."""
    return per_dim_ints("jconv.viz", name, value, ndim, minimum=None)


def infer_ndim(*values: Any, default: int = DEFAULT_NDIM) -> int:
    """The number of spatial dims: the length of any sequence argument, else ``default``."""
    lengths = {len(v) for v in values if is_sequence(v)}
    if len(lengths) > 1:
        raise ValueError(
            f"sizes given for different numbers of spatial dimensions: {sorted(lengths)}; "
            f"give every per-dimension argument the same length."
        )
    return lengths.pop() if lengths else default


def _axes(kind: str, in_size, out_size, window, stride, dilation, padding) -> tuple[Axis, ...]:
    specs = normalize_padding("jconv.explain", padding, len(in_size))
    axes = []
    for i, o, k, s, d, p in zip(in_size, out_size, window, stride, dilation, specs):
        eff = shapes.effective_kernel_size(k, d)
        if kind == "conv":
            lo, hi = shapes.resolve_padding(i, k, s, p, d)
            axes.append(
                Axis(
                    i,
                    o,
                    k,
                    s,
                    d,
                    (lo, hi),
                    origin=lo,
                    spacing=1,
                    step=s,
                    length=i + lo + hi,
                    flipped=False,
                )
            )
        else:  # the forward conv's input is the transpose's output
            lo, hi = shapes.resolve_padding(o, k, s, p, d)
            axes.append(
                Axis(
                    i,
                    o,
                    k,
                    s,
                    d,
                    (lo, hi),
                    origin=eff - 1 - lo,
                    spacing=s,
                    step=1,
                    length=o + eff - 1,
                    flipped=True,
                )
            )
    return tuple(axes)


def _fmt(v: tuple[int, ...]) -> Any:
    return v[0] if len(set(v)) == 1 else v


def index_map(
    kind: str,
    input_size: Any,
    kernel_size: Any,
    stride: Any = 1,
    padding: Any = "VALID",
    *,
    dilation: Any = 1,
    output_padding: Any = 0,
    output_size: Any = None,
    groups: int = 1,
    ndim: int | None = None,
) -> IndexMap:
    """Runs the library on one-hot inputs and kernels and returns what it connects.

    Args:
      kind: ``"conv"`` or ``"transpose"``.
      input_size, kernel_size: an int (every dimension) or one per dimension.
      stride, padding, dilation: as for :func:`jconv.conv` / :func:`jconv.conv_transpose`.
      output_padding, output_size: transpose only (``output_size`` picks one
        of the sizes :func:`jconv.shapes.transpose_output_shapes` accepts).
      groups: recorded for the channel view (:func:`channel_links`).
      ndim: spatial dims; default: the length of any sequence argument, else
        :data:`DEFAULT_NDIM` (2).

    Raises:
      ValueError, TypeError: whatever ``jconv`` raises for these arguments,
        or a case too large to show.

    Examples:
      The tutorial's stride-2 transpose in 1-D: output cell 2 sums input 0
      times tap 2 and input 1 times tap 0.

      >>> m = index_map("transpose", 2, 3, stride=2, ndim=1)
      >>> m.out_size, m.sources((2,))
      ((5,), [((0,), (2,)), ((1,), (0,))])
      >>> [m.axes[0].cell(c) for c in m.axes[0].extent]
      ['pad', 'pad', 'input', 'zero', 'input', 'pad', 'pad']
    """
    import jax
    import jax.numpy as jnp

    import jconv

    if kind not in KINDS:
        meant = SYNONYMS.get(kind.lower()) if isinstance(kind, str) else None
        hint = f" (a transposed convolution is kind={meant!r})" if meant else ""
        raise ValueError(f"`kind` must be 'conv' or 'transpose'; received kind={kind!r}{hint}.")
    if ndim is None:
        ndim = infer_ndim(input_size, kernel_size, stride, dilation, output_size)
    in_size = as_sizes("input_size", input_size, ndim)
    window = as_sizes("kernel_size", kernel_size, ndim)
    strides = as_sizes("stride", stride, ndim)
    dilations = as_sizes("dilation", dilation, ndim)
    extra = as_sizes("output_padding", output_padding, ndim)
    if kind == "conv":
        if any(extra) or output_size is not None:
            raise ValueError("`output_padding` and `output_size` are for transposes only.")
        out_size = shapes.conv_output_shape(in_size, window, strides, padding, dilations)
    elif output_size is not None:
        if any(extra):
            raise ValueError("pass either `output_size` or `output_padding`, not both.")
        out_size = as_sizes("output_size", output_size, ndim)
    else:
        out_size = shapes.transpose_output_shape(
            in_size, window, strides, padding, dilations, output_padding=extra
        )
    cells = math.prod(in_size) * math.prod(out_size) * math.prod(window)
    if cells > MAX_CELLS:
        raise ValueError(
            f"this case is too large to show (input {in_size}, output {out_size}, kernel "
            f"{window}); use smaller sizes."
        )
    b, taps = math.prod(in_size), math.prod(window)
    x = jnp.eye(b, dtype=jnp.float32).reshape(b, *in_size, 1)
    one_hot_taps = jnp.eye(taps, dtype=jnp.float32)
    if kind == "conv":
        kernel = one_hot_taps.reshape(*window, 1, taps)
        y = jconv.conv(x, kernel, strides, padding, dilation=dilations)
        call = (
            f"jconv.conv(x, kernel, stride={_fmt(strides)}, padding={padding!r}, "
            f"dilation={_fmt(dilations)})"
        )
    else:
        kernel = one_hot_taps.reshape(*window, taps, 1)
        kw: dict[str, Any] = (
            {"output_shape": out_size} if output_size is not None else {"output_padding": extra}
        )
        y = jconv.conv_transpose(x, kernel, strides, padding, dilation=dilations, **kw)
        key, val = next(iter(kw.items()))
        call = (
            f"jconv.conv_transpose(x, kernel, stride={_fmt(strides)}, padding={padding!r}, "
            f"dilation={_fmt(dilations)}, {key}={_fmt(val)})"
        )
    if tuple(y.shape[1:-1]) != out_size:
        raise RuntimeError(
            f"internal error: {call} returned spatial shape {tuple(y.shape[1:-1])}, but "
            f"jconv.shapes says {out_size}."
        )
    y = np.asarray(jax.device_get(y)) != 0  # (b, *out, taps)
    links = y.reshape(*in_size, *out_size, *window)
    imap = IndexMap(
        kind,
        _axes(kind, in_size, out_size, window, strides, dilations, padding),
        links,
        groups,
        padding,
        call,
    )
    _check_geometry(imap)
    return imap


def _check_geometry(imap: IndexMap) -> None:
    """Raises unless the canvas geometry puts every tap on the cell the library used."""
    n = imap.ndim
    drawn = np.zeros_like(imap.links)
    for o in imap.outputs():
        for pos, tap in imap.footprint(o):
            axes = zip(imap.axes, pos)
            ins = [ax.input_at(c) if 0 <= c < ax.length else None for ax, c in axes]
            if None not in ins:
                drawn[(*ins, *o, *tap)] = True
    if not np.array_equal(drawn, imap.links):
        bad = np.argwhere(drawn != imap.links)[0]
        raise RuntimeError(
            f"internal error: the drawing geometry disagrees with {imap.call} at input "
            f"{tuple(bad[:n])}, output {tuple(bad[n : 2 * n])}, tap {tuple(bad[2 * n :])}."
        )


def channel_links(kind: str, groups: int, per_group: int = 2) -> np.ndarray:
    """``[c_in, c_out]`` true iff the library connects input channel ``c_in`` to ``c_out``.

    Uses ``per_group`` channels per group on both sides and a 1-wide spatial
    size: channels connect the same way at every position.
    """
    import jax.numpy as jnp

    import jconv

    c = groups * per_group
    x = jnp.eye(c, dtype=jnp.float32).reshape(c, 1, c)
    kernel = jnp.ones((1, per_group, c), jnp.float32)
    if kind == "conv":
        y = jconv.conv(x, kernel, groups=groups)
    else:
        y = jconv.conv_transpose(x, kernel, groups=groups)
    return np.asarray(y).reshape(c, c) != 0
