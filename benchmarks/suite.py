"""The benchmark suite: real model layers, and each implementation as a pair of callables.

Every case is a transposed convolution in PyTorch's terms (symmetric
``padding`` plus ``output_padding``), channels-last for JAX and TensorFlow and
channels-first for PyTorch, float32. An implementation provides
``fwd(x, w)`` and ``fwd_bwd(x, w, ct)`` (the output and the gradients w.r.t.
both operands for the output cotangent ``ct``, all three returned so that no
framework can prune the forward pass), its own array conversion, and
an optional ``compile`` timer.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

import jconv


@dataclasses.dataclass(frozen=True)
class Case:
    """One transposed-convolution layer.

    ``x`` is ``(N, *spatial, C_in)``, the kernel ``(*window, C_out // groups, C_in)``.
    ``tf_padding`` is the TensorFlow padding of the same cost and output size
    (it may shift the result when PyTorch's padding is not TF's ``"SAME"``).
    """

    name: str
    x_shape: tuple[int, ...]
    window: tuple[int, ...]
    c_out: int
    stride: int
    padding: int
    output_padding: int = 0
    groups: int = 1
    tf_padding: str = "SAME"

    @property
    def ndim(self) -> int:
        return len(self.window)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        return (*self.window, self.c_out // self.groups, self.x_shape[-1])

    @property
    def out_spatial(self) -> tuple[int, ...]:
        return tuple(
            (i - 1) * self.stride + k - 2 * self.padding + self.output_padding
            for i, k in zip(self.x_shape[1:-1], self.window)
        )

    @property
    def flops(self) -> int:
        """Multiply-adds that touch no inserted zero, times two (the forward pass)."""
        n, *spatial, c_in = self.x_shape
        return (
            2 * n * math.prod(spatial) * c_in * math.prod(self.window) * (self.c_out // self.groups)
        )


SUITE = (
    Case("DCGAN gen 8x32x32x128->64 k4s2", (8, 32, 32, 128), (4, 4), 64, 2, 1),
    Case("U-Net dec 4x32x32x256->128 k2s2", (4, 32, 32, 256), (2, 2), 128, 2, 0),
    Case("VAE dec 8x32x32x64->32 k3s2", (8, 32, 32, 64), (3, 3), 32, 2, 1, 1),
    Case("HiFi-GAN 1-D 4x256x512->256 k16s8", (4, 256, 512), (16,), 256, 8, 4),
    Case("WaveNet 1-D 4x8192x128->64 k4s2", (4, 8192, 128), (4,), 64, 2, 1),
    Case("3-D medical 2x8x16x16x64->32 k4s2", (2, 8, 16, 16, 64), (4, 4, 4), 32, 2, 1),
    Case("depthwise 8x32x32x64 g64 k4s2", (8, 32, 32, 64), (4, 4), 64, 2, 1, groups=64),
)


def quick(case: Case) -> Case:
    """A tiny version of ``case`` for ``--quick`` (CI): same structure, few elements."""
    spatial = tuple(min(s, 64 if case.ndim == 1 else 6) for s in case.x_shape[1:-1])
    c_in = case.groups if case.groups > 1 else 8
    c_out = case.groups if case.groups > 1 else 4
    return dataclasses.replace(case, x_shape=(1, *spatial, c_in), c_out=c_out)


@dataclasses.dataclass
class Impl:
    """One implementation of one case."""

    name: str
    fwd: Callable[..., Any]
    fwd_bwd: Callable[..., Any]
    prepare: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[Any, Any, Any]]
    compile: Callable[..., tuple[float, float]] | None = None
    results_to_numpy: Callable[[Any], list[np.ndarray]] = lambda r: [np.asarray(a) for a in r]


def _jax_prepare(x, w, ct):
    return jax.device_put(x), jax.device_put(w), jax.device_put(ct)


def _jax_pair(fun) -> tuple[Callable, Callable, Callable]:
    def fwd_bwd(x, w, ct):
        y, vjp = jax.vjp(fun, x, w)
        return (y, *vjp(ct))

    def compile_times(x, w, ct):
        # fresh wrappers, so that no cached trace or executable is reused
        t0 = time.perf_counter()
        jax.jit(lambda x, w: fun(x, w)).lower(x, w).compile()
        t1 = time.perf_counter()
        jax.jit(lambda x, w, ct: fwd_bwd(x, w, ct)).lower(x, w, ct).compile()
        return t1 - t0, time.perf_counter() - t1

    return jax.jit(fun), jax.jit(fwd_bwd), compile_times


def jconv_impl(case: Case, algorithm: str) -> Impl:
    """``jconv.conv_transpose`` with the given ``algorithm``."""

    def fun(x, w):
        return jconv.conv_transpose(
            x,
            w,
            case.stride,
            case.padding,
            output_padding=case.output_padding or None,
            groups=case.groups,
            algorithm=algorithm,
        )

    fwd, fwd_bwd, compile_times = _jax_pair(fun)
    return Impl(f"jconv {algorithm}", fwd, fwd_bwd, _jax_prepare, compile_times)


def lax_impl(case: Case) -> Impl | None:
    """``jax.lax.conv_transpose`` (no groups: ``None`` for grouped cases)."""
    if case.groups != 1:
        return None
    spatial = "DHW"[3 - case.ndim :] if case.ndim <= 3 else None
    if spatial is None:
        return None
    dims = (f"N{spatial}C", f"{spatial}IO", f"N{spatial}C")
    pads = [(k - 1 - case.padding, k - 1 - case.padding + case.output_padding) for k in case.window]

    def fun(x, w):
        return jax.lax.conv_transpose(
            x, w, (case.stride,) * case.ndim, pads, dimension_numbers=dims, transpose_kernel=True
        )

    fwd, fwd_bwd, compile_times = _jax_pair(fun)
    return Impl("lax.conv_transpose", fwd, fwd_bwd, _jax_prepare, compile_times)


def tf_impl(case: Case) -> Impl | None:
    """TensorFlow's ``tf.nn.conv_transpose`` (depthwise: ``depthwise_conv2d_backprop_input``)."""
    try:
        import tensorflow as tf
    except ImportError:
        return None
    out_shape = [case.x_shape[0], *case.out_spatial, case.c_out]
    strides = [case.stride] * case.ndim
    if case.groups == 1:

        def conv(x, w):
            return tf.nn.conv_transpose(x, w, out_shape, strides, case.tf_padding)

    elif case.groups == case.x_shape[-1] == case.c_out and case.ndim == 2:

        def conv(x, w):
            w = tf.transpose(w, [0, 1, 3, 2])
            return tf.nn.depthwise_conv2d_backprop_input(
                out_shape, w, x, [1, *strides, 1], case.tf_padding
            )

    else:
        return None

    @tf.function(jit_compile=False)
    def fwd(x, w):
        return conv(x, w)

    @tf.function(jit_compile=False)
    def fwd_bwd(x, w, ct):
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            y = conv(x, w)
            loss = tf.reduce_sum(y * ct)
        return [y, *tape.gradient(loss, [x, w])]

    def prepare(x, w, ct):
        return tf.constant(x), tf.constant(w), tf.constant(ct)

    return Impl(
        "TensorFlow", fwd, fwd_bwd, prepare, results_to_numpy=lambda r: [a.numpy() for a in r]
    )


def torch_impl(case: Case) -> Impl | None:
    """PyTorch's ``conv_transpose{1,2,3}d``, channels-first."""
    try:
        import torch
    except ImportError:
        return None
    if case.ndim > 3:
        return None
    conv = getattr(torch.nn.functional, f"conv_transpose{case.ndim}d")
    n = case.ndim

    def call(x, w):
        return conv(
            x,
            w,
            stride=case.stride,
            padding=case.padding,
            output_padding=case.output_padding,
            groups=case.groups,
        )

    def fwd(x, w):
        with torch.no_grad():
            return call(x, w)

    def fwd_bwd(x, w, ct):
        x = x.detach().requires_grad_()
        w = w.detach().requires_grad_()
        y = call(x, w)
        return (y, *torch.autograd.grad(y, (x, w), ct))

    def prepare(x, w, ct):
        # channels-last -> contiguous channels-first; (*window, Co/g, Ci) -> (Ci, Co/g, *window)
        first = (0, n + 1, *range(1, n + 1))
        return (
            torch.from_numpy(np.ascontiguousarray(x.transpose(first))),
            torch.from_numpy(np.ascontiguousarray(w.transpose(n + 1, n, *range(n)))),
            torch.from_numpy(np.ascontiguousarray(ct.transpose(first))),
        )

    def results_to_numpy(r):
        y, gx, gw = (a.detach() for a in r)
        return [
            y.movedim(1, -1).numpy(),
            gx.movedim(1, -1).numpy(),
            gw.permute(*range(2, n + 2), 1, 0).numpy(),
        ]

    return Impl("PyTorch", fwd, fwd_bwd, prepare, results_to_numpy=results_to_numpy)


def implementations(case: Case) -> list[Impl]:
    """Every implementation available for ``case``, jconv first."""
    impls = [jconv_impl(case, a) for a in ("auto", *jconv.ALGORITHMS)]
    for make in (lax_impl, tf_impl, torch_impl):
        impl = make(case)
        if impl is not None:
            impls.append(impl)
    return impls
