"""``python -m jconv explain``: the index mapping of a small case, as text.

Shows the canvas the kernel slides over (for a transpose: the input with the
inserted zeros and the padding), the kernel taps as applied (flipped for a
transpose), and which input cells feed each output cell. The connections come
from :func:`jconv._teaching.mapping.index_map`, i.e. from running the library.
"""

from __future__ import annotations

from jconv._teaching.canvas import canvas_padding, derivation
from jconv._teaching.mapping import Axis, IndexMap, channel_links
from jconv._teaching.report import lit, one, per_dim

MAX_LISTED = 64  # output cells listed one by one in 2-D


def cell_name(prefix: str, idx: tuple[int, ...], compact: bool) -> str:
    if len(idx) == 1:
        return f"{prefix}{idx[0]}"
    if compact:
        return prefix + "".join(map(str, idx))
    return f"{prefix}[{','.join(map(str, idx))}]"


def input_index(axes: tuple[Axis, ...], pos: tuple[int, ...]) -> tuple[int, ...] | None:
    """The input cell at canvas position ``pos``, or None if some axis has none there."""
    idx = []
    for ax, c in zip(axes, pos):
        i = ax.input_at(c)
        if i is None:
            return None
        idx.append(i)
    return tuple(idx)


def _cell_label(axes: tuple[Axis, ...], pos: tuple[int, ...], compact: bool) -> str:
    kinds = [ax.cell(c) for ax, c in zip(axes, pos)]
    idx = input_index(axes, pos)  # not None exactly when every kind is "input" or "cropped"
    if idx is not None:
        name = cell_name("x", idx, compact)
        return "~" + name if "cropped" in kinds else name
    if "pad" in kinds:
        return "."
    return "~0" if any(k.startswith("cropped") for k in kinds) else "0"


def _padding_words(ax: Axis) -> str:
    before = ax.origin
    after = ax.length - 1 - ax.input_pos(ax.in_size - 1)

    def side(n: int, where: str) -> str:
        return f"{n} {where}" if n >= 0 else f"crops {-n} {where}"

    return f"{side(before, 'before')}, {side(after, 'after')}"


def _header(imap: IndexMap) -> list[str]:
    op = "jconv.conv_transpose" if imap.kind == "transpose" else "jconv.conv"
    axes = imap.axes
    head = (
        f"{op}, {imap.ndim}-D: input {lit(per_dim(imap.in_size))}, kernel "
        f"{lit(per_dim(imap.window))}, stride {lit(per_dim(tuple(a.stride for a in axes)))}, "
        f"padding {lit(imap.padding)}"
    )
    dil = tuple(a.dilation for a in axes)
    if one(dil) != 1:
        head += f", dilation {lit(per_dim(dil))}"
    head += f" -> output {lit(per_dim(imap.out_size))}"
    lines = [head, f"  (from {imap.call} on one-hot inputs and kernel taps)", ""]
    forward = lit(per_dim(tuple(a.pads for a in axes)))
    if imap.kind == "transpose":
        lines.append(
            "As a stride-1 convolution of the zero-inserted, padded input with the flipped kernel:"
        )
        zeros = per_dim(tuple(a.stride - 1 for a in axes))
        lines.append(
            f"  inserted zeros: {lit(zeros)} between neighbouring input cells (stride - 1)"
        )
    else:
        lines.append("As the kernel sliding over the padded input:")
    pads = canvas_padding(imap)  # jconv.shapes' numbers, checked against the canvas
    for dim, (ax, cp) in enumerate(zip(axes, pads)):
        where = f" (dimension {dim})" if imap.ndim > 1 else ""
        words = derivation(cp, unicode=False) if imap.kind == "transpose" else _padding_words(ax)
        lines.append(f"  padding{where}: {words}")
    if imap.kind == "transpose":
        lines.append(f"  (the forward convolution's padding (lo, hi) is {forward})")
    if imap.ndim > 1 or any(ax.step > 1 for ax in axes):
        steps = lit(per_dim(tuple(a.step for a in axes)))
        lines.append(f"  the window moves {steps} cell(s) per output cell")
    return lines


def formula(imap: IndexMap, o: tuple[int, ...], compact: bool) -> str:
    terms = [
        f"{cell_name('x', i, compact)}*{cell_name('w', t, compact)}" for i, t in imap.sources(o)
    ]
    rhs = " + ".join(terms) if terms else "0  (the window covers only padding and zeros)"
    return f"{cell_name('y', o, compact)} = {rhs}"


def _explain_1d(imap: IndexMap) -> list[str]:
    (ax,) = imap.axes
    cols = list(ax.extent)
    labels = [_cell_label(imap.axes, (c,), True) for c in cols]
    taps = [f"w{t}" for t in range(ax.kernel)]
    width = max(len(s) for s in labels + taps + ["y" + str(ax.out_size)]) + 1
    flipped = " ".join(f"w{ax.tap_at(j)}" for j in range(ax.kernel))
    note = ", flipped" if ax.flipped else ""
    lines = [f"  kernel taps as applied{note}: {flipped}", ""]
    lead = width + 2
    legend = "x = input, . = padding" + (
        ", 0 = inserted zero" if ax.stride > 1 and ax.flipped else ""
    )
    if any(lab.startswith("~") for lab in labels):
        legend += ", ~ = cropped by the padding"
    lines.append(" " * lead + "".join(lab.rjust(width) for lab in labels) + "    " + legend)
    for (o,) in imap.outputs():
        row = {c: f"w{t}" for c, t in ax.window(o)}
        cells = "".join(row.get(c, "").rjust(width) for c in cols)
        lines.append(f"  {'y' + str(o):<{width}}" + cells + "    " + formula(imap, (o,), True))
    return lines


def _grid(rows: list[list[str]], indent: int = 4) -> list[str]:
    width = max(len(s) for row in rows for s in row) + 1
    return [" " * indent + "".join(s.rjust(width) for s in row) for row in rows]


def _explain_2d(imap: IndexMap) -> list[str]:
    a0, a1 = imap.axes
    compact = max(*imap.in_size, *imap.out_size, *imap.window) <= 10
    rows = [[_cell_label(imap.axes, (r, c), compact) for c in a1.extent] for r in a0.extent]
    legend = "x = input, . = padding"
    if imap.kind == "transpose" and any(a.stride > 1 for a in imap.axes):
        legend += ", 0 = inserted zero"
    if any(s.startswith("~") for row in rows for s in row):
        legend += ", ~ = cropped by the padding"
    lines = ["", f"  the canvas ({legend}):", *_grid(rows)]
    note = " (flipped in both dimensions)" if imap.kind == "transpose" else ""
    taps = [
        [cell_name("w", (a0.tap_at(i), a1.tap_at(j)), compact) for j in range(a1.kernel)]
        for i in range(a0.kernel)
    ]
    lines += ["", f"  kernel taps as applied{note}, window cells spaced by the dilation:"]
    lines += _grid(taps)
    outs = imap.outputs()
    lines += ["", "  which input cells feed each output cell:"]
    for o in outs[:MAX_LISTED]:
        lines.append("    " + formula(imap, o, compact))
    if len(outs) > MAX_LISTED:
        lines.append(f"    ... and {len(outs) - MAX_LISTED} more output cells; use smaller sizes.")
    return lines


def _channels(imap: IndexMap) -> list[str]:
    if imap.groups == 1:
        return []
    links = channel_links(imap.kind, imap.groups)
    per = links.shape[0] // imap.groups
    lines = [
        "",
        f"  channels (groups={imap.groups}; {per} per group on each side, from the library):",
    ]
    for co in range(links.shape[1]):
        reads = [int(c) for c in links[:, co].nonzero()[0]]
        lines.append(f"    output channel {co} reads input channels {reads}")
    return lines


def explain(imap: IndexMap) -> list[str]:
    """The lines ``python -m jconv explain`` prints for a 1-D or 2-D index map."""
    if imap.ndim not in (1, 2):
        raise ValueError(f"explain shows 1-D and 2-D cases; received {imap.ndim} dimensions.")
    body = _explain_1d(imap) if imap.ndim == 1 else _explain_2d(imap)
    return _header(imap) + body + _channels(imap)
