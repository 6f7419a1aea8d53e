"""A NumPy oracle for convolution and transposed convolution, written from the definitions.

It shares no code with ``jconv`` (it does not import it) and is deliberately
naive: float64, an explicit Python loop over output positions (or input
positions, for the transpose) and kernel taps, vectorised only over batch and
channels. Arrays are channels-last: ``x`` is ``(N, *spatial, C)``.

Definitions (per spatial dimension, ``eff = d * (k - 1) + 1``):

* conv (a gather, i.e. cross-correlation)::

    out[b, o, co] = sum_{t, ci} xpad[b, o * s + t * d, grp(co) * Cin_g + ci] * w[t, ci, co]

  with ``w`` of shape ``(*window, Cin_g, C_out)``, ``Cin_g = C_in // groups``,
  ``grp(co) = co // (C_out // groups)`` and ``xpad`` the input padded with
  ``lo`` zeros before and ``hi`` after (negative values crop).
* transposed conv (a scatter-add, the adjoint of the above)::

    out[b, i * s - lo + t * d, grp * Cout_g + co] += y[b, i, ci] * w[t, co, ci]

  for every ``ci`` of group ``grp``, with the same ``w`` (so ``w`` is
  ``(*window, Cout_g, C_in)`` seen from the transpose), dropping positions
  outside ``[0, out_size)``.
* padding forms: ``"VALID"`` is ``(0, 0)``; ``"SAME"`` follows TensorFlow
  (``o = ceil(i / s)``, ``total = max(0, (o - 1) * s + eff - i)``,
  ``lo = total // 2``); ``"SAME_LOWER"`` puts the odd unit first
  (``lo = total - total // 2``); an int ``p`` is ``(p, p)`` everywhere; a
  sequence gives one int or ``(lo, hi)`` pair per dimension. For the transpose
  the padding is the forward conv's, so ``"SAME"`` is computed from the
  transpose's *output* size (the forward conv's input).
* default transpose output size: ``i * s`` for the SAME modes, otherwise
  ``(i - 1) * s + eff - lo - hi + output_padding``.

Comparisons with it go through ``assert_close`` (re-exported from
``tests.tolerances``, the suite's one tolerance table).
"""

from __future__ import annotations

import itertools

import numpy as np

from tests.tolerances import assert_close as assert_close

# ---------------------------------------------------------------------------
# Argument forms


def _per_dim(value, n):
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"expected {n} values, got {value}")
    return value


def effective_size(k, d):
    """Span of a kernel of size ``k`` dilated by ``d``."""
    return d * (k - 1) + 1


def same_pads(i, k, s, d, lower=False):
    """TensorFlow's SAME padding ``(lo, hi)`` for a conv input of size ``i``."""
    o = -(-i // s)  # ceil(i / s)
    total = max(0, (o - 1) * s + effective_size(k, d) - i)
    lo = total - total // 2 if lower else total // 2
    return lo, total - lo


def is_same_mode(padding):
    return isinstance(padding, str) and padding.upper() in ("SAME", "SAME_LOWER")


def resolve_pads(padding, in_sizes, window, stride, dilation):
    """``(lo, hi)`` per dimension for any padding form, for a conv input of ``in_sizes``."""
    n = len(in_sizes)
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return [(0, 0)] * n
        if mode in ("SAME", "SAME_LOWER"):
            return [
                same_pads(i, k, s, d, lower=mode == "SAME_LOWER")
                for i, k, s, d in zip(in_sizes, window, stride, dilation)
            ]
        raise ValueError(f"unknown padding {padding!r}")
    if isinstance(padding, (int, np.integer)):
        return [(int(padding), int(padding))] * n
    pads = []
    for p in padding:
        if isinstance(p, (int, np.integer)):
            pads.append((int(p), int(p)))
        else:
            lo, hi = p
            pads.append((int(lo), int(hi)))
    if len(pads) != n:
        raise ValueError(f"expected {n} paddings, got {padding!r}")
    return pads


def conv_output_size(i, k, s, lo, hi, d):
    """``floor((i + lo + hi - eff) / s) + 1``, or ``None`` if the window does not fit."""
    span = i + lo + hi
    eff = effective_size(k, d)
    if span < eff:
        return None
    return (span - eff) // s + 1


def conv_output_sizes(in_sizes, window, stride=1, padding="VALID", dilation=1):
    """Spatial output sizes of ``conv`` (``None`` entries where there is no output)."""
    n = len(in_sizes)
    stride, dilation = _per_dim(stride, n), _per_dim(dilation, n)
    pads = resolve_pads(padding, in_sizes, window, stride, dilation)
    return tuple(
        conv_output_size(i, k, s, lo, hi, d)
        for i, k, s, (lo, hi), d in zip(in_sizes, window, stride, pads, dilation)
    )


def transpose_valid_sizes(in_sizes, window, stride=1, padding="VALID", dilation=1):
    """Per dimension, every size ``o >= 1`` that ``conv`` maps back to the input size.

    Found by brute force from :func:`conv_output_sizes` (the SAME padding of a
    candidate ``o`` is resolved for ``o`` itself), so it relies on no formula
    for the inverse.
    """
    n = len(in_sizes)
    stride, dilation = _per_dim(stride, n), _per_dim(dilation, n)
    per_dim = [padding] * n if isinstance(padding, (str, int, np.integer)) else list(padding)
    result = []
    for i, k, s, p, d in zip(in_sizes, window, stride, per_dim, dilation):
        p = p if isinstance(p, str) else [p]  # this dimension's padding, as a 1-d form
        lo, hi = (0, 0) if isinstance(p, str) else resolve_pads(p, [1], [k], [s], [d])[0]
        bound = (i + 1) * s + effective_size(k, d) + abs(lo) + abs(hi) + 2
        result.append(
            [o for o in range(1, bound) if conv_output_sizes((o,), (k,), s, p, d) == (i,)]
        )
    return tuple(result)


def transpose_default_sizes(
    in_sizes, window, stride=1, padding="VALID", dilation=1, output_padding=None
):
    """Default spatial output sizes of the transpose (see the module docstring)."""
    n = len(in_sizes)
    stride, dilation = _per_dim(stride, n), _per_dim(dilation, n)
    extra = (0,) * n if output_padding is None else _per_dim(output_padding, n)
    if is_same_mode(padding):
        return tuple(i * s for i, s in zip(in_sizes, stride))
    # Explicit / VALID padding does not depend on the size, so any size resolves it.
    pads = resolve_pads(padding, in_sizes, window, stride, dilation)
    return tuple(
        (i - 1) * s + effective_size(k, d) - lo - hi + a
        for i, k, s, (lo, hi), d, a in zip(in_sizes, window, stride, pads, dilation, extra)
    )


# ---------------------------------------------------------------------------
# The two operations


def _pad_or_crop(x, pads):
    """Zero-pads (positive) or crops (negative) the spatial axes of ``(N, *spatial, C)``."""
    widths = [(0, 0)] + [(max(lo, 0), max(hi, 0)) for lo, hi in pads] + [(0, 0)]
    x = np.pad(x, widths)
    index = [slice(None)]
    for (lo, hi), size in zip(pads, x.shape[1:-1]):
        index.append(slice(max(-lo, 0), size - max(-hi, 0)))
    index.append(slice(None))
    return x[tuple(index)]


def conv(x, w, stride=1, padding="VALID", dilation=1, groups=1):
    """Grouped N-d convolution (cross-correlation) by gathering, channels-last, float64.

    ``x``: ``(N, *spatial, C_in)``; ``w``: ``(*window, C_in // groups, C_out)``.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n = x.ndim - 2
    window = w.shape[:n]
    stride, dilation = _per_dim(stride, n), _per_dim(dilation, n)
    in_sizes = x.shape[1:-1]
    pads = resolve_pads(padding, in_sizes, window, stride, dilation)
    out_sizes = conv_output_sizes(in_sizes, window, stride, pads, dilation)
    if any(o is None for o in out_sizes):
        raise ValueError(f"no output: sizes {in_sizes}, window {window}, pads {pads}")
    batch, c_in = x.shape[0], x.shape[-1]
    cin_g, c_out = w.shape[-2:]
    assert c_in == groups * cin_g and c_out % groups == 0
    cout_g = c_out // groups
    xpad = _pad_or_crop(x, pads)
    out = np.zeros((batch, *out_sizes, c_out))
    for o in itertools.product(*map(range, out_sizes)):
        for t in itertools.product(*map(range, window)):
            pos = tuple(oj * sj + tj * dj for oj, tj, sj, dj in zip(o, t, stride, dilation))
            xv = xpad[(slice(None), *pos)]  # (N, C_in)
            for g in range(groups):
                cols = slice(g * cout_g, (g + 1) * cout_g)
                out[(slice(None), *o, cols)] += (
                    xv[:, g * cin_g : (g + 1) * cin_g] @ w[(*t, slice(None), cols)]
                )
    return out


def conv_transpose(
    y,
    w,
    stride=1,
    padding="VALID",
    dilation=1,
    groups=1,
    out_size=None,
    output_padding=None,
):
    """Grouped N-d transposed convolution by scatter-add, channels-last, float64.

    ``y``: ``(N, *spatial, C_in)``; ``w``: ``(*window, C_out // groups, C_in)``
    (the forward conv's kernel). ``out_size``: spatial output sizes, default
    :func:`transpose_default_sizes`. ``padding`` is the forward conv's and is
    resolved against ``out_size``.
    """
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n = y.ndim - 2
    window = w.shape[:n]
    stride, dilation = _per_dim(stride, n), _per_dim(dilation, n)
    in_sizes = y.shape[1:-1]
    if out_size is None:
        out_size = transpose_default_sizes(
            in_sizes, window, stride, padding, dilation, output_padding
        )
    else:
        assert output_padding is None
        out_size = _per_dim(out_size, n)
    pads = resolve_pads(padding, out_size, window, stride, dilation)
    batch, c_in = y.shape[0], y.shape[-1]
    cout_g = w.shape[-2]
    assert w.shape[-1] == c_in and c_in % groups == 0
    cin_g = c_in // groups
    out = np.zeros((batch, *out_size, groups * cout_g))
    for i in itertools.product(*map(range, in_sizes)):
        yv = y[(slice(None), *i)]  # (N, C_in)
        for t in itertools.product(*map(range, window)):
            pos = tuple(
                ij * sj - lo + tj * dj
                for ij, tj, sj, dj, (lo, _) in zip(i, t, stride, dilation, pads)
            )
            if not all(0 <= p < size for p, size in zip(pos, out_size)):
                continue
            for g in range(groups):
                ci = slice(g * cin_g, (g + 1) * cin_g)
                out[(slice(None), *pos, slice(g * cout_g, (g + 1) * cout_g))] += (
                    yv[:, ci] @ w[(*t, slice(None), ci)].T
                )
    return out


# ---------------------------------------------------------------------------
# Layout helpers


def to_channels_first(a):
    """``(N, *spatial, C)`` -> ``(N, C, *spatial)``."""
    a = np.asarray(a)
    return np.moveaxis(a, -1, 1)


def to_channels_last(a):
    """``(N, C, *spatial)`` -> ``(N, *spatial, C)``."""
    a = np.asarray(a)
    return np.moveaxis(a, 1, -1)
