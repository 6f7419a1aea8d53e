"""``jconv.conv_transpose``: the exact adjoint of ``jconv.conv`` with the same kernel."""

from __future__ import annotations

import jax

from jconv._algorithms.registry import ALGORITHMS, transpose
from jconv._canonical.spec import DTypeLike, PrecisionLike, algorithm_name, transpose_spec
from jconv._canonical.types import (
    Algorithm,
    DataFormat,
    IntOrInts,
    Padding,
    PaddingMode,
)


def conv_transpose(
    x: jax.typing.ArrayLike,
    kernel: jax.typing.ArrayLike,
    stride: IntOrInts = 1,
    padding: Padding = "VALID",
    *,
    output_shape: IntOrInts | None = None,
    output_padding: IntOrInts | None = None,
    dilation: IntOrInts = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    data_format: DataFormat | None = None,
    precision: PrecisionLike = None,
    preferred_element_type: DTypeLike | None = None,
    bias: jax.typing.ArrayLike | None = None,
    algorithm: Algorithm = "auto",
) -> jax.Array:
    """Transposed convolution ("deconvolution"): the adjoint of :func:`jconv.conv`.

    For every ``z`` and ``y``, with the same ``kernel`` and arguments,
    ``<conv(z, kernel, ...), y> == <z, conv_transpose(y, kernel, ..., output_shape=z_spatial)>``.
    Equivalently ``out[b, i * s - lo + t * d, g(ci) + co] += x[b, i, ci] * kernel[t, co, ci]``
    (a scatter-add), which is what TF's ``conv2d_transpose`` and PyTorch's
    ``conv_transpose2d`` compute.

    Args:
      x: ``(N, *spatial, C_in)`` (or ``(N, C_in, *spatial)`` channels-first),
        where ``C_in`` is the forward conv's output channel count.
      kernel: the kernel of the forward convolution being transposed,
        ``(*window, C_out // groups, C_in)``: TF's ``[h, w, out, in]`` order.
      stride: an int or one per spatial dimension (the forward conv's stride,
        i.e. the upsampling factor).
      padding: the *forward* convolution's padding: ``"SAME"``,
        ``"SAME_LOWER"``, ``"VALID"``, ``"CAUSAL"`` (1-D), an int (PyTorch's
        ``padding``), one int per dimension, or one ``(lo, hi)`` pair per
        dimension. ``"SAME"`` is computed from the output size, as in TF.
      output_shape: the spatial output sizes (an int or one per dimension).
        Any size that ``conv`` maps back to the input size is accepted (see
        :func:`jconv.shapes.transpose_output_shapes`).
      output_padding: extra size at the high end of each dimension (PyTorch
        rule: each ``< max(stride, dilation)``); not with ``output_shape`` or
        ``"SAME"``.
      dilation: kernel dilation, an int or one per dimension.
      groups: channel groups; ``C_in`` and ``kernel.shape[-1]`` are split into
        ``groups`` blocks; output channels are ``groups * kernel.shape[-2]``.
      padding_mode: ``"zeros"``, ``"circular"``, ``"reflect"`` or
        ``"replicate"``: the adjoint of :func:`jconv.conv` with that mode (what
        spills into the padding is added back onto the cells the forward
        padding copied: wrapped around, mirrored, or onto the edge cell).
      data_format: as in :func:`jconv.conv`.
      precision: passed to XLA.
      preferred_element_type: accumulation and result dtype.
      bias: ``None`` or a ``(C_out,)`` array (``C_out = groups *
        kernel.shape[-2]``) added along the output's channel axis, of the dtype
        of ``x`` or of ``preferred_element_type``. With a bias the function is
        affine, no longer the adjoint.
      algorithm: ``"auto"`` (chosen per backend and shape from measurements),
        ``"lhs_dilation"`` (the reference: XLA's convolution of the
        zero-inserted input), ``"phase"`` (stride-phase / sub-pixel
        decomposition: one stride-1 convolution of the undilated input with
        the phase sub-kernels stacked, then depth-to-space; no multiply
        touches an inserted zero, and neither do its gradients) or
        ``"hybrid"`` (the reference's forward pass with ``"phase"``'s
        gradients). All give the same values.

    Returns:
      ``(N, *out_spatial, groups * kernel.shape[-2])`` in the layout of ``x``.
      The default ``out_spatial`` is ``(i - 1) * s + d * (k - 1) + 1 - lo - hi
      + output_padding`` (``i * s`` for ``"SAME"``).

    Raises:
      TypeError: an argument of the wrong kind (including a traced
        ``output_shape``, or mismatched or non-numeric dtypes).
      ValueError: a bad value, e.g. an ``output_shape`` that ``conv`` would not
        map back to the input size (the message lists the sizes that work), an
        integer argument of ``2**62`` or more, or an output larger than the
        devices' memory.
      NotImplementedError: a dilation spanning so far beyond the data that an
        intermediate would be over 16 times the data (and 256 MiB).

    Examples:
      >>> import numpy as np, jconv
      >>> y = np.array([4.5, 5.4, 8.1, 9.0], np.float32).reshape(1, 2, 2, 1)
      >>> jconv.conv_transpose(y, np.ones((3, 3, 1, 1), np.float32))[0, ..., 0]
      Array([[ 4.5,  9.9,  9.9,  5.4],
             [12.6, 27. , 27. , 14.4],
             [12.6, 27. , 27. , 14.4],
             [ 8.1, 17.1, 17.1,  9. ]], dtype=float32)
      >>> jconv.conv_transpose(y, np.ones((3, 3, 1, 1), np.float32), 2, output_shape=(6, 6)).shape
      (1, 6, 6, 1)
    """
    fn = "jconv.conv_transpose"
    name = algorithm_name(fn, algorithm, tuple(ALGORITHMS))
    call = transpose_spec(
        fn,
        x,
        kernel,
        stride,
        padding,
        output_shape=output_shape,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
        padding_mode=padding_mode,
        data_format=data_format,
        precision=precision,
        preferred_element_type=preferred_element_type,
        bias=bias,
    )
    return transpose(fn, call, name)
