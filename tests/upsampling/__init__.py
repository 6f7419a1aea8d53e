"""Tests of ``depth_to_space``, ``space_to_depth`` and ``resize_conv``.

This package module holds the NumPy oracle both files share, written from the
index definition in the docstrings (one output cell at a time, no reshapes or
transposes), and the random inputs.
"""

from __future__ import annotations

import math

import numpy as np


def normal(seed: int, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def channel(k: int, c: int, channels: int, p: int, order: str) -> int:
    """The depth-side channel of block offset ``k`` and space-side channel ``c``."""
    return k * channels + c if order == "DCR" else c * p + k


def depth_to_space(x, block, *, channels_last=True, order="DCR"):
    """``out[n, s * b + r, c] = x[n, s, channel(ravel(r), c)]``, cell by cell."""
    x = np.asarray(x)
    if not channels_last:
        x = np.moveaxis(x, 1, -1)
    batch, *spatial, depth = x.shape
    p = math.prod(block)
    channels = depth // p
    fine = [s * b for s, b in zip(spatial, block)]
    out = np.zeros((batch, *fine, channels), x.dtype)
    for pos in np.ndindex(*fine):
        coarse = tuple(i // b for i, b in zip(pos, block))
        k = int(np.ravel_multi_index(tuple(i % b for i, b in zip(pos, block)), block))
        for c in range(channels):
            out[(slice(None), *pos, c)] = x[
                (slice(None), *coarse, channel(k, c, channels, p, order))
            ]
    return out if channels_last else np.moveaxis(out, -1, 1)


def space_to_depth(x, block, *, channels_last=True, order="DCR"):
    """``out[n, s, channel(ravel(r), c)] = x[n, s * b + r, c]``, cell by cell."""
    x = np.asarray(x)
    if not channels_last:
        x = np.moveaxis(x, 1, -1)
    batch, *fine, channels = x.shape
    p = math.prod(block)
    coarse = [i // b for i, b in zip(fine, block)]
    out = np.zeros((batch, *coarse, channels * p), x.dtype)
    for pos in np.ndindex(*coarse):
        for r in np.ndindex(*block):
            k = int(np.ravel_multi_index(r, block))
            src = tuple(s * b + i for s, b, i in zip(pos, block, r))
            for c in range(channels):
                out[(slice(None), *pos, channel(k, c, channels, p, order))] = x[
                    (slice(None), *src, c)
                ]
    return out if channels_last else np.moveaxis(out, -1, 1)
