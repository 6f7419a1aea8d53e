"""The kernel cotangent of a transposed convolution, in the phase domain, without lhs dilation.

For ``y = conv_transpose(x, w)``, with ``g`` the cotangent of ``y``, ``g`` is
split back into its phases (space-to-depth, the transpose of the
interleave), each stacked-kernel tap is the correlation of the padded input
with those phases, and the taps are scattered back to the kernel layout (the
transpose of the phase split). The kernel cotangent of ``conv(x, w)`` is the
same computation with the roles of ``x`` and ``g`` swapped
(:mod:`jconv._algorithms.primitives`). It works in the cotangent's dtype
(``preferred_element_type`` widens it) and returns the kernel's dtype, as
``lax.conv_general_dilated``'s own rules do.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
from jax import lax

from jconv._algorithms import auto
from jconv._algorithms.depthwise import tap_products
from jconv._algorithms.phase_ops import interleave, phase_kernel, plan
from jconv._algorithms.phase_plan import DimPlan
from jconv._canonical.operands import pad_spatial
from jconv._canonical.spec import TransposeSpec


def _like(g: jax.Array, shape: tuple[int, ...]) -> jax.ShapeDtypeStruct:
    """An aval of ``shape`` in ``g``'s dtype that varies over ``g``'s manual mesh axes.

    Inside ``jax.shard_map`` the cotangents are per-device values; the linear
    transposes below must be told so, or JAX rejects the cotangent's type.
    """
    aval = jax.typeof(g)
    mat = getattr(aval, "mat", None)
    if mat is None or mat.empty:
        return jax.ShapeDtypeStruct(shape, g.dtype)
    mesh = aval.sharding.mesh  # the (abstract) mesh whose manual axes g varies over
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    return jax.ShapeDtypeStruct(shape, g.dtype, sharding=sharding, manual_axis_type=mat)


def _space_to_depth(g: jax.Array, plans: tuple[DimPlan, ...], spec: TransposeSpec, c_out: int):
    """The transpose of :func:`jconv._algorithms.phase_ops.interleave`: phases back onto channels."""
    phases = 1
    for p in plans:
        phases *= len(p.phases)
    channels = spec.groups * phases * c_out
    spatial = tuple(p.conv_length for p in plans)
    n = g.shape[0]
    shape = (n, *spatial, channels) if spec.layout.channels_last else (n, channels, *spatial)
    aval = _like(g, shape)
    fun = lambda z: interleave(z, plans, spec.groups, spec.layout.channels_last)  # noqa: E731
    (z,) = jax.linear_transpose(fun, aval)(g)
    return z


def _taps_by_conv(xp: jax.Array, z: jax.Array, plans, spec: TransposeSpec) -> jax.Array:
    """Stacked-kernel cotangent ``(*W, C_in // G, G * P * C_out // G)`` as one convolution.

    ``dW[u] = sum_{b, j} xp[b, j + u * d'] z[b, j]``: batch and channels of the
    operands swap roles and the groups become ``batch_group_count``. The
    padding is applied beforehand: XLA:CPU runs this form slowly when the
    convolution pads.
    """
    n = len(plans)
    if spec.layout.channels_last:
        spatial = tuple(range(1, n + 1))
        lhs = rhs = (n + 1, 0, *spatial)
    else:
        spatial = tuple(range(2, n + 2))
        lhs = rhs = (1, 0, *spatial)
    out = (n, n + 1, *range(n))
    return lax.conv_general_dilated(
        xp,
        z,
        window_strides=tuple(p.dilation for p in plans),
        padding=[(0, 0)] * n,
        dimension_numbers=lax.ConvDimensionNumbers(lhs, rhs, out),
        batch_group_count=spec.groups,
        precision=spec.precision,
    )


def _taps_by_dots(xp: jax.Array, z: jax.Array, plans, spec: TransposeSpec) -> jax.Array:
    """The same as :func:`_taps_by_conv`, one ``dot_general`` per stacked-kernel tap."""
    n = len(plans)
    if not spec.layout.channels_last:
        xp = jnp.moveaxis(xp, 1, -1)
        z = jnp.moveaxis(z, 1, -1)
    groups = spec.groups
    xp = xp.reshape(*xp.shape[:-1], groups, xp.shape[-1] // groups)
    z = z.reshape(*z.shape[:-1], groups, z.shape[-1] // groups)
    size = z.shape[: n + 1]
    contract = tuple(range(n + 1))
    products = []
    for u in itertools.product(*(range(p.window) for p in plans)):
        start = (0, *(t * p.dilation for t, p in zip(u, plans)), 0, 0)
        limit = tuple(a + b for a, b in zip(start, (*size, *xp.shape[-2:])))
        window = lax.slice(xp, start, limit)
        dims = ((contract, contract), ((n + 1,), (n + 1,)))
        products.append(lax.dot_general(window, z, dims, precision=spec.precision))  # (G, Ci, F)
    taps = jnp.stack(products).reshape(*(p.window for p in plans), *products[0].shape)
    taps = jnp.moveaxis(taps, n, n + 1)  # (*W, Ci, G, F)
    return taps.reshape(*taps.shape[:n], taps.shape[n], -1)


def _taps_depthwise(xp: jax.Array, z: jax.Array, plans, spec: TransposeSpec) -> jax.Array:
    """The same as :func:`_taps_by_conv` with one input channel per group, elementwise."""
    taps = tap_products(
        xp,
        z,
        spec.layout,
        [p.window for p in plans],
        dilation=[p.dilation for p in plans],
        dtype=z.dtype,
    )
    return taps.reshape(*taps.shape[: len(plans)], 1, -1)


_TAPS = {"depthwise": _taps_depthwise, "conv": _taps_by_conv, "dots": _taps_by_dots}


def kernel_grad(g: jax.Array, x: jax.Array, spec: TransposeSpec, kernel_aval) -> jax.Array:
    """The cotangent of the kernel, in the kernel's layout and dtype.

    Args:
      g: cotangent of the output.
      x: the transposed convolution's input.
      spec: the configuration.
      kernel_aval: shape and dtype of the kernel.

    Returns:
      ``sum_{b, i} x[b, i, ci] * g[b, i * s - lo + t * d, co]`` as ``(*window, C_out // G, C_in)``.
    """
    plans = plan(spec)
    z = _space_to_depth(g, plans, spec, kernel_aval.shape[-2])
    xp = pad_spatial(x.astype(g.dtype), spec.layout, [p.pads for p in plans])
    method = auto.kernel_grad_method(spec, x.shape[spec.layout.channel_axis])
    taps = _TAPS[method](xp, z, plans, spec)
    aval = _like(g, kernel_aval.shape)
    (dk,) = jax.linear_transpose(lambda w: phase_kernel(w, plans, spec.groups), aval)(taps)
    return dk.astype(kernel_aval.dtype)
