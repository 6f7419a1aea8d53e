"""Independent NumPy oracles for conv and its adjoint, written from the definition.

No code is shared with jconv. Each spatial dimension is a one-hot matrix
``M[o, t, i]`` (1 where output ``o`` reads input ``i`` through tap ``t``), built
with Python ints, so huge strides, paddings and dilations cost nothing: the
cost is ``O * K * I`` per dimension, all of them small.
"""

from __future__ import annotations

import numpy as np

INT64_MAX = 2**63 - 1
MAX_BYTES = 2**40


def eff(k: int, d: int) -> int:
    return d * (k - 1) + 1


def conv_size(i: int, k: int, s: int, lo: int, hi: int, d: int) -> int:
    """floor((i + lo + hi - eff) / s) + 1 (may be <= 0: no output)."""
    return (i + lo + hi - eff(k, d)) // s + 1


def same_pads(i: int, k: int, s: int, d: int, lower: bool = False) -> tuple[int, int]:
    o = -(-i // s)
    total = max((o - 1) * s + eff(k, d) - i, 0)
    small = total // 2
    return (total - small, small) if lower else (small, total - small)


def dim_matrix(n_in: int, n_out: int, k: int, s: int, d: int, lo: int):
    m = np.zeros((n_out, k, n_in))
    for o in range(n_out):
        for t in range(k):
            j = o * s + t * d - lo
            if 0 <= j < n_in:
                m[o, t, j] = 1
    return m


_L = "abcdefghijklmnopqrstuvwxyz"


def _exact(a):
    """float64, or complex128 for complex operands (keeping the imaginary part)."""
    a = np.asarray(a)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def conv_ref(x, k, strides, pads, dils, groups):
    """Channels-last x (N, *I, C_in), HWIO kernel (*K, C_in // g, C_out), explicit pads."""
    x, k = _exact(x), _exact(k)
    n = x.ndim - 2
    sizes, window = x.shape[1:-1], k.shape[:n]
    outs = [
        conv_size(i, kk, s, lo, hi, d)
        for i, kk, s, (lo, hi), d in zip(sizes, window, strides, pads, dils)
    ]
    mats = [
        dim_matrix(i, o, kk, s, d, lo)
        for i, o, kk, s, (lo, _), d in zip(sizes, outs, window, strides, pads, dils)
    ]
    g = groups
    cg, cout = k.shape[-2], k.shape[-1]
    xg = x.reshape(x.shape[0], *sizes, g, cg)
    kg = k.reshape(*window, cg, g, cout // g)
    o_, t_, i_ = _L[:n], _L[n : 2 * n], _L[2 * n : 3 * n]
    spec = f"N{i_}GC,{t_}CGQ," + ",".join(f"{o_[j]}{t_[j]}{i_[j]}" for j in range(n)) + f"->N{o_}GQ"
    spec = spec.replace("N", "x").replace("G", "y").replace("C", "z").replace("Q", "w")
    y = np.einsum(spec, xg, kg, *mats, optimize=True)
    return y.reshape(x.shape[0], *outs, cout)


def transpose_ref(y, k, out_sizes, strides, pads, dils, groups):
    """The adjoint of conv_ref: y (N, *I_t, C_in_t), kernel (*K, C_out_t // g, C_in_t).

    ``pads`` are the forward convolution's (lo, hi); ``out_sizes`` the output's
    spatial sizes (the forward conv's input sizes)."""
    y, k = _exact(y), _exact(k)
    n = y.ndim - 2
    sizes, window = y.shape[1:-1], k.shape[:n]
    mats = [
        dim_matrix(o, i, kk, s, d, lo)
        for i, o, kk, s, (lo, _), d in zip(sizes, out_sizes, window, strides, pads, dils)
    ]
    g = groups
    og, cin = k.shape[-2], k.shape[-1]
    yg = y.reshape(y.shape[0], *sizes, g, cin // g)
    kg = k.reshape(*window, og, g, cin // g)
    i_, t_, o_ = _L[:n], _L[n : 2 * n], _L[2 * n : 3 * n]
    spec = f"x{i_}yz,{t_}wyz," + ",".join(f"{i_[j]}{t_[j]}{o_[j]}" for j in range(n)) + f"->x{o_}yw"
    out = np.einsum(spec, yg, kg, *mats, optimize=True)
    return out.reshape(y.shape[0], *out_sizes, og * g)


def copy_source(q: int, size: int, mode: str) -> int:
    """The cell a copying pad reads for padded position ``q`` (relative to the data's start)."""
    if mode == "circular":
        return q % size
    if mode == "replicate":
        return min(max(q, 0), size - 1)
    period = 2 * (size - 1)  # reflect: mirrored about the edge cells, which are not repeated
    if period == 0:
        return 0
    q %= period
    return q if q < size else period - q


def copy_pad(x, pads, mode):
    """Pads the spatial axes of channels-last ``x`` by copying cells (the definition)."""
    for axis, (lo, hi) in enumerate(pads, start=1):
        size = x.shape[axis]
        index = [copy_source(q - lo, size, mode) for q in range(size + lo + hi)]
        x = np.take(x, index, axis=axis)
    return x


def copy_fold(v, pads, sizes, mode):
    """The adjoint of :func:`copy_pad`: each padded cell added onto the cell it copies."""
    for axis, ((lo, _), size) in enumerate(zip(pads, sizes), start=1):
        out = np.zeros((*v.shape[:axis], size, *v.shape[axis + 1 :]), v.dtype)
        for q in range(v.shape[axis]):
            src = copy_source(q - lo, size, mode)
            out[(slice(None),) * axis + (src,)] += v[(slice(None),) * axis + (q,)]
        v = out
    return v
