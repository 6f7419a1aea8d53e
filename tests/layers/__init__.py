"""Tests of ``jconv.init``, ``jconv.flax`` and ``jconv.equinox``.

This package module holds what the Flax and Equinox tests share: random
PyTorch layer configurations (fixed seed) and the PyTorch run that is their
oracle (values and gradients, float64).
"""

from __future__ import annotations

import numpy as np

SEED = 20240611
MODES = ("zeros", "circular", "reflect", "replicate")


def torch_cases(transpose: bool, count: int, seed: int = SEED) -> list[dict]:
    """``count`` random layer configurations PyTorch accepts, 1-D to 3-D, cycling the rank.

    Each has ``ndim, c_in, c_out, kernel, stride, padding, dilation, groups,
    output_padding`` (transpose; else zeros), ``padding_mode`` (``"zeros"``
    for a transpose: PyTorch's ``ConvTranspose*d`` has no other), ``bias``
    and ``size`` (the input's spatial sizes, large enough for every mode).
    """
    rng = np.random.default_rng(seed + transpose)
    cases = []
    for i in range(count):
        n = 1 + i % 3
        groups = int(rng.integers(1, 4))
        top = 4 if n < 3 else 3
        k = tuple(int(v) for v in rng.integers(1, top + 1, n))
        s = tuple(int(v) for v in rng.integers(1, 4, n))
        d = tuple(int(v) for v in rng.integers(1, 3, n))
        p = tuple(int(v) for v in rng.integers(0, 3, n))
        a = (
            tuple(int(rng.integers(0, max(si, di))) for si, di in zip(s, d))
            if transpose
            else (0,) * n
        )
        mode = "zeros" if transpose else MODES[i % len(MODES)]
        if transpose:
            size = []
            for ki, si, di, pi, ai in zip(k, s, d, p, a):
                i_ = int(rng.integers(1, 5))
                while (i_ - 1) * si + di * (ki - 1) + 1 - 2 * pi + ai < 1:
                    i_ += 1
                size.append(i_)
        else:
            size = [max(3, di * (ki - 1) + 1) + int(rng.integers(0, 4)) for ki, di in zip(k, d)]
        cases.append(
            dict(
                ndim=n,
                c_in=groups * int(rng.integers(1, 3)),
                c_out=groups * int(rng.integers(1, 3)),
                kernel=k,
                stride=s,
                padding=p,
                dilation=d,
                groups=groups,
                output_padding=a,
                padding_mode=mode,
                bias=bool(i % 4 != 3),
                size=tuple(size),
            )
        )
    return cases


def case_id(case: dict) -> str:
    return (
        f"{case['ndim']}d-g{case['groups']}-k{case['kernel']}-s{case['stride']}-p{case['padding']}"
        f"-d{case['dilation']}-a{case['output_padding']}-{case['padding_mode']}"
    ).replace(" ", "")


def run_torch(case: dict, transpose: bool, seed: int):
    """Builds the PyTorch layer, runs it in float64 on a random batch of 2, backpropagates.

    Returns ``(weight, bias, x, cotangent, y, dx, dweight, dbias)`` as float64
    NumPy arrays in PyTorch's layouts (channels-first; ``bias``/``dbias`` may
    be ``None``).
    """
    import torch

    torch.set_num_threads(1)
    n = case["ndim"]
    name = f"ConvTranspose{n}d" if transpose else f"Conv{n}d"
    kwargs = dict(
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
        bias=case["bias"],
        padding_mode=case["padding_mode"],
    )
    if transpose:
        kwargs["output_padding"] = case["output_padding"]
    torch.manual_seed(seed)
    module = getattr(torch.nn, name)(case["c_in"], case["c_out"], case["kernel"], **kwargs)
    module = module.double()
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.standard_normal((2, case["c_in"], *case["size"])), requires_grad=True)
    y = module(x)
    ct = torch.tensor(rng.standard_normal(tuple(y.shape)))
    (y * ct).sum().backward()
    bias = module.bias

    def np_(t):
        return None if t is None else t.detach().numpy().copy()

    return (
        np_(module.weight),
        np_(bias),
        np_(x),
        np_(ct),
        np_(y),
        np_(x.grad),
        np_(module.weight.grad),
        None if bias is None else np_(bias.grad),
    )


def zeros_init(key, shape, dtype):
    """A NumPy initializer: no PRNG compile per shape, for tests that set the parameters."""
    del key
    return np.zeros(shape, dtype)


def normal(seed: int, shape, dtype=np.float64) -> np.ndarray:
    """Standard normal NumPy data (no JAX compile per shape)."""
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)
