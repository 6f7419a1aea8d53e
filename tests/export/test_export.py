"""``jax.export``: every public function and algorithm serializes, deserializes
and runs with a symbolic batch, gradients included; symbolic spatial sizes get
a clear error naming the argument. The layout converters and initializers (no
batch) export too."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import export

import jconv
from compat import tf
from compat import torch as ctorch

RNG = np.random.default_rng(0)


def _r(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


K2 = _r(3, 3, 2, 4)  # a conv kernel: 2 -> 4 channels
KT = _r(3, 3, 4, 2)  # a conv_transpose kernel: 2 -> 4 channels
B4 = _r(4)
# Kernels of the other cases, made once (a case's function must be deterministic).
KG, K1T, K3, KD, WT1, BT1, W3 = (
    _r(3, 3, 1, 4),
    _r(4, 2, 3),
    _r(2, 2, 2, 2, 3),
    _r(3, 3, 2, 2),
    _r(2, 3, 4),
    _r(3),
    _r(3, 2, 2, 2, 2),
)

# name -> (function of x, x's shape without the batch)
CASES = {
    "conv": (lambda x: jconv.conv(x, K2, 2, "SAME"), (7, 6, 2)),
    "conv/bias+reflect": (
        lambda x: jconv.conv(x, K2, 1, 1, bias=B4, padding_mode="reflect"),
        (7, 6, 2),
    ),
    "conv/channels_first+circular": (
        lambda x: jconv.conv(x, K2, (2, 1), "SAME", padding_mode="circular", data_format="NCHW"),
        (2, 7, 6),
    ),
    "conv/grouped+dilated": (
        lambda x: jconv.conv(x, KG, 1, "SAME", dilation=2, groups=2),
        (7, 6, 2),
    ),
    **{
        f"conv_transpose/{a}": (
            lambda x, a=a: jconv.conv_transpose(
                x, KT, 2, "SAME", output_shape=(9, 8), bias=B4, algorithm=a
            ),
            (5, 4, 2),
        )
        for a in ("auto", *jconv.ALGORITHMS)
    },
    **{
        f"conv_transpose/{a}/replicate+NCW": (
            lambda x, a=a: jconv.conv_transpose(
                x,
                K1T,
                3,
                1,
                output_padding=1,
                padding_mode="replicate",
                data_format="NCW",
                algorithm=a,
            ),
            (3, 5),
        )
        for a in ("auto", *jconv.ALGORITHMS)
    },
    "depth_to_space": (lambda x: jconv.depth_to_space(x, 2), (3, 4, 8)),
    "space_to_depth/NCDHW+CRD": (
        lambda x: jconv.space_to_depth(x, (1, 2, 2), data_format="NCDHW", order="CRD"),
        (2, 3, 4, 6),
    ),
    "resize_conv/linear": (
        lambda x: jconv.resize_conv(x, K2, 2, method="linear", bias=B4),
        (4, 3, 2),
    ),
    "resize_conv/nearest": (lambda x: jconv.resize_conv(x, K2, (2, 1)), (4, 3, 2)),
    # TF output_shape under a symbolic batch: its batch entry -1 (or None) is taken from x.
    "tf.nn.conv2d_transpose": (
        lambda x: tf.nn.conv2d_transpose(x, KT, [-1, 10, 8, 4], 2, "SAME"),
        (5, 4, 2),
    ),
    "tf.nn.conv3d": (
        lambda x: tf.nn.conv3d(x, K3, [1, 1, 2, 1, 1], "VALID"),
        (4, 5, 3, 2),
    ),
    "tf.nn.depthwise_conv2d": (
        lambda x: tf.nn.depthwise_conv2d(x, KD, [1, 1, 1, 1], "SAME"),
        (6, 6, 2),
    ),
    "torch conv_transpose1d": (
        lambda x: ctorch.nn.functional.conv_transpose1d(x, WT1, BT1, stride=2, padding=1),
        (2, 6),
    ),
    "torch conv3d": (
        lambda x: ctorch.nn.functional.conv3d(x, W3, padding="same"),
        (2, 4, 4, 3),
    ),
}


def _roundtrip(f, per_example, vjp_order=1):
    shape = export.symbolic_shape("b, " + ", ".join(map(str, per_example)))
    exported = export.export(jax.jit(f))(jax.ShapeDtypeStruct(shape, jnp.float32))
    return export.deserialize(exported.serialize(vjp_order=vjp_order))


@pytest.mark.parametrize("name", list(CASES))
def test_export_roundtrip_symbolic_batch_and_gradient(name):
    f, per_example = CASES[name]
    restored = _roundtrip(f, per_example)
    assert restored.in_avals[0].shape[0] != 3  # the batch stayed symbolic
    for batch in (1, 3):
        x = _r(batch, *per_example)
        want = f(x)
        got = restored.call(x)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # Gradients of the deserialized function (serialized with vjp_order=1).
    ct = _r(*want.shape)
    got_g = jax.grad(lambda a: jnp.vdot(restored.call(a), ct))(x)
    want_g = jax.grad(lambda a: jnp.vdot(f(a), ct))(x)
    np.testing.assert_allclose(got_g, want_g, rtol=1e-5, atol=1e-5)


def test_export_kernel_gradient_with_symbolic_batch():
    """A training step's function: the kernel and bias are arguments too."""

    def loss(kernel, bias, x):
        return jnp.sum(jconv.conv_transpose(x, kernel, 2, "SAME", bias=bias) ** 2)

    step = jax.jit(jax.grad(loss, argnums=(0, 1)))
    batch = export.symbolic_shape("b")[0]
    exported = export.export(step)(
        jax.ShapeDtypeStruct(KT.shape, jnp.float32),
        jax.ShapeDtypeStruct(B4.shape, jnp.float32),
        jax.ShapeDtypeStruct((batch, 5, 4, 2), jnp.float32),
    )
    restored = export.deserialize(exported.serialize())
    x = _r(2, 5, 4, 2)
    for got, want in zip(restored.call(KT, B4, x), step(KT, B4, x)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("algorithm", ["auto", *jconv.ALGORITHMS])
def test_symbolic_spatial_sizes_are_a_clear_error(algorithm):
    spec = jax.ShapeDtypeStruct(export.symbolic_shape("b, h, w, 2"), jnp.float32)
    with pytest.raises(
        NotImplementedError,
        match=r"^jconv.conv_transpose: `x` has symbolic sizes \(h, w\) outside the batch "
        r"dimension; .*Export with a symbolic batch only",
    ):
        export.export(jax.jit(lambda x: jconv.conv_transpose(x, KT, 2, algorithm=algorithm)))(spec)
    with pytest.raises(NotImplementedError, match=r"^jconv.conv: `x` has symbolic sizes \(h, w\)"):
        export.export(jax.jit(lambda x: jconv.conv(x, K2)))(spec)
    kspec = jax.ShapeDtypeStruct(export.symbolic_shape("k, 3, 2, 4"), jnp.float32)
    with pytest.raises(
        NotImplementedError, match=r"^jconv.conv: `kernel` has symbolic sizes \(k\)"
    ):
        export.export(jax.jit(lambda k: jconv.conv(np.ones((1, 8, 8, 2), np.float32), k)))(kspec)


def test_export_layers_and_ported_functions():
    """The Flax and Equinox layers and a ported PyTorch layer export like the functions."""
    flax = pytest.importorskip("flax", reason="needs flax (pip install 'jconv[flax]')")
    pytest.importorskip("equinox", reason="needs equinox (pip install 'jconv[equinox]')")
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    import jconv.equinox
    import jconv.flax

    flax_layer = jconv.flax.ConvTranspose(2, 3, (3, 3), stride=2, rngs=flax.nnx.Rngs(0))
    eqx_layer = jconv.equinox.Conv(
        2, 3, (3, 3), padding=1, dtype=jnp.float32, key=jax.random.key(0)
    )
    fn, params = jconv.port.from_torch(torch.nn.Conv1d(2, 3, 3, padding="same"))
    cases = [
        (lambda x: flax_layer(x), (5, 4, 2)),
        (jax.vmap(eqx_layer), (2, 5, 4)),
        (lambda x: fn(params, x), (2, 7)),
    ]
    for f, per_example in cases:
        restored = _roundtrip(f, per_example)
        x = _r(3, *per_example)
        np.testing.assert_allclose(restored.call(x), f(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", jconv.layouts.__all__)
def test_export_layout_converters(name):
    """The kernel-layout converters export as the permutations they are."""
    f = getattr(jconv.layouts, name)
    spec = jax.ShapeDtypeStruct((3, 2, 4, 6), jnp.float32)
    restored = export.deserialize(export.export(jax.jit(f))(spec).serialize())
    k = _r(3, 2, 4, 6)
    np.testing.assert_array_equal(restored.call(k), f(k))


@pytest.mark.parametrize("name", ["torch_default", "glorot_uniform"])
def test_export_initializers(name):
    f = getattr(jconv.init, name)
    key = jax.random.key(0)
    init = jax.jit(lambda k: f(k, (3, 3, 4, 6)))
    restored = export.deserialize(
        export.export(init)(jax.ShapeDtypeStruct(key.shape, key.dtype)).serialize()
    )
    np.testing.assert_array_equal(restored.call(key), init(key))
    bilinear = jax.jit(lambda: jconv.init.bilinear_upsample(3, 2, ndim=2))
    restored = export.deserialize(export.export(bilinear)().serialize())
    np.testing.assert_array_equal(restored.call(), bilinear())
