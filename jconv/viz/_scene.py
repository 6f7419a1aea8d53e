"""One picture of the index mapping: the canvas, the output, labels and legend.

A :class:`Scene` is drawn once; :meth:`Scene.show` then recolours it for one
output cell. The cells it highlights come from the library's one-hot pushes
(:meth:`jconv._teaching.mapping.IndexMap.sources`); the footprint on padding and
inserted zeros is the geometry that :func:`jconv._teaching.mapping.index_map` checked.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from jconv._teaching.explain import cell_name, formula, input_index
from jconv._teaching.mapping import IndexMap, channel_links
from jconv._teaching.report import lit, one
from jconv.viz._layout import CHAR, layout, text_units
from jconv.viz._style import (
    COLORS,
    DPI,
    EDGES,
    FORMULA,
    GROUP_HUES,
    LABEL,
    LEGEND,
    SMALL,
    TITLE,
    require,
    shaded,
)


def _cell_kind(imap: IndexMap, pos: tuple[int, ...]) -> str:
    """``"input"``, ``"zero"``, ``"pad"``, ``"cropped"`` or ``"cropped_zero"`` (N-d)."""
    kinds = [ax.cell(c) for ax, c in zip(imap.axes, pos)]
    if "pad" in kinds:
        return "pad"
    cropped = any(k.startswith("cropped") for k in kinds)
    zero = any(k.endswith("zero") for k in kinds)
    if cropped:
        return "cropped_zero" if zero else "cropped"
    return "zero" if zero else "input"


def _input_at(imap: IndexMap, pos: tuple[int, ...]) -> tuple[int, ...] | None:
    return input_index(imap.axes, pos)


def _size(v: tuple[int, ...]) -> str:
    return "×".join(map(str, v))


def title(imap: IndexMap, output_padding: Any, output_size: Any) -> str:
    op = "conv_transpose" if imap.kind == "transpose" else "conv"
    axes = imap.axes
    pad = imap.padding if isinstance(imap.padding, str) else lit(imap.padding)
    parts = [
        f"{op}: input {_size(imap.in_size)}",
        f"kernel {_size(imap.window)}",
        f"stride {lit(one(tuple(a.stride for a in axes)))}",
        f"padding {pad}",
    ]
    dil = tuple(a.dilation for a in axes)
    if set(dil) != {1}:
        parts.append(f"dilation {lit(one(dil))}")
    if output_size is None and imap.kind == "transpose" and output_padding not in (0, None):
        op_ = (
            tuple(output_padding)
            if isinstance(output_padding, (list, tuple))
            else (output_padding,)
        )
        if any(op_):
            parts.append(f"output_padding {lit(one(op_))}")
    if imap.groups > 1:
        parts.append(f"groups {imap.groups}")
    return ", ".join(parts) + f"  →  output {_size(imap.out_size)}"


class Scene:
    """One matplotlib figure whose cell colours are updated frame by frame."""

    def __init__(
        self,
        imap: IndexMap,
        heading: str,
        cell_px: int | None,
        *,
        counts: bool = False,
        caption: Sequence[str] = (),
    ) -> None:
        figure_cls, canvas_cls, _ = require()
        self.imap = imap
        self.legend_items = self._legend_items()
        legend_w = sum(w for *_, w in self.legend_items)
        min_width = max(
            text_units(heading, TITLE) + 1.0,
            *(text_units(line, LABEL) + 1.0 for line in caption),
            legend_w + 1.0,
            10.0,
        )
        self.lay = lay = layout(imap, min_width, len(caption))
        if cell_px is None:
            fit = min(40, int(1000 / lay.width), int(800 / lay.height))
            cell_px = max(12, fit)
        self.px = cell_px = cell_px + cell_px % 2
        self.fig = figure_cls(
            figsize=(lay.width * cell_px / DPI, lay.height * cell_px / DPI), dpi=DPI
        )
        self.agg = canvas_cls(self.fig)
        ax = self.ax = self.fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, lay.width)
        ax.set_ylim(0, lay.height)
        ax.set_axis_off()
        self.fs = cell_px / 40 * 10  # the base font size, in points
        self.lw = max(0.6, cell_px / 40)
        self.compact = max(*imap.in_size, *imap.out_size, *imap.window) <= 10
        self.text(lay.width / 2, lay.title_y, heading, TITLE, ha="center", color="#222222")
        for line, y in zip(caption, lay.caption_y):
            self.text(lay.width / 2, y, line, LABEL, ha="center", color="#333333")
        self.kind = {pos: _cell_kind(imap, pos) for pos in lay.canvas}
        self.cells = {pos: self._cell(pos) for pos in lay.canvas}
        self.outs = {o: self._out(o) for o in lay.output}
        if counts:
            tally = imap.tap_counts()
            for o, (x, y) in lay.output.items():
                self.text(
                    x + 0.5,
                    y + 0.5,
                    str(int(tally[o])),
                    LEGEND,
                    ha="center",
                    color="#123D22",
                    zorder=3,
                )
        self._labels()
        self._legend()
        if lay.channels:
            self._channels()
        self.tap_texts = [
            self.text(0, 0, "", SMALL * 1.1, ha="center", color="white", zorder=4, visible=False)
            for _ in range(int(np.prod(imap.window)))
        ]
        self.lines: list[Any] = []
        self.formula_text = self.text(
            lay.width / 2,
            lay.formula_y,
            "",
            FORMULA,
            ha="center",
            color="#222222",
            family="monospace",
        )

    # -- static parts ---------------------------------------------------------

    def text(self, x: float, y: float, s: str, scale: float, **kw: Any) -> Any:
        kw.setdefault("va", "center")
        return self.ax.text(x, y, s, fontsize=self.fs * scale, **kw)

    def _cell(self, pos: tuple[int, ...]) -> Any:
        from matplotlib.patches import Rectangle

        x, y = self.lay.canvas[pos]
        k = self.kind[pos]
        edge, style = EDGES[k]
        rect = Rectangle(
            (x + 0.04, y + 0.04),
            0.92,
            0.92,
            facecolor=COLORS[k],
            edgecolor=edge,
            linestyle=style,
            linewidth=self.lw,
            zorder=1,
            hatch="///" if k.startswith("cropped") else None,
        )
        self.ax.add_patch(rect)
        if k.endswith("zero") and self.px >= 20:
            self.text(x + 0.2, y + 0.76, "0", SMALL, ha="center", color="#5F7690", zorder=3)
        return rect

    def _out(self, o: tuple[int, ...]) -> Any:
        from matplotlib.patches import Rectangle

        x, y = self.lay.output[o]
        rect = Rectangle(
            (x + 0.04, y + 0.04),
            0.92,
            0.92,
            facecolor=COLORS["output"],
            edgecolor="#2F7D4A",
            linewidth=self.lw,
            zorder=1,
        )
        self.ax.add_patch(rect)
        return rect

    def _labels(self) -> None:
        imap, lay = self.imap, self.lay
        grey = "#333333"
        if imap.ndim == 1:
            self.text(*lay.canvas_label, "input", LABEL, ha="right", color=grey)
            self.text(*lay.output_label, "output", LABEL, ha="right", color=grey)
            if self.px >= 20:
                for pos, (x, y) in lay.canvas.items():
                    idx = _input_at(imap, pos)
                    if idx is not None:
                        self.text(x + 0.5, y - 0.3, f"x{idx[0]}", SMALL, ha="center", color=grey)
                for (o,), (x, y) in lay.output.items():
                    self.text(x + 0.5, y + 1.3, f"y{o}", SMALL, ha="center", color=grey)
            return
        if self.px >= 20:  # input names, top of the cell (the tap names go in the middle)
            for pos, (x, y) in lay.canvas.items():
                idx = _input_at(imap, pos)
                if idx is not None:
                    name = cell_name("x", idx, self.compact)
                    scale = min(SMALL, 0.84 / text_units(name))
                    self.text(x + 0.5, y + 0.78, name, scale, ha="center", color=grey, zorder=3)
        what = f"input {_size(imap.in_size)}"
        if imap.kind == "transpose" and any(a.stride > 1 for a in imap.axes):
            what += ", zeros inserted"
        if set(self.kind.values()) & {"pad", "cropped", "cropped_zero"}:
            what += ", padded" if "pad" in self.kind.values() else ", cropped"
        self.text(*lay.canvas_label, what, LABEL, ha="left", va="bottom", color=grey)
        self.text(
            *lay.output_label,
            f"output {_size(imap.out_size)}",
            LABEL,
            ha="left",
            va="bottom",
            color=grey,
        )

    def _legend_items(self) -> list[tuple[str, str, tuple[str, Any], float]]:
        present = {
            _cell_kind(self.imap, pos)
            for pos in itertools.product(*(ax.extent for ax in self.imap.axes))
        }
        items = [("input", COLORS["input"], EDGES["input"])]
        items.append(("under the kernel", shaded(COLORS["input"]), EDGES["input"]))
        if present & {"zero", "cropped_zero"}:
            items.append(("inserted zero", COLORS["zero"], EDGES["zero"]))
        if "pad" in present:
            items.append(("padding", COLORS["pad"], EDGES["pad"]))
        if present & {"cropped", "cropped_zero"}:
            items.append(("cropped", COLORS["cropped"], EDGES["cropped"]))
        items.append(("output", COLORS["output_now"], ("#2F7D4A", "solid")))
        return [(n, f, e, 0.55 + text_units(n, LEGEND) + 0.6) for n, f, e in items]

    def _legend(self) -> None:
        from matplotlib.patches import Rectangle

        x = (self.lay.width - sum(w for *_, w in self.legend_items)) / 2
        y = self.lay.legend_y
        for name, face, (edge, style), w in self.legend_items:
            self.ax.add_patch(
                Rectangle(
                    (x, y - 0.2),
                    0.4,
                    0.4,
                    facecolor=face,
                    edgecolor=edge,
                    linestyle=style,
                    linewidth=self.lw,
                )
            )
            if name == "inserted zero" and self.px >= 20:
                self.text(x + 0.2, y, "0", SMALL * 0.8, ha="center", color="#5F7690")
            self.text(x + 0.55, y, name, LEGEND, ha="left", color="#333333")
            x += w

    def _channels(self) -> None:
        from matplotlib.patches import Rectangle

        imap, lay = self.imap, self.lay
        chan, label = lay.channels, lay.channels_label
        if chan is None or label is None:
            return
        links = channel_links(imap.kind, imap.groups)  # from the library
        per = links.shape[0] // imap.groups

        def hue(c: int) -> str:
            return GROUP_HUES[(c // per) % len(GROUP_HUES)]

        self.text(
            *label,
            f"channels, groups={imap.groups}",
            LABEL,
            ha="left",
            va="bottom",
            color="#333333",
        )
        for side in ("in", "out"):
            for c, (x, y) in enumerate(chan[side]):
                self.ax.add_patch(
                    Rectangle(
                        (x, y + 0.05),
                        0.9,
                        0.4,
                        facecolor=hue(c),
                        edgecolor="white",
                        linewidth=self.lw,
                        zorder=2,
                    )
                )
        for ci, co in np.argwhere(links):
            (x0, y0), (x1, y1) = chan["in"][ci], chan["out"][co]
            self.ax.plot(
                [x0 + 0.9, x1],
                [y0 + 0.25, y1 + 0.25],
                color=hue(co),
                linewidth=self.lw,
                alpha=0.8,
                zorder=1,
            )
        for side, name in (("in", "input"), ("out", "output")):
            x, y = chan[side][-1]
            self.text(x + 0.45, y - 0.15, name, SMALL, ha="center", va="top", color="#333333")

    # -- per frame ------------------------------------------------------------

    def show(self, o: tuple[int, ...], done: set[tuple[int, ...]]) -> frozenset[tuple[int, ...]]:
        """Colours the frame of output ``o``; returns the input cells it highlights."""
        imap, lay = self.imap, self.lay
        sources = imap.sources(o)  # from the library's one-hot pushes
        fed = frozenset(i for i, _ in sources)
        window = dict(imap.footprint(o))  # geometry, checked against the library
        for pos, rect in self.cells.items():
            k = self.kind[pos]
            on = _input_at(imap, pos) in fed if k == "input" else pos in window
            rect.set_facecolor(shaded(COLORS[k]) if on else COLORS[k])
        for q, rect in self.outs.items():
            key = "output_now" if q == o else "output_done" if q in done else "output"
            rect.set_facecolor(COLORS[key])
        for text, (pos, tap) in zip(self.tap_texts, window.items()):
            text.set_visible(self.px >= 26 and pos in lay.canvas)
            if text.get_visible():
                x, y = lay.canvas[pos]
                text.set_position((x + 0.5, y + 0.45))
                text.set_text(cell_name("w", tap, self.compact))
        for line in self.lines:
            line.remove()
        self.lines = []
        if imap.ndim == 1:
            ox, oy = lay.output[o]
            where = {_input_at(imap, p): xy for p, xy in lay.canvas.items()}
            for i, _ in sources:
                x, y = where[i]
                (line,) = self.ax.plot(
                    [x + 0.5, ox + 0.5],
                    [y + 0.96, oy + 0.04],
                    color="#1E5A8A",
                    linewidth=self.lw * 1.3,
                    alpha=0.75,
                    zorder=0,
                )
                self.lines.append(line)
        self.formula_text.set_text(self._fit(formula(imap, o, self.compact).replace("*", "·")))
        return fed

    def _fit(self, text: str) -> str:
        room = int((self.lay.width - 1.0) / (CHAR * FORMULA))
        if len(text) <= room:
            return text
        cut = text[: room - 2].rsplit(" + ", 1)[0]
        return cut + " + …"

    def render(self) -> Any:
        """The current frame as an RGB Pillow image."""
        _, _, image = require()
        self.agg.draw()
        return image.fromarray(np.asarray(self.agg.buffer_rgba())[..., :3].copy())

    def probes(self) -> dict[tuple[str, tuple[int, ...]], tuple[int, int]]:
        """A pixel near each cell's lower-left corner: inside the cell, away from any text."""
        h = self.lay.height

        def px(x: float, y: float) -> tuple[int, int]:
            return int((x + 0.24) * self.px), int((h - y - 0.24) * self.px)

        found = {("canvas", pos): px(*xy) for pos, xy in self.lay.canvas.items()}
        found.update({("output", o): px(*xy) for o, xy in self.lay.output.items()})
        return found

    def input_positions(self) -> dict[tuple[int, ...], tuple[int, ...]]:
        """Canvas position of every input cell (drawn ones, cropped included)."""
        found = {}
        for pos in self.lay.canvas:
            idx = _input_at(self.imap, pos)
            if idx is not None:
                found[idx] = pos
        return found
