"""The report of ``benchmarks/run.py``: per-layer tables, summaries and targets.

:func:`print_case` prints one layer's result as :func:`benchmarks.run.bench_case`
returns it: medians, compile times, XLA's compiled peak and temp memory, the
largest error, and the ratios of jconv to each peer. :func:`print_summary`
prints a suite's times, ratio, compile and memory tables (aligned text or
Markdown) and returns the figures :func:`print_targets` checks against the
issue's targets; :func:`describe_machine` prints the backend, CPU, package
versions and PyTorch's thread count. :class:`Bench` names a suite's entries:
which one is jconv's, which is the lax baseline and what stands in for it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import platform
import statistics
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from benchmarks import suite

MODES = ("fwd", "fwd_bwd")
SHORT = {"fwd": "fwd", "fwd_bwd": "f+b"}
TORCH = ("PyTorch", "PyTorch CL")


@dataclasses.dataclass(frozen=True)
class Bench:
    """One suite and the names of its entries.

    ``lax`` is the baseline of the lax ratios, compile times and memory;
    where it has no entry (grouped transposes) ``fallback`` stands in.
    """

    title: str
    cases: tuple[suite.AnyCase, ...]
    auto: str
    lax: str
    fallback: str | None


# Figures derived from one case's result.


def baseline(r: dict[str, Any], bench: Bench) -> tuple[str | None, bool]:
    """The lax entry of a result, or the fallback (then ``True``), or ``None``."""
    if bench.lax in r["impls"]:
        return bench.lax, False
    if bench.fallback in r["impls"]:
        return bench.fallback, True
    return None, False


def torch_best(r: dict[str, Any], mode: str) -> tuple[str | None, float | None]:
    """The faster PyTorch entry for ``mode`` and its time."""
    times = [(r[mode][name], name) for name in TORCH if r[mode].get(name)]
    if not times:
        return None, None
    t, name = min(times)
    return name, t


def gflops(r: dict[str, Any], name: str) -> float:
    return r["case"].flops / r["fwd"][name] / 1e9


# Every ratio column: (header, function of (result, bench, mode) -> (peer time, marker)).
def _lax_peer(r, bench, mode):
    name, fell_back = baseline(r, bench)
    return (r[mode][name] if name else None), ("*" if fell_back else "")


def _named_peer(peer: str):
    return lambda r, bench, mode: (r[mode].get(peer), "")


def _best_peer(r, bench, mode):
    name, t = torch_best(r, mode)
    return t, ("" if name in (None, "PyTorch") else " CL")


PEERS: tuple[tuple[str, Callable[..., tuple[float | None, str]]], ...] = (
    ("lax", _lax_peer),
    ("TF", _named_peer("TensorFlow")),
    ("PyTorch", _named_peer("PyTorch")),
    ("PyTorch best", _best_peer),
)


def _ms(s: float | None) -> str:
    return "—" if s is None else f"{s * 1e3:,.1f}"


def _mib(b: int | None) -> str:
    if b is None:
        return "—"
    mib = b / 2**20
    return f"{mib:,.0f}" if mib >= 100 else f"{mib:.3g}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}"


def _geomean(xs: list[float]) -> float | None:
    xs = [x for x in xs if x]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def table(header: list[str], rows: list[list[str]], markdown: bool) -> None:
    """Prints rows as a Markdown table or as aligned text (first column left)."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|---|" + "---:|" * (len(header) - 1))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
        print("  ".join(cells).rstrip())


def _peak(m: dict[str, int] | None) -> int | None:
    return None if m is None else m["peak"]


def print_case(r: dict[str, Any], bench: Bench) -> None:
    case, mm = r["case"], r["matmul_gflops"]
    lo, hi = r["rounds"]
    print(
        f"\n== {case.name}: {case.flops / 1e9:.2f} GFLOP forward, {lo}-{hi} samples each; "
        f"same-run matmul {mm:.0f} GFLOP/s =="
    )
    header = ["implementation", "fwd ms", "f+b ms", "compile ms", "GFLOP/s", "% matmul"]
    header += ["peak MiB", "temp MiB", "max rel err"]
    rows = []
    for name in r["impls"]:
        comp, mem = r["compile"].get(name), r["memory"].get(name)
        g = gflops(r, name)
        rows.append(
            [
                name,
                _ms(r["fwd"][name]),
                _ms(r["fwd_bwd"][name]),
                "—" if comp is None else f"{comp[0] * 1e3:.0f}/{comp[1] * 1e3:.0f}",
                f"{g:.1f}",
                f"{100 * g / mm:.0f}%",
                "—" if mem is None else "/".join(_mib(_peak(m)) for m in mem),
                "—" if mem is None else "/".join(_mib(m and m["temp"]) for m in mem),
                f"{r['error'][name]:.1e}",
            ]
        )
    table(header, rows, markdown=False)
    print(
        "(compile: trace + lower + XLA compile, fwd/f+b; memory: XLA's compiled analysis, "
        "fwd/f+b; err: forward output, f+b output and both gradients vs the reference)"
    )
    parts = []
    for label, peer in PEERS:
        cells = []
        for m in MODES:
            t, mark = peer(r, bench, m)
            if t is not None:
                cells.append(f"{_ratio(r[m][bench.auto], t)}{mark} {SHORT[m]}")
        if cells:
            parts.append(f"{label}: {', '.join(cells)}")
    print(f"{bench.auto} time / peer time -> {'; '.join(parts)}")
    z = case.zero_inserted_bytes
    suspect = [
        f"{n} {SHORT[mode]}"
        for n, mem in r["memory"].items()
        for mode, m in zip(MODES, mem)
        if m and m["temp"] >= z
    ]
    what = "input" if isinstance(case, suite.Case) else "cotangent (input gradient)"
    print(
        f"zero-inserted {what}: {_mib(z)} MiB; temp at least that: "
        f"{', '.join(suspect) if suspect else 'none'}"
    )
    if baseline(r, bench)[1]:
        print(f"(* no {bench.lax} for this layer: {bench.fallback} is the baseline)")


def _names(results: list[dict[str, Any]], jax_only: bool = False) -> list[str]:
    names: list[str] = []
    for r in results:
        for n in r["impls"]:
            if n not in names and (not jax_only or n in r["compile"]):
                names.append(n)
    return names


def times_rows(results: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    names = _names(results)
    rows = [
        [r["case"].name]
        + [
            f"{_ms(r['fwd'].get(n))} / {_ms(r['fwd_bwd'].get(n))}" if n in r["impls"] else "—"
            for n in names
        ]
        for r in results
    ]
    return ["layer", *names], rows


def ratio_rows(results, bench: Bench) -> tuple[list[str], list[list[str]], dict[Any, list]]:
    """Ratios of the auto entry to each peer, per layer, with geomean and worst rows."""
    peers = [(label, p) for label, p in PEERS if any(p(r, bench, "fwd")[0] for r in results)]
    header = ["layer"] + [f"vs {label} {SHORT[m]}" for label, _ in peers for m in MODES]
    header.append(f"{bench.auto.split()[-1]} GFLOP/s (% matmul)")
    ratios: dict[Any, list[tuple[float, str]]] = {(lab, m): [] for lab, _ in peers for m in MODES}
    rows = []
    for r in results:
        row = [r["case"].name]
        for label, peer in peers:
            for m in MODES:
                t, mark = peer(r, bench, m)
                row.append(_ratio(r[m][bench.auto], t) + (mark if t else ""))
                if t:
                    ratios[(label, m)].append((r[m][bench.auto] / t, r["case"].name))
        g = gflops(r, bench.auto)
        row.append(f"{g:.0f} ({100 * g / r['matmul_gflops']:.0f}%)")
        rows.append(row)
    for what, agg in (("geomean", _geomean), ("worst", max)):
        row = [what]
        for key in ratios:
            xs = [x for x, _ in ratios[key]]
            row.append(_fmt(agg(xs) if xs else None))
        rows.append([*row, ""])
    return header, rows, ratios


def compile_rows(results, bench: Bench) -> tuple[list[str], list[list[str]], list[float]]:
    names = _names(results, jax_only=True)
    header = ["layer", *names, "auto/lax fwd", "auto/lax f+b"]
    rows: list[list[str]] = []
    ratios: dict[int, list[float]] = {0: [], 1: []}
    for r in results:
        c = r["compile"]
        row = [r["case"].name]
        row += [f"{c[n][0] * 1e3:.0f}/{c[n][1] * 1e3:.0f}" if n in c else "—" for n in names]
        base, fell_back = baseline(r, bench)
        for k in (0, 1):
            if base is None:
                row.append("—")
                continue
            ratios[k].append(c[bench.auto][k] / c[base][k])
            row.append(f"{ratios[k][-1]:.2f}" + ("*" if fell_back else ""))
        rows.append(row)
    for what, agg in (("geomean", _geomean), ("worst", max)):
        rows.append(
            [what] + [""] * len(names) + [_fmt(agg(v) if v else None) for v in ratios.values()]
        )
    return header, rows, ratios[0] + ratios[1]


def memory_rows(results, bench: Bench) -> tuple[list[str], list[list[str]], list[tuple]]:
    """Peak MiB fwd / f+b of every JAX entry and its ratio to the baseline's."""
    names = _names(results, jax_only=True)
    header = ["layer", "zero-ins. MiB", *names]
    rows, ratios = [], []
    for r in results:
        base, fell_back = baseline(r, bench)
        row = [r["case"].name + ("*" if fell_back else ""), _mib(r["case"].zero_inserted_bytes)]
        for n in names:
            mem = r["memory"].get(n)
            if mem is None:
                row.append("—")
                continue
            cells = []
            for k, m in enumerate(mem):
                b = _peak(r["memory"][base][k]) if base else None
                p = _peak(m)
                if b and p is not None and n != base:
                    ratios.append((p / b, n, r["case"].name, MODES[k]))
                cells.append(f"{_mib(p)} ({p / b:.2f})" if b and p is not None else _mib(p))
            row.append(" / ".join(cells))
        rows.append(row)
    worst = ["worst ratio", ""]
    for n in names:
        xs = [x for x, name, *_ in ratios if name == n]
        worst.append(_fmt(max(xs)) if xs else ("(baseline)" if n == bench.lax else "—"))
    rows.append(worst)
    return header, rows, ratios


def print_summary(results: list[dict[str, Any]], bench: Bench, markdown: bool) -> dict[str, Any]:
    """Prints the times, ratio, compile and memory tables; returns the target figures."""
    print(f"\n=== Summary: {bench.title} ===")
    mm = statistics.median(r["matmul_gflops"] for r in results)
    print(f"same-run matmul: {mm:.0f} GFLOP/s (median over layers)")
    star = bench.fallback and any(baseline(r, bench)[1] for r in results)
    note = f" (*: no {bench.lax}, {bench.fallback} is the baseline)" if star else ""

    print("\nMedian milliseconds, forward / forward + backward:\n")
    table(*times_rows(results), markdown)

    header, rows, ratios = ratio_rows(results, bench)
    print(
        f"\nRatio {bench.auto} time / peer time (< 1: jconv faster); 'PyTorch best' is the "
        f"faster of contiguous and channels-last per layer and mode (CL: channels-last){note}:\n"
    )
    table(header, rows, markdown)

    header, rows, comp = compile_rows(results, bench)
    print(f"\nCompile time, ms, forward/forward + backward (trace + lower + XLA compile){note}:\n")
    table(header, rows, markdown)

    header, rows, mem = memory_rows(results, bench)
    what = "input" if isinstance(results[0]["case"], suite.Case) else "cotangent"
    print(
        "\nPeak MiB (XLA compiled memory analysis: arguments + outputs + temp), forward / "
        f"forward + backward, and ratio to {bench.lax}'s{note}; zero-ins.: the zero-inserted "
        f"{what} alone:\n"
    )
    table(header, rows, markdown)
    big = [(r["case"], gflops(r, bench.auto) / r["matmul_gflops"]) for r in results]
    return {"ratios": ratios, "compile": comp, "memory": mem, "compute": big}


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("reached" if ok else "MISSED")


def _agg(pairs: list[tuple[float, str]]) -> tuple[float | None, float | None, str]:
    if not pairs:
        return None, None, ""
    worst = max(pairs)
    return _geomean([x for x, _ in pairs]), worst[0], worst[1]


def print_targets(bench: Bench, figs: dict[str, Any]) -> None:
    """The issue's targets for one suite, each reached or missed."""
    print(f"\nTargets, {bench.title}:")
    for m, geo_max in (("fwd", 1.0), ("fwd_bwd", 1.1)):
        geo, worst, layer = _agg(figs["ratios"].get(("PyTorch best", m), []))
        ok = None if geo is None or worst is None else geo <= geo_max and worst <= 1.5
        print(
            f"  {SHORT[m]} vs PyTorch best: geomean {_fmt(geo)} (<= {geo_max}), worst "
            f"{_fmt(worst)} (<= 1.5{', ' + layer if layer else ''}): {_verdict(ok)}"
        )
    _, worst, layer = _agg(figs["ratios"].get(("lax", "fwd"), []))
    ok = None if worst is None else worst <= 1.1
    print(
        f"  fwd vs lax: worst {_fmt(worst)} (<= 1.1{', ' + layer if layer else ''}): {_verdict(ok)}"
    )
    big = [(case, frac) for case, frac in figs["compute"] if case.flops >= 1e9]
    cells = ", ".join(f"{case.name} {100 * frac:.0f}%" for case, frac in big)
    ok = None if not big else all(frac >= 0.7 for _, frac in big)
    print(
        f"  compute-bound layers (>= 1 GFLOP) at >= 70% of matmul: "
        f"{cells or 'no such layer'}: {_verdict(ok)}"
    )
    comp = figs["compile"]
    geo = _geomean(comp)
    ok = None if geo is None else geo <= 1.2
    print(
        f"  compile auto/lax: geomean {_fmt(geo)} (<= 1.2), worst "
        f"{_fmt(max(comp) if comp else None)}: {_verdict(ok)}"
    )
    mem = figs["memory"]
    if mem:
        ratio, name, layer, mode = max(mem)
        print(
            f"  peak memory <= 2x lax: worst {ratio:.2f} ({name}, {layer}, {SHORT[mode]}): "
            f"{_verdict(ratio <= 2)}"
        )
    else:
        print("  peak memory <= 2x lax: no memory analysis on this backend: n/a")


def describe_machine(matmul_n: int, modules: tuple[str, ...]) -> None:
    versions = [f"jax {jax.__version__}", f"numpy {np.__version__}"]
    for mod in modules:
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
    try:
        import torch

        threads = f"PyTorch uses {torch.get_num_threads()} threads"
    except ImportError:
        threads = "no PyTorch"
    print(
        f"float32, channels-last for JAX/TF, PyTorch channels-first contiguous and channels_last; "
        f"{threads}; same-run matmul {matmul_n}x{matmul_n} float32 through XLA"
    )
