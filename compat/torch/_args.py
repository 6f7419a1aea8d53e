"""PyTorch's argument forms and decisions, one spatial dimension at a time.

Pure Python on static shapes: each function either returns the jconv-side
value or raises ``TypeError`` / ``ValueError`` with a message worded like
PyTorch's, followed by what would work. No numerics here; every size rule is
a :mod:`jconv.shapes` call.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterator, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jconv import shapes

Shape = tuple[int, ...]


def size(shape: Shape) -> str:
    """A shape as PyTorch prints it: ``[1, 4, 5, 5]``."""
    return str([int(v) for v in shape])


def per_channel(values: Sequence[int]) -> str:
    """Per-dimension sizes as PyTorch prints them: ``(5 x 5)``."""
    return "(" + " x ".join(str(int(v)) for v in values) + ")"


@contextlib.contextmanager
def named(fn: str) -> Iterator[None]:
    """Prefixes ``fn(): `` to a plain error raised inside (by jconv or jax.numpy), so that
    every message names the PyTorch function that was called."""
    try:
        yield
    except (TypeError, ValueError, NotImplementedError) as e:
        if type(e) not in (TypeError, ValueError, NotImplementedError) or str(e).startswith(fn):
            raise
        raise type(e)(f"{fn}(): {e}") from e


def operand(fn: str, name: str, value: Any) -> jax.Array:
    """``input``, ``weight`` or ``bias`` as a JAX array of numbers (bool only for ``bias``)."""
    if isinstance(value, jax.Array):
        dtype = value.dtype
    else:
        dtype = None
        if value is not None and not isinstance(value, (str, bytes, dict, set)):
            try:
                array = np.asarray(value)
                dtype = array.dtype
            except (TypeError, ValueError):
                pass
        if dtype is None or _kind(dtype) > 3:
            kind = type(value).__name__ if dtype is None else f"an array of {dtype}"
            raise TypeError(
                f"{fn}(): argument '{name}' must be a NumPy or JAX array (or nested lists) of "
                f"numbers, not {kind} (received {name}={value!r:.80})."
            )
        value = jnp.asarray(array)
    if np.dtype(dtype) == np.bool_ and name != "bias":
        raise TypeError(
            f"{fn}(): argument '{name}' must have a numeric dtype, not bool (PyTorch has no "
            f"bool convolution); cast it with .astype(np.float32)."
        )
    return value


def _int(fn: str, name: str, value: Any, what: str, whole: Any) -> int:
    """``value`` as an int; ``whole`` is the argument it came from, for the message."""
    if not isinstance(value, (bool, float, np.floating, str, bytes)):
        try:
            v = int(operator.index(value))
        except TypeError:
            pass
        else:
            if not -(2**63) <= v < 2**63:
                raise ValueError(
                    f"{fn}(): argument '{name}' must fit in int64, as in PyTorch, but got "
                    f"{name}={whole!r}; use values below 2**63 in magnitude."
                )
            return v
    hint = ""
    if isinstance(value, jax.core.Tracer):
        hint = " Shape arguments must be static Python ints (mark them static under jax.jit)."
    raise TypeError(
        f"{fn}(): argument '{name}' must be {what}, not {type(value).__name__} "
        f"(received {name}={whole!r}).{hint}"
    )


def ints(fn: str, name: str, value: Any, n: int) -> Shape:
    """An int, or a tuple/list of 1 or ``n`` ints, as ``n`` ints (PyTorch's ``_ntuple``)."""
    what = "tuple of ints"
    if isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        items = [_int(fn, name, v, what, value) for v in value]
        if len(items) == 1:
            return (items[0],) * n
        if len(items) != n:
            raise ValueError(
                f"{fn}(): expected {name} to be a single integer value or a list of {n} "
                f"values to match the convolution dimensions, but got {name}={items}."
            )
        return tuple(items)
    return (_int(fn, name, value, what, value),) * n


def positive(fn: str, name: str, values: Shape, message: str) -> None:
    if any(v <= 0 for v in values):
        raise ValueError(f"{fn}(): {message}, but got {name}={list(values)}; use values >= 1.")


def non_negative(fn: str, name: str, values: Shape) -> None:
    if any(v < 0 for v in values):
        raise ValueError(
            f"{fn}(): negative {name} is not supported, but got {name}={list(values)}; use "
            f"values >= 0 (jconv.conv and jconv.conv_transpose accept negative, cropping, "
            f"padding as (lo, hi) pairs)."
        )


def groups(fn: str, value: Any) -> int:
    g = _int(fn, "groups", value, "int", value)
    if g <= 0:
        raise ValueError(
            f"{fn}(): non-positive groups is not supported, but got groups={g}; use groups >= 1."
        )
    return g


def ranks(fn: str, n: int, x_shape: Shape, w_shape: Shape, weight_layout: str) -> bool:
    """Checks input and weight ranks; returns True for a batched input."""
    if len(x_shape) not in (n + 1, n + 2):
        raise ValueError(
            f"{fn}(): Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {fn}, but "
            f"got input of size: {size(x_shape)}."
        )
    if len(w_shape) != n + 2:
        raise ValueError(
            f"{fn}(): expected weight to be {n + 2}-dimensional, {weight_layout}, but got "
            f"weight of size {size(w_shape)}."
        )
    window = w_shape[2:]
    if any(k <= 0 for k in window):
        raise ValueError(
            f"{fn}(): kernel size should be greater than zero, but got kernel size "
            f"{per_channel(window)} from weight of size {size(w_shape)}."
        )
    return len(x_shape) == n + 2


def weight_groups(fn: str, w_shape: Shape, g: int) -> None:
    """PyTorch's rule for both conv and conv_transpose: ``weight.shape[0]`` splits into groups."""
    if w_shape[0] < g or w_shape[0] % g:
        rule = "at least" if w_shape[0] < g else "divisible by"
        raise ValueError(
            f"{fn}(): Given groups={g}, expected weight to be {rule} {g} at dimension 0, but "
            f"got weight of size {size(w_shape)} instead; use a groups that divides "
            f"{w_shape[0]}."
        )


def empty_spatial(fn: str, x_shape: Shape, batched: bool) -> None:
    """PyTorch computes on empty inputs only when the batch or the channels are empty."""
    full = x_shape if batched else (1, *x_shape)
    if 0 in full[2:] and full[0] != 0 and full[1] != 0:
        raise ValueError(
            f"{fn}(): Only zero batch or zero channel inputs are supported, but got input "
            f"shape: {size(x_shape)}."
        )


def bias(fn: str, b_shape: Shape | None, c_out: int, w_shape: Shape, transposed: bool) -> None:
    if b_shape is not None and tuple(b_shape) != (c_out,):
        t = "transposed=1, " if transposed else ""
        raise ValueError(
            f"{fn}(): Given {t}weight of size {size(w_shape)}, expected bias to be "
            f"1-dimensional with {c_out} elements, but got bias of size {size(b_shape)} "
            f"instead."
        )


def _kind(dtype: Any) -> int:
    """PyTorch's promotion categories: 0 bool, 1 integer, 2 floating, 3 complex, else 4."""
    kinds = (np.bool_, np.integer, np.floating, np.complexfloating)
    return next((k for k, t in enumerate(kinds) if jnp.issubdtype(dtype, t)), len(kinds))


def dtypes(
    fn: str, x_dtype: Any, w_dtype: Any, b_dtype: Any | None, transposed: bool, n: int, empty: bool
) -> Any | None:
    """PyTorch 2.13's dtype decisions; returns the dtype the bias is added in, if not the output's.

    ``input`` and ``weight`` must have one dtype. A conv's bias must have it too. A
    transposed conv (PyTorch's reference CPU kernel) adds the bias in place,
    ``out.add_(bias)``, so any bias that promotes to something castable to the
    output's dtype works (a float32 bias on a float64 output, a float64 bias on a
    float32 output, added in float64 and rounded, an int or bool bias), except where
    PyTorch first checks that the types are the same: complex inputs, and 3-D with a
    non-empty batch. The result has ``input``'s dtype. (PyTorch's oneDNN and cuDNN
    paths make the same-type check too, depending on the shape, threads and CPU;
    compat follows the reference kernel everywhere: see the README.)
    """
    x, w = np.dtype(x_dtype), np.dtype(w_dtype)
    if x != w:
        raise TypeError(
            f"{fn}(): expected scalar type {x.name} but found {w.name}: input and weight must "
            f"have the same dtype; cast one with .astype()."
        )
    if b_dtype is None or np.dtype(b_dtype) == x:
        return None
    b = np.dtype(b_dtype)
    same_only = not transposed or _kind(x) == 3 or (n == 3 and not empty)
    if same_only or _kind(b) > _kind(x):
        why = (
            "should be the same"
            if same_only
            else f"can't be added: a {b.name} bias can't be cast to the {x.name} output"
        )
        raise TypeError(
            f"{fn}(): Input type ({x.name}) and bias type ({b.name}) {why}; cast the bias "
            f"with .astype()."
        )
    if _kind(b) < _kind(x) or x.itemsize > b.itemsize:
        return x
    return b if b.itemsize > x.itemsize else np.dtype(np.float32)  # float16 with bfloat16


def conv_padding(fn: str, padding: Any, n: int, stride: Shape) -> str | Shape:
    """PyTorch conv ``padding`` -> jconv ``padding``: ``"SAME"``, ``"VALID"`` or n ints."""
    if isinstance(padding, str):
        if padding == "valid":
            return "VALID"
        if padding != "same":
            raise ValueError(
                f"{fn}(): Invalid padding string: {padding!r}; use 'same' or 'valid' "
                f"(lower case), an int, or a tuple of {n} ints."
            )
        if any(s != 1 for s in stride):
            raise ValueError(
                f"{fn}(): padding='same' is not supported for strided convolutions (received "
                f"stride={list(stride)}); use stride=1, or explicit padding."
            )
        # PyTorch's 'same' pads d * (k - 1) in total, the odd unit after: TF's SAME at stride 1.
        return "SAME"
    pads = ints(fn, "padding", padding, n)
    non_negative(fn, "padding", pads)
    return pads


def conv_window(fn: str, sizes: Shape, window: Shape, pads: str | Shape, dilation: Shape) -> None:
    """PyTorch's check that the dilated kernel fits in the padded input."""
    if isinstance(pads, str):  # 'same' always fits; 'valid' pads nothing
        if pads == "SAME":
            return
        pads = (0,) * len(sizes)
    padded = tuple(i + 2 * p for i, p in zip(sizes, pads))
    eff = tuple(shapes.effective_kernel_size(k, d) for k, d in zip(window, dilation))
    if any(p < e for p, e in zip(padded, eff)):
        raise ValueError(
            f"{fn}(): Calculated padded input size per channel: {per_channel(padded)}. Kernel "
            f"size: {per_channel(eff)}. Kernel size can't be greater than actual input size; "
            f"use more padding, a smaller kernel or dilation, or padding='same'."
        )


def output_padding(fn: str, value: Any, n: int, stride: Shape, dilation: Shape) -> Shape:
    extra = ints(fn, "output_padding", value, n)
    if any(a < 0 for a in extra):
        raise ValueError(
            f"{fn}(): negative output_padding is not supported, but got "
            f"output_padding={list(extra)}; use values >= 0."
        )
    if any(a >= max(s, d) for a, s, d in zip(extra, stride, dilation)):
        limits = [max(s, d) - 1 for s, d in zip(stride, dilation)]
        raise ValueError(
            f"{fn}(): output padding must be smaller than either stride or dilation, but got "
            f"output_padding={list(extra)}, stride={list(stride)}, dilation={list(dilation)}; "
            f"use at most {limits}."
        )
    return extra


def transpose_pads(
    fn: str,
    sizes: Shape,
    window: Shape,
    stride: Shape,
    pads: Shape,
    extra: Shape,
    dilation: Shape,
) -> tuple[tuple[int, int], ...]:
    """PyTorch ``padding`` and ``output_padding`` -> jconv's forward ``(lo, hi)`` padding.

    Taking ``output_padding`` off the high side of the forward padding, ``(p, p - a)``,
    is exactly what it means: jconv's default output size for that padding is
    PyTorch's (and it stays exact when ``a >= s``, which PyTorch allows when the
    dilation is larger). The size itself is :func:`jconv.shapes.transpose_output_size`'s:
    the full (``"VALID"``) size, less the ``lo + hi`` the padding crops.
    """
    forward = tuple((p, p - a) for p, a in zip(pads, extra))
    out = tuple(
        shapes.transpose_output_size(i, k, s, "VALID", d) - lo - hi
        for i, k, s, (lo, hi), d in zip(sizes, window, stride, forward, dilation)
    )
    if any(o <= 0 for o in out):
        raise ValueError(
            f"{fn}(): Given input size per channel: {per_channel(sizes)}. Calculated output "
            f"size per channel: {per_channel(out)}. Output size is too small; use less "
            f"padding (padding={list(pads)})."
        )
    return forward
