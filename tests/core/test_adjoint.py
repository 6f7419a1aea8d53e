"""``conv_transpose`` is the adjoint of ``conv`` with the same kernel and arguments.

(a) ``<conv(z, w), y> == <z, conv_transpose(y, w, output_shape=z.spatial)>`` in
float64 to 1e-10 relative; (b) ``conv_transpose`` equals ``jax.vjp`` of
``conv`` w.r.t. its input (and vice versa); (c) ``jax.linear_transpose`` of
``conv`` equals ``conv_transpose`` (and vice versa). Each over random configs
that cover every padding form, groups, dilation, stride and both layouts, and
for every algorithm.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import jconv
from tests import oracle, tolerances
from tests.oracle_configs import ALGORITHMS, AXES, RngPicker, covering, make_config

CONFIGS = [
    make_config("conv", choice, RngPicker(3000 + k), seed=3000 + k)
    for k, choice in enumerate(covering(AXES, 50, seed=3))
]
FEW = CONFIGS[::2]  # (b) and (c): 25 configs, still every padding form (checked below)


def _ids(cfgs):
    return [f"{k}-{c.label()}" for k, c in enumerate(cfgs)]


def _conv(cfg, z, w):
    return jconv.conv(z, w, cfg.stride, cfg.padding, **cfg.common_kwargs())


def _transpose(cfg, y, w, algorithm):
    return jconv.conv_transpose(
        y,
        w,
        cfg.stride,
        cfg.padding,
        output_shape=cfg.in_sizes,
        algorithm=algorithm,
        **cfg.common_kwargs(),
    )


def _operands(cfg):
    """``z`` and ``w``, and a random cotangent ``y`` of ``conv(z, w)``'s shape, in layout."""
    x, w = cfg.arrays()
    z = cfg.to_layout(x)
    out_shape = jax.eval_shape(lambda z: _conv(cfg, z, w), z).shape
    y = np.random.default_rng(cfg.seed + 1).standard_normal(out_shape)
    return z, w, y


def test_configs_cover_every_axis_value():
    for cfgs in (CONFIGS, FEW):
        for name, values in AXES.items():
            assert {c.choice[name] for c in cfgs} == set(values), name


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("cfg", CONFIGS, ids=_ids(CONFIGS))
def test_adjoint_identity(cfg, algorithm):
    z, w, y = _operands(cfg)
    # jit: one compilation per config (the eager path is what (b) and (c) differentiate)
    conv_zy = jax.jit(lambda z, w: _conv(cfg, z, w))(z, w)
    transpose_y = jax.jit(lambda y, w: _transpose(cfg, y, w, algorithm))(y, w)
    lhs = float(np.vdot(np.asarray(conv_zy), y))
    rhs = float(np.vdot(z, np.asarray(transpose_y)))
    assert abs(lhs - rhs) <= tolerances.ADJOINT * max(abs(lhs), abs(rhs)), (lhs, rhs)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("cfg", FEW, ids=_ids(FEW))
def test_transpose_is_vjp_of_conv(cfg, algorithm):
    z, w, y = _operands(cfg)
    _, vjp = jax.vjp(lambda z: _conv(cfg, z, w), z)
    (expected,) = vjp(y)
    oracle.assert_close(_transpose(cfg, y, w, algorithm), expected)
    # ... and the other way round: conv is the VJP of the transpose w.r.t. its input.
    _, vjp_t = jax.vjp(lambda y: _transpose(cfg, y, w, algorithm), y)
    (expected_t,) = vjp_t(z)
    oracle.assert_close(_conv(cfg, z, w), expected_t)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("cfg", FEW, ids=_ids(FEW))
def test_linear_transpose(cfg, algorithm):
    z, w, y = _operands(cfg)
    conv_t = jax.linear_transpose(lambda z: _conv(cfg, z, w), z)
    (from_conv,) = conv_t(y)
    oracle.assert_close(_transpose(cfg, y, w, algorithm), from_conv)
    transpose_t = jax.linear_transpose(lambda y: _transpose(cfg, y, w, algorithm), y)
    (from_transpose,) = transpose_t(z)
    oracle.assert_close(_conv(cfg, z, w), from_transpose)


@pytest.mark.parametrize("cfg", FEW[:8], ids=_ids(FEW[:8]))
def test_vjp_of_conv_equals_oracle_transpose(cfg):
    """The VJP that JAX derives for ``conv`` agrees with the oracle's scatter-add too, so
    (b) and (c) cannot pass by ``conv`` and ``conv_transpose`` sharing one mistake."""
    z, w, y = _operands(cfg)
    _, vjp = jax.vjp(lambda z: _conv(cfg, z, w), z)
    (actual,) = vjp(y)
    expected = oracle.conv_transpose(
        cfg.from_layout(y), w, cfg.stride, cfg.padding, cfg.dilation, cfg.groups, cfg.in_sizes
    )
    oracle.assert_close(cfg.from_layout(actual), expected)
