"""A TensorFlow-signature drop-in for convolutions, computed by ``jconv``.

Change ``import tensorflow as tf`` to ``from compat import tf`` and
convolution code runs on JAX (jit-compatible, any backend)::

    from compat import tf
    x = tf.constant(1.0, shape=[1, 4, 4, 3])
    y = tf.nn.conv2d(x, tf.ones([3, 3, 3, 1]), strides=[1, 2, 2, 1], padding="SAME")

Provided: ``tf.nn`` (TF2 signatures), ``tf.compat.v1.nn`` (TF1 names and
aliases), ``tf.errors``, and ``tf.constant``, ``tf.ones``, ``tf.zeros`` and
the dtypes ``float16``, ``bfloat16``, ``float32``, ``float64``, ``int32``,
``int64``. Results are ``jax.Array``; ``compat.tf`` only translates
arguments and has no numerics of its own.
"""

import types as _types

from compat.tf import _v1
from compat.tf import errors as errors
from compat.tf import nn as nn
from compat.tf._constructors import constant as constant
from compat.tf._constructors import ones as ones
from compat.tf._constructors import zeros as zeros
from compat.tf._dtypes import bfloat16 as bfloat16
from compat.tf._dtypes import float16 as float16
from compat.tf._dtypes import float32 as float32
from compat.tf._dtypes import float64 as float64
from compat.tf._dtypes import int32 as int32
from compat.tf._dtypes import int64 as int64

compat = _types.SimpleNamespace(
    v1=_types.SimpleNamespace(
        nn=_types.SimpleNamespace(**{name: getattr(_v1, name) for name in _v1.__all__}),
        errors=errors,
        constant=constant,
        ones=ones,
        zeros=zeros,
        float16=float16,
        bfloat16=bfloat16,
        float32=float32,
        float64=float64,
        int32=int32,
        int64=int64,
    )
)
"""``tf.compat.v1``: ``nn`` with the TF1 signatures, plus the constructors and dtypes."""

__all__ = [
    "bfloat16",
    "compat",
    "constant",
    "errors",
    "float16",
    "float32",
    "float64",
    "int32",
    "int64",
    "nn",
    "ones",
    "zeros",
]
