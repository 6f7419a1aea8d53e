"""``jconv.conv``'s derivatives: the ``jconv_conv`` primitive against JAX's own rules.

On CPU ``jconv.conv`` binds ``jconv_conv``, whose input gradient is the
transposed convolution ``"auto"`` picks and whose kernel gradient is the
phase-domain correlation. They must equal the derivatives JAX derives for
``lax.conv_general_dilated`` (float64, to rounding) on every configuration,
never dilate an input, and compose with every transformation (the NumPy oracle
checks in tests/core/test_transforms.py run through them as well).
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax
from jax.test_util import check_grads

import jconv
from jconv._algorithms import auto
from tests import tolerances

TOL = tolerances.tolerance(np.float64).atol

# (x shape (channels-last), window, C_out, stride, padding, dilation, groups)
CONFIGS = [
    ((2, 9, 3), (3,), 4, 2, "SAME", 1, 1),
    ((2, 11, 4), (4,), 6, 3, [(2, 1)], 2, 2),
    ((2, 7, 8, 3), (3, 3), 5, 2, "VALID", 1, 1),
    ((1, 8, 9, 4), (4, 3), 4, (2, 3), [(1, 2), (-1, 1)], (1, 2), 1),
    ((2, 8, 8, 6), (3, 3), 6, 2, "SAME", 1, 6),  # depthwise
    ((2, 8, 8, 3), (2, 3), 6, 2, [(0, 1), (1, 1)], 1, 3),  # depthwise, multiplier 2
    ((2, 9, 7, 8), (3, 2), 4, (3, 2), "SAME", 1, 4),  # grouped, one output per group
    ((2, 9, 7, 8), (3, 3), 6, 1, 1, 2, 2),  # stride 1, dilated
    ((2, 9, 8, 16), (3, 3), 24, 2, "SAME", 1, 2),  # per_group: 8 and 12 channels per group
    ((1, 7, 32), (3,), 32, 1, 1, 1, 4),  # per_group, 1-D
    ((2, 7, 6, 40), (3, 3), 20, 2, "SAME", 1, 10),  # per_group: 10 groups
    ((1, 5, 6, 7, 2), (2, 3, 2), 3, 2, "SAME", 1, 1),
    ((2, 6, 5, 4, 4), (3, 2, 2), 4, (1, 2, 2), [(1, 1), (0, 1), (1, 0)], (2, 1, 1), 2),
]
IDS = [f"{len(c[1])}d-k{c[1]}-s{c[3]}-g{c[6]}" for c in CONFIGS]


def _operands(cfg, channels_first=False):
    shape, window, c_out, _, _, _, groups = cfg
    rng = np.random.default_rng(len(shape) * 100 + sum(window))
    x = rng.standard_normal(shape)
    w = rng.standard_normal((*window, shape[-1] // groups, c_out))
    if channels_first:
        x = np.moveaxis(x, -1, 1)
    return x, w


def _fns(cfg, channels_first=False):
    _, window, _, stride, padding, dilation, groups = cfg
    n = len(window)
    fmt = "channels_first" if channels_first else None

    def ours(x, w):
        return jconv.conv(x, w, stride, padding, dilation=dilation, groups=groups, data_format=fmt)

    sp = "DHW"[3 - n :]
    dims = (
        f"NC{sp}" if channels_first else f"N{sp}C",
        f"{sp}IO",
        f"NC{sp}" if channels_first else f"N{sp}C",
    )
    if isinstance(padding, str):
        pads = padding
    elif isinstance(padding, int):
        pads = [(padding, padding)] * n
    else:
        pads = padding

    def per(v):
        return (v,) * n if isinstance(v, int) else tuple(v)

    def theirs(x, w):
        return lax.conv_general_dilated(
            x, w, per(stride), pads, rhs_dilation=per(dilation), dimension_numbers=dims,
            feature_group_count=groups, precision="highest",
        )  # fmt: skip

    return ours, theirs


def _close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    scale = max(float(np.max(np.abs(b))), 1e-30)
    np.testing.assert_allclose(a / scale, b / scale, rtol=0, atol=TOL)


@pytest.mark.parametrize("channels_first", [False, True], ids=["last", "first"])
@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_values_and_gradients_equal_jax_rules(cfg, channels_first):
    x, w = _operands(cfg, channels_first)
    ours, theirs = _fns(cfg, channels_first)
    y, vjp = jax.vjp(ours, x, w)
    y_ref, vjp_ref = jax.vjp(theirs, x, w)
    _close(y, y_ref)
    ct = np.random.default_rng(3).standard_normal(y.shape)
    for got, want in zip(vjp(ct), vjp_ref(ct)):
        _close(got, want)
    tangents = tuple(np.random.default_rng(4).standard_normal(a.shape) for a in (x, w))
    _close(jax.jvp(ours, (x, w), tangents)[1], jax.jvp(theirs, (x, w), tangents)[1])


@pytest.mark.parametrize(
    "cfg", [CONFIGS[i] for i in (1, 3, 5, 9)], ids=[IDS[i] for i in (1, 3, 5, 9)]
)
def test_check_grads_second_order(cfg):
    x, w = _operands(cfg)
    ours, _ = _fns(cfg)
    check_grads(ours, (x, w), order=2, modes=("fwd", "rev"), eps=1e-4)


@pytest.mark.parametrize(
    "cfg", [CONFIGS[i] for i in (0, 4, 6, 8)], ids=[IDS[i] for i in (0, 4, 6, 8)]
)
def test_vmap_of_gradients(cfg):
    x, w = _operands(cfg)
    ours, theirs = _fns(cfg)
    xs, ws = np.stack([x, 2 * x, -x]), np.stack([w, w[::-1] if w.ndim else w, 0.5 * w])

    def grads(f):
        return lambda x, w: jax.grad(lambda x, w: jnp.sum(jnp.sin(f(x, w))), (0, 1))(x, w)

    for axes in ((0, None), (None, 0), (0, 0)):
        args = (xs if axes[0] == 0 else x, ws if axes[1] == 0 else w)
        got = jax.vmap(grads(ours), axes)(*args)
        want = jax.vmap(grads(theirs), axes)(*args)
        for a, b in zip(got, want):
            _close(a, b)


def _lhs_dilations(hlo: str) -> list[str]:
    return re.findall(r"lhs_dilate = \[([\d, ]*)\]", hlo)


@pytest.mark.parametrize(
    "cfg", [CONFIGS[i] for i in (0, 2, 3, 8)], ids=[IDS[i] for i in (0, 2, 3, 8)]
)
def test_gradients_never_dilate_an_input(cfg):
    x, w = _operands(cfg)
    ours, theirs = _fns(cfg)

    def grads(f):
        return jax.jit(lambda x, w, ct: jax.vjp(f, x, w)[1](ct))

    ct = np.ones(jax.eval_shape(ours, x, w).shape)
    hlo = grads(ours).lower(x, w, ct).as_text()
    assert all(set(d.replace(" ", "").split(",")) == {"1"} for d in _lhs_dilations(hlo)), hlo
    # the inspection sees the dilation JAX's own rule inserts:
    assert any(
        set(d.replace(" ", "").split(",")) != {"1"}
        for d in _lhs_dilations(grads(theirs).lower(x, w, ct).as_text())
    )


def test_accelerator_rule_keeps_xla_convolution(monkeypatch):
    """Where ``auto`` runs XLA's transposed convolution, jconv.conv is lax's, primitive-free."""
    x, w = _operands(CONFIGS[2])
    ours, _ = _fns(CONFIGS[2])
    names = {e.primitive.name for e in jax.make_jaxpr(ours)(x, w).eqns}
    assert "jconv_conv" in names
    monkeypatch.setattr(auto, "choose", lambda spec, backend=None: "lhs_dilation")
    names = {e.primitive.name for e in jax.make_jaxpr(lambda x, w: ours(x, w))(x, w).eqns}
    assert "jconv_conv" not in names and "conv_general_dilated" in names


def test_preferred_element_type_and_dtypes():
    x, w = _operands(CONFIGS[2])
    x16, w16 = jnp.asarray(x, jnp.bfloat16), jnp.asarray(w, jnp.bfloat16)
    ours = lambda x, w: jconv.conv(x, w, 2, preferred_element_type=jnp.float32)  # noqa: E731
    y, vjp = jax.vjp(ours, x16, w16)
    assert y.dtype == jnp.float32
    dx, dw = vjp(jnp.ones_like(y))
    assert dx.dtype == jnp.bfloat16 and dw.dtype == jnp.bfloat16
    ref = jax.vjp(lambda x, w: jconv.conv(x, w, 2), np.float32(x16), np.float32(w16))[1](
        np.ones(y.shape, np.float32)
    )
    for got, want in zip((dx, dw), ref):
        np.testing.assert_allclose(
            np.float32(got), want, rtol=3e-2, atol=3e-2 * np.max(np.abs(want))
        )


def test_integer_forward():
    x = np.arange(2 * 7 * 3, dtype=np.int32).reshape(2, 7, 3)
    w = np.ones((3, 3, 2), np.int32)
    got = jconv.conv(x, w, 2)
    want = lax.conv_general_dilated(x, w, (2,), "VALID", dimension_numbers=("NHC", "HIO", "NHC"))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    ("groups", "c_in", "c_out", "backend", "method"),
    [
        (1, 64, 64, "cpu", "lax"),
        (8, 8, 16, "cpu", "correlate"),  # depthwise
        (64, 64, 64, "cpu", "correlate"),  # depthwise, many groups
        (8, 64, 8, "cpu", "per_group"),  # one output channel per group
        (2, 16, 24, "cpu", "per_group"),
        (8, 128, 128, "cpu", "per_group"),
        (32, 128, 128, "cpu", "per_group"),
        (64, 256, 256, "cpu", "per_group"),
        (8, 8, 16, "gpu", "lax"),
        (2, 16, 24, "tpu", "lax"),
    ],
)
def test_conv_method_rule(groups, c_in, c_out, backend, method):
    spec = jconv._canonical.spec.conv_spec(
        "t", np.zeros((1, 4, c_in)), np.zeros((1, c_in // groups, c_out)), 1, "VALID",
        dilation=1, groups=groups, padding_mode="zeros", data_format=None, precision=None,
        preferred_element_type=None,
    ).spec  # fmt: skip
    assert auto.conv_method(spec, c_in, c_out, backend) == method


@pytest.mark.parametrize("algorithm", ["phase", "auto"])
@pytest.mark.parametrize(
    ("shape", "window", "c_out", "stride", "padding", "groups"),
    [((2, 5, 6, 16), (3, 3), 16, 2, 1, 2), ((2, 6, 24), (4,), 16, 2, 1, 2)],
)
def test_grouped_transpose_split_per_group(
    shape, window, c_out, stride, padding, groups, algorithm
):
    """The phase algorithm's stacked convolution and input gradient, one convolution per group."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((*window, c_out // groups, shape[-1]))

    def run(name):
        def f(x, w):
            return jconv.conv_transpose(x, w, stride, padding, groups=groups, algorithm=name)

        y, vjp = jax.vjp(f, x, w)
        return (y, *vjp(np.cos(np.arange(y.size)).reshape(y.shape)))

    for got, want in zip(run(algorithm), run("lhs_dilation")):
        _close(got, want)


@pytest.mark.parametrize(
    ("shape", "window", "stride", "primitive"),
    [
        ((1, 6, 6, 2), (3, 3), 1, False),  # 2-D stride 1: JAX's rules dilate nothing
        ((1, 9, 2), (3,), 1, False),
        ((1, 6, 6, 2), (3, 3), (1, 2), True),
        ((1, 4, 4, 4, 2), (2, 2, 2), 1, True),  # 3-D: always
    ],
)
def test_which_convolutions_bind_the_primitive(shape, window, stride, primitive):
    x = np.ones(shape)
    w = np.ones((*window, shape[-1], 3))

    def f(x, w):
        return jconv.conv(x, w, stride, "SAME")

    names = {e.primitive.name for e in jax.make_jaxpr(f)(x, w).eqns}
    assert ("jconv_conv" in names) is primitive
    # either way the gradients are JAX's for lax.conv_general_dilated
    want = jax.grad(
        lambda x, w: jnp.sum(jnp.sin(_fns((shape, window, 3, stride, "SAME", 1, 1))[1](x, w))),
        (0, 1),
    )(x, w)
    got = jax.grad(lambda x, w: jnp.sum(jnp.sin(f(x, w))), (0, 1))(x, w)
    for a, b in zip(got, want):
        _close(a, b)
