"""The canonical description of one transposed convolution, shared by all algorithms."""

from __future__ import annotations

import dataclasses
from typing import Any

from jconv._canonical.operands import Layout


@dataclasses.dataclass(frozen=True)
class TransposeSpec:
    """Everything an algorithm needs besides the two arrays, already validated.

    ``pads`` is the forward convolution's ``(lo, hi)`` padding per dimension,
    resolved from ``out_size`` (so ``"SAME"`` is TF's SAME of the output).
    """

    layout: Layout
    in_size: tuple[int, ...]
    out_size: tuple[int, ...]
    window: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]
    groups: int
    precision: Any = None
    preferred_element_type: Any = None
