"""Models of jconv.conv and jconv.conv_transpose: what a call must do, from the contract.

``model_conv(kw)`` / ``model_transpose(kw)`` take the full keyword arguments
of one call and return an :class:`Expect`: the NumPy oracle's result, or the
names a rejection must cite. They share no code with jconv.
"""

from __future__ import annotations

import jax
import numpy as np

import jconv

from ._harness import UNKNOWN, Expect, Reject, as_int, is_seq, per_dim, too_big
from ._oracle import conv_ref, conv_size, copy_fold, copy_pad, eff, same_pads, transpose_ref

SIZE_NAMES = ("x", "kernel", "padding", "stride", "dilation", "output_shape", "output_padding")
CL = {"NWC": 1, "NHWC": 2, "NDHWC": 3}
CF = {"NCW": 1, "NCHW": 2, "NCDHW": 3}
MODES = ("SAME", "SAME_LOWER", "VALID", "CAUSAL")
PADDING_MODES = ("zeros", "circular", "reflect", "replicate")
RUN_LIMIT = 2**26  # bytes: a valid output larger than this is not computed (not a bug)


class Skip(Exception):
    """A valid call too large to run on a test machine."""


class Ctx:
    def __init__(self):
        self.either = False


def operand(v, name, ctx):
    if isinstance(v, jax.core.Tracer):
        raise Reject(name)  # the models get concrete operands; traced ones are never passed here
    if isinstance(v, (np.ndarray, jax.Array)):
        a = np.asarray(v)
    elif isinstance(v, (list, tuple, int, float, np.number)) and not isinstance(v, bool):
        try:
            a = np.asarray(v)
        except Exception:
            raise Reject(name) from None
        ctx.either = True
    else:
        raise Reject(name)
    if a.dtype.kind in "bOUSMm" or (a.dtype.kind == "V" and str(a.dtype) != "bfloat16"):
        raise Reject(name)
    if a.dtype.kind in "iuc":
        ctx.either = True
    return a


def operands(kw, ctx, xname="x", kname="kernel"):
    x = operand(kw[xname], xname, ctx)
    k = operand(kw[kname], kname, ctx)
    if x.ndim < 3:
        raise Reject(xname)
    if k.ndim != x.ndim:
        raise Reject(kname, xname)
    if x.dtype != k.dtype:
        ctx.either = True
    if min(k.shape[: x.ndim - 2], default=1) == 0:
        raise Reject(kname)
    n = x.ndim - 2
    df = kw.get("data_format")
    if df is None:
        last = True
    elif not isinstance(df, str):
        raise Reject("data_format")
    elif df in ("channels_last", "channels_first"):
        last = df == "channels_last"
    elif df in CL or df in CF:
        if {**CL, **CF}[df] != n:
            raise Reject("data_format", xname)
        last = df in CL
    elif df.upper() in CL or df.upper() in CF or df.lower() in ("channels_last", "channels_first"):
        ctx.either = True
        u = df.upper()
        if (u in CL or u in CF) and {**CL, **CF}[u] != n:
            raise Reject("data_format", xname)
        last = u in CL or df.lower() == "channels_last"
    else:
        raise Reject("data_format")
    xl = x if last else np.moveaxis(x, 1, -1)
    return x, k, xl, last, n


def padding_specs(p, n):
    if isinstance(p, str):
        m = p.upper()
        if m not in MODES or (m == "CAUSAL" and n != 1):
            raise Reject("padding")
        return [m] * n
    if is_seq(p) or (isinstance(p, np.ndarray) and p.ndim == 2 and p.shape[1:] == (2,)):
        items = list(p)
        if len(items) != n:
            raise Reject("padding")
        out = []
        for it in items:
            if is_seq(it):
                pair = list(it)
                if len(pair) != 2:
                    raise Reject("padding")
                out.append((as_int(pair[0], "padding"), as_int(pair[1], "padding")))
            else:
                v = as_int(it, "padding")
                out.append((v, v))
        return out
    v = as_int(p, "padding")
    return [(v, v)] * n


def forward(spec, i, k, s, d):
    if spec in ("SAME", "SAME_LOWER"):
        return same_pads(i, k, s, d, spec == "SAME_LOWER")
    if spec == "VALID":
        return (0, 0)
    if spec == "CAUSAL":
        return (d * (k - 1), 0)
    return spec


def precision_ok(v, ctx):
    names = ("DEFAULT", "HIGH", "HIGHEST", "FASTEST", "BFLOAT16", "TENSORFLOAT32", "FLOAT32")
    if v is None or isinstance(v, jax.lax.Precision):
        return
    if isinstance(v, str) and v.upper() in names:
        ctx.either = True
        return
    if isinstance(v, (tuple, list)) and len(v) == 2:
        for a in v:
            if not (
                isinstance(a, jax.lax.Precision) or (isinstance(a, str) and a.upper() in names)
            ):
                raise Reject("precision")
        ctx.either = True
        return
    raise Reject("precision")


def element_type(v, default, ctx):
    if v is None:
        return default
    if not isinstance(v, (str, type, np.dtype)):
        raise Reject("preferred_element_type")
    try:
        dt = np.dtype(v)
    except Exception:
        raise Reject("preferred_element_type") from None
    if dt.kind in "OUSMm" or (dt.kind == "V" and str(dt) != "bfloat16"):
        raise Reject("preferred_element_type")
    if dt != np.dtype(default):
        ctx.either = True
    return dt


def tol(dtype) -> float:
    return 2e-2 if np.dtype(dtype).itemsize <= 2 else 1e-5


def _finish(kw, ctx, ref_fn, out_shape_cl, last, dtype):
    if too_big(out_shape_cl):
        raise Reject(*SIZE_NAMES)
    if np.prod([max(s, 0) for s in out_shape_cl], dtype=object) * 8 > RUN_LIMIT:
        raise Skip
    y = ref_fn()
    if not last:
        y = np.moveaxis(y, -1, 1)
    return Expect(
        value=y,
        may_reject=ctx.either,
        dtype=dtype,
        rtol=tol(dtype if dtype is not None else np.float32),
    )


def common(kw, ctx, n):
    strides = per_dim(kw.get("stride", 1), "stride", n, minimum=1)
    dils = per_dim(kw.get("dilation", 1), "dilation", n, minimum=1)
    specs = padding_specs(kw.get("padding", "VALID"), n)
    g = as_int(kw.get("groups", 1), "groups")
    if g < 1:
        raise Reject("groups")
    pm = kw.get("padding_mode", "zeros")
    if not isinstance(pm, str):
        raise Reject("padding_mode")
    if pm.lower() not in PADDING_MODES:
        raise Reject("padding_mode")
    if pm not in PADDING_MODES:
        ctx.either = True
    mode = pm.lower()
    if mode != "zeros":
        ctx.either = True
    precision_ok(kw.get("precision"), ctx)
    flat = [*strides, *dils, *(v for sp in specs if not isinstance(sp, str) for v in sp)]
    if any(abs(v) >= 2**62 for v in flat):
        ctx.either = True  # a ValueError naming it ("sizes must fit in int64") is a fine answer too
    return strides, dils, specs, g, mode


def model_conv(kw):
    ctx = Ctx()
    x, k, xl, last, n = operands(kw, ctx)
    strides, dils, specs, g, mode = common(kw, ctx, n)
    dtype = element_type(
        kw.get("preferred_element_type"), x.dtype if x.dtype == k.dtype else None, ctx
    )
    cin = xl.shape[-1]
    if cin != g * k.shape[-2] or k.shape[-1] % g:
        raise Reject("x", "kernel", "groups", "data_format")
    sizes, window = xl.shape[1:-1], k.shape[:n]
    if min(sizes) == 0:
        raise Reject("x", *SIZE_NAMES)
    pads = [
        forward(sp, i, kk, s, d) for sp, i, kk, s, d in zip(specs, sizes, window, strides, dils)
    ]
    outs = [
        conv_size(i, kk, s, lo, hi, d)
        for i, kk, s, (lo, hi), d in zip(sizes, window, strides, pads, dils)
    ]
    if min(outs) < 1:
        raise Reject(*SIZE_NAMES)
    if mode != "zeros":
        check_copy_pads(pads, sizes, mode)
    shape = (xl.shape[0], *outs, k.shape[-1])
    b = bias_of(kw, ctx, k.shape[-1], x.dtype, dtype)

    def ref():
        if mode == "zeros":
            y = conv_ref(xl, k, strides, pads, dils, g)
        else:
            y = conv_ref(copy_pad(xl, pads, mode), k, strides, [(0, 0)] * n, dils, g)
        return y if b is None else y + b

    return _finish(kw, ctx, ref, shape, last, dtype)


def check_copy_pads(pads, sizes, mode):
    """Copying padding: non-negative; reflect needs each side smaller than the size."""
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        raise Reject("padding", "padding_mode")
    if any((lo or hi) and i == 0 for (lo, hi), i in zip(pads, sizes)):
        raise Reject("padding", "padding_mode", "x")
    if mode == "reflect" and any(max(lo, hi) >= i for (lo, hi), i in zip(pads, sizes)):
        raise Reject("padding", "padding_mode")


def bias_of(kw, ctx, cout, x_dtype, result_dtype):
    """``bias``: None, or a (C_out,) array of x's dtype or the result's (float64 for the oracle)."""
    v = kw.get("bias")
    if v is None:
        return None
    b = operand(v, "bias", ctx)
    if b.shape != (cout,):
        raise Reject("bias")
    allowed = {np.dtype(x_dtype)} | (
        {np.dtype(result_dtype)} if result_dtype is not None else set()
    )
    if b.dtype not in allowed:
        if b.dtype.kind == "f" and b.dtype.itemsize == 8 and not isinstance(v, np.ndarray):
            ctx.either = True  # a Python list converts to float64 with x64 on
        else:
            raise Reject("bias")
    return b.astype(np.complex128 if b.dtype.kind == "c" else np.float64)


def model_transpose(kw):
    ctx = Ctx()
    x, k, xl, last, n = operands(kw, ctx)
    strides, dils, specs, g, mode = common(kw, ctx, n)
    dtype = element_type(
        kw.get("preferred_element_type"), x.dtype if x.dtype == k.dtype else None, ctx
    )
    alg = kw.get("algorithm", "auto")
    if not isinstance(alg, str) or alg not in (*jconv.ALGORITHMS, "auto"):
        raise Reject("algorithm")
    cin = xl.shape[-1]
    if cin != k.shape[-1] or k.shape[-1] % g:
        raise Reject("x", "kernel", "groups", "data_format")
    os_, op = kw.get("output_shape"), kw.get("output_padding")
    sizes, window = xl.shape[1:-1], k.shape[:n]
    if min(sizes) == 0:
        raise Reject("x", *SIZE_NAMES)
    if os_ is not None:
        os_ = per_dim(os_, "output_shape", n, minimum=1)
    if op is not None:
        op = per_dim(op, "output_padding", n, minimum=0)
        if os_ is not None:
            raise Reject("output_padding", "output_shape")
        if any(p >= max(s, d) for p, s, d in zip(op, strides, dils)):
            raise Reject("output_padding", "stride", "dilation")
        if "SAME" in specs and any(op):
            raise Reject("output_padding", "padding")
    op = op or (0,) * n
    cout = k.shape[-2] * g
    b = bias_of(kw, ctx, cout, x.dtype, dtype)
    if mode != "zeros" or any(sp in ("SAME_LOWER", "CAUSAL") for sp in specs):
        ctx.either = True  # the output size is read off the result, then checked against the oracle

        def check(r):
            r = (
                np.asarray(r, np.float64)
                if not isinstance(r, jax.Array)
                else np.asarray(r.astype(np.float64))
            )
            rl = r if last else np.moveaxis(r, 1, -1)
            outs = rl.shape[1:-1]
            pads = [
                forward(sp, o, kk, s, d)
                for sp, o, kk, s, d in zip(specs, outs, window, strides, dils)
            ]
            back = [
                conv_size(o, kk, s, lo, hi, d)
                for o, kk, s, (lo, hi), d in zip(outs, window, strides, pads, dils)
            ]
            if tuple(back) != tuple(sizes):
                return f"output size {outs} does not map back to {sizes}"
            if mode == "zeros":
                want = transpose_ref(xl, k, outs, strides, pads, dils, g)
            else:
                if any(lo < 0 or hi < 0 for lo, hi in pads) or (
                    mode == "reflect" and any(max(p) >= o for p, o in zip(pads, outs))
                ):
                    return "accepted padding that cannot be copied"
                extent = [o + lo + hi for o, (lo, hi) in zip(outs, pads)]
                full = transpose_ref(xl, k, extent, strides, [(0, 0)] * n, dils, g)
                want = copy_fold(full, pads, outs, mode)
            if b is not None:
                want = want + b
            if rl.shape != want.shape or not np.allclose(
                rl, want, rtol=1e-4, atol=1e-4 * (1 + np.abs(want).max(initial=0))
            ):
                return "wrong values"
            return None

        return Expect(value=UNKNOWN, may_reject=True, check=check)
    if os_ is not None:
        outs = os_
        pads = [
            forward(sp, o, kk, s, d) for sp, o, kk, s, d in zip(specs, outs, window, strides, dils)
        ]
        back = [
            conv_size(o, kk, s, lo, hi, d)
            for o, kk, s, (lo, hi), d in zip(outs, window, strides, pads, dils)
        ]
        if tuple(back) != tuple(sizes):
            raise Reject("output_shape")
    else:
        outs, pads = [], []
        for sp, i, kk, s, d, p in zip(specs, sizes, window, strides, dils, op):
            if sp == "SAME":
                o = i * s
                pads.append(same_pads(o, kk, s, d))
            else:
                lo, hi = (0, 0) if sp == "VALID" else sp
                o = (i - 1) * s + eff(kk, d) - lo - hi + p
                pads.append((lo, hi))
            outs.append(o)
        if min(outs) < 1:
            raise Reject(*SIZE_NAMES)
    shape = (xl.shape[0], *outs, cout)

    def ref():
        y = transpose_ref(xl, k, outs, strides, pads, dils, g)
        return y if b is None else y + b

    return _finish(kw, ctx, ref, shape, last, dtype)


def expect_for(model, kw, arg):
    """The model's Expect; a Reject becomes "must reject naming these (or the argument)"."""
    try:
        e = model(kw)
    except Reject as r:
        return Expect(value=None, names=tuple(dict.fromkeys((*r.names, arg))))
    if not e.names:
        e.names = tuple(
            dict.fromkeys((arg, *SIZE_NAMES, "groups", "data_format", "algorithm", "padding_mode"))
        )
    return e


# ---------------------------------------------------------------------------
# Base calls: small valid arrays with integer values (exact in every float dtype).


def ints(shape, seed, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return rng.integers(-2, 3, size=shape).astype(dtype)


def conv_base(n=2):
    sp = (5, 6, 4)[:n]
    return {
        "x": ints((2, *sp, 4), 1),
        "kernel": ints((*(3, 2, 2)[:n], 4, 6), 2),
        "stride": 1,
        "padding": "VALID",
        "bias": ints((6,), 5),
    }


def transpose_base(n=2, algorithm="auto"):
    sp = (3, 4, 2)[:n]
    return {
        "x": ints((2, *sp, 6), 3),
        "kernel": ints((*(3, 2, 2)[:n], 4, 6), 4),
        "stride": 2,
        "padding": "VALID",
        "algorithm": algorithm,
        "bias": ints((4,), 6),
    }
