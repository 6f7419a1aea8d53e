"""Fuzz compat.tf.nn.* and compat.tf.compat.v1.nn.* convolution functions.

Each entry point has one valid base call whose result is checked against the
NumPy oracle (through the native model). Then one argument at a time is
replaced: values TensorFlow could never accept for it (None for a required
array, strings / floats / nan / objects for an int argument...) must be
rejected naming the argument (TF's own name); values equivalent to the base
value (a NumPy array of the same list, NumPy ints, a tuple) must give the base
result; every other value must be rejected naming the argument or return a
finite result without any other exception.
"""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compat import tf

from . import _native as M
from ._harness import UNKNOWN, Expect, Recorder
from ._pools import pool
from .test_native import HYP, garbage

NN, V1 = tf.nn, tf.compat.v1.nn
A = M.ints
x1, x2, x3 = A((2, 5, 4), 11), A((2, 5, 6, 4), 12), A((2, 4, 5, 3, 4), 13)
f1, f2, f3 = A((3, 4, 6), 14), A((3, 2, 4, 6), 15), A((3, 2, 2, 4, 6), 16)
y1, y2, y3 = A((2, 3, 6), 17), A((2, 3, 4, 6), 18), A((2, 2, 3, 2, 6), 19)
fd = A((3, 2, 4, 2), 20)
ya = A((2, 5, 6, 6), 21)


def conv(x, k, **kw):
    return M.model_conv({"x": x, "kernel": k, **kw}).value


def tconv(x, k, **kw):
    return M.model_transpose({"x": x, "kernel": k, **kw}).value


C2 = conv(x2, f2, padding="SAME")
T2 = tconv(y2, f2, stride=2, padding="SAME", output_shape=(6, 8))
D2 = conv(x2, fd.reshape(3, 2, 1, 8), groups=4)
BASES = {
    "nn.conv1d": (NN.conv1d, dict(input=x1, filters=f1, stride=1, padding="VALID"), conv(x1, f1)),
    "nn.conv2d": (NN.conv2d, dict(input=x2, filters=f2, strides=[1, 1, 1, 1], padding="SAME"), C2),
    "nn.conv3d": (
        NN.conv3d,
        dict(input=x3, filters=f3, strides=[1, 1, 1, 1, 1], padding="VALID"),
        conv(x3, f3),
    ),
    "nn.convolution": (
        NN.convolution,
        dict(input=x2, filters=f2, strides=None, padding="SAME"),
        C2,
    ),
    "nn.conv_transpose": (
        NN.conv_transpose,
        dict(input=y2, filters=f2, output_shape=[2, 6, 8, 4], strides=2, padding="SAME"),
        T2,
    ),
    "nn.conv1d_transpose": (
        NN.conv1d_transpose,
        dict(input=y1, filters=f1, output_shape=[2, 6, 4], strides=2, padding="SAME"),
        tconv(y1, f1, stride=2, padding="SAME", output_shape=(6,)),
    ),
    "nn.conv2d_transpose": (
        NN.conv2d_transpose,
        dict(input=y2, filters=f2, output_shape=[2, 6, 8, 4], strides=[1, 2, 2, 1], padding="SAME"),
        T2,
    ),
    "nn.conv3d_transpose": (
        NN.conv3d_transpose,
        dict(
            input=y3,
            filters=f3,
            output_shape=[2, 4, 6, 4, 4],
            strides=[1, 2, 2, 2, 1],
            padding="SAME",
        ),
        tconv(y3, f3, stride=2, padding="SAME", output_shape=(4, 6, 4)),
    ),
    "nn.atrous_conv2d": (
        NN.atrous_conv2d,
        dict(value=x2, filters=f2, rate=2, padding="SAME"),
        conv(x2, f2, padding="SAME", dilation=2),
    ),
    "nn.atrous_conv2d_transpose": (
        NN.atrous_conv2d_transpose,
        dict(value=ya, filters=f2, output_shape=[2, 5, 6, 4], rate=2, padding="SAME"),
        tconv(ya, f2, padding="SAME", dilation=2, output_shape=(5, 6)),
    ),
    "nn.depthwise_conv2d": (
        NN.depthwise_conv2d,
        dict(input=x2, filter=fd, strides=[1, 1, 1, 1], padding="VALID"),
        D2,
    ),
    "v1.conv1d": (V1.conv1d, dict(value=x1, filters=f1, stride=1, padding="VALID"), conv(x1, f1)),
    "v1.conv2d": (V1.conv2d, dict(input=x2, filter=f2, strides=[1, 1, 1, 1], padding="SAME"), C2),
    "v1.conv3d": (
        V1.conv3d,
        dict(input=x3, filter=f3, strides=[1, 1, 1, 1, 1], padding="VALID"),
        conv(x3, f3),
    ),
    "v1.convolution": (V1.convolution, dict(input=x2, filter=f2, padding="SAME"), C2),
    "v1.conv2d_transpose": (
        V1.conv2d_transpose,
        dict(value=y2, filter=f2, output_shape=[2, 6, 8, 4], strides=[1, 2, 2, 1], padding="SAME"),
        T2,
    ),
    "v1.conv3d_transpose": (
        V1.conv3d_transpose,
        dict(
            value=y3,
            filter=f3,
            output_shape=[2, 4, 6, 4, 4],
            strides=[1, 2, 2, 2, 1],
            padding="SAME",
        ),
        tconv(y3, f3, stride=2, padding="SAME", output_shape=(4, 6, 4)),
    ),
    "v1.conv_transpose": (
        V1.conv_transpose,
        dict(input=y2, filters=f2, output_shape=[2, 6, 8, 4], strides=2, padding="SAME"),
        T2,
    ),
    "v1.conv1d_transpose": (
        V1.conv1d_transpose,
        dict(input=y1, filters=f1, output_shape=[2, 6, 4], strides=2, padding="SAME"),
        tconv(y1, f1, stride=2, padding="SAME", output_shape=(6,)),
    ),
    "v1.conv2d_backprop_input": (
        V1.conv2d_backprop_input,
        dict(
            input_sizes=[2, 6, 8, 4],
            filter=f2,
            out_backprop=y2,
            strides=[1, 2, 2, 1],
            padding="SAME",
        ),
        T2,
    ),
    "v1.depthwise_conv2d": (
        V1.depthwise_conv2d,
        dict(input=x2, filter=fd, strides=[1, 1, 1, 1], padding="VALID"),
        D2,
    ),
    "v1.depthwise_conv2d_native": (
        V1.depthwise_conv2d_native,
        dict(input=x2, filter=fd, strides=[1, 1, 1, 1], padding="VALID"),
        D2,
    ),
    "v1.atrous_conv2d": (
        V1.atrous_conv2d,
        dict(value=x2, filters=f2, rate=2, padding="SAME"),
        conv(x2, f2, padding="SAME", dilation=2),
    ),
}
ARRAYS = ("input", "filters", "filter", "value", "out_backprop")
EXTRA = {"data_format": None, "dilations": None}
CASES = [
    (e, a)
    for e, (_, kw, _) in BASES.items()
    for a in (
        *kw,
        *(x for x in EXTRA if (x not in kw and x != "data_format") or e.startswith("nn.conv")),
    )
    if not (a == "data_format" and "atrous" in e)
]


def canonical(v):
    """A hashable canonical form: equal forms mean the same value to TF."""
    if isinstance(v, (bool, np.bool_)):
        return ("bool", bool(v))
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (np.ndarray, jax.Array)) and v.dtype.kind in "iu" and v.ndim <= 1:
        return int(v) if v.ndim == 0 else tuple(int(a) for a in np.asarray(v))
    if isinstance(v, (list, tuple)):
        return tuple(canonical(a) for a in v)
    if isinstance(v, str):
        return v
    return ("other", id(v))


STRIDE_LIKE = ("strides", "stride", "dilations", "rate")


def _tf_int_like(v) -> bool:
    """What real TF 2.21 takes as a stride / dilation / rate entry (measured, eager).

    TF truncates finite floats (``strides=1.5`` -> 1, ``np.float32(2.0)`` -> 2, float
    arrays too), treats bools as ints, reads ``bytes`` as the sequence of its byte
    values (``b'1'`` -> stride 49) and a set as a sequence (``{1, 2}`` -> ``[1, 2]``);
    so these may be accepted (or refused naming the argument, e.g. for a bad length).
    """
    if isinstance(v, (bool, int, np.integer, np.bool_, bytes)):
        return True
    if isinstance(v, (float, np.floating)):
        return math.isfinite(v)
    if isinstance(v, (list, tuple, set)):
        return all(_tf_int_like(a) for a in v)
    if isinstance(v, np.ndarray):
        return v.dtype.kind in "biu" or (v.dtype.kind == "f" and bool(np.isfinite(v).all()))
    return False


def hopeless(v, arg) -> bool:
    """Values TF can never accept for this (non-array) argument."""
    if arg in STRIDE_LIKE and _tf_int_like(v):
        return False
    if (
        isinstance(v, (dict, set, complex, bytes, type(Ellipsis), slice))
        or callable(v)
        or type(v) is object
    ):
        return True
    if isinstance(v, (float, np.floating)):
        return arg != "padding" or not math.isfinite(v) or v != int(v)
    if isinstance(v, str):
        return arg not in ("padding", "data_format")
    if isinstance(v, (list, tuple)):
        return any(hopeless(a, "int") for a in v) or any(a is None for a in v)
    return isinstance(v, np.ndarray) and v.dtype.kind not in "iu"


def expect(entry, arg, value, base_kw, base_value):
    names = (arg,) if arg != "input_sizes" else ("input_sizes", "output_shape")
    if arg == "data_format":
        names = (arg, *ARRAYS)
    if arg in ARRAYS:
        if (
            isinstance(value, np.ndarray)
            and value.dtype.kind == "f"
            and not np.isfinite(value).all()
        ):
            return Expect(value=UNKNOWN, may_reject=True, names=names, check=lambda r: None)
        if value is None or (
            isinstance(value, (str, dict, object().__class__))
            and not isinstance(value, (list, np.ndarray, jax.Array, int, float))
        ):
            return Expect(value=None, names=names)
        if isinstance(value, np.ndarray) and value.dtype.kind in "bOUS":
            return Expect(value=None, names=names)
        return Expect(value=UNKNOWN, may_reject=True, names=names)
    if (
        arg == "strides"
        and entry.endswith(("conv_transpose", "conv1d_transpose"))
        and isinstance(value, np.ndarray)
        and value.ndim == 0
    ):
        # TF 2.21's conv_transpose / conv1d_transpose iterate over strides: a 0-d array
        # fails ("iteration over a 0-d array"), so it is rejected (named here).
        return Expect(value=None, names=names)
    if arg in base_kw and canonical(value) == canonical(base_kw[arg]):
        return Expect(value=base_value, may_reject=False, names=names)
    # TF 2.21 takes strides/stride=None as the default (1), as it does dilations=None.
    if value is None and (
        arg in EXTRA or arg in ("strides", "stride") or base_kw.get(arg, 0) is None
    ):
        return Expect(value=base_value, may_reject=True, names=names)
    if hopeless(value, arg) or value is None:
        return Expect(value=None, names=names)
    return Expect(value=UNKNOWN, may_reject=True, names=names)


def run(rec, fn, kw, arg, value, base_kw, base_value, how=""):
    rec.run(arg, value, lambda: fn(**kw), expect(rec.entry, arg, value, base_kw, base_value), how)


@pytest.mark.parametrize("entry", list(BASES))
def test_base_call(entry):
    fn, kw, want = BASES[entry]
    rec = Recorder(f"compat.tf.{entry}")
    rec.run("(base call)", "", lambda: fn(**kw), Expect(value=want, names=tuple(kw)))
    rec.assert_clean()


@pytest.mark.parametrize(("entry", "arg"), CASES, ids=[f"{e}-{a}" for e, a in CASES])
def test_one_argument(entry, arg):
    fn, kw, want = BASES[entry]
    rec = Recorder(f"compat.tf.{entry}")
    values = (
        pool(
            arg
            if arg not in ("strides", "stride", "dilations", "rate", "input_sizes")
            else "stride",
            kw,
        )
        if arg in kw or arg in EXTRA
        else []
    )
    if arg in ("strides", "dilations", "rate", "stride"):
        values += [
            [1, 2, 2, 1],
            [2, 1, 1, 1],
            [1, 1, 1, 2],
            [1, 1],
            [1.0, 1.0],
            [1, "1"],
            [math.nan, 1],
            "1",
        ]
    if arg == "padding":
        values += [
            "EXPLICIT",
            [[0, 0], [1, 1], [1, 1], [0, 0]],
            [[1, 1], [1, 1]],
            [[0, 0]] * 4 + [[0, 0]],
            [[0, 0], [1, 1], [1, 1], [1, 0]],
        ]
    if arg == "data_format":
        values += ["NCHW", "NHWC", "NCDHW", "NWC", "NCW", "NHWC_VECT_C"]
    for value in values:
        run(rec, fn, {**kw, arg: value}, arg, value, kw, want)
    rec.assert_clean()


@pytest.mark.parametrize(
    "entry",
    ["nn.conv2d", "nn.conv2d_transpose", "v1.conv2d", "nn.depthwise_conv2d", "nn.convolution"],
)
def test_hypothesis_garbage(entry):
    fn, kw, want = BASES[entry]
    rec = Recorder(f"compat.tf.{entry}")
    args = [a for a in (*kw, "dilations") if a not in ARRAYS]

    @settings(max_examples=50, **HYP)
    @given(arg=st.sampled_from(args), value=garbage())
    def body(arg, value):
        run(rec, fn, {**kw, arg: value}, arg, value, kw, want)

    body()
    rec.assert_clean()
