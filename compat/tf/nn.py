"""``tf.nn``: TensorFlow 2's convolution functions, computed by ``jconv``.

Same names, signatures, defaults, argument forms, results and rejections as
TensorFlow (see each function); where TensorFlow's CPU kernels refuse a
well-defined case (channels-first, dilated transposes, grouped transposes,
dilated or grouped 3-D convs) it is computed as TensorFlow's GPU/XLA kernels
compute it.
"""

from compat.tf._conv import atrous_conv2d as atrous_conv2d
from compat.tf._conv import conv1d as conv1d
from compat.tf._conv import conv2d as conv2d
from compat.tf._conv import conv3d as conv3d
from compat.tf._conv import convolution as convolution
from compat.tf._conv_transpose import atrous_conv2d_transpose as atrous_conv2d_transpose
from compat.tf._conv_transpose import conv1d_transpose as conv1d_transpose
from compat.tf._conv_transpose import conv2d_transpose as conv2d_transpose
from compat.tf._conv_transpose import conv3d_transpose as conv3d_transpose
from compat.tf._conv_transpose import conv_transpose as conv_transpose
from compat.tf._depthwise import depthwise_conv2d as depthwise_conv2d

__all__ = [
    "atrous_conv2d",
    "atrous_conv2d_transpose",
    "conv1d",
    "conv1d_transpose",
    "conv2d",
    "conv2d_transpose",
    "conv3d",
    "conv3d_transpose",
    "conv_transpose",
    "convolution",
    "depthwise_conv2d",
]
