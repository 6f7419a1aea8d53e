"""Names on the command line: operation synonyms, "did you mean", and one default rank.

Every error is one line on stderr with exit status 2 and no traceback; every
suggestion, put in place of the typo, gives a command that runs.
"""

from __future__ import annotations

import re

import pytest

from jconv import shapes
from jconv._teaching import names
from jconv._teaching.cli import main, parser

CASE = ["--input", "5", "--kernel", "3"]


def fails(capsys, argv):
    """The stderr line of a command that must fail with exit status 2 and print nothing else."""
    try:
        rc = main(argv)
    except SystemExit as e:  # argparse's own exits
        rc = e.code
    out, err = capsys.readouterr()
    assert rc == 2, err
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err, err
    return err.rstrip("\n")


def runs(capsys, argv):
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 0, err
    return out


SHAPES = "python -m jconv shapes: error: "
HELP = " (see --help)"

# (argv, the exact error line, the argv with the suggestion taken)
FLAG_TYPOS = [
    (
        ["shapes", "transpose", *CASE, "--strides", "2"],
        "unrecognized arguments: --strides (did you mean --stride?)",
        ["shapes", "transpose", *CASE, "--stride", "2"],
    ),
    (
        ["shapes", "transpose", "--input", "5", "--kernel-size", "3"],
        "unrecognized arguments: --kernel-size (did you mean --kernel?)",
        ["shapes", "transpose", "--input", "5", "--kernel", "3"],
    ),
    (
        ["shapes", "transpose", "--input", "5", "--kernel_size=3"],
        "unrecognized arguments: --kernel_size (did you mean --kernel?)",
        ["shapes", "transpose", "--input", "5", "--kernel=3"],
    ),
    (
        ["shapes", "transpose", *CASE, "--pad", "1"],
        "unrecognized arguments: --pad (did you mean --padding?)",
        ["shapes", "transpose", *CASE, "--padding", "1"],
    ),
    (
        ["shapes", "transpose", *CASE, "--dilations", "2"],
        "unrecognized arguments: --dilations (did you mean --dilation?)",
        ["shapes", "transpose", *CASE, "--dilation", "2"],
    ),
    (
        ["shapes", "transpose", *CASE, "--dilation_rate", "2"],
        "unrecognized arguments: --dilation_rate (did you mean --dilation?)",
        ["shapes", "transpose", *CASE, "--dilation", "2"],
    ),
    (
        ["shapes", "transpose", "--input", "5", "--filters", "3"],
        "unrecognized arguments: --filters (did you mean --kernel?)",
        ["shapes", "transpose", "--input", "5", "--kernel", "3"],
    ),
    (
        ["shapes", "transpose", *CASE, "--stride", "2", "--output_shape", "12"],
        "unrecognized arguments: --output_shape (did you mean --output-size?)",
        ["shapes", "transpose", *CASE, "--stride", "2", "--output-size", "12"],
    ),
    (
        ["shapes", "transpose", *CASE, "--stride", "2", "--output-shape=12"],
        "unrecognized arguments: --output-shape (did you mean --output-size?)",
        ["shapes", "transpose", *CASE, "--stride", "2", "--output-size=12"],
    ),
    (
        ["shapes", "transpose", *CASE, "--pading", "1"],
        "unrecognized arguments: --pading (did you mean --padding?)",
        ["shapes", "transpose", *CASE, "--padding", "1"],
    ),
    (
        ["shapes", "transpose", *CASE, "--stirde", "2"],
        "unrecognized arguments: --stirde (did you mean --stride?)",
        ["shapes", "transpose", *CASE, "--stride", "2"],
    ),
    (
        ["shapes", "transpose", *CASE, "--Stride", "2"],
        "unrecognized arguments: --Stride (did you mean --stride?)",
        ["shapes", "transpose", *CASE, "--stride", "2"],
    ),
    (
        ["shapes", "transpose", "--input", "5", "-k", "3"],
        "unrecognized arguments: -k (did you mean --kernel?)",
        ["shapes", "transpose", "--input", "5", "--kernel", "3"],
    ),
    (
        ["explain", "transpose", *CASE, "--nidm", "1"],
        "unrecognized arguments: --nidm (did you mean --ndim?)",
        ["explain", "transpose", *CASE, "--ndim", "1"],
    ),
    (
        ["shapes", "transpose", *CASE, "--strides", "2", "--pad", "1"],
        "unrecognized arguments: --strides (did you mean --stride?), --pad (did you mean --padding?)",
        ["shapes", "transpose", *CASE, "--stride", "2", "--padding", "1"],
    ),
]


@pytest.mark.parametrize(
    ("argv", "line", "fixed"), FLAG_TYPOS, ids=[a[-2] for a, _, _ in FLAG_TYPOS]
)
def test_mistyped_flags_get_the_flag_meant(capsys, argv, line, fixed):
    prog = f"python -m jconv {argv[0]}: error: "
    assert fails(capsys, argv) == prog + line + HELP
    runs(capsys, fixed)


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["shapes", "transpose", *CASE, "--output", "7"],
            SHAPES + "unrecognized arguments: --output (did you mean --output-size or "
            "--output-padding?)",
        ),
        (
            ["shapes", "conv", *CASE, "--groups", "2"],
            SHAPES + "unrecognized arguments: --groups (only explain and draw take it)",
        ),
        (
            ["explain", "conv", *CASE, "-o", "x.gif"],
            "python -m jconv explain: error: unrecognized arguments: -o (only draw takes it)",
        ),
        (
            ["--input", "5", "shapes", "conv", "--kernel", "3"],
            "python -m jconv: error: unrecognized arguments: --input (an option of shapes, "
            "explain and draw: put it after the command)",
        ),
        (
            ["shapes", "conv", *CASE, "--bogus", "-q"],
            SHAPES + "unrecognized arguments: --bogus, -q",
        ),
        (
            ["shapes", "conv", "--inp", "5", "--kernel", "3"],  # no abbreviations
            SHAPES + "unrecognized arguments: --inp (did you mean --input?)",
        ),
    ],
)
def test_other_unknown_flags(capsys, argv, line):
    assert fails(capsys, argv) == line + HELP


def test_a_mistyped_flag_is_reported_before_a_missing_one(capsys):
    # argparse alone says "the following arguments are required: --kernel" here.
    err = fails(capsys, ["draw", "transpose", "--input", "2", "--kernel-size", "3"])
    assert err == (
        "python -m jconv draw: error: unrecognized arguments: --kernel-size "
        "(did you mean --kernel?)" + HELP
    )


def test_values_that_look_like_flags_are_left_to_argparse(capsys):
    out = runs(capsys, ["shapes", "conv", *CASE, "--padding=-1:0", "--ndim", "1"])
    assert "padding [(-1, 0)]" in out


KIND_CHOICES = (
    "(choose from 'conv' or 'transpose', also spelled 'deconv', 'deconvolution' or 'transposed')"
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tranpose", "transpose"),
        ("deconvolutoin", "deconvolution"),
        ("Conv2D", "conv"),
        ("conv2d_transpose", "transpose"),
        ("ConvTranspose2d", "transpose"),
        ("convolution", "conv"),
        ("deconv2d", "deconv"),
        ("xyz", None),
    ],
)
@pytest.mark.parametrize("command", ["shapes", "explain", "draw"])
def test_mistyped_operations(capsys, tmp_path, command, typed, meant):
    argv = [command, typed, "--input", "2", "--kernel", "3", "--ndim", "1"]
    if command == "draw":
        argv += ["-o", str(tmp_path / "t.png")]
    want = f"python -m jconv {command}: error: argument kind: invalid choice: {typed!r} "
    want += KIND_CHOICES
    if meant is not None:
        want += f"; did you mean {meant!r}?"
    assert fails(capsys, argv) == want + HELP
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match=r"invalid choice: .* \(choose from 'conv' or 'transpose'"):
        names.kind(typed)


@pytest.mark.parametrize(
    ("typed", "meant"), [("shape", "shapes"), ("explian", "explain"), ("animate", "draw")]
)
def test_mistyped_commands(capsys, typed, meant):
    err = fails(capsys, [typed, "transpose", *CASE])
    assert err == (
        f"python -m jconv: error: argument COMMAND: invalid choice: {typed!r} (choose from "
        f"'shapes', 'explain', 'draw', 'demo'); did you mean {meant!r}?" + HELP
    )


def test_every_flag_hint_names_a_real_flag():
    p = parser()
    flags = {f for sub in p.commands.values() for f in sub.flags}
    assert set(names.FLAG_HINTS.values()) <= flags
    assert "--stride" in flags and "--strides" not in flags


# -- synonyms -------------------------------------------------------------------

SYNONYMS = ["deconv", "deconvolution", "transposed", "DECONV", "Deconvolution", "TransPosed"]


@pytest.mark.parametrize("synonym", SYNONYMS)
def test_synonyms_of_transpose(capsys, tmp_path, synonym):
    case = ["--input", "3", "--kernel", "3", "--stride", "2", "--padding", "1"]
    for command in ("shapes", "explain"):
        assert runs(capsys, [command, synonym, *case]) == runs(
            capsys, [command, "transpose", *case]
        )
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    pytest.importorskip("matplotlib", reason="needs the viz extra (pip install -e .[viz])")
    said = runs(capsys, ["draw", synonym, *case, "--ndim", "1", "-o", str(a)])
    runs(capsys, ["draw", "transpose", *case, "--ndim", "1", "-o", str(b)])
    assert said.startswith(f"wrote {a} (") and a.read_bytes() == b.read_bytes()
    assert parser().parse_args(["shapes", synonym, *case]).kind == "transpose"


def test_operation_names_in_any_case(capsys):
    assert parser().parse_args(["shapes", "CONV", *CASE]).kind == "conv"
    assert parser().parse_args(["shapes", "Transpose", *CASE]).kind == "transpose"
    out = runs(capsys, ["shapes", "TRANSPOSE", *CASE])
    assert out.startswith("jconv.conv_transpose, 2-D:")


def test_help_mentions_the_synonyms(capsys):
    for argv in (["--help"], ["shapes", "--help"], ["explain", "--help"], ["draw", "--help"]):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "transpose is also spelled deconv, deconvolution or transposed (any case)" in text


# -- one default rank -----------------------------------------------------------


def test_every_command_defaults_to_the_same_rank(capsys, tmp_path):
    case = ["--input", "2", "--kernel", "3", "--stride", "2"]
    want = shapes.transpose_output_shape((2, 2), (3, 3), 2)  # the 2-D default
    out = runs(capsys, ["shapes", "transpose", *case])
    assert out == runs(capsys, ["shapes", "transpose", *case, "--ndim", "2"])
    assert f"  output size:      {want}" in out
    out = runs(capsys, ["explain", "transpose", *case])
    assert out == runs(capsys, ["explain", "transpose", *case, "--ndim", "2"])
    assert out.startswith("jconv.conv_transpose, 2-D: input (2, 2)")
    listed = re.findall(r"^    (y\d\d) = ", out, flags=re.M)
    assert listed == [f"y{r}{c}" for r in range(want[0]) for c in range(want[1])]
    pytest.importorskip("matplotlib", reason="needs the viz extra (pip install -e .[viz])")
    from jconv import viz

    out = runs(capsys, ["draw", "transpose", *case, "-o", str(tmp_path / "t.gif")])
    frames = want[0] * want[1]
    assert re.fullmatch(rf"wrote .* \(\d+x\d+ pixels, {frames} frames\)\n", out)
    drawing = viz.diagram("transpose", 2, 3, 2, path=tmp_path / "t.png")
    assert drawing.outputs == (tuple(s // 2 for s in want),)  # the middle of a 2-D output
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default: from the sizes given, else 2)" in text and "else 1" not in text


@pytest.mark.parametrize("synonym", ["deconv", "Transposed"])
def test_the_python_api_names_the_kind_it_takes(synonym):
    from jconv._teaching.mapping import index_map

    with pytest.raises(ValueError, match=r"a transposed convolution is kind='transpose'"):
        index_map(synonym, 2, 3)
    with pytest.raises(ValueError, match=r"received kind='conv3'\.$"):
        index_map("conv3", 2, 3)
