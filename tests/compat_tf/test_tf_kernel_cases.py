"""TensorFlow's own kernel tests, re-expressed for ``compat.tf``, from ``tensorflow/python/kernel_tests/nn_ops/``.

``conv2d_transpose_test.py``, ``conv1d_transpose_test.py``,
``conv3d_transpose_test.py`` and ``atrous_conv2d_test.py`` check all-ones
inputs against tap counts, atrous convs against plain convs with a
zero-upsampled filter, and that invalid or huge arguments fail cleanly.
The NCHW variants, which TensorFlow runs on GPU only, run here on CPU.
No TensorFlow needed.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from compat import tf
from tests import tolerances

nn = tf.nn


def _taps(size: int, k: int, s: int, padding: str, out: int) -> np.ndarray:
    """Per output position, how many (input, tap) pairs land there: the 1-D tap count."""
    pad = max(0, (size - 1) * s + k - out) // 2 if padding == "SAME" else 0
    count = np.zeros(out, int)
    for i, t in itertools.product(range(size), range(k)):
        o = i * s - pad + t
        if 0 <= o < out:
            count[o] += 1
    return count


def _expected(x_shape, k, s, padding, out_spatial, c_in):
    """All-ones transposed conv: product of per-dimension tap counts, times input channels."""
    counts = [_taps(i, k, s, padding, o) for i, o in zip(x_shape[1:-1], out_spatial)]
    grid = np.ones(())
    for c in counts:
        grid = np.multiply.outer(grid, c)
    return grid * c_in


# ---------------------------------------------------------------------------
# conv2d_transpose_test.py


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
@pytest.mark.parametrize(
    ("name", "strides", "padding", "out"),
    [
        ("SingleStride", 1, "SAME", (6, 4)),
        ("Same", 2, "SAME", (12, 8)),
        ("Valid", 2, "VALID", (13, 9)),
    ],
)
def test_conv2d_transpose(name, strides, padding, out, dtype) -> None:
    x = tf.ones([2, 6, 4, 3], dtype)
    f = tf.ones([3, 3, 2, 3], dtype)
    y = nn.conv2d_transpose(x, f, [2, *out, 2], [1, strides, strides, 1], padding)
    assert y.dtype == dtype
    want = _expected(x.shape, 3, strides, padding, out, 3)
    for b, c in itertools.product(range(2), range(2)):
        np.testing.assert_array_equal(y[b, ..., c], want)
    if name == "SingleStride":  # corner 12, edge 18, interior 27
        assert (y[0, 0, 0, 0], y[0, 0, 1, 0], y[0, 1, 1, 0]) == (12, 18, 27)
    if name == "Same":
        assert set(np.unique(np.asarray(y))) == {3, 6, 12}


@pytest.mark.parametrize(
    ("strides", "padding", "out"),
    [
        ([1, 1, 1, 1], "SAME", (6, 4)),
        ([1, 1, 2, 2], "SAME", (12, 8)),
        ([1, 1, 2, 2], "VALID", (13, 9)),
    ],
)
def test_conv2d_transpose_nchw(strides, padding, out) -> None:
    x = tf.ones([2, 3, 6, 4])
    y = nn.conv2d_transpose(
        x, tf.ones([3, 3, 2, 3]), [2, 2, *out], strides, padding, data_format="NCHW"
    )
    want = _expected((2, 6, 4, 3), 3, strides[-1], padding, out, 3)
    np.testing.assert_array_equal(y[1, 1], want)


def test_conv2d_transpose_gradient() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6, 4, 3))
    f = rng.standard_normal((3, 3, 2, 3))
    check_grads(
        lambda x, f: nn.conv2d_transpose(x, f, [2, 12, 8, 2], [1, 2, 2, 1], "SAME"),
        (x, f),
        order=1,
        modes=("rev",),
        atol=tolerances.FINITE_DIFFERENCES,
        rtol=tolerances.FINITE_DIFFERENCES,
    )


def test_conv2d_transpose_shape_inference() -> None:
    """The output_shape is built from the input's (static) shape, under jit."""
    f = tf.ones([3, 3, 5, 1])
    y = jax.jit(lambda x: nn.conv2d_transpose(x, f, [x.shape[0], 10, 5, 5], 1, "SAME"))(
        tf.ones([3, 10, 5, 1])
    )
    assert y.shape == (3, 10, 5, 5)


def test_conv2d_transpose_invalid_and_large_output_shapes() -> None:
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        nn.conv2d_transpose(
            tf.ones([1, 1, 1, 1], tf.float64), tf.ones([1, 1, 1, 1], tf.float64), [2, -2], [1]
        )
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):  # rejected before any OOM
        nn.conv2d_transpose(
            tf.ones([2, 2, 2, 2], tf.float64),
            tf.constant([[[[1.0]]]], tf.float64),
            [114078056, 179835296],
            [10],
        )


# ---------------------------------------------------------------------------
# conv1d_transpose_test.py


@pytest.mark.parametrize(
    ("x_shape", "strides", "padding", "out"),
    [
        ((2, 6, 3), [1, 1, 1], "SAME", 6),
        ((2, 4, 3), [1, 2, 1], "SAME", 8),
        ((2, 4, 3), [1, 2, 1], "VALID", 9),
    ],
)
@pytest.mark.parametrize("channels_first", [False, True])
def test_conv1d_transpose(x_shape, strides, padding, out, channels_first) -> None:
    x = tf.ones(x_shape)
    f = tf.ones([3, 2, 3])
    if channels_first:
        y = nn.conv1d_transpose(
            jnp.moveaxis(x, -1, 1), f, [2, 2, out], [1, 1, strides[1]], padding, data_format="NCW"
        )
        y = jnp.moveaxis(y, 1, -1)
    else:
        y = nn.conv1d_transpose(x, f, [2, out, 2], strides, padding)
    np.testing.assert_array_equal(y[0, :, 1], _expected(x_shape, 3, strides[1], padding, (out,), 3))
    if strides[1] == 1:  # 6 at the ends, 9 inside
        assert (y[0, 0, 0], y[0, 1, 0], y[0, -1, 0]) == (6, 9, 6)


def test_conv1d_transpose_gradient() -> None:
    rng = np.random.default_rng(1)
    x, f = rng.standard_normal((2, 4, 3)), rng.standard_normal((3, 2, 3))
    check_grads(
        lambda x, f: nn.conv1d_transpose(x, f, [2, 8, 2], [1, 2, 1], "SAME"),
        (x, f),
        order=1,
        modes=("rev",),
        atol=tolerances.FINITE_DIFFERENCES,
        rtol=tolerances.FINITE_DIFFERENCES,
    )


# ---------------------------------------------------------------------------
# conv3d_transpose_test.py


@pytest.mark.parametrize(
    ("strides", "padding", "out"),
    [(1, "SAME", (5, 6, 4)), (2, "SAME", (10, 12, 8)), (2, "VALID", (11, 13, 9))],
)
def test_conv3d_transpose(strides, padding, out) -> None:
    x = tf.ones([2, 5, 6, 4, 3])
    y = nn.conv3d_transpose(
        x, tf.ones([3, 3, 3, 2, 3]), [2, *out, 2], [1, strides, strides, strides, 1], padding
    )
    np.testing.assert_array_equal(y[1, ..., 0], _expected(x.shape, 3, strides, padding, out, 3))
    if strides == 1:  # 81 interior, 54 / 36 / 24 with 2 / 1 / 0 interior dims
        assert {int(v) for v in np.unique(np.asarray(y))} == {81, 54, 36, 24}
    if padding == "SAME" and strides == 2:
        assert {int(v) for v in np.unique(np.asarray(y))} == {3, 6, 12, 24}


def test_conv3d_transpose_shape_mismatch_issue_18460() -> None:
    """NCDHW reads channels from axis 1 (2 here): the call is valid and must not raise."""
    x = np.ones((2, 2, 3, 4, 3))
    f = np.ones((3, 3, 3, 2, 2))
    y = nn.conv3d_transpose(x, f, [2, 2, 6, 8, 6], strides=[1, 1, 2, 2, 2], data_format="NCDHW")
    assert y.shape == (2, 2, 6, 8, 6)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_conv3d_transpose_output_shape_type_issue_18887(dtype) -> None:
    x, f = tf.ones([2, 5, 6, 4, 3]), tf.ones([3, 3, 3, 2, 3])
    for shape in (np.array([2, 5, 6, 4, 2], dtype), jnp.asarray(np.array([2, 5, 6, 4, 2], dtype))):
        assert nn.conv3d_transpose(x, f, shape, [1, 1, 1, 1, 1]).shape == (2, 5, 6, 4, 2)


def test_conv3d_transpose_gradient() -> None:
    rng = np.random.default_rng(2)
    x, f = rng.standard_normal((2, 3, 4, 3, 2)), rng.standard_normal((3, 3, 3, 2, 2))
    check_grads(
        lambda x, f: nn.conv3d_transpose(x, f, [2, 6, 8, 6, 2], [1, 2, 2, 2, 1], "SAME"),
        (x, f),
        order=1,
        modes=("rev",),
        atol=tolerances.FINITE_DIFFERENCES,
        rtol=tolerances.FINITE_DIFFERENCES,
    )


# ---------------------------------------------------------------------------
# atrous_conv2d_test.py


def _upsample(f: np.ndarray, rate: int) -> np.ndarray:
    """The filter with ``rate - 1`` zeros between taps (the atrous definition)."""
    kh, kw = f.shape[:2]
    up = np.zeros((kh + (kh - 1) * (rate - 1), kw + (kw - 1) * (rate - 1), *f.shape[2:]), f.dtype)
    up[::rate, ::rate] = f
    return up


ATROUS_GRID = [
    (w, kh, kw, rate, padding)
    for w in (9, 10)
    for kh in (1, 2, 3)
    for kw in (1, 2, 3)
    for rate in (1, 2, 3)
    for padding in ("SAME", "VALID")
]
SAMPLE = ATROUS_GRID[::7]  # a fixed sample of TF's grid (its 108 shapes all compile here)


@pytest.mark.parametrize(("w", "kh", "kw", "rate", "padding"), SAMPLE)
def test_atrous_conv2d_forward(w, kh, kw, rate, padding) -> None:
    x = np.arange(2 * 9 * w * 2, dtype=np.float32).reshape(2, 9, w, 2)
    f = np.arange(kh * kw * 2 * 2, dtype=np.float32).reshape(kh, kw, 2, 2)
    want = nn.conv2d(x, _upsample(f, rate), [1, 1, 1, 1], padding)
    np.testing.assert_allclose(nn.atrous_conv2d(x, f, rate, padding), want, rtol=1e-3)


@pytest.mark.parametrize(("w", "kh", "kw", "rate", "padding"), SAMPLE)
def test_atrous_conv2d_transpose_forward(w, kh, kw, rate, padding) -> None:
    x = np.arange(2 * 9 * w * 2, dtype=np.float32).reshape(2, 9, w, 2)
    f = np.arange(kh * kw * 2 * 2, dtype=np.float32).reshape(kh, kw, 2, 2)
    up = _upsample(f, rate)
    out = [2, 9, w, 2] if padding == "SAME" else [2, 9 + up.shape[0] - 1, w + up.shape[1] - 1, 2]
    want = nn.conv2d_transpose(x, up, out, [1, 1, 1, 1], padding)
    got = nn.atrous_conv2d_transpose(x, f, out, rate, padding)
    np.testing.assert_allclose(got, want, rtol=1e-3)


@pytest.mark.parametrize(("w", "kh", "kw", "rate", "padding"), SAMPLE)
def test_atrous_depthwise_conv2d_forward(w, kh, kw, rate, padding) -> None:
    x = np.arange(2 * 9 * w * 2, dtype=np.float32).reshape(2, 9, w, 2)
    f = np.arange(kh * kw * 2 * 2, dtype=np.float32).reshape(kh, kw, 2, 2)
    want = nn.depthwise_conv2d(x, _upsample(f, rate), [1, 1, 1, 1], padding)
    got = nn.depthwise_conv2d(x, f, [1, 1, 1, 1], padding, dilations=[rate, rate])
    np.testing.assert_allclose(got, want, rtol=1e-3)


@pytest.mark.parametrize(("size", "k", "rate"), [(15, 1, 2), (16, 3, 3), (15, 5, 2)])
def test_atrous_sequence(size, k, rate) -> None:
    """Three chained atrous convs (SAME) equal three convs with upsampled filters."""
    rng = np.random.default_rng(size + k + rate)
    x = rng.standard_normal((3, size, size + 1, 2)).astype(np.float32)
    f = (0.01 * rng.standard_normal((k, k, 2, 2))).astype(np.float32)
    got, want = x, x
    for _ in range(3):
        got = nn.atrous_conv2d(got, f, rate, "SAME")
        want = nn.conv2d(want, _upsample(f, rate), 1, "SAME")
    np.testing.assert_allclose(got, want, rtol=1e-2, atol=1e-6)


@pytest.mark.parametrize("rate", [1, 2, 3])
def test_atrous_gradient(rate) -> None:
    rng = np.random.default_rng(rate)
    x, f = rng.standard_normal((2, 5, 6, 2)), rng.standard_normal((3, 3, 2, 2))
    check_grads(
        lambda x, f: nn.atrous_conv2d(x, f, rate, "SAME"),
        (x, f),
        order=1,
        modes=("rev",),
        atol=tolerances.FINITE_DIFFERENCES,
        rtol=tolerances.FINITE_DIFFERENCES,
    )


def test_atrous_invalid() -> None:
    # TF's AtrousConv2DInvalid: a rate of 2**31 - 1 overflows TF's space_to_batch. With a 1x1
    # filter the rate has no effect, so this computes the plain product (a deliberate difference).
    y = nn.atrous_conv2d(tf.ones([1, 1, 1, 5]), tf.ones([1, 1, 5, 1]), 2147483647, "SAME")
    np.testing.assert_array_equal(y, [[[[5.0]]]])
    # TF's AtrousConv2DTransposeInvalid: the batch of output_shape does not match the input.
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError), match="same batch size"):
        nn.atrous_conv2d_transpose(
            tf.ones([10, 1, 1, 1]), tf.ones([1, 1, 1, 1]), [1, 1, 1, 1], 1356819205, "SAME"
        )
