"""jconv.port.from_keras against live Keras 3 layers (TensorFlow backend): values, gradients, errors.

Layers run under ``tf.function(jit_compile=True)``: TensorFlow's CPU kernels
refuse some configurations Keras allows (dilated transposes, channels-first),
and XLA runs them all.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import jconv.port
from tests import tolerances

keras = pytest.importorskip("keras", reason="needs keras (installed with tensorflow-cpu)")
tf = pytest.importorskip("tensorflow", reason="needs tensorflow-cpu")
if keras.backend.backend() != "tensorflow":
    pytest.skip("the Keras tests compare with the TensorFlow backend", allow_module_level=True)

CONV = {1: keras.layers.Conv1D, 2: keras.layers.Conv2D, 3: keras.layers.Conv3D}
TRANSPOSE = {
    1: keras.layers.Conv1DTranspose,
    2: keras.layers.Conv2DTranspose,
    3: keras.layers.Conv3DTranspose,
}


def _input(rng, layer, sizes, c_in, batch=2):
    shape = (
        (batch, c_in, *sizes) if layer.data_format == "channels_first" else (batch, *sizes, c_in)
    )
    return rng.standard_normal(shape)


def _check(layer, x, seed, grads=True):
    """fn equals the layer; its gradients equal tf.GradientTape's (loss = sum(y ** 2) / 2)."""
    rng = np.random.default_rng(seed)
    if not layer.built:
        layer.build(x.shape)
        layer.set_weights([rng.standard_normal(w.shape) for w in layer.get_weights()])
    fn, params = jconv.port.from_keras(layer)
    assert set(params) == ({"kernel", "bias"} if layer.use_bias else {"kernel"})

    @tf.function(jit_compile=True)
    def run(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * y) / 2
        return y, tape.gradient(loss, [x, *layer.trainable_weights])

    y, (gx, *gw) = run(tf.constant(x))
    expected = y.numpy()
    if _misplaces_bias(layer, expected.shape):
        expected = _conv_then_bias(layer, x)
        grads = False
    got = jax.jit(fn)(params, x)
    tolerances.assert_close(got, expected, err_msg=str(layer.get_config()))
    if grads:
        loss = lambda p, x: (fn(p, x) ** 2).sum() / 2  # noqa: E731
        g_params, g_x = jax.jit(jax.grad(loss, argnums=(0, 1)))(params, x)
        tolerances.assert_close(g_x, gx.numpy(), scale="max", err_msg="x grad")
        names = ["kernel", "bias"][: len(gw)]
        for name, g in zip(names, gw):
            tolerances.assert_close(g_params[name], g.numpy(), scale="max", err_msg=name)


def _misplaces_bias(layer, out_shape):
    """Keras 3.15's TF ``ops.add`` treats a ``(1, C, 1...)`` bias as channels-last
    (``tf.nn.bias_add(..., "NHWC")``) whenever the last axis also has ``C`` entries,
    so a channels-first layer adds its bias along the last spatial axis there.
    The port adds it along the channels, as the layer means to."""
    return (
        layer.use_bias
        and layer.data_format == "channels_first"
        and layer.filters > 1
        and out_shape[-1] == layer.filters
    )


def _conv_then_bias(layer, x):
    """The layer's convolution (its bias zeroed) plus its bias along the channel axis."""
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel, np.zeros_like(bias)])
    y = tf.function(layer, jit_compile=True)(tf.constant(x)).numpy()
    layer.set_weights([kernel, bias])
    return y + bias.reshape(1, -1, *(1,) * (y.ndim - 2))


def test_keras_misplaced_bias_is_not_copied():
    layer = keras.layers.Conv1D(4, 3, padding="same", data_format="channels_first", dtype="float64")
    x = np.random.default_rng(7).standard_normal((2, 2, 4))
    layer.build(x.shape)
    layer.set_weights([layer.get_weights()[0], np.arange(4.0)])
    assert _misplaces_bias(layer, (2, 4, 4))
    fn, params = jconv.port.from_keras(layer)
    tolerances.assert_close(fn(params, x), _conv_then_bias(layer, x))


def _stride_or_dilation(rng, n, dilate):
    """Keras refuses strides > 1 with dilation_rate > 1: one of them is 1, the other not all 1."""
    other = (int(rng.integers(2, 4)), *(int(v) for v in rng.integers(1, 4, n - 1)))
    return ((1,) * n, other) if dilate else (other, (1,) * n)


def _conv_layer(rng, n, seed):
    g = int(rng.integers(1, 3))
    c_in, filters = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, n))
    s, d = _stride_or_dilation(rng, n, dilate=seed == 1)
    paddings = ["valid", "same", "causal"] if n == 1 else ["valid", "same"]
    layer = CONV[n](
        filters,
        k,
        strides=s,
        padding=paddings[seed % len(paddings)],
        data_format=["channels_last", "channels_first"][seed % 2],
        dilation_rate=d,
        groups=g,
        use_bias=bool(rng.integers(0, 2)),
        dtype="float64",
    )
    sizes = [di * (ki - 1) + 1 + int(rng.integers(0, 4)) for ki, di in zip(k, d)]
    return layer, sizes, c_in


def _transpose_layer(rng, n, seed):
    c_in, filters = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    k = tuple(int(v) for v in rng.integers(1, 5, n))
    s, d = _stride_or_dilation(rng, n, dilate=seed == 1)
    padding = ["valid", "same"][seed % 2]
    extra = None
    if seed >= 2 or n == 1:
        extra = [int(rng.integers(0, si)) for si in s]
        for j, (si, di, ki) in enumerate(zip(s, d, k)):
            if padding == "same" and (di * (ki - 1) + 1) % 2 == 0 and extra[j] == 0:
                # Keras' size (i - 1) * s + 0 + 0 is unreachable (see below)
                if si == 1:
                    extra = None
                    break
                extra[j] = 1
    layer = TRANSPOSE[n](
        filters,
        k,
        strides=s,
        padding=padding,
        output_padding=None if extra is None else tuple(extra),
        data_format=["channels_last", "channels_first"][seed // 2],
        dilation_rate=d,
        use_bias=bool(rng.integers(0, 2)),
        dtype="float64",
    )
    return layer, [int(v) for v in rng.integers(1, 5, n)], c_in


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("seed", range(3))
def test_conv_matches_keras(n, seed):
    rng = np.random.default_rng([20 + n, seed])
    layer, sizes, c_in = _conv_layer(rng, n, seed)
    _check(layer, _input(rng, layer, sizes, c_in), seed)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_conv_transpose_matches_keras(n, seed):
    rng = np.random.default_rng([30 + n, seed])
    layer, sizes, c_in = _transpose_layer(rng, n, seed)
    _check(layer, _input(rng, layer, sizes, c_in), seed)


@pytest.mark.parametrize(
    ("kwargs", "sizes"),
    [
        ({"kernel_size": 1, "strides": 3, "padding": "valid"}, [3, 4]),  # kernel < stride: i * s
        ({"kernel_size": 2, "strides": 3, "padding": "valid", "output_padding": 0}, [3, 2]),
        ({"kernel_size": 1, "strides": 3, "padding": "same"}, [2, 5]),
        ({"kernel_size": 4, "strides": 2, "padding": "same", "output_padding": 1}, [3, 1]),
        ({"kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 0}, [4, 3]),
        ({"kernel_size": 2, "strides": 3, "padding": "same", "output_padding": 2}, [3, 2]),
        ({"kernel_size": 3, "dilation_rate": 2, "padding": "same"}, [4, 5]),
    ],
)
def test_transpose_size_rule_edges(kwargs, sizes):
    """Keras' output size rule where it differs from jconv's defaults, on two input sizes."""
    layer = keras.layers.Conv1DTranspose(2, dtype="float64", **kwargs)
    rng = np.random.default_rng(5)
    for size in sizes:  # one fn for every spatial size: the rule runs at trace time
        _check(layer, rng.standard_normal((1, size, 3)), size, grads=False)


def test_unreachable_keras_size_is_refused_like_tensorflow():
    layer = keras.layers.Conv1DTranspose(2, 4, strides=2, padding="same", output_padding=0)
    x = np.ones((1, 3, 2), np.float32)
    with pytest.raises(tf.errors.OpError):  # oneDNN aborts, XLA refuses the size
        layer(x)
    with pytest.raises(tf.errors.OpError):
        tf.function(layer, jit_compile=True)(tf.constant(x))
    fn, params = jconv.port.from_keras(layer)
    with pytest.raises(ValueError, match=r"Keras' rule gives the output size 4.*needs 5 to 6"):
        fn(params, x)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_casts_like_keras(policy):
    layer = keras.layers.Conv2D(4, 3, padding="same", dtype=policy)
    x = np.random.default_rng(3).standard_normal((1, 6, 6, 3)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(layer(x))
    fn, params = jconv.port.from_keras(layer)
    assert params["kernel"].dtype == np.float32  # the variable dtype
    got = fn(params, x)
    assert got.dtype == expected.dtype
    tolerances.assert_close(got, expected, scale="max")


def test_float64_layer_casts_a_float32_input():
    layer = keras.layers.Conv1D(2, 3, dtype="float64")
    x = np.random.default_rng(4).standard_normal((2, 5, 1)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(layer(x))
    fn, params = jconv.port.from_keras(layer)
    tolerances.assert_close(fn(params, x), expected)


def test_vmap():
    layer = keras.layers.Conv2DTranspose(3, 2, strides=2, data_format="channels_first")
    x = np.random.default_rng(6).standard_normal((4, 1, 2, 3, 3)).astype(np.float32)
    # Through XLA: TensorFlow's CPU kernel for Conv2DBackpropInput only supports NHWC.
    expected = tf.function(layer, jit_compile=True)(tf.constant(x.reshape(4, 2, 3, 3))).numpy()
    fn, params = jconv.port.from_keras(layer)
    got = jax.vmap(fn, in_axes=(None, 0))(params, x)
    tolerances.assert_close(got.reshape(expected.shape), expected)


# ---------------------------------------------------------------------------
# Every raise site.


class _Overrides(keras.layers.Conv2D):
    def call(self, inputs):
        return super().call(inputs) * 2


def test_rejects_what_is_not_a_layer():
    with pytest.raises(TypeError, match=r"from_keras: `layer` must be a Keras 3 layer.*ndarray"):
        jconv.port.from_keras(np.zeros((3, 3, 1, 1)))


@pytest.mark.parametrize(
    ("layer", "match"),
    [
        (keras.layers.Dense(3), r"Dense is not supported; the port translates keras.layers.Conv1D"),
        (keras.layers.DepthwiseConv2D(3), r"DepthwiseConv2D is not supported"),
        (keras.layers.SeparableConv2D(2, 3), r"SeparableConv2D is not supported"),
        (_Overrides(2, 3), r"_Overrides subclasses keras.layers.Conv2D but overrides call\(\)"),
        (keras.layers.Conv2D(2, 3, activation="relu"), r"Conv2D layer has activation='relu'"),
    ],
)
def test_unsupported_layers(layer, match):
    layer.build((1, 5, 5, 2))
    with pytest.raises(NotImplementedError, match=match):
        jconv.port.from_keras(layer)


def test_rejects_unbuilt_layer():
    with pytest.raises(ValueError, match=r"the Conv2DTranspose layer is not built"):
        jconv.port.from_keras(keras.layers.Conv2DTranspose(2, 3))


def test_fn_checks_rank():
    layer = keras.layers.Conv3D(2, 1)
    layer.build((1, 2, 2, 2, 1))
    fn, params = jconv.port.from_keras(layer)
    with pytest.raises(
        ValueError, match=r"from_keras\(Conv3D\): `x` must have shape \(N, D, H, W, C\)"
    ):
        fn(params, np.zeros((1, 2, 2, 1), np.float32))
