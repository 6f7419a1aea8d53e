"""benchmarks/gpu_check.py: its smoke run on CPU, a wrong algorithm caught by its grid, its
gradient oracle against PyTorch and the scatter definition, its argument checks, and both
ways of starting it."""

from __future__ import annotations

import contextlib
import doctest
import io
import itertools
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import jconv
from benchmarks import gpu_check, suite
from jconv._algorithms import registry
from tests import oracle

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _main(argv: list[str]) -> tuple[str, int]:
    """``gpu_check.main(argv)``'s stdout and exit status."""
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        try:
            gpu_check.main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return out.getvalue(), code


def _grid_line(text: str, name: str) -> re.Match[str]:
    match = re.search(
        rf"^grid  {re.escape(name)}\s+(\d+)/(\d+) passed, (\d+) failed; worst ", text, re.M
    )
    assert match, f"no grid line for {name!r} in:\n{text}"
    return match


@pytest.fixture(scope="module")
def smoke() -> str:
    text, code = _main(["--smoke"])
    assert code == 0, text
    return text


def test_smoke_has_a_passing_grid_line_per_algorithm(smoke):
    names = [*registry.ALGORITHMS, "auto"]
    assert set(jconv.ALGORITHMS) <= set(names)
    for name in names:
        run, total, failed = map(
            int, _grid_line(smoke, f"conv_transpose algorithm={name}").groups()
        )
        assert (run, failed) == (total, 0) and total == gpu_check.SMOKE_GRID["transpose"]
    run, total, failed = map(int, _grid_line(smoke, "conv").groups())
    assert (run, failed) == (total, 0) and total == gpu_check.SMOKE_GRID["conv"]
    assert "FAILED" not in smoke and "INCOMPLETE" not in smoke


def test_smoke_has_a_timed_row_per_layer(smoke):
    lines = smoke.splitlines()
    for case in suite.SUITE:
        rows = [line for line in lines if line.startswith(case.name + "  ")]
        assert len(rows) == 1, (case.name, smoke)
        cells = rows[0][len(case.name) :].split()
        # every jconv algorithm, auto and PyTorch (CPU) timed: 'fwd/f+b' cells with numbers
        timed = [c for c in cells if re.fullmatch(r"[\d.e+-]+/[\d.e+-]+", c)]
        assert len(timed) >= len(registry.ALGORITHMS) + 2, rows[0]
        assert "error" not in cells and "skipped" not in rows[0]
    assert " failed: " not in smoke  # no implementation raised
    assert re.search(r'^suggested auto rule on cpu: "\w+"', smoke, re.M), smoke
    assert re.search(r"^elapsed \d+ s$", smoke, re.M)


def test_a_wrong_algorithm_fails_the_grid_and_the_exit_status():
    """Registered while the check runs, so the check must read the registry at run time."""

    def wrong(x, kernel, spec):
        return registry.ALGORITHMS["lhs_dilation"](x, kernel, spec) * 1.01

    registry.ALGORITHMS["_wrong"] = wrong
    try:
        text, code = _main(["--smoke", "--grid-only"])
    finally:
        del registry.ALGORITHMS["_wrong"]
    assert code == 1, text
    run, total, failed = map(int, _grid_line(text, "conv_transpose algorithm=_wrong").groups())
    assert (run, failed) == (0, total) and total > 0
    # each failure names the configuration and the error of out, dx and dw (about 1e-2)
    assert re.search(r"^        transpose-.*: out [\d.]+e-0[23], dx ", text, re.M), text
    for name in (*registry.ALGORITHMS, "auto"):
        assert int(_grid_line(text, f"conv_transpose algorithm={name}").group(3)) == 0
    assert text.rstrip().endswith(
        "FAILED: the correctness grid has failures or did not finish (above)"
    )
    assert "== speed" not in text


def test_the_time_limit_stops_the_grid_and_the_layers_and_fails_the_run():
    text, code = _main(["--smoke", "--max-minutes", "1e-9"])
    assert code == 1, text
    total = sum(gpu_check.SMOKE_GRID.values())
    assert f"GRID INCOMPLETE: stopped at the time limit after 0 of {total} configurations" in text
    for case in suite.SUITE:
        assert re.search(rf"^{re.escape(case.name)}\s+skipped", text, re.M), text
        assert f"  {case.name}: skipped, --max-minutes reached" in text
    assert "no layer timed every algorithm: no suggestion" in text


def _torch_transpose_grads(y, w, ct, stride, padding, output_padding, dilation, groups):
    torch = pytest.importorskip("torch", reason="needs torch for the autograd comparison")
    n = y.ndim - 2
    first = (0, n + 1, *range(1, n + 1))
    yt = torch.tensor(y.transpose(first), requires_grad=True)
    wt = torch.tensor(w.transpose(n + 1, n, *range(n)), requires_grad=True)
    conv = getattr(torch.nn.functional, f"conv_transpose{n}d")
    out = conv(yt, wt, None, stride, padding, output_padding, groups, dilation)
    assert out.shape[2:] == ct.shape[1:-1]
    dy, dw = torch.autograd.grad(out, (yt, wt), torch.tensor(ct.transpose(first)))
    return np.moveaxis(dy.numpy(), 1, -1), dw.numpy().transpose(*range(2, n + 2), 1, 0)


@pytest.mark.parametrize(
    "in_sizes, window, stride, padding, output_padding, dilation, groups, cout_g, cin",
    [
        ((3, 4), (3, 2), (2, 3), (1, 0), (1, 2), (1, 2), 2, 2, 4),
        ((5,), (4,), (3,), (2,), (1,), (2,), 3, 1, 3),
        ((2, 3, 2), (2, 3, 2), (2, 1, 3), (0, 1, 1), (1, 0, 2), (1, 1, 1), 1, 2, 3),
    ],
)
def test_transpose_grads_match_torch_autograd(
    in_sizes, window, stride, padding, output_padding, dilation, groups, cout_g, cin
):
    rng = np.random.default_rng(len(in_sizes))
    y = rng.standard_normal((2, *in_sizes, cin))
    w = rng.standard_normal((*window, cout_g, cin))
    out = oracle.conv_transpose(
        y, w, stride, [(p, p) for p in padding], dilation, groups, output_padding=output_padding
    )
    ct = rng.standard_normal(out.shape)
    dy, dw = gpu_check.transpose_grads(
        y, w, ct, stride, [(p, p) for p in padding], dilation, groups
    )
    want_dy, want_dw = _torch_transpose_grads(
        y, w, ct, stride, padding, output_padding, dilation, groups
    )
    oracle.assert_close(dy, want_dy)
    oracle.assert_close(dw, want_dw)


def test_transpose_grads_follow_from_the_scatter_definition():
    """Negative and asymmetric padding (which PyTorch does not take): the input gradient is
    the convolution of the cotangent (the adjoint), and the transpose is linear in the
    kernel, so each kernel-gradient entry is <ct, conv_transpose(y, one-hot kernel)>."""
    rng = np.random.default_rng(3)
    stride, dilation, groups, padding = (2, 1), (1, 2), 2, [(-1, 2), (2, 0)]
    y = rng.standard_normal((2, 3, 4, 4))
    w = rng.standard_normal((3, 2, 1, 4))
    out = oracle.conv_transpose(y, w, stride, padding, dilation, groups)
    ct = rng.standard_normal(out.shape)
    dy, dw = gpu_check.transpose_grads(y, w, ct, stride, padding, dilation, groups)
    oracle.assert_close(dy, oracle.conv(ct, w, stride, padding, dilation, groups))
    want_dw = np.zeros_like(w)
    for j in itertools.product(*map(range, w.shape)):
        basis = np.zeros_like(w)
        basis[j] = 1.0
        want_dw[j] = np.sum(ct * oracle.conv_transpose(y, basis, stride, padding, dilation, groups))
    oracle.assert_close(dw, want_dw)


def test_docstring_examples():
    assert doctest.testmod(gpu_check, raise_on_error=True).attempted > 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--budget", "0"], r"`--budget` must be a positive number of seconds, got 0\.0"),
        (
            ["--max-minutes", "-1"],
            r"`--max-minutes` must be a positive number of minutes, got -1\.0",
        ),
        (["--grid-only", "--bench-only"], r"`--grid-only` and `--bench-only` exclude each other"),
        (
            ["--only", "no such layer"],
            r"`--only` 'no such layer' matches no layer; the layers are: DCGAN",
        ),
    ],
)
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit, match=r"^2$"):
        gpu_check.main(argv)
    err = capsys.readouterr().err
    assert re.search(rf"gpu_check: error: {message}", err), err


def test_runs_as_a_script_and_as_a_module():
    """From the repository root, without the tests' x64 setting: float32 throughout."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    script = subprocess.run(
        [sys.executable, "benchmarks/gpu_check.py", "--smoke", "--grid-only"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert script.returncode == 0, script.stdout + script.stderr
    assert re.search(
        r"^grid  conv_transpose algorithm=auto\s+3/3 passed, 0 failed", script.stdout, re.M
    )
    module = subprocess.run(
        [sys.executable, "-m", "benchmarks.gpu_check", "--help"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert module.returncode == 0, module.stderr
    assert "--smoke" in module.stdout
