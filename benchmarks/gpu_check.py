"""One command for a GPU machine: jconv's oracle grid on every algorithm, then the benchmark.

Run ``python benchmarks/gpu_check.py`` (or ``python -m benchmarks.gpu_check``)
from the repository root; it finishes in a few minutes (``--max-minutes``
stops the benchmark early if compilation is slower than expected) and prints
one report. ``--smoke`` runs tiny sizes in seconds on any backend (the test
suite runs it on CPU). It needs only jax, NumPy and this repository; PyTorch
is timed where ``import torch`` works on the same device. It pins no version
and installs nothing.

1. **Correctness on the default backend.** For every algorithm in jconv's
   registry (read when the check runs, so a new one is checked too) plus
   ``"auto"``: the output of ``jconv.conv_transpose`` and its gradients with
   respect to the input and the kernel; and ``jconv.conv``'s output and
   gradients. A seeded grid from ``tests/oracle_configs.py`` covers ranks
   1-3, strides 1-3, dilations 1-2, kernels 1-5, every padding form (SAME,
   VALID, ints, asymmetric and negative pairs), ``output_padding`` and
   ``output_shape``, groups 1, 2 and depthwise, and both data formats. Inputs
   are float32 and every call passes ``precision="highest"``, because GPUs
   otherwise run float32 convolutions in TF32 (errors near 1e-3), which would
   hide a real mistake. The reference is the float64 NumPy oracle
   (``tests/oracle.py``) on the same float32 values; the gradients follow from
   its scatter-add definition (:func:`transpose_grads`).
2. **Speed.** Every layer of ``benchmarks.suite.SUITE`` at full size: each
   jconv algorithm and ``"auto"``, ``jax.lax.conv_transpose`` (cuDNN on a GPU;
   ungrouped layers only) and PyTorch's ``conv_transpose{1,2,3}d``
   contiguous and channels-last, forward and forward + backward (the output
   and both gradients), medians of interleaved calls, at each framework's
   default float32 precision.
3. **A suggested ``auto`` rule**: the jconv algorithm that is fastest per
   layer, and the one rule (with exceptions) that a lead can turn into code.

The process exits with status 1 when a grid configuration fails, or when the
time limit stopped the grid before its end.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.metadata
import itertools
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `tests` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# JAX takes 75% of a GPU's memory at start-up by default, PyTorch then shares the rest; this
# lets both allocate as they go (no effect once a JAX backend exists, e.g. under pytest).
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

import jax
import numpy as np

import jconv
from benchmarks import suite, timing
from jconv._algorithms import registry
from tests import oracle, oracle_configs

# An error is max|jconv - oracle| / max(1, max|oracle|) over the output and both
# gradients. float32 rounding of these sums (tens to hundreds of terms) is about 1e-6 and
# TF32 about 1e-3: the bound sits between, loose enough for cuDNN's Winograd and FFT
# algorithms at full float32, tight enough to catch TF32 or any wrong term.
TOLERANCE = 1e-4
GRID = {"transpose": 33, "conv": 22}  # configurations; 33 = 3 x the 11 padding forms
SMOKE_GRID = {"transpose": 3, "conv": 2}
GRID_SEEDS = {"transpose": 12, "conv": 11}
COMPONENTS = ("out", "dx", "dw")
F32, F64 = np.float32, np.float64


def algorithm_names() -> tuple[str, ...]:
    """Every registered transpose algorithm plus ``"auto"``, read now (not at import)."""
    return (*registry.ALGORITHMS, "auto")


# ---------------------------------------------------------------------------
# The gradient oracle


def _per_dim(value: int | Sequence[int], n: int) -> tuple[int, ...]:
    return (value,) * n if isinstance(value, int) else tuple(value)


def _f64(a: Any) -> Any:
    """A float64 array, typed ``Any``: NumPy's stubs reject mixed slice-and-int index tuples."""
    return np.asarray(a, dtype=F64)


def transpose_grads(
    y: np.ndarray,
    w: np.ndarray,
    ct: np.ndarray,
    stride: int | Sequence[int] = 1,
    padding: Any = "VALID",
    dilation: int | Sequence[int] = 1,
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of the transposed convolution w.r.t. ``y`` and ``w``, float64, channels-last.

    The transposed convolution (``tests/oracle.py``) is the scatter-add
    ``out[b, i * s - lo + t * d, g * Cout_g + co] += y[b, i, ci] * w[t, co, ci]``
    over the input positions ``i``, taps ``t`` and the channels ``ci`` of group
    ``g``, keeping positions inside the output. For the cotangent ``ct`` (the
    output's shape, whose spatial sizes resolve ``padding``) each product
    contributes ``ct[b, pos, g * Cout_g + co] * w[t, co, ci]`` to ``dy[b, i, ci]``
    and ``ct[b, pos, g * Cout_g + co] * y[b, i, ci]`` to ``dw[t, co, ci]``.

    Args:
      y: ``(N, *spatial, C_in)``.
      w: ``(*window, C_out // groups, C_in)``.
      ct: ``(N, *out_spatial, C_out)``.
      stride: an int or one per dimension.
      padding: the forward convolution's padding, any form ``tests/oracle.py`` reads.
      dilation: an int or one per dimension.
      groups: channel groups.

    Returns:
      ``(dy, dw)``, shaped like ``y`` and ``w``.

    Examples:
      >>> y, w, ct = np.ones((1, 2, 1)), np.ones((3, 1, 1)), np.arange(5.0).reshape(1, 5, 1)
      >>> dy, dw = transpose_grads(y, w, ct, stride=2)
      >>> dy[0, :, 0].tolist(), dw[:, 0, 0].tolist()
      ([3.0, 9.0], [2.0, 4.0, 6.0])
    """
    y64, w64, ct64 = _f64(y), _f64(w), _f64(ct)
    n = y64.ndim - 2
    window, out_size = w64.shape[:n], ct64.shape[1:-1]
    s, d = _per_dim(stride, n), _per_dim(dilation, n)
    pads = oracle.resolve_pads(padding, out_size, window, s, d)
    cout_g, cin_g = w64.shape[-2], y64.shape[-1] // groups
    dy, dw = _f64(np.zeros_like(y64)), _f64(np.zeros_like(w64))
    for i in itertools.product(*map(range, y64.shape[1:-1])):
        yv = y64[(slice(None), *i)]  # (N, C_in)
        for t in itertools.product(*map(range, window)):
            pos = tuple(ij * sj - lo + tj * dj for ij, tj, sj, dj, (lo, _) in zip(i, t, s, d, pads))
            if not all(0 <= p < size for p, size in zip(pos, out_size)):
                continue
            cv = ct64[(slice(None), *pos)]  # (N, C_out)
            for g in range(groups):
                ci = slice(g * cin_g, (g + 1) * cin_g)
                co = cv[:, g * cout_g : (g + 1) * cout_g]  # (N, Cout_g)
                dy[(slice(None), *i, ci)] += co @ w64[(*t, slice(None), ci)]
                dw[(*t, slice(None), ci)] += co.T @ yv[:, ci]
    return dy, dw


# ---------------------------------------------------------------------------
# 1. The correctness grid


@dataclasses.dataclass
class GridLine:
    """One function (and algorithm) over the grid."""

    name: str
    run: int = 0
    passed: int = 0
    worst: dict[str, float] = dataclasses.field(
        default_factory=lambda: dict.fromkeys(COMPONENTS, 0.0)
    )
    failures: list[str] = dataclasses.field(default_factory=list)

    def add(self, label: str, errors: dict[str, float] | None, problem: str = "") -> None:
        self.run += 1
        if errors is not None:
            for k, e in errors.items():
                self.worst[k] = max(self.worst[k], e)
            if max(errors.values()) <= TOLERANCE:
                self.passed += 1
                return
            problem = ", ".join(f"{k} {e:.1e}" for k, e in errors.items())
        self.failures.append(f"{label}: {problem}")


def _error(got: Any, want: np.ndarray) -> float:
    got = np.asarray(got, dtype=F64)
    if got.shape != want.shape or not np.all(np.isfinite(got)):
        return math.inf
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    return float(np.max(np.abs(got - want), initial=0.0)) / scale


def _grid_configs(kind: str, n: int) -> list[oracle_configs.Config]:
    axes = oracle_configs.TRANSPOSE_AXES if kind == "transpose" else oracle_configs.AXES
    seed = GRID_SEEDS[kind]
    longest = max(len(v) for v in axes.values())
    points = oracle_configs.covering(axes, max(n, longest), seed)[:n]
    return [
        oracle_configs.make_config(
            kind, choice, oracle_configs.RngPicker(seed * 1000 + k), seed=seed * 1000 + k
        )
        for k, choice in enumerate(points)
    ]


def _inputs(cfg: oracle_configs.Config) -> tuple[np.ndarray, np.ndarray]:
    """float32 operand and kernel (channels-last), standard normal."""
    x, w = cfg.arrays()
    return x.astype(F32), w.astype(F32)


def _cotangent(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed + 7).standard_normal(shape).astype(F32)


def _run_jconv(cfg: oracle_configs.Config, fun: Callable[..., Any], x, w, ct) -> dict[str, Any]:
    """``fun`` and its VJP under ``jax.jit``, in ``cfg``'s layout; results channels-last."""

    def fwd_bwd(x, w, ct):
        out, vjp = jax.vjp(fun, x, w)
        return (out, *vjp(ct))

    out, dx, dw = jax.jit(fwd_bwd)(cfg.to_layout(x), w, cfg.to_layout(ct))
    return {"out": cfg.from_layout(out), "dx": cfg.from_layout(dx), "dw": np.asarray(dw)}


def _check(line: GridLine, cfg, fun, x, w, ct, want: dict[str, np.ndarray]) -> None:
    try:
        got = _run_jconv(cfg, fun, x, w, ct)
    except Exception as e:  # a failing configuration is a result, not the end of the check
        line.add(cfg.label(), None, f"{type(e).__name__}: {str(e).splitlines()[0][:200]}")
        return
    line.add(cfg.label(), {k: _error(got[k], want[k]) for k in COMPONENTS})


def _transpose_case(cfg, names, lines: dict[str, GridLine]) -> None:
    y, w = _inputs(cfg)
    out = cfg.run_oracle(y.astype(F64), w.astype(F64))
    ct = _cotangent(out.shape, cfg.seed)
    dy, dw = transpose_grads(y, w, ct, cfg.stride, cfg.padding, cfg.dilation, cfg.groups)
    want = {"out": out, "dx": dy, "dw": dw}
    for name in names:

        def fun(y, w, name=name):
            return jconv.conv_transpose(
                y,
                w,
                cfg.stride,
                cfg.padding,
                algorithm=name,
                precision="highest",
                **cfg.transpose_kwargs(),
            )

        _check(lines[name], cfg, fun, y, w, ct, want)


def _conv_case(cfg, line: GridLine) -> None:
    x, w = _inputs(cfg)
    x64, w64 = x.astype(F64), w.astype(F64)
    out = cfg.run_oracle(x64, w64)
    ct = _cotangent(out.shape, cfg.seed)
    args = (cfg.stride, cfg.padding, cfg.dilation, cfg.groups)
    # conv and the transposed conv of the same kernel are adjoint: conv's input gradient is
    # the transposed conv of the cotangent (output size: x's), and its kernel gradient is the
    # transpose's kernel gradient with the roles of its input (ct) and cotangent (x) swapped.
    dx = oracle.conv_transpose(ct, w64, *args, out_size=x.shape[1:-1])
    _, dw = transpose_grads(ct, w64, x64, *args)
    want = {"out": out, "dx": dx, "dw": dw}

    def fun(x, w):
        return jconv.conv(x, w, cfg.stride, cfg.padding, precision="highest", **cfg.common_kwargs())

    _check(line, cfg, fun, x, w, ct, want)


def run_grid(sizes: dict[str, int], deadline: float) -> tuple[list[GridLine], str]:
    """Every algorithm on the transpose grid, then ``jconv.conv``; stops at ``deadline``.

    Returns the lines and a note ('' when every configuration ran).
    """
    names = algorithm_names()
    lines = {name: GridLine(f"conv_transpose algorithm={name}") for name in names}
    conv_line = GridLine("conv")
    configs = [("transpose", c) for c in _grid_configs("transpose", sizes["transpose"])]
    configs += [("conv", c) for c in _grid_configs("conv", sizes["conv"])]
    note = ""
    for k, (kind, cfg) in enumerate(configs):
        if time.perf_counter() > deadline:
            note = f"stopped at the time limit after {k} of {len(configs)} configurations"
            break
        if kind == "transpose":
            _transpose_case(cfg, names, lines)
        else:
            _conv_case(cfg, conv_line)
    return [*lines.values(), conv_line], note


# ---------------------------------------------------------------------------
# 2. The benchmark


@dataclasses.dataclass
class Entry:
    """One implementation of one layer: ``fwd(*args)``, ``fwd_bwd(*args, ct)``."""

    name: str
    fwd: Callable[..., Any]
    fwd_bwd: Callable[..., Any]
    args: tuple[Any, ...]
    ct: Any
    to_numpy: Callable[[Any], list[np.ndarray]]


def _smoke_case(case: suite.Case) -> suite.Case:
    """The layer with a few elements (``--smoke``); grouped stays grouped, depthwise depthwise."""
    spatial = tuple(min(s, 16 if case.ndim == 1 else 4) for s in case.x_shape[1:-1])
    depthwise = case.x_shape[-1] == case.groups
    channels = 4 if case.groups == 1 else case.groups * (1 if depthwise else 2)
    return dataclasses.replace(case, x_shape=(1, *spatial, channels), c_out=channels)


def _operands(case: suite.Case) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(case.x_shape, dtype=F32)
    fan_in = math.prod(case.window) * case.kernel_shape[-2]
    w = (rng.standard_normal(case.kernel_shape, dtype=F32) / np.sqrt(fan_in)).astype(F32)
    ct = rng.standard_normal((case.x_shape[0], *case.out_spatial, case.c_out), dtype=F32)
    return x, w, ct


def _jax_entry(name: str, fun: Callable[..., Any], x, w, ct) -> Entry:
    def fwd_bwd(x, w, ct):
        out, vjp = jax.vjp(fun, x, w)
        return (out, *vjp(ct))

    x, w, ct = (jax.device_put(a) for a in (x, w, ct))
    return Entry(
        name, jax.jit(fun), jax.jit(fwd_bwd), (x, w), ct, lambda r: list(map(np.asarray, r))
    )


def _lax_fun(case: suite.Case) -> Callable[..., Any] | None:
    """``jax.lax.conv_transpose`` of the layer, or ``None`` (it has no groups)."""
    if case.groups != 1 or case.ndim > 3:
        return None
    spatial = "DHW"[3 - case.ndim :]
    dims = (f"N{spatial}C", f"{spatial}IO", f"N{spatial}C")
    lo = [k - 1 - case.padding for k in case.window]
    pads = [(p, p + case.output_padding) for p in lo]

    def fun(x, w):
        return jax.lax.conv_transpose(
            x, w, (case.stride,) * case.ndim, pads, dimension_numbers=dims, transpose_kernel=True
        )

    return fun


def torch_device(backend: str) -> tuple[Any, str, str]:
    """``(torch, device, description)``; ``torch`` is ``None`` when it is not timed."""
    try:
        import torch
    except Exception as e:  # not installed, or a broken install
        return None, "", f"PyTorch not timed ({type(e).__name__}: {e})"
    if backend == "cpu":
        return torch, "cpu", f"torch {torch.__version__} on CPU ({torch.get_num_threads()} threads)"
    if backend != "gpu" or not torch.cuda.is_available():
        return None, "", f"PyTorch not timed (torch {torch.__version__}: no device for {backend})"
    torch.backends.cudnn.benchmark = True  # what a user tuning for speed sets
    tf32 = "on" if torch.backends.cudnn.allow_tf32 else "off"
    note = (
        f"torch {torch.__version__} on {torch.cuda.get_device_name()} (CUDA {torch.version.cuda}, "
        f"cuDNN {torch.backends.cudnn.version()}, cudnn.benchmark on, TF32 convolutions {tf32})"
    )
    return torch, "cuda", note


def _torch_entries(case: suite.Case, torch: Any, device: str, x, w, ct) -> list[Entry]:
    n = case.ndim
    conv = getattr(torch.nn.functional, f"conv_transpose{n}d", None)
    if conv is None:
        return []
    first = (0, n + 1, *range(1, n + 1))  # channels-last -> channels-first

    def tensor(a, axes):
        return torch.from_numpy(np.ascontiguousarray(a.transpose(axes))).to(device)

    base = (tensor(x, first), tensor(w, (n + 1, n, *range(n))), tensor(ct, first))
    kw = {
        "stride": case.stride,
        "padding": case.padding,
        "output_padding": case.output_padding,
        "groups": case.groups,
    }
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def fwd(x, w):
        with torch.no_grad():
            out = conv(x, w, **kw)
        sync()
        return out

    def fwd_bwd(x, w, ct):
        x, w = x.detach().requires_grad_(), w.detach().requires_grad_()
        out = conv(x, w, **kw)
        dx, dw = torch.autograd.grad(out, (x, w), ct)
        sync()
        return (out, dx, dw)

    def to_numpy(r):
        out, dx, dw = (a.detach().cpu() for a in r)
        return [
            out.movedim(1, -1).numpy(),
            dx.movedim(1, -1).numpy(),
            dw.permute(*range(2, n + 2), 1, 0).numpy(),
        ]

    entries = [Entry("torch", fwd, fwd_bwd, base[:2], base[2], to_numpy)]
    fmt = {2: "channels_last", 3: "channels_last_3d"}.get(n)
    if fmt is not None:
        cl = [a.contiguous(memory_format=getattr(torch, fmt)) for a in base]
        entries.append(Entry("torch cl", fwd, fwd_bwd, tuple(cl[:2]), cl[2], to_numpy))
    return entries


@dataclasses.dataclass
class Row:
    """One layer's medians (seconds), keyed by entry name."""

    case: suite.Case
    fwd: dict[str, float] = dataclasses.field(default_factory=dict)
    fwd_bwd: dict[str, float] = dataclasses.field(default_factory=dict)
    errors: dict[str, str] = dataclasses.field(default_factory=dict)
    deviation: float | None = None
    reference: str = ""
    wall_s: float = 0.0
    skipped: str = ""


def bench_layer(case: suite.Case, torch_info: tuple[Any, str, str], args: Any) -> Row:
    """Compiles, cross-checks and times every implementation of one layer."""
    t0 = time.perf_counter()
    row = Row(case)
    x, w, ct = _operands(case)
    entries = [_jax_entry(a, suite.jconv_fun(case, a), x, w, ct) for a in algorithm_names()]
    lax_fun = _lax_fun(case)
    if lax_fun is not None:
        entries.append(_jax_entry("lax", lax_fun, x, w, ct))
    torch, device, _ = torch_info
    if torch is not None:
        entries += _torch_entries(case, torch, device, x, w, ct)
    results: dict[str, list[np.ndarray]] = {}
    timed: dict[str, tuple[Callable[..., Any], Sequence[Any]]] = {}
    for e in entries:
        try:
            results[e.name] = e.to_numpy(e.fwd_bwd(*e.args, e.ct))
            timing.wait(e.fwd(*e.args))
        except Exception as ex:  # reported in the table's notes; the others still run
            row.errors[e.name] = f"{type(ex).__name__}: {str(ex).splitlines()[0][:200]}"
            continue
        timed[f"fwd {e.name}"] = (e.fwd, e.args)
        timed[f"fwd_bwd {e.name}"] = (e.fwd_bwd, (*e.args, e.ct))
    # Agreement (at default precision: TF32 on a GPU): a wiring mistake would show as ~1.
    row.reference = next((r for r in ("lax", "torch", *algorithm_names()) if r in results), "")
    if row.reference:
        ref = results[row.reference]
        row.deviation = max(
            _error(got, want.astype(F64)) for r in results.values() for got, want in zip(r, ref)
        )
    if timed:
        t = timing.interleaved(
            timed, min_reps=args.min_reps, max_reps=args.max_reps, budget_s=args.budget
        )
        for key in timed:
            kind, name = key.split(" ", 1)
            getattr(row, kind)[name] = t.median(key)
    row.wall_s = time.perf_counter() - t0
    return row


# ---------------------------------------------------------------------------
# 3. The report


def describe(torch_note: str) -> list[str]:
    devices = jax.devices()
    kinds = sorted({d.device_kind for d in devices})
    jax_dists = sorted(
        {
            f"{d.metadata['Name']} {d.version}"
            for d in importlib.metadata.distributions()
            if (name := (d.metadata["Name"] or "").lower()) in ("jax", "jaxlib")
            or name.startswith(("jax-", "jax_"))  # the CUDA / ROCm plugins
        }
    )
    return [
        f"backend {jax.default_backend()}: {len(devices)} x {', '.join(kinds)}; "
        f"{os.cpu_count()} CPU cores ({platform.machine()}); Python {platform.python_version()}",
        f"{', '.join(jax_dists)}; jconv {jconv.__version__}; numpy {np.__version__}",
        torch_note,
    ]


def _ms(s: float | None) -> str:
    return "-" if s is None else f"{s * 1e3:.3g}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}"


def _fastest(times: dict[str, float], names: Sequence[str]) -> str | None:
    timed = [n for n in names if n in times]
    return min(timed, key=times.__getitem__) if timed else None


def _torch_best(times: dict[str, float]) -> float | None:
    return min((v for k, v in times.items() if k.startswith("torch")), default=None)


def table(rows: list[Row]) -> list[str]:
    """The benchmark table: one row per layer."""
    algos = [n for n in algorithm_names() if n != "auto"]
    columns = [*algorithm_names(), "lax", "torch", "torch cl"]
    columns = [c for c in columns if any(c in r.fwd or c in r.errors for r in rows)]
    head = ["layer", *columns, "fastest fwd", "fastest f+b", "auto/lax", "auto/torch", "dev", "s"]
    body = []
    for r in rows:
        if r.skipped:
            body.append([r.case.name, "skipped"] + [""] * (len(head) - 2))
            continue
        cells = [
            "error" if c in r.errors else f"{_ms(r.fwd.get(c))}/{_ms(r.fwd_bwd.get(c))}"
            for c in columns
        ]
        auto = r.fwd.get("auto"), r.fwd_bwd.get("auto")
        body.append(
            [
                r.case.name,
                *cells,
                _fastest(r.fwd, algos) or "-",
                _fastest(r.fwd_bwd, algos) or "-",
                f"{_ratio(auto[0], r.fwd.get('lax'))}/{_ratio(auto[1], r.fwd_bwd.get('lax'))}",
                f"{_ratio(auto[0], _torch_best(r.fwd))}/{_ratio(auto[1], _torch_best(r.fwd_bwd))}",
                "-" if r.deviation is None else f"{r.deviation:.0e}{'!' * (r.deviation > 1e-2)}",
                f"{r.wall_s:.0f}",
            ]
        )
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    out = []
    for row in [head, *body]:
        out.append(
            "  ".join(
                c.ljust(wd) if i == 0 else c.rjust(wd) for i, (c, wd) in enumerate(zip(row, widths))
            )
        )
    for r in rows:
        out += [f"  {r.case.name}: {name} failed: {msg}" for name, msg in r.errors.items()]
        out += [f"  {r.case.name}: skipped, {r.skipped}"] if r.skipped else []
    return out


def _describe_case(case: suite.Case) -> str:
    k = "x".join(map(str, case.window))
    return f"{case.ndim}-D k{k} s{case.stride} g{case.groups} C{case.x_shape[-1]}->{case.c_out}"


def suggestion(rows: list[Row], backend: str) -> list[str]:
    """Per layer the fastest jconv algorithm, and one rule for ``auto`` with its exceptions.

    An algorithm's cost on a layer is the geometric mean of its forward and
    forward+backward times relative to the fastest algorithm there; the rule's
    default is the algorithm with the smallest geometric-mean cost over the
    layers, and a layer is an exception when another algorithm is over 10%
    cheaper on it.
    """
    algos = [n for n in algorithm_names() if n != "auto"]
    rows = [r for r in rows if all(a in r.fwd and a in r.fwd_bwd for a in algos)]
    if not rows:
        return ["no layer timed every algorithm: no suggestion"]
    cost = []
    for r in rows:
        bf, bb = min(r.fwd[a] for a in algos), min(r.fwd_bwd[a] for a in algos)
        cost.append({a: math.sqrt(r.fwd[a] / bf * r.fwd_bwd[a] / bb) for a in algos})
    score = {a: math.exp(sum(math.log(c[a]) for c in cost) / len(cost)) for a in algos}
    default = min(algos, key=score.__getitem__)
    fastest = "; ".join(
        f"{r.case.name}: {_fastest(r.fwd, algos)}/{_fastest(r.fwd_bwd, algos)}" for r in rows
    )
    lines = [f"fastest jconv algorithm per layer (fwd/f+b): {fastest}"]
    exceptions = []
    for r, c in zip(rows, cost):
        best = min(algos, key=c.__getitem__)
        if c[default] / c[best] > 1.10:
            exceptions.append(
                f'"{best}" for {_describe_case(r.case)} ({c[default] / c[best]:.2f}x)'
            )
    rule = f'suggested auto rule on {backend}: "{default}"'
    rule += f" (geomean {score[default]:.2f}x the per-layer fastest, fwd and f+b together)"
    rule += (", except " + "; ".join(exceptions)) if exceptions else " everywhere"
    lax_wins = [
        f"{_describe_case(r.case)} ({r.fwd[default] / r.fwd['lax']:.2f}x)"
        for r in rows
        if "lax" in r.fwd and r.fwd[default] > 1.10 * r.fwd["lax"]
    ]
    if lax_wins:
        lines.append(
            f'lax.conv_transpose is over 10% faster forward than "{default}" on: '
            + "; ".join(lax_wins)
        )
    return [*lines, rule]


def _print(lines: Sequence[str]) -> None:
    for line in lines:
        print(line)
    sys.stdout.flush()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gpu_check", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, a few configurations")
    parser.add_argument("--budget", type=float, default=None, help="seconds of timing per layer")
    parser.add_argument("--only", default="", help="benchmark the layers whose name contains this")
    parser.add_argument("--grid-only", action="store_true", help="the correctness grid alone")
    parser.add_argument("--bench-only", action="store_true", help="the benchmark alone")
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=7.0,
        help="start no grid configuration after half of this, and no layer after all of it",
    )
    return parser


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = _parser()
    args = parser.parse_args(argv)
    for flag, unit in (("budget", "seconds"), ("max_minutes", "minutes")):
        value = getattr(args, flag)
        if value is not None and not value > 0:
            name = "--" + flag.replace("_", "-")
            parser.error(f"`{name}` must be a positive number of {unit}, got {value}")
    if args.grid_only and args.bench_only:
        parser.error("`--grid-only` and `--bench-only` exclude each other: give one, or neither")
    args.cases = [c for c in suite.SUITE if args.only in c.name]
    if not args.cases:
        layers = ", ".join(c.name for c in suite.SUITE)
        parser.error(f"`--only` {args.only!r} matches no layer; the layers are: {layers}")
    args.budget = args.budget or (0.05 if args.smoke else 3.0)
    args.min_reps, args.max_reps = (2, 3) if args.smoke else (5, 50)
    return args


def _grid_section(args: argparse.Namespace, deadline: float) -> bool:
    """Runs and prints the grid; ``True`` when a configuration failed or did not run."""
    _print(
        [
            "",
            '== correctness: float32, precision="highest" (no TF32), against the float64 NumPy '
            "oracle; error = max|jconv - oracle| / max(1, max|oracle|) over the output (out) and "
            f"the gradients (dx, dw); pass <= {TOLERANCE:.0e}",
        ]
    )
    lines, note = run_grid(SMOKE_GRID if args.smoke else GRID, deadline)
    width = max(len(line.name) for line in lines)
    for line in lines:
        worst = ", ".join(f"{k} {line.worst[k]:.1e}" for k in COMPONENTS)
        counts = f"{line.passed}/{line.run} passed, {line.run - line.passed} failed"
        _print([f"grid  {line.name:<{width}}  {counts}; worst {worst}"])
        _print([f"        {f}" for f in line.failures[:3]])
    if note:
        _print([f"GRID INCOMPLETE: {note}"])
    return bool(note) or any(line.passed < line.run for line in lines)


def _speed_section(args: argparse.Namespace, torch_info, deadline: float) -> None:
    """Times every layer (until ``deadline``) and prints the table and the suggestion."""
    _print(
        [
            "",
            f"== speed: {'--smoke sizes, ' if args.smoke else ''}float32 at each framework's "
            "default precision; channels-last, PyTorch contiguous channels-first (torch) and "
            "channels_last (torch cl); ms = medians of interleaved calls",
            "cells: forward/forward+backward ms (the output and both gradients); auto/lax, "
            "auto/torch (its faster layout): forward/forward+backward time ratios, < 1: jconv "
            "faster",
            "dev: largest difference of any implementation from lax (else torch, else the first "
            "jconv algorithm), relative to the largest value, '!' above 1e-2 (a different result); "
            "s: wall seconds for the layer, compilation included",
        ]
    )
    rows: list[Row] = []
    last = 0.0
    for case in args.cases:
        if args.smoke:
            case = _smoke_case(case)
        if time.perf_counter() + last > deadline:
            rows.append(Row(case, skipped="--max-minutes reached"))
            continue
        rows.append(bench_layer(case, torch_info, args))
        last = rows[-1].wall_s
    _print(table(rows))
    _print(["", *suggestion(rows, jax.default_backend())])


def main(argv: list[str] | None = None) -> None:
    """Runs the check and prints the report.

    Raises:
      SystemExit: status 1 if the grid failed or did not finish; status 2 (from
        ``argparse``) for bad arguments.
    """
    args = _arguments(argv)
    start = time.perf_counter()
    torch_info = torch_device(jax.default_backend())
    _print(describe(torch_info[2]))
    failed = False
    if not args.bench_only:
        failed = _grid_section(args, start + 30 * args.max_minutes)
    if not args.grid_only:
        _speed_section(args, torch_info, start + 60 * args.max_minutes)
    _print([f"elapsed {time.perf_counter() - start:.0f} s"])
    if failed:
        _print(["FAILED: the correctness grid has failures or did not finish (above)"])
        raise SystemExit(1)


if __name__ == "__main__":
    main()
