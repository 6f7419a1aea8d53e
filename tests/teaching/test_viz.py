"""jconv.viz: every frame highlights exactly the receptive field that jconv computes.

The receptive fields here come from this file's own one-hot pushes through
``jconv.conv`` / ``jconv.conv_transpose`` (all-ones kernel: an output cell is
touched iff some tap connects it), sharing no code with ``jconv._teaching.mapping``.
The pictures are checked by reading pixels back out of the written files.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import math
import subprocess
import sys

import numpy as np
import pytest

import jconv
from jconv import shapes, viz
from jconv._teaching.mapping import channel_links, index_map
from jconv.viz._progress import Progress

HAVE_VIZ = all(importlib.util.find_spec(m) is not None for m in ("matplotlib", "PIL"))
needs_viz = pytest.mark.skipif(not HAVE_VIZ, reason="needs the viz extra (matplotlib, Pillow)")
if HAVE_VIZ:
    from PIL import Image


def receptive_fields(kind, in_size, k, s, padding, d, **kw):
    """{output cell: set of input cells}, from one-hot inputs pushed through jconv."""
    n = len(in_size)
    fields = {}
    for i in itertools.product(*(range(v) for v in in_size)):
        x = np.zeros((1, *in_size, 1), np.float32)
        x[(0, *i, 0)] = 1
        w = np.ones((*k, 1, 1), np.float32)
        if kind == "conv":
            y = jconv.conv(x, w, s, padding, dilation=d)
        else:
            y = jconv.conv_transpose(x, w, s, padding, dilation=d, **kw)
        y = np.asarray(y)[0, ..., 0]
        for o in itertools.product(*(range(v) for v in y.shape)):
            fields.setdefault(o, set())
            if y[o] != 0:
                fields[o].add(i)
    assert all(len(o) == n for o in fields)
    return fields


def rgb(color):
    return np.array([int(color[j : j + 2], 16) for j in (1, 3, 5)], float)


def nearest(pixel, names):
    return min(names, key=lambda name: np.abs(rgb(name[1]) - np.asarray(pixel, float)).sum())[0]


# (kind, input, kernel, stride, padding, dilation, extra kwargs) — small, but every feature.
CASES = [
    ("transpose", (2,), (3,), (2,), "VALID", (1,), {}),
    ("transpose", (3,), (3,), (2,), 1, (1,), {"output_padding": 1}),
    ("transpose", (3,), (2,), (3,), "SAME", (1,), {}),
    ("transpose", (3,), (3,), (2,), "VALID", (2,), {}),
    ("transpose", (4,), (3,), (2,), [(4, 0)], (1,), {}),  # the padding crops the input
    ("conv", (6,), (3,), (2,), "SAME", (1,), {}),
    ("conv", (7,), (3,), (2,), [(-1, 2)], (2,), {}),
    ("transpose", (2, 2), (3, 3), (2, 2), "VALID", (1, 1), {"output_shape": (6, 5)}),
    ("transpose", (2, 3), (3, 2), (2, 1), "SAME", (1, 2), {}),
    ("conv", (4, 5), (3, 2), (2, 2), [(1, 0), (0, 1)], (1, 1), {}),
]


def _kw(kind, extra):
    if "output_shape" in extra:
        return {"output_size": extra["output_shape"]}
    return {"output_padding": extra.get("output_padding", 0)} if kind == "transpose" else {}


@needs_viz
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{len(c[1])}d-{c[1]}-{c[4]}")
def test_frames_highlight_the_receptive_fields(case, tmp_path):
    kind, in_size, k, s, padding, d, extra = case
    path = tmp_path / "a.gif"
    drawing = viz.animate(
        kind,
        in_size,
        k,
        s,
        padding,
        dilation=d,
        path=path,
        cell_px=16,
        progress=False,
        **_kw(kind, extra),
    )
    fields = receptive_fields(kind, in_size, k, s, padding, d, **extra)
    out_shape = tuple(max(o[j] for o in fields) + 1 for j in range(len(in_size)))
    if kind == "conv":
        assert out_shape == shapes.conv_output_shape(in_size, k, s, padding, d)
    # One frame per output cell, in row-major order, each highlighting its receptive field.
    assert drawing.frames == math.prod(out_shape) == len(fields)
    assert list(drawing.outputs) == sorted(fields)
    for o, lit in zip(drawing.outputs, drawing.highlighted):
        assert set(lit) == fields[o], o
    # The file: that many frames, of the stated size, and the pixels say the same.
    with Image.open(path) as im:
        assert im.format == "GIF"
        assert im.size == drawing.size
        assert im.n_frames == drawing.frames
        kinds = [("input", viz.COLORS["input"]), ("lit", viz.shaded(viz.COLORS["input"]))]
        outs = [
            ("now", viz.COLORS["output_now"]),
            ("done", viz.COLORS["output_done"]),
            ("todo", viz.COLORS["output"]),
        ]
        for n, o in enumerate(drawing.outputs):
            im.seek(n)
            frame = im.convert("RGB")
            seen = set()
            for i, pos in drawing.input_positions.items():
                px = frame.getpixel(drawing.probes[("canvas", pos)])
                if nearest(px, kinds) == "lit":
                    seen.add(i)
            assert seen == fields[o], (n, o)
            now = [
                q
                for q in fields
                if nearest(frame.getpixel(drawing.probes[("output", q)]), outs) == "now"
            ]
            assert now == [o]


@needs_viz
def test_frames_with_labels_at_the_default_size(tmp_path):
    # Full-size cells draw tap labels and zero glyphs; the probes stay clear of them.
    drawing = viz.animate("transpose", 2, 3, 2, path=tmp_path / "t.gif", progress=False)
    fields = receptive_fields("transpose", (2, 2), (3, 3), (2, 2), "VALID", (1, 1))
    assert drawing.frames == 25
    with Image.open(drawing.path) as im:
        for n in (0, 12, 24):
            im.seek(n)
            frame = im.convert("RGB")
            lit = viz.shaded(viz.COLORS["input"])
            seen = {
                i
                for i, pos in drawing.input_positions.items()
                if nearest(
                    frame.getpixel(drawing.probes[("canvas", pos)]),
                    [("in", viz.COLORS["input"]), ("lit", lit)],
                )
                == "lit"
            }
            assert seen == fields[drawing.outputs[n]]


@needs_viz
def test_zeros_and_padding_are_drawn_differently(tmp_path):
    drawing = viz.animate(
        "transpose", 2, 3, 2, ndim=1, path=tmp_path / "t.gif", cell_px=20, progress=False
    )
    imap = index_map("transpose", 2, 3, 2, ndim=1)
    with Image.open(drawing.path) as im:
        im.seek(drawing.frames - 1)  # the window is at the right end: the zero is not under it
        frame = im.convert("RGB")
    zero = [c for c in imap.axes[0].extent if imap.axes[0].cell(c) == "zero"]
    pad = [c for c in imap.axes[0].extent if imap.axes[0].cell(c) == "pad"]
    assert zero == [3] and pad == [0, 1, 5, 6]
    names = [(k, viz.COLORS[k]) for k in ("input", "zero", "pad")]
    assert nearest(frame.getpixel(drawing.probes[("canvas", (3,))]), names) == "zero"
    assert nearest(frame.getpixel(drawing.probes[("canvas", (0,))]), names) == "pad"


@needs_viz
@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_diagram(tmp_path, suffix):
    path = tmp_path / f"d.{suffix}"
    drawing = viz.diagram(
        "transpose", (3, 2), 3, 2, "SAME", dilation=(1, 2), groups=2, position=(2, 1), path=path
    )
    fields = receptive_fields("transpose", (3, 2), (3, 3), (2, 2), "SAME", (1, 2))
    assert drawing.frames == 1 and drawing.outputs == ((2, 1),)
    assert set(drawing.highlighted[0]) == fields[(2, 1)]
    if suffix == "png":
        with Image.open(path) as im:
            assert im.size == drawing.size
    else:
        assert "<svg" in path.read_text()[:1000]


@needs_viz
def test_diagram_defaults_to_the_middle_output(tmp_path):
    drawing = viz.diagram("conv", 5, 3, 2, "SAME", ndim=1, path=tmp_path / "d.png")
    assert drawing.outputs == ((1,),)


def test_channel_bands_come_from_the_library():
    for kind in ("conv", "transpose"):
        links = channel_links(kind, 3)
        block = np.kron(np.eye(3, dtype=bool), np.ones((2, 2), bool))
        np.testing.assert_array_equal(links, block)


@needs_viz
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ndim": 3}, "1-D and 2-D"),
        ({"input_size": (3, 3, 3), "kernel_size": 1}, "1-D and 2-D"),
        ({"groups": 9}, "groups=1 to 8"),
        ({"groups": True}, "groups=1 to 8"),
        ({"input_size": 11, "kernel_size": 1, "stride": 2}, "at most 400"),
        ({"kind": "deconv"}, "kind"),
        ({"output_size": 9}, "not reachable"),
        ({"padding": "FULL"}, "padding"),
        ({"input_size": (2, 2), "kernel_size": (3, 3, 3)}, "different numbers of spatial"),
        ({"input_size": (2, 2), "ndim": 1}, "one per spatial dimension"),
        ({"fps": 0}, "`fps` must be positive"),
    ],
)
def test_animate_errors(tmp_path, kwargs, match):
    args = {"kind": "transpose", "input_size": 2, "kernel_size": 3, "stride": 2}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        viz.animate(**args, path=tmp_path / "x.gif", progress=False)
    assert not (tmp_path / "x.gif").exists()


@needs_viz
def test_diagram_rejects_a_position_outside_the_output(tmp_path):
    with pytest.raises(ValueError, match="`position` must be an output cell"):
        viz.diagram("transpose", 2, 3, 2, position=(5, 0), path=tmp_path / "x.png")


def test_missing_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install jconv\[viz\]"):
        viz.animate("conv", 3, 2, path=tmp_path / "x.gif")
    with pytest.raises(ImportError, match=r"pip install jconv\[viz\]"):
        viz.diagram("conv", 3, 2, path=tmp_path / "x.png")


def test_importing_jconv_does_not_import_matplotlib():
    code = (
        "import sys, jconv, jconv.viz, jconv.__main__\n"
        "assert 'matplotlib' not in sys.modules and 'PIL' not in sys.modules, 'imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_progress_counter():
    quiet = io.StringIO()
    p = Progress(3, stream=quiet, delay=60)
    for n in range(1, 4):
        p.step(n)
    p.note("writing")
    p.close()
    assert quiet.getvalue() == ""  # fast work prints nothing
    loud = io.StringIO()
    p = Progress(3, stream=loud, delay=0, every=0)
    for n in range(1, 4):
        p.step(n)
    p.note("writing x.gif")
    p.close()
    assert loud.getvalue() == "frame 1/3\nframe 2/3\nframe 3/3\nwriting x.gif\n"


def test_readme_pictures_are_valid_cases():
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[2] / "docs"))
    try:
        import make_images
    finally:
        sys.path.pop(0)
    for case in make_images.PICTURES.values():
        case = dict(case)
        imap = index_map(case.pop("kind"), case.pop("input_size"), case.pop("kernel_size"), **case)
        assert len(imap.outputs()) <= 64
