"""What a channel mismatch most likely means, for users coming from PyTorch or ONNX.

A PyTorch (or ONNX) weight is ``(C_out, C_in // groups, *window)`` for a
convolution and ``(C_in, C_out // groups, *window)`` for a transposed one, and
their data is channels-first; jconv's default is channels-last with the window
first in the kernel. When the channels do not match, these functions return the
sentence that says which of those the shapes fit (or ``""``).
"""

from __future__ import annotations

from typing import Any

from jconv._canonical.operands import Layout

_CHANNELS_FIRST = " and pass data_format='channels_first' for channels-first x"


def conv(
    x_shape: tuple[int, ...], k_shape: tuple[int, ...], g: int, layout: Layout, fmt: Any
) -> str:
    """The hint for ``jconv.conv``: the kernel expects ``groups * kernel.shape[-2]`` channels."""
    return _hint(
        x_shape,
        layout,
        fmt,
        expected=g * k_shape[-2],
        torch_fits=lambda c: k_shape[1] * g == c,
        torch_layout="(C_out, C_in // groups, *window)",
        converter="jconv.layouts.from_torch_conv",
    )


def transpose(
    x_shape: tuple[int, ...], k_shape: tuple[int, ...], g: int, layout: Layout, fmt: Any
) -> str:
    """The hint for ``jconv.conv_transpose``: the kernel expects ``kernel.shape[-1]`` channels."""
    return _hint(
        x_shape,
        layout,
        fmt,
        expected=k_shape[-1],
        torch_fits=lambda c: k_shape[0] == c,
        torch_layout="(C_in, C_out // groups, *window)",
        converter="jconv.layouts.from_torch_conv_transpose",
    )


def _hint(x_shape, layout, fmt, *, expected, torch_fits, torch_layout, converter) -> str:
    have = x_shape[layout.channel_axis]
    # Data that is channels-first under the channels-last default.
    first = x_shape[1] if (fmt is None and layout.channels_last) else None
    if first is not None and first == expected and have != expected:
        return (
            f" `x` looks channels-first: x.shape[1] (={first}) matches the kernel; pass "
            f"data_format='channels_first'."
        )
    for c, extra in ((have, ""), (first, _CHANNELS_FIRST)):
        if c is not None and torch_fits(c):
            return (
                f" The kernel's shape fits PyTorch's and ONNX's {torch_layout} layout: convert "
                f"the weight with {converter}(weight){extra}."
            )
    return ""
