"""Checkerboard-free upsampling: pixel shuffle and resize-then-convolve.

:mod:`.depth` moves blocks of channels into space and back (``depth_to_space`` /
``space_to_depth``, pure reshapes and transposes); :mod:`.resize` upsamples by an
integer factor and convolves (``resize_conv``). Both read their static arguments
through :mod:`jconv._canonical`.
"""

from jconv._upsampling.depth import depth_to_space as depth_to_space
from jconv._upsampling.depth import space_to_depth as space_to_depth
from jconv._upsampling.resize import resize_conv as resize_conv

__all__ = ["depth_to_space", "resize_conv", "space_to_depth"]
