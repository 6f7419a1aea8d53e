"""dtypes and TensorFlow's rules for turning arguments into tensors.

A JAX array plays the part of a ``tf.Tensor``: it keeps its dtype. NumPy
arrays, Python lists and scalars are converted, either on their own
(numbers -> ``float32``/``int32``, NumPy keeps its dtype) or, where TensorFlow
feeds them straight into one op, to the dtype of the first tensor among that
op's inputs (NumPy values are cast as NumPy casts; a Python float going to an
integer dtype is refused, as TensorFlow does).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import jconv
from compat.tf.errors import InvalidArgumentError

float16 = np.dtype("float16")
bfloat16 = np.dtype(jnp.bfloat16)
float32 = np.dtype("float32")
float64 = np.dtype("float64")
int32 = np.dtype("int32")
int64 = np.dtype("int64")
bool_ = np.dtype("bool")

# What TensorFlow's conv kernels accept (int32: every conv here, see the README).
ALLOWED = (float16, bfloat16, float32, float64, int32)

_TF_NAMES = {float16: "half", float32: "float", float64: "double"}


def tf_name(dtype: Any) -> str:
    """TensorFlow's name of a dtype in kernel messages: ``float``, ``double``, ``half``..."""
    dt = np.dtype(dtype)
    return _TF_NAMES.get(dt, dt.name)


def is_tensor(value: Any) -> bool:
    """A JAX array (or tracer): the counterpart of a ``tf.Tensor``."""
    return isinstance(value, jax.Array)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + " ... " + text[-12:]


def received(name: str, array: jax.Array) -> str:
    """``received <name>=<value>`` for a small array, ``... of shape [..]`` for a large one."""
    if array.size <= 8 and not isinstance(array, jax.core.Tracer):
        return f"received {name}={np.asarray(array).tolist()!r} of shape {list(array.shape)}"
    return f"received {name} of shape {list(array.shape)}"


def _python_default(arr: np.ndarray) -> np.dtype:
    if arr.dtype.kind == "f":
        return float32
    if arr.dtype.kind in "iu":
        info = np.iinfo(np.int32)
        if arr.size == 0 or (arr.min() >= info.min and arr.max() <= info.max):
            return int32
        return int64
    if arr.dtype.kind == "c":
        return np.dtype("complex128")
    return arr.dtype


def _python_array(value: Any, name: str) -> np.ndarray:
    if value is None:
        raise TypeError(
            f"Cannot convert None to a tensor: `{name}` is required; received {name}=None. Pass "
            f"a JAX or NumPy array."
        )
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as e:
        raise TypeError(
            f"Cannot convert {_short(value)} to a tensor ({e}): `{name}` must be a JAX or NumPy "
            f"array or nested lists of numbers of a regular shape; received {name}="
            f"{_short(value)}."
        ) from None
    if arr.dtype == object or arr.dtype.kind in "SUV":
        raise TypeError(
            f"Cannot convert {_short(value)} to a tensor: it holds {arr.dtype.name} values; "
            f"`{name}` must hold numbers; received {name}={_short(value)}."
        )
    if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise TypeError(
            f"Cannot convert {_short(value)} to a tensor: `{name}` holds an int beyond int64 "
            f"(TensorFlow's largest integer dtype); received {name}={_short(value)}."
        )
    return arr


# dtype kinds no conv op takes: bool, complex, object, bytes/str, void, datetime/timedelta.
# TensorFlow refuses them (its kernels have no such T) or, for some NumPy operands cast
# to the other operand's dtype, silently converts them; either way an operand of these
# kinds is refused here, naming the argument.
_NON_NUMERIC_KINDS = "bcOSUVMm"


def check_operand(value: Any, arr: Any, name: str) -> None:
    """Refuses an array operand (``input``, ``filters``...) of a kind no conv op takes."""
    dt = np.dtype(arr.dtype)
    kind = dt.kind
    if kind in _NON_NUMERIC_KINDS and dt != bfloat16:  # NumPy's bfloat16 has kind 'V'
        what = {"b": "bool", "c": "complex"}.get(kind, np.dtype(arr.dtype).name)
        raise TypeError(
            f"`{name}` holds {what} values ({np.dtype(arr.dtype).name}); TensorFlow's conv ops "
            f"take {', '.join(tf_name(d) for d in ALLOWED)} tensors; received {name} of dtype "
            f"{np.dtype(arr.dtype).name} and shape {list(np.shape(arr))}."
        )


def convert(
    value: Any, dtype: Any = None, *, name: str = "value", operand: bool = False
) -> jax.Array:
    """``tf.convert_to_tensor(value, dtype)`` for one argument, called ``name`` in messages.

    A JAX array is returned unchanged (a mismatching dtype is reported by the op
    that uses it, as in TensorFlow). ``operand``: the value is a conv operand, so
    bool, complex, object and string arrays are refused (``check_operand``).
    """
    if is_tensor(value):
        if operand:
            check_operand(value, value, name)
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if operand:
            check_operand(value, arr, name)
        return jnp.asarray(arr if dtype is None else arr.astype(np.dtype(dtype)))
    arr = _python_array(value, name)
    if operand:
        check_operand(value, arr, name)
    if dtype is None:
        return jnp.asarray(arr.astype(_python_default(arr)))
    dt = np.dtype(dtype)
    lossy = arr.dtype.kind == "c" or (dt.kind in "iub" and arr.dtype.kind == "f")
    if lossy and dt.kind != "c":
        raise TypeError(
            f"Cannot convert {_short(value)} to EagerTensor of dtype {dt.name}: the values of "
            f"`{name}` are not {dt.name}; convert them explicitly (e.g. np.asarray({name}, "
            f"np.{dt.name}))."
        )
    return jnp.asarray(arr.astype(dt))


def convert_together(values: Sequence[Any], names: Sequence[str]) -> list[jax.Array]:
    """Converts the inputs of one op: non-tensors take the first tensor's dtype.

    If none is a tensor, the first value's own dtype is used (``conv2d``: the
    input; ``conv2d_transpose``: the filter, its first array input). ``names``
    are the arguments' names, for messages.
    """
    first = next((v for v in values if is_tensor(v)), None)
    head = first if first is not None else convert(values[0], name=names[0], operand=True)
    dtype = head.dtype
    return [convert(v, dtype, name=name, operand=True) for v, name in zip(values, names)]


def check_op_dtypes(op: str, arrays: Sequence[jax.Array], first_index: int = 0) -> np.dtype:
    """The dtype check TensorFlow's op runs: same dtype everywhere, from the allowed list."""
    dtype = np.dtype(arrays[0].dtype)
    for i, a in enumerate(arrays[1:], start=first_index + 1):
        if np.dtype(a.dtype) != dtype:
            raise InvalidArgumentError(
                f"cannot compute {op} as input #{i}(zero-based) was expected to be a "
                f"{tf_name(dtype)} tensor but is a {tf_name(a.dtype)} tensor. Cast one of "
                f"them, e.g. with .astype(), so that input and filter share a dtype."
            )
    if dtype not in ALLOWED:
        allowed = ", ".join(tf_name(d) for d in ALLOWED)
        raise InvalidArgumentError(
            f"Value for attr 'T' of {dtype.name} is not in the list of allowed values: "
            f"{allowed}. Cast the input and filter to one of these dtypes."
        )
    return dtype


def zeros(op: str, shape: Sequence[int], dtype: Any, name: str, value: Any) -> jax.Array:
    """An all-zero result, refused beyond ``jconv.shapes.MAX_ARRAY_BYTES``, as jconv refuses.

    These are the empty and all-zero outputs TensorFlow returns without computing.

    ``name`` and ``value`` are the argument that made the shape, for the message.
    """
    size = math.prod(shape) * np.dtype(dtype).itemsize
    if size > jconv.shapes.MAX_ARRAY_BYTES:
        raise InvalidArgumentError(
            f"{op}: the result would have shape {list(shape)} ({size:.3g} bytes), more than "
            f"2**40 bytes; received {name}={_short(value)}."
        )
    return jnp.zeros(tuple(shape), dtype)
