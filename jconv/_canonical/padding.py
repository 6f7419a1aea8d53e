"""Padding forms: the one place that turns what a user writes into per-dim specs.

A per-dimension padding spec is either one of the mode strings ``"SAME"``,
``"SAME_LOWER"``, ``"VALID"``, ``"CAUSAL"`` (1-D only: ``d * (k - 1)`` before,
nothing after) or a ``(lo, hi)`` pair of ints. Modes are turned
into pairs by :func:`jconv.shapes.resolve_padding`, once the size they depend
on is known (the input size for ``conv``, the output size for
``conv_transpose``). Pure Python, no JAX import.
"""

from __future__ import annotations

from typing import Any

from jconv._canonical.args import is_sequence, show, static_int

PadSpec = str | tuple[int, int]
MODES = ("SAME", "SAME_LOWER", "VALID", "CAUSAL")

_ACCEPTED = (
    "'SAME', 'SAME_LOWER', 'VALID', 'CAUSAL' (any case), an int, one int per spatial dimension, "
    "or one (lo, hi) pair per spatial dimension"
)


def padding_mode(fn: str, padding: str) -> str:
    """Checks a padding string and returns it upper-cased."""
    mode = padding.upper()
    if mode not in MODES:
        raise ValueError(f"{fn}: `padding` must be {_ACCEPTED}; received padding={padding!r}.")
    return mode


def normalize_padding(fn: str, padding: Any, ndim: int) -> tuple[PadSpec, ...]:
    """Returns one spec per spatial dimension for any accepted padding form."""
    if isinstance(padding, str):
        mode = padding_mode(fn, padding)
        if mode == "CAUSAL" and ndim != 1:
            raise ValueError(
                f"{fn}: padding='CAUSAL' is for 1-D inputs (all padding before the sequence); "
                f"the input has {ndim} spatial dimensions. Pass one (lo, hi) pair per dimension, "
                f"e.g. (dilation * (kernel - 1), 0) for the causal one."
            )
        return (mode,) * ndim
    if not is_sequence(padding):
        if padding is None or isinstance(padding, float):
            raise TypeError(
                f"{fn}: `padding` must be {_ACCEPTED}; received padding={padding!r} "
                f"of type {type(padding).__name__}."
            )
        p = static_int(fn, "padding", padding)
        return ((p, p),) * ndim
    items = list(padding)
    if len(items) != ndim:
        raise ValueError(
            f"{fn}: `padding` must be {_ACCEPTED}; received padding={show(padding)} with "
            f"{len(items)} entries for an input with {ndim} spatial dimension(s)."
        )
    return tuple(_one_dim(fn, i, item) for i, item in enumerate(items))


def _one_dim(fn: str, i: int, item: Any) -> tuple[int, int]:
    name = f"padding[{i}]"
    if is_sequence(item):
        pair = list(item)
        if len(pair) != 2:
            raise ValueError(
                f"{fn}: `{name}` must be an int or a (lo, hi) pair; received "
                f"{name}={show(item)} of length {len(pair)}."
            )
        return (static_int(fn, f"{name}[0]", pair[0]), static_int(fn, f"{name}[1]", pair[1]))
    p = static_int(fn, name, item)
    return (p, p)


def describe(spec: PadSpec) -> str:
    """A short human description of one dimension's padding, for messages."""
    return spec if isinstance(spec, str) else f"padding {spec}"
