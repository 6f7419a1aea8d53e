"""``jconv.init`` against PyTorch's and Keras' own fan rules and initializers, and the
bilinear kernel against PyTorch's and JAX's interpolation."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jconv
from jconv import init, layouts
from tests import tolerances
from tests.layers import normal

TOL64 = tolerances.tolerance(np.float64)._asdict()
KEY = jax.random.key(0)


def _within_and_near(sample, bound):
    """All of a large uniform sample lies in [-bound, bound], and it reaches near both ends."""
    sample = np.asarray(sample)
    assert sample.size >= 2000  # P(max < 0.99 * bound) < 0.99**2000 = 2e-9
    assert np.abs(sample).max() <= bound
    assert sample.max() >= 0.99 * bound and sample.min() <= -0.99 * bound


# ---------------------------------------------------------------------------
# PyTorch's default: kaiming_uniform(a=sqrt(5)) and the bias, with PyTorch's fan-in.

TORCH_MODULES = [
    ("Conv1d", 48, 32, (5,), 1),
    ("Conv2d", 24, 36, (3, 5), 3),
    ("Conv3d", 16, 32, (2, 3, 3), 4),
    ("ConvTranspose1d", 32, 48, (5,), 2),
    ("ConvTranspose2d", 36, 24, (3, 5), 3),
    ("ConvTranspose3d", 32, 16, (2, 3, 3), 4),
]


@pytest.mark.parametrize(("name", "c_in", "c_out", "kernel", "groups"), TORCH_MODULES)
def test_torch_default_bound_is_pytorchs(name, c_in, c_out, kernel, groups):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    torch.manual_seed(0)
    module = getattr(torch.nn, name)(c_in, c_out, kernel, groups=groups)
    fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(module.weight)
    bound = 1 / math.sqrt(fan_in)
    convert = layouts.from_torch_conv_transpose if "Transpose" in name else layouts.from_torch_conv
    weight = convert(module.weight.detach().numpy())
    shape = weight.shape  # jconv's layout of this very module's kernel
    assert math.prod(shape[:-1]) == fan_in  # the module docstring's rule
    _within_and_near(init.torch_default(KEY, shape), bound)
    _within_and_near(weight, bound)  # torch's own draw obeys the same bound
    bias = init.torch_default_bias(fan_in)(KEY, (4000,))
    _within_and_near(bias, bound)
    assert np.abs(module.bias.detach().numpy()).max() <= bound


def test_torch_default_dtypes():
    k = init.torch_default(KEY, (3, 3, 8, 16), jnp.bfloat16)
    assert k.dtype == jnp.bfloat16 and k.shape == (3, 3, 8, 16)
    z = init.torch_default(KEY, (3, 3, 8, 200), jnp.complex64)
    assert z.dtype == jnp.complex64
    _within_and_near(z.real, 1 / math.sqrt(72))
    _within_and_near(z.imag, 1 / math.sqrt(72))
    assert init.torch_default(KEY, (3, 0, 4)).shape == (3, 0, 4)  # empty: nothing to draw
    b = init.torch_default_bias(9)(KEY, [5], jnp.float64)
    assert b.dtype == jnp.float64 and b.shape == (5,)


def test_torch_default_bias_plugs_into_flax():
    nnx = pytest.importorskip("flax.nnx", reason="needs flax (pip install 'jconv[flax]')")
    layer = nnx.Conv(
        8, 4000, (3, 3), kernel_init=init.torch_default, bias_init=init.torch_default_bias(72),
        rngs=nnx.Rngs(0),
    )  # fmt: skip
    _within_and_near(layer.kernel[...], 1 / math.sqrt(72))
    _within_and_near(layer.bias[...], 1 / math.sqrt(72))


# ---------------------------------------------------------------------------
# Keras' glorot_uniform with Keras' fans.

KERAS_LAYERS = [  # (layer, filters, kernel_size, input channels, groups): >= 2000 weights each
    ("Conv1D", 64, (5,), 16, 1),
    ("Conv2D", 48, (3, 3), 16, 2),
    ("Conv3D", 48, (2, 3, 3), 24, 4),
    ("Conv1DTranspose", 32, (5,), 16, 1),
    ("Conv2DTranspose", 24, (3, 3), 16, 1),
    ("Conv3DTranspose", 16, (2, 3, 3), 12, 1),
]


@pytest.mark.parametrize(("name", "filters", "kernel", "c_in", "groups"), KERAS_LAYERS)
def test_glorot_uniform_limit_is_keras(name, filters, kernel, c_in, groups):
    keras = pytest.importorskip("keras", reason="needs keras (pip install -e .[test])")
    from keras.src.initializers.random_initializers import compute_fans

    extra = {"groups": groups} if groups > 1 else {}
    layer = getattr(keras.layers, name)(filters, kernel, **extra)
    layer.build((None, *(7,) * len(kernel), c_in))
    shape = tuple(layer.kernel.shape)
    transpose = "Transpose" in name
    want = (*kernel, filters, c_in) if transpose else (*kernel, c_in // groups, filters)
    assert shape == want  # Keras' kernels are jconv's layouts
    fan_in, fan_out = compute_fans(shape)
    limit = math.sqrt(6 / (fan_in + fan_out))
    _within_and_near(init.glorot_uniform(KEY, shape), limit)
    _within_and_near(keras.initializers.GlorotUniform(seed=0)(shape), limit)
    _within_and_near(np.asarray(layer.kernel), limit)  # the layer's own default draw


# ---------------------------------------------------------------------------
# The bilinear upsampling kernel.

TORCH_MODES = {1: "linear", 2: "bilinear", 3: "trilinear"}


@pytest.mark.parametrize(
    ("ndim", "scale", "size"),
    [(1, 2, (7,)), (1, 3, (6,)), (2, 2, (5, 6)), (2, 3, (4, 5)), (2, 4, (4, 4)),
     (2, (2, 3), (5, 4)), (3, 2, (3, 4, 3)), (3, (1, 2, 3), (3, 3, 2))],
)  # fmt: skip
def test_bilinear_interior_matches_interpolation(ndim, scale, size):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    scales = (scale,) * ndim if isinstance(scale, int) else scale
    channels = 3
    x = normal(0, (2, channels, *size))
    kernel = init.bilinear_upsample(scale, channels, ndim=ndim, dtype=jnp.float64)
    assert kernel.shape == (*(2 * s - s % 2 for s in scales), 1, channels)
    pad = [s // 2 for s in scales]
    got = np.asarray(
        jconv.conv_transpose(x, kernel, scale, pad, groups=channels, data_format="channels_first")
    )
    out = tuple(i * s for i, s in zip(size, scales))
    assert got.shape == (2, channels, *out)
    want = torch.nn.functional.interpolate(
        torch.tensor(x), size=out, mode=TORCH_MODES[ndim], align_corners=False
    ).numpy()
    inner = (slice(None), slice(None), *(slice(p, o - p) for p, o in zip(pad, out)))
    np.testing.assert_allclose(got[inner], want[inner], **TOL64)
    resized = jax.image.resize(x, x.shape[:2] + out, method="linear")
    np.testing.assert_allclose(got[inner], np.asarray(resized)[inner], **TOL64)
    # The border: the interpolation of the input extended by zeros (one cell is enough).
    wide = np.pad(x, [(0, 0), (0, 0), *[(1, 1)] * ndim])
    big = jax.image.resize(
        wide, wide.shape[:2] + tuple((i + 2) * s for i, s in zip(size, scales)), "linear"
    )
    crop = (slice(None), slice(None), *(slice(s, s + o) for s, o in zip(scales, out)))
    np.testing.assert_allclose(got, np.asarray(big)[crop], **TOL64)
    if any(pad):  # ... which differs from the interpolators' edge clamping
        assert not np.allclose(got, want)


def test_bilinear_edge_padding_recipe_is_exact():
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    x = normal(1, (1, 2, 5, 4))
    for s in (2, 3, 4):
        kernel = init.bilinear_upsample(s, 2, dtype=jnp.float64)
        edge = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)], mode="edge")
        got = jconv.conv_transpose(edge, kernel, s, s // 2 + s, groups=2, data_format="NCHW")
        want = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=s, mode="bilinear")
        np.testing.assert_allclose(got, want.numpy(), **TOL64)


def test_bilinear_same_padding_dense_kernel_and_identity():
    x = normal(2, (2, 6, 5, 4))  # channels-last
    depthwise = init.bilinear_upsample(3, 4, dtype=jnp.float64)
    want = jconv.conv_transpose(x, depthwise, 3, 1, groups=4)
    np.testing.assert_array_equal(jconv.conv_transpose(x, depthwise, 3, "SAME", groups=4), want)
    dense = init.bilinear_upsample(3, 4, groups=1, dtype=jnp.float64)
    assert dense.shape == (5, 5, 4, 4)
    np.testing.assert_allclose(jconv.conv_transpose(x, dense, 3, 1), want, **TOL64)
    pairs = init.bilinear_upsample(3, 4, groups=2, dtype=jnp.float64)
    assert pairs.shape == (5, 5, 2, 4)
    np.testing.assert_allclose(jconv.conv_transpose(x, pairs, 3, 1, groups=2), want, **TOL64)
    one = init.bilinear_upsample(1, 4, dtype=jnp.float64)
    assert one.shape == (1, 1, 1, 4)
    np.testing.assert_array_equal(jconv.conv_transpose(x, one, 1, 0, groups=4), x)
    assert init.bilinear_upsample(2, 1, ndim=1).dtype == jnp.float32


# ---------------------------------------------------------------------------
# Every raise site.


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: init.torch_default(KEY, 3), TypeError, r"torch_default: `shape` must be a sequence of ints; received shape=3"),
        (lambda: init.torch_default(KEY, (3,)), ValueError, r"`shape` must have rank >= 2 .*received shape=\(3,\)"),
        (lambda: init.torch_default(KEY, (3, -1)), ValueError, r"every entry of `shape` must be >= 0"),
        (lambda: init.torch_default(KEY, (3, 2.5)), TypeError, r"`shape\[1\]` must be an int"),
        (lambda: init.torch_default(KEY, (3, 3), jnp.int32), TypeError, r"`dtype` must be a floating or complex dtype"),
        (lambda: init.torch_default(KEY, (3, 3), "nonsense"), TypeError, r"`dtype` must be a floating or complex"),
        (lambda: init.torch_default_bias(2.0), TypeError, r"torch_default_bias: `fan_in` must be an int"),
        (lambda: init.torch_default_bias(0), ValueError, r"`fan_in` must be a positive int; received fan_in=0"),
        (lambda: init.torch_default_bias(4)(KEY, "x"), TypeError, r"torch_default_bias\(4\): `shape` must be a sequence"),
        (lambda: init.torch_default_bias(4)(KEY, (3,), jnp.int8), TypeError, r"torch_default_bias\(4\): `dtype` must be"),
        (lambda: init.glorot_uniform(KEY, (5,)), ValueError, r"glorot_uniform: `shape` must have rank >= 2"),
        (lambda: init.glorot_uniform(KEY, (3, 3), jnp.uint8), TypeError, r"glorot_uniform: `dtype` must be"),
        (lambda: init.bilinear_upsample(2, 3, ndim=0), ValueError, r"`ndim` must be a positive int; received ndim=0"),
        (lambda: init.bilinear_upsample(2, 3, ndim=2.0), TypeError, r"`ndim` must be an int"),
        (lambda: init.bilinear_upsample(0, 3), ValueError, r"every entry of `scale` must be positive"),
        (lambda: init.bilinear_upsample((2, 2, 2), 3), ValueError, r"`scale` must be an int or a sequence of 2 ints"),
        (lambda: init.bilinear_upsample(2, 0), ValueError, r"`channels` must be a positive int; received channels=0"),
        (lambda: init.bilinear_upsample(2, "3"), TypeError, r"`channels` must be an int"),
        (lambda: init.bilinear_upsample(2, 3, groups=0), ValueError, r"`groups` must be a positive int or None"),
        (lambda: init.bilinear_upsample(2, 4, groups=3), ValueError, r"`channels` \(=4\) must be divisible by `groups` \(=3\)"),
        (lambda: init.bilinear_upsample(2, 4, dtype=jnp.complex64), TypeError, r"bilinear_upsample: `dtype` must be a floating dtype"),
        (lambda: init.bilinear_upsample(2, 4, dtype=jnp.int32), TypeError, r"`dtype` must be a floating dtype"),
    ],
)  # fmt: skip
def test_rejects(call, error, match):
    with pytest.raises(error, match=r"jconv\.init\..*" + match):
        call()
