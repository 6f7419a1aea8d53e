"""jconv.shapes: plain-int arithmetic, checked against brute force, TF's
observed tables and the actual ops."""

import itertools
import re

import numpy as np
import pytest

import jconv
from jconv import shapes

PADDINGS = ["SAME", "SAME_LOWER", "VALID", 0, 1, 2, (0, 1), (2, 0), (-1, 1)]


def brute_conv_size(i, k, s, padding, d):
    """Output size by sliding the window over an explicit padded input (None if empty)."""
    eff = d * (k - 1) + 1
    if isinstance(padding, str) and padding.upper() != "VALID":
        o = -(-i // s)
        total = max(0, (o - 1) * s + eff - i)
        lo = total // 2 if padding.upper() == "SAME" else total - total // 2
        hi = total - lo
    else:
        lo, hi = (
            (0, 0)
            if padding == "VALID"
            else ((padding, padding) if isinstance(padding, int) else padding)
        )
    starts = [start for start in range(-lo, i + hi) if start + eff <= i + hi][::s]
    return len(starts) or None, (lo, hi)


@pytest.mark.parametrize("padding", PADDINGS)
def test_conv_output_size_matches_sliding_window(padding):
    for i, k, s, d in itertools.product(range(0, 9), range(1, 6), range(1, 4), range(1, 3)):
        expected, pads = brute_conv_size(i, k, s, padding, d)
        if expected is None:
            with pytest.raises(ValueError, match=r"no output|zero-size"):
                shapes.conv_output_size(i, k, s, padding, d)
            continue
        got = shapes.conv_output_size(i, k, s, padding, d)
        assert got == expected and type(got) is int
        assert shapes.resolve_padding(i, k, s, padding, d) == pads


@pytest.mark.parametrize("padding", PADDINGS)
def test_transpose_sizes_are_exactly_the_sizes_conv_maps_back(padding):
    for i, k, s, d in itertools.product(range(1, 7), range(1, 6), range(1, 4), range(1, 3)):
        reachable = [o for o in range(1, 40) if brute_conv_size(o, k, s, padding, d)[0] == i]
        if not reachable:
            with pytest.raises(ValueError, match="no output"):
                shapes.transpose_output_sizes(i, k, s, padding, d)
            continue
        got = shapes.transpose_output_sizes(i, k, s, padding, d)
        assert isinstance(got, range) and list(got) == reachable
        if isinstance(padding, str) and padding != "VALID":
            expected = i * s  # TF/Keras SAME default: the largest
        else:
            lo, hi = brute_conv_size(reachable[0], k, s, padding, d)[1]
            expected = (i - 1) * s + d * (k - 1) + 1 - lo - hi  # PyTorch's formula
        if expected < 1:  # only sizes above PyTorch's default are reachable
            with pytest.raises(
                ValueError, match=re.escape(f"pass output_shape with one of {reachable}")
            ):
                shapes.transpose_output_size(i, k, s, padding, d)
            continue
        default = shapes.transpose_output_size(i, k, s, padding, d)
        assert default == expected and type(default) is int and default in got


# Accepted output sizes observed with TensorFlow 2.21.
TF_TABLE = {
    # (I, k): {s: (SAME, VALID)}
    (1, 3): {1: ([1], [3]), 2: ([1, 2], [3, 4]), 3: ([1, 2, 3], [3, 4, 5])},
    (2, 1): {1: ([2], [2]), 2: ([3, 4], [3, 4]), 3: ([4, 5, 6], [4, 5, 6])},
    (2, 3): {1: ([2], [4]), 2: ([3, 4], [5, 6]), 3: ([4, 5, 6], [6, 7, 8])},
    (3, 2): {1: ([3], [4]), 2: ([5, 6], [6, 7]), 3: ([7, 8, 9], [8, 9, 10])},
    (3, 4): {1: ([3], [6]), 2: ([5, 6], [8, 9]), 3: ([7, 8, 9], [10, 11, 12])},
}


def test_transpose_sizes_match_tensorflow_table():
    for (i, k), by_stride in TF_TABLE.items():
        for s, (same, valid) in by_stride.items():
            assert list(shapes.transpose_output_sizes(i, k, s, "SAME")) == same
            assert list(shapes.transpose_output_sizes(i, k, s, "VALID")) == valid


def test_same_padding_puts_the_odd_unit_after_or_before():
    assert shapes.same_padding(5, 4, 1) == (1, 2)
    assert shapes.same_padding(5, 4, 1, lower=True) == (2, 1)
    assert shapes.same_padding(7, 3, 2, dilation=2) == (2, 2)
    assert shapes.same_padding(6, 1, 3) == (0, 0)
    assert all(type(v) is int for v in shapes.same_padding(np.int64(9), np.int32(3), 2))


def test_effective_kernel_size():
    assert shapes.effective_kernel_size(3, 2) == 5
    assert shapes.effective_kernel_size(1, 7) == 1


def test_output_padding_extends_the_default():
    assert shapes.transpose_output_size(3, 3, 2, 1, output_padding=1) == 6
    assert shapes.transpose_output_size(3, 3, 1, 0, dilation=2, output_padding=1) == 8
    assert shapes.transpose_output_shape((3, 4), (3, 3), 2, 1, output_padding=(1, 0)) == (6, 7)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_whole_shape_functions_agree_with_the_ops(ndim):
    rng = np.random.default_rng(ndim)
    for _ in range(6):
        size = tuple(int(v) for v in rng.integers(5, 9, ndim))
        window = tuple(int(v) for v in rng.integers(1, 4, ndim))
        stride = tuple(int(v) for v in rng.integers(1, 4, ndim))
        dilation = tuple(int(v) for v in rng.integers(1, 3, ndim))
        padding = ["SAME", "VALID", 1][int(rng.integers(3))]
        x = np.zeros((1, *size, 2), np.float32)
        w = np.zeros((*window, 2, 3), np.float32)
        out = shapes.conv_output_shape(size, window, stride, padding, dilation)
        assert jconv.conv(x, w, stride, padding, dilation=dilation).shape == (1, *out, 3)
        y = np.zeros((1, *out, 3), np.float32)
        default = shapes.transpose_output_shape(out, window, stride, padding, dilation)
        got = jconv.conv_transpose(y, w, stride, padding, dilation=dilation)
        assert got.shape == (1, *default, 2)
        ranges = shapes.transpose_output_shapes(out, window, stride, padding, dilation)
        assert all(o in r for o, r in zip(size, ranges))  # conv's input is always reachable
        assert all(o in r for o, r in zip(default, ranges)) or padding == 1


def test_results_are_plain_ints():
    out = shapes.conv_output_shape((np.int64(7),), (np.int32(3),), np.int64(2), "SAME")
    assert out == (4,) and all(type(v) is int for v in out)
    for r in shapes.transpose_output_shapes((2, 3), (3, 3), 2, "SAME"):
        assert all(type(v) is int for v in r)


def test_output_padding_can_rescue_a_size_that_padding_made_empty():
    # PyTorch accepts this (dilation 3 > stride 1, so output_padding may be 2): the
    # padding alone leaves no output, output_padding brings it back to 2.
    assert shapes.transpose_output_size(1, 2, 1, 2, 3, output_padding=2) == 2
    x = np.ones((1, 1, 1, 4))
    w = np.ones((2, 2, 3, 4))
    for algorithm in ("auto", *jconv.ALGORITHMS):
        out = jconv.conv_transpose(x, w, 1, 2, dilation=3, output_padding=2, algorithm=algorithm)
        assert out.shape == (1, 2, 2, 3)
        # Only output (0, 0) is reached: input 0 lands at 0 - 2 + 3 * t for taps t = 0, 1.
        expected = np.zeros((2, 2))
        expected[1, 1] = 4.0  # tap (1, 1): position 1, summed over 4 input channels
        np.testing.assert_array_equal(np.asarray(out)[0, :, :, 0], expected)
