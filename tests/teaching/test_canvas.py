"""Pictures state the canvas padding of a transpose, and the drawn canvas has exactly that.

The canvas a transposed convolution is drawn on has ``K-1-lo`` cells of padding
before the input and ``K-1-hi+output_padding`` after, ``K = d*(k-1)+1``
(Dumoulin & Visin, relationships 13-14). Here the numbers in the caption are
checked three ways, none of them using jconv's own arithmetic: (1) the stride-1
convolution over a canvas built from the caption's numbers equals the
transposed convolution computed by scatter-add from its definition and, where
PyTorch can express it, by ``torch.nn.functional.conv_transpose1d``; (2) the
written GIF has that many padding cells before and after the input in every
row and column of every frame (pixels read back); (3) the caption and the
input names are text in the picture itself (an SVG with real text elements).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from jconv import viz
from jconv._teaching.canvas import canvas_padding, caption
from jconv._teaching.cli import main
from jconv._teaching.mapping import IndexMap, index_map

HAVE_VIZ = all(importlib.util.find_spec(m) is not None for m in ("matplotlib", "PIL"))
needs_viz = pytest.mark.skipif(not HAVE_VIZ, reason="needs the viz extra (matplotlib, Pillow)")


# -- oracles, from the definitions ----------------------------------------------


def same_pads(n, k, s, d):
    """TensorFlow's SAME padding of a conv with input size ``n``: odd unit after."""
    eff = d * (k - 1) + 1
    total = max((math.ceil(n / s) - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def transpose_1d(x, w, s, lo, d, o):
    """Scatter-add: input i times tap j lands on output i*s + j*d - lo (when inside [0, o))."""
    y = np.zeros(o)
    for i, xi in enumerate(x):
        for j, wj in enumerate(w):
            t = i * s + j * d - lo
            if 0 <= t < o:
                y[t] += xi * wj
    return y


def canvas_conv_1d(x, w, s, d, before, after):
    """The picture's recipe: s-1 zeros between inputs, padding cells, flipped dilated kernel."""
    z = np.zeros((len(x) - 1) * s + 1)
    z[::s] = x
    z = z[max(-before, 0) : len(z) - max(-after, 0)]  # negative padding crops
    canvas = np.concatenate([np.zeros(max(before, 0)), z, np.zeros(max(after, 0))])
    eff = d * (len(w) - 1) + 1
    kernel = np.zeros(eff)
    kernel[::d] = w[::-1]
    return np.array([canvas[t : t + eff] @ kernel for t in range(len(canvas) - eff + 1)])


@dataclasses.dataclass
class Case:
    """A transpose, per dimension: input i, kernel k, stride s, dilation d, padding, extra."""

    name: str
    i: tuple[int, ...]
    k: tuple[int, ...]
    s: tuple[int, ...]
    d: tuple[int, ...]
    padding: object  # "SAME", "VALID", an int, or a list of (lo, hi)
    output_padding: tuple[int, ...] | None = None
    output_size: tuple[int, ...] | None = None

    def kwargs(self):
        kw = {"dilation": self.d, "ndim": len(self.i)}
        if self.output_padding is not None:
            kw["output_padding"] = self.output_padding
        if self.output_size is not None:
            kw["output_size"] = self.output_size
        return kw

    def dim(self, n):
        """(i, k, s, d, lo, hi, o) of dimension n, from the definitions."""
        i, k, s, d = self.i[n], self.k[n], self.s[n], self.d[n]
        eff = d * (k - 1) + 1
        if self.padding == "SAME":
            o = self.output_size[n] if self.output_size else i * s
            lo, hi = same_pads(o, k, s, d)
            return i, k, s, d, lo, hi, o
        if self.padding == "VALID":
            lo = hi = 0
        elif isinstance(self.padding, int):
            lo = hi = self.padding
        else:
            lo, hi = self.padding[n]
        if self.output_size:
            o = self.output_size[n]
        else:
            o = (i - 1) * s + eff - lo - hi + (self.output_padding or (0,) * len(self.i))[n]
        return i, k, s, d, lo, hi, o


CASES = [
    Case("stride 2 padding 1 output_padding 1", (3, 3), (3, 3), (2, 2), (1, 1), 1, (1, 1)),
    Case("dilation 2", (3, 3), (3, 3), (1, 1), (2, 2), "VALID"),
    Case("SAME", (3, 3), (3, 3), (2, 2), (1, 1), "SAME"),
    Case("SAME per dim, dilated columns", (2, 3), (3, 2), (2, 1), (1, 2), "SAME"),
    Case("VALID output_size", (2, 2), (3, 3), (2, 2), (1, 1), "VALID", output_size=(6, 5)),
    Case("1-D dilation 2 stride 2 padding 1", (4,), (3,), (2,), (2,), 1, (1,)),
    Case("1-D cropping padding", (4,), (3,), (2,), (1,), [(4, 0)]),
]


def numbers(line):
    """(before, after) stated on one caption line."""
    m = re.search(r"= (−?\d+) before.*= (−?\d+) after", line)
    assert m, line
    return tuple(int(v.replace("−", "-")) for v in m.groups())


def caption_numbers(caption, ndim):
    """Per dimension (before, after), from the caption lines."""
    if len(caption) == 1:
        assert ndim == 1 or "each dimension" in caption[0]
        return [numbers(caption[0])] * ndim
    assert [line.split(":")[0] for line in caption] == [
        "canvas padding, rows",
        "canvas padding, columns",
    ]
    return [numbers(line) for line in caption]


def imap_of(case):
    return index_map("transpose", case.i, case.k, case.s, case.padding, **case.kwargs())


# -- the numbers ----------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_caption_numbers_build_the_transpose(case):
    lines = caption(imap_of(case))
    rng = np.random.default_rng(0)
    for n, (before, after) in enumerate(caption_numbers(lines, len(case.i))):
        i, k, s, d, lo, hi, o = case.dim(n)
        eff = d * (k - 1) + 1
        extra = o - ((i - 1) * s + eff - lo - hi)
        assert (before, after) == (eff - 1 - lo, eff - 1 - hi + extra)
        x, w = rng.standard_normal(i), rng.standard_normal(k)
        got = canvas_conv_1d(x, w, s, d, before, after)
        np.testing.assert_allclose(got, transpose_1d(x, w, s, lo, d, o), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_caption_numbers_agree_with_pytorch(case):
    torch = pytest.importorskip("torch", reason="needs torch (pip install -e .[test])")
    rng = np.random.default_rng(1)
    checked = 0
    for n, (before, after) in enumerate(caption_numbers(caption(imap_of(case)), len(case.i))):
        i, k, s, d, lo, hi, o = case.dim(n)
        extra = o - ((i - 1) * s + d * (k - 1) + 1 - lo - hi)
        if lo != hi or lo < 0 or extra >= max(s, d):
            continue  # PyTorch's padding is symmetric and never crops by more than it adds
        x, w = rng.standard_normal(i), rng.standard_normal(k)
        want = torch.nn.functional.conv_transpose1d(
            torch.tensor(x).reshape(1, 1, i),
            torch.tensor(w).reshape(1, 1, k),
            stride=s,
            padding=lo,
            output_padding=extra,
            dilation=d,
        )
        got = canvas_conv_1d(x, w, s, d, before, after)
        assert got.shape == (o,)
        np.testing.assert_allclose(got, want.numpy().reshape(o), rtol=1e-12, atol=1e-12)
        checked += 1
    if "SAME" not in case.name and "cropping" not in case.name:
        assert checked == len(case.i)


def test_caption_text():
    assert caption(imap_of(CASES[0])) == [
        "canvas padding, each dimension: k−1−p = 3−1−1 = 1 before, "
        "k−1−p+output_padding = 3−1−1+1 = 2 after"
    ]
    assert caption(imap_of(CASES[1])) == [
        "canvas padding, each dimension: K−1−p = 5−1−0 = 4 before, K−1−p = 5−1−0 = 4 after; "
        "K = d·(k−1)+1 = 2·(3−1)+1 = 5; VALID gives p = 0"
    ]
    assert caption(imap_of(CASES[2])) == [
        "canvas padding, each dimension: k−1−lo = 3−1−0 = 2 before, k−1−hi = 3−1−1 = 1 after; "
        "SAME gives (lo, hi) = (0, 1)"
    ]
    assert caption(imap_of(CASES[3])) == [
        "canvas padding, rows: k−1−lo = 3−1−0 = 2 before, k−1−hi = 3−1−1 = 1 after; "
        "SAME gives (lo, hi) = (0, 1)",
        "canvas padding, columns: K−1−p = 3−1−1 = 1 before, K−1−p = 3−1−1 = 1 after; "
        "K = d·(k−1)+1 = 2·(2−1)+1 = 3; SAME gives p = 1",
    ]
    assert caption(imap_of(CASES[6])) == [
        "canvas padding: k−1−lo = 3−1−4 = −2 before (crops 2), k−1−hi = 3−1−0 = 2 after"
    ]
    # A convolution: only a padding mode needs saying; explicit padding is drawn as written.
    lo, hi = same_pads(5, 3, 2, 1)
    assert caption(index_map("conv", 5, 3, 2, "SAME")) == [
        f"canvas padding, each dimension: SAME gives (lo, hi) = ({lo}, {hi}): "
        f"{lo} before, {hi} after"
    ]
    assert caption(index_map("conv", 5, 3, 2, "VALID")) == []
    assert caption(index_map("conv", 5, 3, 2, 1)) == []


def test_explain_states_the_same_padding(capsys):
    argv = "explain transpose --input 3 --kernel 3 --stride 2 --padding 1 --output-padding 1"
    rc = main([*argv.split(), "--ndim", "1"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "  padding: k-1-p = 3-1-1 = 1 before, k-1-p+output_padding = 3-1-1+1 = 2 after\n" in out
    row = next(line for line in out.splitlines() if "x = input" in line).split("x = input")[0]
    assert row.split() == [".", "x0", "0", "x1", "0", "x2", ".", "."]


def test_a_canvas_that_disagrees_with_the_arithmetic_is_an_internal_error():
    imap = imap_of(CASES[0])
    ax = imap.axes[0]
    bad = IndexMap(
        imap.kind,
        (dataclasses.replace(ax, origin=ax.origin + 1), imap.axes[1]),
        imap.links,
        imap.groups,
        imap.padding,
        imap.call,
    )
    with pytest.raises(RuntimeError, match=r"internal error: jconv.shapes gives canvas padding"):
        canvas_padding(bad)


# -- the pictures ---------------------------------------------------------------


def rgb(color):
    return np.array([int(color[j : j + 2], 16) for j in (1, 3, 5)], float)


def kind_at(pixel):
    """'input', 'zero' or 'pad': the nearest of their plain and shaded (under the kernel) fills."""
    names = [(k, viz.COLORS[k]) for k in ("input", "zero", "pad")]
    names += [(k, viz.shaded(c)) for k, c in names]
    return min(names, key=lambda n: np.abs(rgb(n[1]) - np.asarray(pixel, float)).sum())[0]


def padding_runs(cells):
    """Padding cells before the first input cell and after the last one, in one line of cells."""
    first = cells.index("input")
    last = len(cells) - 1 - cells[::-1].index("input")
    assert set(cells[:first]) <= {"pad"} and set(cells[last + 1 :]) <= {"pad"}, cells
    return first, len(cells) - 1 - last


@needs_viz
@pytest.mark.parametrize(
    "case", [c for c in CASES if "cropping" not in c.name], ids=lambda c: c.name
)
def test_drawn_padding_matches_the_caption(case, tmp_path):
    from PIL import Image

    drawing = viz.animate(
        "transpose",
        case.i,
        case.k,
        case.s,
        case.padding,
        path=tmp_path / "t.gif",
        cell_px=16,
        progress=False,
        **case.kwargs(),
    )
    stated = caption_numbers(drawing.caption, len(case.i))
    want = []
    for n in range(len(case.i)):
        i, k, s, d, lo, _, o = case.dim(n)
        eff = d * (k - 1) + 1
        want.append((eff - 1 - lo, o - 1 + lo - (i - 1) * s))
    assert stated == want
    cells = sorted(pos for kind, pos in drawing.probes if kind == "canvas")
    with Image.open(drawing.path) as im:
        assert im.n_frames == drawing.frames
        for f in range(drawing.frames):
            im.seek(f)
            frame = im.convert("RGB")
            grid = {pos: kind_at(frame.getpixel(drawing.probes[("canvas", pos)])) for pos in cells}
            lines = {n: {} for n in range(len(case.i))}  # per dim: {other coords: [kinds]}
            for pos in cells:
                for n in range(len(case.i)):
                    rest = pos[:n] + pos[n + 1 :]
                    lines[n].setdefault(rest, []).append(grid[pos])
            for n, by_line in lines.items():
                runs = {padding_runs(line) for line in by_line.values() if "input" in line}
                assert runs == {stated[n]}, (f, n, runs)


@needs_viz
def test_picture_text_names_inputs_and_states_the_padding(tmp_path):
    import matplotlib

    path = tmp_path / "d.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text, not outlines
        drawing = viz.diagram("transpose", 3, 3, 2, 1, output_padding=1, path=path)
    texts = {}
    for el in ET.parse(path).iter():
        if el.tag.endswith("text"):
            x = float(el.get("x", "nan")) * 100 / 72  # SVG points -> pixels at 100 dpi
            y = float(el.get("y", "nan")) * 100 / 72
            texts.setdefault("".join(el.itertext()), []).append((x, y))
    assert drawing.caption[0] in texts
    assert "1 before" in drawing.caption[0] and "2 after" in drawing.caption[0]
    # x00, x01, ... row then column, each inside its own input cell of the canvas.
    (r0, c0) = drawing.input_positions[(0, 0)]
    cell = drawing.probes[("canvas", (r0, c0 + 1))][0] - drawing.probes[("canvas", (r0, c0))][0]
    assert cell >= 20
    for r in range(3):
        for c in range(3):
            name = f"x{r}{c}"
            assert len(texts.get(name, ())) == 1, name
            (x, y) = texts[name][0]
            px, py = drawing.probes[("canvas", drawing.input_positions[(r, c)])]
            left, bottom = px - 0.24 * cell, py + 0.24 * cell
            assert left < x < left + cell and bottom - cell < y < bottom, (name, x, y, px, py)


@needs_viz
def test_one_dimensional_pictures_name_inputs_too(tmp_path):
    import matplotlib

    path = tmp_path / "d.svg"
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        drawing = viz.diagram("transpose", 4, 3, 2, "SAME", ndim=1, path=path)
    texts = ["".join(el.itertext()) for el in ET.parse(path).iter() if el.tag.endswith("text")]
    assert [t for t in texts if re.fullmatch(r"x\d+", t)] == ["x0", "x1", "x2", "x3"]
    lo, hi = same_pads(8, 3, 2, 1)
    assert drawing.caption == (
        f"canvas padding: k−1−lo = 3−1−{lo} = {2 - lo} before, "
        f"k−1−hi = 3−1−{hi} = {2 - hi} after; SAME gives (lo, hi) = ({lo}, {hi})",
    )
    assert drawing.caption[0] in texts
