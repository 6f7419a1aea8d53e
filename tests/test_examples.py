"""Every script in examples/ runs, and the README's code blocks are correct."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
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
