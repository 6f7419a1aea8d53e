"""One table of invalid calls across jconv, compat.tf and compat.torch.

Each must raise its documented exception class *before any compute*: the
convolution primitive is replaced by a tripwire, so reaching it fails the test.
Each message must name the argument or quantity at fault and echo the value.
"""

import jax
import numpy as np
import pytest

import jconv
from compat import tf, torch
from jconv._algorithms import primitives

F = torch.nn.functional
f32, f64 = np.float32, np.float64


def ones(*shape, dtype=f32):
    return np.ones(shape, dtype)


x, k = ones(1, 5, 5, 2), ones(3, 3, 2, 4)  # NHWC input, HWIO kernel
y = ones(1, 2, 2, 4)  # input of the transpose of that conv
xc, wc = ones(1, 2, 5, 5), ones(4, 2, 3, 3)  # PyTorch layouts
yc, wt = ones(1, 2, 3, 3), ones(2, 4, 3, 3)

CASES = [
    # --- jconv ---------------------------------------------------------------
    ("rank", lambda: jconv.conv(ones(5, 5), k), ValueError, r"received x.shape=\(5, 5\)"),
    ("kernel rank", lambda: jconv.conv(x, ones(3, 2, 4)), ValueError, r"kernel.shape=\(3, 2, 4\)"),
    ("channels", lambda: jconv.conv(ones(1, 5, 5, 3), k), ValueError, r"has 3 channels"),
    ("groups", lambda: jconv.conv(x, k, groups=4), ValueError, r"groups \(=4\)"),
    ("groups kind", lambda: jconv.conv(x, k, groups="2"), TypeError, r"groups='2'"),
    ("stride 0", lambda: jconv.conv(x, k, 0), ValueError, r"stride=0"),
    ("stride len", lambda: jconv.conv(x, k, (1, 1, 1)), ValueError, r"stride=\(1, 1, 1\)"),
    ("dilation", lambda: jconv.conv(x, k, dilation=-2), ValueError, r"dilation=-2"),
    ("padding str", lambda: jconv.conv(x, k, 1, "FULL"), ValueError, r"padding='FULL'"),
    ("padding pair", lambda: jconv.conv(x, k, 1, [(1, 2, 3), 0]), ValueError, r"\(1, 2, 3\)"),
    ("no output", lambda: jconv.conv(ones(1, 2, 2, 2), k), ValueError, r"no output"),
    ("huge padding crop", lambda: jconv.conv(x, k, 1, -(10**9)), ValueError, r"no output"),
    ("format", lambda: jconv.conv(x, k, data_format="HWCN"), ValueError, r"data_format='HWCN'"),
    ("dtype mix", lambda: jconv.conv(x, k.astype(f64)), TypeError, r"kernel.dtype=float64"),
    ("bool", lambda: jconv.conv(x > 0, k > 0), TypeError, r"x.dtype=bool"),
    (
        "os unreachable",
        lambda: jconv.conv_transpose(y, k, 2, output_shape=(7, 7)),
        ValueError,
        r"output_shape\[0\]=7 .* pass one of \[5, 6\]",
    ),
    (
        "os huge",
        lambda: jconv.conv_transpose(y, k, 10, output_shape=(114078056, 179835296)),
        ValueError,
        r"output_shape\[0\]=114078056 is not reachable",
    ),
    (
        "os zero",
        lambda: jconv.conv_transpose(y, k, output_shape=0),
        ValueError,
        r"output_shape\[0\]=0",
    ),
    (
        "os full shape",
        lambda: jconv.conv_transpose(y, k, output_shape=(1, 4, 4, 2)),
        ValueError,
        r"output_shape=\(1, 4, 4, 2\)",
    ),
    (
        "os and op",
        lambda: jconv.conv_transpose(y, k, 2, output_shape=(5, 5), output_padding=1),
        ValueError,
        r"not both",
    ),
    (
        "op big",
        lambda: jconv.conv_transpose(y, k, 2, output_padding=2),
        ValueError,
        r"output_padding\[0\]=2",
    ),
    (
        "op SAME",
        lambda: jconv.conv_transpose(y, k, 2, "SAME", output_padding=1),
        ValueError,
        r"output_padding=1",
    ),
    (
        "algorithm",
        lambda: jconv.conv_transpose(y, k, algorithm="fft"),
        ValueError,
        r"algorithm='fft'",
    ),
    (
        "circular crop",
        lambda: jconv.conv(x, k, 1, -1, padding_mode="circular"),
        ValueError,
        r"padding_mode='circular' needs non-negative",
    ),
    ("causal 2-D", lambda: jconv.conv(x, k, 1, "CAUSAL"), ValueError, r"padding='CAUSAL'"),
    (
        "zero-size input",
        lambda: jconv.conv_transpose(ones(1, 0, 2, 4), k),
        ValueError,
        r"has size 0",
    ),
    # --- compat.tf -----------------------------------------------------------
    (
        "tf strides len",
        lambda: tf.nn.conv2d(x, k, [1, 1, 1], "SAME"),
        ValueError,
        r"strides=\[1, 1, 1\] of length 3",
    ),
    ("tf padding case", lambda: tf.nn.conv2d(x, k, 1, "same"), ValueError, r'"same"'),
    ("tf padding None", lambda: tf.nn.conv2d(x, k, 1, None), TypeError, r"'padding' not None"),
    ("tf stride 0", lambda: tf.nn.conv2d(x, k, 0, "SAME"), ValueError, r"strides=\[1, 0, 0, 1\]"),
    ("tf depth", lambda: tf.nn.conv2d(ones(1, 5, 5, 3), k, 1, "SAME"), ValueError, r"3 vs 2"),
    ("tf format", lambda: tf.nn.conv2d(x, k, 1, "SAME", data_format="NWC"), ValueError, r'"NWC"'),
    (
        "tf dtype",
        lambda: tf.nn.conv2d(tf.constant(x), tf.constant(k.astype(f64)), 1, "SAME"),
        ValueError,
        r"double tensor",
    ),
    (
        "tf os",
        lambda: tf.nn.conv2d_transpose(y, k, [1, 7, 7, 2], 2, "VALID"),
        ValueError,
        r"input: 7 .* \[5, 6\]",
    ),
    (
        "tf os batch",
        lambda: tf.nn.conv2d_transpose(y, k, [2, 5, 5, 2], 2, "VALID"),
        ValueError,
        r"Input batch: 2, outbackprop batch: 1",
    ),
    (
        "tf os negative",
        lambda: tf.nn.conv2d_transpose(y, k, [1, -4, 4, 2], 2, "VALID"),
        ValueError,
        r"Dimension -4 must be >= 0",
    ),
    (
        "tf os floats",
        lambda: tf.nn.conv2d_transpose(y, k, [1.0, 5.0, 5.0, 2.0], 2, "VALID"),
        TypeError,
        r"Cannot convert \[1.0, 5.0, 5.0, 2.0\]",
    ),
    (
        "tf os len",
        lambda: tf.nn.conv2d_transpose(y, k, [1, 5, 5], 2, "VALID"),
        ValueError,
        r"got: 3",
    ),
    (
        "tf os huge",
        lambda: tf.nn.conv2d_transpose(
            ones(2, 2, 2, 2, dtype=f64),
            ones(1, 1, 1, 1, dtype=f64),
            [114078056, 179835296],
            [10],
            "SAME",
        ),
        ValueError,
        r"out_depth|114078056",
    ),
    (
        "tf in channels",
        lambda: tf.nn.conv2d_transpose(ones(1, 2, 2, 3), k, [1, 5, 5, 2], 2, "VALID"),
        ValueError,
        r"out_depth",
    ),
    (
        "tf explicit batch pad",
        lambda: tf.nn.conv2d(x, k, 1, [[1, 0], [0, 0], [0, 0], [0, 0]]),
        ValueError,
        r"batch or depth",
    ),
    (
        "tf v1 aliases",
        lambda: tf.compat.v1.nn.conv2d_transpose(
            value=y, input=y, filter=k, output_shape=[1, 5, 5, 2], strides=2, padding="VALID"
        ),
        ValueError,
        r"Cannot specify both 'value' and 'input'",
    ),
    (
        "tf atrous rate",
        lambda: tf.nn.atrous_conv2d_transpose(y, k, [1, 4, 4, 2], 0, "SAME"),
        ValueError,
        r"rate=0",
    ),
    (
        "tf depthwise garbage",
        lambda: tf.nn.depthwise_conv2d(x, ones(3, 3, 2, 1), [1, 2, 2, 1], "SAME", dilations=[2, 2]),
        ValueError,
        r"dilations=\[2, 2\]",
    ),
    (
        "tf conv3d strides",
        lambda: tf.nn.conv3d(ones(1, 4, 4, 4, 2), ones(2, 2, 2, 2, 2), 1, "SAME"),
        TypeError,
        r"not 1",
    ),
    # --- compat.torch --------------------------------------------------------
    ("torch padding", lambda: F.conv2d(xc, wc, padding=-1), ValueError, r"padding=\[-1, -1\]"),
    (
        "torch same stride",
        lambda: F.conv2d(xc, wc, stride=2, padding="same"),
        ValueError,
        r"stride=\[2, 2\]",
    ),
    (
        "torch groups",
        lambda: F.conv2d(ones(1, 3, 5, 5), ones(4, 1, 3, 3), groups=2),
        ValueError,
        r"groups=2",
    ),
    ("torch rank", lambda: F.conv2d(ones(1, 1, 2, 5, 5), wc), ValueError, r"\[1, 1, 2, 5, 5\]"),
    (
        "torch stride len",
        lambda: F.conv2d(xc, wc, stride=(1, 1, 1)),
        ValueError,
        r"stride=\[1, 1, 1\]",
    ),
    ("torch kernel big", lambda: F.conv2d(ones(1, 2, 2, 2), wc), ValueError, r"\(3 x 3\)"),
    ("torch bias", lambda: F.conv2d(xc, wc, ones(3)), ValueError, r"bias of size \[3\]"),
    ("torch padding str", lambda: F.conv2d(xc, wc, padding="full"), ValueError, r"'full'"),
    (
        "torch op",
        lambda: F.conv_transpose2d(yc, wt, stride=2, output_padding=2),
        ValueError,
        r"output_padding=\[2, 2\]",
    ),
    (
        "torch T channels",
        lambda: F.conv_transpose2d(ones(1, 3, 3, 3), wt),
        ValueError,
        r"got 3 channels",
    ),
    (
        "torch T padding str",
        lambda: F.conv_transpose2d(yc, wt, padding="same"),
        TypeError,
        r"padding='same'",
    ),
    (
        "torch T dtype",
        lambda: F.conv_transpose2d(yc, wt.astype(f64)),
        TypeError,
        r"expected scalar type float32 but found float64",
    ),
    (
        "torch stride kind",
        lambda: F.conv1d(ones(1, 2, 5), ones(4, 2, 3), stride=1.5),
        TypeError,
        r"stride=1.5",
    ),
    (
        "torch T no output",
        lambda: F.conv_transpose1d(ones(1, 2, 1), ones(2, 4, 1), padding=1),
        ValueError,
        r"\(-1\)",
    ),
]


@pytest.fixture
def tripwire(monkeypatch):
    """Fails the test if any convolution is reached (i.e. anything is computed)."""

    def reached(*args, **kwargs):
        raise AssertionError("a convolution was reached: the check came too late")

    monkeypatch.setattr(jax.lax, "conv_general_dilated", reached)
    # jconv's own primitives (their jitted implementations may be cached):
    monkeypatch.setattr(primitives, "_bind", reached)


def test_the_table_is_large_and_distinct():
    assert len(CASES) >= 40
    assert len({name for name, *_ in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_invalid_call_is_rejected_before_compute(case, tripwire):
    _, call, exc, pattern = case
    with pytest.raises(exc, match=pattern):
        call()


def test_tripwire_is_live(tripwire):
    # The fixture really intercepts the ops: a valid call hits it.
    with pytest.raises(AssertionError, match="convolution was reached"):
        jconv.conv(x, k)
    with pytest.raises(AssertionError, match="convolution was reached"):
        jconv.conv_transpose(y, k, 2)
