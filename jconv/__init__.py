"""jconv: N-d convolution and transposed convolution for JAX.

``conv_transpose`` is the exact adjoint of ``conv`` with the same kernel; see
``jconv.shapes`` for the size arithmetic of both.
"""

from importlib.metadata import PackageNotFoundError as _NotFound
from importlib.metadata import version as _version

from jconv import layouts as layouts
from jconv import shapes as shapes
from jconv._algorithms.registry import ALGORITHMS as _ALGORITHMS
from jconv._conv import conv as conv
from jconv._transpose import conv_transpose as conv_transpose

ALGORITHMS: tuple[str, ...] = tuple(_ALGORITHMS)
"""Names accepted by ``conv_transpose(..., algorithm=...)`` besides ``"auto"``."""

try:
    __version__ = _version("jconv")
except _NotFound:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["ALGORITHMS", "__version__", "conv", "conv_transpose", "layouts", "shapes"]
