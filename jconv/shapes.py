"""Integer shape arithmetic for convolution and transposed convolution.

Everything here works on plain Python ints, needs no arrays and returns plain
``int`` values (never NumPy scalars), so it can plan a model outside ``jit``.
Per-dimension functions take one spatial size; the ``*_shape(s)`` functions
take the spatial sizes and window sizes of every dimension at once.

The rules (Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning", 2016, relationships 6, 13 and 14, generalised to dilation and
asymmetric padding), with ``eff = d * (k - 1) + 1`` the dilated kernel size:

* conv, padding ``(lo, hi)``: ``o = floor((i + lo + hi - eff) / s) + 1``.
* conv, ``"SAME"``: ``o = ceil(i / s)``; the total padding
  ``max(0, (o - 1) * s + eff - i)`` is split with the odd unit after
  (``"SAME_LOWER"``: before), as in TensorFlow and XLA. ``"CAUSAL"`` pads
  ``eff - 1`` before and nothing after (Keras), which gives the same sizes.
* transpose: an output size ``o`` is accepted iff ``conv`` maps ``o`` back to
  the input size; with stride ``s`` that is a run of ``s`` consecutive sizes.
  The default is the smallest (``(i - 1) * s + eff - lo - hi``), except for
  ``"SAME"``, whose default is the largest, ``i * s``, as in TensorFlow/Keras.

Examples:
    >>> from jconv import shapes
    >>> shapes.conv_output_size(5, 3, stride=2, padding="SAME")
    3
    >>> shapes.same_padding(5, 4, stride=2)
    (1, 2)
    >>> shapes.transpose_output_sizes(2, 3, stride=2, padding="VALID")
    range(5, 7)
    >>> shapes.transpose_output_shape((2, 2), (3, 3), stride=2, padding="VALID")
    (5, 5)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from jconv._args import per_dim_ints, show, static_int
from jconv._padding import PadSpec, describe, normalize_padding, padding_mode

__all__ = [
    "conv_output_shape",
    "conv_output_size",
    "effective_kernel_size",
    "resolve_padding",
    "same_padding",
    "transpose_output_shape",
    "transpose_output_shapes",
    "transpose_output_size",
    "transpose_output_sizes",
]

Padding = Any  # a mode string, an int, or a (lo, hi) pair (per dimension)

# ---------------------------------------------------------------------------
# Internal per-dimension rules. `fn` names the public function for messages;
# sizes are already validated ints.


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


def _eff(k: int, d: int) -> int:
    return d * (k - 1) + 1


def _same_pads(i: int, k: int, s: int, d: int, lower: bool) -> tuple[int, int]:
    o = -(-i // s)
    total = max(0, (o - 1) * s + _eff(k, d) - i)
    small, big = total // 2, total - total // 2
    return (big, small) if lower else (small, big)


def forward_pads(i: int, k: int, s: int, pad: PadSpec, d: int) -> tuple[int, int]:
    """Forward-conv padding of one dimension for an input of size ``i``."""
    if pad == "VALID":
        return (0, 0)
    if pad == "CAUSAL":
        return (_eff(k, d) - 1, 0)
    if isinstance(pad, str):
        return _same_pads(i, k, s, d, lower=pad == "SAME_LOWER")
    return pad


def _what(k: int, s: int, pad: PadSpec, d: int) -> str:
    dil = f", dilation {d}" if d != 1 else ""
    return f"with stride {s}, kernel {k}{dil}, {describe(pad)}"


def conv_out(fn: str, dim: Dim) -> int:
    """Output size of one dimension; raises if it would be zero or negative."""
    j, i, k, s, pad, d = dim
    if isinstance(pad, str) and pad != "VALID":
        if i < 1:
            raise ValueError(
                f"{fn}: spatial dimension {j} of the input has size {i}; {pad} padding "
                f"gives a zero-size output, which is not allowed."
            )
        return -(-i // s)
    lo, hi = forward_pads(i, k, s, pad, d)
    span = i + lo + hi
    eff = _eff(k, d)
    if span < eff:
        raise ValueError(
            f"{fn}: spatial dimension {j} has no output: the kernel spans {eff} "
            f"(kernel {k}, dilation {d}) but the padded input spans only {span} "
            f"(size {i}, padding ({lo}, {hi})); use a smaller kernel or dilation, more "
            f"padding, or 'SAME'."
        )
    return (span - eff) // s + 1


def out_range(fn: str, dim: Dim) -> range:
    """The output sizes a transpose accepts in one dimension (never empty)."""
    j, i, k, s, pad, d = dim
    if i < 1:
        raise ValueError(
            f"{fn}: spatial dimension {j} of the input has size {i}; a transposed "
            f"convolution needs at least 1 (it is the output of a convolution)."
        )
    if isinstance(pad, str) and pad != "VALID":
        return range((i - 1) * s + 1, i * s + 1)
    lo, hi = forward_pads(i, k, s, pad, d)
    low = (i - 1) * s + _eff(k, d) - lo - hi
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
        f"of size {i} comes from {sizes}; pass one of {list(ok)}."
    )


def default_out(fn: str, dim: Dim, extra: int) -> int:
    """Default transpose output size of one dimension, plus ``output_padding``."""
    j, i, k, s, pad, d = dim
    if i < 1 or (isinstance(pad, str) and pad != "VALID"):
        return out_range(fn, dim)[-1]  # raises for an empty input
    lo, hi = forward_pads(i, k, s, pad, d)
    o = (i - 1) * s + _eff(k, d) - lo - hi + extra
    if o < 1:
        ok = out_range(fn, dim)  # raises when no output size works at all
        raise ValueError(
            f"{fn}: spatial dimension {j} has no output: {_what(k, s, pad, d)} and "
            f"output_padding {extra}, the default output size is {o}; pass "
            f"output_shape with one of {list(ok)}."
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


# ---------------------------------------------------------------------------
# Public per-dimension functions.


def _dim_args(fn: str, input_size: Any, kernel_size: Any, stride: Any, dilation: Any):
    i = static_int(fn, "input_size", input_size)
    k = static_int(fn, "kernel_size", kernel_size)
    s = static_int(fn, "stride", stride)
    d = static_int(fn, "dilation", dilation)
    for name, v, low in (
        ("input_size", i, 0),
        ("kernel_size", k, 1),
        ("stride", s, 1),
        ("dilation", d, 1),
    ):
        if v < low:
            raise ValueError(f"{fn}: `{name}` must be >= {low}; received {name}={v}.")
    return i, k, s, d


def _dim_pad(fn: str, padding: Any) -> PadSpec:
    if isinstance(padding, str):
        return padding_mode(fn, padding)
    return normalize_padding(fn, [padding], 1)[0]


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """The span of a dilated kernel: ``dilation * (kernel_size - 1) + 1``.

    >>> effective_kernel_size(3, dilation=2)
    5
    """
    fn = "jconv.shapes.effective_kernel_size"
    _, k, _, d = _dim_args(fn, 0, kernel_size, 1, dilation)
    return _eff(k, d)


def same_padding(
    input_size: int, kernel_size: int, stride: int = 1, dilation: int = 1, *, lower: bool = False
) -> tuple[int, int]:
    """The ``(lo, hi)`` padding of ``"SAME"`` (or ``"SAME_LOWER"``) for one dimension.

    >>> same_padding(4, 3, stride=2)
    (0, 1)
    >>> same_padding(4, 3, stride=2, lower=True)
    (1, 0)
    """
    i, k, s, d = _dim_args("jconv.shapes.same_padding", input_size, kernel_size, stride, dilation)
    return _same_pads(i, k, s, d, lower)


def resolve_padding(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Padding = "VALID",
    dilation: int = 1,
) -> tuple[int, int]:
    """The ``(lo, hi)`` pair any padding form means for a conv input of this size.

    For a transpose, pass its *output* size: that is the forward conv's input.

    >>> resolve_padding(5, 3, 1, "SAME"), resolve_padding(5, 3, 1, 2), resolve_padding(5, 3, 1, (0, 1))
    ((1, 1), (2, 2), (0, 1))
    """
    fn = "jconv.shapes.resolve_padding"
    i, k, s, d = _dim_args(fn, input_size, kernel_size, stride, dilation)
    return forward_pads(i, k, s, _dim_pad(fn, padding), d)


def conv_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Padding = "VALID",
    dilation: int = 1,
) -> int:
    """Output size of a convolution in one dimension (raises if it would be < 1).

    >>> conv_output_size(4, 3, stride=2, padding="VALID"), conv_output_size(6, 3, 2, "SAME")
    (1, 3)
    """
    fn = "jconv.shapes.conv_output_size"
    i, k, s, d = _dim_args(fn, input_size, kernel_size, stride, dilation)
    return conv_out(fn, Dim(0, i, k, s, _dim_pad(fn, padding), d))


def transpose_output_sizes(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Padding = "VALID",
    dilation: int = 1,
) -> range:
    """Every output size a transposed convolution accepts in one dimension.

    These are the sizes that ``conv`` with the same arguments maps back to
    ``input_size``: ``stride`` consecutive sizes.

    >>> transpose_output_sizes(2, 3, stride=1), transpose_output_sizes(2, 3, 2, "SAME")
    (range(4, 5), range(3, 5))
    """
    fn = "jconv.shapes.transpose_output_sizes"
    i, k, s, d = _dim_args(fn, input_size, kernel_size, stride, dilation)
    return out_range(fn, Dim(0, i, k, s, _dim_pad(fn, padding), d))


def transpose_output_size(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: Padding = "VALID",
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    """Default output size of a transposed convolution in one dimension.

    ``(i - 1) * s + d * (k - 1) + 1 - lo - hi + output_padding``; ``"SAME"``
    gives ``i * s`` and takes no ``output_padding``.

    >>> transpose_output_size(2, 3, stride=2), transpose_output_size(2, 3, 2, output_padding=1)
    (5, 6)
    >>> transpose_output_size(3, 4, stride=2, padding=1)
    6
    """
    fn = "jconv.shapes.transpose_output_size"
    i, k, s, d = _dim_args(fn, input_size, kernel_size, stride, dilation)
    pad = _dim_pad(fn, padding)
    (extra,) = check_output_padding(fn, output_padding, 1, (s,), (d,), (pad,))
    return default_out(fn, Dim(0, i, k, s, pad, d), extra)


# ---------------------------------------------------------------------------
# Public whole-shape functions (spatial sizes only).


def _shape_args(
    fn: str, input_shape: Any, kernel_shape: Any, stride: Any, padding: Any, dilation: Any
):
    if not isinstance(input_shape, Sequence) or not isinstance(kernel_shape, Sequence):
        raise TypeError(
            f"{fn}: `input_shape` and `kernel_shape` must be sequences of spatial sizes; "
            f"received input_shape={input_shape!r}, kernel_shape={kernel_shape!r}."
        )
    n = len(input_shape)
    if len(kernel_shape) != n or n < 1:
        raise ValueError(
            f"{fn}: `input_shape` and `kernel_shape` must list the same number (>= 1) of "
            f"spatial sizes; received input_shape={input_shape!r}, kernel_shape={kernel_shape!r}."
        )
    sizes = per_dim_ints(fn, "input_shape", input_shape, n, minimum=0)
    window = per_dim_ints(fn, "kernel_shape", kernel_shape, n, minimum=1)
    s = per_dim_ints(fn, "stride", stride, n, minimum=1)
    d = per_dim_ints(fn, "dilation", dilation, n, minimum=1)
    pads = normalize_padding(fn, padding, n)
    return dims_of(sizes, window, s, pads, d), s, d, pads


def conv_output_shape(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    stride: Any = 1,
    padding: Any = "VALID",
    dilation: Any = 1,
) -> tuple[int, ...]:
    """Spatial output shape of ``jconv.conv``.

    >>> conv_output_shape((4, 6), (3, 3), stride=2, padding="SAME")
    (2, 3)
    """
    fn = "jconv.shapes.conv_output_shape"
    dims, *_ = _shape_args(fn, input_shape, kernel_shape, stride, padding, dilation)
    return tuple(conv_out(fn, dim) for dim in dims)


def transpose_output_shapes(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    stride: Any = 1,
    padding: Any = "VALID",
    dilation: Any = 1,
) -> tuple[range, ...]:
    """Per dimension, every spatial output size ``jconv.conv_transpose`` accepts.

    >>> transpose_output_shapes((2, 3), (3, 3), stride=2, padding="SAME")
    (range(3, 5), range(5, 7))
    """
    fn = "jconv.shapes.transpose_output_shapes"
    dims, *_ = _shape_args(fn, input_shape, kernel_shape, stride, padding, dilation)
    return tuple(out_range(fn, dim) for dim in dims)


def transpose_output_shape(
    input_shape: Sequence[int],
    kernel_shape: Sequence[int],
    stride: Any = 1,
    padding: Any = "VALID",
    dilation: Any = 1,
    output_padding: Any = None,
) -> tuple[int, ...]:
    """Default spatial output shape of ``jconv.conv_transpose``.

    >>> transpose_output_shape((2, 2), (3, 3), stride=2, output_padding=1)
    (6, 6)
    """
    fn = "jconv.shapes.transpose_output_shape"
    dims, s, d, pads = _shape_args(fn, input_shape, kernel_shape, stride, padding, dilation)
    extra = check_output_padding(fn, output_padding, len(dims), s, d, pads)
    return tuple(default_out(fn, dim, a) for dim, a in zip(dims, extra))
