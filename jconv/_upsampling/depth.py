"""``depth_to_space`` and ``space_to_depth``: channel blocks moved into space and back.

One index map, written once for every rank, layout and channel order: each op
is one reshape, one transpose and one reshape, so both are exact for every
dtype and compose with ``jit``, ``vmap``, ``grad`` and ``linear_transpose``.
"""

from __future__ import annotations

import math
from typing import Any, Literal, TypeAlias

import jax
import jax.numpy as jnp

from jconv._canonical.args import per_dim_ints, show
from jconv._canonical.operands import Layout
from jconv._canonical.types import DataFormat, IntOrInts
from jconv._upsampling.common import check_sizes, spatial_input

Order: TypeAlias = Literal["DCR", "CRD"]
ORDERS = ("DCR", "CRD")

_Axis: TypeAlias = tuple[str, int]


def depth_to_space(
    x: jax.typing.ArrayLike,
    block_size: IntOrInts,
    *,
    data_format: DataFormat | None = None,
    order: Order = "DCR",
) -> jax.Array:
    """Moves blocks of channels into space: ``(N, *S, C * prod(b))`` to ``(N, *(S * b), C)``.

    The sub-pixel ("pixel shuffle") upsampling of Shi et al., "Real-Time Single
    Image and Video Super-Resolution Using an Efficient Sub-Pixel Convolutional
    Neural Network" (2016), for any number of spatial dimensions. Per spatial
    dimension ``i`` with block ``b_i``, output position ``s_i * b_i + r_i``
    (``0 <= r_i < b_i``) takes its values from input position ``s_i``, and
    with ``k = ravel_multi_index(r, b)`` (row-major: ``((r_1 * b_2 + r_2) * b_3
    + r_3)...``, the first spatial dimension slowest) and ``P = prod(b)``::

        out[n, s * b + r, c] = x[n, s, k * C + c]   # order="DCR"
        out[n, s * b + r, c] = x[n, s, c * P + k]   # order="CRD"

    (channels-last shown; channels-first moves only the channel axis). ``"DCR"``
    is ``tf.nn.depth_to_space`` and ONNX ``DepthToSpace``'s default; ``"CRD"``
    with channels-first is ``torch.nn.functional.pixel_shuffle`` and ONNX
    ``mode="CRD"``. Unlike TensorFlow, a block of 1 is allowed (the identity).

    Args:
      x: ``(N, *spatial, C * prod(block))``, or ``(N, C * prod(block), *spatial)``
        with a channels-first ``data_format``; any dtype.
      block_size: the upsampling factor, an int or one int per spatial
        dimension, each >= 1.
      data_format: ``None`` or ``"channels_last"``/``"NWC"``/``"NHWC"``/``"NDHWC"``,
        or ``"channels_first"``/``"NCW"``/``"NCHW"``/``"NCDHW"`` (as for
        :func:`jconv.conv`).
      order: how a channel index splits into a block offset ``k`` and an output
        channel ``c``: ``"DCR"`` (offset major) or ``"CRD"`` (channel major).

    Returns:
      ``(N, *(spatial * block), C)`` in the layout of ``x``, of its dtype.

    Raises:
      TypeError: ``x`` is not an array, or a non-int ``block_size`` or non-string
        ``order`` or ``data_format``.
      ValueError: rank below 3, a ``block_size`` below 1 or of the wrong length,
        channels not divisible by ``prod(block_size)``, an unknown ``order`` or
        ``data_format``, or an output size of ``2**62`` or more.

    Examples:
      >>> import numpy as np, jconv
      >>> x = np.arange(4, dtype=np.int32).reshape(1, 1, 1, 4)   # NHWC, 4 channels
      >>> jconv.depth_to_space(x, 2)[0, ..., 0]        # TF's DCR order
      Array([[0, 1],
             [2, 3]], dtype=int32)
      >>> x = np.arange(8, dtype=np.int32).reshape(1, 8, 1, 1)   # NCHW, as pixel_shuffle
      >>> jconv.depth_to_space(x, 2, data_format="NCHW", order="CRD")[0]
      Array([[[0, 1],
              [2, 3]],
      <BLANKLINE>
             [[4, 5],
              [6, 7]]], dtype=int32)
      >>> jconv.depth_to_space(np.zeros((2, 5, 12)), (3,)).shape   # 1-D: (N, W, C)
      (2, 15, 4)
    """
    fn = "jconv.depth_to_space"
    x, layout, block = _checked(fn, x, block_size, data_format, order)
    c_all = x.shape[layout.channel_axis]
    p = math.prod(block)
    if c_all % p:
        raise ValueError(
            f"{fn}: the channel count of `x` (={c_all}, axis {layout.channel_axis}) must be "
            f"divisible by the product of `block_size` (={p} for block_size={show(block_size)});"
            f" received x.shape={x.shape}." + _layout_hint(x.shape, data_format, p)
        )
    sizes = {("n", 0): x.shape[0], ("c", 0): c_all // p}
    sizes |= {("s", i): s for i, s in enumerate(layout.spatial(x.shape))}
    sizes |= {("b", i): b for i, b in enumerate(block)}
    split, fine = _axes(layout, order)
    out = _shape(layout, sizes, fine=True)
    check_sizes(fn, "the output", out, f"x.shape={x.shape}, block_size={show(block_size)}")
    y = jnp.reshape(x, [sizes[a] for a in split])
    y = jnp.transpose(y, [split.index(a) for a in fine])
    return jnp.reshape(y, out)


def space_to_depth(
    x: jax.typing.ArrayLike,
    block_size: IntOrInts,
    *,
    data_format: DataFormat | None = None,
    order: Order = "DCR",
) -> jax.Array:
    """Moves blocks of space into channels: ``(N, *(S * b), C)`` to ``(N, *S, C * prod(b))``.

    The exact inverse of :func:`depth_to_space` with the same arguments::

        out[n, s, k * C + c] = x[n, s * b + r, c]   # order="DCR"
        out[n, s, c * P + k] = x[n, s * b + r, c]   # order="CRD"

    with ``k = ravel_multi_index(r, b)`` and ``P = prod(b)`` as there. ``"DCR"``
    is ``tf.nn.space_to_depth`` and ONNX ``SpaceToDepth``; ``"CRD"`` with
    channels-first is ``torch.nn.functional.pixel_unshuffle``.

    Args:
      x: ``(N, *(spatial * block), C)``, or ``(N, C, *(spatial * block))`` with a
        channels-first ``data_format``; any dtype.
      block_size: the downsampling factor, an int or one int per spatial
        dimension, each >= 1 and dividing its spatial size.
      data_format: as for :func:`depth_to_space`.
      order: ``"DCR"`` or ``"CRD"``, as for :func:`depth_to_space`.

    Returns:
      ``(N, *spatial, C * prod(block))`` in the layout of ``x``, of its dtype.

    Raises:
      TypeError: as for :func:`depth_to_space`.
      ValueError: as for :func:`depth_to_space`, and a spatial size not divisible
        by its block (instead of the channel rule).

    Examples:
      >>> import numpy as np, jconv
      >>> x = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
      >>> jconv.space_to_depth(x, 2)[0, 0, 0]          # the top-left 2x2 block
      Array([0, 1, 4, 5], dtype=int32)
      >>> y = jconv.space_to_depth(x, (2, 4), order="CRD")
      >>> y.shape, bool((jconv.depth_to_space(y, (2, 4), order="CRD") == x).all())
      ((1, 2, 1, 8), True)
    """
    fn = "jconv.space_to_depth"
    x, layout, block = _checked(fn, x, block_size, data_format, order)
    spatial = layout.spatial(x.shape)
    for i, (size, b) in enumerate(zip(spatial, block)):
        if size % b:
            raise ValueError(
                f"{fn}: every spatial size of `x` must be divisible by its `block_size`; "
                f"spatial dimension {i} (axis {layout.spatial_axes[i]}) has size {size} and "
                f"block {b} (block_size={show(block_size)}, x.shape={x.shape})."
            )
    sizes = {("n", 0): x.shape[0], ("c", 0): x.shape[layout.channel_axis]}
    sizes |= {("s", i): size // b for i, (size, b) in enumerate(zip(spatial, block))}
    sizes |= {("b", i): b for i, b in enumerate(block)}
    split, fine = _axes(layout, order)
    out = _shape(layout, sizes, fine=False)
    check_sizes(fn, "the output", out, f"x.shape={x.shape}, block_size={show(block_size)}")
    y = jnp.reshape(x, [sizes[a] for a in fine])
    y = jnp.transpose(y, [fine.index(a) for a in split])
    return jnp.reshape(y, out)


def _checked(
    fn: str, x: Any, block_size: Any, data_format: Any, order: Any
) -> tuple[jax.Array, Layout, tuple[int, ...]]:
    x, layout = spatial_input(fn, x, data_format)
    block = per_dim_ints(fn, "block_size", block_size, layout.ndim, minimum=1)
    if not isinstance(order, str):
        raise TypeError(
            f"{fn}: `order` must be the string 'DCR' or 'CRD'; received order={order!r} of "
            f"type {type(order).__name__}."
        )
    if order not in ORDERS:
        raise ValueError(
            f"{fn}: `order` must be 'DCR' (TensorFlow and ONNX's default) or 'CRD' "
            f"(PyTorch's pixel_shuffle); received order={order!r}."
        )
    return x, layout, block


def _axes(layout: Layout, order: str) -> tuple[list[_Axis], list[_Axis]]:
    """The axes of the two views between which the ops transpose.

    Named ``("n", 0)`` batch, ``("s", i)`` coarse position, ``("b", i)`` block
    offset and ``("c", 0)`` channel. *split* is the channel-blocked side
    (``(N, *S, *b, C)`` for channels-last DCR), *fine* the interleaved side
    (``(N, S_1, b_1, ..., S_n, b_n, C)``): merging each ``(s_i, b_i)`` pair
    gives the spatial output of ``depth_to_space``.
    """
    n = layout.ndim
    offsets = [("b", i) for i in range(n)]
    channels = [*offsets, ("c", 0)] if order == "DCR" else [("c", 0), *offsets]
    coarse = [("s", i) for i in range(n)]
    interleaved = [a for i in range(n) for a in (("s", i), ("b", i))]
    if layout.channels_last:
        return [("n", 0), *coarse, *channels], [("n", 0), *interleaved, ("c", 0)]
    return [("n", 0), *channels, *coarse], [("n", 0), ("c", 0), *interleaved]


def _shape(layout: Layout, sizes: dict[_Axis, Any], *, fine: bool) -> tuple[Any, ...]:
    """The shape of the depth side (``fine=False``: ``(N, *S, C * P)`` channels-last) or of
    the space side (``fine=True``: ``(N, *(S * b), C)``) in the layout of ``x``."""
    n = layout.ndim
    p = math.prod(sizes[("b", i)] for i in range(n))
    c = sizes[("c", 0)] * (1 if fine else p)
    spatial = [sizes[("s", i)] * (sizes[("b", i)] if fine else 1) for i in range(n)]
    batch = sizes[("n", 0)]
    return (batch, *spatial, c) if layout.channels_last else (batch, c, *spatial)


def _layout_hint(shape: tuple[Any, ...], data_format: Any, p: int) -> str:
    """Suggests channels-first when ``data_format`` was left out and axis 1 would divide."""
    if data_format is None and shape[1] % p == 0:
        return (
            f" If `x` is channels-first (axis 1 has {shape[1]} channels), pass "
            f"data_format='channels_first'."
        )
    return ""
