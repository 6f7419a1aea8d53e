"""``depth_to_space`` / ``space_to_depth`` against TensorFlow, PyTorch, ONNX Runtime and the
cell-by-cell NumPy oracle of ``tests.upsampling``: every rank, layout and order,
round trips, gradients, transforms, dtypes and every raise site."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

from jconv._upsampling import depth_to_space, space_to_depth
from tests import upsampling as oracle
from tests.upsampling import normal

SEEDS = (0, 1, 2)
FORMATS = {  # data_format spellings for (ndim, channels_last)
    (1, True): "NWC",
    (2, True): "NHWC",
    (3, True): "NDHWC",
    (1, False): "NCW",
    (2, False): "NCHW",
    (3, False): "NCDHW",
}


def _case(seed: int, ndim: int, square: bool = False):
    """A random coarse spatial size, block (each 1 to 3, or one 2-3 for all), channels, batch."""
    rng = np.random.default_rng(seed * 10 + ndim)
    if square:
        block = (int(rng.integers(2, 4)),) * ndim
    else:
        block = tuple(int(v) for v in rng.integers(1, 4, ndim))
    spatial = tuple(int(v) for v in rng.integers(1, 4 if ndim < 3 else 3, ndim))
    return int(rng.integers(1, 3)), spatial, block, int(rng.integers(1, 4))


def _depth_shape(batch, spatial, channels, channels_last):
    return (batch, *spatial, channels) if channels_last else (batch, channels, *spatial)


# ---------------------------------------------------------------------------
# Against the frameworks.


@pytest.mark.parametrize("seed", SEEDS)
def test_tensorflow_nhwc_dcr(seed):
    tf = pytest.importorskip("tensorflow", reason="needs tensorflow (pip install -e .[test])")
    batch, spatial, block, c = _case(seed, 2, square=True)
    b = block[0]
    x = normal(seed, (batch, *spatial, c * b * b))
    want = tf.nn.depth_to_space(x, b).numpy()
    np.testing.assert_array_equal(depth_to_space(x, b), want)
    np.testing.assert_array_equal(depth_to_space(x, b, data_format="NHWC", order="DCR"), want)
    y = normal(seed + 1, (batch, *(s * b for s in spatial), c))
    np.testing.assert_array_equal(space_to_depth(y, b), tf.nn.space_to_depth(y, b).numpy())
    np.testing.assert_array_equal(space_to_depth(y, [b, b]), tf.nn.space_to_depth(y, b).numpy())


@pytest.mark.parametrize("seed", SEEDS)
def test_torch_pixel_shuffle_nchw_crd(seed):
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    functional = torch.nn.functional
    batch, spatial, block, c = _case(seed, 2, square=True)
    b = block[0]
    x = normal(seed, (batch, c * b * b, *spatial))
    want = functional.pixel_shuffle(torch.tensor(x), b).numpy()
    got = depth_to_space(x, b, data_format="channels_first", order="CRD")
    np.testing.assert_array_equal(got, want)
    y = normal(seed + 1, (batch, c, *(s * b for s in spatial)))
    want = functional.pixel_unshuffle(torch.tensor(y), b).numpy()
    np.testing.assert_array_equal(space_to_depth(y, b, data_format="NCHW", order="CRD"), want)


def _onnx_run(op: str, x: np.ndarray, block: int, mode: str | None) -> np.ndarray:
    onnx = pytest.importorskip("onnx", reason="needs onnx (pip install -e .[test])")
    ort = pytest.importorskip("onnxruntime", reason="needs onnxruntime (pip install -e .[test])")
    helper = onnx.helper
    attrs = {"blocksize": block} | ({"mode": mode} if mode else {})
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    graph = helper.make_graph(
        [node],
        op,
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [None] * x.ndim)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mode", ["DCR", "CRD"])
def test_onnx_depth_to_space_both_modes(seed, mode):
    batch, spatial, block, c = _case(seed, 2, square=True)
    b = block[0]
    x = normal(seed, (batch, c * b * b, *spatial), np.float32)
    want = _onnx_run("DepthToSpace", x, b, mode)
    np.testing.assert_array_equal(depth_to_space(x, b, data_format="NCHW", order=mode), want)
    # ONNX's SpaceToDepth has the DCR order only.
    if mode == "DCR":
        y = normal(seed + 1, (batch, c, *(s * b for s in spatial)), np.float32)
        want = _onnx_run("SpaceToDepth", y, b, None)
        np.testing.assert_array_equal(space_to_depth(y, b, data_format="NCHW"), want)


# ---------------------------------------------------------------------------
# Every rank, layout and order against the cell-by-cell oracle.


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("order", ["DCR", "CRD"])
@pytest.mark.parametrize("channels_last", [True, False])
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_oracle_every_rank_layout_order(ndim, channels_last, order, seed):
    batch, spatial, block, c = _case(seed, ndim)
    p = math.prod(block)
    x = normal(seed, _depth_shape(batch, spatial, c * p, channels_last))
    fmt = FORMATS[ndim, channels_last]
    layout = "channels_last" if channels_last else "channels_first"
    want = oracle.depth_to_space(x, block, channels_last=channels_last, order=order)
    for data_format in (fmt, layout, None if channels_last else fmt):
        got = depth_to_space(x, block, data_format=data_format, order=order)
        np.testing.assert_array_equal(got, want)
    fine = tuple(s * b for s, b in zip(spatial, block))
    y = normal(seed + 1, _depth_shape(batch, fine, c, channels_last))
    want = oracle.space_to_depth(y, block, channels_last=channels_last, order=order)
    np.testing.assert_array_equal(space_to_depth(y, block, data_format=fmt, order=order), want)


@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
def test_block_one_is_identity_and_4d_follows_the_oracle(ndim):
    x = normal(ndim, (2, *(2,) * ndim, 6))
    np.testing.assert_array_equal(depth_to_space(x, 1), x)
    np.testing.assert_array_equal(space_to_depth(x, [1] * ndim, order="CRD"), x)
    block = (2, 1, 3, 1)[:ndim]
    p = math.prod(block)
    x = normal(ndim, (1, 2 * p, *(2,) * ndim))
    for order in ("DCR", "CRD"):
        want = oracle.depth_to_space(x, block, channels_last=False, order=order)
        got = depth_to_space(x, block, data_format="channels_first", order=order)
        np.testing.assert_array_equal(got, want)


def test_orders_differ_and_layouts_agree():
    """DCR and CRD differ once both channels and a block exceed 1; the layouts agree up to
    moving the channel axis."""
    x = normal(3, (2, 3, 2, 12))
    assert not np.array_equal(depth_to_space(x, 2), depth_to_space(x, 2, order="CRD"))
    for order in ("DCR", "CRD"):
        last = depth_to_space(x, (2, 1), order=order)
        first = depth_to_space(np.moveaxis(x, -1, 1), (2, 1), data_format="NCHW", order=order)
        np.testing.assert_array_equal(np.moveaxis(np.asarray(first), 1, -1), last)


# ---------------------------------------------------------------------------
# Inverse, gradients, transforms, dtypes.


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_round_trips(ndim, seed):
    batch, spatial, block, c = _case(seed, ndim)
    for channels_last in (True, False):
        fmt = FORMATS[ndim, channels_last]
        for order in ("DCR", "CRD"):
            kw = {"data_format": fmt, "order": order}
            x = normal(seed, _depth_shape(batch, spatial, c * math.prod(block), channels_last))
            np.testing.assert_array_equal(
                space_to_depth(depth_to_space(x, block, **kw), block, **kw), x
            )
            fine = tuple(s * b for s, b in zip(spatial, block))
            y = normal(seed, _depth_shape(batch, fine, c, channels_last))
            np.testing.assert_array_equal(
                depth_to_space(space_to_depth(y, block, **kw), block, **kw), y
            )


@pytest.mark.parametrize("channels_last", [True, False])
@pytest.mark.parametrize("order", ["DCR", "CRD"])
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_gradient_is_the_inverse_permutation_of_the_cotangent(ndim, order, channels_last):
    batch, spatial, block, c = _case(7, ndim)
    kw = {"data_format": FORMATS[ndim, channels_last], "order": order}
    ol = {"channels_last": channels_last, "order": order}
    x = normal(1, _depth_shape(batch, spatial, c * math.prod(block), channels_last))
    out, vjp = jax.vjp(lambda a: depth_to_space(a, block, **kw), x)
    cot = normal(2, out.shape)
    np.testing.assert_array_equal(vjp(cot)[0], oracle.space_to_depth(cot, block, **ol))
    grad = jax.grad(lambda a: jnp.vdot(depth_to_space(a, block, **kw), cot))(x)
    np.testing.assert_array_equal(grad, oracle.space_to_depth(cot, block, **ol))
    out, vjp = jax.vjp(lambda a: space_to_depth(a, block, **kw), np.asarray(out))
    cot = normal(3, out.shape)
    np.testing.assert_array_equal(vjp(cot)[0], oracle.depth_to_space(cot, block, **ol))


def test_jit_vmap_and_linear_transpose():
    x = normal(4, (2, 3, 2, 2, 8))
    block = (2, 1, 2)
    want = oracle.depth_to_space(x, block, order="CRD")
    f = jax.jit(lambda a: depth_to_space(a, block, order="CRD"))
    np.testing.assert_array_equal(f(x), want)
    np.testing.assert_array_equal(jax.vmap(f)(x[None])[0], want)
    batched = jax.vmap(lambda a: depth_to_space(a, block, data_format="NCDHW"), in_axes=2)
    xs = normal(5, (2, 8, 3, 3, 2, 2))  # the mapped axis is 2
    got = batched(xs)
    for i in range(3):
        np.testing.assert_array_equal(
            got[i], oracle.depth_to_space(xs[:, :, i], block, channels_last=False)
        )
    y = normal(6, want.shape)
    (t,) = jax.linear_transpose(lambda a: depth_to_space(a, block, order="CRD"), x)(y)
    np.testing.assert_array_equal(t, oracle.space_to_depth(y, block, order="CRD"))


@pytest.mark.parametrize(
    "dtype", [np.bool_, np.int8, np.uint32, np.int64, ml_dtypes.bfloat16, np.float16, np.complex64]
)
def test_every_dtype_is_moved_exactly(dtype):
    x = (normal(8, (2, 2, 3, 12)) * 50).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * x[::-1].astype(dtype)
    got = depth_to_space(x, (2, 3), order="CRD")
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, oracle.depth_to_space(x, (2, 3), order="CRD"))
    back = space_to_depth(got, (2, 3), order="CRD")
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back, x)


def test_empty_batch_and_channels_and_symbolic_batch():
    assert depth_to_space(np.zeros((0, 2, 3, 4)), 2).shape == (0, 4, 6, 1)
    assert depth_to_space(np.zeros((1, 2, 3, 0)), (2, 5)).shape == (1, 4, 15, 0)
    assert space_to_depth(np.zeros((1, 0, 4, 3)), 2).shape == (1, 0, 2, 12)
    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("b, 8, 3"), jnp.float32)
    exported = jax.export.export(jax.jit(lambda a: depth_to_space(a, 4, data_format="NCW")))(spec)
    x = normal(9, (5, 8, 3), np.float32)
    want = oracle.depth_to_space(x, (4,), channels_last=False)
    np.testing.assert_array_equal(exported.call(x), want)
    exported = jax.export.export(jax.jit(lambda a: space_to_depth(a, 4, data_format="NCW")))(
        jax.ShapeDtypeStruct(jax.export.symbolic_shape("b, 2, 12"), jnp.float32)
    )
    np.testing.assert_array_equal(exported.call(want), x)


# ---------------------------------------------------------------------------
# Every raise site.

FNS = [depth_to_space, space_to_depth]


@pytest.mark.parametrize("fn", FNS)
def test_error_x_not_an_array(fn):
    with pytest.raises(TypeError, match=r"`x` must be an array"):
        fn("not an array", 2)


@pytest.mark.parametrize("fn", FNS)
def test_error_rank(fn):
    with pytest.raises(
        ValueError, match=r"jconv\.\w+: `x` must have shape .* rank >= 3; .*\(2, 4\)"
    ):
        fn(np.zeros((2, 4)), 2)


@pytest.mark.parametrize("fn", FNS)
def test_error_data_format(fn):
    with pytest.raises(ValueError, match=r"`data_format` must be one of .* data_format='NHCW'"):
        fn(np.zeros((1, 4, 4, 4)), 2, data_format="NHCW")
    with pytest.raises(ValueError, match=r"data_format='NCW' is for 1 spatial"):
        fn(np.zeros((1, 4, 4, 4)), 2, data_format="NCW")
    with pytest.raises(TypeError, match=r"`data_format` must be a string or None"):
        fn(np.zeros((1, 4, 4, 4)), 2, data_format=2)


@pytest.mark.parametrize("fn", FNS)
def test_error_block_size(fn):
    x = np.zeros((1, 4, 4, 4))
    with pytest.raises(ValueError, match=r"every entry of `block_size` must be positive; .*=0"):
        fn(x, 0)
    with pytest.raises(
        ValueError, match=r"every entry of `block_size` must be positive; .*\[2, -1\]"
    ):
        fn(x, [2, -1])
    with pytest.raises(ValueError, match=r"`block_size` must be an int or a sequence of 2 ints"):
        fn(x, (2, 2, 2))
    with pytest.raises(TypeError, match=r"`block_size` must be an int; received block_size=2.0"):
        fn(x, 2.0)
    with pytest.raises(TypeError, match=r"`block_size` must be a static Python int"):
        jax.jit(lambda b: fn(x, b))(2)


@pytest.mark.parametrize("fn", FNS)
def test_error_order(fn):
    x = np.zeros((1, 4, 4, 4))
    with pytest.raises(ValueError, match=r"`order` must be 'DCR' .* or 'CRD' .*order='dcr'"):
        fn(x, 2, order="dcr")
    with pytest.raises(TypeError, match=r"`order` must be the string 'DCR' or 'CRD'; .*=None"):
        fn(x, 2, order=None)


def test_error_channels_not_divisible():
    with pytest.raises(
        ValueError,
        match=r"depth_to_space: the channel count of `x` \(=6, axis 3\) must be divisible by the "
        r"product of `block_size` \(=4 for block_size=2\); received x.shape=\(1, 3, 3, 6\)\.$",
    ):
        depth_to_space(np.zeros((1, 3, 3, 6)), 2)
    with pytest.raises(ValueError, match=r"\(=9, axis 1\) .* \(=6 for block_size=\[2, 3\]\)"):
        depth_to_space(np.zeros((1, 9, 3, 4)), [2, 3], data_format="NCHW")
    # Channels-first data passed without data_format: the hint names it.
    with pytest.raises(
        ValueError, match=r"axis 1 has 8 channels\), pass data_format='channels_first'"
    ):
        depth_to_space(np.zeros((1, 8, 3, 3)), 2)


def test_error_spatial_not_divisible():
    with pytest.raises(
        ValueError,
        match=r"space_to_depth: every spatial size of `x` must be divisible by its `block_size`; "
        r"spatial dimension 1 \(axis 2\) has size 5 and block 2 \(block_size=2, x.shape=\(1, 4, 5, 3\)\)",
    ):
        space_to_depth(np.zeros((1, 4, 5, 3)), 2)
    with pytest.raises(ValueError, match=r"spatial dimension 0 \(axis 2\) has size 4 and block 3"):
        space_to_depth(np.zeros((1, 3, 4, 6)), (3, 2), data_format="channels_first")


def test_error_sizes_beyond_int64():
    big = 2**61
    with pytest.raises(
        ValueError,
        match=r"depth_to_space: the output would have shape \(1, 4611686018427387904, 2, 0\)",
    ):
        depth_to_space(np.zeros((1, 2, 2, 0)), (big, 1))
    with pytest.raises(
        ValueError, match=r"space_to_depth: the output would have shape .* 2\*\*62 or more"
    ):
        space_to_depth(np.zeros((1, 0, 0, 3)), big)


@pytest.mark.parametrize("fn", FNS)
def test_error_symbolic_spatial_size(fn):
    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("b, w, 8"), jnp.float32)
    with pytest.raises(
        NotImplementedError, match=r"`x` has symbolic sizes \(w\) outside the batch"
    ):
        jax.export.export(jax.jit(lambda a: fn(a, 2)))(spec)
