"""jconv.port.from_onnx against onnxruntime on one-node models: values, gradients, errors.

ONNX Runtime 1.32 follows the spec's SAME_UPPER/SAME_LOWER split for
``ConvTranspose`` (the odd unit of padding at the end for SAME_UPPER), which
older runtimes swapped; ``test_same_upper_and_lower_split_as_the_spec_says``
pins it. Where the spec's equations give a negative total padding, the port
follows ONNX Runtime (no padding, the extra cells at the end); only the output
size of ``SAME`` with a kernel smaller than the stride differs, where the port
keeps the spec's ``input * stride`` (see ``test_same_with_kernel_below_stride``).
"""

from __future__ import annotations

import jax
import jax.test_util
import numpy as np
import pytest

import jconv.port
from tests import tolerances

onnx = pytest.importorskip("onnx", reason="needs onnx (pip install -e .[test])")
ort = pytest.importorskip("onnxruntime", reason="needs onnxruntime (pip install -e .[test])")
helper, numpy_helper = onnx.helper, onnx.numpy_helper
ORT_INVALID = ort.capi.onnxruntime_pybind11_state.InvalidArgument


def _ort(node, x, initializers):
    """Runs ``node`` alone in a model whose initializers are ``initializers``."""
    elem = helper.np_dtype_to_tensor_dtype(x.dtype)
    graph = helper.make_graph(
        [node],
        "port",
        [helper.make_tensor_value_info(node.input[0], elem, x.shape)],
        [helper.make_tensor_value_info(node.output[0], elem, None)],
        [numpy_helper.from_array(v, k) for k, v in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    return session.run(None, {node.input[0]: x})[0]


def _compare(node, x, initializers):
    fn, params = jconv.port.from_onnx(node, initializers)
    expected = _ort(node, x, initializers)
    got = jax.jit(fn)(params, x)
    tolerances.assert_close(got, expected, scale="max", err_msg=str(node))
    return fn, params


def _ints(rng, low, high, n):
    return [int(v) for v in rng.integers(low, high, n)]


def _conv_case(rng, n, seed):
    g = int(rng.integers(1, 3))
    c, m = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    k, s, d = _ints(rng, 1, 4, n), _ints(rng, 1, 3, n), _ints(rng, 1, 3, n)
    attrs = {"strides": s, "dilations": d, "group": g}
    auto_pad = ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"][seed % 4]
    if auto_pad.startswith("SAME"):  # ONNX Runtime refuses SAME with dilation (see below)
        d = [1] * n
        attrs["dilations"] = d
    if auto_pad == "NOTSET":
        attrs["pads"] = _ints(rng, 0, 3, 2 * n)
    else:
        attrs["auto_pad"] = auto_pad
    if rng.integers(0, 2):
        attrs["kernel_shape"] = k
    w = rng.standard_normal((m, c // g, *k)).astype(np.float32)
    inits = {"W": w}
    inputs = ["X", "W"]
    if rng.integers(0, 2):
        inits["B"] = rng.standard_normal(m).astype(np.float32)
        inputs.append("B")
    node = helper.make_node("Conv", inputs, ["Y"], **attrs)
    size = [di * (ki - 1) + 1 + int(rng.integers(0, 4)) for ki, di in zip(k, d)]
    x = rng.standard_normal((int(rng.integers(1, 3)), c, *size)).astype(np.float32)
    return node, x, inits


def _transpose_case(rng, n, seed):
    g = int(rng.integers(1, 3))
    c, m = g * int(rng.integers(1, 3)), g * int(rng.integers(1, 3))
    k, s, d = _ints(rng, 1, 5, n), _ints(rng, 1, 4, n), _ints(rng, 1, 3, n)
    size = _ints(rng, 1, 4, n)
    extra = [int(rng.integers(0, si)) for si in s]  # ONNX Runtime: below the stride (see below)
    attrs = {"strides": s, "dilations": d, "group": g}
    mode = seed % 6
    full = [(i - 1) * si + di * (ki - 1) + 1 for i, si, di, ki in zip(size, s, d, k)]
    if mode == 0:  # explicit pads (leaving at least one cell), output_padding
        lo = [int(rng.integers(0, min(2, f))) for f in full]
        hi = [int(rng.integers(0, min(2, f - a))) for f, a in zip(full, lo)]
        attrs["pads"] = lo + hi
        attrs["output_padding"] = extra
    elif mode == 1:
        attrs["auto_pad"] = "VALID"
        attrs["output_padding"] = extra
    elif mode in (2, 3):  # SAME; the spec's size i * s needs kernel + output_padding >= stride
        attrs["auto_pad"] = "SAME_UPPER" if mode == 2 else "SAME_LOWER"
        k = [max(ki, -(-si // di) + 1) for ki, si, di in zip(k, s, d)]
        attrs["output_padding"] = extra
    else:  # output_shape, which overrides pads, around the unpadded size
        attrs["auto_pad"] = ["NOTSET", "SAME_UPPER"][mode - 4]
        if mode == 4:
            attrs["pads"] = _ints(rng, 0, 3, 2 * n)  # ignored
        # from a few below the unpadded size to the largest reachable one
        attrs["output_shape"] = [max(1, f + int(rng.integers(-3, si))) for f, si in zip(full, s)]
    w = rng.standard_normal((c, m // g, *k)).astype(np.float32)
    inits = {"W": w}
    inputs = ["X", "W"]
    if rng.integers(0, 2):
        inits["B"] = rng.standard_normal(m).astype(np.float32)
        inputs.append("B")
    node = helper.make_node("ConvTranspose", inputs, ["Y"], **attrs)
    x = rng.standard_normal((int(rng.integers(1, 3)), c, *size)).astype(np.float32)
    return node, x, inits


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_conv_matches_onnxruntime(n, seed):
    _compare(*_conv_case(np.random.default_rng([40 + n, seed]), n, seed))


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_conv_transpose_matches_onnxruntime(n, seed):
    _compare(*_transpose_case(np.random.default_rng([50 + n, seed]), n, seed))


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
@pytest.mark.parametrize("output_shape", [None, [6], [5]])
def test_same_upper_and_lower_split_as_the_spec_says(auto_pad, output_shape):
    """Kernel 3, stride 2, input 3: an odd total padding goes at the end for SAME_UPPER."""
    x = np.array([[[1.0, 0.0, 10.0]]], np.float32)
    w = np.array([[[1.0, 2.0, 3.0]]], np.float32)
    attrs = {"strides": [2], "auto_pad": auto_pad}
    if output_shape:
        attrs["output_shape"] = output_shape
    node = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], **attrs)
    fn, params = _compare(node, x, {"W": w})
    if output_shape is None:  # the spec's equations, worked by hand: total padding 1
        want = [1, 2, 3, 0, 10, 20] if auto_pad == "SAME_UPPER" else [2, 3, 0, 10, 20, 30]
        np.testing.assert_array_equal(fn(params, x)[0, 0], want)


def test_same_with_kernel_below_stride():
    """Kernel 1, stride 3: the spec's total padding is negative. The port gives the spec's
    size i * s with the extra cells at the end, as ONNX Runtime does when that size is
    requested with output_shape (its SAME alone drops them and returns 7 cells)."""
    x = np.array([[[1.0, 0.0, 10.0]]], np.float32)
    w = np.array([[[2.0]]], np.float32)
    same = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], strides=[3], auto_pad="SAME_UPPER")
    sized = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], strides=[3], output_shape=[9])
    fn, params = jconv.port.from_onnx(same, {"W": w})
    got = fn(params, x)
    assert got.shape == (1, 1, 9)
    np.testing.assert_array_equal(got, _ort(sized, x, {"W": w}))
    assert _ort(same, x, {"W": w}).shape == (1, 1, 7)


def _reference(node, x, initializers):
    """The onnx package's reference evaluator: the spec's own Python implementation."""
    from onnx.reference import ReferenceEvaluator

    elem = helper.np_dtype_to_tensor_dtype(x.dtype)
    graph = helper.make_graph(
        [node],
        "port",
        [helper.make_tensor_value_info("X", elem, x.shape)],
        [helper.make_tensor_value_info("Y", elem, None)],
        [numpy_helper.from_array(v, k) for k, v in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    return ReferenceEvaluator(model).run(None, {"X": x})[0]


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_conv_same_with_dilation_follows_the_spec(auto_pad):
    """ONNX Runtime refuses SAME with dilation; the spec defines it (the reference evaluator)."""
    rng = np.random.default_rng(12)
    node = helper.make_node(
        "Conv", ["X", "W"], ["Y"], auto_pad=auto_pad, dilations=[2, 3], strides=[1, 2]
    )
    inits = {"W": rng.standard_normal((3, 2, 2, 3)).astype(np.float32)}
    x = rng.standard_normal((1, 2, 6, 7)).astype(np.float32)
    with pytest.raises(ORT_INVALID, match="Dilation not supported for AutoPadType::SAME"):
        _ort(node, x, inits)
    fn, params = jconv.port.from_onnx(node, inits)
    tolerances.assert_close(fn(params, x), _reference(node, x, inits), scale="max")


def test_output_padding_between_stride_and_dilation_follows_the_spec():
    """The spec (and PyTorch) allow output_padding < max(stride, dilation); ONNX Runtime only
    < stride. PyTorch's conv_transpose computes the same scatter."""
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    rng = np.random.default_rng(13)
    node = helper.make_node(
        "ConvTranspose", ["X", "W"], ["Y"], dilations=[3], output_padding=[2], pads=[1, 1]
    )
    w = rng.standard_normal((2, 3, 2)).astype(np.float32)
    x = rng.standard_normal((1, 2, 4)).astype(np.float32)
    with pytest.raises(ORT_INVALID, match=r"output_padding .* may be too large"):
        _ort(node, x, {"W": w})
    fn, params = jconv.port.from_onnx(node, {"W": w})
    expected = torch.nn.functional.conv_transpose1d(
        torch.tensor(x), torch.tensor(w), padding=1, output_padding=2, dilation=3
    )
    tolerances.assert_close(fn(params, x), expected.numpy(), scale="max")


def test_output_shape_past_the_reachable_sizes_is_refused_like_onnxruntime():
    w = np.ones((1, 1, 3), np.float32)
    x = np.ones((1, 1, 3), np.float32)
    node = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], strides=[2], output_shape=[9])
    with pytest.raises(ORT_INVALID, match="output_shape is inconsistent"):
        _ort(node, x, {"W": w})
    fn, params = jconv.port.from_onnx(node, {"W": w})
    with pytest.raises(ValueError, match=r"output_shape\[0\]=9 is larger than 8.*Pass at most 8"):
        fn(params, x)
    ok = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], strides=[2], output_shape=[8])
    _compare(ok, x, {"W": w})


def test_tensorproto_initializers_and_absent_bias():
    rng = np.random.default_rng(8)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    node = helper.make_node("Conv", ["X", "W", ""], ["Y"], pads=[1, 0, 2, 1])  # B left out
    fn, params = jconv.port.from_onnx(node, {"W": numpy_helper.from_array(w, "W")})
    assert set(params) == {"kernel"}
    tolerances.assert_close(fn(params, x), _ort(node, x, {"W": w}), scale="max")


def test_float64_gradients_and_vmap():
    rng = np.random.default_rng(9)
    node = helper.make_node(
        "ConvTranspose", ["X", "W", "B"], ["Y"], strides=[2, 1], group=2, output_padding=[1, 0]
    )
    inits = {"W": rng.standard_normal((4, 1, 2, 3)), "B": rng.standard_normal(2)}
    fn, params = jconv.port.from_onnx(node, inits)
    assert params["kernel"].dtype == np.float64
    x = rng.standard_normal((2, 4, 3, 3))
    jax.test_util.check_grads(fn, (params, x), order=1, modes=["rev"])
    batched = jax.vmap(fn, in_axes=(None, 0))(params, x[:, None])[:, 0]
    tolerances.assert_close(batched, fn(params, x))


# ---------------------------------------------------------------------------
# Every raise site.

W2 = np.zeros((2, 2, 3, 3), np.float32)


def _conv(inputs=("X", "W"), op="Conv", **attrs):
    return helper.make_node(op, list(inputs), ["Y"], **attrs)


def test_type_errors():
    with pytest.raises(TypeError, match=r"from_onnx: `node` must be an onnx.NodeProto.*str"):
        jconv.port.from_onnx("Conv", {"W": W2})
    with pytest.raises(TypeError, match=r"from_onnx\(Conv\): `initializers` must be a mapping"):
        jconv.port.from_onnx(_conv(), [W2])
    with pytest.raises(TypeError, match=r"initializers\['W'\] \(W\) must be a NumPy array"):
        jconv.port.from_onnx(_conv(), {"W": "weights"})
    with pytest.raises(TypeError, match=r"`W` must have a numeric dtype; received W.dtype=bool"):
        jconv.port.from_onnx(_conv(), {"W": W2 > 0})


@pytest.mark.parametrize(
    ("node", "match"),
    [
        (_conv(op="QLinearConv"), r"the 'QLinearConv' operator is not supported"),
        (_conv(op="Relu"), r"the 'Relu' operator is not supported"),
        (
            helper.make_node("Conv", ["X", "W"], ["Y"], domain="com.microsoft"),
            r"'Conv' operator of domain 'com.microsoft' is not supported",
        ),
    ],
)
def test_unsupported_operators(node, match):
    with pytest.raises(NotImplementedError, match=match):
        jconv.port.from_onnx(node, {"W": W2})


@pytest.mark.parametrize(
    ("node", "inits", "match"),
    [
        (_conv(inputs=("X",)), {"W": W2}, r"inputs X, W and optionally B; received inputs \['X'\]"),
        (_conv(inputs=("X", "W", "B", "Z")), {"W": W2}, r"received inputs \['X', 'W', 'B', 'Z'\]"),
        (_conv(), {}, r"no entry for the node's W input 'W'"),
        (_conv(inputs=("X", "W", "B")), {"W": W2}, r"no entry for the node's B input 'B'"),
        (
            _conv(inputs=("X", "W", "B")),
            {"W": W2, "B": np.zeros(3, np.float32)},
            r"B must have shape \(M,\) = \(2,\).*B.shape=\(3,\)",
        ),
        (
            _conv(op="ConvTranspose", inputs=("X", "W", "B"), group=2),
            {"W": W2, "B": np.zeros(2, np.float32)},
            r"B must have shape \(M,\) = \(4,\)",
        ),
        (_conv(padding=[1, 1]), {"W": W2}, r"unknown attribute 'padding'; Conv takes auto_pad"),
        (_conv(output_shape=[4, 4]), {"W": W2}, r"unknown attribute 'output_shape'"),
        (_conv(), {"W": np.zeros((2, 2), np.float32)}, r"at least one spatial axis.*\(2, 2\)"),
        (_conv(kernel_shape=[3, 2]), {"W": W2}, r"`kernel_shape` must match W's spatial shape"),
        (_conv(strides=[1, 1, 1]), {"W": W2}, r"`strides` must be an int or a sequence of 2"),
        (_conv(dilations=[0, 1]), {"W": W2}, r"every entry of `dilations` must be positive"),
        (_conv(group=0), {"W": W2}, r"`group` must be a positive int; received group=0"),
        (_conv(auto_pad="SAME"), {"W": W2}, r"`auto_pad` must be one of NOTSET, SAME_UPPER"),
        (_conv(auto_pad="VALID", pads=[0, 0, 0, 0]), {"W": W2}, r"`pads` cannot be used with"),
        (_conv(pads=[1, 1]), {"W": W2}, r"`pads` must list 4 ints \(the begins"),
        (_conv(pads=[1, -1, 1, 1]), {"W": W2}, r"every entry of `pads` must be >= 0"),
        (
            _conv(op="ConvTranspose", strides=[2, 2], output_padding=[2, 0]),
            {"W": W2},
            r"output_padding\[0\]=2 must be smaller than the stride \(2\) or the dilation \(1\)",
        ),
        (
            _conv(op="ConvTranspose", output_shape=[1, 2, 5, 5]),
            {"W": W2},
            r"`output_shape` must list the 2 spatial sizes \(no batch or channel",
        ),
        (
            _conv(op="ConvTranspose", output_shape=[0, 5]),
            {"W": W2},
            r"every entry of `output_shape` must be positive",
        ),
    ],
)
def test_bad_nodes(node, inits, match):
    with pytest.raises(ValueError, match=match):
        jconv.port.from_onnx(node, inits)
