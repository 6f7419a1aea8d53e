"""Equinox layers: ``Conv`` and ``ConvTranspose`` with jconv's kernels (extra ``equinox``).

The parameters are the fields ``kernel``, exactly the tensor :func:`jconv.conv`
/ :func:`jconv.conv_transpose` take (``(*kernel_size, in_channels // groups,
out_channels)`` for ``Conv``; ``(*kernel_size, out_channels // groups,
in_channels)`` for ``ConvTranspose``: the kernel of the convolution it
transposes), and ``bias``, ``(out_channels,)`` or ``None``; everything else is
a static field (``config``). A layer's output is the functional call on its
own parameters.

Conventions follow ``equinox.nn.Conv``: an UNBATCHED channels-first input
``(C, *spatial)`` (``jax.vmap`` the layer over a batch), PyTorch's meaning of
every argument, ``dtype`` the parameters' dtype (``None``: float64 under
``jax_enable_x64``, else float32). The number of spatial dimensions is
``len(kernel_size)`` (Equinox's ``num_spatial_dims`` is not needed), so
``kernel_size`` must be a sequence: an int is rejected as ambiguous.
Differences from Equinox: ``ConvTranspose`` draws PyTorch's initialization
(bound ``1 / sqrt(out_channels // groups * prod(kernel_size))``, where
``eqx.nn.ConvTranspose`` uses ``in_channels``), supports every padding mode
with every padding, and with ``"SAME"`` takes only ``output_padding=0`` (its
output is ``input * stride``, as Equinox's; Equinox's non-zero
``output_padding`` shrinks that, here the call's ``output_shape`` picks a
size). Padding modes may be written in either case (``"zeros"`` or Equinox's
``"ZEROS"``).

Examples:
    >>> import jax, jax.numpy as jnp, jconv
    >>> from jconv.equinox import Conv, ConvTranspose
    >>> down = Conv(3, 8, (3, 3), stride=2, padding=1, key=jax.random.key(0))
    >>> up = ConvTranspose(8, 3, (3, 3), stride=2, padding=1, output_padding=1,
    ...                    key=jax.random.key(1))
    >>> x = jnp.ones((3, 16, 16))  # (C, H, W): one example
    >>> down(x).shape, up(down(x)).shape
    ((8, 8, 8), (3, 16, 16))
    >>> jax.vmap(down)(jnp.ones((5, 3, 16, 16))).shape
    (5, 8, 8, 8)
    >>> y = jconv.conv(x[None], down.kernel, 2, 1, bias=down.bias, data_format="channels_first")
    >>> bool(jnp.allclose(down(x), y[0]))
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from jconv import _layers
from jconv._canonical.types import IntOrInts, Padding, PaddingMode
from jconv.init import torch_default

__all__ = ["Conv", "ConvTranspose"]


class Conv(eqx.Module):
    """N-d convolution of one example ``(C_in, *spatial)``, PyTorch's arguments.

    Args:
      in_channels: input channels, divisible by ``groups``.
      out_channels: output channels, divisible by ``groups``.
      kernel_size: the window, one int per spatial dimension (``(3,)`` for
        1-D, ``(3, 3)`` for 2-D...; an int is rejected).
      stride: an int or one per spatial dimension.
      padding: as :func:`jconv.conv`: an int (both sides, the default 0), one
        int per dimension, one ``(lo, hi)`` pair per dimension, or
        ``"SAME"``, ``"SAME_LOWER"``, ``"VALID"``, ``"CAUSAL"`` (1-D).
      dilation: kernel dilation, an int or one per spatial dimension.
      groups: channel groups (``groups == in_channels``: depthwise).
      use_bias: whether the layer has a ``bias``.
      padding_mode: ``"zeros"``, ``"circular"``, ``"reflect"`` or
        ``"replicate"`` (any case).
      dtype: the parameters' floating (or complex) dtype; ``None`` is
        Equinox's default (float64 under ``jax_enable_x64``, else float32).
      key: a JAX PRNG key; split into the kernel's key and the bias's.

    The kernel is drawn by :func:`jconv.init.torch_default` and the bias from
    ``U(±1/sqrt(fan_in))``, ``fan_in = prod(kernel_size) * in_channels //
    groups``: PyTorch's (and Equinox's) default.

    Raises:
      TypeError: an argument of the wrong kind (an int ``kernel_size``, a
        non-bool ``use_bias``, a non-dtype, a key that is not a PRNG key...).
      ValueError: a bad value (channels not divisible by ``groups``, a
        non-positive size, an unknown padding or padding_mode...).

    Examples:
      >>> import jax, jax.numpy as jnp
      >>> layer = Conv(4, 6, (3,), padding="SAME", groups=2, key=jax.random.key(0))
      >>> layer.kernel.shape, layer.bias.shape
      ((3, 2, 6), (6,))
      >>> layer(jnp.ones((4, 10))).shape
      (6, 10)
    """

    kernel: jax.Array
    bias: jax.Array | None
    config: _layers.Config = eqx.field(static=True)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Sequence[int],
        stride: IntOrInts = 1,
        padding: Padding = 0,
        *,
        dilation: IntOrInts = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: PaddingMode = "zeros",
        dtype: jax.typing.DTypeLike | None = None,
        key: jax.Array,
    ) -> None:
        config, kernel, bias = _build("jconv.equinox.Conv", False, locals())
        self.config, self.kernel, self.bias = config, kernel, bias

    def __call__(self, x: jax.typing.ArrayLike, *, key: jax.Array | None = None) -> jax.Array:
        """Applies the convolution to one example.

        Args:
          x: ``(in_channels, *spatial)``.
          key: ignored (Equinox's layer signature).

        Returns:
          ``(out_channels, *out_spatial)``.

        Raises:
          ValueError: ``x`` is not ``(in_channels, *spatial)``.
          TypeError: ``x``'s dtype is not the parameters'.
        """
        del key
        return _forward(self, x, None)


class ConvTranspose(eqx.Module):
    """N-d transposed convolution of one example ``(C_in, *spatial)``, PyTorch's arguments.

    The adjoint of a :class:`Conv` with the same ``kernel_size``, ``stride``,
    ``padding``, ``dilation``, ``groups`` and ``padding_mode`` and the channel
    counts swapped: ``ConvTranspose(a, b, ...)`` takes the kernel of
    ``Conv(b, a, ...)`` unchanged.

    Args:
      in_channels: input channels, divisible by ``groups``.
      out_channels: output channels, divisible by ``groups``.
      kernel_size: the window, one int per spatial dimension (an int is rejected).
      stride: the upsampling factor, an int or one per dimension.
      padding: the forward convolution's padding (PyTorch's, Equinox's):
        an int (default 0), one per dimension, ``(lo, hi)`` pairs, or
        ``"VALID"``, ``"SAME"`` (output ``input * stride``), ``"SAME_LOWER"``.
      output_padding: extra output size on the high side of each dimension,
        an int or one per dimension, each ``< max(stride, dilation)``
        (PyTorch's rule); only 0 with ``"SAME"``.
      dilation: kernel dilation, an int or one per spatial dimension.
      groups: channel groups.
      use_bias: whether the layer has a ``bias``.
      padding_mode: the forward convolution's: ``"zeros"``, ``"circular"``,
        ``"reflect"`` or ``"replicate"`` (any case).
      dtype: the parameters' dtype, as :class:`Conv`.
      key: a JAX PRNG key.

    The kernel is drawn by :func:`jconv.init.torch_default` and the bias from
    ``U(±1/sqrt(fan_in))`` with PyTorch's ``fan_in = prod(kernel_size) *
    out_channels // groups``.

    Raises:
      TypeError: an argument of the wrong kind.
      ValueError: a bad value (as :class:`Conv`, and an ``output_padding`` too
        large or non-zero with ``"SAME"``).

    Examples:
      >>> import jax, jax.numpy as jnp
      >>> up = ConvTranspose(4, 2, (4,), stride=2, padding=1, key=jax.random.key(0))
      >>> up.kernel.shape  # (*kernel_size, out_channels // groups, in_channels)
      (4, 2, 4)
      >>> up(jnp.ones((4, 5))).shape, up(jnp.ones((4, 5)), output_shape=(11,)).shape
      ((2, 10), (2, 11))
    """

    kernel: jax.Array
    bias: jax.Array | None
    config: _layers.Config = eqx.field(static=True)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Sequence[int],
        stride: IntOrInts = 1,
        padding: Padding = 0,
        *,
        output_padding: IntOrInts = 0,
        dilation: IntOrInts = 1,
        groups: int = 1,
        use_bias: bool = True,
        padding_mode: PaddingMode = "zeros",
        dtype: jax.typing.DTypeLike | None = None,
        key: jax.Array,
    ) -> None:
        config, kernel, bias = _build("jconv.equinox.ConvTranspose", True, locals())
        self.config, self.kernel, self.bias = config, kernel, bias

    def __call__(
        self,
        x: jax.typing.ArrayLike,
        *,
        output_shape: IntOrInts | None = None,
        key: jax.Array | None = None,
    ) -> jax.Array:
        """Applies the transposed convolution to one example.

        Args:
          x: ``(in_channels, *spatial)``.
          output_shape: ``None`` or the spatial output sizes, any size the
            forward convolution maps back to the input's (as
            :func:`jconv.conv_transpose`; PyTorch's ``output_size``); not with
            a non-zero ``output_padding``.
          key: ignored (Equinox's layer signature).

        Returns:
          ``(out_channels, *out_spatial)``.

        Raises:
          ValueError: ``x`` is not ``(in_channels, *spatial)``, or an
            unreachable ``output_shape``.
          TypeError: ``x``'s dtype is not the parameters'.
        """
        del key
        return _forward(self, x, output_shape)


def _build(
    name: str, transpose: bool, args: dict[str, Any]
) -> tuple[_layers.Config, jax.Array, jax.Array | None]:
    """The shared constructor: validate everything, then draw the parameters."""
    config = _layers.configure(
        name,
        transpose=transpose,
        in_channels=args["in_channels"],
        out_channels=args["out_channels"],
        kernel_size=args["kernel_size"],
        stride=args["stride"],
        padding=args["padding"],
        output_padding=args.get("output_padding"),
        dilation=args["dilation"],
        groups=args["groups"],
        use_bias=args["use_bias"],
        padding_mode=args["padding_mode"],
        data_format="channels_first",
        names=("in_channels", "out_channels"),
    )
    dtype = _layers.dtype(name, "dtype", args["dtype"], allow_none=True)
    if dtype is None:  # Equinox's default_floating_dtype()
        dtype = np.dtype(jax.dtypes.canonicalize_dtype(jnp.float64))
    key = args["key"]
    if not _is_key(key):
        raise TypeError(
            f"{name}: `key` must be a JAX PRNG key, e.g. jax.random.key(0); received "
            f"key={key!r} of type {type(key).__name__}."
        )
    kernel_key, bias_key = jax.random.split(key)
    kernel, bias = config.init_params(torch_default, None, kernel_key, bias_key, dtype)
    return config, kernel, bias


def _is_key(key: Any) -> bool:
    """A typed key (``jax.random.key``) or a raw ``uint32[2]`` one (``jax.random.PRNGKey``)."""
    if not isinstance(key, jax.Array):
        return False
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        return key.shape == ()
    return key.dtype == jnp.uint32 and key.shape == (2,)


def _forward(layer: Any, x: Any, output_shape: Any) -> jax.Array:
    config: _layers.Config = layer.config
    x = jnp.asarray(x)
    _layers.check_rank(config.name, x, config.ndim, batched="none")
    config.check_channels(x.shape, 0)
    if x.dtype != layer.kernel.dtype:
        raise TypeError(
            f"{config.name}: the input's dtype ({np.dtype(x.dtype).name}) must be the "
            f"parameters' ({np.dtype(layer.kernel.dtype).name}); cast it with "
            f"x.astype(...) or build the layer with dtype={np.dtype(x.dtype).name}."
        )
    y = config.apply(x[None], layer.kernel, layer.bias, output_shape=output_shape)
    return y[0]
