"""Flax NNX layers: ``Conv`` and ``ConvTranspose`` with jconv's kernels (extra ``flax``).

The parameters are ``kernel``, exactly the tensor :func:`jconv.conv` /
:func:`jconv.conv_transpose` take (``(*kernel_size, in_features // groups,
out_features)`` for ``Conv``; ``(*kernel_size, out_features // groups,
in_features)`` for ``ConvTranspose``: the kernel of the convolution it
transposes), and ``bias``, ``(out_features,)`` or ``None``. A layer's output
is the functional call on its own parameters, so weights move between
``Conv``, ``ConvTranspose``, PyTorch (:func:`jconv.layouts.to_torch_conv`) and
TF/Keras (the same layout) without reshuffling.

Conventions follow ``flax.nnx.Conv``: channels-last input ``(*batch, *spatial,
C)`` with any number of leading batch axes (none: an unbatched example), the
number of spatial dimensions being ``len(kernel_size)``; ``dtype`` is the
computation dtype (``None``: the inputs' and parameters' promoted dtype) and
``param_dtype`` the parameters'. Unlike Flax, ``padding`` of ``ConvTranspose``
is the *forward* convolution's (an int means PyTorch's ``padding``), the
layers have ``groups``, ``dilation``, ``padding_mode`` and channels-first
``data_format``, and the default initialization is PyTorch's
(:func:`jconv.init.torch_default`, and a bias ``U(±1/sqrt(fan_in))``).

``kernel_size`` must be a sequence: an int is rejected, since ``flax.nnx.Conv``
reads ``3`` as a 1-D window and ``torch.nn.Conv2d`` as ``(3, 3)``.

Examples:
    >>> import jax.numpy as jnp, jconv
    >>> from flax import nnx
    >>> from jconv.flax import Conv, ConvTranspose
    >>> down = Conv(3, 8, (3, 3), stride=2, rngs=nnx.Rngs(0))
    >>> up = ConvTranspose(8, 3, (4, 4), stride=2, rngs=nnx.Rngs(1))
    >>> x = jnp.ones((2, 16, 16, 3), jnp.float32)
    >>> down(x).shape, up(down(x)).shape
    ((2, 8, 8, 8), (2, 16, 16, 3))
    >>> y = jconv.conv(x, down.kernel[...], 2, "SAME", bias=down.bias[...])
    >>> bool(jnp.allclose(down(x), y))
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from jconv import _layers
from jconv._canonical.spec import PrecisionLike
from jconv._canonical.types import DataFormat, IntOrInts, Padding, PaddingMode
from jconv.init import Initializer, torch_default

__all__ = ["Conv", "ConvTranspose"]


class Conv(nnx.Module):
    """N-d convolution, ``jconv.conv(x, kernel, stride, padding, ..., bias=bias)``.

    Args:
      in_features: input channels, divisible by ``groups``.
      out_features: output channels, divisible by ``groups``.
      kernel_size: the window, one int per spatial dimension (``(3,)`` for
        1-D, ``(3, 3)`` for 2-D...; an int is rejected).
      stride: an int or one per spatial dimension.
      padding: as :func:`jconv.conv`: ``"SAME"`` (the default, as Flax),
        ``"VALID"``, ``"SAME_LOWER"``, ``"CAUSAL"`` (1-D), an int, one int per
        dimension or one ``(lo, hi)`` pair per dimension.
      dilation: kernel dilation, an int or one per spatial dimension.
      groups: channel groups (``groups == in_features``: depthwise).
      use_bias: whether the layer has a ``bias``.
      data_format: ``None``/``"channels_last"`` (``(*batch, *spatial, C)``)
        or ``"channels_first"`` (``(*batch, C, *spatial)``), or a name such as
        ``"NHWC"``/``"NCHW"`` of the layer's rank.
      padding_mode: ``"zeros"``, ``"circular"``, ``"reflect"`` or
        ``"replicate"`` (any case), as in PyTorch.
      kernel_init: ``(key, shape, dtype) -> array`` for the kernel
        ``(*kernel_size, in_features // groups, out_features)``; PyTorch's
        default.
      bias_init: the same for the bias ``(out_features,)``; ``None`` (the
        default) is PyTorch's, ``jconv.init.torch_default_bias(fan_in)`` with
        ``fan_in = prod(kernel_size) * in_features // groups``.
      dtype: the computation dtype; ``None`` promotes the input and the parameters.
      param_dtype: the parameters' dtype.
      precision: passed to :func:`jconv.conv`.
      rngs: an ``nnx.Rngs``; its ``params`` stream draws the kernel, then the bias.

    Raises:
      TypeError: an argument of the wrong kind (an int ``kernel_size``, a
        non-bool ``use_bias``, a non-dtype, a non-callable initializer, no
        ``nnx.Rngs``...).
      ValueError: a bad value (channels not divisible by ``groups``, a
        non-positive size, an unknown padding, data_format or padding_mode, an
        initializer returning the wrong shape...).

    Examples:
      >>> import jax.numpy as jnp
      >>> from flax import nnx
      >>> layer = Conv(4, 6, (3,), padding=1, groups=2, rngs=nnx.Rngs(0))
      >>> layer.kernel.shape, layer.bias.shape
      ((3, 2, 6), (6,))
      >>> layer(jnp.ones((10, 4), jnp.float32)).shape  # unbatched: (W, C)
      (10, 6)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        kernel_size: Sequence[int],
        stride: IntOrInts = 1,
        padding: Padding = "SAME",
        *,
        dilation: IntOrInts = 1,
        groups: int = 1,
        use_bias: bool = True,
        data_format: DataFormat | None = None,
        padding_mode: PaddingMode = "zeros",
        kernel_init: Initializer = torch_default,
        bias_init: Initializer | None = None,
        dtype: jax.typing.DTypeLike | None = None,
        param_dtype: jax.typing.DTypeLike = jnp.float32,
        precision: PrecisionLike = None,
        rngs: nnx.Rngs,
    ) -> None:
        _build(self, "jconv.flax.Conv", False, locals())

    def __call__(self, inputs: jax.typing.ArrayLike) -> jax.Array:
        """Applies the convolution.

        Args:
          inputs: ``(*batch, *spatial, in_features)`` (or ``(*batch,
            in_features, *spatial)`` channels-first), any number of batch axes.

        Returns:
          ``(*batch, *out_spatial, out_features)`` in the input's layout.

        Raises:
          ValueError: an input of too low a rank or with the wrong channel count.
        """
        return _forward(self, inputs, None)


class ConvTranspose(nnx.Module):
    """N-d transposed convolution, ``jconv.conv_transpose(x, kernel, stride, padding, ...)``.

    The adjoint of a :class:`Conv` with the same ``kernel_size``, ``stride``,
    ``padding``, ``dilation`` and ``groups`` and the channel counts swapped:
    ``ConvTranspose(a, b, ...)`` has the kernel of ``Conv(b, a, ...)``.

    Args:
      in_features: input channels, divisible by ``groups``.
      out_features: output channels, divisible by ``groups``.
      kernel_size: the window, one int per spatial dimension (an int is rejected).
      stride: the upsampling factor, an int or one per dimension.
      padding: the *forward* convolution's padding, as in
        :func:`jconv.conv_transpose`: ``"SAME"`` (the default: output
        ``input * stride``, as Flax's and Keras' ``"same"``), ``"VALID"``
        (output ``(input - 1) * stride + dilation * (k - 1) + 1``), an int
        (PyTorch's ``padding``, e.g. ``1`` with ``(4, 4)`` and stride 2 for
        ``2 * input``), one int per dimension or ``(lo, hi)`` pairs. Not Flax's
        ``nnx.ConvTranspose`` meaning for ints and pairs (the padding of the dilated
        input); its ``"SAME"`` and ``"VALID"`` give Flax's results, with the
        kernel converted by :func:`jconv.layouts.from_flax_conv_transpose`.
      output_padding: ``None`` or extra output size on the high side of each
        dimension, each ``< max(stride, dilation)`` (PyTorch's rule); not with
        ``"SAME"``.
      dilation: kernel dilation, an int or one per spatial dimension.
      groups: channel groups.
      use_bias: whether the layer has a ``bias``.
      data_format: as :class:`Conv`.
      padding_mode: the forward convolution's, as in
        :func:`jconv.conv_transpose`: ``"zeros"``, ``"circular"``,
        ``"reflect"`` or ``"replicate"`` (any case).
      kernel_init: ``(key, shape, dtype) -> array`` for the kernel
        ``(*kernel_size, out_features // groups, in_features)``; PyTorch's default.
      bias_init: the same for the bias; ``None`` (the default) is PyTorch's,
        ``jconv.init.torch_default_bias(fan_in)`` with ``fan_in =
        prod(kernel_size) * out_features // groups`` (PyTorch's fan-in of a
        transposed convolution's weight).
      dtype: the computation dtype; ``None`` promotes the input and the parameters.
      param_dtype: the parameters' dtype.
      precision: passed to :func:`jconv.conv_transpose`.
      rngs: an ``nnx.Rngs``; its ``params`` stream draws the kernel, then the bias.

    Raises:
      TypeError: an argument of the wrong kind.
      ValueError: a bad value (as :class:`Conv`, and an ``output_padding`` too
        large or given with ``"SAME"``).

    Examples:
      >>> import jax.numpy as jnp, jconv
      >>> from flax import nnx
      >>> up = ConvTranspose(2, 2, (4, 4), stride=2, padding=1, groups=2, use_bias=False,
      ...                    kernel_init=lambda key, shape, dtype: jconv.init.bilinear_upsample(
      ...                        2, 2, dtype=dtype), rngs=nnx.Rngs(0))
      >>> up(jnp.ones((1, 3, 3, 2), jnp.float32))[0, 1:-1, 1:-1, 0]  # bilinear inside, fading at the border
      Array([[1., 1., 1., 1.],
             [1., 1., 1., 1.],
             [1., 1., 1., 1.],
             [1., 1., 1., 1.]], dtype=float32)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        kernel_size: Sequence[int],
        stride: IntOrInts = 1,
        padding: Padding = "SAME",
        *,
        output_padding: IntOrInts | None = None,
        dilation: IntOrInts = 1,
        groups: int = 1,
        use_bias: bool = True,
        data_format: DataFormat | None = None,
        padding_mode: PaddingMode = "zeros",
        kernel_init: Initializer = torch_default,
        bias_init: Initializer | None = None,
        dtype: jax.typing.DTypeLike | None = None,
        param_dtype: jax.typing.DTypeLike = jnp.float32,
        precision: PrecisionLike = None,
        rngs: nnx.Rngs,
    ) -> None:
        _build(self, "jconv.flax.ConvTranspose", True, locals())

    def __call__(
        self, inputs: jax.typing.ArrayLike, *, output_shape: IntOrInts | None = None
    ) -> jax.Array:
        """Applies the transposed convolution.

        Args:
          inputs: ``(*batch, *spatial, in_features)`` (or channels-first), any
            number of batch axes.
          output_shape: ``None`` or the spatial output sizes, any size that the
            forward convolution maps back to the input's (as
            :func:`jconv.conv_transpose`; PyTorch's ``output_size``); not with
            a layer's non-zero ``output_padding``.

        Returns:
          ``(*batch, *out_spatial, out_features)`` in the input's layout.

        Raises:
          ValueError: an input of too low a rank or with the wrong channel
            count, or an unreachable ``output_shape``.
        """
        return _forward(self, inputs, output_shape)


def _build(layer: Any, name: str, transpose: bool, args: dict[str, Any]) -> None:
    """The shared constructor: validate everything, then draw the parameters."""
    config = _layers.configure(
        name,
        transpose=transpose,
        in_channels=args["in_features"],
        out_channels=args["out_features"],
        kernel_size=args["kernel_size"],
        stride=args["stride"],
        padding=args["padding"],
        output_padding=args.get("output_padding"),
        dilation=args["dilation"],
        groups=args["groups"],
        use_bias=args["use_bias"],
        padding_mode=args["padding_mode"],
        data_format=args["data_format"],
        names=("in_features", "out_features"),
    )
    _layers.initializer(name, "kernel_init", args["kernel_init"], allow_none=False)
    _layers.initializer(name, "bias_init", args["bias_init"], allow_none=True)
    dtype = _layers.dtype(name, "dtype", args["dtype"], allow_none=True)
    param_dtype = _layers.dtype(name, "param_dtype", args["param_dtype"], allow_none=False)
    precision = _layers.precision(name, args["precision"])
    rngs = args["rngs"]
    if not isinstance(rngs, nnx.Rngs):
        raise TypeError(
            f"{name}: `rngs` must be an nnx.Rngs, e.g. nnx.Rngs(0); received "
            f"rngs={rngs!r} of type {type(rngs).__name__}."
        )
    kernel_key = rngs.params()
    bias_key = rngs.params() if config.use_bias else None
    kernel, bias = config.init_params(
        args["kernel_init"], args["bias_init"], kernel_key, bias_key, param_dtype
    )
    layer.config = config
    layer.dtype = dtype
    layer.param_dtype = param_dtype
    layer.precision = precision
    layer.kernel = nnx.Param(kernel)
    layer.bias = nnx.Param(bias) if bias is not None else nnx.data(None)


def _forward(layer: Any, inputs: Any, output_shape: Any) -> jax.Array:
    """Flattens the leading batch axes into one, calls jconv, restores them."""
    config: _layers.Config = layer.config
    x = jnp.asarray(inputs)
    _layers.check_rank(config.name, x, config.ndim, batched="any")
    lead = x.shape[: x.ndim - config.ndim - 1]
    config.check_channels(x.shape, x.ndim - 1 if config.channels_last else len(lead))
    x = x.reshape((math.prod(lead), *x.shape[len(lead) :]))
    kernel = layer.kernel[...]
    bias = layer.bias[...] if layer.bias is not None else None
    operands = (x, kernel) if bias is None else (x, kernel, bias)
    dtype = layer.dtype if layer.dtype is not None else jnp.result_type(*operands)
    x, kernel = x.astype(dtype), kernel.astype(dtype)
    bias = None if bias is None else bias.astype(dtype)
    y = config.apply(x, kernel, bias, precision=layer.precision, output_shape=output_shape)
    return y.reshape((*lead, *y.shape[1:]))
