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
from typing import Any, TypeAlias

import numpy as np

from jconv._canonical.args import per_dim_ints, static_int
from jconv._canonical.padding import PadSpec, normalize_padding, padding_mode
from jconv._canonical.sizes import MAX_BYTES as MAX_ARRAY_BYTES
from jconv._canonical.sizes import (
    Dim,
    check_output_padding,
    conv_out,
    default_out,
    dims_of,
    effective,
    forward_pads,
    out_range,
    same_pads,
)
from jconv._canonical.types import IntOrInts, Padding

__all__ = [
    "MAX_ARRAY_BYTES",
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

PaddingDim: TypeAlias = str | int | tuple[int, int]
"""One dimension's padding: a mode string, an int, or a ``(lo, hi)`` pair."""

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
    return effective(k, d)


def same_padding(
    input_size: int, kernel_size: int, stride: int = 1, dilation: int = 1, *, lower: bool = False
) -> tuple[int, int]:
    """The ``(lo, hi)`` padding of ``"SAME"`` (or ``"SAME_LOWER"``) for one dimension.

    >>> same_padding(4, 3, stride=2)
    (0, 1)
    >>> same_padding(4, 3, stride=2, lower=True)
    (1, 0)
    """
    fn = "jconv.shapes.same_padding"
    i, k, s, d = _dim_args(fn, input_size, kernel_size, stride, dilation)
    if not isinstance(lower, (bool, np.bool_)):
        raise TypeError(f"{fn}: `lower` must be a bool; received lower={lower!r}.")
    return same_pads(i, k, s, d, lower)


def resolve_padding(
    input_size: int,
    kernel_size: int,
    stride: int = 1,
    padding: PaddingDim = "VALID",
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
    padding: PaddingDim = "VALID",
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
    padding: PaddingDim = "VALID",
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
    padding: PaddingDim = "VALID",
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
    stride: IntOrInts = 1,
    padding: Padding = "VALID",
    dilation: IntOrInts = 1,
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
    stride: IntOrInts = 1,
    padding: Padding = "VALID",
    dilation: IntOrInts = 1,
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
    stride: IntOrInts = 1,
    padding: Padding = "VALID",
    dilation: IntOrInts = 1,
    output_padding: IntOrInts | None = None,
) -> tuple[int, ...]:
    """Default spatial output shape of ``jconv.conv_transpose``.

    >>> transpose_output_shape((2, 2), (3, 3), stride=2, output_padding=1)
    (6, 6)
    """
    fn = "jconv.shapes.transpose_output_shape"
    dims, s, d, pads = _shape_args(fn, input_shape, kernel_shape, stride, padding, dilation)
    extra = check_output_padding(fn, output_padding, len(dims), s, d, pads)
    return tuple(default_out(fn, dim, a) for dim, a in zip(dims, extra))
