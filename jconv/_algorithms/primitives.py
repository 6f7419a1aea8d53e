"""The two JAX primitives, ``jconv_conv`` and ``jconv_conv_transpose``, and their derivatives.

A convolution and its transpose are one bilinear pair: for the same kernel,
``<conv(x, w), y> == <x, conv_transpose(y, w)>``. Each primitive's derivatives
are chosen rather than derived from the ``lax`` ops inside it (XLA:CPU runs the
derivatives autodiff would derive, an lhs-dilated convolution and a
convolution whose window is the whole input, 10 to 100 times slower than
necessary). Both say they are bilinear (``jax.interpreters.ad.defbilinear``):

* forward mode (``jax.jvp``): ``f(dx, w) + f(x, dw)`` with the same forward ``f``;
* transpose w.r.t. the data (``jax.grad``, ``jax.linear_transpose``): the other
  primitive with the same kernel: the transposed convolution of a
  convolution's cotangent, the strided convolution of a transposed
  convolution's cotangent (the adjoint identity), so that derivatives of any
  order stay on these rules;
* transpose w.r.t. the kernel: the phase-domain correlation of
  :func:`jconv._algorithms.phase_grad.kernel_grad`, for both (the kernel
  cotangent of ``conv(x, w)`` for the cotangent ``g`` is that of
  ``conv_transpose(g, w)`` for the cotangent ``x``);
* ``vmap``: folded into the batch axis (batched data), into the output
  channels (batched kernel) or into the groups (both), so that the batched
  computation is again one primitive.

``jconv_conv_transpose`` computes its forward pass with the stride-phase
decomposition (``forward="phase"``, :mod:`jconv._algorithms.phase_ops`) or with
XLA's lhs-dilated convolution (``forward="lhs_dilation"``: ``"hybrid"``);
``jconv_conv`` with :func:`jconv._algorithms.strided.strided_conv`. Which
forward a derivative runs is decided by :mod:`jconv._algorithms.auto`, as for
``algorithm="auto"``.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
from jax.extend.core import Primitive
from jax.interpreters import ad, batching, mlir

from jconv._algorithms import auto
from jconv._algorithms.phase_grad import kernel_grad
from jconv._algorithms.phase_ops import phase_forward
from jconv._algorithms.reference import lhs_dilation
from jconv._algorithms.strided import strided_conv
from jconv._canonical.sizes import effective
from jconv._canonical.spec import Spec, TransposeSpec

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
    return _bind(conv_transpose_p, x, kernel, spec=_hashable(spec), forward="phase")


def hybrid(x: jax.Array, kernel: jax.Array, spec: TransposeSpec) -> jax.Array:
    """XLA's lhs-dilated forward pass with the phase algorithm's derivatives (``"hybrid"``).

    Args and returns as :func:`phase`.
    """
    return _bind(conv_transpose_p, x, kernel, spec=_hashable(spec), forward="lhs_dilation")


def conv(x: jax.Array, kernel: jax.Array, spec: Spec) -> jax.Array:
    """The strided convolution of a trimmed, zero-padded spec, with fast derivatives.

    The ``jconv_conv`` primitive where :func:`jconv._algorithms.auto.phase_derivatives`
    says so (strided or 3-D convolutions on CPU); elsewhere the same forward
    differentiated by JAX's rules.

    Args:
      x: ``(N, *spatial, C_in)`` or channels-first.
      kernel: ``(*window, C_in // groups, C_out)``.
      spec: the trimmed configuration.

    Returns:
      ``(N, *spec.out_size, C_out)`` in the layout of ``x``.
    """
    if not auto.phase_derivatives(spec) or _explicitly_sharded(x):
        return strided_conv(x, kernel, spec)
    return _bind(conv_p, x, kernel, spec=_hashable(spec))


def adjoint(spec: Spec, *, of_transpose: bool = False) -> Spec:
    """The spec of the other primitive with the same kernel: in and out sizes swap.

    A convolution's padding is already the transposed convolution's (forward)
    padding. A transposed convolution's output may be longer than any input
    the convolution reads (``output_padding``), so its adjoint convolution gets
    the high padding that maps that output back to exactly ``spec.in_size``
    (negative values crop).
    """
    pads = spec.pads
    if of_transpose:
        pads = tuple(
            (lo, (i - 1) * s + effective(k, d) - lo - o)
            for i, o, k, s, d, (lo, _) in zip(
                spec.in_size, spec.out_size, spec.window, spec.stride, spec.dilation, spec.pads
            )
        )
    return dataclasses.replace(
        spec,
        in_size=spec.out_size,
        out_size=spec.in_size,
        pads=pads,
        preferred_element_type=None,
    )


def _explicitly_sharded(x: jax.Array) -> bool:
    """True under explicit sharding (``jax.sharding.AxisType.Explicit``), which the phase
    kernel gradient's reshapes do not carry: there jconv.conv keeps JAX's own rules."""
    mesh = jax.typeof(x).sharding.mesh
    return not mesh.empty and any(t == jax.sharding.AxisType.Explicit for t in mesh.axis_types)


def varying(aval) -> frozenset:
    """The manual mesh axes (``jax.shard_map``) along which an aval's value varies."""
    mat = getattr(aval, "mat", None)  # jax >= 0.10: ManualAxisType(varying=..., ...)
    return mat.varying if mat is not None else getattr(aval, "vma", frozenset())


def _bind(prim: Primitive, x, kernel, **params) -> jax.Array:
    """Binds ``prim`` with both operands varying over the same manual axes.

    Inside ``jax.shard_map`` an input that varies over an axis the other does
    not is cast to varying first (``jax.lax.pcast``), as JAX does before
    binding its own multi-operand primitives: the transpose of that cast is
    the ``psum`` that a replicated kernel's cotangent needs.
    """
    vx, vk = varying(jax.typeof(x)), varying(jax.typeof(kernel))
    if vk - vx:
        x = jax.lax.pcast(x, tuple(sorted(vk - vx, key=str)), to="varying")
    if vx - vk:
        kernel = jax.lax.pcast(kernel, tuple(sorted(vx - vk, key=str)), to="varying")
    return prim.bind(x, kernel, **params)


def _hashable(spec: Spec) -> Spec:
    """Primitive parameters must hash: a precision given as a list becomes a tuple."""
    if isinstance(spec.precision, list):
        return dataclasses.replace(spec, precision=tuple(spec.precision))
    return spec


def _channels(kernel, spec: Spec, transposed: bool) -> int:
    return spec.groups * kernel.shape[-2] if transposed else kernel.shape[-1]


def _abstract_eval(x, kernel, *, spec: Spec, transposed: bool):
    """The output's aval, from the spec alone (nothing is traced).

    Shape ``spec.out_shape``, dtype ``preferred_element_type`` or ``x``'s.
    Weak type, sharding and varying manual axes follow the rules of
    ``lax.conv_general_dilated`` (``jax/_src/lax/convolution.py``): weak only
    if both operands are; ``x``'s sharding when the kernel is replicated and
    the channels are not sharded; ``x``'s varying axes, which :func:`_bind`
    made the kernel's too.
    """
    name = "jconv_conv_transpose" if transposed else "jconv_conv"
    shape = spec.out_shape(x.shape[0], _channels(kernel, spec, transposed))
    if varying(x) != varying(kernel):
        raise ValueError(
            f"{name} needs both operands to vary over the same manual mesh "
            f"axes; got {sorted(varying(x), key=str)} and {sorted(varying(kernel), key=str)}"
        )
    return x.update(
        shape=shape,
        dtype=spec.preferred_element_type or x.dtype,
        weak_type=x.weak_type and kernel.weak_type,
        sharding=_out_sharding(name, x, kernel, shape, spec),
    )


def _out_sharding(name: str, x, kernel, shape, spec: Spec):
    """``x``'s sharding, carried to the output as ``conv_general_dilated`` carries it."""
    sharding = x.sharding
    if sharding.mesh.empty:
        return sharding
    parts = tuple(sharding.spec) + (None,) * (x.ndim - len(sharding.spec))
    replicated = kernel.sharding.mesh.empty or kernel.sharding.is_fully_replicated
    if not replicated or parts[spec.layout.channel_axis] is not None:
        raise NotImplementedError(
            f"{name} with explicit sharding needs a replicated kernel and "
            f"unsharded channels; got x: {x.str_short(True)}, kernel: {kernel.str_short(True)}"
        )
    for axis, (before, after, part) in enumerate(zip(x.shape, shape, parts)):
        if part is None or before == after:
            continue
        names = part if isinstance(part, tuple) else (part,)
        ways = 1
        for mesh_axis in names:
            ways *= sharding.mesh.shape[mesh_axis]
        if after % ways:
            raise NotImplementedError(
                f"{name} with explicit sharding: output dimension {axis} "
                f"(size {after}) is sharded {ways} ways over {part!r} and does not divide"
            )
    return sharding


# ---------------------------------------------------------------------------
# jconv_conv_transpose


def _transpose_impl(x, kernel, *, spec: TransposeSpec, forward: str):
    return FORWARDS[forward](x, kernel, spec)


def _transpose_abstract(x, kernel, *, spec: TransposeSpec, forward: str):
    del forward
    return _abstract_eval(x, kernel, spec=spec, transposed=True)


def _transpose_ct_x(g, x, kernel, *, spec: TransposeSpec, forward: str):
    """The strided convolution of the cotangent, in its dtype, cast to ``x``'s."""
    del forward
    return conv(g, kernel.astype(g.dtype), adjoint(spec, of_transpose=True)).astype(x.aval.dtype)


def _transpose_ct_kernel(g, x, kernel, *, spec: TransposeSpec, forward: str):
    del forward
    return kernel_grad(g, x, spec, kernel.aval)


def _transpose_batch(args, dims, *, spec: TransposeSpec, forward: str):
    (x, kernel), (bx, bk) = args, dims

    def bind(x, kernel, spec=spec):
        return _bind(conv_transpose_p, x, kernel, spec=spec, forward=forward)

    if bk is None:
        return _batch_x(x, bx, kernel, bind), 0
    axis = spec.layout.channel_axis
    if bx is None:
        # (B, *window, C_out // G, C_in) -> (*window, B * C_out // G, C_in): channels (G, B, Co)
        w = jnp.moveaxis(kernel, bk, 0)
        b, nd = w.shape[0], spec.layout.ndim
        w = jnp.moveaxis(w, 0, nd)
        w = w.reshape(*w.shape[:nd], b * w.shape[nd + 1], w.shape[-1])
        return _unbatch_channels(bind(x, w), axis, spec.groups, b), 0
    x = _batch_into_groups(x, bx, axis)
    w = jnp.moveaxis(kernel, bk, 0)
    b, nd = w.shape[0], spec.layout.ndim
    w = jnp.moveaxis(w, 0, nd + 1)  # (*window, C_out // G, B, C_in)
    w = w.reshape(*w.shape[: nd + 1], -1)
    out = bind(x, w, spec=dataclasses.replace(spec, groups=b * spec.groups))
    return _split_groups(out, axis, b), 0


# ---------------------------------------------------------------------------
# jconv_conv


def _conv_impl(x, kernel, *, spec: Spec):
    return strided_conv(x, kernel, spec)


def _conv_abstract(x, kernel, *, spec: Spec):
    return _abstract_eval(x, kernel, spec=spec, transposed=False)


def _transpose_forward(spec: TransposeSpec) -> str:
    """The forward of ``jconv_conv_transpose`` that ``"auto"`` runs for this spec."""
    return "lhs_dilation" if auto.choose(spec) in ("hybrid", "lhs_dilation") else "phase"


def _conv_ct_x(g, x, kernel, *, spec: Spec):
    """The transposed convolution of the cotangent, in its dtype, cast to ``x``'s."""
    t = _hashable(adjoint(spec))
    out = _bind(conv_transpose_p, g, kernel.astype(g.dtype), spec=t, forward=_transpose_forward(t))
    return out.astype(x.aval.dtype)


def _conv_ct_kernel(g, x, kernel, *, spec: Spec):
    return kernel_grad(x.astype(g.dtype), g, adjoint(spec), kernel.aval)


def _conv_batch(args, dims, *, spec: Spec):
    (x, kernel), (bx, bk) = args, dims

    def bind(x, kernel, spec=spec):
        return _bind(conv_p, x, kernel, spec=spec)

    if bk is None:
        return _batch_x(x, bx, kernel, bind), 0
    axis, nd = spec.layout.channel_axis, spec.layout.ndim
    w = jnp.moveaxis(kernel, bk, 0)  # (B, *window, C_in // G, C_out)
    b = w.shape[0]
    if bx is None:
        # output channels (G, C_out // G) -> (G, B, C_out // G)
        w = w.reshape(*w.shape[:-1], spec.groups, -1)
        w = jnp.moveaxis(w, 0, nd + 2)  # (*window, C_in // G, G, B, C_out // G)
        w = w.reshape(*w.shape[: nd + 1], -1)
        return _unbatch_channels(bind(x, w), axis, spec.groups, b), 0
    x = _batch_into_groups(x, bx, axis)
    w = jnp.moveaxis(w, 0, nd + 1)  # (*window, C_in // G, B, C_out)
    w = w.reshape(*w.shape[: nd + 1], -1)
    out = bind(x, w, spec=dataclasses.replace(spec, groups=b * spec.groups))
    return _split_groups(out, axis, b), 0


# ---------------------------------------------------------------------------
# Batching helpers shared by both primitives.


def _batch_x(x, bx, kernel, bind):
    """Batched data only: the vmapped axis joins the batch axis."""
    x = jnp.moveaxis(x, bx, 0)
    b, n = x.shape[:2]
    out = bind(x.reshape(b * n, *x.shape[2:]), kernel)
    return out.reshape(b, n, *out.shape[1:])


def _unbatch_channels(out, axis: int, groups: int, b: int):
    """Output channels ``(G, B, C)`` -> a leading vmapped axis ``B`` and channels ``(G, C)``."""
    out = out.reshape(*out.shape[:axis], groups, b, -1, *out.shape[axis + 1 :])
    out = jnp.moveaxis(out, axis + 1, 0)
    return out.reshape(*out.shape[: axis + 1], -1, *out.shape[axis + 3 :])


def _batch_into_groups(x, bx, axis: int):
    """``(B, N, .., C, ..)`` -> ``(N, .., B * C, ..)``: every instance is more groups."""
    x = jnp.moveaxis(jnp.moveaxis(x, bx, 0), 0, axis)
    return x.reshape(*x.shape[:axis], -1, *x.shape[axis + 2 :])


def _split_groups(out, axis: int, b: int):
    """Channels ``(B, G * C)`` -> a leading vmapped axis ``B``."""
    out = out.reshape(*out.shape[:axis], b, -1, *out.shape[axis + 1 :])
    return jnp.moveaxis(out, axis, 0)


def _define(prim: Primitive, impl, abstract, ct_x, ct_kernel, batch, static) -> None:
    prim.def_impl(jax.jit(impl, static_argnames=static))
    prim.def_abstract_eval(abstract)
    mlir.register_lowering(prim, mlir.lower_fun(impl, multiple_results=False))
    ad.defbilinear(prim, ct_x, ct_kernel)
    batching.primitive_batchers[prim] = batch


conv_transpose_p = Primitive("jconv_conv_transpose")
conv_p = Primitive("jconv_conv")
_define(
    conv_transpose_p,
    _transpose_impl,
    _transpose_abstract,
    _transpose_ct_x,
    _transpose_ct_kernel,
    _transpose_batch,
    ("spec", "forward"),
)
_define(conv_p, _conv_impl, _conv_abstract, _conv_ct_x, _conv_ct_kernel, _conv_batch, ("spec",))
