"""``tf.errors``: the exceptions ``compat.tf`` raises when TensorFlow would refuse a call.

TensorFlow raises ``InvalidArgumentError`` (an ``OpError``) from its kernels and
``ValueError`` from its Python wrappers. ``compat.tf`` raises
:class:`InvalidArgumentError` for both, and makes it a ``ValueError`` so that
code catching either keeps working. Messages start with TensorFlow's own text
(op name and sizes) and then say what would have worked.
"""

from __future__ import annotations

__all__ = ["InvalidArgumentError", "OpError", "UnimplementedError"]


class OpError(ValueError):
    """Base class of the errors below; ``message`` is the text, as in TensorFlow."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgumentError(OpError):
    """An argument (a shape, stride, padding, dtype...) that TensorFlow rejects."""


class UnimplementedError(InvalidArgumentError):
    """A combination TensorFlow rejects as unimplemented on every device.

    Example: a stride or dilation on the batch or channel dimension. (Where
    TensorFlow refuses only on CPU, such as ``NCHW`` or a dilated transposed
    convolution, ``compat.tf`` computes the result instead of raising.) It is
    also an :class:`InvalidArgumentError`, so one ``except`` catches every
    rejection.
    """
