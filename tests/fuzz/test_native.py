"""Fuzz jconv.conv and jconv.conv_transpose (every algorithm and "auto").

Each test starts from a valid call, replaces ONE argument (explicit pools, then
hypothesis-drawn garbage), and checks the verdict of :mod:`._harness` against
the model in :mod:`._native` (NumPy oracle). Then random valid configurations
(zero batch, channels-first, groups, jit) against the oracle.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jconv

from . import _native as M
from ._harness import INT_GARBAGE, TYPE_GARBAGE, Recorder
from ._pools import pool

ALGS = (*jconv.ALGORITHMS, "auto")
CONV_ARGS = (
    "x",
    "kernel",
    "stride",
    "padding",
    "dilation",
    "groups",
    "padding_mode",
    "data_format",
    "precision",
    "preferred_element_type",
    "bias",
)
TRANSPOSE_ARGS = (*CONV_ARGS, "output_shape", "output_padding", "algorithm")
STATIC_ARGS = ("stride", "padding", "dilation", "groups", "output_shape", "output_padding")

HYP = dict(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))


def entries():
    yield "jconv.conv", jconv.conv, M.model_conv, M.conv_base, CONV_ARGS
    for alg in ALGS:
        yield (
            f"jconv.conv_transpose[{alg}]",
            jconv.conv_transpose,
            M.model_transpose,
            lambda n=2, alg=alg: M.transpose_base(n, alg),
            TRANSPOSE_ARGS,
        )


ENTRIES = {e[0]: e for e in entries()}
CASES = [(name, arg) for name, (_, _, _, _, args) in ENTRIES.items() for arg in args]


def run(rec, fn, model, kw, arg, value, how=""):
    try:
        expect = M.expect_for(model, kw, arg)
    except M.Skip:
        return
    rec.run(arg, value, lambda: fn(**kw), expect, how)


@pytest.mark.parametrize(("entry", "arg"), CASES, ids=[f"{e}-{a}" for e, a in CASES])
def test_one_argument(entry, arg):
    """Each value of the argument's pool, in a 2-D call (and 1-D / 3-D for a few)."""
    name, fn, model, base, _ = ENTRIES[entry]
    rec = Recorder(name)
    for n in (2,) if arg not in ("stride", "padding", "data_format") else (1, 2, 3):
        b = base(n)
        for value in pool(arg, b):
            kw = {**b, arg: value}
            run(rec, fn, model, kw, arg, value, f" ({n}-D)" if n != 2 else "")
    rec.assert_clean()


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_traced_arguments(entry):
    """Shape arguments traced under jit: a clear error naming them. Traced arrays: the oracle."""
    name, fn, model, base, args = ENTRIES[entry]
    rec = Recorder(name)
    b = base(2)
    traced = {
        "stride": 2,
        "padding": 1,
        "dilation": 2,
        "groups": 1,
        "output_shape": (8, 9),
        "output_padding": 1,
    }
    for arg in STATIC_ARGS:
        if arg not in args:
            continue
        v = jnp.asarray(traced[arg])
        kw = {k: val for k, val in b.items() if k != arg}
        f = jax.jit(lambda t, kw=kw, arg=arg: fn(**kw, **{arg: t}))
        rec.run(arg, v, lambda f=f, v=v: f(v), M.Expect(value=None, names=(arg,)), " (traced)")
    rest = {k: v for k, v in b.items() if k not in ("x", "kernel")}
    f = jax.jit(lambda a, w: fn(a, w, **rest))
    for kw in (b, {**b, "x": b["x"][:0]}):
        run(
            rec,
            lambda **kw: f(kw["x"], kw["kernel"]),
            model,
            kw,
            "x",
            kw["x"],
            " (jit over x, kernel)",
        )
    rec.assert_clean()


def garbage():
    small = st.integers(-3, 4)
    return st.one_of(
        st.sampled_from(TYPE_GARBAGE + INT_GARBAGE),
        small,
        st.booleans(),
        st.none(),
        st.text(max_size=4),
        st.binary(max_size=3),
        st.floats(allow_nan=True, allow_infinity=True),
        st.complex_numbers(max_magnitude=4),
        st.lists(small, max_size=4),
        st.tuples(small, small),
        st.lists(st.tuples(small, small), max_size=3),
        st.lists(st.one_of(small, st.text(max_size=2), st.none(), st.floats()), max_size=3),
        st.dictionaries(st.text(max_size=2), small, max_size=2),
        st.builds(np.array, st.lists(small, max_size=3)),
        st.builds(np.int64, small),
        st.recursive(small, lambda c: st.lists(c, max_size=3), max_leaves=5),
    )


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_hypothesis_garbage(entry):
    name, fn, model, base, args = ENTRIES[entry]
    rec = Recorder(name)
    b = base(2)

    @settings(max_examples=50, **HYP)
    @given(arg=st.sampled_from([a for a in args if a not in ("x", "kernel")]), value=garbage())
    def body(arg, value):
        run(rec, fn, model, {**b, arg: value}, arg, value)

    body()
    rec.assert_clean()


@st.composite
def valid_config(draw, transpose):
    n = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 5 if n < 3 else 3), min_size=n, max_size=n))
    window = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    g = draw(st.sampled_from([1, 1, 2, 3]))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    batch = draw(st.sampled_from([0, 1, 2]))
    first = draw(st.booleans())
    stride = draw(st.one_of(st.integers(1, 3), st.tuples(*[st.integers(1, 3)] * n)))
    dilation = draw(st.sampled_from([1, 1, 2]))
    padding = draw(
        st.one_of(
            st.sampled_from(["SAME", "VALID", "same"]),
            st.integers(0, 2),
            st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=n, max_size=n),
        )
    )
    dtype = draw(st.sampled_from([np.float32] * 4 + [np.float64, np.float16, jnp.bfloat16]))
    seed = draw(st.integers(0, 2**16))
    if transpose:
        x = M.ints((batch, *sizes, g * og), seed, dtype)  # og: C_in_t // g
        k = M.ints((*window, cg, g * og), seed + 1, dtype)
    else:
        x = M.ints((batch, *sizes, g * cg), seed, dtype)
        k = M.ints((*window, cg, g * og), seed + 1, dtype)
    if first:
        x = np.ascontiguousarray(np.moveaxis(x, -1, 1))
    kw = {
        "x": x,
        "kernel": k,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": g,
        "data_format": "channels_first" if first else None,
        "padding_mode": draw(st.sampled_from(["zeros"] * 3 + ["circular", "reflect", "replicate"])),
    }
    if draw(st.booleans()):
        kw["bias"] = M.ints((k.shape[-2] * g if transpose else k.shape[-1],), seed + 2, dtype)
    if transpose:
        extra = draw(st.sampled_from(["none", "none", "output_shape", "output_padding"]))
        s = stride if isinstance(stride, int) else stride[0]
        if extra == "output_shape" and not isinstance(padding, str):
            pass
        elif extra == "output_shape":
            kw["output_shape"] = tuple(
                (i * (stride if isinstance(stride, int) else stride[j])) - draw(st.integers(0, 1))
                for j, i in enumerate(sizes)
            )
        elif extra == "output_padding" and padding not in ("SAME", "same"):
            kw["output_padding"] = draw(st.integers(0, max(s, dilation) - 1))
    return kw, draw(st.booleans())


@pytest.mark.parametrize("entry", list(ENTRIES))
def test_hypothesis_valid(entry):
    """Random valid configurations (zero batch, groups, channels-first, jit) against the oracle."""
    name, fn, model, _, _ = ENTRIES[entry]
    transpose = "transpose" in name
    rec = Recorder(name)
    alg = name.split("[")[1][:-1] if transpose else None

    @settings(max_examples=30, **HYP)
    @given(cfg=valid_config(transpose))
    def body(cfg):
        kw, jit = cfg
        if alg:
            kw["algorithm"] = alg
        call = fn
        if jit:
            rest = {k: v for k, v in kw.items() if k not in ("x", "kernel")}
            f = jax.jit(lambda a, w: fn(a, w, **rest))
            call = lambda **kw: f(kw["x"], kw["kernel"])  # noqa: E731
        desc = {k: (v.shape, str(v.dtype)) if hasattr(v, "shape") else v for k, v in kw.items()}
        run(rec, call, model, kw, "config", desc, " (jit)" if jit else "")

    body()
    rec.assert_clean()
