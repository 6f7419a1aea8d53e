"""``resize_conv`` against PyTorch (``F.interpolate`` then ``F.conv*d``, values and autograd),
Keras (``UpSampling*D`` then ``Conv*D``) and ``tf.image.resize``, the repeat and half-pixel
definitions in NumPy, transforms, and every raise site."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jconv import layouts
from jconv._upsampling import resize_conv
from tests import tolerances
from tests.upsampling import normal

TOL64 = tolerances.tolerance(np.float64)._asdict()
TORCH_LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}
TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate"}

# (ndim, c_in, c_out, size, scale, window, padding as (lo, hi) pairs, dilation, groups,
#  padding_mode, bias)
CASES = [
    (1, 4, 6, (5,), 3, (4,), ((2, 1),), 1, 2, "zeros", True),
    (1, 3, 2, (4,), 1, (3,), ((1, 1),), 2, 1, "reflect", False),
    (2, 2, 3, (4, 3), (2, 3), (3, 2), ((1, 0), (2, 1)), (1, 2), 1, "reflect", True),
    (2, 4, 4, (3, 5), 4, (3, 3), ((1, 1), (1, 1)), 1, 4, "replicate", True),
    (2, 3, 2, (2, 2), (3, 2), (1, 1), ((0, 0), (0, 0)), 1, 1, "zeros", False),
    (3, 2, 2, (3, 2, 2), (2, 1, 3), (3, 2, 2), ((1, 1), (0, 1), (1, 0)), 1, 2, "replicate", True),
    (3, 1, 3, (2, 3, 2), 2, (3, 3, 3), ((1, 1),) * 3, (2, 1, 1), 1, "zeros", False),
]
IDS = [f"{c[0]}d-{c[9]}-{i}" for i, c in enumerate(CASES)]


def _arrays(case, seed=0):
    _, c_in, c_out, size, _, window, _, _, groups, _, has_bias = case
    x = normal(seed, (2, c_in, *size))
    kernel = normal(seed + 1, (*window, c_in // groups, c_out))
    bias = normal(seed + 2, (c_out,)) if has_bias else None
    return x, kernel, bias


def _torch_reference(torch, x, weight, bias, case, method):
    """PyTorch's interpolate (half-pixel, align_corners=False) then the padded conv*d, on
    torch tensors (``weight`` in PyTorch's layout)."""
    ndim, _, _, size, scale, _, pads, dilation, groups, mode, _ = case
    functional = torch.nn.functional
    scales = (scale,) * ndim if isinstance(scale, int) else scale
    out = [i * s for i, s in zip(size, scales)]
    if method == "nearest":
        up = functional.interpolate(x, size=out, mode="nearest")
    else:
        up = functional.interpolate(x, size=out, mode=TORCH_LINEAR[ndim], align_corners=False)
    flat = [p for lo_hi in reversed(pads) for p in lo_hi]
    up = functional.pad(up, flat, mode=TORCH_MODE[mode])
    conv = getattr(functional, f"conv{ndim}d")
    return conv(up, weight, bias, dilation=dilation, groups=groups)


def _jconv(x, kernel, bias, case, method, data_format="channels_first"):
    _, _, _, _, scale, _, pads, dilation, groups, mode, _ = case
    return resize_conv(
        x,
        kernel,
        scale,
        pads,
        method=method,
        dilation=dilation,
        groups=groups,
        padding_mode=mode,
        data_format=data_format,
        bias=bias,
    )


@pytest.mark.parametrize("method", ["nearest", "linear"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_torch_interpolate_then_conv(case, method):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    x, kernel, bias = _arrays(case)
    tb = None if bias is None else torch.tensor(bias)
    weight = torch.tensor(np.asarray(layouts.to_torch_conv(kernel)))
    want = _torch_reference(torch, torch.tensor(x), weight, tb, case, method).numpy()
    got = _jconv(x, kernel, bias, case, method)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, **TOL64)
    last = _jconv(np.moveaxis(x, 1, -1), kernel, bias, case, method, data_format=None)
    np.testing.assert_allclose(np.moveaxis(np.asarray(last), -1, 1), want, **TOL64)


@pytest.mark.parametrize("method", ["nearest", "linear"])
@pytest.mark.parametrize("case", [CASES[0], CASES[2], CASES[5]], ids=[IDS[0], IDS[2], IDS[5]])
def test_gradients_match_torch_autograd(case, method):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    x, kernel, bias = _arrays(case, seed=3)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(np.asarray(layouts.to_torch_conv(kernel)), requires_grad=True)
    tb = torch.tensor(bias, requires_grad=True)
    out = _torch_reference(torch, tx, tw, tb, case, method)
    cot = normal(4, tuple(out.shape))
    (out * torch.tensor(cot)).sum().backward()

    def loss(a, k, b):
        return jnp.vdot(_jconv(a, k, b, case, method), cot)

    gx, gk, gb = jax.grad(loss, argnums=(0, 1, 2))(x, kernel, bias)
    np.testing.assert_allclose(gx, tx.grad.numpy(), **TOL64)
    np.testing.assert_allclose(layouts.to_torch_conv(gk), tw.grad.numpy(), **TOL64)
    np.testing.assert_allclose(gb, tb.grad.numpy(), **TOL64)


# ---------------------------------------------------------------------------
# Keras and TensorFlow (channels-last).


def _keras():
    keras = pytest.importorskip("keras", reason="needs keras (installed with tensorflow-cpu)")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("the Keras comparison runs on the TensorFlow backend")
    return keras


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("size", [(2, 2), (3, 2), (1, 4)])
def test_matches_keras_upsampling2d_then_conv2d(size, interpolation):
    """Keras' bilinear UpSampling2D is tf.image.resize, which computes in float32 whatever
    the layer's dtype: float32 data, TensorFlow's result within float32 rounding of jconv's
    float64 one."""
    keras = _keras()
    x = normal(5, (2, 4, 3, 3), np.float32)
    kernel = normal(6, (3, 3, 3, 4), np.float32)
    bias = normal(7, (4,), np.float32)
    up = keras.layers.UpSampling2D(size, interpolation=interpolation, dtype="float32")
    conv = keras.layers.Conv2D(4, (3, 3), padding="same", dtype="float32")
    conv.build((None, 4 * size[0], 3 * size[1], 3))
    conv.set_weights([kernel, bias])
    want = np.asarray(conv(up(x)))
    method = "nearest" if interpolation == "nearest" else "bilinear"
    got = resize_conv(
        *(a.astype(np.float64) for a in (x, kernel)),
        size,
        "SAME",
        method=method,
        bias=bias.astype(np.float64),
    )
    tolerances.assert_close(want, got, np.float32, scale="max")


@pytest.mark.parametrize("ndim", [1, 3])
def test_matches_keras_upsampling_1d_3d_then_conv(ndim):
    keras = _keras()
    size = 3 if ndim == 1 else (2, 1, 3)
    spatial = (5,) if ndim == 1 else (2, 3, 2)
    x = normal(8, (2, *spatial, 2))
    kernel = normal(9, (*(3,) * ndim, 2, 3))
    up = getattr(keras.layers, f"UpSampling{ndim}D")(size, dtype="float64")
    conv = getattr(keras.layers, f"Conv{ndim}D")(
        3, 3, padding="same", use_bias=False, dtype="float64"
    )
    upsampled = up(x)
    conv.build(tuple(upsampled.shape))
    conv.set_weights([kernel])
    want = np.asarray(conv(upsampled))
    np.testing.assert_allclose(resize_conv(x, kernel, size), want, **TOL64)


@pytest.mark.parametrize("scale", [(2, 3), (5, 1), (4, 4)])
def test_matches_tf_image_resize_bilinear(scale):
    """tf.image.resize's bilinear computes in float32 (as above)."""
    tf = pytest.importorskip("tensorflow", reason="needs tensorflow (pip install -e .[test])")
    x = normal(10, (1, 3, 4, 2), np.float32)
    kernel = normal(11, (2, 2, 2, 1), np.float32)
    out = (3 * scale[0], 4 * scale[1])
    resized = tf.image.resize(x, out, method="bilinear", antialias=False)
    want = tf.nn.conv2d(resized, kernel, 1, "SAME").numpy()
    got = resize_conv(x.astype(np.float64), kernel.astype(np.float64), scale, method="linear")
    tolerances.assert_close(want, got, np.float32, scale="max")
    got32 = resize_conv(x, kernel, scale, method="linear")
    assert got32.dtype == np.float32
    tolerances.assert_close(got32, got, np.float32, scale="max")


# ---------------------------------------------------------------------------
# The definitions, transforms and dtypes.


def test_nearest_is_an_exact_repeat_for_every_dtype():
    x = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2).astype(np.int32)
    identity = np.eye(2, dtype=np.int32).reshape(1, 1, 2, 2)
    want = np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)
    got = resize_conv(x, identity, (2, 3))
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, want)
    for dtype in (np.float16, np.float32, jnp.bfloat16):
        got = resize_conv(x.astype(dtype), identity.astype(dtype), (2, 3), "VALID")
        np.testing.assert_array_equal(got, want.astype(dtype))


def test_linear_follows_the_half_pixel_definition():
    """out[o] = (1 - t) x[floor(u)] + t x[floor(u) + 1], u = clamp((o + 0.5) / s - 0.5),
    computed here cell by cell for a 1-D signal."""
    x = normal(12, (1, 7, 1))
    identity = np.ones((1, 1, 1))
    for s in (2, 3, 4, 5):
        want = np.zeros(7 * s)
        for o in range(7 * s):
            u = min(max((o + 0.5) / s - 0.5, 0.0), 6.0)
            i = int(np.floor(u))
            t = u - i
            want[o] = (1 - t) * x[0, i, 0] + t * x[0, min(i + 1, 6), 0]
        got = resize_conv(x, identity, s, method="linear")[0, :, 0]
        np.testing.assert_allclose(got, want, **TOL64)


def test_complex_and_mixed_precision():
    x = normal(13, (1, 3, 3, 2)) + 1j * normal(14, (1, 3, 3, 2))
    kernel = np.zeros((1, 1, 2, 2), np.complex128)
    kernel[0, 0] = np.eye(2)
    got = resize_conv(x, kernel, 2, method="linear")
    real = resize_conv(x.real, kernel.real, 2, method="linear")
    imag = resize_conv(x.imag, kernel.real, 2, method="linear")
    np.testing.assert_allclose(got, np.asarray(real) + 1j * np.asarray(imag), **TOL64)
    half = resize_conv(
        x.real.astype(jnp.bfloat16),
        kernel.real.astype(jnp.bfloat16),
        2,
        method="linear",
        preferred_element_type=jnp.float32,
    )
    assert half.dtype == np.float32
    np.testing.assert_allclose(half, real, rtol=3e-2, atol=3e-2)


def test_jit_vmap_and_symbolic_batch():
    x = normal(15, (3, 4, 5, 2))
    kernel = normal(16, (3, 3, 2, 2))
    bias = normal(17, (2,))
    want = resize_conv(x, kernel, (2, 3), method="linear", bias=bias)
    f = jax.jit(lambda a, k, b: resize_conv(a, k, (2, 3), method="linear", bias=b))
    np.testing.assert_allclose(f(x, kernel, bias), want, **TOL64)
    vm = jax.vmap(lambda a: resize_conv(a, kernel, (2, 3), method="linear", bias=bias))
    np.testing.assert_allclose(vm(x[:, None])[:, 0], want, **TOL64)
    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("b, 4, 5, 2"), jnp.float64)
    exported = jax.export.export(
        jax.jit(lambda a: resize_conv(a, kernel, (2, 3), method="linear", bias=bias))
    )(spec)
    np.testing.assert_allclose(exported.call(x), want, **TOL64)


def test_scale_one_is_the_convolution_and_empty_batch():
    import jconv

    x = normal(18, (2, 5, 4, 3))
    kernel = normal(19, (3, 2, 3, 2))
    np.testing.assert_array_equal(
        resize_conv(x, kernel, 1, (1, 0), method="linear"), jconv.conv(x, kernel, 1, (1, 0))
    )
    assert resize_conv(np.zeros((0, 2, 2, 3)), kernel, 2).shape == (0, 4, 4, 2)


# ---------------------------------------------------------------------------
# Every raise site.

X = np.zeros((1, 3, 3, 2))
K = np.zeros((3, 3, 2, 4))


def test_error_x():
    with pytest.raises(TypeError, match=r"resize_conv: `x` must be an array"):
        resize_conv("x", K, 2)
    with pytest.raises(ValueError, match=r"resize_conv: `x` must have shape .* rank >= 3"):
        resize_conv(np.zeros((3, 2)), K, 2)
    with pytest.raises(ValueError, match=r"resize_conv: data_format='NCDHW' is for 3 spatial"):
        resize_conv(X, K, 2, data_format="NCDHW")
    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("b, h, 3, 2"), jnp.float64)
    with pytest.raises(NotImplementedError, match=r"resize_conv: `x` has symbolic sizes \(h\)"):
        jax.export.export(jax.jit(lambda a: resize_conv(a, K, 2)))(spec)


def test_error_scale():
    with pytest.raises(
        ValueError, match=r"resize_conv: every entry of `scale` must be positive; received scale=0"
    ):
        resize_conv(X, K, 0)
    with pytest.raises(
        ValueError, match=r"`scale` must be an int or a sequence of 2 ints .* length 3"
    ):
        resize_conv(X, K, (2, 2, 2))
    with pytest.raises(
        TypeError, match=r"resize_conv: `scale\[1\]` must be an int; received scale\[1\]=1.5"
    ):
        resize_conv(X, K, (2, 1.5))
    with pytest.raises(TypeError, match=r"`scale` must be a static Python int"):
        jax.jit(lambda s: resize_conv(X, K, s))(2)


def test_error_method():
    with pytest.raises(
        ValueError,
        match=r"`method` must be one of 'nearest', .*'trilinear'; received method='area'\.$",
    ):
        resize_conv(X, K, 2, method="area")
    with pytest.raises(ValueError, match=r"method='bicubic'\. Cubic interpolation is not offered"):
        resize_conv(X, K, 2, method="bicubic")
    with pytest.raises(TypeError, match=r"`method` must be a string, .* received method=None"):
        resize_conv(X, K, 2, method=None)
    with pytest.raises(
        ValueError,
        match=r"method='trilinear' is PyTorch's name for 3 spatial dimensions, but `x` has 2; use method='linear'",
    ):
        resize_conv(X, K, 2, method="trilinear")
    with pytest.raises(
        ValueError,
        match=r"method='bilinear' is PyTorch's name for 2 spatial dimensions, but `x` has 1",
    ):
        resize_conv(np.zeros((1, 3, 2)), np.zeros((3, 2, 1)), 2, method="bilinear")


def test_error_linear_needs_floating_x():
    with pytest.raises(
        TypeError,
        match=r"method='linear' interpolates, so `x` must have a floating or complex dtype; received x.dtype=int32",
    ):
        resize_conv(X.astype(np.int32), K.astype(np.int32), 2, method="linear")


def test_error_resized_size_and_bytes():
    with pytest.raises(
        ValueError,
        match=r"resize_conv: the resized input would have shape \(0, 4611686018427387904, 3, 2\), with a size of 2\*\*62",
    ):
        resize_conv(np.zeros((0, 2, 3, 2)), K, (2**61, 1))
    with pytest.raises(
        ValueError,
        match=r"resize_conv: the resized input would have shape \(1, 3000000, 3000000, 2\) .* received x.shape=\(1, 3, 3, 2\), scale=1000000",
    ):
        resize_conv(X, K, 10**6)


def test_convolution_errors_come_before_the_resize():
    """jconv.conv's own checks run on the abstract resized input: the message is conv's,
    for the resized shape, and nothing is computed."""
    with pytest.raises(
        ValueError, match=r"jconv.conv: the input has 2 channels, but the kernel expects .* 3"
    ):
        resize_conv(X, np.zeros((3, 3, 3, 4)), 2)
    with pytest.raises(ValueError, match=r"jconv.conv: `bias` must have shape \(C_out,\) = \(4,\)"):
        resize_conv(X, K, 2, bias=np.zeros(3))
    with pytest.raises(
        ValueError, match=r"jconv.conv: padding_mode='reflect' needs each side's padding smaller"
    ):
        resize_conv(X, np.zeros((15, 1, 2, 4)), 2, padding_mode="reflect")
    with pytest.raises(ValueError, match=r"jconv.conv: `padding_mode` must be one of"):
        resize_conv(X, K, 2, padding_mode="edge")
    with pytest.raises(TypeError, match=r"jconv.conv: `x` must have a numeric dtype"):
        resize_conv(X.astype(bool), K.astype(bool), 2)


def test_constant_input_gives_a_constant_output_without_checkerboard():
    """Odena et al.'s observation: with a 3-tap kernel and stride 2, a transposed conv of a
    constant overlaps unevenly (a checkerboard); the resize-convolution stays constant away
    from the border for every method."""
    import jconv

    x = np.ones((1, 6, 6, 1))
    kernel = np.ones((3, 3, 1, 1))
    deconv = np.asarray(jconv.conv_transpose(x, kernel, 2, "SAME"))[0, 2:-2, 2:-2, 0]
    assert set(np.unique(deconv)) == {1.0, 2.0, 4.0}
    for method in ("nearest", "linear"):
        got = np.asarray(resize_conv(x, kernel, 2, "VALID", method=method))
        np.testing.assert_allclose(got, np.full((1, 10, 10, 1), 9.0), **TOL64)
