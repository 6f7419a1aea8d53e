"""Transposed convolution kernels (``Conv2DBackpropInput``, ``Conv3DBackpropInputV2``).

TensorFlow does not compute a transposed conv's output size: the caller gives
it (``output_shape``), and the kernel checks that the *forward* conv of that
size gives back the input size (§3.2). This module runs the same checks, says
which sizes would work when one fails, and makes one ``jconv.conv_transpose``
call for the values.
"""

from __future__ import annotations

from typing import Any

import jax

import jconv
from compat.tf import _dtypes
from compat.tf._args import show
from compat.tf._checks import Attrs, check_attrs
from compat.tf._sizes import (
    default_size,
    negative_size_error,
    output_size,
    show_sizes,
    transpose_sizes,
)
from compat.tf.errors import InvalidArgumentError

LABELS = {2: "Conv2DCustomBackpropInput", 3: "Conv3DBackpropInputOp"}
OPS = {2: "Conv2DBackpropInput", 3: "Conv3DBackpropInputV2"}


def _hint(
    full: list[int], x: jax.Array, window: tuple[int, ...], a: Attrs, dummy: int | None = None
) -> str:
    """What would work: the valid sizes of every spatial dimension and a full example.

    ``dummy`` is the size-1 axis that ``conv1d_transpose`` inserts; it is left
    out so that the hint speaks of the caller's 1-D shapes.
    """
    parts, example, spatial, kept = [], list(full), [], []
    for dim, ax in enumerate(a.spatial_axes()):
        if ax == dummy:
            continue
        i, k, s, d = x.shape[ax], window[dim], a.strides[dim], a.dilations[dim]
        ok = transpose_sizes(i, k, s, d, a.dim_padding(dim))
        shown = ax - 1 if dummy is not None and ax > dummy else ax
        parts.append(f"dimension {shown}: {show_sizes(ok)}")
        if ok:
            example[ax] = default_size(i, k, s, d, a.dim_padding(dim), ok)
        spatial.append(i)
        kept.append(dim)
    if dummy is not None:
        del example[dummy]
    pad = (
        f"padding '{a.padding}'"
        if a.padding != "EXPLICIT"
        else f"explicit padding {[list(a.pads[d]) for d in kept]}"
    )
    text = (
        f" For this input (spatial {spatial}), filter {[window[d] for d in kept]}, strides "
        f"{[a.strides[d] for d in kept]}, dilations {[a.dilations[d] for d in kept]} and "
        f"{pad}, output_shape accepts {', '.join(parts)}"
    )
    if all("none" not in p for p in parts):
        text += f"; for example output_shape={example}"
    return text + "."


def _full_shape(
    op: str, sizes: list[int | None], x: jax.Array, f: jax.Array, a: Attrs
) -> list[int]:
    n = a.n
    if len(sizes) == 2 and n == 2:
        spatial = [v for v in sizes if v is not None]
        if len(spatial) != len(sizes) or min(spatial) < 0:
            raise InvalidArgumentError(
                f"{op}: elements of input_sizes must be >= 0, not {show(sizes)}. A 2-entry "
                f"output_shape is [height, width]."
            )
        full = (
            [x.shape[0], f.shape[2], *spatial]
            if a.channels_first
            else [x.shape[0], *spatial, f.shape[2]]
        )
        return full
    if len(sizes) != n + 2:
        form = "4 values or 2 values" if n == 2 else "5 values"
        raise InvalidArgumentError(
            f"{op} requires input_sizes to contain {form}, but got: {len(sizes)}. Pass "
            f"output_shape as the full output shape (batch, {n} spatial sizes and channels, in "
            f"data_format order)" + (" or as [height, width]." if n == 2 else ".")
        )
    full = [x.shape[0] if v is None else v for v in sizes]
    for v in full:
        if v < 0:
            raise InvalidArgumentError(
                f"Dimension {v} must be >= 0. Received: output_shape={show(sizes)}; only the "
                f"batch entry may be None or -1 (it is then taken from the input)."
            )
    return full


def backprop_input(
    n: int,
    input_sizes: list[int | None],
    f: jax.Array,
    x: jax.Array,
    strides: Any,
    padding: Any,
    explicit: Any,
    data_format: Any,
    dilations: Any,
    *,
    dummy: int | None = None,
) -> jax.Array:
    """TensorFlow's transposed conv kernel for ``n`` = 2 or 3 spatial dims.

    ``input_sizes`` is the parsed ``output_shape`` (``_args.output_shape_list``);
    ``f`` is ``(*window, C_out // groups, C_in)`` and ``x`` the input. Also
    computes what TensorFlow's CPU kernel refuses but its GPU/XLA kernels
    compute: dilation > 1, channels-first, grouped filters. ``dummy`` is the
    size-1 axis ``conv1d_transpose`` inserts (left out of messages' hints).
    """
    op, label = OPS[n], LABELS[n]
    _dtypes.check_op_dtypes(op, (f, x), first_index=1)
    a = check_attrs(
        op,
        n,
        strides,
        padding,
        explicit,
        data_format,
        dilations,
        paddings_allowed=("SAME", "VALID", "EXPLICIT") if n == 2 else ("SAME", "VALID"),
        unimplemented=n == 2,
    )
    if f.ndim != n + 2:
        raise InvalidArgumentError(
            f"{label}: filter must be {n + 2}-dimensional, got shape {list(f.shape)}. The "
            f"filter is ({n} window sizes, out_channels, in_channels); "
            f"{_dtypes.received('filters', f)}."
        )
    if x.ndim != n + 2:
        raise InvalidArgumentError(
            f"{label}: out_backprop must be {n + 2}-dimensional, got shape {list(x.shape)}. "
            f"The input is (batch, {n} spatial dims, channels) (or channels-first); "
            f"{_dtypes.received('input', x)}."
        )
    full = _full_shape(op, input_sizes, x, f, a)
    window, f_out, f_in = f.shape[:-2], f.shape[-2], f.shape[-1]
    c_x, c_out = x.shape[a.channel_axis], full[a.channel_axis]
    if full[0] != x.shape[0]:
        raise InvalidArgumentError(
            f"{label}: input and out_backprop must have the same batch size. Input batch: "
            f"{full[0]}, outbackprop batch: {x.shape[0]}, batch_dim: 0. Use output_shape[0]="
            f"{x.shape[0]} (or None)."
        )
    if c_x != f_in:
        raise InvalidArgumentError(
            f"{label}: filter and out_backprop must have the same out_depth: the input has "
            f"{c_x} channels but the filter's last dimension is {f_in}. The filter is "
            f"({n} window sizes, out_channels, in_channels). The input's channels are its "
            f"axis {a.channel_axis} for data_format={data_format!r}; received input of shape "
            f"{list(x.shape)}."
        )
    if f_out == 0:
        raise InvalidArgumentError(
            f"{label}: filter depth must be strictly greater than zero: the filter's "
            f"out_channels (second-last dimension) is 0, filter shape {list(f.shape)}."
        )
    if c_out % f_out:
        raise InvalidArgumentError(
            f"{label}: input depth must be evenly divisible by filter depth: output_shape has "
            f"{c_out} channels but the filter's out_channels (second-last dimension) is "
            f"{f_out}; use {f_out} channels in output_shape."
        )
    groups = c_out // f_out
    if groups > 1 and c_x % groups:
        raise InvalidArgumentError(
            f"{label}: a grouped filter ({groups} groups: {c_out} output channels from filter "
            f"depth {f_out}) needs input channels divisible by {groups}, got {c_x}."
        )
    out_sizes = []
    for dim, ax in enumerate(a.spatial_axes()):
        o, i, k = full[ax], x.shape[ax], window[dim]
        s, d = a.strides[dim], a.dilations[dim]
        computed = output_size(o, k, s, d, a.dim_padding(dim))
        if computed < 0:
            negative_size_error(computed, o, k, s, d, a.pads[dim], _hint(full, x, window, a, dummy))
        if computed != i:
            raise InvalidArgumentError(
                f"{label}: Size of out_backprop doesn't match computed: actual = {i}, computed = "
                f"{computed} spatial_dim: {ax} input: {o} filter: {k} output: {i} stride: {s} "
                f"dilation: {d}." + _hint(full, x, window, a, dummy)
            )
        out_sizes.append(o)
    if 0 in full or 0 in x.shape or 0 in window:
        return _dtypes.zeros(op, full, x.dtype, "output_shape", input_sizes)
    return jconv.conv_transpose(
        x,
        f,
        a.strides,
        a.jconv_padding(),
        output_shape=tuple(out_sizes),
        dilation=a.dilations,
        groups=groups,
        data_format=a.data_format(),
    )
