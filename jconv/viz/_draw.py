"""``jconv.viz.animate`` and ``jconv.viz.diagram``: conv_arithmetic-style pictures.

Visual language of Dumoulin & Visin's conv_arithmetic: the input in blue, the
kernel's footprint shaded on it, the output in green. For a transposed
convolution the blue grid is the zero-inserted, padded input that a stride-1
convolution with the flipped kernel slides over; inserted zeros and padding
are drawn differently from each other and from input cells.

What is highlighted comes from :func:`jconv._teaching.mapping.index_map` (one-hot
pushes through ``jconv``); only the placement of padding and inserted zeros
is geometry, and ``index_map`` checks it against the library.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from jconv._canonical.types import Padding
from jconv._teaching.canvas import caption
from jconv._teaching.mapping import IndexMap, as_sizes, index_map
from jconv.viz._progress import Progress
from jconv.viz._scene import Scene, title
from jconv.viz._style import DPI, require

MAX_FRAMES = 400


@dataclasses.dataclass(frozen=True)
class Drawing:
    """What :func:`animate` or :func:`diagram` wrote.

    Attributes:
      path: the file written.
      size: ``(width, height)`` in pixels (of every frame).
      frames: number of frames (1 for a picture).
      outputs: per frame, the output cell computed in it.
      highlighted: per frame, the input cells drawn as feeding that output
        cell (taken from the library's one-hot pushes).
      probes: pixel ``(x, y)`` of a text-free point inside each cell, keyed
        ``("canvas", position)`` and ``("output", position)``; positions are
        canvas coordinates (see :class:`jconv._teaching.mapping.Axis`) and output indices.
      input_positions: canvas position of each input cell (``None`` where the
        padding crops it away from the canvas, it is still drawn).
      caption: the lines under the title that state the canvas padding per
        dimension and how it follows from the kernel size, the padding and
        ``output_padding`` (for a transpose: ``k-1-p`` before,
        ``k-1-p+output_padding`` after); empty when there is nothing to explain.
    """

    path: str
    size: tuple[int, int]
    frames: int
    outputs: tuple[tuple[int, ...], ...]
    highlighted: tuple[frozenset[tuple[int, ...]], ...]
    probes: dict[tuple[str, tuple[int, ...]], tuple[int, int]]
    input_positions: dict[tuple[int, ...], tuple[int, ...]]
    caption: tuple[str, ...] = ()


def _map(
    kind: str,
    input_size: Any,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    output_padding: Any,
    output_size: Any,
    groups: Any,
    ndim: Any,
) -> IndexMap:
    require()
    if ndim is not None and ndim not in (1, 2):
        raise ValueError(f"jconv.viz draws 1-D and 2-D cases; received ndim={ndim!r}.")
    if isinstance(groups, bool) or not isinstance(groups, int) or not 1 <= groups <= 8:
        raise ValueError(f"jconv.viz draws groups=1 to 8; received groups={groups!r}.")
    imap = index_map(
        kind,
        input_size,
        kernel_size,
        stride,
        padding,
        dilation=dilation,
        output_padding=output_padding,
        output_size=output_size,
        groups=groups,
        ndim=ndim,
    )
    if imap.ndim not in (1, 2):
        raise ValueError(f"jconv.viz draws 1-D and 2-D cases; received {imap.ndim} dimensions.")
    return imap


def _palette(scene: Scene, outputs: list[tuple[int, ...]]) -> Any:
    """One palette for every frame (so the GIF stores only what changes between frames).

    Made from the first and last frames side by side, which between them show
    every colour: unvisited, visited and current output cells included.
    """
    _, _, image = require()
    scene.show(outputs[0], set())
    first = scene.render()
    scene.show(outputs[-1], set(outputs[:-1]))
    last = scene.render()
    both = image.new("RGB", (first.width * 2, first.height))
    both.paste(first, (0, 0))
    both.paste(last, (first.width, 0))
    return both.quantize(64, method=image.Quantize.FASTOCTREE)


def animate(
    kind: str,
    input_size: int | tuple[int, ...],
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] = 1,
    padding: Padding = "VALID",
    *,
    dilation: int | tuple[int, ...] = 1,
    output_padding: int | tuple[int, ...] = 0,
    output_size: int | tuple[int, ...] | None = None,
    groups: int = 1,
    ndim: int | None = None,
    path: str | os.PathLike,
    fps: float = 2.0,
    cell_px: int | None = None,
    progress: bool = True,
) -> Drawing:
    """Writes a GIF with one frame per output cell, in conv_arithmetic's style.

    Each frame shades the kernel's footprint on the (padded, and for a
    transpose zero-inserted) input, darkens the input cells that feed the
    current output cell, and marks that cell in the output. The highlighted
    cells come from pushing one-hot inputs through :func:`jconv.conv` /
    :func:`jconv.conv_transpose`; the sizes from :mod:`jconv.shapes`. Input
    cells are named (``x0``, ... in 1-D; ``x00``, ``x01``, ... row then column
    in 2-D) when cells are at least 20 pixels, and a caption under the title
    states the canvas padding: for a transpose ``k-1-p`` cells before and
    ``k-1-p+output_padding`` after (``k`` the dilated kernel size
    ``d*(k-1)+1``), with the numbers of this case.

    Args:
      kind: ``"conv"`` or ``"transpose"``.
      input_size: an int or one per dimension (1-D or 2-D; ints alone mean
        2-D unless ``ndim=1``).
      kernel_size: an int or one per dimension.
      stride: as for :func:`jconv.conv`.
      padding: any padding :func:`jconv.conv` accepts (for a transpose, the
        forward convolution's).
      dilation: as for :func:`jconv.conv`.
      output_padding: transpose only, as in :func:`jconv.conv_transpose`.
      output_size: transpose only: its ``output_shape``.
      groups: channel groups (1 to 8), drawn as channel bands beside the grids.
      ndim: 1 or 2; default from the sequence arguments, else 2.
      path: the ``.gif`` to write.
      fps: frames per second.
      cell_px: pixels per cell (default: fit about 1000x800 pixels, at most 40).
      progress: show a frame counter on stderr when rendering takes more than a second.

    Returns:
      A :class:`Drawing`: path, pixel size, frame count, what each frame highlights.

    Raises:
      ImportError: matplotlib or Pillow is missing (``pip install jconv[viz]``).
      ValueError: bad arguments (the library's own messages), or more than
        400 output cells.
    """
    imap = _map(
        kind,
        input_size,
        kernel_size,
        stride,
        padding,
        dilation,
        output_padding,
        output_size,
        groups,
        ndim,
    )
    if not fps > 0:
        raise ValueError(f"jconv.viz.animate: `fps` must be positive; received fps={fps!r}.")
    outputs = imap.outputs()
    if len(outputs) > MAX_FRAMES:
        raise ValueError(
            f"jconv.viz.animate: {len(outputs)} output cells would make {len(outputs)} frames "
            f"(at most {MAX_FRAMES}); use smaller sizes, or diagram() for one picture."
        )
    notes = tuple(caption(imap))
    scene = Scene(imap, title(imap, output_padding, output_size), cell_px, caption=notes)
    palette = _palette(scene, outputs)
    counter = Progress(len(outputs), "frame", enabled=progress)
    frames: list[Any] = []  # Pillow images
    highlighted: list[frozenset[tuple[int, ...]]] = []
    done: set[tuple[int, ...]] = set()
    for n, o in enumerate(outputs, 1):
        highlighted.append(scene.show(o, done))
        frames.append(scene.render().quantize(palette=palette, dither=0))
        done.add(o)
        counter.step(n)
    counter.note(f"writing {os.fspath(path)}")
    frames[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=round(1000 / fps),
        loop=0,
    )
    counter.close()
    return Drawing(
        os.fspath(path),
        frames[0].size,
        len(frames),
        tuple(outputs),
        tuple(highlighted),
        scene.probes(),
        scene.input_positions(),
        notes,
    )


def diagram(
    kind: str,
    input_size: int | tuple[int, ...],
    kernel_size: int | tuple[int, ...],
    stride: int | tuple[int, ...] = 1,
    padding: Padding = "VALID",
    *,
    dilation: int | tuple[int, ...] = 1,
    output_padding: int | tuple[int, ...] = 0,
    output_size: int | tuple[int, ...] | None = None,
    groups: int = 1,
    ndim: int | None = None,
    position: int | tuple[int, ...] | None = None,
    path: str | os.PathLike,
    cell_px: int | None = None,
) -> Drawing:
    """Writes one picture (``.png``, ``.svg`` or ``.pdf``): the mapping at one output cell.

    Like one frame of :func:`animate`, for output cell ``position`` (default:
    the middle one); every output cell also shows how many kernel taps it
    sums (counted from the library), which makes uneven overlap visible.

    Args:
      kind, input_size, kernel_size, stride, padding, dilation, output_padding,
      output_size, groups, ndim, cell_px: as for :func:`animate`.
      position: the output cell to show, an int or one per dimension.
      path: where to write; the format follows the suffix.

    Returns:
      A :class:`Drawing` with one frame (``size`` in pixels at 100 dpi).

    Raises:
      ImportError: matplotlib or Pillow is missing (``pip install jconv[viz]``).
      ValueError: bad arguments, or a ``position`` outside the output.
    """
    imap = _map(
        kind,
        input_size,
        kernel_size,
        stride,
        padding,
        dilation,
        output_padding,
        output_size,
        groups,
        ndim,
    )
    if position is None:
        o = tuple(s // 2 for s in imap.out_size)
    else:
        o = as_sizes("position", position, imap.ndim)
        if not all(0 <= p < s for p, s in zip(o, imap.out_size)):
            raise ValueError(
                f"jconv.viz.diagram: `position` must be an output cell, each entry from 0 to "
                f"the output size {imap.out_size} minus 1; received position={position!r}."
            )
    heading = title(imap, output_padding, output_size) + "   (numbers: taps summed)"
    notes = tuple(caption(imap))
    scene = Scene(imap, heading, cell_px, counts=True, caption=notes)
    fed = scene.show(o, set())
    scene.fig.savefig(path, dpi=DPI)
    w, h = scene.agg.get_width_height()
    return Drawing(
        os.fspath(path), (w, h), 1, (o,), (fed,), scene.probes(), scene.input_positions(), notes
    )
