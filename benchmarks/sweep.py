"""The measurements behind ``choose()``: forward time of each jconv algorithm on a shape sweep.

Run ``python -m benchmarks.sweep`` (or ``python benchmarks/sweep.py``) on a
backend to see, per layer shape, which algorithm is fastest and what
``algorithm="auto"`` picks there. ``--quick`` shrinks every shape (CI).
"""

from __future__ import annotations

import argparse
import os
import sys

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax
import numpy as np

import jconv
from benchmarks import suite, timing
from jconv._algorithms import registry as _algorithms

# (x shape, window, c_out, stride, padding, output_padding, dilation, groups)
SWEEP = (
    ((8, 32, 32, 128), 4, 64, 2, 1, 0, 1, 1),
    ((4, 32, 32, 256), 2, 128, 2, 0, 0, 1, 1),
    ((8, 32, 32, 64), 3, 32, 2, 1, 1, 1, 1),
    ((16, 16, 16, 256), 4, 128, 2, 1, 0, 1, 1),
    ((1, 128, 128, 16), 4, 3, 2, 1, 0, 1, 1),
    ((4, 32, 32, 64), 5, 32, 3, 1, 0, 1, 1),
    ((2, 16, 16, 64), 8, 32, 4, 2, 0, 1, 1),
    ((4, 32, 32, 64), 1, 64, 2, 0, 1, 1, 1),
    ((4, 32, 32, 64), 3, 64, 2, 2, 1, 2, 1),
    ((4, 32, 32, 64), 3, 64, 2, 1, 1, 1, 4),
    ((4, 8192, 64), 3, 64, 2, 1, 1, 1, 1),
    ((16, 1024, 256), 2, 256, 2, 0, 0, 1, 1),
    ((4, 2048, 64), 5, 64, 2, 2, 1, 1, 1),
    ((2, 8, 16, 16, 32), 3, 32, 2, 1, 1, 1, 1),
)


def _case(row, quick: bool) -> tuple[suite.Case, int]:
    shape, k, c_out, s, p, op, d, g = row
    n = len(shape) - 2
    case = suite.Case(
        f"{'x'.join(map(str, shape))} k{k} s{s} p{p} op{op} d{d} g{g} ->{c_out}",
        shape,
        (k,) * n,
        c_out,
        s,
        p,
        op,
        g,
    )
    return (suite.quick(case) if quick else case), d


def _layer(case: suite.Case, d: int, algorithm: str):
    def fun(x, w):
        return jconv.conv_transpose(
            x, w, case.stride, case.padding, output_padding=case.output_padding or None,
            dilation=d, groups=case.groups, algorithm=algorithm,
        )  # fmt: skip

    return fun


def _picked(case: suite.Case, d: int, x, w) -> str:
    """What ``algorithm="auto"`` runs for this layer, read through a registered spy."""
    seen = []

    def spy(x, w, spec):
        seen.append(spec)
        return _algorithms.ALGORITHMS["lhs_dilation"](x, w, spec)

    _algorithms.ALGORITHMS["_spy"] = spy
    try:
        jax.eval_shape(_layer(case, d, "_spy"), x, w)
    finally:
        del _algorithms.ALGORITHMS["_spy"]
    return _algorithms.choose(seen[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI)")
    parser.add_argument("--budget", type=float, default=None, help="seconds per shape")
    args = parser.parse_args(argv)
    budget = args.budget or (0.2 if args.quick else 3.0)
    names = jconv.ALGORITHMS
    print(f"backend {jax.default_backend()}; forward ms, medians of interleaved calls")
    head = "".join(f"{n:>14}" for n in names)
    print(f"{'layer':<48}{head}{'auto picks':>14}{'fastest':>14}")
    for row in SWEEP:
        case, d = _case(row, args.quick)
        rng = np.random.default_rng(0)
        x = jax.device_put(rng.standard_normal(case.x_shape, dtype=np.float32))
        w = jax.device_put(rng.standard_normal(case.kernel_shape, dtype=np.float32))
        entries = {name: (jax.jit(_layer(case, d, name)), (x, w)) for name in names}
        t = timing.interleaved(entries, min_reps=3, max_reps=15, budget_s=budget)
        ms = {n: t.median(n) * 1e3 for n in names}
        cells = "".join(f"{ms[n]:>14.2f}" for n in names)
        print(f"{case.name:<48}{cells}{_picked(case, d, x, w):>14}{min(ms, key=ms.get):>14}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
