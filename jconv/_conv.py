"""``jconv.conv``: N-d convolution (cross-correlation) on ``lax.conv_general_dilated``."""

from __future__ import annotations

import jax

from jconv._algorithms.forward import forward
from jconv._canonical.spec import DTypeLike, PrecisionLike, conv_spec
from jconv._canonical.types import (
    DataFormat,
    IntOrInts,
    Padding,
    PaddingMode,
)


def conv(
    x: jax.typing.ArrayLike,
    kernel: jax.typing.ArrayLike,
    stride: IntOrInts = 1,
    padding: Padding = "VALID",
    *,
    dilation: IntOrInts = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    data_format: DataFormat | None = None,
    precision: PrecisionLike = None,
    preferred_element_type: DTypeLike | None = None,
    bias: jax.typing.ArrayLike | None = None,
) -> jax.Array:
    """N-dimensional convolution (cross-correlation, kernel not flipped), as in TF and PyTorch.

    ``out[b, o, co] = sum_{t, ci} x_padded[b, o * stride + t * dilation, g(co) + ci] * kernel[t, ci, co]``
    per spatial dimension, where ``g(co)`` is the first input channel of
    output channel ``co``'s group.

    Args:
      x: input, ``(N, *spatial, C_in)`` (channels-last, the default) or
        ``(N, C_in, *spatial)`` with a channels-first ``data_format``.
      kernel: ``(*window, C_in // groups, C_out)`` (HWIO, as in JAX and TF).
      stride: an int, or one int per spatial dimension.
      padding: ``"SAME"``, ``"SAME_LOWER"``, ``"VALID"``, ``"CAUSAL"`` (1-D
        only: ``dilation * (k - 1)`` before, nothing after, as in Keras) in any
        case, an int (both sides of every dimension), one int per dimension,
        or one ``(lo, hi)`` pair per dimension (negative values crop).
      dilation: kernel dilation, an int or one per spatial dimension.
      groups: number of channel groups; ``groups == C_in`` is depthwise.
      padding_mode: what the padding is filled with, PyTorch's names:
        ``"zeros"`` (the default), ``"circular"`` (the input repeated
        periodically), ``"reflect"`` (mirrored without repeating the edge cell,
        each side padding less than the size) or ``"replicate"`` (the edge cell
        repeated). The non-zero modes need non-negative padding.
      data_format: ``None`` or ``"channels_last"``/``"NWC"``/``"NHWC"``/``"NDHWC"``,
        or ``"channels_first"``/``"NCW"``/``"NCHW"``/``"NCDHW"``.
      precision: passed to XLA (``None``, ``"highest"``, a ``lax.Precision``...).
      preferred_element_type: accumulation and result dtype (e.g. ``jnp.float32``
        for bfloat16 inputs).
      bias: ``None`` or a ``(C_out,)`` array added to every output position
        along the channel axis (either layout), of the dtype of ``x`` or of
        ``preferred_element_type``.

    Returns:
      ``(N, *out_spatial, C_out)`` in the same layout as ``x``, with
      ``out_spatial`` given by :func:`jconv.shapes.conv_output_shape`.

    Raises:
      TypeError: an argument of the wrong kind (non-int stride, mismatched or
        non-numeric dtypes, traced shape argument).
      ValueError: a bad value (wrong rank, channels not matching the kernel or
        not divisible by ``groups``, non-positive stride/dilation, unknown
        padding or data_format, a bias not of shape ``(C_out,)``, a zero-size
        output, an integer argument of ``2**62`` or more, or an output larger
        than the devices' memory).
      NotImplementedError: a dilation spanning so far beyond the data that an
        intermediate would be over 16 times the data (and 256 MiB).

    Examples:
      >>> import numpy as np, jconv
      >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1) / 10
      >>> jconv.conv(x, np.ones((3, 3, 1, 1), np.float32))[0, ..., 0]
      Array([[4.5     , 5.4     ],
             [8.099999, 9.      ]], dtype=float32)
      >>> jconv.conv(np.ones((1, 6, 6, 3)), np.ones((3, 3, 3, 1)), 2, "SAME").shape
      (1, 3, 3, 1)
    """
    fn = "jconv.conv"
    call = conv_spec(
        fn,
        x,
        kernel,
        stride,
        padding,
        dilation=dilation,
        groups=groups,
        padding_mode=padding_mode,
        data_format=data_format,
        precision=precision,
        preferred_element_type=preferred_element_type,
        bias=bias,
    )
    return forward(fn, call)
