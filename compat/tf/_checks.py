"""The attribute checks TensorFlow's conv kernels run (strides, dilations, padding, format).

Shared by the forward kernels (``_forward``) and the transposed ones
(``_backprop``); their size rules are in ``_sizes``. Everything here is plain
Python on static values; messages start with TensorFlow's text and end with
what would work.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from compat.tf._args import attr_ints, check_int32, show
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

    def data_format(self) -> Literal["channels_first", "channels_last"]:
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
    check_int32(op, name, values)
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
