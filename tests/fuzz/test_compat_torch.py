"""Fuzz compat.torch.nn.functional.conv{1,2,3}d and conv_transpose{1,2,3}d.

The model translates PyTorch's arguments into the native model (channels-first
data, PyTorch weight layouts, bias, unbatched inputs) and so into the NumPy oracle.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compat import torch

from . import _native as M
from ._harness import Expect, Recorder, Reject, as_int, is_seq
from ._pools import pool
from .test_native import HYP, garbage

F = torch.nn.functional
NATIVE_NAME = {"x": "input", "kernel": "weight"}


def ints_arg(v, name, n, ctx, minimum):
    if isinstance(v, (bool, np.bool_)) or (
        is_seq(v) and any(isinstance(a, (bool, np.bool_)) for a in v)
    ):
        ctx.either = True
        v = [int(a) for a in v] if is_seq(v) else int(v)
    if is_seq(v):
        items = list(v)
        if len(items) not in (1, n):
            raise Reject(name)
        out = tuple(as_int(a, name) for a in items)
        out = out * n if len(out) == 1 else out
    else:
        out = (as_int(v, name),) * n
    if any(a < minimum for a in out):
        raise Reject(name)
    return out


def model(n, transpose):
    def fn(kw):
        ctx = M.Ctx()
        x = M.operand(kw["input"], "input", ctx)
        w = M.operand(kw["weight"], "weight", ctx)
        if x.ndim not in (n + 1, n + 2):
            raise Reject("input")
        if w.ndim != n + 2:
            raise Reject("weight")
        batched = x.ndim == n + 2
        xb = x if batched else x[None]
        stride = ints_arg(kw.get("stride", 1), "stride", n, ctx, 1)
        dil = ints_arg(kw.get("dilation", 1), "dilation", n, ctx, 1)
        g = kw.get("groups", 1)
        if is_seq(g):
            raise Reject("groups")
        g = ints_arg(g, "groups", 1, ctx, 1)[0]
        p = kw.get("padding", 0)
        if isinstance(p, str):
            if transpose or p not in ("same", "valid") or (p == "same" and max(stride) > 1):
                raise Reject("padding")
            pads = p.upper()
        else:
            pads = [(a, a) for a in ints_arg(p, "padding", n, ctx, 0)]
        native = {
            "x": xb,
            "kernel": np.ascontiguousarray(w.transpose(*range(2, n + 2), 1, 0)),
            "stride": stride,
            "padding": pads,
            "dilation": dil,
            "groups": g,
            "data_format": "channels_first",
        }
        if transpose:
            native["output_padding"] = ints_arg(
                kw.get("output_padding", 0), "output_padding", n, ctx, 0
            )
            if any(op >= max(s, d) for op, s, d in zip(native["output_padding"], stride, dil)):
                raise Reject("output_padding")
        try:
            e = (M.model_transpose if transpose else M.model_conv)(native)
        except Reject as r:
            raise Reject(*[NATIVE_NAME.get(a, a) for a in r.names], "bias") from None
        cout = w.shape[1] * g if transpose else w.shape[0]
        b = kw.get("bias")
        if b is not None:
            if transpose and isinstance(b, (np.ndarray, jax.Array)) and b.dtype == np.bool_:
                # torch 2.13's reference CPU kernel adds a transposed conv's bias in place
                # (out.add_(bias)), so a bool bias works there; oneDNN refuses it: either.
                b, ctx.either = np.asarray(b), True
            else:
                b = M.operand(b, "bias", ctx)
            if b.shape != (cout,):
                raise Reject("bias")
            if b.dtype != x.dtype:
                ctx.either = True
        y = e.value
        if b is not None and isinstance(y, np.ndarray):
            b = b.astype(np.complex128 if np.iscomplexobj(b) else np.float64)
            y = y + b.reshape((1, cout) + (1,) * n)
        if isinstance(y, np.ndarray) and not batched:
            y = y[0]
        if e.check is not None:
            ctx.either = True
            y = M.UNKNOWN
        return Expect(value=y, may_reject=e.may_reject or ctx.either, rtol=e.rtol)

    return fn


def base(n, transpose):
    sp = (5, 6, 4)[:n]
    if transpose:
        return {
            "input": M.ints((2, 6, *sp), 5),
            "weight": M.ints((6, 4, *(3, 2, 2)[:n]), 6),
            "stride": 2,
        }
    return {
        "input": M.ints((2, 4, *sp), 7),
        "weight": M.ints((6, 4, *(3, 2, 2)[:n]), 8),
        "bias": M.ints((6,), 9),
    }


ENTRIES = {}
for _n in (1, 2, 3):
    for _t in (False, True):
        _name = f"conv_transpose{_n}d" if _t else f"conv{_n}d"
        ENTRIES[f"compat.torch.nn.functional.{_name}"] = (getattr(F, _name), model(_n, _t), _n, _t)
ARGS = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
T_ARGS = (*ARGS, "output_padding")
CASES = [
    (e, a)
    for e, (_, _, n, t) in ENTRIES.items()
    for a in (T_ARGS if t else ARGS)
    if n == 2 or a in ("input", "stride", "padding")
]


def run(rec, fn, mdl, kw, arg, value, how=""):
    try:
        expect = M.expect_for(mdl, kw, arg)
    except M.Skip:
        return
    if expect.value is not None and not expect.names[1:]:
        expect.names = (*expect.names, *ARGS, "output_padding")
    rec.run(arg, value, lambda: fn(**kw), expect, how)


@pytest.mark.parametrize(("entry", "arg"), CASES, ids=[f"{e.split('.')[-1]}-{a}" for e, a in CASES])
def test_one_argument(entry, arg):
    fn, mdl, n, t = ENTRIES[entry]
    rec = Recorder(entry)
    b = base(n, t)
    values = pool(arg, b) if arg != "bias" else pool("x", {"x": b.get("bias", M.ints((4,), 1))})
    if arg == "padding":
        values = [*values, "same", "valid", "SAME", "full"]
    for value in values:
        run(rec, fn, mdl, {**b, arg: value}, arg, value)
    rec.assert_clean()


@pytest.mark.parametrize("entry", [e for e in ENTRIES if "2d" in e])
def test_hypothesis_garbage(entry):
    fn, mdl, n, t = ENTRIES[entry]
    rec = Recorder(entry)
    b = base(n, t)

    @settings(max_examples=60, **HYP)
    @given(
        arg=st.sampled_from([a for a in (T_ARGS if t else ARGS) if a not in ("input", "weight")]),
        value=garbage(),
    )
    def body(arg, value):
        run(rec, fn, mdl, {**b, arg: value}, arg, value)

    body()
    rec.assert_clean()


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_hypothesis_valid(entry):
    """Random valid calls, including zero batch, unbatched input, groups == C_in, bias."""
    fn, mdl, n, t = ENTRIES[entry]
    rec = Recorder(entry)

    @settings(max_examples=12, **HYP)
    @given(data=st.data())
    def body(data):
        d = data.draw
        g = d(st.sampled_from([1, 2, 3]))
        ci, co = g * d(st.integers(1, 2)), g * d(st.integers(1, 2))
        batch = d(st.sampled_from([0, 1, 2, None]))
        sizes = d(st.lists(st.integers(2, 5), min_size=n, max_size=n))
        window = d(st.lists(st.integers(1, 2), min_size=n, max_size=n))
        s, dil, p = d(st.integers(1, 2)), d(st.integers(1, 2)), d(st.integers(0, 1))
        seed = d(st.integers(0, 999))
        x = M.ints(((batch,) if batch is not None else ()) + (ci, *sizes), seed)
        w = M.ints((ci, co // g, *window) if t else (co, ci // g, *window), seed + 1)
        kw = {"input": x, "weight": w, "stride": s, "padding": p, "dilation": dil, "groups": g}
        if d(st.booleans()):
            kw["bias"] = M.ints((co,), seed + 2)
        if t:
            kw["output_padding"] = d(st.integers(0, max(s, dil) - 1))
        run(rec, fn, mdl, kw, "config", {k: getattr(v, "shape", v) for k, v in kw.items()})

    body()
    rec.assert_clean()
