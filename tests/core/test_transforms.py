"""``jconv.conv`` and ``jconv.conv_transpose`` under JAX transformations, against the oracle.

``jax.jit`` (shape arguments static), ``jax.vmap`` (over an extra leading axis
of the input and over a stack of kernels), ``jax.grad`` w.r.t. input and
kernel (against ``jax.test_util.check_grads`` to order 2 and against the
oracle's exact gradient), ``jax.jvp`` and ``jax.eval_shape`` (against
``jconv.shapes``), for every algorithm.

Both functions are linear in each argument, so the oracle's gradient is exact:
``d<f(x, w), c>/dw[j] = <f(x, e_j), c>`` with ``e_j`` the j-th basis tensor.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jconv
from tests import oracle
from tests.oracle_configs import (
    ALGORITHMS,
    TRANSPOSE_AXES,
    RngPicker,
    covering,
    make_config,
)

# f is bilinear, so central differences are exact up to rounding in float64.
CHECK_GRADS_TOL = 1e-7


def _configs(kind, seed):
    # Small and few: every config is evaluated many times. The grid covers the rest.
    axes = {
        **TRANSPOSE_AXES,
        "ndim": (1, 2),
        "kernel": (1, 2, 3),
        "padding": ("SAME", "SAME_LOWER", "VALID", "per_dim_int", "pairs_asym", "pairs_negative"),
    }
    if kind == "conv":
        axes.pop("output")
    return [
        make_config(kind, choice, RngPicker(seed * 1000 + k), seed=seed * 1000 + k)
        for k, choice in enumerate(covering(axes, 8, seed))
    ]


CONV = _configs("conv", seed=5)
TRANSPOSE = _configs("transpose", seed=6)
# 3-d is covered by the grid; one 3-d config of each kind here checks the transforms.
CONV.append(make_config("conv", {**CONV[0].choice, "ndim": 3}, RngPicker(5999), seed=5999))
TRANSPOSE.append(
    make_config("transpose", {**TRANSPOSE[0].choice, "ndim": 3}, RngPicker(6999), seed=6999)
)
CASES = [(c, None) for c in CONV] + [(c, a) for c in TRANSPOSE for a in ALGORITHMS]
IDS = [f"{c.label()}-{a}" if a else c.label() for c, a in CASES]
# check_grads is the slowest check (and test_grad_matches_oracle is exact): half the configs.
FD_CASES = [(c, None) for c in CONV[::2]] + [(c, a) for c in TRANSPOSE[::2] for a in ALGORITHMS]
FD_IDS = [f"{c.label()}-{a}" if a else c.label() for c, a in FD_CASES]


def _hashable(v):
    if isinstance(v, (list, tuple)):
        return tuple(_hashable(e) for e in v)
    return v


def _fn(cfg, algorithm):
    """``f(x, w)`` in the config's layout, every other argument bound."""
    return cfg.jconv_fn(algorithm or "auto")


def _oracle(cfg):
    """The oracle ``f(x, w)`` on arrays in the config's layout."""

    def f(x, w):
        return cfg.to_layout(cfg.run_oracle(cfg.from_layout(x), w))

    return f


def _operands(cfg):
    x, w = cfg.arrays()
    return cfg.to_layout(x), w


@pytest.mark.parametrize("cfg, algorithm", CASES, ids=IDS)
def test_jit_with_static_shape_arguments(cfg, algorithm):
    x, w = _operands(cfg)
    fn = jconv.conv if cfg.kind == "conv" else jconv.conv_transpose
    static = ["stride", "padding", "dilation", "groups", "data_format"]
    kwargs = {
        "stride": _hashable(cfg.stride),
        "padding": _hashable(cfg.padding),
        **{k: _hashable(v) for k, v in cfg.common_kwargs().items()},
    }
    if cfg.kind == "transpose":
        static += ["output_shape", "output_padding", "algorithm"]
        kwargs.update({k: _hashable(v) for k, v in cfg.transpose_kwargs().items()})
        kwargs["algorithm"] = algorithm
    jitted = jax.jit(fn, static_argnames=[s for s in static if s in kwargs])
    oracle.assert_close(jitted(x, w, **kwargs), _oracle(cfg)(x, w), err_msg=cfg.label())


@pytest.mark.parametrize("cfg, algorithm", CASES, ids=IDS)
def test_vmap_over_input_and_over_kernel(cfg, algorithm):
    f, ref = _fn(cfg, algorithm), _oracle(cfg)
    x, w = _operands(cfg)
    rng = np.random.default_rng(cfg.seed + 1)
    xs = rng.standard_normal((3, *x.shape))
    ws = rng.standard_normal((2, *w.shape))
    oracle.assert_close(
        jax.vmap(lambda x: f(x, w))(xs), np.stack([ref(xb, w) for xb in xs]), err_msg="vmap x"
    )
    oracle.assert_close(
        jax.vmap(lambda w: f(x, w))(ws), np.stack([ref(x, wb) for wb in ws]), err_msg="vmap w"
    )
    oracle.assert_close(
        jax.vmap(f)(xs[:2], ws), np.stack([ref(a, b) for a, b in zip(xs, ws)]), err_msg="both"
    )


def _exact_kernel_grad(ref, x, w, cot):
    """``d<ref(x, w), cot>/dw``, one basis kernel at a time (``ref`` is linear in ``w``)."""
    grad = np.zeros(w.shape)
    for j in np.ndindex(*w.shape):
        e = np.zeros(w.shape)
        e[j] = 1.0
        grad[j] = np.vdot(ref(x, e), cot)
    return grad


def _exact_input_grad(ref, x, w, cot):
    """``d<ref(x, w), cot>/dx``: batch items are independent, so every basis input of one
    item goes through the oracle at once, stacked along the batch axis."""
    item = x.shape[1:]
    basis = np.eye(int(np.prod(item))).reshape(-1, *item)
    out = ref(basis, w)  # (basis, *out_item)
    axes = tuple(range(1, cot.ndim))
    return np.tensordot(cot, out, axes=(axes, axes)).reshape(x.shape)


@pytest.mark.parametrize("cfg, algorithm", CASES, ids=IDS)
def test_grad_matches_oracle(cfg, algorithm):
    f, ref = _fn(cfg, algorithm), _oracle(cfg)
    x, w = _operands(cfg)
    cot = np.random.default_rng(cfg.seed + 2).standard_normal(jax.eval_shape(f, x, w).shape)

    def loss(x, w):
        return jnp.vdot(f(x, w), cot)

    gx, gw = jax.grad(loss, argnums=(0, 1))(x, w)
    oracle.assert_close(gx, _exact_input_grad(ref, x, w, cot), err_msg="d/dx")
    oracle.assert_close(gw, _exact_kernel_grad(ref, x, w, cot), err_msg="d/dkernel")


@pytest.mark.parametrize("cfg, algorithm", FD_CASES, ids=FD_IDS)
def test_check_grads_orders_1_and_2(cfg, algorithm):
    """Finite differences (``order=2`` checks the first-order JVP/VJP, then theirs)."""
    f = _fn(cfg, algorithm)
    x, w = _operands(cfg)
    tol = {"atol": CHECK_GRADS_TOL, "rtol": CHECK_GRADS_TOL}
    check_grads(f, (x, w), order=2, modes=("fwd", "rev"), **tol)


@pytest.mark.parametrize("cfg, algorithm", CASES, ids=IDS)
def test_jvp_matches_oracle(cfg, algorithm):
    f, ref = _fn(cfg, algorithm), _oracle(cfg)
    x, w = _operands(cfg)
    rng = np.random.default_rng(cfg.seed + 3)
    dx, dw = rng.standard_normal(x.shape), rng.standard_normal(w.shape)
    primal, tangent = jax.jvp(f, (x, w), (dx, dw))
    oracle.assert_close(primal, ref(x, w), err_msg="primal")
    # bilinear: d f(x, w) = f(dx, w) + f(x, dw)
    oracle.assert_close(tangent, ref(dx, w) + ref(x, dw), err_msg="tangent")


@pytest.mark.parametrize("cfg, algorithm", CASES, ids=IDS)
def test_eval_shape_matches_shapes_module(cfg, algorithm):
    x, w = _operands(cfg)
    out = jax.eval_shape(_fn(cfg, algorithm), x, w)
    if cfg.kind == "conv":
        spatial = jconv.shapes.conv_output_shape(
            cfg.in_sizes, cfg.window, cfg.stride, cfg.padding, cfg.dilation
        )
        channels = cfg.c_out
    else:
        if cfg.output_shape is None:
            spatial = jconv.shapes.transpose_output_shape(
                cfg.in_sizes,
                cfg.window,
                cfg.stride,
                cfg.padding,
                cfg.dilation,
                cfg.output_padding,
            )
        else:
            out_shape = cfg.output_shape
            spatial = (out_shape,) if isinstance(out_shape, int) else tuple(out_shape)
        channels = cfg.groups * cfg.cin_g
    expected = (cfg.batch, *spatial, channels)
    if cfg.channels_first:
        expected = (cfg.batch, channels, *spatial)
    assert out.shape == expected
    assert out.dtype == np.float64
    # ... and the oracle produces that shape too.
    assert cfg.from_layout(np.zeros(expected)).shape == cfg.run_oracle(*cfg.arrays()).shape
