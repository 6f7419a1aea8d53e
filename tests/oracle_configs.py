"""Random but valid convolution configurations, shared by the oracle-based test files.

A configuration is built from one value per *axis* (``AXES``: rank, stride,
dilation, kernel size, padding form, groups, data format, ...) plus sizes and
channel counts drawn by a ``Picker``, either from a seeded NumPy generator
(the deterministic grid, the adjoint tests) or from Hypothesis (the property
tests), so all of them go through the same construction. Sizes are chosen from
the oracle's own shape rules, never from ``jconv.shapes``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import numpy as np

import jconv
from tests import oracle

ALGORITHMS = (*jconv.ALGORITHMS, "auto")

PADDING_FORMS = (
    "SAME",
    "SAME_LOWER",
    "VALID",
    "same",
    "same_lower",
    "valid",
    "int",  # one int for every side
    "per_dim_int",  # one int per dimension
    "pairs",  # one (lo, hi) pair per dimension
    "pairs_asym",  # pairs, lo != hi in dimension 0
    "pairs_negative",  # pairs with a negative entry in dimension 0 (crops)
)

AXES: dict[str, tuple[Any, ...]] = {
    "ndim": (1, 2, 3),
    "stride": (1, 2, 3),
    "dilation": (1, 2),
    "kernel": (1, 2, 3, 4, 5),
    "padding": PADDING_FORMS,
    "groups": ("1", "2", "depthwise"),
    "data_format": ("default", "channels_last", "named_last", "channels_first", "named_first"),
    "per_dim": (False, True),  # stride/dilation/window as one int, or one per dimension
}

# Transpose only: how the output size is chosen.
OUTPUT_CHOICES = ("default", "shape_min", "shape_max", "shape_random", "output_padding")
TRANSPOSE_AXES = {**AXES, "output": OUTPUT_CHOICES}

_NAMED = {
    "named_last": {1: "NWC", 2: "NHWC", 3: "NDHWC"},
    "named_first": {1: "NCW", 2: "NCHW", 3: "NCDHW"},
}


class RngPicker:
    """Draws from a seeded NumPy generator."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def int(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def choice(self, seq):
        return seq[self.int(0, len(seq) - 1)]


class DrawPicker:
    """Draws with Hypothesis (``draw`` from ``st.composite`` or ``st.data()``)."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def int(self, lo: int, hi: int) -> int:
        return self.draw(self.st.integers(lo, hi))

    def choice(self, seq):
        return self.draw(self.st.sampled_from(list(seq)))


def covering(axes: dict[str, tuple[Any, ...]], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` sampled points of the product of ``axes`` in which every value of every axis
    appears (each axis column is its values repeated to length ``n``, then shuffled)."""
    assert n >= max(len(v) for v in axes.values())
    rng = np.random.default_rng(seed)
    columns = {}
    for name, values in axes.items():
        order = rng.permutation(n)
        columns[name] = [values[j % len(values)] for j in order]
    return [{name: columns[name][k] for name in axes} for k in range(n)]


@dataclasses.dataclass(eq=False)
class Config:
    """One call of ``jconv.conv`` (``kind="conv"``) or ``jconv.conv_transpose``.

    Channel counts are those of the forward conv: it maps ``groups * cin_g``
    channels to ``c_out``; the kernel is ``(*window, cin_g, c_out)`` for both.
    ``in_sizes`` are the spatial sizes of the operand (``x`` for conv, ``y``
    for the transpose).
    """

    kind: str
    batch: int
    in_sizes: tuple[int, ...]
    window: tuple[int, ...]
    stride: Any
    dilation: Any
    padding: Any
    groups: int
    cin_g: int
    c_out: int
    data_format: str | None
    channels_first: bool
    output_shape: Any = None
    output_padding: Any = None
    seed: int = 0
    choice: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def ndim(self) -> int:
        return len(self.in_sizes)

    @property
    def operand_shape(self) -> tuple[int, ...]:
        """Channels-last shape of the operand."""
        c = self.groups * self.cin_g if self.kind == "conv" else self.c_out
        return (self.batch, *self.in_sizes, c)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        return (*self.window, self.cin_g, self.c_out)

    def arrays(self, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
        """Channels-last operand and kernel, standard normal."""
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal(self.operand_shape).astype(dtype)
        w = rng.standard_normal(self.kernel_shape).astype(dtype)
        return x, w

    def common_kwargs(self) -> dict[str, Any]:
        return {
            "dilation": self.dilation,
            "groups": self.groups,
            "data_format": self.data_format,
        }

    def transpose_kwargs(self) -> dict[str, Any]:
        kw = self.common_kwargs()
        if self.output_shape is not None:
            kw["output_shape"] = self.output_shape
        if self.output_padding is not None:
            kw["output_padding"] = self.output_padding
        return kw

    def to_layout(self, a):
        """A channels-last array in this config's layout."""
        return oracle.to_channels_first(a) if self.channels_first else np.asarray(a)

    def from_layout(self, a):
        """An array in this config's layout, as channels-last."""
        return oracle.to_channels_last(a) if self.channels_first else np.asarray(a)

    def jconv_fn(self, algorithm: str = "auto", jit: bool = False):
        """``f(x, w)`` calling jconv in this config's layout, every other argument bound
        (so under ``jit`` they are static)."""
        if self.kind == "conv":

            def f(x, w):
                return jconv.conv(x, w, self.stride, self.padding, **self.common_kwargs())
        else:

            def f(x, w):
                return jconv.conv_transpose(
                    x, w, self.stride, self.padding, algorithm=algorithm, **self.transpose_kwargs()
                )

        return jax.jit(f) if jit else f

    def run_jconv(self, x, w, algorithm: str = "auto", jit: bool = False) -> np.ndarray:
        """jconv on channels-last ``x`` (converted to this layout and back)."""
        out = self.jconv_fn(algorithm, jit)(self.to_layout(x), w)
        return self.from_layout(out)

    def run_oracle(self, x, w) -> np.ndarray:
        if self.kind == "conv":
            return oracle.conv(x, w, self.stride, self.padding, self.dilation, self.groups)
        out_size = self.output_shape
        if isinstance(out_size, int):
            out_size = (out_size,)
        return oracle.conv_transpose(
            x,
            w,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            out_size=out_size,
            output_padding=self.output_padding,
        )

    def label(self) -> str:
        c = self.choice
        parts = [
            f"{self.kind}",
            f"{self.ndim}d",
            f"s{self.stride}",
            f"d{self.dilation}",
            f"k{self.window}",
            f"p{c.get('padding', self.padding)}",
            f"g{self.groups}",
            f"{c.get('data_format', self.data_format)}",
        ]
        if self.kind == "transpose":
            parts.append(f"out-{c.get('output', '?')}")
        return "-".join(str(p).replace(" ", "") for p in parts)


def _padding(form: str, n: int, pick) -> Any:
    if form in PADDING_FORMS[:6]:
        return form
    if form == "int":
        return pick.int(0, 2)
    if form == "per_dim_int":
        return [pick.int(0, 2) for _ in range(n)]
    pairs = [(pick.int(0, 2), pick.int(0, 2)) for _ in range(n)]
    if form == "pairs_asym":
        lo = pick.int(0, 2)
        pairs[0] = (lo, (lo + pick.int(1, 2)) % 3)
    elif form == "pairs_negative":
        neg, other = -pick.int(1, 2), pick.int(0, 2)
        pairs[0] = (neg, other) if pick.int(0, 1) else (other, neg)
        return [list(p) for p in pairs]  # also exercise lists of lists
    return tuple(pairs)


def _per_dim(value: Any, n: int) -> tuple[int, ...]:
    return (value,) * n if isinstance(value, int) else tuple(value)


def make_config(kind: str, choice: dict[str, Any], pick, seed: int = 0) -> Config:
    """Builds a valid ``Config`` from one value per axis; sizes and channels from ``pick``."""
    n = choice["ndim"]
    small = 2 if n == 3 else 3  # keeps the 3-d oracle loops short
    if choice["per_dim"]:
        stride = (choice["stride"], *(pick.int(1, 3) for _ in range(n - 1)))
        dilation = (choice["dilation"], *(pick.int(1, 2) for _ in range(n - 1)))
        window = (choice["kernel"], *(pick.int(1, 3) for _ in range(n - 1)))
    else:
        stride, dilation = choice["stride"], choice["dilation"]
        window = (choice["kernel"],) * n
    s, d = _per_dim(stride, n), _per_dim(dilation, n)
    padding = _padding(choice["padding"], n, pick)
    same = oracle.is_same_mode(padding)
    if not same:
        # Explicit padding does not depend on the size: resolve it for any size.
        pads = oracle.resolve_pads(padding, (1,) * n, window, s, d)

    groups_form = choice["groups"]
    if groups_form == "1":
        groups, cin_g, c_out = 1, pick.int(1, 3), pick.int(1, 3)
    elif groups_form == "2":
        groups, cin_g, c_out = 2, pick.int(1, 2), 2 * pick.int(1, 2)
    else:  # depthwise: one input channel per group
        groups = pick.int(2, 3)
        cin_g, c_out = 1, groups * pick.int(1, 2)

    fmt = choice["data_format"]
    data_format = {"default": None, "channels_last": "channels_last"}.get(fmt, fmt)
    if fmt in _NAMED:
        data_format = _NAMED[fmt][n]
    channels_first = fmt in ("channels_first", "named_first")

    sizes = []
    output_shape = output_padding = None
    if kind == "conv":
        for j in range(n):
            if same:
                sizes.append(pick.int(1, 2 * small + 1))
            else:
                lo, hi = pads[j]
                need = oracle.effective_size(window[j], d[j]) - lo - hi
                sizes.append(max(1, need, -lo, -hi) + pick.int(0, small))
    else:
        for j in range(n):
            i = pick.int(1, small + 1)
            if not same:
                lo, hi = pads[j]
                # the smallest accepted output size must be >= 1
                while (i - 1) * s[j] + oracle.effective_size(window[j], d[j]) - lo - hi < 1:
                    i += 1
            sizes.append(i)
        out = choice["output"]
        if out == "output_padding" and same:
            out = "shape_random"  # output_padding is not accepted with SAME
        if out.startswith("shape"):
            valid = oracle.transpose_valid_sizes(sizes, window, stride, padding, dilation)
            pickers = {
                "shape_min": lambda r: r[0],
                "shape_max": lambda r: r[-1],
                "shape_random": pick.choice,
            }
            output_shape = tuple(pickers[out](r) for r in valid)
            if n == 1 and pick.int(0, 1):
                output_shape = output_shape[0]  # an int is accepted too
            elif pick.int(0, 1):
                output_shape = list(output_shape)
        elif out == "output_padding":
            extra = [pick.int(0, max(sj, dj) - 1) for sj, dj in zip(s, d)]
            output_padding = extra[0] if len(set(extra)) == 1 and pick.int(0, 1) else tuple(extra)

    return Config(
        kind=kind,
        batch=pick.int(1, 2),
        in_sizes=tuple(sizes),
        window=tuple(window),
        stride=stride,
        dilation=dilation,
        padding=padding,
        groups=groups,
        cin_g=cin_g,
        c_out=c_out,
        data_format=data_format,
        channels_first=channels_first,
        output_shape=output_shape,
        output_padding=output_padding,
        seed=seed,
        choice=dict(choice),
    )
