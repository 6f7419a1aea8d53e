"""compat.torch's dtype decisions against live PyTorch 2.13 (CPU).

What PyTorch does, measured: ``input`` and ``weight`` must share one dtype; a
conv's bias must have it too. A transposed conv's reference kernel adds the
bias in place (``out.add_(bias)``): any bias whose promotion can be cast back to
the output's dtype is accepted (float32 bias on float64 input, float64 on
float32, int, bool) and the result keeps ``input``'s dtype, except for complex
inputs and, unless the batch is empty, 3-D. PyTorch's oneDNN path (float32,
depending on shape, groups and threads; bfloat16/float16 on CPUs that have
them) checks for equal types instead; compat follows the reference kernel, and
where torch took oneDNN the test checks that compat still accepts.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from compat import torch as ctorch

torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
torch.set_num_threads(1)

F = ctorch.nn.functional
FUNCTIONS = [f"conv{n}d" for n in (1, 2, 3)] + [f"conv_transpose{n}d" for n in (1, 2, 3)]
PAIRS = [
    ("float64", "float32"),
    ("float64", "float16"),
    ("float64", "int64"),
    ("float64", "bool"),
    ("float64", "complex128"),
    ("float32", "float64"),
    ("float32", "int32"),
    ("int64", "float32"),
    ("int64", "int32"),
    ("complex128", "float64"),
    ("float64", "float64"),
]


def _arrays(fn, x_dtype, b_dtype, batch):
    n = int(fn[-2])
    rng = np.random.default_rng(n)
    x = rng.standard_normal((batch, 2) + (4,) * n) * 3
    w = rng.standard_normal((2, 3) + (2,) * n) * 3  # conv: C_out 2, C_in 3 -> use its transpose
    if not fn.startswith("conv_transpose"):
        x, w = rng.standard_normal((batch, 3) + (4,) * n) * 3, w[:2]
    b = rng.standard_normal(3 if fn.startswith("conv_transpose") else 2) * 3
    if fn.startswith("conv") and not fn.startswith("conv_transpose"):
        w = rng.standard_normal((2, 3) + (2,) * n) * 3
    return x.astype(x_dtype), w.astype(x_dtype), b.astype(b_dtype)


def _torch(fn, x, w, b):
    t = [torch.from_numpy(np.ascontiguousarray(a)) for a in (x, w, b)]
    return getattr(torch.nn.functional, fn)(*t, stride=2).numpy()


@pytest.mark.parametrize("batch", [2, 0])
@pytest.mark.parametrize(("x_dtype", "b_dtype"), PAIRS, ids=[f"{x}-{b}" for x, b in PAIRS])
@pytest.mark.parametrize("fn", FUNCTIONS)
def test_bias_dtype_decision_result_dtype_and_values_match_torch(fn, x_dtype, b_dtype, batch):
    x, w, b = _arrays(fn, x_dtype, b_dtype, batch)
    try:
        expected = _torch(fn, x, w, b)
    except RuntimeError as e:
        if "MKLDNN" in str(e) and fn in ("conv_transpose1d", "conv_transpose2d"):
            # torch's oneDNN path; compat follows the reference kernel
            assert getattr(F, fn)(x, w, b, stride=2).dtype == np.float32
            return
        with pytest.raises(TypeError, match=rf"{fn}\(\): Input type \({x_dtype}\) and bias type"):
            jax.eval_shape(lambda x, w, b: getattr(F, fn)(x, w, b, stride=2), x, w, b)
        assert str(e)
        return
    got = jax.jit(lambda x, w, b: getattr(F, fn)(x, w, b, stride=2))(x, w, b)
    assert got.dtype == expected.dtype == np.dtype(x_dtype)
    assert got.shape == expected.shape
    tol = 1e-5 if x_dtype == "float32" else 1e-10
    np.testing.assert_allclose(np.asarray(got), expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_input_and_weight_dtypes_must_match_as_in_torch(fn):
    x, w, b = _arrays(fn, "float64", "float64", 1)
    for xd, wd in (("float64", "float32"), ("float32", "float64"), ("int64", "float64")):
        with pytest.raises(RuntimeError):
            _torch(fn, x.astype(xd), w.astype(wd), b.astype(xd))
        with pytest.raises(TypeError, match=rf"{fn}\(\): expected scalar type {xd} but found {wd}"):
            getattr(F, fn)(x.astype(xd), w.astype(wd), b.astype(xd), stride=2)


def test_float32_output_with_float64_bias_is_rounded_once_as_in_torch():
    # torch adds in float64 and rounds once; float32 + float32(bias) would round twice.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
    w = rng.standard_normal((2, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(2) + 1e-9
    once = {}
    for name, fn in (
        ("torch", _torch),
        ("compat", lambda *a: np.asarray(F.conv_transpose2d(*a, stride=2))),
    ):
        plain = fn("conv_transpose2d", x, w, 0 * b) if name == "torch" else fn(x, w, None)
        biased = fn("conv_transpose2d", x, w, b) if name == "torch" else fn(x, w, b)
        assert biased.dtype == np.float32
        once[name] = (plain.astype(np.float64) + b[:, None, None]).astype(np.float32)
        np.testing.assert_array_equal(biased, once[name])
    twice = once["compat"] != (plain + b.astype(np.float32)[:, None, None])
    assert twice.any()  # the case tells the two roundings apart
