"""``torch.nn.functional`` convolutions with PyTorch's signatures, computed by jconv.

Each function translates its arguments into one :func:`jconv.conv` or
:func:`jconv.conv_transpose` call on channels-first data, with the weight
converted by :mod:`jconv.layouts`; the bias is added by broadcasting. PyTorch's
rejections are raised as ``ValueError`` (bad values) or ``TypeError`` (wrong
kinds, mismatched dtypes) before anything is computed.
"""

from __future__ import annotations

from typing import Any

import jax

import jconv
from compat.torch import _args
from jconv import layouts

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
]

IntOrTuple = int | tuple[int, ...]
_CONV_WEIGHT = "(C_out, C_in // groups, *kernel_size)"
_TRANSPOSE_WEIGHT = "(C_in, C_out // groups, *kernel_size)"


def _operands(fn: str, input, weight, bias) -> tuple[jax.Array, jax.Array, jax.Array | None]:
    x, w = _args.operand(fn, "input", input), _args.operand(fn, "weight", weight)
    return x, w, None if bias is None else _args.operand(fn, "bias", bias)


def _with_bias(
    out: jax.Array, bias: jax.Array | None, dtype: Any, n: int, batched: bool
) -> jax.Array:
    """Adds ``bias`` in ``dtype`` (``None``: ``out``'s), rounding to ``out``'s dtype as PyTorch does."""
    if bias is not None:
        dtype = out.dtype if dtype is None else dtype
        b = bias.astype(dtype).reshape((1, bias.shape[0]) + (1,) * n)
        out = (out.astype(dtype) + b).astype(out.dtype)
    return out if batched else out[0]


def _conv(fn: str, n: int, input, weight, bias, stride, padding, dilation, groups) -> jax.Array:
    with _args.named(fn):
        return _conv_named(fn, n, input, weight, bias, stride, padding, dilation, groups)


def _conv_named(fn: str, n: int, input, weight, bias, stride, padding, dilation, groups):
    x, w, b = _operands(fn, input, weight, bias)
    batched = _args.ranks(fn, n, x.shape, w.shape, _CONV_WEIGHT)
    strides = _args.ints(fn, "stride", stride, n)
    _args.positive(fn, "stride", strides, "non-positive stride is not supported")
    dilations = _args.ints(fn, "dilation", dilation, n)
    _args.positive(fn, "dilation", dilations, "dilation should be greater than zero")
    pads = _args.conv_padding(fn, padding, n, strides)
    g = _args.groups(fn, groups)
    _args.weight_groups(fn, w.shape, g)
    c_in = x.shape[1 if batched else 0]
    if c_in != w.shape[1] * g:
        raise ValueError(
            f"{fn}(): Given groups={g}, weight of size {_args.size(w.shape)}, expected "
            f"input{_args.size(x.shape)} to have {w.shape[1] * g} channels, but got {c_in} "
            f"channels instead; the weight is {_CONV_WEIGHT}."
        )
    _args.bias(fn, None if b is None else b.shape, w.shape[0], w.shape, transposed=False)
    b_dtype = None if b is None else b.dtype
    add_in = _args.dtypes(fn, x.dtype, w.dtype, b_dtype, False, n, batched and x.shape[0] == 0)
    _args.empty_spatial(fn, x.shape, batched)
    sizes = x.shape[-n:]
    _args.conv_window(fn, sizes, w.shape[2:], pads, dilations)
    out = jconv.conv(
        x if batched else x[None],
        layouts.from_torch_conv(w),
        strides,
        pads,
        dilation=dilations,
        groups=g,
        data_format="channels_first",
    )
    return _with_bias(out, b, add_in, n, batched)


def _conv_transpose(
    fn: str, n: int, input, weight, bias, stride, padding, output_padding, groups, dilation
) -> jax.Array:
    with _args.named(fn):
        return _conv_transpose_named(
            fn, n, input, weight, bias, stride, padding, output_padding, groups, dilation
        )


def _conv_transpose_named(
    fn: str, n: int, input, weight, bias, stride, padding, output_padding, groups, dilation
):
    x, w, b = _operands(fn, input, weight, bias)
    batched = _args.ranks(fn, n, x.shape, w.shape, _TRANSPOSE_WEIGHT)
    strides = _args.ints(fn, "stride", stride, n)
    _args.positive(fn, "stride", strides, "non-positive stride is not supported")
    dilations = _args.ints(fn, "dilation", dilation, n)
    _args.positive(fn, "dilation", dilations, "dilation should be greater than zero")
    if isinstance(padding, str):
        raise TypeError(
            f"{fn}(): argument 'padding' must be tuple of ints, not str (received "
            f"padding={padding!r}); PyTorch's transposed convolutions take no padding "
            f"strings (jconv.conv_transpose takes 'SAME' and 'VALID')."
        )
    pads = _args.ints(fn, "padding", padding, n)
    _args.non_negative(fn, "padding", pads)
    extra = _args.output_padding(fn, output_padding, n, strides, dilations)
    g = _args.groups(fn, groups)
    _args.weight_groups(fn, w.shape, g)
    c_in = x.shape[1 if batched else 0]
    if c_in != w.shape[0]:
        raise ValueError(
            f"{fn}(): Given transposed=1, weight of size {_args.size(w.shape)}, expected "
            f"input{_args.size(x.shape)} to have {w.shape[0]} channels, but got {c_in} "
            f"channels instead; the weight is {_TRANSPOSE_WEIGHT}."
        )
    _args.bias(fn, None if b is None else b.shape, w.shape[1] * g, w.shape, transposed=True)
    b_dtype = None if b is None else b.dtype
    add_in = _args.dtypes(fn, x.dtype, w.dtype, b_dtype, True, n, batched and x.shape[0] == 0)
    _args.empty_spatial(fn, x.shape, batched)
    sizes = x.shape[-n:]
    forward_pads = _args.transpose_pads(fn, sizes, w.shape[2:], strides, pads, extra, dilations)
    out = jconv.conv_transpose(
        x if batched else x[None],
        layouts.from_torch_conv_transpose(w),
        strides,
        forward_pads,
        dilation=dilations,
        groups=g,
        data_format="channels_first",
    )
    return _with_bias(out, b, add_in, n, batched)


def conv1d(
    input: jax.typing.ArrayLike,
    weight: jax.typing.ArrayLike,
    bias: jax.typing.ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> jax.Array:
    """``torch.nn.functional.conv1d``: see :func:`conv2d`; input ``(N, C_in, W)`` or ``(C_in, W)``.

    Examples:
      >>> import numpy as np
      >>> conv1d(np.ones((1, 2, 6)), np.ones((4, 2, 3)), padding="same").shape
      (1, 4, 6)
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: jax.typing.ArrayLike,
    weight: jax.typing.ArrayLike,
    bias: jax.typing.ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> jax.Array:
    """``torch.nn.functional.conv2d`` on :func:`jconv.conv`.

    Args:
      input: ``(N, C_in, H, W)``, or unbatched ``(C_in, H, W)``.
      weight: ``(C_out, C_in // groups, kH, kW)`` (PyTorch's layout).
      bias: ``(C_out,)`` or ``None``; same dtype as ``input``.
      stride: an int, or a tuple of 1 or 2 ints.
      padding: ``"valid"``, ``"same"`` (stride 1 only; any odd unit goes after),
        an int, or a tuple of 1 or 2 non-negative ints (both sides).
      dilation: an int, or a tuple of 1 or 2 ints.
      groups: channel groups; ``C_in`` and ``C_out`` must be divisible by it.

    Returns:
      ``(N, C_out, H_out, W_out)`` (no batch axis for an unbatched input).

    Raises:
      TypeError: a non-int shape argument, a padding of the wrong kind, or mismatched dtypes.
      ValueError: what PyTorch rejects: bad ranks, channel or group mismatches,
        non-positive stride/dilation/groups, negative padding, an unknown padding
        string, ``"same"`` with stride > 1, or a kernel larger than the padded input.

    Examples:
      >>> import numpy as np
      >>> x = np.ones((1, 4, 5, 5), np.float32)
      >>> conv2d(x, np.ones((6, 2, 3, 3), np.float32), stride=2, padding=1, groups=2).shape
      (1, 6, 3, 3)
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(
    input: jax.typing.ArrayLike,
    weight: jax.typing.ArrayLike,
    bias: jax.typing.ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> jax.Array:
    """``torch.nn.functional.conv3d``: see :func:`conv2d`; input ``(N, C_in, D, H, W)``.

    Examples:
      >>> import numpy as np
      >>> conv3d(np.ones((2, 3, 4, 4)), np.ones((5, 2, 3, 3, 3))).shape  # unbatched
      (5, 1, 2, 2)
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input: jax.typing.ArrayLike,
    weight: jax.typing.ArrayLike,
    bias: jax.typing.ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> jax.Array:
    """``torch.nn.functional.conv_transpose1d``: see :func:`conv_transpose2d`.

    Examples:
      >>> import numpy as np
      >>> conv_transpose1d(np.ones((1, 4, 5)), np.ones((4, 3, 4)), stride=2, padding=1).shape
      (1, 3, 10)
    """
    return _conv_transpose(
        "conv_transpose1d",
        1,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose2d(
    input: jax.typing.ArrayLike,
    weight: jax.typing.ArrayLike,
    bias: jax.typing.ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> jax.Array:
    """``torch.nn.functional.conv_transpose2d`` on :func:`jconv.conv_transpose`.

    The output size is ``(i - 1) * stride - 2 * padding + dilation * (k - 1) + 1
    + output_padding`` per dimension; ``padding`` is the padding of the
    convolution being transposed, as in jconv.

    Args:
      input: ``(N, C_in, H, W)``, or unbatched ``(C_in, H, W)``.
      weight: ``(C_in, C_out // groups, kH, kW)`` (PyTorch's transposed layout,
        the weight of the ``conv2d`` it transposes).
      bias: ``(C_out,)`` or ``None``; any real dtype that casts to ``input``'s, which the
        result keeps (as torch's reference kernel; 3-D with a non-empty batch and complex
        inputs need ``input``'s dtype).
      stride: an int, or a tuple of 1 or 2 ints.
      padding: an int, or a tuple of 1 or 2 non-negative ints (no strings).
      output_padding: extra size on the high side; each ``< max(stride, dilation)``.
      groups: channel groups; ``C_in`` must be divisible by it.
      dilation: an int, or a tuple of 1 or 2 ints.

    Returns:
      ``(N, C_out, H_out, W_out)`` (no batch axis for an unbatched input).

    Raises:
      TypeError: an operand that is not an array of numbers, a non-int shape argument, a
        padding string, or mismatched dtypes.
      ValueError: what PyTorch rejects: bad ranks, channel or group mismatches,
        non-positive stride/dilation/groups, negative padding or output_padding,
        an output_padding too large, or an output size below 1.

    Examples:
      >>> import numpy as np
      >>> x = np.ones((1, 4, 5, 5), np.float32)
      >>> w = np.ones((4, 3, 3, 3), np.float32)
      >>> conv_transpose2d(x, w, stride=2, padding=1, output_padding=1, groups=2).shape
      (1, 6, 10, 10)
    """
    return _conv_transpose(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose3d(
    input: jax.typing.ArrayLike,
    weight: jax.typing.ArrayLike,
    bias: jax.typing.ArrayLike | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> jax.Array:
    """``torch.nn.functional.conv_transpose3d``: see :func:`conv_transpose2d`.

    Examples:
      >>> import numpy as np
      >>> conv_transpose3d(np.ones((1, 2, 2, 2, 2)), np.ones((2, 1, 2, 2, 2)), stride=2).shape
      (1, 1, 4, 4, 4)
    """
    return _conv_transpose(
        "conv_transpose3d",
        3,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )
