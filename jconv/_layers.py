"""What the Flax and Equinox layers share, written once.

:func:`configure` validates a layer's constructor arguments (before any
parameter exists) and returns a :class:`Config`: the kernel and bias shapes,
PyTorch's fan-in, the parameter initialization and the call of
:func:`jconv.conv` / :func:`jconv.conv_transpose` on a batched input. The
front ends (:mod:`jconv.flax`, :mod:`jconv.equinox`) only add their framework's
parameter containers and input conventions. No Flax or Equinox import here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Hashable
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np

from jconv import init
from jconv._canonical.args import channels_last, is_sequence, per_dim_ints, show, static_int
from jconv._canonical.operands import check_divisible, positive_groups
from jconv._canonical.padding import normalize_padding
from jconv._canonical.sizes import check_output_padding
from jconv._canonical.spec import PADDING_MODES, check_precision
from jconv._canonical.types import DataFormat, PaddingMode
from jconv._conv import conv
from jconv._transpose import conv_transpose


@dataclasses.dataclass(frozen=True)
class Config:
    """A layer's validated, hashable configuration (static under ``jit``).

    ``padding`` is a padding string (upper case) or one ``(lo, hi)`` pair per
    dimension; ``output_padding`` is ``None`` or one int per dimension (transpose
    only). ``names`` are the constructor's names for the channel counts
    (``in_features`` in Flax, ``in_channels`` in Equinox), for messages.
    """

    name: str
    transpose: bool
    in_channels: int
    out_channels: int
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: str | tuple[tuple[int, int], ...]
    output_padding: tuple[int, ...] | None
    dilation: tuple[int, ...]
    groups: int
    use_bias: bool
    padding_mode: PaddingMode
    channels_last: bool
    names: tuple[str, str] = ("in_channels", "out_channels")

    @property
    def ndim(self) -> int:
        """The number of spatial dimensions."""
        return len(self.kernel_size)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        """``(*window, C_in // groups, C_out)``, or for a transpose ``(*window, C_out // groups, C_in)``."""
        if self.transpose:
            return (*self.kernel_size, self.out_channels // self.groups, self.in_channels)
        return (*self.kernel_size, self.in_channels // self.groups, self.out_channels)

    @property
    def fan_in(self) -> int:
        """PyTorch's fan-in of this layer's weight: ``prod(kernel_shape[:-1])``."""
        return math.prod(self.kernel_shape[:-1])

    def init_params(
        self,
        kernel_init: Any,
        bias_init: Any,
        kernel_key: jax.Array,
        bias_key: jax.Array | None,
        dtype: Any,
    ) -> tuple[jax.Array, jax.Array | None]:
        """The initial ``kernel`` and ``bias`` (``None`` without bias), checked for shape."""
        kernel = self._checked("kernel_init", kernel_init(kernel_key, self.kernel_shape, dtype))
        if not self.use_bias:
            return kernel, None
        if bias_init is None:
            bias_init = init.torch_default_bias(self.fan_in)
        bias = self._checked("bias_init", bias_init(bias_key, (self.out_channels,), dtype))
        return kernel, bias

    def _checked(self, what: str, value: Any) -> jax.Array:
        array = jnp.asarray(value)
        want = self.kernel_shape if what == "kernel_init" else (self.out_channels,)
        if array.shape != want:
            layout = "(C_out,)"
            if what == "kernel_init":
                layout = (
                    "(*kernel_size, C_out // groups, C_in)"
                    if self.transpose
                    else "(*kernel_size, C_in // groups, C_out)"
                )
            raise ValueError(
                f"{self.name}: `{what}` must return an array of shape {layout} = {want}; it "
                f"returned shape {array.shape}."
            )
        return array

    def check_channels(self, shape: tuple[int, ...], axis: int) -> None:
        """Raises unless the input's channel axis has ``in_channels`` entries."""
        if shape[axis] != self.in_channels:
            raise ValueError(
                f"{self.name}: the input has {shape[axis]} channels (axis {axis} of shape "
                f"{shape}), but the layer was built with {self.names[0]}={self.in_channels}."
            )

    def apply(
        self,
        x: jax.Array,
        kernel: jax.Array,
        bias: jax.Array | None,
        *,
        precision: Any = None,
        output_shape: Any = None,
    ) -> jax.Array:
        """The functional call on a batched ``x`` (one leading batch axis)."""
        data_format: DataFormat = "channels_last" if self.channels_last else "channels_first"
        if not self.transpose:
            return conv(
                x,
                kernel,
                self.stride,
                self.padding,
                dilation=self.dilation,
                groups=self.groups,
                padding_mode=self.padding_mode,
                data_format=data_format,
                precision=precision,
                bias=bias,
            )
        output_padding = self.output_padding
        if output_shape is not None:
            if output_padding is not None and any(output_padding):
                raise ValueError(
                    f"{self.name}: the layer has output_padding={output_padding}; a call's "
                    f"`output_shape` (received {show(output_shape)}) picks the size instead, so "
                    f"build the layer without output_padding to pass one."
                )
            output_padding = None
        return conv_transpose(
            x,
            kernel,
            self.stride,
            self.padding,
            output_shape=output_shape,
            output_padding=output_padding,
            dilation=self.dilation,
            groups=self.groups,
            padding_mode=self.padding_mode,
            data_format=data_format,
            precision=precision,
            bias=bias,
        )


def configure(
    name: str,
    *,
    transpose: bool,
    in_channels: Any,
    out_channels: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    output_padding: Any,
    dilation: Any,
    groups: Any,
    use_bias: Any,
    padding_mode: Any,
    data_format: Any = None,
    names: tuple[str, str] = ("in_channels", "out_channels"),
) -> Config:
    """Validates a layer's arguments; every bad one raises here, naming ``name``."""
    window = _kernel_size(name, kernel_size)
    n = len(window)
    c_in = _channels(name, names[0], in_channels)
    c_out = _channels(name, names[1], out_channels)
    strides = per_dim_ints(name, "stride", stride, n, minimum=1)
    dilations = per_dim_ints(name, "dilation", dilation, n, minimum=1)
    g = positive_groups(name, groups)
    check_divisible(name, f"`{names[0]}`", c_in, g)
    check_divisible(name, f"`{names[1]}`", c_out, g)
    if isinstance(padding, str) and padding.upper() in ("CIRCULAR", "REFLECT"):
        raise ValueError(
            f"{name}: `padding` takes no padding mode; received padding={padding!r}. Pass "
            f"padding_mode={padding.lower()!r} with padding='SAME' (Flax's {padding.upper()!r} "
            f"pads ((k - 1) // 2, k // 2), which is 'SAME' at stride 1) or explicit padding."
        )
    specs = normalize_padding(name, padding, n)
    pad: str | tuple[tuple[int, int], ...]
    pad = padding.upper() if isinstance(padding, str) else tuple(specs)  # type: ignore[arg-type]
    extra = None  # a forward conv's front end passes None
    if output_padding is not None:
        extra = check_output_padding(name, output_padding, n, strides, dilations, specs)
    if not isinstance(use_bias, (bool, np.bool_)):
        raise TypeError(
            f"{name}: `use_bias` must be a bool; received use_bias={use_bias!r} of type "
            f"{type(use_bias).__name__}."
        )
    mode = _padding_mode(name, padding_mode)
    if mode != "zeros" and not isinstance(pad, str) and any(p < 0 for lo_hi in pad for p in lo_hi):
        raise ValueError(
            f"{name}: padding_mode={mode!r} needs non-negative padding (it copies cells, it "
            f"cannot crop); received padding={show(padding)}."
        )
    last = channels_last(name, data_format, n)
    return Config(
        name, transpose, c_in, c_out, window, strides, pad, extra, dilations, g,
        bool(use_bias), mode, last, names,
    )  # fmt: skip


def precision(name: str, value: Any) -> Hashable:
    """``precision`` checked as :func:`jconv.conv` reads it (hashable)."""
    return check_precision(name, value)


def dtype(name: str, arg: str, value: Any, *, allow_none: bool) -> np.dtype | None:
    """A floating or complex dtype, or ``None`` where allowed."""
    if value is None and allow_none:
        return None
    ok = False
    if value is not None:  # jnp.dtype(None) would be the default float
        try:
            result = np.dtype(jnp.dtype(value))
            ok = jnp.issubdtype(result, jnp.inexact)
        except TypeError:
            pass
    if not ok:
        none = " or None" if allow_none else ""
        raise TypeError(
            f"{name}: `{arg}` must be a floating or complex dtype (e.g. jnp.float32){none}; "
            f"received {arg}={value!r}."
        )
    return result


def initializer(name: str, arg: str, value: Any, *, allow_none: bool) -> None:
    """Raises unless ``value`` is callable (or ``None`` where allowed)."""
    if value is None and allow_none:
        return
    if not callable(value):
        raise TypeError(
            f"{name}: `{arg}` must be an initializer, a function (key, shape, dtype) -> array"
            + (" or None" if allow_none else "")
            + f"; received {arg}={value!r}."
        )


def check_rank(name: str, x: jax.Array, ndim: int, *, batched: str) -> None:
    """Raises unless ``x`` has the rank the layer's convention needs.

    ``batched`` is ``"any"`` (Flax: any number of leading batch axes) or
    ``"none"`` (Equinox: exactly ``(C, *spatial)``).
    """
    need = ndim + 1
    if batched == "any" and x.ndim >= need:
        return
    if batched == "none" and x.ndim == need:
        return
    what = f"rank >= {need} ((*batch, *spatial, C) or (*batch, C, *spatial))"
    if batched == "none":
        what = f"rank {need}, (C, *spatial) without a batch axis (jax.vmap the layer over a batch)"
    raise ValueError(
        f"{name}: the layer has {ndim} spatial dimension(s) (len(kernel_size)), so the input "
        f"needs {what}; received shape {x.shape}."
    )


def _kernel_size(name: str, kernel_size: Any) -> tuple[int, ...]:
    if not is_sequence(kernel_size):
        example = f"({kernel_size}, {kernel_size})" if isinstance(kernel_size, int) else "(3, 3)"
        raise TypeError(
            f"{name}: `kernel_size` must be a sequence of ints, one per spatial dimension, "
            f"e.g. {example} for 2-D; received kernel_size={kernel_size!r}. An int is "
            f"ambiguous (flax.nnx.Conv reads 3 as 1-D, torch.nn.Conv2d as (3, 3)): write "
            f"(k,) for 1-D."
        )
    sizes = tuple(static_int(name, f"kernel_size[{i}]", k) for i, k in enumerate(kernel_size))
    if not sizes:
        raise ValueError(
            f"{name}: `kernel_size` needs at least one entry (one per spatial dimension); "
            f"received kernel_size={show(kernel_size)}."
        )
    if any(k < 1 for k in sizes):
        raise ValueError(
            f"{name}: every entry of `kernel_size` must be positive; received "
            f"kernel_size={show(kernel_size)}."
        )
    return sizes


def _channels(name: str, arg: str, value: Any) -> int:
    c = static_int(name, arg, value)
    if c < 1:
        raise ValueError(f"{name}: `{arg}` must be a positive int; received {arg}={c}.")
    return c


def _padding_mode(name: str, value: Any) -> PaddingMode:
    if not isinstance(value, str):
        raise TypeError(
            f"{name}: `padding_mode` must be a string; received padding_mode={value!r} of type "
            f"{type(value).__name__}."
        )
    if value.lower() in PADDING_MODES:
        return cast(PaddingMode, value.lower())
    raise ValueError(
        f"{name}: `padding_mode` must be one of {', '.join(map(repr, PADDING_MODES))} (any "
        f"case); received padding_mode={value!r}."
    )
