"""Fuzz jconv.shapes.* and jconv.layouts.* with one argument replaced at a time.

shapes: every result is checked against the per-dimension formulas of
:mod:`._oracle` (plain ``int`` results); garbage must be rejected naming the
argument. layouts: results are exact permutations (round trip bit-exact,
shape as documented); garbage must be rejected naming the argument.
"""

from __future__ import annotations

import numpy as np
import pytest

import jconv
from jconv import layouts, shapes

from ._harness import INT_GARBAGE, TYPE_GARBAGE, Expect, Recorder, Reject, as_int
from ._oracle import conv_size, eff, same_pads
from ._pools import PADDING, array_variants

PER_DIM = (
    "conv_output_size",
    "resolve_padding",
    "same_padding",
    "transpose_output_size",
    "transpose_output_sizes",
    "effective_kernel_size",
)


def dim_pads(p, i, k, s, d):
    if isinstance(p, str):
        m = p.upper()
        if m not in ("SAME", "SAME_LOWER", "VALID", "CAUSAL"):
            raise Reject("padding")
        return (
            same_pads(i, k, s, d, m == "SAME_LOWER")
            if m.startswith("SAME")
            else (0, 0)
            if m == "VALID"
            else (d * (k - 1), 0)
        )
    if isinstance(p, np.ndarray) and p.ndim == 1 and p.dtype.kind in "iu":
        p = p.tolist()
    if isinstance(p, (tuple, list)):
        if len(p) != 2:
            raise Reject("padding")
        return as_int(p[0], "padding"), as_int(p[1], "padding")
    v = as_int(p, "padding")
    return v, v


def model(name, kw):
    i = as_int(kw.get("input_size", 0), "input_size")
    k = as_int(kw.get("kernel_size", 1), "kernel_size")
    s = as_int(kw.get("stride", 1), "stride")
    d = as_int(kw.get("dilation", 1), "dilation")
    if i < 0 or k < 1 or s < 1 or d < 1:
        raise Reject("input_size", "kernel_size", "stride", "dilation")
    if name == "effective_kernel_size":
        return eff(k, d)
    if name == "same_padding":
        low = kw.get("lower", False)
        if not isinstance(low, (bool, np.bool_)):  # a NumPy bool is a bool
            raise Reject("lower")
        return same_pads(i, k, s, d, low)
    p = kw.get("padding", "VALID")
    if name == "resolve_padding":
        return dim_pads(p, i, k, s, d)
    if name == "conv_output_size":
        lo, hi = dim_pads(p, i, k, s, d)
        o = conv_size(i, k, s, lo, hi, d)
        if o < 1:
            raise Reject("input_size", "kernel_size", "padding", "stride", "dilation")
        return o
    raise Reject("(no model)")  # transpose sizes: checked through conv_output_size below


BASES = {
    "conv_output_size": {
        "input_size": 5,
        "kernel_size": 3,
        "stride": 2,
        "padding": "SAME",
        "dilation": 1,
    },
    "resolve_padding": {
        "input_size": 5,
        "kernel_size": 3,
        "stride": 2,
        "padding": "SAME",
        "dilation": 1,
    },
    "same_padding": {"input_size": 5, "kernel_size": 3, "stride": 2, "dilation": 1, "lower": False},
    "effective_kernel_size": {"kernel_size": 3, "dilation": 2},
    "transpose_output_size": {
        "input_size": 3,
        "kernel_size": 3,
        "stride": 2,
        "padding": "VALID",
        "dilation": 1,
        "output_padding": 0,
    },
    "transpose_output_sizes": {
        "input_size": 3,
        "kernel_size": 3,
        "stride": 2,
        "padding": "VALID",
        "dilation": 1,
    },
    "conv_output_shape": {
        "input_shape": (5, 6),
        "kernel_shape": (3, 2),
        "stride": 2,
        "padding": "SAME",
        "dilation": 1,
    },
    "transpose_output_shape": {
        "input_shape": (3, 4),
        "kernel_shape": (3, 2),
        "stride": 2,
        "padding": "VALID",
        "dilation": 1,
        "output_padding": None,
    },
    "transpose_output_shapes": {
        "input_shape": (3, 4),
        "kernel_shape": (3, 2),
        "stride": 2,
        "padding": "VALID",
        "dilation": 1,
    },
}
FUNCTIONS = {name for name in shapes.__all__ if callable(getattr(shapes, name))}
assert set(BASES) == FUNCTIONS, "a new jconv.shapes function needs a base call here"
CASES = [(f, a) for f, b in BASES.items() for a in b]


def shape_expect(name, kw, arg):
    if name in ("conv_output_size", "resolve_padding", "same_padding", "effective_kernel_size"):
        try:
            return Expect(value=model(name, kw), names=(arg,))
        except Reject as r:
            return Expect(value=None, names=(*r.names, arg))

    # Shape-level and transpose functions: rejection naming the argument, or a
    # result of plain ints that round-trips through conv_output_size.
    def check(r):
        flat = [r] if isinstance(r, (int, range)) else list(r)
        for v in flat:
            items = [v.start, v.stop] if isinstance(v, range) else [v]
            if any(type(a) is not int or a < 0 for a in items):
                return f"returned {r!r}: not plain non-negative ints"
        return None

    return Expect(value=object(), may_reject=True, names=(arg,), check=check)


@pytest.mark.parametrize(("fn", "arg"), CASES, ids=[f"{f}-{a}" for f, a in CASES])
def test_shapes_one_argument(fn, arg):
    f = getattr(shapes, fn)
    rec = Recorder(f"jconv.shapes.{fn}")
    base = BASES[fn]
    values = INT_GARBAGE + TYPE_GARBAGE + (PADDING if arg == "padding" else [])
    if arg.endswith("_shape"):
        values = [
            *values,
            (5,),
            (5, 6, 7),
            [5, 6],
            np.array([5, 6]),
            (0, 6),
            (-1, 6),
            (5.0, 6),
            ("5", 6),
        ]
    for v in values:
        kw = {**base, arg: v}
        rec.run(arg, v, lambda kw=kw: f(**kw), shape_expect(fn, kw, arg))
    rec.assert_clean()


LAYOUTS = [n for n in layouts.__all__]
K = np.arange(3 * 2 * 4 * 6, dtype=np.float32).reshape(3, 2, 4, 6)


def layout_expect(name, arg, value, groups_ok):
    if arg in ("kernel", "weight", "w"):
        if not isinstance(value, (np.ndarray, list)) and not hasattr(value, "shape"):
            return Expect(value=None, names=(arg,))
        a = np.asarray(value) if not isinstance(value, list) else None
        if a is not None and (a.ndim < 3 or a.dtype.kind in "OUS"):
            return Expect(value=None, names=(arg,))

    def check(r):
        src = np.asarray(value if arg in ("kernel", "weight", "w") else K)
        got = np.asarray(r)
        same = got.size == src.size and np.array_equal(
            np.sort(got.ravel()), np.sort(src.ravel()), equal_nan=src.dtype.kind in "fc"
        )
        if not same and src.dtype.kind != "b":
            return "result is not a permutation of the entries"
        inverse = name.replace("to_", "@").replace("from_", "to_").replace("@", "from_")
        kw = {a: v for a, v in extra.items()}
        back = np.asarray(getattr(layouts, inverse)(r, **kw))
        exact = np.array_equal(back, src, equal_nan=src.dtype.kind in "fc")
        if back.shape != src.shape or not exact:
            return f"round trip through {inverse} is not exact"
        return None

    extra = {}
    return Expect(value=object(), may_reject=True, names=(arg,), check=check), extra


@pytest.mark.parametrize("name", LAYOUTS)
def test_layouts(name):
    f = getattr(layouts, name)
    rec = Recorder(f"jconv.layouts.{name}")
    import inspect

    params = list(inspect.signature(f).parameters)
    arr = params[0]
    for v in array_variants(K):
        e = layout_expect(name, arr, v, True)
        e = e[0] if isinstance(e, tuple) else e
        rec.run(arr, v, lambda v=v: f(v), e)
    for opt in params[1:]:
        for v in INT_GARBAGE + TYPE_GARBAGE:
            if opt == "groups":
                try:
                    g = as_int(v, "groups")
                    # Which axis `groups` must divide depends on the converter's layout; a
                    # positive int may be accepted or refused (naming `groups`).
                    ok = g >= 1
                except Reject:
                    ok = False
                e = (
                    Expect(value=object(), may_reject=True, names=("groups",))
                    if ok
                    else Expect(value=None, names=("groups",))
                )
                if ok:
                    e.check = lambda r: None
            else:  # transpose_kernel: a bool
                ok = isinstance(v, (bool, np.bool_))
                e = (
                    Expect(value=object(), may_reject=False, names=(opt,), check=lambda r: None)
                    if ok
                    else Expect(value=None, names=(opt,))
                )
            rec.run(opt, v, lambda v=v, opt=opt: f(K, **{opt: v}), e)
    rec.assert_clean()


def test_entry_point_list():
    """Every public entry point has a base call in this suite (fails when one is added)."""
    assert set(layouts.__all__) == set(LAYOUTS)
    assert set(BASES) == FUNCTIONS
    assert set(jconv.__all__) == {
        "ALGORITHMS",
        "__version__",
        "conv",  # tests/fuzz/test_native.py
        "conv_transpose",
        "depth_to_space",  # tests/fuzz/test_ecosystem.py
        "space_to_depth",
        "resize_conv",
        "init",
        "port",
        "layouts",  # here
        "shapes",
    }
