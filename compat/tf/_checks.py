"""The attribute checks TensorFlow's conv kernels run, and their size arithmetic.

Shared by the forward kernels (``_forward``) and the transposed ones
(``_backprop``). Everything here is plain Python on static values, one spatial
dimension at a time; messages start with TensorFlow's text and end with what
would work.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from compat.tf._args import attr_ints, show
from compat.tf.errors import InvalidArgumentError, UnimplementedError

FORMATS = {2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


@dataclasses.dataclass(frozen=True)
class Attrs:
    """A kernel's validated attributes, split into per-spatial-dimension values."""

    n: int  # spatial dims
    channels_first: bool
    strides: tuple[int, ...]  # spatial
    dilations: tuple[int, ...]  # spatial
    padding: str  # "SAME", "VALID" or "EXPLICIT"
    pads: tuple[tuple[int, int], ...]  # spatial (lo, hi); zeros unless EXPLICIT

    @property
    def channel_axis(self) -> int:
        return 1 if self.channels_first else self.n + 1

    def spatial_axes(self) -> range:
        return range(2, self.n + 2) if self.channels_first else range(1, self.n + 1)

    def jconv_padding(self) -> Any:
        """The same padding in ``jconv``'s terms (SAME, VALID or (lo, hi) pairs)."""
        return self.pads if self.padding == "EXPLICIT" else self.padding

    def dim_padding(self, dim: int) -> Any:
        """One dimension's padding in ``jconv.shapes`` terms."""
        return self.pads[dim] if self.padding == "EXPLICIT" else self.padding

    def data_format(self) -> str:
        return "channels_first" if self.channels_first else "channels_last"


def check_attrs(
    op: str,
    n: int,
    strides: Any,
    padding: Any,
    explicit: Any,
    data_format: Any,
    dilations: Any,
    *,
    paddings_allowed: tuple[str, ...] = ("SAME", "VALID", "EXPLICIT"),
    unimplemented: bool = True,
) -> Attrs:
    """Validates a kernel's attributes as TensorFlow's op does (§1.2-1.4, §4).

    ``strides`` and ``dilations`` are full ``n + 2`` lists in ``data_format``
    order; batch and channel entries must be 1 (``UnimplementedError`` where
    TensorFlow raises it, else ``InvalidArgumentError``).
    """
    formats = FORMATS[n]
    if data_format is None:
        data_format = formats[0]
    if not isinstance(data_format, str):
        raise TypeError(f"Expected string for argument 'data_format' not {data_format!r}.")
    if data_format not in formats:
        raise InvalidArgumentError(
            f"Value for attr 'data_format' of \"{data_format}\" is not in the list of allowed "
            f'values: "{formats[0]}", "{formats[1]}". Use one of those (channels-first '
            f"works on every device here)."
        )
    first = data_format.startswith("NC")
    if padding is None or not isinstance(padding, str):
        raise TypeError(
            f"Expected string for argument 'padding' not {show(padding)}. Use 'SAME' or 'VALID'"
            + (
                ""
                if "EXPLICIT" in paddings_allowed
                else "; explicit padding lists are only "
                "accepted by the 2-D ops (conv2d, conv2d_transpose, depthwise_conv2d)."
            )
        )
    if padding not in paddings_allowed:
        allowed = ", ".join(f'"{p}"' for p in paddings_allowed)
        raise InvalidArgumentError(
            f"Value for attr 'padding' of \"{padding}\" is not in the list of allowed values: "
            f"{allowed}. Padding names are upper case: 'SAME' or 'VALID'."
        )
    strides = _full_list(op, "strides", strides, n)
    dilations = _full_list(op, "dilations", dilations, n)
    batch_channel = (0, 1) if first else (0, n + 1)
    spatial = range(2, n + 2) if first else range(1, n + 1)
    error = UnimplementedError if unimplemented else InvalidArgumentError
    for name, values in (("strides", strides), ("dilations", dilations)):
        if any(values[i] != 1 for i in batch_channel):
            good = [1] * (n + 2)
            for i in spatial:
                good[i] = values[i]
            raise error(
                f"Current implementation does not yet support {name} in the batch and depth "
                f"dimensions. Received: {name}={values} for data_format {data_format}; the "
                f"batch and channel entries must be 1, e.g. {name}={good}."
            )
        if any(values[i] < 1 for i in spatial):
            field = (
                ("Row and column strides" if n == 2 else "Spatial strides")
                if (name == "strides")
                else "Dilated rates"
            )
            raise InvalidArgumentError(
                f"{field} should be larger than 0. Received: {name}={values}; every spatial "
                f"entry must be >= 1."
            )
    pads = _explicit(n, explicit, first) if padding == "EXPLICIT" else ((0, 0),) * n
    return Attrs(
        n=n,
        channels_first=first,
        strides=tuple(strides[i] for i in spatial),
        dilations=tuple(dilations[i] for i in spatial),
        padding=padding,
        pads=pads,
    )


def _full_list(op: str, name: str, values: Any, n: int) -> list[int]:
    values = attr_ints(op, name, values)
    if len(values) != n + 2:
        field = "Sliding window strides" if name == "strides" else "Dilation rates"
        raise InvalidArgumentError(
            f"{field} field must specify {n + 2} dimensions. Received: {name}={values}; pass "
            f"{n + 2} values in data_format order, or one value per spatial dimension where "
            f"the function accepts that."
        )
    return values


def _explicit(n: int, explicit: Any, first: bool) -> tuple[tuple[int, int], ...]:
    flat = attr_ints("explicit padding", "padding", explicit)
    if len(flat) != 2 * (n + 2):
        raise InvalidArgumentError(
            f"explicit_paddings attribute must contain {2 * (n + 2)} values, but got: "
            f"{len(flat)}. Pass padding as a list of {n + 2} [before, after] pairs."
        )
    pairs = [(flat[2 * i], flat[2 * i + 1]) for i in range(n + 2)]
    if any(v < 0 for v in flat):
        raise InvalidArgumentError(
            f"All elements of explicit_paddings must be nonnegative. Received: padding="
            f"{[list(p) for p in pairs]}."
        )
    batch_channel = (0, 1) if first else (0, n + 1)
    if any(pairs[i] != (0, 0) for i in batch_channel):
        raise InvalidArgumentError(
            f"Nonzero explicit padding in the batch or depth dimensions is not supported. "
            f"Received: padding={[list(p) for p in pairs]}; use [0, 0] for those entries."
        )
    spatial = range(2, n + 2) if first else range(1, n + 1)
    return tuple(pairs[i] for i in spatial)


def effective(k: int, d: int) -> int:
    """The dilated filter span, ``(k - 1) * d + 1``."""
    return (k - 1) * d + 1


def _trunc_div(a: int, b: int) -> int:
    """C++ integer division (truncates toward zero), as TensorFlow's shape code uses."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def forward_size(i: int, k: int, s: int, d: int, padding: str, pad: tuple[int, int]) -> int:
    """TensorFlow's output size of one dimension; may be 0 (empty) or negative (error)."""
    if padding == "SAME":
        return -(-i // s)
    lo, hi = pad if padding == "EXPLICIT" else (0, 0)
    return _trunc_div(i + lo + hi - effective(k, d) + s, s)


def conv3d_same_pads(i: int, k: int, s: int) -> tuple[int, int]:
    """The SAME padding TensorFlow's ``Conv3D`` really uses (undilated; CPU and XLA alike).

    Unlike ``Conv2D`` it does not clamp the padding need at zero: when the
    stride exceeds the filter by 2 or more, ``need = (o - 1) * s + k - i`` is
    negative and the window starts ``trunc(need / 2)`` (a negative pad, i.e.
    a crop) into the input. Elsewhere this equals the usual SAME padding.
    """
    o = -(-i // s)
    need = (o - 1) * s + k - i
    lo = _trunc_div(need, 2)
    return lo, need - lo


def negative_size_error(
    o: int, i: int, k: int, s: int, d: int, pad: tuple[int, int], hint: str | None = None
) -> None:
    """Raises TensorFlow's "Computed output size would be negative" error."""
    eff = effective(k, d)
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
