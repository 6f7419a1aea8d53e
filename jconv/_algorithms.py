"""The transposed-convolution algorithms, by name, and the rule behind ``"auto"``.

Every algorithm has the signature ``(x, kernel, spec: TransposeSpec) -> Array``
and must agree with ``"lhs_dilation"`` (the reference) on every input.
"""

from __future__ import annotations

from collections.abc import Callable

import jax

from jconv._lhs_dilation import lhs_dilation
from jconv._spec import TransposeSpec

Algorithm = Callable[[jax.Array, jax.Array, TransposeSpec], jax.Array]

ALGORITHMS: dict[str, Algorithm] = {
    "lhs_dilation": lhs_dilation,
}


def choose(spec: TransposeSpec) -> str:
    """The algorithm ``"auto"`` runs for this configuration.

    Until a faster algorithm is measured to win, this is the reference.
    """
    del spec
    return "lhs_dilation"
