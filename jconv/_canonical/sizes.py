"""Per-dimension size rules: the one place output sizes and padding pairs are computed.

Pure Python, no JAX import; every result is a plain ``int``. ``fn`` names the
public function for messages; sizes are already validated ints. The public
wrappers are in :mod:`jconv.shapes`; the canonicalizer (:mod:`.spec`) and the
compat layers (through :mod:`jconv.shapes`) read the same rules.

With ``eff = d * (k - 1) + 1`` (Dumoulin & Visin, "A guide to convolution
arithmetic for deep learning", relationships 6, 13 and 14, generalised to
dilation and asymmetric padding):

* conv, padding ``(lo, hi)``: ``o = floor((i + lo + hi - eff) / s) + 1``;
* conv, ``"SAME"``: ``o = ceil(i / s)``, total padding ``max(0, (o - 1) * s + eff - i)``;
* transpose: the output sizes ``o`` that conv maps back to ``i``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from jconv._canonical.args import per_dim_ints, show
from jconv._canonical.padding import PadSpec, describe

MAX_BYTES = 2**40
"""The largest array (output or intermediate) a call may create: 1 TiB.

No accelerator or host holds an array that large; a configuration that needs
one (e.g. a padding of ``10**12``) is a ``ValueError`` before XLA sees it,
instead of an allocation failure, a process abort or a hang inside XLA. The
canonicalizer lowers the bound to the devices' memory where that is smaller.
"""


class Dim(NamedTuple):
    """One spatial dimension of an op: its index, input size and arguments."""

    number: int
    size: int
    kernel: int
    stride: int
    pad: PadSpec
    dilation: int


def dims_of(sizes, window, strides, pads, dilations) -> list[Dim]:
    """Zips per-dimension arguments into :class:`Dim` records."""
    return [Dim(j, *args) for j, args in enumerate(zip(sizes, window, strides, pads, dilations))]


def effective(k: int, d: int) -> int:
    """The span of a dilated kernel, ``d * (k - 1) + 1``."""
    return d * (k - 1) + 1


def same_pads(i: int, k: int, s: int, d: int, lower: bool) -> tuple[int, int]:
    o = -(-i // s)
    total = max(0, (o - 1) * s + effective(k, d) - i)
    small, big = total // 2, total - total // 2
    return (big, small) if lower else (small, big)


def forward_pads(i: int, k: int, s: int, pad: PadSpec, d: int) -> tuple[int, int]:
    """Forward-conv padding of one dimension for an input of size ``i``."""
    if pad == "VALID":
        return (0, 0)
    if pad == "CAUSAL":
        return (effective(k, d) - 1, 0)
    if isinstance(pad, str):
        return same_pads(i, k, s, d, lower=pad == "SAME_LOWER")
    return pad


def _one_of(ok: range) -> str:
    """The accepted sizes, listed when few (a stride of 10**12 accepts 10**12 sizes)."""
    if len(ok) <= 16:
        return f"one of {list(ok)}"
    return f"a size from {ok[0]} to {ok[-1]}"


def _kernel(fn: str) -> str:
    """The argument that gives the window size, for messages."""
    if ".shapes." not in fn:
        return "kernel size"
    return "`kernel_shape`" if fn.endswith(("_shape", "_shapes")) else "`kernel_size`"


def _input(fn: str) -> str:
    """The argument that gives the input size, for messages."""
    if ".shapes." not in fn:
        return "`x`"
    return "`input_shape`" if fn.endswith(("_shape", "_shapes")) else "`input_size`"


def _what(k: int, s: int, pad: PadSpec, d: int) -> str:
    dil = f", dilation {d}" if d != 1 else ""
    return f"with stride {s}, kernel {k}{dil}, {describe(pad)}"


def conv_out(fn: str, dim: Dim) -> int:
    """Output size of one dimension; raises if it would be zero or negative."""
    j, i, k, s, pad, d = dim
    if isinstance(pad, str) and pad != "VALID":
        if i < 1:
            raise ValueError(
                f"{fn}: spatial dimension {j} of the input ({_input(fn)}) has size {i}; {pad} padding "
                f"gives a zero-size output, which is not allowed."
            )
        return -(-i // s)
    lo, hi = forward_pads(i, k, s, pad, d)
    span = i + lo + hi
    eff = effective(k, d)
    if span < eff:
        raise ValueError(
            f"{fn}: spatial dimension {j} has no output: the kernel spans {eff} "
            f"({_kernel(fn)} {k}, dilation {d}) but the padded input spans only {span} "
            f"(size {i}, padding ({lo}, {hi})); use a smaller kernel or dilation, more "
            f"padding, or 'SAME'."
        )
    return (span - eff) // s + 1


def out_range(fn: str, dim: Dim) -> range:
    """The output sizes a transpose accepts in one dimension (never empty)."""
    j, i, k, s, pad, d = dim
    if i < 1:
        raise ValueError(
            f"{fn}: spatial dimension {j} of the input ({_input(fn)}) has size {i}; a transposed "
            f"convolution needs at least 1 (it is the output of a convolution)."
        )
    if isinstance(pad, str) and pad != "VALID":
        return range((i - 1) * s + 1, i * s + 1)
    lo, hi = forward_pads(i, k, s, pad, d)
    low = (i - 1) * s + effective(k, d) - lo - hi
    if low + s - 1 < 1:
        raise ValueError(
            f"{fn}: spatial dimension {j} has no output: {_what(k, s, pad, d)}, an input "
            f"of size {i} would come from size {low}; reduce the padding."
        )
    return range(max(low, 1), low + s)


def check_out(fn: str, dim: Dim, o: int) -> None:
    """Raises unless ``conv`` maps output size ``o`` back to the input size."""
    ok = out_range(fn, dim)
    j, i, k, s, pad, d = dim
    if o in ok:
        return
    sizes = f"size {ok[0]}" if len(ok) == 1 else f"sizes {ok[0]} to {ok[-1]}"
    raise ValueError(
        f"{fn}: output_shape[{j}]={o} is not reachable: {_what(k, s, pad, d)}, an input "
        f"of size {i} comes from {sizes}; pass {_one_of(ok)}."
    )


def default_out(fn: str, dim: Dim, extra: int) -> int:
    """Default transpose output size of one dimension, plus ``output_padding``."""
    j, i, k, s, pad, d = dim
    if i < 1 or (isinstance(pad, str) and pad != "VALID"):
        return out_range(fn, dim)[-1]  # raises for an empty input
    lo, hi = forward_pads(i, k, s, pad, d)
    o = (i - 1) * s + effective(k, d) - lo - hi + extra
    if o < 1:
        ok = out_range(fn, dim)  # raises when no output size works at all
        raise ValueError(
            f"{fn}: spatial dimension {j} has no output: {_what(k, s, pad, d)} and "
            f"output_padding {extra}, the default output size is {o}; pass "
            f"output_shape with {_one_of(ok)}."
        )
    return o


def check_output_padding(
    fn: str,
    output_padding: Any,
    ndim: int,
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    pads: tuple[PadSpec, ...],
) -> tuple[int, ...]:
    """Validates ``output_padding`` by PyTorch's rule: ``0 <= a < max(s, d)``."""
    if output_padding is None:
        return (0,) * ndim
    extra = per_dim_ints(fn, "output_padding", output_padding, ndim, minimum=0)
    for dim, (a, s, d, p) in enumerate(zip(extra, stride, dilation, pads)):
        if a and isinstance(p, str) and p != "VALID":
            raise ValueError(
                f"{fn}: `output_padding` cannot be used with {p} padding (its default output, "
                f"input * stride, is already the largest it accepts); received "
                f"output_padding={show(output_padding)}. Pass output_shape to pick a size."
            )
        if a >= max(s, d):
            raise ValueError(
                f"{fn}: output_padding[{dim}]={a} must be smaller than the stride ({s}) or "
                f"the dilation ({d}) of that dimension; use 0 to {max(s, d) - 1}."
            )
    return extra
