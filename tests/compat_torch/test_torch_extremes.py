"""compat.torch with huge shape arguments: a clear error, never a hang or a crash.

Each argument's values run in a fresh subprocess with a timeout, so an XLA abort
(SIGABRT) or a runaway allocation fails the test instead of killing the run.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = r"""
import sys
import numpy as np
from compat import torch
F = torch.nn.functional
X = np.ones((1, 4, 5, 5), np.float32)
W = {"conv2d": np.ones((6, 2, 3, 3), np.float32), "conv_transpose2d": np.ones((4, 3, 3, 3), np.float32)}
fn, name = sys.argv[1], sys.argv[2]
for value in eval(sys.argv[3]):
    kwargs = {"groups": 2, "stride": 2} if name == "output_padding" else {"groups": 2}
    kwargs[name] = value
    print(repr(value).replace(" ", ""), end=" ", flush=True)  # the last one shown is the one that hung or crashed
    try:
        print("OK", tuple(getattr(F, fn)(X, W[fn], **kwargs).shape), flush=True)
    except (TypeError, ValueError, NotImplementedError) as e:
        print("RAISED", type(e).__name__, str(e).replace("\n", " "), flush=True)
"""

HUGE = [2**63, -(2**63), 2**62, 10**12, 2**40, 2**31, (1, 2**62), (1, 10**12)]
CASES = [("conv2d", name) for name in ("stride", "padding", "dilation", "groups")] + [
    ("conv_transpose2d", name)
    for name in ("stride", "padding", "output_padding", "dilation", "groups")
]


@pytest.mark.parametrize(("fn", "name"), CASES, ids=[f"{f}-{n}" for f, n in CASES])
def test_huge_shape_arguments_fail_cleanly(fn, name):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, fn, name, repr(HUGE)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-1000:] + done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == len(HUGE), done.stdout
    for line in lines:
        if " OK " in line:  # a stride larger than the input: one output, as in torch
            assert (fn, name) == ("conv2d", "stride") and line.endswith(
                ("(1, 6, 1, 1)", "(1, 6, 3, 1)")
            ), line
            continue
        _, raised, kind, message = line.split(" ", 3)
        assert raised == "RAISED" and kind in ("TypeError", "ValueError"), line
        assert message.startswith(f"{fn}(): ") and name.split("_")[-1] in message, line
        assert "XlaRuntimeError" not in message and "Overflow" not in message, line
