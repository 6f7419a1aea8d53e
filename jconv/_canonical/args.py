"""Normalisation of the static (non-array) arguments shared by every op.

Pure Python and NumPy: no JAX import, results are always plain ``int``/``str``/tuples.
Every function here raises ``TypeError`` for the wrong kind of value and
``ValueError`` for a bad value, naming the calling function, the argument and
the value received.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from typing import Any, TypeGuard

import numpy as np

CHANNELS_LAST = {"NWC": 1, "NHWC": 2, "NDHWC": 3}
CHANNELS_FIRST = {"NCW": 1, "NCHW": 2, "NCDHW": 3}
LIMIT = 2**62
"""Bound on any integer argument: sums and products of a few of them still fit in int64."""
_FORMAT_NAMES = (*CHANNELS_LAST, *CHANNELS_FIRST, "channels_last", "channels_first")


def static_int(fn: str, name: str, value: Any) -> int:
    """Returns ``value`` as a plain ``int``, or raises ``TypeError``.

    Accepts Python ints, NumPy integer scalars and concrete integer arrays of
    size one. Rejects bools, floats and traced values (shape arguments must be
    known when the function is traced).
    """
    if isinstance(value, bool):
        raise TypeError(f"{fn}: `{name}` must be an int; received {name}={value!r} (a bool).")
    try:
        result = int(operator.index(value))
    except TypeError:
        if is_traced(value):
            raise TypeError(
                f"{fn}: `{name}` must be a static Python int, known at trace time; received a "
                f"traced value {value!r}. Pass it as a Python int (mark it static under jax.jit)."
            ) from None
        raise TypeError(
            f"{fn}: `{name}` must be an int; received {name}={value!r} "
            f"of type {type(value).__name__}."
        ) from None
    if abs(result) >= LIMIT:
        raise ValueError(
            f"{fn}: `{name}` must be below 2**62 in magnitude (sizes derived from it must fit "
            f"in int64); received {name}={result}."
        )
    return result


def lower_bound(size: Any) -> int:
    """A dimension's size, or 1 for a symbolic one (``jax.export``'s shape polymorphism).

    Memory and work bounds multiply sizes; with a symbolic batch they are checked per
    example, the least any value of the batch size can need.
    """
    return size if isinstance(size, int) else 1


def is_traced(value: Any) -> bool:
    """True for a JAX value whose contents are unknown at trace time (a tracer)."""
    if not hasattr(value, "aval"):
        return False
    try:
        np.asarray(value)
    except Exception:  # jax raises its TracerArrayConversionError (or a subclass)
        return True
    return False


def is_sequence(value: Any) -> TypeGuard[Collection[Any]]:
    """True for lists, tuples and 1-D arrays: anything sized that is not a string."""
    if isinstance(value, (str, bytes)):
        return False
    if getattr(value, "ndim", 1) == 0:
        return False
    # Ordered containers only: a set or a dict has a length but no order.
    return isinstance(value, Sequence) or (hasattr(value, "__len__") and hasattr(value, "shape"))


def per_dim_ints(
    fn: str, name: str, value: Any, ndim: int, *, minimum: int | None
) -> tuple[int, ...]:
    """Broadcasts an int, or checks a sequence of ``ndim`` ints, one per spatial dim."""
    if is_sequence(value):
        items = list(value)
        if len(items) != ndim:
            raise ValueError(
                f"{fn}: `{name}` must be an int or a sequence of {ndim} ints (one per spatial "
                f"dimension); received {name}={show(value)} of length {len(items)}."
            )
        ints = tuple(static_int(fn, f"{name}[{i}]", v) for i, v in enumerate(items))
    else:
        ints = (static_int(fn, name, value),) * ndim
    if minimum is not None and any(v < minimum for v in ints):
        what = "positive" if minimum == 1 else f">= {minimum}"
        raise ValueError(
            f"{fn}: every entry of `{name}` must be {what}; received {name}={show(value)}."
        )
    return ints


def channels_last(fn: str, data_format: Any, ndim: int) -> bool:
    """Parses ``data_format`` for an input with ``ndim`` spatial dims.

    Returns True for channels-last (the default), False for channels-first.
    """
    if data_format is None:
        return True
    if not isinstance(data_format, str):
        raise TypeError(
            f"{fn}: `data_format` must be a string or None; received "
            f"data_format={data_format!r} of type {type(data_format).__name__}."
        )
    if data_format == "channels_last":
        return True
    if data_format == "channels_first":
        return False
    table = CHANNELS_LAST if data_format in CHANNELS_LAST else CHANNELS_FIRST
    if data_format not in table:
        raise ValueError(
            f"{fn}: `data_format` must be one of {', '.join(map(repr, _FORMAT_NAMES))} or None; "
            f"received data_format={data_format!r}."
        )
    if table[data_format] != ndim:
        same_kind = [k for k, v in table.items() if v == ndim]
        hint = f"{same_kind[0]!r} or " if same_kind else ""
        raise ValueError(
            f"{fn}: data_format={data_format!r} is for {table[data_format]} spatial "
            f"dimension(s), but the input has {ndim}; use "
            f"{hint}{'channels_last' if table is CHANNELS_LAST else 'channels_first'!r}."
        )
    return table is CHANNELS_LAST


def show(value: Any) -> str:
    """A short, readable rendering of a user value for error messages."""
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        return repr(value.tolist())
    return repr(value)
