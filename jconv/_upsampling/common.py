"""The checks that ``depth_to_space``, ``space_to_depth`` and ``resize_conv`` share.

Trace-time only, on static shapes: the array argument, its layout, and a bound on
the sizes an op creates.
"""

from __future__ import annotations

from typing import Any

import jax

from jconv._canonical.args import LIMIT, channels_last
from jconv._canonical.operands import Layout, concrete, spatial_array


def spatial_input(fn: str, x: Any, data_format: Any) -> tuple[jax.Array, Layout]:
    """``x`` as an array of rank >= 3 with concrete non-batch sizes, and its layout."""
    x = spatial_array(fn, x)
    layout = Layout(x.ndim - 2, channels_last(fn, data_format, x.ndim - 2))
    concrete(fn, "x", x.shape[1:])
    return x, layout


def check_sizes(fn: str, what: str, shape: tuple[Any, ...], because: str) -> None:
    """Every size of a shape an op creates stays below ``2**62`` (XLA indexes with int64).

    Only reachable through an empty array, whose element count stays 0 however
    large a factor is: e.g. zero channels with a ``block_size`` of ``2**40``.
    """
    if any(isinstance(d, int) and d >= LIMIT for d in shape):
        raise ValueError(
            f"{fn}: {what} would have shape {shape}, with a size of 2**62 or more, which "
            f"XLA cannot index; received {because}."
        )
