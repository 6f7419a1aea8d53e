"""jconv.layouts: exact round trips, and each converted kernel run by the other
framework's own formula (or the framework itself) against jconv.

The formulas are written here from each framework's documentation, sharing no
code with jconv: ONNX ``Conv``/``ConvTranspose`` (which PyTorch also follows)
as NumPy loops; Flax and Haiku as the ``lax.conv_transpose`` call they make;
Equinox and the generic lhs-dilated form as the ``lax.conv_general_dilated``
call Equinox makes. PyTorch and Keras are also run for real when importable.
"""

from __future__ import annotations

import itertools

import jax
import numpy as np
import pytest
from jax import lax

import jconv
from jconv import layouts
from tests import tolerances

RNG = np.random.default_rng(7)
TOL = tolerances.tolerance(np.float64)._asdict()  # float64 operands throughout
GROUPINGS = ("1", "2", "depthwise")


def _groups(grouping: str, rng: np.random.Generator) -> tuple[int, int, int]:
    """``(groups, channels per group on the input side, ... on the output side)``."""
    if grouping == "1":
        return 1, int(rng.integers(1, 4)), int(rng.integers(1, 4))
    if grouping == "2":
        return 2, int(rng.integers(1, 3)), int(rng.integers(1, 3))
    return int(rng.integers(2, 5)), 1, int(rng.integers(1, 3))


def _config(n: int, grouping: str, seed: int, dilate: bool = True):
    """A random transposed-conv config: x (N, *i, C_in_t) and jconv kernel (*k, C_out_t // g, C_in_t).

    The forward padding ``(lo, hi)`` is drawn so that the output has size >= 1
    both as given and with ``(lo, lo)`` (PyTorch's symmetric padding).
    """
    rng = np.random.default_rng(seed)
    g, a, b = _groups(grouping, rng)
    while True:
        window = tuple(int(v) for v in rng.integers(1, 4, n))
        stride = tuple(int(v) for v in rng.integers(1, 4, n))
        dilation = tuple(int(v) for v in rng.integers(1, 3 if dilate else 2, n))
        sizes = tuple(int(v) for v in rng.integers(1, 5 if n < 3 else 4, n))
        pads = tuple(
            (int(rng.integers(0, d * (k - 1) + 1)), int(rng.integers(0, d * (k - 1) + 1)))
            for k, d in zip(window, dilation)
        )
        extra = tuple(int(rng.integers(0, s)) for s in stride)
        low = [
            (i - 1) * s + d * (k - 1) + 1 + e - max(lo, hi) * 2
            for i, s, k, d, e, (lo, hi) in zip(sizes, stride, window, dilation, extra, pads)
        ]
        if min(low) >= 1:
            break
    x = rng.standard_normal((2, *sizes, g * a))
    kernel = rng.standard_normal((*window, b, g * a))
    return x, kernel, stride, pads, extra, dilation, g


def _transpose(x, kernel, *args, **kwargs):
    """``jconv.conv_transpose`` under one ``jax.jit`` (one compile instead of many eager ops)."""
    return jax.jit(lambda x, k: jconv.conv_transpose(x, k, *args, **kwargs))(x, kernel)


def _conv(x, kernel, *args, **kwargs):
    return jax.jit(lambda x, k: jconv.conv(x, k, *args, **kwargs))(x, kernel)


def _nchw(a):
    return np.moveaxis(a, -1, 1)


def _nhwc(a):
    return np.moveaxis(np.asarray(a), 1, -1)


# ---------------------------------------------------------------------------
# ONNX's definitions (PyTorch's too), written as loops.


def onnx_conv(x, w, strides, pads, dilations, group):
    """ONNX Conv: ``y[n, m, o] = sum_{c, t} x_pad[n, g(m) * C/group + c, o * s + t * d] * W[m, c, t]``."""
    n_sp = x.ndim - 2
    cg, mg = w.shape[1], w.shape[0] // group
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    out = tuple(
        (xp.shape[2 + j] - dilations[j] * (w.shape[2 + j] - 1) - 1) // strides[j] + 1
        for j in range(n_sp)
    )
    y = np.zeros((x.shape[0], w.shape[0], *out))
    for o in itertools.product(*map(range, out)):
        for t in itertools.product(*map(range, w.shape[2:])):
            at = tuple(o[j] * strides[j] + t[j] * dilations[j] for j in range(n_sp))
            for grp in range(group):
                xs = xp[(slice(None), slice(grp * cg, (grp + 1) * cg), *at)]
                ws = w[(slice(grp * mg, (grp + 1) * mg), slice(None), *t)]
                y[(slice(None), slice(grp * mg, (grp + 1) * mg), *o)] += xs @ ws.T
    return y


def onnx_conv_transpose(x, w, strides, pads, dilations, group, output_padding):
    """ONNX ConvTranspose: ``y[n, g(c) * M/group + m, i * s - pad_begin + t * d] += x[n, c, i] * W[c, m, t]``."""
    n_sp = x.ndim - 2
    cg, mg = x.shape[1] // group, w.shape[1]
    out = tuple(
        strides[j] * (x.shape[2 + j] - 1)
        + output_padding[j]
        + dilations[j] * (w.shape[2 + j] - 1)
        + 1
        - sum(pads[j])
        for j in range(n_sp)
    )
    y = np.zeros((x.shape[0], group * mg, *out))
    for i in itertools.product(*map(range, x.shape[2:])):
        for t in itertools.product(*map(range, w.shape[2:])):
            at = tuple(i[j] * strides[j] - pads[j][0] + t[j] * dilations[j] for j in range(n_sp))
            if not all(0 <= p < o for p, o in zip(at, out)):
                continue
            for grp in range(group):
                xs = x[(slice(None), slice(grp * cg, (grp + 1) * cg), *i)]
                ws = w[(slice(grp * cg, (grp + 1) * cg), slice(None), *t)]
                y[(slice(None), slice(grp * mg, (grp + 1) * mg), *at)] += xs @ ws
    return y


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_onnx_conv_transpose_formula(n, grouping):
    x, kernel, stride, pads, extra, dilation, g = _config(n, grouping, seed=10 * n + len(grouping))
    w = layouts.to_onnx_conv_transpose(kernel)
    expected = onnx_conv_transpose(_nchw(x), w, stride, pads, dilation, g, extra)
    got = _transpose(x, kernel, stride, pads, output_padding=extra, dilation=dilation, groups=g)
    np.testing.assert_allclose(_nchw(got), expected, **TOL)
    np.testing.assert_array_equal(layouts.from_onnx_conv_transpose(w), kernel)


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_onnx_conv_formula(n, grouping):
    rng = np.random.default_rng(100 + n)
    g, a, b = _groups(grouping, rng)
    window = tuple(int(v) for v in rng.integers(1, 4, n))
    stride = tuple(int(v) for v in rng.integers(1, 3, n))
    dilation = tuple(int(v) for v in rng.integers(1, 3, n))
    pads = tuple((int(rng.integers(0, 2)), int(rng.integers(0, 2))) for _ in range(n))
    sizes = tuple(d * (k - 1) + 1 + int(rng.integers(0, 3)) for k, d in zip(window, dilation))
    x = rng.standard_normal((2, *sizes, g * a))
    kernel = rng.standard_normal((*window, a, g * b))
    w = layouts.to_onnx_conv(kernel)
    expected = onnx_conv(_nchw(x), w, stride, pads, dilation, g)
    got = _conv(x, kernel, stride, pads, dilation=dilation, groups=g)
    np.testing.assert_allclose(_nchw(got), expected, **TOL)
    np.testing.assert_array_equal(layouts.from_onnx_conv(w), kernel)


# ---------------------------------------------------------------------------
# PyTorch itself (its layout is ONNX's; these run only where torch is installed).


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_torch_layouts_against_torch(n, grouping):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    x, kernel, stride, pads, extra, dilation, g = _config(n, grouping, seed=20 * n + len(grouping))
    symmetric = tuple(lo for lo, _ in pads)  # PyTorch pads both sides alike
    weight = torch.from_numpy(layouts.to_torch_conv_transpose(kernel))
    conv_transpose = getattr(torch.nn.functional, f"conv_transpose{n}d")
    expected = conv_transpose(
        torch.from_numpy(_nchw(x)), weight, None, stride, symmetric, extra, g, dilation
    ).numpy()
    got = _transpose(
        x,
        kernel,
        stride,
        tuple((p, p) for p in symmetric),
        output_padding=extra,
        dilation=dilation,
        groups=g,
    )
    np.testing.assert_allclose(_nchw(got), expected, **TOL)
    # The forward conv with the same tensor, read as PyTorch's Conv weight.
    z = np.random.default_rng(1).standard_normal(_nhwc(expected).shape)
    conv = getattr(torch.nn.functional, f"conv{n}d")
    expected = conv(torch.from_numpy(_nchw(z)), weight, None, stride, symmetric, dilation, g)
    got = _conv(z, kernel, stride, symmetric, dilation=dilation, groups=g)
    np.testing.assert_allclose(_nchw(got), expected.numpy(), **TOL)
    np.testing.assert_array_equal(layouts.to_torch_conv(kernel), weight.numpy())


# ---------------------------------------------------------------------------
# Unflipped conventions: the lax calls Flax, Haiku and Equinox make.


def _lax_pads(window, pads, dilation, extra=None):
    """Padding of the zero-inserted input that gives jconv's output for forward ``pads``."""
    extra = extra or (0,) * len(window)
    return [
        (d * (k - 1) - lo, d * (k - 1) - hi + a)
        for k, (lo, hi), d, a in zip(window, pads, dilation, extra)
    ]


@pytest.mark.parametrize("transpose_kernel", [False, True])
@pytest.mark.parametrize("n", [1, 2, 3])
def test_flax_conv_transpose_formula(n, transpose_kernel):
    """Flax: ``lax.conv_transpose(x, kernel, strides, padding, rhs_dilation, transpose_kernel)``."""
    x, kernel, stride, pads, _, dilation, _ = _config(n, "1", seed=30 * n + transpose_kernel)
    flax_kernel = layouts.to_flax_conv_transpose(kernel, transpose_kernel=transpose_kernel)
    expected = lax.conv_transpose(
        x,
        flax_kernel,
        stride,
        _lax_pads(kernel.shape[:n], pads, dilation),
        rhs_dilation=dilation,
        transpose_kernel=transpose_kernel,
    )
    got = _transpose(x, kernel, stride, pads, dilation=dilation)
    np.testing.assert_allclose(got, expected, **TOL)
    back = layouts.from_flax_conv_transpose(flax_kernel, transpose_kernel=transpose_kernel)
    np.testing.assert_array_equal(back, kernel)
    if transpose_kernel:
        np.testing.assert_array_equal(flax_kernel, kernel)
    else:  # Flax's default kernel is (*k, in_features, features): in and out swapped
        assert flax_kernel.shape == (*kernel.shape[:n], kernel.shape[-1], kernel.shape[-2])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_haiku_conv_transpose_formula(n):
    """Haiku: ``lax.conv_transpose`` with kernel dimension numbers ``(*k, O, I)``, no dilation."""
    x, kernel, stride, pads, _, _, _ = _config(n, "1", seed=40 * n, dilate=False)
    w = layouts.to_haiku_conv_transpose(kernel)
    assert w.shape == kernel.shape  # Haiku's w is (*k, output_channels, input_channels)
    spatial = tuple(range(1, n + 1))
    dn = lax.ConvDimensionNumbers((0, n + 1, *spatial), (n, n + 1, *range(n)), (0, n + 1, *spatial))
    ones = (1,) * n
    expected = lax.conv_transpose(
        x, w, stride, _lax_pads(kernel.shape[:n], pads, ones), dimension_numbers=dn
    )
    got = _transpose(x, kernel, stride, pads)
    np.testing.assert_allclose(got, expected, **TOL)
    np.testing.assert_array_equal(layouts.from_haiku_conv_transpose(w), kernel)


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_equinox_conv_transpose_formula(n, grouping):
    """Equinox: ``lax.conv_general_dilated`` on NCHW with weight ``(O, I // g, *k)``,
    ``lhs_dilation=stride``, ``feature_group_count=groups``, relationship-14 padding."""
    x, kernel, stride, pads, extra, dilation, g = _config(n, grouping, seed=50 * n + len(grouping))
    weight = layouts.to_equinox_conv_transpose(kernel, groups=g)
    expected = lax.conv_general_dilated(
        _nchw(x),
        weight,
        (1,) * n,
        _lax_pads(kernel.shape[:n], pads, dilation, extra),
        lhs_dilation=stride,
        rhs_dilation=dilation,
        feature_group_count=g,
    )
    got = _transpose(x, kernel, stride, pads, output_padding=extra, dilation=dilation, groups=g)
    np.testing.assert_allclose(_nchw(got), expected, **TOL)
    np.testing.assert_array_equal(layouts.from_equinox_conv_transpose(weight, groups=g), kernel)
    if g == 1:  # Equinox's documented recipe: flip the conv weight, swap its first two axes
        torch_weight = layouts.to_torch_conv(kernel)
        recipe = np.flip(torch_weight, axis=tuple(range(2, n + 2))).swapaxes(0, 1)
        np.testing.assert_array_equal(weight, recipe)


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_lhs_dilated_formula(n, grouping):
    x, kernel, stride, pads, extra, dilation, g = _config(n, grouping, seed=60 * n + len(grouping))
    w = layouts.to_lhs_dilated(kernel, groups=g)
    spatial = tuple(range(1, n + 1))
    dn = lax.ConvDimensionNumbers((0, n + 1, *spatial), (n + 1, n, *range(n)), (0, n + 1, *spatial))
    expected = lax.conv_general_dilated(
        x,
        w,
        (1,) * n,
        _lax_pads(kernel.shape[:n], pads, dilation, extra),
        lhs_dilation=stride,
        rhs_dilation=dilation,
        dimension_numbers=dn,
        feature_group_count=g,
    )
    got = _transpose(x, kernel, stride, pads, output_padding=extra, dilation=dilation, groups=g)
    np.testing.assert_allclose(got, expected, **TOL)
    np.testing.assert_array_equal(layouts.from_lhs_dilated(w, groups=g), kernel)


# ---------------------------------------------------------------------------
# Keras: TF's definition (the kernel is [*k, out, in], used as the forward
# conv's), and the real layer where Keras is installed.


def tf_conv_transpose(x, kernel, strides, out_size):
    """``tf.nn.conv*_transpose`` VALID/SAME as the scatter ``y[i * s - lo + t] += x[i] @ kernel[t].T``."""
    n = x.ndim - 2
    lo = [
        max(0, (i - 1) * s + k - o) // 2
        for i, s, k, o in zip(x.shape[1:-1], strides, kernel.shape[:n], out_size)
    ]
    y = np.zeros((x.shape[0], *out_size, kernel.shape[-2]))
    for i in itertools.product(*map(range, x.shape[1:-1])):
        for t in itertools.product(*map(range, kernel.shape[:n])):
            at = tuple(i[j] * strides[j] - lo[j] + t[j] for j in range(n))
            if all(0 <= p < o for p, o in zip(at, out_size)):
                y[(slice(None), *at)] += x[(slice(None), *i)] @ kernel[t].T
    return y


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("n", [1, 2])
def test_keras_conv_transpose(n, padding):
    rng = np.random.default_rng(70 + n)
    window = tuple(int(v) for v in rng.integers(1, 5, n))
    stride = tuple(int(v) for v in rng.integers(1, 4, n))
    x = rng.standard_normal((2, *(int(v) for v in rng.integers(1, 5, n)), 3))
    kernel = rng.standard_normal((*window, 4, 3))  # (*k, filters, C_in)
    keras_kernel = layouts.to_keras_conv_transpose(kernel)
    np.testing.assert_array_equal(layouts.from_keras_conv_transpose(keras_kernel), kernel)
    if padding == "same":
        out = tuple(i * s for i, s in zip(x.shape[1:-1], stride))
    else:  # Keras: i * s + max(k - s, 0)
        out = tuple(i * s + max(k - s, 0) for i, s, k in zip(x.shape[1:-1], stride, window))
    got = _transpose(x, kernel, stride, padding.upper(), output_shape=out)
    np.testing.assert_allclose(got, tf_conv_transpose(x, keras_kernel, stride, out), **TOL)
    keras = pytest.importorskip(
        "keras", reason="needs keras (installed with tensorflow-cpu: pip install -e .[test])"
    )

    layer_cls = {1: keras.layers.Conv1DTranspose, 2: keras.layers.Conv2DTranspose}[n]
    layer = layer_cls(4, window, strides=stride, padding=padding, use_bias=False, dtype="float64")
    layer.build(x.shape)
    layer.set_weights([keras_kernel])
    np.testing.assert_allclose(got, keras.ops.convert_to_numpy(layer(x)), **TOL)


# ---------------------------------------------------------------------------
# Round trips, array kinds, the documented identities, and the errors.

PAIRS = [
    (layouts.to_torch_conv, layouts.from_torch_conv, False),
    (layouts.to_torch_conv_transpose, layouts.from_torch_conv_transpose, False),
    (layouts.to_onnx_conv, layouts.from_onnx_conv, False),
    (layouts.to_onnx_conv_transpose, layouts.from_onnx_conv_transpose, False),
    (layouts.to_keras_conv_transpose, layouts.from_keras_conv_transpose, False),
    (layouts.to_haiku_conv_transpose, layouts.from_haiku_conv_transpose, False),
    (layouts.to_flax_conv_transpose, layouts.from_flax_conv_transpose, False),
    (
        lambda k: layouts.to_flax_conv_transpose(k, transpose_kernel=True),
        lambda k: layouts.from_flax_conv_transpose(k, transpose_kernel=True),
        False,
    ),
    (layouts.to_equinox_conv_transpose, layouts.from_equinox_conv_transpose, True),
    (layouts.to_lhs_dilated, layouts.from_lhs_dilated, True),
]


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("pair", range(len(PAIRS)))
def test_round_trips_are_exact(pair, n, grouping):
    to, back, grouped = PAIRS[pair]
    rng = np.random.default_rng(pair * 31 + n)
    g, a, b = _groups(grouping, rng)
    kwargs = {"groups": g} if grouped else {}
    kernel = rng.standard_normal((*rng.integers(1, 4, n), b, g * a))
    converted = to(kernel, **kwargs)
    assert isinstance(converted, np.ndarray) and converted.flags.c_contiguous
    np.testing.assert_array_equal(back(converted, **kwargs), kernel)
    np.testing.assert_array_equal(to(back(converted, **kwargs), **kwargs), converted)
    # JAX arrays in, JAX arrays out, traceable under jit; the same entries.
    jitted = jax.jit(lambda k: to(k, **kwargs))(jax.numpy.asarray(kernel))
    assert isinstance(jitted, jax.Array)
    np.testing.assert_array_equal(jitted, converted)


def test_documented_identities():
    kernel = RNG.standard_normal((3, 2, 4, 6))
    np.testing.assert_array_equal(
        layouts.to_torch_conv_transpose(kernel), layouts.to_torch_conv(kernel)
    )
    np.testing.assert_array_equal(layouts.to_haiku_conv_transpose(kernel), kernel[::-1, ::-1])
    for g in (1, 2, 3, 6):  # lhs-dilated and Equinox are the same tensor, axes moved
        np.testing.assert_array_equal(
            layouts.to_equinox_conv_transpose(kernel, groups=g),
            np.moveaxis(layouts.to_lhs_dilated(kernel, groups=g), (-1, -2), (0, 1)),
        )
    # groups > 1 is not the plain swap of groups=1: the group blocks stay on the output axis.
    assert not np.array_equal(
        layouts.to_lhs_dilated(kernel, groups=2), layouts.to_lhs_dilated(kernel, groups=1)
    )
    lists = layouts.to_torch_conv(kernel.tolist())  # anything np.asarray takes
    np.testing.assert_array_equal(lists, layouts.to_torch_conv(kernel))


def test_errors():
    k = np.zeros((3, 2, 6))
    with pytest.raises(TypeError, match=r"to_torch_conv: `kernel` must be a NumPy or JAX array"):
        layouts.to_torch_conv([[1.0], [1.0, 2.0]])
    with pytest.raises(
        ValueError, match=r"from_torch_conv: `weight` must have .*rank >= 3.*\(4, 4\)"
    ):
        layouts.from_torch_conv(np.zeros((4, 4)))
    with pytest.raises(TypeError, match=r"`groups` must be an int; received groups=True"):
        layouts.to_lhs_dilated(k, groups=True)
    with pytest.raises(TypeError, match=r"`groups` must be an int; received groups=2.0"):
        layouts.to_equinox_conv_transpose(k, groups=2.0)
    with pytest.raises(ValueError, match=r"`groups` must be a positive int; received groups=0"):
        layouts.from_lhs_dilated(k, groups=0)
    with pytest.raises(
        ValueError,
        match=r"kernel.shape\[-1\] \(C_in_t\) \(=6\) must be divisible by `groups` \(=4\)",
    ):
        layouts.to_equinox_conv_transpose(k, groups=4)
    with pytest.raises(
        ValueError,
        match=r"weight.shape\[0\] \(C_out_t\) \(=6\) must be divisible by `groups` \(=4\)",
    ):
        layouts.from_equinox_conv_transpose(np.zeros((6, 2, 3)), groups=4)
    with pytest.raises(
        TypeError, match=r"`transpose_kernel` must be a bool; received transpose_kernel='yes'"
    ):
        layouts.to_flax_conv_transpose(k, transpose_kernel="yes")
