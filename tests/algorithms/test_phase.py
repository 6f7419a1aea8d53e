"""The fast algorithms ("phase", "hybrid", "auto") against the reference ("lhs_dilation").

Values and gradients must agree in float64 to ~1e-12 on every configuration;
the derivatives must never dilate an input; every JAX transformation must
compose. The NumPy oracle grid (tests/core/test_oracle_grid.py) checks every
registered algorithm against an independent definition as well.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re

import jax
import jax.extend
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import jconv
from jconv._algorithms import auto
from jconv._algorithms import registry as _algorithms
from jconv._algorithms.phase_ops import phase_forward
from jconv._algorithms.phase_plan import plan, plan_dim
from tests import tolerances

FAST = ("phase", "hybrid", "auto")
TOL = tolerances.tolerance(np.float64).atol  # relative to the largest entry


@dataclasses.dataclass(frozen=True)
class Config:
    """One transposed convolution: shapes and every argument of ``conv_transpose``."""

    in_size: tuple[int, ...]
    window: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    padding: object
    groups: int = 1
    c_in_per_group: int = 2
    c_out_per_group: int = 2
    channels_first: bool = False
    output_shape: tuple[int, ...] | None = None
    output_padding: tuple[int, ...] | None = None
    batch: int = 2

    def kwargs(self) -> dict:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": self.groups,
            "data_format": "channels_first" if self.channels_first else None,
            "output_shape": self.output_shape,
            "output_padding": self.output_padding,
        }

    def operands(self, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        c_in = self.groups * self.c_in_per_group
        x = rng.standard_normal((self.batch, *self.in_size, c_in))
        if self.channels_first:
            x = np.moveaxis(x, -1, 1)
        w = rng.standard_normal((*self.window, self.c_out_per_group, c_in))
        return x, w


def _awkward() -> list[Config]:
    """Hand-picked configurations that stress the phase planning."""
    return [
        Config((5,), (1,), (3,), (1,), "VALID"),  # kernel < stride: dead phases
        Config((4,), (2,), (3,), (1,), [(0, 1)]),  # kernel < stride, asymmetric pad
        Config((4,), (5,), (2,), (1,), "SAME"),  # kernel not a multiple of stride
        Config((4,), (3,), (2,), (2,), "VALID"),  # gcd(stride, dilation) = 2
        Config((5,), (3,), (4,), (2,), [(1, 3)]),  # gcd 2, stride 4: half the phases zero
        Config((4,), (4,), (3,), (2,), "VALID"),  # coprime dilation: shifted phases
        Config((4,), (3,), (6,), (4,), "VALID"),  # gcd 2 and shifted phases
        Config((4,), (4,), (2,), (1,), [(-2, 3)]),  # negative low pad
        Config((4,), (3,), (2,), (1,), [(3, -1)]),  # negative high pad
        Config((3,), (3,), (2,), (1,), 1, output_padding=(1,)),
        Config((3,), (2,), (2,), (3,), 0, output_padding=(2,)),  # output_padding < dilation
        Config((3, 4), (3, 2), (2, 3), (1, 2), [(1, 0), (0, 2)]),
        Config((3, 3), (4, 4), (2, 2), (1, 1), 1, groups=3),
        Config((3, 3), (3, 3), (2, 2), (1, 1), "SAME", groups=4, c_in_per_group=1),
        Config(
            (3, 3), (3, 3), (2, 2), (2, 1), "VALID", groups=3, c_in_per_group=1, c_out_per_group=3
        ),  # depthwise with a channel multiplier
        Config((3, 3), (4, 3), (2, 3), (1, 1), 1, channels_first=True, groups=2),
        Config((2, 3, 2), (3, 2, 2), (2, 2, 1), (1, 1, 2), "SAME", c_in_per_group=3),
        Config(
            (2, 2, 2),
            (2, 3, 2),
            (2, 1, 3),
            (1, 1, 1),
            0,
            channels_first=True,
            groups=2,
            c_in_per_group=1,
        ),
        Config(
            (2, 2, 2, 2),
            (2, 3, 1, 2),
            (2, 1, 2, 3),
            (1, 1, 1, 1),
            "VALID",
            c_in_per_group=1,
            c_out_per_group=1,
        ),  # 4-D spatial
        Config((1,), (1,), (1,), (1,), "VALID", batch=0),  # empty batch
        Config((3, 3), (3, 3), (1, 1), (2, 1), "SAME"),  # stride 1: a plain convolution
    ]


def _random(seed: int, count: int) -> list[Config]:
    """A reproducible random sample of valid configurations, 1-D to 3-D."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        n = int(rng.integers(1, 4))
        in_size, window, stride, dilation = (
            tuple(int(v) for v in rng.integers(1, hi, n)) for hi in (5, 6, 5, 4)
        )
        padding = rng.choice(["SAME", "VALID", "pairs", "int"])
        if padding == "pairs":
            padding = [tuple(int(v) for v in p) for p in rng.integers(-2, 5, (n, 2))]
        elif padding == "int":
            padding = int(rng.integers(0, 3))
        else:
            padding = str(padding)
        try:
            sizes = jconv.shapes.transpose_output_shapes(in_size, window, stride, padding, dilation)
        except ValueError:
            continue
        groups = int(rng.choice([1, 1, 2, 3]))
        out.append(
            Config(
                in_size,
                window,
                stride,
                dilation,
                padding,
                groups=groups,
                c_in_per_group=int(rng.choice([1, 2])),
                c_out_per_group=int(rng.integers(1, 3)),
                channels_first=bool(rng.integers(0, 2)),
                output_shape=tuple(int(rng.choice(list(r))) for r in sizes),
            )
        )
    return out


CONFIGS = _awkward() + _random(0, 40)


def _call(cfg: Config, algorithm: str, x=None, w=None):
    if x is None:
        x, w = cfg.operands()
    return jconv.conv_transpose(x, w, algorithm=algorithm, **cfg.kwargs())


def _close(a, b, tol=TOL):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
    np.testing.assert_allclose(a, b, rtol=0, atol=tol * scale)


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: repr(c)[7:80])
def test_values_and_gradients_equal_reference(cfg):
    x, w = cfg.operands()

    @functools.partial(jax.jit, static_argnums=0)
    def value_and_grads(algorithm, x, w, ct):
        y, vjp = jax.vjp(lambda x, w: _call(cfg, algorithm, x, w), x, w)
        return (y, *vjp(ct))

    shape = jax.eval_shape(lambda x, w: _call(cfg, "lhs_dilation", x, w), x, w).shape
    ct = np.random.default_rng(1).standard_normal(shape)
    want = value_and_grads("lhs_dilation", x, w, ct)
    for algorithm in FAST:
        for got, exp in zip(value_and_grads(algorithm, x, w, ct), want):
            _close(got, exp)


@pytest.mark.parametrize(
    ("window", "stride", "dilation", "padding"),
    [(4, 2, 1, 1), (3, 3, 2, "VALID"), (1, 3, 1, "SAME"), (5, 2, 2, (2, 0)), (2, 4, 3, "VALID")],
)
def test_every_output_size_in_range(window, stride, dilation, padding):
    pads = [padding] if isinstance(padding, tuple) else padding
    for in_size in (1, 2, 4):
        try:
            sizes = jconv.shapes.transpose_output_sizes(in_size, window, stride, padding, dilation)
        except ValueError:
            continue
        for o in sizes:
            cfg = Config((in_size,), (window,), (stride,), (dilation,), pads, output_shape=(o,))
            _close(_call(cfg, "phase"), _call(cfg, "lhs_dilation"))
        for extra in range(max(stride, dilation)):
            if isinstance(padding, str) and padding != "VALID":
                break
            cfg = Config(
                (in_size,), (window,), (stride,), (dilation,), pads, output_padding=(extra,)
            )
            try:
                ref = _call(cfg, "lhs_dilation")
            except ValueError:
                continue
            _close(_call(cfg, "phase"), ref)


SMALL = Config(
    (3, 2),
    (3, 2),
    (2, 3),
    (1, 2),
    [(1, 0), (0, 1)],
    groups=2,
    batch=1,
    c_in_per_group=1,
    c_out_per_group=2,
)
SMALL_DENSE = Config((3,), (4,), (2,), (1,), 1, batch=1, c_in_per_group=2)


@pytest.mark.parametrize("cfg", [SMALL, SMALL_DENSE], ids=["grouped-2d", "dense-1d"])
@pytest.mark.parametrize("algorithm", ["phase", "hybrid"])
def test_check_grads_second_order(cfg, algorithm):
    x, w = cfg.operands()
    check_grads(
        lambda x, w: _call(cfg, algorithm, x, w),
        (x, w),
        order=2,
        modes=("fwd", "rev"),
        atol=tolerances.FINITE_DIFFERENCES,
        rtol=tolerances.FINITE_DIFFERENCES,
    )


@pytest.mark.parametrize("algorithm", ["phase", "hybrid"])
def test_second_order_equals_reference(algorithm):
    x, w = SMALL.operands()

    def loss(a):
        return lambda x, w: jnp.sum(jnp.sin(_call(SMALL, a, x, w)))

    for argnums in (0, 1):
        got = jax.hessian(loss(algorithm), argnums)(x, w)
        want = jax.hessian(loss("lhs_dilation"), argnums)(x, w)
        _close(got, want, 1e-10)


@pytest.mark.parametrize("algorithm", ["phase", "hybrid"])
def test_jvp_linear_transpose_jit(algorithm):
    x, w = SMALL.operands()
    dx, dw = SMALL.operands(seed=3)
    f = lambda x, w: _call(SMALL, algorithm, x, w)  # noqa: E731
    r = lambda x, w: _call(SMALL, "lhs_dilation", x, w)  # noqa: E731
    for got, want in zip(jax.jvp(f, (x, w), (dx, dw)), jax.jvp(r, (x, w), (dx, dw))):
        _close(got, want)
    y = r(x, w)
    ct = np.random.default_rng(2).standard_normal(y.shape)
    (gx,) = jax.linear_transpose(lambda x: f(x, w), x)(ct)
    (rx,) = jax.linear_transpose(lambda x: r(x, w), x)(ct)
    _close(gx, rx)
    (gw,) = jax.linear_transpose(lambda w: f(x, w), w)(ct)
    (rw,) = jax.linear_transpose(lambda w: r(x, w), w)(ct)
    _close(gw, rw)
    _close(jax.jit(f)(x, w), y)


@pytest.mark.parametrize("cfg", [SMALL, SMALL_DENSE, CONFIGS[15]], ids=["grouped", "dense", "cf"])
@pytest.mark.parametrize("axes", [(0, None), (None, 0), (0, 0), (1, 2)])
def test_vmap(cfg, axes):
    rng = np.random.default_rng(4)
    x, w = cfg.operands()
    xb = np.stack([x, rng.standard_normal(x.shape), x + 1], axis=axes[0] or 0)
    wb = np.stack([w, rng.standard_normal(w.shape), -w], axis=axes[1] or 0)
    args = (xb if axes[0] is not None else x, wb if axes[1] is not None else w)
    f = lambda x, w: _call(cfg, "phase", x, w)  # noqa: E731
    r = lambda x, w: _call(cfg, "lhs_dilation", x, w)  # noqa: E731
    _close(jax.vmap(f, axes)(*args), jax.vmap(r, axes)(*args))
    loss = lambda g: lambda x, w: jnp.sum(g(x, w) ** 2)  # noqa: E731
    for got, want in zip(
        jax.vmap(jax.grad(loss(f), (0, 1)), axes)(*args),
        jax.vmap(jax.grad(loss(r), (0, 1)), axes)(*args),
    ):
        _close(got, want)
    vmapped = lambda g: lambda x, w: jnp.sum(jax.vmap(g, axes)(x, w) ** 2)  # noqa: E731
    for got, want in zip(jax.grad(vmapped(f), (0, 1))(*args), jax.grad(vmapped(r), (0, 1))(*args)):
        _close(got, want)


def _lhs_dilations_in_jaxpr(jaxpr) -> list[tuple[int, ...]]:
    found = []
    for eqn in jaxpr.eqns:
        if eqn.primitive.name == "conv_general_dilated":
            found.append(tuple(eqn.params["lhs_dilation"]))
        for sub in jax.extend.core.jaxprs_in_params(eqn.params):
            found += _lhs_dilations_in_jaxpr(sub)
    return found


def _lhs_dilations_in_hlo(text: str) -> list[tuple[int, ...]]:
    return [
        tuple(int(v) for v in m.split(",")) for m in re.findall(r"lhs_dilate = \[([\d, ]*)\]", text)
    ]


def _zero_insertions_in_hlo(text: str, batch: int) -> list[tuple]:
    """Pads with interior padding (explicit zero insertion) of batch-leading operands.

    Kernel-sized pads are left out: the transpose of the kernel's strided
    phase split is one (the kernel gradient), and it is harmless.
    """
    found = []
    for m in re.finditer(r"interior = \[([\d, ]*)\] : \(tensor<([\dx]+)", text):
        interior = tuple(int(v) for v in m.group(1).split(","))
        shape = tuple(int(v) for v in m.group(2).rstrip("x").split("x"))
        if any(interior) and shape[0] == batch:
            found.append((shape, interior))
    return found


STRIDED = [CONFIGS[i] for i in (4, 5, 11, 12, 14, 16)]


@pytest.mark.parametrize("cfg", STRIDED, ids=lambda c: repr(c)[7:60])
def test_no_lhs_dilation_in_phase_forward_or_vjp(cfg):
    cfg = dataclasses.replace(cfg, batch=7)  # no kernel dimension is 7
    x, w = cfg.operands()
    spec = _spec(cfg)
    fwd = jax.make_jaxpr(lambda x, w: phase_forward(x, w, spec))(x, w).jaxpr
    assert not any(d != (1,) * len(cfg.window) for d in _lhs_dilations_in_jaxpr(fwd))

    def grads(x, w, ct):
        return jax.vjp(lambda x, w: _call(cfg, "phase", x, w), x, w)[1](ct)

    y = _call(cfg, "phase", x, w)
    ct = np.ones(y.shape)
    vjp = jax.make_jaxpr(grads)(x, w, ct).jaxpr
    assert "jconv_conv" in {e.primitive.name for e in vjp.eqns}  # the strided conv is there
    assert all(d == (1,) * len(cfg.window) for d in _lhs_dilations_in_jaxpr(vjp))
    for fun, args in ((lambda x, w: _call(cfg, "phase", x, w), (x, w)), (grads, (x, w, ct))):
        hlo = jax.jit(fun).lower(*args).as_text()
        assert all(set(d) == {1} for d in _lhs_dilations_in_hlo(hlo)), hlo
        assert not _zero_insertions_in_hlo(hlo, cfg.batch), hlo


def test_the_inspection_sees_dilation():
    cfg = dataclasses.replace(STRIDED[2], batch=7)
    x, w = cfg.operands()
    hlo = jax.jit(lambda x, w: _call(cfg, "lhs_dilation", x, w)).lower(x, w).as_text()
    assert any(set(d) != {1} for d in _lhs_dilations_in_hlo(hlo))
    zeros = jax.jit(lambda x: jax.lax.pad(x, 0.0, [(0, 0, 0), (0, 0, 1), (0, 0, 0), (0, 0, 0)]))
    assert _zero_insertions_in_hlo(zeros.lower(x).as_text(), 7)


def _spec(cfg: Config):
    """The TransposeSpec that conv_transpose builds, captured through a registered spy."""
    seen = []

    def spy(x, w, spec):
        seen.append(spec)
        return phase_forward(x, w, spec)

    _algorithms.ALGORITHMS["_spy"] = spy
    try:  # with an empty batch no algorithm runs (the result is empty): use one
        _call(dataclasses.replace(cfg, batch=max(cfg.batch, 1)), "_spy")
    finally:
        del _algorithms.ALGORITHMS["_spy"]
    return seen[0]


@pytest.mark.parametrize("cfg", CONFIGS[:20], ids=lambda c: repr(c)[7:60])
def test_choose_returns_a_registered_algorithm(cfg):
    spec = _spec(cfg)
    for backend in (None, "cpu", "gpu", "tpu", "METAL"):
        assert _algorithms.choose(spec, backend) in jconv.ALGORITHMS
    assert _algorithms.choose(spec, "gpu") == "lhs_dilation"


def test_choose_on_cpu():
    dcgan = Config((4, 4), (4, 4), (2, 2), (1, 1), 1)
    vae = Config((4, 4), (3, 3), (2, 2), (1, 1), 1, output_padding=(1, 1))
    wavenet = Config((8,), (3,), (2,), (1,), 1, output_padding=(1,))
    assert _algorithms.choose(_spec(dcgan), "cpu") == "phase"
    assert _algorithms.choose(_spec(vae), "cpu") == "phase"
    assert _algorithms.choose(_spec(wavenet), "cpu") == "phase"


@pytest.mark.parametrize(
    ("cfg", "exact"),
    [
        (Config((4, 4), (3, 3), (2, 2), (1, 1), 1), True),  # 9 of 16 taps
        (Config((4, 4), (3, 5), (2, 2), (1, 1), 1), True),  # 3/4 times 5/6
        (Config((4, 4), (4, 4), (2, 2), (1, 1), 1), False),  # no zero tap
        (Config((4, 4), (5, 5), (2, 2), (1, 1), 2), False),  # 25 of 36: 0.69
        (Config((9,), (3,), (2,), (1,), 1), False),  # 3 of 4
        (Config((9,), (5,), (4,), (1,), 1), True),  # 5 of 8
        (Config((3, 3, 3), (3, 3, 3), (2, 2, 2), (1, 1, 1), 1), False),  # 3-D: stacked
    ],
)
def test_exact_phases_rule(cfg, exact):
    spec = _spec(cfg)
    assert auto.exact_phases(spec, plan(spec)) is exact
    # both ways give the reference's values
    x, w = cfg.operands()
    want = _call(cfg, "lhs_dilation", x, w)
    for flag in (True, False):
        saved = auto.exact_phases
        auto.exact_phases = lambda spec, plans, flag=flag: flag
        try:
            got = jax.jit(lambda x, w: phase_forward(x, w, spec))(x, w)
        finally:
            auto.exact_phases = saved
        np.testing.assert_allclose(got, want, rtol=0, atol=TOL * np.max(np.abs(want)))


@pytest.mark.parametrize("cfg", [SMALL, SMALL_DENSE], ids=["grouped-2d", "dense-1d"])
def test_precision_and_preferred_element_type(cfg):
    x, w = cfg.operands()
    x16, w16 = jnp.asarray(x, jnp.bfloat16), jnp.asarray(w, jnp.bfloat16)
    kw = dict(cfg.kwargs(), preferred_element_type=jnp.float32)

    def f(x, w):
        return jconv.conv_transpose(x, w, algorithm="phase", **kw)

    want = jconv.conv_transpose(x16, w16, algorithm="lhs_dilation", **kw)
    got = f(x16, w16)
    assert got.dtype == jnp.float32
    tolerances.assert_close(got, want)  # both accumulate in float32
    gx, gw = jax.grad(lambda x, w: jnp.sum(f(x, w)), (0, 1))(x16, w16)
    assert gx.dtype == gw.dtype == jnp.bfloat16
    kw = dict(cfg.kwargs(), precision=(jax.lax.Precision.HIGHEST,) * 2)
    _close(
        jconv.conv_transpose(x, w, algorithm="phase", **kw),
        jconv.conv_transpose(x, w, algorithm="lhs_dilation", **kw),
    )


def test_integer_inputs():
    cfg = SMALL_DENSE
    x, w = cfg.operands()
    xi, wi = np.round(x * 4).astype(np.int32), np.round(w * 4).astype(np.int32)
    np.testing.assert_array_equal(_call(cfg, "phase", xi, wi), _call(cfg, "lhs_dilation", xi, wi))


# ---------------------------------------------------------------------------
# The integer planning, checked against its definition.


@pytest.mark.parametrize(
    ("k", "s", "d"), list(itertools.product(range(1, 7), range(1, 6), range(1, 5)))
)
def test_plan_covers_every_tap_once(k, s, d):
    p = plan_dim(i=3, o=(3 - 1) * s + d * (k - 1) + 1, k=k, s=s, d=d, lo=0)
    taps = sorted(ph.first_tap + m * p.tap_step for ph in p.phases for m in range(ph.taps))
    assert taps == list(range(k))
    for ph in p.phases:
        for m in range(ph.taps):
            assert (ph.first_tap + m * p.tap_step) * d % s == ph.residue
    assert p.window == max(ph.taps for ph in p.phases)
    assert p.stride == s and p.tap_step * math.gcd(s, d) == s
    assert 0 < p.efficiency <= 1
    assert p.dense == (d == 1 and k >= s)
