"""TensorFlow's argument forms, turned into plain Python values (no arrays touched).

One helper per form: ``strides``/``dilations``
sequences, explicit padding lists, ``output_shape``, and the v1 argument
aliases. Each reproduces what TensorFlow's Python wrapper accepts and
rejects; the op-level checks (which values a kernel takes) live in
``_checks``.
"""

from __future__ import annotations

import contextlib
import math
import operator
import re
from collections.abc import Iterable, Iterator, Sized
from typing import Any, cast

import jax
import numpy as np

from compat.tf.errors import InvalidArgumentError


def show(value: Any) -> str:
    """A value as TensorFlow prints it in messages (lists of plain ints)."""
    if isinstance(value, np.ndarray) or hasattr(value, "tolist"):
        try:
            return repr(np.asarray(value).tolist())
        except Exception:  # a tracer: print it as it is
            return repr(value)
    if isinstance(value, (list, tuple)):
        inner = ", ".join(show(v) for v in value)
        return (
            f"[{inner}]"
            if isinstance(value, list)
            else f"({inner}{',' if len(value) == 1 else ''})"
        )
    return repr(value)


def lookup(new_name: str, new: Any, old_name: str, old: Any) -> Any:
    """The v1 alias rule: either name may be given, not both."""
    if new is not None:
        if old is not None:
            raise InvalidArgumentError(
                f"Cannot specify both '{old_name}' and '{new_name}'. Pass the array once, as "
                f"`{new_name}`."
            )
        return new
    return old


# TensorFlow keeps int attributes as int64 and its conv kernels read strides and
# dilations as int32 ("Attr strides has value ... out of range for an int32").
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def attr_int(op: str, name: str, value: Any) -> int:
    """One entry of an int-list attribute, as TensorFlow's attribute converter reads it.

    Ints and bools are taken as they are and finite floats are truncated (as
    TensorFlow does: ``2.7`` -> 2); NaN, infinities, strings, ``None``, nested
    sequences and traced values raise ``TypeError`` naming ``name``, and an int
    that does not fit in int64 raises ``InvalidArgumentError``.
    """
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise TypeError(
                f"Expected int for argument '{name}' not {value!r}: `{name}` must hold finite "
                f"ints (floats are truncated); received {value!r} in {op}."
            )
        return int(value)
    try:
        out = int(operator.index(value))
    except TypeError:
        if isinstance(value, jax.core.Tracer):
            raise TypeError(
                f"{op}: `{name}` must hold Python ints known when the function is traced; "
                f"received a traced value: {value!r}. Under jax.jit, pass it as a Python "
                f"value (or mark the argument static)."
            ) from None
        raise TypeError(
            f"Expected int for argument '{name}' not {show(value)}: `{name}` must hold Python "
            f"ints known when the function is traced; received a {type(value).__name__}: "
            f"{value!r} in {op}."
        ) from None
    if not -INT64_MAX - 1 <= out <= INT64_MAX:
        raise InvalidArgumentError(
            f"Attr {name} has value {out} out of range for an int64 in {op}. Received: "
            f"{name} entry {out}; TensorFlow keeps int attributes as int64."
        )
    return out


def check_int32(op: str, name: str, values: list[int]) -> None:
    """TensorFlow's kernels read strides and dilations as int32: larger values are refused."""
    for v in values:
        if not -INT32_MAX - 1 <= v <= INT32_MAX:
            raise InvalidArgumentError(
                f"{op}: Attr {name} has value {v} out of range for an int32. Received: "
                f"{name}={values}; every entry must be below 2**31."
            )


def attr_ints(op: str, name: str, values: Any) -> list[int]:
    """A whole int-list attribute (``strides``, ``dilations``, explicit paddings)."""
    return [attr_int(op, name, v) for v in values]


def list_attr(op: str, name: str, value: Any, minimum: int | None = None) -> list[Any]:
    """An attribute TensorFlow's op takes only as a Python list or tuple."""
    if not isinstance(value, (list, tuple)):
        raise TypeError(
            f"Expected list for '{name}' argument to '{op}' Op, not {show(value)}. Pass a list "
            f"of {minimum or 4} ints in data_format order."
        )
    if minimum is not None and len(value) < minimum:
        raise InvalidArgumentError(
            f"Length for attr '{name}' of {len(value)} must be at least minimum {minimum}. "
            f"Received: {name}={show(value)}; pass {minimum} values in data_format order."
        )
    return list(value)


def get_sequence(value: Any, n: int, channel_index: int, name: str) -> list[Any]:
    """TensorFlow's strides/dilations normalisation (§1.2) for ``n`` spatial dims.

    An int (or any unsized scalar) or a length-1 sequence is broadcast, a
    length-``n`` sequence is taken as the spatial values, and a length-``n + 2``
    one is used verbatim, in ``data_format`` order. The spatial forms get 1s
    for the batch and channel entries.
    """
    if value is None:
        return [1] * (n + 2)
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, int) or not isinstance(value, Sized):
        items = [value]
    else:
        try:
            # Sized does not promise iteration: a scalar tensor or 0-d array has a __len__
            # but list() raises TypeError on it, which is handled below.
            items = list(cast("Iterable[Any]", value))
        except TypeError:
            if isinstance(value, jax.core.Tracer):
                attr_int("strides/dilations", name, value)  # raises the traced-value error
            raise TypeError(
                f"Cannot iterate over a scalar tensor: `{name}` must be an int or a sequence "
                f"of ints; received {name}={show(value)}."
            ) from None
    if len(items) == n + 2:
        return items
    if len(items) == 1:
        items = items * n
    elif len(items) != n:
        example = ", ".join(["2"] * n)
        raise InvalidArgumentError(
            f"{name} should be of length 1, {n} or {n + 2}. Received: {name}={show(items)} of "
            f"length {len(items)}. For example {name}=2, [{example}] or the full form with 1s "
            f"for the batch and channel entries."
        )
    return [1, 1, *items] if channel_index == 1 else [1, *items, 1]


def convert_padding(padding: Any, expected_length: int = 4) -> tuple[Any, list[Any]]:
    """TensorFlow's ``convert_padding``: a list of pairs becomes ``"EXPLICIT"`` plus a flat list.

    Strings and anything else pass through unchanged for the op to check.
    """
    if isinstance(padding, str) and padding == "EXPLICIT":
        raise InvalidArgumentError(
            "'EXPLICIT' is not a valid value for `padding`. To use explicit padding, `padding` "
            "must be a list, e.g. [[0, 0], [1, 1], [2, 2], [0, 0]] for NHWC."
        )
    if not isinstance(padding, (list, tuple)):
        return padding, []
    flat: list[Any] = []
    for i, pair in enumerate(padding):
        if not isinstance(pair, (list, tuple)):
            raise InvalidArgumentError(
                f"When `padding` is a list, each element of `padding` must be a list/tuple of "
                f"size 2. Received: padding={show(padding)} with element at index {i} of type "
                f"{type(pair)}. Write one [before, after] pair per dimension of the input."
            )
        if len(pair) != 2:
            raise InvalidArgumentError(
                f"When `padding` is a list, each element of `padding` must be a list/tuple of "
                f"size 2. Received: padding={show(padding)} with element at index {i} of size "
                f"{len(pair)}. Write one [before, after] pair per dimension of the input."
            )
        flat.extend(pair)
    if len(padding) != expected_length:
        raise InvalidArgumentError(
            f"When padding is a list, it must be of size {expected_length}. Received: "
            f"padding={show(padding)} of size {len(padding)}. Give one [before, after] pair "
            f"for every dimension of the input, [0, 0] for the batch and channel dimensions."
        )
    return "EXPLICIT", flat


def output_shape_list(
    value: Any, *, numpy_floats: bool = False, bits: int = 32
) -> list[int | None]:
    """``output_shape`` as a list of ints; a ``None`` or ``-1`` batch entry stays ``None``.

    Accepts a list, tuple, NumPy array, concrete JAX array or ``TensorShape``.
    TensorFlow converts it to an int tensor (int32; ``bits=64`` where the op
    also takes int64): Python lists must hold ints (or bools), and where the op
    converts a NumPy array straight to int32 (``numpy_floats=True``: the 2-D and
    3-D transposes) a float NumPy array is cast, truncating toward zero
    (``np.array([1., 6.5, 6., 1.])`` -> ``[1, 6, 6, 1]``). NaN, infinities and
    sizes beyond the int range are refused.
    """
    if hasattr(value, "as_list"):
        value = value.as_list()
    limit = 2 ** (bits - 1)
    if isinstance(value, (list, tuple)):
        items = list(value)
        if any(isinstance(v, (list, tuple, np.ndarray)) for v in items):
            raise InvalidArgumentError(
                f"Conv2DBackpropInput: input_sizes input must be 1-dim, not "
                f"{_depth(items)}. Pass output_shape as a flat list such as [1, 6, 6, 1]; "
                f"received output_shape={show(value)}."
            )
    elif value is None or isinstance(value, (str, float, bool)):
        raise TypeError(
            f"Cannot convert {value!r} to EagerTensor of dtype int32: `output_shape` must be a "
            f"list, tuple or array of ints; received output_shape={value!r}."
        )
    else:
        if isinstance(value, jax.core.Tracer):
            arr = None
        else:
            try:
                arr = np.asarray(value)
            except Exception:
                arr = None
        if arr is None:
            raise TypeError(
                "`output_shape` must be known when the function is traced (a list, tuple, "
                f"NumPy array or concrete array); received {value!r}. Under jax.jit, pass it as "
                "a Python tuple (or mark it static)."
            )
        if arr.ndim != 1:
            raise InvalidArgumentError(
                f"Conv2DBackpropInput: input_sizes input must be 1-dim, not {arr.ndim}. Pass "
                f"output_shape as a flat list such as [1, 6, 6, 1]; received output_shape="
                f"{show(arr)}."
            )
        cast_ok = numpy_floats and isinstance(value, np.ndarray)
        if cast_ok and arr.dtype.kind in "fb":
            if not np.all(np.isfinite(arr)) or np.any(np.abs(arr) >= limit):
                raise InvalidArgumentError(
                    f"`output_shape` must hold finite sizes below 2**{bits - 1}; received "
                    f"output_shape={show(arr)} (TensorFlow casts a float array to int{bits}, "
                    f"truncating toward zero)."
                )
            arr = np.trunc(arr).astype(np.int64)
        elif arr.dtype.kind not in "iu":
            raise TypeError(
                f"Cannot convert {show(arr)} to EagerTensor of dtype int32: `output_shape` "
                f"must hold ints; received output_shape={show(arr)} of dtype {arr.dtype.name}."
            )
        items = arr.tolist()
    out: list[int | None] = []
    for i, v in enumerate(items):
        if v is None and i == 0:
            out.append(None)
            continue
        if isinstance(v, (float, np.floating)) or v is None:
            raise TypeError(
                f"Cannot convert {show(items)} to EagerTensor of dtype int32: `output_shape` "
                f"must hold ints (None or -1 is allowed for the batch entry); received "
                f"output_shape={show(value)}."
            )
        v = attr_int("conv_transpose", "output_shape", v)
        if not -limit <= v < limit:
            raise InvalidArgumentError(
                f"`output_shape` entry {v} is out of range for an int{bits}: TensorFlow "
                f"converts output_shape to an int{bits} tensor. Received: output_shape="
                f"{show(items)}."
            )
        out.append(None if (i == 0 and v == -1) else v)
    return out


def _depth(items: Any) -> int:
    """How deeply lists nest (``[[1, 2]]`` -> 2), for the 1-dim message."""
    if isinstance(items, (list, tuple, np.ndarray)) and len(items):
        return 1 + max(_depth(v) for v in items)
    return 1 if isinstance(items, (list, tuple, np.ndarray)) else 0


@contextlib.contextmanager
def naming(alias: str, inner: str, passed: bool = True) -> Iterator[None]:
    """Makes a rejection raised inside cite ``alias``, the caller's name of an argument.

    v1 signatures call an argument ``value`` where the op's messages say ``input`` or
    ``out_backprop``; a message that does not already name ``alias`` gets a note saying
    which argument it is about. ``passed``: the caller gave ``alias`` (not its new name).
    """
    try:
        yield
    except (TypeError, ValueError) as e:
        msg = str(e)
        if not passed or re.search(rf"(?<![A-Za-z0-9_]){re.escape(alias)}(?![A-Za-z0-9_])", msg):
            raise
        try:
            renamed = type(e)(f"{msg} (about `{alias}`, which this op calls `{inner}`)")
        except Exception:  # an exception type with another constructor
            raise e from None
        raise renamed from None
