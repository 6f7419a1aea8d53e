"""dtypes and TensorFlow's rules for turning arguments into tensors (tf-semantics.md §1.5).

A JAX array plays the part of a ``tf.Tensor``: it keeps its dtype. NumPy
arrays, Python lists and scalars are converted, either on their own
(numbers -> ``float32``/``int32``, NumPy keeps its dtype) or, where TensorFlow
feeds them straight into one op, to the dtype of the first tensor among that
op's inputs (NumPy values are cast as NumPy casts; a Python float going to an
integer dtype is refused, as TensorFlow does).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

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


def _python_array(value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"Cannot convert {_short(value)} to a tensor ({e}); pass a JAX or NumPy array or "
            f"nested lists of numbers of a regular shape."
        ) from None
    if arr.dtype == object or arr.dtype.kind in "SUV":
        raise TypeError(
            f"Cannot convert {_short(value)} to a tensor: it holds {arr.dtype.name} values; pass "
            f"numbers."
        )
    return arr


def convert(value: Any, dtype: Any = None) -> jax.Array:
    """``tf.convert_to_tensor(value, dtype)`` for one argument.

    A JAX array is returned unchanged (a mismatching dtype is reported by the op
    that uses it, as in TensorFlow).
    """
    if is_tensor(value):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        return jnp.asarray(arr if dtype is None else arr.astype(np.dtype(dtype)))
    arr = _python_array(value)
    if dtype is None:
        return jnp.asarray(arr.astype(_python_default(arr)))
    dt = np.dtype(dtype)
    lossy = arr.dtype.kind == "c" or (dt.kind in "iub" and arr.dtype.kind == "f")
    if lossy and dt.kind != "c":
        raise TypeError(
            f"Cannot convert {_short(value)} to EagerTensor of dtype {dt.name}: the values are "
            f"not {dt.name}; convert them explicitly (e.g. np.asarray(value, np.{dt.name}))."
        )
    return jnp.asarray(arr.astype(dt))


def convert_together(values: Sequence[Any]) -> list[jax.Array]:
    """Converts the inputs of one op: non-tensors take the first tensor's dtype.

    If none is a tensor, the first value's own dtype is used (``conv2d``: the
    input; ``conv2d_transpose``: the filter, its first array input).
    """
    first = next((v for v in values if is_tensor(v)), None)
    dtype = convert(values[0]).dtype if first is None else first.dtype
    return [convert(v, dtype) for v in values]


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
