"""``python -m jconv demo`` runs the tutorial's examples, with and without the viz extra."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jconv._teaching.cli import parser
from jconv._teaching.demo import GIF_NAME, _session

# The tutorial's results (TensorFlow 2.21's output for the tutorial's code), as the demo prints them.
TUTORIAL = [
    "((1, 2, 2, 1), (1, 1, 1, 1))",
    "((1, 3, 3, 1), (1, 2, 2, 1))",
    "array([[4.5     , 5.4     ],\n       [8.099999, 9.      ]], dtype=float32)",
    "array([[ 4.5,  9.9,  9.9,  5.4],\n       [12.6, 27. , 27. , 14.4],\n"
    "       [12.6, 27. , 27. , 14.4],\n       [ 8.1, 17.1, 17.1,  9. ]], dtype=float32)",
    "       [ 0. ,  0. ,  0. ,  0. ,  0. ,  0. ]], dtype=float32)",
    "[5, 6]",
    "(1, 5, 5, 1)",
    "ValueError: jconv.conv_transpose: output_shape[0]=7 is not reachable",
    "pass one of [5, 6].",
]
TF_HALF = [
    "# compat.tf  (from compat import tf)",
    '(1, 2, 2, 1)\n>>> tuple(tf.nn.conv2d(x1, kernel, strides=[1, 2, 2, 1], padding="VALID")',
    "InvalidArgumentError: ",
]

BLOCK_MATPLOTLIB = (
    "import runpy, sys\n"
    "sys.modules['matplotlib'] = None  # as if the viz extra were not installed\n"
    "sys.argv = ['jconv'] + sys.argv[1:]\n"
    "runpy.run_module('jconv', run_name='__main__', alter_sys=True)\n"
)


def _demo(cwd, *args, block_matplotlib=False):
    cmd = (
        [sys.executable, "-c", BLOCK_MATPLOTLIB]
        if block_matplotlib
        else [sys.executable, "-m", "jconv"]
    )
    return subprocess.run(
        [*cmd, "demo", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_demo_with_viz(tmp_path):
    pytest.importorskip("matplotlib", reason="needs the viz extra (pip install -e .[viz])")
    from PIL import Image

    result = _demo(tmp_path, "--out", "pictures")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for text in TUTORIAL:
        assert text in out
    for text in TF_HALF:
        assert text in out
    path = tmp_path / "pictures" / GIF_NAME
    assert f"wrote {path.relative_to(tmp_path)}: 36 frames" in out
    with Image.open(path) as im:
        assert im.n_frames == 36  # one per cell of the 6x6 output
    assert "Traceback" not in result.stderr


def test_demo_without_viz(tmp_path):
    result = _demo(tmp_path, block_matplotlib=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for text in TUTORIAL:
        assert text in result.stdout
    notes = [line for line in result.stdout.splitlines() if "no picture" in line]
    assert len(notes) == 1 and "pip install jconv[viz]" in notes[0]
    assert list(tmp_path.iterdir()) == []  # nothing written to the current directory


def test_demo_writes_to_the_current_directory_by_default():
    assert parser().parse_args(["demo"]).out == "."


def test_session_reports_lines_that_do_not_behave_as_shown(capsys):
    assert _session(["x = 1", "x + 1"], {}) == 0
    assert capsys.readouterr().out == ">>> x = 1\n>>> x + 1\n2\n"
    assert _session(["1 / 0"], {}) == 1  # an unexpected error
    assert _session(["!1 / 0"], {}) == 0  # an expected one
    assert "ZeroDivisionError: division by zero" in capsys.readouterr().out
    assert _session(["!1"], {}) == 1  # an error that did not happen
