"""The seed tutorial's numbers, reproduced with the native API.

The golden values below are real TensorFlow 2.21 output (``tf.nn.conv2d`` and
``tf.nn.conv2d_transpose`` on the same inputs, float32), not values computed
by jconv or by this suite's oracle.
"""

from __future__ import annotations

import numpy as np
import pytest

import jconv
from tests import oracle

F32 = np.float32
ONES_3X3 = np.ones((3, 3, 1, 1), F32)
Y = np.array([4.5, 5.4, 8.1, 9.0], F32).reshape(1, 2, 2, 1)

# tf.nn.conv2d_transpose(Y, ones 3x3, output_shape=[1, 6, 6, 1], strides=2, padding="VALID")
STRIDE_2_6X6 = [
    [4.5, 4.5, 9.9, 5.4, 5.4, 0],
    [4.5, 4.5, 9.9, 5.4, 5.4, 0],
    [12.6, 12.6, 27, 14.4, 14.4, 0],
    [8.1, 8.1, 17.1, 9, 9, 0],
    [8.1, 8.1, 17.1, 9, 9, 0],
    [0] * 6,
]


def test_conv_of_the_ramp():
    # tf.nn.conv2d(0.0..1.5 as 1x4x4x1, ones 3x3, strides=1, padding="VALID")
    x = (np.arange(16, dtype=F32) / 10).reshape(1, 4, 4, 1)
    out = jconv.conv(x, ONES_3X3, 1, "VALID")
    assert out.shape == (1, 2, 2, 1) and out.dtype == F32
    oracle.assert_close(out[0, ..., 0], [[4.5, 5.4], [8.1, 9.0]], dtype=F32)


def test_transpose_stride_1_valid():
    # tf.nn.conv2d_transpose(Y, ones 3x3, output_shape=[1, 4, 4, 1], strides=1, padding="VALID")
    expected = [
        [4.5, 9.9, 9.9, 5.4],
        [12.6, 27, 27, 14.4],
        [12.6, 27, 27, 14.4],
        [8.1, 17.1, 17.1, 9],
    ]
    for kwargs in ({}, {"output_shape": (4, 4)}):
        out = jconv.conv_transpose(Y, ONES_3X3, 1, "VALID", **kwargs)
        assert out.shape == (1, 4, 4, 1) and out.dtype == F32
        oracle.assert_close(out[0, ..., 0], expected, dtype=F32)


@pytest.mark.parametrize("algorithm", [*jconv.ALGORITHMS, "auto"])
def test_transpose_stride_2_valid_6x6_and_5x5(algorithm):
    six = jconv.conv_transpose(Y, ONES_3X3, 2, "VALID", output_shape=(6, 6), algorithm=algorithm)
    assert six.shape == (1, 6, 6, 1)
    oracle.assert_close(six[0, ..., 0], STRIDE_2_6X6, dtype=F32)
    # tf.nn.conv2d_transpose(..., output_shape=[1, 5, 5, 1], strides=2, padding="VALID")
    five = jconv.conv_transpose(Y, ONES_3X3, 2, "VALID", output_shape=(5, 5), algorithm=algorithm)
    assert five.shape == (1, 5, 5, 1)
    oracle.assert_close(five[0, ..., 0], np.asarray(STRIDE_2_6X6)[:5, :5], dtype=F32)
    # 5x5 is also the default (the smallest size), and output_padding=1 gives 6x6.
    oracle.assert_close(jconv.conv_transpose(Y, ONES_3X3, 2, algorithm=algorithm), five, dtype=F32)
    oracle.assert_close(
        jconv.conv_transpose(Y, ONES_3X3, 2, output_padding=1, algorithm=algorithm), six, dtype=F32
    )


def test_transpose_stride_2_output_7x7_is_rejected():
    # TF 2.21 on CPU rejects it too (an AbortedError from its backprop-input kernel).
    with pytest.raises(ValueError, match=r"output_shape\[0\]=7.*\[5, 6\]"):
        jconv.conv_transpose(Y, ONES_3X3, 2, "VALID", output_shape=(7, 7))


@pytest.mark.parametrize(
    "size, padding, expected",
    [
        (4, "SAME", (1, 2, 2, 1)),
        (6, "SAME", (1, 3, 3, 1)),
        (4, "VALID", (1, 1, 1, 1)),
        (6, "VALID", (1, 2, 2, 1)),
    ],
)
def test_strided_conv_shapes(size, padding, expected):
    # tf.nn.conv2d(tf.ones([1, size, size, 3]), tf.ones([3, 3, 3, 1]), strides=2, padding=...)
    x = np.ones((1, size, size, 3), F32)
    out = jconv.conv(x, np.ones((3, 3, 3, 1), F32), 2, padding)
    assert out.shape == expected
    assert jconv.shapes.conv_output_shape((size, size), (3, 3), 2, padding) == expected[1:3]
