"""``resize_conv``: upsample by an integer factor, then a stride-1 ``jconv.conv``.

The remedy of Odena, Dumoulin & Olah, "Deconvolution and Checkerboard Artifacts"
(Distill, 2016): a transposed convolution whose kernel size is not a multiple of
its stride overlaps unevenly and paints a checkerboard; resizing first and then
convolving gives every output position the same number of taps.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jconv._canonical.args import per_dim_ints, show
from jconv._canonical.operands import Layout
from jconv._canonical.spec import DTypeLike, PrecisionLike, check_bytes
from jconv._canonical.types import DataFormat, IntOrInts, Padding, PaddingMode
from jconv._conv import conv
from jconv._upsampling.common import check_sizes, spatial_input

Method: TypeAlias = Literal["nearest", "nearest-exact", "linear", "bilinear", "trilinear"]
METHODS = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear")
_NO_CUBIC = (
    " Cubic interpolation is not offered (PyTorch's and TF's conventions differ): resize "
    "with the one you need (e.g. jax.image.resize) and call jconv.conv."
)
_RANK_OF = {"bilinear": 2, "trilinear": 3}  # PyTorch's names, each for one rank


def resize_conv(
    x: jax.typing.ArrayLike,
    kernel: jax.typing.ArrayLike,
    scale: IntOrInts,
    padding: Padding = "SAME",
    *,
    method: Method = "nearest",
    dilation: IntOrInts = 1,
    groups: int = 1,
    padding_mode: PaddingMode = "zeros",
    data_format: DataFormat | None = None,
    precision: PrecisionLike = None,
    preferred_element_type: DTypeLike | None = None,
    bias: jax.typing.ArrayLike | None = None,
) -> jax.Array:
    """Checkerboard-free upsampling: resize by ``scale``, then a stride-1 :func:`jconv.conv`.

    ``resize_conv(x, kernel, s, padding, ...) == jconv.conv(resize(x, s), kernel, 1,
    padding, ...)``, where ``resize`` multiplies each spatial size by its integer
    factor with half-pixel centres (output cell ``o`` samples input coordinate
    ``(o + 0.5) / s - 0.5``), as ``torch.nn.functional.interpolate`` with
    ``align_corners=False``, ``tf.image.resize`` and ``keras.layers.UpSampling2D``:

    - ``"nearest"``: each input cell repeated ``s`` times (exact, a broadcast);
      PyTorch's ``"nearest"`` and ``"nearest-exact"`` and TF's ``"nearest"``
      agree for integer factors, and ``"nearest-exact"`` is accepted as an alias.
    - ``"linear"``: separable linear interpolation in every spatial dimension
      (PyTorch's ``"linear"``/``"bilinear"``/``"trilinear"``, TF and Keras'
      ``"bilinear"``); the coordinate is clamped to the edge cells. PyTorch's
      names are accepted for their rank: ``"bilinear"`` for 2 spatial
      dimensions, ``"trilinear"`` for 3; ``"linear"`` works for every rank.

    Cubic interpolation is not offered: PyTorch (``a = -0.75``, edge taps
    clamped) and TF/Keras/``jax.image.resize`` (``a = -0.5``, edge weights
    renormalised) disagree; resize with the one you need and call
    :func:`jconv.conv`.

    Args:
      x: ``(N, *spatial, C_in)``, or ``(N, C_in, *spatial)`` with a channels-first
        ``data_format``.
      kernel: ``(*window, C_in // groups, C_out)``, as for :func:`jconv.conv`.
      scale: the integer upsampling factor, an int or one per spatial dimension,
        each >= 1.
      padding: the convolution's padding, any form :func:`jconv.conv` accepts;
        the default ``"SAME"`` keeps the resized size, so the output is
        ``spatial * scale``.
      method: ``"nearest"`` (the default) or ``"linear"`` (or the aliases above).
        ``"linear"`` needs a floating or complex ``x``.
      dilation, groups, padding_mode, data_format, precision,
        preferred_element_type, bias: passed to :func:`jconv.conv`.

    Returns:
      ``(N, *out_spatial, C_out)`` in the layout of ``x``: the convolution of the
      ``(N, *(spatial * scale), C_in)`` resized input.

    Raises:
      TypeError: ``x`` not an array, a non-int ``scale``, a non-string
        ``method``, ``method="linear"`` with an integer or bool ``x``, or any
        ``TypeError`` of :func:`jconv.conv` on the resized input (its message
        names ``jconv.conv``).
      ValueError: rank below 3, a ``scale`` below 1 or of the wrong length, an
        unknown ``method`` (or ``"bilinear"``/``"trilinear"`` for another rank),
        a resized input no device here can hold, or any ``ValueError`` of
        :func:`jconv.conv` on the resized input. All are raised before any
        compute.

    Examples:
      >>> import numpy as np, jconv
      >>> x = np.array([1.0, 2.0, 4.0], np.float32).reshape(1, 3, 1)   # (N, W, C)
      >>> identity = np.ones((1, 1, 1), np.float32)                   # a 1x1 conv
      >>> jconv.resize_conv(x, identity, 2)[0, :, 0]
      Array([1., 1., 2., 2., 4., 4.], dtype=float32)
      >>> jconv.resize_conv(x, identity, 2, method="linear")[0, :, 0]
      Array([1.  , 1.25, 1.75, 2.5 , 3.5 , 4.  ], dtype=float32)
      >>> x = np.ones((2, 8, 8, 16), np.float32)               # NHWC
      >>> jconv.resize_conv(x, np.ones((3, 3, 16, 4), np.float32), 2).shape
      (2, 16, 16, 4)
    """
    fn = "jconv.resize_conv"
    x, layout = spatial_input(fn, x, data_format)
    scales = per_dim_ints(fn, "scale", scale, layout.ndim, minimum=1)
    linear = _linear(fn, method, layout.ndim)
    if linear and not jnp.issubdtype(x.dtype, jnp.inexact):
        raise TypeError(
            f"{fn}: method={method!r} interpolates, so `x` must have a floating or complex "
            f"dtype; received x.dtype={np.dtype(x.dtype).name}. Cast it with .astype(), or "
            f"use method='nearest'."
        )
    shape = list(x.shape)
    for axis, s in zip(layout.spatial_axes, scales):
        shape[axis] *= s
    resized = tuple(shape)
    because = f"x.shape={x.shape}, scale={show(scale)}"
    check_sizes(fn, "the resized input", resized, because)
    check_bytes(fn, "the resized input", resized, x.dtype, because)

    def convolve(r: jax.Array) -> jax.Array:
        return conv(
            r,
            kernel,
            1,
            padding,
            dilation=dilation,
            groups=groups,
            padding_mode=padding_mode,
            data_format=data_format,
            precision=precision,
            preferred_element_type=preferred_element_type,
            bias=bias,
        )

    # jconv.conv checks its arguments on the abstract resized input first, so that
    # a bad kernel or padding fails before the (large) resized array is computed.
    jax.eval_shape(convolve, jax.ShapeDtypeStruct(resized, x.dtype))
    up = _linear_resize(x, layout, scales) if linear else _repeat(x, layout, scales)
    return convolve(up)


def _linear(fn: str, method: Any, ndim: int) -> bool:
    """Whether ``method`` names linear interpolation (else nearest); checks it."""
    if not isinstance(method, str):
        raise TypeError(
            f"{fn}: `method` must be a string, one of {', '.join(map(repr, METHODS))}; "
            f"received method={method!r} of type {type(method).__name__}."
        )
    if method not in METHODS:
        raise ValueError(
            f"{fn}: `method` must be one of {', '.join(map(repr, METHODS))}; received "
            f"method={method!r}." + (_NO_CUBIC if "cubic" in method else "")
        )
    if _RANK_OF.get(method, ndim) != ndim:
        raise ValueError(
            f"{fn}: method={method!r} is PyTorch's name for {_RANK_OF[method]} spatial "
            f"dimensions, but `x` has {ndim}; use method='linear', which works for any rank."
        )
    return method not in ("nearest", "nearest-exact")


def _repeat(x: jax.Array, layout: Layout, scales: tuple[int, ...]) -> jax.Array:
    """Nearest-neighbour upsampling by integer factors: one broadcast and one reshape."""
    fine: list[Any] = []
    wide: list[Any] = []
    out = list(x.shape)
    for axis, size in enumerate(x.shape):
        fine.append(size)
        wide.append(size)
        if axis in layout.spatial_axes:
            s = scales[layout.spatial_axes.index(axis)]
            fine.append(1)
            wide.append(s)
            out[axis] = size * s
    y = jnp.broadcast_to(jnp.reshape(x, fine), wide)
    return jnp.reshape(y, out)


def _linear_resize(x: jax.Array, layout: Layout, scales: tuple[int, ...]) -> jax.Array:
    """Linear upsampling with half-pixel centres, one spatial dimension at a time."""
    for axis, s in zip(layout.spatial_axes, scales):
        x = _linear_axis(x, axis, s)
    return x


def _linear_axis(x: jax.Array, axis: int, s: int) -> jax.Array:
    """Upsamples one axis by ``s``: output ``q * s + r`` reads ``q + f_r``.

    ``f_r = (2r + 1 - s) / (2s)``, in ``(-1/2, 1/2)``: the first ``s // 2`` phases
    interpolate between cells ``q - 1`` and ``q``, the rest between ``q`` and
    ``q + 1``; the edge cell is repeated outside the input, which is the
    clamped source coordinate of PyTorch and TF.
    """
    size = x.shape[axis]
    if s == 1 or size == 0:
        return jnp.reshape(x, (*x.shape[:axis], size * s, *x.shape[axis + 1 :]))
    edge = [lax.slice_in_dim(x, 0, 1, axis=axis), lax.slice_in_dim(x, size - 1, size, axis=axis)]
    padded = jnp.concatenate([edge[0], x, edge[1]], axis=axis)
    left, mid, right = (
        jnp.expand_dims(lax.slice_in_dim(padded, i, i + size, axis=axis), axis + 1)
        for i in range(3)
    )
    h = s // 2
    r = np.arange(s)
    f = (2 * r + 1 - s) / (2 * s)

    def weights(values: np.ndarray) -> jax.Array:
        shape = [1] * (x.ndim + 1)
        shape[axis + 1] = len(values)
        return jnp.asarray(values.reshape(shape), dtype=x.dtype)

    lower = weights(-f[:h]) * left + weights(1 + f[:h]) * mid
    upper = weights(1 - f[h:]) * mid + weights(f[h:]) * right
    phases = jnp.concatenate([lower, upper], axis=axis + 1)
    return jnp.reshape(phases, (*x.shape[:axis], size * s, *x.shape[axis + 1 :]))
