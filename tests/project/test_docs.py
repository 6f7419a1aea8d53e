"""The documentation is current: docs/api.md matches the docstrings, and the
public names are the ones we mean to publish (a snapshot)."""

import importlib
import pathlib
import sys

import jconv

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_api_reference_is_current():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        make_api = importlib.import_module("make_api")
    finally:
        sys.path.pop(0)
    committed = (ROOT / "docs" / "api.md").read_text()
    assert committed == make_api.render(), "docs/api.md is stale: run python docs/make_api.py"


def test_changelog_mentions_this_version():
    assert f"## {jconv.__version__}" in (ROOT / "CHANGELOG.md").read_text()


PUBLIC = {
    "jconv": [
        "ALGORITHMS",
        "__version__",
        "conv",
        "conv_transpose",
        "depth_to_space",
        "init",
        "layouts",
        "port",
        "resize_conv",
        "shapes",
        "space_to_depth",
    ],
    "jconv.init": [
        "Initializer",
        "bilinear_upsample",
        "glorot_uniform",
        "torch_default",
        "torch_default_bias",
    ],
    "jconv.port": ["from_keras", "from_onnx", "from_torch"],
    "jconv.flax": ["Conv", "ConvTranspose"],
    "jconv.equinox": ["Conv", "ConvTranspose"],
    "jconv.shapes": [
        "MAX_ARRAY_BYTES",
        "conv_output_shape",
        "conv_output_size",
        "effective_kernel_size",
        "resolve_padding",
        "same_padding",
        "transpose_output_shape",
        "transpose_output_shapes",
        "transpose_output_size",
        "transpose_output_sizes",
    ],
    "jconv.layouts": [
        f"{direction}_{name}"
        for direction in ("from", "to")
        for name in (
            "equinox_conv_transpose",
            "flax_conv_transpose",
            "haiku_conv_transpose",
            "keras_conv_transpose",
            "lhs_dilated",
            "onnx_conv",
            "onnx_conv_transpose",
            "torch_conv",
            "torch_conv_transpose",
        )
    ],
    "jconv.viz": ["COLORS", "Drawing", "animate", "diagram", "shaded"],
    "compat": ["tf", "torch"],
    "compat.tf": [
        "bfloat16",
        "compat",
        "constant",
        "errors",
        "float16",
        "float32",
        "float64",
        "int32",
        "int64",
        "nn",
        "ones",
        "zeros",
    ],
    "compat.tf.nn": [
        "atrous_conv2d",
        "atrous_conv2d_transpose",
        "conv1d",
        "conv1d_transpose",
        "conv2d",
        "conv2d_transpose",
        "conv3d",
        "conv3d_transpose",
        "conv_transpose",
        "convolution",
        "depthwise_conv2d",
    ],
    "compat.torch.nn.functional": [
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
    ],
}


def test_public_names_snapshot():
    for module_name, names in PUBLIC.items():
        module = importlib.import_module(module_name)
        assert sorted(module.__all__) == sorted(names), module_name
        for name in names:
            assert hasattr(module, name), f"{module_name}.{name}"


def test_tf_compat_v1_names():
    from compat import tf

    assert set(tf.nn.__all__) | {"conv2d_backprop_input", "depthwise_conv2d_native"} == set(
        vars(tf.compat.v1.nn)
    )


def test_algorithms_snapshot():
    assert jconv.ALGORITHMS == ("lhs_dilation", "phase", "hybrid")


def test_no_any_in_public_signatures():
    """Public jconv functions say what they take: jax.typing.ArrayLike, Literal names."""
    import inspect

    import jconv.equinox
    import jconv.flax
    import jconv.viz

    modules = (jconv, jconv.shapes, jconv.layouts, jconv.viz, jconv.init, jconv.port)
    for module in (*modules, jconv.flax, jconv.equinox):
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type) and module in (jconv.flax, jconv.equinox):
                for method in (obj.__init__, obj.__call__):  # a layer's constructor and call
                    signature = str(inspect.signature(method))
                    assert "Any" not in signature, f"{module.__name__}.{name}{signature}"
            elif callable(obj) and not isinstance(obj, type):
                signature = str(inspect.signature(obj))
                assert "Any" not in signature, f"{module.__name__}.{name}{signature}"


def test_import_jconv_needs_no_optional_package():
    """``import jconv`` (and jconv.port, jconv.init) loads none of the optional extras."""
    import subprocess
    import sys

    code = (
        "import sys, jconv, jconv.port, jconv.init; "
        "print([m for m in ('flax', 'equinox', 'optax', 'torch', 'keras', 'tensorflow', "
        "'onnx', 'onnxruntime', 'matplotlib', 'PIL') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
