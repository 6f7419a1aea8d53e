"""One-call porting of convolution layers from PyTorch, Keras 3 and ONNX.

Each function takes a framework's layer and returns ``(fn, params)``:
``fn(params, x)`` is a pure, jittable function that returns what the framework
returns for the same input, in the framework's own layout (PyTorch and ONNX
channels-first, Keras its layer's ``data_format``), computed by one
:func:`jconv.conv` or :func:`jconv.conv_transpose` call; ``params`` is a dict
with ``"kernel"`` (jconv's layout) and, if the layer has one, ``"bias"``. ``fn``
works under ``jax.grad`` (in ``params`` and ``x``) and ``jax.vmap``.

The frameworks are never imported here: a layer can only exist once its
package is imported, so ``import jconv.port`` needs none of them.

Examples:
    >>> import numpy as np, torch, jconv.port
    >>> fn, params = jconv.port.from_torch(torch.nn.ConvTranspose1d(4, 2, 3, stride=2))
    >>> fn(params, np.ones((1, 4, 5), np.float32)).shape
    (1, 2, 11)
"""

from jconv.port._keras import from_keras as from_keras
from jconv.port._onnx import from_onnx as from_onnx
from jconv.port._torch import from_torch as from_torch

__all__ = ["from_keras", "from_onnx", "from_torch"]
