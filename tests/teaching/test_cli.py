"""``python -m jconv shapes|explain|draw``: printed numbers equal jconv.shapes and the op itself.

The printed calls are run: the jconv call through jconv, the tf.nn call
through compat.tf (TensorFlow's API on JAX) and the PyTorch call through
torch when it is installed; all must give the printed shape and the same values.
"""

from __future__ import annotations

import ast
import itertools
import re
import subprocess
import sys

import numpy as np
import pytest

import jconv
from jconv import shapes
from jconv._teaching.cli import main, parser


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def fields(out):
    """{key: value} of the `  key: value` lines, with trailing `  # ...` comments dropped."""
    found = {}
    for line in out.splitlines():
        m = re.match(
            r"  (output size|padding \(lo, hi\)|accepted sizes|transpose back|jconv|"
            r"tf\.nn|PyTorch):\s+(.*)$",
            line,
        )
        if m:
            found[m.group(1)] = m.group(2)
    return found


def code_of(value):
    """The runnable expression of a printed call (also of an `exactly: ...` equivalent)."""
    if value.startswith("not expressible") and "exactly: " not in value:
        return None
    return value.split("exactly: ")[-1].split("  # -> ")[0]


def shape_of(value):
    return ast.literal_eval(value.split("  # -> ")[1].split(";")[0])


# (argv after `shapes`, kind, input, kernel, stride, padding, dilation, output_padding, output_size)
SHAPES = [
    ("transpose --input 5 --kernel 3 --stride 2 --padding SAME", "SAME"),
    ("transpose --input 5 --kernel 3 --stride 2 --padding SAME --ndim 1", "SAME"),
    ("transpose --input 2 --kernel 3 --stride 2", "VALID"),
    ("transpose --input 2 --kernel 3 --stride 2 --output-size 6", "VALID"),
    ("transpose --input 2 --kernel 4 --stride 2 --padding 1", 1),
    ("transpose --input 3,4 --kernel 3 --stride 2 --padding 1 --output-padding 1", 1),
    (
        "transpose --input 3x4 --kernel 3,2 --stride 2,1 --padding 0:1,2:1 --output-padding 1,0",
        [(0, 1), (2, 1)],
    ),
    ("transpose --input 3 --kernel 3 --stride 2 --padding 1 --dilation 2 --ndim 2", 1),
    ("transpose --input 4 --kernel 3 --stride 1 --padding 1:0 --ndim 1", [(1, 0)]),
    ("transpose --input 4 --kernel 2 --stride 2 --padding same --ndim 3", "SAME"),
    ("conv --input 5 --kernel 3 --stride 2 --padding SAME", "SAME"),
    ("conv --input 4 --kernel 3 --stride 2 --padding SAME", "SAME"),
    ("conv --input 6,7 --kernel 3 --stride 2 --padding 1 --dilation 2", 1),
    ("conv --input 8 --kernel 3 --stride 2 --padding same_lower --ndim 3", "SAME_LOWER"),
    ("conv --input 9 --kernel 3 --stride 3 --padding VALID --ndim 1", "VALID"),
    ("conv --input 9 --kernel 2 --stride 1 --padding causal --ndim 1", "CAUSAL"),
    ("conv --input 5,6 --kernel 4,2 --padding SAME --dilation 1,3", "SAME"),
]


def _parse(argv):
    a = parser().parse_args(["shapes", *argv.split()])
    from jconv._teaching.cli import request

    return request(a)


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")  # torch, even kernels
@pytest.mark.parametrize(("argv", "padding"), SHAPES, ids=[a for a, _ in SHAPES])
def test_shapes_numbers_are_the_library_s(capsys, argv, padding):
    rc, out, err = run(capsys, "shapes", *argv.split())
    assert rc == 0, err
    f = fields(out)
    req = _parse(argv)
    assert req.padding == padding
    n, k, s, d = req.ndim, req.window, req.stride, req.dilation
    printed = ast.literal_eval(f["output size"])
    printed = printed if isinstance(printed, tuple) else (printed,)
    pads = ast.literal_eval(f["padding (lo, hi)"].split("  #")[0])
    pads = pads if n > 1 else (pads,)
    accepted = ast.literal_eval(f.get("accepted sizes", f.get("transpose back")).split("  #")[0])
    accepted = accepted if n > 1 else (accepted,)
    x = np.ones((1, *req.in_size, 1), np.float32)
    w = np.ones((*k, 1, 1), np.float32)
    if req.kind == "conv":
        want = shapes.conv_output_shape(req.in_size, k, s, padding, d)
        y = jconv.conv(x, w, s, padding, dilation=d)
        ranges = shapes.transpose_output_shapes(want, k, s, padding, d)
        fwd_in = req.in_size
    else:
        if req.output_size is not None:
            want = req.output_size
            y = jconv.conv_transpose(x, w, s, padding, dilation=d, output_shape=want)
        else:
            want = shapes.transpose_output_shape(
                req.in_size, k, s, padding, d, output_padding=req.output_padding
            )
            y = jconv.conv_transpose(
                x, w, s, padding, dilation=d, output_padding=req.output_padding
            )
        ranges = shapes.transpose_output_shapes(req.in_size, k, s, padding, d)
        fwd_in = want
    assert printed == want == y.shape[1:-1]
    specs = [padding] * n if isinstance(padding, (str, int)) else padding
    assert pads == tuple(shapes.resolve_padding(*a) for a in zip(fwd_in, k, s, specs, d))
    assert accepted == tuple(list(r) for r in ranges)
    # The printed jconv call runs and gives that shape; keep its values to compare with.
    ref = eval(code_of(f["jconv"]), {"np": np, "jconv": jconv})
    assert ref.shape == shape_of(f["jconv"]) == (1, *want, 1)
    ref = np.asarray(ref)[0, ..., 0]
    tf_code = code_of(f["tf.nn"])
    if tf_code is not None:
        from compat import tf

        got = eval(tf_code, {"tf": tf})
        assert tuple(got.shape) == shape_of(f["tf.nn"]) == (1, *want, 1)
        np.testing.assert_array_equal(np.asarray(got)[0, ..., 0], ref)  # sums of ones: exact
    torch_code = code_of(f["PyTorch"])
    if torch_code is not None:
        torch = pytest.importorskip("torch", reason="needs torch (pip install -e .[test])")
        F = torch.nn.functional

        got = eval(torch_code, {"torch": torch, "F": F})
        assert tuple(got.shape) == shape_of(f["PyTorch"]) == (1, 1, *want)
        np.testing.assert_array_equal(got.numpy()[0, 0], ref)


def test_compat_tf_is_present():
    from compat import tf

    assert callable(tf.nn.conv2d_transpose)


def test_shapes_says_what_tf_and_pytorch_cannot_express(capsys):
    # TF SAME, odd kernel, stride 2: the odd unit of padding goes at the high end before
    # the output, which PyTorch's symmetric padding + output_padding cannot place.
    _, out, _ = run(
        capsys,
        "shapes",
        "transpose",
        "--input",
        "5",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "SAME",
    )
    f = fields(out)
    assert f["PyTorch"].startswith("not expressible with `padding=`")
    assert "[..., 0:10, 0:10]" in f["PyTorch"]  # ... and the exact crop that does it
    assert f["tf.nn"].startswith("tf.nn.conv2d_transpose(")
    # 3-D explicit padding: TensorFlow has none.
    _, out, _ = run(
        capsys,
        "shapes",
        "conv",
        "--input",
        "8",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "SAME_LOWER",
        "--ndim",
        "3",
    )
    assert fields(out)["tf.nn"].startswith("not expressible: padding ((1, 0), (1, 0), (1, 0))")
    # Negative padding (cropping): neither.
    _, out, _ = run(
        capsys, "shapes", "conv", "--input", "8", "--kernel", "3", "--padding=-1:0", "--ndim", "1"
    )
    f = fields(out)
    assert "crops" in f["tf.nn"] and f["PyTorch"].startswith("not expressible (")
    # 4-D: no TF or PyTorch op at all.
    _, out, _ = run(capsys, "shapes", "conv", "--input", "4", "--kernel", "3", "--ndim", "4")
    f = fields(out)
    assert "no 4-D convolution" in f["tf.nn"] and "no 4-D convolution" in f["PyTorch"]


def test_shapes_notes_tf_cpu_dilated_transposes(capsys):
    _, out, _ = run(
        capsys, "shapes", "transpose", "--input", "3", "--kernel", "3", "--dilation", "2"
    )
    assert "TensorFlow's CPU kernels reject this dilation" in fields(out)["tf.nn"]


@pytest.mark.parametrize(
    ("k", "s", "d", "counts"),
    [
        (3, 2, 1, "2, 1"),
        (4, 2, 1, None),
        (1, 2, 1, "1, 0"),
        (5, 3, 1, "2, 2, 1"),
        (3, 2, 2, "3, 0"),
        (2, 1, 1, None),
    ],
)
def test_uneven_overlap_warning(capsys, k, s, d, counts):
    _, out, _ = run(
        capsys,
        "shapes",
        "transpose",
        "--input",
        "6",
        "--kernel",
        str(k),
        "--stride",
        str(s),
        "--dilation",
        str(d),
        "--ndim",
        "1",
    )
    warnings = [line for line in out.splitlines() if "warning: uneven overlap" in line]
    assert bool(warnings) == (counts is not None) == (k % s != 0 or (s > 1 and d % s == 0))
    if counts:
        cycle = re.search(r"sum ([\d, ]+) kernel taps", warnings[0]).group(1)
        assert sorted(map(int, cycle.split(", "))) == sorted(map(int, counts.split(", ")))
        assert "checkerboard" in warnings[0]


def test_shapes_conv_prints_the_transpose_back(capsys):
    _, out, _ = run(
        capsys,
        "shapes",
        "conv",
        "--input",
        "6",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--padding",
        "VALID",
        "--ndim",
        "1",
    )
    f = fields(out)
    assert f["output size"] == "2"
    assert f["transpose back"].startswith("[5, 6]  #")
    assert "output_shape=(6,) restores the input" in f["transpose back"]


# -- explain ------------------------------------------------------------------

EXPLAIN = [
    ("transpose", "2", "3", "2", "VALID", "1", []),
    ("transpose", "3", "3", "2", "1", "1", ["--output-padding", "1"]),
    ("transpose", "3", "3", "2", "VALID", "2", []),
    ("transpose", "4", "3", "2", "4:0", "1", []),
    ("conv", "5", "3", "2", "SAME", "1", []),
    ("transpose", "2,2", "3", "2", "VALID", "1", []),
    ("conv", "4,5", "3,2", "2,1", "1", "1", []),
    ("transpose", "12", "1", "1", "VALID", "1", []),  # two-digit indices
    ("transpose", "2,11", "2", "1", "VALID", "1", []),  # 2-D, non-compact names
]


@pytest.mark.parametrize("case", EXPLAIN, ids=lambda c: " ".join(c[:6]))
def test_explain_lists_the_library_s_receptive_fields(capsys, case):
    kind, i, k, s, p, d, extra = case
    if "," not in i:
        extra = [*extra, "--ndim", "1"]  # explain is 2-D by default, like shapes and draw
    rc, out, err = run(
        capsys,
        "explain",
        kind,
        "--input",
        i,
        "--kernel",
        k,
        "--stride",
        s,
        "--padding",
        p,
        "--dilation",
        d,
        *extra,
    )
    assert rc == 0, err
    req = _parse(
        f"{kind} --input {i} --kernel {k} --stride {s} --padding {p} --dilation {d} "
        + " ".join(extra)
    )
    n = req.ndim
    compact = max(*req.in_size, *req.window) <= 10 and "11" not in i
    fed: dict = {}
    for x in itertools.product(*(range(v) for v in req.in_size)):
        xs = np.zeros((1, *req.in_size, 1), np.float32)
        xs[(0, *x, 0)] = 1
        w = np.ones((*req.window, 1, 1), np.float32)
        if kind == "conv":
            y = jconv.conv(xs, w, req.stride, req.padding, dilation=req.dilation)
        else:
            y = jconv.conv_transpose(
                xs,
                w,
                req.stride,
                req.padding,
                dilation=req.dilation,
                output_padding=req.output_padding,
            )
        y = np.asarray(y)[0, ..., 0]
        for o in itertools.product(*(range(v) for v in y.shape)):
            fed.setdefault(o, set())
            if y[o]:
                fed[o].add(x)

    def idx(name):
        body = name[1:]
        if body.startswith("["):
            return tuple(int(v) for v in body[1:-1].split(","))
        if n == 1:
            return (int(body),)
        assert compact
        return tuple(int(c) for c in body)

    listed = {}
    for m in re.finditer(r"\b(y[\d\[\],]+) = (.*)$", out, flags=re.M):
        terms = re.findall(r"(x[\d\[\],]+)\*w", m.group(2))
        listed[idx(m.group(1))] = {idx(t) for t in terms}
    assert listed == fed
    if n == 1 and kind == "transpose":
        # The canvas row: the inputs, stride-1 inserted zeros between them, and the padding
        # d*(k-1)-lo before (negative: cropped) as in Dumoulin & Visin.
        row = next(line for line in out.splitlines() if "x = input" in line).split("x = input")[0]
        cells = row.split()
        lo = shapes.resolve_padding(len(fed), int(k), int(s), _pad1(p), int(d))[0]
        before = int(d) * (int(k) - 1) - lo
        if before >= 0:
            assert cells[:before] == ["."] * before
        assert [c for c in cells if c.lstrip("~").startswith("x")] == [
            ("~" if before < 0 and j * int(s) < -before else "") + f"x{j}"
            for j in range(req.in_size[0])
        ]
        zeros = [c for c in cells if c.lstrip("~") == "0"]
        assert len(zeros) == (req.in_size[0] - 1) * (int(s) - 1)


def _pad1(p):
    if p.isalpha():
        return p
    if ":" in p:
        lo, hi = p.split(":")
        return (int(lo), int(hi))
    return int(p)


def test_explain_groups_and_flipped_taps(capsys):
    _, out, _ = run(
        capsys,
        "explain",
        "transpose",
        "--input",
        "2",
        "--kernel",
        "3",
        "--stride",
        "2",
        "--groups",
        "2",
        "--ndim",
        "1",
    )
    assert "kernel taps as applied, flipped: w2 w1 w0" in out
    assert "output channel 0 reads input channels [0, 1]" in out
    assert "output channel 3 reads input channels [2, 3]" in out
    _, out, _ = run(capsys, "explain", "conv", "--input", "4", "--kernel", "3", "--ndim", "1")
    assert "kernel taps as applied: w0 w1 w2" in out


def test_explain_2d_long_listing_is_cut(capsys):
    _, out, _ = run(
        capsys, "explain", "transpose", "--input", "5,5", "--kernel", "3", "--stride", "2"
    )
    assert "... and 57 more output cells" in out  # 11 x 11 = 121 outputs, 64 listed


# -- draw -----------------------------------------------------------------------


def test_draw_gif_and_png(capsys, tmp_path):
    pytest.importorskip("matplotlib", reason="needs the viz extra (pip install -e .[viz])")
    from PIL import Image

    gif = tmp_path / "t.gif"
    rc, out, err = run(
        capsys,
        "draw",
        "transpose",
        "--input",
        "2",
        "--kernel",
        "2",
        "--stride",
        "2",
        "--ndim",
        "1",
        "-o",
        str(gif),
    )
    assert rc == 0, err
    m = re.match(r"wrote (.*) \((\d+)x(\d+) pixels, (\d+) frames\)", out.strip())
    assert m and m.group(1) == str(gif) and m.group(4) == "4"
    with Image.open(gif) as im:
        assert im.size == (int(m.group(2)), int(m.group(3))) and im.n_frames == 4
    png = tmp_path / "t.png"
    rc, out, err = run(
        capsys,
        "draw",
        "conv",
        "--input",
        "4,5",
        "--kernel",
        "3",
        "--groups",
        "2",
        "--position",
        "1,2",
        "-o",
        str(png),
    )
    assert rc == 0, err
    m = re.match(r"wrote (.*) \((\d+)x(\d+) pixels\)", out.strip())
    with Image.open(png) as im:
        assert im.size == (int(m.group(2)), int(m.group(3)))


# -- errors: one line on stderr, exit status 2, no traceback --------------------

ERRORS = [
    (["shapes", "transpose", "--kernel", "3"], "the following arguments are required: --input"),
    (
        ["shapes", "deconvolutoin", "--input", "3", "--kernel", "3"],
        r"invalid choice: 'deconvolutoin'.*did you mean 'deconvolution'\?",
    ),
    (["shapes"], "the following arguments are required: kind"),
    ([], "the following arguments are required: COMMAND"),
    (["shapes", "conv", "--input", "x", "--kernel", "3"], "--input must be an int"),
    (["shapes", "conv", "--input", "5", "--kernel", "3", "--ndim", "two"], "invalid int value"),
    (
        ["shapes", "conv", "--input", "5", "--kernel", "3", "--padding", "1:x"],
        "--padding must be SAME, VALID",
    ),
    (
        ["shapes", "conv", "--input", "5", "--kernel", "3", "--padding", "1:2:3"],
        "--padding must be",
    ),
    (["shapes", "conv", "--input", "5", "--kernel", "3", "--ndim", "0"], "--ndim must be >= 1"),
    (
        ["shapes", "conv", "--input", "5,5", "--kernel", "3,3,3"],
        r"different numbers of dimensions: \[2, 3\]",
    ),
    (
        ["shapes", "conv", "--input", "5,5", "--kernel", "3", "--ndim", "3"],
        "different numbers of dimensions",
    ),
    (
        [
            "shapes",
            "conv",
            "--input",
            "5",
            "--kernel",
            "3",
            "--padding",
            "1:0,0:0,1:1",
            "--ndim",
            "2",
        ],
        "different numbers of dimensions",
    ),
    (
        ["shapes", "conv", "--input", "5", "--kernel", "3", "--output-padding", "1"],
        "for transpose only",
    ),
    (
        [
            "shapes",
            "transpose",
            "--input",
            "5",
            "--kernel",
            "3",
            "--stride",
            "2",
            "--output-padding",
            "1",
            "--output-size",
            "10",
        ],
        "not both",
    ),
    (
        [
            "shapes",
            "transpose",
            "--input",
            "2",
            "--kernel",
            "3",
            "--stride",
            "2",
            "--output-size",
            "7",
        ],
        r"output_shape\[0\]=7 is not reachable.*pass one of \[5, 6\]",
    ),
    (
        [
            "shapes",
            "transpose",
            "--input",
            "2",
            "--kernel",
            "3",
            "--stride",
            "2",
            "--output-padding",
            "2",
        ],
        "must be smaller than the stride",
    ),
    (
        [
            "shapes",
            "transpose",
            "--input",
            "2",
            "--kernel",
            "3",
            "--stride",
            "2",
            "--padding",
            "SAME",
            "--output-padding",
            "1",
        ],
        "cannot be used with SAME",
    ),
    (["shapes", "conv", "--input", "5", "--kernel", "3", "--stride", "0"], "stride"),
    (["shapes", "conv", "--input", "5", "--kernel", "3", "--padding", "FULL"], "`padding` must be"),
    (["shapes", "conv", "--input", "2", "--kernel", "3"], "has no output"),
    (["shapes", "conv", "--input", "0", "--kernel", "1", "--padding", "SAME"], "size 0"),
    (["shapes", "conv", "--input", "5", "--kernel", "2", "--padding", "CAUSAL"], "1-D"),
    (
        ["explain", "conv", "--input", "5", "--kernel", "3", "--ndim", "3"],
        "explain shows 1-D and 2-D",
    ),
    (
        ["explain", "transpose", "--input", "90,90", "--kernel", "3", "--stride", "3"],
        "too large to show",
    ),
    (["draw", "conv", "--input", "5", "--kernel", "3", "-o", "x.bmp"], "-o must end in .gif"),
    (["draw", "conv", "--input", "5", "--kernel", "3"], "required: -o/--output"),
    (
        ["draw", "conv", "--input", "5", "--kernel", "3", "--ndim", "3", "-o", "x.png"],
        "draw shows 1-D and 2-D",
    ),
    (
        ["draw", "conv", "--input", "5", "--kernel", "3", "--position", "1,1", "-o", "x.gif"],
        "--position is for pictures",
    ),
    (
        ["draw", "conv", "--input", "5", "--kernel", "3", "--position", "7,0", "-o", "x.png"],
        "`position` must be an output cell",
    ),
    (
        ["draw", "conv", "--input", "5", "--kernel", "3", "--position", "1,1,1", "-o", "x.png"],
        "--position has 3 values",
    ),
    (
        ["draw", "conv", "--input", "5", "--kernel", "3", "--groups", "9", "-o", "x.png"],
        "groups=1 to 8",
    ),
    (
        ["draw", "transpose", "--input", "11", "--kernel", "1", "--stride", "2", "-o", "x.gif"],
        "at most 400",
    ),
    (
        ["draw", "conv", "--input", "5", "--kernel", "3", "--fps", "0", "-o", "x.gif"],
        "--fps must be positive",
    ),
    (["demo", "--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize(("argv", "match"), ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_errors_are_one_line(capsys, tmp_path, monkeypatch, argv, match):
    if argv[:1] == ["draw"]:
        pytest.importorskip("matplotlib", reason="needs the viz extra (pip install -e .[viz])")
    monkeypatch.chdir(tmp_path)
    try:
        rc = main(argv)
    except SystemExit as e:  # argparse's own errors
        rc = e.code
    out, err = capsys.readouterr()
    assert rc == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert re.match(r"python -m jconv( (shapes|explain|draw|demo))?: error: ", err), err
    assert re.search(match, err), err
    assert list(tmp_path.iterdir()) == []


def test_draw_without_matplotlib(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    rc = main(["draw", "conv", "--input", "5", "--kernel", "3", "-o", str(tmp_path / "x.gif")])
    _, err = capsys.readouterr()
    assert rc == 1
    assert err.count("\n") == 1 and "pip install jconv[viz]" in err
    assert list(tmp_path.iterdir()) == []


def test_python_dash_m(tmp_path):
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "jconv",
            "shapes",
            "transpose",
            "--input",
            "2",
            "--kernel",
            "3",
            "--stride",
            "2",
            "--output-size",
            "6",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert "  output size:      (6, 6)" in ok.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "jconv",
            "shapes",
            "transpose",
            "--input",
            "2",
            "--kernel",
            "3",
            "--stride",
            "2",
            "--output-size",
            "7",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("python -m jconv shapes: error: jconv.conv_transpose: ")
    assert bad.stderr.count("\n") == 1
    helped = subprocess.run(
        [sys.executable, "-m", "jconv", "--help"], capture_output=True, text=True, timeout=120
    )
    assert helped.returncode == 0 and "shapes" in helped.stdout and "demo" in helped.stdout
