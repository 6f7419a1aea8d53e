"""Dtypes: every float width, complex and int32 against the float64 oracle;
preferred_element_type; NaN/Inf propagation; run-to-run determinism."""

import jax.numpy as jnp
import numpy as np
import pytest

import jconv
from tests import oracle, tolerances

ALGORITHMS = ("auto", *jconv.ALGORITHMS)

DTYPES = [*tolerances.TOLERANCES, np.dtype(np.int32)]  # every float width, complex, int

CASES = [
    # ndim, stride, padding, dilation, groups
    (1, 2, "SAME", 1, 1),
    (2, (2, 1), "VALID", (1, 2), 2),
    (2, 3, [(1, 0), (2, 2)], 1, 1),
    (3, 2, 1, 1, 3),
]


def make(rng, dtype, shape):
    if np.dtype(dtype).kind == "i":
        return rng.integers(-3, 4, shape).astype(dtype)
    a = rng.uniform(-1, 1, shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.uniform(-1, 1, shape)
    return a.astype(dtype)


def reference(op, x, w, *args, **kwargs):
    """The float64 oracle, split into real and imaginary parts for complex inputs."""
    if np.iscomplexobj(x):
        re = reference(op, x.real, w.real, *args, **kwargs)
        re -= reference(op, x.imag, w.imag, *args, **kwargs)
        im = reference(op, x.real, w.imag, *args, **kwargs)
        im += reference(op, x.imag, w.real, *args, **kwargs)
        return re + 1j * im
    return op(np.asarray(x, np.float64), np.asarray(w, np.float64), *args, **kwargs)


def check(got, want, dtype):
    got = np.asarray(got)
    assert got.dtype == np.dtype(dtype) and got.shape == want.shape
    # Inputs are rounded to the dtype first, so this bounds only the op's own error.
    bound = tolerances.tolerance(dtype).atol * max(1.0, np.abs(want).max())
    np.testing.assert_array_less(np.abs(got.astype(want.dtype) - want), bound + 1e-300)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_dtype_against_the_oracle(dtype, case):
    ndim, stride, padding, dilation, groups = case
    rng = np.random.default_rng(ndim)
    x = make(rng, dtype, (2, *(6,) * ndim, 3 * groups))
    w = make(rng, dtype, (*(3,) * ndim, 3, 2 * groups))
    kw = dict(dilation=dilation, groups=groups)
    want = reference(oracle.conv, x, w, stride, padding, **kw)
    check(jconv.conv(x, w, stride, padding, **kw), want, dtype)
    y = make(rng, dtype, want.shape)
    want_t = reference(oracle.conv_transpose, y, w, stride, padding, out_size=x.shape[1:-1], **kw)
    for algorithm in ALGORITHMS:
        got = jconv.conv_transpose(
            y, w, stride, padding, output_shape=x.shape[1:-1], algorithm=algorithm, **kw
        )
        check(got, want_t, dtype)


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16], ids=["bfloat16", "float16"])
def test_preferred_element_type_accumulates_in_float32(dtype):
    rng = np.random.default_rng(1)
    x = make(rng, dtype, (1, 9, 9, 16))
    w = make(rng, dtype, (4, 4, 8, 16))
    want = oracle.conv_transpose(
        np.asarray(x, np.float64), np.asarray(w, np.float64), 2, "SAME", out_size=(18, 18)
    )
    for algorithm in ALGORITHMS:
        got = jconv.conv_transpose(
            x, w, 2, "SAME", algorithm=algorithm, preferred_element_type=jnp.float32
        )
        assert got.dtype == jnp.float32
        tolerances.assert_close(got, want)  # float32 accumulation of exact float32 inputs
    got = jconv.conv(x, w.transpose(0, 1, 3, 2), preferred_element_type=jnp.float32)
    assert got.dtype == jnp.float32


def test_nan_and_inf_propagate_like_xla():
    x = np.zeros((1, 5, 5, 1), np.float32)
    x[0, 2, 2, 0] = np.nan
    x[0, 0, 0, 0] = np.inf
    w = np.ones((3, 3, 1, 1), np.float32)
    out = np.asarray(jconv.conv(x, w, padding="SAME"))[0, ..., 0]
    assert np.isnan(out[1:4, 1:4]).all() and np.isinf(out[0, 0])
    assert np.isfinite(out[4, :]).all() and np.isfinite(out[:, 4]).all()
    for algorithm in ALGORITHMS:
        t = np.asarray(jconv.conv_transpose(x, w, 2, "SAME", algorithm=algorithm))[0, ..., 0]
        assert np.isnan(t).any() and np.isfinite(t[-1, -1])


def test_results_are_bit_identical_run_to_run():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 17, 13, 8)).astype(np.float32)
    w = rng.standard_normal((5, 3, 4, 8)).astype(np.float32)
    for algorithm in ALGORITHMS:
        runs = [
            np.asarray(jconv.conv_transpose(x, w, (3, 2), "SAME", groups=2, algorithm=algorithm))
            for _ in range(3)
        ]
        assert all(np.array_equal(runs[0], r) for r in runs[1:])
    runs = [np.asarray(jconv.conv(x, w, 2, 1, groups=2)) for _ in range(3)]
    assert all(np.array_equal(runs[0], r) for r in runs[1:])


def test_precision_forms_are_accepted_by_every_algorithm():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 4, 4, 2)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    want = oracle.conv_transpose(x, w, 2, "SAME", out_size=(8, 8))
    for precision in ("highest", ["highest", "highest"], ("highest", "highest"), None):
        for algorithm in ALGORITHMS:
            got = jconv.conv_transpose(x, w, 2, "SAME", precision=precision, algorithm=algorithm)
            tolerances.assert_close(got, want)
        got = jconv.conv(np.asarray(want, np.float32), w, 2, "SAME", precision=precision)
        assert got.shape == (1, 4, 4, 2)
