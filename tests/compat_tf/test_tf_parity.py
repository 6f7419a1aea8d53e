"""Live parity of ``compat.tf`` with real TensorFlow (CPU, eager).

Randomized configurations (fixed seeds) of every function, every accepted
argument form, and a scan of ``output_shape`` values around each transposed
conv's valid sizes. For each call both libraries get the same arguments and
must agree: both raise (TensorFlow's semantic rejection <=> ours), or both
return the same shape, dtype and values.

Where TensorFlow's CPU kernels refuse a call only for lack of an
implementation (channels-first, dilated or grouped transposes, dilated or
grouped 3-D convs, unequal depthwise strides), the reference is TensorFlow's
XLA path (``tf.function(jit_compile=True)``); where TensorFlow refuses int32
for an op, it is the float64 result cast to int32. For ``conv3d`` with SAME
padding the reference is the XLA path too: TensorFlow's Eigen ``Conv3D``
kernel (the one that runs with oneDNN off) shifts the window when a stride
exceeds the filter by 2 or more, while XLA and the default oneDNN build use
the documented SAME padding (``pad_total = max((o - 1) * s + k - i, 0)``, the
smaller half first), as ``conv2d`` does.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import random
import warnings
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest

from compat import tf as ctf
from tests import tolerances

# TensorFlow's oneDNN CPU kernels return uninitialised memory for the empty outputs of
# VALID convolutions whose window slightly exceeds the input (e.g. a 3-wide window on 2
# inputs); the
# reference kernels (oneDNN off) return the empty tensor.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
tf = pytest.importorskip("tensorflow", reason="needs tensorflow-cpu (pip install -e .[test])")

# ---------------------------------------------------------------------------
# The harness.


@dataclasses.dataclass(frozen=True)
class T:
    """A value passed as a tensor: ``tf.constant`` for TensorFlow, a JAX array for us."""

    value: Any

    def resolve(self, lib: Any) -> Any:
        if lib is ctf:
            return jnp.asarray(self.value)
        return tf.constant(self.value)


def _resolve(value: Any, lib: Any) -> Any:
    if isinstance(value, T):
        return value.resolve(lib)
    if isinstance(value, list):
        return [_resolve(v, lib) for v in value]
    if isinstance(value, tuple):
        return tuple(_resolve(v, lib) for v in value)
    if isinstance(value, dict):
        return {k: _resolve(v, lib) for k, v in value.items()}
    return value


@dataclasses.dataclass
class Case:
    fn: str  # attribute path under the module, e.g. "nn.conv2d" or "compat.v1.nn.conv2d"
    args: tuple
    kwargs: dict

    def call(self, lib: Any) -> Any:
        fn = functools.reduce(getattr, self.fn.split("."), lib)
        return fn(*_resolve(self.args, lib), **_resolve(self.kwargs, lib))

    def __repr__(self) -> str:
        def short(v: Any) -> str:
            if isinstance(v, T):
                return f"T({short(v.value)})"
            if isinstance(v, np.ndarray) and v.ndim > 1:
                return f"array{v.shape}:{v.dtype}"
            return repr(v)

        parts = [short(a) for a in self.args] + [f"{k}={short(v)}" for k, v in self.kwargs.items()]
        return f"{self.fn}({', '.join(parts)})"


# TensorFlow CPU messages that mean "not implemented here", not "invalid".
_CPU_ONLY = (
    "only supports NHWC",  # Conv2DBackpropInput, NCHW
    "only supports the NHWC",  # Conv2D, Conv3D, NCHW / NCDHW
    "only supported for NHWC",  # DepthwiseConv2dNative, NCHW
    "only supports NDHWC",  # Conv3DBackpropInputV2, NCDHW
    "dilation rates larger than 1",  # transposes
    "dilated rates of 1",  # Conv3D
    "does not support dilations",  # DepthwiseConv2dNative
    "grouped convolutions are not supported",  # Conv2DBackpropInput
    "must have the same depth",  # Conv3D grouped (also a real mismatch: XLA decides)
    "must have the same number of channels. Got",  # Conv3DBackpropInputV2 grouped (ditto)
    "equal length strides",  # DepthwiseConv2dNative
    "Number of channels in filter",  # Conv3D grouped
)
_TF_REJECTIONS = (tf.errors.OpError, ValueError, TypeError)


@dataclasses.dataclass(frozen=True)
class _Arg:
    """The ``index``-th array argument of a compiled function."""

    index: int


def _lift(value: Any, arrays: list[Any]) -> Any:
    """``value`` with its input/filter arrays (rank >= 3) replaced by :class:`_Arg` slots."""
    if isinstance(value, T) or (isinstance(value, np.ndarray) and value.ndim >= 3):
        arrays.append(value)
        return _Arg(len(arrays) - 1)
    if isinstance(value, list):
        return [_lift(v, arrays) for v in value]
    if isinstance(value, tuple):
        return tuple(_lift(v, arrays) for v in value)
    return value


def _bind(value: Any, tensors: tuple[Any, ...]) -> Any:
    if isinstance(value, _Arg):
        return tensors[value.index]
    if isinstance(value, list):
        return [_bind(v, tensors) for v in value]
    if isinstance(value, tuple):
        return tuple(_bind(v, tensors) for v in value)
    return value


def _xla(case: Case) -> Any:
    """The call under ``tf.function(jit_compile=True)``, its arrays passed as arguments.

    Arrays captured as constants are not compiled by XLA: TensorFlow evaluates
    the op on constant inputs with its CPU kernel (the Eigen ``Conv3D`` one, for
    example). Arrays of different dtypes stay constants, so that TensorFlow's
    conversion of NumPy arguments to one dtype still applies.
    """
    arrays: list[Any] = []
    args = _lift(case.args, arrays)
    kwargs = {k: _lift(v, arrays) for k, v in case.kwargs.items()}
    dtypes = {np.dtype((a.value if isinstance(a, T) else a).dtype) for a in arrays}
    if len(dtypes) > 1:
        return tf.function(lambda: case.call(tf), jit_compile=True)()
    fn = functools.reduce(getattr, case.fn.split("."), tf)
    compiled = tf.function(
        lambda *ts: fn(*_bind(args, ts), **{k: _bind(v, ts) for k, v in kwargs.items()}),
        jit_compile=True,
    )
    return compiled(*[tf.constant(a.value if isinstance(a, T) else a) for a in arrays])


def _tf_call(case: Case, xla: bool = False) -> tuple[str, Any]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = _xla(case) if xla else case.call(tf)
        return "ok", np.asarray(out)
    except _TF_REJECTIONS as e:
        return "err", e


def _conv3d_same(case: Case) -> bool:
    """A 3-D forward conv with SAME padding (TF's Eigen Conv3D kernel misaligns some)."""
    name = case.fn.rsplit(".", 1)[-1]
    if name == "convolution":
        f = (
            case.args[1]
            if len(case.args) > 1
            else case.kwargs.get("filters", case.kwargs.get("filter"))
        )
        if np.ndim(f.value if isinstance(f, T) else f) != 5:
            return False
    elif name != "conv3d":
        return False
    return any(isinstance(v, str) and v == "SAME" for v in (*case.args, *case.kwargs.values()))


def tf_reference(case: Case) -> tuple[str, Any, str]:
    """TensorFlow's answer: ("ok", array, how) or ("err", exception, how)."""
    status, value = _tf_call(case)
    if status == "ok" and _conv3d_same(case):
        # With oneDNN off, TF's Eigen Conv3D kernel shifts the SAME window when a stride
        # exceeds the filter by 2 or more; TF's XLA path (and its default oneDNN build)
        # computes the documented SAME padding, as Conv2D does: that is the reference.
        status, value = _tf_call(case, xla=True)
        return status, value, "xla"
    if status == "ok":
        return status, value, "eager"
    msg = str(value)
    if "Value for attr 'T' of int32" in msg or "int32 not in list of allowed" in msg:
        as_float = _astype(case, np.int32, np.float64)
        status, value, how = tf_reference(as_float)
        if status == "ok":
            value = value.astype(np.int32)
        return status, value, f"{how} in float64"
    if isinstance(value, tf.errors.AbortedError) or any(m in msg for m in _CPU_ONLY):
        status, xla_value = _tf_call(case, xla=True)
        if status == "err" and "input shape must be num_spatial_dims + 2" in str(xla_value):
            status, xla_value = _tf_call(_full_output_shape(case), xla=True)  # XLA: no [H, W]
        return status, xla_value, "xla"
    return status, value, "eager"


def _full_output_shape(case: Case) -> Case:
    """A conv2d_transpose call with a 2-entry output_shape, given the full NHWC shape."""
    args, kwargs = list(case.args), dict(case.kwargs)

    def arg(i: int, *names: str) -> Any:
        if len(args) > i:
            return args[i]
        return next(kwargs[n] for n in names if n in kwargs)

    def shape(v: Any) -> tuple[int, ...]:
        return np.shape(v.value if isinstance(v, T) else v)

    x, f, out = arg(0, "input", "value"), arg(1, "filters", "filter"), arg(2, "output_shape")
    full = [shape(x)[0], *out, shape(f)[2]]
    if len(args) > 2:
        args[2] = full
    else:
        kwargs["output_shape"] = full
    return Case(case.fn, tuple(args), kwargs)


def _astype(case: Case, old: Any, new: Any) -> Case:
    def conv(v: Any) -> Any:
        if isinstance(v, T):
            return T(conv(v.value))
        if isinstance(v, np.ndarray) and v.dtype == old and v.ndim >= 3:
            return v.astype(new)
        return v

    return Case(
        case.fn, tuple(conv(a) for a in case.args), {k: conv(v) for k, v in case.kwargs.items()}
    )


def ours(case: Case) -> tuple[str, Any]:
    try:
        return "ok", case.call(ctf)
    except (ValueError, TypeError) as e:
        return "err", e


def check(case: Case) -> str:
    """Asserts parity for one call; returns "ok" or "err" (what both did)."""
    want_status, want, how = tf_reference(case)
    got_status, got = ours(case)
    if want_status == "err":
        assert got_status == "err", (
            f"TensorFlow ({how}) rejects {case!r} with {type(want).__name__}: "
            f"{str(want)[:300]}\nbut compat.tf returned shape {getattr(got, 'shape', None)}"
        )
        if isinstance(want, TypeError):
            assert isinstance(got, TypeError), f"{case!r}: TF TypeError {want}, ours {got!r}"
        return "err"
    assert got_status == "ok", f"TensorFlow ({how}) accepts {case!r} but compat.tf raised {got!r}"
    got = np.asarray(got)
    assert got.shape == want.shape, f"{case!r}: shape {got.shape} != TF {want.shape}"
    assert got.dtype == want.dtype, f"{case!r}: dtype {got.dtype} != TF {want.dtype}"
    tol = tolerances.tolerance(want.dtype).atol  # relative to the largest value
    scale = max(1.0, float(np.max(np.abs(want.astype(np.float64)), initial=0)))
    np.testing.assert_allclose(
        got.astype(np.float64),
        want.astype(np.float64),
        rtol=0,
        atol=tol * scale,
        err_msg=f"{case!r} ({how})",
    )
    return "ok"


# ---------------------------------------------------------------------------
# Random configurations.

FORMATS = {1: ("NWC", "NCW"), 2: ("NHWC", "NCHW"), 3: ("NDHWC", "NCDHW")}


def _ints(rng: random.Random, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    nrng = np.random.default_rng(rng.randrange(2**32))
    return nrng.integers(-4, 5, size=shape).astype(dtype)


def _dtype(rng: random.Random, int32: bool = True) -> Any:
    r = rng.random()
    if r < 0.70:
        return np.float32
    if r < 0.82:
        return np.float64
    if r < 0.93 and int32:
        return np.int32
    return np.float16 if r < 0.97 else jnp.bfloat16


def _channels_first(rng: random.Random, p: float = 0.12) -> bool:
    return rng.random() < p


def _layout(shape: list[int], first: bool) -> list[int]:
    """A channels-last shape in the requested layout."""
    return [shape[0], shape[-1], *shape[1:-1]] if first else list(shape)


def _seq_form(rng: random.Random, values: list[int], first: bool, full_ok: bool = True) -> Any:
    """One of TensorFlow's accepted forms of per-dimension ints (strides/dilations)."""
    forms = ["list"]
    if len(set(values)) == 1:
        forms += ["int", "len1", "tuple"]
    if full_ok:
        forms += ["full", "full"]
    form = rng.choice(forms)
    if form == "int":
        return values[0]
    if form == "len1":
        return [values[0]]
    if form == "tuple":
        return tuple(values)
    if form == "full":
        full = [1, 1, *values] if first else [1, *values, 1]
        return np.array(full) if rng.random() < 0.2 else full
    return list(values) if rng.random() < 0.8 else np.array(values)


def _explicit(rng: random.Random, n: int, first: bool) -> list[list[int]]:
    pads = [[rng.randint(0, 2), rng.randint(0, 2)] for _ in range(n)]
    return [[0, 0], [0, 0], *pads] if first else [[0, 0], *pads, [0, 0]]


def _maybe_tensor(rng: random.Random, a: np.ndarray) -> Any:
    return T(a) if rng.random() < 0.3 else a


def forward_case(rng: random.Random, fn: str) -> Case:
    """A random call of a forward conv function."""
    n = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "atrous_conv2d": 2, "depthwise_conv2d": 2}.get(
        fn, rng.choice((1, 2, 2, 3))
    )
    top = 5 if n == 3 else 8
    sizes = [rng.randint(1, top) for _ in range(n)]
    window = [rng.randint(1, 5 if n < 3 else 3) for _ in range(n)]
    strides = [rng.randint(1, 3) for _ in range(n)]
    dil = [1] * n
    if rng.random() < 0.35:
        dil = [rng.randint(1, 2) for _ in range(n)]
    batch = rng.randint(1, 2)
    c_in, c_out, groups = rng.randint(1, 3), rng.randint(1, 3), 1
    dtype = _dtype(rng)
    first = _channels_first(rng) and fn != "atrous_conv2d"
    padding: Any = rng.choice(("SAME", "VALID"))
    kwargs: dict[str, Any] = {}
    if fn == "depthwise_conv2d":
        if dtype == np.int32:
            dtype = np.float32
        if any(d > 1 for d in dil):
            strides = [1, 1]
        elif rng.random() < 0.8:
            strides = [strides[0]] * 2
        if rng.random() < 0.2:
            padding = _explicit(rng, 2, first)
        x = _ints(rng, tuple(_layout([batch, *sizes, c_in], first)), dtype)
        f = _ints(rng, (*window, c_in, c_out), dtype)
        full = [1, 1, *strides] if first else [1, *strides, 1]
        if first:
            kwargs["data_format"] = "NCHW"
        if any(d > 1 for d in dil) or rng.random() < 0.2:
            kwargs["dilations"] = dil
        return Case("nn.depthwise_conv2d", (x, f, full, padding), kwargs)
    if fn in ("conv2d", "convolution") and rng.random() < 0.25:
        groups = rng.randint(2, 3)
        c_out = groups * rng.randint(1, 2)
    x = _ints(rng, tuple(_layout([batch, *sizes, c_in * groups], first)), dtype)
    f = _ints(rng, (*window, c_in, c_out), dtype)
    x, f = _maybe_tensor(rng, x), _maybe_tensor(rng, f)
    if fn == "atrous_conv2d":
        rate = rng.randint(1, 3)
        if rng.random() < 0.2 and rate > 1:
            padding = _explicit(rng, 2, False)
        return Case(
            "nn.atrous_conv2d", (x, f, rate if rng.random() < 0.8 else [rate, rate], padding), {}
        )
    if fn == "conv3d":
        dil[2] = dil[1]  # TF's graph shape function swaps the H and W dilations (XLA reference)
        if dtype == np.int32:
            x, f = _astype_pair(x, f, np.float32)
        full = [1, 1, *strides] if first else [1, *strides, 1]
        kwargs["dilations"] = [1, 1, *dil] if first else [1, *dil, 1]
        if first:
            kwargs["data_format"] = "NCDHW"
        return Case(
            "nn.conv3d", (x, f, full if rng.random() < 0.7 else tuple(full), padding), kwargs
        )
    if fn == "convolution":
        if any(d > 1 for d in dil):
            strides = [1] * n
            if n == 2 and rng.random() < 0.25:
                padding = _explicit(rng, 2, first)
        if any(d > 1 for d in dil) or rng.random() < 0.5:
            kwargs["dilations"] = _seq_form(rng, dil, first, full_ok=not any(d > 1 for d in dil))
        if any(s > 1 for s in strides) or rng.random() < 0.5:
            kwargs["strides"] = _seq_form(rng, strides, first)
        kwargs["padding"] = padding
        if first:
            kwargs["data_format"] = FORMATS[n][1]
        elif rng.random() < 0.3:
            kwargs["data_format"] = FORMATS[n][0]
        return Case("nn.convolution", (x, f), kwargs)
    stride_arg = _seq_form(rng, strides, first)
    if fn == "conv2d" and rng.random() < 0.25:
        padding = _explicit(rng, 2, first)
    if any(d > 1 for d in dil) or rng.random() < 0.3:
        kwargs["dilations"] = _seq_form(rng, dil, first)
    if first:
        kwargs["data_format"] = FORMATS[n][1]
    elif rng.random() < 0.3:
        kwargs["data_format"] = FORMATS[n][0]
    return Case(f"nn.{fn}", (x, f, stride_arg, padding), kwargs)


def _astype_pair(x: Any, f: Any, dtype: Any) -> tuple[Any, Any]:
    def cast(v: Any) -> Any:
        return T(v.value.astype(dtype)) if isinstance(v, T) else v.astype(dtype)

    return cast(x), cast(f)


def transpose_valid_sizes(i: int, k: int, s: int, d: int, padding: Any) -> range:
    """The test's own statement of TensorFlow's accepted output sizes (i >= 1)."""
    eff = (k - 1) * d + 1
    if padding == "SAME":
        return range((i - 1) * s + 1, i * s + 1)
    lo, hi = padding if isinstance(padding, tuple) else (0, 0)
    low = (i - 1) * s + eff - lo - hi
    return range(max(low, 0), low + s)


def transpose_config(rng: random.Random, fn: str) -> dict[str, Any]:
    n = {
        "conv1d_transpose": 1,
        "conv2d_transpose": 2,
        "conv3d_transpose": 3,
        "atrous_conv2d_transpose": 2,
    }.get(fn, rng.choice((1, 2, 3)))
    top = 4 if n == 3 else 8
    cfg: dict[str, Any] = dict(
        n=n,
        sizes=[rng.randint(1, top) for _ in range(n)],
        window=[rng.randint(1, 5 if n < 3 else 3) for _ in range(n)],
        strides=[rng.randint(1, 3) for _ in range(n)],
        dil=[1] * n,
        batch=rng.randint(1, 2),
        c_in=rng.randint(1, 3),
        c_out=rng.randint(1, 3),
        groups=1,
        dtype=_dtype(rng),
        first=_channels_first(rng) and fn != "atrous_conv2d_transpose",
        padding=rng.choice(("SAME", "VALID")),
    )
    if rng.random() < 0.2:
        cfg["dil"] = [rng.randint(1, 2) for _ in range(n)]
    if fn == "atrous_conv2d_transpose":
        cfg["strides"] = [1, 1]
        cfg["dil"] = [rng.randint(1, 3)] * 2
    if n == 2 and fn != "atrous_conv2d_transpose" and rng.random() < 0.25:
        cfg["padding"] = [(rng.randint(0, 2), rng.randint(0, 2)) for _ in range(2)]
    if fn != "atrous_conv2d_transpose" and rng.random() < 0.1:
        cfg["groups"] = 2
    if n == 3 and cfg["dtype"] == np.int32:
        cfg["dtype"] = np.float32
    return cfg


def transpose_case(rng: random.Random, fn: str, cfg: dict[str, Any], out: list[int]) -> Case:
    """A call of a transposed conv with spatial output sizes ``out``."""
    n, first, dtype = cfg["n"], cfg["first"], cfg["dtype"]
    g = cfg["groups"]
    x = _ints(rng, tuple(_layout([cfg["batch"], *cfg["sizes"], cfg["c_in"] * g], first)), dtype)
    f = _ints(rng, (*cfg["window"], cfg["c_out"], cfg["c_in"] * g), dtype)
    x, f = _maybe_tensor(rng, x), _maybe_tensor(rng, f)
    full = _layout([cfg["batch"], *out, cfg["c_out"] * g], first)
    form = rng.random()
    if fn == "conv2d_transpose" and not first and g == 1 and form < 0.15:
        os: Any = list(out)
    elif form < 0.45:
        os = list(full)
    elif form < 0.6:
        os = tuple(full)
    elif form < 0.75:
        os = np.array(full)
    else:
        os = T(np.array(full, np.int32))
    if fn == "atrous_conv2d_transpose":
        return Case("nn.atrous_conv2d_transpose", (x, f, os, cfg["dil"][0], cfg["padding"]), {})
    padding = cfg["padding"]
    if isinstance(padding, list):
        padding = _explicit_from(padding, first)
    kwargs: dict[str, Any] = {}
    if first:
        kwargs["data_format"] = FORMATS[n][1]
    elif rng.random() < 0.3:
        kwargs["data_format"] = FORMATS[n][0]
    if any(d > 1 for d in cfg["dil"]) or rng.random() < 0.3:
        kwargs["dilations"] = _seq_form(rng, cfg["dil"], first)
    if padding != "SAME" or rng.random() < 0.5:
        kwargs["padding"] = padding
    strides = _seq_form(rng, cfg["strides"], first)
    return Case(f"nn.{fn}", (x, f, os, strides), kwargs)


def _explicit_from(pads: list[tuple[int, int]], first: bool) -> list[list[int]]:
    pairs = [list(p) for p in pads]
    return [[0, 0], [0, 0], *pairs] if first else [[0, 0], *pairs, [0, 0]]


def output_scan(cfg: dict[str, Any]) -> list[list[int]]:
    """Output sizes to try: each dimension swept over its valid sizes +- 2, others valid."""
    valid = []
    for dim in range(cfg["n"]):
        pad = cfg["padding"]
        pad = pad[dim] if isinstance(pad, list) else pad
        valid.append(
            transpose_valid_sizes(
                cfg["sizes"][dim], cfg["window"][dim], cfg["strides"][dim], cfg["dil"][dim], pad
            )
        )
    base = [r[-1] if len(r) else 1 for r in valid]
    outs = [base]
    for dim, r in enumerate(valid):
        lo, hi = (r[0], r[-1]) if len(r) else (1, 1)
        for o in range(max(0, lo - 2), hi + 3):
            if o != base[dim]:
                out = list(base)
                out[dim] = o
                outs.append(out)
    return outs


_V1_NAMES = {  # TF2 function -> (v1 function, names of the leading arguments when passed by keyword)
    "nn.conv1d": ("value", "filters", "stride", "padding"),
    "nn.conv2d": (None, "filter", "strides", "padding"),
    "nn.conv3d": (None, "filter", "strides", "padding"),
    "nn.conv2d_transpose": ("value", "filter", "output_shape", "strides"),
    "nn.conv3d_transpose": (None, "filter", "output_shape", "strides"),
}


def maybe_v1(rng: random.Random, case: Case, p: float = 0.25) -> Case:
    """Sometimes the same call through ``tf.compat.v1.nn`` with the v1 argument names."""
    if rng.random() >= p:
        return case
    kwargs = dict(case.kwargs)
    if case.fn in _V1_NAMES:
        names = _V1_NAMES[case.fn]
        args = list(case.args)
        positional = [args.pop(0)] if names[0] is None else []
        for name, value in zip(names[len(positional) :], args[: len(names) - len(positional)]):
            kwargs[name] = value
        rest = args[len(names) - len(positional) :]
        return Case("compat.v1." + case.fn, (*positional, *rest), kwargs)
    if case.fn == "nn.depthwise_conv2d" and "dilations" in kwargs:
        kwargs["rate"] = kwargs.pop("dilations")
        return Case("compat.v1.nn.depthwise_conv2d", case.args, kwargs)
    if case.fn == "nn.convolution":
        padding = kwargs.pop("padding", "VALID")
        if "dilations" in kwargs:
            kwargs["dilation_rate"] = kwargs.pop("dilations")
        return Case("compat.v1.nn.convolution", (*case.args, padding), kwargs)
    return case


# ---------------------------------------------------------------------------
# The tests.

FORWARD = ["conv1d", "conv2d", "conv3d", "convolution", "atrous_conv2d", "depthwise_conv2d"]
FORWARD_COUNTS = {
    "conv1d": 45,
    "conv2d": 70,
    "conv3d": 25,
    "convolution": 60,
    "atrous_conv2d": 30,
    "depthwise_conv2d": 40,
}


@pytest.mark.parametrize("fn", FORWARD)
def test_forward_random(fn: str) -> None:
    rng = random.Random(f"forward-{fn}")
    outcomes = [check(maybe_v1(rng, forward_case(rng, fn))) for _ in range(FORWARD_COUNTS[fn])]
    assert outcomes.count("ok") >= len(outcomes) // 2, outcomes


TRANSPOSE = [
    "conv1d_transpose",
    "conv2d_transpose",
    "conv3d_transpose",
    "conv_transpose",
    "atrous_conv2d_transpose",
]
TRANSPOSE_COUNTS = {
    "conv1d_transpose": 10,
    "conv2d_transpose": 14,
    "conv3d_transpose": 5,
    "conv_transpose": 7,
    "atrous_conv2d_transpose": 8,
}


@pytest.mark.parametrize("fn", TRANSPOSE)
def test_transpose_output_shape_scan(fn: str) -> None:
    """Every valid and invalid output size around the valid ones: same decision, same values."""
    rng = random.Random(f"transpose-{fn}")
    seen = {"ok": 0, "err": 0}
    for _ in range(TRANSPOSE_COUNTS[fn]):
        cfg = transpose_config(rng, fn)
        for out in output_scan(cfg):
            seen[check(maybe_v1(rng, transpose_case(rng, fn, cfg, out)))] += 1
    assert seen["ok"] and seen["err"], seen
