"""``compat.torch.nn``: only ``functional`` (the convolution functions)."""

from compat.torch.nn import functional as functional

__all__ = ["functional"]
