"""One tolerance table per dtype, for every comparison of a jconv result with
the float64 oracle or with a peer (TensorFlow, PyTorch, another algorithm, the
same call under a transform).

``eps`` below is the spacing of the dtype at 1 (``np.finfo(dtype).eps``). The
bound covers the op's own rounding: inputs already in the dtype, compared with
the exact (float64) sum of the same products. A test that rounds its inputs
after computing the reference needs a looser check and must say so.

Elementwise, ``|actual - expected| <= atol + rtol * |expected|``. With
``scale="max"`` the error is measured against the largest result instead,
``|actual - expected| <= atol * max(1, max|expected|)``: sums with
cancellation have small entries whose relative error means nothing.

The numbers hold on XLA:CPU, where float32 convolutions run in float32 (a GPU's
TF32 default would need about 1e-3).
"""

from __future__ import annotations

from typing import NamedTuple

import ml_dtypes
import numpy as np


class Tol(NamedTuple):
    rtol: float
    atol: float


TOLERANCES: dict[np.dtype, Tol] = {
    # eps 9.8e-4. XLA:CPU multiplies and adds in float32 and rounds the result once
    # (0.5 eps); an algorithm that adds partial results in float16 (phase, hybrid)
    # rounds a few times more: 4 eps.
    np.dtype(np.float16): Tol(4e-3, 4e-3),
    # eps 7.8e-3 (8 bits of mantissa); the same few roundings as float16: 4 eps.
    np.dtype(ml_dtypes.bfloat16): Tol(3e-2, 3e-2),
    # eps 1.2e-7, accumulated in float32: the suite's sums have tens to hundreds of
    # terms of size about 1, added in a different order than the reference: 8 eps.
    np.dtype(np.float32): Tol(1e-6, 1e-6),
    # eps 2.2e-16; the same sums, with the growth of a few hundred terms: ~450 eps.
    np.dtype(np.float64): Tol(1e-13, 1e-13),
    # Real and imaginary parts are each sums like the real case: the component's bound.
    np.dtype(np.complex64): Tol(1e-6, 1e-6),
    np.dtype(np.complex128): Tol(1e-13, 1e-13),
}
_BF16 = np.dtype(ml_dtypes.bfloat16)
EXACT = Tol(0.0, 0.0)  # integer dtypes: sums of integers are exact (no overflow here)

# Named entries: identities whose error is not one op's rounding.

# <conv(x), y> == <x, conv_transpose(y)> in float64, relative to the larger side: each
# side is a sum over every output element of an op's result, so the op's error is
# summed again, with cancellation.
ADJOINT = 1e-10
# jax.test_util.check_grads (finite differences, step 1e-4) in float64, order 2.
# Convolution is bilinear, so central differences are exact up to rounding; the
# second order divides that rounding by the step twice: eps(float64) * |f| / 1e-8,
# about 2e-7 for |f| ~ 10 (3.7e-7 seen in test_registry).
FINITE_DIFFERENCES = 1e-6


def tolerance(dtype) -> Tol:
    """The table's entry for ``dtype`` (``EXACT`` for integers and bool)."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iub":
        return EXACT
    return TOLERANCES[dtype]


def assert_close(actual, expected, dtype=None, *, scale=None, tol=None, err_msg=""):
    """``np.testing.assert_allclose`` with the table's tolerance; shapes must match.

    Args:
      actual: the result under test.
      expected: the reference (float64 oracle or a peer's result).
      dtype: the dtype the computation ran in; defaults to ``actual``'s.
      scale: ``None`` for an elementwise comparison, ``"max"`` to bound the error
        by ``atol * max(1, max|expected|)``.
      tol: a ``Tol`` to use instead of the table's (a named entry).
      err_msg: printed on failure.
    """
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (
        f"shape {actual.shape} != expected {expected.shape}. {err_msg}"
    )
    rtol, atol = tol if tol is not None else tolerance(actual.dtype if dtype is None else dtype)
    actual, expected = (a.astype(np.float32) if a.dtype == _BF16 else a for a in (actual, expected))
    if scale == "max":
        size = float(np.max(np.abs(expected), initial=0)) if expected.size else 0.0
        rtol, atol = 0.0, atol * max(1.0, size)
    elif scale is not None:
        raise ValueError(f"scale must be None or 'max', got {scale!r}")
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=err_msg)
