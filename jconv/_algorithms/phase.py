"""``algorithm="phase"`` and ``"hybrid"``: transposed convolutions with phase-domain gradients.

``"phase"`` is the stride-phase (sub-pixel) decomposition: one stride-1
convolution of the undilated input with the ``prod(stride)`` phase
sub-kernels stacked along output channels, then a depth-to-space interleave
and a crop (:mod:`jconv._algorithms.phase_plan` has the arithmetic, :mod:`jconv._algorithms.phase_ops`
the ``lax`` code). No multiply ever touches an inserted zero. ``"hybrid"``
computes the forward pass as the reference does (XLA's lhs-dilated
convolution, which XLA:CPU runs with a dedicated kernel in 2-D) and its
derivatives as ``"phase"`` does.

Both are one JAX primitive, ``jconv_conv_transpose``, so that derivatives
are chosen rather than derived from the ``lax`` ops inside it (XLA:CPU runs
the kernel gradient that autodiff would derive from the stacked convolution
orders of magnitude slower than necessary). ``conv_transpose`` is bilinear,
and the primitive says so (``jax.interpreters.ad.defbilinear``):

* forward mode (``jax.jvp``): ``f(dx, w) + f(x, dw)`` with the same forward ``f``;
* transpose w.r.t. ``x`` (``jax.grad``, ``jax.linear_transpose``): the plain
  strided forward convolution of the cotangent (the adjoint identity);
* transpose w.r.t. the kernel: a phase-domain correlation
  (:func:`jconv._algorithms.phase_grad.kernel_grad`), no lhs dilation either;
* ``vmap``: folded into the batch axis (batched ``x``), into the output
  channels (batched kernel) or into the groups (both), so the batched
  computation is again one ``jconv_conv_transpose``.

The transposes are plain ``lax`` code, so higher derivatives follow by JAX's
own rules (correct, though not tuned: e.g. the transpose of the strided
convolution w.r.t. its input is XLA's lhs-dilated convolution).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from jax.extend.core import Primitive
from jax.interpreters import ad, batching, mlir

from jconv._algorithms.phase_grad import input_grad, kernel_grad
from jconv._algorithms.phase_ops import phase_forward
from jconv._algorithms.reference import lhs_dilation
from jconv._canonical.spec import TransposeSpec

FORWARDS = {"phase": phase_forward, "lhs_dilation": lhs_dilation}


def phase(x: jax.Array, kernel: jax.Array, spec: TransposeSpec) -> jax.Array:
    """Transposed convolution by stride-phase decomposition (``algorithm="phase"``).

    Args:
      x: ``(N, *spatial, C_in)`` or channels-first, as ``spec.layout`` says.
      kernel: the forward convolution's kernel, ``(*window, C_out // groups, C_in)``.
      spec: the validated configuration.

    Returns:
      The same array as the reference :func:`jconv._algorithms.reference.lhs_dilation`.
    """
    return _bind(x, kernel, spec=_hashable(spec), forward="phase")


def hybrid(x: jax.Array, kernel: jax.Array, spec: TransposeSpec) -> jax.Array:
    """XLA's lhs-dilated forward pass with the phase algorithm's derivatives (``"hybrid"``).

    Args and returns as :func:`phase`.
    """
    return _bind(x, kernel, spec=_hashable(spec), forward="lhs_dilation")


def _varying(aval) -> frozenset:
    """The manual mesh axes (``jax.shard_map``) along which an aval's value varies."""
    mat = getattr(aval, "mat", None)  # jax >= 0.10: ManualAxisType(varying=..., ...)
    return mat.varying if mat is not None else getattr(aval, "vma", frozenset())


def _bind(x, kernel, *, spec: TransposeSpec, forward: str) -> jax.Array:
    """Binds the primitive with both operands varying over the same manual axes.

    Inside ``jax.shard_map`` an input that varies over an axis the other does
    not is cast to varying first (``jax.lax.pcast``), as JAX does before
    binding its own multi-operand primitives: the transpose of that cast is
    the ``psum`` that a replicated kernel's cotangent needs.
    """
    vx, vk = _varying(jax.typeof(x)), _varying(jax.typeof(kernel))
    if vk - vx:
        x = jax.lax.pcast(x, tuple(sorted(vk - vx, key=str)), to="varying")
    if vx - vk:
        kernel = jax.lax.pcast(kernel, tuple(sorted(vx - vk, key=str)), to="varying")
    return conv_transpose_p.bind(x, kernel, spec=spec, forward=forward)


def _impl(x, kernel, *, spec: TransposeSpec, forward: str):
    return FORWARDS[forward](x, kernel, spec)


def _hashable(spec: TransposeSpec) -> TransposeSpec:
    """Primitive parameters must hash: a precision given as a list becomes a tuple."""
    if isinstance(spec.precision, list):
        return dataclasses.replace(spec, precision=tuple(spec.precision))
    return spec


def _abstract_eval(x, kernel, *, spec: TransposeSpec, forward: str):
    """The output's aval, from the spec alone (nothing is traced).

    Shape ``(N, *out_size, groups * C_out // groups)`` (channels-first: the
    channels after ``N``), dtype ``preferred_element_type`` or ``x``'s. Weak
    type, sharding and varying manual axes follow the rules of
    ``lax.conv_general_dilated`` (``jax/_src/lax/convolution.py``): weak only
    if both operands are; ``x``'s sharding when the kernel is replicated and
    the channels are not sharded; ``x``'s varying axes, which :func:`_bind`
    made the kernel's too.
    """
    del forward
    channels = spec.groups * kernel.shape[-2]
    n = x.shape[0]
    if spec.layout.channels_last:
        shape = (n, *spec.out_size, channels)
    else:
        shape = (n, channels, *spec.out_size)
    if _varying(x) != _varying(kernel):
        raise ValueError(
            "jconv_conv_transpose needs both operands to vary over the same manual mesh "
            f"axes; got {sorted(_varying(x), key=str)} and {sorted(_varying(kernel), key=str)}"
        )
    return x.update(
        shape=shape,
        dtype=spec.preferred_element_type or x.dtype,
        weak_type=x.weak_type and kernel.weak_type,
        sharding=_out_sharding(x, kernel, shape, spec),
    )


def _out_sharding(x, kernel, shape, spec: TransposeSpec):
    """``x``'s sharding, carried to the output as ``conv_general_dilated`` carries it."""
    sharding = x.sharding
    if sharding.mesh.empty:
        return sharding
    parts = tuple(sharding.spec) + (None,) * (x.ndim - len(sharding.spec))
    replicated = kernel.sharding.mesh.empty or kernel.sharding.is_fully_replicated
    if not replicated or parts[spec.layout.channel_axis] is not None:
        raise NotImplementedError(
            "jconv.conv_transpose with explicit sharding needs a replicated kernel and "
            f"unsharded channels; got x: {x.str_short(True)}, kernel: {kernel.str_short(True)}"
        )
    for axis, (before, after, part) in enumerate(zip(x.shape, shape, parts)):
        if part is None or before == after:
            continue
        names = part if isinstance(part, tuple) else (part,)
        ways = 1
        for name in names:
            ways *= sharding.mesh.shape[name]
        if after % ways:
            raise NotImplementedError(
                f"jconv.conv_transpose with explicit sharding: output dimension {axis} "
                f"(size {after}) is sharded {ways} ways over {part!r} and does not divide"
            )
    return sharding


def _transpose_x(g, x, kernel, *, spec: TransposeSpec, forward: str):
    del forward
    return input_grad(g, kernel, spec, x.aval.dtype)


def _transpose_kernel(g, x, kernel, *, spec: TransposeSpec, forward: str):
    del forward
    return kernel_grad(g, x, spec, kernel.aval)


def _batch_x(x, bx, kernel, bind):
    """Batched input only: the vmapped axis joins the batch axis."""
    x = jnp.moveaxis(x, bx, 0)
    b, n = x.shape[:2]
    out = bind(x.reshape(b * n, *x.shape[2:]), kernel)
    return out.reshape(b, n, *out.shape[1:])


def _batch_kernel(x, kernel, bk, spec, bind):
    """Batched kernel only: the vmapped axis joins each group's output channels."""
    w = jnp.moveaxis(kernel, bk, 0)
    b, nd = w.shape[0], spec.layout.ndim
    w = jnp.moveaxis(w, 0, nd)  # (*window, B, C_out // G, C_in)
    w = w.reshape(*w.shape[:nd], b * w.shape[nd + 1], w.shape[-1])
    out = bind(x, w)  # channels (G, B, C_out // G)
    axis = spec.layout.channel_axis
    out = out.reshape(*out.shape[:axis], spec.groups, b, -1, *out.shape[axis + 1 :])
    out = jnp.moveaxis(out, axis + 1, 0)
    return out.reshape(*out.shape[: axis + 1], -1, *out.shape[axis + 3 :])


def _batch_both(x, bx, kernel, bk, spec, bind):
    """Both batched: every vmapped instance becomes ``groups`` more channel groups."""
    axis = spec.layout.channel_axis
    x = jnp.moveaxis(jnp.moveaxis(x, bx, 0), 0, axis)  # (N, .., B, C_in, ..)
    x = x.reshape(*x.shape[:axis], -1, *x.shape[axis + 2 :])
    w = jnp.moveaxis(kernel, bk, 0)
    b, nd = w.shape[0], spec.layout.ndim
    w = jnp.moveaxis(w, 0, nd + 1)  # (*window, C_out // G, B, C_in)
    w = w.reshape(*w.shape[: nd + 1], -1)
    out = bind(x, w, spec=dataclasses.replace(spec, groups=b * spec.groups))  # (B, G*Co)
    out = out.reshape(*out.shape[:axis], b, -1, *out.shape[axis + 1 :])
    return jnp.moveaxis(out, axis, 0)


def _batch(args, dims, *, spec: TransposeSpec, forward: str):
    (x, kernel), (bx, bk) = args, dims

    def bind(x, kernel, spec=spec):
        return _bind(x, kernel, spec=spec, forward=forward)

    if bk is None:
        return _batch_x(x, bx, kernel, bind), 0
    if bx is None:
        return _batch_kernel(x, kernel, bk, spec, bind), 0
    return _batch_both(x, bx, kernel, bk, spec, bind), 0


conv_transpose_p = Primitive("jconv_conv_transpose")
conv_transpose_p.def_impl(jax.jit(_impl, static_argnames=("spec", "forward")))
conv_transpose_p.def_abstract_eval(_abstract_eval)
mlir.register_lowering(conv_transpose_p, mlir.lower_fun(_impl, multiple_results=False))
ad.defbilinear(conv_transpose_p, _transpose_x, _transpose_kernel)
batching.primitive_batchers[conv_transpose_p] = _batch
