"""``tf.constant``, ``tf.ones``, ``tf.zeros``: just enough to run TensorFlow snippets.

They return JAX arrays (which play the part of ``tf.Tensor``) with TensorFlow's
dtype defaults: Python floats become ``float32``, Python ints ``int32``.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from compat.tf import _dtypes


def _shape(fn: str, shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    try:
        dims = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(
            f"{fn}: `shape` must be an int or a sequence of ints; received shape={shape!r}."
        ) from None
    if any(d < 0 for d in dims):
        raise ValueError(f"{fn}: every entry of `shape` must be >= 0; received shape={shape!r}.")
    return dims


def constant(
    value: Any, dtype: Any = None, shape: Any = None, name: str | None = None
) -> jax.Array:
    """``tf.constant``: an array from a value, with an optional dtype and shape.

    Args:
      value: a number, nested lists of numbers, or an array.
      dtype: the result dtype (e.g. ``tf.float32``); default: the value's own,
        with Python floats as ``float32`` and Python ints as ``int32``.
      shape: if given, a single value is repeated to fill it; otherwise the
        value must have that many elements and is reshaped.
      name: accepted for compatibility; JAX arrays have no names.

    Returns:
      A ``jax.Array``.

    Raises:
      TypeError: the value has the wrong number of elements for ``shape``, or a
        Python float was asked for as an integer dtype.

    Examples:
      >>> from compat import tf
      >>> tf.constant(1.0, shape=[1, 2, 2, 1]).shape
      (1, 2, 2, 1)
      >>> tf.constant([1, 2, 3, 4], shape=[2, 2], dtype=tf.float32)
      Array([[1., 2.],
             [3., 4.]], dtype=float32)
    """
    del name
    arr = _dtypes.convert(value, dtype)
    if dtype is not None and arr.dtype != np.dtype(dtype):
        arr = arr.astype(np.dtype(dtype))
    if shape is None:
        return arr
    dims = _shape("tf.constant", shape)
    if arr.size == 1:
        return jnp.broadcast_to(arr.reshape(()), dims)
    if arr.size != math.prod(dims):
        raise TypeError(
            f"Eager execution of tf.constant with unsupported shape. Tensor {np.asarray(arr)} "
            f"(converted from {value!r}) has {arr.size} elements, but got `shape` {dims} with "
            f"{math.prod(dims)} elements). Pass a single value to fill the shape, or a value "
            f"with exactly {math.prod(dims)} elements."
        )
    return arr.reshape(dims)


def ones(shape: Any, dtype: Any = _dtypes.float32, name: str | None = None) -> jax.Array:
    """``tf.ones``: an array of ones, ``float32`` by default.

    >>> from compat import tf
    >>> tf.ones([3, 3, 1, 1]).dtype
    dtype('float32')
    """
    del name
    return jnp.ones(_shape("tf.ones", shape), np.dtype(dtype))


def zeros(shape: Any, dtype: Any = _dtypes.float32, name: str | None = None) -> jax.Array:
    """``tf.zeros``: an array of zeros, ``float32`` by default.

    >>> from compat import tf
    >>> tf.zeros((2,), tf.int32)
    Array([0, 0], dtype=int32)
    """
    del name
    return jnp.zeros(_shape("tf.zeros", shape), np.dtype(dtype))
