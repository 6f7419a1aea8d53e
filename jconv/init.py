"""Kernel and bias initializers for jconv's kernel layouts.

Every initializer has the JAX/Flax signature ``(key, shape, dtype) -> jax.Array``,
so it plugs into ``kernel_init`` / ``bias_init`` of :mod:`jconv.flax`,
``flax.nnx.Conv`` or a hand-written module. Shapes are jconv's kernel layouts:

* :func:`jconv.conv`: ``(*window, C_in // groups, C_out)``;
* :func:`jconv.conv_transpose`: ``(*window, C_out // groups, C_in)`` (the
  kernel of the forward convolution it transposes).

In both, ``prod(shape[:-1])`` is the fan-in PyTorch computes from *its* weight
layout (``weight.size(1) * prod(window)``, groups included): a ``Conv*d``
weight is ``(C_out, C_in // groups, *window)`` and a ``ConvTranspose*d``
weight ``(C_in, C_out // groups, *window)``, so PyTorch's "fan-in" of a
transposed convolution is ``C_out // groups * prod(window)``, the fan-in of
the forward convolution it transposes. Keras' fans are read from the same
layouts (its kernels *are* jconv's): ``fan_in = shape[-2] * prod(window)``,
``fan_out = shape[-1] * prod(window)``.

Examples:
    >>> import jax
    >>> from jconv import init
    >>> k = init.torch_default(jax.random.key(0), (3, 3, 8, 16))  # fan_in 72
    >>> k.shape, bool(abs(k).max() <= 1 / 72**0.5)
    ((3, 3, 8, 16), True)
    >>> b = init.torch_default_bias(72)(jax.random.key(1), (16,))
    >>> b.shape, bool(abs(b).max() <= 1 / 72**0.5)
    ((16,), True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jconv._canonical.args import is_sequence, per_dim_ints, show, static_int
from jconv._canonical.operands import check_divisible
from jconv._canonical.types import IntOrInts

__all__ = [
    "Initializer",
    "bilinear_upsample",
    "glorot_uniform",
    "torch_default",
    "torch_default_bias",
]


class Initializer(Protocol):
    """``(key, shape, dtype) -> jax.Array``: what ``kernel_init`` and ``bias_init`` take.

    Any function of that form fits, e.g. :func:`torch_default` and
    ``jax.nn.initializers.zeros``; Flax calls it positionally.
    """

    def __call__(
        self, key: jax.Array, shape: Sequence[int], dtype: jax.typing.DTypeLike, /
    ) -> jax.Array: ...


def torch_default(
    key: jax.Array, shape: Sequence[int], dtype: jax.typing.DTypeLike = jnp.float32
) -> jax.Array:
    """PyTorch's default ``Conv*d`` / ``ConvTranspose*d`` weight init, in jconv's layouts.

    PyTorch draws ``kaiming_uniform_(weight, a=sqrt(5))``: ``U(-b, b)`` with
    ``b = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)`` (``gain = sqrt(2 / (1 +
    a**2))``). Here ``fan_in = prod(shape[:-1])``, which is PyTorch's fan-in
    for a jconv :func:`~jconv.conv` kernel ``(*window, C_in // groups, C_out)``
    *and* for a jconv :func:`~jconv.conv_transpose` kernel ``(*window, C_out //
    groups, C_in)`` (see the module docstring); it is also right for a
    ``flax.nnx.Conv`` kernel and a ``(in, out)`` dense kernel, but not for a
    ``flax.nnx.ConvTranspose`` kernel (Flax's ``(*window, C_in, C_out)``).

    Args:
      key: a JAX PRNG key.
      shape: the kernel shape, rank >= 2.
      dtype: a floating or complex dtype (complex: the real and imaginary
        parts are each uniform, as Equinox draws them).

    Returns:
      An array of ``shape`` and ``dtype`` with entries uniform in ``[-b, b)``.

    Raises:
      TypeError: ``shape`` is not a sequence of ints, or ``dtype`` is not
        floating or complex.
      ValueError: ``shape`` has rank < 2 or a negative entry.

    Examples:
      >>> import jax
      >>> k = torch_default(jax.random.key(0), (4, 2, 6))  # bound 1 / sqrt(4 * 2)
      >>> bool(abs(k).max() <= 8**-0.5)
      True
    """
    fn = "jconv.init.torch_default"
    dims = _shape(fn, shape)
    return _uniform(fn, key, dims, dtype, 1 / math.sqrt(max(math.prod(dims[:-1]), 1)))


def torch_default_bias(fan_in: int) -> Initializer:
    """PyTorch's default bias init for a kernel with ``fan_in``, as an initializer.

    PyTorch draws a convolution's bias from ``U(-1 / sqrt(fan_in), 1 /
    sqrt(fan_in))`` with the fan-in of its weight, which a bias initializer's
    ``(key, shape, dtype)`` does not see: pass it here, e.g.
    ``bias_init=torch_default_bias(kh * kw * in_features // groups)`` for a
    ``flax.nnx.Conv``. For a jconv kernel of shape ``s`` it is ``prod(s[:-1])``
    (the fan-in :func:`torch_default` uses). :mod:`jconv.flax` and
    :mod:`jconv.equinox` layers do this by default.

    Args:
      fan_in: a positive int.

    Returns:
      ``init(key, shape, dtype=jnp.float32)``, drawing ``U(-b, b)`` with
      ``b = 1 / sqrt(fan_in)``.

    Raises:
      TypeError: ``fan_in`` is not an int.
      ValueError: ``fan_in < 1``.

    Examples:
      >>> import jax
      >>> b = torch_default_bias(9)(jax.random.key(0), (1000,))
      >>> bool(abs(b).max() <= 1 / 3)
      True
    """
    fn = "jconv.init.torch_default_bias"
    n = static_int(fn, "fan_in", fan_in)
    if n < 1:
        raise ValueError(f"{fn}: `fan_in` must be a positive int; received fan_in={n}.")
    bound = 1 / math.sqrt(n)

    def init(
        key: jax.Array, shape: Sequence[int], dtype: jax.typing.DTypeLike = jnp.float32
    ) -> jax.Array:
        name = f"jconv.init.torch_default_bias({n})"
        return _uniform(name, key, _shape(name, shape, min_rank=0), dtype, bound)

    return init


def glorot_uniform(
    key: jax.Array, shape: Sequence[int], dtype: jax.typing.DTypeLike = jnp.float32
) -> jax.Array:
    """Keras' ``glorot_uniform`` (Xavier uniform) with Keras' fans, in jconv's layouts.

    ``U(-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))``, where
    ``fan_in = shape[-2] * prod(shape[:-2])`` and ``fan_out = shape[-1] *
    prod(shape[:-2])``: Keras' rule for its ``Conv*D`` kernel ``(*window,
    C_in // groups, filters)`` and its ``Conv*DTranspose`` kernel ``(*window,
    filters, C_in)``, both of which are jconv's layouts (Glorot & Bengio,
    2010): the distribution ``jax.nn.initializers.glorot_uniform()`` draws
    for these shapes (not the same numbers for the same key).

    Args:
      key: a JAX PRNG key.
      shape: the kernel shape, rank >= 2.
      dtype: a floating or complex dtype (complex: each part uniform).

    Returns:
      An array of ``shape`` and ``dtype`` with entries uniform in ``[-limit, limit)``.

    Raises:
      TypeError: ``shape`` is not a sequence of ints, or ``dtype`` is not
        floating or complex.
      ValueError: ``shape`` has rank < 2 or a negative entry.

    Examples:
      >>> import jax
      >>> k = glorot_uniform(jax.random.key(0), (3, 3, 4, 8))  # limit sqrt(6 / (36 + 72))
      >>> bool(abs(k).max() <= (6 / 108) ** 0.5)
      True
    """
    fn = "jconv.init.glorot_uniform"
    dims = _shape(fn, shape)
    field = math.prod(dims[:-2])
    fans = (dims[-2] + dims[-1]) * field
    return _uniform(fn, key, dims, dtype, math.sqrt(6 / fans) if fans else 0.0)


def bilinear_upsample(
    scale: IntOrInts,
    channels: int,
    *,
    ndim: int = 2,
    groups: int | None = None,
    dtype: jax.typing.DTypeLike = jnp.float32,
) -> jax.Array:
    """A :func:`jconv.conv_transpose` kernel that upsamples each channel (bi/tri)linearly.

    The FCN initialization (Long, Shelhamer & Darrell, "Fully Convolutional
    Networks for Semantic Segmentation", 2015): per dimension, a window of
    ``k = 2 * s - s % 2`` taps ``f[t] = 1 - |t - (k - 1) / 2| / s``, the
    separable product over dimensions, and channel ``c`` of the input feeding
    only channel ``c`` of the output. Use it as::

        jconv.conv_transpose(x, kernel, stride=scale, padding=scale // 2, groups=channels)

    (``padding="SAME"`` resolves to the same, ``s // 2`` on each side) for an
    output of ``input * scale`` cells. Pass ``groups=1`` for the dense
    ``(*k, channels, channels)`` kernel with an identity channel map (FCN's
    own, for a layer whose channels will learn to mix).

    Interior: the output equals half-pixel linear interpolation
    (``jax.image.resize(x, ..., method="linear")``,
    ``torch.nn.functional.interpolate(..., mode="bilinear",
    align_corners=False)``) everywhere except the outermost ``s // 2`` cells
    at each end of each dimension. Border: those cells sample between the
    first (or last) input cell and a zero beyond it, so they fade towards 0
    where the interpolators clamp to the edge value (the output is the
    interpolation of the input extended by zeros). For the interpolators'
    result everywhere, pad the input by one edge cell per side
    (``jnp.pad(x, ..., mode="edge")``) and use ``padding=scale // 2 + scale``.
    With ``scale=1`` the kernel is the identity (one tap of 1).

    Args:
      scale: the integer upsampling factor, one for every dimension or one
        per dimension (each >= 1).
      channels: the number of channels (input and output alike).
      ndim: the number of spatial dimensions (1: linear, 2: bilinear, 3: trilinear...).
      groups: the ``groups`` of the call: ``None`` (the default) for
        ``channels`` (depthwise, kernel ``(*k, 1, channels)``), or any divisor of
        ``channels`` (kernel ``(*k, channels // groups, channels)``).
      dtype: a floating dtype.

    Returns:
      The kernel, ``(*k, channels // groups, channels)`` in jconv's
      transpose layout.

    Raises:
      TypeError: a non-int ``scale``, ``channels``, ``ndim`` or ``groups``, or
        a non-floating ``dtype``.
      ValueError: ``ndim``, ``channels``, ``groups`` or a ``scale`` < 1, or
        ``channels`` not divisible by ``groups``.

    Examples:
      >>> import numpy as np, jconv
      >>> k = bilinear_upsample(2, 1, ndim=1)
      >>> k[:, 0, 0]
      Array([0.25, 0.75, 0.75, 0.25], dtype=float32)
      >>> x = np.array([0.0, 4.0, 8.0], np.float32).reshape(1, 3, 1)
      >>> jconv.conv_transpose(x, k, stride=2, padding=1)[0, :, 0]
      Array([0., 1., 3., 5., 7., 6.], dtype=float32)
    """
    fn = "jconv.init.bilinear_upsample"
    n = static_int(fn, "ndim", ndim)
    if n < 1:
        raise ValueError(f"{fn}: `ndim` must be a positive int; received ndim={n}.")
    scales = per_dim_ints(fn, "scale", scale, n, minimum=1)
    c = static_int(fn, "channels", channels)
    if c < 1:
        raise ValueError(f"{fn}: `channels` must be a positive int; received channels={c}.")
    g = c if groups is None else static_int(fn, "groups", groups)
    if g < 1:
        raise ValueError(f"{fn}: `groups` must be a positive int or None; received groups={g}.")
    check_divisible(fn, "`channels`", c, g)
    _floating(fn, dtype, complex_ok=False)
    window = np.ones((), np.float64)
    for s in scales:
        k = 2 * s - s % 2
        taps = 1 - np.abs(np.arange(k) - (k - 1) / 2) / s
        window = np.multiply.outer(window, taps)
    per_group = c // g
    kernel = np.zeros((*window.shape, per_group, c), np.float64)
    kernel[..., np.arange(c) % per_group, np.arange(c)] = window[..., None]
    return jnp.asarray(kernel, dtype)


# ---------------------------------------------------------------------------
# Helpers.


def _shape(fn: str, shape: Any, min_rank: int = 2) -> tuple[int, ...]:
    if not is_sequence(shape):
        raise TypeError(
            f"{fn}: `shape` must be a sequence of ints; received shape={shape!r} of type "
            f"{type(shape).__name__}."
        )
    dims = tuple(static_int(fn, f"shape[{i}]", d) for i, d in enumerate(shape))
    if len(dims) < min_rank:
        raise ValueError(
            f"{fn}: `shape` must have rank >= {min_rank} (a kernel: *window, then two channel "
            f"axes); received shape={show(shape)}."
        )
    if any(d < 0 for d in dims):
        raise ValueError(
            f"{fn}: every entry of `shape` must be >= 0; received shape={show(shape)}."
        )
    return dims


def _floating(fn: str, dtype: Any, complex_ok: bool = True) -> None:
    kind = jnp.inexact if complex_ok else jnp.floating
    try:
        ok = jnp.issubdtype(dtype, kind)
    except TypeError:
        ok = False
    if not ok:
        what = "floating or complex" if complex_ok else "floating"
        raise TypeError(
            f"{fn}: `dtype` must be a {what} dtype (e.g. jnp.float32); received dtype={dtype!r}."
        )


def _uniform(
    fn: str, key: jax.Array, shape: tuple[int, ...], dtype: Any, bound: float
) -> jax.Array:
    """``U(-bound, bound)``; for a complex dtype the real and imaginary parts each (as Equinox)."""
    try:
        complex_ = jnp.issubdtype(dtype, jnp.complexfloating)
    except TypeError:
        complex_ = False
    if complex_:
        part = jnp.finfo(dtype).dtype
        re_key, im_key = jax.random.split(key)
        re = jax.random.uniform(re_key, shape, part, -bound, bound)
        im = jax.random.uniform(im_key, shape, part, -bound, bound)
        return lax.complex(re, im).astype(dtype)
    _floating(fn, dtype)
    return jax.random.uniform(key, shape, dtype, -bound, bound)
