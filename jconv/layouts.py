"""Kernel layout converters between jconv and other frameworks.

jconv has one kernel layout, ``(*window, C_in // groups, C_out)`` (HWIO, as
in JAX and TensorFlow), and ``conv_transpose`` takes **the same tensor** as the
``conv`` it transposes. Seen from the transposed convolution, whose input has
``C_in_t`` channels and whose output has ``C_out_t``, that tensor is
``(*window, C_out_t // groups, C_in_t)``: TensorFlow's ``[h, w, out, in]``.

Every ``to_X`` function takes a jconv kernel and returns the tensor that
framework ``X`` wants for the *same* operation; ``from_X`` is its exact inverse
(both are pure permutations of the entries, so round trips are bit-exact).

=========================================  ==========================  ==========================
Framework and layer                        its kernel                  vs jconv's
=========================================  ==========================  ==========================
PyTorch / ONNX Conv                        (C_out, C_in // g, *k)      axes moved, no flip
PyTorch / ONNX ConvTranspose               (C_in_t, C_out_t // g, *k)  axes moved, no flip
TF / Keras Conv*DTranspose                 (*k, C_out_t, C_in_t)       identical
Flax ConvTranspose, transpose_kernel=True  (*k, C_out_t, C_in_t)       identical
Flax ConvTranspose (default)               (*k, C_in_t, C_out_t)       FLIPPED, channels swapped
Haiku ConvNDTranspose                      (*k, C_out_t, C_in_t)       FLIPPED
Equinox ConvTranspose                      (C_out_t, C_in_t // g, *k)  FLIPPED, swapped per group
lax.conv_general_dilated(lhs_dilation=s)   (*k, C_in_t // g, C_out_t)  FLIPPED, swapped per group
=========================================  ==========================  ==========================

Forward convolutions need no converter outside PyTorch/ONNX: TF, Keras, Flax
``nn.Conv`` and Haiku ``ConvND`` already use ``(*k, C_in//g, C_out)``, and
Equinox ``Conv`` uses PyTorch's layout (use :func:`to_torch_conv`).

Why some conversions flip. PyTorch, ONNX, TF, Keras and Flax with
``transpose_kernel=True`` define the transposed convolution as the adjoint
(gradient) of a forward convolution, so they store the forward kernel and need
no flip. Flax (default), Haiku, Equinox and ``lax.conv_transpose`` with
``transpose_kernel=False`` instead run a stride-1 convolution over the
zero-inserted input (``lhs_dilation``), which applies the kernel mirrored: the
adjoint's kernel is the forward kernel flipped in every spatial axis, with its
two channel axes swapped *within each group*. With ``groups > 1`` that swap is
not a plain axis permutation: the ``C_in_t`` axis is split into ``(groups,
C_in_t // groups)`` and only the per-group part trades places with the other
channel axis, so the ``groups`` blocks stay on the output-channel axis.

The PyTorch and ONNX transposed-convolution layout is a plain permutation even
for ``groups > 1``: PyTorch's ``conv_transpose`` weight is the weight of the
``conv`` it transposes, exactly as in jconv, so
``to_torch_conv_transpose(k)`` and ``to_torch_conv(k)`` return the same tensor.

All functions accept NumPy or JAX arrays (anything else is converted with
``np.asarray``) and return the same kind: a fresh contiguous NumPy array, or a
JAX array (they are traceable under ``jax.jit``). Flax's, Haiku's and Keras'
transposed convolutions have no ``groups`` argument; Equinox's does, and so does
:func:`to_lhs_dilated`, which gives the kernel for a grouped
``lax.conv_general_dilated(x, w, (1,) * n, pads, lhs_dilation=stride,
feature_group_count=groups)``.

Examples:
    >>> import numpy as np
    >>> from jconv import layouts
    >>> k = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 1, 3, 4)  # (kh, kw, C_in // g, C_out)
    >>> layouts.to_torch_conv(k).shape
    (4, 3, 2, 1)
    >>> bool((layouts.from_torch_conv(layouts.to_torch_conv(k)) == k).all())
    True
"""

from __future__ import annotations

import operator
from typing import Any, TypeAlias

import jax
import numpy as np

__all__ = [
    "from_equinox_conv_transpose",
    "from_flax_conv_transpose",
    "from_haiku_conv_transpose",
    "from_keras_conv_transpose",
    "from_lhs_dilated",
    "from_onnx_conv",
    "from_onnx_conv_transpose",
    "from_torch_conv",
    "from_torch_conv_transpose",
    "to_equinox_conv_transpose",
    "to_flax_conv_transpose",
    "to_haiku_conv_transpose",
    "to_keras_conv_transpose",
    "to_lhs_dilated",
    "to_onnx_conv",
    "to_onnx_conv_transpose",
    "to_torch_conv",
    "to_torch_conv_transpose",
]

Array: TypeAlias = np.ndarray | jax.Array
"""A NumPy or a JAX array; each converter returns the same kind it was given."""


# ---------------------------------------------------------------------------
# Helpers: checks and the three primitive moves (channels-last <-> channels-first,
# spatial flip, per-group channel swap).


def _array(fn: str, name: str, value: Any, min_ndim: int = 3) -> Array:
    if not isinstance(value, (np.ndarray, jax.Array)):
        try:
            value = np.asarray(value)
        except (TypeError, ValueError, RuntimeError) as e:
            raise TypeError(
                f"{fn}: `{name}` must be a NumPy or JAX array; received a "
                f"{type(value).__name__} ({e}). Convert it first, e.g. with "
                f"tensor.detach().cpu().numpy() for a PyTorch tensor."
            ) from None
    kind = np.dtype(value.dtype)
    if kind == np.bool_ or not (np.issubdtype(kind, np.number) or kind.name == "bfloat16"):
        raise TypeError(
            f"{fn}: `{name}` must have a numeric dtype; received {name}.dtype={kind.name}."
        )
    if value.ndim < min_ndim:
        raise ValueError(
            f"{fn}: `{name}` must have at least one spatial axis and two channel axes "
            f"(rank >= {min_ndim}); received {name}.shape={tuple(value.shape)}."
        )
    return value


def _groups(fn: str, groups: Any) -> int:
    if isinstance(groups, bool):
        raise TypeError(f"{fn}: `groups` must be an int; received groups={groups!r}.")
    try:
        g = operator.index(groups)
    except TypeError:
        raise TypeError(
            f"{fn}: `groups` must be an int; received groups={groups!r} of type "
            f"{type(groups).__name__}."
        ) from None
    if g < 1:
        raise ValueError(f"{fn}: `groups` must be a positive int; received groups={g}.")
    return int(g)


def _divisible(fn: str, what: str, size: int, groups: int, shape: tuple[int, ...]) -> None:
    if size % groups:
        raise ValueError(
            f"{fn}: {what} (={size}) must be divisible by `groups` (={groups}); received "
            f"shape {shape}. Pass the `groups` the layer was built with."
        )


def _finish(a: Array) -> Array:
    return np.ascontiguousarray(a) if isinstance(a, np.ndarray) else a


def _last_to_first(a: Array) -> Array:
    """``(*k, A, B)`` -> ``(B, A, *k)``."""
    n = a.ndim - 2
    return a.transpose(n + 1, n, *range(n))


def _first_to_last(a: Array) -> Array:
    """``(B, A, *k)`` -> ``(*k, A, B)``."""
    n = a.ndim - 2
    return a.transpose(*range(2, n + 2), 1, 0)


def _flip(a: Array) -> Array:
    """Reverses the leading ``ndim - 2`` (spatial) axes."""
    n = a.ndim - 2
    return a[(slice(None, None, -1),) * n]


def _swap_in_groups(a: Array, groups: int) -> Array:
    """``(*k, A, g * B)`` -> ``(*k, B, g * A)``: the channel axes trade places per group.

    Entry ``[t, a, grp * B + b]`` moves to ``[t, b, grp * A + a]``; with one group
    this is the plain swap of the last two axes.
    """
    *k, a_size, c = a.shape
    b_size = c // groups
    n = len(k)
    a = a.reshape(*k, a_size, groups, b_size)
    a = a.transpose(*range(n), n + 2, n + 1, n)
    return a.reshape(*k, b_size, groups * a_size)


# ---------------------------------------------------------------------------
# PyTorch and ONNX.


def to_torch_conv(kernel: Array) -> Array:
    """jconv kernel -> PyTorch ``Conv*d`` / ``conv*d`` weight (no flip).

    Args:
      kernel: ``(*window, C_in // groups, C_out)``.

    Returns:
      ``(C_out, C_in // groups, *window)``, whatever ``groups`` is.

    Raises:
      TypeError: ``kernel`` is not an array.
      ValueError: ``kernel`` has rank < 3.

    Examples:
      >>> import numpy as np
      >>> to_torch_conv(np.zeros((5, 3, 2, 8))).shape
      (8, 2, 5, 3)
    """
    return _finish(_last_to_first(_array("jconv.layouts.to_torch_conv", "kernel", kernel)))


def from_torch_conv(weight: Array) -> Array:
    """PyTorch ``Conv*d`` weight -> jconv kernel; the inverse of :func:`to_torch_conv`.

    Args:
      weight: ``(C_out, C_in // groups, *window)``.

    Returns:
      ``(*window, C_in // groups, C_out)``.

    Raises:
      TypeError: ``weight`` is not an array.
      ValueError: ``weight`` has rank < 3.

    Examples:
      >>> import numpy as np
      >>> from_torch_conv(np.zeros((8, 2, 5, 3))).shape
      (5, 3, 2, 8)
    """
    return _finish(_first_to_last(_array("jconv.layouts.from_torch_conv", "weight", weight)))


def to_torch_conv_transpose(kernel: Array) -> Array:
    """jconv kernel -> PyTorch ``ConvTranspose*d`` weight (no flip, any ``groups``).

    PyTorch's transposed-convolution weight is the weight of the convolution it
    transposes, as in jconv, so this is the same permutation as
    :func:`to_torch_conv`: it needs no ``groups``.

    Args:
      kernel: ``(*window, C_out_t // groups, C_in_t)``, where ``C_in_t`` is the
        transposed convolution's input channel count.

    Returns:
      ``(C_in_t, C_out_t // groups, *window)``.

    Raises:
      TypeError: ``kernel`` is not an array.
      ValueError: ``kernel`` has rank < 3.

    Examples:
      >>> import numpy as np
      >>> to_torch_conv_transpose(np.zeros((4, 4, 3, 16))).shape  # 16 -> 3 * groups channels
      (16, 3, 4, 4)
    """
    fn = "jconv.layouts.to_torch_conv_transpose"
    return _finish(_last_to_first(_array(fn, "kernel", kernel)))


def from_torch_conv_transpose(weight: Array) -> Array:
    """PyTorch ``ConvTranspose*d`` weight -> jconv kernel; inverse of :func:`to_torch_conv_transpose`.

    Args:
      weight: ``(C_in_t, C_out_t // groups, *window)``.

    Returns:
      ``(*window, C_out_t // groups, C_in_t)``, ready for :func:`jconv.conv_transpose`.

    Raises:
      TypeError: ``weight`` is not an array.
      ValueError: ``weight`` has rank < 3.

    Examples:
      >>> import numpy as np
      >>> from_torch_conv_transpose(np.zeros((16, 3, 4, 4))).shape
      (4, 4, 3, 16)
    """
    fn = "jconv.layouts.from_torch_conv_transpose"
    return _finish(_first_to_last(_array(fn, "weight", weight)))


def to_onnx_conv(kernel: Array) -> Array:
    """jconv kernel -> ONNX ``Conv`` ``W``: ``(M, C / group, *k)``, as PyTorch (no flip).

    Examples:
      >>> import numpy as np
      >>> to_onnx_conv(np.zeros((3, 2, 8))).shape
      (8, 2, 3)
    """
    return _finish(_last_to_first(_array("jconv.layouts.to_onnx_conv", "kernel", kernel)))


def from_onnx_conv(weight: Array) -> Array:
    """ONNX ``Conv`` ``W`` -> jconv kernel; the inverse of :func:`to_onnx_conv`.

    Examples:
      >>> import numpy as np
      >>> from_onnx_conv(np.zeros((8, 2, 3))).shape
      (3, 2, 8)
    """
    return _finish(_first_to_last(_array("jconv.layouts.from_onnx_conv", "weight", weight)))


def to_onnx_conv_transpose(kernel: Array) -> Array:
    """jconv kernel -> ONNX ``ConvTranspose`` ``W``: ``(C, M / group, *k)``, as PyTorch.

    Examples:
      >>> import numpy as np
      >>> to_onnx_conv_transpose(np.zeros((3, 2, 8))).shape
      (8, 2, 3)
    """
    fn = "jconv.layouts.to_onnx_conv_transpose"
    return _finish(_last_to_first(_array(fn, "kernel", kernel)))


def from_onnx_conv_transpose(weight: Array) -> Array:
    """ONNX ``ConvTranspose`` ``W`` -> jconv kernel; inverse of :func:`to_onnx_conv_transpose`.

    Examples:
      >>> import numpy as np
      >>> from_onnx_conv_transpose(np.zeros((8, 2, 3))).shape
      (3, 2, 8)
    """
    fn = "jconv.layouts.from_onnx_conv_transpose"
    return _finish(_first_to_last(_array(fn, "weight", weight)))


# ---------------------------------------------------------------------------
# TF / Keras.


def to_keras_conv_transpose(kernel: Array) -> Array:
    """jconv kernel -> Keras ``Conv*DTranspose`` kernel: the identity.

    Keras (and ``tf.nn.conv*_transpose``) store the forward kernel
    ``(*k, filters, C_in_t)``, exactly jconv's layout; this returns an
    unchanged copy (NumPy) or the same array (JAX) and exists so that ported
    code can say what it means.

    Examples:
      >>> import numpy as np
      >>> to_keras_conv_transpose(np.zeros((3, 3, 8, 16))).shape  # 16 -> 8 channels
      (3, 3, 8, 16)
    """
    fn = "jconv.layouts.to_keras_conv_transpose"
    return _finish(_array(fn, "kernel", kernel))


def from_keras_conv_transpose(kernel: Array) -> Array:
    """Keras ``Conv*DTranspose`` kernel -> jconv kernel: the identity.

    Examples:
      >>> import numpy as np
      >>> from_keras_conv_transpose(np.zeros((3, 3, 8, 16))).shape
      (3, 3, 8, 16)
    """
    fn = "jconv.layouts.from_keras_conv_transpose"
    return _finish(_array(fn, "kernel", kernel))


# ---------------------------------------------------------------------------
# The unflipped ("lhs-dilated") convention: Flax default, Haiku, Equinox.


def to_lhs_dilated(kernel: Array, *, groups: int = 1) -> Array:
    """jconv kernel -> kernel of the equivalent stride-1 conv on the zero-inserted input.

    ``jconv.conv_transpose(x, kernel, s, ..., groups=g)`` equals
    ``lax.conv_general_dilated(x, to_lhs_dilated(kernel, groups=g), (1,) * n,
    pads, lhs_dilation=s, rhs_dilation=d, feature_group_count=g)`` with
    ``pads = (d * (k - 1) - lo, d * (k - 1) - hi + output_padding)`` per
    dimension (Dumoulin & Visin, relationship 14). The kernel is flipped in
    every spatial axis and its channel axes are swapped within each group.

    Args:
      kernel: ``(*window, C_out_t // groups, C_in_t)``.
      groups: the channel groups of the transposed convolution.

    Returns:
      ``(*window, C_in_t // groups, C_out_t)`` (HWIO), flipped.

    Raises:
      TypeError: ``kernel`` is not an array, or ``groups`` is not an int.
      ValueError: rank < 3, ``groups < 1``, or ``C_in_t`` not divisible by ``groups``.

    Examples:
      >>> import numpy as np
      >>> k = np.arange(6).reshape(1, 1, 6)  # one tap, C_out_t // g = 1, C_in_t = 6
      >>> to_lhs_dilated(k, groups=2)[0]  # two groups of 3 inputs, one output each
      array([[0, 3],
             [1, 4],
             [2, 5]])
    """
    fn = "jconv.layouts.to_lhs_dilated"
    kernel = _array(fn, "kernel", kernel)
    g = _groups(fn, groups)
    _divisible(fn, "kernel.shape[-1] (C_in_t)", kernel.shape[-1], g, tuple(kernel.shape))
    return _finish(_flip(_swap_in_groups(kernel, g)))


def from_lhs_dilated(kernel: Array, *, groups: int = 1) -> Array:
    """Kernel of a stride-1 conv on the zero-inserted input -> jconv kernel.

    The inverse of :func:`to_lhs_dilated`.

    Args:
      kernel: ``(*window, C_in_t // groups, C_out_t)`` (HWIO).
      groups: the ``feature_group_count`` it is used with.

    Returns:
      ``(*window, C_out_t // groups, C_in_t)``.

    Raises:
      TypeError: ``kernel`` is not an array, or ``groups`` is not an int.
      ValueError: rank < 3, ``groups < 1``, or ``C_out_t`` not divisible by ``groups``.

    Examples:
      >>> import numpy as np
      >>> k = np.arange(6).reshape(1, 1, 6)
      >>> bool((from_lhs_dilated(to_lhs_dilated(k, groups=3), groups=3) == k).all())
      True
    """
    fn = "jconv.layouts.from_lhs_dilated"
    kernel = _array(fn, "kernel", kernel)
    g = _groups(fn, groups)
    _divisible(fn, "kernel.shape[-1] (C_out_t)", kernel.shape[-1], g, tuple(kernel.shape))
    return _finish(_swap_in_groups(_flip(kernel), g))


def to_flax_conv_transpose(kernel: Array, *, transpose_kernel: bool = False) -> Array:
    """jconv kernel -> Flax ``nn.ConvTranspose`` ``kernel`` param.

    Flax's default (``transpose_kernel=False``) applies its kernel
    ``(*k, C_in_t, features)`` unflipped to the zero-inserted input, so the
    result is jconv's kernel flipped with its channel axes swapped. With
    ``transpose_kernel=True`` Flax stores ``(*k, features, C_in_t)``, the
    forward kernel: identical to jconv's. Flax's ``ConvTranspose`` has no
    groups (for grouped kernels see :func:`to_lhs_dilated`). Flax's
    ``padding`` is not jconv's: it pads the zero-inserted input.

    Args:
      kernel: ``(*window, C_out_t, C_in_t)`` (one group).
      transpose_kernel: the Flax module's ``transpose_kernel`` flag.

    Returns:
      ``(*window, C_in_t, C_out_t)`` flipped, or (``transpose_kernel=True``)
      ``kernel`` unchanged.

    Raises:
      TypeError: ``kernel`` is not an array, or ``transpose_kernel`` not a bool.
      ValueError: ``kernel`` has rank < 3.

    Examples:
      >>> import numpy as np
      >>> k = np.arange(3 * 2 * 5).reshape(3, 2, 5)  # (k, C_out_t, C_in_t)
      >>> to_flax_conv_transpose(k).shape, to_flax_conv_transpose(k, transpose_kernel=True).shape
      ((3, 5, 2), (3, 2, 5))
      >>> bool((to_flax_conv_transpose(k)[0] == k[2].T).all())  # flipped, swapped
      True
    """
    fn = "jconv.layouts.to_flax_conv_transpose"
    kernel = _array(fn, "kernel", kernel)
    if _flag(fn, transpose_kernel):
        return _finish(kernel)
    return _finish(_flip(_swap_in_groups(kernel, 1)))


def from_flax_conv_transpose(kernel: Array, *, transpose_kernel: bool = False) -> Array:
    """Flax ``nn.ConvTranspose`` ``kernel`` param -> jconv kernel.

    The inverse of :func:`to_flax_conv_transpose` with the same flag.

    Examples:
      >>> import numpy as np
      >>> from_flax_conv_transpose(np.zeros((3, 5, 2))).shape  # (k, C_in_t, features)
      (3, 2, 5)
    """
    fn = "jconv.layouts.from_flax_conv_transpose"
    kernel = _array(fn, "kernel", kernel)
    if _flag(fn, transpose_kernel):
        return _finish(kernel)
    return _finish(_swap_in_groups(_flip(kernel), 1))


def _flag(fn: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{fn}: `transpose_kernel` must be a bool; received transpose_kernel={value!r}."
        )
    return bool(value)


def to_haiku_conv_transpose(kernel: Array) -> Array:
    """jconv kernel -> Haiku ``ConvNDTranspose`` ``w``: spatially flipped.

    Haiku's ``w`` has jconv's shape ``(*k, output_channels, C_in_t)`` but is
    applied unflipped to the zero-inserted input (``lax.conv_transpose`` with
    ``transpose_kernel=False``), so it is jconv's kernel flipped in every
    spatial axis. Haiku's ``ConvNDTranspose`` has no groups.

    Examples:
      >>> import numpy as np
      >>> k = np.arange(3).reshape(3, 1, 1)
      >>> to_haiku_conv_transpose(k)[:, 0, 0]
      array([2, 1, 0])
    """
    fn = "jconv.layouts.to_haiku_conv_transpose"
    return _finish(_flip(_array(fn, "kernel", kernel)))


def from_haiku_conv_transpose(w: Array) -> Array:
    """Haiku ``ConvNDTranspose`` ``w`` -> jconv kernel (flip back).

    Examples:
      >>> import numpy as np
      >>> from_haiku_conv_transpose(np.arange(3).reshape(3, 1, 1))[:, 0, 0]
      array([2, 1, 0])
    """
    return _finish(_flip(_array("jconv.layouts.from_haiku_conv_transpose", "w", w)))


def to_equinox_conv_transpose(kernel: Array, *, groups: int = 1) -> Array:
    """jconv kernel -> Equinox ``nn.ConvTranspose`` ``weight``: flipped, swapped per group.

    Equinox applies ``weight`` ``(out_channels, in_channels // groups, *k)``
    unflipped to the zero-inserted input with ``feature_group_count=groups``.
    (Equinox's own recipe, flip then ``swapaxes(0, 1)``, is this function for
    ``groups=1`` only.)

    Args:
      kernel: ``(*window, C_out_t // groups, C_in_t)``.
      groups: the Equinox layer's ``groups``.

    Returns:
      ``(C_out_t, C_in_t // groups, *window)``.

    Raises:
      TypeError: ``kernel`` is not an array, or ``groups`` is not an int.
      ValueError: rank < 3, ``groups < 1``, or ``C_in_t`` not divisible by ``groups``.

    Examples:
      >>> import numpy as np
      >>> k = np.zeros((3, 3, 4, 6))  # C_in_t = 6 -> C_out_t = 4 * groups
      >>> to_equinox_conv_transpose(k, groups=2).shape
      (8, 3, 3, 3)
    """
    fn = "jconv.layouts.to_equinox_conv_transpose"
    kernel = _array(fn, "kernel", kernel)
    g = _groups(fn, groups)
    _divisible(fn, "kernel.shape[-1] (C_in_t)", kernel.shape[-1], g, tuple(kernel.shape))
    return _finish(_last_to_first(_flip(_swap_in_groups(kernel, g))))


def from_equinox_conv_transpose(weight: Array, *, groups: int = 1) -> Array:
    """Equinox ``nn.ConvTranspose`` ``weight`` -> jconv kernel.

    The inverse of :func:`to_equinox_conv_transpose` with the same ``groups``.

    Examples:
      >>> import numpy as np
      >>> from_equinox_conv_transpose(np.zeros((8, 3, 3, 3)), groups=2).shape
      (3, 3, 4, 6)
    """
    fn = "jconv.layouts.from_equinox_conv_transpose"
    weight = _array(fn, "weight", weight)
    g = _groups(fn, groups)
    _divisible(fn, "weight.shape[0] (C_out_t)", weight.shape[0], g, tuple(weight.shape))
    return _finish(_swap_in_groups(_flip(_first_to_last(weight)), g))
