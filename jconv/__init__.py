"""jconv: N-d convolution and transposed convolution for JAX.

``conv_transpose`` is the exact adjoint of ``conv`` with the same kernel; see
``jconv.shapes`` for the size arithmetic of both. ``jconv.port`` turns PyTorch,
Keras and ONNX convolution layers into jconv calls, ``jconv.init`` holds
initializers, and the layers live in ``jconv.flax`` (Flax NNX, extra
``jconv[flax]``) and ``jconv.equinox`` (extra ``jconv[equinox]``), imported on
first use so that ``import jconv`` needs neither.
"""

import importlib as _importlib
from importlib.metadata import PackageNotFoundError as _NotFound
from importlib.metadata import version as _version
from types import ModuleType as _ModuleType

from jconv import init as init
from jconv import layouts as layouts
from jconv import port as port
from jconv import shapes as shapes
from jconv._algorithms.registry import ALGORITHMS as _ALGORITHMS
from jconv._conv import conv as conv
from jconv._transpose import conv_transpose as conv_transpose
from jconv._upsampling import depth_to_space as depth_to_space
from jconv._upsampling import resize_conv as resize_conv
from jconv._upsampling import space_to_depth as space_to_depth

ALGORITHMS: tuple[str, ...] = tuple(_ALGORITHMS)
"""Names accepted by ``conv_transpose(..., algorithm=...)`` besides ``"auto"``."""

try:
    __version__ = _version("jconv")
except _NotFound:  # running from a source tree that was not installed
    __version__ = "0+unknown"

_LAZY = ("flax", "equinox")  # need their optional packages: imported on first access


def __getattr__(name: str) -> _ModuleType:
    if name in _LAZY:
        return _importlib.import_module(f"jconv.{name}")
    raise AttributeError(f"module 'jconv' has no attribute {name!r}")


__all__ = [
    "ALGORITHMS",
    "__version__",
    "conv",
    "conv_transpose",
    "depth_to_space",
    "init",
    "layouts",
    "port",
    "resize_conv",
    "shapes",
    "space_to_depth",
]
