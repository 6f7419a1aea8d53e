"""Where things go in a picture, in cell units (1 unit = one cell's side).

Sizes are multiples of 0.5 units and cells are an even number of pixels, so
every picture is a whole number of pixels. Text widths are estimated from the
character count (the font size scales with the cell size, so the estimate in
cell units does not depend on the pixel size).
"""

from __future__ import annotations

import dataclasses
import math

from jconv._teaching.mapping import IndexMap

CHAR = 0.6 * (100 / 72) * (10 / 40)  # one character's width, in cell units, at the base font
MARGIN = 0.5
TOP = 2.0  # title band
CAPTION = 0.75  # one caption line under the title
BOTTOM = 2.5  # formula line and legend

Point = tuple[float, float]


def text_units(text: str, scale: float = 1.0) -> float:
    """Approximate width of ``text`` in cell units at ``scale`` times the base font size."""
    return len(text) * CHAR * scale


def half_up(v: float) -> float:
    """``v`` rounded up to a multiple of 0.5."""
    return math.ceil(v * 2) / 2


def n_channels(imap: IndexMap) -> int:
    """Channels drawn per side: two per group when there are groups, else none."""
    return imap.groups * 2 if imap.groups > 1 else 0


@dataclasses.dataclass
class Layout:
    """Lower-left corners of every cell, and where labels go (cell units, y up)."""

    width: float
    height: float
    canvas: dict[tuple[int, ...], Point]
    output: dict[tuple[int, ...], Point]
    canvas_label: Point
    output_label: Point
    title_y: float
    caption_y: tuple[float, ...]
    formula_y: float
    legend_y: float
    channels: dict[str, list[Point]] | None
    channels_label: Point | None


def layout(imap: IndexMap, min_width: float, captions: int = 0) -> Layout:
    """1-D: output row above the canvas row; 2-D: canvas grid left, output grid right.

    Channel bands (``groups > 1``) go on the right; ``captions`` lines of
    text go under the title.
    """
    channels = n_channels(imap)
    ch_w = 5.5 if channels else 0.0  # gap, two columns of bands, labels
    rows = list(imap.axes[0].extent) if imap.ndim == 2 else [0]
    cols = list(imap.axes[-1].extent)
    out_rows = imap.out_size[0] if imap.ndim == 2 else 1
    out_cols = imap.out_size[-1]
    base = BOTTOM + 0.5
    canvas: dict[tuple[int, ...], Point]
    output: dict[tuple[int, ...], Point]
    if imap.ndim == 1:
        span = max(len(cols), out_cols)
        label_w = 2.0  # "input" / "output" to the left of the rows
        body_w = label_w + span
        width = half_up(max(2 * MARGIN + body_w + ch_w, min_width))
        left = (width - body_w - ch_w) / 2 + label_w
        canvas_x = left + (span - len(cols)) / 2
        out_x = left + (span - out_cols) / 2
        y_canvas, y_out = base + 0.5, base + 3.5  # room for names under and above the rows
        body_h = 5.0
        canvas = {(c,): (canvas_x + j, y_canvas) for j, c in enumerate(cols)}
        output = {(o,): (out_x + o, y_out) for o in range(out_cols)}
        canvas_label = (canvas_x - 0.3, y_canvas + 0.5)
        output_label = (out_x - 0.3, y_out + 0.5)
        ch_x = left + span + 1.0
    else:
        gap = 2.0
        grid_h = max(len(rows), out_rows)
        body_w = len(cols) + gap + out_cols
        body_h = grid_h + 1.0  # + the panel labels
        width = half_up(max(2 * MARGIN + body_w + ch_w, min_width))
        left = (width - body_w - ch_w) / 2
        grid_top = base + grid_h
        c_top = grid_top - (grid_h - len(rows)) / 2
        o_top = grid_top - (grid_h - out_rows) / 2
        canvas = {
            (r, c): (left + j, c_top - 1 - i)
            for i, r in enumerate(rows)
            for j, c in enumerate(cols)
        }
        out_x = left + len(cols) + gap
        output = {
            (r, c): (out_x + c, o_top - 1 - r) for r in range(out_rows) for c in range(out_cols)
        }
        canvas_label = (left, c_top + 0.25)
        output_label = (out_x, o_top + 0.25)
        ch_x = out_x + out_cols + 1.5
    chan = chan_label = None
    if channels:
        body_h = max(body_h, channels * 0.5 + 1.5)
        y0 = base + (body_h - 1.0 - channels * 0.5) / 2
        chan = {
            side: [(ch_x + dx, y0 + (channels - 1 - c) * 0.5) for c in range(channels)]
            for side, dx in (("in", 0.0), ("out", 2.5))
        }
        chan_label = (ch_x, y0 + channels * 0.5 + 0.25)
    height = half_up(base + body_h + TOP + CAPTION * captions)
    return Layout(
        width,
        height,
        canvas,
        output,
        canvas_label,
        output_label,
        title_y=height - TOP / 2,
        caption_y=tuple(height - TOP / 2 - CAPTION * (n + 1) for n in range(captions)),
        formula_y=BOTTOM - 0.75,
        legend_y=0.6,
        channels=chan,
        channels_label=chan_label,
    )
