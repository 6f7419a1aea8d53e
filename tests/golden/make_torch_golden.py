"""The PyTorch parity cases, and the script that records PyTorch's answers to them.

``parity_cases()`` draws valid calls of ``torch.nn.functional.conv{1,2,3}d`` and
``conv_transpose{1,2,3}d`` with a fixed seed (groups 1, 2 and depthwise,
dilation, every padding form, output_padding, unbatched inputs, bias or not);
``DECISION_CASES`` lists calls that PyTorch accepts or rejects at the edges.
``tests/compat_torch/test_torch_parity.py`` runs both against live PyTorch, and
``tests/compat_torch/test_torch_golden.py`` against what this script recorded, so that the
suite checks parity where torch is not installed.

Regenerate (needs ``pip install torch==2.13.0``, the CPU build) from the repo root:

    python tests/golden/make_torch_golden.py

It writes ``tests/golden/torch_golden.npz`` with the torch version inside.
"""

from __future__ import annotations

import json
import pathlib
import warnings
from typing import Any

import numpy as np

SEED = 20240607
PER_FUNCTION = 10
GOLDEN = pathlib.Path(__file__).with_name("torch_golden.npz")
FUNCTIONS = (
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)

Case = dict[str, Any]  # {"fn", "x", "w", "b", "kwargs"[, "dtypes"]}; shapes as lists


def _ints(rng: np.random.Generator, low: int, high: int, n: int) -> list[int]:
    return [int(v) for v in rng.integers(low, high + 1, n)]


def _form(rng: np.random.Generator, values: list[int]) -> Any:
    """One of PyTorch's forms for per-dimension ints: int, 1-list, tuple-as-list."""
    if len(set(values)) == 1:
        return [int(values[0]), [int(values[0])], list(values)][int(rng.integers(3))]
    return list(values)


def _eff(k: int, d: int) -> int:
    return d * (k - 1) + 1


def _random_case(rng: np.random.Generator, fn: str, j: int) -> Case:
    n = int(fn[-2])
    transposed = fn.startswith("conv_transpose")
    grouping = ("1", "2", "depthwise")[j % 3]
    big = 7 if n < 3 else 4
    while True:
        window = _ints(rng, 1, 3, n)
        stride = _ints(rng, 1, 3, n) if rng.random() < 0.7 else [1] * n
        dilation = _ints(rng, 1, 2, n) if rng.random() < 0.5 else [1] * n
        if rng.random() < 0.5:  # same value on every dim, so every form is possible
            stride, dilation = [stride[0]] * n, [dilation[0]] * n
        sizes = _ints(rng, 1, big, n)
        if grouping == "1":
            g, a, b = 1, int(rng.integers(1, 4)), int(rng.integers(1, 4))
        elif grouping == "2":
            g, a, b = 2, int(rng.integers(1, 3)), int(rng.integers(1, 3))
        else:
            g, a, b = int(rng.integers(2, 5)), 1, int(rng.integers(1, 3))
        # conv: C_in = g * a, C_out = g * b; transpose: C_in = g * a, C_out = g * b as well.
        kwargs: dict[str, Any] = {}
        if transposed:
            pads = [int(rng.integers(0, _eff(k, d))) for k, d in zip(window, dilation)]
            extra = [int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation)]
            if rng.random() < 0.4:
                extra = [0] * n
            out = [
                (i - 1) * s - 2 * p + _eff(k, d) + e
                for i, k, s, p, e, d in zip(sizes, window, stride, pads, extra, dilation)
            ]
            if min(out) < 1:
                continue
            w = [g * a, b, *window]
            c_out = g * b
            if any(pads) or rng.random() < 0.3:
                kwargs["padding"] = _form(rng, pads)
            if any(extra):
                kwargs["output_padding"] = _form(rng, extra)
        else:
            mode = ("int", "per_dim", "same", "valid")[int(rng.integers(4))]
            if mode == "same":
                stride = [1] * n
                kwargs["padding"] = "same"
                pads = None
            elif mode == "valid":
                kwargs["padding"] = "valid"
                pads = [0] * n
            else:
                pads = [int(rng.integers(0, 3))] * n if mode == "int" else _ints(rng, 0, 2, n)
                kwargs["padding"] = _form(rng, pads)
            if pads is not None and any(
                i + 2 * p < _eff(k, d) for i, p, k, d in zip(sizes, pads, window, dilation)
            ):
                continue
            w = [g * b, a, *window]
            c_out = g * b
            if kwargs["padding"] == 0 and rng.random() < 0.5:
                del kwargs["padding"]
        if any(v != 1 for v in stride):
            kwargs["stride"] = _form(rng, stride)
        if any(v != 1 for v in dilation):
            kwargs["dilation"] = _form(rng, dilation)
        if g != 1:
            kwargs["groups"] = g
        batched = j % 4 != 3
        x = ([int(rng.integers(1, 3))] if batched else []) + [g * a, *sizes]
        bias = [c_out] if rng.random() < 0.6 else None
        return {"fn": fn, "x": x, "w": w, "b": bias, "kwargs": kwargs}


def parity_cases() -> list[Case]:
    """Valid calls, ``PER_FUNCTION`` per function, drawn with a fixed seed."""
    rng = np.random.default_rng(SEED)
    return [_random_case(rng, fn, j) for fn in FUNCTIONS for j in range(PER_FUNCTION)]


def _c(fn: str, x: list[int], w: list[int], b: list[int] | None = None, **kwargs: Any) -> Case:
    return {"fn": fn, "x": x, "w": w, "b": b, "kwargs": kwargs}


_X, _W, _WT = [1, 4, 5, 5], [6, 2, 3, 3], [4, 3, 3, 3]

# Calls at the edges of what PyTorch accepts: accept/reject must agree.
DECISION_CASES: list[Case] = [
    _c("conv2d", _X, _W, groups=2),
    _c("conv2d", _X, _W, stride=[2], groups=2),
    _c("conv2d", _X, _W, stride=[1, 1, 1], groups=2),
    _c("conv2d", _X, _W, stride=[], groups=2),
    _c("conv2d", _X, _W, stride=0, groups=2),
    _c("conv2d", _X, _W, stride=[2, -1], groups=2),
    _c("conv2d", _X, _W, stride=1.0, groups=2),
    _c("conv2d", _X, _W, stride=True, groups=2),
    _c("conv2d", _X, _W, stride=[1, 2.0], groups=2),
    _c("conv2d", _X, _W, stride="1", groups=2),
    _c("conv2d", _X, _W, padding=-1, groups=2),
    _c("conv2d", _X, _W, padding=[[1, 1], [1, 1]], groups=2),
    _c("conv2d", _X, _W, padding=[1], groups=2),
    _c("conv2d", _X, _W, padding=[0, 2], groups=2),
    _c("conv2d", _X, _W, padding="same", groups=2),
    _c("conv2d", _X, _W, padding="SAME", groups=2),
    _c("conv2d", _X, _W, padding="Same", groups=2),
    _c("conv2d", _X, _W, padding="same", stride=2, groups=2),
    _c("conv2d", _X, _W, padding="same", stride=[1, 1], groups=2),
    _c("conv2d", _X, _W, padding="same", stride=[1, 2], groups=2),
    _c("conv2d", _X, _W, padding="valid", groups=2),
    _c("conv2d", _X, _W, padding="valid", stride=2, groups=2),
    _c("conv2d", _X, _W, padding="full", groups=2),
    _c("conv2d", _X, _W, padding=None, groups=2),
    _c("conv2d", _X, _W, padding=1.5, groups=2),
    _c("conv2d", _X, _W, dilation=0, groups=2),
    _c("conv2d", _X, _W, dilation=[2], groups=2),
    _c("conv2d", _X, _W, dilation=[1, 1, 1], groups=2),
    _c("conv2d", _X, _W, groups=0),
    _c("conv2d", _X, _W, groups=-1),
    _c("conv2d", _X, _W, groups=3),
    _c("conv2d", _X, _W),
    _c("conv2d", _X, [6, 1, 3, 3], groups=4),
    _c("conv2d", _X, [8, 1, 3, 3], groups=4),
    _c("conv2d", _X, _W, groups=2.0),
    _c("conv2d", _X, [6, 2, 7, 7], groups=2),
    _c("conv2d", _X, [6, 2, 7, 7], padding=1, groups=2),
    _c("conv2d", _X, [6, 2, 7, 7], padding=[1, 0], groups=2),
    _c("conv2d", _X, _W, dilation=3, groups=2),
    _c("conv2d", _X, _W, dilation=2, groups=2),
    _c("conv2d", _X, _W, dilation=3, padding=1, groups=2),
    _c("conv2d", [4, 5, 5], _W, groups=2),
    _c("conv2d", [4, 5, 5], _W, [6], padding="same", groups=2),
    _c("conv2d", [1, 1, 4, 5, 5], _W, groups=2),
    _c("conv2d", [5, 5], _W, groups=2),
    _c("conv2d", _X, [6, 2, 3], groups=2),
    _c("conv2d", _X, [1, 6, 2, 3, 3], groups=2),
    _c("conv2d", _X, _W, [6], groups=2),
    _c("conv2d", _X, _W, [5], groups=2),
    _c("conv2d", _X, _W, [6, 1], groups=2),
    _c("conv2d", _X, _W, [], groups=2),
    {**_c("conv2d", _X, _W, [6], groups=2), "dtypes": ["float64", "float64", "float32"]},
    {**_c("conv2d", _X, _W, groups=2), "dtypes": ["float64", "float32", None]},
    {**_c("conv2d", _X, _W, groups=2), "dtypes": ["float32", "float64", None]},
    _c("conv2d", [0, 4, 5, 5], _W, groups=2),
    _c("conv2d", [0, 4, 5, 5], _W, [6], padding=1, stride=2, groups=2),
    _c("conv2d", [1, 4, 0, 5], _W, groups=2),
    _c("conv2d", [1, 4, 0, 5], _W, padding=2, groups=2),
    _c("conv2d", _X, [6, 2, 0, 3], groups=2),
    _c("conv2d", _X, [0, 2, 3, 3], groups=2),
    _c("conv2d", _X, [6, 2, 4, 4], padding="same", groups=2),
    _c("conv2d", _X, [6, 2, 4, 2], padding="same", dilation=[1, 3], groups=2),
    _c("conv2d", [1, 4, 1, 1], _W, padding="same", groups=2),
    _c("conv2d", [1, 4, 1, 1], _W, padding=1, groups=2),
    _c("conv1d", [2, 3, 7], [4, 3, 3], [4], padding="same", dilation=2),
    _c("conv1d", [2, 3, 7], [4, 3, 3, 3]),
    _c("conv1d", [3, 7], [4, 3, 3], stride=[3]),
    _c("conv1d", [3, 7], [4, 3, 3], stride=[1, 1]),
    _c("conv1d", [1, 3, 2], [4, 3, 3]),
    _c("conv3d", [2, 3, 4, 4], [5, 2, 3, 3, 3], padding=[1, 0, 1]),
    _c("conv3d", [1, 2, 3, 4, 4], [4, 1, 2, 2, 2], stride=[1, 2, 1], groups=2),
    _c("conv3d", [1, 2, 3, 4, 4], [4, 1, 2, 2, 2], padding=[1, 1], groups=2),
    _c("conv3d", [1, 2, 3, 4, 4], [4, 1, 2, 2], groups=2),
    # transposed
    _c("conv_transpose2d", _X, _WT, groups=2),
    _c("conv_transpose2d", _X, _WT, stride=2, output_padding=1, groups=2),
    _c("conv_transpose2d", _X, _WT, stride=2, output_padding=2, groups=2),
    _c("conv_transpose2d", _X, _WT, dilation=2, output_padding=1, groups=2),
    _c("conv_transpose2d", _X, _WT, dilation=2, stride=2, output_padding=[1, 0], groups=2),
    _c("conv_transpose2d", _X, _WT, stride=2, output_padding=-1, groups=2),
    _c("conv_transpose2d", _X, _WT, output_padding=1, groups=2),
    _c("conv_transpose2d", _X, _WT, padding=-1, groups=2),
    _c("conv_transpose2d", _X, _WT, padding="same", groups=2),
    _c("conv_transpose2d", _X, _WT, padding="valid", groups=2),
    _c("conv_transpose2d", _X, _WT, padding=[[1, 1], [1, 1]], groups=2),
    _c("conv_transpose2d", _X, _WT, padding=3, groups=2),
    _c("conv_transpose2d", _X, _WT, padding=4, groups=2),
    _c("conv_transpose2d", _X, _WT, padding=[4, 0], groups=2),
    _c("conv_transpose2d", [1, 4, 1, 1], _WT, padding=2, stride=2, output_padding=1, groups=2),
    _c("conv_transpose2d", [1, 4, 1, 1], _WT, padding=1, stride=2, output_padding=1, groups=2),
    _c("conv_transpose2d", _X, [5, 3, 3, 3]),
    _c("conv_transpose2d", _X, _WT, groups=3),
    _c("conv_transpose2d", _X, [4, 1, 3, 3], groups=4),
    _c("conv_transpose2d", _X, [4, 2, 3, 3], [8], groups=4),
    _c("conv_transpose2d", _X, _WT, groups=8),
    _c("conv_transpose2d", _X, _WT, groups=0),
    _c("conv_transpose2d", _X, _WT, groups=1.0),
    _c("conv_transpose2d", [4, 5, 5], _WT, [6], stride=2, groups=2),
    _c("conv_transpose2d", [1, 1, 4, 5, 5], _WT, groups=2),
    _c("conv_transpose2d", _X, _WT, [3], groups=2),
    _c("conv_transpose2d", _X, _WT, [6], groups=2),
    _c("conv_transpose2d", _X, _WT, stride=2, output_padding=[1], groups=2),
    _c("conv_transpose2d", _X, _WT, stride=2, output_padding=[1, 1, 1], groups=2),
    _c("conv_transpose2d", _X, _WT, stride=[2, 1], output_padding=[1, 1], groups=2),
    _c("conv_transpose2d", _X, _WT, stride=[2, 1], output_padding=[1, 0], groups=2),
    _c("conv_transpose2d", _X, _WT, output_padding=1.0, stride=2, groups=2),
    _c("conv_transpose2d", [1, 4, 1, 1], [4, 3, 1, 1], dilation=3, output_padding=2, groups=2),
    _c("conv_transpose2d", [1, 4, 1, 1], [4, 3, 2, 2], padding=2, dilation=3, output_padding=2),
    _c("conv_transpose2d", [1, 4, 1, 1], [4, 3, 2, 2], padding=2, dilation=3, output_padding=1),
    _c("conv_transpose2d", [1, 4, 2, 3], [4, 3, 2, 2], padding=3, dilation=4, output_padding=3),
    _c("conv_transpose2d", [0, 4, 5, 5], _WT, groups=2),
    _c("conv_transpose2d", [1, 4, 0, 5], _WT, groups=2),
    _c("conv_transpose2d", _X, _WT, stride=0, groups=2),
    _c("conv_transpose2d", _X, _WT, dilation=[1, 0], groups=2),
    _c("conv_transpose2d", _X, [4, 3, 3], groups=2),
    _c("conv_transpose2d", _X, [4, 3, 0, 3], groups=2),
    {**_c("conv_transpose2d", _X, _WT, groups=2), "dtypes": ["float64", "float32", None]},
    # The bias dtype: torch's reference kernel adds it in place (oneDNN, taken for float32
    # with groups > 1, would reject it: compat follows the reference kernel; see the README).
    {**_c("conv_transpose2d", _X, _WT, [6], groups=2), "dtypes": ["float64", "float64", "float32"]},
    {
        **_c("conv_transpose1d", [2, 4, 5], [4, 2, 3], [2]),
        "dtypes": ["float64", "float64", "int64"],
    },
    {**_c("conv_transpose2d", _X, _WT, [6], groups=2), "dtypes": ["float64", "float64", "bool"]},
    {**_c("conv_transpose2d", _X, _WT, [6], groups=2), "dtypes": ["int64", "int64", "float32"]},
    {
        **_c("conv_transpose3d", [1, 2, 2, 2, 2], [2, 2, 2, 2, 2], [2]),
        "dtypes": ["float64", "float64", "float32"],
    },
    {
        **_c("conv_transpose3d", [0, 2, 2, 2, 2], [2, 2, 2, 2, 2], [2]),
        "dtypes": ["float64", "float64", "float32"],
    },
    {
        **_c("conv3d", [0, 2, 3, 3, 3], [2, 2, 2, 2, 2], [2]),
        "dtypes": ["float64", "float64", "float32"],
    },
    _c("conv_transpose1d", [2, 4, 5], [4, 2, 3], [2], stride=3, padding=1, output_padding=2),
    _c("conv_transpose1d", [2, 4, 5], [4, 2, 3], stride=3, padding=1, output_padding=3),
    _c("conv_transpose1d", [4, 5], [4, 2, 3], stride=[2], dilation=[2]),
    _c("conv_transpose1d", [2, 4, 5], [4, 2, 3, 3]),
    _c("conv_transpose3d", [1, 2, 2, 3, 2], [2, 2, 2, 2, 2], [4], stride=[2, 1, 2], groups=2),
    _c("conv_transpose3d", [2, 2, 3, 2], [2, 2, 2, 2, 2], stride=2, output_padding=[1, 0, 1]),
    _c("conv_transpose3d", [2, 2, 3, 2], [2, 2, 2, 2, 2], stride=2, output_padding=[1, 1]),
]


def case_arrays(case: Case, seed: int, dtype: Any = np.float64) -> tuple[np.ndarray, ...]:
    """Inputs for one case: ``(x, w, b)``, ``b`` empty when the case has no bias."""
    rng = np.random.default_rng(seed)
    dtypes = case.get("dtypes") or [None, None, None]
    out = []
    for shape, dt in zip((case["x"], case["w"], case["b"]), dtypes):
        if shape is None:
            out.append(np.zeros((0,), dtype))
            continue
        out.append(rng.standard_normal(shape).astype(dt or dtype))
    return tuple(out)


def call_kwargs(case: Case) -> dict[str, Any]:
    """The keyword arguments of a case as the functions take them (lists become tuples)."""

    def tup(v: Any) -> Any:
        return tuple(tup(u) for u in v) if isinstance(v, list) else v

    return {k: tup(v) for k, v in case["kwargs"].items()}


def run_torch(case: Case, arrays: tuple[np.ndarray, ...]) -> np.ndarray:
    """Calls the real ``torch.nn.functional`` function on NumPy inputs."""
    import torch

    x, w, b = (torch.from_numpy(a) for a in arrays)
    fn = getattr(torch.nn.functional, case["fn"])
    with warnings.catch_warnings():  # 'same' with an even kernel: a performance note
        warnings.simplefilter("ignore", UserWarning)
        return fn(x, w, b if case["b"] is not None else None, **call_kwargs(case)).numpy()


def main() -> None:
    import torch

    torch.set_num_threads(1)
    record: dict[str, Any] = {"torch_version": np.array(torch.__version__)}
    cases = parity_cases()
    for i, case in enumerate(cases):
        arrays = case_arrays(case, SEED + i)
        record[f"x{i}"], record[f"w{i}"], record[f"b{i}"] = arrays
        record[f"y{i}"] = run_torch(case, arrays)
    decisions = []
    for i, case in enumerate(DECISION_CASES):
        try:
            shape = list(run_torch(case, case_arrays(case, SEED + 1000 + i)).shape)
            decisions.append({"case": case, "raised": False, "shape": shape})
        except Exception as e:
            decisions.append({"case": case, "raised": True, "error": type(e).__name__})
    record["cases"] = np.array(json.dumps(cases))
    record["decisions"] = np.array(json.dumps(decisions))
    np.savez_compressed(GOLDEN, **record)
    rejected = sum(d["raised"] for d in decisions)
    print(
        f"wrote {GOLDEN} (torch {torch.__version__}): {len(cases)} parity cases, "
        f"{len(decisions)} decision cases ({rejected} rejected by torch)"
    )


if __name__ == "__main__":
    main()
