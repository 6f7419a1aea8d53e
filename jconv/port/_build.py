"""What the three ports share: one framework layer becomes one jconv call.

Each port reads its layer's configuration into a :class:`Call` (jconv's
arguments, known before any input is seen, plus a per-dimension rule for the
arguments that depend on the input's spatial sizes) and its weights into jconv's
kernel layout; :func:`build` turns the two into ``(fn, params)``. ``fn`` checks
``params`` and ``x``, asks the rule for the size-dependent arguments (at trace
time, from ``x``'s static shape) and makes exactly one :func:`jconv.conv` or
:func:`jconv.conv_transpose` call: no numerics of its own.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, TypeAlias

import jax
import jax.numpy as jnp
import numpy as np

import jconv
from jconv._canonical.operands import as_array
from jconv._canonical.types import Padding

Params: TypeAlias = dict[str, jax.Array]
"""``{"kernel": (*window, ...) in jconv's layout, "bias": (C_out,)}``; no ``"bias"`` without one."""

PortedFn: TypeAlias = Callable[
    [Mapping[str, jax.typing.ArrayLike], jax.typing.ArrayLike], jax.Array
]
"""``fn(params, x)``: the layer's forward pass, pure and jittable."""

SizeRule: TypeAlias = Callable[[tuple[int, ...]], dict[str, Any]]
"""Maps the input's spatial sizes to the jconv arguments that depend on them."""

_SPATIAL = {1: "W", 2: "H, W", 3: "D, H, W"}


def framework(name: str) -> ModuleType | None:
    """The framework's module if the program has imported it, else ``None``.

    An object of the framework cannot exist before its package is imported, so
    the ports recognise layers without importing anything themselves.
    """
    return sys.modules.get(name)


def describe(obj: object) -> str:
    """The qualified class name of ``obj``, for messages."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


@dataclasses.dataclass(frozen=True)
class Call:
    """A layer as one jconv call: its static arguments and its size rule.

    ``where`` names the port and the layer in messages. ``sizes``, if given, is
    called with the spatial sizes of each input and returns the remaining keyword
    arguments (``padding`` or ``output_shape``). ``unbatched`` accepts an input
    without its batch axis (PyTorch does). ``compute_dtype`` casts a floating
    input and the parameters before the call (Keras' autocast).
    """

    where: str
    transpose: bool
    ndim: int
    channels_first: bool
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    padding: Padding = "VALID"
    padding_mode: str = "zeros"
    output_padding: tuple[int, ...] | None = None
    sizes: SizeRule | None = None
    unbatched: bool = False
    compute_dtype: str | None = None

    def layout(self) -> str:
        """The input shape the layer takes, for messages."""
        spatial = _SPATIAL.get(self.ndim, f"{self.ndim} spatial sizes")
        return f"(N, C, {spatial})" if self.channels_first else f"(N, {spatial}, C)"


def build(call: Call, kernel: jax.Array, bias: jax.Array | None) -> tuple[PortedFn, Params]:
    """``(fn, params)`` for a call with the layer's kernel (jconv layout) and bias."""
    params: Params = {"kernel": kernel} if bias is None else {"kernel": kernel, "bias": bias}
    keys = frozenset(params)

    def fn(params: Mapping[str, jax.typing.ArrayLike], x: jax.typing.ArrayLike) -> jax.Array:
        kernel, bias = _unpack(call.where, params, keys)
        x = as_array(call.where, "x", x)
        kernel = as_array(call.where, 'params["kernel"]', kernel)
        if bias is not None:
            bias = as_array(call.where, 'params["bias"]', bias)
        full = call.ndim + 2
        unbatched = call.unbatched and x.ndim == full - 1
        if x.ndim != full and not unbatched:
            also = f" or, unbatched, rank {full - 1}" if call.unbatched else ""
            raise ValueError(
                f"{call.where}: `x` must have shape {call.layout()} (rank {full}{also}); "
                f"received x.shape={x.shape}."
            )
        if unbatched:
            x = x[None]
        if call.compute_dtype is not None:
            x, kernel, bias = _autocast(call.compute_dtype, x, kernel, bias)
        spatial = x.shape[2:] if call.channels_first else x.shape[1:-1]
        extra = call.sizes(tuple(int(v) for v in spatial)) if call.sizes else {}
        common: dict[str, Any] = {
            "stride": call.stride,
            "padding": call.padding,
            "dilation": call.dilation,
            "groups": call.groups,
            "data_format": "channels_first" if call.channels_first else "channels_last",
            "bias": bias,
        }
        common.update(extra)
        if call.transpose:
            if call.output_padding is not None:
                common["output_padding"] = call.output_padding
            out = jconv.conv_transpose(x, kernel, **common)
        else:
            out = jconv.conv(x, kernel, padding_mode=call.padding_mode, **common)  # type: ignore[arg-type]
        return out[0] if unbatched else out

    fn.__qualname__ = fn.__name__ = "ported"
    fn.__doc__ = f"The forward pass of {call.where}: ``fn(params, x)``, input {call.layout()}."
    return fn, params


def _unpack(
    where: str, params: Any, keys: frozenset[str]
) -> tuple[jax.typing.ArrayLike, jax.typing.ArrayLike | None]:
    if not isinstance(params, Mapping):
        raise TypeError(
            f"{where}: `params` must be the dict the port returned (keys {sorted(keys)}); "
            f"received a {type(params).__name__}."
        )
    if set(params) != keys:
        raise ValueError(
            f"{where}: `params` must have exactly the keys {sorted(keys)} (the layer's "
            f"parameters); received keys {sorted(map(str, params))}."
        )
    return params["kernel"], params.get("bias")


def _autocast(dtype: str, x: jax.Array, kernel: Any, bias: Any) -> tuple[jax.Array, Any, Any]:
    """Keras' autocast: floating inputs and the variables in the compute dtype."""
    if jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(dtype)
    kernel = jnp.asarray(kernel).astype(dtype)
    if bias is not None:
        bias = jnp.asarray(bias).astype(dtype)
    return x, kernel, bias


def as_param(where: str, name: str, value: Any) -> jax.Array:
    """A framework's weight (already a NumPy array) as a JAX array of its own dtype."""
    kind = np.dtype(value.dtype)
    if kind == np.bool_ or not (np.issubdtype(kind, np.number) or kind.name == "bfloat16"):
        raise TypeError(
            f"{where}: the layer's `{name}` must have a numeric dtype; received "
            f"{name}.dtype={kind.name}."
        )
    return jnp.asarray(value)
