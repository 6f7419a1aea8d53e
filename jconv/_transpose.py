"""``jconv.conv_transpose``: the exact adjoint of ``jconv.conv`` with the same kernel."""

from __future__ import annotations

from typing import Any

import jax

from jconv._algorithms.circular import check_pads, is_circular, wrap_fold
from jconv._algorithms.registry import ALGORITHMS, choose
from jconv._canonical.args import is_sequence, per_dim_ints, show
from jconv._canonical.operands import check_divisible, operands, positive_groups
from jconv._canonical.padding import normalize_padding
from jconv._canonical.sizes import (
    check_out,
    check_output_padding,
    default_out,
    dims_of,
    forward_pads,
)
from jconv._canonical.spec import TransposeSpec


def conv_transpose(
    x: jax.typing.ArrayLike,
    kernel: jax.typing.ArrayLike,
    stride: int | tuple[int, ...] = 1,
    padding: Any = "VALID",
    *,
    output_shape: int | tuple[int, ...] | None = None,
    output_padding: int | tuple[int, ...] | None = None,
    dilation: int | tuple[int, ...] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
    data_format: str | None = None,
    precision: Any = None,
    preferred_element_type: Any = None,
    algorithm: str = "auto",
) -> jax.Array:
    """Transposed convolution ("deconvolution"): the adjoint of :func:`jconv.conv`.

    For every ``z`` and ``y``, with the same ``kernel`` and arguments,
    ``<conv(z, kernel, ...), y> == <z, conv_transpose(y, kernel, ..., output_shape=z_spatial)>``.
    Equivalently ``out[b, i * s - lo + t * d, g(ci) + co] += x[b, i, ci] * kernel[t, co, ci]``
    (a scatter-add), which is what TF's ``conv2d_transpose`` and PyTorch's
    ``conv_transpose2d`` compute.

    Args:
      x: ``(N, *spatial, C_in)`` (or ``(N, C_in, *spatial)`` channels-first),
        where ``C_in`` is the forward conv's output channel count.
      kernel: the kernel of the forward convolution being transposed,
        ``(*window, C_out // groups, C_in)``: TF's ``[h, w, out, in]`` order.
      stride: an int or one per spatial dimension (the forward conv's stride,
        i.e. the upsampling factor).
      padding: the *forward* convolution's padding: ``"SAME"``,
        ``"SAME_LOWER"``, ``"VALID"``, an int (PyTorch's ``padding``), one int
        per dimension, or one ``(lo, hi)`` pair per dimension. ``"SAME"`` is
        computed from the output size, as in TF.
      output_shape: the spatial output sizes (an int or one per dimension).
        Any size that ``conv`` maps back to the input size is accepted (see
        :func:`jconv.shapes.transpose_output_shapes`).
      output_padding: extra size at the high end of each dimension (PyTorch
        rule: each ``< max(stride, dilation)``); not with ``output_shape`` or
        ``"SAME"``.
      dilation: kernel dilation, an int or one per dimension.
      groups: channel groups; ``C_in`` and ``kernel.shape[-1]`` are split into
        ``groups`` blocks; output channels are ``groups * kernel.shape[-2]``.
      padding_mode: ``"zeros"`` or ``"circular"``: the adjoint of the circular
        :func:`jconv.conv` (what spills past either end is wrapped around and
        added onto the period).
      data_format: as in :func:`jconv.conv`.
      precision: passed to XLA.
      preferred_element_type: accumulation and result dtype.
      algorithm: ``"auto"`` (chosen per backend and shape from measurements),
        ``"lhs_dilation"`` (the reference: XLA's convolution of the
        zero-inserted input), ``"phase"`` (stride-phase / sub-pixel
        decomposition: one stride-1 convolution of the undilated input with
        the phase sub-kernels stacked, then depth-to-space; no multiply
        touches an inserted zero, and neither do its gradients) or
        ``"hybrid"`` (the reference's forward pass with ``"phase"``'s
        gradients). All give the same values.

    Returns:
      ``(N, *out_spatial, groups * kernel.shape[-2])`` in the layout of ``x``.
      The default ``out_spatial`` is ``(i - 1) * s + d * (k - 1) + 1 - lo - hi
      + output_padding`` (``i * s`` for ``"SAME"``).

    Raises:
      TypeError: an argument of the wrong kind (including a traced
        ``output_shape``, or mismatched or non-numeric dtypes).
      ValueError: a bad value, e.g. an ``output_shape`` that ``conv`` would not
        map back to the input size (the message lists the sizes that work).

    Examples:
      >>> import numpy as np, jconv
      >>> y = np.array([4.5, 5.4, 8.1, 9.0], np.float32).reshape(1, 2, 2, 1)
      >>> jconv.conv_transpose(y, np.ones((3, 3, 1, 1), np.float32))[0, ..., 0]
      Array([[ 4.5,  9.9,  9.9,  5.4],
             [12.6, 27. , 27. , 14.4],
             [12.6, 27. , 27. , 14.4],
             [ 8.1, 17.1, 17.1,  9. ]], dtype=float32)
      >>> jconv.conv_transpose(y, np.ones((3, 3, 1, 1), np.float32), 2, output_shape=(6, 6)).shape
      (1, 6, 6, 1)
    """
    fn = "jconv.conv_transpose"
    if not isinstance(algorithm, str):
        raise TypeError(f"{fn}: `algorithm` must be a string; received algorithm={algorithm!r}.")
    if algorithm != "auto" and algorithm not in ALGORITHMS:
        raise ValueError(
            f"{fn}: `algorithm` must be 'auto' or one of {', '.join(map(repr, ALGORITHMS))}; "
            f"received algorithm={algorithm!r}."
        )
    x, kernel, layout = operands(fn, x, kernel, data_format)
    n = layout.ndim
    strides = per_dim_ints(fn, "stride", stride, n, minimum=1)
    dilations = per_dim_ints(fn, "dilation", dilation, n, minimum=1)
    pad_specs = normalize_padding(fn, padding, n)
    g = positive_groups(fn, groups)
    circular = is_circular(fn, padding_mode)
    c_in = x.shape[layout.channel_axis]
    if c_in != kernel.shape[-1]:
        raise ValueError(
            f"{fn}: the input has {c_in} channels, but kernel.shape[-1] is {kernel.shape[-1]}; "
            f"the kernel is the forward conv's, (*window, C_out // groups, C_in), "
            f"received kernel.shape={kernel.shape}."
        )
    check_divisible(fn, "the input channels", c_in, g)
    if output_shape is not None and output_padding is not None:
        raise ValueError(
            f"{fn}: pass either `output_shape` or `output_padding`, not both; received "
            f"output_shape={show(output_shape)}, output_padding={show(output_padding)}."
        )
    sizes = layout.spatial(x.shape)
    window = kernel.shape[:-2]
    dims = dims_of(sizes, window, strides, pad_specs, dilations)
    if output_shape is None:
        extra = check_output_padding(fn, output_padding, n, strides, dilations, pad_specs)
        out_size = tuple(default_out(fn, dim, a) for dim, a in zip(dims, extra))
    else:
        if is_sequence(output_shape) and len(output_shape) == n + 2:
            raise ValueError(
                f"{fn}: `output_shape` takes the {n} spatial sizes only; received "
                f"output_shape={show(output_shape)} of length {n + 2}. Drop the batch and channel "
                f"entries (compat.tf accepts TF's full-shape form)."
            )
        out_size = per_dim_ints(fn, "output_shape", output_shape, n, minimum=0)
        for dim, o in zip(dims, out_size):
            check_out(fn, dim, o)
    pads = [
        forward_pads(o, k, s, p, d)
        for o, k, s, p, d in zip(out_size, window, strides, pad_specs, dilations)
    ]
    if circular:  # transpose the VALID conv of the padded extent, then fold it
        check_pads(fn, pads)
        extent = tuple(o + lo + hi for o, (lo, hi) in zip(out_size, pads))
        algo_pads = ((0, 0),) * n
    else:
        extent, algo_pads = out_size, tuple(pads)
    spec = TransposeSpec(
        layout=layout,
        in_size=sizes,
        out_size=extent,
        window=window,
        stride=strides,
        dilation=dilations,
        pads=algo_pads,
        groups=g,
        precision=tuple(precision) if isinstance(precision, list) else precision,
        preferred_element_type=preferred_element_type,
    )
    name = choose(spec) if algorithm == "auto" else algorithm
    out = ALGORITHMS[name](x, kernel, spec)
    return wrap_fold(out, pads, out_size, layout) if circular else out
