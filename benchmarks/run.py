"""Side-by-side timing of transposed convolutions: jconv against lax, TensorFlow and PyTorch.

Run ``python benchmarks/run.py`` (or ``python -m benchmarks.run``) from the
repository root; ``--quick`` runs tiny sizes in a few seconds (CI runs it and
asserts nothing about time). For every layer of :data:`benchmarks.suite.SUITE`
it times, interleaved round-robin in one process, jconv (``auto``, ``phase``,
``lhs_dilation``), ``jax.lax.conv_transpose``, TensorFlow
(``tf.function(jit_compile=False)``) and PyTorch when importable, forward and
forward + backward (gradients w.r.t. input and kernel), and prints medians,
ratios of jconv ``auto`` to each peer, achieved GFLOP/s (useful multiply-adds
only) as a fraction of a same-run matmul's, XLA compile times, and XLA's
compiled memory analysis for the 3-D layer.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax
import numpy as np

import jconv
from benchmarks import suite, timing

AUTO = "jconv auto"
PEERS = ("lax.conv_transpose", "TensorFlow", "PyTorch")


def _operands(case: suite.Case, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(case.x_shape, dtype=np.float32)
    w = rng.standard_normal(case.kernel_shape, dtype=np.float32) / math.sqrt(
        math.prod(case.window) * case.kernel_shape[-2]
    )
    ct = rng.standard_normal((case.x_shape[0], *case.out_spatial, case.c_out), dtype=np.float32)
    return x, w, ct


def _expected(case: suite.Case, impl: str, x, w, ct) -> list[np.ndarray]:
    """The reference output and gradients with ``impl``'s padding semantics (TF's may differ)."""
    if impl == "TensorFlow":
        kw = {"padding": case.tf_padding, "output_shape": case.out_spatial}
    else:
        kw = {"padding": case.padding, "output_padding": case.output_padding or None}

    def ref(x, w):
        return jconv.conv_transpose(
            x, w, case.stride, groups=case.groups, algorithm="lhs_dilation", **kw
        )

    y, vjp = jax.vjp(ref, x, w)
    return [np.asarray(a) for a in (y, *vjp(ct))]


def _rel_err(got: list[np.ndarray], want: list[np.ndarray]) -> float:
    return max(
        float(np.max(np.abs(g - r)) / max(np.max(np.abs(r)), 1e-30)) for g, r in zip(got, want)
    )


def _matmul(n: int):
    a = jax.device_put(np.random.default_rng(1).standard_normal((n, n), dtype=np.float32))
    return jax.jit(lambda a: a @ a), (a,), 2 * n**3


def bench_case(case: suite.Case, args, matmul) -> dict[str, Any]:
    """Times, compiles, checks and measures every implementation of one case."""
    x, w, ct = _operands(case)
    impls = suite.implementations(case)
    operands = {impl.name: impl.prepare(x, w, ct) for impl in impls}
    compile_s = {}
    for impl in impls:
        if impl.compile is not None:
            compile_s[impl.name] = impl.compile(*operands[impl.name])
    errors = {}
    for impl in impls:
        xi, wi, cti = operands[impl.name]
        got = impl.results_to_numpy(impl.fwd_bwd(xi, wi, cti))
        errors[impl.name] = _rel_err(got, _expected(case, impl.name, x, w, ct))
    entries = {"matmul": (matmul[0], matmul[1])}
    for impl in impls:
        xi, wi, cti = operands[impl.name]
        entries[(impl.name, "fwd")] = (impl.fwd, (xi, wi))
        entries[(impl.name, "fwd_bwd")] = (impl.fwd_bwd, (xi, wi, cti))
    t = timing.interleaved(
        entries, min_reps=args.min_reps, max_reps=args.max_reps, budget_s=args.budget
    )
    result = {
        "case": case,
        "impls": [impl.name for impl in impls],
        "fwd": {i.name: t.median((i.name, "fwd")) for i in impls},
        "fwd_bwd": {i.name: t.median((i.name, "fwd_bwd")) for i in impls},
        "rounds": (min(map(len, t.samples.values())), max(map(len, t.samples.values()))),
        "matmul_gflops": matmul[2] / t.median("matmul") / 1e9,
        "compile": compile_s,
        "error": errors,
    }
    if case.ndim == 3:
        result["memory"] = _memory(case, impls, operands)
    return result


def _memory(case: suite.Case, impls, operands) -> dict[str, Any]:
    """XLA's compiled memory for every JAX implementation, and the zero-inserted input's size."""
    n, *spatial, c = case.x_shape
    dilated = (
        n
        * c
        * 4
        * math.prod(
            (i - 1) * case.stride + 1 + 2 * (k - 1 - case.padding)
            for i, k in zip(spatial, case.window)
        )
    )
    out = {"zero_inserted_bytes": dilated}
    for impl in impls:
        if impl.compile is None:
            continue
        xi, wi, cti = operands[impl.name]
        out[impl.name] = {
            "fwd": timing.compiled_bytes(impl.fwd, xi, wi),
            "fwd_bwd": timing.compiled_bytes(impl.fwd_bwd, xi, wi, cti),
        }
    return out


# ---------------------------------------------------------------------------
# Report.


def _ms(s: float | None) -> str:
    return "—" if s is None else f"{s * 1e3:,.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{a / b:.2f}"


def _geomean(xs: list[float]) -> float | None:
    xs = [x for x in xs if x]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def _mib(b: int | None) -> str:
    return "—" if b is None else f"{b / 2**20:,.1f}"


def print_case(r: dict[str, Any]) -> None:
    case, mm = r["case"], r["matmul_gflops"]
    lo, hi = r["rounds"]
    print(f"\n== {case.name}: {case.flops / 1e9:.2f} GFLOP forward, {lo}-{hi} samples each ==")
    print(
        f"{'implementation':<20}{'fwd ms':>10}{'fwd+bwd ms':>12}{'compile ms':>16}"
        f"{'GFLOP/s':>9}{'% matmul':>9}{'max rel err':>13}"
        "  (err: output and both gradients vs the reference)"
    )
    for name in r["impls"]:
        f, fb = r["fwd"][name], r["fwd_bwd"][name]
        comp = r["compile"].get(name)
        comp_s = "—" if comp is None else f"{comp[0] * 1e3:.0f}/{comp[1] * 1e3:.0f}"
        gflops = case.flops / f / 1e9
        print(
            f"{name:<20}{_ms(f):>10}{_ms(fb):>12}{comp_s:>16}{gflops:>9.1f}"
            f"{100 * gflops / mm:>8.0f}%{r['error'][name]:>13.1e}"
        )
    auto = r["fwd"][AUTO], r["fwd_bwd"][AUTO]
    parts = [
        f"{p}: {_ratio(auto[0], r['fwd'].get(p))} fwd, {_ratio(auto[1], r['fwd_bwd'].get(p))} "
        f"fwd+bwd"
        for p in PEERS
        if p in r["fwd"]
    ]
    print(f"jconv auto time / peer time -> {'; '.join(parts)}")
    if "memory" in r:
        print_memory(r["memory"])


def print_memory(mem: dict[str, Any]) -> None:
    z = mem["zero_inserted_bytes"]
    print(f"XLA compiled memory (MiB); the zero-inserted input alone would be {_mib(z)} MiB:")
    for name, m in mem.items():
        if name == "zero_inserted_bytes":
            continue
        f, fb = m["fwd"] or {}, m["fwd_bwd"] or {}
        print(
            f"  {name:<20} fwd peak {_mib(f.get('peak'))} (temp {_mib(f.get('temp'))}),"
            f" fwd+bwd peak {_mib(fb.get('peak'))} (temp {_mib(fb.get('temp'))})"
        )


def summary_rows(results: list[dict[str, Any]]) -> tuple[list[list[str]], dict[str, Any]]:
    """One row per case of ratios jconv auto / peer, plus the target figures."""
    rows, ratios = [], {(p, m): [] for p in PEERS for m in ("fwd", "fwd_bwd")}
    for r in results:
        row = [r["case"].name]
        for p in PEERS:
            for m in ("fwd", "fwd_bwd"):
                a, b = r[m][AUTO], r[m].get(p)
                row.append(_ratio(a, b))
                if b:
                    ratios[(p, m)].append(a / b)
        gflops = r["case"].flops / r["fwd"][AUTO] / 1e9
        row.append(f"{gflops:.0f} ({100 * gflops / r['matmul_gflops']:.0f}%)")
        rows.append(row)
    geo = {k: _geomean(v) for k, v in ratios.items()}
    worst = {k: max(v) if v else None for k, v in ratios.items()}
    rows.append(
        ["geomean"]
        + [f"{geo[(p, m)]:.2f}" if geo[(p, m)] else "—" for p in PEERS for m in ("fwd", "fwd_bwd")]
        + [""]
    )
    rows.append(
        ["worst"]
        + [
            f"{worst[(p, m)]:.2f}" if worst[(p, m)] else "—"
            for p in PEERS
            for m in ("fwd", "fwd_bwd")
        ]
        + [""]
    )
    return rows, {"geomean": geo, "worst": worst}


HEADER = [
    "layer",
    "vs lax fwd",
    "vs lax f+b",
    "vs TF fwd",
    "vs TF f+b",
    "vs PyTorch fwd",
    "vs PyTorch f+b",
    "auto GFLOP/s (% matmul)",
]


def print_summary(results: list[dict[str, Any]], markdown: bool) -> None:
    rows, figs = summary_rows(results)
    print("\n== jconv auto time / peer time (< 1: jconv faster) ==")
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for row in rows:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(str(row[i])) for row in [HEADER, *rows]) for i in range(len(HEADER))]
        for row in [HEADER, *rows]:
            print(
                "  ".join(
                    str(c).rjust(w) if i else str(c).ljust(w)
                    for i, (c, w) in enumerate(zip(row, widths))
                )
            )
    comp = [
        r["compile"][AUTO][k] / r["compile"]["lax.conv_transpose"][k]
        for r in results
        if "lax.conv_transpose" in r["compile"]
        for k in (0, 1)
    ]
    three_d = [
        r["fwd_bwd"]["lax.conv_transpose"] / r["fwd_bwd"][AUTO]
        for r in results
        if r["case"].ndim == 3 and "lax.conv_transpose" in r["fwd_bwd"]
    ]
    g = figs["geomean"]
    print("\nTargets (issue 4):")
    if g[("lax.conv_transpose", "fwd")]:
        print(
            f"  geomean auto/lax fwd {g[('lax.conv_transpose', 'fwd')]:.2f} (target <= 0.6), "
            f"worst {figs['worst'][('lax.conv_transpose', 'fwd')]:.2f} (target <= 1.1); "
            f"fwd+bwd geomean {g[('lax.conv_transpose', 'fwd_bwd')]:.2f}"
        )
    if g[("PyTorch", "fwd")]:
        print(
            f"  geomean auto/PyTorch fwd {g[('PyTorch', 'fwd')]:.2f} (target <= 1.0), "
            f"fwd+bwd {g[('PyTorch', 'fwd_bwd')]:.2f}"
        )
    if three_d:
        print(f"  3-D forward+backward speed-up over lax: {three_d[0]:.1f}x (target >= 10)")
    if comp:
        print(
            f"  compile time auto/lax: geomean {_geomean(comp):.2f}, worst {max(comp):.2f} "
            f"(target <= 1)"
        )
    print("  compute-bound cases: 'auto GFLOP/s (% matmul)' column (target >= 75%)")


def describe_machine(matmul_n: int) -> None:
    versions = [f"jax {jax.__version__}", f"numpy {np.__version__}"]
    for mod in ("tensorflow", "torch"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            versions.append(f"{mod} not installed")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    print(
        f"backend {jax.default_backend()} ({jax.devices()[0].device_kind}); {os.cpu_count()} "
        f"CPU cores ({cpu}); {', '.join(versions)}"
    )
    print(f"float32, channels-last (PyTorch channels-first); matmul reference {matmul_n}^2 float32")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, few rounds (CI)")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--markdown", action="store_true", help="summary as a Markdown table")
    parser.add_argument("--min-reps", type=int, default=None)
    parser.add_argument("--max-reps", type=int, default=None)
    parser.add_argument("--budget", type=float, default=None, help="seconds of timing per case")
    args = parser.parse_args(argv)
    args.min_reps = args.min_reps or (2 if args.quick else 3)
    args.max_reps = args.max_reps or (3 if args.quick else 15)
    args.budget = args.budget or (0.5 if args.quick else 25.0)
    cases = [suite.quick(c) if args.quick else c for c in suite.SUITE if args.only in c.name]
    n = 128 if args.quick else 1024
    describe_machine(n)
    matmul = _matmul(n)
    results = []
    for case in cases:
        results.append(bench_case(case, args, matmul))
        print_case(results[-1])
        sys.stdout.flush()
    if results:
        print_summary(results, args.markdown)


if __name__ == "__main__":
    main()
