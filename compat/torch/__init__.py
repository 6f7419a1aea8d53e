"""PyTorch-signature convolutions on jconv: ``from compat import torch``.

``torch.nn.functional.conv1d/2d/3d`` and ``conv_transpose1d/2d/3d`` take
PyTorch's arguments (channels-first arrays, PyTorch weight layouts, int or
tuple ``stride``/``padding``/``dilation``, ``padding="same"|"valid"``,
``output_padding``, ``groups``), make PyTorch's accept/reject decisions, and
return what PyTorch returns, computed by :func:`jconv.conv` and
:func:`jconv.conv_transpose`. Inputs are NumPy or JAX arrays; results are JAX
arrays, and every function works under ``jax.jit`` (shape arguments static).

Examples:
    >>> import numpy as np
    >>> from compat import torch
    >>> F = torch.nn.functional
    >>> x = np.ones((1, 4, 5, 5), np.float32)            # (N, C_in, H, W)
    >>> w = np.ones((4, 3, 3, 3), np.float32)            # (C_in, C_out // groups, kH, kW)
    >>> F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1).shape
    (1, 3, 10, 10)
"""

from compat.torch import nn as nn

__all__ = ["nn"]
