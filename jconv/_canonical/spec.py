"""The canonicalizer: the one place where a call's meaning is decided.

``conv`` and ``conv_transpose`` hand their arguments to :func:`conv_spec` and
:func:`transpose_spec`, which check every argument, resolve every padding form
and size rule (through :mod:`.sizes`) and return the operands with one
:class:`Spec`. Every algorithm reads that spec; none re-derives a size,
padding or layout from user arguments. Runs at trace time on static shapes,
before any compute.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from typing import Any, TypeAlias

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jconv._canonical import hints
from jconv._canonical.args import is_sequence, lower_bound, per_dim_ints, show
from jconv._canonical.operands import (
    Layout,
    as_array,
    check_divisible,
    operands,
    positive_groups,
)
from jconv._canonical.padding import normalize_padding
from jconv._canonical.sizes import (
    MAX_BYTES,
    check_out,
    check_output_padding,
    conv_out,
    default_out,
    dims_of,
    forward_pads,
)

PADDING_MODES = ("zeros", "circular", "reflect", "replicate")

PrecisionLike: TypeAlias = (
    str
    | lax.Precision
    | tuple[str, str]
    | tuple[lax.Precision, lax.Precision]
    | lax.DotAlgorithm
    | lax.DotAlgorithmPreset
    | None
)
"""What ``lax.conv_general_dilated`` accepts as ``precision``."""
DTypeLike: TypeAlias = jax.typing.DTypeLike


@dataclasses.dataclass(frozen=True)
class Spec:
    """Everything an algorithm needs besides the two arrays, already validated.

    Sizes are those of the call itself: for ``conv_transpose``, ``in_size`` is
    its input (the forward convolution's output) and ``out_size`` its output.
    ``pads`` is always the *forward* convolution's ``(lo, hi)`` padding per
    dimension, resolved (``"SAME"`` of a transpose is TF's SAME of its output).
    ``precision`` is hashable (a pair is a tuple), so the spec can be a
    primitive parameter.
    """

    layout: Layout
    in_size: tuple[int, ...]
    out_size: tuple[int, ...]
    window: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]
    groups: int
    precision: Any = None
    preferred_element_type: Any = None

    def out_shape(self, batch: int, channels: int) -> tuple[int, ...]:
        """The full output shape for a batch size and output channel count."""
        if self.layout.channels_last:
            return (batch, *self.out_size, channels)
        return (batch, channels, *self.out_size)


TransposeSpec = Spec  # the algorithms' name for the spec of a transposed convolution


@dataclasses.dataclass(frozen=True)
class Call:
    """A canonical call: operands, spec, the copying padding around it, and the bias.

    ``wrap`` is ``None`` for zero padding; for the other padding modes
    (``mode``: ``"circular"``, ``"reflect"``, ``"replicate"``) it is the
    resolved forward padding, and ``spec`` describes the VALID operation on the
    padded extent. ``bias`` is ``None`` or a ``(C_out,)`` array of the result's
    dtype or the operands'.
    """

    x: jax.Array
    kernel: jax.Array
    spec: Spec
    wrap: tuple[tuple[int, int], ...] | None = None
    mode: str = "zeros"
    bias: jax.Array | None = None


def _common(fn, x, kernel, stride, padding, dilation, groups, padding_mode, data_format):
    x, kernel, layout = operands(fn, x, kernel, data_format)
    n = layout.ndim
    strides = per_dim_ints(fn, "stride", stride, n, minimum=1)
    dilations = per_dim_ints(fn, "dilation", dilation, n, minimum=1)
    pad_specs = normalize_padding(fn, padding, n)
    g = positive_groups(fn, groups)
    if not isinstance(padding_mode, str) or padding_mode not in PADDING_MODES:
        raise ValueError(
            f"{fn}: `padding_mode` must be one of {', '.join(map(repr, PADDING_MODES))}; "
            f"received padding_mode={padding_mode!r}."
        )
    return x, kernel, layout, strides, dilations, pad_specs, g, padding_mode


def conv_spec(
    fn: str,
    x: Any,
    kernel: Any,
    stride: Any,
    padding: Any,
    *,
    dilation: Any,
    groups: Any,
    padding_mode: Any,
    data_format: Any,
    precision: Any,
    preferred_element_type: Any,
    bias: Any = None,
) -> Call:
    """Validates and resolves the arguments of :func:`jconv.conv`."""
    x, kernel, layout, strides, dilations, pad_specs, g, mode = _common(
        fn, x, kernel, stride, padding, dilation, groups, padding_mode, data_format
    )
    c_in = x.shape[layout.channel_axis]
    if c_in != g * kernel.shape[-2]:
        raise ValueError(
            f"{fn}: the input has {c_in} channels, but the kernel expects groups (={g}) times "
            f"kernel.shape[-2] (={kernel.shape[-2]}) = {g * kernel.shape[-2]}; kernel shape is "
            f"(*window, C_in // groups, C_out), received kernel.shape={kernel.shape}."
            + hints.conv(x.shape, kernel.shape, g, layout, data_format)
        )
    check_divisible(fn, "the kernel's output channels kernel.shape[-1]", kernel.shape[-1], g)
    prec = check_precision(fn, precision)
    dtype = _preferred(fn, preferred_element_type, x.dtype)
    sizes = layout.spatial(x.shape)
    window = kernel.shape[:-2]
    dims = dims_of(sizes, window, strides, pad_specs, dilations)
    out_size = tuple(conv_out(fn, dim) for dim in dims)
    pads = tuple(forward_pads(i, k, s, p, d) for _, i, k, s, p, d in dims)
    result = dtype or x.dtype
    because = f"padding={show(padding)}, stride={show(stride)}, dilation={show(dilation)}"
    check_bytes(
        fn, "the output", _shape(layout, x.shape[0], out_size, kernel.shape[-1]), result, because
    )
    b = _bias(fn, bias, kernel.shape[-1], x.dtype, dtype)
    wrap = None
    if mode != "zeros":
        _check_mode_pads(fn, mode, pads, sizes)
        wrap = pads
        extent = tuple(i + lo + hi for i, (lo, hi) in zip(sizes, pads))
        check_bytes(
            fn,
            f"the {mode}-padded input",
            _shape(layout, x.shape[0], extent, c_in),
            result,
            because,
        )
        sizes, pads = extent, ((0, 0),) * layout.ndim
    spec = Spec(layout, sizes, out_size, window, strides, dilations, pads, g, prec, dtype)
    return Call(x, kernel, spec, wrap, mode, b)


def transpose_spec(
    fn: str,
    x: Any,
    kernel: Any,
    stride: Any,
    padding: Any,
    *,
    output_shape: Any,
    output_padding: Any,
    dilation: Any,
    groups: Any,
    padding_mode: Any,
    data_format: Any,
    precision: Any,
    preferred_element_type: Any,
    bias: Any = None,
) -> Call:
    """Validates and resolves the arguments of :func:`jconv.conv_transpose`."""
    x, kernel, layout, strides, dilations, pad_specs, g, mode = _common(
        fn, x, kernel, stride, padding, dilation, groups, padding_mode, data_format
    )
    n = layout.ndim
    c_in = x.shape[layout.channel_axis]
    if c_in != kernel.shape[-1]:
        raise ValueError(
            f"{fn}: the input has {c_in} channels, but kernel.shape[-1] is {kernel.shape[-1]}; "
            f"the kernel is the forward conv's, (*window, C_out // groups, C_in), "
            f"received kernel.shape={kernel.shape}."
            + hints.transpose(x.shape, kernel.shape, g, layout, data_format)
        )
    check_divisible(fn, "the input channels", c_in, g)
    prec = check_precision(fn, precision)
    dtype = _preferred(fn, preferred_element_type, x.dtype)
    if output_shape is not None and output_padding is not None:
        raise ValueError(
            f"{fn}: pass either `output_shape` or `output_padding`, not both; received "
            f"output_shape={show(output_shape)}, output_padding={show(output_padding)}."
        )
    sizes = layout.spatial(x.shape)
    window = kernel.shape[:-2]
    dims = dims_of(sizes, window, strides, pad_specs, dilations)
    if output_shape is None:
        extra = check_output_padding(fn, output_padding, n, strides, dilations, pad_specs)
        out_size = tuple(default_out(fn, dim, a) for dim, a in zip(dims, extra))
    else:
        if is_sequence(output_shape) and len(output_shape) == n + 2:
            raise ValueError(
                f"{fn}: `output_shape` takes the {n} spatial sizes only; received "
                f"output_shape={show(output_shape)} of length {n + 2}. Drop the batch and channel "
                f"entries (compat.tf accepts TF's full-shape form)."
            )
        out_size = per_dim_ints(fn, "output_shape", output_shape, n, minimum=0)
        for dim, o in zip(dims, out_size):
            check_out(fn, dim, o)
    pads = tuple(
        forward_pads(o, k, s, p, d)
        for o, k, s, p, d in zip(out_size, window, strides, pad_specs, dilations)
    )
    result = dtype or x.dtype
    c_out = g * kernel.shape[-2]
    because = (
        f"stride={show(stride)}, padding={show(padding)}, dilation={show(dilation)}, "
        f"output_padding={show(output_padding)}"
        if output_shape is None
        else f"output_shape={show(output_shape)}"
    )
    check_bytes(fn, "the output", _shape(layout, x.shape[0], out_size, c_out), result, because)
    b = _bias(fn, bias, c_out, x.dtype, dtype)
    wrap = None
    if mode != "zeros":  # transpose the VALID conv of the padded extent, then fold it
        _check_mode_pads(fn, mode, pads, out_size)
        wrap = pads
        extent = tuple(o + lo + hi for o, (lo, hi) in zip(out_size, pads))
        check_bytes(
            fn,
            f"the {mode}-padded output",
            _shape(layout, x.shape[0], extent, c_out),
            result,
            because,
        )
        out_size, pads = extent, ((0, 0),) * n
    spec = Spec(layout, sizes, out_size, window, strides, dilations, pads, g, prec, dtype)
    return Call(x, kernel, spec, wrap, mode, b)


def algorithm_name(fn: str, algorithm: Any, names: tuple[str, ...]) -> str:
    """Checks ``algorithm`` against ``"auto"`` and the registered names."""
    if not isinstance(algorithm, str):
        raise TypeError(
            f"{fn}: `algorithm` must be a string; received algorithm={algorithm!r} of type "
            f"{type(algorithm).__name__}."
        )
    if algorithm != "auto" and algorithm not in names:
        raise ValueError(
            f"{fn}: `algorithm` must be 'auto' or one of {', '.join(map(repr, names))}; "
            f"received algorithm={algorithm!r}."
        )
    return algorithm


def _shape(layout: Layout, batch: int, spatial: tuple[int, ...], channels: int) -> tuple[int, ...]:
    if layout.channels_last:
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


@functools.cache
def memory_bytes() -> int:
    """The memory of this process's devices together: the most any one array could use.

    Accelerators report their own (``bytes_limit``); CPU devices share the host's
    physical memory, counted once.
    """
    total, host = 0, False
    for device in jax.local_devices():
        stats = device.memory_stats() or {}
        if stats.get("bytes_limit"):
            total += int(stats["bytes_limit"])
        else:
            host = True
    if host:
        try:
            total += os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, ValueError, OSError):  # not a POSIX host
            total += MAX_BYTES
    return min(total, MAX_BYTES)


def check_bytes(fn: str, what: str, shape: tuple[int, ...], dtype: Any, because: str) -> None:
    """Raises ``ValueError`` for an array no device here can hold.

    The bound is :data:`MAX_BYTES` or the devices' memory (:func:`memory_bytes`),
    whichever is smaller: XLA would otherwise fail to allocate, or swap for hours.
    """
    size = math.prod(map(lower_bound, shape)) * np.dtype(dtype).itemsize
    limit = memory_bytes()
    if size > limit:
        raise ValueError(
            f"{fn}: {what} would have shape {shape} ({size:.3g} bytes), more than the "
            f"{limit:.3g} bytes of memory this process's devices have (and jconv's 2**40-byte "
            f"limit for any array); received {because}."
        )


def _check_mode_pads(
    fn: str, mode: str, pads: tuple[tuple[int, int], ...], sizes: tuple[int, ...]
) -> None:
    """Copying padding cannot be negative; reflection needs a cell to mirror past the edge.

    ``"reflect"`` (PyTorch's, and TF's ``MirrorPad`` in ``REFLECT`` mode) mirrors
    without repeating the edge cell, so each side pads less than the size;
    ``"replicate"`` and ``"circular"`` need at least one cell to copy.
    """
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        raise ValueError(
            f"{fn}: padding_mode={mode!r} needs non-negative padding; the padding "
            f"resolves to {list(pads)}. Use padding_mode='zeros' to crop with negative padding."
        )
    for (lo, hi), size in zip(pads, sizes):
        if (lo or hi) and size == 0:
            raise ValueError(
                f"{fn}: padding_mode={mode!r} pads by copying cells, and a spatial size is 0; "
                f"the padding resolves to {list(pads)} for sizes {sizes}."
            )
        if mode == "reflect" and max(lo, hi) >= size:
            raise ValueError(
                f"{fn}: padding_mode='reflect' needs each side's padding smaller than the size "
                f"it mirrors (as PyTorch); the padding resolves to {list(pads)} for sizes "
                f"{sizes}. Use 'replicate' or 'circular' for wider padding."
            )


def _bias(fn: str, bias: Any, c_out: int, dtype: Any, result: Any) -> jax.Array | None:
    """``bias`` as a ``(C_out,)`` array of the operands' dtype or the result's."""
    if bias is None:
        return None
    b = as_array(fn, "bias", bias)
    if b.shape != (c_out,):
        raise ValueError(
            f"{fn}: `bias` must have shape (C_out,) = ({c_out},), one value per output "
            f"channel; received bias.shape={b.shape}."
        )
    allowed = {np.dtype(dtype).name} | ({result} if result else set())
    if np.dtype(b.dtype).name not in allowed:
        raise TypeError(
            f"{fn}: `bias` must have the dtype of `x` and `kernel` ({np.dtype(dtype).name})"
            + (f" or of preferred_element_type ({result})" if result else "")
            + f"; received bias.dtype={np.dtype(b.dtype).name}. Cast it with .astype()."
        )
    return b


_PRECISION_ACCEPTED = (
    "None, a lax.Precision, one of 'default', 'high', 'highest' (or another name "
    "lax.Precision or lax.DotAlgorithmPreset knows), a pair of those, or a lax.DotAlgorithm"
)


def check_precision(fn: str, precision: Any) -> Any:
    """Checks ``precision`` as ``lax.conv_general_dilated`` reads it; returns it hashable."""
    if precision is None or isinstance(
        precision, (lax.Precision, lax.DotAlgorithm, lax.DotAlgorithmPreset)
    ):
        return precision
    if isinstance(precision, str):
        _precision_name(fn, "precision", precision)
        return precision
    if isinstance(precision, (list, tuple)) and len(precision) == 2:
        for i, p in enumerate(precision):
            if isinstance(p, str):
                _precision_name(fn, f"precision[{i}]", p, pair=True)
            elif not isinstance(p, lax.Precision):
                raise TypeError(
                    f"{fn}: `precision[{i}]` must be a lax.Precision or its name; received "
                    f"precision={precision!r}."
                )
        kinds = {isinstance(p, str) for p in precision}
        if len(kinds) != 1:
            raise TypeError(
                f"{fn}: a `precision` pair must be two strings or two lax.Precision values; "
                f"received precision={precision!r}."
            )
        return tuple(precision)
    raise TypeError(
        f"{fn}: `precision` must be {_PRECISION_ACCEPTED}; received precision={precision!r} "
        f"of type {type(precision).__name__}."
    )


def _precision_name(fn: str, name: str, value: str, pair: bool = False) -> None:
    try:
        lax.Precision(value)
        return
    except ValueError:
        pass
    if not pair and value in lax.DotAlgorithmPreset.__members__:
        return
    raise ValueError(f"{fn}: `{name}` must be {_PRECISION_ACCEPTED}; received {name}={value!r}.")


def _preferred(fn: str, preferred: Any, dtype: Any) -> Any:
    """Checks ``preferred_element_type`` against the operands' dtype (lax's rules).

    Returns the canonical dtype (``float64`` is ``float32`` without x64), or ``None``.
    """
    if preferred is None:
        return None
    name = "preferred_element_type"
    try:
        want = np.dtype(jax.dtypes.canonicalize_dtype(preferred))
    except (TypeError, ValueError):
        raise TypeError(
            f"{fn}: `{name}` must be a dtype (e.g. jnp.float32) or None; received "
            f"{name}={preferred!r}."
        ) from None
    have = np.dtype(dtype)
    ok = False
    if jnp.issubdtype(have, jnp.integer):
        ok = jnp.issubdtype(want, jnp.floating) or (
            jnp.issubdtype(want, jnp.integer)
            and jnp.issubdtype(want, jnp.signedinteger) == jnp.issubdtype(have, jnp.signedinteger)
            and want.itemsize >= have.itemsize
        )
    elif jnp.issubdtype(have, jnp.complexfloating):
        ok = jnp.issubdtype(want, jnp.complexfloating) and want.itemsize >= have.itemsize
    elif jnp.issubdtype(have, jnp.floating):
        ok = jnp.issubdtype(want, jnp.floating) and want.itemsize >= have.itemsize
    if not ok:
        raise TypeError(
            f"{fn}: `{name}` must be a dtype of the same kind as the inputs and at least as "
            f"wide (integers: same signedness, or any float); received {name}={want.name} for "
            f"inputs of dtype {have.name}."
        )
    return want.name
