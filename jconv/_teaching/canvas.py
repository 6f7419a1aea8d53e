"""The canvas padding of a picture, and the arithmetic that gives it.

A transposed convolution is drawn as a stride-1 convolution of the flipped
kernel over the zero-inserted input, padded with ``K - 1 - lo`` cells before
and ``K - 1 - hi + output_padding`` after in each dimension, where
``K = d * (k - 1) + 1`` is the dilated kernel size and ``(lo, hi)`` the
forward convolution's padding (Dumoulin & Visin, "A guide to convolution
arithmetic for deep learning", 2016, relationships 13 and 14: ``k - p - 1``,
plus ``a`` on the far side). A learner sees "padding 1" drawn as one cell
before and two after; the caption says why.

The numbers come from :mod:`jconv.shapes`: ``K`` from
:func:`~jconv.shapes.effective_kernel_size`, ``(lo, hi)`` from
:func:`~jconv.shapes.resolve_padding` (as :func:`index_map` resolved them), and
the extra size from :func:`~jconv.shapes.transpose_output_size`. They are then
checked against the canvas geometry that :func:`index_map` checked against
the library, so the caption and the drawing cannot disagree.
"""

from __future__ import annotations

import dataclasses

from jconv import shapes
from jconv._canonical.padding import PadSpec, normalize_padding
from jconv._teaching.mapping import Axis, IndexMap

__all__ = ["CanvasPadding", "canvas_padding", "caption", "derivation"]


@dataclasses.dataclass(frozen=True)
class CanvasPadding:
    """One dimension's canvas padding and the numbers it is made of.

    Attributes:
      kernel, dilation: the dimension's kernel size ``k`` and dilation ``d``.
      effective: ``K = d * (k - 1) + 1``.
      lo, hi: the forward convolution's padding, resolved to ints.
      extra: what the output size adds after the default one (``output_padding``).
      before, after: canvas cells of padding before the first input cell and
        after the last one (negative: the padding crops that many).
      spec: the dimension's padding as given: a mode string or a ``(lo, hi)`` pair.
      transpose: whether this is a transpose's canvas.
    """

    kernel: int
    dilation: int
    effective: int
    lo: int
    hi: int
    extra: int
    before: int
    after: int
    spec: PadSpec
    transpose: bool


def _drawn(ax: Axis) -> tuple[int, int]:
    """Padding cells before the first and after the last input cell, as the canvas places them."""
    return ax.origin, ax.length - 1 - ax.input_pos(ax.in_size - 1)


def canvas_padding(imap: IndexMap) -> tuple[CanvasPadding, ...]:
    """Per dimension, the padding on the canvas of ``imap`` and where it comes from.

    Raises:
      RuntimeError: the arithmetic of :mod:`jconv.shapes` and the drawn canvas
        disagree (a bug, never a user error).

    Examples:
      PyTorch's ``ConvTranspose1d(kernel_size=3, stride=2, padding=1,
      output_padding=1)``: one cell of padding before, two after.

      >>> from jconv._teaching.mapping import index_map
      >>> m = index_map("transpose", 3, 3, 2, 1, output_padding=1, ndim=1)
      >>> (cp,) = canvas_padding(m)
      >>> cp.before, cp.after, (cp.lo, cp.hi, cp.extra)
      (1, 2, (1, 1, 1))
    """
    specs = normalize_padding("jconv.viz", imap.padding, imap.ndim)
    found = []
    for ax, spec in zip(imap.axes, specs):
        k, s, d = ax.kernel, ax.stride, ax.dilation
        eff = shapes.effective_kernel_size(k, d)
        lo, hi = ax.pads
        if imap.kind == "transpose":
            extra = ax.out_size - shapes.transpose_output_size(ax.in_size, k, s, (lo, hi), d)
            before, after = eff - 1 - lo, eff - 1 - hi + extra
        else:
            extra, before, after = 0, lo, hi
        if (before, after) != _drawn(ax):
            raise RuntimeError(
                f"internal error: jconv.shapes gives canvas padding {(before, after)} but "
                f"{imap.call} is drawn with {_drawn(ax)}."
            )
        found.append(
            CanvasPadding(k, d, eff, lo, hi, extra, before, after, spec, imap.kind == "transpose")
        )
    return tuple(found)


def _paren(v: int, minus: str) -> str:
    return f"({minus}{-v})" if v < 0 else str(v)


def _cells(v: int, where: str, minus: str) -> str:
    return f"{v} {where}" if v >= 0 else f"{minus}{-v} {where} (crops {-v})"


def derivation(cp: CanvasPadding, *, unicode: bool = True) -> str:
    """How ``cp``'s cells before and after are computed, with its numbers.

    Examples:
      >>> from jconv._teaching.mapping import index_map
      >>> m = index_map("transpose", 3, 3, 1, "VALID", dilation=2, ndim=1)
      >>> derivation(canvas_padding(m)[0], unicode=False)
      'K-1-p = 5-1-0 = 4 before, K-1-p = 5-1-0 = 4 after; K = d*(k-1)+1 = 2*(3-1)+1 = 5; VALID gives p = 0'
      >>> m = index_map("transpose", 3, 3, 2, "SAME", ndim=1)
      >>> derivation(canvas_padding(m)[0], unicode=False)
      'k-1-lo = 3-1-0 = 2 before, k-1-hi = 3-1-1 = 1 after; SAME gives (lo, hi) = (0, 1)'
    """
    m, dot = ("−", "·") if unicode else ("-", "*")
    mode = cp.spec if isinstance(cp.spec, str) else None
    if not cp.transpose:
        cells = f"{_cells(cp.before, 'before', m)}, {_cells(cp.after, 'after', m)}"
        return cells if mode is None else f"{mode} gives (lo, hi) = ({cp.lo}, {cp.hi}): {cells}"
    k = "k" if cp.dilation == 1 else "K"
    p_lo, p_hi = ("p", "p") if cp.lo == cp.hi else ("lo", "hi")
    before = f"{k}{m}1{m}{p_lo} = {cp.effective}{m}1{m}{_paren(cp.lo, m)}"
    after = f"{k}{m}1{m}{p_hi} = {cp.effective}{m}1{m}{_paren(cp.hi, m)}"
    if cp.extra:
        after = after.replace(" = ", "+output_padding = ") + f"+{cp.extra}"
    text = f"{before} = {_cells(cp.before, 'before', m)}, {after} = {_cells(cp.after, 'after', m)}"
    if cp.dilation != 1:
        text += f"; K = d{dot}(k{m}1)+1 = {cp.dilation}{dot}({cp.kernel}{m}1)+1 = {cp.effective}"
    if mode is not None:
        p = f"p = {cp.lo}" if cp.lo == cp.hi else f"(lo, hi) = ({cp.lo}, {cp.hi})"
        text += f"; {mode} gives {p}"
    return text


def caption(imap: IndexMap, *, unicode: bool = True) -> list[str]:
    """The lines a picture of ``imap`` states its canvas padding in (none if nothing to say).

    A transpose always gets one (its canvas is padded even for ``"VALID"``); a
    convolution only for a padding mode that resolves to numbers (``"SAME"``,
    ...). Dimensions with the same numbers share one line.

    Examples:
      >>> from jconv._teaching.mapping import index_map
      >>> caption(index_map("transpose", 3, 3, 2, 1, output_padding=1), unicode=False)
      ['canvas padding, each dimension: k-1-p = 3-1-1 = 1 before, k-1-p+output_padding = 3-1-1+1 = 2 after']
      >>> caption(index_map("conv", 4, 3, 1, "VALID"))
      []
    """
    pads = canvas_padding(imap)
    conv_as_given = not isinstance(pads[0].spec, str) or pads[0].spec == "VALID"
    if imap.kind == "conv" and conv_as_given:
        return []  # a convolution's explicit (or no) padding is drawn as written
    texts = [derivation(cp, unicode=unicode) for cp in pads]
    if len(set(texts)) == 1:
        where = "" if imap.ndim == 1 else ", each dimension"
        return [f"canvas padding{where}: {texts[0]}"]
    names = (
        ("rows", "columns") if imap.ndim == 2 else tuple(f"dimension {n}" for n in range(imap.ndim))
    )
    return [f"canvas padding, {name}: {text}" for name, text in zip(names, texts)]
