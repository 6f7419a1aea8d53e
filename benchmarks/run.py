"""Side-by-side timing of jconv's convolutions against lax, TensorFlow and PyTorch.

Run ``python benchmarks/run.py`` (or ``python -m benchmarks.run``) from the
repository root: the transposed convolutions of :data:`benchmarks.suite.SUITE`,
then the strided convolutions of :data:`benchmarks.suite.CONV_SUITE`
(``--transpose`` or ``--conv`` runs one of them); ``--quick`` runs tiny
sizes (CI runs it and asserts nothing about time). For every layer it times,
interleaved round-robin in one process, every jconv entry (``auto`` and each
name in ``jconv.ALGORITHMS``; ``jconv.conv``), its ``lax`` counterpart,
TensorFlow (transposes, ``tf.function(jit_compile=False)``) and PyTorch,
contiguous channels-first and ``channels_last``, when importable, forward and
forward + backward (gradients w.r.t. input and kernel) beside a same-run
XLA matmul. It prints medians, ratios of jconv to each peer and to PyTorch at
its best layout, achieved GFLOP/s (useful multiply-adds only) as a fraction of
the matmul's, XLA compile times, XLA's compiled peak memory for every JAX
entry, the largest error against the reference, and the issue's targets.

This module measures; :mod:`benchmarks.report` formats and prints the
per-layer tables, the summaries, the targets and the machine line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax
import numpy as np

from benchmarks import suite, timing
from benchmarks.report import (
    MODES,
    Bench,
    describe_machine,
    print_case,
    print_summary,
    print_targets,
)

TRANSPOSE = Bench(
    "transposed convolution (jconv.conv_transpose)",
    suite.SUITE,
    "jconv auto",
    "lax.conv_transpose",
    "jconv lhs_dilation",
)
CONV = Bench(
    "strided convolution (jconv.conv)",
    suite.CONV_SUITE,
    "jconv.conv",
    "lax.conv_general_dilated",
    None,
)


def _rel_err(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    return max(
        float(np.max(np.abs(g - r)) / max(np.max(np.abs(r)), 1e-30)) for g, r in zip(got, want)
    )


def _matmul(n: int) -> tuple[Callable[..., Any], tuple[Any, ...], int]:
    a = jax.device_put(np.random.default_rng(1).standard_normal((n, n), dtype=np.float32))
    return jax.jit(lambda a: a @ a), (a,), 2 * n**3


def bench_case(case: suite.AnyCase, args, matmul) -> dict[str, Any]:
    """Compiles, checks, times and measures every implementation of one case."""
    x, w, ct = suite.operands(case)
    impls = suite.implementations(case)
    operands = {impl.name: impl.prepare(x, w, ct) for impl in impls}
    runs: dict[str, dict[str, Callable[..., Any]]] = {}
    compile_s, memory = {}, {}
    for impl in impls:
        xi, wi, cti = operands[impl.name]
        if impl.jax_fun is None:
            runs[impl.name] = {"fwd": impl.fwd, "fwd_bwd": impl.fwd_bwd}
            continue
        f = timing.compile_fresh(impl.jax_fun, xi, wi, reps=args.compile_reps)
        fb = timing.compile_fresh(suite.vjp_all(impl.jax_fun), xi, wi, cti, reps=args.compile_reps)
        runs[impl.name] = {"fwd": f.executable, "fwd_bwd": fb.executable}
        compile_s[impl.name] = (f.seconds, fb.seconds)
        memory[impl.name] = (f.memory, fb.memory)
    expected: dict[str, list[np.ndarray]] = {}
    errors = {}
    for impl in impls:
        xi, wi, cti = operands[impl.name]
        if impl.semantics not in expected:
            expected[impl.semantics] = suite.reference(case, impl.semantics, x, w, ct)
        want = expected[impl.semantics]
        got = impl.results_to_numpy([runs[impl.name]["fwd"](xi, wi)])
        got += impl.results_to_numpy(runs[impl.name]["fwd_bwd"](xi, wi, cti))
        errors[impl.name] = _rel_err(got, [want[0], *want])
    entries: dict[Any, tuple[Callable[..., Any], tuple[Any, ...]]] = {
        "matmul": (matmul[0], matmul[1])
    }
    for impl in impls:
        xi, wi, cti = operands[impl.name]
        entries[(impl.name, "fwd")] = (runs[impl.name]["fwd"], (xi, wi))
        entries[(impl.name, "fwd_bwd")] = (runs[impl.name]["fwd_bwd"], (xi, wi, cti))
    t = timing.interleaved(
        entries, min_reps=args.min_reps, max_reps=args.max_reps, budget_s=args.budget
    )
    counts = [len(v) for v in t.samples.values()]
    return {
        "case": case,
        "impls": [impl.name for impl in impls],
        **{m: {i.name: t.median((i.name, m)) for i in impls} for m in MODES},
        "rounds": (min(counts), max(counts)),
        "matmul_gflops": matmul[2] / t.median("matmul") / 1e9,
        "compile": compile_s,
        "memory": memory,
        "error": errors,
    }


def warm_up(case: suite.AnyCase) -> None:
    """Compiles every JAX entry of a tiny ``case`` once, discarding the result.

    One-time costs (lazy imports, XLA's first compilation of an op) are then
    not charged to the first layer's compile time.
    """
    x, w, ct = suite.operands(suite.quick(case))
    for impl in suite.implementations(suite.quick(case)):
        if impl.jax_fun is not None:
            xi, wi, cti = impl.prepare(x, w, ct)
            timing.compile_fresh(impl.jax_fun, xi, wi)
            timing.compile_fresh(suite.vjp_all(impl.jax_fun), xi, wi, cti)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few rounds (CI)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--conv", action="store_true", help="only the strided convolutions")
    which.add_argument("--transpose", action="store_true", help="only the transposes")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--markdown", action="store_true", help="summary tables in Markdown")
    parser.add_argument("--matmul", type=int, default=None, help="matmul size (default 2048)")
    parser.add_argument("--torch-threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--min-reps", type=int, default=None)
    parser.add_argument("--max-reps", type=int, default=None)
    parser.add_argument("--budget", type=float, default=None, help="seconds of timing per case")
    parser.add_argument(
        "--compile-reps", type=int, default=None, help="fresh compilations, least time kept"
    )
    args = parser.parse_args(argv)
    args.min_reps = args.min_reps or (2 if args.quick else 3)
    args.max_reps = args.max_reps or (3 if args.quick else 15)
    args.budget = args.budget or (0.3 if args.quick else 25.0)
    args.compile_reps = args.compile_reps or (1 if args.quick else 3)
    benches = [b for b in (TRANSPOSE, CONV) if not (args.conv and b is TRANSPOSE)]
    benches = [b for b in benches if not (args.transpose and b is CONV)]
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    n = args.matmul or (256 if args.quick else 2048)
    modules = ("tensorflow", "torch") if TRANSPOSE in benches else ("torch",)
    describe_machine(n, modules)
    matmul = _matmul(n)
    done = []
    for bench in benches:
        cases = [suite.quick(c) if args.quick else c for c in bench.cases if args.only in c.name]
        if not cases:
            continue
        print(f"\n##### {bench.title} #####")
        warm_up(cases[0])
        results = []
        for case in cases:
            results.append(bench_case(case, args, matmul))
            print_case(results[-1], bench)
            sys.stdout.flush()
        done.append((bench, print_summary(results, bench, args.markdown)))
    for bench, figs in done:
        print_targets(bench, figs)


if __name__ == "__main__":
    main()
