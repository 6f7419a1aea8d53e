"""Drop-in replacements for other frameworks' convolution APIs, built on ``jconv``.

``from compat import tf`` gives TensorFlow's ``tf.nn`` convolutions (and
``tf.compat.v1.nn``); ``from compat import torch`` gives PyTorch's
``torch.nn.functional`` convolutions. Both only translate arguments into
``jconv`` calls; they have no numerics of their own.
"""

from compat import tf as tf
from compat import torch as torch

__all__ = ["tf", "torch"]
