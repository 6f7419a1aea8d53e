"""The benchmark suites: real model layers, and each implementation as a pair of callables.

:data:`SUITE` holds transposed convolutions in PyTorch's terms (symmetric
``padding`` plus ``output_padding``), :data:`CONV_SUITE` strided forward
convolutions (``jconv.conv``, which is also the transpose's input gradient).
Arrays are channels-last for JAX and TensorFlow and channels-first for
PyTorch (contiguous, and again in ``channels_last`` memory format for 2-D and
3-D layers), float32. An implementation provides ``fwd(x, w)`` and
``fwd_bwd(x, w, ct)`` (the output and the gradients w.r.t. both operands for
the output cotangent ``ct``, all three returned so that no framework can prune
the forward pass) and its own array conversion; a JAX implementation also
gives its function, which the benchmark compiles afresh to time the
compilation and read XLA's memory analysis.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from collections.abc import Callable
from typing import Any, TypeVar

import jax
import numpy as np

import jconv
from jconv import shapes


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
        return shapes.transpose_output_shape(
            self.x_shape[1:-1],
            self.window,
            self.stride,
            self.padding,
            output_padding=self.output_padding or None,
        )

    @property
    def flops(self) -> int:
        """Multiply-adds that touch no inserted zero, times two (the forward pass)."""
        n, *spatial, c_in = self.x_shape
        return (
            2 * n * math.prod(spatial) * c_in * math.prod(self.window) * (self.c_out // self.groups)
        )

    @property
    def zero_inserted_bytes(self) -> int:
        """float32 bytes of the lhs-dilated, padded input a naive transpose convolves."""
        n, c = self.x_shape[0], self.x_shape[-1]
        return 4 * n * c * math.prod(o + k - 1 for o, k in zip(self.out_spatial, self.window))


@dataclasses.dataclass(frozen=True)
class ConvCase:
    """One strided forward convolution (``jconv.conv``), symmetric ``padding``.

    ``x`` is ``(N, *spatial, C_in)``, the kernel ``(*window, C_in // groups, C_out)``.
    """

    name: str
    x_shape: tuple[int, ...]
    window: tuple[int, ...]
    c_out: int
    stride: int
    padding: int
    groups: int = 1

    @property
    def ndim(self) -> int:
        return len(self.window)

    @property
    def kernel_shape(self) -> tuple[int, ...]:
        return (*self.window, self.x_shape[-1] // self.groups, self.c_out)

    @property
    def out_spatial(self) -> tuple[int, ...]:
        return shapes.conv_output_shape(self.x_shape[1:-1], self.window, self.stride, self.padding)

    @property
    def flops(self) -> int:
        """Multiply-adds of the forward pass (every output, every tap), times two."""
        n, c_in = self.x_shape[0], self.x_shape[-1]
        per_out = math.prod(self.window) * (c_in // self.groups)
        return 2 * n * math.prod(self.out_spatial) * self.c_out * per_out

    @property
    def zero_inserted_bytes(self) -> int:
        """float32 bytes of the zero-inserted, padded cotangent behind a naive input gradient."""
        n, spatial = self.x_shape[0], self.x_shape[1:-1]
        return 4 * n * self.c_out * math.prod(i + k - 1 for i, k in zip(spatial, self.window))


AnyCase = Case | ConvCase
C = TypeVar("C", bound=Case | ConvCase)

SUITE = (
    Case("DCGAN gen 8x32x32x128->64 k4s2", (8, 32, 32, 128), (4, 4), 64, 2, 1),
    Case("U-Net dec 4x32x32x256->128 k2s2", (4, 32, 32, 256), (2, 2), 128, 2, 0),
    Case("VAE dec 8x32x32x64->32 k3s2", (8, 32, 32, 64), (3, 3), 32, 2, 1, 1),
    Case("HiFi-GAN 1-D 4x256x512->256 k16s8", (4, 256, 512), (16,), 256, 8, 4),
    Case("WaveNet 1-D 4x8192x128->64 k4s2", (4, 8192, 128), (4,), 64, 2, 1),
    Case("3-D medical 2x8x16x16x64->32 k4s2", (2, 8, 16, 16, 64), (4, 4, 4), 32, 2, 1),
    Case("3-D few-ch 2x8x32x32x32->16 k4s2", (2, 8, 32, 32, 32), (4, 4, 4), 16, 2, 1),
    Case("grouped 8x32x32x256->128 g8 k4s2", (8, 32, 32, 256), (4, 4), 128, 2, 1, groups=8),
    Case("depthwise 8x32x32x64 g64 k4s2", (8, 32, 32, 64), (4, 4), 64, 2, 1, groups=64),
)
"""Transposed convolutions of real models (decoders, vocoders, 3-D segmentation)."""

CONV_SUITE = (
    ConvCase("ResNet-18 8x56x56x64->128 k3s2", (8, 56, 56, 64), (3, 3), 128, 2, 1),
    ConvCase("ResNet-18 8x28x28x128->128 k3s1", (8, 28, 28, 128), (3, 3), 128, 1, 1),
    ConvCase("ResNeXt 8x56x56x512 g32 k3s2", (8, 56, 56, 512), (3, 3), 512, 2, 1, groups=32),
    ConvCase("MobileNetV2 dw 8x112x112x96 k3s2", (8, 112, 112, 96), (3, 3), 96, 2, 1, groups=96),
    ConvCase("EnCodec 1-D 4x16384x32->64 k4s2", (4, 16384, 32), (4,), 64, 2, 1),
    ConvCase("nnU-Net 3-D 2x32x32x32x32->64 k3s2", (2, 32, 32, 32, 32), (3, 3, 3), 64, 2, 1),
)
"""Strided convolutions of real models, 0.5-1.9 GFLOP each (the depthwise one: 0.04)."""


def quick(case: C) -> C:
    """A tiny version of ``case`` for ``--quick`` (CI): same structure, few elements."""
    spatial = tuple(min(s, 64 if case.ndim == 1 else 6) for s in case.x_shape[1:-1])
    c_in = case.groups if case.groups > 1 else 8
    c_out = case.groups if case.groups > 1 else 4
    return dataclasses.replace(case, x_shape=(1, *spatial, c_in), c_out=c_out)


def operands(case: AnyCase, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random float32 ``x``, kernel (scaled by its fan-in) and output cotangent."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(case.x_shape, dtype=np.float32)
    fan_in = math.prod(case.window) * case.kernel_shape[-2]
    w = rng.standard_normal(case.kernel_shape, dtype=np.float32) / np.float32(math.sqrt(fan_in))
    ct = rng.standard_normal((case.x_shape[0], *case.out_spatial, case.c_out), dtype=np.float32)
    return x, w, ct


def reference(case: AnyCase, semantics: str, x, w, ct) -> list[np.ndarray]:
    """The output and both gradients by the reference, with ``semantics``' padding.

    Transposed convolutions: jconv's ``lhs_dilation`` algorithm, in PyTorch's
    padding (``"default"``) or TensorFlow's (``"tf"``: ``tf_padding`` and the
    same output size). Convolutions: ``lax.conv_general_dilated``.
    """
    if isinstance(case, ConvCase):

        def ref(x, w):
            return _lax_conv(case, x, w, precision=jax.lax.Precision.HIGHEST)

    else:
        kw: dict[str, Any]
        if semantics == "tf":
            kw = {"padding": case.tf_padding, "output_shape": case.out_spatial}
        else:
            kw = {"padding": case.padding, "output_padding": case.output_padding or None}

        def ref(x, w):
            return jconv.conv_transpose(
                x, w, case.stride, groups=case.groups, algorithm="lhs_dilation", **kw
            )

    y, vjp = jax.vjp(ref, x, w)
    return [np.asarray(a) for a in (y, *vjp(ct))]


@dataclasses.dataclass
class Impl:
    """One implementation of one case.

    ``jax_fun`` (JAX implementations only) is the function ``(x, w) -> y``
    behind ``fwd``; ``semantics`` names the padding rule :func:`reference`
    checks it against.
    """

    name: str
    fwd: Callable[..., Any]
    fwd_bwd: Callable[..., Any]
    prepare: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[Any, Any, Any]]
    jax_fun: Callable[..., Any] | None = None
    results_to_numpy: Callable[[Any], list[np.ndarray]] = lambda r: [np.asarray(a) for a in r]
    semantics: str = "default"


def vjp_all(fun: Callable[..., Any]) -> Callable[..., Any]:
    """``(x, w, ct) -> (fun(x, w), dx, dw)``: the forward + backward pass of a JAX function."""

    def fwd_bwd(x, w, ct):
        y, vjp = jax.vjp(fun, x, w)
        return (y, *vjp(ct))

    return fwd_bwd


def _jax_prepare(x, w, ct):
    return jax.device_put(x), jax.device_put(w), jax.device_put(ct)


def _jax_impl(name: str, fun: Callable[..., Any]) -> Impl:
    return Impl(name, jax.jit(fun), jax.jit(vjp_all(fun)), _jax_prepare, jax_fun=fun)


def jconv_fun(case: Case, algorithm: str) -> Callable[..., Any]:
    """``(x, w) -> jconv.conv_transpose(x, w, ...)`` for ``case`` with the given ``algorithm``."""

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

    return fun


def jconv_impl(case: Case, algorithm: str) -> Impl:
    """``jconv.conv_transpose`` with the given ``algorithm``."""
    fun = jconv_fun(case, algorithm)

    return _jax_impl(f"jconv {algorithm}", fun)


def _spatial_letters(ndim: int) -> str:
    return "DHW"[3 - ndim :]


def lax_impl(case: Case) -> Impl | None:
    """``jax.lax.conv_transpose`` (no groups: ``None`` for grouped cases)."""
    if case.groups != 1 or case.ndim > 3:
        return None
    spatial = _spatial_letters(case.ndim)
    dims = (f"N{spatial}C", f"{spatial}IO", f"N{spatial}C")
    pads = [(k - 1 - case.padding, k - 1 - case.padding + case.output_padding) for k in case.window]

    def fun(x, w):
        return jax.lax.conv_transpose(
            x, w, (case.stride,) * case.ndim, pads, dimension_numbers=dims, transpose_kernel=True
        )

    return _jax_impl("lax.conv_transpose", fun)


def _lax_conv(case: ConvCase, x, w, precision=None):
    spatial = _spatial_letters(case.ndim)
    return jax.lax.conv_general_dilated(
        x,
        w,
        (case.stride,) * case.ndim,
        [(case.padding, case.padding)] * case.ndim,
        dimension_numbers=(f"N{spatial}C", f"{spatial}IO", f"N{spatial}C"),
        feature_group_count=case.groups,
        precision=precision,
    )


def conv_impls(case: ConvCase) -> list[Impl]:
    """``jconv.conv`` (and each of its algorithms, if it has any) and ``lax.conv_general_dilated``."""
    algorithms: tuple[str, ...] = ()
    if "algorithm" in inspect.signature(jconv.conv).parameters:
        algorithms = ("auto", *getattr(jconv, "CONV_ALGORITHMS", ()))
    impls = []
    for algorithm in algorithms or (None,):
        kw: dict[str, str] = {} if algorithm is None else {"algorithm": algorithm}

        def fun(x, w, kw=kw):
            return jconv.conv(x, w, case.stride, case.padding, groups=case.groups, **kw)

        suffix = "" if algorithm in (None, "auto") else f" {algorithm}"
        impls.append(_jax_impl(f"jconv.conv{suffix}", fun))
    impls.append(_jax_impl("lax.conv_general_dilated", lambda x, w: _lax_conv(case, x, w)))
    return impls


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

    else:  # tf.nn.conv_transpose has no groups
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
        "TensorFlow",
        fwd,
        fwd_bwd,
        prepare,
        results_to_numpy=lambda r: [a.numpy() for a in r],
        semantics="tf",
    )


def torch_impls(case: AnyCase) -> list[Impl]:
    """PyTorch's ``conv{,_transpose}{1,2,3}d``: contiguous channels-first, and channels-last.

    The ``"PyTorch CL"`` entry (2-D and 3-D only: 1-D has no such memory
    format) hands input, kernel and cotangent over in
    ``torch.channels_last`` / ``torch.channels_last_3d``, the layout
    oneDNN runs fastest.
    """
    try:
        import torch
    except ImportError:
        return []
    n = case.ndim
    if n > 3:
        return []
    transpose = isinstance(case, Case)
    conv = getattr(torch.nn.functional, f"conv{'_transpose' if transpose else ''}{n}d")
    kw: dict[str, int] = {"stride": case.stride, "padding": case.padding, "groups": case.groups}
    if isinstance(case, Case):
        kw["output_padding"] = case.output_padding

    def fwd(x, w):
        with torch.no_grad():
            return conv(x, w, **kw)

    def fwd_bwd(x, w, ct):
        x = x.detach().requires_grad_()
        w = w.detach().requires_grad_()
        y = conv(x, w, **kw)
        return (y, *torch.autograd.grad(y, (x, w), ct))

    first = (0, n + 1, *range(1, n + 1))  # channels-last -> channels-first
    # jconv's kernel (*window, a, b) -> PyTorch's (b, a, *window): (C_in, C_out/g, *k) for the
    # transpose, (C_out, C_in/g, *k) for the convolution
    kernel_order = (n + 1, n, *range(n))

    def results_to_numpy(r):  # (y,) or (y, dx, dw), back to jconv's layouts
        to_last = (0, *range(2, n + 2), 1)
        orders = (to_last, to_last, (*range(2, n + 2), 1, 0))
        return [a.detach().permute(*o).numpy() for a, o in zip(r, orders)]

    def prepare_as(memory_format):
        def prepare(x, w, ct):
            arrays = (x.transpose(first), w.transpose(kernel_order), ct.transpose(first))
            return tuple(
                torch.from_numpy(np.ascontiguousarray(a)).contiguous(memory_format=memory_format)
                for a in arrays
            )

        return prepare

    impls = [
        Impl("PyTorch", fwd, fwd_bwd, prepare_as(torch.contiguous_format), None, results_to_numpy)
    ]
    if n in (2, 3):
        fmt = torch.channels_last if n == 2 else torch.channels_last_3d
        impls.append(Impl("PyTorch CL", fwd, fwd_bwd, prepare_as(fmt), None, results_to_numpy))
    return impls


def implementations(case: AnyCase) -> list[Impl]:
    """Every implementation available for ``case``, jconv first."""
    if isinstance(case, ConvCase):
        return [*conv_impls(case), *torch_impls(case)]
    impls = [jconv_impl(case, a) for a in ("auto", *jconv.ALGORITHMS)]
    for make in (lax_impl, tf_impl):
        impl = make(case)
        if impl is not None:
            impls.append(impl)
    return [*impls, *torch_impls(case)]
