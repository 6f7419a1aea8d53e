"""Every bad argument of every ``compat.tf`` function: a clear error, before any compute.

Each call gives one argument a value TensorFlow cannot take (None, NaN,
infinities, strings, nested garbage, ints beyond TensorFlow's int32/int64
attributes) and must raise ``TypeError`` or ``ValueError`` (never
``OverflowError`` or an XLA error) whose message names the argument and the
value, without reaching a convolution. Calls with absurd magnitudes run in a
subprocess with a timeout: they must neither hang nor crash the interpreter.
(Live parity with TensorFlow for these values is in ``test_tf_parity_forms``.)
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from compat import tf
from compat.tf import _sizes

nn, v1 = tf.nn, tf.compat.v1.nn
F32 = np.float32
X, W = np.ones((1, 5, 5, 2), F32), np.ones((3, 3, 2, 4), F32)
X1, W1 = np.ones((1, 5, 2), F32), np.ones((3, 2, 4), F32)
X3, W3 = np.ones((1, 4, 4, 4, 2), F32), np.ones((2, 2, 2, 2, 3), F32)
Y, G = np.ones((1, 3, 3, 4), F32), np.ones((3, 3, 2, 4), F32)
Y1, G1 = np.ones((1, 3, 4), F32), np.ones((3, 2, 4), F32)
Y3, G3 = np.ones((1, 3, 3, 3, 4), F32), np.ones((3, 3, 3, 2, 4), F32)
D = np.ones((3, 3, 2, 2), F32)

NAN, INF = float("nan"), float("inf")
BAD = {
    "None": None,
    "nan": NAN,
    "inf": INF,
    "-inf": -INF,
    "str": "x",
    "nested": [[1, [2]]],
    "object": object(),
    "2**63": 2**63,
}

# (argument name as messages spell it, call with the bad value b)
ARGUMENTS = {
    "conv2d strides": ("strides", lambda b: nn.conv2d(X, W, b, "SAME")),
    "conv2d strides entry": ("strides", lambda b: nn.conv2d(X, W, [1, b, 1, 1], "SAME")),
    "conv2d dilations": ("dilations", lambda b: nn.conv2d(X, W, 1, "SAME", dilations=[1, b])),
    "conv2d explicit padding": (
        "padding",
        lambda b: nn.conv2d(X, W, 1, [[0, 0], [b, 0], [0, 0], [0, 0]]),
    ),
    "conv2d input": ("input", lambda b: nn.conv2d(b, W, 1, "SAME")),
    "conv2d filters": ("filters", lambda b: nn.conv2d(X, b, 1, "SAME")),
    "v1 conv2d filter": ("filter", lambda b: v1.conv2d(X, [b], [1, 1, 1, 1], "SAME")),
    "conv1d stride": ("stride", lambda b: nn.conv1d(X1, W1, b, "SAME")),
    "conv3d strides": ("strides", lambda b: nn.conv3d(X3, W3, [1, b, 1, 1, 1], "SAME")),
    "conv3d dilations": (
        "dilations",
        lambda b: nn.conv3d(X3, W3, [1] * 5, "SAME", dilations=[1, 1, b, 1, 1]),
    ),
    "convolution strides": ("strides", lambda b: nn.convolution(X, W, [b, 1], "SAME")),
    "convolution dilations": (
        "dilations",
        lambda b: nn.convolution(X, W, 1, "SAME", dilations=[b, 1]),
    ),
    "atrous_conv2d rate": ("rate", lambda b: nn.atrous_conv2d(X, W, [b, 1], "SAME")),
    "depthwise strides": ("strides", lambda b: nn.depthwise_conv2d(X, D, [1, b, b, 1], "SAME")),
    "depthwise dilations": (
        "dilations",
        lambda b: nn.depthwise_conv2d(X, D, [1] * 4, "SAME", dilations=[b, 1]),
    ),
    "depthwise_native dilations": (
        "dilations",
        lambda b: v1.depthwise_conv2d_native(X, D, [1] * 4, "SAME", dilations=[1, b, 1, 1]),
    ),
    "conv2d_transpose output_shape entry": (
        "output_shape",
        lambda b: nn.conv2d_transpose(Y, G, [1, b, 3, 2], 1),
    ),
    "conv2d_transpose strides": ("strides", lambda b: nn.conv2d_transpose(Y, G, [1, 3, 3, 2], b)),
    "conv2d_transpose filters": (
        "filters",
        lambda b: nn.conv2d_transpose(Y, b, [1, 3, 3, 2], 1),
    ),
    "conv2d_transpose input": ("input", lambda b: nn.conv2d_transpose(b, G, [1, 3, 3, 2], 1)),
    "conv2d_transpose explicit padding": (
        "padding",
        lambda b: nn.conv2d_transpose(Y, G, [1, 3, 3, 2], 1, [[0, 0], [b, 1], [1, 1], [0, 0]]),
    ),
    "conv1d_transpose output_shape": (
        "output_shape",
        lambda b: nn.conv1d_transpose(Y1, G1, [1, b, 2], 1),
    ),
    "conv3d_transpose output_shape": (
        "output_shape",
        lambda b: nn.conv3d_transpose(Y3, G3, [1, b, 3, 3, 2], 1),
    ),
    "conv3d_transpose dilations": (
        "dilations",
        lambda b: nn.conv3d_transpose(Y3, G3, [1, 3, 3, 3, 2], 1, dilations=[b, 1, 1]),
    ),
    "atrous_conv2d_transpose rate": (
        "rate",
        lambda b: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], b, "SAME"),
    ),
    "conv2d_backprop_input input_sizes": (
        "output_shape",
        lambda b: v1.conv2d_backprop_input([1, b, 3, 2], G, Y, [1] * 4, "SAME"),
    ),
}

# Values that are not bad for an argument: TensorFlow reads them its own way.
_SKIP = {
    # None means "all ones" for a whole strides argument, as in TensorFlow.
    ("conv2d strides", "None"),
    ("conv1d stride", "None"),
    ("conv2d_transpose strides", "None"),
}


def _shown(value: object) -> list[str]:
    """Ways a message may print the value."""
    if isinstance(value, float) and math.isnan(value):
        return ["nan"]
    if value == [[1, [2]]]:
        return ["[[1, [2]]]", "[1, [2]]", "[2]"]
    if isinstance(value, object) and type(value) is object:
        return ["object"]
    return [repr(value), str(value)]


@pytest.fixture
def tripwire(monkeypatch):
    """Fails the test if a convolution is reached (i.e. anything is computed)."""

    def reached(*args, **kwargs):
        raise AssertionError("a convolution was reached: the check came too late")

    monkeypatch.setattr(jax.lax, "conv_general_dilated", reached)


CASES = [
    pytest.param(arg, value, id=f"{arg}={label}")
    for arg, (label, value) in itertools.product(ARGUMENTS, BAD.items())
    if (arg, label) not in _SKIP
]


@pytest.mark.parametrize(("arg", "value"), CASES)
def test_bad_value_names_argument_and_value(arg: str, value: object, tripwire) -> None:
    name, call = ARGUMENTS[arg]
    with pytest.raises((TypeError, ValueError)) as info:
        call(value)
    assert not isinstance(info.value, OverflowError), info.value
    message = str(info.value)
    assert f"{name}" in message, f"{arg}: the message does not name `{name}`: {message}"
    assert any(s in message for s in _shown(value)), f"{arg}: value not shown: {message}"


def test_tripwire_is_live(tripwire) -> None:
    with pytest.raises(AssertionError, match="convolution was reached"):
        nn.conv2d(X, W, 1, "SAME")


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: nn.conv2d(X, W, NAN, "SAME"), TypeError, r"Expected int for argument 'strides'"),
        (lambda: nn.conv2d(X, W, INF, "SAME"), TypeError, r"'strides' not inf"),
        (
            lambda: nn.conv2d(X, W, 10**12, "SAME"),
            ValueError,
            r"Attr strides has value 1000000000000 out of range for an int32",
        ),
        (
            lambda: nn.conv2d(X, W, 1, "SAME", dilations=2**31),
            ValueError,
            r"Attr dilations has value 2147483648 out of range for an int32",
        ),
        (
            lambda: nn.conv2d(X, W, 1, [[0, 0], [2**63, 0], [0, 0], [0, 0]]),
            ValueError,
            r"Attr padding has value 9223372036854775808 out of range for an int64",
        ),
        (lambda: nn.conv2d(X, None, 1, "SAME"), TypeError, r"`filters` is required.*filters=None"),
        (
            lambda: nn.convolution(X, W, 1, "SAME", data_format=["NHWC"]),  # type: ignore[arg-type]
            TypeError,
            r"Expected string for argument 'data_format' not \['NHWC'\]",
        ),
        (
            lambda: nn.conv2d_transpose(Y, G, [1, 2**31, 3, 2], 1),
            ValueError,
            r"`output_shape` entry 2147483648 is out of range for an int32",
        ),
        (
            lambda: nn.conv2d_transpose(Y, G, 6.0, 1),
            TypeError,
            r"Cannot convert 6\.0 to EagerTensor of dtype int32: `output_shape`",
        ),
        (
            lambda: nn.conv2d_transpose(Y, G, None, 1),
            TypeError,
            r"`output_shape` must be a list, tuple or array of ints; received output_shape=None",
        ),
        (
            lambda: nn.depthwise_conv2d(X, D, [1] * 4, "SAME", dilations=[2.0, 2.0]),
            TypeError,
            r"Cannot convert \[2\.0, 2\.0\] to EagerTensor of dtype int32",
        ),
        (
            lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], 2.0, "SAME"),
            ValueError,
            r"a `rate` above 1.* received rate=2\.0",
        ),
        (
            lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], NAN, "SAME"),
            ValueError,
            r"`rate` must be a finite int >= 1; received rate=nan",
        ),
        (
            lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], None, "SAME"),
            TypeError,
            r"takes one int `rate`; received rate=None",
        ),
    ],
)
def test_messages(call, exc, pattern, tripwire) -> None:
    with pytest.raises(exc, match=pattern):
        call()


def test_values_tensorflow_reads_its_own_way() -> None:
    """bools are 0/1 and finite floats truncate, as TensorFlow's converters do."""
    want = nn.conv2d(X, W, 1, "SAME")
    np.testing.assert_array_equal(nn.conv2d(X, W, True, "SAME"), want)
    np.testing.assert_array_equal(nn.atrous_conv2d(X, W, True, "SAME"), want)
    np.testing.assert_array_equal(
        nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], True, "SAME"),
        nn.conv2d_transpose(Y, G, [1, 3, 3, 2], 1),
    )
    np.testing.assert_array_equal(
        nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], 1.0, "SAME"),
        nn.conv2d_transpose(Y, G, [1, 3, 3, 2], 1),
    )


def test_float_numpy_output_shape_is_cast_like_tensorflow() -> None:
    """A float NumPy output_shape is truncated to int32; Python floats are refused."""
    want = nn.conv2d_transpose(Y, G, [1, 6, 6, 2], 2)
    for shape in (np.array([1.0, 6.0, 6.0, 1.0 + 1]), np.array([1, 6.9, 6.5, 2], F32)):
        np.testing.assert_array_equal(nn.conv2d_transpose(Y, G, shape, 2), want)
    np.testing.assert_array_equal(nn.conv2d_transpose(Y, G, np.array([6.0, 6.0]), 2), want)
    np.testing.assert_array_equal(v1.conv2d_transpose(Y, G, np.array([1.0, 6, 6, 2]), 2), want)
    np.testing.assert_array_equal(
        v1.conv2d_backprop_input(np.array([1.0, 6, 6, 2]), G, Y, [1, 2, 2, 1], "SAME"), want
    )
    np.testing.assert_array_equal(nn.conv_transpose(Y, G, np.array([1.0, 6, 6, 2]), 2), want)
    got = nn.conv3d_transpose(Y3, G3, np.array([1.0, 6, 6, 6.5, 2]), 2)
    assert got.shape == (1, 6, 6, 6, 2)
    with pytest.raises(TypeError, match="Cannot convert"):
        nn.conv2d_transpose(Y, G, [1.0, 6.0, 6.0, 2.0], 2)
    with pytest.raises(TypeError, match="Cannot convert"):
        nn.conv2d_transpose(Y, G, jnp.array([1.0, 6.0, 6.0, 2.0]), 2)  # a float tensor
    with pytest.raises(TypeError, match="Cannot convert"):
        nn.conv1d_transpose(Y1, G1, np.array([1.0, 6.0, 2.0]), 2)


def test_traced_strides_are_named() -> None:
    for call in (
        lambda s: nn.conv2d(X, W, s, "SAME"),
        lambda s: nn.conv2d_transpose(Y, G, [1, 3, 3, 2], s),
        lambda s: nn.conv3d(X3, W3, [1, s, 1, 1, 1], "SAME"),
    ):
        with pytest.raises(TypeError, match=r"must hold Python ints .*traced value"):
            jax.jit(call)(1)


def test_hint_with_a_huge_stride_is_short() -> None:
    """A stride of 2**31 - 1 accepts 2**31 - 1 sizes: listed as a range, not materialised."""
    with pytest.raises(ValueError, match=r"dimension 1: \[4294967295, .*\(2147483647 sizes\)"):
        nn.conv2d_transpose(Y, G, [1, 4, 3, 2], [2**31 - 1, 1])


def test_tf_size_rules_match_their_definition() -> None:
    """``_sizes`` (built on jconv.shapes) against TensorFlow's C++ rule written out."""

    def tf_rule(i: int, k: int, s: int, d: int, padding) -> int:
        if padding == "SAME":
            return -(-i // s)
        lo, hi = (0, 0) if padding == "VALID" else padding
        n = i + lo + hi - ((k - 1) * d + 1) + s
        return abs(n) // s * (1 if n >= 0 else -1)  # C++ division truncates toward zero

    pads = ["SAME", "VALID", (0, 0), (1, 0), (0, 2), (2, 3), (5, 5)]
    for i, k, s, d, p in itertools.product(range(9), range(6), range(1, 4), (1, 2), pads):
        assert _sizes.output_size(i, k, s, d, p) == tf_rule(i, k, s, d, p), (i, k, s, d, p)
        want = [o for o in range(60) if tf_rule(o, k, s, d, p) == i]
        assert list(_sizes.transpose_sizes(i, k, s, d, p)) == want, (i, k, s, d, p)
    # Closed forms: no enumeration, even for spans beyond any array.
    big = 2**31 - 1
    assert _sizes.transpose_sizes(0, 3, big, big, "VALID") == range(2, 2 * big + 1)
    assert len(_sizes.transpose_sizes(3, 3, big, 1, "SAME")) == big


_EXTREME = textwrap.dedent(
    """
    import numpy as np
    from compat import tf
    nn = tf.nn
    f32 = np.float32
    X, W = np.ones((1, 5, 5, 2), f32), np.ones((3, 3, 2, 4), f32)
    Y, G = np.ones((1, 3, 3, 4), f32), np.ones((3, 3, 2, 4), f32)
    Y3, G3 = np.ones((1, 3, 3, 3, 4), f32), np.ones((3, 3, 3, 2, 4), f32)
    E3 = np.ones((1, 0, 3, 3, 4), f32)
    big = 2**31 - 1
    calls = {
        "padding 10**12": lambda: nn.conv2d(X, W, 1, [[0, 0], [10**12, 0], [0, 0], [0, 0]]),
        "padding 10**12, no channels": lambda: nn.conv2d(
            np.ones((1, 5, 5, 0), f32), np.ones((3, 3, 1, 4), f32), 1,
            [[0, 0], [10**12, 10**12], [10**12, 0], [0, 0]]),
        "padding 2**63": lambda: nn.conv2d(X, W, 1, [[0, 0], [2**63, 0], [0, 0], [0, 0]]),
        "strides 2**63": lambda: nn.conv2d(X, W, 2**63, "SAME"),
        "strides inf": lambda: nn.conv2d(X, W, float("inf"), "SAME"),
        "dilations -inf": lambda: nn.conv2d(X, W, 1, "SAME", dilations=float("-inf")),
        "output_shape 10**12": lambda: nn.conv2d_transpose(Y, G, [1, 10**12, 3, 2], 1),
        "output_shape 2**63": lambda: nn.conv2d_transpose(Y, G, [1, 2**63, 3, 2], 1),
        "huge 3-D transpose": lambda: nn.conv3d_transpose(
            Y3, G3, [1, 2 * big + 1, 2 * big + 1, 2 * big + 1, 2], big),
        "huge empty 3-D transpose": lambda: nn.conv3d_transpose(
            E3, G3, [1, 2 * big, 2 * big + 3, 5, 2], 1, "VALID", dilations=[big, big, 1]),
        "rate 10**12": lambda: nn.atrous_conv2d_transpose(Y, G, [1, 3, 3, 2], 10**12, "SAME"),
        "wrong size, stride 2**31 - 1": lambda: nn.conv2d_transpose(Y, G, [1, 4, 3, 2], big),
    }
    for name, call in calls.items():
        try:
            call()
            print(name, "|", "returned")
        except Exception as e:
            print(name, "|", type(e).__name__, "|", isinstance(e, (TypeError, ValueError))
                  and not isinstance(e, OverflowError), "|", str(e)[:200].replace("\\n", " "))
    """
)


def test_absurd_magnitudes_are_rejected_quickly() -> None:
    """No hang, no crash, no OverflowError: a TypeError/ValueError for each."""
    out = subprocess.run(
        [sys.executable, "-c", _EXTREME], capture_output=True, text=True, timeout=240
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = [line.split(" | ") for line in out.stdout.strip().splitlines()]
    assert len(lines) == 12, out.stdout
    for name, *rest in lines:
        assert rest[0] != "returned", f"{name}: accepted"
        assert rest[1] == "True", f"{name}: {rest[0]}: {rest[2]}"
