"""The colours, line styles and fonts of jconv's pictures (conv_arithmetic's palette)."""

from __future__ import annotations

from typing import Any

import numpy as np

# Cell fills (what sits there) and their shaded versions (under the kernel).
COLORS = {
    "input": "#9DC3E6",
    "zero": "#EEF3F8",
    "pad": "#FFFFFF",
    "cropped": "#D0D0D0",
    "cropped_zero": "#E6E6E6",
    "output": "#C3E9CF",
    "output_done": "#7ACB95",
    "output_now": "#1E8A3E",
}
EDGES = {
    "input": ("#3A6F9F", "solid"),
    "zero": ("#8DA4BD", (0, (1, 1.5))),
    "pad": ("#9A9A9A", (0, (3, 2))),
    "cropped": ("#8A8A8A", "solid"),
    "cropped_zero": ("#8A8A8A", "solid"),
}
GROUP_HUES = [
    "#4C72B0",
    "#DD8452",
    "#55A868",
    "#C44E52",
    "#8172B3",
    "#937860",
    "#DA8BC3",
    "#8C8C8C",
]
SHADE = 0.42  # how much the kernel footprint darkens a cell
TITLE, LABEL, LEGEND, FORMULA, SMALL = 1.05, 0.85, 0.75, 0.9, 0.62  # font sizes, times the base
DPI = 100


def shaded(color: str) -> str:
    """``color`` darkened as under the kernel footprint (the highlight of input cells)."""
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], float)
    dark = np.array([0x1F, 0x2A, 0x44], float)
    mixed = np.round(rgb * (1 - SHADE) + dark * SHADE).astype(int)
    return "#" + "".join(f"{v:02X}" for v in mixed)


def require() -> Any:
    """matplotlib's ``Figure`` and Agg canvas, and Pillow's ``Image``; or a clear ImportError."""
    try:
        import matplotlib  # first: a submodule already imported would not notice its absence
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from PIL import Image
    except ImportError as e:
        raise ImportError(
            f"jconv.viz needs matplotlib and Pillow ({e.name or e} is missing): "
            f"pip install jconv[viz]"
        ) from None
    del matplotlib
    return Figure, FigureCanvasAgg, Image
