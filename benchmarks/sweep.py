"""The measurements behind ``jconv._algorithms.auto``: each rule's alternatives, timed side by side.

Run ``python -m benchmarks.sweep`` (or ``python benchmarks/sweep.py``) on a
backend to see, per layer shape:

1. ``choose``: forward time of each ``conv_transpose`` algorithm, which is
   fastest and what ``algorithm="auto"`` picks;
2. ``exact_phases``: the phase algorithm's forward with all phases in one
   stacked convolution vs one convolution per phase (exact taps), and which the
   rule picks;
3. ``conv_method``: a grouped strided convolution as XLA's grouped convolution,
   one convolution per group, or the sum of shifted products, forward and
   forward + backward, and which the rule picks.

``--quick`` shrinks every shape (CI).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax
import numpy as np

import jconv
from benchmarks import suite, timing
from jconv._algorithms import auto, phase_ops
from jconv._algorithms import registry as _algorithms
from jconv._canonical.spec import conv_spec

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
    return auto.choose(_spec_of(case, d, x, w))


# (x shape, window, c_out, stride, padding, output_padding, groups): kernels that do
# not divide by the stride, where the stacked phase kernel has zero taps.
PHASE_SWEEP = (
    ((8, 32, 32, 64), 3, 32, 2, 1, 1, 1),
    ((2, 64, 64, 128), 3, 128, 2, 1, 1, 1),
    ((4, 32, 32, 64), 5, 64, 2, 2, 1, 1),
    ((4, 32, 32, 64), 5, 32, 3, 1, 0, 1),
    ((4, 8192, 64), 3, 64, 2, 1, 1, 1),
    ((4, 4096, 128), 5, 128, 4, 1, 0, 1),
    ((2, 8, 16, 16, 32), 3, 32, 2, 1, 1, 1),
    ((4, 32, 32, 128), 3, 128, 2, 1, 1, 4),
)

# (x shape, window, c_out, stride, groups): grouped strided convolutions.
GROUPED_SWEEP = (
    ((8, 64, 64, 128), 4, 256, 2, 8),
    ((8, 32, 32, 256), 3, 256, 1, 8),
    ((8, 32, 32, 256), 3, 256, 2, 16),
    ((8, 32, 32, 128), 3, 128, 2, 32),
    ((8, 32, 32, 128), 3, 128, 1, 2),
    ((4, 4096, 128), 4, 128, 2, 4),
    ((2, 16, 32, 32, 64), 3, 64, 2, 4),
    ((8, 64, 64, 64), 3, 64, 2, 64),
    ((8, 32, 32, 256), 3, 8, 1, 8),
)


def _shrink(shape, quick: bool):
    if not quick:
        return shape
    n = len(shape) - 2
    return (1, *(min(s, 64 if n == 1 else 6) for s in shape[1:-1]), shape[-1])


def _time(entries, budget):
    t = timing.interleaved(entries, min_reps=3, max_reps=15, budget_s=budget)
    return {k: t.median(k) * 1e3 for k in entries}


def _compiled(fun, *args, **patch):
    """``fun`` compiled now, with ``jconv._algorithms.auto``'s rules replaced as given."""
    saved = {name: getattr(auto, name) for name in patch}
    try:
        for name, value in patch.items():
            setattr(auto, name, value)
        # a fresh function: jax.jit reuses the trace of a function it has seen
        return jax.jit(lambda *a: fun(*a)).lower(*args).compile()
    finally:
        for name, value in saved.items():
            setattr(auto, name, value)


def sweep_phases(quick: bool, budget: float) -> None:
    print("\n== exact_phases: phase forward, stacked vs one convolution per phase (ms) ==")
    print(
        f"{'layer':<44}{'efficiency':>11}{'stacked':>10}{'exact':>10}{'rule picks':>12}{'fastest':>9}"
    )
    for shape, k, c_out, s, p, op, g in PHASE_SWEEP:
        shape = _shrink(shape, quick)
        n = len(shape) - 2
        rng = np.random.default_rng(0)
        x = jax.device_put(rng.standard_normal(shape, dtype=np.float32))
        w = jax.device_put(
            rng.standard_normal((k,) * n + (c_out // g, shape[-1]), dtype=np.float32)
        )
        case = suite.Case("", shape, (k,) * n, c_out, s, p, op, g)
        fun = _layer(case, 1, "phase")
        entries = {
            name: (_compiled(fun, x, w, exact_phases=lambda spec, plans, v=v: v), (x, w))
            for name, v in (("stacked", False), ("exact", True))
        }
        ms = _time(entries, budget)
        spec = _spec_of(case, 1, x, w)
        plans = phase_ops.plan(spec)
        eff = float(np.prod([q.efficiency for q in plans]))
        pick = "exact" if auto.exact_phases(spec, plans) else "stacked"
        name = f"{'x'.join(map(str, shape))} k{k} s{s} g{g} ->{c_out}"
        print(
            f"{name:<44}{eff:>11.2f}{ms['stacked']:>10.2f}{ms['exact']:>10.2f}{pick:>12}"
            f"{min(ms, key=ms.__getitem__):>9}"
        )
        sys.stdout.flush()


def sweep_groups(quick: bool, budget: float) -> None:
    print(
        "\n== conv_method: grouped jconv.conv, fwd / fwd+bwd (ms), every strided convolution so =="
    )
    methods = ("lax", "per_group", "correlate")
    head = "".join(f"{m:>18}" for m in methods)
    print(f"{'layer':<40}{head}{'rule picks':>12}{'fastest':>11}")
    for shape, k, c_out, s, g in GROUPED_SWEEP:
        shape = _shrink(shape, quick)
        n = len(shape) - 2
        rng = np.random.default_rng(0)
        x = jax.device_put(rng.standard_normal(shape, dtype=np.float32))
        w = jax.device_put(
            rng.standard_normal((k,) * n + (shape[-1] // g, c_out), dtype=np.float32)
        )

        def fwd(x, w, s=s, g=g):
            return jconv.conv(x, w, s, "SAME", groups=g)

        def fwd_bwd(x, w, ct, fwd=fwd):
            y, vjp = jax.vjp(fwd, x, w)
            return (y, *vjp(ct))

        ct = jax.device_put(rng.standard_normal(jax.eval_shape(fwd, x, w).shape, dtype=np.float32))
        entries: dict[tuple[str, str], tuple[Any, tuple[Any, ...]]] = {}
        for m in methods:
            if m == "correlate" and min(shape[-1], c_out) // g > 16:
                continue  # one product per channel pair: only for few channels per group
            rule = {"conv_method": lambda spec, c_in, c_out, backend=None, m=m: m}
            entries[(m, "f")] = (_compiled(fwd, x, w, **rule), (x, w))
            entries[(m, "fb")] = (_compiled(fwd_bwd, x, w, ct, **rule), (x, w, ct))
        ms = _time(entries, budget)
        cells = "".join(
            f"{ms[(m, 'f')]:>9.2f}/{ms[(m, 'fb')]:<8.2f}" if (m, "f") in ms else f"{'—':>18}"
            for m in methods
        )
        fastest = min((m for m in methods if (m, "f") in ms), key=lambda m: ms[(m, "fb")])
        spec = conv_spec(
            "sweep", x, w, s, "SAME", dilation=1, groups=g, padding_mode="zeros",
            data_format=None, precision=None, preferred_element_type=None,
        ).spec  # fmt: skip
        pick = auto.conv_method(spec, shape[-1], c_out)
        name = f"{'x'.join(map(str, shape))} k{k} s{s} g{g} ->{c_out}"
        print(f"{name:<40}{cells}{pick:>12}{fastest:>11}")
        sys.stdout.flush()


def _spec_of(case: suite.Case, d: int, x, w):
    seen = []

    def spy(x, w, spec):
        seen.append(spec)
        return _algorithms.ALGORITHMS["lhs_dilation"](x, w, spec)

    _algorithms.ALGORITHMS["_spy"] = spy
    try:
        jax.eval_shape(_layer(case, d, "_spy"), x, w)
    finally:
        del _algorithms.ALGORITHMS["_spy"]
    return seen[-1]


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
        ms = {n: (t.median(n) or 0.0) * 1e3 for n in names}
        cells = "".join(f"{ms[n]:>14.2f}" for n in names)
        print(
            f"{case.name:<48}{cells}{_picked(case, d, x, w):>14}{min(ms, key=ms.__getitem__):>14}"
        )
        sys.stdout.flush()
    sweep_phases(args.quick, budget)
    sweep_groups(args.quick, budget)


if __name__ == "__main__":
    main()
