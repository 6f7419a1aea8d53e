"""TensorFlow's size rules, one spatial dimension at a time, on top of ``jconv.shapes``.

``jconv.shapes`` owns the arithmetic (output size, padding, the sizes a
transposed conv accepts); this module adds only where TensorFlow's kernels
differ from it, following their C++ shape code
(``GetWindowedOutputSizeVerbose`` in ``tensorflow/core/framework/kernel_shape_util.cc``):

* the output size is ``(padded - eff + s) / s`` in C++ integer division,
  which truncates toward zero: a window slightly larger than the padded input
  gives an *empty* output (size 0) instead of an error, and only a window
  larger by ``2 * s`` or more gives TensorFlow's "Computed output size would be
  negative" error;
* SAME on an empty dimension gives an empty dimension.

``padding`` is ``"SAME"``, ``"VALID"`` or one ``(lo, hi)`` pair, as in
``jconv.shapes``.
"""

from __future__ import annotations

from typing import Any

import jconv
from compat.tf.errors import InvalidArgumentError

# How many sizes a message lists before it abbreviates a range.
_SHOWN = 8


def _trunc_div(a: int, b: int) -> int:
    """C++ integer division (truncates toward zero), as TensorFlow's shape code uses."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _empty_window(k: int, d: int, padding: Any) -> tuple[int, int, Any]:
    """``(k, d, padding)`` with a zero-size window (which ``jconv.shapes`` refuses) restated.

    TensorFlow's transposed convs accept a filter with a zero-size window (the
    result is all zeros); its span ``(k - 1) * d + 1`` is then ``1 - d``, which
    is a one-tap window with ``d`` more padding in front.
    """
    if k != 0:
        return k, d, padding
    if padding == "SAME":
        return 1, 1, padding
    lo, hi = (0, 0) if padding == "VALID" else padding
    return 1, 1, (lo + d, hi)


def output_size(i: int, k: int, s: int, d: int, padding: Any) -> int:
    """TensorFlow's forward output size: ``jconv``'s, or 0 (empty) or negative (an error).

    >>> output_size(5, 6, 1, 1, "VALID"), output_size(4, 6, 1, 1, "VALID")
    (0, -1)
    """
    k, d, padding = _empty_window(k, d, padding)
    if padding == "SAME":
        return jconv.shapes.conv_output_size(i, k, s, "SAME", d) if i else 0
    lo, hi = jconv.shapes.resolve_padding(i, k, s, padding, d)
    deficit = jconv.shapes.effective_kernel_size(k, d) - (i + lo + hi)
    if deficit <= 0:
        return jconv.shapes.conv_output_size(i, k, s, padding, d)
    return _trunc_div(s - deficit, s)


def transpose_sizes(i: int, k: int, s: int, d: int, padding: Any) -> range:
    """Every output size TensorFlow's transposed conv accepts for an input of size ``i``.

    Its kernel accepts ``o`` iff :func:`output_size` maps ``o`` back to ``i``.
    For ``i >= 1`` those are ``jconv``'s sizes (plus 0 where explicit padding
    alone fills the window); for ``i == 0`` they are the sizes whose output
    TensorFlow truncates to empty.

    >>> transpose_sizes(2, 3, 2, 1, "VALID"), transpose_sizes(0, 3, 1, 1, "VALID")
    (range(5, 7), range(2, 3))
    """
    k, d, padding = _empty_window(k, d, padding)
    if i == 0:
        if padding == "SAME":
            return range(0, 1)
        lo, hi = jconv.shapes.resolve_padding(0, k, s, padding, d)
        first_full = jconv.shapes.effective_kernel_size(k, d) - lo - hi  # output size 1 from here
        return range(max(first_full - 2 * s + 1, 0), max(first_full, 0))
    try:
        sizes = jconv.shapes.transpose_output_sizes(i, k, s, padding, d)
    except ValueError:  # the padding leaves no positive size
        sizes = range(0)
    if (not sizes or sizes.start == 1) and output_size(0, k, s, d, padding) == i:
        sizes = range(0, max(sizes.stop, 1))
    return sizes


def default_size(i: int, k: int, s: int, d: int, padding: Any, ok: range) -> int:
    """One accepted output size for a message's example: ``jconv``'s default if it is accepted."""
    k, d, padding = _empty_window(k, d, padding)
    try:
        o = jconv.shapes.transpose_output_size(i, k, s, padding, d)
    except ValueError:
        o = -1
    return o if o in ok else ok[-1 if padding == "SAME" else 0]


def show_sizes(sizes: range) -> str:
    """A range of sizes as a short list: ``[5, 6]``, or ``[5, 6, ..., 1000005] (1000001 sizes)``."""
    if not sizes:
        return "none"
    if len(sizes) <= _SHOWN:
        return str(list(sizes))
    return f"[{sizes[0]}, {sizes[1]}, ..., {sizes[-1]}] ({len(sizes)} sizes)"


def negative_size_error(
    o: int, i: int, k: int, s: int, d: int, pad: tuple[int, int], hint: str | None = None
) -> None:
    """Raises TensorFlow's "Computed output size would be negative" error."""
    eff = jconv.shapes.effective_kernel_size(k, d)
    padded = f" plus padding {pad[0] + pad[1]}" if any(pad) else ""
    if hint is None:
        hint = (
            f" The filter spans {eff} (size {k}, dilation {d}) but the input has only "
            f"{i}{padded}; use padding='SAME', a larger input or a smaller filter."
        )
    raise InvalidArgumentError(
        f"Computed output size would be negative: {o} [input_size: {i}, effective_filter_size: "
        f"{eff}, stride: {s}].{hint}"
    )
