"""The types of jconv's public signatures (pure typing: no JAX import, so that
:mod:`jconv.shapes` can use them; the JAX-dependent ones are in :mod:`.spec`).

Arrays come in as ``jax.typing.ArrayLike`` and go out as ``jax.Array``; the
static arguments have the names below. ``Literal`` names list the strings
accepted (padding strings are also accepted in any case).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

IntOrInts: TypeAlias = int | Sequence[int]
"""One int for every spatial dimension, or one int per spatial dimension."""

PaddingString: TypeAlias = Literal["SAME", "SAME_LOWER", "VALID", "CAUSAL", "same", "valid"]
Padding: TypeAlias = PaddingString | str | int | Sequence[int] | Sequence[tuple[int, int]]
"""A padding string, an int, one int per dimension, or one ``(lo, hi)`` pair per dimension."""

PaddingMode: TypeAlias = Literal["zeros", "circular", "reflect", "replicate"]

DataFormat: TypeAlias = Literal[
    "channels_last", "channels_first", "NWC", "NHWC", "NDHWC", "NCW", "NCHW", "NCDHW"
]

Algorithm: TypeAlias = Literal["auto", "lhs_dilation", "phase", "hybrid"]
