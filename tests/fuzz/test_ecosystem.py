"""Fuzz the ecosystem entry points: jconv.port, jconv.init and the Flax/Equinox layers.

One argument at a time is replaced with garbage. A rejection must be a
``ValueError`` / ``TypeError`` / ``NotImplementedError`` naming the argument;
anything accepted must then compute finite values, and the ported function's
accepted inputs must give PyTorch's own output.
"""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest

import jconv

from ._harness import INT_GARBAGE, TYPE_GARBAGE, UNKNOWN, Expect, Recorder
from ._pools import array_variants

GARBAGE = TYPE_GARBAGE + INT_GARBAGE
torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")


def _maybe(names, v):
    """A variant may be refused naming ``names``; if accepted it must give finite values,
    except that NaN data (one of the variants) may propagate."""
    e = Expect(value=UNKNOWN, may_reject=True, names=names)
    if isinstance(v, np.ndarray) and v.dtype.kind == "f" and np.isnan(v).any():
        e.check = lambda r: None
    return e


def _close(want):
    def check(r):
        got = np.asarray(r, np.float64)
        if got.shape != want.shape or not np.allclose(
            got, want, rtol=1e-4, atol=1e-4, equal_nan=True
        ):
            return f"differs from PyTorch (shape {got.shape} vs {want.shape})"
        return None

    return check


def test_port_from_torch_and_its_function():
    rec = Recorder("jconv.port.from_torch")
    for v in [*GARBAGE, torch.nn.Linear(2, 3), torch.nn.ReLU()]:
        rec.run("module", v, lambda v=v: jconv.port.from_torch(v), Expect(names=("module",)))
    module = torch.nn.Conv2d(2, 3, 3, stride=2, padding=1, padding_mode="reflect")
    fn, params = jconv.port.from_torch(module)
    x = np.random.default_rng(0).standard_normal((2, 2, 6, 5)).astype(np.float32)
    for v in array_variants(x):
        a = np.asarray(v) if isinstance(v, (np.ndarray, list)) else None
        valid = (
            a is not None
            and a.dtype == np.float32
            and a.ndim in (3, 4)
            and a.shape[-3 if a.ndim == 3 else 1] == 2
            and min(a.shape[-2:]) >= 2  # reflect pads 1: each size must exceed it
            and (a.ndim == 3 or a.shape[0] > 0)
        )
        if valid:
            want = module(torch.from_numpy(np.ascontiguousarray(a))).detach().numpy()
            expect = Expect(value=UNKNOWN, may_reject=False, check=_close(want))
        else:
            # jconv's own checks may reject it naming the input, its padding or the mode.
            expect = Expect(value=UNKNOWN, may_reject=True, names=("x", "input", "padding"))
        rec.run("x", v, lambda v=v: fn(params, v), expect)
    for v in GARBAGE:
        rec.run("params", v, lambda v=v: fn(v, x), Expect(names=("params",)))
        for key in params:
            bad = {**params, key: v}
            rec.run(
                f"params[{key}]",
                v,
                lambda bad=bad: fn(bad, x),
                Expect(value=UNKNOWN, may_reject=True, names=(key, "params", "x")),
            )
    rec.assert_clean()


def test_port_from_keras_and_from_onnx_reject_garbage():
    onnx = pytest.importorskip("onnx", reason="needs onnx (pip install 'jconv[onnx]')")
    rec = Recorder("jconv.port.from_keras/from_onnx")
    node = onnx.helper.make_node("ConvTranspose", ["X", "W"], ["Y"], strides=[2])
    inits = {"W": np.ones((2, 3, 3), np.float32)}
    for v in [*GARBAGE, torch.nn.Conv1d(1, 1, 1)]:
        rec.run("layer", v, lambda v=v: jconv.port.from_keras(v), Expect(names=("layer",)))
        rec.run("node", v, lambda v=v: jconv.port.from_onnx(v, inits), Expect(names=("node",)))
        rec.run(
            "initializers",
            v,
            lambda v=v: jconv.port.from_onnx(node, v),
            Expect(value=UNKNOWN, may_reject=True, names=("initializers", "W")),
        )
        rec.run(
            "initializers[W]",
            v,
            lambda v=v: jconv.port.from_onnx(node, {"W": v}),
            Expect(value=UNKNOWN, may_reject=True, names=("initializers", "W", "kernel_shape")),
        )
    rec.assert_clean()


INIT_BASES = {
    "torch_default": (jconv.init.torch_default, {"shape": (3, 2, 4), "dtype": np.float32}),
    "glorot_uniform": (jconv.init.glorot_uniform, {"shape": (3, 3, 2, 4), "dtype": np.float32}),
}


@pytest.mark.parametrize("name", sorted(INIT_BASES))
def test_init_kernels(name):
    f, base = INIT_BASES[name]
    rec = Recorder(f"jconv.init.{name}")
    key = jax.random.key(0)

    def bounded(r, shape):
        if tuple(r.shape) != shape:
            return f"shape {r.shape}, asked for {shape}"
        receptive = math.prod(shape[:-2])
        fan_in = math.prod(shape[:-1])
        bound = (
            1 / math.sqrt(fan_in)
            if name == "torch_default"
            else math.sqrt(6 / (receptive * (shape[-2] + shape[-1])))
        )
        if not np.all(np.abs(np.asarray(r, np.float64)) <= bound * (1 + 1e-6)):
            return f"values beyond the bound {bound}"
        return None

    for arg in ("key", "shape", "dtype"):
        for v in GARBAGE:
            kw = {"key": key, **base, arg: v}
            shape = kw["shape"]
            expect = Expect(value=UNKNOWN, may_reject=True, names=(arg,))
            if arg != "shape":
                expect.check = lambda r, shape=shape: bounded(r, shape)
            rec.run(arg, v, lambda kw=kw: f(kw["key"], kw["shape"], kw["dtype"]), expect)
    rec.assert_clean()


def test_init_bias_and_bilinear():
    rec = Recorder("jconv.init.torch_default_bias/bilinear_upsample")
    key = jax.random.key(1)
    for v in GARBAGE:
        rec.run(
            "fan_in",
            v,
            lambda v=v: jconv.init.torch_default_bias(v)(key, (4,)),
            Expect(value=UNKNOWN, may_reject=True, names=("fan_in",)),
        )
        for arg in ("scale", "channels", "ndim", "groups", "dtype"):
            kw = {"scale": 2, "channels": 3, "ndim": 2, **{arg: v}}
            rec.run(
                arg,
                v,
                lambda kw=kw: jconv.init.bilinear_upsample(**kw),
                Expect(value=UNKNOWN, may_reject=True, names=(arg,)),
            )
    rec.assert_clean()


def _layer_entries():
    flax = pytest.importorskip("flax", reason="needs flax (pip install 'jconv[flax]')")
    pytest.importorskip("equinox", reason="needs equinox (pip install 'jconv[equinox]')")
    import jconv.equinox
    import jconv.flax

    rngs = lambda: flax.nnx.Rngs(0)  # noqa: E731
    x_flax = np.ones((2, 6, 6, 4), np.float32)
    x_eqx = np.ones((4, 6, 6), np.float32)
    return {
        "jconv.flax.Conv": (jconv.flax.Conv, dict(in_features=4, out_features=6), x_flax, rngs),
        "jconv.flax.ConvTranspose": (
            jconv.flax.ConvTranspose,
            dict(in_features=4, out_features=6),
            x_flax,
            rngs,
        ),
        "jconv.equinox.Conv": (
            jconv.equinox.Conv,
            dict(in_channels=4, out_channels=6),
            x_eqx,
            None,
        ),
        "jconv.equinox.ConvTranspose": (
            jconv.equinox.ConvTranspose,
            dict(in_channels=4, out_channels=6),
            x_eqx,
            None,
        ),
    }


LAYER_ARGS = ("kernel_size", "stride", "padding", "dilation", "groups", "padding_mode", "use_bias")


@pytest.mark.parametrize(
    "entry",
    [
        "jconv.flax.Conv",
        "jconv.flax.ConvTranspose",
        "jconv.equinox.Conv",
        "jconv.equinox.ConvTranspose",
    ],
)
def test_layers_reject_garbage_or_compute(entry):
    cls, channels, x, rngs = _layer_entries()[entry]
    rec = Recorder(entry)
    channel_args = tuple(channels)
    for arg in (*channel_args, *LAYER_ARGS):
        for v in GARBAGE[::2] if arg in channel_args else GARBAGE:
            kw = {**channels, "kernel_size": (3, 3), arg: v}
            if rngs is None:
                kw["key"] = jax.random.key(0)
            else:
                kw["rngs"] = rngs()

            def call(kw=kw):
                layer = cls(**kw)
                return layer(x)

            names = (arg, "x", "in_features", "in_channels", "groups", "padding", "kernel_size")
            rec.run(arg, v, call, Expect(value=UNKNOWN, may_reject=True, names=names))
    rec.assert_clean()


def _d2s_oracle(x, block, order):
    """depth_to_space of channels-last x from the index definition (written here, cell by cell).

    With ``k`` the row-major index of the offset ``r`` inside a block and ``P`` the block
    size: DCR reads input channel ``k * C + c``, CRD reads ``c * P + k``.
    """
    import itertools

    n = x.ndim - 2
    p = math.prod(block)
    c_out = x.shape[-1] // p
    out = np.zeros((x.shape[0], *(s * b for s, b in zip(x.shape[1:-1], block)), c_out), x.dtype)
    for s in itertools.product(*map(range, x.shape[1:-1])):
        for k, r in enumerate(itertools.product(*map(range, block))):
            pos = tuple(s[j] * block[j] + r[j] for j in range(n))
            for c in range(c_out):
                src = k * c_out + c if order == "DCR" else c * p + k
                out[(slice(None), *pos, c)] = x[(slice(None), *s, src)]
    return out


def test_depth_to_space_and_space_to_depth():
    rec = Recorder("jconv.depth_to_space/space_to_depth")
    x = np.arange(2 * 3 * 2 * 8, dtype=np.float32).reshape(2, 3, 2, 8)
    want = {order: _d2s_oracle(x, (2, 2), order) for order in ("DCR", "CRD")}
    for order in ("DCR", "CRD"):
        rec.run(
            "order",
            order,
            lambda order=order: jconv.depth_to_space(x, 2, order=order),
            Expect(value=want[order], dtype=np.float32),
        )
        rec.run(
            "order",
            order,
            lambda order=order: jconv.space_to_depth(want[order], 2, order=order),
            Expect(value=x, dtype=np.float32),
        )
    for f, base in ((jconv.depth_to_space, x), (jconv.space_to_depth, want["DCR"])):
        for v in array_variants(base):
            rec.run(
                "x",
                v,
                lambda f=f, v=v: f(v, 2),
                _maybe(("x",), v),
            )
        for arg in ("block_size", "data_format", "order"):
            for v in GARBAGE:
                kw = {"block_size": 2, arg: v}
                rec.run(
                    arg,
                    v,
                    lambda f=f, kw=kw, base=base: f(base, **kw),
                    Expect(value=UNKNOWN, may_reject=True, names=(arg, "x")),
                )
    rec.assert_clean()


def test_resize_conv():
    rec = Recorder("jconv.resize_conv")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 4, 3, 2)).astype(np.float32)
    k = rng.standard_normal((3, 3, 2, 4)).astype(np.float32)
    # nearest with scale 2 is a repeat, then the conv: compared with jconv.conv on np.repeat.
    want = np.asarray(jconv.conv(np.repeat(np.repeat(x, 2, 1), 2, 2), k, 1, "SAME"))
    rec.run("scale", 2, lambda: jconv.resize_conv(x, k, 2), Expect(value=want, rtol=1e-5))
    names = ("x", "kernel", "padding", "bias")
    for arg in ("scale", "padding", "method", "dilation", "groups", "padding_mode", "bias"):
        for v in GARBAGE:
            kw = {"scale": 2, arg: v}
            rec.run(
                arg,
                v,
                lambda kw=kw: jconv.resize_conv(x, k, **kw),
                Expect(value=UNKNOWN, may_reject=True, names=(arg, *names)),
            )
    for v in array_variants(x):
        rec.run(
            "x",
            v,
            lambda v=v: jconv.resize_conv(v, k, 2),
            _maybe(names, v),
        )
    rec.assert_clean()
