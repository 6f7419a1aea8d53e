"""Every script in examples/ runs, and the README's code blocks are correct."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script):
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_quickstart_prints_the_tutorial_numbers():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    assert "[[4.5      5.4     ]\n [8.099999 9.      ]]" in out  # as TF 2.21 prints it
    assert "pass one of [5, 6]" in out


def test_readme_examples():
    # The README's >>> blocks run as doctests in a fresh namespace (default float32 JAX).
    script = (
        "import doctest, sys\n"
        f"r = doctest.testfile({str(ROOT / 'README.md')!r}, module_relative=False,\n"
        "    optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)\n"
        "print(r)\n"
        "sys.exit(1 if r.failed or not r.attempted else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def readme_commands():
    text = (ROOT / "README.md").read_text()
    blocks = text.split("## Quick start", 1)[1].split("## ", 1)[0].split("```bash\n")[1:]
    return [block.split("\n```", 1)[0].strip() for block in blocks]


def test_readme_has_exactly_two_commands_and_ci_runs_the_test_one():
    demo, tests = readme_commands()
    assert "python -m jconv demo" in demo and "pytest" in tests
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci, "the README's test command must be what .ci/run runs"


def test_tf_tutorial_prints_tensorflows_numbers():
    # Expected values: TensorFlow 2.21's output for the same code.
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tf_tutorial.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    ).stdout
    lines = out.splitlines()
    assert lines[:6] == [
        "(1, 4, 4, 3)",
        "(1, 2, 2, 1)",
        "(1, 1, 1, 1)",
        "(1, 6, 6, 3)",
        "(1, 3, 3, 1)",
        "(1, 2, 2, 1)",
    ]
    assert "[[[[4.5     ]\n   [5.4     ]]\n\n  [[8.099999]\n   [9.      ]]]]" in out
    six = (
        "[[ 4.5  4.5  9.9  5.4  5.4  0. ]\n [ 4.5  4.5  9.9  5.4  5.4  0. ]\n"
        " [12.6 12.6 27.  14.4 14.4  0. ]\n [ 8.1  8.1 17.1  9.   9.   0. ]\n"
        " [ 8.1  8.1 17.1  9.   9.   0. ]\n [ 0.   0.   0.   0.   0.   0. ]]"
    )
    five = (
        "[[ 4.5  4.5  9.9  5.4  5.4]\n [ 4.5  4.5  9.9  5.4  5.4]\n"
        " [12.6 12.6 27.  14.4 14.4]\n [ 8.1  8.1 17.1  9.   9. ]\n [ 8.1  8.1 17.1  9.   9. ]]"
    )
    assert six in out and five in out
    assert "[[12.6]\n   [27. ]\n   [27. ]\n   [14.4]]" in out  # the stride-1 4x4 result
    error = lines[-1]
    assert error.startswith(
        "InvalidArgumentError: Conv2DCustomBackpropInput: Size of out_backprop doesn't match "
        "computed: actual = 2, computed = 3 spatial_dim: 1 input: 7 filter: 3 output: 2 stride: 2"
    )
    assert "dimension 1: [5, 6], dimension 2: [5, 6]" in error
